//! Memory seen through mappings in the suite's own address space (root slot 2), at
//! Nun's memory window, made with Nun's GET_UNSET_DEPTH-driven mapping helper:
//! converted memory is zeroed, copies of a frame share its memory, the helper adds
//! only the tables that are missing, and read-only mappings refuse writes.
//!
//! The page tables come from the test's Generic, so the teardown's revocation
//! unmaps everything again.

use core::sync::atomic::Ordering;

use a9n_abi::paging::{FrameSize, MapAttributes};
use a9n_abi::scheduling::INIT_PRIORITY;
use a9n_abi::{CapabilityType, RootSlot};
use nun::capability::{AddressSpace, Frame, Generic};
use nun::mapping::{MappingReport, map_frame};
use nun::window;

use crate::check::{Expect, Failure, TestResult};
use crate::context::Context;
use crate::context::SMALL_FRAME_BITS;
use crate::thread_bodies::write_to_reported_address;
use crate::threads::{BOARD, create, yield_until};
use crate::{ensure, fail};

pub const TESTS: &[crate::harness::Test] = tests![
    mapping_helper_adds_only_missing_tables,
    converted_memory_reads_as_zero,
    copies_of_a_frame_share_its_memory,
    read_only_mapping_refuses_writes,
];

const RW: MapAttributes = MapAttributes::READ.union(MapAttributes::WRITE);

fn own_address_space() -> AddressSpace {
    AddressSpace::new(RootSlot::AddressSpace.descriptor())
}

/// Maps `frame` at `address` in the suite's own address space.
fn map(
    context: &mut Context,
    frame: Frame,
    address: u64,
    attributes: MapAttributes,
) -> Result<MappingReport, Failure> {
    map_frame(
        own_address_space(),
        context.generic,
        &mut context.slots,
        frame,
        FrameSize::Small,
        address,
        attributes,
    )
    .map_err(|error| Failure::new(format_args!("mapping helper at {address:#x}: {error:?}")))
}

fn read(address: u64) -> Result<u64, Failure> {
    window::read_word(address)
        .ok_or_else(|| Failure::new(format_args!("{address:#x} is outside the window")))
}

/// The window lies in a PML4 entry of its own: the first page needs PDPT, PD and
/// PT, a neighbour none, the next 2 MiB a PT.
fn mapping_helper_adds_only_missing_tables(context: &mut Context) -> TestResult {
    let counts = [
        (window::BASE, 3),
        (window::BASE + 0x1000, 0),
        (window::BASE + (2 << 20), 1),
        (window::BASE + (1 << 30), 2),
    ];
    for (address, expected) in counts {
        let frame = context.make_frame()?;
        let report = map(context, frame, address, RW)?;
        ensure!(
            report.table_count() == expected,
            "mapping at {address:#x} added {} tables, expected {expected}",
            report.table_count()
        );
    }
    Ok(())
}

/// Dirty a frame, destroy it by revoking its Generic, convert a new frame at the
/// same address: every word reads 0.
fn converted_memory_reads_as_zero(context: &mut Context) -> TestResult {
    let (generic_slot, generic) = context.make_generic(14)?;
    let first = context.make_from(generic, CapabilityType::Frame, SMALL_FRAME_BITS)?;
    let first_frame = Frame::new(first.descriptor);
    let physical = first_frame.get_address().expect_ok("GET_ADDRESS")?;
    map(context, first_frame, window::BASE, RW)?;
    for offset in (0..4096).step_by(8) {
        window::write_word(window::BASE + offset, 0xa5a5_0000 | offset);
    }
    ensure!(
        read(window::BASE + 8)? == 0xa5a5_0008,
        "the write did not stick"
    );
    context
        .scratch
        .revoke(generic_slot.index)
        .expect_ok("REVOKE of the Generic")?;
    let second = context.make_from(
        Generic::new(generic_slot.descriptor),
        CapabilityType::Frame,
        SMALL_FRAME_BITS,
    )?;
    let second_frame = Frame::new(second.descriptor);
    ensure!(
        second_frame.get_address().expect_ok("GET_ADDRESS")? == physical,
        "the new frame is elsewhere"
    );
    map(context, second_frame, window::BASE + 0x1000, RW)?;
    for offset in (0..4096).step_by(8) {
        let word = read(window::BASE + 0x1000 + offset)?;
        if word != 0 {
            fail!("word {offset:#x} of a new frame is {word:#x}");
        }
    }
    Ok(())
}

/// A frame and its copy, mapped at two addresses, are the same memory.
fn copies_of_a_frame_share_its_memory(context: &mut Context) -> TestResult {
    let frame = context.make_frame()?;
    let copy = Frame::new(context.copy(frame.descriptor())?.descriptor);
    map(context, frame, window::BASE + 0x4000, RW)?;
    map(context, copy, window::BASE + 0x9000, MapAttributes::READ)?;
    window::write_word(window::BASE + 0x4000 + 0x100, 0x1234_5678_9abc_def0);
    let seen = read(window::BASE + 0x9000 + 0x100)?;
    ensure!(
        seen == 0x1234_5678_9abc_def0,
        "the copy's mapping reads {seen:#x}"
    );
    Ok(())
}

/// A thread writing to a read-only mapping faults (and, without a resolver, is
/// suspended): the memory is unchanged and the thread does not go on.
fn read_only_mapping_refuses_writes(context: &mut Context) -> TestResult {
    let frame = context.make_frame()?;
    let address = window::BASE + 0x20_0000;
    map(context, frame, address, MapAttributes::READ)?;
    BOARD.values[0].store(address, Ordering::SeqCst);
    let thread = create(context, 0, write_to_reported_address, INIT_PRIORITY)?;
    thread.pcb.resume().expect_ok("RESUME")?;
    ensure!(
        yield_until(100, || BOARD.counter(0) == 1),
        "the thread did not run"
    );
    yield_until(100, || BOARD.value(0) != address);
    ensure!(
        BOARD.value(0) == address,
        "the thread went on after writing to a read-only page"
    );
    ensure!(read(address)? == 0, "the read-only page changed");
    Ok(())
}

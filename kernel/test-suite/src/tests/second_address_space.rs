//! A thread in an address space of its own (docs/abi.md sections 5 and 9): the test
//! builds a new address space that maps copies of every frame of the suite's image
//! at the same addresses (with Nun's GET_UNSET_DEPTH-driven mapping helper, page
//! tables from the test's Generic), and runs a thread in it. The image's frames are
//! the same physical memory, so the thread reports through the board like any
//! other.

use a9n_abi::paging::{FrameSize, MapAttributes};
use a9n_abi::scheduling::INIT_PRIORITY;
use a9n_abi::{CapabilityType, RootSlot};
use nun::capability::{AddressSpace, Configuration, Frame, Node};
use nun::mapping::map_frame;

use crate::check::{Expect, Failure, TestResult};
use crate::context::Context;
use crate::ensure;
use crate::thread_bodies::count_and_yield;
use crate::threads::{BOARD, create, yield_until};

pub const TESTS: &[crate::harness::Test] = tests![thread_runs_in_an_address_space_of_its_own];

const PAGE: u64 = 4096;

/// Maps copies of the image's frames (root slot 5's node) into `space`.
fn map_image(context: &mut Context, space: AddressSpace) -> Result<usize, Failure> {
    let info = context.info;
    let frames = Node::new(
        RootSlot::FrameNode.descriptor(),
        info.frame_node_radix as u32,
    );
    let mut tables = 0;
    for index in 0..info.frame_count {
        let original = frames
            .slot(index)
            .ok_or_else(|| Failure::new(format_args!("frame node slot {index}")))?;
        let copy = context.copy(original)?;
        let report = map_frame(
            space,
            context.generic,
            &mut context.slots,
            Frame::new(copy.descriptor),
            FrameSize::Small,
            info.image_address + index * PAGE,
            MapAttributes::ALL,
        )
        .map_err(|error| Failure::new(format_args!("mapping image page {index}: {error:?}")))?;
        tables += report.table_count();
    }
    Ok(tables)
}

/// The thread counts in its own address space; the main thread sees the count.
fn thread_runs_in_an_address_space_of_its_own(context: &mut Context) -> TestResult {
    let space = AddressSpace::new(context.make(CapabilityType::AddressSpace, 0)?.descriptor);
    let tables = map_image(context, space)?;
    ensure!(
        (3..=6).contains(&tables),
        "mapping a {}-page image took {tables} page tables",
        context.info.frame_count
    );
    let thread = create(context, 0, count_and_yield, INIT_PRIORITY)?;
    thread
        .pcb
        .configure(&Configuration::new().address_space(space.descriptor()))
        .expect_ok("CONFIGURE of the new address space")?;
    thread.pcb.resume().expect_ok("RESUME")?;
    ensure!(
        yield_until(200, || BOARD.counter(0) >= 3),
        "the thread did not run in its own address space"
    );
    thread.pcb.suspend().expect_ok("SUSPEND")
}

//! The init protocol (docs/abi.md section 9): `InitInfo`, the root node's slots and
//! the contents of the nodes in slots 4, 5 and 7.

use a9n_abi::init::{GENERIC_CAPACITY, INIT_INFO_VERSION, ROOT_RADIX};
use a9n_abi::object::{GENERIC_SIZE_BITS_MAX, GENERIC_SIZE_BITS_MIN};
use a9n_abi::operation::io_port::IoWidth;
use a9n_abi::paging::FrameSize;
use a9n_abi::register::REGISTER_COUNT;
use a9n_abi::{Register, RootSlot};
use nun::capability::{AddressSpace, Frame, IoPort, Node, ProcessControlBlock};

use crate::check::{Expect, TestResult};
use crate::context::{Context, ensure_empty, ensure_present};
use crate::{ensure, fail};

pub const TESTS: &[crate::harness::Test] = tests![
    init_info_has_version_1_and_consistent_counts,
    init_root_slots_hold_the_documented_capabilities,
    init_frame_node_holds_the_image_frames_in_order,
    init_page_table_node_holds_the_counted_tables,
    init_generic_node_matches_the_descriptions,
    init_image_is_mapped_in_its_address_space,
    init_thread_registers_are_plausible,
];

const PAGE: u64 = 4096;

/// Image layout: version 1, radixes in range, counts within their nodes, the IPC
/// buffer the last frame of the image.
fn init_info_has_version_1_and_consistent_counts(context: &mut Context) -> TestResult {
    let info = context.info;
    ensure!(
        info.version == INIT_INFO_VERSION,
        "version {}",
        info.version
    );
    for (name, radix) in [
        ("page table", info.page_table_node_radix),
        ("frame", info.frame_node_radix),
        ("generic", info.generic_node_radix),
        ("boot module", info.boot_module_node_radix),
    ] {
        ensure!((1..=20).contains(&radix), "{name} node radix {radix}");
    }
    ensure!(
        info.page_table_count >= 1 && info.page_table_count <= 1 << info.page_table_node_radix,
        "page_table_count {}",
        info.page_table_count
    );
    ensure!(
        info.frame_count >= 2 && info.frame_count <= 1 << info.frame_node_radix,
        "frame_count {}",
        info.frame_count
    );
    ensure!(
        info.generic_count >= 1
            && info.generic_count as usize <= GENERIC_CAPACITY
            && info.generic_count <= 1 << info.generic_node_radix,
        "generic_count {}",
        info.generic_count
    );
    ensure!(
        info.image_address.is_multiple_of(PAGE) && info.image_address != 0,
        "image_address {:#x}",
        info.image_address
    );
    let last_frame = info.image_address + (info.frame_count - 1) * PAGE;
    ensure!(
        info.ipc_buffer_address == last_frame,
        "IPC buffer at {:#x}, last image page at {last_frame:#x}",
        info.ipc_buffer_address
    );
    ensure!(
        info.reserved.iter().all(|&word| word == 0),
        "reserved words are not zero"
    );
    Ok(())
}

/// Slot 0 is empty; 1..=10 hold what the table of section 9 says, checked with an
/// operation only that type has.
fn init_root_slots_hold_the_documented_capabilities(context: &mut Context) -> TestResult {
    let info = context.info;
    ensure_empty(RootSlot::Reserved.descriptor(), "root slot 0")?;
    ProcessControlBlock::new(RootSlot::ProcessControlBlock.descriptor())
        .read_registers(1)
        .expect_ok("slot 1: PCB READ_REGISTER")?;
    AddressSpace::new(RootSlot::AddressSpace.descriptor())
        .can_map_frame_size_bits(u64::from(FrameSize::Small.bits()))
        .expect_ok("slot 2: ADDRESS_SPACE CAN_MAP_FRAME_SIZE_BITS")?;
    // Slot 3 is the root node: slot 9 reached through it is the IO port.
    let through_self = Node::new(RootSlot::RootNode.descriptor(), ROOT_RADIX)
        .slot(RootSlot::IoPort.index())
        .expect("depth 24 fits");
    IoPort::new(through_self)
        .read(0x3ff, IoWidth::Byte)
        .expect_ok("slot 3 then slot 9: IO_PORT READ")?;
    let page_tables = Node::new(
        RootSlot::PageTableNode.descriptor(),
        info.page_table_node_radix as u32,
    );
    ensure_present(page_tables.slot(0).expect("fits"), "slot 4 node, slot 0")?;
    let frames = Node::new(
        RootSlot::FrameNode.descriptor(),
        info.frame_node_radix as u32,
    );
    Frame::new(frames.slot(0).expect("fits"))
        .get_address()
        .expect_ok("slot 5 node, slot 0: FRAME GET_ADDRESS")?;
    Frame::new(RootSlot::IpcBuffer.descriptor())
        .get_address()
        .expect_ok("slot 6: FRAME GET_ADDRESS")?;
    let generics = Node::new(
        RootSlot::GenericNode.descriptor(),
        info.generic_node_radix as u32,
    );
    ensure_present(generics.slot(0).expect("fits"), "slot 7 node, slot 0")?;
    ensure_present(RootSlot::InterruptRegion.descriptor(), "slot 8")?;
    IoPort::new(RootSlot::IoPort.descriptor())
        .read(0x3ff, IoWidth::Byte)
        .expect_ok("slot 9: IO_PORT READ")?;
    ensure_present(RootSlot::BootModuleNode.descriptor(), "slot 10")?;
    for index in RootSlot::BootModuleNode.index() + 1..crate::context::CHILD_GENERIC_SLOT {
        ensure_empty(crate::context::root_slot(index), "a root slot past 10")?;
    }
    Ok(())
}

/// Slot 5's node: frame i backs `image_address + i * 4096`; the image is one
/// contiguous block, so the physical addresses follow each other; slot 6 is the
/// last frame again.
fn init_frame_node_holds_the_image_frames_in_order(context: &mut Context) -> TestResult {
    let info = context.info;
    let frames = Node::new(
        RootSlot::FrameNode.descriptor(),
        info.frame_node_radix as u32,
    );
    let first = Frame::new(frames.slot(0).expect("fits"))
        .get_address()
        .expect_ok("GET_ADDRESS of frame 0")?;
    let mut last = first;
    for index in 0..info.frame_count {
        let address = Frame::new(frames.slot(index).expect("fits"))
            .get_address()
            .expect_ok("GET_ADDRESS of an image frame")?;
        ensure!(
            address == first + index * PAGE,
            "frame {index} at {address:#x}, expected {:#x}",
            first + index * PAGE
        );
        last = address;
    }
    if info.frame_count < 1 << info.frame_node_radix {
        ensure_empty(
            frames.slot(info.frame_count).expect("fits"),
            "frame node slot frame_count",
        )?;
    }
    let ipc_buffer = Frame::new(RootSlot::IpcBuffer.descriptor())
        .get_address()
        .expect_ok("GET_ADDRESS of the IPC buffer")?;
    ensure!(
        ipc_buffer == last,
        "IPC buffer frame at {ipc_buffer:#x}, last image frame at {last:#x}"
    );
    Ok(())
}

/// Slot 4's node: `page_table_count` capabilities from slot 0, none after; page
/// tables have no operations.
fn init_page_table_node_holds_the_counted_tables(context: &mut Context) -> TestResult {
    let info = context.info;
    let tables = Node::new(
        RootSlot::PageTableNode.descriptor(),
        info.page_table_node_radix as u32,
    );
    for index in 0..info.page_table_count {
        let table = tables.slot(index).expect("fits");
        ensure_present(table, "page table")?;
        // FRAME GET_ADDRESS's number on a page table: no such operation.
        crate::check::expect_error(
            Frame::new(table).get_address(),
            a9n_abi::CapabilityError::IllegalOperation,
            "operation 1 on an init page table",
        )?;
    }
    if info.page_table_count < 1 << info.page_table_node_radix {
        ensure_empty(
            tables.slot(info.page_table_count).expect("fits"),
            "page table node slot page_table_count",
        )?;
    }
    Ok(())
}

/// Slot 7's node: one Generic per description, sizes in range, aligned to their
/// size and not overlapping.
fn init_generic_node_matches_the_descriptions(context: &mut Context) -> TestResult {
    let info = context.info;
    let generics = Node::new(
        RootSlot::GenericNode.descriptor(),
        info.generic_node_radix as u32,
    );
    let descriptions = info.generic_descriptions();
    for (index, description) in descriptions.iter().enumerate() {
        ensure_present(generics.slot(index as u64).expect("fits"), "Generic")?;
        let bits = description.size_bits;
        ensure!(
            (u64::from(GENERIC_SIZE_BITS_MIN)..=u64::from(GENERIC_SIZE_BITS_MAX)).contains(&bits),
            "Generic {index}: size bits {bits}"
        );
        ensure!(
            description.physical_address % description.size() == 0,
            "Generic {index} at {:#x} is not aligned to 2^{bits}",
            description.physical_address
        );
        ensure!(
            description.is_device <= 1,
            "Generic {index}: is_device {}",
            description.is_device
        );
        for (other_index, other) in descriptions.iter().enumerate().skip(index + 1) {
            let disjoint = description.physical_address + description.size()
                <= other.physical_address
                || other.physical_address + other.size() <= description.physical_address;
            ensure!(disjoint, "Generics {index} and {other_index} overlap");
        }
    }
    if descriptions.len() < 1 << info.generic_node_radix {
        ensure_empty(
            generics.slot(descriptions.len() as u64).expect("fits"),
            "Generic node slot generic_count",
        )?;
    }
    Ok(())
}

/// Every page of the image has a complete path in init's address space.
fn init_image_is_mapped_in_its_address_space(context: &mut Context) -> TestResult {
    let info = context.info;
    let own = AddressSpace::new(RootSlot::AddressSpace.descriptor());
    for index in 0..info.frame_count {
        let address = info.image_address + index * PAGE;
        let depth = own
            .get_unset_depth(address, FrameSize::Small)
            .expect_ok("GET_UNSET_DEPTH in the image")?;
        ensure!(depth == 0, "image page {address:#x}: unset depth {depth}");
    }
    Ok(())
}

/// READ_REGISTER on init's own PCB: RIP inside the image, RSP on the stack in use,
/// interrupts enabled.
fn init_thread_registers_are_plausible(context: &mut Context) -> TestResult {
    let info = context.info;
    let local = 0u64;
    let stack_address = core::ptr::from_ref(&local) as u64;
    let registers = ProcessControlBlock::new(RootSlot::ProcessControlBlock.descriptor())
        .read_registers(REGISTER_COUNT)
        .expect_ok("READ_REGISTER of init's own PCB")?;
    let (Some(rip), Some(rsp), Some(rflags)) = (
        registers.get(Register::Rip),
        registers.get(Register::Rsp),
        registers.get(Register::Rflags),
    ) else {
        fail!("READ_REGISTER returned fewer than 20 registers");
    };
    let image_end = info.image_address + info.frame_count * PAGE;
    ensure!(
        (info.image_address..image_end).contains(&rip),
        "RIP {rip:#x} outside the image {:#x}..{image_end:#x}",
        info.image_address
    );
    ensure!(
        rsp.abs_diff(stack_address) < 64 * 1024,
        "RSP {rsp:#x} far from the stack in use ({stack_address:#x})"
    );
    ensure!(
        rflags & INTERRUPT_FLAG != 0,
        "RFLAGS {rflags:#x} without IF"
    );
    Ok(())
}

/// RFLAGS.IF.
pub const INTERRUPT_FLAG: u64 = 1 << 9;

//! Generic CONVERT (docs/abi.md sections 5 and 12): every convertible type, counts,
//! alignment, bad types and specific bits, the watermark running out
//! (INVALID_ARGUMENT, section 12), all-or-nothing, destination ranges and rights.
//!
//! docs/abi.md names no error for a destination descriptor that names something
//! other than a node; that test accepts any error.

use a9n_abi::operation::GenericOperation;
use a9n_abi::paging::PageTableDepth;
use a9n_abi::{CapabilityError, CapabilityType, Rights, RootSlot};
use nun::call::capability_call;
use nun::capability::{AddressSpace, Frame, Generic, Node, ProcessControlBlock};

use crate::check::{Expect, TestResult, expect_error, expect_failure};
use crate::context::SMALL_FRAME_BITS;
use crate::context::{Context, ensure_empty, ensure_present};
use crate::ensure;

pub const TESTS: &[crate::harness::Test] = tests![
    convert_makes_every_convertible_type,
    convert_fills_consecutive_slots,
    convert_with_count_zero_is_invalid_argument,
    convert_of_a_type_that_is_not_convertible_is_invalid_argument,
    convert_with_bad_specific_bits_is_invalid_argument,
    convert_past_the_watermark_is_invalid_argument,
    convert_is_all_or_nothing_when_memory_runs_out,
    convert_is_all_or_nothing_when_a_slot_is_occupied,
    convert_past_the_end_of_the_node_is_invalid_argument,
    convert_into_something_that_is_not_a_node_fails,
    convert_without_write_on_the_generic_is_permission_denied,
    convert_into_a_node_without_write_is_permission_denied,
    convert_aligns_each_object_to_its_size,
    device_generic_converts_only_to_frames_and_generics,
    generic_unknown_operations_are_illegal,
];

/// CONVERT with raw words (to send types and bits the typed handle cannot).
fn convert_words(
    generic: Generic,
    object_type: u64,
    specific_bits: u64,
    count: u64,
    destination: &Node,
    first_index: u64,
) -> Result<(), CapabilityError> {
    capability_call(
        generic.descriptor(),
        GenericOperation::Convert.as_word(),
        &[
            object_type,
            specific_bits,
            count,
            destination.descriptor().as_word(),
            first_index,
        ],
    )
    .map(|_| ())
}

/// One of each convertible type, each answering an operation of its own type.
fn convert_makes_every_convertible_type(context: &mut Context) -> TestResult {
    let node = context.make(CapabilityType::Node, 3)?;
    let node = Node::new(node.descriptor, 3);
    node.copy(7, RootSlot::IoPort.descriptor())
        .expect_ok("COPY into the new node")?;
    let (_, generic) = context.make_generic(12)?;
    context.make_from(generic, CapabilityType::Frame, SMALL_FRAME_BITS)?;
    let address_space = context.make(CapabilityType::AddressSpace, 0)?;
    AddressSpace::new(address_space.descriptor)
        .can_map_frame_size_bits(12)
        .expect_ok("CAN_MAP_FRAME_SIZE_BITS of the new address space")?;
    for &depth in PageTableDepth::ALL {
        let table = context.make(CapabilityType::PageTable, depth.as_word())?;
        ensure_present(table.descriptor, "new page table")?;
    }
    context
        .make_frame()?
        .get_address()
        .expect_ok("GET_ADDRESS of the new frame")?;
    let pcb = context.make(CapabilityType::ProcessControlBlock, 0)?;
    ProcessControlBlock::new(pcb.descriptor)
        .read_registers(1)
        .expect_ok("READ_REGISTER of the new PCB")?;
    for object_type in [CapabilityType::IpcPort, CapabilityType::NotificationPort] {
        let port = context.make(object_type, 0)?;
        ensure_present(port.descriptor, object_type.name())?;
    }
    Ok(())
}

/// Count 4 fills four consecutive slots with four frames one page apart.
fn convert_fills_consecutive_slots(context: &mut Context) -> TestResult {
    let first = context
        .slots
        .allocate_consecutive(4)
        .ok_or_else(|| crate::check::Failure::new(format_args!("no 4 free slots")))?;
    context
        .generic
        .convert(
            CapabilityType::Frame,
            SMALL_FRAME_BITS,
            4,
            context.scratch.descriptor(),
            first,
        )
        .expect_ok("CONVERT of 4 frames")?;
    let mut previous = None;
    for index in first..first + 4 {
        let address = Frame::new(context.scratch.slot(index).expect("fits"))
            .get_address()
            .expect_ok("GET_ADDRESS")?;
        if let Some(previous) = previous {
            ensure!(
                address == previous + 4096,
                "frame {index} at {address:#x}, previous at {previous:#x}"
            );
        }
        previous = Some(address);
    }
    ensure_empty(
        context.scratch.slot(first + 4).expect("fits"),
        "slot after the run",
    )
}

/// Count 0 is out of range.
fn convert_with_count_zero_is_invalid_argument(context: &mut Context) -> TestResult {
    let slot = context.slot()?;
    expect_error(
        context.generic.convert(
            CapabilityType::Frame,
            SMALL_FRAME_BITS,
            0,
            context.scratch.descriptor(),
            slot.index,
        ),
        CapabilityError::InvalidArgument,
        "CONVERT with count 0",
    )?;
    ensure_empty(slot.descriptor, "destination")
}

/// NONE, DEBUG, INTERRUPT_REGION, INTERRUPT_PORT, IO_PORT, VIRTUAL_CPU and numbers
/// past the last type cannot be converted.
fn convert_of_a_type_that_is_not_convertible_is_invalid_argument(
    context: &mut Context,
) -> TestResult {
    let slot = context.slot()?;
    let mut words = [0u64; 9];
    let mut count = 0;
    for &object_type in CapabilityType::ALL {
        if !object_type.is_convertible() {
            words[count] = object_type.as_word();
            count += 1;
        }
    }
    words[count] = CapabilityType::ALL.len() as u64;
    words[count + 1] = u64::MAX;
    for &word in &words[..count + 2] {
        expect_error(
            convert_words(context.generic, word, 12, 1, &context.scratch, slot.index),
            CapabilityError::InvalidArgument,
            "CONVERT of a non-convertible type",
        )?;
        ensure_empty(slot.descriptor, "destination")?;
    }
    Ok(())
}

/// Node radix 0 and 21, Generic size bits 11 and 53, frame size bits 0, 13 and 20,
/// page-table depth 0 and 4 are out of range.
fn convert_with_bad_specific_bits_is_invalid_argument(context: &mut Context) -> TestResult {
    let slot = context.slot()?;
    let cases: [(CapabilityType, u64); 10] = [
        (CapabilityType::Node, 0),
        (CapabilityType::Node, 21),
        (CapabilityType::Generic, 11),
        (CapabilityType::Generic, 53),
        (CapabilityType::Frame, 0),
        (CapabilityType::Frame, 13),
        (CapabilityType::Frame, 20),
        (CapabilityType::PageTable, 0),
        (CapabilityType::PageTable, 4),
        (CapabilityType::PageTable, u64::MAX),
    ];
    for (object_type, bits) in cases {
        expect_error(
            context.generic.convert(
                object_type,
                bits,
                1,
                context.scratch.descriptor(),
                slot.index,
            ),
            CapabilityError::InvalidArgument,
            object_type.name(),
        )?;
        ensure_empty(slot.descriptor, "destination")?;
    }
    Ok(())
}

/// [section 12] objects that do not fit (watermark exhausted): INVALID_ARGUMENT. A
/// 16 KiB Generic holds four 4 KiB frames and no fifth.
fn convert_past_the_watermark_is_invalid_argument(context: &mut Context) -> TestResult {
    let (_, generic) = context.make_generic(14)?;
    for _ in 0..4 {
        context.make_from(generic, CapabilityType::Frame, SMALL_FRAME_BITS)?;
    }
    let slot = context.slot()?;
    expect_error(
        generic.convert(
            CapabilityType::Frame,
            SMALL_FRAME_BITS,
            1,
            context.scratch.descriptor(),
            slot.index,
        ),
        CapabilityError::InvalidArgument,
        "a fifth frame from 16 KiB",
    )?;
    ensure_empty(slot.descriptor, "destination")?;
    expect_error(
        generic.convert(
            CapabilityType::Generic,
            14,
            1,
            context.scratch.descriptor(),
            slot.index,
        ),
        CapabilityError::InvalidArgument,
        "a Generic as large as its parent, after the watermark moved",
    )
}

/// Five frames from 16 KiB fail as a whole: no slot is filled and the watermark has
/// not moved (four frames still fit afterwards).
fn convert_is_all_or_nothing_when_memory_runs_out(context: &mut Context) -> TestResult {
    let (_, generic) = context.make_generic(14)?;
    let first = context
        .slots
        .allocate_consecutive(5)
        .ok_or_else(|| crate::check::Failure::new(format_args!("no 5 free slots")))?;
    expect_error(
        generic.convert(
            CapabilityType::Frame,
            SMALL_FRAME_BITS,
            5,
            context.scratch.descriptor(),
            first,
        ),
        CapabilityError::InvalidArgument,
        "CONVERT of 5 frames from 16 KiB",
    )?;
    for index in first..first + 5 {
        ensure_empty(
            context.scratch.slot(index).expect("fits"),
            "a destination slot",
        )?;
    }
    generic
        .convert(
            CapabilityType::Frame,
            SMALL_FRAME_BITS,
            4,
            context.scratch.descriptor(),
            first,
        )
        .expect_ok("CONVERT of 4 frames after the failure")
}

/// Three frames whose middle destination is occupied: INVALID_ARGUMENT, nothing made,
/// the watermark unmoved.
fn convert_is_all_or_nothing_when_a_slot_is_occupied(context: &mut Context) -> TestResult {
    let (_, generic) = context.make_generic(14)?;
    let first = context
        .slots
        .allocate_consecutive(3)
        .ok_or_else(|| crate::check::Failure::new(format_args!("no 3 free slots")))?;
    context
        .generic
        .convert(
            CapabilityType::Frame,
            SMALL_FRAME_BITS,
            1,
            context.scratch.descriptor(),
            first + 1,
        )
        .expect_ok("CONVERT of the occupying frame")?;
    expect_error(
        generic.convert(
            CapabilityType::Frame,
            SMALL_FRAME_BITS,
            3,
            context.scratch.descriptor(),
            first,
        ),
        CapabilityError::InvalidArgument,
        "CONVERT over an occupied slot",
    )?;
    ensure_empty(
        context.scratch.slot(first).expect("fits"),
        "first destination",
    )?;
    ensure_empty(
        context.scratch.slot(first + 2).expect("fits"),
        "third destination",
    )?;
    let run = context
        .slots
        .allocate_consecutive(4)
        .ok_or_else(|| crate::check::Failure::new(format_args!("no 4 free slots")))?;
    generic
        .convert(
            CapabilityType::Frame,
            SMALL_FRAME_BITS,
            4,
            context.scratch.descriptor(),
            run,
        )
        .expect_ok("CONVERT of all 16 KiB after the failure")
}

/// A destination range that runs past the node's last slot is refused.
fn convert_past_the_end_of_the_node_is_invalid_argument(context: &mut Context) -> TestResult {
    let (_, node) = context.make_node(2)?;
    for (first, count) in [(2u64, 3u64), (4, 1), (u64::MAX, 2), (0, u64::MAX)] {
        expect_error(
            context.generic.convert(
                CapabilityType::Frame,
                SMALL_FRAME_BITS,
                count,
                node.descriptor(),
                first,
            ),
            CapabilityError::InvalidArgument,
            "CONVERT past the node",
        )?;
    }
    for index in 0..4 {
        ensure_empty(node.slot(index).expect("fits"), "a slot of the node")?;
    }
    Ok(())
}

/// The destination must be a node: an empty slot does not resolve
/// (INVALID_DESCRIPTOR); a frame is not a node (no error named: any error).
fn convert_into_something_that_is_not_a_node_fails(context: &mut Context) -> TestResult {
    let empty = context.slot()?;
    expect_error(
        context.generic.convert(
            CapabilityType::Frame,
            SMALL_FRAME_BITS,
            1,
            empty.descriptor,
            0,
        ),
        CapabilityError::InvalidDescriptor,
        "CONVERT into an empty slot",
    )?;
    let frame = context.make_frame()?;
    expect_failure(
        context.generic.convert(
            CapabilityType::Frame,
            SMALL_FRAME_BITS,
            1,
            frame.descriptor(),
            0,
        ),
        "CONVERT into a frame",
    )
}

/// CONVERT needs WRITE on the Generic.
fn convert_without_write_on_the_generic_is_permission_denied(context: &mut Context) -> TestResult {
    let (generic_slot, generic) = context.make_generic(14)?;
    context
        .scratch
        .demote(generic_slot.index, Rights::READ)
        .expect_ok("DEMOTE of the Generic")?;
    let slot = context.slot()?;
    expect_error(
        generic.convert(
            CapabilityType::Frame,
            SMALL_FRAME_BITS,
            1,
            context.scratch.descriptor(),
            slot.index,
        ),
        CapabilityError::PermissionDenied,
        "CONVERT from a read-only Generic",
    )?;
    ensure_empty(slot.descriptor, "destination")
}

/// CONVERT needs WRITE on the destination node.
fn convert_into_a_node_without_write_is_permission_denied(context: &mut Context) -> TestResult {
    let (node_slot, node) = context.make_node(2)?;
    let read_only = context.mint(node_slot.descriptor, Rights::READ | Rights::COPY)?;
    expect_error(
        context.generic.convert(
            CapabilityType::Frame,
            SMALL_FRAME_BITS,
            1,
            read_only.descriptor,
            0,
        ),
        CapabilityError::PermissionDenied,
        "CONVERT into a read-only node",
    )?;
    ensure_empty(node.slot(0).expect("fits"), "destination")
}

/// In a fresh 2 MiB Generic: a frame at its start, then a 16 KiB node (aligned up to
/// 16 KiB), then a frame right after the node: 32 KiB after the first.
fn convert_aligns_each_object_to_its_size(context: &mut Context) -> TestResult {
    let (_, generic) = context.make_generic(21)?;
    let first = context.make_from(generic, CapabilityType::Frame, SMALL_FRAME_BITS)?;
    context.make_from(generic, CapabilityType::Node, 8)?;
    let second = context.make_from(generic, CapabilityType::Frame, SMALL_FRAME_BITS)?;
    let first = Frame::new(first.descriptor)
        .get_address()
        .expect_ok("GET_ADDRESS")?;
    let second = Frame::new(second.descriptor)
        .get_address()
        .expect_ok("GET_ADDRESS")?;
    ensure!(
        first % (2 << 20) == 0,
        "2 MiB Generic's first frame at {first:#x}"
    );
    ensure!(
        second == first + 32 * 1024,
        "frame after the node at {second:#x}, expected {:#x}",
        first + 32 * 1024
    );
    Ok(())
}

/// A device Generic (if the machine has one) refuses every type but FRAME and
/// GENERIC with INVALID_ARGUMENT; nothing is made.
fn device_generic_converts_only_to_frames_and_generics(context: &mut Context) -> TestResult {
    let info = context.info;
    let Some(index) = info
        .generic_descriptions()
        .iter()
        .position(|generic| generic.device())
    else {
        return Ok(());
    };
    let generics = Node::new(
        RootSlot::GenericNode.descriptor(),
        info.generic_node_radix as u32,
    );
    let device = Generic::new(generics.slot(index as u64).expect("fits"));
    let slot = context.slot()?;
    for object_type in [
        CapabilityType::Node,
        CapabilityType::AddressSpace,
        CapabilityType::PageTable,
        CapabilityType::ProcessControlBlock,
        CapabilityType::IpcPort,
        CapabilityType::NotificationPort,
    ] {
        expect_error(
            device.convert(object_type, 1, 1, context.scratch.descriptor(), slot.index),
            CapabilityError::InvalidArgument,
            object_type.name(),
        )?;
        ensure_empty(slot.descriptor, "destination")?;
    }
    Ok(())
}

/// A Generic has only operation 0.
fn generic_unknown_operations_are_illegal(context: &mut Context) -> TestResult {
    for operation in [1u64, 2, u64::MAX] {
        expect_error(
            capability_call(context.generic.descriptor(), operation, &[]),
            CapabilityError::IllegalOperation,
            "an unknown Generic operation",
        )?;
    }
    Ok(())
}

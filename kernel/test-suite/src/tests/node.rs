//! NODE COPY, MOVE, MINT, DEMOTE and REMOVE (docs/abi.md sections 5 and 12): success
//! paths, occupied slots, empty sources, missing rights, indices past the node.
//!
//! docs/abi.md names no error for MINT or DEMOTE to rights that are not a subset,
//! nor for DEMOTE or REMOVE of an empty slot; those tests accept any error (or, for
//! REMOVE of an empty slot, a no-op) and check that nothing changed.

use a9n_abi::operation::NodeOperation;
use a9n_abi::operation::io_port::IoWidth;
use a9n_abi::{CapabilityError, CapabilityType, Rights, RootSlot};
use nun::call::capability_call;
use nun::capability::{Frame, Generic, IoPort, Node};

use crate::check::{Expect, TestResult, expect_error, expect_failure};
use crate::context::SMALL_FRAME_BITS;
use crate::context::{Context, ensure_empty, ensure_present};
use crate::ensure;

pub const TESTS: &[crate::harness::Test] = tests![
    node_copy_makes_a_working_copy,
    node_copy_into_an_occupied_slot_is_invalid_argument,
    node_copy_from_an_empty_slot_is_invalid_descriptor,
    node_copy_without_the_copy_right_is_permission_denied,
    node_copy_needs_read_and_write_on_the_node,
    node_copy_of_a_generic_is_permission_denied,
    node_move_moves_the_capability,
    node_move_into_an_occupied_slot_is_invalid_argument,
    node_move_from_an_empty_slot_is_invalid_descriptor,
    node_move_needs_write_on_the_node,
    node_move_of_a_generic_keeps_it_usable,
    node_mint_makes_a_copy_with_fewer_rights,
    node_mint_cannot_add_rights,
    node_mint_with_undefined_rights_bits_is_invalid_argument,
    node_mint_without_the_copy_right_is_permission_denied,
    node_mint_into_an_occupied_slot_is_invalid_argument,
    node_demote_removes_rights,
    node_demote_cannot_add_rights,
    node_demote_of_an_empty_slot_fails,
    node_remove_deletes_only_that_capability,
    node_remove_of_an_empty_slot_changes_nothing,
    node_changes_need_write_on_the_node,
    node_operations_on_an_index_past_the_node_are_invalid_argument,
    node_unknown_operations_are_illegal,
];

/// A copy names the same object: both answer GET_ADDRESS with the same address.
fn node_copy_makes_a_working_copy(context: &mut Context) -> TestResult {
    let frame = context.make_frame()?;
    let copy = context.copy(frame.descriptor())?;
    let original = frame
        .get_address()
        .expect_ok("GET_ADDRESS of the original")?;
    let copied = Frame::new(copy.descriptor)
        .get_address()
        .expect_ok("GET_ADDRESS of the copy")?;
    ensure!(
        original == copied,
        "copy at {copied:#x}, original at {original:#x}"
    );
    Ok(())
}

/// An occupied destination is INVALID_ARGUMENT and stays as it was.
fn node_copy_into_an_occupied_slot_is_invalid_argument(context: &mut Context) -> TestResult {
    let first = context.make_frame()?;
    let second = context.make(CapabilityType::Frame, SMALL_FRAME_BITS)?;
    let before = Frame::new(second.descriptor)
        .get_address()
        .expect_ok("GET_ADDRESS")?;
    expect_error(
        context.scratch.copy(second.index, first.descriptor()),
        CapabilityError::InvalidArgument,
        "COPY into an occupied slot",
    )?;
    let after = Frame::new(second.descriptor)
        .get_address()
        .expect_ok("GET_ADDRESS")?;
    ensure!(before == after, "the occupied slot changed");
    Ok(())
}

/// An empty source does not resolve.
fn node_copy_from_an_empty_slot_is_invalid_descriptor(context: &mut Context) -> TestResult {
    let empty = context.slot()?;
    let destination = context.slot()?;
    expect_error(
        context.scratch.copy(destination.index, empty.descriptor),
        CapabilityError::InvalidDescriptor,
        "COPY from an empty slot",
    )?;
    ensure_empty(destination.descriptor, "destination")
}

/// COPY needs COPY on the source.
fn node_copy_without_the_copy_right_is_permission_denied(context: &mut Context) -> TestResult {
    let frame = context.make_frame()?;
    let limited = context.mint(frame.descriptor(), Rights::READ | Rights::WRITE)?;
    let destination = context.slot()?;
    expect_error(
        context.scratch.copy(destination.index, limited.descriptor),
        CapabilityError::PermissionDenied,
        "COPY of a capability without COPY",
    )?;
    ensure_empty(destination.descriptor, "destination")
}

/// COPY needs READ|WRITE on the node (spec): WRITE alone or READ alone is refused.
fn node_copy_needs_read_and_write_on_the_node(context: &mut Context) -> TestResult {
    let frame = context.make_frame()?;
    let (node_slot, _) = context.make_node(4)?;
    for rights in [Rights::WRITE | Rights::COPY, Rights::READ | Rights::COPY] {
        let limited = context.mint(node_slot.descriptor, rights)?;
        expect_error(
            Node::new(limited.descriptor, 4).copy(0, frame.descriptor()),
            CapabilityError::PermissionDenied,
            "COPY through a node without READ|WRITE",
        )?;
    }
    let full = context.mint(node_slot.descriptor, Rights::READ | Rights::WRITE)?;
    Node::new(full.descriptor, 4)
        .copy(0, frame.descriptor())
        .expect_ok("COPY through a READ|WRITE node")?;
    ensure_present(
        Node::new(node_slot.descriptor, 4).slot(0).expect("fits"),
        "copy",
    )
}

/// Generics never carry COPY (section 12), so they cannot be copied or minted.
fn node_copy_of_a_generic_is_permission_denied(context: &mut Context) -> TestResult {
    let (generic_slot, _) = context.make_generic(12)?;
    let destination = context.slot()?;
    expect_error(
        context
            .scratch
            .copy(destination.index, generic_slot.descriptor),
        CapabilityError::PermissionDenied,
        "COPY of a Generic",
    )?;
    expect_error(
        context
            .scratch
            .mint(destination.index, generic_slot.descriptor, Rights::READ),
        CapabilityError::PermissionDenied,
        "MINT of a Generic",
    )?;
    ensure_empty(destination.descriptor, "destination")
}

/// MOVE empties the source and the destination works.
fn node_move_moves_the_capability(context: &mut Context) -> TestResult {
    let frame = context.make_frame()?;
    let address = frame.get_address().expect_ok("GET_ADDRESS")?;
    let destination = context.slot()?;
    context
        .scratch
        .move_capability(destination.index, frame.descriptor())
        .expect_ok("MOVE")?;
    ensure_empty(frame.descriptor(), "source after MOVE")?;
    let moved = Frame::new(destination.descriptor)
        .get_address()
        .expect_ok("GET_ADDRESS after MOVE")?;
    ensure!(
        moved == address,
        "the moved frame is at {moved:#x}, was {address:#x}"
    );
    Ok(())
}

/// An occupied destination (including the source's own slot) is refused and the
/// source stays.
fn node_move_into_an_occupied_slot_is_invalid_argument(context: &mut Context) -> TestResult {
    let first = context.make_frame()?;
    let second = context.make(CapabilityType::Frame, SMALL_FRAME_BITS)?;
    expect_error(
        context
            .scratch
            .move_capability(second.index, first.descriptor()),
        CapabilityError::InvalidArgument,
        "MOVE into an occupied slot",
    )?;
    ensure_present(first.descriptor(), "source after the refused MOVE")?;
    let first_index = first.descriptor().index_at(16, 8).expect("scratch index");
    expect_error(
        context
            .scratch
            .move_capability(first_index, first.descriptor()),
        CapabilityError::InvalidArgument,
        "MOVE onto itself",
    )?;
    ensure_present(first.descriptor(), "source after MOVE onto itself")
}

/// An empty source does not resolve.
fn node_move_from_an_empty_slot_is_invalid_descriptor(context: &mut Context) -> TestResult {
    let empty = context.slot()?;
    let destination = context.slot()?;
    expect_error(
        context
            .scratch
            .move_capability(destination.index, empty.descriptor),
        CapabilityError::InvalidDescriptor,
        "MOVE from an empty slot",
    )?;
    ensure_empty(destination.descriptor, "destination")
}

/// MOVE needs WRITE on the node, and only WRITE (spec).
fn node_move_needs_write_on_the_node(context: &mut Context) -> TestResult {
    let frame = context.make_frame()?;
    let (node_slot, _) = context.make_node(4)?;
    let read_only = context.mint(node_slot.descriptor, Rights::READ)?;
    expect_error(
        Node::new(read_only.descriptor, 4).move_capability(0, frame.descriptor()),
        CapabilityError::PermissionDenied,
        "MOVE through a read-only node",
    )?;
    ensure_present(frame.descriptor(), "source after the refused MOVE")?;
    let write_only = context.mint(node_slot.descriptor, Rights::WRITE)?;
    Node::new(write_only.descriptor, 4)
        .move_capability(0, frame.descriptor())
        .expect_ok("MOVE through a write-only node")?;
    ensure_empty(frame.descriptor(), "source after MOVE")
}

/// Generics move (they cannot be copied) and keep converting.
fn node_move_of_a_generic_keeps_it_usable(context: &mut Context) -> TestResult {
    let (generic_slot, _) = context.make_generic(14)?;
    let destination = context.slot()?;
    context
        .scratch
        .move_capability(destination.index, generic_slot.descriptor)
        .expect_ok("MOVE of a Generic")?;
    ensure_empty(generic_slot.descriptor, "source")?;
    context.make_from(
        Generic::new(destination.descriptor),
        CapabilityType::Frame,
        SMALL_FRAME_BITS,
    )?;
    Ok(())
}

/// MINT with READ: GET_ADDRESS works; MINT with WRITE only: GET_ADDRESS (needs READ)
/// is refused.
fn node_mint_makes_a_copy_with_fewer_rights(context: &mut Context) -> TestResult {
    let frame = context.make_frame()?;
    let readable = context.mint(frame.descriptor(), Rights::READ)?;
    let address = frame.get_address().expect_ok("GET_ADDRESS")?;
    let minted = Frame::new(readable.descriptor)
        .get_address()
        .expect_ok("GET_ADDRESS of a READ mint")?;
    ensure!(address == minted, "mint names another frame");
    let write_only = context.mint(frame.descriptor(), Rights::WRITE)?;
    expect_error(
        Frame::new(write_only.descriptor).get_address(),
        CapabilityError::PermissionDenied,
        "GET_ADDRESS of a WRITE-only mint",
    )
}

/// Rights that are not a subset are refused (no error named: any error).
fn node_mint_cannot_add_rights(context: &mut Context) -> TestResult {
    let frame = context.make_frame()?;
    let limited = context.mint(frame.descriptor(), Rights::READ | Rights::COPY)?;
    let destination = context.slot()?;
    expect_failure(
        context.scratch.mint(
            destination.index,
            limited.descriptor,
            Rights::READ | Rights::WRITE | Rights::COPY,
        ),
        "MINT adding WRITE",
    )?;
    ensure_empty(destination.descriptor, "destination")
}

/// A rights word with bits above MODIFY is out of range.
fn node_mint_with_undefined_rights_bits_is_invalid_argument(context: &mut Context) -> TestResult {
    let frame = context.make_frame()?;
    let destination = context.slot()?;
    for word in [0x10u64, Rights::ALL.bits() | 0x100, u64::MAX] {
        expect_error(
            capability_call(
                context.scratch.descriptor(),
                NodeOperation::Mint.as_word(),
                &[destination.index, frame.descriptor().as_word(), word],
            ),
            CapabilityError::InvalidArgument,
            "MINT with undefined rights bits",
        )?;
    }
    ensure_empty(destination.descriptor, "destination")
}

/// MINT needs COPY on the source.
fn node_mint_without_the_copy_right_is_permission_denied(context: &mut Context) -> TestResult {
    let frame = context.make_frame()?;
    let limited = context.mint(frame.descriptor(), Rights::READ | Rights::WRITE)?;
    let destination = context.slot()?;
    expect_error(
        context
            .scratch
            .mint(destination.index, limited.descriptor, Rights::READ),
        CapabilityError::PermissionDenied,
        "MINT of a capability without COPY",
    )?;
    ensure_empty(destination.descriptor, "destination")
}

/// An occupied destination is INVALID_ARGUMENT.
fn node_mint_into_an_occupied_slot_is_invalid_argument(context: &mut Context) -> TestResult {
    let frame = context.make_frame()?;
    let occupied = context.make(CapabilityType::Frame, SMALL_FRAME_BITS)?;
    expect_error(
        context
            .scratch
            .mint(occupied.index, frame.descriptor(), Rights::READ),
        CapabilityError::InvalidArgument,
        "MINT into an occupied slot",
    )
}

/// DEMOTE to WRITE drops READ: GET_ADDRESS is refused afterwards.
fn node_demote_removes_rights(context: &mut Context) -> TestResult {
    let frame = context.make(CapabilityType::Frame, SMALL_FRAME_BITS)?;
    context
        .scratch
        .demote(frame.index, Rights::WRITE | Rights::COPY)
        .expect_ok("DEMOTE")?;
    expect_error(
        Frame::new(frame.descriptor).get_address(),
        CapabilityError::PermissionDenied,
        "GET_ADDRESS after dropping READ",
    )?;
    context
        .scratch
        .demote(frame.index, Rights::NONE)
        .expect_ok("DEMOTE to no rights")?;
    ensure_present(frame.descriptor, "demoted frame")
}

/// DEMOTE cannot give rights back (no error named: any error), and the rights stay
/// as they were: a read-only IO port still cannot write.
fn node_demote_cannot_add_rights(context: &mut Context) -> TestResult {
    let ports = context.copy(RootSlot::IoPort.descriptor())?;
    context
        .scratch
        .demote(ports.index, Rights::READ)
        .expect_ok("DEMOTE to READ")?;
    let port = IoPort::new(ports.descriptor);
    expect_error(
        port.write(0x3ff, IoWidth::Byte, 0),
        CapabilityError::PermissionDenied,
        "IO_PORT WRITE with READ only",
    )?;
    expect_failure(
        context
            .scratch
            .demote(ports.index, Rights::READ | Rights::WRITE),
        "DEMOTE adding WRITE",
    )?;
    expect_error(
        port.write(0x3ff, IoWidth::Byte, 0),
        CapabilityError::PermissionDenied,
        "IO_PORT WRITE after the refused DEMOTE",
    )
}

/// There is nothing to demote in an empty slot (no error named: any error).
fn node_demote_of_an_empty_slot_fails(context: &mut Context) -> TestResult {
    let empty = context.slot()?;
    expect_failure(
        context.scratch.demote(empty.index, Rights::READ),
        "DEMOTE of an empty slot",
    )?;
    ensure_empty(empty.descriptor, "the empty slot")
}

/// REMOVE deletes one capability; a copy of it keeps working.
fn node_remove_deletes_only_that_capability(context: &mut Context) -> TestResult {
    let frame = context.make(CapabilityType::Frame, SMALL_FRAME_BITS)?;
    let copy = context.copy(frame.descriptor)?;
    context.scratch.remove(frame.index).expect_ok("REMOVE")?;
    ensure_empty(frame.descriptor, "removed slot")?;
    Frame::new(copy.descriptor)
        .get_address()
        .expect_ok("GET_ADDRESS of the remaining copy")?;
    Ok(())
}

/// REMOVE of an empty slot (no error named: an error or a no-op) leaves it empty.
fn node_remove_of_an_empty_slot_changes_nothing(context: &mut Context) -> TestResult {
    let empty = context.slot()?;
    let _ = context.scratch.remove(empty.index);
    ensure_empty(empty.descriptor, "the empty slot")
}

/// DEMOTE, REVOKE and REMOVE change a slot: they need WRITE on the node.
fn node_changes_need_write_on_the_node(context: &mut Context) -> TestResult {
    let (node_slot, node) = context.make_node(4)?;
    context
        .generic
        .convert(
            CapabilityType::Frame,
            SMALL_FRAME_BITS,
            1,
            node.descriptor(),
            0,
        )
        .expect_ok("CONVERT into the node")?;
    let read_only = Node::new(
        context
            .mint(node_slot.descriptor, Rights::READ | Rights::COPY)?
            .descriptor,
        4,
    );
    expect_error(
        read_only.demote(0, Rights::READ),
        CapabilityError::PermissionDenied,
        "DEMOTE through a read-only node",
    )?;
    expect_error(
        read_only.revoke(0),
        CapabilityError::PermissionDenied,
        "REVOKE through a read-only node",
    )?;
    expect_error(
        read_only.remove(0),
        CapabilityError::PermissionDenied,
        "REMOVE through a read-only node",
    )?;
    expect_error(
        read_only.mint(1, node.slot(0).expect("fits"), Rights::READ),
        CapabilityError::PermissionDenied,
        "MINT through a read-only node",
    )?;
    ensure_present(node.slot(0).expect("fits"), "the frame in the node")?;
    ensure_empty(node.slot(1).expect("fits"), "the mint destination")
}

/// An index past a radix-4 node (16 slots) is out of range for every operation.
fn node_operations_on_an_index_past_the_node_are_invalid_argument(
    context: &mut Context,
) -> TestResult {
    let frame = context.make_frame()?;
    let (_, node) = context.make_node(4)?;
    for index in [16u64, 255, 1 << 32, u64::MAX] {
        expect_error(
            node.copy(index, frame.descriptor()),
            CapabilityError::InvalidArgument,
            "COPY past the node",
        )?;
        expect_error(
            node.move_capability(index, frame.descriptor()),
            CapabilityError::InvalidArgument,
            "MOVE past the node",
        )?;
        expect_error(
            node.mint(index, frame.descriptor(), Rights::READ),
            CapabilityError::InvalidArgument,
            "MINT past the node",
        )?;
        expect_error(
            node.demote(index, Rights::READ),
            CapabilityError::InvalidArgument,
            "DEMOTE past the node",
        )?;
        expect_error(
            node.revoke(index),
            CapabilityError::InvalidArgument,
            "REVOKE past the node",
        )?;
        expect_error(
            node.remove(index),
            CapabilityError::InvalidArgument,
            "REMOVE past the node",
        )?;
    }
    ensure_present(frame.descriptor(), "the source frame")
}

/// Operation numbers 0 and 7.. do not exist for a node.
fn node_unknown_operations_are_illegal(context: &mut Context) -> TestResult {
    for operation in [0u64, 7, 8, u64::MAX] {
        expect_error(
            capability_call(context.scratch.descriptor(), operation, &[0, 0, 0]),
            CapabilityError::IllegalOperation,
            "an unknown node operation",
        )?;
    }
    Ok(())
}

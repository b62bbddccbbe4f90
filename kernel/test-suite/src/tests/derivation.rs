//! The derivation tree (docs/abi.md sections 5 and 12): REVOKE deletes every
//! descendant, deepest first; REMOVE hands its children to its parent; copies are
//! siblings; MOVE keeps a capability's place; a revoked Generic destroys everything
//! made from it, whatever copy names it, and resets its watermark.

use a9n_abi::{CapabilityError, CapabilityType, Rights};
use nun::capability::{Frame, Generic};

use crate::check::{Expect, TestResult, expect_error_among};
use crate::context::SMALL_FRAME_BITS;
use crate::context::{Context, ensure_empty, ensure_present, root_node};
use crate::ensure;

pub const TESTS: &[crate::harness::Test] = tests![
    revoke_deletes_a_tree_three_levels_deep,
    revoke_keeps_the_capability_itself_and_its_copies,
    revoke_of_a_capability_without_children_changes_nothing,
    revoke_of_an_empty_slot_changes_nothing,
    remove_hands_the_children_to_the_parent,
    move_keeps_the_place_in_the_tree,
    revoked_object_is_unreachable_through_every_copy,
    revoking_a_generic_resets_its_watermark,
    node_contents_are_deleted_when_its_generic_is_revoked,
];

/// F; A = mint(F); B = mint(A); B' = copy(B); C = mint(B): three levels below F.
/// REVOKE of F deletes A, B, B' and C and keeps F.
fn revoke_deletes_a_tree_three_levels_deep(context: &mut Context) -> TestResult {
    let frame = context.make(CapabilityType::Frame, SMALL_FRAME_BITS)?;
    let first = context.mint(frame.descriptor, Rights::ALL)?;
    let second = context.mint(first.descriptor, Rights::ALL)?;
    let second_copy = context.copy(second.descriptor)?;
    let third = context.mint(second.descriptor, Rights::READ | Rights::COPY)?;
    let third_copy = context.copy(third.descriptor)?;
    context.scratch.revoke(frame.index).expect_ok("REVOKE")?;
    for (slot, what) in [
        (first, "level 1"),
        (second, "level 2"),
        (second_copy, "level 2 copy"),
        (third, "level 3"),
        (third_copy, "level 3 copy"),
    ] {
        ensure_empty(slot.descriptor, what)?;
    }
    Frame::new(frame.descriptor)
        .get_address()
        .expect_ok("GET_ADDRESS of the revoked capability itself")?;
    Ok(())
}

/// REVOKE touches descendants only: the capability and its sibling copies stay.
fn revoke_keeps_the_capability_itself_and_its_copies(context: &mut Context) -> TestResult {
    let frame = context.make(CapabilityType::Frame, SMALL_FRAME_BITS)?;
    let sibling = context.copy(frame.descriptor)?;
    let child = context.mint(frame.descriptor, Rights::READ)?;
    context.scratch.revoke(frame.index).expect_ok("REVOKE")?;
    ensure_empty(child.descriptor, "child")?;
    ensure_present(frame.descriptor, "the revoked capability")?;
    Frame::new(sibling.descriptor)
        .get_address()
        .expect_ok("GET_ADDRESS of the sibling")?;
    Ok(())
}

/// REVOKE of a leaf succeeds and deletes nothing.
fn revoke_of_a_capability_without_children_changes_nothing(context: &mut Context) -> TestResult {
    let frame = context.make(CapabilityType::Frame, SMALL_FRAME_BITS)?;
    let sibling = context.copy(frame.descriptor)?;
    context
        .scratch
        .revoke(frame.index)
        .expect_ok("REVOKE of a leaf")?;
    ensure_present(frame.descriptor, "the leaf")?;
    ensure_present(sibling.descriptor, "its sibling")
}

/// REVOKE of an empty slot (no error named: an error or a no-op) changes nothing.
fn revoke_of_an_empty_slot_changes_nothing(context: &mut Context) -> TestResult {
    let empty = context.slot()?;
    let frame = context.make_frame()?;
    let _ = context.scratch.revoke(empty.index);
    ensure_empty(empty.descriptor, "the empty slot")?;
    ensure_present(frame.descriptor(), "a neighbour")
}

/// F; A = mint(F); B = mint(A). REMOVE of A keeps B (now F's child), and REVOKE of
/// F then deletes B.
fn remove_hands_the_children_to_the_parent(context: &mut Context) -> TestResult {
    let frame = context.make(CapabilityType::Frame, SMALL_FRAME_BITS)?;
    let middle = context.mint(frame.descriptor, Rights::ALL)?;
    let grandchild = context.mint(middle.descriptor, Rights::READ)?;
    context
        .scratch
        .remove(middle.index)
        .expect_ok("REMOVE of the middle")?;
    Frame::new(grandchild.descriptor)
        .get_address()
        .expect_ok("GET_ADDRESS of the grandchild after REMOVE of its parent")?;
    context
        .scratch
        .revoke(frame.index)
        .expect_ok("REVOKE of the top")?;
    ensure_empty(grandchild.descriptor, "grandchild after REVOKE of the top")
}

/// A moved capability is still a child of the Generic it came from.
fn move_keeps_the_place_in_the_tree(context: &mut Context) -> TestResult {
    let (generic_slot, generic) = context.make_generic(14)?;
    let frame = context.make_from(generic, CapabilityType::Frame, SMALL_FRAME_BITS)?;
    let destination = context.slot()?;
    context
        .scratch
        .move_capability(destination.index, frame.descriptor)
        .expect_ok("MOVE")?;
    context
        .scratch
        .revoke(generic_slot.index)
        .expect_ok("REVOKE of the Generic")?;
    ensure_empty(
        destination.descriptor,
        "the moved frame after REVOKE of its Generic",
    )
}

/// A frame made from a Generic G and spread around (copies in the scratch node and
/// the root node, a mint in another node, a moved copy, a child of a copy) is gone
/// everywhere once G is revoked: every descriptor answers INVALID_DESCRIPTOR.
fn revoked_object_is_unreachable_through_every_copy(context: &mut Context) -> TestResult {
    let (generic_slot, generic) = context.make_generic(16)?;
    let frame = context.make_from(generic, CapabilityType::Frame, SMALL_FRAME_BITS)?;
    let copy = context.copy(frame.descriptor)?;
    let copy_child = context.mint(copy.descriptor, Rights::READ | Rights::COPY)?;
    let (_, other_node) = context.make_node(2)?;
    other_node
        .mint(3, copy_child.descriptor, Rights::READ)
        .expect_ok("MINT into another node")?;
    let root_copy = context.root_scratch_slot()?;
    root_node()
        .copy(root_copy.index, frame.descriptor)
        .expect_ok("COPY into the root node")?;
    let moved = context.slot()?;
    let to_move = context.copy(frame.descriptor)?;
    context
        .scratch
        .move_capability(moved.index, to_move.descriptor)
        .expect_ok("MOVE of a copy")?;
    let address = Frame::new(frame.descriptor)
        .get_address()
        .expect_ok("GET_ADDRESS")?;

    context
        .scratch
        .revoke(generic_slot.index)
        .expect_ok("REVOKE of the Generic")?;

    for (descriptor, what) in [
        (frame.descriptor, "the original"),
        (copy.descriptor, "a copy"),
        (copy_child.descriptor, "a mint of a copy"),
        (other_node.slot(3).expect("fits"), "a mint in another node"),
        (root_copy.descriptor, "a copy in the root node"),
        (moved.descriptor, "a moved copy"),
    ] {
        expect_error_among(
            Frame::new(descriptor).get_address(),
            &[CapabilityError::InvalidDescriptor],
            what,
        )?;
    }
    ensure_present(generic_slot.descriptor, "the revoked Generic itself")?;
    // The memory is free again: the next frame is carved where the first was.
    let again = context.make_from(generic, CapabilityType::Frame, SMALL_FRAME_BITS)?;
    let reused = Frame::new(again.descriptor)
        .get_address()
        .expect_ok("GET_ADDRESS")?;
    ensure!(
        reused == address,
        "new frame at {reused:#x}, expected {address:#x}"
    );
    Ok(())
}

/// A 16 KiB Generic holds four 4 KiB frames; after REVOKE it holds four again, at
/// the same addresses.
fn revoking_a_generic_resets_its_watermark(context: &mut Context) -> TestResult {
    let (generic_slot, generic) = context.make_generic(14)?;
    let mut first_addresses = [0u64; 4];
    for address in &mut first_addresses {
        let frame = context.make_from(generic, CapabilityType::Frame, SMALL_FRAME_BITS)?;
        *address = Frame::new(frame.descriptor)
            .get_address()
            .expect_ok("GET_ADDRESS")?;
    }
    context
        .scratch
        .revoke(generic_slot.index)
        .expect_ok("REVOKE")?;
    for &expected in &first_addresses {
        let frame = context.make_from(
            Generic::new(generic_slot.descriptor),
            CapabilityType::Frame,
            SMALL_FRAME_BITS,
        )?;
        let address = Frame::new(frame.descriptor)
            .get_address()
            .expect_ok("GET_ADDRESS")?;
        ensure!(
            address == expected,
            "frame at {address:#x}, expected {expected:#x}"
        );
    }
    Ok(())
}

/// [section 12] finalising a node does not cascade, but revoking the Generic it was
/// carved from deletes its contents before the memory is reused. A child of frame F
/// lives in node N (carved from Generic G); N's only capability is removed, G is
/// revoked and its memory converted again (overwriting N). F's tree must not
/// remember the deleted child: F still works and REVOKE of F succeeds.
fn node_contents_are_deleted_when_its_generic_is_revoked(context: &mut Context) -> TestResult {
    let frame = context.make(CapabilityType::Frame, SMALL_FRAME_BITS)?;
    let (generic_slot, generic) = context.make_generic(14)?;
    let node_slot = context.make_from(generic, CapabilityType::Node, 4)?;
    let node = nun::capability::Node::new(node_slot.descriptor, 4);
    node.mint(5, frame.descriptor, Rights::READ)
        .expect_ok("MINT into the node")?;
    node.copy(6, frame.descriptor)
        .expect_ok("COPY into the node")?;
    context
        .scratch
        .remove(node_slot.index)
        .expect_ok("REMOVE of the node")?;
    context
        .scratch
        .revoke(generic_slot.index)
        .expect_ok("REVOKE of its Generic")?;
    for _ in 0..4 {
        context.make_from(generic, CapabilityType::Frame, SMALL_FRAME_BITS)?;
    }
    let sibling = context.copy(frame.descriptor)?;
    context
        .scratch
        .revoke(frame.index)
        .expect_ok("REVOKE of the frame")?;
    Frame::new(frame.descriptor)
        .get_address()
        .expect_ok("GET_ADDRESS of the frame")?;
    context
        .scratch
        .remove(frame.index)
        .expect_ok("REMOVE of the frame")?;
    Frame::new(sibling.descriptor)
        .get_address()
        .expect_ok("GET_ADDRESS of its remaining copy")?;
    Ok(())
}

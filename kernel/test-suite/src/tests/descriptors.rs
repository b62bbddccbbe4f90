//! Descriptor resolution (docs/abi.md section 4): empty slots, non-nodes on the
//! way, depths over 64, bits below the depth, depths that end inside an index, depth
//! 8, and paths through several nodes.

use a9n_abi::operation::io_port::IoWidth;
use a9n_abi::operation::{FrameOperation, NodeOperation};
use a9n_abi::{CapabilityError, CapabilityType, Descriptor, RootSlot};
use nun::call::{capability_call, capability_call_word};
use nun::capability::{Frame, IoPort, Node};

use crate::check::{Expect, TestResult, expect_error};
use crate::context::SMALL_FRAME_BITS;
use crate::context::{Context, root_node, root_slot};
use crate::ensure;

pub const TESTS: &[crate::harness::Test] = tests![
    descriptor_of_an_empty_slot_is_invalid_descriptor,
    descriptor_through_a_non_node_is_invalid_descriptor,
    descriptor_deeper_than_64_bits_is_invalid_descriptor,
    descriptor_with_bits_below_its_depth_is_invalid_descriptor,
    descriptor_ending_inside_an_index_is_invalid_depth,
    descriptor_of_depth_8_names_the_root_node,
    descriptor_resolves_through_nested_nodes,
    descriptor_resolves_through_the_root_node_in_its_own_slot,
];

/// An empty slot does not resolve.
fn descriptor_of_an_empty_slot_is_invalid_descriptor(context: &mut Context) -> TestResult {
    let slot = context.slot()?;
    expect_error(
        Frame::new(slot.descriptor).get_address(),
        CapabilityError::InvalidDescriptor,
        "GET_ADDRESS on an empty scratch slot",
    )?;
    expect_error(
        Frame::new(root_slot(200)).get_address(),
        CapabilityError::InvalidDescriptor,
        "GET_ADDRESS on an empty root slot",
    )
}

/// A frame met before the depth is used up is not a node.
fn descriptor_through_a_non_node_is_invalid_descriptor(context: &mut Context) -> TestResult {
    let frame = context.make_frame()?;
    let beyond = frame.descriptor().child(8, 0).expect("depth 32 fits");
    expect_error(
        Frame::new(beyond).get_address(),
        CapabilityError::InvalidDescriptor,
        "GET_ADDRESS through a frame",
    )
}

/// E > 56 means D > 64.
fn descriptor_deeper_than_64_bits_is_invalid_descriptor(_context: &mut Context) -> TestResult {
    for header in [57u64, 58, 0xff] {
        expect_error(
            capability_call_word(header << 56, FrameOperation::GetAddress.as_word(), &[]),
            CapabilityError::InvalidDescriptor,
            "a descriptor with E > 56",
        )?;
    }
    Ok(())
}

/// [KOITO] bits below the depth must be 0: root slot 9 with a stray low bit is not
/// root slot 9.
fn descriptor_with_bits_below_its_depth_is_invalid_descriptor(
    _context: &mut Context,
) -> TestResult {
    let io_port = RootSlot::IoPort.descriptor().as_word();
    for stray in [1u64, 1 << 47, 1 << 20] {
        expect_error(
            capability_call_word(
                io_port | stray,
                a9n_abi::operation::IoPortOperation::Read.as_word(),
                &[0x3ff, IoWidth::Byte.as_word()],
            ),
            CapabilityError::InvalidDescriptor,
            "root slot 9 with bits below depth 16",
        )?;
    }
    Ok(())
}

/// [KOITO] INVALID_DEPTH: `used + radix > D` at some node. Depth 12 stops inside the
/// root's 8-bit index; depth 20 stops inside the scratch node's index.
fn descriptor_ending_inside_an_index_is_invalid_depth(context: &mut Context) -> TestResult {
    let short = Descriptor::from_parts(12, 0x9).expect("valid parts");
    expect_error(
        Frame::new(short).get_address(),
        CapabilityError::InvalidDepth,
        "depth 12 in a radix-8 root",
    )?;
    context.make_frame()?;
    let path = crate::context::SCRATCH_NODE_SLOT << 4;
    let partial = Descriptor::from_parts(20, path).expect("valid parts");
    expect_error(
        Frame::new(partial).get_address(),
        CapabilityError::InvalidDepth,
        "depth 20 ending inside the scratch node's index",
    )
}

/// [section 12] a descriptor of depth 8 names the caller's root node itself: it can
/// be invoked like any node capability, and named as a CONVERT destination.
fn descriptor_of_depth_8_names_the_root_node(context: &mut Context) -> TestResult {
    let copy = context.root_scratch_slot()?;
    capability_call(
        Descriptor::ROOT_NODE,
        NodeOperation::Copy.as_word(),
        &[copy.index, RootSlot::IoPort.descriptor().as_word()],
    )
    .expect_ok("COPY invoked on descriptor 0")?;
    IoPort::new(copy.descriptor)
        .read(0x3ff, IoWidth::Byte)
        .expect_ok("IO_PORT READ through the copy")?;
    let frame = context.root_scratch_slot()?;
    context
        .generic
        .convert(
            CapabilityType::Frame,
            SMALL_FRAME_BITS,
            1,
            Descriptor::ROOT_NODE,
            frame.index,
        )
        .expect_ok("CONVERT into descriptor 0")?;
    Frame::new(frame.descriptor)
        .get_address()
        .expect_ok("GET_ADDRESS of the frame in the root node")?;
    Ok(())
}

/// Paths through two and three nodes (radix 8, then 4, then 2) resolve.
fn descriptor_resolves_through_nested_nodes(context: &mut Context) -> TestResult {
    let (_, middle) = context.make_node(4)?;
    context
        .generic
        .convert(CapabilityType::Node, 2, 1, middle.descriptor(), 3)
        .expect_ok("CONVERT of a radix-2 node into the radix-4 node")?;
    let inner = Node::new(middle.slot(3).expect("depth 28 fits"), 2);
    context
        .generic
        .convert(
            CapabilityType::Frame,
            SMALL_FRAME_BITS,
            1,
            middle.descriptor(),
            5,
        )
        .expect_ok("CONVERT of a frame into the radix-4 node")?;
    context
        .generic
        .convert(
            CapabilityType::Frame,
            SMALL_FRAME_BITS,
            1,
            inner.descriptor(),
            1,
        )
        .expect_ok("CONVERT of a frame into the radix-2 node")?;
    let outer_frame = middle.slot(5).expect("fits");
    let inner_frame = inner.slot(1).expect("fits");
    ensure!(inner_frame.depth() == 30, "depth {}", inner_frame.depth());
    let first = Frame::new(outer_frame)
        .get_address()
        .expect_ok("GET_ADDRESS at depth 28")?;
    let second = Frame::new(inner_frame)
        .get_address()
        .expect_ok("GET_ADDRESS at depth 30")?;
    ensure!(first != second, "two frames share {first:#x}");
    Ok(())
}

/// Root slot 3 is the root node, so slot 9 is also reachable as [3, 9] and
/// [3, 3, 9].
fn descriptor_resolves_through_the_root_node_in_its_own_slot(_context: &mut Context) -> TestResult {
    let once = root_node().slot(RootSlot::IoPort.index()).expect("fits");
    let twice = Node::new(root_node().slot(3).expect("fits"), 8)
        .slot(RootSlot::IoPort.index())
        .expect("fits");
    for descriptor in [once, twice] {
        IoPort::new(descriptor)
            .read(0x3ff, IoWidth::Byte)
            .expect_ok("IO_PORT READ through root slot 3")?;
    }
    Ok(())
}

//! FRAME GET_ADDRESS (docs/abi.md section 5): alignment, placement inside the parent
//! Generic, the READ right, unknown operations.

use a9n_abi::{CapabilityError, CapabilityType, Rights};
use nun::call::capability_call;
use nun::capability::Frame;

use crate::check::{Expect, TestResult, expect_error};
use crate::context::Context;
use crate::ensure;

pub const TESTS: &[crate::harness::Test] = tests![
    frame_address_is_aligned_and_inside_the_parent_generic,
    frame_get_address_needs_read,
    frame_unknown_operations_are_illegal,
];

/// 4 KiB and 2 MiB frames are aligned to their size and lie in the parent Generic.
fn frame_address_is_aligned_and_inside_the_parent_generic(context: &mut Context) -> TestResult {
    let parent_start = context.parent.physical_address;
    let parent_end = parent_start + (1 << context.parent.size_bits);
    for bits in [12u64, 21] {
        let slot = context.make(CapabilityType::Frame, bits)?;
        let address = Frame::new(slot.descriptor)
            .get_address()
            .expect_ok("GET_ADDRESS")?;
        ensure!(address % (1 << bits) == 0, "2^{bits} frame at {address:#x}");
        ensure!(
            address >= parent_start && address + (1 << bits) <= parent_end,
            "frame at {address:#x} outside the parent {parent_start:#x}..{parent_end:#x}"
        );
    }
    Ok(())
}

/// GET_ADDRESS needs READ.
fn frame_get_address_needs_read(context: &mut Context) -> TestResult {
    let frame = context.make_frame()?;
    let write_only = context.mint(frame.descriptor(), Rights::WRITE | Rights::COPY)?;
    expect_error(
        Frame::new(write_only.descriptor).get_address(),
        CapabilityError::PermissionDenied,
        "GET_ADDRESS without READ",
    )
}

/// A frame has only operation 1.
fn frame_unknown_operations_are_illegal(context: &mut Context) -> TestResult {
    let frame = context.make_frame()?;
    for operation in [0u64, 2, u64::MAX] {
        expect_error(
            capability_call(frame.descriptor(), operation, &[]),
            CapabilityError::IllegalOperation,
            "an unknown frame operation",
        )?;
    }
    Ok(())
}

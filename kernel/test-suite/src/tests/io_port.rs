//! IO_PORT READ, WRITE and MINT (docs/abi.md section 5): widths, range checks, MINT
//! of sub-ranges, rights, destinations, revocation. The tests use the COM1 scratch
//! register (0x3ff), which reads back what was written and affects nothing else.
//!
//! docs/abi.md says every access is range-checked but names no error for an access
//! outside the range, nor for MINT of a range that is not a sub-range; those tests
//! accept any error.

use a9n_abi::operation::IoPortOperation;
use a9n_abi::operation::io_port::IoWidth;
use a9n_abi::{CapabilityError, Rights, RootSlot};
use nun::call::capability_call;
use nun::capability::{IoPort, Node};

use crate::check::{Expect, Failure, TestResult, expect_error, expect_failure};
use crate::context::{Context, ensure_empty};
use crate::ensure;

pub const TESTS: &[crate::harness::Test] = tests![
    io_port_write_then_read_the_uart_scratch_register,
    io_port_reads_every_width,
    io_port_width_other_than_1_2_4_is_invalid_argument,
    io_port_access_outside_the_range_fails,
    io_port_mint_makes_a_sub_range,
    io_port_mint_of_a_range_that_is_not_a_sub_range_fails,
    io_port_mint_needs_copy,
    io_port_read_needs_read_and_write_needs_write,
    io_port_mint_into_an_occupied_slot_is_invalid_argument,
    io_port_mint_into_a_node_without_write_is_permission_denied,
    io_port_revoke_deletes_minted_ranges,
    io_port_unknown_operations_are_illegal,
];

const SCRATCH_REGISTER: u64 = 0x3ff;
const COM1_FIRST: u64 = 0x3f8;

fn all_ports() -> IoPort {
    IoPort::new(RootSlot::IoPort.descriptor())
}

/// A capability for COM1's eight ports in a new scratch slot.
fn com1(context: &mut Context) -> Result<IoPort, Failure> {
    let slot = context.slot()?;
    all_ports()
        .mint(
            COM1_FIRST,
            SCRATCH_REGISTER,
            context.scratch.descriptor(),
            slot.index,
        )
        .expect_ok("IO_PORT MINT of COM1")?;
    Ok(IoPort::new(slot.descriptor))
}

/// What is written to the scratch register reads back.
fn io_port_write_then_read_the_uart_scratch_register(_context: &mut Context) -> TestResult {
    for value in [0x5au64, 0xa5, 0] {
        all_ports()
            .write(SCRATCH_REGISTER, IoWidth::Byte, value)
            .expect_ok("IO_PORT WRITE")?;
        let read = all_ports()
            .read(SCRATCH_REGISTER, IoWidth::Byte)
            .expect_ok("IO_PORT READ")?;
        ensure!(read == value, "read {read:#x}, wrote {value:#x}");
    }
    Ok(())
}

/// Widths 1, 2 and 4 read; the value has no bits above the width.
fn io_port_reads_every_width(_context: &mut Context) -> TestResult {
    all_ports()
        .write(SCRATCH_REGISTER, IoWidth::Byte, 0x3c)
        .expect_ok("IO_PORT WRITE")?;
    for (port, width) in [
        (SCRATCH_REGISTER, IoWidth::Byte),
        (SCRATCH_REGISTER - 1, IoWidth::Word),
        (SCRATCH_REGISTER - 3, IoWidth::DoubleWord),
    ] {
        let value = all_ports().read(port, width).expect_ok("IO_PORT READ")?;
        let bits = width.bytes() * 8;
        ensure!(
            bits == 64 || value >> bits == 0,
            "width {}: {value:#x}",
            width.bytes()
        );
        ensure!(
            value >> (bits - 8) == 0x3c,
            "width {}: the scratch byte reads {:#x}",
            width.bytes(),
            value >> (bits - 8)
        );
    }
    Ok(())
}

/// Widths 0, 3, 8 and others are out of range, for READ and WRITE.
fn io_port_width_other_than_1_2_4_is_invalid_argument(_context: &mut Context) -> TestResult {
    for width in [0u64, 3, 8, u64::MAX] {
        expect_error(
            capability_call(
                RootSlot::IoPort.descriptor(),
                IoPortOperation::Read.as_word(),
                &[SCRATCH_REGISTER, width],
            ),
            CapabilityError::InvalidArgument,
            "IO_PORT READ with a bad width",
        )?;
        expect_error(
            capability_call(
                RootSlot::IoPort.descriptor(),
                IoPortOperation::Write.as_word(),
                &[SCRATCH_REGISTER, width, 0],
            ),
            CapabilityError::InvalidArgument,
            "IO_PORT WRITE with a bad width",
        )?;
    }
    Ok(())
}

/// All `width` bytes must lie in the capability's range (no error named: any error).
fn io_port_access_outside_the_range_fails(context: &mut Context) -> TestResult {
    let com1 = com1(context)?;
    com1.read(COM1_FIRST + 4, IoWidth::DoubleWord)
        .expect_ok("READ of the last four ports")?;
    for (port, width, what) in [
        (COM1_FIRST - 1, IoWidth::Byte, "the port below the range"),
        (
            SCRATCH_REGISTER + 1,
            IoWidth::Byte,
            "the port above the range",
        ),
        (
            SCRATCH_REGISTER - 1,
            IoWidth::DoubleWord,
            "a read running past the range",
        ),
        (
            SCRATCH_REGISTER,
            IoWidth::Word,
            "a read running past the range",
        ),
        (
            0x1_0000 + SCRATCH_REGISTER,
            IoWidth::Byte,
            "a port above 0xffff",
        ),
        (u64::MAX, IoWidth::Byte, "port u64::MAX"),
    ] {
        expect_failure(com1.read(port, width), what)?;
        expect_failure(com1.write(port, width, 0), what)?;
    }
    for (port, width) in [
        (0xffff, IoWidth::Word),
        (0xfffe, IoWidth::DoubleWord),
        (0x1_0000, IoWidth::Byte),
    ] {
        expect_failure(all_ports().read(port, width), "an access past port 0xffff")?;
    }
    Ok(())
}

/// A minted sub-range reaches its own ports.
fn io_port_mint_makes_a_sub_range(context: &mut Context) -> TestResult {
    let com1 = com1(context)?;
    com1.write(SCRATCH_REGISTER, IoWidth::Byte, 0x42)
        .expect_ok("WRITE")?;
    let value = com1
        .read(SCRATCH_REGISTER, IoWidth::Byte)
        .expect_ok("READ")?;
    ensure!(value == 0x42, "read {value:#x}");
    let slot = context.slot()?;
    com1.mint(
        SCRATCH_REGISTER,
        SCRATCH_REGISTER,
        context.scratch.descriptor(),
        slot.index,
    )
    .expect_ok("MINT of one port from COM1")?;
    IoPort::new(slot.descriptor)
        .read(SCRATCH_REGISTER, IoWidth::Byte)
        .expect_ok("READ through the one-port capability")?;
    Ok(())
}

/// MINT takes sub-ranges only, with min <= max (no error named: any error).
fn io_port_mint_of_a_range_that_is_not_a_sub_range_fails(context: &mut Context) -> TestResult {
    let com1 = com1(context)?;
    let slot = context.slot()?;
    for (min, max) in [
        (COM1_FIRST - 8, SCRATCH_REGISTER),
        (COM1_FIRST, SCRATCH_REGISTER + 1),
        (SCRATCH_REGISTER, COM1_FIRST),
        (0, u64::MAX),
    ] {
        expect_failure(
            com1.mint(min, max, context.scratch.descriptor(), slot.index),
            "MINT of a range that is not a sub-range",
        )?;
        ensure_empty(slot.descriptor, "destination")?;
    }
    expect_failure(
        all_ports().mint(0xfff0, 0x1_0000, context.scratch.descriptor(), slot.index),
        "MINT past port 0xffff",
    )?;
    ensure_empty(slot.descriptor, "destination")
}

/// IO_PORT MINT needs COPY.
fn io_port_mint_needs_copy(context: &mut Context) -> TestResult {
    let limited = context.mint(RootSlot::IoPort.descriptor(), Rights::READ | Rights::WRITE)?;
    let slot = context.slot()?;
    expect_error(
        IoPort::new(limited.descriptor).mint(
            COM1_FIRST,
            SCRATCH_REGISTER,
            context.scratch.descriptor(),
            slot.index,
        ),
        CapabilityError::PermissionDenied,
        "IO_PORT MINT without COPY",
    )?;
    ensure_empty(slot.descriptor, "destination")
}

/// READ needs READ, WRITE needs WRITE.
fn io_port_read_needs_read_and_write_needs_write(context: &mut Context) -> TestResult {
    let read_only = IoPort::new(
        context
            .mint(RootSlot::IoPort.descriptor(), Rights::READ)?
            .descriptor,
    );
    let write_only = IoPort::new(
        context
            .mint(RootSlot::IoPort.descriptor(), Rights::WRITE)?
            .descriptor,
    );
    read_only
        .read(SCRATCH_REGISTER, IoWidth::Byte)
        .expect_ok("READ with READ")?;
    write_only
        .write(SCRATCH_REGISTER, IoWidth::Byte, 1)
        .expect_ok("WRITE with WRITE")?;
    expect_error(
        read_only.write(SCRATCH_REGISTER, IoWidth::Byte, 1),
        CapabilityError::PermissionDenied,
        "WRITE without WRITE",
    )?;
    expect_error(
        write_only.read(SCRATCH_REGISTER, IoWidth::Byte),
        CapabilityError::PermissionDenied,
        "READ without READ",
    )
}

/// An occupied destination is INVALID_ARGUMENT.
fn io_port_mint_into_an_occupied_slot_is_invalid_argument(context: &mut Context) -> TestResult {
    let occupied = context.make_frame()?;
    let index = occupied
        .descriptor()
        .index_at(16, crate::context::SCRATCH_NODE_RADIX)
        .expect("a scratch slot");
    expect_error(
        all_ports().mint(
            COM1_FIRST,
            SCRATCH_REGISTER,
            context.scratch.descriptor(),
            index,
        ),
        CapabilityError::InvalidArgument,
        "IO_PORT MINT into an occupied slot",
    )
}

/// The destination node needs WRITE.
fn io_port_mint_into_a_node_without_write_is_permission_denied(
    context: &mut Context,
) -> TestResult {
    let (node_slot, node) = context.make_node(2)?;
    let read_only = context.mint(node_slot.descriptor, Rights::READ | Rights::COPY)?;
    expect_error(
        all_ports().mint(COM1_FIRST, SCRATCH_REGISTER, read_only.descriptor, 0),
        CapabilityError::PermissionDenied,
        "IO_PORT MINT into a read-only node",
    )?;
    ensure_empty(
        Node::new(node.descriptor(), 2).slot(0).expect("fits"),
        "destination",
    )
}

/// Ranges minted from a copy of the IO port are its children: REVOKE of the copy
/// deletes them; the copy and root slot 9 stay.
fn io_port_revoke_deletes_minted_ranges(context: &mut Context) -> TestResult {
    let copy = context.copy(RootSlot::IoPort.descriptor())?;
    let minted = context.slot()?;
    IoPort::new(copy.descriptor)
        .mint(
            COM1_FIRST,
            SCRATCH_REGISTER,
            context.scratch.descriptor(),
            minted.index,
        )
        .expect_ok("MINT from the copy")?;
    context
        .scratch
        .revoke(copy.index)
        .expect_ok("REVOKE of the copy")?;
    ensure_empty(minted.descriptor, "the minted range")?;
    IoPort::new(copy.descriptor)
        .read(SCRATCH_REGISTER, IoWidth::Byte)
        .expect_ok("READ through the revoked copy")?;
    all_ports()
        .read(SCRATCH_REGISTER, IoWidth::Byte)
        .expect_ok("READ through root slot 9")?;
    Ok(())
}

/// Operation numbers 0 and 4.. do not exist for an IO port.
fn io_port_unknown_operations_are_illegal(_context: &mut Context) -> TestResult {
    for operation in [0u64, 4, u64::MAX] {
        expect_error(
            capability_call(
                RootSlot::IoPort.descriptor(),
                operation,
                &[SCRATCH_REGISTER, 1],
            ),
            CapabilityError::IllegalOperation,
            "an unknown IO port operation",
        )?;
    }
    Ok(())
}

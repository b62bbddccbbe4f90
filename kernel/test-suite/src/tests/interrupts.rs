//! Interrupts (docs/abi.md sections 5 and 12, "Interrupts"): MAKE_PORT and its
//! errors in their documented order, one port per IRQ, BIND/UNBIND/ACK in any state,
//! rights, ports going with their last capability, and a real interrupt: the PIT
//! (ISA IRQ 0, unused by the kernel, which ticks with the local APIC timer) fires a
//! one-shot count, the kernel masks the line and notifies the bound port, and only
//! ACK lets the next interrupt through.

use a9n_abi::operation::io_port::IoWidth;
use a9n_abi::{CapabilityError, CapabilityType, Rights, RootSlot};
use nun::call::capability_call;
use nun::capability::{InterruptPort, InterruptRegion, IoPort, NotificationPort};
use nun::slot_allocator::Slot;

use crate::check::{Expect, Failure, TestResult, expect_error};
use crate::context::SMALL_FRAME_BITS;
use crate::context::{Context, ensure_empty};
use crate::ensure;

pub const TESTS: &[crate::harness::Test] = tests![
    make_port_gives_a_port_that_reports_its_irq,
    make_port_twice_for_one_irq_is_illegal_operation_until_the_port_goes,
    make_port_of_a_number_that_names_no_input_is_invalid_argument,
    make_port_checks_rights_then_number_then_destination,
    bind_checks_the_notification_capability,
    bind_unbind_and_ack_succeed_in_any_state,
    interrupt_operations_need_their_rights,
    revoking_the_region_capability_deletes_its_ports,
    interrupt_unknown_operations_are_illegal,
    pit_interrupt_is_delivered_masked_until_ack_and_dropped_when_unbound,
];

/// An ISA IRQ no device of the test machine raises.
const QUIET_IRQ: u64 = 5;
/// Another one.
const OTHER_QUIET_IRQ: u64 = 7;
/// The PIT's ISA IRQ (GSI 2 on q35, through the MADT's override).
const PIT_IRQ: u64 = 0;

fn region() -> InterruptRegion {
    InterruptRegion::new(RootSlot::InterruptRegion.descriptor())
}

/// The interrupt port of `irq` in a new scratch slot.
fn make_port(context: &mut Context, irq: u64) -> Result<(Slot, InterruptPort), Failure> {
    let slot = context.slot()?;
    region()
        .make_port(irq, context.scratch.descriptor(), slot.index)
        .expect_ok("MAKE_PORT")?;
    Ok((slot, InterruptPort::new(slot.descriptor)))
}

/// A notification port and a mint of it identified by `bits`.
fn notification(
    context: &mut Context,
    bits: u64,
) -> Result<(NotificationPort, NotificationPort), Failure> {
    let port = NotificationPort::new(
        context
            .make(CapabilityType::NotificationPort, 0)?
            .descriptor,
    );
    let minted = NotificationPort::new(context.mint(port.descriptor(), Rights::ALL)?.descriptor);
    minted.identify(bits).expect_ok("IDENTIFY")?;
    Ok((port, minted))
}

/// GET_IRQ_NUMBER returns the number MAKE_PORT was given.
fn make_port_gives_a_port_that_reports_its_irq(context: &mut Context) -> TestResult {
    for irq in [QUIET_IRQ, OTHER_QUIET_IRQ] {
        let (_, port) = make_port(context, irq)?;
        let number = port.get_irq_number().expect_ok("GET_IRQ_NUMBER")?;
        ensure!(number == irq, "port of IRQ {irq} reports {number}");
    }
    Ok(())
}

/// One port per IRQ: a second MAKE_PORT is ILLEGAL_OPERATION while a capability to
/// the first remains (copies included); after the last goes, MAKE_PORT works again.
fn make_port_twice_for_one_irq_is_illegal_operation_until_the_port_goes(
    context: &mut Context,
) -> TestResult {
    let (slot, _) = make_port(context, QUIET_IRQ)?;
    let copy = context.copy(slot.descriptor)?;
    let second = context.slot()?;
    expect_error(
        region().make_port(QUIET_IRQ, context.scratch.descriptor(), second.index),
        CapabilityError::IllegalOperation,
        "second MAKE_PORT of an IRQ",
    )?;
    context.scratch.remove(slot.index).expect_ok("REMOVE")?;
    expect_error(
        region().make_port(QUIET_IRQ, context.scratch.descriptor(), second.index),
        CapabilityError::IllegalOperation,
        "MAKE_PORT while a copy of the port remains",
    )?;
    context
        .scratch
        .remove(copy.index)
        .expect_ok("REMOVE of the copy")?;
    region()
        .make_port(QUIET_IRQ, context.scratch.descriptor(), second.index)
        .expect_ok("MAKE_PORT after the port went")
}

/// Numbers 128 and above name nothing; on q35 the override IRQ 0 -> GSI 2 leaves
/// IRQ 2 naming nothing.
fn make_port_of_a_number_that_names_no_input_is_invalid_argument(
    context: &mut Context,
) -> TestResult {
    let slot = context.slot()?;
    for irq in [2u64, 128, 255, 1 << 32, u64::MAX] {
        expect_error(
            region().make_port(irq, context.scratch.descriptor(), slot.index),
            CapabilityError::InvalidArgument,
            "MAKE_PORT of a number that names no input",
        )?;
        ensure_empty(slot.descriptor, "destination")?;
    }
    Ok(())
}

/// The documented order: WRITE on the region, then the number, then one port per
/// IRQ, then the destination (not a node, node without WRITE, index past, slot
/// occupied). Nothing changes on error.
fn make_port_checks_rights_then_number_then_destination(context: &mut Context) -> TestResult {
    let read_only = InterruptRegion::new(
        context
            .mint(
                RootSlot::InterruptRegion.descriptor(),
                Rights::READ | Rights::COPY,
            )?
            .descriptor,
    );
    let empty = context.slot()?;
    expect_error(
        read_only.make_port(128, empty.descriptor, u64::MAX),
        CapabilityError::PermissionDenied,
        "MAKE_PORT without WRITE (bad number and destination too)",
    )?;
    expect_error(
        region().make_port(128, empty.descriptor, u64::MAX),
        CapabilityError::InvalidArgument,
        "MAKE_PORT of a bad number (bad destination too)",
    )?;
    let (_, _) = make_port(context, OTHER_QUIET_IRQ)?;
    expect_error(
        region().make_port(OTHER_QUIET_IRQ, empty.descriptor, u64::MAX),
        CapabilityError::IllegalOperation,
        "MAKE_PORT of an IRQ with a port (bad destination too)",
    )?;
    expect_error(
        region().make_port(QUIET_IRQ, empty.descriptor, 0),
        CapabilityError::InvalidDescriptor,
        "MAKE_PORT into an empty slot as node",
    )?;
    let (node_slot, node) = context.make_node(2)?;
    let read_only_node = context.mint(node_slot.descriptor, Rights::READ | Rights::COPY)?;
    expect_error(
        region().make_port(QUIET_IRQ, read_only_node.descriptor, 0),
        CapabilityError::PermissionDenied,
        "MAKE_PORT into a read-only node",
    )?;
    expect_error(
        region().make_port(QUIET_IRQ, node.descriptor(), 4),
        CapabilityError::InvalidArgument,
        "MAKE_PORT past the node",
    )?;
    context
        .generic
        .convert(
            CapabilityType::Frame,
            SMALL_FRAME_BITS,
            1,
            node.descriptor(),
            1,
        )
        .expect_ok("CONVERT into the node")?;
    expect_error(
        region().make_port(QUIET_IRQ, node.descriptor(), 1),
        CapabilityError::InvalidArgument,
        "MAKE_PORT into an occupied slot",
    )?;
    ensure_empty(node.slot(0).expect("fits"), "an untouched slot")?;
    region()
        .make_port(QUIET_IRQ, node.descriptor(), 0)
        .expect_ok("MAKE_PORT after all the refusals")
}

/// BIND needs a NOTIFICATION_PORT (else INVALID_DESCRIPTOR) with WRITE (else
/// PERMISSION_DENIED) and a non-zero identifier (else INVALID_ARGUMENT).
fn bind_checks_the_notification_capability(context: &mut Context) -> TestResult {
    let (_, port) = make_port(context, QUIET_IRQ)?;
    let frame = context.make_frame()?;
    expect_error(
        port.bind_notification_port(frame.descriptor()),
        CapabilityError::InvalidDescriptor,
        "BIND to a frame",
    )?;
    let empty = context.slot()?;
    expect_error(
        port.bind_notification_port(empty.descriptor),
        CapabilityError::InvalidDescriptor,
        "BIND to an empty slot",
    )?;
    let (notification, identified) = notification(context, 0b10)?;
    let without_write = context.mint(identified.descriptor(), Rights::READ | Rights::COPY)?;
    expect_error(
        port.bind_notification_port(without_write.descriptor),
        CapabilityError::PermissionDenied,
        "BIND to a notification capability without WRITE",
    )?;
    expect_error(
        port.bind_notification_port(notification.descriptor()),
        CapabilityError::InvalidArgument,
        "BIND to a notification capability with identifier 0",
    )?;
    port.bind_notification_port(identified.descriptor())
        .expect_ok("BIND")
}

/// BIND, UNBIND and ACK succeed in any state: ACK with no interrupt, UNBIND twice,
/// BIND again to replace the binding.
fn bind_unbind_and_ack_succeed_in_any_state(context: &mut Context) -> TestResult {
    let (_, port) = make_port(context, QUIET_IRQ)?;
    let (_, first) = notification(context, 1)?;
    let (_, second) = notification(context, 2)?;
    port.ack().expect_ok("ACK while unbound")?;
    port.unbind().expect_ok("UNBIND while unbound")?;
    port.bind_notification_port(first.descriptor())
        .expect_ok("BIND")?;
    port.ack().expect_ok("ACK without an interrupt")?;
    port.bind_notification_port(second.descriptor())
        .expect_ok("BIND again")?;
    port.unbind().expect_ok("UNBIND")?;
    port.unbind().expect_ok("second UNBIND")
}

/// GET_IRQ_NUMBER needs READ; BIND, UNBIND and ACK need WRITE; MAKE_PORT needs
/// WRITE on the region (see above).
fn interrupt_operations_need_their_rights(context: &mut Context) -> TestResult {
    let (slot, _) = make_port(context, QUIET_IRQ)?;
    let (_, identified) = notification(context, 1)?;
    let read_only = InterruptPort::new(
        context
            .mint(slot.descriptor, Rights::READ | Rights::COPY)?
            .descriptor,
    );
    let write_only = InterruptPort::new(
        context
            .mint(slot.descriptor, Rights::WRITE | Rights::COPY)?
            .descriptor,
    );
    read_only
        .get_irq_number()
        .expect_ok("GET_IRQ_NUMBER with READ")?;
    expect_error(
        write_only.get_irq_number(),
        CapabilityError::PermissionDenied,
        "GET_IRQ_NUMBER without READ",
    )?;
    expect_error(
        read_only.bind_notification_port(identified.descriptor()),
        CapabilityError::PermissionDenied,
        "BIND without WRITE",
    )?;
    expect_error(
        read_only.unbind(),
        CapabilityError::PermissionDenied,
        "UNBIND without WRITE",
    )?;
    expect_error(
        read_only.ack(),
        CapabilityError::PermissionDenied,
        "ACK without WRITE",
    )?;
    write_only
        .bind_notification_port(identified.descriptor())
        .expect_ok("BIND with WRITE")?;
    write_only.unbind().expect_ok("UNBIND with WRITE")
}

/// A port is a child of the region capability it was made through: REVOKE of that
/// capability deletes the port, and the IRQ can get a port again.
fn revoking_the_region_capability_deletes_its_ports(context: &mut Context) -> TestResult {
    let region_copy = context.copy(RootSlot::InterruptRegion.descriptor())?;
    let port_slot = context.slot()?;
    InterruptRegion::new(region_copy.descriptor)
        .make_port(QUIET_IRQ, context.scratch.descriptor(), port_slot.index)
        .expect_ok("MAKE_PORT through a copy of the region")?;
    context
        .scratch
        .revoke(region_copy.index)
        .expect_ok("REVOKE of the region copy")?;
    ensure_empty(port_slot.descriptor, "the port")?;
    region()
        .make_port(QUIET_IRQ, context.scratch.descriptor(), port_slot.index)
        .expect_ok("MAKE_PORT after the revocation")
}

/// The region has only operation 1, a port only 1..=4.
fn interrupt_unknown_operations_are_illegal(context: &mut Context) -> TestResult {
    let (_, port) = make_port(context, QUIET_IRQ)?;
    for operation in [0u64, 2, u64::MAX] {
        expect_error(
            capability_call(
                RootSlot::InterruptRegion.descriptor(),
                operation,
                &[QUIET_IRQ],
            ),
            CapabilityError::IllegalOperation,
            "an unknown interrupt region operation",
        )?;
    }
    for operation in [0u64, 5, u64::MAX] {
        expect_error(
            capability_call(port.descriptor(), operation, &[0]),
            CapabilityError::IllegalOperation,
            "an unknown interrupt port operation",
        )?;
    }
    Ok(())
}

/// PIT I/O ports: channel 0 data and the mode/command register.
const PIT_CHANNEL_0: u64 = 0x40;
const PIT_COMMAND: u64 = 0x43;
/// Channel 0, low then high byte, mode 0 (interrupt on terminal count), binary.
const PIT_ONE_SHOT: u64 = 0x30;
/// About 1 ms at 1.193182 MHz.
const PIT_COUNT: u64 = 1193;
/// Yields to wait for an interrupt (each is a kernel entry; far more than 1 ms).
const INTERRUPT_PATIENCE: u64 = 200_000;

/// Starts a one-shot PIT count: its output rises at the end, an edge on IRQ 0.
fn start_pit(ports: IoPort) -> TestResult {
    ports
        .write(PIT_COMMAND, IoWidth::Byte, PIT_ONE_SHOT)
        .expect_ok("PIT command")?;
    ports
        .write(PIT_CHANNEL_0, IoWidth::Byte, PIT_COUNT & 0xff)
        .expect_ok("PIT count, low byte")?;
    ports
        .write(PIT_CHANNEL_0, IoWidth::Byte, PIT_COUNT >> 8)
        .expect_ok("PIT count, high byte")
}

/// Polls `port` until bits arrive or patience runs out; returns the bits (0: none).
fn poll_for_bits(port: NotificationPort, patience: u64) -> Result<u64, Failure> {
    for _ in 0..patience {
        let bits = port.poll().expect_ok("POLL")?;
        if bits != 0 {
            return Ok(bits);
        }
        nun::kernel_call::yield_now();
    }
    Ok(0)
}

/// A real interrupt: bound, the PIT's edge reaches the notification port; the line
/// stays masked until ACK (a second count is lost); after ACK a count arrives again;
/// after UNBIND none does.
fn pit_interrupt_is_delivered_masked_until_ack_and_dropped_when_unbound(
    context: &mut Context,
) -> TestResult {
    let pit_slot = context.slot()?;
    IoPort::new(RootSlot::IoPort.descriptor())
        .mint(
            PIT_CHANNEL_0,
            PIT_COMMAND,
            context.scratch.descriptor(),
            pit_slot.index,
        )
        .expect_ok("IO_PORT MINT of the PIT")?;
    let pit = IoPort::new(pit_slot.descriptor);
    let (_, port) = make_port(context, PIT_IRQ)?;
    let (notification, identified) = notification(context, 0x100)?;
    // Let any count started before the test end while the line is masked.
    start_pit(pit)?;
    poll_for_bits(notification, 2_000)?;
    port.bind_notification_port(identified.descriptor())
        .expect_ok("BIND")?;
    notification.poll().expect_ok("POLL to clear")?;

    start_pit(pit)?;
    let bits = poll_for_bits(notification, INTERRUPT_PATIENCE)?;
    ensure!(bits == 0x100, "after a PIT count the port got {bits:#x}");

    start_pit(pit)?;
    let early = poll_for_bits(notification, INTERRUPT_PATIENCE / 20)?;
    ensure!(
        early == 0,
        "an interrupt got through before ACK ({early:#x})"
    );

    port.ack().expect_ok("ACK")?;
    start_pit(pit)?;
    let bits = poll_for_bits(notification, INTERRUPT_PATIENCE)?;
    ensure!(
        bits == 0x100,
        "after ACK and a PIT count the port got {bits:#x}"
    );

    port.ack().expect_ok("ACK")?;
    port.unbind().expect_ok("UNBIND")?;
    start_pit(pit)?;
    let late = poll_for_bits(notification, INTERRUPT_PATIENCE / 20)?;
    ensure!(
        late == 0,
        "an interrupt got through while unbound ({late:#x})"
    );
    Ok(())
}

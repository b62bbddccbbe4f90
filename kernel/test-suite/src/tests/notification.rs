//! Notification ports (docs/abi.md section 5): NOTIFY ORs the capability's
//! identifier into the pending word, POLL and WAIT return and clear it, rights, and
//! a port bound to a thread waking it from RECEIVE with source NOTIFICATION.

use a9n_abi::scheduling::INIT_PRIORITY;
use a9n_abi::{CapabilityError, CapabilityType, MessageInfo, MessageSource, Rights};
use nun::capability::{Configuration, NotificationPort};

use crate::check::{Expect, Failure, TestResult, expect_error};
use crate::context::Context;
use crate::ensure;
use crate::tests::ipc::new_port;
use crate::thread_bodies::{receive_once, wait_for_notification};
use crate::threads::{BOARD, create, start, yield_times, yield_until};

pub const TESTS: &[crate::harness::Test] = tests![
    poll_of_a_quiet_port_returns_0,
    notify_then_poll_returns_the_identifier_and_clears_it,
    bits_of_several_notifiers_accumulate,
    wait_blocks_until_notified,
    notification_operations_need_their_rights,
    bound_notification_wakes_a_receiving_thread,
    bound_notification_pending_before_receive_is_delivered_at_once,
];

const PATIENCE: u64 = 200;

fn new_notification_port(context: &mut Context) -> Result<NotificationPort, Failure> {
    Ok(NotificationPort::new(
        context
            .make(CapabilityType::NotificationPort, 0)?
            .descriptor,
    ))
}

/// A notifier: a mint of `port` identified by `bits`.
fn notifier(
    context: &mut Context,
    port: NotificationPort,
    bits: u64,
) -> Result<NotificationPort, Failure> {
    let minted = NotificationPort::new(context.mint(port.descriptor(), Rights::ALL)?.descriptor);
    minted.identify(bits).expect_ok("IDENTIFY")?;
    Ok(minted)
}

/// Nothing pending: POLL returns 0 at once.
fn poll_of_a_quiet_port_returns_0(context: &mut Context) -> TestResult {
    let port = new_notification_port(context)?;
    let bits = port.poll().expect_ok("POLL")?;
    ensure!(bits == 0, "POLL of a quiet port returned {bits:#x}");
    Ok(())
}

/// NOTIFY then POLL returns the identifier; the second POLL returns 0 (cleared).
fn notify_then_poll_returns_the_identifier_and_clears_it(context: &mut Context) -> TestResult {
    let port = new_notification_port(context)?;
    let sender = notifier(context, port, 0b100)?;
    sender.notify().expect_ok("NOTIFY")?;
    let bits = port.poll().expect_ok("POLL")?;
    ensure!(bits == 0b100, "POLL returned {bits:#x}");
    let again = port.poll().expect_ok("second POLL")?;
    ensure!(again == 0, "the bits were not cleared ({again:#x})");
    Ok(())
}

/// Two notifiers' identifiers OR together until someone polls.
fn bits_of_several_notifiers_accumulate(context: &mut Context) -> TestResult {
    let port = new_notification_port(context)?;
    let first = notifier(context, port, 0b0001)?;
    let second = notifier(context, port, 0b1000)?;
    first.notify().expect_ok("NOTIFY")?;
    second.notify().expect_ok("NOTIFY")?;
    first.notify().expect_ok("NOTIFY again")?;
    let bits = port.poll().expect_ok("POLL")?;
    ensure!(bits == 0b1001, "POLL returned {bits:#x}");
    Ok(())
}

/// A thread in WAIT sleeps until a NOTIFY, then gets the bits.
fn wait_blocks_until_notified(context: &mut Context) -> TestResult {
    let port = new_notification_port(context)?;
    let sender = notifier(context, port, 0x40)?;
    BOARD.set_input(0, port.descriptor().as_word());
    start(context, 0, wait_for_notification, INIT_PRIORITY)?;
    yield_times(20);
    ensure!(BOARD.counter(0) == 0, "WAIT returned with nothing pending");
    sender.notify().expect_ok("NOTIFY")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) == 1),
        "the waiter did not wake"
    );
    ensure!(
        BOARD.output(0, 0) == 0x40,
        "the waiter got {:#x}",
        BOARD.output(0, 0)
    );
    Ok(())
}

/// NOTIFY needs WRITE, WAIT and POLL need READ, IDENTIFY needs MODIFY.
fn notification_operations_need_their_rights(context: &mut Context) -> TestResult {
    let port = new_notification_port(context)?;
    let read_only =
        NotificationPort::new(context.mint(port.descriptor(), Rights::READ)?.descriptor);
    let write_only =
        NotificationPort::new(context.mint(port.descriptor(), Rights::WRITE)?.descriptor);
    expect_error(
        read_only.notify(),
        CapabilityError::PermissionDenied,
        "NOTIFY without WRITE",
    )?;
    expect_error(
        write_only.poll(),
        CapabilityError::PermissionDenied,
        "POLL without READ",
    )?;
    expect_error(
        write_only.wait(),
        CapabilityError::PermissionDenied,
        "WAIT without READ",
    )?;
    expect_error(
        read_only.identify(1),
        CapabilityError::PermissionDenied,
        "IDENTIFY without MODIFY",
    )
}

/// A notification port bound to a thread (CONFIGURE bit 3) wakes it from RECEIVE on
/// an IPC port with source NOTIFICATION and the bits in MR3.
fn bound_notification_wakes_a_receiving_thread(context: &mut Context) -> TestResult {
    let port = new_port(context)?;
    let notification = new_notification_port(context)?;
    let sender = notifier(context, notification, 0b1010)?;
    BOARD.set_input(0, port.descriptor().as_word());
    let thread = create(context, 0, receive_once, INIT_PRIORITY)?;
    thread
        .pcb
        .configure(&Configuration::new().notification_port(notification.descriptor()))
        .expect_ok("CONFIGURE of the bound notification port")?;
    thread.pcb.resume().expect_ok("RESUME")?;
    yield_times(5);
    ensure!(BOARD.counter(0) == 0, "RECEIVE returned with nothing sent");
    sender.notify().expect_ok("NOTIFY")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) == 1),
        "the receiver did not wake"
    );
    ensure!(
        BOARD.value(0) == 0,
        "RECEIVE failed with error {}",
        BOARD.value(0) - 1
    );
    let info = MessageInfo::from_word(BOARD.output(0, 3))
        .map_err(|_| Failure::new(format_args!("bad message_info {:#x}", BOARD.output(0, 3))))?;
    ensure!(
        info.source() == MessageSource::Notification,
        "source {:?}",
        info.source()
    );
    ensure!(
        BOARD.output(0, 2) == 0b1010,
        "bits {:#x}",
        BOARD.output(0, 2)
    );
    Ok(())
}

/// Bits already pending on a thread's bound notification port are delivered by its
/// next RECEIVE at once, as a NOTIFICATION message.
fn bound_notification_pending_before_receive_is_delivered_at_once(
    context: &mut Context,
) -> TestResult {
    let port = new_port(context)?;
    let notification = new_notification_port(context)?;
    let sender = notifier(context, notification, 0b11)?;
    BOARD.set_input(0, port.descriptor().as_word());
    let thread = create(context, 0, receive_once, INIT_PRIORITY)?;
    thread
        .pcb
        .configure(&Configuration::new().notification_port(notification.descriptor()))
        .expect_ok("CONFIGURE of the bound notification port")?;
    sender.notify().expect_ok("NOTIFY")?;
    thread.pcb.resume().expect_ok("RESUME")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) == 1),
        "RECEIVE did not return"
    );
    let info = MessageInfo::from_word(BOARD.output(0, 3))
        .map_err(|_| Failure::new(format_args!("bad message_info {:#x}", BOARD.output(0, 3))))?;
    ensure!(
        info.source() == MessageSource::Notification,
        "source {:?}",
        info.source()
    );
    ensure!(BOARD.output(0, 2) == 0b11, "bits {:#x}", BOARD.output(0, 2));
    let left = notification.poll().expect_ok("POLL")?;
    ensure!(
        left == 0,
        "the delivered bits are still pending ({left:#x})"
    );
    Ok(())
}

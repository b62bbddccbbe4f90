//! NOTIFICATION_PORT: NOTIFY, WAIT, POLL, IDENTIFY, binding to a thread, and
//! `signal` for the kernel's own use (interrupts). A notification port object holds
//! the pending bits, a queue of waiting threads and the thread it is bound to.

use a9n_abi::error::CapabilityError;
use a9n_abi::kernel_call::CALL_SUCCEEDED;
use a9n_abi::message_info::{MessageInfo, MessageSource};
use a9n_abi::operation::notification_port::{
    BITS_RESULT_MR, IDENTIFIER_ARGUMENT_MR, NotificationPortOperation,
};
use a9n_core::capability_tree;

use super::require_rights;
use crate::arch::object_memory::{PhysicalSlots, read_word, write_word};
use crate::capability_call::Invocation;
use crate::message_registers::MessageRegisters;
use crate::thread::{InternalSlot, Thread, ThreadState, layout};
use crate::{ipc, scheduler};

/// Object: the pending bits.
const PENDING: u64 = 0;
/// Object: the waiters' queue (head, tail).
const QUEUE: u64 = 8;
/// Object: the bound thread (0: none).
const BOUND: u64 = 24;

/// Wakes a receiver with a notification message: source NOTIFICATION, the bits in
/// MR3.
fn deliver_bits(thread: Thread, bits: u64) {
    let mut registers = MessageRegisters::of(thread);
    let info =
        MessageInfo::new(false, 0, 0, MessageSource::Notification).map_or(0, MessageInfo::as_word);
    registers.set(0, CALL_SUCCEEDED);
    registers.set(2, info);
    registers.set(3, bits);
}

/// ORs `bits` into the notification port at `notification` and wakes whoever waits:
/// the first WAITer, else the bound thread if it waits in RECEIVE.
pub fn signal(notification: u64, bits: u64) {
    let pending = read_word(notification + PENDING) | bits;
    if pending == 0 {
        return;
    }
    let mut queue = ipc::load_queue(notification + QUEUE);
    if let Some(waiter) = queue.pop_front(&mut ipc::wait_links()) {
        ipc::store_queue(notification + QUEUE, queue);
        let waiter = Thread(waiter);
        waiter.set_ipc_word(layout::BLOCKED_ON, 0);
        let mut registers = MessageRegisters::of(waiter);
        registers.set(0, CALL_SUCCEEDED);
        registers.set(BITS_RESULT_MR, pending);
        write_word(notification + PENDING, 0);
        scheduler::wake(waiter);
        return;
    }
    let bound = read_word(notification + BOUND);
    if bound != 0 && Thread(bound).state() == ThreadState::BlockedReceive {
        let thread = Thread(bound);
        ipc::cancel(thread);
        deliver_bits(thread, pending);
        write_word(notification + PENDING, 0);
        scheduler::wake(thread);
        return;
    }
    write_word(notification + PENDING, pending);
}

/// The pending bits of the notification port object at `notification`.
#[must_use]
pub fn pending_bits(notification: u64) -> u64 {
    read_word(notification + PENDING)
}

/// For RECEIVE: if `thread`'s bound notification port has bits pending, deliver
/// them as a notification message and return true.
pub fn take_pending_for_bound(thread: Thread) -> bool {
    let Some(notification) = thread.internal_capability(InternalSlot::NotificationPort) else {
        return false;
    };
    let pending = read_word(notification.object + PENDING);
    if pending == 0 {
        return false;
    }
    write_word(notification.object + PENDING, 0);
    deliver_bits(thread, pending);
    true
}

/// Binds the notification port at `notification` to `thread` (CONFIGURE).
pub fn bind(notification: u64, thread: Thread) {
    write_word(notification + BOUND, thread.0);
}

/// Undoes a binding of `notification` to `thread`, if it is still that one.
pub fn unbind(notification: u64, thread: Thread) {
    if read_word(notification + BOUND) == thread.0 {
        write_word(notification + BOUND, 0);
    }
}

/// Takes a thread out of a notification port's wait queue.
pub fn cancel_wait(thread: Thread) {
    let notification = thread.ipc_word(layout::BLOCKED_ON);
    if notification != 0 {
        let mut queue = ipc::load_queue(notification + QUEUE);
        queue.remove(&mut ipc::wait_links(), thread.0);
        ipc::store_queue(notification + QUEUE, queue);
    }
}

/// The last capability of a notification port went: its waiters are released with
/// INVALID_DESCRIPTOR and its binding is dropped.
pub fn finalise(notification: u64) {
    let mut queue = ipc::load_queue(notification + QUEUE);
    while let Some(waiter) = queue.pop_front(&mut ipc::wait_links()) {
        ipc::store_queue(notification + QUEUE, queue);
        let waiter = Thread(waiter);
        waiter.set_ipc_word(layout::BLOCKED_ON, 0);
        let mut registers = MessageRegisters::of(waiter);
        registers.set(0, a9n_abi::kernel_call::CALL_FAILED);
        registers.set(1, CapabilityError::InvalidDescriptor.as_word());
        scheduler::wake(waiter);
    }
    ipc::store_queue(notification + QUEUE, queue);
    write_word(notification + BOUND, 0);
}

/// Performs a NOTIFICATION_PORT operation.
pub fn invoke(invocation: &mut Invocation) -> Result<(), CapabilityError> {
    let operation = NotificationPortOperation::from_word(invocation.operation)
        .ok_or(CapabilityError::IllegalOperation)?;
    let capability = invocation.capability;
    require_rights(&capability, operation.required_rights())?;
    let notification = capability.object;
    match operation {
        NotificationPortOperation::Notify => signal(notification, capability.data[0]),
        NotificationPortOperation::Poll => {
            let pending = read_word(notification + PENDING);
            write_word(notification + PENDING, 0);
            invocation.set_result(BITS_RESULT_MR, pending);
        }
        NotificationPortOperation::Wait => {
            let pending = read_word(notification + PENDING);
            if pending != 0 {
                write_word(notification + PENDING, 0);
                invocation.set_result(BITS_RESULT_MR, pending);
            } else {
                let thread = invocation.thread;
                let mut queue = ipc::load_queue(notification + QUEUE);
                queue.push_back(&mut ipc::wait_links(), thread.0);
                ipc::store_queue(notification + QUEUE, queue);
                thread.set_ipc_word(layout::BLOCKED_ON, notification);
                scheduler::block_current(thread, ThreadState::BlockedNotification);
            }
        }
        NotificationPortOperation::Identify => {
            let mut identified = capability;
            identified.data[0] = invocation.argument(IDENTIFIER_ARGUMENT_MR)?;
            capability_tree::replace_capability(&mut PhysicalSlots, invocation.slot, identified);
        }
    }
    Ok(())
}

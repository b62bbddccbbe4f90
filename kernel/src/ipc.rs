//! IPC: the rendezvous of senders and receivers on IPC ports, message and
//! capability transfer, replies, fault messages, and the release of waiters when a
//! port goes away (docs/abi.md sections 5 and 6).
//!
//! An IPC port object holds one wait queue (head, tail) and what waits in it:
//! senders or receivers, never both. Waiting threads are linked through their PCBs.

use a9n_abi::capability_type::CapabilityType;
use a9n_abi::error::CapabilityError;
use a9n_abi::fault::{FIRST_SAVED_REGISTER_MR, FaultType};
use a9n_abi::ipc_buffer::TRANSFER_DESCRIPTOR_CAPACITY;
use a9n_abi::kernel_call::{CALL_FAILED, CALL_SUCCEEDED};
use a9n_abi::message_info::{MessageInfo, MessageSource};
use a9n_abi::message_register::REGISTER_MESSAGE_REGISTERS;
use a9n_abi::register::{REGISTER_COUNT, Register};
use a9n_abi::rights::Rights;
use a9n_core::capability::Capability;
use a9n_core::capability_tree::{self, SlotAddress};
use a9n_core::descriptor_resolution::{node_radix, node_slot, resolve, resolve_capability};
use a9n_core::wait_queue::WaitQueue;

use crate::arch::object_memory::{PhysicalSlots, ThreadQueueLinks, read_word, write_word};
use crate::arch::user_context::sanitize_rflags;
use crate::message_registers::MessageRegisters;
use crate::objects::notification_port;
use crate::scheduler;
use crate::thread::{InternalSlot, SendKind, Thread, ThreadState, layout};

/// Port object: the wait queue (first waiting thread, then the last at +8).
const QUEUE_HEAD: u64 = 0;
/// Port object: what waits ([`WAITING_SENDERS`] or [`WAITING_RECEIVERS`]).
const QUEUE_KIND: u64 = 16;
/// Senders wait in the queue.
const WAITING_SENDERS: u64 = 1;
/// Receivers wait in the queue.
const WAITING_RECEIVERS: u64 = 2;
/// First payload MR.
const FIRST_PAYLOAD_MR: usize = 4;
/// IPC buffer word of the first transfer source descriptor.
const TRANSFER_SOURCES_WORD: usize = 494;
/// IPC buffer word of the transfer destination node descriptor.
const TRANSFER_NODE_WORD: usize = 510;
/// IPC buffer word of the first transfer destination index.
const TRANSFER_INDEX_WORD: usize = 511;

/// An empty message_info (for a corrupt stored one, which cannot happen).
const EMPTY_INFO: MessageInfo = match MessageInfo::from_word(0) {
    Ok(info) => info,
    Err(_) => panic!("0 is a valid message_info"),
};

/// The links of wait queues inside PCBs.
pub fn wait_links() -> ThreadQueueLinks {
    ThreadQueueLinks {
        previous_offset: layout::WAIT_PREVIOUS,
        next_offset: layout::WAIT_NEXT,
    }
}

/// Reads a wait queue stored at `address` (head, then tail).
pub fn load_queue(address: u64) -> WaitQueue {
    WaitQueue {
        head: read_word(address),
        tail: read_word(address + 8),
    }
}

/// Stores a wait queue at `address`.
pub fn store_queue(address: u64, queue: WaitQueue) {
    write_word(address, queue.head);
    write_word(address + 8, queue.tail);
}

/// Takes the first thread of `port`'s queue if what waits there is `kind`.
fn take_waiter(port: u64, kind: u64) -> Option<Thread> {
    if read_word(port + QUEUE_KIND) != kind {
        return None;
    }
    let mut queue = load_queue(port + QUEUE_HEAD);
    let thread = queue.pop_front(&mut wait_links())?;
    store_queue(port + QUEUE_HEAD, queue);
    if queue.is_empty() {
        write_word(port + QUEUE_KIND, 0);
    }
    let thread = Thread(thread);
    thread.set_ipc_word(layout::BLOCKED_ON, 0);
    Some(thread)
}

/// Puts `thread` at the back of `port`'s queue as a `kind` waiter.
fn add_waiter(port: u64, kind: u64, thread: Thread) {
    let mut queue = load_queue(port + QUEUE_HEAD);
    queue.push_back(&mut wait_links(), thread.0);
    store_queue(port + QUEUE_HEAD, queue);
    write_word(port + QUEUE_KIND, kind);
    thread.set_ipc_word(layout::BLOCKED_ON, port);
}

/// Fails unless the sender's side of a message is sound: source NORMAL, payload
/// past MR9 only with an IPC buffer, and every capability to transfer present.
pub fn validate_outgoing(sender: Thread, info: MessageInfo) -> Result<(), CapabilityError> {
    if info.source() != MessageSource::Normal {
        return Err(CapabilityError::InvalidArgument);
    }
    let registers = MessageRegisters::of(sender);
    let needs_buffer =
        FIRST_PAYLOAD_MR + info.length() > REGISTER_MESSAGE_REGISTERS || info.transfer_count() > 0;
    if needs_buffer && !registers.has_ipc_buffer() {
        return Err(CapabilityError::InvalidArgument);
    }
    for index in 0..info.transfer_count().min(TRANSFER_DESCRIPTOR_CAPACITY) {
        let descriptor = registers
            .buffer_word(TRANSFER_SOURCES_WORD + index)
            .unwrap_or(0);
        resolve_capability(
            &PhysicalSlots,
            sender.internal_slot(InternalSlot::RootNode),
            descriptor,
        )?;
    }
    Ok(())
}

/// Moves up to `count` capabilities named in the sender's IPC buffer into the
/// slots the receiver's IPC buffer names. All or nothing: returns how many moved.
fn transfer_capabilities(sender: Thread, receiver: Thread, count: usize) -> usize {
    if count == 0 {
        return 0;
    }
    let (outgoing, incoming) = (MessageRegisters::of(sender), MessageRegisters::of(receiver));
    let (Some(node_descriptor), Some(first_index)) = (
        incoming.buffer_word(TRANSFER_NODE_WORD),
        incoming.buffer_word(TRANSFER_INDEX_WORD),
    ) else {
        return 0;
    };
    let receiver_root = receiver.internal_slot(InternalSlot::RootNode);
    let Ok((_, node)) = resolve_capability(&PhysicalSlots, receiver_root, node_descriptor) else {
        return 0;
    };
    let count_word = count as u64;
    let fits = node.object_type == CapabilityType::Node
        && node.rights.contains(Rights::WRITE)
        && first_index
            .checked_add(count_word)
            .is_some_and(|end| end <= 1 << node_radix(&node));
    if !fits {
        return 0;
    }
    let mut sources = [0 as SlotAddress; TRANSFER_DESCRIPTOR_CAPACITY];
    for index in 0..count {
        let descriptor = outgoing
            .buffer_word(TRANSFER_SOURCES_WORD + index)
            .unwrap_or(0);
        let source = match resolve(
            &PhysicalSlots,
            sender.internal_slot(InternalSlot::RootNode),
            descriptor,
        ) {
            Ok(slot) if capability_tree::capability_at(&PhysicalSlots, slot).is_some() => slot,
            _ => return 0,
        };
        if sources[..index].contains(&source) {
            return 0;
        }
        sources[index] = source;
        let destination = node_slot(&node, first_index + index as u64);
        if !capability_tree::is_empty(&PhysicalSlots, destination) {
            return 0;
        }
    }
    for (index, source) in sources.iter().enumerate().take(count) {
        let destination = node_slot(&node, first_index + index as u64);
        capability_tree::move_capability(&mut PhysicalSlots, *source, destination);
    }
    count
}

/// Copies a message from `sender` to `receiver`: payload MRs, capabilities, then the
/// receiver's MR0 (success), MR2 (message_info as delivered) and MR3 (badge).
pub fn deliver(sender: Thread, receiver: Thread, info: MessageInfo, badge: u64) {
    let outgoing = MessageRegisters::of(sender);
    let mut incoming = MessageRegisters::of(receiver);
    let mut length = info.length();
    if !incoming.has_ipc_buffer() {
        length = length.min(REGISTER_MESSAGE_REGISTERS - FIRST_PAYLOAD_MR);
    }
    for index in FIRST_PAYLOAD_MR..FIRST_PAYLOAD_MR + length {
        incoming.set(index, outgoing.get(index).unwrap_or(0));
    }
    let moved = transfer_capabilities(sender, receiver, info.transfer_count());
    let delivered =
        MessageInfo::new(false, length, moved, info.source()).map_or(0, MessageInfo::as_word);
    incoming.set(0, CALL_SUCCEEDED);
    incoming.set(2, delivered);
    incoming.set(3, badge);
}

/// Writes a pending fault of `faulter` as a message into `receiver`'s MRs.
fn deliver_fault(faulter: Thread, receiver: Thread, badge: u64) {
    let fault_type =
        FaultType::from_word(faulter.ipc_word(layout::FAULT_TYPE)).unwrap_or(FaultType::Fatal);
    let mut incoming = MessageRegisters::of(receiver);
    let mut length = fault_type.message_length();
    if !incoming.has_ipc_buffer() {
        length = length.min(REGISTER_MESSAGE_REGISTERS - FIRST_PAYLOAD_MR);
    }
    incoming.set(4, fault_type.as_word());
    incoming.set(5, faulter.ipc_word(layout::FAULT_INSTRUCTION));
    incoming.set(6, faulter.ipc_word(layout::FAULT_WORD_6));
    if fault_type == FaultType::InvalidKernelCall {
        for (index, register) in Register::ALL.iter().enumerate() {
            incoming.set(FIRST_SAVED_REGISTER_MR + index, faulter.register(*register));
        }
    } else {
        incoming.set(7, faulter.ipc_word(layout::FAULT_WORD_7));
    }
    let info =
        MessageInfo::new(false, length, 0, MessageSource::Fault).map_or(0, MessageInfo::as_word);
    incoming.set(0, CALL_SUCCEEDED);
    incoming.set(2, info);
    incoming.set(3, badge);
}

/// Records that `server` owes `caller` a reply; the caller waits for it.
fn link_reply(server: Thread, caller: Thread) {
    server.set_ipc_word(layout::REPLY_TO, caller.0);
    caller.set_ipc_word(layout::REPLY_FROM, server.0);
    caller.set_state(ThreadState::BlockedReply);
}

/// Runs `partner` next if its priority allows (the current thread has blocked),
/// else queues it.
fn hand_over(partner: Thread) {
    if scheduler::current().is_none() && scheduler::may_switch_directly(partner) {
        scheduler::switch_directly(partner);
    } else {
        scheduler::wake(partner);
    }
}

/// SEND or CALL (or a fault, `kind` Fault) of `sender` through the IPC port
/// capability `port` (identifier in data[0]).
pub fn send(
    sender: Thread,
    port: &Capability,
    info: MessageInfo,
    kind: SendKind,
) -> Result<(), CapabilityError> {
    if kind != SendKind::Fault {
        validate_outgoing(sender, info)?;
    }
    let (object, badge) = (port.object, port.data[0]);
    if let Some(receiver) = take_waiter(object, WAITING_RECEIVERS) {
        match kind {
            SendKind::Send => {
                deliver(sender, receiver, info, badge);
                scheduler::wake(receiver);
            }
            SendKind::Call | SendKind::Fault => {
                if kind == SendKind::Fault {
                    deliver_fault(sender, receiver, badge);
                } else {
                    deliver(sender, receiver, info, badge);
                }
                scheduler::block_current(sender, ThreadState::BlockedReply);
                sender.set_ipc_word(layout::SEND_KIND, kind as u64);
                link_reply(receiver, sender);
                hand_over(receiver);
            }
        }
        return Ok(());
    }
    if !info.block() && kind != SendKind::Fault {
        return Err(CapabilityError::IllegalOperation);
    }
    sender.set_ipc_word(layout::SEND_INFO, info.as_word());
    sender.set_ipc_word(layout::SEND_BADGE, badge);
    sender.set_ipc_word(layout::SEND_KIND, kind as u64);
    add_waiter(object, WAITING_SENDERS, sender);
    scheduler::block_current(sender, ThreadState::BlockedSend);
    Ok(())
}

/// RECEIVE of `receiver` on the IPC port object `port`: a pending notification of
/// its bound notification port first, then a waiting sender, else wait (or fail
/// with ILLEGAL_OPERATION when not blocking).
pub fn receive(receiver: Thread, port: u64, block: bool) -> Result<(), CapabilityError> {
    if notification_port::take_pending_for_bound(receiver) {
        return Ok(());
    }
    if let Some(sender) = take_waiter(port, WAITING_SENDERS) {
        let info = MessageInfo::from_word(sender.ipc_word(layout::SEND_INFO)).unwrap_or(EMPTY_INFO);
        let badge = sender.ipc_word(layout::SEND_BADGE);
        match sender.send_kind() {
            SendKind::Send => {
                deliver(sender, receiver, info, badge);
                scheduler::wake(sender);
            }
            SendKind::Call => {
                deliver(sender, receiver, info, badge);
                link_reply(receiver, sender);
            }
            SendKind::Fault => {
                deliver_fault(sender, receiver, badge);
                link_reply(receiver, sender);
            }
        }
        return Ok(());
    }
    if !block {
        return Err(CapabilityError::IllegalOperation);
    }
    add_waiter(port, WAITING_RECEIVERS, receiver);
    scheduler::block_current(receiver, ThreadState::BlockedReceive);
    Ok(())
}

/// Writes back the registers of an INVALID_KERNEL_CALL reply (MR7..MR26), if every
/// address in them is a user address; otherwise the thread resumes unchanged.
fn write_back_registers(server: Thread, caller: Thread) {
    let registers = MessageRegisters::of(server);
    let mut values = [0u64; REGISTER_COUNT];
    for (index, value) in values.iter_mut().enumerate() {
        let Ok(word) = registers.get(FIRST_SAVED_REGISTER_MR + index) else {
            return;
        };
        *value = word;
        let register = Register::ALL[index];
        let address = matches!(
            register,
            Register::Rip | Register::Rsp | Register::FsBase | Register::GsBase
        );
        if address && word >= a9n_abi::boot::USER_ADDRESS_LIMIT {
            return;
        }
    }
    for (index, value) in values.iter().enumerate() {
        let register = Register::ALL[index];
        let value = if register == Register::Rflags {
            sanitize_rflags(*value)
        } else {
            *value
        };
        caller.set_register(register, value);
    }
    caller.force_full_return();
}

/// REPLY of `server` to the caller it received from. Returns the caller, now ready
/// to run but not yet queued (the caller of this function wakes or switches to it).
pub fn reply(server: Thread, info: MessageInfo) -> Result<Thread, CapabilityError> {
    let caller = server.ipc_word(layout::REPLY_TO);
    if caller == 0 {
        return Err(CapabilityError::IllegalOperation);
    }
    validate_outgoing(server, info)?;
    let caller = Thread(caller);
    server.set_ipc_word(layout::REPLY_TO, 0);
    caller.set_ipc_word(layout::REPLY_FROM, 0);
    if caller.send_kind() == SendKind::Fault {
        let fault_type = FaultType::from_word(caller.ipc_word(layout::FAULT_TYPE));
        if fault_type == Some(FaultType::InvalidKernelCall)
            && info.length() == FaultType::InvalidKernelCall.message_length()
        {
            write_back_registers(server, caller);
        }
    } else {
        deliver(server, caller, info, 0);
    }
    caller.set_ipc_word(layout::SEND_KIND, SendKind::Send as u64);
    Ok(caller)
}

/// Releases a waiting thread with `error` in its MRs and makes it runnable.
fn release_with_error(thread: Thread, error: CapabilityError) {
    let mut registers = MessageRegisters::of(thread);
    registers.set(0, CALL_FAILED);
    registers.set(1, error.as_word());
    thread.set_ipc_word(layout::SEND_KIND, SendKind::Send as u64);
    scheduler::wake(thread);
}

/// Takes `thread` out of whatever it waits in (before it is suspended or destroyed).
pub fn cancel(thread: Thread) {
    match thread.state() {
        ThreadState::BlockedSend | ThreadState::BlockedReceive => {
            let port = thread.ipc_word(layout::BLOCKED_ON);
            if port != 0 {
                let mut queue = load_queue(port + QUEUE_HEAD);
                queue.remove(&mut wait_links(), thread.0);
                store_queue(port + QUEUE_HEAD, queue);
                if queue.is_empty() {
                    write_word(port + QUEUE_KIND, 0);
                }
            }
        }
        ThreadState::BlockedNotification => notification_port::cancel_wait(thread),
        ThreadState::BlockedReply => {
            let server = Thread(thread.ipc_word(layout::REPLY_FROM));
            if server.0 != 0 && server.ipc_word(layout::REPLY_TO) == thread.0 {
                server.set_ipc_word(layout::REPLY_TO, 0);
            }
        }
        _ => {}
    }
    thread.set_ipc_word(layout::BLOCKED_ON, 0);
    thread.set_ipc_word(layout::REPLY_FROM, 0);
    thread.set_ipc_word(layout::SEND_KIND, SendKind::Send as u64);
}

/// A thread is being destroyed: a caller still waiting for its reply is released
/// with INVALID_DESCRIPTOR.
pub fn release_reply_waiter(server: Thread) {
    let caller = server.ipc_word(layout::REPLY_TO);
    if caller != 0 {
        server.set_ipc_word(layout::REPLY_TO, 0);
        let caller = Thread(caller);
        caller.set_ipc_word(layout::REPLY_FROM, 0);
        if caller.state() == ThreadState::BlockedReply {
            release_with_error(caller, CapabilityError::InvalidDescriptor);
        }
    }
}

/// An IPC port's last capability went: every waiter is released with
/// INVALID_DESCRIPTOR.
pub fn release_port_waiters(port: u64) {
    for kind in [WAITING_SENDERS, WAITING_RECEIVERS] {
        while let Some(thread) = take_waiter(port, kind) {
            release_with_error(thread, CapabilityError::InvalidDescriptor);
        }
    }
}

/// Sends a pending fault of `thread` to its fault resolver. Returns false when the
/// thread has none (the caller then suspends it).
pub fn send_fault(thread: Thread, fault_type: FaultType, word_6: u64, word_7: u64) -> bool {
    let Some(resolver) = thread.internal_capability(InternalSlot::FaultResolver) else {
        return false;
    };
    thread.set_ipc_word(layout::FAULT_TYPE, fault_type.as_word());
    thread.set_ipc_word(layout::FAULT_INSTRUCTION, thread.register(Register::Rip));
    thread.set_ipc_word(layout::FAULT_WORD_6, word_6);
    thread.set_ipc_word(layout::FAULT_WORD_7, word_7);
    send(
        thread,
        &resolver,
        fault_type.message_info(),
        SendKind::Fault,
    )
    .is_ok()
}

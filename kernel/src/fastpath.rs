//! The IPC fastpath: CALL and REPLY_RECEIVE with a message in registers only (at
//! most 6 payload words), no capability transfer, a descriptor naming a slot of a
//! radix-8 root node directly, a partner already waiting, and priorities that allow
//! a direct switch. It touches no scheduler queue and copies nothing but the
//! payload registers. Anything else returns `None` and takes the general path,
//! whose semantics are identical (the kernel test suite runs against both: the
//! `no-fastpath` build feature turns this path off).

use a9n_abi::capability_type::CapabilityType;
use a9n_abi::kernel_call::{CALL_SUCCEEDED, KernelCall};
use a9n_abi::operation::ipc_port::IpcPortOperation;
use a9n_abi::rights::Rights;

use crate::arch::object_memory::{read_word, write_word};
use crate::scheduler;
use crate::thread::{InternalSlot, SendKind, Thread, ThreadState, layout};

/// Saved-context word index of each message register (MR0..MR9).
const MR: [u64; 10] = [9, 10, 11, 7, 6, 5, 3, 2, 1, 0];
/// Saved-context word index of RAX.
const RAX: u64 = 14;
/// message_info bits that must be 0 on the fastpath: transfers, source, reserved.
const INFO_NOT_FAST: u64 = !0x1ff;
/// Longest payload in registers (MR4..MR9).
const REGISTER_PAYLOAD: u64 = 6;
/// Port object: queue head, tail, kind (see `crate::ipc`).
const PORT_HEAD: u64 = 0;
const PORT_TAIL: u64 = 8;
const PORT_KIND: u64 = 16;
const WAITING_RECEIVERS: u64 = 2;
const WAITING_SENDERS: u64 = 1;
/// Slot word 0 layout (see a9n_core::capability): type in bits 0..4, rights 4..8,
/// object from bit 12.
const TYPE_MASK: u64 = 0xf;

fn context_word(thread: u64, index: u64) -> u64 {
    read_word(thread + 8 * index)
}

fn set_context_word(thread: u64, index: u64, value: u64) {
    write_word(thread + 8 * index, value);
}

/// Resolves a depth-16 descriptor through a radix-8 root node to an IPC port with
/// `right`; returns (port object, identifier).
fn port_of(thread: u64, descriptor: u64, right: Rights) -> Option<(u64, u64)> {
    if descriptor >> 56 != 8 || descriptor & 0x0000_ffff_ffff_ffff != 0 {
        return None;
    }
    let root = Thread(thread).internal_slot(InternalSlot::RootNode);
    let root_word = read_word(root);
    if root_word & TYPE_MASK != CapabilityType::Node.as_word() || read_word(root + 8) != 8 {
        return None;
    }
    let slot = (root_word >> 12) + ((descriptor >> 48) & 0xff) * 64;
    let word = read_word(slot);
    let rights = (word >> 4) & 0xf;
    if word & TYPE_MASK != CapabilityType::IpcPort.as_word() || rights & right.bits() == 0 {
        return None;
    }
    Some((word >> 12, read_word(slot + 8)))
}

/// Whether `thread` can run: it has an address space.
fn has_address_space(thread: u64) -> bool {
    read_word(Thread(thread).internal_slot(InternalSlot::AddressSpace)) & TYPE_MASK
        == CapabilityType::AddressSpace.as_word()
}

/// Copies the payload registers and writes MR0 (success), MR2 (info) and MR3.
fn deliver(from: u64, to: u64, info: u64, identifier: u64) {
    let length = (info >> 1) & 0xff;
    for index in 0..length as usize {
        let register = MR[4 + index];
        set_context_word(to, register, context_word(from, register));
    }
    set_context_word(to, MR[0], CALL_SUCCEEDED);
    set_context_word(to, MR[2], info & !1);
    set_context_word(to, MR[3], identifier);
}

/// CALL from `caller` to a receiver waiting on the port.
fn call(caller: u64, info: u64) -> Option<u64> {
    let (port, identifier) = port_of(caller, context_word(caller, MR[0]), Rights::WRITE)?;
    if read_word(port + PORT_KIND) != WAITING_RECEIVERS {
        return None;
    }
    let receiver = read_word(port + PORT_HEAD);
    let server = Thread(receiver);
    if !scheduler::outranks_ready(server.priority()) || !has_address_space(receiver) {
        return None;
    }
    // Take the receiver off the port.
    let next = read_word(receiver + layout::WAIT_NEXT);
    write_word(port + PORT_HEAD, next);
    if next == 0 {
        write_word(port + PORT_TAIL, 0);
        write_word(port + PORT_KIND, 0);
    } else {
        write_word(next + layout::WAIT_PREVIOUS, 0);
    }
    write_word(receiver + layout::WAIT_NEXT, 0);
    write_word(receiver + layout::BLOCKED_ON, 0);

    deliver(caller, receiver, info, identifier);
    write_word(receiver + layout::REPLY_TO, caller);
    write_word(caller + layout::REPLY_FROM, receiver);
    write_word(caller + layout::SEND_KIND, SendKind::Call as u64);
    Thread(caller).set_state(ThreadState::BlockedReply);
    scheduler::set_current_directly(server);
    Some(receiver)
}

/// Whether `thread` has a bound notification port with bits pending (its RECEIVE
/// would return them instead of waiting): one word read when none is bound.
fn bound_bits_pending(thread: u64) -> bool {
    let word = read_word(Thread(thread).internal_slot(InternalSlot::NotificationPort));
    word & TYPE_MASK == CapabilityType::NotificationPort.as_word()
        && crate::objects::notification_port::pending_bits(word >> 12) != 0
}

/// REPLY_RECEIVE of `server`: reply to its caller and wait on the port.
fn reply_receive(server: u64, info: u64) -> Option<u64> {
    let caller = read_word(server + layout::REPLY_TO);
    if caller == 0 {
        return None;
    }
    let client = Thread(caller);
    if client.state() != ThreadState::BlockedReply || client.send_kind() != SendKind::Call {
        return None;
    }
    let (port, _) = port_of(server, context_word(server, MR[0]), Rights::READ)?;
    if read_word(port + PORT_KIND) == WAITING_SENDERS
        || bound_bits_pending(server)
        || !scheduler::outranks_ready(client.priority())
        || !has_address_space(caller)
    {
        return None;
    }
    deliver(server, caller, info, 0);
    write_word(server + layout::REPLY_TO, 0);
    write_word(caller + layout::REPLY_FROM, 0);
    write_word(caller + layout::SEND_KIND, SendKind::Send as u64);

    // The server waits at the back of the port's receivers.
    let tail = read_word(port + PORT_TAIL);
    write_word(server + layout::WAIT_PREVIOUS, tail);
    write_word(server + layout::WAIT_NEXT, 0);
    if tail == 0 {
        write_word(port + PORT_HEAD, server);
    } else {
        write_word(tail + layout::WAIT_NEXT, server);
    }
    write_word(port + PORT_TAIL, server);
    write_word(port + PORT_KIND, WAITING_RECEIVERS);
    write_word(server + layout::BLOCKED_ON, port);
    Thread(server).set_state(ThreadState::BlockedReceive);
    scheduler::set_current_directly(client);
    Some(caller)
}

/// Tries the fastpath for the current thread's kernel call; returns the thread to
/// switch to, or `None` for the general path (nothing has changed then).
#[must_use]
pub fn try_ipc(thread: u64) -> Option<Thread> {
    if context_word(thread, RAX) != KernelCall::CapabilityCall.as_word() {
        return None;
    }
    let info = context_word(thread, MR[2]);
    if info & INFO_NOT_FAST != 0 || (info >> 1) & 0xff > REGISTER_PAYLOAD {
        return None;
    }
    let operation = context_word(thread, MR[1]);
    let next = if operation == IpcPortOperation::Call.as_word() && info & 1 != 0 {
        call(thread, info)?
    } else if operation == IpcPortOperation::ReplyReceive.as_word() {
        reply_receive(thread, info)?
    } else {
        return None;
    };
    Some(Thread(next))
}

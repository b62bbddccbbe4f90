//! IPC ports (docs/abi.md section 5): SEND/RECEIVE rendezvous, CALL/REPLY and
//! REPLY_RECEIVE, identifiers, rights, message_info validation, and waiters released
//! when their port is revoked (section 12). The partner is a thread of the suite at
//! the main thread's priority; payloads stay in MR4..MR9, so it needs no IPC buffer.

use a9n_abi::message_info::MESSAGE_INFO_MR;
use a9n_abi::operation::IpcPortOperation;
use a9n_abi::scheduling::INIT_PRIORITY;
use a9n_abi::{CapabilityError, CapabilityType, MessageInfo, MessageSource, Rights, RootSlot};
use nun::call::capability_call;
use nun::capability::{Configuration, Frame, IpcPort};

use crate::check::{Expect, Failure, TestResult, expect_error};
use crate::context::SMALL_FRAME_BITS;
use crate::context::{Context, ensure_empty};
use crate::ensure;
use crate::thread_bodies::{call_once, receive_once, serve_increments};
use crate::threads::{BOARD, create, start, yield_times, yield_until};

pub const TESTS: &[crate::harness::Test] = tests![
    send_meets_a_waiting_receiver,
    identify_gives_a_capability_its_identifier,
    call_waits_for_the_reply,
    reply_receive_serves_one_call_after_another,
    ipc_operations_need_their_rights,
    message_info_with_reserved_bits_or_source_3_is_invalid_argument,
    revoking_a_port_releases_its_waiters_with_invalid_descriptor,
    send_moves_capabilities_into_the_receivers_slots,
    transfer_into_an_occupied_slot_moves_nothing_but_delivers_the_message,
    non_blocking_send_or_receive_without_a_partner_is_illegal_operation,
    reply_without_a_caller_is_illegal_operation,
    reply_needs_no_right,
    receiver_without_an_ipc_buffer_gets_at_most_6_words,
];

const PATIENCE: u64 = 200;

/// A new IPC port in a scratch slot.
pub fn new_port(context: &mut Context) -> Result<IpcPort, Failure> {
    Ok(IpcPort::new(
        context.make(CapabilityType::IpcPort, 0)?.descriptor,
    ))
}

/// Starts thread 0 running `body` on `port` and lets it block in RECEIVE.
fn start_receiver(
    context: &mut Context,
    port: IpcPort,
    body: nun::thread::ThreadEntry,
) -> TestResult {
    BOARD.set_input(0, port.descriptor().as_word());
    start(context, 0, body, INIT_PRIORITY)?;
    yield_times(2);
    Ok(())
}

/// A blocking SEND reaches the thread blocked in RECEIVE: payload, length, source.
fn send_meets_a_waiting_receiver(context: &mut Context) -> TestResult {
    let port = new_port(context)?;
    start_receiver(context, port, receive_once)?;
    port.send(&[0x11, 0x22], true).expect_ok("SEND")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) == 1),
        "the receiver did not wake"
    );
    ensure!(
        BOARD.value(0) == 0,
        "RECEIVE failed with error {}",
        BOARD.value(0) - 1
    );
    ensure!(
        BOARD.output(0, 0) == 0x11 && BOARD.output(0, 1) == 0x22,
        "payload {:#x} {:#x}",
        BOARD.output(0, 0),
        BOARD.output(0, 1)
    );
    let info = MessageInfo::from_word(BOARD.output(0, 3))
        .map_err(|_| Failure::new(format_args!("bad message_info {:#x}", BOARD.output(0, 3))))?;
    ensure!(info.length() == 2, "length {}", info.length());
    ensure!(
        info.source() == MessageSource::Normal,
        "source {:?}",
        info.source()
    );
    Ok(())
}

/// The receiver sees the identifier of the capability the sender used; IDENTIFY
/// needs MODIFY.
fn identify_gives_a_capability_its_identifier(context: &mut Context) -> TestResult {
    let port = new_port(context)?;
    let client = IpcPort::new(context.mint(port.descriptor(), Rights::ALL)?.descriptor);
    client.identify(0x77).expect_ok("IDENTIFY")?;
    let without_modify = IpcPort::new(
        context
            .mint(
                client.descriptor(),
                Rights::READ | Rights::WRITE | Rights::COPY,
            )?
            .descriptor,
    );
    expect_error(
        without_modify.identify(0x99),
        CapabilityError::PermissionDenied,
        "IDENTIFY without MODIFY",
    )?;
    start_receiver(context, port, receive_once)?;
    client.send(&[1], true).expect_ok("SEND")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) == 1),
        "the receiver did not wake"
    );
    ensure!(
        BOARD.output(0, 2) == 0x77,
        "identifier {:#x}",
        BOARD.output(0, 2)
    );
    Ok(())
}

/// CALL returns with the server's reply.
fn call_waits_for_the_reply(context: &mut Context) -> TestResult {
    let port = new_port(context)?;
    start_receiver(context, port, serve_increments)?;
    let reply = port.call(&[41]).expect_ok("CALL")?;
    ensure!(reply.payload(0) == 42, "reply {}", reply.payload(0));
    Ok(())
}

/// A server in REPLY_RECEIVE answers call after call.
fn reply_receive_serves_one_call_after_another(context: &mut Context) -> TestResult {
    let port = new_port(context)?;
    start_receiver(context, port, serve_increments)?;
    for value in [1u64, 100, 7_000] {
        let reply = port.call(&[value]).expect_ok("CALL")?;
        ensure!(
            reply.payload(0) == value + 1,
            "reply {} to {value}",
            reply.payload(0)
        );
    }
    ensure!(
        BOARD.counter(0) == 3,
        "the server counted {} calls",
        BOARD.counter(0)
    );
    Ok(())
}

/// SEND and CALL need WRITE; RECEIVE and REPLY_RECEIVE need READ.
fn ipc_operations_need_their_rights(context: &mut Context) -> TestResult {
    let port = new_port(context)?;
    let read_only = IpcPort::new(context.mint(port.descriptor(), Rights::READ)?.descriptor);
    let write_only = IpcPort::new(context.mint(port.descriptor(), Rights::WRITE)?.descriptor);
    expect_error(
        read_only.send(&[1], true),
        CapabilityError::PermissionDenied,
        "SEND without WRITE",
    )?;
    expect_error(
        read_only.call(&[1]),
        CapabilityError::PermissionDenied,
        "CALL without WRITE",
    )?;
    expect_error(
        write_only.receive(true),
        CapabilityError::PermissionDenied,
        "RECEIVE without READ",
    )?;
    expect_error(
        write_only.reply_receive(&[]),
        CapabilityError::PermissionDenied,
        "REPLY_RECEIVE without READ",
    )
}

/// [KOITO] message_info with reserved bits or source 3 is INVALID_ARGUMENT.
fn message_info_with_reserved_bits_or_source_3_is_invalid_argument(
    context: &mut Context,
) -> TestResult {
    let port = new_port(context)?;
    for info in [1u64 << 15, 3 << 13, 1 << 63] {
        for operation in [IpcPortOperation::Send, IpcPortOperation::Call] {
            let mut arguments = [0u64; 3];
            arguments[MESSAGE_INFO_MR - 2] = info;
            expect_error(
                capability_call(port.descriptor(), operation.as_word(), &arguments),
                CapabilityError::InvalidArgument,
                operation.name(),
            )?;
        }
    }
    Ok(())
}

/// [section 12] a revoked IPC port releases its waiters with INVALID_DESCRIPTOR.
fn revoking_a_port_releases_its_waiters_with_invalid_descriptor(
    context: &mut Context,
) -> TestResult {
    let (generic_slot, generic) = context.make_generic(12)?;
    let port = IpcPort::new(
        context
            .make_from(generic, CapabilityType::IpcPort, 0)?
            .descriptor,
    );
    start_receiver(context, port, receive_once)?;
    ensure!(BOARD.counter(0) == 0, "RECEIVE returned without a sender");
    context
        .scratch
        .revoke(generic_slot.index)
        .expect_ok("REVOKE of the port's Generic")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) == 1),
        "the waiter was not released"
    );
    let expected = CapabilityError::InvalidDescriptor.as_word() + 1;
    ensure!(
        BOARD.value(0) == expected,
        "the waiter got {}",
        CapabilityError::from_word(BOARD.value(0).wrapping_sub(1)).map_or("no error", |e| e.name())
    );
    Ok(())
}

/// A message with a transfer count moves the capabilities named in the sender's
/// `transfer_source_descriptors` into consecutive slots from the receiver's
/// `transfer_destination_node`/`index`. The receiving thread is configured with the
/// suite's own IPC buffer frame (root slot 6), so the main thread writes its
/// receive-side fields before it waits.
fn send_moves_capabilities_into_the_receivers_slots(context: &mut Context) -> TestResult {
    let port = new_port(context)?;
    let first = context.make_frame()?;
    let second = context.make_frame()?;
    let addresses = [
        first.get_address().expect_ok("GET_ADDRESS")?,
        second.get_address().expect_ok("GET_ADDRESS")?,
    ];
    let arrival = context
        .slots
        .allocate_consecutive(2)
        .ok_or_else(|| Failure::new(format_args!("no 2 free slots")))?;
    ensure!(
        nun::ipc_buffer::set_transfer_destination(context.scratch.descriptor(), arrival),
        "no IPC buffer"
    );
    BOARD.set_input(0, port.descriptor().as_word());
    let thread = create(context, 0, receive_once, INIT_PRIORITY)?;
    thread
        .pcb
        .configure(&Configuration::new().ipc_buffer(RootSlot::IpcBuffer.descriptor()))
        .expect_ok("CONFIGURE of the IPC buffer")?;
    thread.pcb.resume().expect_ok("RESUME")?;
    yield_times(2);
    port.send_with_capabilities(&[7], &[first.descriptor(), second.descriptor()], true)
        .expect_ok("SEND with two capabilities")?;
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
        info.transfer_count() == 2,
        "transfer count {}",
        info.transfer_count()
    );
    ensure_empty(
        first.descriptor(),
        "the first capability after it was moved",
    )?;
    ensure_empty(
        second.descriptor(),
        "the second capability after it was moved",
    )?;
    for (offset, expected) in addresses.iter().enumerate() {
        let moved = context.scratch.slot(arrival + offset as u64).expect("fits");
        let address = Frame::new(moved)
            .get_address()
            .expect_ok("GET_ADDRESS after the move")?;
        ensure!(
            address == *expected,
            "slot {offset} holds the frame at {address:#x}"
        );
    }
    Ok(())
}

/// [section 12] all capabilities move or none does: with a destination slot
/// occupied, the message arrives with transfer count 0 and the sender keeps them.
fn transfer_into_an_occupied_slot_moves_nothing_but_delivers_the_message(
    context: &mut Context,
) -> TestResult {
    let port = new_port(context)?;
    let frame = context.make_frame()?;
    let occupied = context.make(CapabilityType::Frame, SMALL_FRAME_BITS)?;
    ensure!(
        nun::ipc_buffer::set_transfer_destination(context.scratch.descriptor(), occupied.index),
        "no IPC buffer"
    );
    BOARD.set_input(0, port.descriptor().as_word());
    let thread = create(context, 0, receive_once, INIT_PRIORITY)?;
    thread
        .pcb
        .configure(&Configuration::new().ipc_buffer(RootSlot::IpcBuffer.descriptor()))
        .expect_ok("CONFIGURE of the IPC buffer")?;
    thread.pcb.resume().expect_ok("RESUME")?;
    yield_times(2);
    port.send_with_capabilities(&[9], &[frame.descriptor()], true)
        .expect_ok("SEND with a capability")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) == 1),
        "the receiver did not wake"
    );
    ensure!(BOARD.output(0, 0) == 9, "payload {:#x}", BOARD.output(0, 0));
    let info = MessageInfo::from_word(BOARD.output(0, 3))
        .map_err(|_| Failure::new(format_args!("bad message_info {:#x}", BOARD.output(0, 3))))?;
    ensure!(
        info.transfer_count() == 0,
        "transfer count {}",
        info.transfer_count()
    );
    frame
        .get_address()
        .expect_ok("GET_ADDRESS of the frame the sender kept")?;
    Ok(())
}

/// [section 12] with the block bit clear and no partner waiting, SEND and RECEIVE
/// fail with ILLEGAL_OPERATION and change nothing.
fn non_blocking_send_or_receive_without_a_partner_is_illegal_operation(
    context: &mut Context,
) -> TestResult {
    let port = new_port(context)?;
    expect_error(
        port.send(&[1], false),
        CapabilityError::IllegalOperation,
        "non-blocking SEND without a receiver",
    )?;
    expect_error(
        port.receive(false),
        CapabilityError::IllegalOperation,
        "non-blocking RECEIVE without a sender",
    )?;
    // Nothing was queued: a receiver started now still waits.
    start_receiver(context, port, receive_once)?;
    ensure!(
        BOARD.counter(0) == 0,
        "a refused SEND was delivered after all"
    );
    Ok(())
}

/// [section 12] REPLY with no caller to reply to is ILLEGAL_OPERATION.
fn reply_without_a_caller_is_illegal_operation(context: &mut Context) -> TestResult {
    let port = new_port(context)?;
    expect_error(
        port.reply(&[1]),
        CapabilityError::IllegalOperation,
        "REPLY without a caller",
    )
}

/// REPLY's authority is the reply state in the caller: a capability without any
/// right serves.
fn reply_needs_no_right(context: &mut Context) -> TestResult {
    let port = new_port(context)?;
    let no_rights = IpcPort::new(context.mint(port.descriptor(), Rights::NONE)?.descriptor);
    BOARD.set_input(0, port.descriptor().as_word());
    start(context, 0, call_once, INIT_PRIORITY)?;
    let request = port.receive(true).expect_ok("RECEIVE of the CALL")?;
    ensure!(
        request.payload(0) == 5 && request.payload(1) == 6,
        "request {} {}",
        request.payload(0),
        request.payload(1)
    );
    no_rights
        .reply(&[50])
        .expect_ok("REPLY through a capability without rights")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) == 1),
        "the caller did not wake"
    );
    ensure!(
        BOARD.value(0) == 0,
        "CALL failed with error {}",
        BOARD.value(0) - 1
    );
    ensure!(BOARD.output(0, 0) == 50, "reply {}", BOARD.output(0, 0));
    ensure!(
        BOARD.output(0, 2) == 0,
        "a reply's identifier is {:#x}",
        BOARD.output(0, 2)
    );
    Ok(())
}

/// [section 12] a receiver without an IPC buffer gets the 6 payload words that fit
/// in registers, and the delivered message_info says 6.
fn receiver_without_an_ipc_buffer_gets_at_most_6_words(context: &mut Context) -> TestResult {
    let port = new_port(context)?;
    start_receiver(context, port, receive_once)?;
    let payload = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
    port.send(&payload, true).expect_ok("SEND of 10 words")?;
    ensure!(
        yield_until(PATIENCE, || BOARD.counter(0) == 1),
        "the receiver did not wake"
    );
    let info = MessageInfo::from_word(BOARD.output(0, 3))
        .map_err(|_| Failure::new(format_args!("bad message_info {:#x}", BOARD.output(0, 3))))?;
    ensure!(info.length() == 6, "delivered length {}", info.length());
    ensure!(
        BOARD.output(0, 0) == 10 && BOARD.output(0, 1) == 11,
        "payload {} {}",
        BOARD.output(0, 0),
        BOARD.output(0, 1)
    );
    Ok(())
}

//! IPC ping-pong: a server thread in the child address space and init as the client
//! exchange 100,000 CALL/REPLY messages through an IPC port; the client's capability
//! carries an identifier the server checks on every message. At the end the client
//! signals a notification port bound to the server, which wakes the server from its
//! RECEIVE with a notification message.

use a9n_abi::{CapabilityType, MessageSource};
use nun::capability::{IpcPort, NotificationPort};

use crate::child_space::{
    ChildError, ChildSpace, kernel, set_shared_word, shared_word, yield_until,
};

/// Messages exchanged.
pub const ROUNDS: u64 = 100_000;
/// The identifier of the client's capability.
const CLIENT_IDENTIFIER: u64 = 0xc11e;
/// The identifier (bits) of the notification capability the client signals with.
const NOTIFICATION_BITS: u64 = 0b100;
/// Shared words the server reports in.
const SERVER_MESSAGES: u64 = 1;
const SERVER_BAD_IDENTIFIERS: u64 = 2;
const SERVER_NOTIFIED_BITS: u64 = 3;

/// The server: answers each CALL with its payload plus one; counts messages and
/// wrong identifiers; stops when a notification arrives. `port_index` is the slot
/// of its port in its root node.
extern "C" fn server(port_index: u64) -> ! {
    let port = IpcPort::new(ChildSpace::child_descriptor(port_index));
    let mut received = port.receive(true);
    let mut messages = 0;
    let mut bad = 0;
    loop {
        let Ok(message) = received else {
            received = port.receive(true);
            continue;
        };
        if message
            .info()
            .is_some_and(|info| info.source() == MessageSource::Notification)
        {
            set_shared_word(SERVER_MESSAGES, messages);
            set_shared_word(SERVER_BAD_IDENTIFIERS, bad);
            set_shared_word(SERVER_NOTIFIED_BITS, message.identifier());
            loop {
                nun::kernel_call::yield_now();
            }
        }
        messages += 1;
        if message.identifier() != CLIENT_IDENTIFIER {
            bad += 1;
        }
        received = port.reply_receive(&[message.payload(0) + 1]);
    }
}

/// Runs the exchange; returns the number of round trips checked.
pub fn run(child: &mut ChildSpace) -> Result<u64, ChildError> {
    for word in [
        SERVER_MESSAGES,
        SERVER_BAD_IDENTIFIERS,
        SERVER_NOTIFIED_BITS,
    ] {
        set_shared_word(word, 0);
    }
    let port = child.make(CapabilityType::IpcPort, 0)?;
    let notification = child.make(CapabilityType::NotificationPort, 0)?;
    let client_port = child.take_slot()?;
    kernel(
        "copy the client's port",
        child.work().copy(client_port.index, port.descriptor),
    )?;
    let client = IpcPort::new(client_port.descriptor);
    kernel("identify the client", client.identify(CLIENT_IDENTIFIER))?;
    let signal = NotificationPort::new(notification.descriptor);
    kernel(
        "identify the notification",
        signal.identify(NOTIFICATION_BITS),
    )?;

    let notification_descriptor = notification.descriptor;
    let thread = child.thread(
        server,
        port.index,
        a9n_abi::scheduling::INIT_PRIORITY,
        |configuration| configuration.notification_port(notification_descriptor),
    )?;
    kernel("resume the server", thread.resume())?;

    for round in 0..ROUNDS {
        let reply = kernel("CALL", client.call(&[round]))?;
        if reply.payload(0) != round + 1 {
            return Err(ChildError::Silent("a reply carried the wrong value"));
        }
    }
    kernel("NOTIFY", signal.notify())?;
    if !yield_until(1000, || {
        shared_word(SERVER_NOTIFIED_BITS) == NOTIFICATION_BITS
    }) {
        return Err(ChildError::Silent(
            "the server was not woken by the notification",
        ));
    }
    if shared_word(SERVER_MESSAGES) != ROUNDS || shared_word(SERVER_BAD_IDENTIFIERS) != 0 {
        return Err(ChildError::Silent(
            "the server saw a wrong count or identifier",
        ));
    }
    kernel("suspend the server", thread.suspend())?;
    Ok(ROUNDS)
}

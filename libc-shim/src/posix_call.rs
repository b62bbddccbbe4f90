//! Requests to posix-server: one CALL of at most six words through the process's
//! capability, the reply decoded; [`request`] waits and asks again while the
//! server says the call would block, and [`finish`] runs signal handlers a reply
//! announced.

use nun::capability::{IpcPort, NotificationPort};
use posix_server_api::{Errno, Operation, Reply};

/// One CALL: `[operation, arguments...]` (at most five arguments).
#[must_use]
pub fn call(operation: Operation, arguments: &[u64]) -> Reply {
    let mut words = [0u64; 6];
    words[0] = operation.as_word();
    let count = arguments.len().min(5);
    words[1..=count].copy_from_slice(&arguments[..count]);
    call_raw(&words[..=count])
}

/// One CALL of raw words (at most six; also for tests of how posix-server answers
/// malformed requests).
#[must_use]
pub fn call_raw(words: &[u64]) -> Reply {
    let Some(words) = words
        .get(..words.len().min(6))
        .filter(|words| !words.is_empty())
    else {
        return Reply::error(Errno::EINVAL);
    };
    let port = IpcPort::new(crate::start::info().posix_port);
    match port.call(words) {
        Ok(message) => {
            let length = message.info().map_or(0, |info| info.length()).min(6);
            let mut reply = [0u64; 6];
            for (index, word) in reply.iter_mut().enumerate().take(length) {
                *word = message.payload(index);
            }
            Reply::decode(&reply[..length])
        }
        // The server is gone: nothing can work any more.
        Err(_) => Reply::error(Errno::EIO),
    }
}

/// Waits until posix-server notifies this process.
pub fn wait_for_notification() {
    let _ = NotificationPort::new(crate::start::info().notification).wait();
}

/// Sends the request, with `prepare` putting its data into the shared buffer
/// before each attempt, until it does not block. Signal handlers announced while
/// it blocked run before it is asked again.
pub fn request(operation: Operation, arguments: &[u64], prepare: &mut dyn FnMut()) -> Reply {
    loop {
        crate::shared_buffer::set_in_request(true);
        prepare();
        let reply = call(operation, arguments);
        if !reply.blocks() {
            return reply;
        }
        crate::shared_buffer::set_in_request(false);
        if reply.signal_pending() {
            crate::signal::deliver_pending();
        } else {
            wait_for_notification();
        }
    }
}

/// A request without data.
#[must_use]
pub fn simple(operation: Operation, arguments: &[u64]) -> Reply {
    request(operation, arguments, &mut || {})
}

/// Runs the signal handlers `reply` announced (after the caller has copied the
/// reply's data out of the shared buffer) and returns the reply's outcome.
///
/// # Errors
/// The reply's errno.
pub fn finish(reply: &Reply) -> Result<u64, Errno> {
    crate::shared_buffer::set_in_request(false);
    if reply.signal_pending() {
        crate::signal::deliver_pending();
    }
    reply.outcome()
}

/// [`simple`] then [`finish`].
///
/// # Errors
/// The reply's errno.
pub fn simple_outcome(operation: Operation, arguments: &[u64]) -> Result<u64, Errno> {
    finish(&simple(operation, arguments))
}

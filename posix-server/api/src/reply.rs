//! The reply to every posix-server request: `[result, events, values...]`.
//!
//! - `result` is the call's return value as a two's-complement `i64`: `>= 0` on
//!   success, `-errno` on failure, or [`WOULD_BLOCK`]: the call cannot complete
//!   now; the process waits on its notification port and sends the same request
//!   again (posix-server never blocks; it notifies the process when the state it
//!   waits for may have changed, or when a signal arrives).
//! - `events` holds [`EVENT_SIGNAL_PENDING`]: a signal can be delivered; libc-shim
//!   then sends TAKE_SIGNAL (and runs the handler) before it returns to its caller.
//! - `values` are up to four more words, per operation.

use crate::errno::Errno;

/// Words in a reply.
pub const REPLY_WORDS: usize = 6;
/// The result that means "wait on the notification port, then ask again".
pub const WOULD_BLOCK: i64 = -512;
/// Events bit: a signal is pending and deliverable.
pub const EVENT_SIGNAL_PENDING: u64 = 1;

/// A decoded reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The result word.
    pub result: i64,
    /// The events word.
    pub events: u64,
    /// The values.
    pub values: [u64; REPLY_WORDS - 2],
}

impl Reply {
    /// A success with result `result` and no values.
    #[must_use]
    pub const fn ok(result: i64) -> Self {
        Self {
            result,
            events: 0,
            values: [0; REPLY_WORDS - 2],
        }
    }

    /// A success with values.
    #[must_use]
    pub const fn with_values(result: i64, values: [u64; REPLY_WORDS - 2]) -> Self {
        Self {
            result,
            events: 0,
            values,
        }
    }

    /// A failure.
    #[must_use]
    pub const fn error(errno: Errno) -> Self {
        Self::ok(-(errno.0 as i64))
    }

    /// "Wait, then ask again".
    #[must_use]
    pub const fn would_block() -> Self {
        Self::ok(WOULD_BLOCK)
    }

    /// The words to send.
    #[must_use]
    pub const fn encode(&self) -> [u64; REPLY_WORDS] {
        [
            self.result as u64,
            self.events,
            self.values[0],
            self.values[1],
            self.values[2],
            self.values[3],
        ]
    }

    /// The reply in `words` (missing words read as 0).
    #[must_use]
    pub fn decode(words: &[u64]) -> Self {
        let word = |index: usize| words.get(index).copied().unwrap_or(0);
        Self {
            result: word(0) as i64,
            events: word(1),
            values: [word(2), word(3), word(4), word(5)],
        }
    }

    /// The result as `Ok(value)` or `Err(errno)` ([`WOULD_BLOCK`] is not decoded
    /// here: check [`Reply::blocks`] first).
    ///
    /// # Errors
    /// The errno of a negative result (`EIO` for an unknown number).
    pub fn outcome(&self) -> Result<u64, Errno> {
        if self.result >= 0 {
            Ok(self.result as u64)
        } else {
            let number = self.result.unsigned_abs();
            Err(Errno::from_number(number).unwrap_or(Errno::EIO))
        }
    }

    /// Whether the call would block.
    #[must_use]
    pub const fn blocks(&self) -> bool {
        self.result == WOULD_BLOCK
    }

    /// Whether a signal is pending.
    #[must_use]
    pub const fn signal_pending(&self) -> bool {
        self.events & EVENT_SIGNAL_PENDING != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_round_trip() {
        let mut reply = Reply::with_values(7, [1, 2, 3, 4]);
        reply.events = EVENT_SIGNAL_PENDING;
        assert_eq!(Reply::decode(&reply.encode()), reply);
        assert!(reply.signal_pending());
        assert_eq!(Reply::error(Errno::ENOENT).outcome(), Err(Errno::ENOENT));
        assert_eq!(Reply::ok(3).outcome(), Ok(3));
        assert!(Reply::would_block().blocks());
        assert_eq!(Reply::decode(&[]).outcome(), Ok(0));
    }
}

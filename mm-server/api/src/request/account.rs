//! Accounting: SET_LIMIT and STATS.
//!
//! | request | words |
//! |---|---|
//! | SET_LIMIT | `[12, client, limit_bytes]` |
//! | STATS | `[13, client]` |
//!
//! `client` is a [`ClientId`]; 0 ([`ClientId::CALLER`]) is the caller. mm-server
//! decides who may set whose limit (PERMISSION otherwise). A limit of
//! [`UNLIMITED`] means no limit; a limit below the current use is allowed (further
//! allocations then fail with LIMIT_EXCEEDED). STATS replies with a
//! [`StatsReply`](crate::reply::StatsReply).

use crate::codec::arguments;
use crate::identifier::ClientId;
use crate::operation::Operation;
use crate::status::RequestError;

/// The limit that means "no limit".
pub const UNLIMITED: u64 = u64::MAX;

/// SET_LIMIT: the most memory (bytes of frames and kernel objects) a client may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SetLimit {
    /// The client.
    pub client: ClientId,
    /// Bytes, or [`UNLIMITED`].
    pub limit_bytes: u64,
}

impl SetLimit {
    fn to_words(self) -> [u64; 3] {
        [
            Operation::SetLimit.as_word(),
            self.client.0,
            self.limit_bytes,
        ]
    }

    /// Decodes a request (every client id and limit is well formed).
    ///
    /// # Errors
    /// The common errors of every request.
    pub fn decode(words: &[u64]) -> Result<Self, RequestError> {
        let [client, limit_bytes] = arguments(words, Operation::SetLimit)?;
        Ok(Self {
            client: ClientId(client),
            limit_bytes,
        })
    }
}
message_encoding!(SetLimit, 3);

/// STATS: memory figures, system-wide and for one client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stats {
    /// The client the per-client figures are about.
    pub client: ClientId,
}

impl Stats {
    fn to_words(self) -> [u64; 2] {
        [Operation::Stats.as_word(), self.client.0]
    }

    /// Decodes a request.
    ///
    /// # Errors
    /// The common errors of every request.
    pub fn decode(words: &[u64]) -> Result<Self, RequestError> {
        let [client] = arguments(words, Operation::Stats)?;
        Ok(Self {
            client: ClientId(client),
        })
    }
}
message_encoding!(Stats, 2);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_client_and_limit_is_accepted() {
        assert_eq!(
            SetLimit::decode(&[Operation::SetLimit.as_word(), 0, UNLIMITED]),
            Ok(SetLimit {
                client: ClientId::CALLER,
                limit_bytes: UNLIMITED
            })
        );
        assert_eq!(
            Stats::decode(&[Operation::Stats.as_word(), 42]),
            Ok(Stats {
                client: ClientId(42)
            })
        );
        assert_eq!(
            Stats::decode(&[Operation::Stats.as_word()]),
            Err(RequestError::WrongLength {
                expected: 2,
                found: 1
            })
        );
    }
}

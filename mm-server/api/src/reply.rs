//! Replies: word 0 is the status ([`STATUS_OK`] or an [`MmError`] code); a success
//! reply has the operation's result words after it, an error reply has nothing else.
//!
//! | reply | words | used by |
//! |---|---|---|
//! | [`EmptyReply`] | `[0]` | FREE_OBJECT, DESTROY_ADDRESS_SPACE, UNMAP, PROTECT, SET_LIMIT, REGISTER_FAULT_HANDLER |
//! | [`ObjectsReply`] | `[0, first_handle, count]` + `count` capabilities | ALLOCATE_OBJECT |
//! | [`SpaceReply`] | `[0, space]` + 2 capabilities | CREATE_ADDRESS_SPACE, CLONE_ADDRESS_SPACE |
//! | [`MapReply`] | `[0, address]` | MAP_ANONYMOUS, MAP_DEVICE, COPY_RANGE |
//! | [`SharedBufferReply`] | `[0, buffer, address1, address2]` | MAP_SHARED_BUFFER |
//! | [`BrkReply`] | `[0, break]` | BRK |
//! | [`StatsReply`] | `[0, total, free, used, limit, spaces, objects]` | STATS |
//! | error | `[code]` | any |

use crate::codec::{USER_ADDRESS_LIMIT, is_page_aligned, write};
use crate::identifier::{BufferId, ObjectHandle, SpaceId};
use crate::request::MAX_OBJECTS_PER_REQUEST;
use crate::status::{MmError, RequestError, STATUS_OK};

/// The longest reply, in words.
pub const MAX_REPLY_WORDS: usize = StatsReply::WORDS;

/// Writes an error reply (`[code]`); 1, or 0 if `words` is empty.
pub fn encode_error(error: MmError, words: &mut [u64]) -> usize {
    write(words, &[error.as_word()])
}

/// Splits a reply: `Ok(Err(error))` for an error reply, `Ok(Ok(fields))` for a
/// success reply with exactly `N` result words.
fn reply_fields<const N: usize>(words: &[u64]) -> Result<Result<[u64; N], MmError>, RequestError> {
    let (&status, rest) = words.split_first().ok_or(RequestError::Empty)?;
    if status != STATUS_OK {
        let error = MmError::from_word(status).ok_or(RequestError::UnknownStatus(status))?;
        return if rest.is_empty() {
            Ok(Err(error))
        } else {
            Err(RequestError::WrongLength {
                expected: 1,
                found: words.len(),
            })
        };
    }
    <[u64; N]>::try_from(rest)
        .map(Ok)
        .map_err(|_| RequestError::WrongLength {
            expected: N + 1,
            found: words.len(),
        })
}

/// A user address in a reply: page aligned and below the user limit.
fn user_address(address: u64) -> Result<u64, RequestError> {
    if !is_page_aligned(address) {
        Err(RequestError::Misaligned)
    } else if address >= USER_ADDRESS_LIMIT {
        Err(RequestError::OutOfRange)
    } else {
        Ok(address)
    }
}

/// Defines `encode` and `decode` for a reply type with an inherent
/// `fn to_fields(&self) -> [u64; N]` and `fn from_fields([u64; N]) -> Result<Self, _>`.
macro_rules! reply_encoding {
    ($name:ident, $fields:expr) => {
        impl $name {
            /// Words of the success reply (status included).
            pub const WORDS: usize = $fields + 1;

            /// Writes the success reply; the number of words written, or 0 if
            /// `words` is shorter than [`Self::WORDS`].
            pub fn encode(&self, words: &mut [u64]) -> usize {
                let fields: [u64; $fields] = self.to_fields();
                let mut message = [STATUS_OK; $fields + 1];
                for (slot, field) in message.iter_mut().skip(1).zip(fields) {
                    *slot = field;
                }
                write(words, &message)
            }

            /// Decodes a reply: `Ok(Ok(reply))`, or `Ok(Err(error))` for an error
            /// reply.
            ///
            /// # Errors
            /// [`RequestError::UnknownStatus`], [`RequestError::WrongLength`], or an
            /// invalid result field. Never panics.
            pub fn decode(words: &[u64]) -> Result<Result<Self, MmError>, RequestError> {
                match reply_fields::<$fields>(words)? {
                    Ok(fields) => Self::from_fields(fields).map(Ok),
                    Err(error) => Ok(Err(error)),
                }
            }
        }
    };
}

/// The success reply without results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmptyReply;

impl EmptyReply {
    #[allow(clippy::unused_self, reason = "same shape as every other reply")]
    fn to_fields(self) -> [u64; 0] {
        []
    }

    #[allow(clippy::unnecessary_wraps, reason = "same shape as every other reply")]
    fn from_fields([]: [u64; 0]) -> Result<Self, RequestError> {
        Ok(Self)
    }
}
reply_encoding!(EmptyReply, 0);

/// ALLOCATE_OBJECT's reply: handles `first..first + count`, and the `count`
/// capabilities transferred in the same order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectsReply {
    /// The first object's handle.
    pub first: ObjectHandle,
    /// How many objects, `1..=MAX_OBJECTS_PER_REQUEST`.
    pub count: usize,
}

impl ObjectsReply {
    fn to_fields(self) -> [u64; 2] {
        [self.first.get(), self.count as u64]
    }

    fn from_fields([first, count]: [u64; 2]) -> Result<Self, RequestError> {
        let first = ObjectHandle::new(first).ok_or(RequestError::ZeroIdentifier)?;
        if count == 0
            || count > MAX_OBJECTS_PER_REQUEST as u64
            || first.get().checked_add(count - 1).is_none()
        {
            return Err(RequestError::InvalidCount);
        }
        Ok(Self {
            first,
            count: count as usize,
        })
    }

    /// The handle of object `index` (`None` past `count`).
    #[must_use]
    pub fn handle(&self, index: usize) -> Option<ObjectHandle> {
        if index < self.count {
            ObjectHandle::new(self.first.get().checked_add(index as u64)?)
        } else {
            None
        }
    }
}
reply_encoding!(ObjectsReply, 2);

/// CREATE_ADDRESS_SPACE's and CLONE_ADDRESS_SPACE's reply; transfers the address
/// space capability, then the fault-resolver port capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpaceReply {
    /// The new address space.
    pub space: SpaceId,
}

impl SpaceReply {
    fn to_fields(self) -> [u64; 1] {
        [self.space.get()]
    }

    fn from_fields([space]: [u64; 1]) -> Result<Self, RequestError> {
        Ok(Self {
            space: SpaceId::new(space).ok_or(RequestError::ZeroIdentifier)?,
        })
    }
}
reply_encoding!(SpaceReply, 1);

/// The reply of MAP_ANONYMOUS, MAP_DEVICE and COPY_RANGE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapReply {
    /// Where the region starts.
    pub address: u64,
}

impl MapReply {
    fn to_fields(self) -> [u64; 1] {
        [self.address]
    }

    fn from_fields([address]: [u64; 1]) -> Result<Self, RequestError> {
        Ok(Self {
            address: user_address(address)?,
        })
    }
}
reply_encoding!(MapReply, 1);

/// MAP_SHARED_BUFFER's reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SharedBufferReply {
    /// The buffer (for accounting and stats).
    pub buffer: BufferId,
    /// Where it starts in the first address space.
    pub first_address: u64,
    /// Where it starts in the second address space.
    pub second_address: u64,
}

impl SharedBufferReply {
    fn to_fields(self) -> [u64; 3] {
        [self.buffer.get(), self.first_address, self.second_address]
    }

    fn from_fields([buffer, first, second]: [u64; 3]) -> Result<Self, RequestError> {
        Ok(Self {
            buffer: BufferId::new(buffer).ok_or(RequestError::ZeroIdentifier)?,
            first_address: user_address(first)?,
            second_address: user_address(second)?,
        })
    }
}
reply_encoding!(SharedBufferReply, 3);

/// BRK's reply: the break after the request (unchanged if it failed to move).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrkReply {
    /// The current break.
    pub current_break: u64,
}

impl BrkReply {
    fn to_fields(self) -> [u64; 1] {
        [self.current_break]
    }

    fn from_fields([current_break]: [u64; 1]) -> Result<Self, RequestError> {
        if current_break > USER_ADDRESS_LIMIT {
            return Err(RequestError::OutOfRange);
        }
        Ok(Self { current_break })
    }
}
reply_encoding!(BrkReply, 1);

/// STATS's reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatsReply {
    /// Bytes of RAM mm-server manages.
    pub total_bytes: u64,
    /// Bytes of it not in use.
    pub free_bytes: u64,
    /// Bytes the client holds (frames and kernel objects).
    pub client_used_bytes: u64,
    /// The client's limit ([`UNLIMITED`](crate::request::UNLIMITED) for none).
    pub client_limit_bytes: u64,
    /// Address spaces the client owns.
    pub client_address_spaces: u64,
    /// Objects the client holds from ALLOCATE_OBJECT.
    pub client_objects: u64,
}

impl StatsReply {
    fn to_fields(self) -> [u64; 6] {
        [
            self.total_bytes,
            self.free_bytes,
            self.client_used_bytes,
            self.client_limit_bytes,
            self.client_address_spaces,
            self.client_objects,
        ]
    }

    fn from_fields(
        [total, free, used, limit, spaces, objects]: [u64; 6],
    ) -> Result<Self, RequestError> {
        if free > total {
            return Err(RequestError::Inconsistent);
        }
        Ok(Self {
            total_bytes: total,
            free_bytes: free,
            client_used_bytes: used,
            client_limit_bytes: limit,
            client_address_spaces: spaces,
            client_objects: objects,
        })
    }
}
reply_encoding!(StatsReply, 6);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_replies_are_one_word() {
        let mut words = [0; 3];
        assert_eq!(encode_error(MmError::Overlap, &mut words), 1);
        assert_eq!(MapReply::decode(&words[..1]), Ok(Err(MmError::Overlap)));
        assert_eq!(
            MapReply::decode(&[MmError::Overlap.as_word(), 0]),
            Err(RequestError::WrongLength {
                expected: 1,
                found: 2
            })
        );
        assert_eq!(
            EmptyReply::decode(&[77]),
            Err(RequestError::UnknownStatus(77))
        );
        assert_eq!(encode_error(MmError::Overlap, &mut []), 0);
    }

    #[test]
    fn success_replies_round_trip() {
        let mut words = [0; MAX_REPLY_WORDS];
        let reply = ObjectsReply {
            first: ObjectHandle::new(10).unwrap(),
            count: 3,
        };
        assert_eq!(reply.encode(&mut words), 3);
        assert_eq!(ObjectsReply::decode(&words[..3]), Ok(Ok(reply)));
        assert_eq!(reply.handle(2).map(ObjectHandle::get), Some(12));
        assert_eq!(reply.handle(3), None);
        assert_eq!(EmptyReply.encode(&mut words), 1);
        assert_eq!(EmptyReply::decode(&words[..1]), Ok(Ok(EmptyReply)));
        assert_eq!(MapReply { address: 0x1000 }.encode(&mut words[..1]), 0);
    }

    #[test]
    fn reply_fields_are_validated() {
        assert_eq!(
            ObjectsReply::decode(&[0, u64::MAX, 2]),
            Err(RequestError::InvalidCount)
        );
        assert_eq!(
            MapReply::decode(&[0, 0x1001]),
            Err(RequestError::Misaligned)
        );
        assert_eq!(
            StatsReply::decode(&[0, 1, 2, 0, 0, 0, 0]),
            Err(RequestError::Inconsistent)
        );
        assert_eq!(
            SpaceReply::decode(&[0, 0]),
            Err(RequestError::ZeroIdentifier)
        );
    }
}

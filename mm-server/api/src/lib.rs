//! `mm-server-api`: the protocol of KOITO's memory server as types.
//!
//! A request is an IPC CALL to mm-server's port whose payload (MR4 onwards, at most
//! 255 words, see `a9n_abi::message_info`) is `[operation, arguments...]`; the reply
//! payload is `[status, results...]`. Capabilities travel by transfer: the reply to
//! ALLOCATE_OBJECT, CREATE_ADDRESS_SPACE and CLONE_ADDRESS_SPACE carries them, and
//! REGISTER_FAULT_HANDLER sends one.
//!
//! | # | operation | request words | reply |
//! |---|---|---|---|
//! | 1 | ALLOCATE_OBJECT | `type, specific, count` | [`ObjectsReply`] + caps |
//! | 2 | FREE_OBJECT | `handle` | [`EmptyReply`] |
//! | 3 | CREATE_ADDRESS_SPACE | - | [`SpaceReply`] + 2 caps |
//! | 4 | DESTROY_ADDRESS_SPACE | `space` | [`EmptyReply`] |
//! | 5 | MAP_ANONYMOUS | `space, address, length, protection, flags, stack_limit` | [`MapReply`] |
//! | 6 | MAP_DEVICE | `space, address, length, physical, protection` | [`MapReply`] |
//! | 7 | MAP_SHARED_BUFFER | `length, space1, address1, prot1, space2, address2, prot2` | [`SharedBufferReply`] |
//! | 8 | UNMAP | `space, address, length` | [`EmptyReply`] |
//! | 9 | PROTECT | `space, address, length, protection` | [`EmptyReply`] |
//! | 10 | BRK | `space, new_break, flags` | [`BrkReply`] |
//! | 11 | CLONE_ADDRESS_SPACE | `space` | [`SpaceReply`] + 2 caps |
//! | 12 | SET_LIMIT | `client, limit_bytes` | [`EmptyReply`] |
//! | 13 | STATS | `client` | [`StatsReply`] |
//! | 14 | REGISTER_FAULT_HANDLER | `space` (+ 0 or 1 cap) | [`EmptyReply`] |
//! | 15 | COPY_RANGE | `target_space, target_address, length, protection, flags, stack_limit, source_space, source_address` | [`MapReply`] |
//!
//! Every decoder validates every field (page alignment, ranges below the user
//! address limit or the physical limit, known flag bits, non-zero identifiers,
//! exact lengths) and never panics on any input; each message has exactly one
//! encoding. A request that does not decode is answered with
//! [`RequestError::status`].
//!
//! With the feature `client` (programs on A9N), `client::Client` makes the calls.
#![no_std]
#![forbid(unsafe_code)]

#[macro_use]
mod macros;
#[macro_use]
pub mod codec;

pub mod boot;
#[cfg(feature = "client")]
pub mod client;
pub mod fault;
pub mod identifier;
pub mod operation;
pub mod protection;
pub mod reply;
pub mod request;
pub mod status;

pub use codec::{PAGE_SIZE, PHYSICAL_ADDRESS_LIMIT, USER_ADDRESS_LIMIT, is_page_aligned};
pub use fault::{FaultAccess, FaultReason, ForwardedFault};
pub use identifier::{BufferId, ClientId, ObjectHandle, SpaceId};
pub use operation::Operation;
pub use protection::Protection;
pub use reply::{
    BrkReply, EmptyReply, MAX_REPLY_WORDS, MapReply, ObjectsReply, SharedBufferReply, SpaceReply,
    StatsReply, encode_error,
};
pub use request::Request;
pub use status::{MmError, RequestError, STATUS_OK};

// Every message fits in one IPC payload.
const _: () = {
    let limit = a9n_abi::message_info::MAX_MESSAGE_LENGTH;
    assert!(request::MAX_REQUEST_WORDS <= limit);
    assert!(reply::MAX_REPLY_WORDS <= limit);
    assert!(ForwardedFault::WORDS <= limit);
};

//! Requests: one type per operation, and [`Request`], which decodes any of them.
//!
//! Every request is `[operation, arguments...]` with exactly the words its
//! operation takes (trailing words are an error), so each request has exactly one
//! encoding: for any words that decode, encoding the result gives the same words.

pub mod account;
pub mod mapping;
pub mod object;
pub mod space;

use crate::operation::Operation;
use crate::status::RequestError;

pub use account::{SetLimit, Stats, UNLIMITED};
pub use mapping::{
    Brk, BrkFlags, CopyRange, MapAnonymous, MapDevice, MapFlags, MapSharedBuffer, Protect,
    SharedMapping, Unmap,
};
pub use object::{AllocateObject, FreeObject, MAX_OBJECTS_PER_REQUEST};
pub use space::{
    CloneAddressSpace, CreateAddressSpace, DestroyAddressSpace, RegisterFaultHandler,
    SPACE_REPLY_TRANSFERS,
};

/// The longest request, in words.
pub const MAX_REQUEST_WORDS: usize = CopyRange::WORDS;

/// Any request mm-server understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// ALLOCATE_OBJECT.
    AllocateObject(AllocateObject),
    /// FREE_OBJECT.
    FreeObject(FreeObject),
    /// CREATE_ADDRESS_SPACE.
    CreateAddressSpace(CreateAddressSpace),
    /// DESTROY_ADDRESS_SPACE.
    DestroyAddressSpace(DestroyAddressSpace),
    /// MAP_ANONYMOUS.
    MapAnonymous(MapAnonymous),
    /// MAP_DEVICE.
    MapDevice(MapDevice),
    /// MAP_SHARED_BUFFER.
    MapSharedBuffer(MapSharedBuffer),
    /// UNMAP.
    Unmap(Unmap),
    /// PROTECT.
    Protect(Protect),
    /// BRK.
    Brk(Brk),
    /// CLONE_ADDRESS_SPACE.
    CloneAddressSpace(CloneAddressSpace),
    /// SET_LIMIT.
    SetLimit(SetLimit),
    /// STATS.
    Stats(Stats),
    /// REGISTER_FAULT_HANDLER.
    RegisterFaultHandler(RegisterFaultHandler),
    /// COPY_RANGE.
    CopyRange(CopyRange),
}

impl Request {
    /// Decodes any request, dispatching on word 0.
    ///
    /// # Errors
    /// [`RequestError::Empty`], [`RequestError::UnknownOperation`], or the errors
    /// of the operation's own decoder. Never panics, whatever the words.
    pub fn decode(words: &[u64]) -> Result<Self, RequestError> {
        let &first = words.first().ok_or(RequestError::Empty)?;
        let operation = Operation::from_word(first).ok_or(RequestError::UnknownOperation(first))?;
        Ok(match operation {
            Operation::AllocateObject => Self::AllocateObject(AllocateObject::decode(words)?),
            Operation::FreeObject => Self::FreeObject(FreeObject::decode(words)?),
            Operation::CreateAddressSpace => {
                Self::CreateAddressSpace(CreateAddressSpace::decode(words)?)
            }
            Operation::DestroyAddressSpace => {
                Self::DestroyAddressSpace(DestroyAddressSpace::decode(words)?)
            }
            Operation::MapAnonymous => Self::MapAnonymous(MapAnonymous::decode(words)?),
            Operation::MapDevice => Self::MapDevice(MapDevice::decode(words)?),
            Operation::MapSharedBuffer => Self::MapSharedBuffer(MapSharedBuffer::decode(words)?),
            Operation::Unmap => Self::Unmap(Unmap::decode(words)?),
            Operation::Protect => Self::Protect(Protect::decode(words)?),
            Operation::Brk => Self::Brk(Brk::decode(words)?),
            Operation::CloneAddressSpace => {
                Self::CloneAddressSpace(CloneAddressSpace::decode(words)?)
            }
            Operation::SetLimit => Self::SetLimit(SetLimit::decode(words)?),
            Operation::Stats => Self::Stats(Stats::decode(words)?),
            Operation::RegisterFaultHandler => {
                Self::RegisterFaultHandler(RegisterFaultHandler::decode(words)?)
            }
            Operation::CopyRange => Self::CopyRange(CopyRange::decode(words)?),
        })
    }

    /// Writes the request into `words`; the number of words written, or 0 if
    /// `words` is too short ([`MAX_REQUEST_WORDS`] always suffices).
    pub fn encode(&self, words: &mut [u64]) -> usize {
        match self {
            Self::AllocateObject(request) => request.encode(words),
            Self::FreeObject(request) => request.encode(words),
            Self::CreateAddressSpace(request) => request.encode(words),
            Self::DestroyAddressSpace(request) => request.encode(words),
            Self::MapAnonymous(request) => request.encode(words),
            Self::MapDevice(request) => request.encode(words),
            Self::MapSharedBuffer(request) => request.encode(words),
            Self::Unmap(request) => request.encode(words),
            Self::Protect(request) => request.encode(words),
            Self::Brk(request) => request.encode(words),
            Self::CloneAddressSpace(request) => request.encode(words),
            Self::SetLimit(request) => request.encode(words),
            Self::Stats(request) => request.encode(words),
            Self::RegisterFaultHandler(request) => request.encode(words),
            Self::CopyRange(request) => request.encode(words),
        }
    }

    /// The operation of this request.
    #[must_use]
    pub const fn operation(&self) -> Operation {
        match self {
            Self::AllocateObject(_) => Operation::AllocateObject,
            Self::FreeObject(_) => Operation::FreeObject,
            Self::CreateAddressSpace(_) => Operation::CreateAddressSpace,
            Self::DestroyAddressSpace(_) => Operation::DestroyAddressSpace,
            Self::MapAnonymous(_) => Operation::MapAnonymous,
            Self::MapDevice(_) => Operation::MapDevice,
            Self::MapSharedBuffer(_) => Operation::MapSharedBuffer,
            Self::Unmap(_) => Operation::Unmap,
            Self::Protect(_) => Operation::Protect,
            Self::Brk(_) => Operation::Brk,
            Self::CloneAddressSpace(_) => Operation::CloneAddressSpace,
            Self::SetLimit(_) => Operation::SetLimit,
            Self::Stats(_) => Operation::Stats,
            Self::RegisterFaultHandler(_) => Operation::RegisterFaultHandler,
            Self::CopyRange(_) => Operation::CopyRange,
        }
    }
}

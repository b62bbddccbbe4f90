//! A typed client of mm-server (feature `client`, for programs on A9N built with
//! Nun): one method per operation, each a CALL through the client's capability,
//! with the reply decoded and checked. Capabilities a reply transfers land in the
//! slots the caller names ([`Destination`]).
//!
//! ```ignore
//! use mm_server_api::client::{Client, Destination};
//!
//! let mm = Client::new(my_client_capability);
//! let stats = mm.stats(mm_server_api::ClientId::CALLER)?;
//! let space = mm.create_address_space(Destination::new(node, 40))?; // slots 40, 41
//! ```

use a9n_abi::{CapabilityError, Descriptor};
use nun::capability::{IpcPort, ReceivedMessage};
use nun::ipc_buffer;

use crate::reply::{
    BrkReply, EmptyReply, MAX_REPLY_WORDS, MapReply, ObjectsReply, SharedBufferReply, SpaceReply,
    StatsReply,
};
use crate::request::{
    AllocateObject, Brk, CloneAddressSpace, CopyRange, CreateAddressSpace, DestroyAddressSpace,
    FreeObject, MapAnonymous, MapDevice, MapSharedBuffer, Protect, RegisterFaultHandler,
    SPACE_REPLY_TRANSFERS, SetLimit, Stats, Unmap,
};
use crate::{ClientId, MmError, ObjectHandle, RequestError, SpaceId};

/// Why a call did not succeed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientError {
    /// The kernel refused the CALL.
    Kernel(CapabilityError),
    /// mm-server refused the request.
    Refused(MmError),
    /// The reply did not decode.
    Malformed(RequestError),
    /// The reply did not bring the capabilities it should have (the destination
    /// slots were taken, or too few).
    MissingCapabilities,
}

impl From<CapabilityError> for ClientError {
    fn from(error: CapabilityError) -> Self {
        Self::Kernel(error)
    }
}

/// Where the capabilities of a reply go: consecutive slots of a node, from
/// `first_index` (resolved in the caller's root).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Destination {
    /// The node.
    pub node: Descriptor,
    /// The first slot.
    pub first_index: u64,
}

impl Destination {
    /// Slots `first_index..` of `node`.
    #[must_use]
    pub const fn new(node: Descriptor, first_index: u64) -> Self {
        Self { node, first_index }
    }
}

/// A reply's words and how many capabilities came with it.
pub struct RawReply {
    words: [u64; MAX_REPLY_WORDS + 1],
    length: usize,
    /// Capabilities transferred with the reply.
    pub transferred: usize,
}

impl RawReply {
    fn from_message(message: &ReceivedMessage) -> Self {
        let info = message.info();
        let length = info.map_or(0, |info| info.length());
        let mut words = [0; MAX_REPLY_WORDS + 1];
        for (index, word) in words.iter_mut().enumerate().take(length) {
            *word = message.payload(index);
        }
        Self {
            words,
            length: length.min(MAX_REPLY_WORDS + 1),
            transferred: info.map_or(0, |info| info.transfer_count()),
        }
    }

    /// The payload words (at most one more than the longest reply).
    #[must_use]
    pub fn words(&self) -> &[u64] {
        self.words.get(..self.length).unwrap_or(&[])
    }
}

fn decoded<T>(decode: Result<Result<T, MmError>, RequestError>) -> Result<T, ClientError> {
    match decode {
        Ok(Ok(reply)) => Ok(reply),
        Ok(Err(error)) => Err(ClientError::Refused(error)),
        Err(error) => Err(ClientError::Malformed(error)),
    }
}

/// A client of mm-server: its client capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Client {
    port: IpcPort,
}

impl Client {
    /// The client calling through the capability `port`.
    #[must_use]
    pub const fn new(port: Descriptor) -> Self {
        Self {
            port: IpcPort::new(port),
        }
    }

    /// Sends `words` (any words: for tests of bad requests too), with `sending`
    /// capabilities, capabilities of the reply going to `destination`.
    ///
    /// # Errors
    /// [`ClientError::Kernel`].
    pub fn call_raw(
        &self,
        words: &[u64],
        sending: &[Descriptor],
        destination: Option<Destination>,
    ) -> Result<RawReply, ClientError> {
        if let Some(destination) = destination {
            ipc_buffer::set_transfer_destination(destination.node, destination.first_index);
        }
        let message = if sending.is_empty() {
            self.port.call(words)?
        } else {
            self.port.call_with_capabilities(words, sending)?
        };
        Ok(RawReply::from_message(&message))
    }

    fn call(
        &self,
        words: &[u64],
        destination: Option<Destination>,
        expected: usize,
    ) -> Result<RawReply, ClientError> {
        let reply = self.call_raw(words, &[], destination)?;
        let success = reply.words().first() == Some(&crate::STATUS_OK);
        if success && reply.transferred != expected {
            return Err(ClientError::MissingCapabilities);
        }
        Ok(reply)
    }

    /// STATS.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn stats(&self, client: ClientId) -> Result<StatsReply, ClientError> {
        let mut words = [0; Stats::WORDS];
        Stats { client }.encode(&mut words);
        decoded(StatsReply::decode(self.call(&words, None, 0)?.words()))
    }

    /// ALLOCATE_OBJECT: the objects' capabilities go to `destination`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn allocate_objects(
        &self,
        request: AllocateObject,
        destination: Destination,
    ) -> Result<ObjectsReply, ClientError> {
        let mut words = [0; AllocateObject::WORDS];
        request.encode(&mut words);
        let reply = self.call(&words, Some(destination), request.count)?;
        decoded(ObjectsReply::decode(reply.words()))
    }

    /// FREE_OBJECT.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn free_object(&self, handle: ObjectHandle) -> Result<(), ClientError> {
        let mut words = [0; FreeObject::WORDS];
        FreeObject { handle }.encode(&mut words);
        decoded(EmptyReply::decode(self.call(&words, None, 0)?.words())).map(|_| ())
    }

    /// CREATE_ADDRESS_SPACE: the address space and its fault-resolver capability go
    /// to `destination` (two slots).
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn create_address_space(&self, destination: Destination) -> Result<SpaceId, ClientError> {
        let mut words = [0; CreateAddressSpace::WORDS];
        CreateAddressSpace.encode(&mut words);
        let reply = self.call(&words, Some(destination), SPACE_REPLY_TRANSFERS)?;
        decoded(SpaceReply::decode(reply.words())).map(|reply| reply.space)
    }

    /// CLONE_ADDRESS_SPACE: as CREATE.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn clone_address_space(
        &self,
        space: SpaceId,
        destination: Destination,
    ) -> Result<SpaceId, ClientError> {
        let mut words = [0; CloneAddressSpace::WORDS];
        CloneAddressSpace { space }.encode(&mut words);
        let reply = self.call(&words, Some(destination), SPACE_REPLY_TRANSFERS)?;
        decoded(SpaceReply::decode(reply.words())).map(|reply| reply.space)
    }

    /// DESTROY_ADDRESS_SPACE.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn destroy_address_space(&self, space: SpaceId) -> Result<(), ClientError> {
        let mut words = [0; DestroyAddressSpace::WORDS];
        DestroyAddressSpace { space }.encode(&mut words);
        decoded(EmptyReply::decode(self.call(&words, None, 0)?.words())).map(|_| ())
    }

    /// MAP_ANONYMOUS: where the region starts.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn map_anonymous(&self, request: MapAnonymous) -> Result<u64, ClientError> {
        let mut words = [0; MapAnonymous::WORDS];
        request.encode(&mut words);
        decoded(MapReply::decode(self.call(&words, None, 0)?.words())).map(|reply| reply.address)
    }

    /// MAP_DEVICE: where the region starts.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn map_device(&self, request: MapDevice) -> Result<u64, ClientError> {
        let mut words = [0; MapDevice::WORDS];
        request.encode(&mut words);
        decoded(MapReply::decode(self.call(&words, None, 0)?.words())).map(|reply| reply.address)
    }

    /// MAP_SHARED_BUFFER.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn map_shared_buffer(
        &self,
        request: MapSharedBuffer,
    ) -> Result<SharedBufferReply, ClientError> {
        let mut words = [0; MapSharedBuffer::WORDS];
        request.encode(&mut words);
        decoded(SharedBufferReply::decode(
            self.call(&words, None, 0)?.words(),
        ))
    }

    /// UNMAP.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn unmap(&self, request: Unmap) -> Result<(), ClientError> {
        let mut words = [0; Unmap::WORDS];
        request.encode(&mut words);
        decoded(EmptyReply::decode(self.call(&words, None, 0)?.words())).map(|_| ())
    }

    /// PROTECT.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn protect(&self, request: Protect) -> Result<(), ClientError> {
        let mut words = [0; Protect::WORDS];
        request.encode(&mut words);
        decoded(EmptyReply::decode(self.call(&words, None, 0)?.words())).map(|_| ())
    }

    /// BRK: the break afterwards.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn brk(&self, request: Brk) -> Result<u64, ClientError> {
        let mut words = [0; Brk::WORDS];
        request.encode(&mut words);
        decoded(BrkReply::decode(self.call(&words, None, 0)?.words()))
            .map(|reply| reply.current_break)
    }

    /// COPY_RANGE: where the new region starts in the target space.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn copy_range(&self, request: CopyRange) -> Result<u64, ClientError> {
        let mut words = [0; CopyRange::WORDS];
        request.encode(&mut words);
        decoded(MapReply::decode(self.call(&words, None, 0)?.words())).map(|reply| reply.address)
    }

    /// SET_LIMIT.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn set_limit(&self, client: ClientId, limit_bytes: u64) -> Result<(), ClientError> {
        let mut words = [0; SetLimit::WORDS];
        SetLimit {
            client,
            limit_bytes,
        }
        .encode(&mut words);
        decoded(EmptyReply::decode(self.call(&words, None, 0)?.words())).map(|_| ())
    }

    /// REGISTER_FAULT_HANDLER: `handler` (moved to mm-server) receives the space's
    /// unresolved faults; `None` removes the handler.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn register_fault_handler(
        &self,
        space: SpaceId,
        handler: Option<Descriptor>,
    ) -> Result<(), ClientError> {
        let mut words = [0; RegisterFaultHandler::WORDS];
        RegisterFaultHandler { space }.encode(&mut words);
        let sending: &[Descriptor] = match &handler {
            Some(handler) => core::slice::from_ref(handler),
            None => &[],
        };
        let reply = self.call_raw(&words, sending, None)?;
        decoded(EmptyReply::decode(reply.words())).map(|_| ())
    }
}

//! One request from a client: decode, act, and the answer to send back.

use alloc::vec::Vec;

use mm_server::address_space::AddressSpace as SpaceMaps;
use mm_server_api::boot::INIT_CLIENT;
use mm_server_api::request::{MAX_REQUEST_WORDS, RegisterFaultHandler, SetLimit, Stats};
use mm_server_api::{
    BrkReply, ClientId, EmptyReply, MAX_REPLY_WORDS, MapReply, MmError, Request, SharedBufferReply,
    SpaceReply, encode_error,
};

use super::failure::Failure;
use super::slots::SlotRef;
use super::state::Server;

/// A reply payload.
#[derive(Clone, Copy, Debug)]
pub struct ReplyWords {
    words: [u64; MAX_REPLY_WORDS],
    length: usize,
}

impl ReplyWords {
    /// An empty payload (the reply to a resolved fault).
    pub const EMPTY: Self = Self {
        words: [0; MAX_REPLY_WORDS],
        length: 0,
    };

    /// The payload made by `encode`.
    pub fn from(encode: impl FnOnce(&mut [u64]) -> usize) -> Self {
        let mut words = [0; MAX_REPLY_WORDS];
        let length = encode(&mut words);
        Self { words, length }
    }

    /// The words to send.
    pub fn as_slice(&self) -> &[u64] {
        self.words.get(..self.length).unwrap_or(&[])
    }
}

/// What to send back.
pub enum Answer {
    /// A reply.
    Reply(ReplyWords),
    /// A reply that moves these capabilities to the caller.
    ReplyWithCapabilities(ReplyWords, Vec<SlotRef>),
    /// No reply (a fault that was forwarded).
    Silent,
}

fn error(failure: Failure) -> Answer {
    Answer::Reply(ReplyWords::from(|words| {
        encode_error(failure.status(), words)
    }))
}

fn empty(result: Result<(), Failure>) -> Answer {
    match result {
        Ok(()) => Answer::Reply(ReplyWords::from(|words| EmptyReply.encode(words))),
        Err(failure) => error(failure),
    }
}

impl Server {
    /// Serves the request in `words` from `client`; `received` capabilities came
    /// with it (in the inbox run).
    pub fn request(&mut self, client: ClientId, words: &[u64], received: usize) -> Answer {
        if words.len() > MAX_REQUEST_WORDS {
            return error(Failure::Refused(MmError::InvalidArgument));
        }
        let request = match Request::decode(words) {
            Ok(request) => request,
            Err(decode) => return error(Failure::Refused(decode.status())),
        };
        if received > 0 && !matches!(request, Request::RegisterFaultHandler(_)) {
            return error(Failure::Refused(MmError::InvalidArgument));
        }
        match request {
            Request::AllocateObject(request) => match self.allocate_objects(client, request) {
                Ok((reply, capabilities)) => Answer::ReplyWithCapabilities(
                    ReplyWords::from(|words| reply.encode(words)),
                    capabilities,
                ),
                Err(failure) => error(failure),
            },
            Request::FreeObject(request) => empty(self.free_object(client, request)),
            Request::CreateAddressSpace(_) => {
                let made = self.create_space(client, SpaceMaps::new());
                self.space_answer(made)
            }
            Request::DestroyAddressSpace(request) => empty(
                self.owned_space(client, request.space)
                    .map(|_| ())
                    .map(|()| self.destroy_space(request.space)),
            ),
            Request::MapAnonymous(request) => map_answer(self.map_anonymous(client, request)),
            Request::MapDevice(request) => map_answer(self.map_device(client, request)),
            Request::MapSharedBuffer(request) => match self.map_shared_buffer(client, request) {
                Ok((buffer, first_address, second_address)) => {
                    Answer::Reply(ReplyWords::from(|words| {
                        SharedBufferReply {
                            buffer,
                            first_address,
                            second_address,
                        }
                        .encode(words)
                    }))
                }
                Err(failure) => error(failure),
            },
            Request::Unmap(request) => empty(self.unmap(client, request)),
            Request::Protect(request) => empty(self.protect(client, request)),
            Request::Brk(request) => match self.brk(client, request) {
                Ok(current_break) => Answer::Reply(ReplyWords::from(|words| {
                    BrkReply { current_break }.encode(words)
                })),
                Err(failure) => error(failure),
            },
            Request::CloneAddressSpace(request) => {
                let cloned = self.clone_space(client, request.space);
                self.space_answer(cloned)
            }
            Request::SetLimit(request) => empty(self.set_limit(client, request)),
            Request::Stats(request) => match self.stats(client, request) {
                Ok(stats) => Answer::Reply(ReplyWords::from(|words| stats.encode(words))),
                Err(failure) => error(failure),
            },
            Request::RegisterFaultHandler(request) => {
                empty(self.register_fault_handler(client, request, received))
            }
            Request::CopyRange(request) => map_answer(self.copy_range(client, request)),
        }
    }

    fn space_answer(
        &self,
        made: Result<(mm_server_api::SpaceId, [SlotRef; 2]), Failure>,
    ) -> Answer {
        match made {
            Ok((space, capabilities)) => Answer::ReplyWithCapabilities(
                ReplyWords::from(|words| SpaceReply { space }.encode(words)),
                capabilities.to_vec(),
            ),
            Err(failure) => error(failure),
        }
    }

    /// SET_LIMIT: init (client 1) sets anyone's limit; a client may only lower its
    /// own.
    fn set_limit(&mut self, client: ClientId, request: SetLimit) -> Result<(), Failure> {
        let target = if request.client == ClientId::CALLER {
            client
        } else {
            request.client
        };
        let allowed = client.0 == INIT_CLIENT
            || (target == client && request.limit_bytes <= self.accounts.get(client).limit_bytes);
        if !allowed {
            return Err(Failure::Refused(MmError::Permission));
        }
        self.accounts.set_limit(target, request.limit_bytes);
        Ok(())
    }

    /// STATS: a client's own figures, or anyone's for init.
    fn stats(
        &self,
        client: ClientId,
        request: Stats,
    ) -> Result<mm_server_api::StatsReply, Failure> {
        let target = if request.client == ClientId::CALLER {
            client
        } else {
            request.client
        };
        if target != client && client.0 != INIT_CLIENT {
            return Err(Failure::Refused(MmError::Permission));
        }
        Ok(self.accounts.stats(
            target,
            self.memory
                .buddy
                .total_bytes(mm_server::buddy_allocator::MemoryKind::Ram),
            self.memory.free_ram(),
        ))
    }

    /// REGISTER_FAULT_HANDLER: the capability that came along (if any) becomes the
    /// space's handler.
    fn register_fault_handler(
        &mut self,
        client: ClientId,
        request: RegisterFaultHandler,
        received: usize,
    ) -> Result<(), Failure> {
        self.owned_space(client, request.space)?;
        if received > 1 {
            return Err(Failure::Refused(MmError::InvalidArgument));
        }
        let handler = if received == 1 {
            Some(self.take_inbox_capability()?)
        } else {
            None
        };
        if let Some(space) = self.spaces.get_mut(&request.space) {
            let old = core::mem::replace(&mut space.handler, handler);
            if let Some(old) = old {
                self.memory.discard(old);
            }
        }
        Ok(())
    }
}

fn map_answer(result: Result<u64, Failure>) -> Answer {
    match result {
        Ok(address) => Answer::Reply(ReplyWords::from(|words| MapReply { address }.encode(words))),
        Err(failure) => error(failure),
    }
}

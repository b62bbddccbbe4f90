//! The service loop: receive on the service port (requests from clients, faults
//! of managed threads), act, reply; between messages keep the heap and the slot
//! tree supplied. Capabilities sent with a message land in the inbox, a run of
//! slots reserved for them.

use a9n_abi::message_info::MAX_TRANSFER_COUNT;
use a9n_abi::{CapabilityError, MessageSource};
use mm_server_api::ClientId;
use mm_server_api::boot::CLIENT_IDENTIFIER_LIMIT;
use mm_server_api::request::MAX_REQUEST_WORDS;
use nun::capability::ReceivedMessage;
use nun::ipc_buffer;

use super::failure::{Failure, kernel};
use mm_server::memory_reserve::heap_shortfall;

use super::own_space::{HEAP_GROWTH, grow_heap};
use super::pager::{FaultMessage, Outcome};
use super::requests::{Answer, ReplyWords};
use super::slots::SlotRef;
use super::state::Server;

impl Server {
    /// Moves the first inbox capability to a slot of its own.
    pub fn take_inbox_capability(&mut self) -> Result<SlotRef, Failure> {
        let slot = self.memory.take_slots(1)?;
        let (node, index) = self.memory.slots.location(slot);
        let source = self.memory.slots.descriptor(self.inbox);
        match kernel(
            "take a received capability",
            node.move_capability(index, source),
        ) {
            Ok(()) => Ok(slot),
            Err(failure) => {
                self.memory.slots.free(slot);
                Err(failure)
            }
        }
    }

    /// Empties the first `count` inbox slots.
    fn clear_inbox(&mut self, count: usize) {
        let SlotRef::Tree(first) = self.inbox else {
            return;
        };
        for offset in 0..count.min(MAX_TRANSFER_COUNT) as u32 {
            let slot = SlotRef::Tree(first + offset);
            let _ = self.memory.slots.revoke(slot);
            let _ = self.memory.slots.remove(slot);
        }
    }

    /// Grows the heap until it has its headroom
    /// (`mm_server::memory_reserve::heap_headroom`) and `extra` bytes more free;
    /// whether it has them.
    pub fn ensure_heap(&mut self, extra: u64) -> bool {
        loop {
            if self.heap_shortfall(extra) == 0 {
                return true;
            }
            if let Err(failure) = grow_heap(&mut self.memory, &mut self.own_tables, self.heap) {
                nun::debug_println!("mm-server: cannot grow the heap: {failure:?}");
                return false;
            }
        }
    }

    /// Makes room on the heap for a request whose bookkeeping needs `extra` bytes
    /// (a clone, a range copy): NO_MEMORY if the growth it needs would dig into
    /// the reserve or cannot be had, before anything changed.
    pub fn heap_for_request(&mut self, extra: u64) -> Result<(), Failure> {
        let shortfall = self.heap_shortfall(extra);
        if shortfall == 0 {
            return Ok(());
        }
        if !self
            .memory
            .can_spare(shortfall.next_multiple_of(HEAP_GROWTH))
        {
            return Err(Failure::Refused(mm_server_api::MmError::NoMemory));
        }
        if self.ensure_heap(extra) {
            Ok(())
        } else {
            Err(Failure::Refused(mm_server_api::MmError::NoMemory))
        }
    }

    /// Heap bytes missing for the headroom and `extra` more.
    fn heap_shortfall(&self, extra: u64) -> u64 {
        let size = (super::HEAP_INITIAL as u64).saturating_add(self.heap.extension_bytes());
        heap_shortfall(self.heap.free_bytes(), size, extra)
    }

    /// Keeps the heap above its reserve and gives back empty slot leaves.
    fn maintain(&mut self) {
        let _ = self.ensure_heap(0);
        self.memory.release_empty_leaves();
    }

    /// Acts on one message.
    fn dispatch(&mut self, message: &ReceivedMessage) -> Answer {
        let Some(info) = message.info() else {
            return Answer::Silent;
        };
        match info.source() {
            MessageSource::Fault => {
                let fault = FaultMessage {
                    identifier: message.identifier(),
                    fault_type: message.payload(0),
                    instruction_pointer: message.payload(1),
                    address: message.payload(2),
                    error_code: message.payload(3),
                };
                match self.handle_fault(fault) {
                    Outcome::Resolved => Answer::Reply(ReplyWords::EMPTY),
                    Outcome::Forwarded => Answer::Silent,
                }
            }
            MessageSource::Normal => {
                let received = info.transfer_count();
                let identifier = message.identifier();
                let answer = if identifier == 0 || identifier >= CLIENT_IDENTIFIER_LIMIT {
                    // Not a client capability (a fault resolver's, or unidentified).
                    Answer::Reply(ReplyWords::from(|words| {
                        mm_server_api::encode_error(mm_server_api::MmError::Permission, words)
                    }))
                } else {
                    let length = info.length().min(MAX_REQUEST_WORDS + 1);
                    let mut words = [0; MAX_REQUEST_WORDS + 1];
                    for (index, word) in words.iter_mut().enumerate().take(length) {
                        *word = message.payload(index);
                    }
                    self.request(ClientId(identifier), &words[..length], received)
                };
                self.clear_inbox(received);
                answer
            }
            _ => Answer::Silent,
        }
    }

    /// Serves forever.
    pub fn serve(&mut self) -> ! {
        let mut pending: Option<ReplyWords> = None;
        loop {
            self.maintain();
            let (node, index) = self.memory.slots.location(self.inbox);
            if !ipc_buffer::set_transfer_destination(node.descriptor(), index) {
                nun::debug_println!("mm-server: no IPC buffer for the inbox");
            }
            let received: Result<ReceivedMessage, CapabilityError> = match pending.take() {
                Some(reply) => self.service.reply_receive(reply.as_slice()),
                None => self.service.receive(true),
            };
            let message = match received {
                Ok(message) => message,
                Err(error) => {
                    nun::debug_println!("mm-server: receive failed: {}", error.name());
                    continue;
                }
            };
            match self.dispatch(&message) {
                Answer::Reply(words) => pending = Some(words),
                Answer::ReplyWithCapabilities(words, capabilities) => {
                    let descriptors: alloc::vec::Vec<_> = capabilities
                        .iter()
                        .map(|&slot| self.memory.slots.descriptor(slot))
                        .collect();
                    if let Err(error) = self
                        .service
                        .reply_with_capabilities(words.as_slice(), &descriptors)
                    {
                        nun::debug_println!("mm-server: reply failed: {}", error.name());
                    }
                    // Moved to the caller, or still here if its slots were taken.
                    for slot in capabilities {
                        self.memory.discard(slot);
                    }
                }
                Answer::Silent => {}
            }
        }
    }
}

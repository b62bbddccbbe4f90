//! The pager: a fault of a managed space arrives as a kernel-made CALL; the
//! library decides what to do ([`mm_server::fault_decision::decide`]) and this
//! module does it (new zeroed frames, copy-on-write copies, stack growth, shared
//! buffer pages, device pages), or forwards the fault to the space's registered
//! handler.

use a9n_abi::fault::FaultType;
use mm_server::fault_decision::{Fault, FaultDecision, SMALL_FRAME_BITS, decide};
use mm_server::page_map::Mapping;
use mm_server_api::{
    BufferId, FaultAccess, FaultReason, ForwardedFault, MmError, Protection, SpaceId,
};
use nun::capability::IpcPort;

use super::failure::{Failure, ignore};
use super::own_space::copy_frame;
use super::paging::{Charge, attributes, frame_size, map_frame_charged};
use super::state::Server;

/// What became of a fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Resolved: reply, and the thread retries the access.
    Resolved,
    /// Not resolved: the thread stays blocked (the handler, if any, was told).
    Forwarded,
}

/// A fault message, as the kernel delivered it.
#[derive(Clone, Copy, Debug)]
pub struct FaultMessage {
    /// The fault-resolver identifier (names the space).
    pub identifier: u64,
    /// MR4: the fault type.
    pub fault_type: u64,
    /// MR5: the instruction pointer.
    pub instruction_pointer: u64,
    /// MR6: the fault address (memory faults).
    pub address: u64,
    /// MR7: the page-fault error code (memory faults).
    pub error_code: u64,
}

impl Server {
    /// Handles one fault.
    pub fn handle_fault(&mut self, message: FaultMessage) -> Outcome {
        let Some(id) = super::spaces::space_of_fault(message.identifier) else {
            return Outcome::Forwarded;
        };
        let memory_fault = matches!(
            FaultType::from_word(message.fault_type),
            Some(FaultType::Memory | FaultType::MemoryInstructionFetch)
        );
        let access = FaultAccess::from_page_fault_error_code(message.error_code);
        if !memory_fault {
            // The handler learns which fault it was from the address word.
            let message = FaultMessage {
                address: message.fault_type,
                ..message
            };
            self.forward(id, message, FaultAccess::Execute, FaultReason::Unsupported);
            return Outcome::Forwarded;
        }
        let Some(space) = self.spaces.get(&id) else {
            return Outcome::Forwarded;
        };
        let fault = Fault {
            address: message.address,
            access,
        };
        let decision = decide(&space.maps.regions, &space.maps.pages, &self.frames, fault);
        let result = match decision {
            FaultDecision::AlreadyMapped => {
                if self.repeated_fault(id, message.address) && self.path_broken(id, message.address)
                {
                    // Mapped as far as mm-server knows, yet the thread faults
                    // again: the page tables were taken away under it (a client
                    // freed a table it had put in the space). Drop the stale
                    // mapping and decide again.
                    self.drop_mappings(id, message.address, message.address + 1);
                    return self.handle_fault(message);
                }
                Ok(())
            }
            FaultDecision::Forward(reason) => {
                self.forward(id, message, access, reason);
                return Outcome::Forwarded;
            }
            FaultDecision::MapZero {
                address,
                size_bits,
                protection,
            } => self.map_zero(id, address, size_bits, protection, message.address),
            FaultDecision::GrowStack {
                growth,
                address,
                protection,
            } => self
                .spaces
                .get_mut(&id)
                .ok_or(Failure::Refused(MmError::NoSuchAddressSpace))
                .and_then(|space| {
                    space
                        .maps
                        .regions
                        .grow_stack(growth)
                        .map_err(|error| Failure::Refused(error.into()))
                })
                .and_then(|()| self.map_zero(id, address, SMALL_FRAME_BITS, protection, address)),
            FaultDecision::CopyOnWrite {
                address,
                frame,
                size_bits,
                protection,
            } => self.copy_on_write(id, address, frame, size_bits, protection),
            FaultDecision::MakeWritable {
                address,
                protection,
                ..
            } => self.make_writable(id, address, protection),
            FaultDecision::Unpark {
                address,
                protection,
            } => self.unpark(id, address, protection),
            FaultDecision::MapShared {
                address,
                buffer,
                offset,
                protection,
            } => self.map_shared(id, address, buffer, offset, protection),
            FaultDecision::MapDevice {
                address,
                physical,
                protection,
            } => self.map_device_page(id, address, physical, protection),
        };
        if decision != FaultDecision::AlreadyMapped {
            self.counters.last_already_mapped = None;
        }
        match result {
            Ok(()) => {
                self.counters.faults_resolved += 1;
                Outcome::Resolved
            }
            Err(failure) => {
                let reason = match failure.status() {
                    MmError::NoMemory | MmError::LimitExceeded => FaultReason::OutOfMemory,
                    _ => FaultReason::Unsupported,
                };
                self.forward(id, message, access, reason);
                Outcome::Forwarded
            }
        }
    }

    /// Whether this fault repeats the last one that was already resolved (same space
    /// and page) with nothing else in between; records it.
    fn repeated_fault(&mut self, id: SpaceId, address: u64) -> bool {
        let page = (id.get(), address & !0xfff);
        let repeated = self.counters.last_already_mapped == Some(page);
        self.counters.last_already_mapped = if repeated { None } else { Some(page) };
        repeated
    }

    /// Whether the page tables leading to the mapping of `address` are gone.
    fn path_broken(&self, id: SpaceId, address: u64) -> bool {
        let Some(space) = self.spaces.get(&id) else {
            return false;
        };
        let Some((start, mapping)) = space.maps.pages.lookup(address) else {
            return false;
        };
        self.space_capability(space)
            .get_unset_depth(start, frame_size(mapping.size_bits))
            .is_ok_and(|depth| depth != 0)
    }

    /// Sends the fault to the space's handler (if it waits for one now).
    fn forward(
        &mut self,
        id: SpaceId,
        message: FaultMessage,
        access: FaultAccess,
        reason: FaultReason,
    ) {
        self.counters.faults_forwarded += 1;
        let Some(handler) = self.spaces.get(&id).and_then(|space| space.handler) else {
            nun::debug_println!(
                "mm-server: space {} faulted at {:#x} (ip {:#x}): {}, no handler",
                id.get(),
                message.address,
                message.instruction_pointer,
                reason.name()
            );
            return;
        };
        let forwarded = ForwardedFault {
            space: id,
            address: message.address,
            access,
            instruction_pointer: message.instruction_pointer,
            reason,
        };
        let mut words = [0; ForwardedFault::WORDS];
        forwarded.encode(&mut words);
        let port = IpcPort::new(self.memory.slots.descriptor(handler));
        if port.send(&words, false).is_err() {
            nun::debug_println!(
                "mm-server: the fault handler of space {} was not waiting",
                id.get()
            );
        }
    }

    /// Maps `frame` (whose reference for this mapping is counted) at `address`.
    pub fn install(
        &mut self,
        id: SpaceId,
        address: u64,
        frame: u64,
        size_bits: u32,
        protection: Protection,
        writable: bool,
    ) -> Result<(), Failure> {
        let slot = self.mapping_capability(frame)?;
        let space = self
            .spaces
            .get_mut(&id)
            .ok_or(Failure::Refused(MmError::NoSuchAddressSpace))?;
        let capability =
            nun::capability::AddressSpace::new(self.memory.slots.descriptor(space.object.1));
        let descriptor = self.memory.slots.descriptor(slot);
        let writable = writable && protection.contains(Protection::WRITE);
        let mapped = map_frame_charged(
            &mut self.memory,
            capability,
            &mut space.tables,
            Some(Charge {
                accounts: &mut self.accounts,
                client: space.owner,
            }),
            descriptor,
            frame_size(size_bits),
            address,
            attributes(protection, writable),
        );
        let recorded = mapped.and_then(|()| {
            space
                .maps
                .pages
                .insert(
                    address,
                    Mapping {
                        frame,
                        size_bits,
                        writable,
                        parked: false,
                    },
                )
                .map_err(|_| Failure::Refused(MmError::Overlap))
        });
        match recorded {
            Ok(()) => {
                space.mapping_capabilities.insert(address, slot);
                Ok(())
            }
            Err(failure) => {
                ignore(capability.unmap(descriptor, address));
                self.unused_mapping_capability(frame, slot);
                Err(failure)
            }
        }
    }

    /// A new zeroed frame at `address`; a 2 MiB one falls back to 4 KiB at the
    /// faulting page when no 2 MiB block is free.
    fn map_zero(
        &mut self,
        id: SpaceId,
        address: u64,
        size_bits: u32,
        protection: Protection,
        fault_address: u64,
    ) -> Result<(), Failure> {
        let owner = self.owner_of(id)?;
        let (frame, address, size_bits) = match self.new_frame(owner, size_bits) {
            Ok(frame) => (frame, address, size_bits),
            Err(Failure::Refused(MmError::NoMemory)) if size_bits > SMALL_FRAME_BITS => {
                let page = fault_address & !((1 << SMALL_FRAME_BITS) - 1);
                (
                    self.new_frame(owner, SMALL_FRAME_BITS)?,
                    page,
                    SMALL_FRAME_BITS,
                )
            }
            Err(failure) => return Err(failure),
        };
        self.install(id, address, frame, size_bits, protection, true)
            .inspect_err(|_| self.drop_reference(frame))
    }

    /// Maps the parked frame at `address` again with `protection` (the range had no
    /// access and has some now): the same frame, contents kept.
    pub fn unpark(
        &mut self,
        id: SpaceId,
        address: u64,
        protection: Protection,
    ) -> Result<(), Failure> {
        let space = self
            .spaces
            .get_mut(&id)
            .ok_or(Failure::Refused(MmError::NoSuchAddressSpace))?;
        let mapping = space
            .maps
            .unpark_range(address, address + 1, protection)
            .first()
            .map(|&(_, mapping)| mapping)
            .ok_or(Failure::Refused(MmError::NotMapped))?;
        self.map_unparked(id, address, mapping, protection)
    }

    /// Maps `mapping`, just unparked at `address`, in the kernel's address space;
    /// parks it again if that fails (a later fault tries again).
    pub fn map_unparked(
        &mut self,
        id: SpaceId,
        address: u64,
        mapping: Mapping,
        protection: Protection,
    ) -> Result<(), Failure> {
        let space = self
            .spaces
            .get_mut(&id)
            .ok_or(Failure::Refused(MmError::NoSuchAddressSpace))?;
        let Some(&slot) = space.mapping_capabilities.get(&address) else {
            let _ = space.maps.pages.set_parked(address, true);
            return Err(Failure::Refused(MmError::NotMapped));
        };
        let capability =
            nun::capability::AddressSpace::new(self.memory.slots.descriptor(space.object.1));
        let descriptor = self.memory.slots.descriptor(slot);
        let mapped = map_frame_charged(
            &mut self.memory,
            capability,
            &mut space.tables,
            Some(Charge {
                accounts: &mut self.accounts,
                client: space.owner,
            }),
            descriptor,
            frame_size(mapping.size_bits),
            address,
            attributes(protection, mapping.writable),
        );
        if mapped.is_err() {
            let _ = space.maps.pages.set_parked(address, true);
        }
        mapped
    }

    /// Copies the shared frame mapped at `address` into a new one, mapped writable.
    fn copy_on_write(
        &mut self,
        id: SpaceId,
        address: u64,
        old: u64,
        size_bits: u32,
        protection: Protection,
    ) -> Result<(), Failure> {
        let owner = self.owner_of(id)?;
        let new = self.new_frame(owner, size_bits)?;
        let copied = self.copy_contents(old, new, size_bits);
        if let Err(failure) = copied {
            self.drop_reference(new);
            return Err(failure);
        }
        self.drop_mappings(id, address, address + (1 << size_bits));
        self.install(id, address, new, size_bits, protection, true)
            .inspect_err(|_| self.drop_reference(new))
    }

    /// Copies frame `from` into frame `to` through the window.
    fn copy_contents(&mut self, from: u64, to: u64, size_bits: u32) -> Result<(), Failure> {
        let source = self
            .frame_capabilities
            .get(&from)
            .map(|capabilities| capabilities.original)
            .ok_or(Failure::Refused(MmError::NoSuchObject))?;
        let source = self.memory.copy(source)?;
        let destination = self
            .frame_capabilities
            .get(&to)
            .map(|capabilities| capabilities.original)
            .ok_or(Failure::Refused(MmError::NoSuchObject))?;
        let result = copy_frame(
            &mut self.memory,
            &mut self.own_tables,
            source,
            destination,
            size_bits,
        );
        self.memory.discard(source);
        result
    }

    /// Remaps the mapping at `address` writable.
    fn make_writable(
        &mut self,
        id: SpaceId,
        address: u64,
        protection: Protection,
    ) -> Result<(), Failure> {
        let space = self
            .spaces
            .get_mut(&id)
            .ok_or(Failure::Refused(MmError::NoSuchAddressSpace))?;
        let slot = *space
            .mapping_capabilities
            .get(&address)
            .ok_or(Failure::Refused(MmError::NotMapped))?;
        let capability =
            nun::capability::AddressSpace::new(self.memory.slots.descriptor(space.object.1));
        let descriptor = self.memory.slots.descriptor(slot);
        ignore(capability.unmap(descriptor, address));
        super::failure::kernel(
            "remap writable",
            capability.map(descriptor, address, attributes(protection, true)),
        )?;
        space
            .maps
            .pages
            .set_writable(address, true)
            .map_err(|_| Failure::Refused(MmError::NotMapped))
    }

    /// Maps the device page at `physical` again (its mapping was dropped, when the
    /// page tables under it were taken away): taken anew from the device Generics, so the fault is
    /// forwarded if another MAP_DEVICE took the page meanwhile.
    fn map_device_page(
        &mut self,
        id: SpaceId,
        address: u64,
        physical: u64,
        protection: Protection,
    ) -> Result<(), Failure> {
        let owner = self.owner_of(id)?;
        let frame = self.new_device_frame(owner, physical)?;
        self.install(id, address, frame, SMALL_FRAME_BITS, protection, true)
            .inspect_err(|_| self.drop_reference(frame))
    }

    /// Maps the shared buffer's page at `offset` (made on first use).
    fn map_shared(
        &mut self,
        id: SpaceId,
        address: u64,
        buffer: BufferId,
        offset: u64,
        protection: Protection,
    ) -> Result<(), Failure> {
        let (owner, existing) = self
            .buffers
            .get(&buffer)
            .map(|buffer| (buffer.owner, buffer.pages.get(&offset).copied()))
            .ok_or(Failure::Refused(MmError::NoSuchObject))?;
        let frame = match existing {
            Some(frame) => frame,
            None => {
                // The buffer's own reference.
                let frame = self.new_frame(owner, SMALL_FRAME_BITS)?;
                if let Some(buffer) = self.buffers.get_mut(&buffer) {
                    buffer.pages.insert(offset, frame);
                }
                frame
            }
        };
        self.frames
            .share(frame)
            .map_err(|_| Failure::Refused(MmError::NoMemory))?;
        self.install(id, address, frame, SMALL_FRAME_BITS, protection, true)
            .inspect_err(|_| self.drop_reference(frame))
    }
}

//! Address spaces: CREATE (an ADDRESS_SPACE object and a fault-resolver capability
//! identified with the space), DESTROY (every mapping, page table and capability
//! back), CLONE (copy-on-write), and dropping the mappings of a range.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use a9n_abi::{CapabilityType, Rights};
use mm_server::address_space::AddressSpace as SpaceMaps;
use mm_server::page_map::Mapping;
use mm_server_api::boot::CLIENT_IDENTIFIER_LIMIT;
use mm_server_api::{ClientId, MmError, SpaceId};
use nun::capability::IpcPort;

use super::failure::{Failure, kernel};
use super::paging::{Charge, TABLE_BYTES, attributes, frame_size, free_tables, map_frame_charged};
use super::slots::SlotRef;
use super::state::{Server, Space};

/// Most address spaces mm-server keeps at once (the kernel allows 4096).
pub const MAX_SPACES: usize = 2048;
/// Bytes charged for an address space (its PML4).
const SPACE_BYTES: u64 = 4096;
/// Heap bytes a clone may need per mapping (page map, capability record, share).
pub const CLONE_BYTES_PER_MAPPING: u64 = 256;
/// Mappings dropped at a time by [`Server::drop_mappings`].
const DROP_CHUNK: usize = 256;

/// The identifier of the fault-resolver capability of `space`.
pub const fn fault_identifier(space: SpaceId) -> u64 {
    CLIENT_IDENTIFIER_LIMIT + space.get()
}

/// The space a fault-resolver identifier names.
pub fn space_of_fault(identifier: u64) -> Option<SpaceId> {
    identifier
        .checked_sub(CLIENT_IDENTIFIER_LIMIT)
        .and_then(SpaceId::new)
}

impl Server {
    /// The space `id` if `client` owns it.
    pub fn owned_space(&self, client: ClientId, id: SpaceId) -> Result<&Space, Failure> {
        self.spaces
            .get(&id)
            .filter(|space| space.owner == client)
            .ok_or(Failure::Refused(MmError::NoSuchAddressSpace))
    }

    /// Makes an empty space for `client` with `maps`; returns its id and the two
    /// capabilities for the client (address space, fault resolver).
    pub fn create_space(
        &mut self,
        client: ClientId,
        maps: SpaceMaps,
    ) -> Result<(SpaceId, [SlotRef; 2]), Failure> {
        if self.spaces.len() >= MAX_SPACES || !self.memory.can_spare_small(SPACE_BYTES) {
            return Err(Failure::Refused(MmError::NoMemory));
        }
        let id = SpaceId::new(self.counters.next_space)
            .filter(|id| id.get() < CLIENT_IDENTIFIER_LIMIT)
            .ok_or(Failure::Refused(MmError::NoMemory))?;
        self.accounts
            .charge(client, SPACE_BYTES)
            .map_err(|error| Failure::Refused(error.into()))?;
        let mut made: Vec<SlotRef> = Vec::new();
        let result = self.make_space_capabilities(id, &mut made);
        let (object, fault_capability, client_space, client_fault) = match result {
            Ok(parts) => parts,
            Err(failure) => {
                for slot in made.into_iter().rev() {
                    self.memory.discard(slot);
                }
                let _ = self.accounts.uncharge(client, SPACE_BYTES);
                return Err(failure);
            }
        };
        self.counters.next_space += 1;
        self.accounts.count_address_space(client, true);
        self.spaces.insert(
            id,
            Space {
                owner: client,
                maps,
                object,
                fault_capability,
                mapping_capabilities: BTreeMap::new(),
                tables: Vec::new(),
                handler: None,
            },
        );
        Ok((id, [client_space, client_fault]))
    }

    #[allow(clippy::type_complexity, reason = "one use, named at the call")]
    fn make_space_capabilities(
        &mut self,
        id: SpaceId,
        made: &mut Vec<SlotRef>,
    ) -> Result<
        (
            (super::memory::Placement, SlotRef),
            SlotRef,
            SlotRef,
            SlotRef,
        ),
        Failure,
    > {
        let object = self.memory.make_object(CapabilityType::AddressSpace, 0)?;
        let fault = match self.memory.mint(SERVICE_SLOT, Rights::ALL) {
            Ok(slot) => slot,
            Err(failure) => {
                let _ = self.memory.destroy_object(object.0, object.1);
                return Err(failure);
            }
        };
        made.push(fault);
        let identified = kernel(
            "identify a fault resolver",
            IpcPort::new(self.memory.slots.descriptor(fault)).identify(fault_identifier(id)),
        );
        let clients = identified
            .and_then(|()| self.memory.mint(object.1, Rights::READ | Rights::WRITE))
            .and_then(|space| {
                made.push(space);
                self.memory
                    .mint(fault, Rights::WRITE)
                    .map(|fault| (space, fault))
            });
        match clients {
            Ok((space, client_fault)) => Ok((object, fault, space, client_fault)),
            Err(failure) => {
                let _ = self.memory.destroy_object(object.0, object.1);
                Err(failure)
            }
        }
    }

    /// Drops every mapping of `id` in `start..end` (frames freed with their last
    /// mapping).
    pub fn drop_mappings(&mut self, id: SpaceId, start: u64, end: u64) {
        let Some(space) = self.spaces.get_mut(&id) else {
            return;
        };
        let capability =
            nun::capability::AddressSpace::new(self.memory.slots.descriptor(space.object.1));
        // In chunks: a space of 100 000 mappings must not need a list of them all
        // (megabytes of heap, when memory has run out).
        loop {
            let Some(space) = self.spaces.get_mut(&id) else {
                return;
            };
            let removed = space
                .maps
                .pages
                .remove_range_limited(start, end, DROP_CHUNK);
            let done = removed.len() < DROP_CHUNK;
            let mut slots = [None; DROP_CHUNK];
            for (slot, (address, _)) in slots.iter_mut().zip(&removed) {
                *slot = space.mapping_capabilities.remove(address);
            }
            for ((address, mapping), slot) in removed.into_iter().zip(slots) {
                if let Some(slot) = slot {
                    self.drop_mapping(capability, address, slot, mapping.frame);
                }
            }
            if done {
                return;
            }
        }
    }

    /// Destroys `id`: its mappings, page tables, address space object and
    /// fault-resolver capabilities (every copy the client or its threads hold).
    pub fn destroy_space(&mut self, id: SpaceId) {
        self.drop_mappings(id, 0, u64::MAX);
        let Some(space) = self.spaces.remove(&id) else {
            return;
        };
        let table_bytes = (space.tables.len() as u64).saturating_mul(TABLE_BYTES);
        let _ = self.accounts.uncharge(space.owner, table_bytes);
        free_tables(&mut self.memory, space.tables);
        self.memory.discard(space.fault_capability);
        if let Some(handler) = space.handler {
            self.memory.discard(handler);
        }
        let _ = self.memory.destroy_object(space.object.0, space.object.1);
        let _ = self.accounts.uncharge(space.owner, SPACE_BYTES);
        self.accounts.count_address_space(space.owner, false);
        let buffers: Vec<_> = space
            .maps
            .regions
            .iter()
            .filter_map(|region| match region.kind {
                mm_server::region::RegionKind::Shared { buffer, .. } => Some(buffer),
                _ => None,
            })
            .collect();
        self.release_unused_buffers(&buffers);
    }

    /// Clones `parent` for `client`: same regions, every frame shared copy-on-write.
    pub fn clone_space(
        &mut self,
        client: ClientId,
        parent: SpaceId,
    ) -> Result<(SpaceId, [SlotRef; 2]), Failure> {
        let mappings = self.owned_space(client, parent)?.maps.pages.len() as u64;
        // The child's page map and mapping records, and the shares, on the heap.
        self.heap_for_request(mappings.saturating_mul(CLONE_BYTES_PER_MAPPING))?;
        let space = self
            .spaces
            .get_mut(&parent)
            .ok_or(Failure::Refused(MmError::NoSuchAddressSpace))?;
        let clone = space
            .maps
            .clone_for_fork(&mut self.frames)
            .map_err(|_| Failure::Refused(MmError::InvalidArgument))?;
        let child_maps = clone.child;
        let mut mappings: Vec<(u64, Mapping)> = Vec::new();
        if mappings.try_reserve_exact(child_maps.pages.len()).is_err() {
            // Undo the shares the clone took.
            for (_, mapping) in child_maps.pages.iter() {
                let _ = self.frames.release(mapping.frame);
            }
            return Err(Failure::Refused(MmError::NoMemory));
        }
        mappings.extend(child_maps.pages.iter());
        let write_protected = clone.write_protected;
        let (child, capabilities) = match self.create_space(client, child_maps) {
            Ok(made) => made,
            Err(failure) => {
                // Undo the shares the clone took.
                for (_, mapping) in mappings {
                    let _ = self.frames.release(mapping.frame);
                }
                return Err(failure);
            }
        };
        self.protect_parent(parent, &write_protected);
        if let Err(failure) = self.map_clone(child, &mappings) {
            self.destroy_space(child);
            for slot in capabilities {
                self.memory.discard(slot);
            }
            return Err(failure);
        }
        Ok((child, capabilities))
    }

    /// Remaps the parent's pages that became copy-on-write read-only.
    pub fn protect_parent(&mut self, parent: SpaceId, addresses: &[u64]) {
        let Some(space) = self.spaces.get(&parent) else {
            return;
        };
        let capability = self.space_capability(space);
        for &address in addresses {
            let (Some(&slot), Some(region)) = (
                space.mapping_capabilities.get(&address),
                space.maps.regions.find(address),
            ) else {
                continue;
            };
            let descriptor = self.memory.slots.descriptor(slot);
            let _ = capability.unmap(descriptor, address);
            let _ = capability.map(descriptor, address, attributes(region.protection, false));
        }
    }

    /// Maps every frame of a new clone, or of a COPY_RANGE's new region (its
    /// mappings are recorded, its frames already shared). On failure the mappings
    /// not made are forgotten (records and shares); those made stay.
    pub fn map_clone(
        &mut self,
        child: SpaceId,
        mappings: &[(u64, Mapping)],
    ) -> Result<(), Failure> {
        for &(address, mapping) in mappings {
            let slot = match self.mapping_capability(mapping.frame) {
                Ok(slot) => slot,
                Err(failure) => {
                    // Drop the mappings not made yet from the record.
                    self.forget_unmapped(child, address, mappings);
                    return Err(failure);
                }
            };
            let space = self
                .spaces
                .get_mut(&child)
                .ok_or(Failure::Refused(MmError::NoSuchAddressSpace))?;
            let protection = space
                .maps
                .regions
                .find(address)
                .map_or(mm_server_api::Protection::READ, |region| region.protection);
            space.mapping_capabilities.insert(address, slot);
            if mapping.parked {
                // Inaccessible in the parent: kept, mapped when access comes back.
                continue;
            }
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
            if let Err(failure) = mapped {
                self.forget_unmapped(child, address, mappings);
                return Err(failure);
            }
        }
        Ok(())
    }

    /// After a failed clone: the child's mappings from `from` on were never made;
    /// drop their shares and records so that destroying the child is exact.
    fn forget_unmapped(&mut self, child: SpaceId, from: u64, mappings: &[(u64, Mapping)]) {
        for &(address, mapping) in mappings.iter().filter(|(address, _)| *address >= from) {
            let slot = self.spaces.get_mut(&child).and_then(|space| {
                let _ = space.maps.pages.remove(address);
                space.mapping_capabilities.remove(&address)
            });
            if let Some(slot) = slot {
                self.unused_mapping_capability(mapping.frame, slot);
            }
            self.drop_reference(mapping.frame);
        }
    }
}

/// mm-server's service port, from which fault-resolver capabilities are minted.
const SERVICE_SLOT: SlotRef = SlotRef::Root(mm_server_api::boot::SERVICE_PORT_SLOT as u32);

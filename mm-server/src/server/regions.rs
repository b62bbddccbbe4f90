//! Region requests: MAP_ANONYMOUS, MAP_DEVICE, MAP_SHARED_BUFFER, UNMAP, PROTECT,
//! BRK. They change the region map (the library's), then undo or adjust the
//! mappings the change affects. Only MAP_DEVICE maps eagerly (its frames are the
//! reservation of the device pages); otherwise the pager maps on the first fault.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use mm_server::region::{Region, RegionKind};
use mm_server_api::request::{
    Brk, BrkFlags, MapAnonymous, MapDevice, MapFlags, MapSharedBuffer, Protect, Unmap,
};
use mm_server_api::{BufferId, ClientId, MmError, PAGE_SIZE, Protection, SpaceId};

use super::failure::{Failure, ignore};
use super::paging::attributes;
use super::state::{Buffer, Server};

/// The most bytes one MAP_DEVICE maps (each page is a frame capability, a
/// mapping and bookkeeping in mm-server's heap).
pub const MAX_DEVICE_BYTES: u64 = 16 << 20;

/// 2 MiB: regions at least this long that may use large frames are placed aligned.
const LARGE: u64 = 1 << 21;

fn refused(error: impl Into<MmError>) -> Failure {
    Failure::Refused(error.into())
}

/// The region MAP_ANONYMOUS (and COPY_RANGE) makes at `address..address +
/// length` (validated by the decoder): a stack with GROWS_DOWN (top at the end,
/// never large pages), large pages unless NO_LARGE_PAGES.
pub fn anonymous_region(
    address: u64,
    length: u64,
    protection: Protection,
    flags: MapFlags,
    stack_limit: u64,
) -> Region {
    let grows_down = flags.contains(MapFlags::GROWS_DOWN);
    let end = address + length;
    Region {
        start: address,
        end,
        protection,
        max_protection: Protection::ALL,
        kind: if grows_down {
            RegionKind::Stack {
                top: end,
                limit: stack_limit,
            }
        } else {
            RegionKind::Anonymous
        },
        large_pages: !grows_down && !flags.contains(MapFlags::NO_LARGE_PAGES),
    }
}

impl Server {
    /// Inserts `region` at its start, or anywhere when `anywhere`; its start.
    pub fn place(&mut self, id: SpaceId, region: Region, anywhere: bool) -> Result<u64, Failure> {
        let space = self
            .spaces
            .get_mut(&id)
            .ok_or(Failure::Refused(MmError::NoSuchAddressSpace))?;
        if anywhere {
            let length = region.end - region.start;
            let alignment = if region.large_pages && length >= LARGE {
                LARGE
            } else {
                PAGE_SIZE
            };
            space
                .maps
                .regions
                .insert_anywhere(region, alignment)
                .map_err(refused)
        } else {
            space.maps.regions.insert(region).map_err(refused)?;
            Ok(region.start)
        }
    }

    /// MAP_ANONYMOUS.
    pub fn map_anonymous(
        &mut self,
        client: ClientId,
        request: MapAnonymous,
    ) -> Result<u64, Failure> {
        self.owned_space(client, request.space)?;
        let region = anonymous_region(
            request.address,
            request.length,
            request.protection,
            request.flags,
            request.stack_limit,
        );
        self.place(request.space, region, request.address == 0)
    }

    /// MAP_DEVICE: takes every page of the physical range from the device Generics
    /// (PERMISSION if one is not device memory, OVERLAP if one is taken: a device
    /// page is mapped by one MAP_DEVICE at a time), records a device region and maps
    /// the pages at once (4 KiB each, uncached by the kernel). The pages come back
    /// when their last mapping goes (UNMAP, DESTROY_ADDRESS_SPACE).
    pub fn map_device(&mut self, client: ClientId, request: MapDevice) -> Result<u64, Failure> {
        self.owned_space(client, request.space)?;
        if request.length > MAX_DEVICE_BYTES || request.protection.is_empty() {
            return Err(refused(MmError::InvalidArgument));
        }
        let mut frames = Vec::new();
        for index in 0..request.length / PAGE_SIZE {
            match self.new_device_frame(client, request.physical_address + index * PAGE_SIZE) {
                Ok(frame) => frames.push(frame),
                Err(failure) => {
                    for frame in frames {
                        self.drop_reference(frame);
                    }
                    return Err(failure);
                }
            }
        }
        let region = Region {
            start: request.address,
            end: request.address + request.length,
            protection: request.protection,
            max_protection: request.protection.union(Protection::READ_WRITE),
            kind: RegionKind::Device {
                physical: request.physical_address,
            },
            large_pages: false,
        };
        let start = match self.place(request.space, region, request.address == 0) {
            Ok(start) => start,
            Err(failure) => {
                for frame in frames {
                    self.drop_reference(frame);
                }
                return Err(failure);
            }
        };
        let end = start + request.length;
        for (index, &frame) in frames.iter().enumerate() {
            let address = start + index as u64 * PAGE_SIZE;
            let installed = self.install(
                request.space,
                address,
                frame,
                mm_server::fault_decision::SMALL_FRAME_BITS,
                request.protection,
                true,
            );
            if let Err(failure) = installed {
                for &unmapped in frames.get(index..).unwrap_or(&[]) {
                    self.drop_reference(unmapped);
                }
                if let Some(space) = self.spaces.get_mut(&request.space) {
                    let _ = space.maps.regions.unmap(start, request.length);
                }
                self.drop_mappings(request.space, start, end);
                return Err(failure);
            }
        }
        Ok(start)
    }

    /// MAP_SHARED_BUFFER: a new buffer, a region for it in each space.
    pub fn map_shared_buffer(
        &mut self,
        client: ClientId,
        request: MapSharedBuffer,
    ) -> Result<(BufferId, u64, u64), Failure> {
        self.owned_space(client, request.first.space)?;
        self.owned_space(client, request.second.space)?;
        let buffer =
            BufferId::new(self.counters.next_buffer).ok_or(Failure::Refused(MmError::NoMemory))?;
        let region = |side: mm_server_api::request::SharedMapping| Region {
            start: side.address,
            end: side.address + request.length,
            protection: side.protection,
            max_protection: side.protection,
            kind: RegionKind::Shared { buffer, offset: 0 },
            large_pages: false,
        };
        let first = self.place(
            request.first.space,
            region(request.first),
            request.first.address == 0,
        )?;
        let second = match self.place(
            request.second.space,
            region(request.second),
            request.second.address == 0,
        ) {
            Ok(address) => address,
            Err(failure) => {
                if let Some(space) = self.spaces.get_mut(&request.first.space) {
                    let _ = space.maps.regions.unmap(first, request.length);
                }
                return Err(failure);
            }
        };
        self.counters.next_buffer += 1;
        self.buffers.insert(
            buffer,
            Buffer {
                owner: client,
                pages: BTreeMap::new(),
            },
        );
        Ok((buffer, first, second))
    }

    /// Forgets the buffers among `candidates` that no region uses any more, dropping
    /// their own references to their pages.
    pub fn release_unused_buffers(&mut self, candidates: &[BufferId]) {
        for &buffer in candidates {
            let in_use = self.spaces.values().any(|space| {
                space.maps.regions.iter().any(|region| {
                    matches!(region.kind, RegionKind::Shared { buffer: used, .. } if used == buffer)
                })
            });
            if in_use {
                continue;
            }
            if let Some(removed) = self.buffers.remove(&buffer) {
                for frame in removed.pages.into_values() {
                    self.drop_reference(frame);
                }
            }
        }
    }

    /// UNMAP.
    pub fn unmap(&mut self, client: ClientId, request: Unmap) -> Result<(), Failure> {
        self.owned_space(client, request.space)?;
        let end = request.address + request.length;
        self.demote_straddling(request.space, request.address, end)?;
        let space = self
            .spaces
            .get_mut(&request.space)
            .ok_or(Failure::Refused(MmError::NoSuchAddressSpace))?;
        let removed = space
            .maps
            .regions
            .unmap(request.address, request.length)
            .map_err(refused)?;
        self.drop_mappings(request.space, request.address, end);
        self.release_buffers_of(&removed);
        Ok(())
    }

    fn release_buffers_of(&mut self, removed: &[Region]) {
        let buffers: Vec<BufferId> = removed
            .iter()
            .filter_map(|region| match region.kind {
                RegionKind::Shared { buffer, .. } => Some(buffer),
                _ => None,
            })
            .collect();
        self.release_unused_buffers(&buffers);
    }

    /// PROTECT: new permissions; mappings that allowed more are remapped with less
    /// (write access comes back lazily, on a fault). An inaccessible range keeps
    /// its frames parked (unmapped from the kernel, still owned and counted: x86_64
    /// cannot map a page without read access); access given back maps them again.
    pub fn protect(&mut self, client: ClientId, request: Protect) -> Result<(), Failure> {
        self.owned_space(client, request.space)?;
        let end = request.address + request.length;
        self.demote_straddling(request.space, request.address, end)?;
        let space = self
            .spaces
            .get_mut(&request.space)
            .ok_or(Failure::Refused(MmError::NoSuchAddressSpace))?;
        space
            .maps
            .regions
            .protect(request.address, request.length, request.protection)
            .map_err(refused)?;
        if request.protection.is_empty() {
            self.park(request.space, request.address, end);
            return Ok(());
        }
        let Some(space) = self.spaces.get_mut(&request.space) else {
            return Ok(());
        };
        let capability =
            nun::capability::AddressSpace::new(self.memory.slots.descriptor(space.object.1));
        let affected: Vec<(u64, bool)> = space
            .maps
            .pages
            .iter()
            .filter(|(address, mapping)| {
                !mapping.parked && (request.address..end).contains(address)
            })
            .map(|(address, mapping)| (address, mapping.writable))
            .collect();
        for (address, writable) in affected {
            let still_writable = writable && request.protection.contains(Protection::WRITE);
            let Some(&slot) = space.mapping_capabilities.get(&address) else {
                continue;
            };
            let descriptor = self.memory.slots.descriptor(slot);
            ignore(capability.unmap(descriptor, address));
            ignore(capability.map(
                descriptor,
                address,
                attributes(request.protection, still_writable),
            ));
            let _ = space.maps.pages.set_writable(address, still_writable);
        }
        let unparked = space
            .maps
            .unpark_range(request.address, end, request.protection);
        for (address, mapping) in unparked {
            // A failure leaves the mapping parked: its next fault maps it.
            let _ = self.map_unparked(request.space, address, mapping, request.protection);
        }
        Ok(())
    }

    /// Parks the mappings of `id` starting in `start..end` (now inaccessible):
    /// unmapped from the kernel, kept in the page map with their frames.
    pub fn park(&mut self, id: SpaceId, start: u64, end: u64) {
        let Some(space) = self.spaces.get_mut(&id) else {
            return;
        };
        let capability =
            nun::capability::AddressSpace::new(self.memory.slots.descriptor(space.object.1));
        for address in space.maps.park_range(start, end) {
            if let Some(&slot) = space.mapping_capabilities.get(&address) {
                ignore(capability.unmap(self.memory.slots.descriptor(slot), address));
            }
        }
    }

    /// BRK: the heap's base, its current break, or a new break.
    pub fn brk(&mut self, client: ClientId, request: Brk) -> Result<u64, Failure> {
        self.owned_space(client, request.space)?;
        let heap = self
            .spaces
            .get(&request.space)
            .and_then(|space| space.maps.regions.heap());
        if request.flags.contains(BrkFlags::SET_BASE) {
            let space = self
                .spaces
                .get_mut(&request.space)
                .ok_or(Failure::Refused(MmError::NoSuchAddressSpace))?;
            return space
                .maps
                .regions
                .set_heap_base(request.new_break)
                .map(|heap| heap.current_break)
                .map_err(refused);
        }
        let Some(heap) = heap else {
            return if request.new_break == 0 {
                Ok(0)
            } else {
                Err(Failure::Refused(MmError::NotMapped))
            };
        };
        if request.new_break == 0 {
            return Ok(heap.current_break);
        }
        let new_end = request.new_break.next_multiple_of(PAGE_SIZE);
        let old_end = heap.current_break.next_multiple_of(PAGE_SIZE);
        if new_end < old_end {
            self.demote_straddling(request.space, new_end, old_end)?;
        }
        let space = self
            .spaces
            .get_mut(&request.space)
            .ok_or(Failure::Refused(MmError::NoSuchAddressSpace))?;
        let change = space.maps.regions.brk(request.new_break).map_err(refused)?;
        if new_end < old_end {
            self.drop_mappings(request.space, new_end, old_end);
        }
        Ok(change.current_break)
    }
}

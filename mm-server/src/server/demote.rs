//! Demoting a 2 MiB mapping to 512 mappings of 4 KiB frames (copies of its
//! contents), when an UNMAP, PROTECT or BRK cuts through it, or COPY_RANGE cannot
//! share it whole: a 2 MiB frame maps only whole.

use alloc::vec::Vec;

use a9n_abi::paging::{FrameSize, MapAttributes};
use mm_server::fault_decision::{LARGE_FRAME_BITS, SMALL_FRAME_BITS};
use mm_server::page_map::Mapping;
use mm_server_api::{MmError, PAGE_SIZE, Protection, SpaceId};
use nun::window;

use super::failure::{Failure, kernel};
use super::own_space::own;
use super::paging::map_frame;
use super::state::Server;

/// Where the large frame is mapped while its pages are copied out.
const LARGE_SOURCE: u64 = window::BASE + 0x80_0000;
/// Where each small copy is mapped to be filled.
const SMALL_DESTINATION: u64 = window::BASE + 0x20_2000;

impl Server {
    /// Demotes every 2 MiB mapping of `id` that crosses `start` or `end`.
    pub fn demote_straddling(&mut self, id: SpaceId, start: u64, end: u64) -> Result<(), Failure> {
        let straddling: Vec<(u64, Mapping)> = self
            .spaces
            .get(&id)
            .ok_or(Failure::Refused(MmError::NoSuchAddressSpace))?
            .maps
            .pages
            .straddling(start, end);
        for (address, mapping) in straddling {
            self.demote(id, address, mapping)?;
        }
        Ok(())
    }

    /// Replaces the 2 MiB mapping at `address` by 4 KiB copies.
    pub fn demote(&mut self, id: SpaceId, address: u64, large: Mapping) -> Result<(), Failure> {
        let owner = self.owner_of(id)?;
        let pages = 1u64 << (LARGE_FRAME_BITS - SMALL_FRAME_BITS);
        if !self.memory.can_spare(pages * PAGE_SIZE) {
            return Err(Failure::Refused(MmError::NoMemory));
        }
        // The large frame, readable in the window.
        let source = self.memory.copy(
            self.frame_capabilities
                .get(&large.frame)
                .map(|capabilities| capabilities.original)
                .ok_or(Failure::Refused(MmError::NoSuchObject))?,
        )?;
        let source_descriptor = self.memory.slots.descriptor(source);
        if let Err(failure) = map_frame(
            &mut self.memory,
            own(),
            &mut self.own_tables,
            source_descriptor,
            FrameSize::Large,
            LARGE_SOURCE,
            MapAttributes::READ,
        ) {
            self.memory.discard(source);
            return Err(failure);
        }
        let mut copies = Vec::new();
        let mut result = Ok(());
        for page in 0..pages {
            match self.copied_page(owner, LARGE_SOURCE + page * PAGE_SIZE) {
                Ok(frame) => copies.push(frame),
                Err(failure) => {
                    result = Err(failure);
                    break;
                }
            }
        }
        self.memory.discard(source);
        if let Err(failure) = result {
            for frame in copies {
                self.drop_reference(frame);
            }
            return Err(failure);
        }
        // Swap the mappings.
        self.drop_mappings(id, address, address + (1 << LARGE_FRAME_BITS));
        let protection = self
            .spaces
            .get(&id)
            .and_then(|space| space.maps.regions.find(address))
            .map_or(Protection::READ, |region| region.protection);
        for (page, frame) in copies.into_iter().enumerate() {
            let virtual_address = address + page as u64 * PAGE_SIZE;
            if self
                .install(
                    id,
                    virtual_address,
                    frame,
                    SMALL_FRAME_BITS,
                    protection,
                    large.writable,
                )
                .is_err()
            {
                self.drop_reference(frame);
            }
        }
        if large.parked {
            // Its range is inaccessible: the copies stay parked like it.
            self.park(id, address, address + (1 << LARGE_FRAME_BITS));
        }
        Ok(())
    }

    /// A new 4 KiB frame holding the page at `source` of the window.
    fn copied_page(&mut self, owner: mm_server_api::ClientId, source: u64) -> Result<u64, Failure> {
        let frame = self.new_frame(owner, SMALL_FRAME_BITS)?;
        let slot = self
            .frame_capabilities
            .get(&frame)
            .map(|capabilities| capabilities.original)
            .ok_or(Failure::Refused(MmError::NoSuchObject))?;
        let descriptor = self.memory.slots.descriptor(slot);
        let mapped = map_frame(
            &mut self.memory,
            own(),
            &mut self.own_tables,
            descriptor,
            FrameSize::Small,
            SMALL_DESTINATION,
            MapAttributes::READ | MapAttributes::WRITE,
        );
        if let Err(failure) = mapped {
            self.drop_reference(frame);
            return Err(failure);
        }
        let copied = nun::window_bytes::with_bytes(source, PAGE_SIZE, |from| {
            nun::window_bytes::with_bytes_mut(SMALL_DESTINATION, PAGE_SIZE, |to| {
                to.copy_from_slice(from);
            })
        })
        .flatten();
        kernel(
            "unmap the copy window",
            own().unmap(descriptor, SMALL_DESTINATION),
        )?;
        copied.ok_or(Failure::Refused(MmError::InvalidArgument))?;
        Ok(frame)
    }
}

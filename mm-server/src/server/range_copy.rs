//! COPY_RANGE: a new anonymous region (made as MAP_ANONYMOUS makes it) whose pages
//! are the frames of a range of another space (or of the same one), shared
//! copy-on-write as a clone shares them: the library ([`mm_server::range_copy`])
//! decides, this module carries it out. The source's writable pages are remapped
//! read-only; the new region's pages are mapped at once, read-only (parked where
//! the region has no access). 2 MiB mappings that cannot be shared whole are
//! demoted to 4 KiB copies in the source first. Nothing is charged for the shared
//! frames (as for a clone); page tables of the target go to its owner.

use alloc::vec::Vec;

use mm_server::range_copy::{check_source, large_mappings_to_demote};
use mm_server::region::Region;
use mm_server_api::request::CopyRange;
use mm_server_api::{ClientId, MmError, SpaceId};

use super::failure::Failure;
use super::regions::anonymous_region;
use super::spaces::CLONE_BYTES_PER_MAPPING;
use super::state::Server;

fn refused(error: impl Into<MmError>) -> Failure {
    Failure::Refused(error.into())
}

impl Server {
    /// COPY_RANGE: the new region's start. Refusals: NO_SUCH_ADDRESS_SPACE (a space
    /// that does not exist, or a target of another client), PERMISSION (a source of
    /// another client), NOT_MAPPED (a hole in the source range), UNSUPPORTED (a
    /// shared-buffer, device or file-backed region there), OVERLAP (the target
    /// range is taken), NO_MEMORY / LIMIT_EXCEEDED (no room, demotion or page
    /// tables); nothing changes then.
    pub fn copy_range(&mut self, client: ClientId, request: CopyRange) -> Result<u64, Failure> {
        self.owned_space(client, request.target_space)?;
        if self.owner_of(request.source_space)? != client {
            return Err(Failure::Refused(MmError::Permission));
        }
        let source_end = request.source_address + request.length;
        check_source(
            &self.space_maps(request.source_space)?.regions,
            request.source_address,
            source_end,
        )
        .map_err(refused)?;
        let region = anonymous_region(
            request.target_address,
            request.length,
            request.protection,
            request.flags,
            request.stack_limit,
        );
        let start = self.place(request.target_space, region, request.target_address == 0)?;
        let end = start + request.length;
        let placed = Region {
            start,
            end,
            ..region
        };
        if let Err(failure) = self.fill_copy(request, &placed) {
            self.drop_mappings(request.target_space, start, end);
            if let Some(space) = self.spaces.get_mut(&request.target_space) {
                let _ = space.maps.regions.unmap(start, request.length);
            }
            return Err(failure);
        }
        Ok(start)
    }

    /// The maps of space `id`.
    fn space_maps(&self, id: SpaceId) -> Result<&mm_server::address_space::AddressSpace, Failure> {
        self.spaces
            .get(&id)
            .map(|space| &space.maps)
            .ok_or(Failure::Refused(MmError::NoSuchAddressSpace))
    }

    /// Shares the source range's frames with the region `target` just placed, and
    /// maps them there. On failure the caller drops what was mapped.
    fn fill_copy(&mut self, request: CopyRange, target: &Region) -> Result<(), Failure> {
        let source = request.source_space;
        let demoted = large_mappings_to_demote(
            &self.space_maps(source)?.pages,
            request.source_address,
            target,
        );
        for (address, mapping) in demoted {
            self.demote(source, address, mapping)?;
        }
        if self
            .space_maps(request.target_space)?
            .pages
            .any_mapped(target.start, target.end)
        {
            return Err(Failure::Refused(MmError::Overlap));
        }
        let mappings = self
            .space_maps(source)?
            .pages
            .overlapping(
                request.source_address,
                request.source_address + target.length(),
            )
            .count() as u64;
        self.heap_for_request(mappings.saturating_mul(CLONE_BYTES_PER_MAPPING))?;
        let shared = self
            .spaces
            .get_mut(&source)
            .ok_or(Failure::Refused(MmError::NoSuchAddressSpace))?
            .maps
            .share_range(&mut self.frames, request.source_address, target)
            .map_err(refused)?;
        // The source's page map says read-only now: so must the kernel's.
        self.protect_parent(source, &shared.write_protected);
        let adopted = self
            .spaces
            .get_mut(&request.target_space)
            .ok_or(Failure::Refused(MmError::NoSuchAddressSpace))
            .and_then(|space| space.maps.adopt_range(&shared).map_err(refused));
        if let Err(failure) = adopted {
            let frames: Vec<u64> = shared
                .mappings
                .iter()
                .map(|(_, mapping)| mapping.frame)
                .collect();
            for frame in frames {
                self.drop_reference(frame);
            }
            return Err(failure);
        }
        self.map_clone(request.target_space, &shared.mappings)
    }
}

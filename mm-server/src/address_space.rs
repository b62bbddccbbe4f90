//! One managed address space as the pager sees it: its region map and page map,
//! with the frame-table bookkeeping of copy-on-write clone, unmapping and
//! destruction, and the parking of mappings in ranges made inaccessible. Pure: it returns what the server must do with the kernel (remap
//! read-only, free frames) instead of doing it.

use alloc::vec::Vec;

use crate::frame_table::{FrameError, FrameTable, Release};
use crate::page_map::{Mapping, PageMap};
use crate::region::RegionKind;
use crate::region_map::RegionMap;

/// A frame whose last mapping went: the server frees it to the buddy allocator
/// and uncharges its account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FreedFrame {
    /// Physical address.
    pub frame: u64,
    /// The entry it had.
    pub release: Release,
}

/// The result of a clone.
#[derive(Clone, Debug)]
pub struct Clone {
    /// The child: same regions, every frame shared.
    pub child: AddressSpace,
    /// Virtual addresses of the parent's mappings that must be remapped read-only
    /// (copy-on-write from now on). Parked mappings are never listed: they become
    /// read-only in the page map and are mapped so when access comes back.
    pub write_protected: Vec<u64>,
}

/// The regions and mappings of one address space.
#[derive(Clone, Debug, Default)]
pub struct AddressSpace {
    /// The regions.
    pub regions: RegionMap,
    /// What is mapped.
    pub pages: PageMap,
}

impl AddressSpace {
    /// An empty address space with a default region map.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Clones for fork: the child gets the same regions and the same frames (each
    /// frame's count + 1). Anonymous and stack memory becomes copy-on-write on both
    /// sides (mapped read-only); shared buffers and device memory stay as mapped.
    /// File-backed pages are shared read-only like anonymous ones.
    ///
    /// # Errors
    /// [`FrameError`] if a mapped frame has no entry (then nothing changed).
    pub fn clone_for_fork(&mut self, frames: &mut FrameTable) -> Result<Clone, FrameError> {
        // Check first, so that an inconsistency changes nothing.
        if self
            .pages
            .iter()
            .any(|(_, mapping)| frames.get(mapping.frame).is_none())
        {
            return Err(FrameError::Unknown);
        }
        let mut child = PageMap::new();
        let mut write_protected = Vec::new();
        let mappings: Vec<(u64, Mapping)> = self.pages.iter().collect();
        for (address, mapping) in mappings {
            frames.share(mapping.frame)?;
            let copy_on_write = self.regions.find(address).is_none_or(|region| {
                !matches!(
                    region.kind,
                    RegionKind::Shared { .. } | RegionKind::Device { .. }
                )
            });
            let writable = mapping.writable && !copy_on_write;
            if mapping.writable && copy_on_write {
                // Cannot fail: the mapping is there.
                let _ = self.pages.set_writable(address, false);
                if !mapping.parked {
                    write_protected.push(address);
                }
            }
            let _ = child.insert(
                address,
                Mapping {
                    writable,
                    ..mapping
                },
            );
        }
        Ok(Clone {
            child: Self {
                regions: self.regions.clone(),
                pages: child,
            },
            write_protected,
        })
    }

    /// Parks the mappings starting in `start..end` (the range became
    /// inaccessible): their frames stay owned and counted. Returns the starts of
    /// the mappings the server must unmap from the kernel (those not parked yet).
    pub fn park_range(&mut self, start: u64, end: u64) -> Vec<u64> {
        self.pages.park_range(start, end)
    }

    /// Unparks the parked mappings starting in `start..end` (access came back as
    /// `protection`, not empty): a mapping stays writable only if `protection`
    /// allows writing. Returns them as they are now recorded, for the server to map.
    pub fn unpark_range(
        &mut self,
        start: u64,
        end: u64,
        protection: mm_server_api::Protection,
    ) -> Vec<(u64, Mapping)> {
        let parked: Vec<(u64, Mapping)> = self
            .pages
            .iter()
            .filter(|&(address, mapping)| mapping.parked && (start..end).contains(&address))
            .collect();
        let writable_allowed = protection.contains(mm_server_api::Protection::WRITE);
        parked
            .into_iter()
            .map(|(address, mapping)| {
                let writable = mapping.writable && writable_allowed;
                // Cannot fail: the mapping is there.
                let _ = self.pages.set_parked(address, false);
                let _ = self.pages.set_writable(address, writable);
                (
                    address,
                    Mapping {
                        writable,
                        parked: false,
                        ..mapping
                    },
                )
            })
            .collect()
    }

    /// Drops the mappings (parked or not) overlapping `start..end` (after the
    /// server unmapped them) and returns the frames whose last mapping that was.
    pub fn release_range(
        &mut self,
        frames: &mut FrameTable,
        start: u64,
        end: u64,
    ) -> Vec<FreedFrame> {
        self.pages
            .remove_range(start, end)
            .into_iter()
            .filter_map(|(_, mapping)| match frames.release(mapping.frame) {
                Ok(release @ Release::Last { .. }) => Some(FreedFrame {
                    frame: mapping.frame,
                    release,
                }),
                _ => None,
            })
            .collect()
    }

    /// Destroys the address space: every mapping goes; returns the frames to free.
    pub fn destroy(mut self, frames: &mut FrameTable) -> Vec<FreedFrame> {
        self.release_range(frames, 0, u64::MAX)
    }
}

#[cfg(test)]
#[path = "address_space_tests.rs"]
mod tests;

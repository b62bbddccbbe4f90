//! COPY_RANGE's bookkeeping: a range of one address space (the source) shared
//! copy-on-write into a new anonymous region of another address space or of the
//! same one (the target). Pure, like [`crate::address_space`]: it returns what the
//! server must do with the kernel (remap source pages read-only, map the target's).
//!
//! The server, in this order: checks the source ([`check_source`]); places the
//! target region in the target's region map; demotes the 2 MiB mappings of the
//! source range that cannot be shared whole ([`large_mappings_to_demote`]); shares
//! the frames ([`AddressSpace::share_range`]); records them in the target
//! ([`AddressSpace::adopt_range`]) and maps them.
//!
//! Sharing is the clone's: every frame of the source range (mapped or parked) gets
//! one more reference, a writable source mapping becomes read-only, the target's
//! mapping is read-only (parked if the target region has no access), and a write
//! fault on either side copies a frame still shared. Pages without a frame stay
//! demand-zero in the target. The frames stay charged to the account that paid for
//! them (as after a clone); a copy made by a write fault is charged to the owner of
//! the space that wrote.
//!
//! A 2 MiB mapping is shared whole only when it lies entirely in the source range,
//! the target region may use large pages, and the target address has the same
//! offset in its 2 MiB stretch as the source address; otherwise the server demotes
//! it to 4 KiB copies first.

use alloc::vec::Vec;

use mm_server_api::PAGE_SIZE;

use crate::address_space::AddressSpace;
use crate::fault_decision::{LARGE_FRAME_BITS, SMALL_FRAME_BITS};
use crate::frame_table::{FrameError, FrameTable};
use crate::page_map::{Mapping, PageMap};
use crate::region::{Region, RegionKind};
use crate::region_map::RegionMap;

/// Why a COPY_RANGE step was refused (nothing changed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyRangeError {
    /// A range is empty, not page aligned or wraps around.
    Invalid,
    /// Part of the source range has no region.
    NotMapped,
    /// The source range has a region that is neither anonymous nor a stack
    /// (shared buffer, device, file-backed).
    Unsupported,
    /// A 2 MiB mapping of the source range cannot be shared whole and was not
    /// demoted.
    LargeMapping,
    /// The target range has mappings already.
    Overlap,
    /// A frame of the source range has no entry, or too many references.
    Frame(FrameError),
}

/// The outcome of [`AddressSpace::share_range`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedRange {
    /// The target's new mappings, by target address: read-only, parked where the
    /// target region has no access; each frame's count went up by one for it.
    pub mappings: Vec<(u64, Mapping)>,
    /// Source addresses of the mappings the server must remap read-only
    /// (copy-on-write from now on). Parked ones are not listed: they became
    /// read-only in the page map and are mapped so when access comes back.
    pub write_protected: Vec<u64>,
}

/// Checks that regions cover `start..end` without a hole and that each is
/// anonymous or a stack.
///
/// # Errors
/// [`CopyRangeError::Invalid`] for an empty or unaligned range,
/// [`CopyRangeError::NotMapped`] for a hole, [`CopyRangeError::Unsupported`] for
/// another kind of region (whichever comes first from `start`).
pub fn check_source(regions: &RegionMap, start: u64, end: u64) -> Result<(), CopyRangeError> {
    if start >= end || !start.is_multiple_of(PAGE_SIZE) || !end.is_multiple_of(PAGE_SIZE) {
        return Err(CopyRangeError::Invalid);
    }
    let mut covered_to = start;
    for region in regions.overlapping(start, end) {
        if region.start > covered_to {
            return Err(CopyRangeError::NotMapped);
        }
        if !matches!(
            region.kind,
            RegionKind::Anonymous | RegionKind::Stack { .. }
        ) {
            return Err(CopyRangeError::Unsupported);
        }
        covered_to = region.end;
    }
    if covered_to < end {
        return Err(CopyRangeError::NotMapped);
    }
    Ok(())
}

/// True if the mapping at `address` can be shared as it is with `target`, the
/// copy of `source_start..source_end`: a 4 KiB one always, a 2 MiB one only whole
/// and at the same offset in a 2 MiB stretch of a region that allows large pages.
fn shares_whole(
    address: u64,
    mapping: Mapping,
    source_start: u64,
    source_end: u64,
    target: &Region,
) -> bool {
    if mapping.size_bits <= SMALL_FRAME_BITS {
        return true;
    }
    let size = 1u64 << mapping.size_bits;
    let same_offset = target
        .start
        .wrapping_sub(source_start)
        .is_multiple_of(1 << LARGE_FRAME_BITS);
    target.large_pages
        && same_offset
        && address >= source_start
        && address
            .checked_add(size)
            .is_some_and(|mapping_end| mapping_end <= source_end)
}

/// The 2 MiB mappings of `pages` overlapping `source_start..source_start +
/// target.length()` that cannot be shared whole with `target` (the server demotes
/// them to 4 KiB copies first).
#[must_use]
pub fn large_mappings_to_demote(
    pages: &PageMap,
    source_start: u64,
    target: &Region,
) -> Vec<(u64, Mapping)> {
    let source_end = source_start.saturating_add(target.length());
    pages
        .overlapping(source_start, source_end)
        .filter(|&(address, mapping)| {
            !shares_whole(address, mapping, source_start, source_end, target)
        })
        .collect()
}

impl AddressSpace {
    /// The source side of COPY_RANGE: shares every frame of `source_start..
    /// source_start + target.length()` with the new region `target` (placed
    /// already, in this space or another one). Returns the target's mappings and
    /// the source mappings to remap read-only.
    ///
    /// # Errors
    /// The errors of [`check_source`], [`CopyRangeError::LargeMapping`] for a 2 MiB
    /// mapping that cannot be shared whole, [`CopyRangeError::Frame`]; nothing
    /// changes on error.
    pub fn share_range(
        &mut self,
        frames: &mut FrameTable,
        source_start: u64,
        target: &Region,
    ) -> Result<SharedRange, CopyRangeError> {
        let source_end = source_start
            .checked_add(target.length())
            .ok_or(CopyRangeError::Invalid)?;
        check_source(&self.regions, source_start, source_end)?;
        let mappings: Vec<(u64, Mapping)> =
            self.pages.overlapping(source_start, source_end).collect();
        if mappings.iter().any(|&(address, mapping)| {
            !shares_whole(address, mapping, source_start, source_end, target)
        }) {
            return Err(CopyRangeError::LargeMapping);
        }
        if mappings
            .iter()
            .any(|(_, mapping)| frames.get(mapping.frame).is_none())
        {
            return Err(CopyRangeError::Frame(FrameError::Unknown));
        }
        for (index, (_, mapping)) in mappings.iter().enumerate() {
            if let Err(error) = frames.share(mapping.frame) {
                for (_, shared) in mappings.iter().take(index) {
                    let _ = frames.release(shared.frame);
                }
                return Err(CopyRangeError::Frame(error));
            }
        }
        let parked = target.protection.is_empty();
        let mut shared = Vec::with_capacity(mappings.len());
        let mut write_protected = Vec::new();
        for (address, mapping) in mappings {
            if mapping.writable {
                // Cannot fail: the mapping is there.
                let _ = self.pages.set_writable(address, false);
                if !mapping.parked {
                    write_protected.push(address);
                }
            }
            shared.push((
                target.start + (address - source_start),
                Mapping {
                    writable: false,
                    parked,
                    ..mapping
                },
            ));
        }
        Ok(SharedRange {
            mappings: shared,
            write_protected,
        })
    }

    /// The target side of COPY_RANGE: records the mappings
    /// [`Self::share_range`] made (their references are counted already).
    ///
    /// # Errors
    /// [`CopyRangeError::Overlap`] if one of them is mapped already,
    /// [`CopyRangeError::Invalid`] for a misaligned one; nothing is recorded then.
    pub fn adopt_range(&mut self, shared: &SharedRange) -> Result<(), CopyRangeError> {
        let misaligned = shared.mappings.iter().any(|&(address, mapping)| {
            !matches!(mapping.size_bits, SMALL_FRAME_BITS | LARGE_FRAME_BITS)
                || !address.is_multiple_of(1 << mapping.size_bits)
        });
        if misaligned {
            return Err(CopyRangeError::Invalid);
        }
        let taken = shared.mappings.iter().any(|&(address, mapping)| {
            address
                .checked_add(1 << mapping.size_bits)
                .is_none_or(|end| self.pages.any_mapped(address, end))
        });
        if taken {
            return Err(CopyRangeError::Overlap);
        }
        for &(address, mapping) in &shared.mappings {
            self.pages
                .insert(address, mapping)
                .map_err(|_| CopyRangeError::Invalid)?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "range_copy_tests.rs"]
mod tests;

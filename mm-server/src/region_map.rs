//! The region map of one address space: non-overlapping regions, with insert,
//! unmap and protect over ranges (splitting regions at the edges), lookup, the
//! heap (brk) and stack growth.
//!
//! Adjacent regions that continue each other exactly are merged, so that a range
//! protected and unprotected again, or a heap grown page by page, stays one region.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use mm_server_api::{PAGE_SIZE, Protection, USER_ADDRESS_LIMIT};

use crate::region::{Region, RegionKind};

/// Most regions one address space may have by default (the metadata bound).
pub const DEFAULT_MAX_REGIONS: usize = 4096;
/// Unmapped bytes kept below a stack (Linux's default stack guard gap, 256 pages):
/// faults in it grow the stack, and the stack never grows closer than this to the
/// region below.
pub const DEFAULT_STACK_GUARD_GAP: u64 = 256 * PAGE_SIZE;
/// mm-server never chooses addresses below this (the first 64 KiB stay unmapped).
pub const LOWEST_CHOSEN_ADDRESS: u64 = 0x1_0000;

/// Why a region-map operation was refused (nothing changed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionError {
    /// A range is empty, not page aligned, or past user space; or permissions
    /// above the maximum in a new region.
    Invalid,
    /// The range overlaps a region.
    Overlap,
    /// (Part of) the range has no region; or there is no heap.
    NotMapped,
    /// PROTECT above a region's maximum permissions.
    Permission,
    /// The address space has its maximum number of regions.
    TooManyRegions,
    /// No free range is large enough.
    NoSpace,
}

/// The heap: from `base` to the break (rounded up to pages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Heap {
    /// First byte of the heap.
    pub base: u64,
    /// The program break (byte granular).
    pub current_break: u64,
}

/// The outcome of a BRK that moved the break.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrkChange {
    /// The new break.
    pub current_break: u64,
    /// Pieces removed by shrinking (the server frees their frames).
    pub released: Vec<Region>,
}

/// How a stack grows for a fault below it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StackGrowth {
    /// The stack region's current start.
    pub region_start: u64,
    /// Its start after growing (the faulting page).
    pub new_start: u64,
}

/// The regions of one address space.
#[derive(Clone, Debug)]
pub struct RegionMap {
    regions: BTreeMap<u64, Region>,
    heap: Option<Heap>,
    max_regions: usize,
    stack_guard_gap: u64,
}

impl Default for RegionMap {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_REGIONS, DEFAULT_STACK_GUARD_GAP)
    }
}

const fn page_up(value: u64) -> Option<u64> {
    match value.checked_add(PAGE_SIZE - 1) {
        Some(value) => Some(value & !(PAGE_SIZE - 1)),
        None => None,
    }
}

const fn page_down(value: u64) -> u64 {
    value & !(PAGE_SIZE - 1)
}

/// Checks a range from a request: non-empty, page aligned, inside user space.
fn check_range(start: u64, end: u64) -> Result<(), RegionError> {
    if start < end
        && start.is_multiple_of(PAGE_SIZE)
        && end.is_multiple_of(PAGE_SIZE)
        && end <= USER_ADDRESS_LIMIT
    {
        Ok(())
    } else {
        Err(RegionError::Invalid)
    }
}

impl RegionMap {
    /// An empty map with at most `max_regions` regions and the given stack guard gap
    /// (page aligned).
    #[must_use]
    pub const fn new(max_regions: usize, stack_guard_gap: u64) -> Self {
        Self {
            regions: BTreeMap::new(),
            heap: None,
            max_regions,
            stack_guard_gap: stack_guard_gap & !(PAGE_SIZE - 1),
        }
    }

    /// The region containing `address`.
    #[must_use]
    pub fn find(&self, address: u64) -> Option<&Region> {
        let (_, region) = self.regions.range(..=address).next_back()?;
        region.contains(address).then_some(region)
    }

    /// Every region, lowest first.
    pub fn iter(&self) -> impl Iterator<Item = &Region> + '_ {
        self.regions.values()
    }

    /// Number of regions.
    #[must_use]
    pub fn len(&self) -> usize {
        self.regions.len()
    }

    /// True if there is no region.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// The regions overlapping `start..end`, lowest first.
    pub fn overlapping(&self, start: u64, end: u64) -> impl Iterator<Item = &Region> + '_ {
        let first = self
            .regions
            .range(..start)
            .next_back()
            .filter(|(_, region)| region.end > start)
            .map(|(&key, _)| key)
            .unwrap_or(start);
        self.regions
            .range(first..end)
            .map(|(_, region)| region)
            .filter(move |region| region.end > start)
    }

    /// The heap, once BRK set its base.
    #[must_use]
    pub const fn heap(&self) -> Option<Heap> {
        self.heap
    }

    /// The stack guard gap of this map.
    #[must_use]
    pub const fn stack_guard_gap(&self) -> u64 {
        self.stack_guard_gap
    }

    /// Adds a region where nothing is mapped.
    ///
    /// # Errors
    /// [`RegionError::Invalid`] for a malformed region, [`RegionError::Overlap`],
    /// [`RegionError::TooManyRegions`].
    pub fn insert(&mut self, region: Region) -> Result<(), RegionError> {
        if !region.is_well_formed() {
            return Err(RegionError::Invalid);
        }
        if self.overlapping(region.start, region.end).next().is_some() {
            return Err(RegionError::Overlap);
        }
        if self.regions.len() >= self.max_regions {
            return Err(RegionError::TooManyRegions);
        }
        self.regions.insert(region.start, region);
        self.merge_at(region.end);
        self.merge_at(region.start);
        Ok(())
    }

    /// Splits the region that strictly contains `address` into two at it.
    fn split_at(&mut self, address: u64) {
        let Some((_, region)) = self.regions.range_mut(..address).next_back() else {
            return;
        };
        if region.end <= address {
            return;
        }
        let upper = Region {
            start: address,
            kind: region.kind_at(address),
            ..*region
        };
        region.end = address;
        self.regions.insert(address, upper);
    }

    /// Merges the region ending at `address` with the one starting there, if the
    /// second continues the first exactly.
    fn merge_at(&mut self, address: u64) {
        let Some(upper) = self.regions.get(&address).copied() else {
            return;
        };
        let Some((_, lower)) = self.regions.range_mut(..address).next_back() else {
            return;
        };
        if lower.continues_into(&upper) {
            lower.end = upper.end;
            self.regions.remove(&address);
        }
    }

    /// Splitting at `start` and `end` adds at most two regions; refuses if that
    /// could exceed the maximum.
    fn room_for_splits(&self, start: u64, end: u64) -> Result<(), RegionError> {
        let splits = [start, end]
            .iter()
            .filter(|&&address| {
                self.find(address)
                    .is_some_and(|region| region.start != address)
            })
            .count();
        if self.regions.len() + splits > self.max_regions {
            Err(RegionError::TooManyRegions)
        } else {
            Ok(())
        }
    }

    /// Removes everything mapped in `start..start + length`, splitting regions at
    /// the edges; unmapped parts of the range are skipped. Returns the removed
    /// pieces (the server frees their frames).
    ///
    /// # Errors
    /// [`RegionError::Invalid`] for a malformed range, [`RegionError::TooManyRegions`]
    /// if splitting one region in two would pass the maximum.
    pub fn unmap(&mut self, start: u64, length: u64) -> Result<Vec<Region>, RegionError> {
        let end = start.checked_add(length).ok_or(RegionError::Invalid)?;
        check_range(start, end)?;
        // Only a range strictly inside one region adds a region.
        if let Some(region) = self.find(start)
            && region.start < start
            && end < region.end
            && self.regions.len() >= self.max_regions
        {
            return Err(RegionError::TooManyRegions);
        }
        self.split_at(start);
        self.split_at(end);
        let keys: Vec<u64> = self
            .regions
            .range(start..end)
            .map(|(&key, _)| key)
            .collect();
        Ok(keys
            .into_iter()
            .filter_map(|key| self.regions.remove(&key))
            .collect())
    }

    /// Sets the permissions of `start..start + length`, which regions must cover
    /// without a hole. Returns the pieces changed, as they were before.
    ///
    /// # Errors
    /// [`RegionError::Invalid`], [`RegionError::NotMapped`] (a hole),
    /// [`RegionError::Permission`] (above a region's maximum),
    /// [`RegionError::TooManyRegions`]; nothing changes on error.
    pub fn protect(
        &mut self,
        start: u64,
        length: u64,
        protection: Protection,
    ) -> Result<Vec<Region>, RegionError> {
        let end = start.checked_add(length).ok_or(RegionError::Invalid)?;
        check_range(start, end)?;
        let mut covered_to = start;
        for region in self.overlapping(start, end) {
            if region.start > covered_to {
                return Err(RegionError::NotMapped);
            }
            covered_to = region.end;
        }
        if covered_to < end {
            return Err(RegionError::NotMapped);
        }
        if self
            .overlapping(start, end)
            .any(|region| !protection.is_subset_of(region.max_protection))
        {
            return Err(RegionError::Permission);
        }
        self.room_for_splits(start, end)?;
        self.split_at(start);
        self.split_at(end);
        let mut before = Vec::new();
        for (_, region) in self.regions.range_mut(start..end) {
            before.push(*region);
            region.protection = protection;
        }
        let boundaries: Vec<u64> = before.iter().map(|region| region.start).collect();
        self.merge_at(end);
        for address in boundaries.into_iter().rev() {
            self.merge_at(address);
        }
        Ok(before)
    }

    /// Finds the lowest address `a` at or above `lower_bound` (and
    /// [`LOWEST_CHOSEN_ADDRESS`]), aligned to `alignment` (a power of two, at least
    /// a page), such that `a - reserve_below..a + length` is free and stays clear of
    /// every stack's growth room and guard gap.
    #[must_use]
    pub fn find_free(
        &self,
        length: u64,
        alignment: u64,
        reserve_below: u64,
        lower_bound: u64,
    ) -> Option<u64> {
        if length == 0 || !alignment.is_power_of_two() || alignment < PAGE_SIZE {
            return None;
        }
        let mut gap_start = lower_bound.max(LOWEST_CHOSEN_ADDRESS);
        let gaps = self
            .regions
            .values()
            .map(|region| (self.reserved_start(region), region.end))
            .chain(core::iter::once((USER_ADDRESS_LIMIT, USER_ADDRESS_LIMIT)));
        for (reserved_start, region_end) in gaps {
            let candidate = gap_start
                .checked_add(reserve_below)
                .and_then(|value| value.checked_add(alignment - 1))
                .map(|value| value & !(alignment - 1));
            if let Some(candidate) = candidate
                && candidate
                    .checked_add(length)
                    .is_some_and(|candidate_end| candidate_end <= reserved_start)
            {
                return Some(candidate);
            }
            gap_start = gap_start.max(region_end);
        }
        None
    }

    /// Where the free space below a region must end: a stack keeps its growth room
    /// and guard gap free.
    fn reserved_start(&self, region: &Region) -> u64 {
        match region.kind {
            RegionKind::Stack { top, limit } => top
                .saturating_sub(limit)
                .min(region.start)
                .saturating_sub(self.stack_guard_gap),
            _ => region.start,
        }
    }

    /// Inserts `region` (its start ignored) at a free address chosen by
    /// [`Self::find_free`]; a stack reserves its growth room and guard gap below.
    /// Returns the start.
    ///
    /// # Errors
    /// [`RegionError::NoSpace`] and the errors of [`Self::insert`].
    pub fn insert_anywhere(&mut self, region: Region, alignment: u64) -> Result<u64, RegionError> {
        let length = region
            .end
            .checked_sub(region.start)
            .ok_or(RegionError::Invalid)?;
        let reserve_below = match region.kind {
            RegionKind::Stack { limit, .. } => limit
                .saturating_sub(length)
                .saturating_add(self.stack_guard_gap),
            _ => 0,
        };
        let start = self
            .find_free(length, alignment, reserve_below, 0)
            .ok_or(RegionError::NoSpace)?;
        let end = start + length;
        let kind = match region.kind {
            RegionKind::Stack { limit, .. } => RegionKind::Stack { top: end, limit },
            kind => kind,
        };
        self.insert(Region {
            start,
            end,
            kind,
            ..region
        })?;
        Ok(start)
    }

    /// Sets the heap's base (and break) to `base`, while the heap is empty.
    ///
    /// # Errors
    /// [`RegionError::Invalid`] for a base not page aligned or past user space, or
    /// a heap that is not empty; [`RegionError::Overlap`] if a region starts there.
    pub fn set_heap_base(&mut self, base: u64) -> Result<Heap, RegionError> {
        if !base.is_multiple_of(PAGE_SIZE) || base == 0 || base >= USER_ADDRESS_LIMIT {
            return Err(RegionError::Invalid);
        }
        if self
            .heap
            .is_some_and(|heap| heap.current_break != heap.base)
        {
            return Err(RegionError::Invalid);
        }
        if self.find(base).is_some() {
            return Err(RegionError::Overlap);
        }
        let heap = Heap {
            base,
            current_break: base,
        };
        self.heap = Some(heap);
        Ok(heap)
    }

    /// Moves the break to `new_break`: the heap region grows (demand-zero,
    /// read-write) or shrinks to end at `new_break` rounded up to a page.
    ///
    /// # Errors
    /// [`RegionError::NotMapped`] without a heap; [`RegionError::Invalid`] below the
    /// base or past user space; [`RegionError::Overlap`] if growing runs into
    /// another region; [`RegionError::TooManyRegions`]. The break is then unchanged.
    pub fn brk(&mut self, new_break: u64) -> Result<BrkChange, RegionError> {
        let mut heap = self.heap.ok_or(RegionError::NotMapped)?;
        if new_break < heap.base || new_break > USER_ADDRESS_LIMIT {
            return Err(RegionError::Invalid);
        }
        let old_end = page_up(heap.current_break).ok_or(RegionError::Invalid)?;
        let new_end = page_up(new_break).ok_or(RegionError::Invalid)?;
        let mut released = Vec::new();
        if new_end > old_end {
            self.insert(Region::anonymous(old_end, new_end, Protection::READ_WRITE))?;
        } else if new_end < old_end {
            released = self.unmap(new_end, old_end - new_end)?;
        }
        heap.current_break = new_break;
        self.heap = Some(heap);
        Ok(BrkChange {
            current_break: new_break,
            released,
        })
    }

    /// Whether a fault at `address` (in no region) grows a stack: the next region
    /// above is a stack, `address` lies within the guard gap below it, the stack
    /// stays within its limit, and the guard gap below the new start stays free.
    #[must_use]
    pub fn stack_growth(&self, address: u64) -> Option<StackGrowth> {
        if self.find(address).is_some() {
            return None;
        }
        let (_, stack) = self.regions.range(address..).next()?;
        let RegionKind::Stack { top, limit } = stack.kind else {
            return None;
        };
        let new_start = page_down(address);
        if address < stack.start.saturating_sub(self.stack_guard_gap)
            || top.saturating_sub(new_start) > limit
        {
            return None;
        }
        if let Some((_, below)) = self.regions.range(..stack.start).next_back()
            && below.end.saturating_add(self.stack_guard_gap) > new_start
        {
            return None;
        }
        Some(StackGrowth {
            region_start: stack.start,
            new_start,
        })
    }

    /// Grows a stack as [`Self::stack_growth`] decided.
    ///
    /// # Errors
    /// [`RegionError::NotMapped`] if no region starts at `growth.region_start`,
    /// [`RegionError::Overlap`] if the new range is no longer free.
    pub fn grow_stack(&mut self, growth: StackGrowth) -> Result<(), RegionError> {
        let stack = *self
            .regions
            .get(&growth.region_start)
            .ok_or(RegionError::NotMapped)?;
        if growth.new_start >= stack.start
            || !growth.new_start.is_multiple_of(PAGE_SIZE)
            || self
                .overlapping(growth.new_start, stack.start)
                .next()
                .is_some()
        {
            return Err(RegionError::Overlap);
        }
        self.regions.remove(&growth.region_start);
        self.regions.insert(
            growth.new_start,
            Region {
                start: growth.new_start,
                ..stack
            },
        );
        self.merge_at(growth.new_start);
        Ok(())
    }

    /// Checks the invariants: regions well formed, sorted, not overlapping, keyed
    /// by their start, within the maximum count.
    ///
    /// # Errors
    /// A description of the first invariant found broken.
    pub fn check_invariants(&self) -> Result<(), &'static str> {
        let mut previous_end = 0;
        for (&key, region) in &self.regions {
            if key != region.start {
                return Err("region keyed by another address");
            }
            if !region.is_well_formed() {
                return Err("malformed region");
            }
            if region.start < previous_end {
                return Err("regions overlap");
            }
            previous_end = region.end;
        }
        if self.regions.len() > self.max_regions {
            return Err("too many regions");
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "region_map_tests.rs"]
mod tests;

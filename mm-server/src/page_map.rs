//! The pages mapped in one address space: which frame backs each mapped page (or
//! 2 MiB stretch) and whether the mapping is writable. This mirrors what the server
//! mapped with ADDRESS_SPACE MAP, so that the pager knows what is present.
//! A mapping may be *parked*: its range became inaccessible (PROTECT to no
//! access), so the server unmapped the frame from the kernel's address space
//! (x86_64 cannot map a present page without read access), but the frame stays
//! owned and counted here, and is mapped again when access comes back.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// One mapping: a frame at a virtual address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// Physical address of the frame.
    pub frame: u64,
    /// log2 of the frame's size (12 or 21).
    pub size_bits: u32,
    /// Mapped writable (a copy-on-write page is mapped read-only).
    pub writable: bool,
    /// Kept but not mapped in the kernel's address space (inaccessible range).
    pub parked: bool,
}

/// Why the page map refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageMapError {
    /// The virtual address is not aligned to the frame size, or the size is not
    /// 4 KiB or 2 MiB.
    Misaligned,
    /// Something is mapped there already.
    Overlap,
    /// Nothing is mapped at that address.
    NotMapped,
}

/// The mappings of one address space, by virtual address.
#[derive(Clone, Debug, Default)]
pub struct PageMap {
    mappings: BTreeMap<u64, Mapping>,
}

impl PageMap {
    /// No mappings.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            mappings: BTreeMap::new(),
        }
    }

    /// The mapping covering `address`, with its virtual start.
    #[must_use]
    pub fn lookup(&self, address: u64) -> Option<(u64, Mapping)> {
        let (&start, &mapping) = self.mappings.range(..=address).next_back()?;
        (address - start < 1 << mapping.size_bits).then_some((start, mapping))
    }

    /// True if any mapping overlaps `start..end`.
    #[must_use]
    pub fn any_mapped(&self, start: u64, end: u64) -> bool {
        self.lookup(start).is_some() || self.mappings.range(start..end).next().is_some()
    }

    /// Records a mapping at `virtual_address`.
    ///
    /// # Errors
    /// [`PageMapError::Misaligned`], [`PageMapError::Overlap`].
    pub fn insert(&mut self, virtual_address: u64, mapping: Mapping) -> Result<(), PageMapError> {
        if !matches!(mapping.size_bits, 12 | 21)
            || virtual_address & ((1 << mapping.size_bits) - 1) != 0
        {
            return Err(PageMapError::Misaligned);
        }
        let end = virtual_address
            .checked_add(1 << mapping.size_bits)
            .ok_or(PageMapError::Misaligned)?;
        if self.any_mapped(virtual_address, end) {
            return Err(PageMapError::Overlap);
        }
        self.mappings.insert(virtual_address, mapping);
        Ok(())
    }

    /// Removes the mapping starting at `virtual_address`.
    ///
    /// # Errors
    /// [`PageMapError::NotMapped`].
    pub fn remove(&mut self, virtual_address: u64) -> Result<Mapping, PageMapError> {
        self.mappings
            .remove(&virtual_address)
            .ok_or(PageMapError::NotMapped)
    }

    /// Changes whether the mapping starting at `virtual_address` is writable.
    ///
    /// # Errors
    /// [`PageMapError::NotMapped`].
    pub fn set_writable(
        &mut self,
        virtual_address: u64,
        writable: bool,
    ) -> Result<(), PageMapError> {
        let mapping = self
            .mappings
            .get_mut(&virtual_address)
            .ok_or(PageMapError::NotMapped)?;
        mapping.writable = writable;
        Ok(())
    }

    /// Parks every unparked mapping starting in `start..end`; returns their starts
    /// (the server unmaps them from the kernel).
    pub fn park_range(&mut self, start: u64, end: u64) -> Vec<u64> {
        self.mappings
            .range_mut(start..end)
            .filter(|(_, mapping)| !mapping.parked)
            .map(|(&address, mapping)| {
                mapping.parked = true;
                address
            })
            .collect()
    }

    /// Marks the mapping starting at `virtual_address` parked or not.
    ///
    /// # Errors
    /// [`PageMapError::NotMapped`].
    pub fn set_parked(&mut self, virtual_address: u64, parked: bool) -> Result<(), PageMapError> {
        let mapping = self
            .mappings
            .get_mut(&virtual_address)
            .ok_or(PageMapError::NotMapped)?;
        mapping.parked = parked;
        Ok(())
    }

    /// Removes every mapping that overlaps `start..end` (a 2 MiB mapping that
    /// straddles an edge goes whole: the server copies out the part outside the
    /// range first, see [`Self::straddling`]). Returns them with their starts.
    pub fn remove_range(&mut self, start: u64, end: u64) -> Vec<(u64, Mapping)> {
        let straddling_start = self.lookup(start).map(|(key, _)| key);
        let mut keys: Vec<u64> = straddling_start.into_iter().collect();
        keys.extend(
            self.mappings
                .range(start..end)
                .map(|(&key, _)| key)
                .filter(|&key| Some(key) != straddling_start),
        );
        keys.into_iter()
            .filter_map(|key| Some((key, self.mappings.remove(&key)?)))
            .collect()
    }

    /// Removes at most `limit` of the mappings that overlap `start..end`, lowest
    /// address first (as [`Self::remove_range`] would, a straddling 2 MiB mapping
    /// whole). Called until it returns fewer than `limit`, it removes what
    /// [`Self::remove_range`] removes with bounded temporary memory: the server
    /// destroys a space of 100 000 mappings without a megabyte-sized list.
    pub fn remove_range_limited(
        &mut self,
        start: u64,
        end: u64,
        limit: usize,
    ) -> Vec<(u64, Mapping)> {
        let keys: Vec<u64> = self
            .overlapping(start, end)
            .take(limit)
            .map(|(key, _)| key)
            .collect();
        keys.into_iter()
            .filter_map(|key| Some((key, self.mappings.remove(&key)?)))
            .collect()
    }

    /// The mappings that cross the edges of `start..end` (only 2 MiB mappings can).
    #[must_use]
    pub fn straddling(&self, start: u64, end: u64) -> Vec<(u64, Mapping)> {
        let mut found = Vec::new();
        for edge in [start, end] {
            if let Some((key, mapping)) = self.lookup(edge)
                && key != edge
                && !found.iter().any(|&(other, _)| other == key)
            {
                found.push((key, mapping));
            }
        }
        found
    }

    /// The mappings that overlap `start..end` (one starting below `start` may
    /// cross it), lowest address first.
    pub fn overlapping(&self, start: u64, end: u64) -> impl Iterator<Item = (u64, Mapping)> + '_ {
        let straddling = self.lookup(start).filter(|&(key, _)| key < start);
        straddling.into_iter().chain(
            self.mappings
                .range(start..end)
                .map(|(&key, &mapping)| (key, mapping)),
        )
    }

    /// Every mapping, lowest address first.
    pub fn iter(&self) -> impl Iterator<Item = (u64, Mapping)> + '_ {
        self.mappings
            .iter()
            .map(|(&start, &mapping)| (start, mapping))
    }

    /// Number of mappings.
    #[must_use]
    pub fn len(&self) -> usize {
        self.mappings.len()
    }

    /// True if nothing is mapped.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.mappings.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Mapping = Mapping {
        frame: 0x5000,
        size_bits: 12,
        writable: true,
        parked: false,
    };
    const LARGE: Mapping = Mapping {
        frame: 0x20_0000,
        size_bits: 21,
        writable: false,
        parked: false,
    };

    #[test]
    fn limited_removal_takes_the_same_mappings_in_chunks() {
        let mut whole = PageMap::new();
        whole.insert(0, LARGE).unwrap();
        for page in 0..1000u64 {
            whole.insert(0x40_0000 + page * 0x1000, SMALL).unwrap();
        }
        let mut chunked = whole.clone();
        let expected = whole.remove_range(0x1000, 0x40_0000 + 999 * 0x1000);
        let mut removed = Vec::new();
        loop {
            let chunk = chunked.remove_range_limited(0x1000, 0x40_0000 + 999 * 0x1000, 64);
            assert!(chunk.len() <= 64);
            let done = chunk.len() < 64;
            removed.extend(chunk);
            if done {
                break;
            }
        }
        assert_eq!(removed, expected);
        assert_eq!(chunked.len(), 1);
        assert_eq!(whole.len(), 1);
        assert!(chunked.remove_range_limited(0, 0x1000, 0).is_empty());
    }

    #[test]
    fn lookups_and_overlaps() {
        let mut pages = PageMap::new();
        pages.insert(0x40_0000, LARGE).unwrap();
        pages.insert(0x1000, SMALL).unwrap();
        assert_eq!(pages.lookup(0x5f_ffff), Some((0x40_0000, LARGE)));
        assert_eq!(pages.lookup(0x60_0000), None);
        assert_eq!(pages.lookup(0x1fff), Some((0x1000, SMALL)));
        assert_eq!(pages.insert(0x40_1000, SMALL), Err(PageMapError::Overlap));
        assert_eq!(
            pages.insert(0x1000 + 1, SMALL),
            Err(PageMapError::Misaligned)
        );
        assert_eq!(
            pages.insert(0x80_1000, LARGE),
            Err(PageMapError::Misaligned)
        );
        assert!(pages.any_mapped(0x3f_f000, 0x40_1000));
        assert!(!pages.any_mapped(0x2000, 0x20_0000));
        assert_eq!(pages.straddling(0x50_0000, 0x51_0000).len(), 1);
        assert!(pages.straddling(0x40_0000, 0x60_0000).is_empty());
        pages.set_writable(0x1000, false).unwrap();
        assert_eq!(
            pages.set_writable(0x2000, false),
            Err(PageMapError::NotMapped)
        );
        assert_eq!(pages.park_range(0x1000, 0x2000), [0x1000]);
        assert!(pages.park_range(0x1000, 0x2000).is_empty());
        assert!(
            pages
                .lookup(0x1000)
                .is_some_and(|(_, mapping)| mapping.parked)
        );
        pages.set_parked(0x1000, false).unwrap();
        assert_eq!(pages.set_parked(0x3000, true), Err(PageMapError::NotMapped));
        let overlapping: Vec<u64> = pages
            .overlapping(0x50_0000, 0x60_1000)
            .map(|(start, _)| start)
            .collect();
        assert_eq!(overlapping, [0x40_0000]);
        let overlapping: Vec<u64> = pages
            .overlapping(0x1000, 0x40_0001)
            .map(|(start, _)| start)
            .collect();
        assert_eq!(overlapping, [0x1000, 0x40_0000]);
        assert_eq!(pages.overlapping(0x2000, 0x40_0000).count(), 0);
        let removed = pages.remove_range(0x50_0000, 0x50_1000);
        assert_eq!(removed, [(0x40_0000, LARGE)]);
        assert_eq!(
            pages.remove(0x1000).map(|mapping| mapping.writable),
            Ok(false)
        );
        assert!(pages.is_empty());
    }
}

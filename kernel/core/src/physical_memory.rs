//! The boot memory map, validated, and the kernel's boot-time page allocator.
//!
//! The loader reports physical memory as a list of [`MemoryRegion`]s. The kernel
//! checks that list once ([`PhysicalMemory::new`]), takes the few pages it needs
//! for its own page tables from the free regions ([`PhysicalMemory::allocate_page`]),
//! and hands everything still free to init as Generic memory
//! ([`PhysicalMemory::free_ranges`]). Memory below [`LOW_MEMORY_LIMIT`] is never
//! handed out: it stays with the kernel for real-mode trampolines.

use a9n_abi::boot::{MEMORY_MAP_CAPACITY, MemoryRegion, MemoryType, PAGE_SIZE};

/// Physical memory below this address is never allocated or handed to init.
pub const LOW_MEMORY_LIMIT: u64 = 0x10_0000;

/// Why a memory map was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoryMapError {
    /// The map has no entries, or more than the boot protocol allows.
    BadCount(u64),
    /// Entry `index` has an unknown memory type.
    UnknownType {
        /// Position in the map.
        index: usize,
        /// The word found.
        memory_type: u64,
    },
    /// Entry `index` does not start on a page boundary.
    Unaligned {
        /// Position in the map.
        index: usize,
    },
    /// Entry `index` is empty, wraps around, or goes past 2^52 (the physical limit).
    BadSize {
        /// Position in the map.
        index: usize,
    },
    /// Entry `index` starts before the previous one ends.
    Overlap {
        /// Position in the map.
        index: usize,
    },
    /// There is no free memory above [`LOW_MEMORY_LIMIT`].
    NoFreeMemory,
}

/// Highest physical address x86_64 can have (52 bits).
const PHYSICAL_ADDRESS_LIMIT: u64 = 1 << 52;

/// A validated memory map plus the boot allocator's progress through it.
#[derive(Clone, Debug)]
pub struct PhysicalMemory {
    regions: [MemoryRegion; MEMORY_MAP_CAPACITY],
    /// Pages taken by the boot allocator from the start of each free region.
    used_pages: [u64; MEMORY_MAP_CAPACITY],
    count: usize,
}

/// A range of physical memory, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhysicalRange {
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
}

impl PhysicalRange {
    /// Size in bytes.
    #[must_use]
    pub const fn size(&self) -> u64 {
        self.end - self.start
    }
}

impl PhysicalMemory {
    /// Checks a boot memory map: 1..=capacity entries, known types, page aligned,
    /// non-empty, sorted and non-overlapping, and some free memory above 1 MiB.
    pub fn new(map: &[MemoryRegion]) -> Result<Self, MemoryMapError> {
        if map.is_empty() || map.len() > MEMORY_MAP_CAPACITY {
            return Err(MemoryMapError::BadCount(map.len() as u64));
        }
        let mut previous_end = 0;
        for (index, region) in map.iter().enumerate() {
            if MemoryType::try_from(region.memory_type).is_err() {
                return Err(MemoryMapError::UnknownType {
                    index,
                    memory_type: region.memory_type,
                });
            }
            if region.start % PAGE_SIZE != 0 {
                return Err(MemoryMapError::Unaligned { index });
            }
            let end = region
                .page_count
                .checked_mul(PAGE_SIZE)
                .and_then(|size| region.start.checked_add(size));
            match end {
                Some(end) if region.page_count > 0 && end <= PHYSICAL_ADDRESS_LIMIT => {
                    if index > 0 && region.start < previous_end {
                        return Err(MemoryMapError::Overlap { index });
                    }
                    previous_end = end;
                }
                _ => return Err(MemoryMapError::BadSize { index }),
            }
        }
        let mut memory = Self {
            regions: [MemoryRegion::default(); MEMORY_MAP_CAPACITY],
            used_pages: [0; MEMORY_MAP_CAPACITY],
            count: map.len(),
        };
        memory.regions[..map.len()].copy_from_slice(map);
        if memory.free_bytes() == 0 {
            return Err(MemoryMapError::NoFreeMemory);
        }
        Ok(memory)
    }

    /// The regions of the map.
    #[must_use]
    pub fn regions(&self) -> &[MemoryRegion] {
        &self.regions[..self.count]
    }

    /// Bytes in the map's free regions, whether or not the boot allocator has
    /// taken them since and including low memory. (Reserved regions are not counted:
    /// firmware also reports address windows such as PCI configuration space as
    /// reserved, so they say nothing about how much RAM there is.)
    #[must_use]
    pub fn free_region_bytes(&self) -> u64 {
        self.regions()
            .iter()
            .filter(|region| region.memory_type == MemoryType::Free as u64)
            .map(|region| region.page_count * PAGE_SIZE)
            .sum()
    }

    /// One past the highest address of any RAM region.
    #[must_use]
    pub fn ram_end(&self) -> u64 {
        self.regions()
            .iter()
            .filter(|region| region.memory_type != MemoryType::Device as u64)
            .map(MemoryRegion::end)
            .max()
            .unwrap_or(0)
    }

    /// Whether any RAM (free or reserved) lies in `[start, end)`.
    #[must_use]
    pub fn contains_ram(&self, start: u64, end: u64) -> bool {
        self.regions().iter().any(|region| {
            region.memory_type != MemoryType::Device as u64
                && region.start < end
                && start < region.end()
        })
    }

    /// The part of free region `index` that is still free and above the low limit.
    fn available(&self, index: usize) -> Option<PhysicalRange> {
        let region = &self.regions[index];
        if region.memory_type != MemoryType::Free as u64 {
            return None;
        }
        let start = region
            .start
            .max(LOW_MEMORY_LIMIT)
            .max(region.start + self.used_pages[index] * PAGE_SIZE);
        let end = region.end();
        (start < end).then_some(PhysicalRange { start, end })
    }

    /// Free memory not yet taken by the boot allocator, above the low limit.
    pub fn free_ranges(&self) -> impl Iterator<Item = PhysicalRange> + '_ {
        (0..self.count).filter_map(|index| self.available(index))
    }

    /// Bytes in [`Self::free_ranges`].
    #[must_use]
    pub fn free_bytes(&self) -> u64 {
        self.free_ranges().map(|range| range.size()).sum()
    }

    /// Takes `pages` physically contiguous pages from the first free range that has
    /// room for them; the caller must zero them. `None` when no range is big enough.
    pub fn allocate_contiguous(&mut self, pages: u64) -> Option<u64> {
        let size = pages.checked_mul(PAGE_SIZE)?;
        let index = (0..self.count).find(|&index| {
            self.available(index)
                .is_some_and(|range| range.size() >= size)
        })?;
        let range = self.available(index)?;
        let region_start = self.regions[index].start;
        self.used_pages[index] = (range.start - region_start) / PAGE_SIZE + pages;
        Some(range.start)
    }

    /// Takes one page (4 KiB, page aligned) from the lowest free range; the caller
    /// must zero it before use. `None` when no free memory is left.
    pub fn allocate_page(&mut self) -> Option<u64> {
        let index = (0..self.count).find(|&index| self.available(index).is_some())?;
        let range = self.available(index)?;
        let region_start = self.regions[index].start;
        self.used_pages[index] = (range.start - region_start) / PAGE_SIZE + 1;
        Some(range.start)
    }
}

/// Splits `[start, end)` (page aligned) into naturally aligned power-of-two blocks,
/// largest first where alignment allows: `(address, size_bits)` pairs.
pub fn aligned_blocks(start: u64, end: u64) -> impl Iterator<Item = (u64, u32)> {
    let mut address = start;
    core::iter::from_fn(move || {
        if address >= end || end - address < PAGE_SIZE {
            return None;
        }
        let alignment_bits = if address == 0 {
            63
        } else {
            address.trailing_zeros()
        };
        let fit_bits = 63 - (end - address).leading_zeros();
        let size_bits = alignment_bits.min(fit_bits).min(47);
        let block = (address, size_bits);
        address += 1 << size_bits;
        Some(block)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::vec::Vec;

    fn region(start: u64, pages: u64, memory_type: MemoryType) -> MemoryRegion {
        MemoryRegion {
            start,
            page_count: pages,
            memory_type: memory_type as u64,
        }
    }

    fn qemu_like_map() -> [MemoryRegion; 4] {
        [
            region(0, 0xa0, MemoryType::Free),
            region(0x10_0000, 0x700, MemoryType::Free),
            region(0x80_0000, 0x10, MemoryType::Reserved),
            region(0xfee0_0000, 1, MemoryType::Device),
        ]
    }

    #[test]
    fn accepts_a_plain_map_and_counts_memory() {
        let memory = PhysicalMemory::new(&qemu_like_map()).unwrap();
        assert_eq!(memory.free_region_bytes(), (0xa0 + 0x700) * PAGE_SIZE);
        assert_eq!(memory.free_bytes(), 0x700 * PAGE_SIZE);
        assert_eq!(memory.ram_end(), 0x81_0000);
        assert!(memory.contains_ram(0x80_0000, 0x80_1000));
        assert!(!memory.contains_ram(0xfee0_0000, 0xfee0_1000));
    }

    #[test]
    fn rejects_bad_maps() {
        assert_eq!(
            PhysicalMemory::new(&[]).unwrap_err(),
            MemoryMapError::BadCount(0)
        );
        let mut map = qemu_like_map();
        map[1].memory_type = 7;
        assert!(matches!(
            PhysicalMemory::new(&map),
            Err(MemoryMapError::UnknownType { index: 1, .. })
        ));
        let mut map = qemu_like_map();
        map[2].start += 1;
        assert_eq!(
            PhysicalMemory::new(&map).unwrap_err(),
            MemoryMapError::Unaligned { index: 2 }
        );
        let mut map = qemu_like_map();
        map[2].start = 0x7f_f000;
        assert_eq!(
            PhysicalMemory::new(&map).unwrap_err(),
            MemoryMapError::Overlap { index: 2 }
        );
        let mut map = qemu_like_map();
        map[3].page_count = u64::MAX;
        assert_eq!(
            PhysicalMemory::new(&map).unwrap_err(),
            MemoryMapError::BadSize { index: 3 }
        );
        let mut map = qemu_like_map();
        map[0].page_count = 0;
        assert_eq!(
            PhysicalMemory::new(&map).unwrap_err(),
            MemoryMapError::BadSize { index: 0 }
        );
        let only_low = [region(0, 0xa0, MemoryType::Free)];
        assert_eq!(
            PhysicalMemory::new(&only_low).unwrap_err(),
            MemoryMapError::NoFreeMemory
        );
    }

    #[test]
    fn allocator_skips_low_memory_and_moves_on_between_regions() {
        let map = [
            region(0, 0x100, MemoryType::Free),
            region(0x10_0000, 2, MemoryType::Free),
            region(0x20_0000, 1, MemoryType::Reserved),
            region(0x30_0000, 1, MemoryType::Free),
        ];
        let mut memory = PhysicalMemory::new(&map).unwrap();
        assert_eq!(memory.allocate_page(), Some(0x10_0000));
        assert_eq!(memory.allocate_page(), Some(0x10_1000));
        assert_eq!(memory.allocate_page(), Some(0x30_0000));
        assert_eq!(memory.allocate_page(), None);
        assert_eq!(memory.free_bytes(), 0);
    }

    #[test]
    fn region_straddling_low_limit_starts_at_the_limit() {
        let map = [region(0xf_e000, 4, MemoryType::Free)];
        let mut memory = PhysicalMemory::new(&map).unwrap();
        assert_eq!(memory.free_bytes(), 2 * PAGE_SIZE);
        assert_eq!(memory.allocate_page(), Some(0x10_0000));
        assert_eq!(memory.allocate_page(), Some(0x10_1000));
        assert_eq!(memory.allocate_page(), None);
    }

    #[test]
    fn contiguous_allocation_skips_ranges_too_small() {
        let map = [
            region(0x10_0000, 2, MemoryType::Free),
            region(0x20_0000, 8, MemoryType::Free),
        ];
        let mut memory = PhysicalMemory::new(&map).unwrap();
        assert_eq!(memory.allocate_contiguous(3), Some(0x20_0000));
        assert_eq!(memory.allocate_page(), Some(0x10_0000));
        assert_eq!(memory.allocate_contiguous(5), Some(0x20_3000));
        assert_eq!(memory.allocate_contiguous(1), Some(0x10_1000));
        assert_eq!(memory.allocate_contiguous(1), None);
    }

    #[test]
    fn blocks_are_aligned_and_cover_the_range() {
        let blocks: Vec<_> = aligned_blocks(0x10_3000, 0x40_0000).collect();
        assert_eq!(blocks[0], (0x10_3000, 12));
        let mut next = 0x10_3000;
        for &(address, size_bits) in &blocks {
            assert_eq!(address, next);
            assert!(address.is_multiple_of(1 << size_bits));
            next = address + (1 << size_bits);
        }
        assert_eq!(next, 0x40_0000);
        assert_eq!(blocks.last(), Some(&(0x20_0000, 21)));
    }

    fn arbitrary_map() -> impl Strategy<Value = Vec<MemoryRegion>> {
        prop::collection::vec((0u64..64, 1u64..64, 0u64..3), 1..40).prop_map(|entries| {
            let mut next = 0x10_0000;
            entries
                .into_iter()
                .map(|(gap, pages, memory_type)| {
                    let start = next + gap * PAGE_SIZE;
                    next = start + pages * PAGE_SIZE;
                    MemoryRegion {
                        start,
                        page_count: pages,
                        memory_type,
                    }
                })
                .collect()
        })
    }

    proptest! {
        /// Every page handed out is free in the map, unique, above the low limit, and
        /// no longer counted free; the allocator runs dry exactly when nothing is left.
        #[test]
        fn allocated_pages_are_unique_free_and_accounted(map in arbitrary_map()) {
            let Ok(mut memory) = PhysicalMemory::new(&map) else {
                prop_assert!(map.iter().all(|r| r.memory_type != MemoryType::Free as u64));
                return Ok(());
            };
            let initial = memory.free_bytes();
            let mut taken = std::collections::BTreeSet::new();
            while let Some(page) = memory.allocate_page() {
                prop_assert!(page >= LOW_MEMORY_LIMIT);
                prop_assert!(map.iter().any(|r| r.memory_type == MemoryType::Free as u64
                    && r.start <= page && page + PAGE_SIZE <= r.end()));
                prop_assert!(taken.insert(page));
                prop_assert_eq!(memory.free_bytes(), initial - taken.len() as u64 * PAGE_SIZE);
                for range in memory.free_ranges() {
                    prop_assert!(!taken.range(range.start..range.end).any(|_| true));
                }
            }
            prop_assert_eq!(taken.len() as u64 * PAGE_SIZE, initial);
        }
    }
}

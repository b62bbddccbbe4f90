//! Small kernel objects packed into slabs: one child Generic per slab, reused by
//! "revoke and reconvert".
//!
//! A9N's Generic CONVERT carves objects at a watermark that only moves forward; the
//! kernel reclaims a Generic's memory only when the Generic is revoked (which
//! destroys everything converted from it and resets the watermark). So:
//!
//! * A **slab** is one buddy block (one Generic capability) that holds objects of a
//!   single size. Objects are made in order at the watermark: object `i` lies at
//!   `block + i * size`, exactly where the kernel's next CONVERT (count 1) puts it,
//!   provided the server converts nothing else from that Generic.
//! * Freeing an object deletes its capabilities but cannot give its memory back on
//!   its own: its place stays *dead* until every object of the slab is free.
//! * When the last object goes, the server revokes the slab's Generic, the slab is
//!   empty again (watermark 0), and it is either kept for the next allocation of
//!   that size (at most one empty slab per size) or returned to the buddy
//!   allocator.
//!
//! Slabs are small, so the memory a few long-lived objects pin is bounded: objects
//! of 2^6..=2^11 bytes (ports, notification ports, small nodes) use one-page slabs;
//! objects of 2^12..=2^14 bytes (PCBs, page tables, address spaces, nodes up to
//! radix 8) use slabs of eight. Larger objects, and user frames (which come and go
//! one by one), are not slab allocated: each gets its own buddy block, which is
//! reused as soon as it is freed.

use alloc::collections::{BTreeMap, BTreeSet};

use crate::buddy_allocator::{
    Allocation, Block, BuddyAllocator, BuddyError, Freed, MemoryKind, Owner,
};

/// The buddy owner tag of every slab block.
pub const SLAB_OWNER: Owner = Owner(u64::MAX);
/// Smallest object a slab holds (64 bytes: ports, notification ports).
pub const MIN_SLAB_OBJECT_BITS: u32 = 6;
/// Largest object a slab holds (16 KiB: a radix-8 node).
pub const MAX_SLAB_OBJECT_BITS: u32 = 14;
/// Objects per slab for objects of a page or more.
const LARGE_OBJECTS_PER_SLAB_BITS: u32 = 3;

/// A slab's geometry for one object size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SizeClass {
    /// log2 of the object size.
    pub object_bits: u32,
    /// log2 of the slab (its buddy block's order).
    pub slab_bits: u32,
}

impl SizeClass {
    /// The class for objects of 2^`object_bits` bytes; `None` if such objects are
    /// not slab allocated (each then gets its own buddy block).
    #[must_use]
    pub const fn for_object(object_bits: u32) -> Option<Self> {
        if object_bits < MIN_SLAB_OBJECT_BITS || object_bits > MAX_SLAB_OBJECT_BITS {
            return None;
        }
        let slab_bits = if object_bits < 12 {
            12
        } else {
            object_bits + LARGE_OBJECTS_PER_SLAB_BITS
        };
        Some(Self {
            object_bits,
            slab_bits,
        })
    }

    /// Objects one slab holds (at most 64).
    #[must_use]
    pub const fn capacity(self) -> u32 {
        1 << (self.slab_bits - self.object_bits)
    }
}

/// Why the slab allocator refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlabError {
    /// Objects of that size are not slab allocated.
    NotSlabSized,
    /// No slab has room and the buddy allocator has no block for a new one.
    NoMemory,
    /// No live slab object is at that address.
    NotAllocated,
}

/// A new object's place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlabObject {
    /// Physical address of the object.
    pub address: u64,
    /// The slab (its block is its Generic): the server converts the object from it.
    pub slab: Block,
    /// Position in the slab (= objects converted from the slab Generic before it).
    pub index: u32,
    /// Set when a new slab was taken from the buddy allocator: the splits the server
    /// converts to make the slab's Generic.
    pub new_slab: Option<Allocation>,
}

/// What freeing an object asks of the server (after it deleted the object's
/// capabilities).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlabFree {
    /// Other objects of the slab are alive: nothing more to do.
    Dead,
    /// The slab is empty: revoke its Generic. It stays as the cached empty slab of
    /// its size.
    Emptied {
        /// The slab.
        slab: Block,
    },
    /// The slab is empty and went back to the buddy allocator: revoke its Generic,
    /// then (if `freed.merged` is larger) revoke the merged block's Generic.
    Released {
        /// The slab.
        slab: Block,
        /// The buddy allocator's account of the freed block.
        freed: Freed,
    },
}

#[derive(Clone, Copy, Debug)]
struct Slab {
    order: u32,
    object_bits: u32,
    watermark: u32,
    live: u64,
}

impl Slab {
    const fn class(&self) -> SizeClass {
        SizeClass {
            object_bits: self.object_bits,
            slab_bits: self.order,
        }
    }
}

/// Every slab, by size.
#[derive(Debug, Default)]
pub struct SlabAllocator {
    slabs: BTreeMap<u64, Slab>,
    with_room: BTreeMap<u32, BTreeSet<u64>>,
    empty: BTreeMap<u32, u64>,
}

impl SlabAllocator {
    /// No slabs.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            slabs: BTreeMap::new(),
            with_room: BTreeMap::new(),
            empty: BTreeMap::new(),
        }
    }

    /// Places a new object of 2^`object_bits` bytes in the lowest slab of its size
    /// with room, or in a new slab from `buddy`.
    ///
    /// # Errors
    /// [`SlabError::NotSlabSized`], [`SlabError::NoMemory`].
    pub fn allocate(
        &mut self,
        buddy: &mut BuddyAllocator,
        object_bits: u32,
    ) -> Result<SlabObject, SlabError> {
        let class = SizeClass::for_object(object_bits).ok_or(SlabError::NotSlabSized)?;
        // Prefer a slab in use, so that the cached empty slab stays empty.
        let cached_empty = self.empty.get(&object_bits).copied();
        let existing = self.with_room.get(&object_bits).and_then(|set| {
            set.iter()
                .copied()
                .find(|&address| Some(address) != cached_empty)
                .or(cached_empty)
        });
        let (address, new_slab) = match existing {
            Some(address) => (address, None),
            None => {
                let allocation = buddy
                    .allocate(class.slab_bits, MemoryKind::Ram, SLAB_OWNER)
                    .map_err(|error| match error {
                        BuddyError::NoMemory => SlabError::NoMemory,
                        _ => SlabError::NotSlabSized,
                    })?;
                let address = allocation.block.address;
                self.slabs.insert(
                    address,
                    Slab {
                        order: class.slab_bits,
                        object_bits,
                        watermark: 0,
                        live: 0,
                    },
                );
                self.with_room
                    .entry(object_bits)
                    .or_default()
                    .insert(address);
                (address, Some(allocation))
            }
        };
        let slab = self.slabs.get_mut(&address).ok_or(SlabError::NoMemory)?;
        let index = slab.watermark;
        slab.watermark += 1;
        slab.live |= 1 << index;
        let full = slab.watermark >= class.capacity();
        if full && let Some(set) = self.with_room.get_mut(&object_bits) {
            set.remove(&address);
        }
        if self.empty.get(&object_bits) == Some(&address) {
            self.empty.remove(&object_bits);
        }
        Ok(SlabObject {
            address: address + (u64::from(index) << object_bits),
            slab: Block {
                address,
                order: class.slab_bits,
            },
            index,
            new_slab,
        })
    }

    /// Frees the object at `address`. When it was the slab's last live object the
    /// slab is emptied (kept as its size's cached empty slab, or released to `buddy`
    /// if one is cached already).
    ///
    /// # Errors
    /// [`SlabError::NotAllocated`] if no live object is there (never corrupts state).
    pub fn free(
        &mut self,
        buddy: &mut BuddyAllocator,
        address: u64,
    ) -> Result<SlabFree, SlabError> {
        let (&start, slab) = self
            .slabs
            .range_mut(..=address)
            .next_back()
            .ok_or(SlabError::NotAllocated)?;
        let offset = address - start;
        let size = 1u64 << slab.object_bits;
        let index = offset / size;
        if !offset.is_multiple_of(size)
            || index >= u64::from(slab.watermark)
            || slab.live & (1 << index) == 0
        {
            return Err(SlabError::NotAllocated);
        }
        slab.live &= !(1 << index);
        if slab.live != 0 {
            return Ok(SlabFree::Dead);
        }
        let object_bits = slab.object_bits;
        let block = Block {
            address: start,
            order: slab.order,
        };
        if self.empty.contains_key(&object_bits) {
            self.remove_slab(start, object_bits);
            let freed = buddy.free(start).map_err(|_| SlabError::NotAllocated)?;
            Ok(SlabFree::Released { slab: block, freed })
        } else {
            slab.watermark = 0;
            self.with_room.entry(object_bits).or_default().insert(start);
            self.empty.insert(object_bits, start);
            Ok(SlabFree::Emptied { slab: block })
        }
    }

    fn remove_slab(&mut self, address: u64, object_bits: u32) {
        self.slabs.remove(&address);
        if let Some(set) = self.with_room.get_mut(&object_bits) {
            set.remove(&address);
        }
        if self.empty.get(&object_bits) == Some(&address) {
            self.empty.remove(&object_bits);
        }
    }

    /// Returns every cached empty slab to `buddy` (under memory pressure, or to
    /// check for leaks). Each [`Freed`] may name a merged block to revoke.
    pub fn release_empty(&mut self, buddy: &mut BuddyAllocator) -> alloc::vec::Vec<Freed> {
        let empty: alloc::vec::Vec<(u32, u64)> = self
            .empty
            .iter()
            .map(|(&bits, &address)| (bits, address))
            .collect();
        let mut released = alloc::vec::Vec::new();
        for (object_bits, address) in empty {
            self.remove_slab(address, object_bits);
            if let Ok(freed) = buddy.free(address) {
                released.push(freed);
            }
        }
        released
    }

    /// Bytes of the cached empty slabs: free memory kept for the next object of
    /// their size (given back with [`Self::release_empty`]).
    #[must_use]
    pub fn empty_bytes(&self) -> u64 {
        self.empty
            .values()
            .filter_map(|address| self.slabs.get(address))
            .map(|slab| 1u64 << slab.order)
            .sum()
    }

    /// Number of slabs (empty ones included).
    #[must_use]
    pub fn slab_count(&self) -> usize {
        self.slabs.len()
    }

    /// Objects alive in all slabs.
    #[must_use]
    pub fn live_objects(&self) -> u32 {
        self.slabs.values().map(|slab| slab.live.count_ones()).sum()
    }

    /// Freed objects whose memory waits for their slab to empty.
    #[must_use]
    pub fn dead_objects(&self) -> u32 {
        self.slabs
            .values()
            .map(|slab| slab.watermark - slab.live.count_ones())
            .sum()
    }

    /// The size class of the slab holding `address`, if any.
    #[must_use]
    pub fn class_at(&self, address: u64) -> Option<SizeClass> {
        let (&start, slab) = self.slabs.range(..=address).next_back()?;
        (address - start < 1 << slab.order).then(|| slab.class())
    }

    /// Checks the invariants: live objects lie below the watermark, the watermark
    /// within capacity, the room and empty indexes agree with the slabs, and each
    /// slab is a block the buddy allocator gave to [`SLAB_OWNER`].
    ///
    /// # Errors
    /// A description of the first invariant found broken.
    pub fn check_invariants(&self, buddy: &BuddyAllocator) -> Result<(), &'static str> {
        for (&address, slab) in &self.slabs {
            let class = slab.class();
            if slab.watermark > class.capacity() {
                return Err("watermark past capacity");
            }
            if slab.watermark < 64 && slab.live >> slab.watermark != 0 {
                return Err("live object above the watermark");
            }
            let has_room = self
                .with_room
                .get(&slab.object_bits)
                .is_some_and(|set| set.contains(&address));
            if has_room != (slab.watermark < class.capacity()) {
                return Err("room index disagrees");
            }
            if buddy.allocated_block(address)
                != Some((
                    Block {
                        address,
                        order: slab.order,
                    },
                    SLAB_OWNER,
                ))
            {
                return Err("slab is not a slab block of the buddy allocator");
            }
        }
        for (&object_bits, &address) in &self.empty {
            match self.slabs.get(&address) {
                Some(slab) if slab.object_bits == object_bits && slab.watermark == 0 => {}
                _ => return Err("cached empty slab is not empty"),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "slab_tests.rs"]
mod tests;

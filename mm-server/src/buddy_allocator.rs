//! Buddy allocation of physical memory over many Generics, mirroring the Generic
//! capability tree.
//!
//! Each Generic mm-server receives from init is a *root*: a naturally aligned block
//! of 2^order bytes (order 12..=52). A block is split into two halves of order - 1
//! (its buddies) and halves are merged back when both are free, as in any buddy
//! allocator. The point is that this is exactly what the kernel lets a Generic do:
//!
//! * **split** = Generic CONVERT of the block into two GENERICs of `order - 1`
//!   (count 2); [`Allocation::splits`] lists the blocks to convert, largest first;
//! * **merge** = REVOKE of the parent block's Generic, which deletes both halves
//!   and resets the parent's watermark; [`Freed::merged`] is the one block to revoke
//!   (when it differs from the freed block).
//!
//! So every block the allocator knows is (or was) a real Generic capability, and
//! a freed block is always a whole, unconverted Generic again. Blocks carry an
//! [`Owner`] tag (a slab, a client frame...). RAM and device memory are kept apart
//! ([`MemoryKind`]): [`BuddyAllocator::allocate`] only takes from the kind asked
//! for; [`BuddyAllocator::allocate_at`] takes a given physical block (device
//! registers).

use alloc::collections::{BTreeMap, BTreeSet};

/// Smallest block: one page (the smallest Generic).
pub const MIN_ORDER: u32 = a9n_abi::object::GENERIC_SIZE_BITS_MIN;
/// Largest block: the physical address width (the largest Generic).
pub const MAX_ORDER: u32 = a9n_abi::object::GENERIC_SIZE_BITS_MAX;
const ORDER_COUNT: usize = (MAX_ORDER - MIN_ORDER + 1) as usize;
/// Most splits one allocation can need.
pub const MAX_SPLITS: usize = ORDER_COUNT - 1;

/// A naturally aligned block of 2^order bytes of physical memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Block {
    /// First byte (a multiple of the size).
    pub address: u64,
    /// log2 of the size.
    pub order: u32,
}

impl Block {
    /// Bytes in the block.
    #[must_use]
    pub const fn size(self) -> u64 {
        1 << self.order
    }

    /// One past the last byte.
    #[must_use]
    pub const fn end(self) -> u64 {
        self.address + self.size()
    }

    /// True if the two blocks share a byte.
    #[must_use]
    pub const fn overlaps(self, other: Self) -> bool {
        self.address < other.end() && other.address < self.end()
    }
}

/// Whether memory is RAM (for objects and frames) or device memory (only mapped
/// by physical address).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MemoryKind {
    /// Ordinary memory.
    Ram = 0,
    /// Device memory (a device Generic converts only to frames and Generics).
    Device = 1,
}

/// Who holds an allocated block: an opaque tag chosen by the server (a slab, the
/// frames of a client...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Owner(pub u64);

/// Why the allocator refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuddyError {
    /// Order outside `MIN_ORDER..=MAX_ORDER`.
    InvalidOrder,
    /// Address not aligned to the block size.
    Misaligned,
    /// A new root overlaps one already added, or goes past 2^52.
    Overlap,
    /// No free block is large enough (or the asked-for block is not free).
    NoMemory,
    /// No allocated block starts at that address.
    NotAllocated,
}

/// A block handed out, and the splits (Generic CONVERTs) it took.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// The block.
    pub block: Block,
    splits: [Block; MAX_SPLITS],
    split_count: usize,
}

impl Allocation {
    /// The blocks that were split to make it, largest first: the server converts
    /// each into two Generics of half its size.
    #[must_use]
    pub fn splits(&self) -> &[Block] {
        self.splits.get(..self.split_count).unwrap_or(&[])
    }
}

/// A block returned, and how far it merged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Freed {
    /// The block that was freed.
    pub block: Block,
    /// The block it was tagged with.
    pub owner: Owner,
    /// The largest block that became whole: the freed block itself, or an ancestor
    /// whose Generic the server revokes (deleting the halves below it).
    pub merged: Block,
}

#[derive(Clone, Copy, Debug)]
struct Root {
    order: u32,
    kind: MemoryKind,
}

/// The buddy allocator over every root Generic.
#[derive(Debug)]
pub struct BuddyAllocator {
    roots: BTreeMap<u64, Root>,
    free: [[BTreeSet<u64>; ORDER_COUNT]; 2],
    allocated: BTreeMap<u64, (u32, Owner, MemoryKind)>,
    total_bytes: [u64; 2],
    free_bytes: [u64; 2],
}

impl Default for BuddyAllocator {
    fn default() -> Self {
        Self::new()
    }
}

fn order_index(order: u32) -> Option<usize> {
    if (MIN_ORDER..=MAX_ORDER).contains(&order) {
        Some((order - MIN_ORDER) as usize)
    } else {
        None
    }
}

impl BuddyAllocator {
    /// An allocator with no memory.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            roots: BTreeMap::new(),
            free: [
                [const { BTreeSet::new() }; ORDER_COUNT],
                [const { BTreeSet::new() }; ORDER_COUNT],
            ],
            allocated: BTreeMap::new(),
            total_bytes: [0; 2],
            free_bytes: [0; 2],
        }
    }

    fn free_list(&mut self, kind: MemoryKind, order: u32) -> Option<&mut BTreeSet<u64>> {
        self.free
            .get_mut(kind as usize)?
            .get_mut(order_index(order)?)
    }

    fn free_list_ref(&self, kind: MemoryKind, order: u32) -> Option<&BTreeSet<u64>> {
        self.free.get(kind as usize)?.get(order_index(order)?)
    }

    fn insert_free(&mut self, kind: MemoryKind, block: Block) {
        if let Some(list) = self.free_list(kind, block.order) {
            list.insert(block.address);
        }
    }

    /// The root that contains `address`.
    fn root_of(&self, address: u64) -> Option<(Block, MemoryKind)> {
        let (&start, root) = self.roots.range(..=address).next_back()?;
        let block = Block {
            address: start,
            order: root.order,
        };
        (address < block.end()).then_some((block, root.kind))
    }

    /// The kind of memory at `address` (RAM or device), if a root holds it.
    #[must_use]
    pub fn kind_of(&self, address: u64) -> Option<MemoryKind> {
        self.root_of(address).map(|(_, kind)| kind)
    }

    /// Adds a root Generic of 2^order bytes at `address`.
    ///
    /// # Errors
    /// [`BuddyError::InvalidOrder`], [`BuddyError::Misaligned`], or
    /// [`BuddyError::Overlap`] (with another root, or past 2^52).
    pub fn add_region(
        &mut self,
        address: u64,
        order: u32,
        kind: MemoryKind,
    ) -> Result<(), BuddyError> {
        order_index(order).ok_or(BuddyError::InvalidOrder)?;
        let block = Block { address, order };
        if address & (block.size() - 1) != 0 {
            return Err(BuddyError::Misaligned);
        }
        if address
            .checked_add(block.size())
            .is_none_or(|end| end > 1 << MAX_ORDER)
        {
            return Err(BuddyError::Overlap);
        }
        let before = self.roots.range(..=address).next_back();
        let after = self.roots.range(address..).next();
        for (&start, root) in before.into_iter().chain(after) {
            let other = Block {
                address: start,
                order: root.order,
            };
            if other.overlaps(block) {
                return Err(BuddyError::Overlap);
            }
        }
        self.roots.insert(address, Root { order, kind });
        self.insert_free(kind, block);
        self.total_bytes[kind as usize] += block.size();
        self.free_bytes[kind as usize] += block.size();
        Ok(())
    }

    /// Allocates the lowest free block of the smallest sufficient order, splitting
    /// larger blocks as needed, and tags it with `owner`.
    ///
    /// # Errors
    /// [`BuddyError::InvalidOrder`], [`BuddyError::NoMemory`].
    pub fn allocate(
        &mut self,
        order: u32,
        kind: MemoryKind,
        owner: Owner,
    ) -> Result<Allocation, BuddyError> {
        order_index(order).ok_or(BuddyError::InvalidOrder)?;
        let (found_order, address) = (order..=MAX_ORDER)
            .find_map(|candidate| {
                let address = self.free_list_ref(kind, candidate)?.first().copied()?;
                Some((candidate, address))
            })
            .ok_or(BuddyError::NoMemory)?;
        if let Some(list) = self.free_list(kind, found_order) {
            list.remove(&address);
        }
        let mut allocation = Allocation {
            block: Block { address, order },
            splits: [Block {
                address: 0,
                order: 0,
            }; MAX_SPLITS],
            split_count: 0,
        };
        let mut current = found_order;
        while current > order {
            if let Some(slot) = allocation.splits.get_mut(allocation.split_count) {
                *slot = Block {
                    address,
                    order: current,
                };
                allocation.split_count += 1;
            }
            current -= 1;
            self.insert_free(
                kind,
                Block {
                    address: address + (1 << current),
                    order: current,
                },
            );
        }
        self.allocated.insert(address, (order, owner, kind));
        self.free_bytes[kind as usize] -= 1 << order;
        Ok(allocation)
    }

    /// Allocates exactly the block `address`/`order` (which must lie in free
    /// memory), splitting the free block that contains it.
    ///
    /// # Errors
    /// [`BuddyError::InvalidOrder`], [`BuddyError::Misaligned`],
    /// [`BuddyError::NoMemory`] if that block is not entirely free.
    pub fn allocate_at(
        &mut self,
        address: u64,
        order: u32,
        owner: Owner,
    ) -> Result<Allocation, BuddyError> {
        order_index(order).ok_or(BuddyError::InvalidOrder)?;
        if address & ((1 << order) - 1) != 0 {
            return Err(BuddyError::Misaligned);
        }
        let (root, kind) = self.root_of(address).ok_or(BuddyError::NoMemory)?;
        let (found_order, found_address) = (order..=root.order)
            .find_map(|candidate| {
                let start = address & !((1u64 << candidate) - 1);
                self.free_list_ref(kind, candidate)?
                    .contains(&start)
                    .then_some((candidate, start))
            })
            .ok_or(BuddyError::NoMemory)?;
        if let Some(list) = self.free_list(kind, found_order) {
            list.remove(&found_address);
        }
        let mut allocation = Allocation {
            block: Block { address, order },
            splits: [Block {
                address: 0,
                order: 0,
            }; MAX_SPLITS],
            split_count: 0,
        };
        let mut current = Block {
            address: found_address,
            order: found_order,
        };
        while current.order > order {
            if let Some(slot) = allocation.splits.get_mut(allocation.split_count) {
                *slot = current;
                allocation.split_count += 1;
            }
            let half = current.order - 1;
            let lower = Block {
                address: current.address,
                order: half,
            };
            let upper = Block {
                address: current.address + (1 << half),
                order: half,
            };
            let (keep, spare) = if address >= upper.address {
                (upper, lower)
            } else {
                (lower, upper)
            };
            self.insert_free(kind, spare);
            current = keep;
        }
        self.allocated.insert(address, (order, owner, kind));
        self.free_bytes[kind as usize] -= 1 << order;
        Ok(allocation)
    }

    /// Frees the block allocated at `address` and merges it with free buddies. The
    /// server must already have revoked the block's Generic (every object made from
    /// it is gone).
    ///
    /// # Errors
    /// [`BuddyError::NotAllocated`] if no allocated block starts there.
    pub fn free(&mut self, address: u64) -> Result<Freed, BuddyError> {
        let (order, owner, kind) = self
            .allocated
            .remove(&address)
            .ok_or(BuddyError::NotAllocated)?;
        let block = Block { address, order };
        self.free_bytes[kind as usize] += block.size();
        let root_order = self.root_of(address).map_or(order, |(root, _)| root.order);
        let mut merged = block;
        while merged.order < root_order {
            let buddy = merged.address ^ merged.size();
            let removed = self
                .free_list(kind, merged.order)
                .is_some_and(|list| list.remove(&buddy));
            if !removed {
                break;
            }
            merged = Block {
                address: merged.address.min(buddy),
                order: merged.order + 1,
            };
        }
        self.insert_free(kind, merged);
        Ok(Freed {
            block,
            owner,
            merged,
        })
    }

    /// The allocated block starting at `address` and its owner.
    #[must_use]
    pub fn allocated_block(&self, address: u64) -> Option<(Block, Owner)> {
        let &(order, owner, _) = self.allocated.get(&address)?;
        Some((Block { address, order }, owner))
    }

    /// Bytes of `kind` memory added with [`Self::add_region`].
    #[must_use]
    pub fn total_bytes(&self, kind: MemoryKind) -> u64 {
        self.total_bytes[kind as usize]
    }

    /// Bytes of `kind` memory not allocated.
    #[must_use]
    pub fn free_bytes(&self, kind: MemoryKind) -> u64 {
        self.free_bytes[kind as usize]
    }

    /// Number of allocated blocks.
    #[must_use]
    pub fn allocated_count(&self) -> usize {
        self.allocated.len()
    }

    /// The order of the largest free block of `kind`, if any.
    #[must_use]
    pub fn largest_free_order(&self, kind: MemoryKind) -> Option<u32> {
        (MIN_ORDER..=MAX_ORDER).rev().find(|&order| {
            self.free_list_ref(kind, order)
                .is_some_and(|list| !list.is_empty())
        })
    }

    /// Every free block, lowest order first.
    pub fn free_blocks(&self, kind: MemoryKind) -> impl Iterator<Item = Block> + '_ {
        (MIN_ORDER..=MAX_ORDER).flat_map(move |order| {
            self.free_list_ref(kind, order)
                .into_iter()
                .flatten()
                .map(move |&address| Block { address, order })
        })
    }

    /// Checks the allocator's invariants (for tests and self-checks): free and
    /// allocated blocks lie in roots of their kind and never overlap, no two free
    /// buddies are both free (they would have merged), and the byte counts add up.
    ///
    /// # Errors
    /// A description of the first invariant found broken.
    pub fn check_invariants(&self) -> Result<(), &'static str> {
        let mut blocks: BTreeMap<u64, (Block, bool)> = BTreeMap::new();
        for kind in [MemoryKind::Ram, MemoryKind::Device] {
            let mut free = 0u64;
            for block in self.free_blocks(kind) {
                free += block.size();
                match self.root_of(block.address) {
                    Some((root, root_kind)) if root_kind == kind && block.end() <= root.end() => {}
                    _ => return Err("free block outside a root of its kind"),
                }
                if block.address & (block.size() - 1) != 0 {
                    return Err("free block misaligned");
                }
                if let Some((root, _)) = self.root_of(block.address)
                    && block.order < root.order
                {
                    let buddy = block.address ^ block.size();
                    if self
                        .free_list_ref(kind, block.order)
                        .is_some_and(|list| list.contains(&buddy))
                    {
                        return Err("two free buddies not merged");
                    }
                }
                if blocks.insert(block.address, (block, true)).is_some() {
                    return Err("two free blocks start at one address");
                }
            }
            if free != self.free_bytes[kind as usize] {
                return Err("free byte count wrong");
            }
        }
        let mut used = [0u64; 2];
        for (&address, &(order, _, kind)) in &self.allocated {
            let block = Block { address, order };
            used[kind as usize] += block.size();
            if blocks.insert(address, (block, false)).is_some() {
                return Err("allocated block starts where another block does");
            }
        }
        let mut previous_end = 0;
        for (block, _) in blocks.values() {
            if block.address < previous_end {
                return Err("blocks overlap");
            }
            previous_end = block.end();
        }
        for kind in [MemoryKind::Ram, MemoryKind::Device] {
            let index = kind as usize;
            if used[index] + self.free_bytes[index] != self.total_bytes[index] {
                return Err("free + allocated != total");
            }
        }
        Ok(())
    }
}

/// The naturally aligned blocks that cover `start..end` (both page aligned), each as
/// large as alignment and `end` allow, in address order: how the unused part of a
/// Generic is carved into child Generics (each one a root of the allocator).
pub fn aligned_blocks(start: u64, end: u64) -> impl Iterator<Item = Block> {
    let mut address = start.next_multiple_of(1 << MIN_ORDER);
    core::iter::from_fn(move || {
        if address >= end || address.checked_add(1 << MIN_ORDER)? > end {
            return None;
        }
        let mut order = address.trailing_zeros().min(MAX_ORDER - 1);
        while order > MIN_ORDER && address + (1 << order) > end {
            order -= 1;
        }
        let block = Block { address, order };
        address += block.size();
        Some(block)
    })
}

#[cfg(test)]
#[path = "buddy_allocator_tests.rs"]
mod tests;

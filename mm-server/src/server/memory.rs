//! Physical memory as capabilities: the buddy allocator's blocks are Generic
//! capabilities (a split is a CONVERT into two halves, a merge a REVOKE of the
//! parent), small objects come from slabs, and mm-server's slot leaves are made from
//! blocks too. Every free or allocated block has its Generic capability in a slot
//! recorded here, so that the capability tree always matches the allocator.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use a9n_abi::object::object_size_bits;
use a9n_abi::{CapabilityType, Rights};
use mm_server::buddy_allocator::{Block, BuddyAllocator, MemoryKind, Owner};
use mm_server::memory_reserve::{may_take, reserve_bytes, small_object_reserve_bytes};
use mm_server::slab::{SizeClass, SlabAllocator, SlabFree};
use mm_server_api::MmError;
use nun::capability::Generic;

use super::failure::{Failure, ignore, kernel};
use super::slots::{LEAF_RADIX, SlotRef, SlotTree};

/// Owner tag of blocks backing user frames.
pub const FRAME_OWNER: Owner = Owner(1);
/// Owner tag of blocks holding one client object.
pub const OBJECT_OWNER: Owner = Owner(2);
/// Owner tag of mm-server's own blocks (heap, slot leaves).
pub const INTERNAL_OWNER: Owner = Owner(3);
/// Below this many free tree slots a new leaf is made.
const LOW_SLOTS: u32 = 512;
/// Empty leaves are given back only while this many tree slots stay free.
const SPARE_SLOTS: u32 = 1024;

/// Where an object's memory came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// In a slab, at this physical address.
    Slab(u64),
    /// Its own buddy block, at this physical address.
    Block(u64),
}

/// The allocator and the capabilities that mirror it.
pub struct Memory {
    /// Blocks of physical memory.
    pub buddy: BuddyAllocator,
    /// Slabs of small objects.
    pub slab: SlabAllocator,
    /// mm-server's slots.
    pub slots: SlotTree,
    /// The Generic capability of every block the allocator knows.
    blocks: BTreeMap<(u64, u32), SlotRef>,
    /// The block each slot leaf was made from.
    leaf_blocks: BTreeMap<u32, u64>,
    /// Set while a leaf is being made (its own splits take slots too).
    making_leaf: bool,
}

impl Memory {
    /// No memory yet.
    pub const fn new(slots: SlotTree) -> Self {
        Self {
            buddy: BuddyAllocator::new(),
            slab: SlabAllocator::new(),
            slots,
            blocks: BTreeMap::new(),
            leaf_blocks: BTreeMap::new(),
            making_leaf: false,
        }
    }

    /// Adds a whole Generic (a root block) whose capability is in `slot`.
    pub fn add_root(
        &mut self,
        address: u64,
        order: u32,
        kind: MemoryKind,
        slot: SlotRef,
    ) -> Result<(), Failure> {
        self.buddy
            .add_region(address, order, kind)
            .map_err(|_| Failure::Refused(MmError::InvalidArgument))?;
        self.blocks.insert((address, order), slot);
        Ok(())
    }

    /// RAM not in use: free blocks and cached empty slabs.
    pub fn free_ram(&self) -> u64 {
        self.buddy.free_bytes(MemoryKind::Ram) + self.slab.empty_bytes()
    }

    /// Whether a client may take `bytes` more of frames or large objects without
    /// eating into the reserve (`mm_server::memory_reserve::reserve_bytes` of the
    /// RAM managed).
    pub fn can_spare(&self, bytes: u64) -> bool {
        self.spare_above(reserve_bytes(self.managed_ram()), bytes)
    }

    /// Whether a client may take `bytes` more of small kernel objects.
    pub fn can_spare_small(&self, bytes: u64) -> bool {
        self.spare_above(small_object_reserve_bytes(self.managed_ram()), bytes)
    }

    /// RAM given to the allocator.
    pub fn managed_ram(&self) -> u64 {
        self.buddy.total_bytes(MemoryKind::Ram)
    }

    fn spare_above(&self, reserve: u64, bytes: u64) -> bool {
        may_take(self.buddy.free_bytes(MemoryKind::Ram), reserve, bytes)
    }

    /// The Generic of `block`.
    fn generic(&self, block: Block) -> Result<Generic, Failure> {
        let slot = self
            .blocks
            .get(&(block.address, block.order))
            .copied()
            .ok_or(Failure::Refused(MmError::NoMemory))?;
        Ok(Generic::new(self.slots.descriptor(slot)))
    }

    /// `count` consecutive free slots, making a leaf first when slots run low.
    pub fn take_slots(&mut self, count: u32) -> Result<SlotRef, Failure> {
        if self.slots.free_count() < LOW_SLOTS && !self.making_leaf {
            self.making_leaf = true;
            // A failure here is not fatal while slots remain.
            let _ = self.add_leaf();
            self.making_leaf = false;
        }
        self.slots
            .allocate_run(count)
            .ok_or(Failure::Refused(MmError::NoMemory))
    }

    /// Makes a slot leaf from a block.
    fn add_leaf(&mut self) -> Result<(), Failure> {
        let leaf = self
            .slots
            .missing_leaf()
            .ok_or(Failure::Refused(MmError::NoMemory))?;
        let block = self.allocate_block(LEAF_RADIX + 6, MemoryKind::Ram, INTERNAL_OWNER)?;
        let directory = self.slots.directory();
        let made = self.generic(block).and_then(|generic| {
            kernel(
                "make a slot leaf",
                generic.convert(
                    CapabilityType::Node,
                    u64::from(LEAF_RADIX),
                    1,
                    directory.descriptor(),
                    u64::from(leaf),
                ),
            )
        });
        if let Err(failure) = made {
            let _ = self.free_block(block.address);
            return Err(failure);
        }
        self.slots.add_leaf(leaf);
        self.leaf_blocks.insert(leaf, block.address);
        Ok(())
    }

    /// Gives back empty leaves while enough slots stay free.
    pub fn release_empty_leaves(&mut self) {
        if self.slots.free_count() < SPARE_SLOTS + super::slots::LEAF_SLOTS {
            return;
        }
        for leaf in self.slots.empty_leaves() {
            if self.slots.free_count() < SPARE_SLOTS + super::slots::LEAF_SLOTS {
                break;
            }
            let Some(address) = self.leaf_blocks.remove(&leaf) else {
                continue;
            };
            self.slots.drop_leaf(leaf);
            // Revoking the block destroys the (empty) leaf node.
            let _ = self.free_block(address);
        }
    }

    /// Converts each split block into two Generics of half its size.
    fn convert_splits(&mut self, splits: &[Block]) -> Result<(), Failure> {
        for &split in splits {
            let half = split.order - 1;
            let first = self.take_slots(2)?;
            let SlotRef::Tree(index) = first else {
                return Err(Failure::Refused(MmError::NoMemory));
            };
            let (node, position) = self.slots.location(first);
            let converted = self.generic(split).and_then(|generic| {
                kernel(
                    "split a block",
                    generic.convert(
                        CapabilityType::Generic,
                        u64::from(half),
                        2,
                        node.descriptor(),
                        position,
                    ),
                )
            });
            if let Err(failure) = converted {
                self.slots.free(first);
                self.slots.free(SlotRef::Tree(index + 1));
                return Err(failure);
            }
            self.blocks.insert((split.address, half), first);
            self.blocks.insert(
                (split.address + (1 << half), half),
                SlotRef::Tree(index + 1),
            );
        }
        Ok(())
    }

    /// A block of 2^`order` bytes of `kind` memory, its Generic ready to convert.
    pub fn allocate_block(
        &mut self,
        order: u32,
        kind: MemoryKind,
        owner: Owner,
    ) -> Result<Block, Failure> {
        let allocation = self
            .buddy
            .allocate(order, kind, owner)
            .map_err(|error| Failure::Refused(error.into()))?;
        if let Err(failure) = self.convert_splits(allocation.splits()) {
            let _ = self.free_block(allocation.block.address);
            return Err(failure);
        }
        Ok(allocation.block)
    }

    /// The block of 2^`order` bytes at `address` (device registers), its Generic
    /// ready to convert; OVERLAP if any of it is taken or not managed.
    pub fn allocate_block_at(
        &mut self,
        address: u64,
        order: u32,
        owner: Owner,
    ) -> Result<Block, Failure> {
        let allocation =
            self.buddy
                .allocate_at(address, order, owner)
                .map_err(|error| match error {
                    mm_server::buddy_allocator::BuddyError::NoMemory => {
                        Failure::Refused(MmError::Overlap)
                    }
                    error => Failure::Refused(error.into()),
                })?;
        if let Err(failure) = self.convert_splits(allocation.splits()) {
            let _ = self.free_block(allocation.block.address);
            return Err(failure);
        }
        Ok(allocation.block)
    }

    /// Frees the block at `address`: revokes the largest block it merged into
    /// (destroying everything made from it) and forgets the blocks inside that.
    /// The caller frees the slots of the objects it made from the block.
    pub fn free_block(&mut self, address: u64) -> Result<(), Failure> {
        let freed = self
            .buddy
            .free(address)
            .map_err(|error| Failure::Refused(error.into()))?;
        self.revoke_merged(freed.merged)
    }

    /// Revokes `merged`'s Generic and forgets the blocks strictly inside it.
    fn revoke_merged(&mut self, merged: Block) -> Result<(), Failure> {
        let slot = self
            .blocks
            .get(&(merged.address, merged.order))
            .copied()
            .ok_or(Failure::Refused(MmError::NoMemory))?;
        kernel("revoke a freed block", self.slots.revoke(slot))?;
        let inner: Vec<(u64, u32)> = self
            .blocks
            .range((merged.address, 0)..(merged.end(), 0))
            .filter(|((_, order), _)| *order < merged.order)
            .map(|(&key, _)| key)
            .collect();
        for key in inner {
            if let Some(slot) = self.blocks.remove(&key) {
                self.slots.free(slot);
            }
        }
        Ok(())
    }

    /// Converts `count` objects from `block`'s Generic into fresh consecutive slots;
    /// the first.
    pub fn convert_from(
        &mut self,
        block: Block,
        object_type: CapabilityType,
        specific: u64,
        count: u32,
    ) -> Result<SlotRef, Failure> {
        let generic = self.generic(block)?;
        let first = self.take_slots(count)?;
        let (node, index) = self.slots.location(first);
        let converted = kernel(
            "convert an object",
            generic.convert(
                object_type,
                specific,
                u64::from(count),
                node.descriptor(),
                index,
            ),
        );
        if let Err(failure) = converted {
            if let SlotRef::Tree(first) = first {
                for offset in 0..count {
                    self.slots.free(SlotRef::Tree(first + offset));
                }
            }
            return Err(failure);
        }
        Ok(first)
    }

    /// Makes one kernel object: a frame or a large object in its own block, a small
    /// one in a slab.
    pub fn make_object(
        &mut self,
        object_type: CapabilityType,
        specific: u64,
    ) -> Result<(Placement, SlotRef), Failure> {
        let bits = object_size_bits(object_type, specific)
            .ok_or(Failure::Refused(MmError::InvalidArgument))?;
        if object_type != CapabilityType::Frame && SizeClass::for_object(bits).is_some() {
            let object = self
                .slab
                .allocate(&mut self.buddy, bits)
                .map_err(|error| Failure::Refused(error.into()))?;
            let made = match object.new_slab {
                Some(allocation) => self.convert_splits(allocation.splits()),
                None => Ok(()),
            }
            .and_then(|()| self.convert_from(object.slab, object_type, specific, 1));
            match made {
                Ok(slot) => Ok((Placement::Slab(object.address), slot)),
                Err(failure) => {
                    let _ = self.free_small(object.address);
                    Err(failure)
                }
            }
        } else {
            let block = self.allocate_block(bits, MemoryKind::Ram, OBJECT_OWNER)?;
            match self.convert_from(block, object_type, specific, 1) {
                Ok(slot) => Ok((Placement::Block(block.address), slot)),
                Err(failure) => {
                    let _ = self.free_block(block.address);
                    Err(failure)
                }
            }
        }
    }

    /// Destroys an object made by [`Self::make_object`] and every capability derived
    /// from the one in `slot`.
    pub fn destroy_object(&mut self, placement: Placement, slot: SlotRef) -> Result<(), Failure> {
        match placement {
            Placement::Slab(address) => {
                ignore(self.slots.revoke(slot));
                ignore(self.slots.remove(slot));
                self.slots.free(slot);
                self.free_small(address)
            }
            Placement::Block(address) => {
                let result = self.free_block(address);
                self.slots.free(slot);
                result
            }
        }
    }

    /// Frees a slab object whose capabilities are gone.
    fn free_small(&mut self, address: u64) -> Result<(), Failure> {
        match self
            .slab
            .free(&mut self.buddy, address)
            .map_err(|error| Failure::Refused(error.into()))?
        {
            SlabFree::Dead => Ok(()),
            SlabFree::Emptied { slab } => {
                let slot = self
                    .blocks
                    .get(&(slab.address, slab.order))
                    .copied()
                    .ok_or(Failure::Refused(MmError::NoMemory))?;
                kernel("revoke an empty slab", self.slots.revoke(slot))
            }
            SlabFree::Released { freed, .. } => self.revoke_merged(freed.merged),
        }
    }

    /// A copy of the capability in `source` (same rights, unmapped) in a new slot.
    pub fn copy(&mut self, source: SlotRef) -> Result<SlotRef, Failure> {
        let slot = self.take_slots(1)?;
        let (node, index) = self.slots.location(slot);
        match kernel(
            "copy a capability",
            node.copy(index, self.slots.descriptor(source)),
        ) {
            Ok(()) => Ok(slot),
            Err(failure) => {
                self.slots.free(slot);
                Err(failure)
            }
        }
    }

    /// A child of the capability in `source` with `rights`, in a new slot.
    pub fn mint(&mut self, source: SlotRef, rights: Rights) -> Result<SlotRef, Failure> {
        let slot = self.take_slots(1)?;
        let (node, index) = self.slots.location(slot);
        match kernel(
            "mint a capability",
            node.mint(index, self.slots.descriptor(source), rights),
        ) {
            Ok(()) => Ok(slot),
            Err(failure) => {
                self.slots.free(slot);
                Err(failure)
            }
        }
    }

    /// REMOVE of a capability mm-server made (a copy or a mint), and its slot back.
    pub fn discard(&mut self, slot: SlotRef) {
        ignore(self.slots.revoke(slot));
        ignore(self.slots.remove(slot));
        self.slots.free(slot);
    }
}

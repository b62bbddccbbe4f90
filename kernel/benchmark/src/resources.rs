//! Where the benchmarks' kernel objects come from: one RAM Generic from
//! `InitInfo`, a work node (root slot 11) for most capabilities, and free root slots
//! for the ports, whose depth-16 descriptors the kernel's IPC fastpath requires.

use a9n_abi::init::ROOT_RADIX;
use a9n_abi::{CapabilityType, Descriptor, InitInfo};
use nun::capability::{Generic, Node};
use nun::slot_allocator::{Slot, SlotAllocator};

use crate::error::{BenchmarkError, kernel};

/// Root slot of the work node.
const WORK_NODE_SLOT: u64 = 11;
/// Radix of the work node (512 slots: the image frames mapped into the second
/// address space need one each).
const WORK_NODE_RADIX: u32 = 9;
/// Bitmap words for the work node's slots.
const WORK_BITMAP_WORDS: usize = 8;
/// First root slot handed out (0..=10 hold the initial capabilities, 11 the work
/// node).
const FIRST_FREE_ROOT_SLOT: u64 = 12;
/// Root slots handed out, from [`FIRST_FREE_ROOT_SLOT`] (one bitmap word).
const ROOT_SLOT_COUNT: u64 = 64 - FIRST_FREE_ROOT_SLOT;
/// The smallest Generic the benchmarks accept (1 MiB; they need about 400 KiB).
const MINIMUM_GENERIC_SIZE_BITS: u64 = 20;

/// The memory and slots the benchmarks build from.
pub struct Resources {
    /// The kernel's `InitInfo`.
    pub info: &'static InitInfo,
    /// The Generic every object is converted from.
    pub generic: Generic,
    /// Free slots of the work node.
    pub slots: SlotAllocator<WORK_BITMAP_WORDS>,
    /// Free slots of the root node.
    root_slots: SlotAllocator<1>,
}

impl Resources {
    /// Picks the largest RAM Generic and makes the work node from it.
    ///
    /// # Errors
    /// No Generic of 1 MiB or more, or the kernel refuses the work node.
    pub fn new(info: &'static InitInfo) -> Result<Self, BenchmarkError> {
        let (index, _) = info
            .generic_descriptions()
            .iter()
            .enumerate()
            .filter(|(_, generic)| {
                generic.is_device == 0 && generic.size_bits >= MINIMUM_GENERIC_SIZE_BITS
            })
            .max_by_key(|(_, generic)| generic.size_bits)
            .ok_or(BenchmarkError::Resources("no RAM Generic of 1 MiB or more"))?;
        let generic_node = Node::new(
            a9n_abi::RootSlot::GenericNode.descriptor(),
            info.generic_node_radix as u32,
        );
        let generic = Generic::new(
            generic_node
                .slot(index as u64)
                .ok_or(BenchmarkError::Resources("Generic index past its node"))?,
        );
        // Slots of the root node named at depth 16 (the root itself is depth 8).
        let root = Node::new(Descriptor::ROOT_NODE, ROOT_RADIX);
        kernel(
            "convert the work node",
            generic.convert(
                CapabilityType::Node,
                u64::from(WORK_NODE_RADIX),
                1,
                root.descriptor(),
                WORK_NODE_SLOT,
            ),
        )?;
        let work = Node::new(
            root.slot(WORK_NODE_SLOT)
                .ok_or(BenchmarkError::Resources("work node slot"))?,
            WORK_NODE_RADIX,
        );
        let slots = SlotAllocator::new(work, 0, work.slot_count())
            .map_err(|_| BenchmarkError::Resources("work node allocator"))?;
        let root_slots = SlotAllocator::new(root, FIRST_FREE_ROOT_SLOT, ROOT_SLOT_COUNT)
            .map_err(|_| BenchmarkError::Resources("root slot allocator"))?;
        Ok(Self {
            info,
            generic,
            slots,
            root_slots,
        })
    }

    /// A free slot of the work node.
    ///
    /// # Errors
    /// The work node is full.
    pub fn slot(&mut self) -> Result<Slot, BenchmarkError> {
        self.slots
            .allocate()
            .ok_or(BenchmarkError::Resources("work node full"))
    }

    /// Converts one object of `object_type` (with `specific_bits`) into a free slot
    /// of the work node.
    ///
    /// # Errors
    /// No slot left, or the kernel refuses.
    pub fn make(
        &mut self,
        object_type: CapabilityType,
        specific_bits: u64,
    ) -> Result<Slot, BenchmarkError> {
        let slot = self.slot()?;
        let node = self.slots.node();
        kernel(
            "convert an object",
            self.generic
                .convert(object_type, specific_bits, 1, node.descriptor(), slot.index),
        )?;
        Ok(slot)
    }

    /// Converts one object of `object_type` into a free root slot (a depth-16
    /// descriptor, as the IPC fastpath wants for ports).
    ///
    /// # Errors
    /// No root slot left, or the kernel refuses.
    pub fn make_in_root(&mut self, object_type: CapabilityType) -> Result<Slot, BenchmarkError> {
        let slot = self
            .root_slots
            .allocate()
            .ok_or(BenchmarkError::Resources("root node full"))?;
        let node = self.root_slots.node();
        kernel(
            "convert an object into a root slot",
            self.generic
                .convert(object_type, 0, 1, node.descriptor(), slot.index),
        )?;
        Ok(slot)
    }
}

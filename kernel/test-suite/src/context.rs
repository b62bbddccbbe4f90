//! The per-test context: a fresh child Generic, a scratch node carved from it, a
//! slot allocator for that node and one for a few root slots, plus shortcuts for
//! making objects. Everything a test makes comes from the child Generic, so that
//! revoking the child after the test destroys all of it.

use a9n_abi::init::ROOT_RADIX;
use a9n_abi::{CapabilityError, CapabilityType, Descriptor, InitInfo, Rights, RootSlot};
use nun::call::capability_call;
use nun::capability::{Frame, Generic, Node};
use nun::slot_allocator::{Slot, SlotAllocator};

use crate::check::{Expect, Failure};

/// Root slot of the child Generic a test's objects come from.
pub const CHILD_GENERIC_SLOT: u64 = 32;
/// Root slot of the scratch node.
pub const SCRATCH_NODE_SLOT: u64 = 33;
/// First root slot a test may use directly.
pub const ROOT_SCRATCH_FIRST: u64 = 34;
/// Number of root slots a test may use directly.
pub const ROOT_SCRATCH_COUNT: u64 = 30;
/// Size of the child Generic (8 MiB: room for a 2 MiB frame and everything else).
pub const CHILD_GENERIC_SIZE_BITS: u64 = 23;
/// CONVERT specific bits of a 4 KiB frame.
pub const SMALL_FRAME_BITS: u64 = a9n_abi::paging::FrameSize::Small.as_word();
/// CONVERT specific bits of a 2 MiB frame.
pub const LARGE_FRAME_BITS: u64 = a9n_abi::paging::FrameSize::Large.as_word();
/// Radix of the scratch node (256 slots).
pub const SCRATCH_NODE_RADIX: u32 = 8;

/// An operation number no object type has: invoking it on a capability answers
/// `ILLEGAL_OPERATION`, on an empty slot `INVALID_DESCRIPTOR`, and changes nothing.
const PROBE_OPERATION: u64 = 0xdead;

/// The descriptor of root slot `index` (depth 16).
pub fn root_slot(index: u64) -> Descriptor {
    Descriptor::root_slot(ROOT_RADIX, index).expect("root slot indices fit the radix-8 root")
}

/// The root node, invoked through its own slot 3, with slots named from the root.
pub fn root_node() -> Node {
    Node::new(RootSlot::RootNode.descriptor(), ROOT_RADIX)
}

/// What a descriptor names, as far as the probe can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// A capability.
    Present,
    /// Nothing (INVALID_DESCRIPTOR).
    Empty,
}

/// Asks the kernel whether `descriptor` names a capability, with an operation no
/// type has.
///
/// # Errors
/// A failure if the kernel gives any answer but ILLEGAL_OPERATION or
/// INVALID_DESCRIPTOR.
pub fn presence(descriptor: Descriptor) -> Result<Presence, Failure> {
    match capability_call(descriptor, PROBE_OPERATION, &[]) {
        Err(CapabilityError::IllegalOperation) => Ok(Presence::Present),
        Err(CapabilityError::InvalidDescriptor) => Ok(Presence::Empty),
        Ok(_) => Err(Failure::new(format_args!(
            "probe of {:#x}: operation {PROBE_OPERATION:#x} succeeded",
            descriptor.as_word()
        ))),
        Err(error) => Err(Failure::new(format_args!(
            "probe of {:#x}: {}",
            descriptor.as_word(),
            error.name()
        ))),
    }
}

/// Fails unless `descriptor` names a capability.
pub fn ensure_present(descriptor: Descriptor, what: &str) -> Result<(), Failure> {
    match presence(descriptor)? {
        Presence::Present => Ok(()),
        Presence::Empty => Err(Failure::new(format_args!("{what}: slot is empty"))),
    }
}

/// Fails unless `descriptor` names nothing.
pub fn ensure_empty(descriptor: Descriptor, what: &str) -> Result<(), Failure> {
    match presence(descriptor)? {
        Presence::Empty => Ok(()),
        Presence::Present => Err(Failure::new(format_args!(
            "{what}: slot still holds a capability"
        ))),
    }
}

/// The Generic the harness carves each test's child Generic from.
#[derive(Clone, Copy)]
pub struct ParentGeneric {
    /// Index in the Generic node (root slot 7).
    pub index: u64,
    /// Its handle.
    pub generic: Generic,
    /// Its physical address (from `InitInfo`).
    pub physical_address: u64,
    /// Its size bits.
    pub size_bits: u64,
}

/// What a test works with.
pub struct Context {
    /// The kernel's init info.
    pub info: &'static InitInfo,
    /// The parent Generic (do not convert from it in tests).
    pub parent: ParentGeneric,
    /// The test's own Generic (8 MiB, in root slot 32).
    pub generic: Generic,
    /// The scratch node (radix 8, in root slot 33), carved from `generic`.
    pub scratch: Node,
    /// Free slots of the scratch node.
    pub slots: SlotAllocator<4>,
    /// Free root slots 34..64.
    pub root_slots: SlotAllocator<1>,
}

impl Context {
    /// A context over an existing child Generic and scratch node.
    pub fn new(info: &'static InitInfo, parent: ParentGeneric) -> Self {
        let scratch = Node::new(root_slot(SCRATCH_NODE_SLOT), SCRATCH_NODE_RADIX);
        let root_for_naming = Node::new(Descriptor::ROOT_NODE, ROOT_RADIX);
        Self {
            info,
            parent,
            generic: Generic::new(root_slot(CHILD_GENERIC_SLOT)),
            scratch,
            slots: SlotAllocator::new(scratch, 0, scratch.slot_count())
                .expect("the scratch node's slots can be named"),
            root_slots: SlotAllocator::new(root_for_naming, ROOT_SCRATCH_FIRST, ROOT_SCRATCH_COUNT)
                .expect("root scratch slots lie in the root node"),
        }
    }

    /// A free slot of the scratch node.
    pub fn slot(&mut self) -> Result<Slot, Failure> {
        self.slots
            .allocate()
            .ok_or_else(|| Failure::new(format_args!("scratch node full")))
    }

    /// A free root slot (34..64).
    pub fn root_scratch_slot(&mut self) -> Result<Slot, Failure> {
        self.root_slots
            .allocate()
            .ok_or_else(|| Failure::new(format_args!("root scratch slots used up")))
    }

    /// Converts one object from `generic` into a new scratch slot.
    pub fn make_from(
        &mut self,
        generic: Generic,
        object_type: CapabilityType,
        specific_bits: u64,
    ) -> Result<Slot, Failure> {
        let slot = self.slot()?;
        generic
            .convert(
                object_type,
                specific_bits,
                1,
                self.scratch.descriptor(),
                slot.index,
            )
            .map_err(|error| {
                Failure::new(format_args!(
                    "CONVERT {} ({specific_bits}): {}",
                    object_type.name(),
                    error.name()
                ))
            })?;
        Ok(slot)
    }

    /// Converts one object from the test's Generic into a new scratch slot.
    pub fn make(
        &mut self,
        object_type: CapabilityType,
        specific_bits: u64,
    ) -> Result<Slot, Failure> {
        self.make_from(self.generic, object_type, specific_bits)
    }

    /// A new 4 KiB frame.
    pub fn make_frame(&mut self) -> Result<Frame, Failure> {
        Ok(Frame::new(
            self.make(CapabilityType::Frame, SMALL_FRAME_BITS)?
                .descriptor,
        ))
    }

    /// A new Generic of 2^`size_bits` bytes carved from the test's Generic.
    pub fn make_generic(&mut self, size_bits: u64) -> Result<(Slot, Generic), Failure> {
        let slot = self.make(CapabilityType::Generic, size_bits)?;
        Ok((slot, Generic::new(slot.descriptor)))
    }

    /// A new node of `radix` in a scratch slot.
    pub fn make_node(&mut self, radix: u32) -> Result<(Slot, Node), Failure> {
        let slot = self.make(CapabilityType::Node, u64::from(radix))?;
        Ok((slot, Node::new(slot.descriptor, radix)))
    }

    /// COPY of `source` into a new scratch slot.
    pub fn copy(&mut self, source: Descriptor) -> Result<Slot, Failure> {
        let slot = self.slot()?;
        self.scratch.copy(slot.index, source).expect_ok("COPY")?;
        Ok(slot)
    }

    /// MINT of `source` with `rights` into a new scratch slot.
    pub fn mint(&mut self, source: Descriptor, rights: Rights) -> Result<Slot, Failure> {
        let slot = self.slot()?;
        self.scratch
            .mint(slot.index, source, rights)
            .expect_ok("MINT")?;
        Ok(slot)
    }
}

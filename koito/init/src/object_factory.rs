//! Making kernel objects from one Generic into the free slots of one node, and
//! mapping frames with page tables made on the way (Nun's mapping helper).

use a9n_abi::paging::{FrameSize, MapAttributes};
use a9n_abi::{CapabilityType, Descriptor};
use nun::capability::{AddressSpace, Frame, Generic, Node};
use nun::mapping::map_frame;
use nun::slot_allocator::{Slot, SlotAllocator};

use crate::child_space::{ChildError, kernel};

/// A Generic to make objects from and a node to put their capabilities in.
pub struct ObjectFactory {
    /// Where objects come from.
    pub generic: Generic,
    /// Where their capabilities go.
    pub node: Node,
    /// Free slots of `node`.
    pub slots: SlotAllocator<8>,
}

impl ObjectFactory {
    /// A factory over `node`'s slots from `first` on.
    pub fn new(generic: Generic, node: Node, first: u64) -> Result<Self, ChildError> {
        let slots = SlotAllocator::<8>::new(node, first, node.slot_count() - first)
            .map_err(|_| ChildError::Resources("slot allocator"))?;
        Ok(Self {
            generic,
            node,
            slots,
        })
    }

    /// A free slot.
    pub fn take_slot(&mut self) -> Result<Slot, ChildError> {
        self.slots
            .allocate()
            .ok_or(ChildError::Resources("node full"))
    }

    /// Converts one object of `object_type` into a free slot.
    pub fn make(&mut self, object_type: CapabilityType, specific: u64) -> Result<Slot, ChildError> {
        let slot = self.take_slot()?;
        kernel(
            "convert",
            self.generic
                .convert(object_type, specific, 1, self.node.descriptor(), slot.index),
        )?;
        Ok(slot)
    }

    /// Maps the 4 KiB frame `frame` at `address` of `space`, making page tables.
    pub fn map(
        &mut self,
        space: AddressSpace,
        frame: Descriptor,
        address: u64,
        attributes: MapAttributes,
        what: &'static str,
    ) -> Result<(), ChildError> {
        map_frame(
            space,
            self.generic,
            &mut self.slots,
            Frame::new(frame),
            FrameSize::Small,
            address,
            attributes,
        )
        .map(|_| ())
        .map_err(|error| ChildError::Mapping(what, error))
    }
}

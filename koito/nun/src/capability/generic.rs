//! GENERIC: untyped memory, from which CONVERT makes every other kernel object.

use a9n_abi::operation::GenericOperation;
use a9n_abi::{CapabilityError, CapabilityType, Descriptor};

use crate::call::capability_call;

capability_handle! {
    /// A Generic: a region of memory with a watermark. CONVERT carves objects at
    /// the watermark (each aligned to its size, zeroed) into consecutive slots of a
    /// destination node; REVOKE of the Generic's slot destroys them all and resets
    /// the watermark. Generics carry no COPY right: move them, never copy them.
    ///
    /// ```no_run
    /// use a9n_abi::{CapabilityType, Descriptor, RootSlot};
    /// use nun::capability::{Generic, Node};
    ///
    /// let root = Node::new(RootSlot::RootNode.descriptor(), 8);
    /// let generics = Node::new(RootSlot::GenericNode.descriptor(), 8);
    /// let memory = Generic::new(generics.slot(0).unwrap());
    /// // Four 4 KiB frames into root slots 20..24.
    /// memory.convert(CapabilityType::Frame, 12, 4, root.descriptor(), 20)?;
    /// # Ok::<(), a9n_abi::CapabilityError>(())
    /// ```
    Generic
}

impl Generic {
    /// CONVERT: makes `count` objects of `object_type` (with `specific_bits`: node
    /// radix, frame or Generic size bits, page-table depth) in slots
    /// `first_index..first_index + count` of the node named by `destination`.
    /// All or nothing. Needs WRITE on the Generic and on the node.
    ///
    /// # Errors
    /// The kernel's error: `INVALID_ARGUMENT` for a bad type, specific bits, count or
    /// destination range, `FATAL` when the objects do not fit.
    pub fn convert(
        self,
        object_type: CapabilityType,
        specific_bits: u64,
        count: u64,
        destination: Descriptor,
        first_index: u64,
    ) -> Result<(), CapabilityError> {
        capability_call(
            self.descriptor(),
            GenericOperation::Convert.as_word(),
            &[
                object_type.as_word(),
                specific_bits,
                count,
                destination.as_word(),
                first_index,
            ],
        )
        .map(|_| ())
    }
}

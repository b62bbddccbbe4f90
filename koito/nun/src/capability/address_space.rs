//! ADDRESS_SPACE: an x86_64 PML4, into which page tables and frames are mapped.

use a9n_abi::operation::AddressSpaceOperation;
use a9n_abi::operation::address_space::RESULT_MR;
use a9n_abi::paging::{FrameSize, MapAttributes};
use a9n_abi::{CapabilityError, Descriptor};

use crate::call::capability_call;

capability_handle! {
    /// An address space. MAP puts a page table at its depth or a frame at its
    /// size's level; GET_UNSET_DEPTH says which page table is missing on the way to a
    /// leaf. [`mapping::map_frame`](crate::mapping::map_frame) combines them.
    ///
    /// ```no_run
    /// use a9n_abi::RootSlot;
    /// use a9n_abi::paging::FrameSize;
    /// use nun::capability::AddressSpace;
    ///
    /// let own = AddressSpace::new(RootSlot::AddressSpace.descriptor());
    /// // The program image is mapped, so its path is complete (depth 0).
    /// assert_eq!(own.get_unset_depth(0x40_0000, FrameSize::Small)?, 0);
    /// assert!(own.can_map_frame_size_bits(21)?);
    /// # Ok::<(), a9n_abi::CapabilityError>(())
    /// ```
    AddressSpace
}

impl AddressSpace {
    /// MAP: maps the page table or frame named by `object` at `address`. A frame
    /// needs READ (and WRITE for a writable mapping); the address space needs WRITE.
    ///
    /// # Errors
    /// The kernel's error: `INVALID_ARGUMENT` for a misaligned or kernel address, a
    /// missing table on the way or a present entry; `ILLEGAL_OPERATION` if the
    /// capability is already mapped; `PERMISSION_DENIED` for missing rights.
    pub fn map(
        self,
        object: Descriptor,
        address: u64,
        attributes: MapAttributes,
    ) -> Result<(), CapabilityError> {
        capability_call(
            self.descriptor(),
            AddressSpaceOperation::Map.as_word(),
            &[object.as_word(), address, attributes.bits()],
        )
        .map(|_| ())
    }

    /// UNMAP: unmaps the page table or frame named by `object` from `address`.
    /// Needs WRITE.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn unmap(self, object: Descriptor, address: u64) -> Result<(), CapabilityError> {
        capability_call(
            self.descriptor(),
            AddressSpaceOperation::Unmap.as_word(),
            &[object.as_word(), address],
        )
        .map(|_| ())
    }

    /// GET_UNSET_DEPTH: the depth of the first missing page table on the way to a
    /// `leaf` frame at `address` (0 when the path is complete). Needs READ.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn get_unset_depth(self, address: u64, leaf: FrameSize) -> Result<u64, CapabilityError> {
        capability_call(
            self.descriptor(),
            AddressSpaceOperation::GetUnsetDepth.as_word(),
            &[address, u64::from(leaf.bits())],
        )
        .map(|results| results.get(RESULT_MR))
    }

    /// CAN_MAP_FRAME_SIZE_BITS: whether frames of 2^`size_bits` bytes can be mapped.
    /// Needs READ.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn can_map_frame_size_bits(self, size_bits: u64) -> Result<bool, CapabilityError> {
        capability_call(
            self.descriptor(),
            AddressSpaceOperation::CanMapFrameSizeBits.as_word(),
            &[size_bits],
        )
        .map(|results| results.get(RESULT_MR) != 0)
    }
}

//! ADDRESS_SPACE operations (docs/abi.md section 5). On x86_64 the address space is
//! the PML4; see [`paging`](crate::paging) for attributes, depths and frame sizes.

use crate::rights::Rights;

word_enum! {
    /// An operation on an address space.
    pub enum AddressSpaceOperation: u64 {
        /// Map a page table (at its own depth) or a frame (at its size's level).
        /// Mapping over a present entry fails: UNMAP first.
        Map = 1 => "MAP",
        /// Unmap a mapped page table or frame.
        Unmap = 2 => "UNMAP",
        /// The depth of the first missing page table on the way to a leaf (0 when
        /// the path is complete).
        GetUnsetDepth = 3 => "GET_UNSET_DEPTH",
        /// Whether frames of the given size bits can be mapped (1 or 0).
        CanMapFrameSizeBits = 4 => "CAN_MAP_FRAME_SIZE_BITS",
    }
}

/// MAP, UNMAP: MR of the page-table or frame descriptor.
pub const OBJECT_MR: usize = 2;
/// MAP, UNMAP: MR of the virtual address.
pub const MAP_ADDRESS_MR: usize = 3;
/// MAP: MR of the [`MapAttributes`](crate::paging::MapAttributes).
pub const ATTRIBUTES_MR: usize = 4;
/// GET_UNSET_DEPTH: MR of the virtual address.
pub const QUERY_ADDRESS_MR: usize = 2;
/// GET_UNSET_DEPTH: MR of the leaf (frame) size bits.
pub const LEAF_SIZE_BITS_MR: usize = 3;
/// CAN_MAP_FRAME_SIZE_BITS: MR of the size bits asked about.
pub const SIZE_BITS_MR: usize = 2;
/// GET_UNSET_DEPTH, CAN_MAP_FRAME_SIZE_BITS: MR of the result.
pub const RESULT_MR: usize = 2;

impl AddressSpaceOperation {
    /// Rights needed on the address space. KOITO: WRITE to change it, READ to ask.
    #[must_use]
    pub const fn required_rights(self) -> Rights {
        match self {
            Self::Map | Self::Unmap => Rights::WRITE,
            Self::GetUnsetDepth | Self::CanMapFrameSizeBits => Rights::READ,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        let names = ["MAP", "UNMAP", "GET_UNSET_DEPTH", "CAN_MAP_FRAME_SIZE_BITS"];
        for (i, &operation) in AddressSpaceOperation::ALL.iter().enumerate() {
            assert_eq!(operation.as_word(), i as u64 + 1);
            assert_eq!(operation.name(), names[i]);
            assert_eq!(AddressSpaceOperation::try_from(i as u64 + 1), Ok(operation));
        }
        assert_eq!(AddressSpaceOperation::ALL.len(), 4);
        for word in [0, 5, u64::MAX] {
            assert_eq!(AddressSpaceOperation::try_from(word), Err(word));
        }
    }

    #[test]
    fn changes_need_write_and_queries_read() {
        assert_eq!(AddressSpaceOperation::Map.required_rights(), Rights::WRITE);
        assert_eq!(
            AddressSpaceOperation::Unmap.required_rights(),
            Rights::WRITE
        );
        assert_eq!(
            AddressSpaceOperation::GetUnsetDepth.required_rights(),
            Rights::READ
        );
    }
}

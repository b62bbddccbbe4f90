//! GENERIC operations (docs/abi.md section 5): untyped memory, from which every
//! kernel object is made (the kernel has no heap).

use crate::rights::Rights;

word_enum! {
    /// An operation on a Generic capability.
    pub enum GenericOperation: u64 {
        /// Carve `count` objects at the watermark, each aligned to its size and zeroed,
        /// into consecutive slots of a destination node. All or nothing.
        Convert = 0 => "CONVERT",
    }
}

/// CONVERT: MR of the [`CapabilityType`](crate::capability_type::CapabilityType) to make.
pub const TYPE_MR: usize = 2;
/// CONVERT: MR of the specific bits: node radix, frame or Generic size bits, page-table
/// depth (KOITO); ignored by the other types.
pub const SPECIFIC_BITS_MR: usize = 3;
/// CONVERT: MR of the object count (>= 1).
pub const COUNT_MR: usize = 4;
/// CONVERT: MR of the destination node's descriptor.
pub const DESTINATION_NODE_MR: usize = 5;
/// CONVERT: MR of the first destination slot index.
pub const DESTINATION_INDEX_MR: usize = 6;

/// Smallest CONVERT count.
pub const MIN_COUNT: u64 = 1;

impl GenericOperation {
    /// Rights needed on the Generic. KOITO: WRITE (it moves the watermark).
    #[must_use]
    pub const fn required_rights(self) -> Rights {
        match self {
            Self::Convert => Rights::WRITE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn convert_is_0_and_others_are_rejected() {
        assert_eq!(GenericOperation::try_from(0), Ok(GenericOperation::Convert));
        assert_eq!(GenericOperation::ALL, &[GenericOperation::Convert]);
        for word in [1, 2, u64::MAX] {
            assert_eq!(GenericOperation::try_from(word), Err(word));
        }
        assert_eq!(GenericOperation::Convert.required_rights(), Rights::WRITE);
        assert_eq!(
            [
                TYPE_MR,
                SPECIFIC_BITS_MR,
                COUNT_MR,
                DESTINATION_NODE_MR,
                DESTINATION_INDEX_MR
            ],
            [2, 3, 4, 5, 6]
        );
    }
}

//! FRAME operations (docs/abi.md section 5). PAGE_TABLE has no operations.

use crate::rights::Rights;

word_enum! {
    /// An operation on a frame.
    pub enum FrameOperation: u64 {
        /// The frame's physical address, in MR2.
        GetAddress = 1 => "GET_ADDRESS",
    }
}

/// GET_ADDRESS: MR of the physical address returned.
pub const ADDRESS_RESULT_MR: usize = 2;

impl FrameOperation {
    /// Rights needed on the frame. KOITO: READ.
    #[must_use]
    pub const fn required_rights(self) -> Rights {
        match self {
            Self::GetAddress => Rights::READ,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_address_is_1_and_others_are_rejected() {
        assert_eq!(FrameOperation::try_from(1), Ok(FrameOperation::GetAddress));
        for word in [0, 2, u64::MAX] {
            assert_eq!(FrameOperation::try_from(word), Err(word));
        }
        assert_eq!(FrameOperation::GetAddress.required_rights(), Rights::READ);
        assert_eq!(ADDRESS_RESULT_MR, 2);
    }
}

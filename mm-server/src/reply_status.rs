//! How each module's error becomes the status of a reply to the client.

use mm_server_api::MmError;

use crate::accounting::AccountError;
use crate::buddy_allocator::BuddyError;
use crate::range_copy::CopyRangeError;
use crate::region_map::RegionError;
use crate::slab::SlabError;

impl From<RegionError> for MmError {
    fn from(error: RegionError) -> Self {
        match error {
            RegionError::Invalid => Self::InvalidArgument,
            RegionError::Overlap => Self::Overlap,
            RegionError::NotMapped => Self::NotMapped,
            RegionError::Permission => Self::Permission,
            RegionError::TooManyRegions | RegionError::NoSpace => Self::NoMemory,
        }
    }
}

impl From<CopyRangeError> for MmError {
    fn from(error: CopyRangeError) -> Self {
        match error {
            CopyRangeError::NotMapped => Self::NotMapped,
            CopyRangeError::Unsupported => Self::Unsupported,
            CopyRangeError::Overlap => Self::Overlap,
            CopyRangeError::Invalid | CopyRangeError::LargeMapping | CopyRangeError::Frame(_) => {
                Self::InvalidArgument
            }
        }
    }
}

impl From<AccountError> for MmError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::LimitExceeded => Self::LimitExceeded,
            AccountError::Underflow => Self::InvalidArgument,
        }
    }
}

impl From<BuddyError> for MmError {
    fn from(error: BuddyError) -> Self {
        match error {
            BuddyError::NoMemory => Self::NoMemory,
            BuddyError::NotAllocated => Self::NoSuchObject,
            BuddyError::InvalidOrder | BuddyError::Misaligned | BuddyError::Overlap => {
                Self::InvalidArgument
            }
        }
    }
}

impl From<SlabError> for MmError {
    fn from(error: SlabError) -> Self {
        match error {
            SlabError::NoMemory => Self::NoMemory,
            SlabError::NotAllocated => Self::NoSuchObject,
            SlabError::NotSlabSized => Self::InvalidArgument,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_visible_statuses() {
        assert_eq!(MmError::from(RegionError::Overlap), MmError::Overlap);
        assert_eq!(MmError::from(RegionError::NoSpace), MmError::NoMemory);
        assert_eq!(
            MmError::from(AccountError::LimitExceeded),
            MmError::LimitExceeded
        );
        assert_eq!(MmError::from(BuddyError::NoMemory), MmError::NoMemory);
        assert_eq!(
            MmError::from(CopyRangeError::Unsupported),
            MmError::Unsupported
        );
        assert_eq!(MmError::from(CopyRangeError::NotMapped), MmError::NotMapped);
        assert_eq!(
            MmError::from(SlabError::NotAllocated),
            MmError::NoSuchObject
        );
    }
}

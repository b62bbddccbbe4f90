//! Kernel object sizes and conversion rules (KOITO decisions, docs/abi.md section 12).
//!
//! Generic CONVERT carves each object at the Generic's watermark, aligned to its own
//! size, which is always a power of two: `1 << object_size_bits(type, specific)`.

use crate::capability_type::CapabilityType;
use crate::paging::PageTableDepth;
use crate::rights::Rights;

/// Bytes of one capability slot, as a power of two (64-byte slots).
pub const SLOT_SIZE_BITS: u32 = 6;
/// Smallest node radix CONVERT accepts.
pub const NODE_RADIX_MIN: u32 = 1;
/// Largest node radix CONVERT accepts (a 64 MiB node).
pub const NODE_RADIX_MAX: u32 = 20;
/// A PCB is one 4 KiB page (registers, kernel state, internal slots, FPU area).
pub const PCB_SIZE_BITS: u32 = 12;
/// An address space (the PML4) is one 4 KiB page.
pub const ADDRESS_SPACE_SIZE_BITS: u32 = 12;
/// A page table of any depth is one 4 KiB page.
pub const PAGE_TABLE_SIZE_BITS: u32 = 12;
/// An IPC port is 64 bytes.
pub const IPC_PORT_SIZE_BITS: u32 = 6;
/// A notification port is 64 bytes.
pub const NOTIFICATION_PORT_SIZE_BITS: u32 = 6;
/// Smallest Generic CONVERT makes (one page).
pub const GENERIC_SIZE_BITS_MIN: u32 = 12;
/// Largest Generic (the physical address width).
pub const GENERIC_SIZE_BITS_MAX: u32 = 52;
/// How many address spaces can exist at once (the kernel's ASID table).
pub const ADDRESS_SPACE_LIMIT: usize = 4096;

/// Rights of the capability CONVERT (and the kernel at boot) makes for a new object.
/// Generics never carry COPY: each Generic region has exactly one capability, which
/// holds its watermark; it can be moved and converted, never copied or minted.
#[must_use]
pub const fn initial_rights(object_type: CapabilityType) -> Rights {
    match object_type {
        CapabilityType::Generic => Rights::from_bits_truncate(
            Rights::READ.bits() | Rights::WRITE.bits() | Rights::MODIFY.bits(),
        ),
        _ => Rights::ALL,
    }
}

/// The size (as a power of two) of an object of `object_type` made with CONVERT's
/// `specific` bits, or `None` when the type is not convertible or `specific` is out
/// of range: node radix in `NODE_RADIX_MIN..=NODE_RADIX_MAX`, Generic size bits in
/// `GENERIC_SIZE_BITS_MIN..=GENERIC_SIZE_BITS_MAX`, frame size bits 12, 21 or 30,
/// page-table depth 1..=3; the other types ignore `specific`.
#[must_use]
pub const fn object_size_bits(object_type: CapabilityType, specific: u64) -> Option<u32> {
    match object_type {
        CapabilityType::Node => {
            if specific >= NODE_RADIX_MIN as u64 && specific <= NODE_RADIX_MAX as u64 {
                Some(specific as u32 + SLOT_SIZE_BITS)
            } else {
                None
            }
        }
        CapabilityType::Generic => {
            if specific >= GENERIC_SIZE_BITS_MIN as u64 && specific <= GENERIC_SIZE_BITS_MAX as u64
            {
                Some(specific as u32)
            } else {
                None
            }
        }
        CapabilityType::Frame => match specific {
            12 | 21 | 30 => Some(specific as u32),
            _ => None,
        },
        CapabilityType::PageTable => match PageTableDepth::from_word(specific) {
            Some(_) => Some(PAGE_TABLE_SIZE_BITS),
            None => None,
        },
        CapabilityType::AddressSpace => Some(ADDRESS_SPACE_SIZE_BITS),
        CapabilityType::ProcessControlBlock => Some(PCB_SIZE_BITS),
        CapabilityType::IpcPort => Some(IPC_PORT_SIZE_BITS),
        CapabilityType::NotificationPort => Some(NOTIFICATION_PORT_SIZE_BITS),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_of_each_type() {
        assert_eq!(object_size_bits(CapabilityType::Node, 8), Some(14));
        assert_eq!(object_size_bits(CapabilityType::Node, 0), None);
        assert_eq!(object_size_bits(CapabilityType::Node, 21), None);
        assert_eq!(object_size_bits(CapabilityType::Generic, 12), Some(12));
        assert_eq!(object_size_bits(CapabilityType::Generic, 11), None);
        assert_eq!(object_size_bits(CapabilityType::Frame, 21), Some(21));
        assert_eq!(object_size_bits(CapabilityType::Frame, 13), None);
        assert_eq!(object_size_bits(CapabilityType::PageTable, 3), Some(12));
        assert_eq!(object_size_bits(CapabilityType::PageTable, 4), None);
        assert_eq!(object_size_bits(CapabilityType::PageTable, 0), None);
        assert_eq!(
            object_size_bits(CapabilityType::ProcessControlBlock, 99),
            Some(12)
        );
        assert_eq!(object_size_bits(CapabilityType::IpcPort, 0), Some(6));
        assert_eq!(object_size_bits(CapabilityType::InterruptPort, 0), None);
        assert_eq!(object_size_bits(CapabilityType::None, 0), None);
    }

    #[test]
    fn generics_are_never_copyable() {
        assert!(!initial_rights(CapabilityType::Generic).contains(Rights::COPY));
        assert_eq!(initial_rights(CapabilityType::Frame), Rights::ALL);
    }
}

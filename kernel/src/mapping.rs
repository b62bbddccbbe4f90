//! Mapping state kept in FRAME and PAGE_TABLE capabilities (docs/abi.md section 12:
//! a mapping belongs to the capability that made it).
//!
//! data[0]: size bits and device flag (frame) or depth (page table); data[1]: the
//! address-space token of the mapping (0: not mapped); data[2]: its virtual address.

use a9n_abi::capability_type::CapabilityType;
use a9n_abi::paging::PageTableDepth;
use a9n_core::capability::Capability;

use crate::{address_space_ids, user_page_tables};

/// Whether the capability holds a mapping.
#[must_use]
pub fn is_mapped(capability: &Capability) -> bool {
    matches!(
        capability.object_type,
        CapabilityType::Frame | CapabilityType::PageTable
    ) && capability.data[1] != 0
}

/// The capability without its mapping (what COPY and MINT hand out).
#[must_use]
pub fn without_mapping(capability: &Capability) -> Capability {
    let mut copy = *capability;
    if matches!(
        copy.object_type,
        CapabilityType::Frame | CapabilityType::PageTable
    ) {
        copy.data[1] = 0;
        copy.data[2] = 0;
    }
    copy
}

/// The capability recording a mapping in address space `token` at `virtual_address`.
#[must_use]
pub fn with_mapping(capability: &Capability, token: u64, virtual_address: u64) -> Capability {
    let mut mapped = *capability;
    mapped.data[1] = token;
    mapped.data[2] = virtual_address;
    mapped
}

/// Size bits of a frame capability.
#[must_use]
pub const fn frame_size_bits(capability: &Capability) -> u32 {
    (capability.data[0] & 0xff) as u32
}

/// Depth of a page-table capability.
#[must_use]
pub fn page_table_depth(capability: &Capability) -> Option<PageTableDepth> {
    PageTableDepth::from_word(capability.data[0])
}

/// The level of the table holding the entry of a mapped capability.
fn entry_level(capability: &Capability) -> Option<u32> {
    match capability.object_type {
        CapabilityType::Frame => Some(user_page_tables::leaf_level(frame_size_bits(capability))),
        CapabilityType::PageTable => {
            page_table_depth(capability).map(user_page_tables::parent_level)
        }
        _ => None,
    }
}

/// Undoes the mapping a capability holds, if its address space still exists and the
/// entry still points at the object. A page table taken out is zeroed.
pub fn unmap(capability: &Capability) {
    if !is_mapped(capability) {
        return;
    }
    let (token, virtual_address) = (capability.data[1], capability.data[2]);
    if let (Some(root), Some(level)) = (address_space_ids::root_of(token), entry_level(capability))
        && let Some(entry) = user_page_tables::entry_address(root, virtual_address, level)
    {
        let is_table = capability.object_type == CapabilityType::PageTable;
        user_page_tables::clear_entry_if(
            root,
            token,
            entry,
            capability.object,
            virtual_address,
            is_table,
        );
    }
    if capability.object_type == CapabilityType::PageTable {
        user_page_tables::clear_table(capability.object);
    }
}

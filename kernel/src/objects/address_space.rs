//! ADDRESS_SPACE operations: MAP, UNMAP, GET_UNSET_DEPTH, CAN_MAP_FRAME_SIZE_BITS
//! (docs/abi.md sections 5 and 12).

use a9n_abi::boot::USER_ADDRESS_LIMIT;
use a9n_abi::capability_type::CapabilityType;
use a9n_abi::error::CapabilityError;
use a9n_abi::operation::address_space::{
    ATTRIBUTES_MR, AddressSpaceOperation, LEAF_SIZE_BITS_MR, MAP_ADDRESS_MR, OBJECT_MR,
    QUERY_ADDRESS_MR, RESULT_MR, SIZE_BITS_MR,
};
use a9n_abi::paging::MapAttributes;
use a9n_abi::rights::Rights;
use a9n_core::capability::Capability;
use a9n_core::capability_tree;
use a9n_core::generic_conversion::DEVICE_FLAG;

use super::require_rights;
use crate::arch::cpu;
use crate::arch::object_memory::PhysicalSlots;
use crate::capability_call::Invocation;
use crate::{mapping, user_page_tables};

/// Whether frames of `size_bits` can be mapped on this CPU.
fn can_map(size_bits: u64) -> bool {
    match size_bits {
        12 | 21 => true,
        30 => cpu::features().huge_pages,
        _ => false,
    }
}

fn map(invocation: &Invocation, root: u64, token: u64) -> Result<(), CapabilityError> {
    let (slot, object) = invocation.resolve(invocation.argument(OBJECT_MR)?)?;
    let virtual_address = invocation.argument(MAP_ADDRESS_MR)?;
    if virtual_address >= USER_ADDRESS_LIMIT {
        return Err(CapabilityError::InvalidArgument);
    }
    if mapping::is_mapped(&object) {
        return Err(CapabilityError::IllegalOperation);
    }
    let mapped: Capability = match object.object_type {
        CapabilityType::PageTable => {
            let depth =
                mapping::page_table_depth(&object).ok_or(CapabilityError::InvalidArgument)?;
            let level = user_page_tables::parent_level(depth);
            let covered = depth.covered_bits();
            let base = virtual_address & !((1u64 << covered) - 1);
            let entry = user_page_tables::entry_address(root, base, level)
                .ok_or(CapabilityError::InvalidArgument)?;
            if user_page_tables::is_present(entry) {
                return Err(CapabilityError::InvalidArgument);
            }
            user_page_tables::set_table_entry(entry, object.object);
            mapping::with_mapping(&object, token, base)
        }
        CapabilityType::Frame => {
            require_rights(&object, Rights::READ)?;
            let attributes = MapAttributes::from_bits(invocation.argument(ATTRIBUTES_MR)?)
                .ok_or(CapabilityError::InvalidArgument)?;
            if !attributes.contains(MapAttributes::READ) {
                return Err(CapabilityError::InvalidArgument);
            }
            require_rights(&object, attributes.required_frame_rights())?;
            let size_bits = mapping::frame_size_bits(&object);
            if !can_map(u64::from(size_bits))
                || !virtual_address.is_multiple_of(1 << size_bits)
                || virtual_address + (1 << size_bits) > USER_ADDRESS_LIMIT
            {
                return Err(CapabilityError::InvalidArgument);
            }
            let level = user_page_tables::leaf_level(size_bits);
            let entry = user_page_tables::entry_address(root, virtual_address, level)
                .ok_or(CapabilityError::InvalidArgument)?;
            if user_page_tables::is_present(entry) {
                return Err(CapabilityError::InvalidArgument);
            }
            user_page_tables::set_frame_entry(
                entry,
                object.object,
                size_bits,
                attributes.contains(MapAttributes::WRITE),
                attributes.contains(MapAttributes::EXECUTE),
                object.data[0] & DEVICE_FLAG != 0,
            );
            mapping::with_mapping(&object, token, virtual_address)
        }
        _ => return Err(CapabilityError::InvalidDescriptor),
    };
    capability_tree::replace_capability(&mut PhysicalSlots, slot, mapped);
    Ok(())
}

fn unmap(invocation: &Invocation, token: u64) -> Result<(), CapabilityError> {
    let (slot, object) = invocation.resolve(invocation.argument(OBJECT_MR)?)?;
    if !matches!(
        object.object_type,
        CapabilityType::PageTable | CapabilityType::Frame
    ) {
        return Err(CapabilityError::InvalidDescriptor);
    }
    if !mapping::is_mapped(&object) {
        return Err(CapabilityError::IllegalOperation);
    }
    let virtual_address = invocation.argument(MAP_ADDRESS_MR)?;
    let recorded = object.data[2];
    let same_place = match object.object_type {
        CapabilityType::PageTable => {
            let covered =
                mapping::page_table_depth(&object).map_or(0, |depth| depth.covered_bits());
            virtual_address & !((1u64 << covered) - 1) == recorded
        }
        _ => virtual_address == recorded,
    };
    if object.data[1] != token || !same_place {
        return Err(CapabilityError::InvalidArgument);
    }
    mapping::unmap(&object);
    capability_tree::replace_capability(
        &mut PhysicalSlots,
        slot,
        mapping::without_mapping(&object),
    );
    Ok(())
}

/// Performs an ADDRESS_SPACE operation.
pub fn invoke(invocation: &mut Invocation) -> Result<(), CapabilityError> {
    let operation = AddressSpaceOperation::from_word(invocation.operation)
        .ok_or(CapabilityError::IllegalOperation)?;
    let space = invocation.capability;
    require_rights(&space, operation.required_rights())?;
    let (root, token) = (space.object, space.data[0]);
    match operation {
        AddressSpaceOperation::Map => map(invocation, root, token),
        AddressSpaceOperation::Unmap => unmap(invocation, token),
        AddressSpaceOperation::GetUnsetDepth => {
            let virtual_address = invocation.argument(QUERY_ADDRESS_MR)?;
            let size_bits = invocation.argument(LEAF_SIZE_BITS_MR)?;
            if virtual_address >= USER_ADDRESS_LIMIT || !matches!(size_bits, 12 | 21 | 30) {
                return Err(CapabilityError::InvalidArgument);
            }
            let depth = user_page_tables::unset_depth(root, virtual_address, size_bits as u32);
            invocation.set_result(RESULT_MR, depth);
            Ok(())
        }
        AddressSpaceOperation::CanMapFrameSizeBits => {
            let size_bits = invocation.argument(SIZE_BITS_MR)?;
            invocation.set_result(RESULT_MR, u64::from(can_map(size_bits)));
            Ok(())
        }
    }
}

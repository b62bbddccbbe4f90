//! GENERIC CONVERT: carve kernel objects out of untyped memory (docs/abi.md
//! sections 5 and 12). Everything is checked first; then the memory is zeroed, the
//! objects are initialised and their capabilities become children of the Generic.

use a9n_abi::capability_type::CapabilityType;
use a9n_abi::error::CapabilityError;
use a9n_abi::object::initial_rights;
use a9n_abi::operation::DESTINATION_NODE_RIGHTS;
use a9n_abi::operation::generic::{
    COUNT_MR, DESTINATION_INDEX_MR, DESTINATION_NODE_MR, GenericOperation, SPECIFIC_BITS_MR,
    TYPE_MR,
};
use a9n_core::capability::Capability;
use a9n_core::capability_tree::{self, SLOT_SIZE};
use a9n_core::generic_conversion::{self, DEVICE_FLAG, GenericState};

use super::node::slot_of;
use super::require_rights;
use crate::arch::object_memory::{PhysicalSlots, zero};
use crate::capability_call::Invocation;
use crate::{address_space_ids, thread_setup};

/// Sets up the object at `address` and returns its capability.
fn make_object(
    object_type: CapabilityType,
    specific: u64,
    address: u64,
    size_bits: u32,
    device: bool,
) -> Capability {
    // Child Generics are not zeroed: every object made from them is, when it is
    // made (zeroing them too would clear the same memory twice).
    if !device && object_type != CapabilityType::Generic {
        zero(address, 1 << size_bits);
    }
    let mut capability = Capability::new(object_type, initial_rights(object_type), address);
    match object_type {
        CapabilityType::Node => capability.data[0] = specific,
        CapabilityType::Generic | CapabilityType::Frame => {
            capability.data[0] = u64::from(size_bits) | if device { DEVICE_FLAG } else { 0 };
        }
        CapabilityType::PageTable => capability.data[0] = specific,
        CapabilityType::AddressSpace => {
            crate::arch::paging::copy_kernel_half(address);
            // Availability was checked before anything changed.
            capability.data[0] = address_space_ids::allocate(address).unwrap_or(0);
        }
        CapabilityType::ProcessControlBlock => thread_setup::initialise(address),
        _ => {}
    }
    capability
}

/// Performs a GENERIC operation.
pub fn invoke(invocation: &mut Invocation) -> Result<(), CapabilityError> {
    let operation = GenericOperation::from_word(invocation.operation)
        .ok_or(CapabilityError::IllegalOperation)?;
    let generic = invocation.capability;
    require_rights(&generic, operation.required_rights())?;
    let object_type = CapabilityType::from_word(invocation.argument(TYPE_MR)?)
        .ok_or(CapabilityError::InvalidArgument)?;
    let specific = invocation.argument(SPECIFIC_BITS_MR)?;
    let count = invocation.argument(COUNT_MR)?;
    let plan = generic_conversion::plan(&generic, object_type, specific, count)?;

    let (_, node) = invocation.resolve(invocation.argument(DESTINATION_NODE_MR)?)?;
    if node.object_type != CapabilityType::Node {
        return Err(CapabilityError::InvalidDescriptor);
    }
    require_rights(&node, DESTINATION_NODE_RIGHTS)?;
    let first_index = invocation.argument(DESTINATION_INDEX_MR)?;
    let last_index = first_index
        .checked_add(count - 1)
        .ok_or(CapabilityError::InvalidArgument)?;
    let first_slot = slot_of(&node, first_index)?;
    slot_of(&node, last_index)?;
    let all_empty = (0..count)
        .all(|offset| capability_tree::is_empty(&PhysicalSlots, first_slot + offset * SLOT_SIZE));
    if !all_empty {
        return Err(CapabilityError::InvalidArgument);
    }
    if object_type == CapabilityType::AddressSpace
        && (count as usize) > address_space_ids::free_count()
    {
        return Err(CapabilityError::InvalidArgument);
    }

    let device = GenericState::of(&generic).device;
    let store = &mut PhysicalSlots;
    for offset in 0..count {
        let address = plan.first_object + (offset << plan.object_size_bits);
        let capability = make_object(
            object_type,
            specific,
            address,
            plan.object_size_bits,
            device,
        );
        capability_tree::insert_child(
            store,
            invocation.slot,
            first_slot + offset * SLOT_SIZE,
            capability,
        );
    }
    let mut state = GenericState::of(&generic);
    state.watermark = plan.new_watermark;
    let mut updated = generic;
    updated.data = state.data();
    capability_tree::replace_capability(store, invocation.slot, updated);
    Ok(())
}

//! NODE operations: COPY, MOVE, MINT, DEMOTE, REVOKE, REMOVE (docs/abi.md sections
//! 5 and 12). The invoked node is the destination; sources resolve from the
//! caller's root node.

use a9n_abi::capability_type::CapabilityType;
use a9n_abi::error::CapabilityError;
use a9n_abi::operation::node::{INDEX_MR, NEW_RIGHTS_MR, NodeOperation, SOURCE_DESCRIPTOR_MR};
use a9n_abi::rights::Rights;
use a9n_core::capability::Capability;
use a9n_core::capability_tree::{self, SlotAddress};
use a9n_core::descriptor_resolution::{node_radix, node_slot};
use a9n_core::generic_conversion::GenericState;

use super::require_rights;
use crate::arch::object_memory::PhysicalSlots;
use crate::capability_call::Invocation;
use crate::lifecycle::KernelLifecycle;
use crate::mapping;

/// The slot at `index` of `node`, or INVALID_ARGUMENT past its end.
pub fn slot_of(node: &Capability, index: u64) -> Result<SlotAddress, CapabilityError> {
    if index >> node_radix(node) != 0 {
        return Err(CapabilityError::InvalidArgument);
    }
    Ok(node_slot(node, index))
}

/// The empty slot at `index` of `node`.
pub fn empty_slot_of(node: &Capability, index: u64) -> Result<SlotAddress, CapabilityError> {
    let slot = slot_of(node, index)?;
    if capability_tree::is_empty(&PhysicalSlots, slot) {
        Ok(slot)
    } else {
        Err(CapabilityError::InvalidArgument)
    }
}

/// The occupied slot at `index` of `node` and its capability.
fn occupied_slot_of(
    node: &Capability,
    index: u64,
) -> Result<(SlotAddress, Capability), CapabilityError> {
    let slot = slot_of(node, index)?;
    let capability = capability_tree::capability_at(&PhysicalSlots, slot)
        .ok_or(CapabilityError::InvalidArgument)?;
    Ok((slot, capability))
}

fn new_rights(invocation: &Invocation, old: Rights) -> Result<Rights, CapabilityError> {
    let rights = Rights::from_bits(invocation.argument(NEW_RIGHTS_MR)?)
        .ok_or(CapabilityError::InvalidArgument)?;
    if rights.is_subset_of(old) {
        Ok(rights)
    } else {
        Err(CapabilityError::InvalidArgument)
    }
}

/// Performs a NODE operation.
pub fn invoke(invocation: &mut Invocation) -> Result<(), CapabilityError> {
    let operation =
        NodeOperation::from_word(invocation.operation).ok_or(CapabilityError::IllegalOperation)?;
    let node = invocation.capability;
    require_rights(&node, operation.required_rights())?;
    let store = &mut PhysicalSlots;
    match operation {
        NodeOperation::Copy | NodeOperation::Mint => {
            let destination = empty_slot_of(&node, invocation.argument(INDEX_MR)?)?;
            let (source, capability) =
                invocation.resolve(invocation.argument(SOURCE_DESCRIPTOR_MR)?)?;
            require_rights(&capability, Rights::COPY)?;
            let mut copy = mapping::without_mapping(&capability);
            if operation == NodeOperation::Mint {
                copy.rights = new_rights(invocation, capability.rights)?;
                capability_tree::insert_child(store, source, destination, copy);
            } else {
                capability_tree::insert_copy(store, source, destination, copy);
            }
        }
        NodeOperation::Move => {
            let destination = empty_slot_of(&node, invocation.argument(INDEX_MR)?)?;
            let (source, _) = invocation.resolve(invocation.argument(SOURCE_DESCRIPTOR_MR)?)?;
            capability_tree::move_capability(store, source, destination);
        }
        NodeOperation::Demote => {
            let (slot, mut capability) = occupied_slot_of(&node, invocation.argument(INDEX_MR)?)?;
            capability.rights = new_rights(invocation, capability.rights)?;
            capability_tree::replace_capability(store, slot, capability);
        }
        NodeOperation::Revoke => {
            let (slot, capability) = occupied_slot_of(&node, invocation.argument(INDEX_MR)?)?;
            let survived = capability_tree::revoke(store, &mut KernelLifecycle, slot);
            if survived && capability.object_type == CapabilityType::Generic {
                let mut state = GenericState::of(&capability);
                state.watermark = 0;
                let mut reset = capability;
                reset.data = state.data();
                capability_tree::replace_capability(store, slot, reset);
            }
        }
        NodeOperation::Remove => {
            let (slot, _) = occupied_slot_of(&node, invocation.argument(INDEX_MR)?)?;
            capability_tree::delete(store, &mut KernelLifecycle, slot);
        }
    }
    Ok(())
}

//! Finding the slot a descriptor names, starting from a thread's root node
//! (docs/abi.md section 4).

use a9n_abi::capability_type::CapabilityType;
use a9n_abi::descriptor::{Descriptor, RESOLUTION_START};
use a9n_abi::error::CapabilityError;

use crate::capability::Capability;
use crate::capability_tree::{SLOT_SIZE, SlotAddress, SlotStore, capability_at};

/// Radix of a node capability (kept in its first data word).
#[must_use]
pub const fn node_radix(node: &Capability) -> u32 {
    node.data[0] as u32
}

/// Address of slot `index` of the node `node` names (no bounds check).
#[must_use]
pub const fn node_slot(node: &Capability, index: u64) -> SlotAddress {
    node.object + index * SLOT_SIZE
}

/// Resolves `word` against the root node held in `root_slot`.
///
/// Returns the slot the descriptor names (for depth 8, `root_slot` itself). Errors:
/// a malformed word, a missing or non-node root, an empty slot or non-node on the
/// way -> INVALID_DESCRIPTOR; a depth that ends inside a node's index ->
/// INVALID_DEPTH.
pub fn resolve(
    store: &impl SlotStore,
    root_slot: SlotAddress,
    word: u64,
) -> Result<SlotAddress, CapabilityError> {
    let descriptor = Descriptor::from_word(word).map_err(|_| CapabilityError::InvalidDescriptor)?;
    let depth = descriptor.depth();
    let mut slot = root_slot;
    let mut used = RESOLUTION_START;
    while used < depth {
        let node = capability_at(store, slot)
            .filter(|capability| capability.object_type == CapabilityType::Node)
            .ok_or(CapabilityError::InvalidDescriptor)?;
        let radix = node_radix(&node);
        let index = descriptor
            .index_at(used, radix)
            .ok_or(CapabilityError::InvalidDepth)?;
        slot = node_slot(&node, index);
        used += radix;
    }
    Ok(slot)
}

/// Resolves `word` and returns the capability there, which must exist.
pub fn resolve_capability(
    store: &impl SlotStore,
    root_slot: SlotAddress,
    word: u64,
) -> Result<(SlotAddress, Capability), CapabilityError> {
    let slot = resolve(store, root_slot, word)?;
    let capability = capability_at(store, slot).ok_or(CapabilityError::InvalidDescriptor)?;
    Ok((slot, capability))
}

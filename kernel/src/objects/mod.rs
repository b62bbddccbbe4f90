//! One module per kernel object type: each decodes and validates its operation's
//! arguments completely before it changes anything, then performs it.

pub mod address_space;
pub mod frame;
pub mod generic;
pub mod interrupt;
pub mod io_port;
pub mod ipc_port;
pub mod node;
pub mod notification_port;
pub mod process_control_block;

use a9n_abi::error::CapabilityError;
use a9n_abi::rights::Rights;
use a9n_core::capability::Capability;

/// Fails with PERMISSION_DENIED unless `capability` has every right in `needed`.
pub fn require_rights(capability: &Capability, needed: Rights) -> Result<(), CapabilityError> {
    if capability.rights.contains(needed) {
        Ok(())
    } else {
        Err(CapabilityError::PermissionDenied)
    }
}

//! IO_PORT operations: READ, WRITE, MINT (docs/abi.md section 5). An IO port
//! capability covers the inclusive range data[0]..=data[1]; every access is checked
//! against it.

use a9n_abi::capability_type::CapabilityType;
use a9n_abi::error::CapabilityError;
use a9n_abi::operation::DESTINATION_NODE_RIGHTS;
use a9n_abi::operation::io_port::{
    DESTINATION_INDEX_MR, DESTINATION_NODE_MR, IoPortOperation, IoWidth, MINT_MAX_MR, MINT_MIN_MR,
    PORT_MR, VALUE_MR, VALUE_RESULT_MR, WIDTH_MR, access_fits, is_sub_range,
};
use a9n_core::capability_tree;

use super::node::empty_slot_of;
use super::require_rights;
use crate::arch::object_memory::PhysicalSlots;
use crate::arch::port_io;
use crate::capability_call::Invocation;

/// Performs an IO_PORT operation.
pub fn invoke(invocation: &mut Invocation) -> Result<(), CapabilityError> {
    let operation = IoPortOperation::from_word(invocation.operation)
        .ok_or(CapabilityError::IllegalOperation)?;
    let capability = invocation.capability;
    require_rights(&capability, operation.required_rights())?;
    let (min, max) = (capability.data[0], capability.data[1]);
    match operation {
        IoPortOperation::Read | IoPortOperation::Write => {
            let port = invocation.argument(PORT_MR)?;
            let width = IoWidth::from_word(invocation.argument(WIDTH_MR)?)
                .ok_or(CapabilityError::InvalidArgument)?;
            if !access_fits(min, max, port, width) {
                return Err(CapabilityError::InvalidArgument);
            }
            if operation == IoPortOperation::Read {
                let value = port_io::read(port as u16, width.bytes());
                invocation.set_result(VALUE_RESULT_MR, value);
            } else {
                let value = invocation.argument(VALUE_MR)?;
                port_io::write(port as u16, width.bytes(), value);
            }
        }
        IoPortOperation::Mint => {
            let (new_min, new_max) = (
                invocation.argument(MINT_MIN_MR)?,
                invocation.argument(MINT_MAX_MR)?,
            );
            if !is_sub_range(min, max, new_min, new_max) {
                return Err(CapabilityError::InvalidArgument);
            }
            let (_, node) = invocation.resolve(invocation.argument(DESTINATION_NODE_MR)?)?;
            if node.object_type != CapabilityType::Node {
                return Err(CapabilityError::InvalidDescriptor);
            }
            require_rights(&node, DESTINATION_NODE_RIGHTS)?;
            let destination = empty_slot_of(&node, invocation.argument(DESTINATION_INDEX_MR)?)?;
            let mut minted = capability;
            minted.data = [new_min, new_max, 0];
            capability_tree::insert_child(&mut PhysicalSlots, invocation.slot, destination, minted);
        }
    }
    Ok(())
}

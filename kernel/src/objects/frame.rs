//! FRAME operations: GET_ADDRESS.

use a9n_abi::error::CapabilityError;
use a9n_abi::operation::frame::{ADDRESS_RESULT_MR, FrameOperation};

use super::require_rights;
use crate::capability_call::Invocation;

/// Performs a FRAME operation.
pub fn invoke(invocation: &mut Invocation) -> Result<(), CapabilityError> {
    let operation =
        FrameOperation::from_word(invocation.operation).ok_or(CapabilityError::IllegalOperation)?;
    require_rights(&invocation.capability, operation.required_rights())?;
    match operation {
        FrameOperation::GetAddress => {
            let address = invocation.capability.object;
            invocation.set_result(ADDRESS_RESULT_MR, address);
        }
    }
    Ok(())
}

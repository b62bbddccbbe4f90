//! Capability calls (docs/abi.md section 2) in safe Rust: arguments from MR2 on,
//! results from MR2 on, failures as [`CapabilityError`].
//!
//! Arguments past MR9 are written to the IPC buffer and results past MR9 are read
//! from it ([`ipc_buffer`]). The typed handles of
//! [`capability`](crate::capability) are built on [`capability_call`]; use it
//! directly only for operations or encodings the handles do not offer (the kernel
//! test suite sends deliberately invalid words this way).
//!
//! ```no_run
//! use a9n_abi::operation::FrameOperation;
//! use a9n_abi::{Descriptor, RootSlot};
//! use nun::call::capability_call;
//!
//! // FRAME GET_ADDRESS on init's IPC buffer frame (root slot 6).
//! let results = capability_call(
//!     RootSlot::IpcBuffer.descriptor(),
//!     FrameOperation::GetAddress.as_word(),
//!     &[],
//! )?;
//! let physical_address = results.get(2);
//! # Ok::<(), a9n_abi::CapabilityError>(())
//! ```

use a9n_abi::kernel_call::{DESCRIPTOR_MR, FIRST_ARGUMENT_MR, OPERATION_MR};
use a9n_abi::message_register::REGISTER_MESSAGE_REGISTERS;
use a9n_abi::{CapabilityError, Descriptor, KernelCall};

use crate::ipc_buffer;
use crate::kernel_call::{self, RegisterMessages};

/// The message registers a capability call returned.
///
/// MR0..MR9 are kept as the kernel returned them; MR10 and above are read from the
/// IPC buffer when asked for, so read them before the next call.
///
/// ```no_run
/// use a9n_abi::operation::ProcessControlBlockOperation;
/// use a9n_abi::RootSlot;
/// use nun::call::capability_call;
///
/// // READ_REGISTER of all 20 registers: MR3..MR22, most of them in the IPC buffer.
/// let results = capability_call(
///     RootSlot::ProcessControlBlock.descriptor(),
///     ProcessControlBlockOperation::ReadRegister.as_word(),
///     &[20],
/// )?;
/// let rip = results.get(3 + 15);
/// let gs_base = results.get(3 + 19);
/// # Ok::<(), a9n_abi::CapabilityError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallResults {
    registers: RegisterMessages,
}

impl CallResults {
    /// MRn as returned (0 for an MR past MR493 or when no IPC buffer is known).
    #[must_use]
    pub fn get(&self, mr: usize) -> u64 {
        if mr < REGISTER_MESSAGE_REGISTERS {
            self.registers[mr]
        } else {
            ipc_buffer::message(mr).unwrap_or(0)
        }
    }

    /// MR0..MR9 as returned.
    #[must_use]
    pub const fn registers(&self) -> &RegisterMessages {
        &self.registers
    }
}

/// Why arguments could not be placed in the message registers.
const MISSING_IPC_BUFFER: CapabilityError = CapabilityError::InvalidArgument;

/// Invokes operation `operation` on the capability named by `descriptor`, with
/// `arguments[i]` in MR(2 + i), and returns every MR the kernel returned.
///
/// # Errors
/// The kernel's [`CapabilityError`]; [`CapabilityError::InvalidArgument`] without
/// calling the kernel if an argument would go past MR493 or needs the IPC buffer
/// and none is known.
pub fn capability_call(
    descriptor: Descriptor,
    operation: u64,
    arguments: &[u64],
) -> Result<CallResults, CapabilityError> {
    capability_call_word(descriptor.as_word(), operation, arguments)
}

/// As [`capability_call`], with MR0 given as a raw word (which need not be a valid
/// descriptor: the kernel must refuse such words with `INVALID_DESCRIPTOR`).
///
/// # Errors
/// As [`capability_call`].
pub fn capability_call_word(
    descriptor: u64,
    operation: u64,
    arguments: &[u64],
) -> Result<CallResults, CapabilityError> {
    let mut registers = RegisterMessages::default();
    registers[DESCRIPTOR_MR] = descriptor;
    registers[OPERATION_MR] = operation;
    for (offset, &argument) in arguments.iter().enumerate() {
        let mr = FIRST_ARGUMENT_MR + offset;
        if mr < REGISTER_MESSAGE_REGISTERS {
            registers[mr] = argument;
        } else if !ipc_buffer::set_message(mr, argument) {
            return Err(MISSING_IPC_BUFFER);
        }
    }
    kernel_call::raw_call(KernelCall::CapabilityCall.as_word(), &mut registers);
    kernel_call::status_of(&registers)?;
    Ok(CallResults { registers })
}

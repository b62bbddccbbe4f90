//! Kernel calls (docs/abi.md section 1): the number in `RAX` at `syscall`, and where
//! a capability call finds its descriptor, operation and arguments.
//!
//! A number that is not a [`KernelCall`] is not an error return: the kernel turns it
//! into a fault of type [`FaultType::InvalidKernelCall`](crate::fault::FaultType)
//! delivered to the thread's fault resolver, so that a personality can emulate a
//! foreign system-call ABI in user space.

use crate::register::Register;

word_enum! {
    /// The kernel call number, passed in `RAX` as a word (two's complement).
    pub enum KernelCall: i64 {
        /// Invoke an operation on the capability named by MR0.
        CapabilityCall = -1 => "CAPABILITY_CALL",
        /// Give up the rest of the time slice; requeue at the same priority.
        Yield = -2 => "YIELD",
        /// Write the low byte of MR1 to the kernel debug console (may be compiled out;
        /// then it fails with `DEBUG_UNIMPLEMENTED`).
        Debug = -3 => "DEBUG",
    }
}

/// The register that carries the kernel call number.
pub const CALL_NUMBER_REGISTER: Register = Register::Rax;

/// Registers that `syscall`/`sysret` destroy (return address and flags). Every other
/// register is preserved by a kernel call, except the message registers it returns.
pub const CLOBBERED_REGISTERS: [Register; 2] = [Register::Rcx, Register::R11];

/// CAPABILITY_CALL: MR holding the descriptor of the invoked capability.
pub const DESCRIPTOR_MR: usize = 0;
/// CAPABILITY_CALL: MR holding the operation number.
pub const OPERATION_MR: usize = 1;
/// CAPABILITY_CALL: MR of the first argument (further arguments follow in order).
pub const FIRST_ARGUMENT_MR: usize = 2;

/// CAPABILITY_CALL return: MR holding [`CALL_SUCCEEDED`] or [`CALL_FAILED`].
pub const STATUS_MR: usize = 0;
/// CAPABILITY_CALL return: MR holding the [`CapabilityError`](crate::error::CapabilityError)
/// when the call failed.
pub const ERROR_MR: usize = 1;
/// CAPABILITY_CALL return: MR of the first result (further results follow in order).
pub const FIRST_RESULT_MR: usize = 2;

/// Status word (in [`STATUS_MR`]) of a successful capability call.
pub const CALL_SUCCEEDED: u64 = 1;
/// Status word (in [`STATUS_MR`]) of a failed capability call.
pub const CALL_FAILED: u64 = 0;

/// DEBUG: MR whose low byte is written to the debug console.
pub const DEBUG_CHARACTER_MR: usize = 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_negative_words() {
        assert_eq!(KernelCall::CapabilityCall.as_word(), u64::MAX);
        assert_eq!(KernelCall::Yield.as_word(), u64::MAX - 1);
        assert_eq!(KernelCall::Debug.as_word(), u64::MAX - 2);
        assert_eq!(KernelCall::Debug as i64, -3);
    }

    #[test]
    fn every_call_round_trips() {
        for &call in KernelCall::ALL {
            assert_eq!(KernelCall::try_from(call.as_word()), Ok(call));
            assert_eq!(u64::from(call), call.as_word());
        }
        assert_eq!(KernelCall::ALL.len(), 3);
    }

    #[test]
    fn other_numbers_are_rejected() {
        for word in [
            0,
            1,
            2,
            3,
            u64::MAX - 3,
            u64::MAX - 4,
            1 << 63,
            i64::MAX as u64,
        ] {
            assert_eq!(KernelCall::try_from(word), Err(word));
        }
        // The low 32 bits alone do not make a call number.
        assert_eq!(KernelCall::try_from(0xffff_ffff), Err(0xffff_ffff));
    }

    #[test]
    fn names_follow_the_spec() {
        assert_eq!(KernelCall::CapabilityCall.name(), "CAPABILITY_CALL");
        assert_eq!(KernelCall::Yield.name(), "YIELD");
        assert_eq!(KernelCall::Debug.name(), "DEBUG");
    }

    #[test]
    fn status_and_argument_positions() {
        assert_ne!(CALL_SUCCEEDED, CALL_FAILED);
        assert_eq!((DESCRIPTOR_MR, OPERATION_MR, FIRST_ARGUMENT_MR), (0, 1, 2));
        assert_eq!((STATUS_MR, ERROR_MR, FIRST_RESULT_MR), (0, 1, 2));
        assert_eq!(CLOBBERED_REGISTERS, [Register::Rcx, Register::R11]);
    }
}

//! The lowest layer: the A9N kernel calls as the `syscall` instruction sees them.
//!
//! This is the only user-level place with inline `syscall` assembly. Registers
//! (docs/abi.md sections 1 and 2): `RAX` = call number, message registers MR0..MR9
//! in `RDI, RSI, RDX, R8, R9, R10, R12, R13, R14, R15`; `RCX` and `R11` are
//! clobbered by `syscall`/`sysret`; every other register is preserved by the kernel.
//! Every call here passes all ten register MRs in and takes all ten back, so the
//! compiler never assumes that the kernel left an MR unchanged.
//!
//! Everything above this module is safe Rust: [`call`](crate::call) builds
//! capability calls on [`raw_call`], and the typed handles of
//! [`capability`](crate::capability) build on `call`.
//!
//! ```no_run
//! use nun::kernel_call::{self, RegisterMessages};
//! use a9n_abi::KernelCall;
//!
//! // Give the processor away, then print one byte through DEBUG.
//! kernel_call::yield_now();
//! let mut registers = RegisterMessages::default();
//! registers[1] = u64::from(b'!');
//! kernel_call::raw_call(KernelCall::Debug.as_word(), &mut registers);
//! ```

use a9n_abi::kernel_call::{CALL_FAILED, CALL_SUCCEEDED, DEBUG_CHARACTER_MR, ERROR_MR, STATUS_MR};
use a9n_abi::message_register::REGISTER_MESSAGE_REGISTERS;
use a9n_abi::{CapabilityError, KernelCall};

/// The ten message registers that live in hardware registers, MR0..MR9, by MR number.
pub type RegisterMessages = [u64; REGISTER_MESSAGE_REGISTERS];

/// Enters the kernel with call number `call_number` in `RAX` and MR0..MR9 from
/// `registers`; on return `registers` holds MR0..MR9 as the kernel left them.
///
/// Any `call_number` is allowed: numbers that are not a
/// [`KernelCall`] become an `INVALID_KERNEL_CALL` fault for the thread's fault
/// resolver (without one the kernel suspends the thread). MRs from MR10 on live in
/// the IPC buffer ([`ipc_buffer`](crate::ipc_buffer)); this function does not
/// touch them.
pub fn raw_call(call_number: u64, registers: &mut RegisterMessages) {
    let [
        mut mr0,
        mut mr1,
        mut mr2,
        mut mr3,
        mut mr4,
        mut mr5,
        mut mr6,
        mut mr7,
        mut mr8,
        mut mr9,
    ] = *registers;
    // SAFETY: `syscall` enters the A9N kernel, which reads and writes only the
    // registers declared here (RAX and the ten MRs, all declared in and out),
    // destroys RCX and R11 (declared clobbered), and preserves every other register,
    // the stack and the flags' user-visible state the compiler relies on. The kernel
    // writes user memory only in this thread's IPC buffer, which Rust code reaches
    // only through volatile accesses (`ipc_buffer`), never through references.
    unsafe {
        core::arch::asm!(
            "syscall",
            inlateout("rax") call_number => _,
            inlateout("rdi") mr0,
            inlateout("rsi") mr1,
            inlateout("rdx") mr2,
            inlateout("r8") mr3,
            inlateout("r9") mr4,
            inlateout("r10") mr5,
            inlateout("r12") mr6,
            inlateout("r13") mr7,
            inlateout("r14") mr8,
            inlateout("r15") mr9,
            out("rcx") _,
            out("r11") _,
            options(nostack),
        );
    }
    *registers = [mr0, mr1, mr2, mr3, mr4, mr5, mr6, mr7, mr8, mr9];
}

/// YIELD: gives up the rest of the time slice; the thread is requeued at its
/// priority, so it runs again at once if no other thread of that priority is ready.
pub fn yield_now() {
    let mut registers = RegisterMessages::default();
    raw_call(KernelCall::Yield.as_word(), &mut registers);
}

/// DEBUG: writes one byte to the kernel debug console.
///
/// # Errors
/// [`CapabilityError::DebugUnimplemented`] when the kernel was built without the
/// debug console (it answers with the capability-call failure convention: MR0 =
/// `CALL_FAILED`, MR1 = the error).
pub fn debug_put_byte(byte: u8) -> Result<(), CapabilityError> {
    let mut registers = RegisterMessages::default();
    registers[DEBUG_CHARACTER_MR] = u64::from(byte);
    raw_call(KernelCall::Debug.as_word(), &mut registers);
    status_of(&registers)
}

/// Reads the status of a returned call: `Ok` when MR0 is `CALL_SUCCEEDED`, the error
/// in MR1 when MR0 is `CALL_FAILED`. A status word that is neither, or an error word
/// that is no [`CapabilityError`], is reported as [`CapabilityError::Fatal`]: the
/// kernel broke the ABI.
///
/// # Errors
/// The error the kernel returned.
pub fn status_of(registers: &RegisterMessages) -> Result<(), CapabilityError> {
    match registers[STATUS_MR] {
        CALL_SUCCEEDED => Ok(()),
        CALL_FAILED => {
            Err(CapabilityError::from_word(registers[ERROR_MR]).unwrap_or(CapabilityError::Fatal))
        }
        _ => Err(CapabilityError::Fatal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_words_decode_as_the_abi_says() {
        let mut registers = RegisterMessages::default();
        registers[STATUS_MR] = CALL_SUCCEEDED;
        assert_eq!(status_of(&registers), Ok(()));
        registers[STATUS_MR] = CALL_FAILED;
        for &error in CapabilityError::ALL {
            registers[ERROR_MR] = error.as_word();
            assert_eq!(status_of(&registers), Err(error));
        }
        registers[ERROR_MR] = 99;
        assert_eq!(status_of(&registers), Err(CapabilityError::Fatal));
        registers[STATUS_MR] = 7;
        assert_eq!(status_of(&registers), Err(CapabilityError::Fatal));
    }
}

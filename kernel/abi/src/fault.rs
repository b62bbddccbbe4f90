//! Faults (docs/abi.md section 6): how a thread's fault reaches its resolver.
//!
//! The kernel delivers a fault as a CALL to the thread's fault resolver IPC port:
//! MR2 a message_info with source FAULT (blocking, no transfers, length
//! [`FaultType::message_length`]), MR3 the identifier of the resolver capability,
//! MR4 the [`FaultType`], then:
//!
//! | type | MR5 | MR6 | MR7.. |
//! |---|---|---|---|
//! | MEMORY, MEMORY_INSTRUCTION_FETCH | instruction pointer | fault address (CR2) | page-fault error code |
//! | INVALID_INSTRUCTION, INVALID_ARITHMETIC, FATAL, ARCHITECTURE | instruction pointer | exception error code (0 if none) | exception vector |
//! | INVALID_KERNEL_CALL | instruction pointer | call number (RAX) | the 20 saved registers, MR7..MR26 |
//!
//! KOITO decisions: the spec's "MR7 vector/code" is the vector in MR7 and the error
//! code the CPU pushed in MR6; which exception becomes which type is
//! [`FaultType::from_exception`]. For INVALID_KERNEL_CALL the instruction pointer
//! (MR5 and the saved RIP) is the address just after the `syscall` instruction. The faulting thread resumes when the
//! resolver replies; without a resolver it is suspended.
//!
//! **Reply (KOITO decision).** A reply whose length is exactly
//! [`REGISTER_REPLY_LENGTH`] (23) writes the registers in MR7..MR26 back into the
//! thread (same positions as in the fault message; MR4..MR6 are ignored; values are
//! sanitised as for WRITE_REGISTER) before it resumes; a reply of any other length
//! resumes it with its registers unchanged (a memory fault then retries the access).

use crate::message_info::{MessageInfo, MessageSource};
use crate::register::REGISTER_COUNT;

/// MR of the [`FaultType`].
pub const FAULT_TYPE_MR: usize = 4;
/// MR of the instruction pointer at the fault.
pub const INSTRUCTION_POINTER_MR: usize = 5;
/// MEMORY, MEMORY_INSTRUCTION_FETCH: MR of the faulting address (CR2).
pub const FAULT_ADDRESS_MR: usize = 6;
/// MEMORY, MEMORY_INSTRUCTION_FETCH: MR of the page-fault error code.
pub const PAGE_FAULT_ERROR_CODE_MR: usize = 7;
/// Other exception faults: MR of the exception vector.
pub const VECTOR_MR: usize = 7;
/// Other exception faults: MR of the error code the CPU pushed (0 if none).
pub const EXCEPTION_ERROR_CODE_MR: usize = 6;
/// Payload words (from MR4) of every fault message but INVALID_KERNEL_CALL's.
pub const EXCEPTION_MESSAGE_LENGTH: usize = 4;
/// INVALID_KERNEL_CALL: MR of the call number.
pub const CALL_NUMBER_MR: usize = 6;
/// INVALID_KERNEL_CALL: MR of the first saved register
/// ([`Register`](crate::register::Register) order).
pub const FIRST_SAVED_REGISTER_MR: usize = 7;
/// Length (payload words from MR4) of a fault message with the 20 saved registers,
/// and of a reply that writes them back.
pub const REGISTER_REPLY_LENGTH: usize = FIRST_SAVED_REGISTER_MR + REGISTER_COUNT - 4;

word_enum! {
    /// Why a thread faulted (MR4 of a fault message).
    pub enum FaultType: u64 {
        /// A data access to an unmapped or protected address.
        Memory = 1 => "MEMORY",
        /// An instruction fetch from an unmapped or non-executable address.
        MemoryInstructionFetch = 2 => "MEMORY_INSTRUCTION_FETCH",
        /// An undefined or privileged instruction.
        InvalidInstruction = 3 => "INVALID_INSTRUCTION",
        /// A division error or a floating-point / SIMD exception.
        InvalidArithmetic = 4 => "INVALID_ARITHMETIC",
        /// A `syscall` with a number that is not a kernel call.
        InvalidKernelCall = 5 => "INVALID_KERNEL_CALL",
        /// A fault the thread cannot continue from (e.g. a machine check taken while
        /// it ran).
        Fatal = 6 => "FATAL",
        /// Any other architecture exception (general protection, alignment check...).
        Architecture = 7 => "ARCHITECTURE",
    }
}

impl FaultType {
    /// Payload words (from MR4) of the fault message: 4 (MR4..MR7), or 23
    /// (MR4..MR26) for INVALID_KERNEL_CALL.
    #[must_use]
    pub const fn message_length(self) -> usize {
        match self {
            Self::InvalidKernelCall => REGISTER_REPLY_LENGTH,
            _ => EXCEPTION_MESSAGE_LENGTH,
        }
    }

    /// The message_info the kernel puts in MR2 for this fault.
    #[must_use]
    pub const fn message_info(self) -> MessageInfo {
        match MessageInfo::new(true, self.message_length(), 0, MessageSource::Fault) {
            Ok(info) => info,
            // Both lengths are far below MAX_MESSAGE_LENGTH (checked below).
            Err(_) => unreachable!(),
        }
    }

    /// The fault type of x86_64 exception `vector` taken in user mode, given the
    /// error code it pushed (KOITO mapping): #PF (14) is MEMORY, or
    /// MEMORY_INSTRUCTION_FETCH when error-code bit 4 (instruction fetch) is set;
    /// #UD (6) INVALID_INSTRUCTION; #DE (0), #MF (16), #XM (19) INVALID_ARITHMETIC;
    /// #DF (8), #MC (18) FATAL; every other vector ARCHITECTURE.
    #[must_use]
    pub const fn from_exception(vector: u8, error_code: u64) -> Self {
        match vector {
            PAGE_FAULT_VECTOR if error_code & PAGE_FAULT_INSTRUCTION_FETCH != 0 => {
                Self::MemoryInstructionFetch
            }
            PAGE_FAULT_VECTOR => Self::Memory,
            6 => Self::InvalidInstruction,
            0 | 16 | 19 => Self::InvalidArithmetic,
            8 | 18 => Self::Fatal,
            _ => Self::Architecture,
        }
    }

    /// True for the two memory faults, which carry a fault address in MR6.
    #[must_use]
    pub const fn has_fault_address(self) -> bool {
        matches!(self, Self::Memory | Self::MemoryInstructionFetch)
    }
}

/// The x86_64 page-fault vector (#PF).
pub const PAGE_FAULT_VECTOR: u8 = 14;
/// Page-fault error-code bit: the access was an instruction fetch.
pub const PAGE_FAULT_INSTRUCTION_FETCH: u64 = 1 << 4;

const _: () = assert!(REGISTER_REPLY_LENGTH <= crate::message_info::MAX_MESSAGE_LENGTH);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips_with_its_spec_number() {
        let names = [
            "MEMORY",
            "MEMORY_INSTRUCTION_FETCH",
            "INVALID_INSTRUCTION",
            "INVALID_ARITHMETIC",
            "INVALID_KERNEL_CALL",
            "FATAL",
            "ARCHITECTURE",
        ];
        assert_eq!(FaultType::ALL.len(), names.len());
        for (i, &fault) in FaultType::ALL.iter().enumerate() {
            assert_eq!(fault.as_word(), i as u64 + 1);
            assert_eq!(fault.name(), names[i]);
            assert_eq!(FaultType::try_from(i as u64 + 1), Ok(fault));
        }
        for word in [0, 8, u64::MAX] {
            assert_eq!(FaultType::try_from(word), Err(word));
        }
    }

    #[test]
    fn message_positions_and_lengths() {
        assert_eq!(
            (
                FAULT_TYPE_MR,
                INSTRUCTION_POINTER_MR,
                FAULT_ADDRESS_MR,
                PAGE_FAULT_ERROR_CODE_MR
            ),
            (4, 5, 6, 7)
        );
        assert_eq!((EXCEPTION_ERROR_CODE_MR, VECTOR_MR), (6, 7));
        assert_eq!((CALL_NUMBER_MR, FIRST_SAVED_REGISTER_MR), (6, 7));
        assert_eq!(REGISTER_REPLY_LENGTH, 23);
        // The last saved register, GS_BASE, is MR26.
        assert_eq!(FIRST_SAVED_REGISTER_MR + REGISTER_COUNT - 1, 26);
        assert_eq!(FaultType::Memory.message_length(), 4);
        assert_eq!(FaultType::InvalidKernelCall.message_length(), 23);
    }

    #[test]
    fn exceptions_map_to_fault_types() {
        assert_eq!(FaultType::from_exception(14, 0b0110), FaultType::Memory);
        assert_eq!(
            FaultType::from_exception(14, 0b1_0101),
            FaultType::MemoryInstructionFetch
        );
        assert_eq!(
            FaultType::from_exception(6, 0),
            FaultType::InvalidInstruction
        );
        for vector in [0, 16, 19] {
            assert_eq!(
                FaultType::from_exception(vector, 0),
                FaultType::InvalidArithmetic
            );
        }
        for vector in [8, 18] {
            assert_eq!(FaultType::from_exception(vector, 0), FaultType::Fatal);
        }
        for vector in [1, 3, 4, 5, 7, 13, 17, 20, 255] {
            assert_eq!(
                FaultType::from_exception(vector, 0),
                FaultType::Architecture
            );
        }
        // No exception is ever reported as an invalid kernel call.
        for vector in 0..=255 {
            assert_ne!(
                FaultType::from_exception(vector, u64::MAX),
                FaultType::InvalidKernelCall
            );
        }
    }

    #[test]
    fn fault_message_info_is_a_blocking_fault_message() {
        for &fault in FaultType::ALL {
            let info = fault.message_info();
            assert_eq!(info.source(), MessageSource::Fault);
            assert!(info.block());
            assert_eq!(info.transfer_count(), 0);
            assert_eq!(info.length(), fault.message_length());
            assert_eq!(fault.has_fault_address(), fault.as_word() <= 2, "{fault:?}");
        }
    }
}

//! Virtual message registers (docs/abi.md section 2): where each MR lives.
//!
//! | MR0 | MR1 | MR2 | MR3 | MR4 | MR5 | MR6 | MR7 | MR8 | MR9 | MR10..MR493 |
//! |---|---|---|---|---|---|---|---|---|---|---|
//! | RDI | RSI | RDX | R8 | R9 | R10 | R12 | R13 | R14 | R15 | `ipc_buffer.messages[i]` |
//!
//! **KOITO decision:** `IpcBuffer::messages` is indexed by MR *number*: MRi for
//! i >= 10 is `messages[i]`, not `messages[i - 10]`. `messages[0..10]` are never read
//! or written by the kernel; the user-level call stub may use them to spill MR0..MR9.
//! Hence there are [`MESSAGE_REGISTER_COUNT`] = 494 message registers, MR0..MR493.

use crate::ipc_buffer::MESSAGE_WORDS;
use crate::register::Register;

/// Number of message registers held in hardware registers (MR0..MR9).
pub const REGISTER_MESSAGE_REGISTERS: usize = 10;

/// Number of message registers in all (MR0..MR493): the length of
/// `IpcBuffer::messages`, because it is indexed by MR number.
pub const MESSAGE_REGISTER_COUNT: usize = MESSAGE_WORDS;

/// The hardware register of MR0..MR9, by MR number.
pub const MESSAGE_REGISTER_MAP: [Register; REGISTER_MESSAGE_REGISTERS] = [
    Register::Rdi,
    Register::Rsi,
    Register::Rdx,
    Register::R8,
    Register::R9,
    Register::R10,
    Register::R12,
    Register::R13,
    Register::R14,
    Register::R15,
];

/// Where a message register lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageRegisterLocation {
    /// In this hardware register (MR0..MR9).
    Register(Register),
    /// In `IpcBuffer::messages[index]` (MR10..MR493; `index` is the MR number).
    IpcBuffer(usize),
}

/// The location of message register `mr`, or `None` past MR493.
#[must_use]
pub const fn location(mr: usize) -> Option<MessageRegisterLocation> {
    if mr < REGISTER_MESSAGE_REGISTERS {
        Some(MessageRegisterLocation::Register(MESSAGE_REGISTER_MAP[mr]))
    } else if mr < MESSAGE_REGISTER_COUNT {
        Some(MessageRegisterLocation::IpcBuffer(mr))
    } else {
        None
    }
}

/// The message register held in hardware register `register`, if any.
#[must_use]
pub const fn message_register_of(register: Register) -> Option<usize> {
    let mut mr = 0;
    while mr < REGISTER_MESSAGE_REGISTERS {
        if MESSAGE_REGISTER_MAP[mr] as u8 == register as u8 {
            return Some(mr);
        }
        mr += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel_call::CLOBBERED_REGISTERS;

    #[test]
    fn map_is_the_spec_table() {
        let expected = [
            "RDI", "RSI", "RDX", "R8", "R9", "R10", "R12", "R13", "R14", "R15",
        ];
        for (mr, name) in expected.iter().enumerate() {
            assert_eq!(MESSAGE_REGISTER_MAP[mr].name(), *name);
            assert_eq!(message_register_of(MESSAGE_REGISTER_MAP[mr]), Some(mr));
        }
    }

    #[test]
    fn registers_are_distinct_and_never_clobbered_or_the_call_number() {
        for (i, a) in MESSAGE_REGISTER_MAP.iter().enumerate() {
            for b in &MESSAGE_REGISTER_MAP[i + 1..] {
                assert_ne!(a, b);
            }
            assert!(!CLOBBERED_REGISTERS.contains(a));
            assert_ne!(*a, Register::Rax);
        }
        assert_eq!(message_register_of(Register::Rax), None);
        assert_eq!(message_register_of(Register::Rcx), None);
        assert_eq!(message_register_of(Register::R11), None);
    }

    #[test]
    fn locations_cover_mr0_to_mr493() {
        assert_eq!(
            location(0),
            Some(MessageRegisterLocation::Register(Register::Rdi))
        );
        assert_eq!(
            location(9),
            Some(MessageRegisterLocation::Register(Register::R15))
        );
        assert_eq!(location(10), Some(MessageRegisterLocation::IpcBuffer(10)));
        assert_eq!(location(493), Some(MessageRegisterLocation::IpcBuffer(493)));
        assert_eq!(location(494), None);
        assert_eq!(MESSAGE_REGISTER_COUNT, 494);
    }
}

//! x86_64 user registers in ABI order: the order of PCB READ_REGISTER/WRITE_REGISTER
//! (docs/abi.md section 5) and of the saved registers in an INVALID_KERNEL_CALL fault
//! (section 6).
//!
//! The order is `RAX RBX RCX RDX RDI RSI RBP R8..R15 RIP RFLAGS RSP FS_BASE GS_BASE`:
//! [`REGISTER_COUNT`] = 20 registers, numbered from 0.

word_enum! {
    /// A user register; the discriminant is its index in ABI order.
    pub enum Register: u8 {
        /// `RAX` (index 0).
        Rax = 0 => "RAX",
        /// `RBX` (index 1).
        Rbx = 1 => "RBX",
        /// `RCX` (index 2).
        Rcx = 2 => "RCX",
        /// `RDX` (index 3).
        Rdx = 3 => "RDX",
        /// `RDI` (index 4).
        Rdi = 4 => "RDI",
        /// `RSI` (index 5).
        Rsi = 5 => "RSI",
        /// `RBP` (index 6).
        Rbp = 6 => "RBP",
        /// `R8` (index 7).
        R8 = 7 => "R8",
        /// `R9` (index 8).
        R9 = 8 => "R9",
        /// `R10` (index 9).
        R10 = 9 => "R10",
        /// `R11` (index 10).
        R11 = 10 => "R11",
        /// `R12` (index 11).
        R12 = 11 => "R12",
        /// `R13` (index 12).
        R13 = 12 => "R13",
        /// `R14` (index 13).
        R14 = 13 => "R14",
        /// `R15` (index 14).
        R15 = 14 => "R15",
        /// `RIP`, the instruction pointer (index 15).
        Rip = 15 => "RIP",
        /// `RFLAGS` (index 16). Writes are sanitised by the kernel (user-settable
        /// flags only; interrupts stay enabled).
        Rflags = 16 => "RFLAGS",
        /// `RSP`, the stack pointer (index 17).
        Rsp = 17 => "RSP",
        /// The `FS` base (index 18); free for user thread-local storage.
        FsBase = 18 => "FS_BASE",
        /// The `GS` base (index 19); the thread-local base of PCB CONFIGURE, whose
        /// first word holds the IPC buffer address (docs/abi.md section 3).
        GsBase = 19 => "GS_BASE",
    }
}

/// Number of registers in ABI order (the maximum count of READ_REGISTER and
/// WRITE_REGISTER).
pub const REGISTER_COUNT: usize = 20;

impl Register {
    /// The position of this register in ABI order.
    #[must_use]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The register at `index` in ABI order, if there is one.
    #[must_use]
    pub const fn from_index(index: usize) -> Option<Self> {
        Self::from_word(index as u64)
    }
}

const _: () = assert!(Register::ALL.len() == REGISTER_COUNT);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_the_spec_order() {
        let names: [&str; REGISTER_COUNT] = [
            "RAX", "RBX", "RCX", "RDX", "RDI", "RSI", "RBP", "R8", "R9", "R10", "R11", "R12",
            "R13", "R14", "R15", "RIP", "RFLAGS", "RSP", "FS_BASE", "GS_BASE",
        ];
        for (index, name) in names.iter().enumerate() {
            let register = Register::from_index(index).unwrap();
            assert_eq!(register.index(), index);
            assert_eq!(register.name(), *name);
            assert_eq!(Register::ALL[index], register);
        }
    }

    #[test]
    fn every_register_round_trips_and_others_are_rejected() {
        for &register in Register::ALL {
            assert_eq!(Register::try_from(register.as_word()), Ok(register));
        }
        for word in [20, 21, 255, 256, u64::MAX] {
            assert_eq!(Register::try_from(word), Err(word));
        }
        assert_eq!(Register::from_index(REGISTER_COUNT), None);
    }
}

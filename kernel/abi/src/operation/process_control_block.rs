//! PROCESS_CONTROL_BLOCK operations (docs/abi.md section 5): configuring, inspecting
//! and running a thread.
//!
//! CONFIGURE takes a bitmask in MR2 and then one MR per field, field bit i in MR(3+i)
//! whether or not the bit is set: address space MR3 ... CPU affinity MR12. MR10..MR12
//! live in the IPC buffer. The whole request is validated before any field is applied.
//! READ_REGISTER and WRITE_REGISTER move the first `count` registers of the
//! [`Register`](crate::register::Register) order through MR3 onwards.

use crate::rights::Rights;

word_enum! {
    /// An operation on a thread.
    pub enum ProcessControlBlockOperation: u64 {
        /// Set the fields named by the bitmask in MR2.
        Configure = 1 => "CONFIGURE",
        /// Read the first MR2 registers into MR3 onwards.
        ReadRegister = 2 => "READ_REGISTER",
        /// Write the first MR2 registers from MR3 onwards.
        WriteRegister = 3 => "WRITE_REGISTER",
        /// Make the thread runnable (idempotent).
        Resume = 4 => "RESUME",
        /// Stop the thread (idempotent).
        Suspend = 5 => "SUSPEND",
    }
}

impl ProcessControlBlockOperation {
    /// Rights needed on the PCB. KOITO: READ to read registers, WRITE otherwise.
    #[must_use]
    pub const fn required_rights(self) -> Rights {
        match self {
            Self::ReadRegister => Rights::READ,
            Self::Configure | Self::WriteRegister | Self::Resume | Self::Suspend => Rights::WRITE,
        }
    }
}

/// CONFIGURE: MR of the [`ConfigureFields`] bitmask.
pub const CONFIGURE_MASK_MR: usize = 2;
/// CONFIGURE: MR of field bit 0; field bit i is in MR(`FIRST_FIELD_MR` + i).
pub const FIRST_FIELD_MR: usize = 3;
/// READ_REGISTER, WRITE_REGISTER: MR of the register count (at most
/// [`REGISTER_COUNT`](crate::register::REGISTER_COUNT)).
pub const REGISTER_COUNT_MR: usize = 2;
/// READ_REGISTER, WRITE_REGISTER: MR of the first register value.
pub const FIRST_REGISTER_MR: usize = 3;

word_enum! {
    /// One CONFIGURE field; the discriminant is its bit number in the bitmask.
    pub enum ConfigureField: u8 {
        /// Address space descriptor (MR3).
        AddressSpace = 0 => "ADDRESS_SPACE",
        /// Root node descriptor (MR4).
        RootNode = 1 => "ROOT_NODE",
        /// IPC buffer frame descriptor (MR5; a 4 KiB frame).
        IpcBuffer = 2 => "IPC_BUFFER",
        /// Bound notification port descriptor (MR6).
        NotificationPort = 3 => "NOTIFICATION_PORT",
        /// Fault resolver IPC port descriptor (MR7).
        FaultResolver = 4 => "FAULT_RESOLVER",
        /// Instruction pointer (MR8).
        InstructionPointer = 5 => "INSTRUCTION_POINTER",
        /// Stack pointer (MR9).
        StackPointer = 6 => "STACK_POINTER",
        /// Thread-local base, the `GS` base (MR10).
        ThreadLocalBase = 7 => "THREAD_LOCAL_BASE",
        /// Priority, below [`PRIORITY_COUNT`](crate::scheduling::PRIORITY_COUNT) (MR11).
        Priority = 8 => "PRIORITY",
        /// CPU affinity: the index of the CPU to run on (MR12).
        CpuAffinity = 9 => "CPU_AFFINITY",
    }
}

impl ConfigureField {
    /// The field's bit number in the bitmask.
    #[must_use]
    pub const fn bit(self) -> u32 {
        self as u32
    }

    /// The field as a one-flag [`ConfigureFields`].
    #[must_use]
    pub const fn flag(self) -> ConfigureFields {
        ConfigureFields::from_bits_truncate(1 << self.bit())
    }

    /// The MR that carries the field.
    #[must_use]
    pub const fn message_register(self) -> usize {
        FIRST_FIELD_MR + self as usize
    }
}

word_flags! {
    /// The CONFIGURE bitmask (MR2): which fields to set.
    pub struct ConfigureFields {
        /// Bit 0: address space (MR3).
        const ADDRESS_SPACE = 1 << 0 => "ADDRESS_SPACE";
        /// Bit 1: root node (MR4).
        const ROOT_NODE = 1 << 1 => "ROOT_NODE";
        /// Bit 2: IPC buffer frame (MR5).
        const IPC_BUFFER = 1 << 2 => "IPC_BUFFER";
        /// Bit 3: bound notification port (MR6).
        const NOTIFICATION_PORT = 1 << 3 => "NOTIFICATION_PORT";
        /// Bit 4: fault resolver IPC port (MR7).
        const FAULT_RESOLVER = 1 << 4 => "FAULT_RESOLVER";
        /// Bit 5: instruction pointer (MR8).
        const INSTRUCTION_POINTER = 1 << 5 => "INSTRUCTION_POINTER";
        /// Bit 6: stack pointer (MR9).
        const STACK_POINTER = 1 << 6 => "STACK_POINTER";
        /// Bit 7: thread-local base (MR10).
        const THREAD_LOCAL_BASE = 1 << 7 => "THREAD_LOCAL_BASE";
        /// Bit 8: priority (MR11).
        const PRIORITY = 1 << 8 => "PRIORITY";
        /// Bit 9: CPU affinity (MR12).
        const CPU_AFFINITY = 1 << 9 => "CPU_AFFINITY";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_round_trip() {
        let names = [
            "CONFIGURE",
            "READ_REGISTER",
            "WRITE_REGISTER",
            "RESUME",
            "SUSPEND",
        ];
        assert_eq!(ProcessControlBlockOperation::ALL.len(), names.len());
        for (i, &operation) in ProcessControlBlockOperation::ALL.iter().enumerate() {
            assert_eq!(operation.as_word(), i as u64 + 1);
            assert_eq!(operation.name(), names[i]);
            assert_eq!(
                ProcessControlBlockOperation::try_from(i as u64 + 1),
                Ok(operation)
            );
        }
        for word in [0, 6, u64::MAX] {
            assert_eq!(ProcessControlBlockOperation::try_from(word), Err(word));
        }
        assert_eq!(
            ProcessControlBlockOperation::ReadRegister.required_rights(),
            Rights::READ
        );
    }

    #[test]
    fn fields_have_their_spec_bit_and_mr() {
        let expected = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        assert_eq!(ConfigureField::ALL.len(), 10);
        for (bit, &field) in ConfigureField::ALL.iter().enumerate() {
            assert_eq!(field.bit(), bit as u32);
            assert_eq!(field.message_register(), expected[bit]);
            assert_eq!(field.flag().bits(), 1 << bit);
            assert_eq!(ConfigureFields::FLAGS[bit].0, field.flag());
            assert_eq!(ConfigureFields::FLAGS[bit].1, field.name());
            assert_eq!(ConfigureField::try_from(bit as u64), Ok(field));
        }
        for word in [10, 11, u64::MAX] {
            assert_eq!(ConfigureField::try_from(word), Err(word));
        }
    }

    #[test]
    fn mask_rejects_unknown_bits() {
        assert_eq!(ConfigureFields::ALL.bits(), 0x3ff);
        assert_eq!(
            ConfigureFields::from_bits(0x3ff),
            Some(ConfigureFields::ALL)
        );
        assert_eq!(ConfigureFields::from_bits(0x400), None);
        assert_eq!(ConfigureFields::try_from(1 << 63), Err(1 << 63));
        let mask = ConfigureFields::PRIORITY | ConfigureFields::INSTRUCTION_POINTER;
        assert!(mask.contains(ConfigureField::Priority.flag()));
        assert!(!mask.contains(ConfigureField::StackPointer.flag()));
    }
}

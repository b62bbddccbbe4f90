//! Capability types (docs/abi.md section 4): the type word stored in a slot and
//! passed to Generic CONVERT.

word_enum! {
    /// The type of the object a capability names.
    pub enum CapabilityType: u64 {
        /// An empty slot.
        None = 0 => "NONE",
        /// The debug capability (reserved; no operations).
        Debug = 1 => "DEBUG",
        /// A capability node: 2^radix slots.
        Node = 2 => "NODE",
        /// Untyped memory that every other kernel object is converted from.
        Generic = 3 => "GENERIC",
        /// An address space (x86_64: a PML4).
        AddressSpace = 4 => "ADDRESS_SPACE",
        /// A page table of some depth (PDPT 3, PD 2, PT 1); no operations.
        PageTable = 5 => "PAGE_TABLE",
        /// A frame of 2^12, 2^21 or 2^30 bytes.
        Frame = 6 => "FRAME",
        /// A thread (process control block).
        ProcessControlBlock = 7 => "PROCESS_CONTROL_BLOCK",
        /// A synchronous IPC rendezvous point.
        IpcPort = 8 => "IPC_PORT",
        /// A word of pending notification bits.
        NotificationPort = 9 => "NOTIFICATION_PORT",
        /// Authority to make interrupt ports (root slot 8).
        InterruptRegion = 10 => "INTERRUPT_REGION",
        /// One IRQ line.
        InterruptPort = 11 => "INTERRUPT_PORT",
        /// A range of x86 I/O ports.
        IoPort = 12 => "IO_PORT",
        /// A virtual CPU (reserved: not implemented, CONVERT rejects it).
        VirtualCpu = 13 => "VIRTUAL_CPU",
    }
}

impl CapabilityType {
    /// True for the types Generic CONVERT may create: everything but NONE, DEBUG,
    /// INTERRUPT_REGION, INTERRUPT_PORT, IO_PORT (made by the kernel or by their own
    /// operations) and the reserved VIRTUAL_CPU.
    #[must_use]
    pub const fn is_convertible(self) -> bool {
        matches!(
            self,
            Self::Node
                | Self::Generic
                | Self::AddressSpace
                | Self::PageTable
                | Self::Frame
                | Self::ProcessControlBlock
                | Self::IpcPort
                | Self::NotificationPort
        )
    }

    /// True for the types a *device* Generic may convert to (FRAME and GENERIC).
    #[must_use]
    pub const fn is_device_convertible(self) -> bool {
        matches!(self, Self::Frame | Self::Generic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips_with_its_spec_number() {
        assert_eq!(CapabilityType::ALL.len(), 14);
        for (number, &capability_type) in CapabilityType::ALL.iter().enumerate() {
            assert_eq!(capability_type.as_word(), number as u64);
            assert_eq!(CapabilityType::try_from(number as u64), Ok(capability_type));
        }
        assert_eq!(CapabilityType::VirtualCpu.as_word(), 13);
        assert_eq!(
            CapabilityType::ProcessControlBlock.name(),
            "PROCESS_CONTROL_BLOCK"
        );
    }

    #[test]
    fn out_of_range_types_are_rejected() {
        for word in [14, 15, 64, u64::MAX] {
            assert_eq!(CapabilityType::try_from(word), Err(word));
        }
    }

    #[test]
    fn device_generics_convert_only_to_frame_and_generic() {
        let device: usize = CapabilityType::ALL
            .iter()
            .filter(|t| t.is_device_convertible())
            .count();
        assert_eq!(device, 2);
        for t in CapabilityType::ALL {
            assert!(!t.is_device_convertible() || t.is_convertible());
        }
        assert!(!CapabilityType::VirtualCpu.is_convertible());
        assert!(!CapabilityType::None.is_convertible());
    }
}

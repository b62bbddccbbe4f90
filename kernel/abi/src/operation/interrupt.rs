//! INTERRUPT_REGION and INTERRUPT_PORT operations (docs/abi.md section 5).
//!
//! The interrupt region (init's root slot 8) makes one interrupt port per IRQ. When
//! an IRQ fires the kernel masks it and notifies the bound notification port (OR-ing
//! that notification capability's identifier into its pending word); ACK unmasks it.

use crate::rights::Rights;

word_enum! {
    /// An operation on the interrupt region.
    pub enum InterruptRegionOperation: u64 {
        /// Make the interrupt port of IRQ MR2 in slot MR4 of the node named by MR3.
        MakePort = 1 => "MAKE_PORT",
    }
}

/// MAKE_PORT: MR of the IRQ number.
pub const IRQ_MR: usize = 2;
/// MAKE_PORT: MR of the destination node's descriptor.
pub const DESTINATION_NODE_MR: usize = 3;
/// MAKE_PORT: MR of the destination slot index.
pub const DESTINATION_INDEX_MR: usize = 4;

impl InterruptRegionOperation {
    /// Rights needed on the region. KOITO: WRITE.
    #[must_use]
    pub const fn required_rights(self) -> Rights {
        match self {
            Self::MakePort => Rights::WRITE,
        }
    }
}

word_enum! {
    /// An operation on an interrupt port.
    pub enum InterruptPortOperation: u64 {
        /// Deliver this IRQ to the notification port named by MR2.
        BindNotificationPort = 1 => "BIND_NOTIFICATION_PORT",
        /// Stop delivering this IRQ.
        Unbind = 2 => "UNBIND",
        /// Unmask the IRQ after handling it.
        Ack = 3 => "ACK",
        /// The IRQ number, in MR2.
        GetIrqNumber = 4 => "GET_IRQ_NUMBER",
    }
}

/// BIND_NOTIFICATION_PORT: MR of the notification port's descriptor (KOITO).
pub const NOTIFICATION_PORT_MR: usize = 2;
/// GET_IRQ_NUMBER: MR of the IRQ number returned.
pub const IRQ_RESULT_MR: usize = 2;

impl InterruptPortOperation {
    /// Rights needed on the port. KOITO: READ for GET_IRQ_NUMBER, WRITE otherwise.
    #[must_use]
    pub const fn required_rights(self) -> Rights {
        match self {
            Self::GetIrqNumber => Rights::READ,
            Self::BindNotificationPort | Self::Unbind | Self::Ack => Rights::WRITE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_operations_round_trip() {
        assert_eq!(
            InterruptRegionOperation::try_from(1),
            Ok(InterruptRegionOperation::MakePort)
        );
        for word in [0, 2, u64::MAX] {
            assert_eq!(InterruptRegionOperation::try_from(word), Err(word));
        }
        assert_eq!(
            (IRQ_MR, DESTINATION_NODE_MR, DESTINATION_INDEX_MR),
            (2, 3, 4)
        );
    }

    #[test]
    fn port_operations_round_trip() {
        let names = ["BIND_NOTIFICATION_PORT", "UNBIND", "ACK", "GET_IRQ_NUMBER"];
        assert_eq!(InterruptPortOperation::ALL.len(), names.len());
        for (i, &operation) in InterruptPortOperation::ALL.iter().enumerate() {
            assert_eq!(operation.as_word(), i as u64 + 1);
            assert_eq!(operation.name(), names[i]);
            assert_eq!(
                InterruptPortOperation::try_from(i as u64 + 1),
                Ok(operation)
            );
        }
        for word in [0, 5, u64::MAX] {
            assert_eq!(InterruptPortOperation::try_from(word), Err(word));
        }
        assert_eq!(
            InterruptPortOperation::GetIrqNumber.required_rights(),
            Rights::READ
        );
    }
}

//! Operation numbers (docs/abi.md section 5): one module per object type, each with
//! its operation enum, the MRs of its arguments and results, and the rights every
//! operation needs. [`Operation::decode`] is the kernel's dispatch on (type, MR1).
//!
//! Where the spec names the rights, `required_rights` follows it; elsewhere it
//! follows the KOITO rule: READ to observe, WRITE to change, COPY to derive a new
//! capability, MODIFY to change an identifier. Any destination node named in the
//! arguments (CONVERT, MAKE_PORT, IO_PORT MINT) needs [`DESTINATION_NODE_RIGHTS`].

pub mod address_space;
pub mod frame;
pub mod generic;
pub mod interrupt;
pub mod io_port;
pub mod ipc_port;
pub mod node;
pub mod notification_port;
pub mod process_control_block;

use crate::capability_type::CapabilityType;
use crate::error::CapabilityError;
use crate::rights::Rights;

pub use address_space::AddressSpaceOperation;
pub use frame::FrameOperation;
pub use generic::GenericOperation;
pub use interrupt::{InterruptPortOperation, InterruptRegionOperation};
pub use io_port::IoPortOperation;
pub use ipc_port::IpcPortOperation;
pub use node::NodeOperation;
pub use notification_port::NotificationPortOperation;
pub use process_control_block::ProcessControlBlockOperation;

/// Rights needed on a destination node passed as an argument (KOITO).
pub const DESTINATION_NODE_RIGHTS: Rights = Rights::WRITE;

/// An operation, decoded against the type of the invoked capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// On a NODE.
    Node(NodeOperation),
    /// On a GENERIC.
    Generic(GenericOperation),
    /// On an ADDRESS_SPACE.
    AddressSpace(AddressSpaceOperation),
    /// On a FRAME.
    Frame(FrameOperation),
    /// On a PROCESS_CONTROL_BLOCK.
    ProcessControlBlock(ProcessControlBlockOperation),
    /// On an IPC_PORT.
    IpcPort(IpcPortOperation),
    /// On a NOTIFICATION_PORT.
    NotificationPort(NotificationPortOperation),
    /// On an INTERRUPT_REGION.
    InterruptRegion(InterruptRegionOperation),
    /// On an INTERRUPT_PORT.
    InterruptPort(InterruptPortOperation),
    /// On an IO_PORT.
    IoPort(IoPortOperation),
}

impl Operation {
    /// Decodes operation number `word` (MR1) for a capability of type
    /// `capability_type`.
    ///
    /// # Errors
    /// [`CapabilityError::IllegalOperation`] if the type has no operation of that
    /// number (NONE, DEBUG, PAGE_TABLE and VIRTUAL_CPU have none at all).
    pub const fn decode(
        capability_type: CapabilityType,
        word: u64,
    ) -> Result<Self, CapabilityError> {
        let operation = match capability_type {
            CapabilityType::Node => match NodeOperation::from_word(word) {
                Some(operation) => Some(Self::Node(operation)),
                None => None,
            },
            CapabilityType::Generic => match GenericOperation::from_word(word) {
                Some(operation) => Some(Self::Generic(operation)),
                None => None,
            },
            CapabilityType::AddressSpace => match AddressSpaceOperation::from_word(word) {
                Some(operation) => Some(Self::AddressSpace(operation)),
                None => None,
            },
            CapabilityType::Frame => match FrameOperation::from_word(word) {
                Some(operation) => Some(Self::Frame(operation)),
                None => None,
            },
            CapabilityType::ProcessControlBlock => {
                match ProcessControlBlockOperation::from_word(word) {
                    Some(operation) => Some(Self::ProcessControlBlock(operation)),
                    None => None,
                }
            }
            CapabilityType::IpcPort => match IpcPortOperation::from_word(word) {
                Some(operation) => Some(Self::IpcPort(operation)),
                None => None,
            },
            CapabilityType::NotificationPort => match NotificationPortOperation::from_word(word) {
                Some(operation) => Some(Self::NotificationPort(operation)),
                None => None,
            },
            CapabilityType::InterruptRegion => match InterruptRegionOperation::from_word(word) {
                Some(operation) => Some(Self::InterruptRegion(operation)),
                None => None,
            },
            CapabilityType::InterruptPort => match InterruptPortOperation::from_word(word) {
                Some(operation) => Some(Self::InterruptPort(operation)),
                None => None,
            },
            CapabilityType::IoPort => match IoPortOperation::from_word(word) {
                Some(operation) => Some(Self::IoPort(operation)),
                None => None,
            },
            CapabilityType::None
            | CapabilityType::Debug
            | CapabilityType::PageTable
            | CapabilityType::VirtualCpu => None,
        };
        match operation {
            Some(operation) => Ok(operation),
            None => Err(CapabilityError::IllegalOperation),
        }
    }

    /// The type of capability this operation is invoked on.
    #[must_use]
    pub const fn capability_type(self) -> CapabilityType {
        match self {
            Self::Node(_) => CapabilityType::Node,
            Self::Generic(_) => CapabilityType::Generic,
            Self::AddressSpace(_) => CapabilityType::AddressSpace,
            Self::Frame(_) => CapabilityType::Frame,
            Self::ProcessControlBlock(_) => CapabilityType::ProcessControlBlock,
            Self::IpcPort(_) => CapabilityType::IpcPort,
            Self::NotificationPort(_) => CapabilityType::NotificationPort,
            Self::InterruptRegion(_) => CapabilityType::InterruptRegion,
            Self::InterruptPort(_) => CapabilityType::InterruptPort,
            Self::IoPort(_) => CapabilityType::IoPort,
        }
    }

    /// The operation number (MR1).
    #[must_use]
    pub const fn as_word(self) -> u64 {
        match self {
            Self::Node(operation) => operation.as_word(),
            Self::Generic(operation) => operation.as_word(),
            Self::AddressSpace(operation) => operation.as_word(),
            Self::Frame(operation) => operation.as_word(),
            Self::ProcessControlBlock(operation) => operation.as_word(),
            Self::IpcPort(operation) => operation.as_word(),
            Self::NotificationPort(operation) => operation.as_word(),
            Self::InterruptRegion(operation) => operation.as_word(),
            Self::InterruptPort(operation) => operation.as_word(),
            Self::IoPort(operation) => operation.as_word(),
        }
    }

    /// Rights needed on the invoked capability.
    #[must_use]
    pub const fn required_rights(self) -> Rights {
        match self {
            Self::Node(operation) => operation.required_rights(),
            Self::Generic(operation) => operation.required_rights(),
            Self::AddressSpace(operation) => operation.required_rights(),
            Self::Frame(operation) => operation.required_rights(),
            Self::ProcessControlBlock(operation) => operation.required_rights(),
            Self::IpcPort(operation) => operation.required_rights(),
            Self::NotificationPort(operation) => operation.required_rights(),
            Self::InterruptRegion(operation) => operation.required_rights(),
            Self::InterruptPort(operation) => operation.required_rights(),
            Self::IoPort(operation) => operation.required_rights(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_round_trips_every_operation_of_every_type() {
        let mut decoded = 0;
        for &capability_type in CapabilityType::ALL {
            for word in 0..16 {
                if let Ok(operation) = Operation::decode(capability_type, word) {
                    assert_eq!(operation.capability_type(), capability_type);
                    assert_eq!(operation.as_word(), word);
                    decoded += 1;
                }
            }
        }
        // 6 node + 1 generic + 4 address space + 1 frame + 5 PCB + 6 IPC port
        // + 4 notification + 1 interrupt region + 4 interrupt port + 3 IO port.
        assert_eq!(decoded, 35);
    }

    #[test]
    fn types_without_operations_and_unknown_numbers_are_illegal() {
        for capability_type in [
            CapabilityType::None,
            CapabilityType::Debug,
            CapabilityType::PageTable,
            CapabilityType::VirtualCpu,
        ] {
            for word in [0, 1, 2, u64::MAX] {
                assert_eq!(
                    Operation::decode(capability_type, word),
                    Err(CapabilityError::IllegalOperation)
                );
            }
        }
        assert_eq!(
            Operation::decode(CapabilityType::Node, 0),
            Err(CapabilityError::IllegalOperation)
        );
        assert_eq!(
            Operation::decode(CapabilityType::Generic, 1),
            Err(CapabilityError::IllegalOperation)
        );
        assert_eq!(
            Operation::decode(CapabilityType::IpcPort, u64::MAX),
            Err(CapabilityError::IllegalOperation)
        );
    }

    #[test]
    fn every_operation_but_reply_needs_some_right() {
        for &capability_type in CapabilityType::ALL {
            for word in 0..16 {
                if let Ok(operation) = Operation::decode(capability_type, word) {
                    let needs_nothing = operation == Operation::IpcPort(IpcPortOperation::Reply);
                    assert_eq!(operation.required_rights().is_empty(), needs_nothing);
                }
            }
        }
    }
}

//! Address-space lifetime: CREATE, DESTROY, CLONE (copy-on-write) and
//! REGISTER_FAULT_HANDLER.
//!
//! | request | words | capabilities sent |
//! |---|---|---|
//! | CREATE_ADDRESS_SPACE | `[3]` | - |
//! | DESTROY_ADDRESS_SPACE | `[4, space]` | - |
//! | CLONE_ADDRESS_SPACE | `[11, space]` | - |
//! | REGISTER_FAULT_HANDLER | `[14, space]` | 0 or 1: the handler's IPC port |
//!
//! CREATE and CLONE reply with a [`SpaceReply`](crate::reply::SpaceReply) and transfer
//! two capabilities: the address space (for PCB CONFIGURE) and the fault-resolver IPC
//! port the threads of that space must be configured with (mm-server's port,
//! identified with the new space's id). REGISTER_FAULT_HANDLER with one capability
//! sets the port that receives [`ForwardedFault`](crate::fault::ForwardedFault)s of
//! the space; with none it removes it.

use crate::codec::{arguments, space};
use crate::identifier::SpaceId;
use crate::operation::Operation;
use crate::status::RequestError;

/// Capabilities the reply to CREATE_ADDRESS_SPACE or CLONE_ADDRESS_SPACE transfers.
pub const SPACE_REPLY_TRANSFERS: usize = 2;

/// CREATE_ADDRESS_SPACE: a new, empty address space charged to the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreateAddressSpace;

impl CreateAddressSpace {
    #[allow(clippy::unused_self, reason = "same shape as every other message")]
    fn to_words(self) -> [u64; 1] {
        [Operation::CreateAddressSpace.as_word()]
    }

    /// Decodes a request.
    ///
    /// # Errors
    /// The common errors of every request.
    pub fn decode(words: &[u64]) -> Result<Self, RequestError> {
        let [] = arguments(words, Operation::CreateAddressSpace)?;
        Ok(Self)
    }
}
message_encoding!(CreateAddressSpace, 1);

macro_rules! space_request {
    ($(#[$meta:meta])* $name:ident, $operation:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name {
            /// The address space.
            pub space: SpaceId,
        }

        impl $name {
            fn to_words(self) -> [u64; 2] {
                [Operation::$operation.as_word(), self.space.get()]
            }

            /// Decodes and validates a request.
            ///
            /// # Errors
            /// [`RequestError::ZeroIdentifier`] for space 0; the common errors.
            pub fn decode(words: &[u64]) -> Result<Self, RequestError> {
                let [word] = arguments(words, Operation::$operation)?;
                Ok(Self { space: space(word)? })
            }
        }
        message_encoding!($name, 2);
    };
}

space_request! {
    /// DESTROY_ADDRESS_SPACE: unmap everything, return every frame and page table,
    /// destroy the address space object.
    DestroyAddressSpace, DestroyAddressSpace
}

space_request! {
    /// CLONE_ADDRESS_SPACE: a new address space with the same regions; anonymous
    /// memory is shared copy-on-write, shared buffers and device regions are shared.
    CloneAddressSpace, CloneAddressSpace
}

space_request! {
    /// REGISTER_FAULT_HANDLER: the transferred IPC port (if any) receives the faults
    /// of this space that mm-server cannot resolve.
    RegisterFaultHandler, RegisterFaultHandler
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_takes_no_argument() {
        assert_eq!(
            CreateAddressSpace::decode(&[Operation::CreateAddressSpace.as_word()]),
            Ok(CreateAddressSpace)
        );
        assert_eq!(
            CreateAddressSpace::decode(&[Operation::CreateAddressSpace.as_word(), 0]),
            Err(RequestError::WrongLength {
                expected: 1,
                found: 2
            })
        );
    }

    #[test]
    fn space_zero_is_rejected() {
        assert_eq!(
            DestroyAddressSpace::decode(&[Operation::DestroyAddressSpace.as_word(), 0]),
            Err(RequestError::ZeroIdentifier)
        );
        assert_eq!(
            CloneAddressSpace::decode(&[Operation::DestroyAddressSpace.as_word(), 1]),
            Err(RequestError::WrongOperation)
        );
        let request = RegisterFaultHandler {
            space: SpaceId::new(3).unwrap(),
        };
        let mut words = [0; 2];
        assert_eq!(request.encode(&mut words), 2);
        assert_eq!(RegisterFaultHandler::decode(&words), Ok(request));
    }
}

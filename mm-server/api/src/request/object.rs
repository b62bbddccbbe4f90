//! ALLOCATE_OBJECT and FREE_OBJECT: kernel objects for clients.
//!
//! | request | words |
//! |---|---|
//! | ALLOCATE_OBJECT | `[1, type, specific, count]` |
//! | FREE_OBJECT | `[2, handle]` |
//!
//! ALLOCATE_OBJECT's reply ([`ObjectsReply`](crate::reply::ObjectsReply)) carries
//! handles `first..first + count` and transfers the `count` capabilities in the same
//! order. FREE_OBJECT revokes mm-server's capability to the object, which deletes
//! every capability the client made from the one it was given.

use a9n_abi::CapabilityType;
use a9n_abi::message_info::MAX_TRANSFER_COUNT;
use a9n_abi::object::object_size_bits;

use crate::codec::arguments;
use crate::identifier::ObjectHandle;
use crate::operation::Operation;
use crate::status::RequestError;

/// Most objects one ALLOCATE_OBJECT makes: one reply transfers at most this many
/// capabilities.
pub const MAX_OBJECTS_PER_REQUEST: usize = MAX_TRANSFER_COUNT;

/// True for the types a client may ask for: every convertible type but GENERIC
/// (mm-server is the only owner of Generic memory).
#[must_use]
pub const fn is_allocatable(object_type: CapabilityType) -> bool {
    object_type.is_convertible() && !matches!(object_type, CapabilityType::Generic)
}

/// True for types whose CONVERT ignores the specific bits (they must then be 0 in a
/// request, so that every request has one encoding).
#[must_use]
pub const fn ignores_specific(object_type: CapabilityType) -> bool {
    matches!(
        object_type,
        CapabilityType::AddressSpace
            | CapabilityType::ProcessControlBlock
            | CapabilityType::IpcPort
            | CapabilityType::NotificationPort
    )
}

/// ALLOCATE_OBJECT: make `count` objects of one type for the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AllocateObject {
    /// The kernel object type ([`is_allocatable`]).
    pub object_type: CapabilityType,
    /// CONVERT's specific bits: node radix, frame size bits, page-table depth; 0 for
    /// the types that ignore them.
    pub specific: u64,
    /// How many objects, `1..=MAX_OBJECTS_PER_REQUEST`.
    pub count: usize,
}

impl AllocateObject {
    fn to_words(self) -> [u64; 4] {
        [
            Operation::AllocateObject.as_word(),
            self.object_type.as_word(),
            self.specific,
            self.count as u64,
        ]
    }

    /// Decodes and validates a request.
    ///
    /// # Errors
    /// [`RequestError::InvalidObjectType`] for a type that is not allocatable, bad
    /// specific bits, or non-zero specific bits for a type that ignores them;
    /// [`RequestError::InvalidCount`]; the common errors of every request.
    pub fn decode(words: &[u64]) -> Result<Self, RequestError> {
        let [object_type, specific, count] = arguments(words, Operation::AllocateObject)?;
        let object_type =
            CapabilityType::from_word(object_type).ok_or(RequestError::InvalidObjectType)?;
        if !is_allocatable(object_type)
            || object_size_bits(object_type, specific).is_none()
            || (ignores_specific(object_type) && specific != 0)
        {
            return Err(RequestError::InvalidObjectType);
        }
        if count == 0 || count > MAX_OBJECTS_PER_REQUEST as u64 {
            return Err(RequestError::InvalidCount);
        }
        Ok(Self {
            object_type,
            specific,
            count: count as usize,
        })
    }
}
message_encoding!(AllocateObject, 4);

/// FREE_OBJECT: destroy one object made by ALLOCATE_OBJECT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FreeObject {
    /// The handle ALLOCATE_OBJECT returned.
    pub handle: ObjectHandle,
}

impl FreeObject {
    fn to_words(self) -> [u64; 2] {
        [Operation::FreeObject.as_word(), self.handle.get()]
    }

    /// Decodes and validates a request.
    ///
    /// # Errors
    /// [`RequestError::ZeroIdentifier`] for handle 0; the common errors.
    pub fn decode(words: &[u64]) -> Result<Self, RequestError> {
        let [handle] = arguments(words, Operation::FreeObject)?;
        let handle = ObjectHandle::new(handle).ok_or(RequestError::ZeroIdentifier)?;
        Ok(Self { handle })
    }
}
message_encoding!(FreeObject, 2);

#[cfg(test)]
mod tests {
    use super::*;

    fn allocate(object_type: CapabilityType, specific: u64, count: u64) -> [u64; 4] {
        [
            Operation::AllocateObject.as_word(),
            object_type.as_word(),
            specific,
            count,
        ]
    }

    #[test]
    fn allocate_validates_type_specific_bits_and_count() {
        let ok = AllocateObject::decode(&allocate(CapabilityType::Node, 8, 2));
        assert_eq!(
            ok,
            Ok(AllocateObject {
                object_type: CapabilityType::Node,
                specific: 8,
                count: 2
            })
        );
        for (object_type, specific) in [
            (CapabilityType::Generic, 12),
            (CapabilityType::Node, 0),
            (CapabilityType::Node, 21),
            (CapabilityType::Frame, 13),
            (CapabilityType::PageTable, 4),
            (CapabilityType::IpcPort, 1),
            (CapabilityType::InterruptPort, 0),
            (CapabilityType::None, 0),
        ] {
            assert_eq!(
                AllocateObject::decode(&allocate(object_type, specific, 1)),
                Err(RequestError::InvalidObjectType),
                "{object_type:?} {specific}"
            );
        }
        let mut words = allocate(CapabilityType::IpcPort, 0, 1);
        words[1] = 99;
        assert_eq!(
            AllocateObject::decode(&words),
            Err(RequestError::InvalidObjectType)
        );
        for count in [0, 16, u64::MAX] {
            assert_eq!(
                AllocateObject::decode(&allocate(CapabilityType::Frame, 21, count)),
                Err(RequestError::InvalidCount)
            );
        }
        assert!(AllocateObject::decode(&allocate(CapabilityType::Frame, 30, 15)).is_ok());
    }

    #[test]
    fn free_rejects_handle_zero() {
        assert_eq!(
            FreeObject::decode(&[Operation::FreeObject.as_word(), 0]),
            Err(RequestError::ZeroIdentifier)
        );
        let request = FreeObject {
            handle: ObjectHandle::new(5).unwrap_or_else(|| unreachable!()),
        };
        let mut words = [0; 2];
        assert_eq!(request.encode(&mut words), 2);
        assert_eq!(FreeObject::decode(&words), Ok(request));
    }
}

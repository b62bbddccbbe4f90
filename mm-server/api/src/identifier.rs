//! Identifiers in requests: address spaces, objects, shared buffers, clients.

use core::num::NonZeroU64;

macro_rules! nonzero_identifier {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(NonZeroU64);

        impl $name {
            /// The identifier with this word; `None` for 0, which names nothing.
            #[must_use]
            pub const fn new(word: u64) -> Option<Self> {
                match NonZeroU64::new(word) {
                    Some(value) => Some(Self(value)),
                    None => None,
                }
            }

            /// The identifier as a message word (never 0).
            #[must_use]
            pub const fn get(self) -> u64 {
                self.0.get()
            }
        }
    };
}

nonzero_identifier! {
    /// An address space managed by mm-server, as chosen by mm-server (never 0).
    SpaceId
}

nonzero_identifier! {
    /// An object made by ALLOCATE_OBJECT, as chosen by mm-server (never 0).
    ObjectHandle
}

nonzero_identifier! {
    /// A shared buffer made by MAP_SHARED_BUFFER, as chosen by mm-server (never 0).
    BufferId
}

/// A client of mm-server: the identifier of the IPC capability it calls through.
/// In requests, [`ClientId::CALLER`] (0) means the calling client itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ClientId(pub u64);

impl ClientId {
    /// "The client that sends this request".
    pub const CALLER: Self = Self(0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_names_nothing() {
        assert_eq!(SpaceId::new(0), None);
        assert_eq!(SpaceId::new(7).map(SpaceId::get), Some(7));
        assert_eq!(
            ObjectHandle::new(u64::MAX).map(ObjectHandle::get),
            Some(u64::MAX)
        );
        assert_eq!(BufferId::new(0), None);
        assert_eq!(ClientId::CALLER, ClientId(0));
    }
}

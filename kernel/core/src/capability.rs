//! A capability as the kernel stores it: type, rights, the object it names and three
//! words of per-capability data, packed into the first four words of a slot.

use a9n_abi::capability_type::CapabilityType;
use a9n_abi::rights::Rights;

/// Largest object word a capability can name (52 bits: a physical address or a
/// small number such as an IRQ).
pub const OBJECT_LIMIT: u64 = 1 << 52;

/// Type code of an empty slot.
const EMPTY_CODE: u64 = 0;
/// Type code of a slot of a dead container that links the kernel's cleanup list
/// (never visible to user space; see `capability_tree`).
pub(crate) const CLEANUP_LINK_CODE: u64 = 15;

/// A capability: what a slot holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capability {
    /// Its type (never `None` for a capability in a slot).
    pub object_type: CapabilityType,
    /// What the holder may do with it.
    pub rights: Rights,
    /// The object: a physical address, or a number for objects that are not memory.
    pub object: u64,
    /// Per-capability data; its meaning depends on the type.
    pub data: [u64; 3],
}

impl Capability {
    /// A capability with zeroed data.
    #[must_use]
    pub const fn new(object_type: CapabilityType, rights: Rights, object: u64) -> Self {
        Self {
            object_type,
            rights,
            object,
            data: [0; 3],
        }
    }

    /// Whether `other` names the same object as `self`: same type and object word,
    /// and for Generics the same size (a child Generic carved at offset 0 shares its
    /// parent's address).
    #[must_use]
    pub fn same_object(&self, other: &Self) -> bool {
        self.object_type == other.object_type
            && self.object == other.object
            && (self.object_type != CapabilityType::Generic || self.data[0] == other.data[0])
    }
}

/// What one slot's first word says it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotContent {
    /// Nothing.
    Empty,
    /// A capability (with its data).
    Capability(Capability),
    /// A link of the cleanup list of dead containers (kernel-internal).
    CleanupLink(u64),
}

/// Packs the first word of a slot.
#[must_use]
pub(crate) fn encode_header(object_type: u64, rights: Rights, object: u64) -> u64 {
    (object << 12) | (rights.bits() << 4) | object_type
}

/// Decodes the four capability words of a slot.
#[must_use]
pub fn decode(words: [u64; 4]) -> SlotContent {
    let code = words[0] & 0xf;
    let object = words[0] >> 12;
    match code {
        EMPTY_CODE => SlotContent::Empty,
        CLEANUP_LINK_CODE => SlotContent::CleanupLink(words[1]),
        code => match CapabilityType::from_word(code) {
            Some(object_type) => SlotContent::Capability(Capability {
                object_type,
                rights: Rights::from_bits_truncate((words[0] >> 4) & 0xf),
                object,
                data: [words[1], words[2], words[3]],
            }),
            None => SlotContent::Empty,
        },
    }
}

/// Encodes a slot content into four words.
#[must_use]
pub fn encode(content: &SlotContent) -> [u64; 4] {
    match content {
        SlotContent::Empty => [0; 4],
        SlotContent::CleanupLink(next) => [CLEANUP_LINK_CODE, *next, 0, 0],
        SlotContent::Capability(capability) => [
            encode_header(
                capability.object_type.as_word(),
                capability.rights,
                capability.object & (OBJECT_LIMIT - 1),
            ),
            capability.data[0],
            capability.data[1],
            capability.data[2],
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips() {
        for &object_type in CapabilityType::ALL {
            if object_type == CapabilityType::None {
                continue;
            }
            let capability = Capability {
                object_type,
                rights: Rights::READ | Rights::MODIFY,
                object: 0x000f_ffff_ffff_f040,
                data: [1, 2, u64::MAX],
            };
            let content = SlotContent::Capability(capability);
            assert_eq!(decode(encode(&content)), content);
        }
        assert_eq!(decode(encode(&SlotContent::Empty)), SlotContent::Empty);
        let link = SlotContent::CleanupLink(0x1234_5000);
        assert_eq!(decode(encode(&link)), link);
    }

    #[test]
    fn generics_of_different_sizes_at_one_address_differ() {
        let mut parent = Capability::new(CapabilityType::Generic, Rights::READ, 0x10_0000);
        parent.data[0] = 20;
        let mut child = parent;
        child.data[0] = 12;
        assert!(!parent.same_object(&child));
        assert!(parent.same_object(&parent));
    }
}

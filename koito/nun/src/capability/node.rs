//! NODE: a capability node of 2^radix slots, and the derivation-tree operations.

use a9n_abi::operation::NodeOperation;
use a9n_abi::{CapabilityError, Descriptor, Rights};

use crate::call::capability_call;

/// A capability node: the invoked node is the destination of COPY, MOVE and MINT
/// and the target of DEMOTE, REVOKE and REMOVE; source descriptors resolve from the
/// caller's root node.
///
/// The handle also remembers the node's radix, so that it can name its own slots
/// ([`Node::slot`]).
///
/// ```no_run
/// use a9n_abi::{Descriptor, RootSlot, Rights};
/// use nun::capability::Node;
///
/// // Init's root node is radix 8 and names itself in slot 3.
/// let root = Node::new(RootSlot::RootNode.descriptor(), 8);
/// // Copy the IO port capability (slot 9) into slot 40, then a read-only child.
/// root.copy(40, RootSlot::IoPort.descriptor())?;
/// root.mint(41, RootSlot::IoPort.descriptor(), Rights::READ)?;
/// root.revoke(40)?; // slot 40's descendants (none) go; 41 is a child of slot 9
/// root.remove(41)?;
/// root.remove(40)?;
/// # Ok::<(), a9n_abi::CapabilityError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Node {
    descriptor: Descriptor,
    radix: u32,
}

impl Node {
    /// The handle of the node named by `descriptor`, whose radix is `radix`.
    #[must_use]
    pub const fn new(descriptor: Descriptor, radix: u32) -> Self {
        Self { descriptor, radix }
    }

    /// The descriptor of the node itself.
    #[must_use]
    pub const fn descriptor(self) -> Descriptor {
        self.descriptor
    }

    /// The node's radix.
    #[must_use]
    pub const fn radix(self) -> u32 {
        self.radix
    }

    /// The number of slots, 2^radix.
    #[must_use]
    pub const fn slot_count(self) -> u64 {
        1 << self.radix
    }

    /// The descriptor of slot `index` of this node (`None` past the node's size or
    /// past a depth of 64).
    #[must_use]
    pub const fn slot(self, index: u64) -> Option<Descriptor> {
        match self.descriptor.child(self.radix, index) {
            Ok(descriptor) => Some(descriptor),
            Err(_) => None,
        }
    }

    fn invoke(self, operation: NodeOperation, arguments: &[u64]) -> Result<(), CapabilityError> {
        capability_call(self.descriptor, operation.as_word(), arguments).map(|_| ())
    }

    /// COPY: puts a copy of `source` (a sibling, same rights) in slot `index`.
    /// Needs READ|WRITE on the node and COPY on the source.
    ///
    /// # Errors
    /// The kernel's error, e.g. `INVALID_ARGUMENT` for an occupied slot.
    pub fn copy(self, index: u64, source: Descriptor) -> Result<(), CapabilityError> {
        self.invoke(NodeOperation::Copy, &[index, source.as_word()])
    }

    /// MOVE: moves the capability in `source` into slot `index`, keeping its place in
    /// the derivation tree. Needs WRITE on the node.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn move_capability(self, index: u64, source: Descriptor) -> Result<(), CapabilityError> {
        self.invoke(NodeOperation::Move, &[index, source.as_word()])
    }

    /// MINT: puts a child of `source` with `rights` (a subset of its rights) in
    /// slot `index`. Needs READ|WRITE on the node and COPY on the source.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn mint(
        self,
        index: u64,
        source: Descriptor,
        rights: Rights,
    ) -> Result<(), CapabilityError> {
        self.invoke(
            NodeOperation::Mint,
            &[index, source.as_word(), rights.bits()],
        )
    }

    /// DEMOTE: reduces the rights of slot `index` to `rights` (a subset). Needs WRITE
    /// on the node.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn demote(self, index: u64, rights: Rights) -> Result<(), CapabilityError> {
        // MR3 (the source descriptor of COPY/MOVE/MINT) is unused by DEMOTE.
        self.invoke(NodeOperation::Demote, &[index, 0, rights.bits()])
    }

    /// REVOKE: deletes every capability derived from slot `index`, deepest first,
    /// finalising objects whose last capability goes. Needs WRITE on the node.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn revoke(self, index: u64) -> Result<(), CapabilityError> {
        self.invoke(NodeOperation::Revoke, &[index])
    }

    /// REMOVE: deletes the capability in slot `index` (its children take its place
    /// in the tree), finalising the object if it was the last. Needs WRITE.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn remove(self, index: u64) -> Result<(), CapabilityError> {
        self.invoke(NodeOperation::Remove, &[index])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_extend_the_node_descriptor() {
        let root = Node::new(Descriptor::ROOT_NODE, 8);
        assert_eq!(root.slot_count(), 256);
        assert_eq!(
            root.slot(7).map(Descriptor::as_word),
            Some(0x0807_0000_0000_0000)
        );
        let generics = Node::new(root.slot(7).unwrap(), 8);
        assert_eq!(
            generics.slot(3).map(Descriptor::as_word),
            Some(0x1007_0300_0000_0000)
        );
        assert_eq!(generics.slot(256), None);
    }
}

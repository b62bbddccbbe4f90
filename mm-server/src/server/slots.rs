//! mm-server's capability slots: a directory node (radix 8, in root slot
//! [`DIRECTORY_SLOT`]) of leaf nodes (radix 12, 4096 slots each), made as needed and
//! given back when empty; plus the slots it was given (the Generic node) and its own
//! root node. A slot is named by a [`SlotRef`]; the library's
//! [`SlotBitmap`] says which tree slots are in use.

use alloc::vec::Vec;

use a9n_abi::{CapabilityError, Descriptor};
use mm_server::slot_bitmap::SlotBitmap;
use nun::capability::Node;
use nun::server_start::{FIRST_FREE_SLOT, SERVER_ROOT_RADIX};

/// Root slot of the directory node.
pub const DIRECTORY_SLOT: u64 = FIRST_FREE_SLOT;
/// Radix of the directory node (256 leaves at most).
pub const DIRECTORY_RADIX: u32 = 8;
/// Radix of a leaf node.
pub const LEAF_RADIX: u32 = 12;
/// Slots of one leaf.
pub const LEAF_SLOTS: u32 = 1 << LEAF_RADIX;

/// A slot holding one of mm-server's capabilities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SlotRef {
    /// Slot `leaf * 4096 + index` of the tree.
    Tree(u32),
    /// Slot `n` of the Generic node init gave.
    Generic(u32),
    /// Slot `n` of mm-server's root node.
    Root(u32),
}

/// The slots and which of them are in use.
pub struct SlotTree {
    directory: Node,
    generic_node: Node,
    bitmap: SlotBitmap,
}

impl SlotTree {
    /// The tree (without leaves yet) and the Generic node.
    pub fn new(generic_node: Node) -> Self {
        Self {
            directory: Node::new(
                root().slot(DIRECTORY_SLOT).unwrap_or(Descriptor::ROOT_NODE),
                DIRECTORY_RADIX,
            ),
            generic_node,
            bitmap: SlotBitmap::new(LEAF_RADIX, 1 << DIRECTORY_RADIX),
        }
    }

    /// The directory node.
    pub const fn directory(&self) -> Node {
        self.directory
    }

    /// The node holding `slot` and its index there.
    pub fn location(&self, slot: SlotRef) -> (Node, u64) {
        match slot {
            SlotRef::Tree(index) => {
                let (leaf, position) = self.bitmap.split(index);
                let leaf = self
                    .directory
                    .slot(u64::from(leaf))
                    .unwrap_or(Descriptor::ROOT_NODE);
                (Node::new(leaf, LEAF_RADIX), u64::from(position))
            }
            SlotRef::Generic(index) => (self.generic_node, u64::from(index)),
            SlotRef::Root(index) => (root(), u64::from(index)),
        }
    }

    /// The descriptor of `slot` (resolved from mm-server's root).
    pub fn descriptor(&self, slot: SlotRef) -> Descriptor {
        let (node, index) = self.location(slot);
        node.slot(index).unwrap_or(Descriptor::ROOT_NODE)
    }

    /// REVOKE of `slot`: every capability derived from it goes.
    pub fn revoke(&self, slot: SlotRef) -> Result<(), CapabilityError> {
        let (node, index) = self.location(slot);
        node.revoke(index)
    }

    /// REMOVE of `slot`.
    pub fn remove(&self, slot: SlotRef) -> Result<(), CapabilityError> {
        let (node, index) = self.location(slot);
        node.remove(index)
    }

    /// Takes a new leaf (its node was just made in directory slot `leaf`) into use.
    pub fn add_leaf(&mut self, leaf: u32) {
        self.bitmap.add_leaf(leaf);
    }

    /// The lowest directory slot without a leaf.
    pub fn missing_leaf(&self) -> Option<u32> {
        self.bitmap.missing_leaf()
    }

    /// Leaves other than leaf 0 with no slot in use.
    pub fn empty_leaves(&self) -> Vec<u32> {
        self.bitmap.empty_leaves()
    }

    /// Forgets an empty leaf (its node is about to be destroyed).
    pub fn drop_leaf(&mut self, leaf: u32) {
        self.bitmap.drop_leaf(leaf);
    }

    /// Free tree slots.
    pub const fn free_count(&self) -> u32 {
        self.bitmap.free_count()
    }

    /// `count` (1..=64) consecutive free slots of one leaf; the first.
    pub fn allocate_run(&mut self, count: u32) -> Option<SlotRef> {
        self.bitmap.allocate_run(count).map(SlotRef::Tree)
    }

    /// Gives a tree slot back (its capability is gone); other slots are ignored.
    pub fn free(&mut self, slot: SlotRef) {
        if let SlotRef::Tree(index) = slot {
            self.bitmap.free(index);
        }
    }
}

/// mm-server's root node.
pub fn root() -> Node {
    Node::new(Descriptor::ROOT_NODE, SERVER_ROOT_RADIX)
}

//! mm-server's capability slots: a directory node (radix 8, in root slot
//! [`DIRECTORY_SLOT`]) of leaf nodes (radix 12, 4096 slots each), made as needed and
//! given back when empty; plus the slots it was given (the Generic node) and its own
//! root node. A slot is named by a [`SlotRef`]; a bitmap per leaf says which tree
//! slots are in use.

use alloc::vec::Vec;

use a9n_abi::{CapabilityError, Descriptor};
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
const LEAF_WORDS: usize = (LEAF_SLOTS / 64) as usize;

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

#[derive(Clone, Debug)]
struct Leaf {
    used: [u64; LEAF_WORDS],
    free: u32,
}

/// The slots and which of them are in use.
pub struct SlotTree {
    directory: Node,
    generic_node: Node,
    leaves: Vec<Option<Leaf>>,
    free_total: u32,
}

impl SlotTree {
    /// The tree (without leaves yet) and the Generic node of radix `generic_radix`.
    pub fn new(generic_node: Node) -> Self {
        Self {
            directory: Node::new(
                root().slot(DIRECTORY_SLOT).unwrap_or(Descriptor::ROOT_NODE),
                DIRECTORY_RADIX,
            ),
            generic_node,
            leaves: Vec::new(),
            free_total: 0,
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
                let leaf = self
                    .directory
                    .slot(u64::from(index >> LEAF_RADIX))
                    .unwrap_or(Descriptor::ROOT_NODE);
                (
                    Node::new(leaf, LEAF_RADIX),
                    u64::from(index & (LEAF_SLOTS - 1)),
                )
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
        let position = leaf as usize;
        if self.leaves.len() <= position {
            self.leaves.resize(position + 1, None);
        }
        if let Some(entry) = self.leaves.get_mut(position)
            && entry.is_none()
        {
            *entry = Some(Leaf {
                used: [0; LEAF_WORDS],
                free: LEAF_SLOTS,
            });
            self.free_total += LEAF_SLOTS;
        }
    }

    /// The lowest directory slot without a leaf.
    pub fn missing_leaf(&self) -> Option<u32> {
        let position = self
            .leaves
            .iter()
            .position(Option::is_none)
            .unwrap_or(self.leaves.len());
        (position < 1 << DIRECTORY_RADIX).then_some(position as u32)
    }

    /// Leaves other than leaf 0 with no slot in use.
    pub fn empty_leaves(&self) -> Vec<u32> {
        self.leaves
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, leaf)| leaf.as_ref().is_some_and(|leaf| leaf.free == LEAF_SLOTS))
            .map(|(index, _)| index as u32)
            .collect()
    }

    /// Forgets an empty leaf (its node is about to be destroyed).
    pub fn drop_leaf(&mut self, leaf: u32) {
        if let Some(entry) = self.leaves.get_mut(leaf as usize)
            && entry.as_ref().is_some_and(|leaf| leaf.free == LEAF_SLOTS)
        {
            *entry = None;
            self.free_total -= LEAF_SLOTS;
        }
        while self.leaves.last().is_some_and(Option::is_none) {
            self.leaves.pop();
        }
    }

    /// Free tree slots.
    pub const fn free_count(&self) -> u32 {
        self.free_total
    }

    /// `count` (1..=64) consecutive free slots of one leaf; the first.
    pub fn allocate_run(&mut self, count: u32) -> Option<SlotRef> {
        if count == 0 || count > 64 {
            return None;
        }
        for (leaf_index, leaf) in self.leaves.iter_mut().enumerate() {
            let Some(leaf) = leaf.as_mut() else {
                continue;
            };
            if leaf.free < count {
                continue;
            }
            if let Some(first) = find_run(&leaf.used, count) {
                for bit in first..first + count {
                    set_bit(&mut leaf.used, bit, true);
                }
                leaf.free -= count;
                self.free_total -= count;
                return Some(SlotRef::Tree((leaf_index as u32) << LEAF_RADIX | first));
            }
        }
        None
    }

    /// Gives a tree slot back (its capability is gone); other slots are ignored.
    pub fn free(&mut self, slot: SlotRef) {
        let SlotRef::Tree(index) = slot else {
            return;
        };
        let bit = index & (LEAF_SLOTS - 1);
        if let Some(Some(leaf)) = self.leaves.get_mut((index >> LEAF_RADIX) as usize)
            && get_bit(&leaf.used, bit)
        {
            set_bit(&mut leaf.used, bit, false);
            leaf.free += 1;
            self.free_total += 1;
        }
    }
}

/// mm-server's root node.
pub fn root() -> Node {
    Node::new(Descriptor::ROOT_NODE, SERVER_ROOT_RADIX)
}

fn get_bit(words: &[u64; LEAF_WORDS], bit: u32) -> bool {
    words
        .get((bit / 64) as usize)
        .is_some_and(|word| word & (1 << (bit % 64)) != 0)
}

fn set_bit(words: &mut [u64; LEAF_WORDS], bit: u32, value: bool) {
    if let Some(word) = words.get_mut((bit / 64) as usize) {
        if value {
            *word |= 1 << (bit % 64);
        } else {
            *word &= !(1 << (bit % 64));
        }
    }
}

/// The first of `count` consecutive clear bits.
fn find_run(words: &[u64; LEAF_WORDS], count: u32) -> Option<u32> {
    let mut run_start = 0;
    let mut run_length = 0;
    for (word_index, &word) in words.iter().enumerate() {
        if word == u64::MAX {
            run_length = 0;
            continue;
        }
        if word == 0 && run_length == 0 && count <= 64 {
            return Some(word_index as u32 * 64);
        }
        for bit in 0..64 {
            let position = word_index as u32 * 64 + bit;
            if word & (1 << bit) == 0 {
                if run_length == 0 {
                    run_start = position;
                }
                run_length += 1;
                if run_length == count {
                    return Some(run_start);
                }
            } else {
                run_length = 0;
            }
        }
    }
    None
}

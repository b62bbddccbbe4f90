//! A slot allocator for a node the caller owns: a bitmap of the slots in use.
//!
//! Nun never asks the kernel which slots are empty; the allocator only knows what it
//! handed out. Give it a range of slots that nothing else uses, take slots with
//! [`SlotAllocator::allocate`] (or runs of consecutive slots for a multi-object
//! CONVERT with [`SlotAllocator::allocate_consecutive`]) and give them back with
//! [`SlotAllocator::free`] once their capability is removed.
//!
//! ```
//! use a9n_abi::Descriptor;
//! use nun::capability::Node;
//! use nun::slot_allocator::SlotAllocator;
//!
//! // Slots 16..256 of a radix-8 root node; 4 words of bitmap cover 256 slots.
//! let root = Node::new(Descriptor::ROOT_NODE, 8);
//! let mut slots = SlotAllocator::<4>::new(root, 16, 240).unwrap();
//! let slot = slots.allocate().unwrap();
//! assert_eq!(slot.index, 16);
//! assert_eq!(slot.descriptor, root.slot(16).unwrap());
//! let run = slots.allocate_consecutive(3).unwrap();
//! assert_eq!(run, 17);
//! assert!(slots.free(16));
//! assert_eq!(slots.allocate().unwrap().index, 16);
//! ```

use a9n_abi::Descriptor;

use crate::capability::Node;

/// Bits in one bitmap word.
const WORD_BITS: u64 = u64::BITS as u64;

/// One allocated slot: its index in the node and its descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// Index of the slot in the node.
    pub index: u64,
    /// Descriptor of the slot (the node's descriptor extended by the index).
    pub descriptor: Descriptor,
}

/// Why an allocator cannot manage a range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotAllocatorError {
    /// The range goes past the node's last slot.
    PastNode,
    /// The range has more slots than the bitmap (`WORDS * 64`).
    PastCapacity,
    /// The node's slots cannot be named (descriptor deeper than 64 bits).
    TooDeep,
}

/// Hands out free slots of `count` slots from `first` in a node; `WORDS` words of
/// bitmap manage up to `WORDS * 64` slots.
///
/// ```
/// use a9n_abi::{Descriptor, RootSlot};
/// use nun::capability::Node;
/// use nun::slot_allocator::SlotAllocator;
///
/// // A radix-6 node in root slot 40 (64 slots, one bitmap word); slot 0 is taken.
/// let node = Node::new(Descriptor::root_slot(8, 40).unwrap(), 6);
/// let mut slots = SlotAllocator::<1>::new(node, 0, 64).unwrap();
/// assert!(slots.reserve(0));
/// let slot = slots.allocate().unwrap();
/// assert_eq!(slot.index, 1);
/// // The descriptor names root slot 40, then slot 1 of the radix-6 node: depth 22.
/// assert_eq!(slot.descriptor.depth(), 22);
/// assert_eq!(slots.free_count(), 62);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotAllocator<const WORDS: usize> {
    node: Node,
    first: u64,
    count: u64,
    used: [u64; WORDS],
    free: u64,
}

impl<const WORDS: usize> SlotAllocator<WORDS> {
    /// An allocator for slots `first..first + count` of `node`, all free.
    ///
    /// # Errors
    /// [`SlotAllocatorError`] if the range does not fit the node or the bitmap, or
    /// if the node's slots cannot be named.
    pub fn new(node: Node, first: u64, count: u64) -> Result<Self, SlotAllocatorError> {
        let end = first
            .checked_add(count)
            .ok_or(SlotAllocatorError::PastNode)?;
        if end > node.slot_count() {
            return Err(SlotAllocatorError::PastNode);
        }
        if count > WORDS as u64 * WORD_BITS {
            return Err(SlotAllocatorError::PastCapacity);
        }
        if count > 0 && node.slot(first).is_none() {
            return Err(SlotAllocatorError::TooDeep);
        }
        Ok(Self {
            node,
            first,
            count,
            used: [0; WORDS],
            free: count,
        })
    }

    /// The node this allocator manages.
    #[must_use]
    pub const fn node(&self) -> Node {
        self.node
    }

    /// Number of free slots.
    #[must_use]
    pub const fn free_count(&self) -> u64 {
        self.free
    }

    fn position(&self, index: u64) -> Option<(usize, u64)> {
        let offset = index.checked_sub(self.first)?;
        (offset < self.count).then(|| ((offset / WORD_BITS) as usize, 1 << (offset % WORD_BITS)))
    }

    /// True if slot `index` is handed out (false for slots outside the range).
    #[must_use]
    pub fn is_used(&self, index: u64) -> bool {
        self.position(index)
            .is_some_and(|(word, bit)| self.used[word] & bit != 0)
    }

    fn slot(&self, index: u64) -> Slot {
        Slot {
            index,
            descriptor: self
                .node
                .slot(index)
                .expect("`new` checked that the range's slots can be named"),
        }
    }

    /// Marks slot `index` as in use without handing it out (for slots filled by
    /// other means). False if it is outside the range or already in use.
    pub fn reserve(&mut self, index: u64) -> bool {
        match self.position(index) {
            Some((word, bit)) if self.used[word] & bit == 0 => {
                self.used[word] |= bit;
                self.free -= 1;
                true
            }
            _ => false,
        }
    }

    /// The lowest free slot, now in use; `None` when every slot is in use.
    pub fn allocate(&mut self) -> Option<Slot> {
        let (word_index, word) = self
            .used
            .iter()
            .enumerate()
            .find(|(_, word)| **word != u64::MAX)?;
        let offset = word_index as u64 * WORD_BITS + u64::from(word.trailing_ones());
        if offset >= self.count {
            return None;
        }
        let index = self.first + offset;
        self.reserve(index);
        Some(self.slot(index))
    }

    /// The first index of `count` consecutive free slots (lowest first), now in use;
    /// `None` if there is no such run or `count` is 0.
    pub fn allocate_consecutive(&mut self, count: u64) -> Option<u64> {
        if count == 0 {
            return None;
        }
        let mut run_start = self.first;
        let mut run_length = 0;
        for index in self.first..self.first + self.count {
            if self.is_used(index) {
                run_length = 0;
                run_start = index + 1;
                continue;
            }
            run_length += 1;
            if run_length == count {
                for taken in run_start..run_start + count {
                    self.reserve(taken);
                }
                return Some(run_start);
            }
        }
        None
    }

    /// Gives slot `index` back. False if it is outside the range or not in use.
    pub fn free(&mut self, index: u64) -> bool {
        match self.position(index) {
            Some((word, bit)) if self.used[word] & bit != 0 => {
                self.used[word] &= !bit;
                self.free += 1;
                true
            }
            _ => false,
        }
    }

    /// Gives every slot back.
    pub fn free_all(&mut self) {
        self.used = [0; WORDS];
        self.free = self.count;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> Node {
        Node::new(Descriptor::ROOT_NODE, 8)
    }

    #[test]
    fn hands_out_every_slot_once_then_none() {
        let mut slots = SlotAllocator::<2>::new(root(), 100, 70).unwrap();
        for expected in 100..170 {
            let slot = slots.allocate().unwrap();
            assert_eq!(slot.index, expected);
            assert_eq!(slot.descriptor, root().slot(expected).unwrap());
        }
        assert_eq!(slots.allocate(), None);
        assert_eq!(slots.free_count(), 0);
        assert!(slots.free(130));
        assert_eq!(slots.allocate().unwrap().index, 130);
    }

    #[test]
    fn freeing_twice_or_outside_the_range_is_refused() {
        let mut slots = SlotAllocator::<1>::new(root(), 10, 5).unwrap();
        let slot = slots.allocate().unwrap();
        assert!(slots.free(slot.index));
        assert!(!slots.free(slot.index));
        assert!(!slots.free(9));
        assert!(!slots.free(15));
        assert!(!slots.reserve(15));
        assert_eq!(slots.free_count(), 5);
    }

    #[test]
    fn consecutive_runs_skip_used_slots() {
        let mut slots = SlotAllocator::<1>::new(root(), 0, 10).unwrap();
        assert!(slots.reserve(2));
        assert!(slots.reserve(5));
        assert_eq!(slots.allocate_consecutive(3), Some(6));
        assert_eq!(slots.allocate_consecutive(2), Some(0));
        assert_eq!(slots.allocate_consecutive(2), Some(3));
        assert_eq!(slots.allocate_consecutive(1), Some(9));
        assert_eq!(slots.allocate_consecutive(1), None);
        assert_eq!(slots.allocate_consecutive(0), None);
        assert_eq!(slots.free_count(), 0);
        slots.free_all();
        assert_eq!(slots.allocate_consecutive(10), Some(0));
    }

    #[test]
    fn ranges_must_fit_the_node_and_the_bitmap() {
        assert_eq!(
            SlotAllocator::<4>::new(root(), 200, 57),
            Err(SlotAllocatorError::PastNode)
        );
        assert_eq!(
            SlotAllocator::<1>::new(root(), 0, 65),
            Err(SlotAllocatorError::PastCapacity)
        );
        assert_eq!(
            SlotAllocator::<1>::new(root(), u64::MAX, 2),
            Err(SlotAllocatorError::PastNode)
        );
        let deep = Node::new(Descriptor::from_parts(60, 0).unwrap(), 8);
        assert_eq!(
            SlotAllocator::<1>::new(deep, 0, 4),
            Err(SlotAllocatorError::TooDeep)
        );
    }

    #[test]
    fn a_partial_last_word_never_hands_out_slots_past_the_range() {
        let mut slots = SlotAllocator::<1>::new(root(), 0, 3).unwrap();
        for _ in 0..3 {
            assert!(slots.allocate().is_some());
        }
        assert_eq!(slots.allocate(), None);
    }
}

//! Which of mm-server's capability slots are in use: a bitmap per leaf node of a
//! two-level slot tree (a directory of up to `2^directory_radix` leaves of
//! `2^leaf_radix` slots each). Slot `n` is slot `n % leaf_slots` of leaf
//! `n / leaf_slots`. Leaves come and go (the server makes a leaf node when slots run
//! low and destroys empty ones); runs of consecutive free slots of one leaf serve
//! CONVERTs of several objects.

use alloc::vec;
use alloc::vec::Vec;

/// Most slots one run may have.
pub const MAX_RUN: u32 = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Leaf {
    used: Vec<u64>,
    free: u32,
}

/// The bitmaps of every leaf.
#[derive(Clone, Debug)]
pub struct SlotBitmap {
    leaf_radix: u32,
    max_leaves: u32,
    leaves: Vec<Option<Leaf>>,
    free_total: u32,
}

impl SlotBitmap {
    /// No leaves yet; leaves of 2^`leaf_radix` slots (6..=16), at most `max_leaves`.
    #[must_use]
    pub fn new(leaf_radix: u32, max_leaves: u32) -> Self {
        Self {
            leaf_radix: leaf_radix.clamp(6, 16),
            max_leaves,
            leaves: Vec::new(),
            free_total: 0,
        }
    }

    /// Slots of one leaf.
    #[must_use]
    pub const fn leaf_slots(&self) -> u32 {
        1 << self.leaf_radix
    }

    /// The leaf and the index in it of slot `slot`.
    #[must_use]
    pub const fn split(&self, slot: u32) -> (u32, u32) {
        (slot >> self.leaf_radix, slot & (self.leaf_slots() - 1))
    }

    /// Takes leaf `leaf` into use (all free); false if it exists or is out of range.
    pub fn add_leaf(&mut self, leaf: u32) -> bool {
        if leaf >= self.max_leaves {
            return false;
        }
        let position = leaf as usize;
        if self.leaves.len() <= position {
            self.leaves.resize(position + 1, None);
        }
        let slots = self.leaf_slots();
        match self.leaves.get_mut(position) {
            Some(entry @ None) => {
                *entry = Some(Leaf {
                    used: vec![0; (slots / 64) as usize],
                    free: slots,
                });
                self.free_total += slots;
                true
            }
            _ => false,
        }
    }

    /// The lowest leaf number not in use, if one is left.
    #[must_use]
    pub fn missing_leaf(&self) -> Option<u32> {
        let position = self
            .leaves
            .iter()
            .position(Option::is_none)
            .unwrap_or(self.leaves.len()) as u32;
        (position < self.max_leaves).then_some(position)
    }

    /// Leaves other than leaf 0 with no slot in use.
    #[must_use]
    pub fn empty_leaves(&self) -> Vec<u32> {
        let full = self.leaf_slots();
        self.leaves
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, leaf)| leaf.as_ref().is_some_and(|leaf| leaf.free == full))
            .map(|(index, _)| index as u32)
            .collect()
    }

    /// Forgets leaf `leaf` if it is empty; true if it did.
    pub fn drop_leaf(&mut self, leaf: u32) -> bool {
        let full = self.leaf_slots();
        let dropped = match self.leaves.get_mut(leaf as usize) {
            Some(entry) if entry.as_ref().is_some_and(|leaf| leaf.free == full) => {
                *entry = None;
                self.free_total -= full;
                true
            }
            _ => false,
        };
        while self.leaves.last().is_some_and(Option::is_none) {
            self.leaves.pop();
        }
        dropped
    }

    /// Free slots in all leaves.
    #[must_use]
    pub const fn free_count(&self) -> u32 {
        self.free_total
    }

    /// Whether `slot` is in use.
    #[must_use]
    pub fn is_used(&self, slot: u32) -> bool {
        let (leaf, bit) = self.split(slot);
        self.leaves
            .get(leaf as usize)
            .and_then(Option::as_ref)
            .is_some_and(|leaf| get_bit(&leaf.used, bit))
    }

    /// `count` (1..=[`MAX_RUN`]) consecutive free slots of one leaf, the lowest leaf
    /// with room first; the first of them.
    pub fn allocate_run(&mut self, count: u32) -> Option<u32> {
        if count == 0 || count > MAX_RUN {
            return None;
        }
        let radix = self.leaf_radix;
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
                return Some(((leaf_index as u32) << radix) | first);
            }
        }
        None
    }

    /// Gives slot `slot` back; false (changing nothing) if it was not in use.
    pub fn free(&mut self, slot: u32) -> bool {
        let (leaf, bit) = self.split(slot);
        match self.leaves.get_mut(leaf as usize).and_then(Option::as_mut) {
            Some(leaf) if get_bit(&leaf.used, bit) => {
                set_bit(&mut leaf.used, bit, false);
                leaf.free += 1;
                self.free_total += 1;
                true
            }
            _ => false,
        }
    }
}

fn get_bit(words: &[u64], bit: u32) -> bool {
    words
        .get((bit / 64) as usize)
        .is_some_and(|word| word & (1 << (bit % 64)) != 0)
}

fn set_bit(words: &mut [u64], bit: u32, value: bool) {
    if let Some(word) = words.get_mut((bit / 64) as usize) {
        if value {
            *word |= 1 << (bit % 64);
        } else {
            *word &= !(1 << (bit % 64));
        }
    }
}

/// The first of `count` consecutive clear bits.
fn find_run(words: &[u64], count: u32) -> Option<u32> {
    let mut run_start = 0;
    let mut run_length = 0;
    for (word_index, &word) in words.iter().enumerate() {
        let base = word_index as u32 * 64;
        if word == u64::MAX {
            run_length = 0;
            continue;
        }
        if word == 0 && run_length == 0 {
            return Some(base);
        }
        for bit in 0..64 {
            if word & (1 << bit) == 0 {
                if run_length == 0 {
                    run_start = base + bit;
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn runs_stay_in_one_leaf_and_leaves_come_and_go() {
        let mut bitmap = SlotBitmap::new(6, 4);
        assert_eq!(bitmap.allocate_run(1), None, "no leaf yet");
        assert!(bitmap.add_leaf(0));
        assert!(!bitmap.add_leaf(0));
        assert!(!bitmap.add_leaf(4), "past the directory");
        assert_eq!(bitmap.allocate_run(60), Some(0));
        assert_eq!(bitmap.allocate_run(5), None, "only 4 left in leaf 0");
        assert_eq!(bitmap.missing_leaf(), Some(1));
        assert!(bitmap.add_leaf(1));
        assert_eq!(bitmap.allocate_run(5), Some(64));
        assert_eq!(bitmap.allocate_run(4), Some(60));
        assert!(bitmap.free(62));
        assert!(!bitmap.free(62), "freeing twice changes nothing");
        assert_eq!(bitmap.allocate_run(1), Some(62));
        assert!(bitmap.empty_leaves().is_empty());
        for slot in 64..69 {
            assert!(bitmap.free(slot));
        }
        assert_eq!(bitmap.empty_leaves(), [1]);
        assert!(bitmap.drop_leaf(1));
        assert!(!bitmap.drop_leaf(0), "leaf 0 is in use");
        assert_eq!(bitmap.free_count(), 0);
        assert_eq!(bitmap.allocate_run(0), None);
        assert_eq!(bitmap.allocate_run(65), None);
    }

    proptest! {
        /// Allocated slots are never handed out twice, are in use, and the free
        /// count always matches.
        #[test]
        fn no_slot_is_handed_out_twice(
            steps in proptest::collection::vec((1u32..=20, any::<bool>()), 1..200),
        ) {
            let mut bitmap = SlotBitmap::new(7, 3);
            bitmap.add_leaf(0);
            bitmap.add_leaf(2);
            let mut held: Vec<u32> = Vec::new();
            for (count, free) in steps {
                if free && !held.is_empty() {
                    let slot = held.swap_remove(count as usize % held.len());
                    prop_assert!(bitmap.free(slot));
                } else if let Some(first) = bitmap.allocate_run(count) {
                    let (leaf, index) = bitmap.split(first);
                    prop_assert!(index + count <= bitmap.leaf_slots(), "run crosses a leaf");
                    prop_assert!(leaf == 0 || leaf == 2);
                    for slot in first..first + count {
                        prop_assert!(!held.contains(&slot));
                        prop_assert!(bitmap.is_used(slot));
                        held.push(slot);
                    }
                }
                prop_assert_eq!(bitmap.free_count() as usize, 2 * 128 - held.len());
            }
        }
    }
}

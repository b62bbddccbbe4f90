//! The scheduler's ready queues: one FIFO per priority (0..31, higher runs first)
//! and a bitmap of non-empty queues, with the links kept in the threads themselves.

use a9n_abi::scheduling::PRIORITY_COUNT;

/// Where a thread (PCB) lives; 0 means "none".
pub type ThreadAddress = u64;

/// Access to the queue links inside threads.
pub trait QueueLinks {
    /// The previous and next thread in the thread's queue.
    fn links(&self, thread: ThreadAddress) -> (ThreadAddress, ThreadAddress);
    /// Sets them.
    fn set_links(&mut self, thread: ThreadAddress, previous: ThreadAddress, next: ThreadAddress);
}

/// The ready queues.
#[derive(Clone, Debug)]
pub struct ReadyQueues {
    heads: [ThreadAddress; PRIORITY_COUNT],
    tails: [ThreadAddress; PRIORITY_COUNT],
    non_empty: u32,
}

impl Default for ReadyQueues {
    fn default() -> Self {
        Self::new()
    }
}

impl ReadyQueues {
    /// Empty queues.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            heads: [0; PRIORITY_COUNT],
            tails: [0; PRIORITY_COUNT],
            non_empty: 0,
        }
    }

    /// Appends `thread` to the queue of `priority` (which must be < 32).
    pub fn push_back(&mut self, links: &mut impl QueueLinks, thread: ThreadAddress, priority: u8) {
        let index = usize::from(priority);
        let tail = self.tails[index];
        links.set_links(thread, tail, 0);
        if tail == 0 {
            self.heads[index] = thread;
        } else {
            let (previous, _) = links.links(tail);
            links.set_links(tail, previous, thread);
        }
        self.tails[index] = thread;
        self.non_empty |= 1 << priority;
    }

    /// Puts `thread` at the front of the queue of `priority`.
    pub fn push_front(&mut self, links: &mut impl QueueLinks, thread: ThreadAddress, priority: u8) {
        let index = usize::from(priority);
        let head = self.heads[index];
        links.set_links(thread, 0, head);
        if head == 0 {
            self.tails[index] = thread;
        } else {
            let (_, next) = links.links(head);
            links.set_links(head, thread, next);
        }
        self.heads[index] = thread;
        self.non_empty |= 1 << priority;
    }

    /// Takes `thread` out of the queue of `priority` (it must be in it).
    pub fn remove(&mut self, links: &mut impl QueueLinks, thread: ThreadAddress, priority: u8) {
        let index = usize::from(priority);
        let (previous, next) = links.links(thread);
        if previous == 0 {
            self.heads[index] = next;
        } else {
            let (before, _) = links.links(previous);
            links.set_links(previous, before, next);
        }
        if next == 0 {
            self.tails[index] = previous;
        } else {
            let (_, after) = links.links(next);
            links.set_links(next, previous, after);
        }
        links.set_links(thread, 0, 0);
        if self.heads[index] == 0 {
            self.non_empty &= !(1 << priority);
        }
    }

    /// Bit `p` is set when priority `p` has a ready thread.
    #[must_use]
    pub const fn bitmap(&self) -> u32 {
        self.non_empty
    }

    /// The highest priority with a ready thread.
    #[must_use]
    pub const fn highest_priority(&self) -> Option<u8> {
        if self.non_empty == 0 {
            None
        } else {
            Some(31 - self.non_empty.leading_zeros() as u8)
        }
    }

    /// The first thread of the highest non-empty queue, without removing it.
    #[must_use]
    pub fn peek_highest(&self) -> Option<(ThreadAddress, u8)> {
        let priority = self.highest_priority()?;
        Some((self.heads[usize::from(priority)], priority))
    }

    /// Removes and returns the first thread of the highest non-empty queue.
    pub fn pop_highest(&mut self, links: &mut impl QueueLinks) -> Option<(ThreadAddress, u8)> {
        let (thread, priority) = self.peek_highest()?;
        self.remove(links, thread, priority);
        Some((thread, priority))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::{BTreeMap, VecDeque};
    use std::vec::Vec;

    #[derive(Default)]
    struct Links(BTreeMap<u64, (u64, u64)>);

    impl QueueLinks for Links {
        fn links(&self, thread: ThreadAddress) -> (ThreadAddress, ThreadAddress) {
            self.0.get(&thread).copied().unwrap_or((0, 0))
        }
        fn set_links(
            &mut self,
            thread: ThreadAddress,
            previous: ThreadAddress,
            next: ThreadAddress,
        ) {
            self.0.insert(thread, (previous, next));
        }
    }

    #[test]
    fn higher_priority_first_and_fifo_within_one() {
        let mut queues = ReadyQueues::new();
        let mut links = Links::default();
        queues.push_back(&mut links, 0x1000, 5);
        queues.push_back(&mut links, 0x2000, 20);
        queues.push_back(&mut links, 0x3000, 5);
        queues.push_front(&mut links, 0x4000, 5);
        assert_eq!(queues.pop_highest(&mut links), Some((0x2000, 20)));
        assert_eq!(queues.pop_highest(&mut links), Some((0x4000, 5)));
        assert_eq!(queues.pop_highest(&mut links), Some((0x1000, 5)));
        assert_eq!(queues.pop_highest(&mut links), Some((0x3000, 5)));
        assert_eq!(queues.pop_highest(&mut links), None);
    }

    #[derive(Clone, Debug)]
    enum Step {
        PushBack(u8, u8),
        PushFront(u8, u8),
        Remove(u8),
        Pop,
    }

    proptest! {
        /// The queues behave exactly like one VecDeque per priority.
        #[test]
        fn matches_a_simple_model(steps in prop::collection::vec(prop_oneof![
            (0u8..16, 0u8..32).prop_map(|(thread, priority)| Step::PushBack(thread, priority)),
            (0u8..16, 0u8..32).prop_map(|(thread, priority)| Step::PushFront(thread, priority)),
            (0u8..16).prop_map(Step::Remove),
            Just(Step::Pop),
        ], 0..200)) {
            let mut queues = ReadyQueues::new();
            let mut links = Links::default();
            let mut model: Vec<VecDeque<u64>> = (0..32).map(|_| VecDeque::new()).collect();
            let mut queued: BTreeMap<u64, u8> = BTreeMap::new();
            for step in steps {
                match step {
                    Step::PushBack(thread, priority) | Step::PushFront(thread, priority) => {
                        let address = (u64::from(thread) + 1) << 12;
                        if queued.contains_key(&address) { continue; }
                        queued.insert(address, priority);
                        if matches!(step, Step::PushBack(..)) {
                            queues.push_back(&mut links, address, priority);
                            model[usize::from(priority)].push_back(address);
                        } else {
                            queues.push_front(&mut links, address, priority);
                            model[usize::from(priority)].push_front(address);
                        }
                    }
                    Step::Remove(thread) => {
                        let address = (u64::from(thread) + 1) << 12;
                        if let Some(priority) = queued.remove(&address) {
                            queues.remove(&mut links, address, priority);
                            model[usize::from(priority)].retain(|&other| other != address);
                        }
                    }
                    Step::Pop => {
                        let expected = (0..32u8).rev().find_map(|priority| {
                            model[usize::from(priority)].pop_front().map(|thread| (thread, priority))
                        });
                        if let Some((thread, _)) = expected { queued.remove(&thread); }
                        prop_assert_eq!(queues.pop_highest(&mut links), expected);
                    }
                }
                let highest = (0..32u8).rev().find(|&priority| !model[usize::from(priority)].is_empty());
                prop_assert_eq!(queues.highest_priority(), highest);
            }
        }
    }
}

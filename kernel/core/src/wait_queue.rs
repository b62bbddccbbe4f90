//! A FIFO of threads linked through the threads themselves (the waiters of an IPC
//! port or a notification port). The head and tail live in the object; the links
//! in each thread, reached through [`QueueLinks`].

use crate::ready_queues::{QueueLinks, ThreadAddress};

/// The two ends of a wait queue (0: empty).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WaitQueue {
    /// First thread.
    pub head: ThreadAddress,
    /// Last thread.
    pub tail: ThreadAddress,
}

impl WaitQueue {
    /// Whether nobody waits.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.head == 0
    }

    /// Appends `thread`.
    pub fn push_back(&mut self, links: &mut impl QueueLinks, thread: ThreadAddress) {
        links.set_links(thread, self.tail, 0);
        if self.tail == 0 {
            self.head = thread;
        } else {
            let (previous, _) = links.links(self.tail);
            links.set_links(self.tail, previous, thread);
        }
        self.tail = thread;
    }

    /// Removes and returns the first thread.
    pub fn pop_front(&mut self, links: &mut impl QueueLinks) -> Option<ThreadAddress> {
        let head = self.head;
        if head == 0 {
            return None;
        }
        self.remove(links, head);
        Some(head)
    }

    /// Removes `thread`, which must be in this queue.
    pub fn remove(&mut self, links: &mut impl QueueLinks, thread: ThreadAddress) {
        let (previous, next) = links.links(thread);
        if previous == 0 {
            self.head = next;
        } else {
            let (before, _) = links.links(previous);
            links.set_links(previous, before, next);
        }
        if next == 0 {
            self.tail = previous;
        } else {
            let (_, after) = links.links(next);
            links.set_links(next, previous, after);
        }
        links.set_links(thread, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

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
    fn first_in_first_out_and_removal_from_the_middle() {
        let mut queue = WaitQueue::default();
        let mut links = Links::default();
        for thread in [0x1000, 0x2000, 0x3000, 0x4000] {
            queue.push_back(&mut links, thread);
        }
        queue.remove(&mut links, 0x3000);
        assert_eq!(queue.pop_front(&mut links), Some(0x1000));
        queue.remove(&mut links, 0x4000);
        assert_eq!(queue.pop_front(&mut links), Some(0x2000));
        assert!(queue.is_empty());
        assert_eq!(queue.pop_front(&mut links), None);
        assert_eq!(queue.tail, 0);
    }
}

//! One pipe: its byte buffer, the counts of open ends and its wait lists.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// One pipe's state; the arena in `mod.rs` enforces the rules.
#[derive(Debug)]
pub(super) struct Channel<Waiter> {
    /// Buffered bytes, oldest first; never longer than `PIPE_CAPACITY`.
    pub(super) data: VecDeque<u8>,
    /// Open read ends.
    pub(super) readers: usize,
    /// Open write ends.
    pub(super) writers: usize,
    /// Requests parked until the read side changes.
    pub(super) readable_waiters: Vec<Waiter>,
    /// Requests parked until the write side changes.
    pub(super) writable_waiters: Vec<Waiter>,
}

impl<Waiter> Channel<Waiter> {
    /// An empty pipe with one reader and one writer.
    pub(super) const fn new() -> Self {
        Self {
            data: VecDeque::new(),
            readers: 1,
            writers: 1,
            readable_waiters: Vec::new(),
            writable_waiters: Vec::new(),
        }
    }

    /// Moves up to `buffer.len()` of the oldest bytes into `buffer`, with at most
    /// two slice copies; returns how many.
    pub(super) fn take_into(&mut self, buffer: &mut [u8]) -> usize {
        let count = buffer.len().min(self.data.len());
        let (first, second) = self.data.as_slices();
        let from_first = count.min(first.len());
        let from_second = count - from_first;
        if let (Some(target), Some(source)) =
            (buffer.get_mut(..from_first), first.get(..from_first))
        {
            target.copy_from_slice(source);
        }
        if let (Some(target), Some(source)) =
            (buffer.get_mut(from_first..count), second.get(..from_second))
        {
            target.copy_from_slice(source);
        }
        self.data.drain(..count);
        count
    }
}

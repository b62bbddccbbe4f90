//! What threads in the test address spaces do. They run this program's code (its
//! image is mapped into their space) and share its data pages, so they take their
//! orders from [`MAILBOX`] and report there. Memory is touched through Nun's
//! window accessors, so every test region lies in the window's address range.

use core::sync::atomic::{AtomicU64, Ordering};

/// What a worker is asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Operation {
    /// Write `seed ^ i` to the first word of page `i` of `count` pages from `start`
    /// (`stride` bytes apart); result: pages written.
    Fill = 1,
    /// Check what `Fill` wrote; result: pages that differ.
    Verify = 2,
    /// Recurse `count` times with a 4 KiB frame each; result: depth reached.
    Recurse = 3,
    /// Write `seed` at `start`; result: 1.
    Write = 4,
    /// Read the word at `start`; result: the word.
    Read = 5,
    /// As `Fill`, timing each write into [`TIMINGS`] (benchmarks); result: pages
    /// written.
    TimedFill = 6,
}

/// Most writes [`Operation::TimedFill`] records.
pub const TIMING_CAPACITY: usize = 11_264;

/// The TSC ticks of each write of the last [`Operation::TimedFill`].
pub static TIMINGS: [AtomicU64; TIMING_CAPACITY] = [const { AtomicU64::new(0) }; TIMING_CAPACITY];

/// An order: operation and arguments.
#[derive(Clone, Copy, Debug)]
pub struct Order {
    /// What to do.
    pub operation: Operation,
    /// First address.
    pub start: u64,
    /// How many.
    pub count: u64,
    /// Bytes between pages.
    pub stride: u64,
    /// Value seed.
    pub seed: u64,
}

impl Order {
    /// An order of `operation` with everything else 0.
    pub const fn new(operation: Operation) -> Self {
        Self {
            operation,
            start: 0,
            count: 0,
            stride: 0,
            seed: 0,
        }
    }
}

/// Orders and results, shared by this program and its workers.
pub struct Mailbox {
    words: [AtomicU64; 5],
    result: AtomicU64,
    done: AtomicU64,
}

/// The one mailbox (one worker at a time).
pub static MAILBOX: Mailbox = Mailbox {
    words: [const { AtomicU64::new(0) }; 5],
    result: AtomicU64::new(0),
    done: AtomicU64::new(0),
};

impl Mailbox {
    /// Posts an order (before the worker starts).
    pub fn post(&self, order: Order) {
        let words = [
            order.operation as u64,
            order.start,
            order.count,
            order.stride,
            order.seed,
        ];
        for (slot, word) in self.words.iter().zip(words) {
            slot.store(word, Ordering::Relaxed);
        }
        self.result.store(0, Ordering::Relaxed);
        self.done.store(0, Ordering::Release);
    }

    fn order(&self) -> Option<Order> {
        let word = |index: usize| self.words[index].load(Ordering::Acquire);
        let operation = match word(0) {
            1 => Operation::Fill,
            2 => Operation::Verify,
            3 => Operation::Recurse,
            4 => Operation::Write,
            5 => Operation::Read,
            6 => Operation::TimedFill,
            _ => return None,
        };
        Some(Order {
            operation,
            start: word(1),
            count: word(2),
            stride: word(3),
            seed: word(4),
        })
    }

    /// The result, once the worker is done.
    pub fn result(&self) -> Option<u64> {
        (self.done.load(Ordering::Acquire) != 0).then(|| self.result.load(Ordering::Relaxed))
    }

    fn finish(&self, result: u64) {
        self.result.store(result, Ordering::Relaxed);
        self.done.store(1, Ordering::Release);
    }
}

/// Recursion with a 4 KiB frame per level (the stack grows down page by page).
fn recurse(depth: u64) -> u64 {
    let mut frame = [0u8; 4096];
    frame[0] = depth as u8;
    let frame = core::hint::black_box(frame);
    if depth == 0 {
        u64::from(frame[0])
    } else {
        1 + recurse(depth - 1) + u64::from(frame[4095])
    }
}

fn perform(order: Order) -> u64 {
    let address = |index: u64| order.start + index * order.stride;
    match order.operation {
        Operation::Fill => (0..order.count)
            .filter(|&index| nun::window::write_word(address(index), order.seed ^ index).is_some())
            .count() as u64,
        Operation::Verify => (0..order.count)
            .filter(|&index| nun::window::read_word(address(index)) != Some(order.seed ^ index))
            .count() as u64,
        Operation::Recurse => recurse(order.count),
        Operation::Write => u64::from(nun::window::write_word(order.start, order.seed).is_some()),
        Operation::Read => nun::window::read_word(order.start).unwrap_or(u64::MAX),
        Operation::TimedFill => {
            let mut written = 0;
            for index in 0..order.count {
                let Some(ticks) =
                    nun::timed_access::timed_window_write(address(index), order.seed ^ index)
                else {
                    break;
                };
                if let Some(slot) = TIMINGS.get(index as usize) {
                    slot.store(ticks, Ordering::Relaxed);
                }
                written += 1;
            }
            written
        }
    }
}

/// A worker thread: does the posted order, reports, then waits to be destroyed.
pub extern "C" fn worker(_argument: u64) -> ! {
    let result = MAILBOX.order().map_or(u64::MAX, perform);
    MAILBOX.finish(result);
    loop {
        nun::kernel_call::yield_now();
    }
}

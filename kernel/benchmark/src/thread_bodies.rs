//! The code the benchmarks' other threads run. Each entry takes two words (`RDI`,
//! `RSI`, set with WRITE_REGISTER) and never returns. The servers run Nun's
//! assembly loops, so a round trip contains no compiler-generated code on their
//! side; [`ipc_server`] also runs in the second address space, where it may only
//! read the program image and use its own stack.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use a9n_abi::{Descriptor, MessageInfo};
use nun::capability::NotificationPort;
use nun::timed_call;

use crate::measurement::{self, Figures, StatusCheck};

/// The entry of a thread started by [`crate::local_threads`] or
/// [`crate::second_address_space`].
pub type TwoWordEntry = extern "C" fn(u64, u64) -> !;

/// The address CONFIGURE's instruction pointer takes for `entry`.
pub fn entry_address(entry: TwoWordEntry) -> u64 {
    entry as usize as u64
}

/// Serves the IPC port named by the word `port` forever, replying with the
/// message_info word `info` (its length: 0, 4 or 10 words, echoing what arrived).
/// A bad word stops the thread in a YIELD loop.
pub extern "C" fn ipc_server(port: u64, info: u64) -> ! {
    match (Descriptor::from_word(port), MessageInfo::from_word(info)) {
        (Ok(port), Ok(info)) => timed_call::reply_receive_loop(port, info),
        _ => nun::start::finish(),
    }
}

/// Forever: WAIT on the notification port `wait`, then NOTIFY `notify`.
pub extern "C" fn notification_partner(wait: u64, notify: u64) -> ! {
    match (Descriptor::from_word(wait), Descriptor::from_word(notify)) {
        (Ok(wait), Ok(notify)) => timed_call::wait_then_notify_loop(wait, notify),
        _ => nun::start::finish(),
    }
}

/// What the faulting thread measured, for the main thread.
pub struct SharedFigures {
    minimum: AtomicU64,
    median: AtomicU64,
    overhead: AtomicU64,
    measured: AtomicBool,
}

impl SharedFigures {
    const fn new() -> Self {
        Self {
            minimum: AtomicU64::new(0),
            median: AtomicU64::new(0),
            overhead: AtomicU64::new(0),
            measured: AtomicBool::new(false),
        }
    }

    fn store(&self, figures: Figures) {
        self.minimum.store(figures.minimum, Ordering::SeqCst);
        self.median.store(figures.median, Ordering::SeqCst);
        self.overhead.store(figures.overhead, Ordering::SeqCst);
        self.measured.store(true, Ordering::SeqCst);
    }

    /// The figures, once stored.
    pub fn load(&self) -> Option<Figures> {
        self.measured.load(Ordering::SeqCst).then(|| Figures {
            minimum: self.minimum.load(Ordering::SeqCst),
            median: self.median.load(Ordering::SeqCst),
            overhead: self.overhead.load(Ordering::SeqCst),
        })
    }
}

/// The fault round trip as the faulting thread measured it.
pub static FAULT_FIGURES: SharedFigures = SharedFigures::new();

/// Measures the fault round trip from the faulting side: each timed `syscall` with
/// an unknown number goes to the thread's fault resolver, which replies with length
/// 0, so the thread resumes after the `syscall`. Stores the figures in
/// [`FAULT_FIGURES`], NOTIFYs the notification port `done` and yields until the
/// main thread suspends it. The second word is unused.
pub extern "C" fn faulting_thread(done: u64, _: u64) -> ! {
    if let Ok(figures) = measurement::measure(
        "fault round trip",
        StatusCheck::None,
        timed_call::timed_unknown_kernel_call,
        timed_call::timed_unknown_kernel_call_overhead,
    ) {
        FAULT_FIGURES.store(figures);
    }
    if let Ok(done) = Descriptor::from_word(done) {
        let _ = NotificationPort::new(done).notify();
    }
    nun::start::finish()
}

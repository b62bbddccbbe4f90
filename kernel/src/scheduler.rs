//! The scheduler: 32 priorities, FIFO within one, a 10-tick quantum with timer
//! preemption, and the current thread (which is never in a ready queue).

use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use a9n_abi::scheduling::QUANTUM_TICKS;
use a9n_core::ready_queues::ReadyQueues;
use spin::Mutex;

use crate::arch::object_memory::ThreadQueueLinks;
use crate::thread::{Thread, ThreadState, layout};

struct Scheduler {
    queues: ReadyQueues,
}

static SCHEDULER: Mutex<Scheduler> = Mutex::new(Scheduler {
    queues: ReadyQueues::new(),
});

/// The running thread (0: the CPU idles). One CPU, interrupts off in the kernel:
/// plain loads and stores, no lock, which is what the IPC fastpath needs.
static CURRENT: AtomicU64 = AtomicU64::new(0);
/// A copy of the ready queues' bitmap, kept in step under the lock, for the same
/// reason.
static READY_BITMAP: AtomicU32 = AtomicU32::new(0);

impl Drop for Publish<'_> {
    fn drop(&mut self) {
        READY_BITMAP.store(self.0.queues.bitmap(), Ordering::Relaxed);
    }
}

fn current_raw() -> u64 {
    CURRENT.load(Ordering::Relaxed)
}

fn set_current_raw(thread: u64) {
    CURRENT.store(thread, Ordering::Relaxed);
}

/// The scheduler, locked; its state is published to the lock-free copies when the
/// guard goes.
struct Publish<'a>(spin::MutexGuard<'a, Scheduler>);

impl core::ops::Deref for Publish<'_> {
    type Target = Scheduler;
    fn deref(&self) -> &Scheduler {
        &self.0
    }
}

impl core::ops::DerefMut for Publish<'_> {
    fn deref_mut(&mut self) -> &mut Scheduler {
        &mut self.0
    }
}

fn lock() -> Publish<'static> {
    Publish(SCHEDULER.lock())
}

/// The running thread's PCB address (0: none), without locking.
#[must_use]
pub fn current_address() -> u64 {
    CURRENT.load(Ordering::Relaxed)
}

/// Whether a thread of `priority` may run ahead of everything ready, without
/// locking.
#[must_use]
pub fn outranks_ready(priority: u8) -> bool {
    let bitmap = READY_BITMAP.load(Ordering::Relaxed);
    bitmap == 0 || u32::from(priority) >= 31 - bitmap.leading_zeros()
}

/// The fastpath's direct switch: `thread` becomes the running thread. The previous
/// one has blocked and is in no queue; `thread` is in none either.
pub fn set_current_directly(thread: Thread) {
    thread.set_state(ThreadState::Running);
    set_current_raw(thread.0);
}

fn links() -> ThreadQueueLinks {
    ThreadQueueLinks {
        previous_offset: layout::QUEUE_PREVIOUS,
        next_offset: layout::QUEUE_NEXT,
    }
}

/// The running thread, if any.
#[must_use]
pub fn current() -> Option<Thread> {
    let current = current_address();
    (current != 0).then_some(Thread(current))
}

/// Whether any thread waits in a ready queue.
#[must_use]
pub fn has_runnable() -> bool {
    lock().queues.highest_priority().is_some()
}

/// Makes an inactive thread runnable (RESUME). Does nothing to a runnable one.
pub fn resume(thread: Thread) {
    if thread.state() == ThreadState::Inactive {
        thread.set_state(ThreadState::Ready);
        thread.set_remaining_ticks(QUANTUM_TICKS);
        lock()
            .queues
            .push_back(&mut links(), thread.0, thread.priority());
    }
}

/// Stops a thread (SUSPEND, a fault without resolver, finalisation): it leaves the
/// ready queue or whatever IPC it waits in, or stops being current.
pub fn suspend(thread: Thread) {
    crate::ipc::cancel(thread);
    let mut scheduler = lock();
    match thread.state() {
        ThreadState::Ready => scheduler
            .queues
            .remove(&mut links(), thread.0, thread.priority()),
        ThreadState::Running if current_raw() == thread.0 => set_current_raw(0),
        _ => {}
    }
    thread.set_state(ThreadState::Inactive);
}

/// The current thread stops to wait (`state` is one of the blocked states); it is
/// in no ready queue while it waits.
pub fn block_current(thread: Thread, state: ThreadState) {
    if current_raw() == thread.0 {
        set_current_raw(0);
    }
    thread.set_state(state);
}

/// A blocked thread can run again: it joins the back of its ready queue.
pub fn wake(thread: Thread) {
    thread.set_state(ThreadState::Ready);
    lock()
        .queues
        .push_back(&mut links(), thread.0, thread.priority());
}

/// Whether `thread` may run at once instead of everything that is ready (its
/// priority is at least the highest ready priority): the direct switch of IPC.
#[must_use]
pub fn may_switch_directly(thread: Thread) -> bool {
    lock()
        .queues
        .highest_priority()
        .is_none_or(|priority| thread.priority() >= priority)
}

/// Makes a woken thread the running one without touching the ready queues (the
/// previous current thread has blocked). Callers check `may_switch_directly`.
pub fn switch_directly(thread: Thread) {
    if current_raw() != 0 {
        // The caller did not block after all: keep it, queue the partner.
        wake(thread);
        return;
    }
    thread.set_state(ThreadState::Running);
    set_current_raw(thread.0);
}

/// Changes a thread's priority, moving it between ready queues if it waits in one.
pub fn set_priority(thread: Thread, priority: u8) {
    let mut scheduler = lock();
    if thread.state() == ThreadState::Ready {
        scheduler
            .queues
            .remove(&mut links(), thread.0, thread.priority());
        thread.set_priority(priority);
        scheduler.queues.push_back(&mut links(), thread.0, priority);
    } else {
        thread.set_priority(priority);
    }
}

/// Gives up the rest of the current thread's time slice (YIELD).
pub fn yield_current() {
    let current = current_raw();
    if current != 0 {
        let thread = Thread(current);
        thread.set_state(ThreadState::Ready);
        thread.set_remaining_ticks(QUANTUM_TICKS);
        lock()
            .queues
            .push_back(&mut links(), current, thread.priority());
        set_current_raw(0);
    }
}

/// One timer tick: the current thread's quantum shrinks; when it runs out, the
/// thread goes to the back of its queue.
pub fn tick() {
    let current = current_raw();
    if current == 0 {
        return;
    }
    let thread = Thread(current);
    let remaining = thread.remaining_ticks().saturating_sub(1);
    if remaining == 0 {
        yield_current();
    } else {
        thread.set_remaining_ticks(remaining);
    }
}

/// Picks the thread to run: the current one unless a higher priority is ready (then
/// the current one goes back to the front of its queue), else the first of the
/// highest ready priority. `None` when nothing is runnable.
pub fn choose() -> Option<Thread> {
    let mut scheduler = lock();
    let current = current_raw();
    let highest = scheduler.queues.highest_priority();
    if current != 0 {
        let thread = Thread(current);
        match highest {
            Some(priority) if priority > thread.priority() => {
                thread.set_state(ThreadState::Ready);
                scheduler
                    .queues
                    .push_front(&mut links(), current, thread.priority());
            }
            _ => return Some(thread),
        }
    }
    let (next, _) = scheduler.queues.pop_highest(&mut links())?;
    let thread = Thread(next);
    thread.set_state(ThreadState::Running);
    set_current_raw(next);
    Some(thread)
}

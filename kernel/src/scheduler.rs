//! The scheduler: 32 priorities, FIFO within one, a 10-tick quantum with timer
//! preemption, and the current thread (which is never in a ready queue).

use a9n_abi::scheduling::QUANTUM_TICKS;
use a9n_core::ready_queues::ReadyQueues;
use spin::Mutex;

use crate::arch::object_memory::ThreadQueueLinks;
use crate::thread::{Thread, ThreadState, layout};

struct Scheduler {
    queues: ReadyQueues,
    /// The running thread (0: the CPU idles).
    current: u64,
}

static SCHEDULER: Mutex<Scheduler> = Mutex::new(Scheduler {
    queues: ReadyQueues::new(),
    current: 0,
});

fn links() -> ThreadQueueLinks {
    ThreadQueueLinks {
        previous_offset: layout::QUEUE_PREVIOUS,
        next_offset: layout::QUEUE_NEXT,
    }
}

/// The running thread, if any.
#[must_use]
pub fn current() -> Option<Thread> {
    let current = SCHEDULER.lock().current;
    (current != 0).then_some(Thread(current))
}

/// Whether any thread waits in a ready queue.
#[must_use]
pub fn has_runnable() -> bool {
    SCHEDULER.lock().queues.highest_priority().is_some()
}

/// Makes an inactive thread runnable (RESUME). Does nothing to a runnable one.
pub fn resume(thread: Thread) {
    if thread.state() == ThreadState::Inactive {
        thread.set_state(ThreadState::Ready);
        thread.set_remaining_ticks(QUANTUM_TICKS);
        SCHEDULER
            .lock()
            .queues
            .push_back(&mut links(), thread.0, thread.priority());
    }
}

/// Stops a thread (SUSPEND, a fault without resolver, finalisation): it leaves the
/// ready queue or whatever IPC it waits in, or stops being current.
pub fn suspend(thread: Thread) {
    crate::ipc::cancel(thread);
    let mut scheduler = SCHEDULER.lock();
    match thread.state() {
        ThreadState::Ready => scheduler
            .queues
            .remove(&mut links(), thread.0, thread.priority()),
        ThreadState::Running => {
            if scheduler.current == thread.0 {
                scheduler.current = 0;
            }
        }
        _ => {}
    }
    thread.set_state(ThreadState::Inactive);
}

/// The current thread stops to wait (`state` is one of the blocked states); it is
/// in no ready queue while it waits.
pub fn block_current(thread: Thread, state: ThreadState) {
    let mut scheduler = SCHEDULER.lock();
    if scheduler.current == thread.0 {
        scheduler.current = 0;
    }
    thread.set_state(state);
}

/// A blocked thread can run again: it joins the back of its ready queue.
pub fn wake(thread: Thread) {
    thread.set_state(ThreadState::Ready);
    SCHEDULER
        .lock()
        .queues
        .push_back(&mut links(), thread.0, thread.priority());
}

/// Whether `thread` may run at once instead of everything that is ready (its
/// priority is at least the highest ready priority): the direct switch of IPC.
#[must_use]
pub fn may_switch_directly(thread: Thread) -> bool {
    SCHEDULER
        .lock()
        .queues
        .highest_priority()
        .is_none_or(|priority| thread.priority() >= priority)
}

/// Makes a woken thread the running one without touching the ready queues (the
/// previous current thread has blocked). Callers check `may_switch_directly`.
pub fn switch_directly(thread: Thread) {
    let mut scheduler = SCHEDULER.lock();
    if scheduler.current != 0 {
        // The caller did not block after all: keep it, queue the partner.
        drop(scheduler);
        wake(thread);
        return;
    }
    thread.set_state(ThreadState::Running);
    scheduler.current = thread.0;
}

/// Changes a thread's priority, moving it between ready queues if it waits in one.
pub fn set_priority(thread: Thread, priority: u8) {
    let mut scheduler = SCHEDULER.lock();
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
    let mut scheduler = SCHEDULER.lock();
    let current = scheduler.current;
    if current != 0 {
        let thread = Thread(current);
        thread.set_state(ThreadState::Ready);
        thread.set_remaining_ticks(QUANTUM_TICKS);
        scheduler
            .queues
            .push_back(&mut links(), current, thread.priority());
        scheduler.current = 0;
    }
}

/// One timer tick: the current thread's quantum shrinks; when it runs out, the
/// thread goes to the back of its queue.
pub fn tick() {
    let current = SCHEDULER.lock().current;
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
    let mut scheduler = SCHEDULER.lock();
    let current = scheduler.current;
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
    scheduler.current = next;
    Some(thread)
}

//! Scheduling (docs/abi.md section 7): YIELD among equal priorities, strict priority
//! order, FIFO within a priority, timer preemption of a thread that never enters the
//! kernel, and round robin between busy threads.
//!
//! The main thread runs at priority 31. To let lower threads run it lowers its own
//! priority (CONFIGURE of root slot 1); the teardown puts it back to 31.

use a9n_abi::RootSlot;
use a9n_abi::scheduling::INIT_PRIORITY;
use nun::capability::{Configuration, ProcessControlBlock};

use crate::check::{Expect, TestResult};
use crate::context::Context;
use crate::ensure;
use crate::thread_bodies::{count_and_yield, count_busily, draw_ticket_and_suspend};
use crate::threads::{BOARD, create, start, yield_times, yield_until};

pub const TESTS: &[crate::harness::Test] = tests![
    yield_runs_the_next_thread_of_the_same_priority,
    yield_does_not_run_a_lower_priority_thread,
    higher_priority_thread_runs_first,
    threads_of_equal_priority_run_in_fifo_order,
    lowering_own_priority_runs_a_higher_thread_at_once,
    resuming_a_higher_priority_thread_preempts_the_caller,
    raising_a_ready_thread_above_the_caller_runs_it_at_once,
    timer_preempts_a_busy_thread,
    busy_threads_of_equal_priority_share_the_processor,
];

/// Iterations the main thread spins (never entering the kernel) waiting for the
/// timer: far more than a 10 ms quantum under emulation, short enough to fail fast.
const SPIN_LIMIT: u64 = 1 << 28;

fn set_own_priority(priority: u64) -> TestResult {
    ProcessControlBlock::new(RootSlot::ProcessControlBlock.descriptor())
        .configure(&Configuration::new().priority(priority))
        .expect_ok("CONFIGURE of init's own priority")
}

/// Spins without entering the kernel until `condition` holds or the limit runs out.
fn spin_until(condition: impl Fn() -> bool) -> bool {
    for _ in 0..SPIN_LIMIT {
        if condition() {
            return true;
        }
        core::hint::spin_loop();
    }
    condition()
}

/// With one other thread at priority 31 that counts and yields, each YIELD of the
/// main thread lets it count once more.
fn yield_runs_the_next_thread_of_the_same_priority(context: &mut Context) -> TestResult {
    start(context, 0, count_and_yield, INIT_PRIORITY)?;
    let mut previous = BOARD.counter(0);
    for _ in 0..10 {
        nun::kernel_call::yield_now();
        let now = BOARD.counter(0);
        ensure!(now > previous, "YIELD did not run the other thread ({now})");
        previous = now;
    }
    Ok(())
}

/// YIELD requeues at the same priority: a ready thread at 30 never runs while the
/// main thread at 31 yields; it runs once the main thread drops below it.
fn yield_does_not_run_a_lower_priority_thread(context: &mut Context) -> TestResult {
    start(context, 0, draw_ticket_and_suspend, INIT_PRIORITY - 1)?;
    yield_times(100);
    ensure!(
        BOARD.counter(0) == 0,
        "a priority-30 thread ran while 31 was ready"
    );
    set_own_priority(INIT_PRIORITY - 2)?;
    ensure!(
        yield_until(100, || BOARD.counter(0) > 0),
        "it did not run after all"
    );
    Ok(())
}

/// Two threads resumed low first (10), then high (20), while the main thread is at
/// 31: neither runs; when the main thread drops to 5, 20 runs before 10.
fn higher_priority_thread_runs_first(context: &mut Context) -> TestResult {
    let low = create(context, 0, draw_ticket_and_suspend, 10)?;
    let high = create(context, 1, draw_ticket_and_suspend, 20)?;
    low.pcb.resume().expect_ok("RESUME of the low thread")?;
    high.pcb.resume().expect_ok("RESUME of the high thread")?;
    yield_times(20);
    ensure!(
        BOARD.ticket(0) == 0 && BOARD.ticket(1) == 0,
        "a lower-priority thread ran while the main thread was at 31"
    );
    set_own_priority(5)?;
    ensure!(
        yield_until(100, || BOARD.ticket(0) != 0 && BOARD.ticket(1) != 0),
        "the threads did not run"
    );
    ensure!(
        BOARD.ticket(1) == 1 && BOARD.ticket(0) == 2,
        "order: priority 20 drew {}, priority 10 drew {}",
        BOARD.ticket(1),
        BOARD.ticket(0)
    );
    Ok(())
}

/// Three threads at 20 resumed in the order 2, 0, 1 run in that order.
fn threads_of_equal_priority_run_in_fifo_order(context: &mut Context) -> TestResult {
    let mut threads = [None; 3];
    for (index, thread) in threads.iter_mut().enumerate() {
        *thread = Some(create(context, index, draw_ticket_and_suspend, 20)?);
    }
    for index in [2, 0, 1] {
        if let Some(thread) = threads[index] {
            thread.pcb.resume().expect_ok("RESUME")?;
        }
    }
    set_own_priority(5)?;
    ensure!(
        yield_until(100, || (0..3).all(|index| BOARD.ticket(index) != 0)),
        "the threads did not run"
    );
    let tickets = [BOARD.ticket(2), BOARD.ticket(0), BOARD.ticket(1)];
    ensure!(tickets == [1, 2, 3], "tickets in resume order: {tickets:?}");
    Ok(())
}

/// Higher runs first: the moment the main thread drops below a ready thread, that
/// thread runs, before CONFIGURE returns to the main thread.
fn lowering_own_priority_runs_a_higher_thread_at_once(context: &mut Context) -> TestResult {
    let thread = create(context, 0, draw_ticket_and_suspend, 20)?;
    thread.pcb.resume().expect_ok("RESUME")?;
    ensure!(BOARD.ticket(0) == 0, "the thread ran too early");
    set_own_priority(10)?;
    ensure!(
        BOARD.ticket(0) == 1,
        "CONFIGURE returned to priority 10 while a priority-20 thread was ready"
    );
    Ok(())
}

/// Higher runs first: RESUME of a thread above the caller runs it before RESUME
/// returns to the caller.
fn resuming_a_higher_priority_thread_preempts_the_caller(context: &mut Context) -> TestResult {
    set_own_priority(20)?;
    let thread = create(context, 0, draw_ticket_and_suspend, 25)?;
    thread.pcb.resume().expect_ok("RESUME")?;
    ensure!(
        BOARD.ticket(0) == 1,
        "RESUME returned to priority 20 while the resumed priority-25 thread was ready"
    );
    Ok(())
}

/// A thread at the main thread's priority that never enters the kernel: the main
/// thread spins without yielding, so only the timer can let the busy thread run,
/// and only the timer can bring the main thread back.
fn timer_preempts_a_busy_thread(context: &mut Context) -> TestResult {
    let busy = start(context, 0, count_busily, INIT_PRIORITY)?;
    ensure!(
        spin_until(|| BOARD.counter(0) > 0),
        "the busy thread never ran while the main thread spun (no timer preemption)"
    );
    // Back here although the busy thread never yields: it was preempted in turn.
    busy.pcb.suspend().expect_ok("SUSPEND of the busy thread")?;
    let frozen = BOARD.counter(0);
    yield_times(20);
    ensure!(
        BOARD.counter(0) == frozen,
        "the suspended busy thread still counts"
    );
    Ok(())
}

/// Two busy threads and the main thread at 31 take turns: the main thread, never
/// yielding, sees both counters move.
fn busy_threads_of_equal_priority_share_the_processor(context: &mut Context) -> TestResult {
    let first = start(context, 0, count_busily, INIT_PRIORITY)?;
    let second = start(context, 1, count_busily, INIT_PRIORITY)?;
    ensure!(
        spin_until(|| BOARD.counter(0) > 0 && BOARD.counter(1) > 0),
        "round robin: counters {} and {}",
        BOARD.counter(0),
        BOARD.counter(1)
    );
    let (before_first, before_second) = (BOARD.counter(0), BOARD.counter(1));
    ensure!(
        spin_until(|| BOARD.counter(0) > before_first && BOARD.counter(1) > before_second),
        "round robin stopped after one turn"
    );
    first.pcb.suspend().expect_ok("SUSPEND")?;
    second.pcb.suspend().expect_ok("SUSPEND")
}

/// Higher runs first: CONFIGURE raising a ready thread from 10 to 25 above the
/// caller at 20 runs it before CONFIGURE returns to the caller.
fn raising_a_ready_thread_above_the_caller_runs_it_at_once(context: &mut Context) -> TestResult {
    set_own_priority(20)?;
    let thread = create(context, 0, draw_ticket_and_suspend, 10)?;
    thread.pcb.resume().expect_ok("RESUME")?;
    yield_times(10);
    ensure!(
        BOARD.ticket(0) == 0,
        "a priority-10 thread ran while 20 was ready"
    );
    thread
        .pcb
        .configure(&Configuration::new().priority(25))
        .expect_ok("CONFIGURE of the thread's priority")?;
    ensure!(
        BOARD.ticket(0) == 1,
        "CONFIGURE returned to priority 20 while the raised priority-25 thread was ready"
    );
    Ok(())
}

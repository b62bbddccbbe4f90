//! The kernel calls (docs/abi.md section 1): YIELD, DEBUG, and numbers that are no
//! kernel call (a fault; without a fault resolver the thread is suspended).

use a9n_abi::scheduling::INIT_PRIORITY;

use crate::check::{Expect, TestResult};
use crate::context::Context;
use crate::ensure;
use crate::thread_bodies::make_invalid_kernel_call;
use crate::threads::{BOARD, start, yield_until};

pub const TESTS: &[crate::harness::Test] = tests![
    yield_returns_when_no_other_thread_is_ready,
    debug_call_succeeds,
    invalid_kernel_call_without_resolver_suspends_the_thread,
];

/// YIELD with nothing else ready at priority 31 comes straight back.
fn yield_returns_when_no_other_thread_is_ready(_context: &mut Context) -> TestResult {
    for _ in 0..100 {
        nun::kernel_call::yield_now();
    }
    Ok(())
}

/// DEBUG returns success (MR0 = CALL_SUCCEEDED); the byte is a newline, which only
/// adds an empty line to the log.
fn debug_call_succeeds(_context: &mut Context) -> TestResult {
    nun::kernel_call::debug_put_byte(b'\n').expect_ok("DEBUG")
}

/// A number that is no kernel call is not an error return: it is an
/// INVALID_KERNEL_CALL fault; with no fault resolver the thread is suspended, so it
/// never reaches the code after the call.
fn invalid_kernel_call_without_resolver_suspends_the_thread(context: &mut Context) -> TestResult {
    start(context, 0, make_invalid_kernel_call, INIT_PRIORITY)?;
    ensure!(
        yield_until(100, || BOARD.counter(0) == 1),
        "the thread did not run"
    );
    yield_until(100, || BOARD.value(0) != 0);
    ensure!(
        BOARD.value(0) == 0,
        "the thread went on after an invalid kernel call"
    );
    Ok(())
}

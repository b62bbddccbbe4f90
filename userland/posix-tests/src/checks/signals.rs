//! Signals: sigaction with a handler, delivery to self, blocking and pending
//! signals, SIG_IGN, default actions, the signals that cannot be caught or
//! blocked, and the errors of sigaction and sigprocmask.

use alloc::format;
use alloc::string::{String, ToString};
use core::sync::atomic::{AtomicU32, Ordering};

use crate::posix::constants::{
    SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK, SIGCHLD, SIGKILL, SIGSTOP, SIGTERM, SIGUSR1, SIGUSR2,
    signal_bit,
};
use crate::posix::{OldSignalAction, Posix, SignalAction};
use crate::suite::{Suite, outcome};

/// How many signals [`record_signal`] has seen.
static SIGNALS_SEEN: AtomicU32 = AtomicU32::new(0);
/// The last signal [`record_signal`] saw.
static LAST_SIGNAL: AtomicU32 = AtomicU32::new(0);

/// The checks' signal handler: counts and remembers the signal.
pub extern "C" fn record_signal(signal: i32) {
    SIGNALS_SEEN.fetch_add(1, Ordering::SeqCst);
    LAST_SIGNAL.store(signal as u32, Ordering::SeqCst);
}

fn reset() {
    SIGNALS_SEEN.store(0, Ordering::SeqCst);
    LAST_SIGNAL.store(0, Ordering::SeqCst);
}

/// `ran N times, signal S`.
fn seen() -> String {
    format!(
        "ran {} times, last signal {}",
        SIGNALS_SEEN.load(Ordering::SeqCst),
        LAST_SIGNAL.load(Ordering::SeqCst)
    )
}

fn action_text(result: &Result<OldSignalAction, posix_server_api::Errno>) -> String {
    match result {
        Ok(OldSignalAction::Default) => "SIG_DFL".to_string(),
        Ok(OldSignalAction::Ignore) => "SIG_IGN".to_string(),
        Ok(OldSignalAction::Handler(address))
            if *address == record_signal as *const () as usize =>
        {
            "the handler".to_string()
        }
        Ok(OldSignalAction::Handler(_)) => "another handler".to_string(),
        Err(errno) => errno.name().to_string(),
    }
}

/// Set by [`interrupting_handler`].
static INTERRUPTED: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// A handler that uses the FPU (so the interrupted code's FPU state must be
/// saved around it) and sets [`INTERRUPTED`].
extern "C" fn interrupting_handler(_signal: i32) {
    let product = core::hint::black_box(1.5f64) * core::hint::black_box(3.25f64);
    INTERRUPTED.store(product > 4.0, Ordering::SeqCst);
}

/// Computes until [`INTERRUPTED`] is set (no system calls in the loop), then
/// checks that the integer and floating-point sums are what the iteration count
/// says: an interrupted computation must go on with every register intact.
fn compute_until_interrupted() -> i32 {
    let mut index: u64 = 0;
    let mut sum: u64 = 0;
    let mut halves = 0.0f64;
    // Past this many the sums stop (the halves stay exact below 2^53); the loop
    // then only waits for the signal.
    const LIMIT: u64 = 50_000_000;
    while !(INTERRUPTED.load(Ordering::SeqCst) && index > 1000) {
        if index < LIMIT {
            sum = sum.wrapping_add(index.wrapping_mul(index));
            halves += core::hint::black_box(index as f64) * 0.5;
            index += 1;
        } else {
            core::hint::spin_loop();
        }
    }
    let count = u128::from(index);
    let expected_sum = (count.saturating_sub(1) * count * (2 * count).saturating_sub(1) / 6) as u64;
    let expected_halves = (count * count.saturating_sub(1)) as f64 * 0.25;
    if !INTERRUPTED.load(Ordering::SeqCst) {
        45
    } else if sum != expected_sum {
        43
    } else if halves != expected_halves {
        44
    } else {
        42
    }
}

/// A signal with a handler reaches a process that computes without making calls.
fn interrupting_a_computation<P: Posix>(suite: &mut Suite<'_, P>) {
    INTERRUPTED.store(false, Ordering::SeqCst);
    let _ = suite
        .posix
        .sigaction(SIGUSR1, Some(SignalAction::Handler(interrupting_handler)));
    let text = match suite.posix.fork() {
        Err(errno) => format!("fork {}", errno.name()),
        Ok(0) => {
            let code = compute_until_interrupted();
            suite.posix.exit(code)
        }
        Ok(child) => {
            let _ = suite.posix.nanosleep(crate::posix::TimeSpec {
                seconds: 0,
                nanoseconds: 200_000_000,
            });
            let _ = suite.posix.kill(child, SIGUSR1);
            suite.wait_text(child)
        }
    };
    suite.check(
        "a handler interrupts a computation, which goes on intact",
        &text,
        "exited 42",
    );
    let _ = suite.posix.sigaction(SIGUSR1, Some(SignalAction::Default));
}

/// A parent with a SIGCHLD handler hears of its child's exit.
fn child_exit_signal<P: Posix>(suite: &mut Suite<'_, P>) {
    reset();
    let _ = suite
        .posix
        .sigaction(SIGCHLD, Some(SignalAction::Handler(record_signal)));
    let status = suite.in_child(|_| 3);
    suite.check(
        "a child exits while its parent has a SIGCHLD handler",
        &status,
        "exited 3",
    );
    suite.check(
        "the SIGCHLD handler ran",
        &seen(),
        "ran 1 times, last signal 17",
    );
    let _ = suite.posix.sigaction(SIGCHLD, Some(SignalAction::Default));
}

/// Runs the signal checks.
pub fn run<P: Posix>(suite: &mut Suite<'_, P>) {
    interrupting_a_computation(suite);
    child_exit_signal(suite);
    handlers(suite);
    blocking(suite);
    ignoring_and_defaults(suite);
    errors(suite);
}

fn handlers<P: Posix>(suite: &mut Suite<'_, P>) {
    reset();
    let own = suite.posix.getpid().unwrap_or(0);
    let old = suite
        .posix
        .sigaction(SIGUSR1, Some(SignalAction::Handler(record_signal)));
    suite.check(
        "sigaction installs a handler; old action",
        &action_text(&old),
        "SIG_DFL",
    );
    let current = suite.posix.sigaction(SIGUSR1, None);
    suite.check(
        "sigaction reports the installed handler",
        &action_text(&current),
        "the handler",
    );
    let result = suite.posix.kill(own, SIGUSR1);
    suite.check("kill(self, SIGUSR1)", &outcome(&result), "ok");
    suite.check("the handler ran", &seen(), "ran 1 times, last signal 10");
    let _ = suite.posix.kill(own, SIGUSR1);
    suite.check(
        "the handler runs again",
        &seen(),
        "ran 2 times, last signal 10",
    );

    reset();
    let status = suite.in_child(|posix| {
        let me = posix.getpid().unwrap_or(0);
        let _ = posix.kill(me, SIGUSR1);
        SIGNALS_SEEN.load(Ordering::SeqCst) as i32 + 40
    });
    suite.check("a forked child keeps the handler", &status, "exited 41");
    let _ = suite.posix.sigaction(SIGUSR1, Some(SignalAction::Default));
}

fn blocking<P: Posix>(suite: &mut Suite<'_, P>) {
    reset();
    let own = suite.posix.getpid().unwrap_or(0);
    let _ = suite
        .posix
        .sigaction(SIGUSR2, Some(SignalAction::Handler(record_signal)));
    let old_mask = suite
        .posix
        .sigprocmask(SIG_BLOCK, Some(signal_bit(SIGUSR2)));
    suite.check("sigprocmask SIG_BLOCK SIGUSR2", &outcome(&old_mask), "ok");
    let mask = suite.posix.sigprocmask(SIG_BLOCK, None);
    let observed = match mask {
        Ok(mask) if mask & signal_bit(SIGUSR2) != 0 => "blocked",
        Ok(_) => "not blocked",
        Err(errno) => errno.name(),
    };
    suite.check("the mask holds SIGUSR2", observed, "blocked");
    let _ = suite.posix.kill(own, SIGUSR2);
    suite.check(
        "a blocked signal stays pending",
        &seen(),
        "ran 0 times, last signal 0",
    );
    let result = suite
        .posix
        .sigprocmask(SIG_UNBLOCK, Some(signal_bit(SIGUSR2)));
    suite.check("sigprocmask SIG_UNBLOCK", &outcome(&result), "ok");
    suite.check(
        "the pending signal runs once unblocked",
        &seen(),
        "ran 1 times, last signal 12",
    );

    let _ = suite
        .posix
        .sigprocmask(SIG_BLOCK, Some(signal_bit(SIGKILL) | signal_bit(SIGSTOP)));
    let mask = suite.posix.sigprocmask(SIG_BLOCK, None);
    let observed = match mask {
        Ok(mask) if mask & (signal_bit(SIGKILL) | signal_bit(SIGSTOP)) == 0 => "not blocked",
        Ok(_) => "blocked",
        Err(errno) => errno.name(),
    };
    suite.check(
        "SIGKILL and SIGSTOP cannot be blocked",
        observed,
        "not blocked",
    );
    if let Ok(old) = old_mask {
        let result = suite.posix.sigprocmask(SIG_SETMASK, Some(old));
        suite.check("sigprocmask SIG_SETMASK restores", &outcome(&result), "ok");
    }
    let _ = suite.posix.sigaction(SIGUSR2, Some(SignalAction::Default));
}

fn ignoring_and_defaults<P: Posix>(suite: &mut Suite<'_, P>) {
    reset();
    let own = suite.posix.getpid().unwrap_or(0);
    let _ = suite.posix.sigaction(SIGUSR1, Some(SignalAction::Ignore));
    let current = suite.posix.sigaction(SIGUSR1, None);
    suite.check("sigaction SIG_IGN", &action_text(&current), "SIG_IGN");
    let result = suite.posix.kill(own, SIGUSR1);
    suite.check(
        "an ignored signal to self",
        &format!("{} {}", outcome(&result), seen()),
        "ok ran 0 times, last signal 0",
    );
    let _ = suite.posix.sigaction(SIGUSR1, Some(SignalAction::Default));

    let status = suite.in_child(|posix| {
        let _ = posix.sigaction(SIGUSR1, Some(SignalAction::Default));
        let me = posix.getpid().unwrap_or(0);
        let _ = posix.kill(me, SIGUSR1);
        0
    });
    suite.check(
        "SIGUSR1's default action ends the process",
        &status,
        "signaled 10",
    );
    let status = suite.in_child(|posix| {
        let _ = posix.sigaction(SIGTERM, Some(SignalAction::Ignore));
        let me = posix.getpid().unwrap_or(0);
        let _ = posix.kill(me, SIGTERM);
        4
    });
    suite.check(
        "an ignored SIGTERM does not end the process",
        &status,
        "exited 4",
    );
    let status = suite.in_child(|posix| {
        let _ = posix.sigprocmask(SIG_BLOCK, Some(signal_bit(SIGTERM)));
        let me = posix.getpid().unwrap_or(0);
        let _ = posix.kill(me, SIGTERM);
        let _ = posix.sigprocmask(SIG_UNBLOCK, Some(signal_bit(SIGTERM)));
        5
    });
    suite.check(
        "a blocked SIGTERM ends the process once unblocked",
        &status,
        "signaled 15",
    );
}

fn errors<P: Posix>(suite: &mut Suite<'_, P>) {
    let handler = Some(SignalAction::Handler(record_signal));
    let result = suite.posix.sigaction(SIGKILL, handler);
    suite.check(
        "sigaction SIGKILL with a handler",
        &outcome(&result),
        "EINVAL",
    );
    let result = suite.posix.sigaction(SIGSTOP, handler);
    suite.check(
        "sigaction SIGSTOP with a handler",
        &outcome(&result),
        "EINVAL",
    );
    let result = suite.posix.sigaction(SIGKILL, Some(SignalAction::Ignore));
    suite.check("sigaction SIGKILL SIG_IGN", &outcome(&result), "EINVAL");
    let result = suite.posix.sigaction(0, handler);
    suite.check("sigaction of signal 0", &outcome(&result), "EINVAL");
    let result = suite.posix.sigaction(99, handler);
    suite.check("sigaction of signal 99", &outcome(&result), "EINVAL");
    let result = suite.posix.sigprocmask(99, Some(signal_bit(SIGUSR1)));
    suite.check("sigprocmask with a bad how", &outcome(&result), "EINVAL");
}

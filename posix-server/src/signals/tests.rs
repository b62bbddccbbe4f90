//! Host tests of signal numbering, sets and the per-process signal rules.

use posix_server_api::Errno;

use super::action::{SA_NOCLDSTOP, SA_NODEFER, SA_RESETHAND, SA_RESTART, SA_SIGINFO};
use super::*;

const HANDLER: u64 = 0x40_1000;
const RESTORER: u64 = 0x40_2000;

fn handled(flags: u64, mask: SignalSet) -> Action {
    Action::function(HANDLER, flags, mask, RESTORER)
}

#[test]
fn numbers_names_and_descriptions() {
    assert_eq!(Signal::SIGHUP.number(), 1);
    assert_eq!(Signal::SIGKILL.number(), 9);
    assert_eq!(Signal::SIGCHLD.number(), 17);
    assert_eq!(Signal::SIGSYS.number(), 31);
    assert_eq!(Signal::SIGINT.name(), "SIGINT");
    assert_eq!(Signal::SIGINT.description(), "Interrupt");
    assert_eq!(Signal::SIGSEGV.description(), "Segmentation fault");
    assert_eq!(Signal::SIGKILL.description(), "Killed");
    assert_eq!(Signal::SIGTERM.description(), "Terminated");
    assert_eq!(Signal::SIGPIPE.description(), "Broken pipe");
    assert_eq!(Signal::SIGILL.description(), "Illegal instruction");
    assert_eq!(Signal::SIGFPE.description(), "Floating point exception");
    assert_eq!(Signal::SIGABRT.description(), "Aborted");
    assert_eq!(Signal::SIGQUIT.description(), "Quit");
    assert_eq!(Signal::SIGHUP.description(), "Hangup");
    assert_eq!(Signal::SIGUSR1.description(), "User defined signal 1");
    assert_eq!(Signal::new(0), Err(Errno::EINVAL));
    assert_eq!(Signal::new(32), Err(Errno::EINVAL));
    assert_eq!(Signal::new(64), Err(Errno::EINVAL));
    assert_eq!(Signal::all().count(), 31);
    for (index, signal) in Signal::all().enumerate() {
        assert_eq!(signal.index(), index);
        assert_eq!(Signal::new(signal.number()), Ok(signal));
        assert!(signal.name().starts_with("SIG"));
        assert_ne!(signal.name(), "SIG?");
    }
}

#[test]
fn default_actions() {
    use DefaultAction::*;
    for signal in [Signal::SIGCHLD, Signal::SIGURG, Signal::SIGWINCH] {
        assert_eq!(signal.default_action(), Ignore);
    }
    assert_eq!(Signal::SIGCONT.default_action(), Continue);
    for signal in [
        Signal::SIGSTOP,
        Signal::SIGTSTP,
        Signal::SIGTTIN,
        Signal::SIGTTOU,
    ] {
        assert_eq!(signal.default_action(), Stop);
        assert!(signal.is_stop_signal());
    }
    for signal in [
        Signal::SIGQUIT,
        Signal::SIGILL,
        Signal::SIGABRT,
        Signal::SIGFPE,
        Signal::SIGSEGV,
        Signal::SIGBUS,
        Signal::SIGSYS,
        Signal::SIGTRAP,
        Signal::SIGXCPU,
        Signal::SIGXFSZ,
    ] {
        assert_eq!(signal.default_action(), CoreDump);
    }
    for signal in [
        Signal::SIGHUP,
        Signal::SIGINT,
        Signal::SIGKILL,
        Signal::SIGTERM,
        Signal::SIGPIPE,
    ] {
        assert_eq!(signal.default_action(), Terminate);
    }
}

#[test]
fn signal_set_bits_follow_sigset_t() {
    let set = SignalSet::EMPTY.with(Signal::SIGHUP).with(Signal::SIGINT);
    assert_eq!(set.bits(), 0b11);
    assert_eq!(SignalSet::EMPTY.with(Signal::SIGSYS).bits(), 1 << 30);
    assert_eq!(SignalSet::from_bits(u64::MAX), SignalSet::ALL);
    assert_eq!(SignalSet::ALL.iter().count(), 31);
    assert_eq!(set.lowest(), Some(Signal::SIGHUP));
    assert_eq!(SignalSet::EMPTY.lowest(), None);
    assert!(set.contains(Signal::SIGINT));
    assert!(!set.without(Signal::SIGINT).contains(Signal::SIGINT));
    let collected: SignalSet = [Signal::SIGINT, Signal::SIGHUP].into_iter().collect();
    assert_eq!(collected, set);
}

#[test]
fn sigaction_rejects_bad_numbers_and_kill_stop() {
    let mut state = SignalState::new();
    assert_eq!(state.sigaction(0, None), Err(Errno::EINVAL));
    assert_eq!(
        state.sigaction(32, Some(Action::IGNORE)),
        Err(Errno::EINVAL)
    );
    assert_eq!(state.sigaction(9, Some(Action::IGNORE)), Err(Errno::EINVAL));
    assert_eq!(
        state.sigaction(19, Some(handled(0, SignalSet::EMPTY))),
        Err(Errno::EINVAL)
    );
    assert_eq!(state.sigaction(9, None), Ok(Action::DEFAULT));
    let action = handled(
        SA_RESTART,
        SignalSet::EMPTY.with(Signal::SIGKILL).with(Signal::SIGUSR2),
    );
    assert_eq!(state.sigaction(10, Some(action)), Ok(Action::DEFAULT));
    let installed = state.sigaction(10, None).unwrap();
    assert_eq!(installed.mask, SignalSet::EMPTY.with(Signal::SIGUSR2));
    assert_eq!(installed.handler, Handler::Function(HANDLER));
    assert_eq!(state.sigaction(10, Some(Action::DEFAULT)), Ok(installed));
}

#[test]
fn raw_action_round_trip() {
    assert_eq!(Action::from_raw(0, 0, 0, 0), Action::DEFAULT);
    assert_eq!(Action::from_raw(1, 0, 0, 0), Action::IGNORE);
    let action = Action::from_raw(HANDLER, SA_SIGINFO, 1 << 1, RESTORER);
    assert_eq!(action.raw_handler(), HANDLER);
    assert_eq!(action.mask, SignalSet::EMPTY.with(Signal::SIGINT));
    assert!(action.has_flag(SA_SIGINFO));
}

#[test]
fn ignoring_a_pending_signal_discards_it() {
    let mut state = SignalState::new();
    state
        .sigprocmask(SIG_BLOCK, Some(SignalSet::EMPTY.with(Signal::SIGUSR1)))
        .unwrap();
    assert_eq!(
        state.post(Signal::SIGUSR1),
        PostOutcome::Pending { interrupt: false }
    );
    assert!(state.sigpending().contains(Signal::SIGUSR1));
    state.sigaction(10, Some(Action::IGNORE)).unwrap();
    assert!(state.sigpending().is_empty());
}

#[test]
fn sigprocmask_how_and_unblockable() {
    let mut state = SignalState::new();
    assert_eq!(state.sigprocmask(3, None), Err(Errno::EINVAL));
    let set = SignalSet::EMPTY
        .with(Signal::SIGINT)
        .with(Signal::SIGKILL)
        .with(Signal::SIGSTOP);
    assert_eq!(
        state.sigprocmask(SIG_BLOCK, Some(set)),
        Ok(SignalSet::EMPTY)
    );
    assert_eq!(state.blocked(), SignalSet::EMPTY.with(Signal::SIGINT));
    state
        .sigprocmask(SIG_BLOCK, Some(SignalSet::EMPTY.with(Signal::SIGTERM)))
        .unwrap();
    let old = state
        .sigprocmask(SIG_UNBLOCK, Some(SignalSet::EMPTY.with(Signal::SIGINT)))
        .unwrap();
    assert_eq!(
        old,
        SignalSet::EMPTY.with(Signal::SIGINT).with(Signal::SIGTERM)
    );
    assert_eq!(state.blocked(), SignalSet::EMPTY.with(Signal::SIGTERM));
    state
        .sigprocmask(SIG_SETMASK, Some(SignalSet::ALL))
        .unwrap();
    assert_eq!(
        state.blocked(),
        SignalSet::ALL.difference(SignalSet::UNBLOCKABLE)
    );
    assert_eq!(state.sigprocmask(SIG_SETMASK, None), Ok(state.blocked()));
}

#[test]
fn sigkill_cannot_be_caught_or_blocked() {
    let mut state = SignalState::new();
    state
        .sigprocmask(SIG_SETMASK, Some(SignalSet::ALL))
        .unwrap();
    assert_eq!(
        state.post(Signal::SIGKILL),
        PostOutcome::Terminate(Signal::SIGKILL)
    );
    assert_eq!(
        state.post(Signal::SIGSTOP),
        PostOutcome::Stop(Signal::SIGSTOP)
    );
}

#[test]
fn post_outcomes_for_default_actions() {
    let mut state = SignalState::new();
    assert_eq!(
        state.post(Signal::SIGTERM),
        PostOutcome::Terminate(Signal::SIGTERM)
    );
    assert_eq!(
        state.post(Signal::SIGSEGV),
        PostOutcome::Terminate(Signal::SIGSEGV)
    );
    assert_eq!(state.post(Signal::SIGCHLD), PostOutcome::Discarded);
    assert_eq!(state.post(Signal::SIGWINCH), PostOutcome::Discarded);
    assert_eq!(
        state.post(Signal::SIGTSTP),
        PostOutcome::Stop(Signal::SIGTSTP)
    );
    assert_eq!(
        state.post(Signal::SIGCONT),
        PostOutcome::Continue {
            pending: false,
            interrupt: false
        }
    );
    assert!(state.sigpending().is_empty());
    state.sigaction(15, Some(Action::IGNORE)).unwrap();
    assert_eq!(state.post(Signal::SIGTERM), PostOutcome::Discarded);
}

#[test]
fn handled_signal_is_pending_and_interrupts() {
    let mut state = SignalState::new();
    state
        .sigaction(2, Some(handled(0, SignalSet::EMPTY)))
        .unwrap();
    assert_eq!(
        state.post(Signal::SIGINT),
        PostOutcome::Pending { interrupt: true }
    );
    assert_eq!(
        state.post(Signal::SIGINT),
        PostOutcome::Pending { interrupt: true }
    );
    assert_eq!(state.sigpending(), SignalSet::EMPTY.with(Signal::SIGINT));
    assert!(state.has_deliverable());
}

#[test]
fn cont_and_stop_discard_each_other() {
    let mut state = SignalState::new();
    state
        .sigprocmask(
            SIG_BLOCK,
            Some(SignalSet::STOP_SIGNALS.with(Signal::SIGCONT)),
        )
        .unwrap();
    assert_eq!(
        state.post(Signal::SIGTSTP),
        PostOutcome::Pending { interrupt: false }
    );
    assert_eq!(
        state.post(Signal::SIGTTIN),
        PostOutcome::Pending { interrupt: false }
    );
    assert_eq!(
        state.post(Signal::SIGCONT),
        PostOutcome::Continue {
            pending: true,
            interrupt: false
        }
    );
    assert_eq!(state.sigpending(), SignalSet::EMPTY.with(Signal::SIGCONT));
    assert_eq!(
        state.post(Signal::SIGTTOU),
        PostOutcome::Pending { interrupt: false }
    );
    assert_eq!(state.sigpending(), SignalSet::EMPTY.with(Signal::SIGTTOU));
}

#[test]
fn sigcont_with_handler_continues_then_runs_handler() {
    let mut state = SignalState::new();
    state
        .sigaction(18, Some(handled(0, SignalSet::EMPTY)))
        .unwrap();
    assert_eq!(
        state.post(Signal::SIGCONT),
        PostOutcome::Continue {
            pending: true,
            interrupt: true
        }
    );
    assert!(matches!(
        state.next_deliverable(),
        Some(Delivery::RunHandler {
            signal: Signal::SIGCONT,
            ..
        })
    ));
}

#[test]
fn delivery_order_and_blocked_default_actions() {
    let mut state = SignalState::new();
    state
        .sigprocmask(SIG_SETMASK, Some(SignalSet::ALL))
        .unwrap();
    for signal in [
        Signal::SIGTERM,
        Signal::SIGCHLD,
        Signal::SIGTSTP,
        Signal::SIGHUP,
    ] {
        assert_eq!(
            state.post(signal),
            PostOutcome::Pending { interrupt: false }
        );
    }
    assert_eq!(state.next_deliverable(), None);
    state
        .sigprocmask(SIG_SETMASK, Some(SignalSet::EMPTY))
        .unwrap();
    assert_eq!(
        state.next_deliverable(),
        Some(Delivery::Terminate(Signal::SIGHUP))
    );
    assert_eq!(
        state.next_deliverable(),
        Some(Delivery::Terminate(Signal::SIGTERM))
    );
    // SIGCHLD (17) is ignored by default and skipped on the way to SIGTSTP (20).
    assert_eq!(
        state.next_deliverable(),
        Some(Delivery::Stop(Signal::SIGTSTP))
    );
    assert_eq!(state.next_deliverable(), None);
    assert!(state.sigpending().is_empty());
}

#[test]
fn blocked_then_ignored_is_dropped_at_delivery() {
    let mut state = SignalState::new();
    state.sigaction(10, Some(Action::IGNORE)).unwrap();
    state
        .sigprocmask(SIG_BLOCK, Some(SignalSet::EMPTY.with(Signal::SIGUSR1)))
        .unwrap();
    assert_eq!(
        state.post(Signal::SIGUSR1),
        PostOutcome::Pending { interrupt: false }
    );
    state
        .sigprocmask(SIG_SETMASK, Some(SignalSet::EMPTY))
        .unwrap();
    assert_eq!(state.next_deliverable(), None);
    assert!(state.sigpending().is_empty());
}

#[test]
fn mask_during_handler_and_sigreturn() {
    let mut state = SignalState::new();
    let before = SignalSet::EMPTY.with(Signal::SIGUSR2);
    state.sigprocmask(SIG_SETMASK, Some(before)).unwrap();
    let action_mask = SignalSet::EMPTY.with(Signal::SIGTERM);
    state
        .sigaction(2, Some(handled(SA_SIGINFO, action_mask)))
        .unwrap();
    state.post(Signal::SIGINT);
    let delivery = state.next_deliverable();
    let expected_mask = before.union(action_mask).with(Signal::SIGINT);
    assert_eq!(
        delivery,
        Some(Delivery::RunHandler {
            signal: Signal::SIGINT,
            handler: HANDLER,
            flags: SA_SIGINFO,
            mask_during_handler: expected_mask,
            saved_mask: before,
            restorer: RESTORER,
        })
    );
    assert_eq!(state.blocked(), expected_mask);
    // The same signal arriving during the handler waits.
    assert_eq!(
        state.post(Signal::SIGINT),
        PostOutcome::Pending { interrupt: false }
    );
    assert_eq!(state.next_deliverable(), None);
    state.sigreturn(before);
    assert_eq!(state.blocked(), before);
    assert!(matches!(
        state.next_deliverable(),
        Some(Delivery::RunHandler {
            signal: Signal::SIGINT,
            ..
        })
    ));
}

#[test]
fn nodefer_does_not_block_the_signal() {
    let mut state = SignalState::new();
    state
        .sigaction(10, Some(handled(SA_NODEFER, SignalSet::EMPTY)))
        .unwrap();
    state.post(Signal::SIGUSR1);
    let Some(Delivery::RunHandler {
        mask_during_handler,
        ..
    }) = state.next_deliverable()
    else {
        panic!("expected a handler");
    };
    assert!(mask_during_handler.is_empty());
    assert_eq!(
        state.post(Signal::SIGUSR1),
        PostOutcome::Pending { interrupt: true }
    );
}

#[test]
fn resethand_resets_to_default() {
    let mut state = SignalState::new();
    state
        .sigaction(10, Some(handled(SA_RESETHAND, SignalSet::EMPTY)))
        .unwrap();
    state.post(Signal::SIGUSR1);
    assert!(matches!(
        state.next_deliverable(),
        Some(Delivery::RunHandler {
            flags: SA_RESETHAND,
            ..
        })
    ));
    assert_eq!(state.action(Signal::SIGUSR1).handler, Handler::Default);
    state.sigreturn(SignalSet::EMPTY);
    assert_eq!(
        state.post(Signal::SIGUSR1),
        PostOutcome::Terminate(Signal::SIGUSR1)
    );
}

#[test]
fn fork_and_exec() {
    let mut state = SignalState::new();
    state
        .sigaction(2, Some(handled(SA_RESTART, SignalSet::EMPTY)))
        .unwrap();
    state.sigaction(3, Some(Action::IGNORE)).unwrap();
    state
        .sigaction(
            17,
            Some(Action {
                flags: SA_NOCLDSTOP,
                ..Action::DEFAULT
            }),
        )
        .unwrap();
    state
        .sigprocmask(SIG_SETMASK, Some(SignalSet::EMPTY.with(Signal::SIGUSR1)))
        .unwrap();
    state.post(Signal::SIGUSR1);
    let mut child = state.fork();
    assert_eq!(child.action(Signal::SIGINT), state.action(Signal::SIGINT));
    assert_eq!(child.blocked(), state.blocked());
    assert!(child.sigpending().is_empty());
    assert!(!state.sigpending().is_empty());

    state.exec();
    assert_eq!(state.action(Signal::SIGINT), Action::DEFAULT);
    assert_eq!(state.action(Signal::SIGQUIT), Action::IGNORE);
    assert_eq!(state.action(Signal::SIGCHLD), Action::DEFAULT);
    assert_eq!(state.blocked(), SignalSet::EMPTY.with(Signal::SIGUSR1));
    assert_eq!(state.sigpending(), SignalSet::EMPTY.with(Signal::SIGUSR1));
    child.exec();
    assert_eq!(child.action(Signal::SIGINT), Action::DEFAULT);
}

#[test]
fn force_overrides_blocking_and_ignoring() {
    let mut state = SignalState::new();
    state.sigaction(11, Some(Action::IGNORE)).unwrap();
    assert_eq!(
        state.force(Signal::SIGSEGV),
        PostOutcome::Terminate(Signal::SIGSEGV)
    );
    let mut state = SignalState::new();
    state
        .sigprocmask(SIG_BLOCK, Some(SignalSet::EMPTY.with(Signal::SIGSEGV)))
        .unwrap();
    assert_eq!(
        state.force(Signal::SIGSEGV),
        PostOutcome::Terminate(Signal::SIGSEGV)
    );
    assert!(state.blocked().is_empty());
    let mut state = SignalState::new();
    state
        .sigaction(11, Some(handled(0, SignalSet::EMPTY)))
        .unwrap();
    assert_eq!(
        state.force(Signal::SIGSEGV),
        PostOutcome::Pending { interrupt: true }
    );
}

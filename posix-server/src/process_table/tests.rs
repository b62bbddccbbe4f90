//! Host tests of the process table: fork/exit/wait, reparenting, groups and
//! sessions, kill, stop/continue reporting, pid reuse and the process limit.

use alloc::vec::Vec;

use posix_server_api::Errno;

use super::*;
use crate::signals::action::{SA_NOCLDSTOP, SA_NOCLDWAIT};
use crate::signals::{Action, PostOutcome, Signal, SignalSet, wait_status};

const ANY: ProcessSelector = ProcessSelector::Any;

fn table() -> (ProcessTable<&'static str>, Pid) {
    let mut table = ProcessTable::new(64);
    let init = table.spawn_first("init").unwrap();
    (table, init)
}

fn signals_to(notifications: &[Notification], pid: Pid) -> Vec<(Signal, PostOutcome)> {
    notifications
        .iter()
        .filter_map(|notification| match *notification {
            Notification::Signal {
                pid: to,
                signal,
                outcome,
            } if to == pid => Some((signal, outcome)),
            _ => None,
        })
        .collect()
}

fn woke(notifications: &[Notification], parent: Pid) -> bool {
    notifications.contains(&Notification::ChildChanged { parent })
}

fn handler() -> Action {
    Action::function(0x1000, 0, SignalSet::EMPTY, 0x2000)
}

#[test]
fn spawn_first_is_pid_one_leading_its_group_and_session() {
    let (mut table, init) = table();
    assert_eq!(init, Pid::INIT);
    let process = table.get(init).unwrap();
    assert_eq!(process.parent(), None);
    assert_eq!(process.parent_raw(), 0);
    assert_eq!(process.group(), init);
    assert_eq!(process.session(), init);
    assert_eq!(*process.payload(), "init");
    assert_eq!(table.spawn_first("again"), Err(Errno::EBUSY));
}

#[test]
fn fork_inherits_group_session_and_signals() {
    let (mut table, init) = table();
    table
        .signals_mut(init)
        .unwrap()
        .sigaction(2, Some(handler()))
        .unwrap();
    table
        .signals_mut(init)
        .unwrap()
        .sigprocmask(0, Some(SignalSet::EMPTY.with(Signal::SIGUSR1)))
        .unwrap();
    table.signals_mut(init).unwrap().post(Signal::SIGUSR1);
    let child = table.fork(init, "sh").unwrap();
    assert_eq!(child, Pid(2));
    let process = table.get(child).unwrap();
    assert_eq!(process.parent(), Some(init));
    assert_eq!(process.group(), init);
    assert_eq!(process.session(), init);
    assert_eq!(process.signals().action(Signal::SIGINT), handler());
    assert_eq!(
        process.signals().blocked(),
        SignalSet::EMPTY.with(Signal::SIGUSR1)
    );
    assert!(process.signals().sigpending().is_empty());
    assert_eq!(table.get(init).unwrap().children(), &[child]);
    assert_eq!(table.fork(Pid(99), "x"), Err(Errno::ESRCH));
}

#[test]
fn exit_then_wait_reaps_once() {
    let (mut table, init) = table();
    let child = table.fork(init, "child").unwrap();
    assert_eq!(table.wait(init, ANY, 0), Ok(WaitResult::WouldBlock));
    assert_eq!(table.wait(init, ANY, WNOHANG), Ok(WaitResult::NothingReady));
    let notifications = table.exit(child, wait_status::exited(3)).unwrap();
    assert!(woke(&notifications, init));
    // Default SIGCHLD is ignored by the receiver but the parent is still woken.
    assert_eq!(
        signals_to(&notifications, init),
        [(Signal::SIGCHLD, PostOutcome::Discarded)]
    );
    assert_eq!(
        table.get(child).unwrap().state(),
        ProcessState::Zombie(0x300)
    );
    assert_eq!(
        table.wait(init, ANY, 0),
        Ok(WaitResult::Reaped {
            pid: child,
            status: 0x300
        })
    );
    assert!(table.get(child).is_none());
    assert_eq!(table.wait(init, ANY, 0), Err(Errno::ECHILD));
    assert_eq!(table.wait(init, ANY, WNOHANG), Err(Errno::ECHILD));
    assert_eq!(table.exit(child, 0), Err(Errno::ESRCH));
}

#[test]
fn wait_before_exit_then_after() {
    let (mut table, init) = table();
    let first = table.fork(init, "a").unwrap();
    let second = table.fork(init, "b").unwrap();
    table.exit(second, wait_status::exited(2)).unwrap();
    table.exit(first, wait_status::exited(1)).unwrap();
    // Oldest child first.
    assert_eq!(
        table.wait(init, ANY, 0),
        Ok(WaitResult::Reaped {
            pid: first,
            status: 0x100
        })
    );
    assert_eq!(
        table.wait(init, ANY, 0),
        Ok(WaitResult::Reaped {
            pid: second,
            status: 0x200
        })
    );
}

#[test]
fn wait_for_specific_child_and_echild() {
    let (mut table, init) = table();
    let first = table.fork(init, "a").unwrap();
    let second = table.fork(init, "b").unwrap();
    let grandchild = table.fork(first, "c").unwrap();
    table.exit(first, 0).unwrap();
    let selector = ProcessSelector::Process(second);
    assert_eq!(
        table.wait(init, selector, WNOHANG),
        Ok(WaitResult::NothingReady)
    );
    // A grandchild is not a child.
    table.exit(grandchild, 0).unwrap();
    assert_eq!(
        table.wait(second, ProcessSelector::Process(grandchild), 0),
        Err(Errno::ECHILD)
    );
    assert_eq!(
        table.wait(init, ProcessSelector::Process(Pid(77)), 0),
        Err(Errno::ECHILD)
    );
    assert_eq!(table.wait(init, selector, 0x100), Err(Errno::EINVAL));
    assert_eq!(table.wait(Pid(77), ANY, 0), Err(Errno::ESRCH));
}

#[test]
fn children_are_reparented_to_init_including_zombies() {
    let (mut table, init) = table();
    let middle = table.fork(init, "middle").unwrap();
    let live = table.fork(middle, "live").unwrap();
    let dead = table.fork(middle, "dead").unwrap();
    table.exit(dead, wait_status::exited(7)).unwrap();
    let notifications = table.exit(middle, 0).unwrap();
    assert!(woke(&notifications, init));
    assert_eq!(table.get(live).unwrap().parent(), Some(init));
    assert_eq!(table.get(dead).unwrap().parent(), Some(init));
    assert_eq!(table.get(init).unwrap().children(), &[middle, live, dead]);
    assert!(table.get(middle).unwrap().children().is_empty());
    assert_eq!(
        table.wait(init, ANY, 0),
        Ok(WaitResult::Reaped {
            pid: middle,
            status: 0
        })
    );
    assert_eq!(
        table.wait(init, ANY, 0),
        Ok(WaitResult::Reaped {
            pid: dead,
            status: 0x700
        })
    );
    assert_eq!(table.wait(init, ANY, WNOHANG), Ok(WaitResult::NothingReady));
    table.exit(live, 0).unwrap();
    assert_eq!(
        table.wait(init, ANY, 0),
        Ok(WaitResult::Reaped {
            pid: live,
            status: 0
        })
    );
}

#[test]
fn sigchld_handler_gets_sigchld() {
    let (mut table, init) = table();
    let shell = table.fork(init, "sh").unwrap();
    table
        .signals_mut(shell)
        .unwrap()
        .sigaction(17, Some(handler()))
        .unwrap();
    let child = table.fork(shell, "ls").unwrap();
    let notifications = table.exit(child, 0).unwrap();
    assert_eq!(
        signals_to(&notifications, shell),
        [(Signal::SIGCHLD, PostOutcome::Pending { interrupt: true })]
    );
    assert!(woke(&notifications, shell));
}

#[test]
fn ignored_sigchld_or_nocldwait_autoreaps() {
    let (mut table, init) = table();
    let parent = table.fork(init, "p").unwrap();
    table
        .signals_mut(parent)
        .unwrap()
        .sigaction(17, Some(Action::IGNORE))
        .unwrap();
    let child = table.fork(parent, "c").unwrap();
    let notifications = table.exit(child, 0).unwrap();
    assert!(signals_to(&notifications, parent).is_empty());
    assert!(woke(&notifications, parent));
    assert!(table.get(child).is_none());
    assert_eq!(table.wait(parent, ANY, 0), Err(Errno::ECHILD));

    let other = table.fork(init, "q").unwrap();
    let nocldwait = Action {
        flags: SA_NOCLDWAIT,
        ..handler()
    };
    table
        .signals_mut(other)
        .unwrap()
        .sigaction(17, Some(nocldwait))
        .unwrap();
    let child = table.fork(other, "c").unwrap();
    let notifications = table.exit(child, 0).unwrap();
    // With a handler and SA_NOCLDWAIT, SIGCHLD is still sent (as on Linux).
    assert_eq!(
        signals_to(&notifications, other),
        [(Signal::SIGCHLD, PostOutcome::Pending { interrupt: true })]
    );
    assert!(table.get(child).is_none());
}

#[test]
fn zombies_reparented_to_an_ignoring_init_are_reaped() {
    let (mut table, init) = table();
    let middle = table.fork(init, "m").unwrap();
    let dead = table.fork(middle, "d").unwrap();
    table
        .signals_mut(init)
        .unwrap()
        .sigaction(17, Some(Action::IGNORE))
        .unwrap();
    table.exit(dead, 0).unwrap();
    assert!(table.get(dead).is_some());
    table.exit(middle, 0).unwrap();
    assert!(table.get(dead).is_none());
    assert!(table.get(middle).is_none());
    assert_eq!(table.len(), 1);
}

#[test]
fn group_waits() {
    let (mut table, init) = table();
    let shell = table.fork(init, "sh").unwrap();
    let job_a = table.fork(shell, "a").unwrap();
    let job_b = table.fork(shell, "b").unwrap();
    table.setpgid(shell, job_b.as_raw(), 0).unwrap();
    table.exit(job_b, 0).unwrap();
    table.exit(job_a, 0).unwrap();
    // 0: same group as the caller (job_a is, job_b is not).
    assert_eq!(
        table.wait(shell, ProcessSelector::from_raw(0), 0),
        Ok(WaitResult::Reaped {
            pid: job_a,
            status: 0
        })
    );
    assert_eq!(
        table.wait(shell, ProcessSelector::OwnGroup, 0),
        Err(Errno::ECHILD)
    );
    let selector = ProcessSelector::from_raw(-job_b.as_raw());
    assert_eq!(selector, ProcessSelector::Group(job_b));
    assert_eq!(
        table.wait(shell, selector, 0),
        Ok(WaitResult::Reaped {
            pid: job_b,
            status: 0
        })
    );
}

#[test]
fn selectors_from_raw() {
    assert_eq!(ProcessSelector::from_raw(-1), ProcessSelector::Any);
    assert_eq!(ProcessSelector::from_raw(0), ProcessSelector::OwnGroup);
    assert_eq!(
        ProcessSelector::from_raw(5),
        ProcessSelector::Process(Pid(5))
    );
    assert_eq!(
        ProcessSelector::from_raw(-5),
        ProcessSelector::Group(Pid(5))
    );
    assert_eq!(
        ProcessSelector::from_raw(i32::MIN),
        ProcessSelector::Group(Pid(1 << 31))
    );
}

#[test]
fn kill_one_process() {
    let (mut table, init) = table();
    let child = table.fork(init, "c").unwrap();
    let notifications = table.kill(init, child.as_raw(), 15).unwrap();
    assert_eq!(
        notifications,
        [Notification::Signal {
            pid: child,
            signal: Signal::SIGTERM,
            outcome: PostOutcome::Terminate(Signal::SIGTERM)
        }]
    );
    assert_eq!(table.kill(init, 99, 15), Err(Errno::ESRCH));
    assert_eq!(table.kill(init, child.as_raw(), 32), Err(Errno::EINVAL));
    assert_eq!(table.kill(init, child.as_raw(), 0), Ok(Vec::new()));
    assert_eq!(table.kill(init, 99, 0), Err(Errno::ESRCH));
    table.exit(child, wait_status::killed(15)).unwrap();
    // A zombie exists but receives nothing.
    assert_eq!(table.kill(init, child.as_raw(), 9), Ok(Vec::new()));
    let Ok(WaitResult::Reaped { status, .. }) = table.wait(init, ANY, 0) else {
        panic!("expected a reaped child");
    };
    assert!(wait_status::is_signaled(status));
    assert_eq!(wait_status::terminating_signal(status), 15);
    assert!(!wait_status::core_dumped(status));
}

#[test]
fn kill_groups_and_everyone() {
    let (mut table, init) = table();
    let shell = table.fork(init, "sh").unwrap();
    let a = table.fork(shell, "a").unwrap();
    let b = table.fork(shell, "b").unwrap();
    table.setpgid(shell, a.as_raw(), 0).unwrap();
    table.setpgid(shell, b.as_raw(), a.as_raw()).unwrap();
    let receivers = |notifications: &[Notification]| -> Vec<Pid> {
        notifications
            .iter()
            .filter_map(|notification| match notification {
                Notification::Signal {
                    pid,
                    signal: Signal::SIGUSR1,
                    ..
                } => Some(*pid),
                _ => None,
            })
            .collect()
    };
    let notifications = table.kill(shell, -a.as_raw(), 10).unwrap();
    assert_eq!(receivers(&notifications), [a, b]);
    let notifications = table.kill(a, 0, 10).unwrap();
    assert_eq!(receivers(&notifications), [a, b]);
    // -1: everyone except pid 1 and the sender.
    let notifications = table.kill(a, -1, 10).unwrap();
    assert_eq!(receivers(&notifications), [shell, b]);
    assert_eq!(table.kill(shell, -77, 10), Err(Errno::ESRCH));
    let notifications = table.signal_group(a, Signal::SIGINT).unwrap();
    assert_eq!(notifications.len(), 2);
    assert_eq!(
        table.signal_group(Pid(77), Signal::SIGINT),
        Err(Errno::ESRCH)
    );
}

#[test]
fn kill_minus_one_with_nobody_else_is_esrch() {
    let (mut table, init) = table();
    assert_eq!(table.kill(init, -1, 15), Err(Errno::ESRCH));
    let child = table.fork(init, "c").unwrap();
    assert_eq!(table.kill(child, -1, 15), Err(Errno::ESRCH));
}

#[test]
fn init_is_protected_except_from_faults() {
    let (mut table, init) = table();
    let child = table.fork(init, "c").unwrap();
    for number in [9, 15, 19, 2] {
        let notifications = table.kill(child, 1, number).unwrap();
        assert_eq!(
            signals_to(&notifications, init)[0].1,
            PostOutcome::Discarded
        );
    }
    assert_eq!(table.get(init).unwrap().state(), ProcessState::Running);
    table
        .signals_mut(init)
        .unwrap()
        .sigaction(15, Some(handler()))
        .unwrap();
    let notifications = table.kill(child, 1, 15).unwrap();
    assert_eq!(
        signals_to(&notifications, init)[0].1,
        PostOutcome::Pending { interrupt: true }
    );
    let notifications = table.fault(init, Signal::SIGSEGV).unwrap();
    assert_eq!(
        signals_to(&notifications, init)[0].1,
        PostOutcome::Terminate(Signal::SIGSEGV)
    );
}

#[test]
fn sigkill_terminates_even_when_everything_is_blocked() {
    let (mut table, init) = table();
    let child = table.fork(init, "c").unwrap();
    let signals = table.signals_mut(child).unwrap();
    signals.sigprocmask(2, Some(SignalSet::ALL)).unwrap();
    assert_eq!(
        signals.sigaction(9, Some(Action::IGNORE)),
        Err(Errno::EINVAL)
    );
    let notifications = table.kill(init, child.as_raw(), 9).unwrap();
    assert_eq!(
        signals_to(&notifications, child),
        [(Signal::SIGKILL, PostOutcome::Terminate(Signal::SIGKILL))]
    );
}

#[test]
fn stop_and_continue_are_reported_once() {
    let (mut table, init) = table();
    let shell = table.fork(init, "sh").unwrap();
    table
        .signals_mut(shell)
        .unwrap()
        .sigaction(17, Some(handler()))
        .unwrap();
    let job = table.fork(shell, "job").unwrap();

    let notifications = table.kill(shell, job.as_raw(), 20).unwrap();
    assert_eq!(
        signals_to(&notifications, job),
        [(Signal::SIGTSTP, PostOutcome::Stop(Signal::SIGTSTP))]
    );
    assert_eq!(
        signals_to(&notifications, shell),
        [(Signal::SIGCHLD, PostOutcome::Pending { interrupt: true })]
    );
    assert!(woke(&notifications, shell));
    assert_eq!(
        table.get(job).unwrap().state(),
        ProcessState::Stopped(Signal::SIGTSTP)
    );

    // Not reported without WUNTRACED.
    assert_eq!(
        table.wait(shell, ANY, WNOHANG),
        Ok(WaitResult::NothingReady)
    );
    let status = wait_status::stopped(20);
    assert_eq!(
        table.wait(shell, ANY, WNOHANG | WUNTRACED),
        Ok(WaitResult::Reported { pid: job, status })
    );
    assert!(wait_status::is_stopped(status));
    assert_eq!(wait_status::stopping_signal(status), 20);
    assert_eq!(
        table.wait(shell, ANY, WNOHANG | WUNTRACED),
        Ok(WaitResult::NothingReady)
    );

    // A second stop changes nothing.
    let notifications = table.kill(shell, job.as_raw(), 19).unwrap();
    assert!(!woke(&notifications, shell));

    let notifications = table.kill(shell, job.as_raw(), 18).unwrap();
    assert_eq!(
        signals_to(&notifications, job),
        [(
            Signal::SIGCONT,
            PostOutcome::Continue {
                pending: false,
                interrupt: false
            }
        )]
    );
    assert!(woke(&notifications, shell));
    assert_eq!(table.get(job).unwrap().state(), ProcessState::Running);
    assert_eq!(
        table.wait(shell, ANY, WNOHANG | WUNTRACED),
        Ok(WaitResult::NothingReady)
    );
    assert_eq!(
        table.wait(shell, ANY, WNOHANG | WCONTINUED),
        Ok(WaitResult::Reported {
            pid: job,
            status: wait_status::CONTINUED
        })
    );
    assert_eq!(
        table.wait(shell, ANY, WNOHANG | WCONTINUED),
        Ok(WaitResult::NothingReady)
    );

    // SIGCONT to a running process: nothing to report.
    let notifications = table.kill(shell, job.as_raw(), 18).unwrap();
    assert!(!woke(&notifications, shell));
}

#[test]
fn continue_replaces_an_uncollected_stop_report() {
    let (mut table, init) = table();
    let job = table.fork(init, "job").unwrap();
    table.kill(init, job.as_raw(), 19).unwrap();
    table.kill(init, job.as_raw(), 18).unwrap();
    assert_eq!(
        table.wait(init, ANY, WNOHANG | WUNTRACED),
        Ok(WaitResult::NothingReady)
    );
    table.kill(init, job.as_raw(), 19).unwrap();
    table.exit(job, wait_status::killed(9)).unwrap();
    assert_eq!(
        table.wait(init, ANY, WUNTRACED | WCONTINUED),
        Ok(WaitResult::Reaped {
            pid: job,
            status: 9
        })
    );
}

#[test]
fn nocldstop_suppresses_sigchld_but_still_wakes() {
    let (mut table, init) = table();
    let shell = table.fork(init, "sh").unwrap();
    let action = Action {
        flags: SA_NOCLDSTOP,
        ..handler()
    };
    table
        .signals_mut(shell)
        .unwrap()
        .sigaction(17, Some(action))
        .unwrap();
    let job = table.fork(shell, "job").unwrap();
    let notifications = table.kill(shell, job.as_raw(), 19).unwrap();
    assert!(signals_to(&notifications, shell).is_empty());
    assert!(woke(&notifications, shell));
    let notifications = table.exit(job, wait_status::killed(9)).unwrap();
    assert_eq!(signals_to(&notifications, shell).len(), 1);
}

#[test]
fn stop_from_delivery() {
    let (mut table, init) = table();
    let job = table.fork(init, "job").unwrap();
    let signals = table.signals_mut(job).unwrap();
    signals
        .sigprocmask(0, Some(SignalSet::EMPTY.with(Signal::SIGTTOU)))
        .unwrap();
    let notifications = table.kill(init, job.as_raw(), 22).unwrap();
    assert_eq!(
        signals_to(&notifications, job)[0].1,
        PostOutcome::Pending { interrupt: false }
    );
    assert_eq!(table.get(job).unwrap().state(), ProcessState::Running);
    let signals = table.signals_mut(job).unwrap();
    signals.sigprocmask(2, Some(SignalSet::EMPTY)).unwrap();
    assert_eq!(
        signals.next_deliverable(),
        Some(crate::signals::Delivery::Stop(Signal::SIGTTOU))
    );
    let notifications = table.stop(job, Signal::SIGTTOU).unwrap();
    assert!(woke(&notifications, init));
    assert_eq!(
        table.get(job).unwrap().state(),
        ProcessState::Stopped(Signal::SIGTTOU)
    );
    assert_eq!(
        table.wait(init, ANY, WUNTRACED),
        Ok(WaitResult::Reported {
            pid: job,
            status: wait_status::stopped(22)
        })
    );
}

#[test]
fn setpgid_rules() {
    let (mut table, init) = table();
    let shell = table.fork(init, "sh").unwrap();
    assert_eq!(table.setsid(shell), Ok(shell));
    let child = table.fork(shell, "c").unwrap();
    let other = table.fork(init, "o").unwrap();

    assert_eq!(table.setpgid(shell, child.as_raw(), -1), Err(Errno::EINVAL));
    // Not the caller nor a child.
    assert_eq!(table.setpgid(shell, other.as_raw(), 0), Err(Errno::ESRCH));
    assert_eq!(table.setpgid(shell, 999, 0), Err(Errno::ESRCH));
    // A session leader cannot change group.
    assert_eq!(table.setpgid(shell, 0, 0), Err(Errno::EPERM));
    // A child in another session.
    let grandchild = table.fork(child, "g").unwrap();
    table.setsid(grandchild).unwrap();
    assert_eq!(
        table.setpgid(child, grandchild.as_raw(), 0),
        Err(Errno::EPERM)
    );
    // A group that does not exist in the session.
    assert_eq!(
        table.setpgid(shell, child.as_raw(), other.as_raw()),
        Err(Errno::EPERM)
    );
    assert_eq!(
        table.setpgid(shell, child.as_raw(), init.as_raw()),
        Err(Errno::EPERM)
    );
    // Own group, then back to the shell's group.
    assert_eq!(table.setpgid(shell, child.as_raw(), 0), Ok(()));
    assert_eq!(table.getpgid(shell, child.as_raw()), Ok(child));
    assert_eq!(table.setpgid(child, 0, shell.as_raw()), Ok(()));
    assert_eq!(table.getpgid(child, 0), Ok(shell));
    // After exec, the parent can no longer move it.
    table.mark_execed(child).unwrap();
    assert!(table.get(child).unwrap().has_execed());
    assert_eq!(table.setpgid(shell, child.as_raw(), 0), Err(Errno::EACCES));
    // But it can move itself.
    assert_eq!(table.setpgid(child, 0, 0), Ok(()));
}

#[test]
fn setsid_and_getsid() {
    let (mut table, init) = table();
    // Pid 1 leads its group already.
    assert_eq!(table.setsid(init), Err(Errno::EPERM));
    let child = table.fork(init, "c").unwrap();
    assert_eq!(table.getsid(child, 0), Ok(init));
    assert_eq!(table.setsid(child), Ok(child));
    assert_eq!(table.getsid(init, child.as_raw()), Ok(child));
    assert_eq!(table.getpgid(init, child.as_raw()), Ok(child));
    assert_eq!(table.setsid(child), Err(Errno::EPERM));
    assert_eq!(table.getsid(init, 999), Err(Errno::ESRCH));
    assert_eq!(table.getpgid(init, -3), Err(Errno::ESRCH));
    // A group leader that moved out still has its pid used as a group id.
    let leader = table.fork(child, "l").unwrap();
    table.setpgid(leader, 0, 0).unwrap();
    let member = table.fork(leader, "m").unwrap();
    table.setpgid(leader, 0, child.as_raw()).unwrap();
    assert_eq!(table.getpgid(member, 0), Ok(leader));
    assert_eq!(table.setsid(leader), Err(Errno::EPERM));
}

#[test]
fn exec_resets_handlers_keeps_ignored() {
    let (mut table, init) = table();
    let child = table.fork(init, "c").unwrap();
    let signals = table.signals_mut(child).unwrap();
    signals.sigaction(2, Some(handler())).unwrap();
    signals.sigaction(3, Some(Action::IGNORE)).unwrap();
    table.mark_execed(child).unwrap();
    let signals = table.signals(child).unwrap();
    assert_eq!(signals.action(Signal::SIGINT), Action::DEFAULT);
    assert_eq!(signals.action(Signal::SIGQUIT), Action::IGNORE);
    assert_eq!(table.mark_execed(Pid(99)), Err(Errno::ESRCH));
}

#[test]
fn process_limit_gives_eagain() {
    let mut table: ProcessTable<()> = ProcessTable::new(3);
    let init = table.spawn_first(()).unwrap();
    let a = table.fork(init, ()).unwrap();
    table.fork(init, ()).unwrap();
    assert_eq!(table.fork(init, ()), Err(Errno::EAGAIN));
    // Zombies count until reaped.
    table.exit(a, 0).unwrap();
    assert_eq!(table.fork(init, ()), Err(Errno::EAGAIN));
    table.wait(init, ProcessSelector::Process(a), 0).unwrap();
    assert!(table.fork(init, ()).is_ok());
    table.set_max_processes(10);
    assert_eq!(table.max_processes(), 10);
}

#[test]
fn pids_increase_then_wrap_skipping_used_ids() {
    let mut table: ProcessTable<()> = ProcessTable::new(16);
    let init = table.spawn_first(()).unwrap();
    let long_lived = table.fork(init, ()).unwrap();
    assert_eq!(long_lived, Pid(2));
    let group_keeper = table.fork(init, ()).unwrap();
    assert_eq!(group_keeper, Pid(3));
    table.setpgid(group_keeper, 0, 0).unwrap();
    let member = table.fork(group_keeper, ()).unwrap();
    assert_eq!(member, Pid(4));
    // The group leader exits and is reaped: pid 3 is still the group's id.
    table.exit(group_keeper, 0).unwrap();
    table
        .wait(init, ProcessSelector::Process(group_keeper), 0)
        .unwrap();
    let mut last = member.0;
    for _ in 0..PID_LIMIT {
        let pid = table.fork(init, ()).unwrap();
        assert!(pid.0 < PID_LIMIT);
        assert_ne!(pid, init);
        assert_ne!(pid, long_lived);
        assert_ne!(pid, Pid(3));
        assert_ne!(pid, member);
        assert!(pid.0 > last || pid.0 == 5, "pid {pid} after {last}");
        last = pid.0;
        table.exit(pid, 0).unwrap();
        assert_eq!(
            table.wait(init, ProcessSelector::Process(pid), 0),
            Ok(WaitResult::Reaped { pid, status: 0 })
        );
    }
}

#[test]
fn ps_listing() {
    let (mut table, init) = table();
    let child = table.fork(init, "c").unwrap();
    table.kill(init, child.as_raw(), 19).unwrap();
    let listing: Vec<ProcessInfo> = table.processes().collect();
    assert_eq!(listing.len(), 2);
    assert_eq!(listing[1].pid, child);
    assert_eq!(listing[1].parent, Some(init));
    assert_eq!(listing[1].group, init);
    assert_eq!(listing[1].session, init);
    assert_eq!(listing[1].state, ProcessState::Stopped(Signal::SIGSTOP));
    assert_eq!(table.group_members(init), [init, child]);
}

#[test]
fn exit_of_init_keeps_its_children() {
    let (mut table, init) = table();
    let child = table.fork(init, "c").unwrap();
    let notifications = table.exit(init, 0).unwrap();
    assert!(notifications.is_empty());
    assert_eq!(table.get(child).unwrap().parent(), Some(init));
    assert!(table.get(init).unwrap().is_zombie());
    assert_eq!(table.fork(init, "x"), Err(Errno::ESRCH));
}

#[test]
fn exit_of_session_leader_hangs_up_stopped_orphaned_jobs() {
    let (mut table, init) = table();
    let shell = table.fork(init, "sh").unwrap();
    table.setsid(shell).unwrap();
    let job = table.fork(shell, "job").unwrap();
    table.setpgid(shell, job.as_raw(), 0).unwrap();
    let running_job = table.fork(shell, "running").unwrap();
    table.setpgid(shell, running_job.as_raw(), 0).unwrap();
    assert!(!table.is_orphaned_group(job));
    table.kill(shell, job.as_raw(), 20).unwrap();
    let notifications = table.exit(shell, 0).unwrap();
    assert_eq!(
        signals_to(&notifications, job),
        [
            (Signal::SIGHUP, PostOutcome::Terminate(Signal::SIGHUP)),
            (
                Signal::SIGCONT,
                PostOutcome::Continue {
                    pending: false,
                    interrupt: false
                }
            ),
        ]
    );
    assert_eq!(table.get(job).unwrap().state(), ProcessState::Running);
    // A group with no stopped member is left alone.
    assert!(signals_to(&notifications, running_job).is_empty());
    assert!(table.is_orphaned_group(running_job));
}

#[test]
fn exit_orphaning_its_own_group_hangs_it_up() {
    let (mut table, init) = table();
    let shell = table.fork(init, "sh").unwrap();
    table.setsid(shell).unwrap();
    let leader = table.fork(shell, "leader").unwrap();
    table.setpgid(shell, leader.as_raw(), 0).unwrap();
    let member = table.fork(leader, "member").unwrap();
    let other = table.fork(leader, "other").unwrap();
    table.kill(shell, member.as_raw(), 19).unwrap();
    let notifications = table.exit(leader, 0).unwrap();
    assert_eq!(signals_to(&notifications, member).len(), 2);
    assert_eq!(signals_to(&notifications, other)[0].0, Signal::SIGHUP);
    // The shell still learns about the exit.
    assert!(woke(&notifications, shell));
}

#[test]
fn group_still_linked_is_not_hung_up() {
    let (mut table, init) = table();
    let shell = table.fork(init, "sh").unwrap();
    table.setsid(shell).unwrap();
    let first = table.fork(shell, "first").unwrap();
    table.setpgid(shell, first.as_raw(), 0).unwrap();
    let middle = table.fork(shell, "middle").unwrap();
    let second = table.fork(middle, "second").unwrap();
    table.setpgid(second, 0, first.as_raw()).unwrap();
    table.kill(shell, first.as_raw(), 19).unwrap();
    // `second` leaves the group of `first`, whose parent (the shell) still links it.
    let notifications = table.exit(second, 0).unwrap();
    assert!(signals_to(&notifications, first).is_empty());
    assert!(!table.is_orphaned_group(first));
}

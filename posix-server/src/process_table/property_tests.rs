//! Property test: random sequences of process table operations never panic and
//! keep the table consistent.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use proptest::prelude::*;

use super::*;
use crate::signals::{Action, SignalSet};

#[derive(Clone, Debug)]
enum Operation {
    Fork(usize),
    Exit(usize, i32),
    Wait(usize, i32, u32),
    Kill(usize, i32, u32),
    KillPicked(usize, usize, u32),
    Setpgid(usize, usize, usize),
    Setsid(usize),
    IgnoreSigchld(usize, bool),
    Block(usize, u64),
    Exec(usize),
}

fn operation() -> impl Strategy<Value = Operation> {
    prop_oneof![
        3 => (any::<usize>()).prop_map(Operation::Fork),
        2 => (any::<usize>(), any::<i32>()).prop_map(|(index, code)| Operation::Exit(index, code)),
        3 => (any::<usize>(), -4..6i32, 0..12u32).prop_map(|(index, pid, options)| Operation::Wait(index, pid, options)),
        1 => (any::<usize>(), -6..6i32, 0..34u32).prop_map(|(index, pid, signal)| Operation::Kill(index, pid, signal)),
        2 => (any::<usize>(), any::<usize>(), prop::sample::select(vec![9u32, 15, 17, 18, 19, 20, 2, 10]))
            .prop_map(|(sender, target, signal)| Operation::KillPicked(sender, target, signal)),
        1 => (any::<usize>(), any::<usize>(), any::<usize>()).prop_map(|(caller, pid, group)| Operation::Setpgid(caller, pid, group)),
        1 => any::<usize>().prop_map(Operation::Setsid),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(index, ignore)| Operation::IgnoreSigchld(index, ignore)),
        1 => (any::<usize>(), any::<u64>()).prop_map(|(index, mask)| Operation::Block(index, mask)),
        1 => any::<usize>().prop_map(Operation::Exec),
    ]
}

fn pick(table: &ProcessTable<u32>, index: usize) -> Pid {
    let pids: Vec<Pid> = table.processes().map(|info| info.pid).collect();
    pids.get(index % pids.len().max(1))
        .copied()
        .unwrap_or(Pid::INIT)
}

fn check_invariants(table: &ProcessTable<u32>) {
    assert!(table.len() <= table.max_processes());
    for info in table.processes() {
        let process = table.get(info.pid).unwrap();
        assert_eq!(*process.payload(), info.pid.0);
        if info.pid == Pid::INIT {
            assert_eq!(info.parent, None);
        } else {
            let parent = info.parent.expect("every process but 1 has a parent");
            let parent_process = table.get(parent).expect("the parent exists");
            assert_eq!(
                parent_process
                    .children()
                    .iter()
                    .filter(|child| **child == info.pid)
                    .count(),
                1
            );
        }
        for child in process.children() {
            assert_eq!(table.get(*child).unwrap().parent(), Some(info.pid));
        }
        assert!(
            !process
                .signals()
                .blocked()
                .contains(crate::signals::Signal::SIGKILL)
        );
        assert!(
            !process
                .signals()
                .blocked()
                .contains(crate::signals::Signal::SIGSTOP)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_operations_keep_the_table_consistent(operations in prop::collection::vec(operation(), 1..120)) {
        let mut table: ProcessTable<u32> = ProcessTable::new(12);
        table.spawn_first(1).unwrap();
        // Pids that are in the table as far as the test knows; a reaped pid must
        // not be reaped again until fork hands it out anew.
        let mut alive: BTreeSet<Pid> = BTreeSet::from([Pid::INIT]);
        for operation in operations {
            let mut autoreaped_check = false;
            match operation {
                Operation::Fork(index) => {
                    let parent = pick(&table, index);
                    let next = table.processes().map(|info| info.pid.0).max().unwrap_or(1) + 1;
                    if let Ok(pid) = table.fork(parent, next) {
                        // Fix the payload to be the pid.
                        *table.get_mut(pid).unwrap().payload_mut() = pid.0;
                        prop_assert!(alive.insert(pid), "fork handed out a pid in use");
                    }
                }
                Operation::Exit(index, code) => {
                    let pid = pick(&table, index);
                    if pid != Pid::INIT {
                        let _ = table.exit(pid, crate::signals::wait_status::exited(code));
                        autoreaped_check = true;
                    }
                }
                Operation::Wait(index, selector, options) => {
                    let parent = pick(&table, index);
                    if let Ok(WaitResult::Reaped { pid, .. }) =
                        table.wait(parent, ProcessSelector::from_raw(selector), options)
                    {
                        prop_assert!(alive.remove(&pid), "reaped twice");
                        prop_assert!(table.get(pid).is_none());
                    }
                }
                Operation::Kill(index, target, signal) => {
                    let sender = pick(&table, index);
                    let _ = table.kill(sender, target, signal);
                }
                Operation::KillPicked(sender, target, signal) => {
                    let sender = pick(&table, sender);
                    let target = pick(&table, target);
                    if let Ok(notifications) = table.kill(sender, target.as_raw(), signal) {
                        for notification in notifications {
                            if let Notification::Signal { pid, outcome: crate::signals::PostOutcome::Terminate(signal), .. } = notification {
                                let _ = table.exit(pid, crate::signals::wait_status::killed(signal.number() as i32));
                                autoreaped_check = true;
                            }
                        }
                    }
                }
                Operation::Setpgid(caller, pid, group) => {
                    let caller = pick(&table, caller);
                    let pid = pick(&table, pid);
                    let group = pick(&table, group);
                    let _ = table.setpgid(caller, pid.as_raw(), group.as_raw());
                }
                Operation::Setsid(index) => {
                    let pid = pick(&table, index);
                    let _ = table.setsid(pid);
                }
                Operation::IgnoreSigchld(index, ignore) => {
                    let pid = pick(&table, index);
                    let action = if ignore { Action::IGNORE } else { Action::DEFAULT };
                    table.signals_mut(pid).unwrap().sigaction(17, Some(action)).unwrap();
                }
                Operation::Block(index, mask) => {
                    let pid = pick(&table, index);
                    table.signals_mut(pid).unwrap().sigprocmask(2, Some(SignalSet::from_bits(mask))).unwrap();
                }
                Operation::Exec(index) => {
                    let pid = pick(&table, index);
                    let _ = table.mark_execed(pid);
                }
            }
            if autoreaped_check {
                // Autoreaped processes leave the table without wait.
                alive.retain(|pid| table.get(*pid).is_some());
            }
            let present: BTreeSet<Pid> = table.processes().map(|info| info.pid).collect();
            prop_assert_eq!(&present, &alive);
            check_invariants(&table);
        }
    }
}

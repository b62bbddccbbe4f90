//! Sending signals to processes (`kill`, the tty's group signals, faults) and the
//! stop/continue state changes they cause.

use alloc::vec::Vec;

use posix_server_api::Errno;

use super::notification::Notification;
use super::pid::{Pid, ProcessSelector};
use super::process::ProcessState;
use super::table::ProcessTable;
use crate::signals::action::SA_NOCLDSTOP;
use crate::signals::{Handler, PostOutcome, Signal, wait_status};

impl<T> ProcessTable<T> {
    /// `kill(target, number)` sent by `sender`: `target` > 0 one process, 0 the
    /// sender's group, -1 every process but pid 1 and the sender, < -1 the group
    /// `|target|`. Signal 0 only checks that a target exists. Returns what the
    /// runtime must act on: one `Notification::Signal` per live target (zombies
    /// exist but receive nothing), and the `SIGCHLD`/wake-ups that stops and
    /// continues cause. `EINVAL` for a bad signal number; `ESRCH` if the sender
    /// or every target is missing. There are no user ids, so no `EPERM`.
    ///
    /// Pid 1 is protected as on Linux: signals it has not installed a handler
    /// for (`SIGKILL` and `SIGSTOP` included) are discarded, except that
    /// `SIGCONT` still continues it.
    pub fn kill(
        &mut self,
        sender: Pid,
        target: i32,
        number: u32,
    ) -> Result<Vec<Notification>, Errno> {
        let signal = if number == 0 {
            None
        } else {
            Some(Signal::new(number)?)
        };
        let sender_group = self.processes.get(&sender).ok_or(Errno::ESRCH)?.group;
        let targets: Vec<Pid> = match ProcessSelector::from_raw(target) {
            ProcessSelector::Process(pid) => {
                if self.processes.contains_key(&pid) {
                    alloc::vec![pid]
                } else {
                    Vec::new()
                }
            }
            ProcessSelector::OwnGroup => self.group_members(sender_group),
            ProcessSelector::Group(group) => self.group_members(group),
            ProcessSelector::Any => self
                .processes
                .keys()
                .copied()
                .filter(|pid| *pid != Pid::INIT && *pid != sender)
                .collect(),
        };
        if targets.is_empty() {
            return Err(Errno::ESRCH);
        }
        let mut notifications = Vec::new();
        if let Some(signal) = signal {
            for pid in targets {
                self.send(pid, signal, false, &mut notifications);
            }
        }
        Ok(notifications)
    }

    /// Sends `signal` to every member of process group `group` (the tty's
    /// Ctrl-C, Ctrl-Z, Ctrl-\, `SIGHUP`...). `ESRCH` if the group is empty.
    pub fn signal_group(&mut self, group: Pid, signal: Signal) -> Result<Vec<Notification>, Errno> {
        let members = self.group_members(group);
        if members.is_empty() {
            return Err(Errno::ESRCH);
        }
        let mut notifications = Vec::new();
        for pid in members {
            self.send(pid, signal, false, &mut notifications);
        }
        Ok(notifications)
    }

    /// Sends `signal` to `pid` as a fault does (a segfault mm-server could not
    /// resolve, a bad instruction): a blocked or ignored signal is unblocked and
    /// reset to default first, so it kills the process (pid 1 included) unless a
    /// handler catches it. `ESRCH` if `pid` does not exist or has ended.
    pub fn fault(&mut self, pid: Pid, signal: Signal) -> Result<Vec<Notification>, Errno> {
        self.live(pid)?;
        let mut notifications = Vec::new();
        self.send(pid, signal, true, &mut notifications);
        Ok(notifications)
    }

    /// The process `pid` stops by `signal` (call it for `Delivery::Stop`; `kill`
    /// does it by itself for `PostOutcome::Stop`). Records a report for
    /// `WUNTRACED` and tells the parent (`SIGCHLD` unless it set `SA_NOCLDSTOP`).
    /// Nothing happens if it is already stopped. `ESRCH` if it does not exist or
    /// has ended.
    pub fn stop(&mut self, pid: Pid, signal: Signal) -> Result<Vec<Notification>, Errno> {
        self.live(pid)?;
        let mut notifications = Vec::new();
        self.change_stopped(pid, Some(signal), &mut notifications);
        Ok(notifications)
    }

    /// Posts `signal` to `pid` (forced for faults) and applies the stop/continue
    /// state change it causes. Zombies and missing processes receive nothing.
    pub(super) fn send(
        &mut self,
        pid: Pid,
        signal: Signal,
        forced: bool,
        notifications: &mut Vec<Notification>,
    ) {
        let Some(process) = self.processes.get_mut(&pid) else {
            return;
        };
        if process.is_zombie() {
            return;
        }
        let protected = pid == Pid::INIT
            && !forced
            && signal != Signal::SIGCONT
            && process.signals.action(signal).handler == Handler::Default;
        let outcome = if protected {
            PostOutcome::Discarded
        } else if forced {
            process.signals.force(signal)
        } else {
            process.signals.post(signal)
        };
        notifications.push(Notification::Signal {
            pid,
            signal,
            outcome,
        });
        match outcome {
            PostOutcome::Stop(signal) => self.change_stopped(pid, Some(signal), notifications),
            PostOutcome::Continue { .. } => self.change_stopped(pid, None, notifications),
            PostOutcome::Discarded | PostOutcome::Pending { .. } | PostOutcome::Terminate(_) => {}
        }
    }

    /// Stops `pid` (`Some(signal)`) or continues it (`None`) if that changes its
    /// state, records the report for `wait` and tells the parent.
    fn change_stopped(
        &mut self,
        pid: Pid,
        stop: Option<Signal>,
        notifications: &mut Vec<Notification>,
    ) {
        let Some(process) = self.processes.get_mut(&pid) else {
            return;
        };
        let (state, status) = match (process.state, stop) {
            (ProcessState::Running, Some(signal)) => (
                ProcessState::Stopped(signal),
                wait_status::stopped(signal.number() as i32),
            ),
            (ProcessState::Stopped(_), None) => (ProcessState::Running, wait_status::CONTINUED),
            _ => return,
        };
        process.state = state;
        process.report = Some(status);
        let Some(parent) = process.parent else {
            return;
        };
        let wants_sigchld = self.processes.get(&parent).is_some_and(|parent| {
            !parent
                .signals
                .action(Signal::SIGCHLD)
                .has_flag(SA_NOCLDSTOP)
        });
        if wants_sigchld {
            self.send(parent, Signal::SIGCHLD, false, notifications);
        }
        notifications.push(Notification::ChildChanged { parent });
    }
}

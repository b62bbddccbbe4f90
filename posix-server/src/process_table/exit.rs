//! `exit`: a process becomes a zombie, its children go to pid 1, its parent is told
//! (or reaps it at once when it ignores `SIGCHLD` or set `SA_NOCLDWAIT`).

use alloc::vec::Vec;

use posix_server_api::Errno;

use super::notification::Notification;
use super::pid::Pid;
use super::process::ProcessState;
use super::table::ProcessTable;
use crate::signals::action::SA_NOCLDWAIT;
use crate::signals::{Handler, Signal};

impl<T> ProcessTable<T> {
    /// The process `pid` has ended with wait status `status`
    /// (`wait_status::exited(code)` or `wait_status::killed(signal)`); call it once the
    /// runtime has torn the process down. It becomes a zombie; its children (zombies
    /// included) are reparented to pid 1, which is told of the zombies among them;
    /// its parent gets `SIGCHLD` and is woken, or reaps it at once if it ignores
    /// `SIGCHLD` or set `SA_NOCLDWAIT` (then the pid is free on return). Process
    /// groups this exit orphans that have a stopped member get `SIGHUP` and
    /// `SIGCONT` (act on those notifications too: `SIGHUP` usually terminates).
    ///
    /// When pid 1 itself ends it stays a zombie nobody reaps, keeping its children:
    /// the runtime decides what happens to the system. `ESRCH` if `pid` does not
    /// exist or has already ended. The payload stays until the zombie is reaped.
    pub fn exit(&mut self, pid: Pid, status: i32) -> Result<Vec<Notification>, Errno> {
        self.live(pid)?;
        let mut notifications = Vec::new();
        let mut orphans = Vec::new();
        if let Some(process) = self.processes.get_mut(&pid) {
            process.state = ProcessState::Zombie(status);
            process.report = None;
            if pid != Pid::INIT {
                orphans = core::mem::take(&mut process.children);
            }
        }
        for orphan in &orphans {
            if let Some(child) = self.processes.get_mut(orphan) {
                child.parent = Some(Pid::INIT);
            }
        }
        if let Some(init) = self.processes.get_mut(&Pid::INIT) {
            init.children.extend_from_slice(&orphans);
        }
        for orphan in orphans {
            if self
                .processes
                .get(&orphan)
                .is_some_and(|child| child.is_zombie())
            {
                self.notify_parent_of_exit(orphan, &mut notifications);
            }
            self.hang_up_if_orphaned(orphan, pid, &mut notifications);
        }
        if let Some(parent) = self.processes.get(&pid).and_then(|process| process.parent) {
            self.hang_up_if_orphaned(pid, parent, &mut notifications);
        }
        self.notify_parent_of_exit(pid, &mut notifications);
        Ok(notifications)
    }

    /// Tells the parent of the zombie `child` that it ended, as Linux's
    /// `do_notify_parent`: `SIGCHLD` unless ignored; reaped at once under
    /// `SIG_IGN` or `SA_NOCLDWAIT`.
    fn notify_parent_of_exit(&mut self, child: Pid, notifications: &mut Vec<Notification>) {
        let Some(parent) = self
            .processes
            .get(&child)
            .and_then(|process| process.parent)
        else {
            return;
        };
        let Some(action) = self
            .processes
            .get(&parent)
            .map(|process| process.signals.action(Signal::SIGCHLD))
        else {
            return;
        };
        if action.handler != Handler::Ignore {
            self.send(parent, Signal::SIGCHLD, false, notifications);
        }
        if action.handler == Handler::Ignore || action.has_flag(SA_NOCLDWAIT) {
            self.remove(child);
        }
        notifications.push(Notification::ChildChanged { parent });
    }
}

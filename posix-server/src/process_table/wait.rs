//! `wait`: collecting ended, stopped and continued children.

use posix_server_api::Errno;

use super::pid::{Pid, ProcessSelector};
use super::process::{Process, ProcessState};
use super::table::ProcessTable;
use crate::signals::wait_status;

/// `waitpid` option: return at once if no child is ready.
pub const WNOHANG: u32 = 1;
/// `waitpid` option: also report stopped children.
pub const WUNTRACED: u32 = 2;
/// `waitpid` option: also report continued children.
pub const WCONTINUED: u32 = 8;

/// The result of [`ProcessTable::wait`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitResult {
    /// A zombie child was reaped (removed from the table; its pid is free).
    Reaped {
        /// The child.
        pid: Pid,
        /// Its wait status.
        status: i32,
    },
    /// A child stopped (`WUNTRACED`) or continued (`WCONTINUED`); reported once.
    Reported {
        /// The child.
        pid: Pid,
        /// Its wait status (`wait_status::stopped(signal)` or `CONTINUED`).
        status: i32,
    },
    /// Matching children exist but none is ready: block, and retry when a
    /// `Notification::ChildChanged` names this parent (or a signal interrupts).
    WouldBlock,
    /// `WNOHANG` and none ready: `waitpid` returns 0.
    NothingReady,
}

impl<T> ProcessTable<T> {
    /// `waitpid(selector, options)` called by `parent`. Children are examined
    /// oldest first; the first that is a zombie is reaped, or that has a stop
    /// (`WUNTRACED`) or continue (`WCONTINUED`) report not yet collected is
    /// reported. `EINVAL` for option bits other than `WNOHANG | WUNTRACED |
    /// WCONTINUED`; `ECHILD` if no child matches `selector`; `ESRCH` if `parent`
    /// does not exist.
    pub fn wait(
        &mut self,
        parent: Pid,
        selector: ProcessSelector,
        options: u32,
    ) -> Result<WaitResult, Errno> {
        if options & !(WNOHANG | WUNTRACED | WCONTINUED) != 0 {
            return Err(Errno::EINVAL);
        }
        let caller = self.processes.get(&parent).ok_or(Errno::ESRCH)?;
        let own_group = caller.group;
        let mut any_match = false;
        let mut ready = None;
        for child_pid in &caller.children {
            let Some(child) = self.processes.get(child_pid) else {
                continue;
            };
            if !matches_selector(child, selector, own_group) {
                continue;
            }
            any_match = true;
            if let Some(result) = readiness(child, options) {
                ready = Some(result);
                break;
            }
        }
        match ready {
            Some(WaitResult::Reaped { pid, status }) => {
                self.remove(pid);
                Ok(WaitResult::Reaped { pid, status })
            }
            Some(WaitResult::Reported { pid, status }) => {
                if let Some(child) = self.processes.get_mut(&pid) {
                    child.report = None;
                }
                Ok(WaitResult::Reported { pid, status })
            }
            _ if !any_match => Err(Errno::ECHILD),
            _ if options & WNOHANG != 0 => Ok(WaitResult::NothingReady),
            _ => Ok(WaitResult::WouldBlock),
        }
    }
}

fn matches_selector<T>(child: &Process<T>, selector: ProcessSelector, own_group: Pid) -> bool {
    match selector {
        ProcessSelector::Any => true,
        ProcessSelector::Process(pid) => child.pid == pid,
        ProcessSelector::OwnGroup => child.group == own_group,
        ProcessSelector::Group(group) => child.group == group,
    }
}

/// What waiting on `child` would give now, if anything.
fn readiness<T>(child: &Process<T>, options: u32) -> Option<WaitResult> {
    if let ProcessState::Zombie(status) = child.state {
        return Some(WaitResult::Reaped {
            pid: child.pid,
            status,
        });
    }
    let status = child.report?;
    let wanted = if wait_status::is_continued(status) {
        options & WCONTINUED != 0
    } else {
        options & WUNTRACED != 0
    };
    wanted.then_some(WaitResult::Reported {
        pid: child.pid,
        status,
    })
}

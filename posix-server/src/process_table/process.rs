//! One entry of the process table ([`Process`]), its [`ProcessState`] and the
//! summary `ps` shows ([`ProcessInfo`]).

use alloc::vec::Vec;

use super::pid::Pid;
use crate::signals::{Signal, SignalState};

/// Whether a process runs, is stopped or has ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcessState {
    /// Running (or blocked in a call: the table does not distinguish).
    Running,
    /// Stopped by this signal.
    Stopped(Signal),
    /// Ended, waiting to be reaped; holds its wait status.
    Zombie(i32),
}

/// One process: its POSIX state plus the runtime's payload `T`.
#[derive(Debug)]
pub struct Process<T> {
    pub(super) pid: Pid,
    pub(super) parent: Option<Pid>,
    pub(super) group: Pid,
    pub(super) session: Pid,
    pub(super) state: ProcessState,
    pub(super) signals: SignalState,
    pub(super) children: Vec<Pid>,
    pub(super) has_execed: bool,
    /// A stop or continue status the parent has not collected yet.
    pub(super) report: Option<i32>,
    pub(super) payload: T,
}

impl<T> Process<T> {
    /// The process id.
    #[must_use]
    pub const fn pid(&self) -> Pid {
        self.pid
    }

    /// The parent (`None` only for pid 1).
    #[must_use]
    pub const fn parent(&self) -> Option<Pid> {
        self.parent
    }

    /// The parent as `getppid` returns it (0 for pid 1).
    #[must_use]
    pub const fn parent_raw(&self) -> i32 {
        match self.parent {
            Some(parent) => parent.as_raw(),
            None => 0,
        }
    }

    /// The process group id.
    #[must_use]
    pub const fn group(&self) -> Pid {
        self.group
    }

    /// The session id.
    #[must_use]
    pub const fn session(&self) -> Pid {
        self.session
    }

    /// Running, stopped or zombie.
    #[must_use]
    pub const fn state(&self) -> ProcessState {
        self.state
    }

    /// Whether the process has ended (is a zombie).
    #[must_use]
    pub const fn is_zombie(&self) -> bool {
        matches!(self.state, ProcessState::Zombie(_))
    }

    /// The signal state.
    #[must_use]
    pub const fn signals(&self) -> &SignalState {
        &self.signals
    }

    /// The signal state, to change (`sigaction`, `sigprocmask`, `next_deliverable`,
    /// `sigreturn`).
    pub const fn signals_mut(&mut self) -> &mut SignalState {
        &mut self.signals
    }

    /// The children (zombies included), oldest first.
    #[must_use]
    pub fn children(&self) -> &[Pid] {
        &self.children
    }

    /// Whether the process has called `execve` (set by `mark_execed`).
    #[must_use]
    pub const fn has_execed(&self) -> bool {
        self.has_execed
    }

    /// The runtime's data for this process.
    #[must_use]
    pub const fn payload(&self) -> &T {
        &self.payload
    }

    /// The runtime's data for this process, to change.
    pub const fn payload_mut(&mut self) -> &mut T {
        &mut self.payload
    }

    /// The summary `ps` shows.
    #[must_use]
    pub const fn info(&self) -> ProcessInfo {
        ProcessInfo {
            pid: self.pid,
            parent: self.parent,
            group: self.group,
            session: self.session,
            state: self.state,
        }
    }
}

/// What `ps` shows of a process (the runtime adds the command name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcessInfo {
    /// The process id.
    pub pid: Pid,
    /// The parent (`None` for pid 1).
    pub parent: Option<Pid>,
    /// The process group id.
    pub group: Pid,
    /// The session id.
    pub session: Pid,
    /// Running, stopped or zombie.
    pub state: ProcessState,
}

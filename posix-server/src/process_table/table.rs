//! [`ProcessTable`]: the set of processes, pid allocation, `fork`, lookups and
//! the `ps` listing.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use posix_server_api::Errno;

use super::pid::{PID_LIMIT, Pid};
use super::process::{Process, ProcessInfo, ProcessState};
use crate::signals::SignalState;

/// The default limit on the number of processes (zombies included).
pub const DEFAULT_MAX_PROCESSES: usize = 256;

/// Every process the server knows, with each one's runtime payload `T` (the
/// runtime's own per-process kernel resources live there or are keyed by pid).
#[derive(Debug)]
pub struct ProcessTable<T> {
    pub(super) processes: BTreeMap<Pid, Process<T>>,
    next_pid: u32,
    max_processes: usize,
}

impl<T> Default for ProcessTable<T> {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_PROCESSES)
    }
}

impl<T> ProcessTable<T> {
    /// An empty table allowing at most `max_processes` processes (zombies
    /// included, like `RLIMIT_NPROC`); clamped to `1..PID_LIMIT`.
    #[must_use]
    pub fn new(max_processes: usize) -> Self {
        Self {
            processes: BTreeMap::new(),
            next_pid: 2,
            max_processes: clamp_max(max_processes),
        }
    }

    /// The limit on the number of processes.
    #[must_use]
    pub const fn max_processes(&self) -> usize {
        self.max_processes
    }

    /// Changes the limit (existing processes are kept even if above it).
    pub fn set_max_processes(&mut self, max_processes: usize) {
        self.max_processes = clamp_max(max_processes);
    }

    /// The number of processes, zombies included.
    #[must_use]
    pub fn len(&self) -> usize {
        self.processes.len()
    }

    /// Whether there is no process at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.processes.is_empty()
    }

    /// The process `pid` (zombies included).
    #[must_use]
    pub fn get(&self, pid: Pid) -> Option<&Process<T>> {
        self.processes.get(&pid)
    }

    /// The process `pid` (zombies included), to change its signal state or payload.
    pub fn get_mut(&mut self, pid: Pid) -> Option<&mut Process<T>> {
        self.processes.get_mut(&pid)
    }

    /// The signal state of `pid`, if it exists.
    #[must_use]
    pub fn signals(&self, pid: Pid) -> Option<&SignalState> {
        self.get(pid).map(Process::signals)
    }

    /// The signal state of `pid`, to change, if it exists.
    pub fn signals_mut(&mut self, pid: Pid) -> Option<&mut SignalState> {
        self.get_mut(pid).map(Process::signals_mut)
    }

    /// Every process in increasing pid order, as `ps` lists them.
    pub fn processes(&self) -> impl Iterator<Item = ProcessInfo> + '_ {
        self.processes.values().map(Process::info)
    }

    /// The members of process group `group`, zombies included, in pid order.
    #[must_use]
    pub fn group_members(&self, group: Pid) -> Vec<Pid> {
        self.processes
            .values()
            .filter(|process| process.group == group)
            .map(|process| process.pid)
            .collect()
    }

    /// Starts the first process: pid 1, leader of its own group and session.
    /// `EBUSY` if the table is not empty.
    pub fn spawn_first(&mut self, payload: T) -> Result<Pid, Errno> {
        if !self.processes.is_empty() {
            return Err(Errno::EBUSY);
        }
        let pid = Pid::INIT;
        self.processes.insert(
            pid,
            new_process(pid, None, pid, pid, SignalState::new(), payload),
        );
        Ok(pid)
    }

    /// `fork`: a child of `parent` in the same group and session, with the
    /// parent's dispositions and mask and no pending signal. `ESRCH` if `parent`
    /// does not exist or has ended; `EAGAIN` at the process limit or when no pid
    /// is free.
    pub fn fork(&mut self, parent: Pid, payload: T) -> Result<Pid, Errno> {
        let parent_process = self.live(parent)?;
        let (group, session, signals) = (
            parent_process.group,
            parent_process.session,
            parent_process.signals.fork(),
        );
        if self.processes.len() >= self.max_processes {
            return Err(Errno::EAGAIN);
        }
        let pid = self.allocate_pid().ok_or(Errno::EAGAIN)?;
        self.processes.insert(
            pid,
            new_process(pid, Some(parent), group, session, signals, payload),
        );
        if let Some(parent_process) = self.processes.get_mut(&parent) {
            parent_process.children.push(pid);
        }
        Ok(pid)
    }

    /// Records that `pid` called `execve`: sets its `has_execed` flag (which makes
    /// its parent's `setpgid` on it fail with `EACCES`) and resets its signal
    /// handlers ([`SignalState::exec`]). `ESRCH` if it does not exist or has ended.
    pub fn mark_execed(&mut self, pid: Pid) -> Result<(), Errno> {
        self.live(pid)?;
        if let Some(process) = self.processes.get_mut(&pid) {
            process.has_execed = true;
            process.signals.exec();
        }
        Ok(())
    }

    /// The process `pid` if it exists and has not ended, else `ESRCH`.
    pub(super) fn live(&self, pid: Pid) -> Result<&Process<T>, Errno> {
        match self.processes.get(&pid) {
            Some(process) if !process.is_zombie() => Ok(process),
            _ => Err(Errno::ESRCH),
        }
    }

    /// The next free pid after the last one handed out, wrapping at
    /// [`PID_LIMIT`] to 2, skipping ids in use as a pid, group or session id.
    fn allocate_pid(&mut self) -> Option<Pid> {
        let in_use: BTreeSet<u32> = self
            .processes
            .values()
            .flat_map(|process| [process.pid.0, process.group.0, process.session.0])
            .collect();
        let mut candidate = self.next_pid;
        for _ in 0..PID_LIMIT {
            if !(2..PID_LIMIT).contains(&candidate) {
                candidate = 2;
            }
            if !in_use.contains(&candidate) {
                self.next_pid = candidate + 1;
                return Some(Pid(candidate));
            }
            candidate += 1;
        }
        None
    }

    /// Removes the zombie `pid` from the table and from its parent's children.
    pub(super) fn remove(&mut self, pid: Pid) {
        let Some(process) = self.processes.remove(&pid) else {
            return;
        };
        if let Some(parent) = process
            .parent
            .and_then(|parent| self.processes.get_mut(&parent))
        {
            parent.children.retain(|child| *child != pid);
        }
    }
}

fn clamp_max(max_processes: usize) -> usize {
    max_processes.clamp(1, PID_LIMIT as usize - 1)
}

fn new_process<T>(
    pid: Pid,
    parent: Option<Pid>,
    group: Pid,
    session: Pid,
    signals: SignalState,
    payload: T,
) -> Process<T> {
    Process {
        pid,
        parent,
        group,
        session,
        state: ProcessState::Running,
        signals,
        children: Vec::new(),
        has_execed: false,
        report: None,
        payload,
    }
}

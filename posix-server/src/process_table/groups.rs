//! Process groups and sessions: `setpgid`, `getpgid`, `setsid`, `getsid`.

use posix_server_api::Errno;

use super::pid::Pid;
use super::table::ProcessTable;

impl<T> ProcessTable<T> {
    /// `setpgid(pid, group)` called by `caller` (`pid` 0 is the caller, `group` 0
    /// is `pid`). POSIX's rules: `EINVAL` for a negative `group`; `ESRCH` if `pid`
    /// is neither the caller nor a child of it; `EPERM` if the child is in another
    /// session, if `pid` is a session leader, or if `group` is not `pid` and no
    /// process of the caller's session has that group; `EACCES` if the child has
    /// called `execve`.
    pub fn setpgid(&mut self, caller: Pid, pid: i32, group: i32) -> Result<(), Errno> {
        if group < 0 {
            return Err(Errno::EINVAL);
        }
        let caller_process = self.processes.get(&caller).ok_or(Errno::ESRCH)?;
        let caller_session = caller_process.session;
        let target_pid = self.resolve(caller, pid)?;
        let target = self.processes.get(&target_pid).ok_or(Errno::ESRCH)?;
        if target.parent == Some(caller) {
            if target.session != caller_session {
                return Err(Errno::EPERM);
            }
            if target.has_execed {
                return Err(Errno::EACCES);
            }
        } else if target_pid != caller {
            return Err(Errno::ESRCH);
        }
        if target.session == target_pid {
            return Err(Errno::EPERM);
        }
        let group = if group == 0 {
            target_pid
        } else {
            Pid(group.unsigned_abs())
        };
        if group != target_pid {
            let exists_in_session = self
                .processes
                .values()
                .any(|process| process.group == group && process.session == caller_session);
            if !exists_in_session {
                return Err(Errno::EPERM);
            }
        }
        if let Some(target) = self.processes.get_mut(&target_pid) {
            target.group = group;
        }
        Ok(())
    }

    /// `getpgid(pid)` called by `caller` (`pid` 0 is the caller). `ESRCH` if
    /// there is no such process.
    pub fn getpgid(&self, caller: Pid, pid: i32) -> Result<Pid, Errno> {
        let pid = self.resolve(caller, pid)?;
        self.processes
            .get(&pid)
            .map(|process| process.group)
            .ok_or(Errno::ESRCH)
    }

    /// `setsid()` called by `caller`: it becomes the leader of a new session and
    /// of a new group, both with its pid, which is returned. `EPERM` if some
    /// process group already has the caller's pid as id (it leads a group).
    pub fn setsid(&mut self, caller: Pid) -> Result<Pid, Errno> {
        self.live(caller)?;
        if self
            .processes
            .values()
            .any(|process| process.group == caller)
        {
            return Err(Errno::EPERM);
        }
        if let Some(process) = self.processes.get_mut(&caller) {
            process.group = caller;
            process.session = caller;
        }
        Ok(caller)
    }

    /// `getsid(pid)` called by `caller` (`pid` 0 is the caller). `ESRCH` if there
    /// is no such process.
    pub fn getsid(&self, caller: Pid, pid: i32) -> Result<Pid, Errno> {
        let pid = self.resolve(caller, pid)?;
        self.processes
            .get(&pid)
            .map(|process| process.session)
            .ok_or(Errno::ESRCH)
    }

    /// The process a raw `pid_t` argument names: 0 is `caller`; negative is `ESRCH`.
    fn resolve(&self, caller: Pid, pid: i32) -> Result<Pid, Errno> {
        match pid {
            0 => Ok(caller),
            1.. => Ok(Pid(pid.unsigned_abs())),
            _ => Err(Errno::ESRCH),
        }
    }
}

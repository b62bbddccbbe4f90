//! Process ids ([`Pid`]) and the pid arguments of `wait`/`kill` ([`ProcessSelector`]).

/// A process id (also used for process group and session ids). Always in
/// `1..PID_LIMIT` for ids the table hands out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pid(pub u32);

impl Pid {
    /// The first process the server starts (the shell's ancestor).
    pub const INIT: Self = Self(1);

    /// The pid as the `pid_t` user space sees.
    #[must_use]
    pub const fn as_raw(self) -> i32 {
        self.0 as i32
    }
}

impl core::fmt::Display for Pid {
    fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(formatter, "{}", self.0)
    }
}

/// Pids are below this; allocation wraps around to 2 here.
pub const PID_LIMIT: u32 = 32768;

/// Which processes a `pid_t` argument of `waitpid`/`kill` designates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcessSelector {
    /// `-1`: any child (`wait`); every process but pid 1 and the sender (`kill`).
    Any,
    /// `> 0`: this process.
    Process(Pid),
    /// `0`: the caller's own process group.
    OwnGroup,
    /// `< -1`: the process group `|pid|`.
    Group(Pid),
}

impl ProcessSelector {
    /// The selector for a raw `pid_t` argument.
    #[must_use]
    pub const fn from_raw(raw: i32) -> Self {
        match raw {
            -1 => Self::Any,
            0 => Self::OwnGroup,
            1.. => Self::Process(Pid(raw as u32)),
            _ => Self::Group(Pid(raw.unsigned_abs())),
        }
    }
}

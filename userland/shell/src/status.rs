//! How a process ended, the `$?` it gives, and the message the shell prints for a
//! command killed by a signal (as bash does).

use alloc::format;
use alloc::string::String;

/// How a waited-for process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitStatus {
    /// It called `exit(code)` (the low 8 bits).
    Exited(u8),
    /// A signal killed it.
    Signaled {
        /// The signal number (Linux numbering).
        signal: u8,
        /// Whether a core dump was reported.
        core_dumped: bool,
    },
}

/// `SIGINT`'s number.
pub const SIGNAL_INTERRUPT: u8 = 2;
/// `SIGPIPE`'s number.
pub const SIGNAL_PIPE: u8 = 13;

impl WaitStatus {
    /// The value of `$?`: the exit code, or 128 + the signal number.
    #[must_use]
    pub const fn exit_status(self) -> u8 {
        match self {
            Self::Exited(code) => code,
            Self::Signaled { signal, .. } => 128u8.wrapping_add(signal),
        }
    }

    /// What bash prints after a foreground command ends this way: nothing for a normal
    /// exit or `SIGPIPE`, `"\n"` for `SIGINT`, else the signal's description and
    /// `" (core dumped)"` if so, then a newline (`"Segmentation fault\n"`).
    #[must_use]
    pub fn termination_report(self) -> Option<String> {
        match self {
            Self::Exited(_) => None,
            Self::Signaled {
                signal: SIGNAL_PIPE,
                ..
            } => None,
            Self::Signaled {
                signal: SIGNAL_INTERRUPT,
                ..
            } => Some(String::from("\n")),
            Self::Signaled {
                signal,
                core_dumped,
            } => {
                let suffix = if core_dumped { " (core dumped)" } else { "" };
                Some(match signal_description(signal) {
                    Some(description) => format!("{description}{suffix}\n"),
                    None => format!("Unknown signal {signal}{suffix}\n"),
                })
            }
        }
    }
}

/// The description of a signal (Linux numbering), as `strsignal` gives it.
#[must_use]
pub const fn signal_description(signal: u8) -> Option<&'static str> {
    Some(match signal {
        1 => "Hangup",
        2 => "Interrupt",
        3 => "Quit",
        4 => "Illegal instruction",
        5 => "Trace/breakpoint trap",
        6 => "Aborted",
        7 => "Bus error",
        8 => "Floating point exception",
        9 => "Killed",
        10 => "User defined signal 1",
        11 => "Segmentation fault",
        12 => "User defined signal 2",
        13 => "Broken pipe",
        14 => "Alarm clock",
        15 => "Terminated",
        16 => "Stack fault",
        17 => "Child exited",
        18 => "Continued",
        19 => "Stopped (signal)",
        20 => "Stopped",
        21 => "Stopped (tty input)",
        22 => "Stopped (tty output)",
        23 => "Urgent I/O condition",
        24 => "CPU time limit exceeded",
        25 => "File size limit exceeded",
        26 => "Virtual timer expired",
        27 => "Profiling timer expired",
        28 => "Window changed",
        29 => "I/O possible",
        30 => "Power failure",
        31 => "Bad system call",
        _ => return None,
    })
}

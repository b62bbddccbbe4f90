//! The [`Signal`] type: Linux's numbers 1..=31, names, `strsignal` texts, default actions.

use posix_server_api::Errno;

/// What a signal does when its disposition is the default one (POSIX/Linux).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultAction {
    /// End the process.
    Terminate,
    /// End the process "with a core dump". KOITO writes no core file, so this acts
    /// as [`DefaultAction::Terminate`] and the wait status has no core flag.
    CoreDump,
    /// Discard the signal.
    Ignore,
    /// Stop the process.
    Stop,
    /// Continue the process if it is stopped (otherwise nothing).
    Continue,
}

/// A signal number, always within 1..=31 (the classic Linux signals).
///
/// Realtime signals (32..=64) are not supported: [`Signal::new`] rejects them with
/// `EINVAL`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Signal(u8);

macro_rules! signals {
    ($($(#[$meta:meta])* $name:ident = $value:literal, $action:ident, $text:literal;)*) => {
        impl Signal {
            $($(#[$meta])* pub const $name: Self = Self($value);)*

            /// The symbolic name (`"SIGINT"`).
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self.0 {
                    $($value => stringify!($name),)*
                    _ => "SIG?",
                }
            }

            /// The text `strsignal` gives on Linux/glibc (`"Interrupt"`).
            #[must_use]
            pub const fn description(self) -> &'static str {
                match self.0 {
                    $($value => $text,)*
                    _ => "Unknown signal",
                }
            }

            /// What the signal does under the default disposition.
            #[must_use]
            pub const fn default_action(self) -> DefaultAction {
                match self.0 {
                    $($value => DefaultAction::$action,)*
                    _ => DefaultAction::Terminate,
                }
            }
        }
    };
}

signals! {
    /// Hangup.
    SIGHUP = 1, Terminate, "Hangup";
    /// Interrupt (Ctrl-C).
    SIGINT = 2, Terminate, "Interrupt";
    /// Quit (Ctrl-\).
    SIGQUIT = 3, CoreDump, "Quit";
    /// Illegal instruction.
    SIGILL = 4, CoreDump, "Illegal instruction";
    /// Trace/breakpoint trap.
    SIGTRAP = 5, CoreDump, "Trace/breakpoint trap";
    /// Abort.
    SIGABRT = 6, CoreDump, "Aborted";
    /// Bus error.
    SIGBUS = 7, CoreDump, "Bus error";
    /// Arithmetic error.
    SIGFPE = 8, CoreDump, "Floating point exception";
    /// Kill (cannot be caught, blocked or ignored).
    SIGKILL = 9, Terminate, "Killed";
    /// User signal 1.
    SIGUSR1 = 10, Terminate, "User defined signal 1";
    /// Invalid memory reference.
    SIGSEGV = 11, CoreDump, "Segmentation fault";
    /// User signal 2.
    SIGUSR2 = 12, Terminate, "User defined signal 2";
    /// Write to a pipe with no readers.
    SIGPIPE = 13, Terminate, "Broken pipe";
    /// Timer from `alarm`.
    SIGALRM = 14, Terminate, "Alarm clock";
    /// Termination request.
    SIGTERM = 15, Terminate, "Terminated";
    /// Coprocessor stack fault.
    SIGSTKFLT = 16, Terminate, "Stack fault";
    /// A child stopped, continued or ended.
    SIGCHLD = 17, Ignore, "Child exited";
    /// Continue if stopped.
    SIGCONT = 18, Continue, "Continued";
    /// Stop (cannot be caught, blocked or ignored).
    SIGSTOP = 19, Stop, "Stopped (signal)";
    /// Stop from the terminal (Ctrl-Z).
    SIGTSTP = 20, Stop, "Stopped";
    /// Background read from the terminal.
    SIGTTIN = 21, Stop, "Stopped (tty input)";
    /// Background write to the terminal.
    SIGTTOU = 22, Stop, "Stopped (tty output)";
    /// Urgent data on a socket.
    SIGURG = 23, Ignore, "Urgent I/O condition";
    /// CPU time limit exceeded.
    SIGXCPU = 24, CoreDump, "CPU time limit exceeded";
    /// File size limit exceeded.
    SIGXFSZ = 25, CoreDump, "File size limit exceeded";
    /// Virtual timer expired.
    SIGVTALRM = 26, Terminate, "Virtual timer expired";
    /// Profiling timer expired.
    SIGPROF = 27, Terminate, "Profiling timer expired";
    /// Terminal window size changed.
    SIGWINCH = 28, Ignore, "Window changed";
    /// I/O possible.
    SIGIO = 29, Terminate, "I/O possible";
    /// Power failure.
    SIGPWR = 30, Terminate, "Power failure";
    /// Bad system call.
    SIGSYS = 31, CoreDump, "Bad system call";
}

impl Signal {
    /// The highest supported signal number.
    pub const MAX: u32 = 31;

    /// The signal with number `number`; `EINVAL` for 0 and for anything above 31
    /// (realtime signals included).
    pub const fn new(number: u32) -> Result<Self, Errno> {
        if number >= 1 && number <= Self::MAX {
            Ok(Self(number as u8))
        } else {
            Err(Errno::EINVAL)
        }
    }

    /// The signal's number (1..=31).
    #[must_use]
    pub const fn number(self) -> u32 {
        self.0 as u32
    }

    /// The index of the signal in per-signal tables (number - 1, so 0..=30).
    #[must_use]
    pub const fn index(self) -> usize {
        (self.0 - 1) as usize
    }

    /// Whether the default action stops the process (`SIGSTOP`, `SIGTSTP`,
    /// `SIGTTIN`, `SIGTTOU`).
    #[must_use]
    pub const fn is_stop_signal(self) -> bool {
        matches!(self.default_action(), DefaultAction::Stop)
    }

    /// Whether the signal can be neither caught, blocked nor ignored
    /// (`SIGKILL`, `SIGSTOP`).
    #[must_use]
    pub const fn is_unblockable(self) -> bool {
        self.0 == Self::SIGKILL.0 || self.0 == Self::SIGSTOP.0
    }

    /// Every supported signal, in increasing order.
    pub fn all() -> impl Iterator<Item = Self> {
        (1..=Self::MAX as u8).map(Self)
    }
}

impl core::fmt::Display for Signal {
    fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        formatter.write_str(self.name())
    }
}

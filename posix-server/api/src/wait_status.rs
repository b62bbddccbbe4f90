//! Wait status words encoded as Linux encodes them, and the `W*` macros of
//! `<sys/wait.h>` as pure functions: posix-server encodes them, libc-shim decodes them.
//!
//! | macro | function |
//! |---|---|
//! | `WIFEXITED` | [`is_exited`] |
//! | `WEXITSTATUS` | [`exit_code`] |
//! | `WIFSIGNALED` | [`is_signaled`] |
//! | `WTERMSIG` | [`terminating_signal`] |
//! | `WCOREDUMP` | [`core_dumped`] |
//! | `WIFSTOPPED` | [`is_stopped`] |
//! | `WSTOPSIG` | [`stopping_signal`] |
//! | `WIFCONTINUED` | [`is_continued`] |

/// The status of a process that was continued by `SIGCONT` (`0xffff`).
pub const CONTINUED: i32 = 0xffff;

/// The bit Linux sets when a core file was written. KOITO writes no core files,
/// so the server never sets it (see [`killed`]).
pub const CORE_DUMP_FLAG: i32 = 0x80;

/// The status of a process that called `_exit(code)`: `(code & 0xff) << 8`.
#[must_use]
pub const fn exited(code: i32) -> i32 {
    (code & 0xff) << 8
}

/// The status of a process killed by signal number `signal` (low 7 bits; no core flag).
#[must_use]
pub const fn killed(signal: i32) -> i32 {
    signal & 0x7f
}

/// The status of a process stopped by signal number `signal`: `(signal << 8) | 0x7f`.
#[must_use]
pub const fn stopped(signal: i32) -> i32 {
    ((signal & 0xff) << 8) | 0x7f
}

/// `WIFEXITED`: the process exited normally.
#[must_use]
pub const fn is_exited(status: i32) -> bool {
    status & 0x7f == 0
}

/// `WEXITSTATUS`: the exit code (meaningful when [`is_exited`]).
#[must_use]
pub const fn exit_code(status: i32) -> i32 {
    (status & 0xff00) >> 8
}

/// `WIFSIGNALED`: the process was killed by a signal.
#[must_use]
pub const fn is_signaled(status: i32) -> bool {
    let low = status & 0x7f;
    low != 0 && low != 0x7f
}

/// `WTERMSIG`: the signal that killed the process (meaningful when [`is_signaled`]).
#[must_use]
pub const fn terminating_signal(status: i32) -> i32 {
    status & 0x7f
}

/// `WCOREDUMP`: a core file was written (never on KOITO).
#[must_use]
pub const fn core_dumped(status: i32) -> bool {
    status & CORE_DUMP_FLAG != 0
}

/// `WIFSTOPPED`: the process is stopped.
#[must_use]
pub const fn is_stopped(status: i32) -> bool {
    status & 0xff == 0x7f
}

/// `WSTOPSIG`: the signal that stopped the process (meaningful when [`is_stopped`]).
#[must_use]
pub const fn stopping_signal(status: i32) -> i32 {
    exit_code(status)
}

/// `WIFCONTINUED`: the process was continued.
#[must_use]
pub const fn is_continued(status: i32) -> bool {
    status == CONTINUED
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exited_round_trips() {
        for code in [0, 1, 42, 255, 256, -1] {
            let status = exited(code);
            assert!(is_exited(status));
            assert!(!is_signaled(status));
            assert!(!is_stopped(status));
            assert!(!is_continued(status));
            assert_eq!(exit_code(status), code & 0xff);
        }
        assert_eq!(exited(3), 0x300);
    }

    #[test]
    fn killed_round_trips() {
        for signal in 1..=31 {
            let status = killed(signal);
            assert!(is_signaled(status));
            assert!(!is_exited(status));
            assert!(!is_stopped(status));
            assert!(!core_dumped(status));
            assert_eq!(terminating_signal(status), signal);
        }
        assert_eq!(killed(9), 9);
    }

    #[test]
    fn stopped_and_continued() {
        let status = stopped(19);
        assert_eq!(status, 0x137f);
        assert!(is_stopped(status));
        assert!(!is_signaled(status));
        assert!(!is_exited(status));
        assert_eq!(stopping_signal(status), 19);
        assert!(is_continued(CONTINUED));
        assert!(!is_exited(CONTINUED));
        assert!(!is_signaled(CONTINUED));
        assert!(!is_stopped(CONTINUED));
    }
}

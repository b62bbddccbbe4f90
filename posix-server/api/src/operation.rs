//! The operations of posix-server: the first payload word of a request.
//!
//! A request is an IPC CALL to the process's posix-server capability (identified
//! by posix-server with the caller's pid) whose payload is at most
//! [`MAX_REQUEST_WORDS`] words `[operation, arguments...]`, so every call fits in
//! registers (no IPC buffer, the kernel's fastpath). Bulk data (paths, file data,
//! `struct stat`, directory entries, argv) travels through the process's shared
//! buffer ([`crate::shared_buffer`]): arguments name byte lengths in its data area,
//! which always starts at offset 0 of the data area.
//!
//! The reply is [`crate::reply::Reply`]: `[result, events, values...]`.
//!
//! | # | operation | arguments | result (values) | data area |
//! |---|---|---|---|---|
//! | 1 | EXIT | status | (no reply) | |
//! | 2 | FORK | child stack pointer, child instruction pointer, child FS base | child pid (child: starts at the given RIP/RSP with RAX = 0) | |
//! | 3 | EXECVE | total length, argc, envc | (no reply on success) | path NUL, argv strings NUL, envp strings NUL |
//! | 4 | WAIT4 | pid, options | pid (status) | |
//! | 5 | GETPID | - | pid (ppid) | |
//! | 6 | KILL | pid, signal | 0 | |
//! | 7 | SIGACTION | signal, handler or 0 default / 1 ignore, flags, mask, set? (1 = set) | 0 (old handler, old flags, old mask) | |
//! | 8 | SIGPROCMASK | how, set, change? (1 = change) | 0 (old mask) | |
//! | 9 | TAKE_SIGNAL | - | signal or 0 (handler, flags, mask before) | |
//! | 10 | SIGRETURN | mask to restore | 0 | |
//! | 11 | SETPGID | pid, pgid | 0 | |
//! | 12 | GETPGID | pid | pgid | |
//! | 13 | SETSID | - | sid | |
//! | 14 | GETSID | pid | sid | |
//! | 15 | SIGNAL_ENTRY | trampoline start, trampoline end | 0 | |
//! | 20 | OPEN | path length, flags, mode | fd | path |
//! | 21 | CLOSE | fd | 0 | |
//! | 22 | READ | fd, length | bytes read | out: the bytes |
//! | 23 | WRITE | fd, length | bytes written | the bytes |
//! | 24 | LSEEK | fd, offset, whence | new offset | |
//! | 25 | DUP | fd | new fd | |
//! | 26 | DUP3 | old fd, new fd, flags (dup2: flags = [`DUP2_FLAG`]) | new fd | |
//! | 27 | PIPE | flags | 0 (read fd, write fd) | |
//! | 28 | FCNTL | fd, command, argument | per command | |
//! | 29 | STAT | path length, follow (1 stat / 0 lstat) | 0 | in: path; out: `struct stat` |
//! | 30 | FSTAT | fd | 0 | out: `struct stat` |
//! | 31 | GETDENTS64 | fd, length | bytes | out: `linux_dirent64` records |
//! | 32 | MKDIR | path length, mode | 0 | path |
//! | 33 | RMDIR | path length | 0 | path |
//! | 34 | UNLINK | path length | 0 | path |
//! | 35 | RENAME | old length, new length | 0 | old path, new path (no NULs) |
//! | 36 | CHDIR | path length | 0 | path |
//! | 37 | GETCWD | length | length with NUL | out: the path, NUL |
//! | 38 | ACCESS | path length, mode | 0 | path |
//! | 39 | UMASK | mask | old mask | |
//! | 40 | IOCTL | fd, request, argument | per request | termios / winsize |
//! | 41 | FTRUNCATE | fd, length | 0 | |
//! | 50 | BRK | address (0 asks) | the break | |
//! | 51 | MMAP | address, length, protection, flags | address | |
//! | 52 | MUNMAP | address, length | 0 | |
//! | 53 | MPROTECT | address, length, protection | 0 | |
//! | 60 | CLOCK_GETTIME | clock | seconds (nanoseconds) | |
//! | 61 | SLEEP_UNTIL | monotonic deadline in nanoseconds | 0 | |
//! | 70 | PROCESS_LIST | first pid | records | out: [`crate::process_record`] records |
//! | 71 | UNAME | - | 0 | out: five NUL-terminated fields |
//! | 72 | SYSTEM_STATUS | - | processes (mm-server's free bytes, posix-server's address spaces, its objects, its free slots) | |

/// The most words a request has (the payload registers MR4..MR9).
pub const MAX_REQUEST_WORDS: usize = 6;

macro_rules! operations {
    ($($(#[$meta:meta])* $name:ident = $value:literal,)*) => {
        /// A posix-server operation.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u64)]
        pub enum Operation {
            $($(#[$meta])* $name = $value,)*
        }

        impl Operation {
            /// The operation with number `word`, if any.
            #[must_use]
            pub const fn from_word(word: u64) -> Option<Self> {
                match word {
                    $($value => Some(Self::$name),)*
                    _ => None,
                }
            }

            /// Its number.
            #[must_use]
            pub const fn as_word(self) -> u64 {
                self as u64
            }
        }
    };
}

operations! {
    /// `_exit`.
    Exit = 1,
    /// `fork`.
    Fork = 2,
    /// `execve`.
    Execve = 3,
    /// `wait4`.
    Wait4 = 4,
    /// `getpid` and `getppid`.
    GetPid = 5,
    /// `kill`.
    Kill = 6,
    /// `sigaction`.
    SigAction = 7,
    /// `sigprocmask`.
    SigProcMask = 8,
    /// Take the next deliverable signal (after a reply flagged it).
    TakeSignal = 9,
    /// Return from a signal handler (restore the mask).
    SigReturn = 10,
    /// `setpgid`.
    SetPgid = 11,
    /// `getpgid`.
    GetPgid = 12,
    /// `setsid`.
    SetSid = 13,
    /// `getsid`.
    GetSid = 14,
    /// Where the process's asynchronous signal trampoline is.
    SignalEntry = 15,
    /// `open`.
    Open = 20,
    /// `close`.
    Close = 21,
    /// `read`.
    Read = 22,
    /// `write`.
    Write = 23,
    /// `lseek`.
    Lseek = 24,
    /// `dup`.
    Dup = 25,
    /// `dup2` / `dup3`.
    Dup3 = 26,
    /// `pipe2`.
    Pipe = 27,
    /// `fcntl`.
    Fcntl = 28,
    /// `stat` / `lstat`.
    Stat = 29,
    /// `fstat`.
    Fstat = 30,
    /// `getdents64`.
    GetDents64 = 31,
    /// `mkdir`.
    Mkdir = 32,
    /// `rmdir`.
    Rmdir = 33,
    /// `unlink`.
    Unlink = 34,
    /// `rename`.
    Rename = 35,
    /// `chdir`.
    Chdir = 36,
    /// `getcwd`.
    GetCwd = 37,
    /// `access`.
    Access = 38,
    /// `umask`.
    Umask = 39,
    /// `ioctl` (terminal requests).
    Ioctl = 40,
    /// `ftruncate`.
    Ftruncate = 41,
    /// `brk`.
    Brk = 50,
    /// `mmap` (anonymous, private).
    Mmap = 51,
    /// `munmap`.
    Munmap = 52,
    /// `mprotect`.
    Mprotect = 53,
    /// `clock_gettime`.
    ClockGetTime = 60,
    /// Sleep until a monotonic deadline (`nanosleep`).
    SleepUntil = 61,
    /// Process records for `ps`.
    ProcessList = 70,
    /// `uname`.
    Uname = 71,
    /// What the system holds: for leak checks and `free`-like tools.
    SystemStatus = 72,
}

/// DUP3's flags word for `dup2` (which, unlike `dup3`, accepts equal fds).
pub const DUP2_FLAG: u64 = 1 << 32;

#[cfg(test)]
mod tests {
    use super::Operation;

    #[test]
    fn numbers_round_trip() {
        for word in 0..200 {
            if let Some(operation) = Operation::from_word(word) {
                assert_eq!(operation.as_word(), word);
            }
        }
        assert_eq!(Operation::from_word(0), None);
        assert_eq!(Operation::from_word(3), Some(Operation::Execve));
    }
}

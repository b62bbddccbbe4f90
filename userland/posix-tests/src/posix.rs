//! The system interface the checks run against: one trait, implemented over
//! libc-shim on KOITO and over the `libc` crate on the Linux host.

use alloc::vec::Vec;
use core::convert::Infallible;

use posix_server_api::Errno;

/// A file descriptor.
pub type Fd = i32;
/// A process id.
pub type Pid = i64;
/// A set of signals: bit `n - 1` for signal `n`.
pub type SignalSet = u64;

/// What `stat` reports that the checks look at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileStatus {
    /// Type and permission bits (`st_mode`).
    pub mode: u32,
    /// Size in bytes.
    pub size: i64,
    /// Link count.
    pub links: u64,
}

/// A time from `clock_gettime`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeSpec {
    /// Seconds.
    pub seconds: i64,
    /// Nanoseconds.
    pub nanoseconds: i64,
}

impl TimeSpec {
    /// In nanoseconds (saturating, negative times count as zero).
    #[must_use]
    pub fn as_nanoseconds(&self) -> u64 {
        let seconds = u64::try_from(self.seconds).unwrap_or(0);
        let nanoseconds = u64::try_from(self.nanoseconds).unwrap_or(0);
        seconds
            .saturating_mul(1_000_000_000)
            .saturating_add(nanoseconds)
    }
}

/// A signal action to install.
#[derive(Clone, Copy, Debug)]
pub enum SignalAction {
    /// `SIG_DFL`.
    Default,
    /// `SIG_IGN`.
    Ignore,
    /// A handler.
    Handler(extern "C" fn(i32)),
}

/// A signal action as `sigaction` reports the old one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OldSignalAction {
    /// `SIG_DFL`.
    Default,
    /// `SIG_IGN`.
    Ignore,
    /// A handler at this address.
    Handler(usize),
}

/// The POSIX calls the suite exercises. Every call reports failure as the errno
/// the system gave; paths are byte strings without a terminating NUL.
pub trait Posix {
    /// `open`.
    ///
    /// # Errors
    /// The system's errno.
    fn open(&mut self, path: &[u8], flags: i32, mode: u32) -> Result<Fd, Errno>;
    /// `close`.
    ///
    /// # Errors
    /// The system's errno.
    fn close(&mut self, fd: Fd) -> Result<(), Errno>;
    /// `read` (one call, possibly short).
    ///
    /// # Errors
    /// The system's errno.
    fn read(&mut self, fd: Fd, buffer: &mut [u8]) -> Result<usize, Errno>;
    /// `write` (one call, possibly short).
    ///
    /// # Errors
    /// The system's errno.
    fn write(&mut self, fd: Fd, data: &[u8]) -> Result<usize, Errno>;
    /// `lseek`: the new offset.
    ///
    /// # Errors
    /// The system's errno.
    fn lseek(&mut self, fd: Fd, offset: i64, whence: i32) -> Result<u64, Errno>;
    /// `dup`.
    ///
    /// # Errors
    /// The system's errno.
    fn dup(&mut self, fd: Fd) -> Result<Fd, Errno>;
    /// `dup2`.
    ///
    /// # Errors
    /// The system's errno.
    fn dup2(&mut self, old: Fd, new: Fd) -> Result<Fd, Errno>;
    /// `pipe`: (read end, write end).
    ///
    /// # Errors
    /// The system's errno.
    fn pipe(&mut self) -> Result<(Fd, Fd), Errno>;
    /// `fcntl` with an integer argument.
    ///
    /// # Errors
    /// The system's errno.
    fn fcntl(&mut self, fd: Fd, command: i32, argument: i32) -> Result<i32, Errno>;
    /// `stat`.
    ///
    /// # Errors
    /// The system's errno.
    fn stat(&mut self, path: &[u8]) -> Result<FileStatus, Errno>;
    /// `fstat`.
    ///
    /// # Errors
    /// The system's errno.
    fn fstat(&mut self, fd: Fd) -> Result<FileStatus, Errno>;
    /// `lstat`.
    ///
    /// # Errors
    /// The system's errno.
    fn lstat(&mut self, path: &[u8]) -> Result<FileStatus, Errno>;
    /// The names in the directory at `path`, `.` and `..` included, in any order.
    ///
    /// # Errors
    /// The system's errno.
    fn read_directory(&mut self, path: &[u8]) -> Result<Vec<Vec<u8>>, Errno>;
    /// `mkdir`.
    ///
    /// # Errors
    /// The system's errno.
    fn mkdir(&mut self, path: &[u8], mode: u32) -> Result<(), Errno>;
    /// `rmdir`.
    ///
    /// # Errors
    /// The system's errno.
    fn rmdir(&mut self, path: &[u8]) -> Result<(), Errno>;
    /// `unlink`.
    ///
    /// # Errors
    /// The system's errno.
    fn unlink(&mut self, path: &[u8]) -> Result<(), Errno>;
    /// `rename`.
    ///
    /// # Errors
    /// The system's errno.
    fn rename(&mut self, old: &[u8], new: &[u8]) -> Result<(), Errno>;
    /// `chdir`.
    ///
    /// # Errors
    /// The system's errno.
    fn chdir(&mut self, path: &[u8]) -> Result<(), Errno>;
    /// `getcwd`.
    ///
    /// # Errors
    /// The system's errno.
    fn getcwd(&mut self) -> Result<Vec<u8>, Errno>;
    /// `access`.
    ///
    /// # Errors
    /// The system's errno.
    fn access(&mut self, path: &[u8], mode: i32) -> Result<(), Errno>;
    /// `umask`: the previous mask.
    ///
    /// # Errors
    /// The system's errno (`umask` itself cannot fail).
    fn umask(&mut self, mask: u32) -> Result<u32, Errno>;
    /// `fork`: 0 in the child, the child's pid in the parent.
    ///
    /// # Errors
    /// The system's errno.
    fn fork(&mut self) -> Result<Pid, Errno>;
    /// `execve`: returns only on failure.
    ///
    /// # Errors
    /// The system's errno.
    fn execve(
        &mut self,
        path: &[u8],
        arguments: &[&[u8]],
        environment: &[&[u8]],
    ) -> Result<Infallible, Errno>;
    /// `waitpid`: `Some((pid, raw status))`, or `None` with `WNOHANG` when no
    /// child is ready.
    ///
    /// # Errors
    /// The system's errno.
    fn waitpid(&mut self, pid: Pid, options: i32) -> Result<Option<(Pid, i32)>, Errno>;
    /// `_exit`: ends the process at once.
    fn exit(&mut self, status: i32) -> !;
    /// `getpid`.
    ///
    /// # Errors
    /// The system's errno (`getpid` itself cannot fail).
    fn getpid(&mut self) -> Result<Pid, Errno>;
    /// `getppid`.
    ///
    /// # Errors
    /// The system's errno (`getppid` itself cannot fail).
    fn getppid(&mut self) -> Result<Pid, Errno>;
    /// `kill`.
    ///
    /// # Errors
    /// The system's errno.
    fn kill(&mut self, pid: Pid, signal: i32) -> Result<(), Errno>;
    /// `sigaction`: installs `action` if given; returns the previous action.
    ///
    /// # Errors
    /// The system's errno.
    fn sigaction(
        &mut self,
        signal: i32,
        action: Option<SignalAction>,
    ) -> Result<OldSignalAction, Errno>;
    /// `sigprocmask`: changes the mask by `how` if `set` is given; returns the
    /// previous mask.
    ///
    /// # Errors
    /// The system's errno.
    fn sigprocmask(&mut self, how: i32, set: Option<SignalSet>) -> Result<SignalSet, Errno>;
    /// `setpgid`.
    ///
    /// # Errors
    /// The system's errno.
    fn setpgid(&mut self, pid: Pid, group: Pid) -> Result<(), Errno>;
    /// `getpgid`.
    ///
    /// # Errors
    /// The system's errno.
    fn getpgid(&mut self, pid: Pid) -> Result<Pid, Errno>;
    /// `setsid`: the new session id.
    ///
    /// # Errors
    /// The system's errno.
    fn setsid(&mut self) -> Result<Pid, Errno>;
    /// `getsid`.
    ///
    /// # Errors
    /// The system's errno.
    fn getsid(&mut self, pid: Pid) -> Result<Pid, Errno>;
    /// `clock_gettime`.
    ///
    /// # Errors
    /// The system's errno.
    fn clock_gettime(&mut self, clock: i32) -> Result<TimeSpec, Errno>;
    /// `nanosleep` (an interrupted sleep reports `EINTR`).
    ///
    /// # Errors
    /// The system's errno.
    fn nanosleep(&mut self, duration: TimeSpec) -> Result<(), Errno>;
    /// Anonymous private read-write `mmap` of `length` bytes: its address. The
    /// implementation remembers the mapping for [`Posix::store`] and
    /// [`Posix::load`].
    ///
    /// # Errors
    /// The system's errno.
    fn mmap_anonymous(&mut self, length: usize) -> Result<usize, Errno>;
    /// `munmap`. Only ranges inside a mapping made by [`Posix::mmap_anonymous`]
    /// reach the system (others give `EFAULT` without a call), so that a check
    /// can never unmap memory the program uses.
    ///
    /// # Errors
    /// The system's errno.
    fn munmap(&mut self, address: usize, length: usize) -> Result<(), Errno>;
    /// Copies `data` to `address`, which must lie in a live mapping made by
    /// [`Posix::mmap_anonymous`].
    ///
    /// # Errors
    /// `EFAULT` outside such a mapping.
    fn store(&mut self, address: usize, data: &[u8]) -> Result<(), Errno>;
    /// Copies memory at `address` (in a live mapping made by
    /// [`Posix::mmap_anonymous`]) into `buffer`.
    ///
    /// # Errors
    /// `EFAULT` outside such a mapping.
    fn load(&mut self, address: usize, buffer: &mut [u8]) -> Result<(), Errno>;
}

/// Linux's values of the constants the checks pass.
pub mod constants {
    /// `open`: read only.
    pub const O_RDONLY: i32 = 0;
    /// `open`: write only.
    pub const O_WRONLY: i32 = 1;
    /// `open`: read and write.
    pub const O_RDWR: i32 = 2;
    /// The access mode bits.
    pub const O_ACCMODE: i32 = 3;
    /// `open`: create.
    pub const O_CREAT: i32 = 0o100;
    /// `open`: fail if it exists.
    pub const O_EXCL: i32 = 0o200;
    /// `open`: truncate.
    pub const O_TRUNC: i32 = 0o1000;
    /// `open`: append.
    pub const O_APPEND: i32 = 0o2000;
    /// `open`: non-blocking.
    pub const O_NONBLOCK: i32 = 0o4000;
    /// `open`: must be a directory.
    pub const O_DIRECTORY: i32 = 0o200_000;
    /// `open`: close on exec.
    pub const O_CLOEXEC: i32 = 0o2_000_000;
    /// `fcntl`: duplicate.
    pub const F_DUPFD: i32 = 0;
    /// `fcntl`: descriptor flags.
    pub const F_GETFD: i32 = 1;
    /// `fcntl`: set descriptor flags.
    pub const F_SETFD: i32 = 2;
    /// `fcntl`: status flags.
    pub const F_GETFL: i32 = 3;
    /// `fcntl`: set status flags.
    pub const F_SETFL: i32 = 4;
    /// Descriptor flag: close on exec.
    pub const FD_CLOEXEC: i32 = 1;
    /// `lseek` from the start.
    pub const SEEK_SET: i32 = 0;
    /// `lseek` from the offset.
    pub const SEEK_CUR: i32 = 1;
    /// `lseek` from the end.
    pub const SEEK_END: i32 = 2;
    /// `access`: exists.
    pub const F_OK: i32 = 0;
    /// `access`: executable.
    pub const X_OK: i32 = 1;
    /// `access`: writable.
    pub const W_OK: i32 = 2;
    /// `access`: readable.
    pub const R_OK: i32 = 4;
    /// File type bits of `st_mode`.
    pub const S_IFMT: u32 = 0o170_000;
    /// Directory.
    pub const S_IFDIR: u32 = 0o040_000;
    /// Regular file.
    pub const S_IFREG: u32 = 0o100_000;
    /// FIFO (pipe).
    pub const S_IFIFO: u32 = 0o010_000;
    /// `waitpid`: do not block.
    pub const WNOHANG: i32 = 1;
    /// Kill.
    pub const SIGKILL: i32 = 9;
    /// User signal 1.
    pub const SIGUSR1: i32 = 10;
    /// User signal 2.
    pub const SIGUSR2: i32 = 12;
    /// Broken pipe.
    pub const SIGPIPE: i32 = 13;
    /// Terminate.
    pub const SIGTERM: i32 = 15;
    /// A child stopped or exited.
    pub const SIGCHLD: i32 = 17;
    /// Stop.
    pub const SIGSTOP: i32 = 19;
    /// `sigprocmask`: add.
    pub const SIG_BLOCK: i32 = 0;
    /// `sigprocmask`: remove.
    pub const SIG_UNBLOCK: i32 = 1;
    /// `sigprocmask`: replace.
    pub const SIG_SETMASK: i32 = 2;
    /// `CLOCK_REALTIME`.
    pub const CLOCK_REALTIME: i32 = 0;
    /// `CLOCK_MONOTONIC`.
    pub const CLOCK_MONOTONIC: i32 = 1;

    /// The set holding only `signal` (empty for numbers outside 1..=64).
    #[must_use]
    pub const fn signal_bit(signal: i32) -> super::SignalSet {
        if signal >= 1 && signal <= 64 {
            1 << (signal - 1)
        } else {
            0
        }
    }
}

//! The side effects the shell needs, as a trait that the shell binary implements with
//! system calls (and tests implement with a recording fake).
//!
//! Contract for [`System::spawn`] (fork + exec): in the child, in this order,
//! 1. join the process group ([`ProcessGroup`]: `setpgid(0, 0)` or `setpgid(0, leader)`;
//!    the parent should call `setpgid(child, group)` too, to avoid the race),
//! 2. restore the default disposition of `SIGINT` and `SIGQUIT` if the shell ignores
//!    them (keep `SIGTSTP`, `SIGTTIN`, `SIGTTOU` ignored: there is no `fg`/`bg`, and
//!    [`System::wait`] does not report stopped processes),
//! 3. apply [`SpawnRequest::file_actions`] in order; if one fails, write
//!    [`redirection_failure_message`] to fd 2 and `_exit(1)`,
//! 4. `execve` each of [`SpawnRequest::program_candidates`] in turn with
//!    [`SpawnRequest::arguments`] and [`SpawnRequest::environment`]; if all fail, write
//!    the message of [`exec_failure_report`] to fd 2 and `_exit` with its status.
//!
//! If `spawn` itself fails (fork failed, or an implementation that detects exec failure
//! in the parent), the shell prints [`exec_failure_report`] for the error and uses its
//! status for that stage.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

pub use posix_server_api::Errno;

use crate::glob::DirectoryLister;
use crate::status::WaitStatus;

/// A process id (also used for process group ids).
pub type ProcessId = u32;

/// A file descriptor number.
pub type FileDescriptor = u32;

/// The two ends of a pipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pipe {
    /// The end to read from.
    pub read: FileDescriptor,
    /// The end to write to.
    pub write: FileDescriptor,
}

/// How to open a file for a redirection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    /// `<`: `O_RDONLY`.
    Read,
    /// `>`: `O_WRONLY | O_CREAT | O_TRUNC`, mode [`CREATE_MODE`].
    WriteTruncate,
    /// `>>`: `O_WRONLY | O_CREAT | O_APPEND`, mode [`CREATE_MODE`].
    Append,
}

/// The permission bits for files that redirections create (before the umask).
pub const CREATE_MODE: u32 = 0o666;

impl OpenMode {
    /// The `open` flags with Linux's values (`O_WRONLY` 1, `O_CREAT` 0o100,
    /// `O_TRUNC` 0o1000, `O_APPEND` 0o2000).
    #[must_use]
    pub const fn linux_flags(self) -> u32 {
        match self {
            Self::Read => 0,
            Self::WriteTruncate => 0o1 | 0o100 | 0o1000,
            Self::Append => 0o1 | 0o100 | 0o2000,
        }
    }
}

/// One step of setting up a child's file descriptors, applied in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileAction {
    /// Open `path` with `mode` and place it on `fd` (open, `dup2` onto `fd` unless it
    /// already is `fd`, close the original).
    Open {
        /// The file.
        path: String,
        /// How to open it.
        mode: OpenMode,
        /// Where it must end up.
        fd: FileDescriptor,
    },
    /// `dup2(from, to)`.
    Duplicate {
        /// The descriptor copied.
        from: FileDescriptor,
        /// The descriptor replaced.
        to: FileDescriptor,
    },
    /// `close(fd)` (errors ignored).
    Close(FileDescriptor),
}

/// The process group a new process joins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcessGroup {
    /// Stay in the shell's group (no job control).
    Inherit,
    /// Lead a new group whose id is the child's pid (`setpgid(0, 0)`).
    New,
    /// Join the group `leader` (a pipeline's first stage).
    Join(ProcessId),
}

/// Everything needed to start one command (one pipeline stage).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpawnRequest {
    /// `argv`; `arguments[0]` is the command name as typed.
    pub arguments: Vec<String>,
    /// The paths to `execve`, in order (from [`crate::path_search::candidate_paths`]).
    pub program_candidates: Vec<String>,
    /// The environment, `NAME=value` strings.
    pub environment: Vec<String>,
    /// Descriptor setup, in order: pipe ends first, then closing every pipe descriptor
    /// above 2, then the command's own redirections.
    pub file_actions: Vec<FileAction>,
    /// The process group to join.
    pub process_group: ProcessGroup,
}

/// The system calls of a POSIX shell (and directory listing for globbing, through
/// [`DirectoryLister`]).
pub trait System: DirectoryLister {
    /// `pipe()`.
    ///
    /// # Errors
    /// The errno of `pipe`.
    fn pipe(&mut self) -> Result<Pipe, Errno>;

    /// `close(fd)` in the shell.
    ///
    /// # Errors
    /// The errno of `close`.
    fn close(&mut self, fd: FileDescriptor) -> Result<(), Errno>;

    /// `open(path, mode.linux_flags(), CREATE_MODE)` in the shell (for redirections of
    /// builtins and of commands without a name). Must not return 0, 1 or 2 unless they
    /// were closed: an `F_DUPFD` to 10 or above is advisable.
    ///
    /// # Errors
    /// The errno of `open`.
    fn open(&mut self, path: &str, mode: OpenMode) -> Result<FileDescriptor, Errno>;

    /// Writes all of `bytes` to `fd` (the shell's own output and messages).
    ///
    /// # Errors
    /// The errno of `write`.
    fn write(&mut self, fd: FileDescriptor, bytes: &[u8]) -> Result<(), Errno>;

    /// Starts a process as described in the module documentation.
    ///
    /// # Errors
    /// The errno of `fork` (or of the exec, if the implementation detects it).
    fn spawn(&mut self, request: &SpawnRequest) -> Result<ProcessId, Errno>;

    /// Waits for `process` to end (`waitpid(process, &status, 0)`, retried on `EINTR`).
    ///
    /// # Errors
    /// The errno of `waitpid` (`ECHILD`).
    fn wait(&mut self, process: ProcessId) -> Result<WaitStatus, Errno>;

    /// Checks whether `process` ended, without blocking (`WNOHANG`).
    ///
    /// # Errors
    /// The errno of `waitpid`.
    fn try_wait(&mut self, process: ProcessId) -> Result<Option<WaitStatus>, Errno>;

    /// Makes `group` the terminal's foreground process group (`tcsetpgrp(0, group)`).
    ///
    /// # Errors
    /// The errno of `tcsetpgrp` (ignored by the shell).
    fn give_terminal(&mut self, group: ProcessId) -> Result<(), Errno>;

    /// Makes the shell's own group the foreground group again.
    ///
    /// # Errors
    /// The errno of `tcsetpgrp` (ignored by the shell).
    fn take_terminal(&mut self) -> Result<(), Errno>;

    /// `chdir(path)`.
    ///
    /// # Errors
    /// The errno of `chdir`.
    fn change_directory(&mut self, path: &str) -> Result<(), Errno>;

    /// `getcwd()`.
    ///
    /// # Errors
    /// The errno of `getcwd`.
    fn current_directory(&mut self) -> Result<String, Errno>;
}

/// The message (`"sh: path: No such file or directory\n"`) for a redirection that
/// could not be opened.
#[must_use]
pub fn redirection_failure_message(path: &str, error: Errno) -> String {
    format!("sh: {path}: {}\n", error.message())
}

/// The message and exit status for a command that could not be executed: `ENOENT` for
/// a name without `/` is `"sh: name: command not found"` with status 127, other
/// `ENOENT` 127 with the error text, any other error 126. Pass the last error other
/// than `ENOENT` among the candidates if there was one, else `ENOENT`.
#[must_use]
pub fn exec_failure_report(name: &str, error: Errno) -> (String, u8) {
    if error == Errno::ENOENT {
        if name.contains('/') {
            (format!("sh: {name}: {}\n", error.message()), 127)
        } else {
            (format!("sh: {name}: command not found\n"), 127)
        }
    } else {
        (format!("sh: {name}: {}\n", error.message()), 126)
    }
}

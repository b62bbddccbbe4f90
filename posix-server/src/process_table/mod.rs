//! The process table: pids, parents, process groups, sessions, stop/continue
//! state, zombies and `wait`, and sending signals to processes.
//!
//! [`ProcessTable<T>`] is generic over the runtime's per-process payload `T`
//! (kernel resources, the command name...), stored in each [`Process`]. The table
//! holds POSIX state and decides; operations return [`Notification`]s saying what
//! the runtime must do (wake a waiter, interrupt, stop, continue or tear down a
//! process).
//!
//! Orphaned process groups: an exit that orphans a group with a stopped member
//! sends the group `SIGHUP` then `SIGCONT`; [`ProcessTable::is_orphaned_group`]
//! lets the tty discard `SIGTSTP`/`SIGTTIN`/`SIGTTOU` for orphaned groups (not done
//! here). Not done: subreapers; user ids and `EPERM` for `kill`.

mod exit;
mod groups;
mod kill;
mod notification;
mod orphaned_groups;
mod pid;
mod process;
mod table;
mod wait;

#[cfg(test)]
mod property_tests;
#[cfg(test)]
mod tests;

pub use notification::Notification;
pub use pid::{PID_LIMIT, Pid, ProcessSelector};
pub use process::{Process, ProcessInfo, ProcessState};
pub use table::{DEFAULT_MAX_PROCESSES, ProcessTable};
pub use wait::{WCONTINUED, WNOHANG, WUNTRACED, WaitResult};

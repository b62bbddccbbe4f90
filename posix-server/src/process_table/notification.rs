//! [`Notification`]: what the runtime must act on after a table operation.

use super::pid::Pid;
use crate::signals::{PostOutcome, Signal};

/// Something the runtime must do for one process after a process table operation.
/// Notifications come in the order the events happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notification {
    /// `signal` was sent to `pid`; act on `outcome`: wake/interrupt it
    /// (`Pending { interrupt: true }`), end it (`Terminate`: tear it down, then call
    /// `ProcessTable::exit` with `wait_status::killed`), suspend it (`Stop`: the
    /// table has already marked it stopped), resume it (`Continue`: the table has
    /// already marked it running). `Discarded` needs nothing.
    Signal {
        /// The process that received the signal.
        pid: Pid,
        /// The signal.
        signal: Signal,
        /// What it means.
        outcome: PostOutcome,
    },
    /// A child of `parent` ended, stopped or continued: if `parent` is blocked in
    /// `wait`, retry the wait.
    ChildChanged {
        /// The parent to wake.
        parent: Pid,
    },
}

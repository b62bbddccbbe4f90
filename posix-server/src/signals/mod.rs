//! Signals: the [`Signal`] type and [`SignalSet`], dispositions ([`Action`]), one
//! process's [`SignalState`] with the rules for sending and delivering signals, and
//! the Linux wait status encoding ([`wait_status`]).
//!
//! Only the classic signals 1..=31 exist; realtime signals (32..=64) are rejected
//! with `EINVAL` by [`Signal::new`].

pub mod action;
pub mod signal;
pub mod signal_set;
pub mod state;
pub use posix_server_api::wait_status;

#[cfg(test)]
mod tests;

pub use action::{Action, Handler};
pub use signal::{DefaultAction, Signal};
pub use signal_set::SignalSet;
pub use state::{Delivery, PostOutcome, SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK, SignalState};

//! [`SignalState`]: one process's dispositions, blocked mask and pending signals, and
//! the decisions taken when a signal is sent ([`SignalState::post`]) or delivered
//! ([`SignalState::next_deliverable`]).

use posix_server_api::Errno;

use super::action::{Action, Handler, SA_NODEFER, SA_RESETHAND};
use super::signal::{DefaultAction, Signal};
use super::signal_set::SignalSet;

/// `sigprocmask` `how`: add `set` to the mask.
pub const SIG_BLOCK: u32 = 0;
/// `sigprocmask` `how`: remove `set` from the mask.
pub const SIG_UNBLOCK: u32 = 1;
/// `sigprocmask` `how`: the mask becomes `set`.
pub const SIG_SETMASK: u32 = 2;

/// What sending a signal to a process means, for the runtime to act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostOutcome {
    /// The signal is ignored: nothing happens.
    Discarded,
    /// The signal is now pending. When `interrupt` is true it is deliverable now
    /// (not blocked): wake/interrupt the process so that it calls
    /// [`SignalState::next_deliverable`]; otherwise it waits until unblocked.
    Pending {
        /// Whether the process should be interrupted now.
        interrupt: bool,
    },
    /// The process must end now, killed by this signal (`SIGKILL`, or a signal whose
    /// default action terminates and that is neither blocked nor handled). The
    /// signal is not left pending.
    Terminate(Signal),
    /// The process must stop now (`SIGSTOP`, or a stop signal with the default
    /// action that is not blocked). The signal is not left pending.
    Stop(Signal),
    /// `SIGCONT`: the process must continue now if it is stopped. When `pending`
    /// is true a handler will run later (`SIGCONT` stays pending); `interrupt`
    /// says whether it is deliverable now.
    Continue {
        /// Whether `SIGCONT` was left pending (it has a handler or is blocked).
        pending: bool,
        /// Whether the pending `SIGCONT` is deliverable now.
        interrupt: bool,
    },
}

/// What to do with the next deliverable signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// End the process, killed by this signal (wait status
    /// [`super::wait_status::killed`]).
    Terminate(Signal),
    /// Stop the process (the runtime then calls the process table's `stop`).
    Stop(Signal),
    /// Run a handler. The state's blocked mask is already `mask_during_handler`;
    /// the runtime saves `saved_mask` in the signal frame and passes it back to
    /// [`SignalState::sigreturn`].
    RunHandler {
        /// The signal.
        signal: Signal,
        /// The handler's address.
        handler: u64,
        /// The action's `SA_*` flags (as they were before `SA_RESETHAND` applied).
        flags: u64,
        /// The blocked mask while the handler runs: the old mask, the action's mask,
        /// and the signal itself unless `SA_NODEFER`.
        mask_during_handler: SignalSet,
        /// The blocked mask before the handler (to restore on `sigreturn`).
        saved_mask: SignalSet,
        /// The action's `sa_restorer`.
        restorer: u64,
    },
}

/// The signal state of one process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignalState {
    actions: [Action; Signal::MAX as usize],
    blocked: SignalSet,
    pending: SignalSet,
}

impl Default for SignalState {
    fn default() -> Self {
        Self::new()
    }
}

impl SignalState {
    /// Every signal at its default, nothing blocked, nothing pending.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            actions: [Action::DEFAULT; Signal::MAX as usize],
            blocked: SignalSet::EMPTY,
            pending: SignalSet::EMPTY,
        }
    }

    /// The disposition of `signal`.
    #[must_use]
    pub fn action(&self, signal: Signal) -> Action {
        self.actions[signal.index()]
    }

    /// The blocked mask.
    #[must_use]
    pub const fn blocked(&self) -> SignalSet {
        self.blocked
    }

    /// `sigpending`: the pending signals (blocked or not).
    #[must_use]
    pub const fn sigpending(&self) -> SignalSet {
        self.pending
    }

    /// Whether some pending signal is not blocked.
    #[must_use]
    pub const fn has_deliverable(&self) -> bool {
        !self.pending.difference(self.blocked).is_empty()
    }

    /// Whether `signal` is ignored by its disposition (`SIG_IGN`, or `SIG_DFL`
    /// with a default action of ignore or continue), whether blocked or not.
    #[must_use]
    pub fn is_ignored(&self, signal: Signal) -> bool {
        handler_ignores(self.action(signal).handler, signal)
    }

    /// `sigaction` on signal number `number`: returns the old action and, when `new`
    /// is given, installs it. `EINVAL` for a number outside 1..=31 and for changing
    /// `SIGKILL`/`SIGSTOP` (reading them is allowed). `SIGKILL` and `SIGSTOP` are
    /// removed from the new action's mask. An action that ignores the signal
    /// discards it if it is pending.
    pub fn sigaction(&mut self, number: u32, new: Option<Action>) -> Result<Action, Errno> {
        let signal = Signal::new(number)?;
        let old = self.action(signal);
        if let Some(mut action) = new {
            if signal.is_unblockable() {
                return Err(Errno::EINVAL);
            }
            action.mask = action.mask.difference(SignalSet::UNBLOCKABLE);
            self.actions[signal.index()] = action;
            if handler_ignores(action.handler, signal) {
                self.pending.remove(signal);
            }
        }
        Ok(old)
    }

    /// `sigprocmask`: returns the old mask and, when `set` is given, changes it by
    /// `how` ([`SIG_BLOCK`], [`SIG_UNBLOCK`], [`SIG_SETMASK`]). `EINVAL` for another
    /// `how` (checked even without `set`, as Linux does). `SIGKILL` and `SIGSTOP`
    /// are silently kept out of the mask.
    pub fn sigprocmask(&mut self, how: u32, set: Option<SignalSet>) -> Result<SignalSet, Errno> {
        let old = self.blocked;
        let apply: fn(SignalSet, SignalSet) -> SignalSet = match how {
            SIG_BLOCK => SignalSet::union,
            SIG_UNBLOCK => SignalSet::difference,
            SIG_SETMASK => |_, set| set,
            _ => return Err(Errno::EINVAL),
        };
        if let Some(set) = set {
            self.blocked = apply(old, set).difference(SignalSet::UNBLOCKABLE);
        }
        Ok(old)
    }

    /// `rt_sigreturn`: the blocked mask becomes `saved_mask` (less `SIGKILL`/`SIGSTOP`).
    pub fn sigreturn(&mut self, saved_mask: SignalSet) {
        self.blocked = saved_mask.difference(SignalSet::UNBLOCKABLE);
    }

    /// Sends `signal` to this process and says what must happen (see
    /// [`PostOutcome`]). POSIX's rules: a stop signal discards a pending `SIGCONT`,
    /// `SIGCONT` discards pending stop signals; a blocked signal is kept pending
    /// even if its disposition ignores it (the disposition may change before it is
    /// unblocked, as on Linux); standard signals do not queue (a second one while
    /// pending merges).
    pub fn post(&mut self, signal: Signal) -> PostOutcome {
        if signal.is_stop_signal() {
            self.pending.remove(Signal::SIGCONT);
        }
        if signal == Signal::SIGCONT {
            self.pending = self.pending.difference(SignalSet::STOP_SIGNALS);
        }
        if signal == Signal::SIGKILL {
            return PostOutcome::Terminate(signal);
        }
        if signal == Signal::SIGSTOP {
            return PostOutcome::Stop(signal);
        }
        let blocked = self.blocked.contains(signal);
        let action = self.action(signal);
        if !blocked && handler_ignores(action.handler, signal) {
            if signal == Signal::SIGCONT {
                return PostOutcome::Continue {
                    pending: false,
                    interrupt: false,
                };
            }
            return PostOutcome::Discarded;
        }
        if signal == Signal::SIGCONT {
            self.pending.insert(signal);
            return PostOutcome::Continue {
                pending: true,
                interrupt: !blocked,
            };
        }
        if blocked {
            self.pending.insert(signal);
            return PostOutcome::Pending { interrupt: false };
        }
        match (action.handler, signal.default_action()) {
            (Handler::Default, DefaultAction::Terminate | DefaultAction::CoreDump) => {
                PostOutcome::Terminate(signal)
            }
            (Handler::Default, DefaultAction::Stop) => PostOutcome::Stop(signal),
            _ => {
                self.pending.insert(signal);
                PostOutcome::Pending { interrupt: true }
            }
        }
    }

    /// Sends `signal` the way a fault does (`force_sig` on Linux): if it is blocked
    /// or ignored it is unblocked and its disposition reset to default first, so
    /// that a fault the process cannot handle kills it. Then as [`Self::post`].
    pub fn force(&mut self, signal: Signal) -> PostOutcome {
        let action = self.action(signal);
        if self.blocked.contains(signal) || action.handler == Handler::Ignore {
            self.blocked.remove(signal);
            self.actions[signal.index()].handler = Handler::Default;
        }
        self.post(signal)
    }

    /// Takes the lowest-numbered pending signal that is not blocked and says what
    /// to do with it; signals that are ignored by now are dropped on the way.
    /// For a handler, applies its effects: the blocked mask becomes
    /// `mask_during_handler`, and `SA_RESETHAND` resets the disposition to default.
    pub fn next_deliverable(&mut self) -> Option<Delivery> {
        loop {
            let signal = self.pending.difference(self.blocked).lowest()?;
            self.pending.remove(signal);
            let action = self.action(signal);
            match action.handler {
                Handler::Ignore => {}
                Handler::Default => match signal.default_action() {
                    DefaultAction::Terminate | DefaultAction::CoreDump => {
                        return Some(Delivery::Terminate(signal));
                    }
                    DefaultAction::Stop => return Some(Delivery::Stop(signal)),
                    DefaultAction::Ignore | DefaultAction::Continue => {}
                },
                Handler::Function(handler) => {
                    let saved_mask = self.blocked;
                    let mut mask = saved_mask.union(action.mask);
                    if !action.has_flag(SA_NODEFER) {
                        mask.insert(signal);
                    }
                    let mask_during_handler = mask.difference(SignalSet::UNBLOCKABLE);
                    self.blocked = mask_during_handler;
                    if action.has_flag(SA_RESETHAND) {
                        self.actions[signal.index()].handler = Handler::Default;
                    }
                    return Some(Delivery::RunHandler {
                        signal,
                        handler,
                        flags: action.flags,
                        mask_during_handler,
                        saved_mask,
                        restorer: action.restorer,
                    });
                }
            }
        }
    }

    /// The state of a child made by `fork`: same dispositions and mask, nothing
    /// pending.
    #[must_use]
    pub fn fork(&self) -> Self {
        Self {
            actions: self.actions,
            blocked: self.blocked,
            pending: SignalSet::EMPTY,
        }
    }

    /// What `execve` does: handled signals go back to default, ignored ones stay
    /// ignored; every action loses its flags, mask and restorer (as on Linux);
    /// mask and pending signals are kept.
    pub fn exec(&mut self) {
        for action in &mut self.actions {
            let handler = match action.handler {
                Handler::Ignore => Handler::Ignore,
                Handler::Default | Handler::Function(_) => Handler::Default,
            };
            *action = Action {
                handler,
                ..Action::DEFAULT
            };
        }
    }
}

/// Whether `handler` makes `signal` ignored.
fn handler_ignores(handler: Handler, signal: Signal) -> bool {
    match handler {
        Handler::Ignore => true,
        Handler::Default => matches!(
            signal.default_action(),
            DefaultAction::Ignore | DefaultAction::Continue
        ),
        Handler::Function(_) => false,
    }
}

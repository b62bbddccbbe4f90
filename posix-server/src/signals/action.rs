//! [`Action`]: a signal's disposition as `sigaction` sets it, and the `SA_*` flags.

use super::signal_set::SignalSet;

/// `SA_NOCLDSTOP`: no `SIGCHLD` when a child stops or continues.
pub const SA_NOCLDSTOP: u64 = 0x1;
/// `SA_NOCLDWAIT`: children that exit are reaped at once (no zombies).
pub const SA_NOCLDWAIT: u64 = 0x2;
/// `SA_SIGINFO`: the handler takes three arguments.
pub const SA_SIGINFO: u64 = 0x4;
/// `SA_RESTORER`: `restorer` holds the return trampoline.
pub const SA_RESTORER: u64 = 0x0400_0000;
/// `SA_ONSTACK`: run on the alternate signal stack.
pub const SA_ONSTACK: u64 = 0x0800_0000;
/// `SA_RESTART`: restart interrupted system calls.
pub const SA_RESTART: u64 = 0x1000_0000;
/// `SA_NODEFER`: do not block the signal while its handler runs.
pub const SA_NODEFER: u64 = 0x4000_0000;
/// `SA_RESETHAND`: reset the disposition to default when the handler is entered.
pub const SA_RESETHAND: u64 = 0x8000_0000;

/// `SIG_DFL` as a handler address.
pub const SIG_DFL: u64 = 0;
/// `SIG_IGN` as a handler address.
pub const SIG_IGN: u64 = 1;

/// Where a signal goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handler {
    /// The signal's default action (`SIG_DFL`).
    Default,
    /// Discard the signal (`SIG_IGN`).
    Ignore,
    /// Run the function at this user address.
    Function(u64),
}

/// A signal's disposition: what `struct sigaction` holds. Flags, mask and restorer
/// are kept whatever the handler is, as Linux does (`SA_NOCLDWAIT` and
/// `SA_NOCLDSTOP` matter for `SIGCHLD` even under `SIG_DFL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Action {
    /// The handler.
    pub handler: Handler,
    /// `SA_*` flags.
    pub flags: u64,
    /// Signals blocked while the handler runs (besides the signal itself).
    pub mask: SignalSet,
    /// The return trampoline address (`sa_restorer`).
    pub restorer: u64,
}

impl Action {
    /// `SIG_DFL`, no flags.
    pub const DEFAULT: Self = Self {
        handler: Handler::Default,
        flags: 0,
        mask: SignalSet::EMPTY,
        restorer: 0,
    };

    /// `SIG_IGN`, no flags.
    pub const IGNORE: Self = Self {
        handler: Handler::Ignore,
        ..Self::DEFAULT
    };

    /// A handler function at `address` with `flags`, `mask` and `restorer`.
    #[must_use]
    pub const fn function(address: u64, flags: u64, mask: SignalSet, restorer: u64) -> Self {
        Self {
            handler: Handler::Function(address),
            flags,
            mask,
            restorer,
        }
    }

    /// The action from the raw fields of `struct sigaction`: handler address 0 is
    /// `SIG_DFL`, 1 is `SIG_IGN`, anything else a function.
    #[must_use]
    pub const fn from_raw(handler: u64, flags: u64, mask: u64, restorer: u64) -> Self {
        let handler = match handler {
            SIG_DFL => Handler::Default,
            SIG_IGN => Handler::Ignore,
            address => Handler::Function(address),
        };
        Self {
            handler,
            flags,
            mask: SignalSet::from_bits(mask),
            restorer,
        }
    }

    /// The handler as the address `struct sigaction` holds (0, 1 or the function).
    #[must_use]
    pub const fn raw_handler(&self) -> u64 {
        match self.handler {
            Handler::Default => SIG_DFL,
            Handler::Ignore => SIG_IGN,
            Handler::Function(address) => address,
        }
    }

    /// Whether `flags` has every bit of `flag`.
    #[must_use]
    pub const fn has_flag(&self, flag: u64) -> bool {
        self.flags & flag == flag
    }
}

impl Default for Action {
    fn default() -> Self {
        Self::DEFAULT
    }
}

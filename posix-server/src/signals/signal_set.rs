//! [`SignalSet`]: a set of signals as Linux's `sigset_t` first word (bit n-1 for signal n).

use super::signal::Signal;

/// A set of signals: bit `n - 1` stands for signal `n`, as in Linux's `sigset_t`.
///
/// Only bits of supported signals (1..=31) are ever set; [`SignalSet::from_bits`]
/// drops the others (realtime signals).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SignalSet(u64);

impl SignalSet {
    /// The empty set.
    pub const EMPTY: Self = Self(0);
    /// Every supported signal.
    pub const ALL: Self = Self((1 << Signal::MAX) - 1);
    /// `SIGKILL` and `SIGSTOP`, which can never be blocked.
    pub const UNBLOCKABLE: Self = Self::EMPTY.with(Signal::SIGKILL).with(Signal::SIGSTOP);
    /// The four stop signals (`SIGSTOP`, `SIGTSTP`, `SIGTTIN`, `SIGTTOU`).
    pub const STOP_SIGNALS: Self = Self::EMPTY
        .with(Signal::SIGSTOP)
        .with(Signal::SIGTSTP)
        .with(Signal::SIGTTIN)
        .with(Signal::SIGTTOU);

    const fn bit(signal: Signal) -> u64 {
        1 << signal.index()
    }

    /// The set from a `sigset_t` word; bits of unsupported signals are dropped.
    #[must_use]
    pub const fn from_bits(bits: u64) -> Self {
        Self(bits & Self::ALL.0)
    }

    /// The `sigset_t` word.
    #[must_use]
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// This set plus `signal`.
    #[must_use]
    pub const fn with(self, signal: Signal) -> Self {
        Self(self.0 | Self::bit(signal))
    }

    /// This set minus `signal`.
    #[must_use]
    pub const fn without(self, signal: Signal) -> Self {
        Self(self.0 & !Self::bit(signal))
    }

    /// Adds `signal`.
    pub fn insert(&mut self, signal: Signal) {
        *self = self.with(signal);
    }

    /// Removes `signal`.
    pub fn remove(&mut self, signal: Signal) {
        *self = self.without(signal);
    }

    /// Whether `signal` is in the set.
    #[must_use]
    pub const fn contains(self, signal: Signal) -> bool {
        self.0 & Self::bit(signal) != 0
    }

    /// Whether the set is empty.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Signals in either set.
    #[must_use]
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Signals in both sets.
    #[must_use]
    pub const fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// Signals in this set and not in `other`.
    #[must_use]
    pub const fn difference(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }

    /// The lowest-numbered signal in the set.
    #[must_use]
    pub fn lowest(self) -> Option<Signal> {
        if self.0 == 0 {
            return None;
        }
        Signal::new(self.0.trailing_zeros() + 1).ok()
    }

    /// The signals in the set, in increasing order.
    pub fn iter(self) -> impl Iterator<Item = Signal> {
        Signal::all().filter(move |signal| self.contains(*signal))
    }
}

impl FromIterator<Signal> for SignalSet {
    fn from_iter<I: IntoIterator<Item = Signal>>(signals: I) -> Self {
        signals.into_iter().fold(Self::EMPTY, Self::with)
    }
}

//! Time: the monotonic clock (the TSC, calibrated against the PIT at start-up),
//! the real-time clock (the CMOS clock at start-up plus monotonic time), and the
//! sleepers' deadlines, served by one-shot PIT interrupts.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use crate::process_table::Pid;

/// Nanoseconds in a second.
pub const NANOSECONDS: u64 = 1_000_000_000;
/// Ticks per second of the PIT that serves the deadlines.
pub const PIT_HERTZ: u64 = 1_193_182;

/// Days from 1970-01-01 to the given date (proleptic Gregorian).
#[must_use]
pub fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year / 400;
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    (era * 146_097 + day_of_era).saturating_sub(719_468)
}

/// Seconds since 1970 of a UTC date and time.
#[must_use]
pub fn unix_seconds(year: u64, month: u64, day: u64, hour: u64, minute: u64, second: u64) -> u64 {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return 0;
    }
    days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
}

/// The clocks and the sleepers.
pub struct Clock {
    tsc_hertz: u64,
    tsc_start: u64,
    realtime_start_seconds: u64,
    /// Deadline (monotonic nanoseconds) to the processes sleeping until then.
    sleepers: BTreeMap<u64, Vec<Pid>>,
    /// The deadline the PIT is armed for, if any.
    armed: Option<u64>,
}

impl Clock {
    /// A clock whose TSC runs at `tsc_hertz`, started at TSC `tsc_start`, when the
    /// real time was `realtime_seconds`.
    #[must_use]
    pub fn new(tsc_hertz: u64, tsc_start: u64, realtime_seconds: u64) -> Self {
        Self {
            tsc_hertz: tsc_hertz.max(1),
            tsc_start,
            realtime_start_seconds: realtime_seconds,
            sleepers: BTreeMap::new(),
            armed: None,
        }
    }

    /// Monotonic nanoseconds at TSC value `tsc`.
    #[must_use]
    pub fn monotonic_at(&self, tsc: u64) -> u64 {
        let ticks = u128::from(tsc.saturating_sub(self.tsc_start));
        (ticks * u128::from(NANOSECONDS) / u128::from(self.tsc_hertz)) as u64
    }

    /// Real-time nanoseconds at monotonic time `monotonic`.
    #[must_use]
    pub fn realtime_at(&self, monotonic: u64) -> u64 {
        self.realtime_start_seconds
            .saturating_mul(NANOSECONDS)
            .saturating_add(monotonic)
    }

    /// Adds a sleeper.
    pub fn sleep(&mut self, pid: Pid, deadline: u64) {
        let sleepers = self.sleepers.entry(deadline).or_default();
        if !sleepers.contains(&pid) {
            sleepers.push(pid);
        }
    }

    /// Forgets `pid`'s sleeps.
    pub fn forget(&mut self, pid: Pid) {
        self.sleepers.retain(|_, pids| {
            pids.retain(|&sleeper| sleeper != pid);
            !pids.is_empty()
        });
    }

    /// Takes every sleeper whose deadline is at or before `now`.
    pub fn expired(&mut self, now: u64) -> Vec<Pid> {
        let later = self.sleepers.split_off(&(now + 1));
        let due = core::mem::replace(&mut self.sleepers, later);
        due.into_values().flatten().collect()
    }

    /// The earliest deadline, if any.
    #[must_use]
    pub fn next_deadline(&self) -> Option<u64> {
        self.sleepers.keys().next().copied()
    }

    /// PIT ticks to arm for the next deadline from `now`, if it is not armed for
    /// it already (at most the PIT's 16-bit range; it re-arms on expiry).
    pub fn arm_ticks(&mut self, now: u64) -> Option<u64> {
        let deadline = self.next_deadline()?;
        if self
            .armed
            .is_some_and(|armed| armed <= deadline && armed > now)
        {
            return None;
        }
        let wait = deadline.saturating_sub(now);
        let ticks = (u128::from(wait) * u128::from(PIT_HERTZ) / u128::from(NANOSECONDS)) as u64 + 1;
        let ticks = ticks.min(0xffff);
        self.armed = Some(now + ticks * NANOSECONDS / PIT_HERTZ);
        Some(ticks)
    }

    /// The PIT fired.
    pub fn fired(&mut self) {
        self.armed = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_become_unix_time() {
        assert_eq!(unix_seconds(1970, 1, 1, 0, 0, 0), 0);
        assert_eq!(unix_seconds(2000, 3, 1, 0, 0, 0), 951_868_800);
        assert_eq!(unix_seconds(2026, 11, 27, 9, 44, 51), 1_795_772_691);
        assert_eq!(unix_seconds(2024, 2, 29, 12, 0, 0), 1_709_208_000);
        assert_eq!(unix_seconds(2024, 13, 1, 0, 0, 0), 0);
    }

    #[test]
    fn monotonic_time_follows_the_tsc() {
        let clock = Clock::new(2_000_000_000, 1_000, 1_700_000_000);
        assert_eq!(clock.monotonic_at(1_000), 0);
        assert_eq!(clock.monotonic_at(1_000 + 2_000_000_000), NANOSECONDS);
        assert_eq!(clock.monotonic_at(500), 0);
        assert_eq!(clock.realtime_at(5), 1_700_000_000 * NANOSECONDS + 5);
    }

    #[test]
    fn sleepers_wake_in_deadline_order_once() {
        let mut clock = Clock::new(1_000_000_000, 0, 0);
        clock.sleep(Pid(3), 300);
        clock.sleep(Pid(2), 100);
        clock.sleep(Pid(2), 100);
        clock.sleep(Pid(4), 200);
        assert_eq!(clock.next_deadline(), Some(100));
        assert_eq!(clock.expired(99), alloc::vec![]);
        assert_eq!(clock.expired(200), alloc::vec![Pid(2), Pid(4)]);
        clock.forget(Pid(3));
        assert_eq!(clock.next_deadline(), None);
    }

    #[test]
    fn the_pit_is_armed_within_its_range_and_not_twice() {
        let mut clock = Clock::new(1_000_000_000, 0, 0);
        assert_eq!(clock.arm_ticks(0), None);
        clock.sleep(Pid(2), NANOSECONDS);
        let ticks = clock.arm_ticks(0).unwrap();
        assert_eq!(ticks, 0xffff);
        assert_eq!(clock.arm_ticks(1), None);
        clock.fired();
        assert!(clock.arm_ticks(NANOSECONDS - 1_000).unwrap() <= 3);
    }
}

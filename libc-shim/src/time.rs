//! Time: `clock_gettime` (monotonic and realtime), `nanosleep`, `sleep`.

use posix_server_api::{Errno, Operation};

use crate::posix_call::{finish, request, simple};

/// `CLOCK_REALTIME`.
pub const CLOCK_REALTIME: i32 = 0;
/// `CLOCK_MONOTONIC`.
pub const CLOCK_MONOTONIC: i32 = 1;
/// Nanoseconds in a second.
pub const NANOSECONDS_PER_SECOND: u64 = 1_000_000_000;

/// A time: seconds and nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeSpec {
    /// Seconds.
    pub seconds: i64,
    /// Nanoseconds (0..1e9).
    pub nanoseconds: i64,
}

impl TimeSpec {
    /// In nanoseconds (saturating).
    #[must_use]
    pub const fn as_nanoseconds(&self) -> u64 {
        (self.seconds as u64)
            .saturating_mul(NANOSECONDS_PER_SECOND)
            .saturating_add(self.nanoseconds as u64)
    }
}

/// `clock_gettime`.
///
/// # Errors
/// `EINVAL` for an unknown clock.
pub fn clock_gettime(clock: i32) -> Result<TimeSpec, Errno> {
    let reply = simple(Operation::ClockGetTime, &[clock as u64]);
    let seconds = finish(&reply)?;
    Ok(TimeSpec {
        seconds: seconds as i64,
        nanoseconds: reply.values[0] as i64,
    })
}

/// `nanosleep`: sleeps `duration`.
///
/// # Errors
/// `EINVAL` for a bad duration, `EINTR` if a signal handler ran.
pub fn nanosleep(duration: TimeSpec) -> Result<(), Errno> {
    if duration.seconds < 0 || !(0..1_000_000_000).contains(&duration.nanoseconds) {
        return Err(Errno::EINVAL);
    }
    let now = clock_gettime(CLOCK_MONOTONIC)?;
    let deadline = now
        .as_nanoseconds()
        .saturating_add(duration.as_nanoseconds());
    let reply = request(Operation::SleepUntil, &[deadline], &mut || {});
    finish(&reply).map(|_| ())
}

/// `sleep` for whole seconds.
///
/// # Errors
/// As [`nanosleep`].
pub fn sleep(seconds: u64) -> Result<(), Errno> {
    nanosleep(TimeSpec {
        seconds: seconds as i64,
        nanoseconds: 0,
    })
}

/// The processor's time-stamp counter, read as `lfence; rdtsc; lfence` so that
/// the read is ordered after the instructions before it and before the ones
/// after it. Under QEMU with `-icount shift=0,sleep=off` it counts retired guest
/// instructions (the unit of `cargo xtask bench`).
#[must_use]
pub fn timestamp() -> u64 {
    let low: u32;
    let high: u32;
    // SAFETY: `lfence` and `rdtsc` only read the time-stamp counter into
    // edx:eax and order loads; they touch no memory and no other register, and
    // the kernel leaves CR4.TSD clear so `rdtsc` is allowed in user mode.
    // (`nomem` is left out on purpose: like a C "memory" clobber, it keeps the
    // compiler from moving memory accesses across the read.)
    unsafe {
        core::arch::asm!(
            "lfence",
            "rdtsc",
            "lfence",
            out("eax") low,
            out("edx") high,
            options(nostack, preserves_flags),
        );
    }
    (u64::from(high) << 32) | u64::from(low)
}

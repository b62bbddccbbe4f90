//! Time: clock_gettime of both clocks, nanosleep and their errors.

use alloc::string::ToString;

use crate::posix::constants::{CLOCK_MONOTONIC, CLOCK_REALTIME};
use crate::posix::{Posix, TimeSpec};
use crate::suite::{Suite, outcome};

/// 2020-01-01T00:00:00Z in seconds since the epoch.
const YEAR_2020: i64 = 1_577_836_800;
/// Readings compared for monotonicity.
const READINGS: usize = 1000;
/// The sleep that is measured: 100 ms.
const SLEEP_NANOSECONDS: u64 = 100_000_000;

/// Runs the time checks.
pub fn run<P: Posix>(suite: &mut Suite<'_, P>) {
    let now = suite.posix.clock_gettime(CLOCK_MONOTONIC);
    suite.check("clock_gettime CLOCK_MONOTONIC", &outcome(&now), "ok");
    let observed = match now {
        Ok(time) if (0..1_000_000_000).contains(&time.nanoseconds) => "in range",
        Ok(_) => "out of range",
        Err(errno) => errno.name(),
    };
    suite.check("monotonic nanoseconds field", observed, "in range");
    let mut previous = now.unwrap_or_default();
    let mut backwards = false;
    for _ in 0..READINGS {
        if let Ok(time) = suite.posix.clock_gettime(CLOCK_MONOTONIC) {
            backwards |= time < previous;
            previous = time;
        }
    }
    let observed = if backwards {
        "went backwards"
    } else {
        "never backwards"
    };
    suite.check(
        "the monotonic clock over 1000 readings",
        observed,
        "never backwards",
    );

    let real = suite.posix.clock_gettime(CLOCK_REALTIME);
    let observed = match real {
        Ok(time) if time.seconds > YEAR_2020 => "after 2020".to_string(),
        Ok(_) => "before 2020".to_string(),
        Err(errno) => errno.name().to_string(),
    };
    suite.check("clock_gettime CLOCK_REALTIME", &observed, "after 2020");
    let result = suite.posix.clock_gettime(99);
    suite.check("clock_gettime of clock 99", &outcome(&result), "EINVAL");

    let before = suite.posix.clock_gettime(CLOCK_MONOTONIC);
    let slept = suite.posix.nanosleep(TimeSpec {
        seconds: 0,
        nanoseconds: SLEEP_NANOSECONDS as i64,
    });
    let after = suite.posix.clock_gettime(CLOCK_MONOTONIC);
    suite.check("nanosleep 100 ms", &outcome(&slept), "ok");
    let observed = match (before, after) {
        (Ok(before), Ok(after)) => {
            let elapsed = after
                .as_nanoseconds()
                .saturating_sub(before.as_nanoseconds());
            if elapsed >= SLEEP_NANOSECONDS {
                ">= 100ms"
            } else {
                "< 100ms"
            }
        }
        _ => "no clock",
    };
    suite.check(
        "the monotonic clock advances across nanosleep",
        observed,
        ">= 100ms",
    );
    let result = suite.posix.nanosleep(TimeSpec::default());
    suite.check("nanosleep 0", &outcome(&result), "ok");
    let result = suite.posix.nanosleep(TimeSpec {
        seconds: 0,
        nanoseconds: 1_000_000_000,
    });
    suite.check(
        "nanosleep with 1e9 nanoseconds",
        &outcome(&result),
        "EINVAL",
    );
    let result = suite.posix.nanosleep(TimeSpec {
        seconds: -1,
        nanoseconds: 0,
    });
    suite.check("nanosleep of a negative time", &outcome(&result), "EINVAL");
}

//! One measurement: warm up, time the kernel call [`SAMPLE_COUNT`] times, do the
//! same with its overhead twin (the same code with `syscall` replaced by a 2-byte
//! nop), and subtract the twin's median from the call's minimum and median.

use core::sync::atomic::{AtomicU64, Ordering};

use a9n_abi::kernel_call::CALL_SUCCEEDED;
use nun::timed_call::Timing;

use crate::error::BenchmarkError;
use crate::statistics;

/// Timed iterations per measurement.
pub const SAMPLE_COUNT: usize = 10_000;
/// Untimed iterations before the timed ones (caches, TLB, the fastpath's state).
pub const WARM_UP_COUNT: usize = 1_000;

/// The samples of the measurement under way (one at a time, whichever thread
/// measures).
static SAMPLES: [AtomicU64; SAMPLE_COUNT] = [const { AtomicU64::new(0) }; SAMPLE_COUNT];

/// A result, in instructions (time-stamp-counter ticks under icount).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    /// The fastest iteration, overhead subtracted.
    pub minimum: u64,
    /// The median iteration, overhead subtracted.
    pub median: u64,
    /// The median of the overhead twin, which was subtracted.
    pub overhead: u64,
}

/// Whether a timed call's status word must say success.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum StatusCheck {
    /// `status` must be `CALL_SUCCEEDED` (capability calls, YIELD).
    MustSucceed,
    /// The call returns no status (a fault resumes with registers unchanged).
    None,
}

/// Runs `call` [`WARM_UP_COUNT`] times, then records it [`SAMPLE_COUNT`] times;
/// returns (minimum, median) of the ticks.
fn record(
    what: &'static str,
    check: StatusCheck,
    call: &mut impl FnMut() -> Timing,
) -> Result<(u64, u64), BenchmarkError> {
    for iteration in 0..WARM_UP_COUNT + SAMPLE_COUNT {
        let timing = call();
        if check == StatusCheck::MustSucceed && timing.status != CALL_SUCCEEDED {
            return Err(BenchmarkError::CallFailed(what, timing.status));
        }
        if let Some(index) = iteration.checked_sub(WARM_UP_COUNT) {
            SAMPLES[index].store(timing.ticks, Ordering::Relaxed);
        }
    }
    Ok((statistics::minimum(&SAMPLES), statistics::median(&SAMPLES)))
}

/// Measures `call` against its overhead twin `overhead`.
///
/// # Errors
/// [`BenchmarkError::CallFailed`] if a call's status is not success when `check`
/// demands it.
pub fn measure(
    what: &'static str,
    check: StatusCheck,
    mut call: impl FnMut() -> Timing,
    mut overhead: impl FnMut() -> Timing,
) -> Result<Figures, BenchmarkError> {
    let (_, overhead_median) = record(what, StatusCheck::None, &mut overhead)?;
    let (minimum, median) = record(what, check, &mut call)?;
    Ok(Figures {
        minimum: minimum.saturating_sub(overhead_median),
        median: median.saturating_sub(overhead_median),
        overhead: overhead_median,
    })
}

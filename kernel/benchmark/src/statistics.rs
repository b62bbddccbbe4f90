//! Minimum and median of a set of samples held in atomics, without sorting (the
//! samples live in a static that several threads fill in turn, and no stack has room
//! for a copy): the k-th smallest value is found by bisecting the value range and
//! counting the samples at or below the midpoint.

use core::sync::atomic::{AtomicU64, Ordering};

fn value(sample: &AtomicU64) -> u64 {
    sample.load(Ordering::Relaxed)
}

/// The smallest sample (0 for none).
pub fn minimum(samples: &[AtomicU64]) -> u64 {
    samples.iter().map(value).min().unwrap_or(0)
}

/// The largest sample (0 for none).
fn maximum(samples: &[AtomicU64]) -> u64 {
    samples.iter().map(value).max().unwrap_or(0)
}

/// The sample that would be at index `rank` if the samples were sorted (`rank`
/// below the sample count).
fn at_rank(samples: &[AtomicU64], rank: usize) -> u64 {
    let (mut low, mut high) = (minimum(samples), maximum(samples));
    while low < high {
        let middle = low + (high - low) / 2;
        let at_or_below = samples
            .iter()
            .filter(|sample| value(sample) <= middle)
            .count();
        if at_or_below > rank {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    low
}

/// The median as the Linux baseline (/work/shared/bench/bench.c) takes it: the middle
/// sample, or the mean of the two middle samples for an even count (0 for none).
pub fn median(samples: &[AtomicU64]) -> u64 {
    let count = samples.len();
    if count == 0 {
        return 0;
    }
    if count % 2 == 1 {
        at_rank(samples, count / 2)
    } else {
        let (lower, upper) = (at_rank(samples, count / 2 - 1), at_rank(samples, count / 2));
        lower + (upper - lower) / 2
    }
}

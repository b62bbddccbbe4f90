//! Scheduling constants (docs/abi.md section 7).
//!
//! 32 priorities, 0..=31, higher runs first; FIFO within a priority; round robin
//! with a quantum of 10 timer ticks. KOITO fixes the timer tick at 1 ms, so a
//! quantum is 10 ms. IPC switches directly to the partner when its priority is at
//! least the highest ready priority, on CALL and on REPLY_RECEIVE.

/// Number of priorities.
pub const PRIORITY_COUNT: usize = 32;
/// The lowest priority.
pub const MIN_PRIORITY: u64 = 0;
/// The highest priority (runs first).
pub const MAX_PRIORITY: u64 = PRIORITY_COUNT as u64 - 1;
/// Priority of the initial thread (docs/abi.md section 9).
pub const INIT_PRIORITY: u64 = MAX_PRIORITY;
/// Length of a time slice, in timer ticks.
pub const QUANTUM_TICKS: u64 = 10;
/// Length of a timer tick in microseconds (KOITO decision: 1 ms).
pub const TICK_MICROSECONDS: u64 = 1_000;
/// Length of a time slice in microseconds.
pub const QUANTUM_MICROSECONDS: u64 = QUANTUM_TICKS * TICK_MICROSECONDS;

/// True if `priority` is a valid priority (below [`PRIORITY_COUNT`]).
#[must_use]
pub const fn is_valid_priority(priority: u64) -> bool {
    priority <= MAX_PRIORITY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_match_the_spec() {
        assert_eq!(PRIORITY_COUNT, 32);
        assert_eq!(MAX_PRIORITY, 31);
        assert_eq!(INIT_PRIORITY, 31);
        assert_eq!(QUANTUM_TICKS, 10);
        assert_eq!(QUANTUM_MICROSECONDS, 10_000);
    }

    #[test]
    fn priorities_below_32_are_valid() {
        for priority in 0..32 {
            assert!(is_valid_priority(priority));
        }
        for priority in [32, 33, u64::MAX] {
            assert!(!is_valid_priority(priority));
        }
    }
}

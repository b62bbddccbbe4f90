//! The lowest layer: memory accesses and moments timed with the time-stamp counter,
//! for benchmarks of what happens behind an access (a page fault resolved by a
//! pager). Under QEMU with `-icount shift=0,sleep=off` the TSC counts retired
//! instructions, so a timed write that faults counts every instruction the kernel
//! and the fault resolver ran for it.
//!
//! Each timing is one `asm!` block, `lfence; rdtsc; lfence`, the access, `lfence;
//! rdtsc; lfence`, so that no compiler-generated code sits between the counter
//! reads and the access. The cost of the timing itself is the same call on a page
//! that is already mapped.
//!
//! ```no_run
//! use nun::{timed_access, window};
//!
//! // A write to an unmapped page of a region a pager serves, then to the same page.
//! let first = timed_access::timed_window_write(window::BASE, 1).unwrap();
//! let again = timed_access::timed_window_write(window::BASE, 2).unwrap();
//! let fault_instructions = first - again;
//! ```

use crate::window;

/// Writes `value` to the word at `address` of Nun's window and returns the TSC
/// ticks the write took (`None`, writing nothing, outside the window or
/// misaligned). An unmapped page faults in the kernel's hands as in
/// [`window::write_word`].
#[must_use]
pub fn timed_window_write(address: u64, value: u64) -> Option<u64> {
    if !window::contains_word(address) {
        return None;
    }
    let start: u64;
    let end: u64;
    // SAFETY: the word lies in the window, which holds no Rust object (see
    // `window`), so the aligned store aliases nothing; `rdtsc` and `lfence` only
    // read the counter and order instructions. RAX and RDX are declared clobbered.
    unsafe {
        core::arch::asm!(
            "lfence",
            "rdtsc",
            "lfence",
            "shl rdx, 32",
            "or rax, rdx",
            "mov {start}, rax",
            "mov qword ptr [{address}], {value}",
            "lfence",
            "rdtsc",
            "lfence",
            "shl rdx, 32",
            "or rax, rdx",
            address = in(reg) address,
            value = in(reg) value,
            start = out(reg) start,
            out("rax") end,
            out("rdx") _,
            options(nostack, preserves_flags),
        );
    }
    Some(end.wrapping_sub(start))
}

/// The TSC now, fenced on both sides (for operations long enough that the few
/// instructions around the read do not matter).
#[must_use]
pub fn timestamp() -> u64 {
    let now: u64;
    // SAFETY: `rdtsc` and `lfence` only read the counter and order instructions;
    // RAX and RDX are declared clobbered.
    unsafe {
        core::arch::asm!(
            "lfence",
            "rdtsc",
            "lfence",
            "shl rdx, 32",
            "or rax, rdx",
            out("rax") now,
            out("rdx") _,
            options(nostack, preserves_flags),
        );
    }
    now
}

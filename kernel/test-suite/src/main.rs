//! The A9N kernel test suite: a user-space test driver in the spirit of sel4test,
//! booted as init. Every test is independent (its objects come from a fresh child
//! Generic that is revoked afterwards), deterministic and fast; each prints
//! `test NAME ... ok` or `test NAME ... FAILED: reason` on the debug console, and
//! the run ends with `kernel tests: N passed, N failed` and the QEMU exit code.
//!
//! The expected answers come from docs/abi.md. Where the document names no single
//! error for a case, the test accepts any error and says so in its comment.
#![no_std]
#![no_main]

mod check;
mod context;
mod exit;
mod harness;
mod tests;
mod thread_bodies;
mod threads;

use a9n_abi::{InitInfo, test_exit};

use crate::harness::{choose_parent, run_all};

nun::init_entry!(main);

/// How many failed test names the closing report keeps.
const FAILED_NAME_CAPACITY: usize = 64;

fn main(info: &'static InitInfo) {
    let count: usize = tests::GROUPS.iter().map(|group| group.len()).sum();
    nun::debug_println!("kernel tests: running {count} tests");
    let Some(parent) = choose_parent(info) else {
        nun::debug_println!("kernel tests: no RAM Generic larger than 8 MiB in init_info");
        nun::debug_println!("kernel tests: 0 passed, {count} failed");
        exit::exit_qemu(test_exit::FAILURE);
    };
    let mut failed_names = [""; FAILED_NAME_CAPACITY];
    let totals = run_all(info, parent, tests::GROUPS, &mut failed_names);
    report_disagreements(&failed_names[..(totals.failed as usize).min(FAILED_NAME_CAPACITY)]);
    nun::debug_println!(
        "kernel tests: {} passed, {} failed",
        totals.passed,
        totals.failed
    );
    exit::exit_qemu(if totals.failed == 0 {
        test_exit::SUCCESS
    } else {
        test_exit::FAILURE
    });
}

/// Lists the failed tests known to fail because the kernel disagrees with
/// docs/abi.md (the test follows the document; the kernel needs fixing).
fn report_disagreements(failed: &[&str]) {
    for (name, note) in tests::KERNEL_DISAGREEMENTS {
        if failed.contains(name) {
            nun::debug_println!("kernel disagrees with docs/abi.md: {name}: {note}");
        }
    }
}

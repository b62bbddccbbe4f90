//! mm-tests: the memory server's in-QEMU test client. Init starts it (from the boot
//! module `mm-tests.elf`, present in test images only) with two client capabilities
//! of mm-server and the IO ports of QEMU's debug-exit device. It runs every test of
//! [`tests::ALL`] through mm-server's protocol, prints `test NAME ... ok` or
//! `test NAME ... FAILED: reason` for each and `mm tests: N passed, N failed`, and
//! ends QEMU with SUCCESS or FAILURE.
//!
//! Tests that need threads make address spaces through mm-server, map this
//! program's image into them, and run workers there (`mm_server_tests::child`,
//! `mm_server_tests::work`).
#![no_std]
#![no_main]

extern crate alloc;

mod tests;

use a9n_abi::test_exit;
use mm_server_tests::environment::Environment;
use mm_server_tests::exit;
use mm_server_tests::harness::Harness;

nun::server_entry!(main);

/// The test client's heap (bookkeeping of the objects tests hold).
#[global_allocator]
static HEAP: nun::heap::StaticHeap<{ 128 * 1024 }> = nun::heap::StaticHeap::new();

fn main(_argument: u64) {
    let mut environment = match Environment::new() {
        Ok(environment) => environment,
        Err(reason) => {
            nun::debug_println!("mm-tests: cannot start: {reason}");
            nun::debug_println!("mm tests: 0 passed, 1 failed");
            exit::exit_qemu(test_exit::FAILURE);
            return;
        }
    };
    nun::debug_println!(
        "mm-tests: {} tests, image of {} pages",
        tests::ALL.len(),
        environment.image_frames
    );
    let mut harness = Harness::default();
    for (name, test) in tests::ALL {
        harness.run(name, &mut environment, test);
    }
    harness.report();
    exit::exit_qemu(if harness.failed == 0 {
        test_exit::SUCCESS
    } else {
        test_exit::FAILURE
    });
}

//! The A9N kernel benchmarks, booted as init by `cargo xtask bench` under QEMU with
//! `-icount shift=0,sleep=off`, where the guest's time-stamp counter counts retired
//! instructions: IPC round trips (between address spaces, within one, with 0, 4
//! and 10 words), a notification round trip, a null kernel call and a fault
//! round trip, each in instructions (min and median over 10,000 timed iterations
//! after 1,000 warm-up iterations, the timing code's own cost subtracted).
//!
//! Each result is printed as `bench NAME: min M median D instructions` (with a
//! `bench-overhead NAME: O instructions` line before it), then `bench done`, and the
//! program ends QEMU through the debug-exit port. On an error it prints
//! `bench error: ...` and exits with the failure code.
#![no_std]
#![no_main]

mod benchmarks;
mod error;
mod exit;
mod local_threads;
mod measurement;
mod resources;
mod second_address_space;
mod statistics;
mod thread_bodies;

use a9n_abi::{InitInfo, test_exit};

nun::init_entry!(main);

fn main(info: &'static InitInfo) {
    nun::debug_println!(
        "bench: A9N kernel benchmarks, {} timed iterations after {} warm-up, timing overhead subtracted",
        measurement::SAMPLE_COUNT,
        measurement::WARM_UP_COUNT,
    );
    match benchmarks::run_all(info) {
        Ok(()) => {
            nun::debug_println!("bench done");
            exit::exit_qemu(test_exit::SUCCESS);
        }
        Err(error) => {
            nun::debug_println!("bench error: {error}");
            exit::exit_qemu(test_exit::FAILURE);
        }
    }
}

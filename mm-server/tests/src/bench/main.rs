//! mm-bench: the memory server's benchmarks, in instructions. Init starts it (boot
//! module `mm-bench.elf`, in the image of `cargo xtask bench` only) like the test
//! client; under QEMU `-icount shift=0,sleep=off` the TSC counts retired
//! instructions, kernel and mm-server included. It prints
//! `bench NAME: min M median D instructions` and `bench-overhead NAME: O
//! instructions` rows (the format of the kernel benchmarks), then `mm bench done`,
//! and ends QEMU.
//!
//! | row | what is timed |
//! |---|---|
//! | [`PAGE_FAULT`] | a worker's first write to a 4 KiB page of a demand-zero region: the fault, its delivery to mm-server, a new zeroed frame mapped, the reply, the retried write; 10,240 pages after 1,024 warm-up ones; overhead: the same timed write to the page once mapped |
//! | [`CLONE`] | CLONE_ADDRESS_SPACE of a space with 16 MiB of touched 4 KiB pages, from the client's call to its reply; 10 clones after one warm-up, the parent's pages made writable again between them |
#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::sync::atomic::Ordering;

use a9n_abi::test_exit;
use mm_server_api::Protection;
use mm_server_api::request::{MapAnonymous, MapFlags};
use mm_server_tests::child::{Child, DATA_BASE};
use mm_server_tests::environment::{Environment, describe};
use mm_server_tests::exit;
use mm_server_tests::work::{Operation, Order, TIMING_CAPACITY, TIMINGS};

nun::server_entry!(main);

/// The benchmark's heap (timings being sorted).
#[global_allocator]
static HEAP: nun::heap::StaticHeap<{ 256 * 1024 }> = nun::heap::StaticHeap::new();

/// Row: a demand-zero page fault resolved by mm-server.
const PAGE_FAULT: &str = "mm-server page fault (demand-zero 4 KiB, end to end)";
/// Row: cloning a 16 MiB address space.
const CLONE: &str = "mm-server address-space clone (16 MiB of 4 KiB pages)";
/// Pages faulted before timing starts.
const WARM_UP: usize = 1024;
/// Clones timed.
const CLONES: usize = 10;

/// Minimum and median of `values`.
fn minimum_and_median(values: &mut [u64]) -> (u64, u64) {
    values.sort_unstable();
    (
        values.first().copied().unwrap_or(0),
        values.get(values.len() / 2).copied().unwrap_or(0),
    )
}

fn timings(count: usize) -> Vec<u64> {
    TIMINGS
        .iter()
        .take(count)
        .map(|ticks| ticks.load(Ordering::Relaxed))
        .collect()
}

fn region(environment: &Environment, child: &Child, length: u64) -> Result<(), String> {
    environment
        .mm
        .map_anonymous(MapAnonymous {
            space: child.space,
            address: DATA_BASE,
            length,
            protection: Protection::READ_WRITE,
            flags: MapFlags::NO_LARGE_PAGES,
            stack_limit: 0,
        })
        .map(|_| ())
        .map_err(|error| format!("MAP_ANONYMOUS: {}", describe(error)))
}

fn page_fault(environment: &mut Environment) -> Result<(), String> {
    let mut child = Child::create(environment)?;
    let pages = TIMING_CAPACITY as u64;
    region(environment, &child, pages * 4096)?;
    let order = Order {
        operation: Operation::TimedFill,
        start: DATA_BASE,
        count: pages,
        stride: 4096,
        seed: 0xbe4c,
    };
    let written = child.run(environment, order)?;
    if written != pages {
        return Err(format!("{written} of {pages} pages written"));
    }
    let mut faults = timings(TIMING_CAPACITY);
    child.run(environment, order)?;
    let mut mapped = timings(TIMING_CAPACITY);
    child.destroy(environment)?;
    let timed = faults.get(WARM_UP..).unwrap_or(&[]);
    let mean = timed.iter().sum::<u64>() / (timed.len().max(1) as u64);
    let maximum = timed.iter().copied().max().unwrap_or(0);
    let (minimum, median) = minimum_and_median(&mut faults[WARM_UP..]);
    let (_, overhead) = minimum_and_median(&mut mapped[WARM_UP..]);
    // Not a table row: the mean includes the block splits, each of which zeroes
    // the whole block split (the kernel zeroes Generics it converts).
    nun::debug_println!(
        "mm-bench: page fault mean {} max {maximum} instructions (timing included)",
        mean
    );
    nun::debug_println!("bench-overhead {PAGE_FAULT}: {overhead} instructions");
    nun::debug_println!(
        "bench {PAGE_FAULT}: min {} median {} instructions",
        minimum.saturating_sub(overhead),
        median.saturating_sub(overhead)
    );
    Ok(())
}

fn clone(environment: &mut Environment) -> Result<(), String> {
    let mut parent = Child::create(environment)?;
    let pages = 16 * 256;
    region(environment, &parent, pages * 4096)?;
    let fill = Order {
        operation: Operation::Fill,
        start: DATA_BASE,
        count: pages,
        stride: 4096,
        seed: 0xc10e,
    };
    let mut ticks = Vec::new();
    for round in 0..=CLONES {
        // Every page written (and so writable) again before each clone.
        parent.run(environment, fill)?;
        let start = nun::timed_access::timestamp();
        let child = Child::clone_without_image(environment, &parent)?;
        let end = nun::timed_access::timestamp();
        child.destroy(environment)?;
        if round > 0 {
            ticks.push(end - start);
        }
    }
    parent.destroy(environment)?;
    let start = nun::timed_access::timestamp();
    let end = nun::timed_access::timestamp();
    let overhead = end - start;
    let (minimum, median) = minimum_and_median(&mut ticks);
    nun::debug_println!("bench-overhead {CLONE}: {overhead} instructions");
    nun::debug_println!(
        "bench {CLONE}: min {} median {} instructions",
        minimum.saturating_sub(overhead),
        median.saturating_sub(overhead)
    );
    Ok(())
}

fn main(_argument: u64) {
    let result = Environment::new().and_then(|mut environment| {
        page_fault(&mut environment)?;
        clone(&mut environment)
    });
    match result {
        Ok(()) => {
            nun::debug_println!("mm bench done");
            exit::exit_qemu(test_exit::SUCCESS);
        }
        Err(reason) => {
            nun::debug_println!("mm-bench: {reason}");
            exit::exit_qemu(test_exit::FAILURE);
        }
    }
}

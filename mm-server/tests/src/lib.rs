//! What mm-server's in-QEMU programs share: the environment init gives them
//! (client capabilities, a capability node), address spaces with worker threads
//! that run this crate's code, the worker's orders, the test harness, and the way
//! out of QEMU. Two programs use it: `mm-tests` (the tests, `src/main.rs`) and
//! `mm-bench` (the benchmarks, `src/bench/main.rs`).
#![no_std]

extern crate alloc;

pub mod child;
pub mod environment;
pub mod exit;
pub mod harness;
pub mod work;

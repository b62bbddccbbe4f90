//! `a9n-core`: the portable logic of the A9N kernel.
//!
//! Nothing in this crate touches hardware or uses `asm!`; the x86_64 layer of the
//! kernel calls into it, and every module is tested on the host with `cargo test`.
#![no_std]

pub mod acpi_madt;
pub mod capability;
pub mod capability_tree;
pub mod descriptor_resolution;
pub mod generic_conversion;
pub mod irq_routing;
pub mod physical_memory;
pub mod ready_queues;
pub mod wait_queue;

#[cfg(test)]
extern crate std;
#[cfg(test)]
mod capability_tree_tests;

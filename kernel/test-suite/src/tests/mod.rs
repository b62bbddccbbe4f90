//! The tests, one module per object or topic of docs/abi.md.

use crate::harness::Test;

/// A list of [`Test`]s named after their functions.
macro_rules! tests {
    ($($function:ident),+ $(,)?) => {
        &[$($crate::harness::Test { name: stringify!($function), run: $function }),+]
    };
}

mod address_space;
mod com1_interrupts;
mod derivation;
mod descriptors;
mod faults;
mod frame;
mod generic;
mod init_protocol;
mod interrupts;
mod io_port;
mod ipc;
mod kernel_calls;
mod memory;
mod node;
mod notification;
mod process_control_block;
mod robustness;
mod scheduling;
mod second_address_space;
mod threads;

/// Every group, in the order they run.
pub const GROUPS: &[&[Test]] = &[
    init_protocol::TESTS,
    kernel_calls::TESTS,
    descriptors::TESTS,
    node::TESTS,
    derivation::TESTS,
    generic::TESTS,
    frame::TESTS,
    address_space::TESTS,
    memory::TESTS,
    process_control_block::TESTS,
    threads::TESTS,
    second_address_space::TESTS,
    scheduling::TESTS,
    io_port::TESTS,
    ipc::TESTS,
    notification::TESTS,
    faults::TESTS,
    interrupts::TESTS,
    com1_interrupts::TESTS,
    robustness::TESTS,
];

/// Tests that fail because the kernel disagrees with docs/abi.md, with what the
/// document says; printed at the end of a run when they fail.
pub const KERNEL_DISAGREEMENTS: &[(&str, &str)] = &[];

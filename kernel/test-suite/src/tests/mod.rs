//! The tests, one module per object or topic of docs/abi.md.

use crate::harness::Test;

/// A list of [`Test`]s named after their functions.
macro_rules! tests {
    ($($function:ident),+ $(,)?) => {
        &[$($crate::harness::Test { name: stringify!($function), run: $function }),+]
    };
}

mod address_space;
mod derivation;
mod descriptors;
mod faults;
mod frame;
mod generic;
mod init_protocol;
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
    robustness::TESTS,
];

/// Tests that fail because the kernel disagrees with docs/abi.md, with what the
/// document says; printed at the end of a run when they fail.
pub const KERNEL_DISAGREEMENTS: &[(&str, &str)] = &[
    (
        "descriptor_of_depth_8_names_no_slot",
        "section 12 says a depth-8 descriptor names no slot (INVALID_DESCRIPTOR); the kernel \
         resolves it to the root node (section 4 calls D = 8 the root node itself)",
    ),
    (
        "convert_past_the_watermark_is_fatal",
        "section 12 says objects that do not fit are FATAL (out of memory); the kernel answers \
         INVALID_ARGUMENT (as section 2's table and the a9n-abi rustdoc say)",
    ),
    (
        "convert_is_all_or_nothing_when_memory_runs_out",
        "section 12 says objects that do not fit are FATAL (out of memory); the kernel answers \
         INVALID_ARGUMENT (as section 2's table and the a9n-abi rustdoc say)",
    ),
    (
        "invalid_kernel_call_reaches_the_resolver_with_the_registers",
        "section 6: a reply whose length is not 23 resumes the thread with its registers \
         unchanged; when the resolver was already waiting, the kernel delivers the reply like \
         an ordinary CALL reply (MR0 1, MR2 message_info) (a fault queued before the RECEIVE \
         works)",
    ),
    (
        "reply_of_length_23_writes_the_registers_back",
        "section 6: a reply of length 23 writes MR7..MR26 back as the registers; when the \
         resolver was already waiting, the kernel delivers it like an ordinary CALL reply",
    ),
    (
        "page_fault_is_resolved_by_mapping_and_replying",
        "section 6: after the reply a memory fault retries the access; when the resolver was \
         already waiting, the reply overwrites the thread's MRs and it faults again at 0",
    ),
];

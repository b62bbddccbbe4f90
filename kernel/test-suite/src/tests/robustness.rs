//! No kernel panic is reachable from user space: every operation number of every
//! object a test can make, with argument words drawn from a fixed set of edge values
//! and of descriptors into the test's own scratch space, returns to the caller with
//! a status the ABI defines. The draws come from a fixed seed, so every run sends the
//! same calls.
//!
//! Descriptor arguments only ever name the test's scratch node and its slots (never
//! the root node's own capabilities), so whatever succeeds stays inside the test's
//! Generic and goes with it at teardown.

use a9n_abi::kernel_call::{CALL_FAILED, CALL_SUCCEEDED, ERROR_MR, STATUS_MR};
use a9n_abi::paging::PageTableDepth;
use a9n_abi::{CapabilityError, CapabilityType, Descriptor, KernelCall};
use nun::kernel_call::{RegisterMessages, raw_call};

use crate::check::{Failure, TestResult};
use crate::context::Context;
use crate::fail;

pub const TESTS: &[crate::harness::Test] = tests![
    unusual_arguments_on_every_object_never_crash_the_kernel,
    every_operation_on_an_empty_slot_is_invalid_descriptor,
];

/// A small deterministic generator (xorshift64).
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<T: Copy>(&mut self, values: &[T]) -> T {
        values[(self.next() % values.len() as u64) as usize]
    }
}

/// Makes the raw capability call and checks that the status words are the ABI's.
fn call(descriptor: Descriptor, operation: u64, arguments: &[u64; 8]) -> TestResult {
    let mut registers = RegisterMessages::default();
    registers[0] = descriptor.as_word();
    registers[1] = operation;
    registers[2..].copy_from_slice(arguments);
    raw_call(KernelCall::CapabilityCall.as_word(), &mut registers);
    match registers[STATUS_MR] {
        CALL_SUCCEEDED => Ok(()),
        CALL_FAILED if CapabilityError::from_word(registers[ERROR_MR]).is_some() => Ok(()),
        status => fail!(
            "operation {operation} on {:#x} returned status {status:#x}, error {:#x}",
            descriptor.as_word(),
            registers[ERROR_MR]
        ),
    }
}

/// A node, a Generic, an address space, page tables, a frame and a PCB, each given
/// every operation number 0..=7 many times with unusual words, then a check that
/// the kernel still answers normally.
fn unusual_arguments_on_every_object_never_crash_the_kernel(context: &mut Context) -> TestResult {
    let (_, node) = context.make_node(2)?;
    let (_, generic) = context.make_generic(16)?;
    let mut targets = [Descriptor::ROOT_NODE; 7];
    targets[0] = node.descriptor();
    targets[1] = generic.descriptor();
    targets[2] = context.make(CapabilityType::AddressSpace, 0)?.descriptor;
    targets[3] = context
        .make(CapabilityType::PageTable, PageTableDepth::Pt.as_word())?
        .descriptor;
    targets[4] = context
        .make(CapabilityType::PageTable, PageTableDepth::Pdpt.as_word())?
        .descriptor;
    targets[5] = context.make_frame()?.descriptor();
    targets[6] = context
        .make(CapabilityType::ProcessControlBlock, 0)?
        .descriptor;
    let scratch = context.scratch;
    let slot = |index: u64| scratch.slot(index).map_or(0, Descriptor::as_word);
    let values = [
        0,
        1,
        2,
        3,
        4,
        12,
        21,
        30,
        0x1000,
        0x4000_0000,
        0x7fff_ffff_f000,
        0x8000_0000_0000,
        1 << 63,
        u64::MAX,
        u64::MAX - 1,
        scratch.descriptor().as_word(),
        node.descriptor().as_word(),
        slot(0),
        slot(1),
        slot(2),
        slot(5),
        slot(250),
        slot(255),
        scratch.descriptor().as_word() | 1,
        0x3900_0000_0000_0000,
    ];
    let mut draw = Draw(0x9e37_79b9_7f4a_7c15);
    for round in 0..24 {
        for &target in &targets {
            for operation in 0..=7 {
                let mut arguments = [0u64; 8];
                for argument in &mut arguments {
                    *argument = draw.pick(&values);
                }
                if round == 0 {
                    arguments = [0; 8];
                }
                call(target, operation, &arguments)?;
            }
        }
    }
    // The kernel still works: a fresh frame answers GET_ADDRESS.
    let frame = context
        .make_frame()
        .map_err(|_| Failure::new(format_args!("CONVERT after the unusual calls failed")))?;
    frame
        .get_address()
        .map_err(|error| Failure::new(format_args!("GET_ADDRESS afterwards: {}", error.name())))?;
    Ok(())
}

/// Whatever the operation number, an empty slot answers INVALID_DESCRIPTOR (the
/// descriptor is resolved before the operation is decoded).
fn every_operation_on_an_empty_slot_is_invalid_descriptor(context: &mut Context) -> TestResult {
    let empty = context.slot()?;
    for operation in [0u64, 1, 2, 3, 4, 5, 6, 7, 100, u64::MAX] {
        match nun::call::capability_call(empty.descriptor, operation, &[0, 0, 0, 0]) {
            Err(CapabilityError::InvalidDescriptor) => {}
            Ok(_) => fail!("operation {operation} on an empty slot succeeded"),
            Err(error) => fail!("operation {operation} on an empty slot: {}", error.name()),
        }
    }
    Ok(())
}

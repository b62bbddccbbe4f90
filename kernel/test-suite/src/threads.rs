//! Threads for the scheduling and PCB tests: they run in the suite's own address
//! space (root slot 2) with the suite's root node (root slot 3), each on a static
//! stack, and report through the atomics of [`BOARD`].
//!
//! A thread's argument (`RDI`, set with WRITE_REGISTER) is its index in the board;
//! it finds its own PCB descriptor there to SUSPEND itself.

use core::sync::atomic::{AtomicU64, Ordering};

use a9n_abi::{CapabilityType, Descriptor, Register, RootSlot};
use nun::capability::{Configuration, ProcessControlBlock};
use nun::slot_allocator::Slot;
use nun::thread::{Stack, ThreadEntry, entry_address};

use crate::check::{Expect, Failure};
use crate::context::Context;

/// Threads one test can have at once.
pub const THREAD_CAPACITY: usize = 6;
/// Words of [`Board::outputs`] per thread.
pub const OUTPUT_WORDS: usize = 4;
/// Bytes of stack per thread.
const STACK_SIZE: usize = 16 * 1024;

/// Stacks, one per board index.
static STACKS: [Stack<STACK_SIZE>; THREAD_CAPACITY] = [const { Stack::new() }; THREAD_CAPACITY];

/// What threads report, per board index.
pub struct Board {
    /// Incremented by counting threads.
    pub counters: [AtomicU64; THREAD_CAPACITY],
    /// The ticket a thread drew when it ran (0: not yet).
    pub tickets: [AtomicU64; THREAD_CAPACITY],
    /// A value a thread reports.
    pub values: [AtomicU64; THREAD_CAPACITY],
    /// A word a thread reads at its start (e.g. a descriptor).
    pub inputs: [AtomicU64; THREAD_CAPACITY],
    /// Words a thread reports (e.g. a message it received).
    pub outputs: [[AtomicU64; OUTPUT_WORDS]; THREAD_CAPACITY],
    /// The descriptor word of each thread's own PCB.
    pub process_control_blocks: [AtomicU64; THREAD_CAPACITY],
    /// The last ticket drawn.
    pub last_ticket: AtomicU64,
}

/// The board every thread reports to.
pub static BOARD: Board = Board {
    counters: [const { AtomicU64::new(0) }; THREAD_CAPACITY],
    tickets: [const { AtomicU64::new(0) }; THREAD_CAPACITY],
    values: [const { AtomicU64::new(0) }; THREAD_CAPACITY],
    inputs: [const { AtomicU64::new(0) }; THREAD_CAPACITY],
    outputs: [const { [const { AtomicU64::new(0) }; OUTPUT_WORDS] }; THREAD_CAPACITY],
    process_control_blocks: [const { AtomicU64::new(0) }; THREAD_CAPACITY],
    last_ticket: AtomicU64::new(0),
};

impl Board {
    /// Zeroes everything (the harness does it before each test).
    pub fn reset(&self) {
        for index in 0..THREAD_CAPACITY {
            self.counters[index].store(0, Ordering::SeqCst);
            self.tickets[index].store(0, Ordering::SeqCst);
            self.values[index].store(0, Ordering::SeqCst);
            self.inputs[index].store(0, Ordering::SeqCst);
            for output in &self.outputs[index] {
                output.store(0, Ordering::SeqCst);
            }
            self.process_control_blocks[index].store(0, Ordering::SeqCst);
        }
        self.last_ticket.store(0, Ordering::SeqCst);
    }

    /// Thread `index`'s counter.
    pub fn counter(&self, index: usize) -> u64 {
        self.counters[index].load(Ordering::SeqCst)
    }

    /// Thread `index`'s ticket (0 if it has not drawn one).
    pub fn ticket(&self, index: usize) -> u64 {
        self.tickets[index].load(Ordering::SeqCst)
    }

    /// Thread `index`'s reported value.
    pub fn value(&self, index: usize) -> u64 {
        self.values[index].load(Ordering::SeqCst)
    }

    /// Thread `index`'s output word `word`.
    pub fn output(&self, index: usize, word: usize) -> u64 {
        self.outputs[index][word].load(Ordering::SeqCst)
    }

    /// Sets thread `index`'s input word (before it starts).
    pub fn set_input(&self, index: usize, value: u64) {
        self.inputs[index].store(value, Ordering::SeqCst);
    }
}

/// A test thread.
#[derive(Clone, Copy)]
pub struct Thread {
    /// Its PCB.
    pub pcb: ProcessControlBlock,
    /// The scratch slot of its PCB.
    pub slot: Slot,
}

/// The configuration that runs `entry` on stack `index` in the suite's address
/// space with the suite's root node at `priority`.
pub fn configuration(index: usize, entry: ThreadEntry, priority: u64) -> Configuration {
    Configuration::new()
        .address_space(RootSlot::AddressSpace.descriptor())
        .root_node(RootSlot::RootNode.descriptor())
        .instruction_pointer(entry_address(entry))
        .stack_pointer(STACKS[index].initial_stack_pointer())
        .priority(priority)
}

/// Sets the argument (`RDI`) of a thread that has not run yet: WRITE_REGISTER of the
/// first five registers (RAX, RBX, RCX, RDX, RDI), all 0 but RDI.
pub fn set_argument(pcb: ProcessControlBlock, argument: u64) -> Result<(), Failure> {
    let mut values = [0; Register::Rdi.index() + 1];
    values[Register::Rdi.index()] = argument;
    pcb.write_registers(&values)
        .expect_ok("WRITE_REGISTER of RDI")
}

/// Makes (but does not resume) thread `index` running `entry` at `priority`.
pub fn create(
    context: &mut Context,
    index: usize,
    entry: ThreadEntry,
    priority: u64,
) -> Result<Thread, Failure> {
    let slot = context.make(CapabilityType::ProcessControlBlock, 0)?;
    let pcb = ProcessControlBlock::new(slot.descriptor);
    BOARD.process_control_blocks[index].store(slot.descriptor.as_word(), Ordering::SeqCst);
    pcb.configure(&configuration(index, entry, priority))
        .expect_ok("CONFIGURE of a new thread")?;
    set_argument(pcb, index as u64)?;
    Ok(Thread { pcb, slot })
}

/// Makes and resumes thread `index`.
pub fn start(
    context: &mut Context,
    index: usize,
    entry: ThreadEntry,
    priority: u64,
) -> Result<Thread, Failure> {
    let thread = create(context, index, entry, priority)?;
    thread.pcb.resume().expect_ok("RESUME of a new thread")?;
    Ok(thread)
}

/// Yields until `condition` holds, at most `yields` times; true if it held.
pub fn yield_until(yields: u64, condition: impl Fn() -> bool) -> bool {
    for _ in 0..yields {
        if condition() {
            return true;
        }
        nun::kernel_call::yield_now();
    }
    condition()
}

/// Yields `count` times.
pub fn yield_times(count: u64) {
    for _ in 0..count {
        nun::kernel_call::yield_now();
    }
}

/// The PCB of the calling test thread, from the board.
pub fn own_pcb(index: u64) -> ProcessControlBlock {
    let word =
        BOARD.process_control_blocks[index as usize % THREAD_CAPACITY].load(Ordering::SeqCst);
    ProcessControlBlock::new(Descriptor::from_word(word).unwrap_or(Descriptor::ROOT_NODE))
}

/// Suspends the calling test thread for good (SUSPEND again if resumed).
pub fn stop(index: u64) -> ! {
    loop {
        let _ = own_pcb(index).suspend();
    }
}

//! Threads in the benchmark program's own address space (root slot 2) with its
//! root node (root slot 3), each on a static stack, at init's priority (31), with
//! its own IPC buffer frame. The frames are not mapped: the kernel reaches an IPC
//! buffer through the frame, and these threads never touch MR10 and above
//! themselves (the servers echo them without reading them).

use a9n_abi::scheduling::INIT_PRIORITY;
use a9n_abi::{CapabilityType, Descriptor, Register, RootSlot};
use nun::capability::{Configuration, ProcessControlBlock};
use nun::thread::Stack;

use crate::error::{BenchmarkError, kernel};
use crate::resources::Resources;
use crate::thread_bodies::{TwoWordEntry, entry_address};

/// Threads the program can start.
pub const THREAD_CAPACITY: usize = 6;
/// Bytes of stack per thread.
const STACK_SIZE: usize = 16 * 1024;

/// One stack per thread.
static STACKS: [Stack<STACK_SIZE>; THREAD_CAPACITY] = [const { Stack::new() }; THREAD_CAPACITY];

/// Registers RAX..RSI with RDI and RSI = the entry's two arguments.
pub fn argument_registers(first: u64, second: u64) -> [u64; Register::Rsi.index() + 1] {
    let mut values = [0; Register::Rsi.index() + 1];
    values[Register::Rdi.index()] = first;
    values[Register::Rsi.index()] = second;
    values
}

/// A thread to start.
pub struct ThreadPlan {
    /// Which stack it runs on (each index at most once).
    pub stack: usize,
    /// Its code.
    pub entry: TwoWordEntry,
    /// Its two arguments (`RDI`, `RSI`).
    pub arguments: [u64; 2],
    /// The IPC port its faults go to, if any.
    pub fault_resolver: Option<Descriptor>,
}

/// Makes the PCB and IPC buffer of `plan`, configures and resumes the thread; the
/// thread runs once the caller blocks or yields.
///
/// # Errors
/// No stack of that index, no slot, or the kernel refuses a step.
pub fn start(
    resources: &mut Resources,
    plan: &ThreadPlan,
) -> Result<ProcessControlBlock, BenchmarkError> {
    let stack = STACKS
        .get(plan.stack)
        .ok_or(BenchmarkError::Resources("no such thread stack"))?;
    let pcb = ProcessControlBlock::new(
        resources
            .make(CapabilityType::ProcessControlBlock, 0)?
            .descriptor,
    );
    let ipc_buffer = resources.make(CapabilityType::Frame, 12)?;
    let mut configuration = Configuration::new()
        .address_space(RootSlot::AddressSpace.descriptor())
        .root_node(RootSlot::RootNode.descriptor())
        .ipc_buffer(ipc_buffer.descriptor)
        .instruction_pointer(entry_address(plan.entry))
        .stack_pointer(stack.initial_stack_pointer())
        .priority(INIT_PRIORITY);
    if let Some(port) = plan.fault_resolver {
        configuration = configuration.fault_resolver(port);
    }
    kernel("configure a thread", pcb.configure(&configuration))?;
    let [first, second] = plan.arguments;
    kernel(
        "write a thread's arguments",
        pcb.write_registers(&argument_registers(first, second)),
    )?;
    kernel("resume a thread", pcb.resume())?;
    Ok(pcb)
}

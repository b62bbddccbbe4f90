//! The lowest layer: stacks for threads that a program starts in its own address
//! space, and the start-up values (instruction and stack pointer) for their PCB.
//!
//! A thread's entry is an `extern "C" fn(u64) -> !`; its argument arrives in `RDI`
//! (set it with WRITE_REGISTER, register index 4). The thread must never return:
//! it ends by SUSPENDing its own PCB (or looping).
//!
//! ```no_run
//! use a9n_abi::RootSlot;
//! use nun::capability::{Configuration, ProcessControlBlock};
//! use nun::thread::{Stack, entry_address};
//!
//! static WORKER_STACK: Stack<16384> = Stack::new();
//!
//! extern "C" fn worker(pcb_word: u64) -> ! {
//!     nun::debug_println!("worker running");
//!     loop {
//!         nun::kernel_call::yield_now();
//!     }
//! }
//!
//! # fn start(worker_pcb: ProcessControlBlock) -> Result<(), a9n_abi::CapabilityError> {
//! worker_pcb.configure(
//!     &Configuration::new()
//!         .address_space(RootSlot::AddressSpace.descriptor())
//!         .root_node(RootSlot::RootNode.descriptor())
//!         .instruction_pointer(entry_address(worker))
//!         .stack_pointer(WORKER_STACK.initial_stack_pointer()),
//! )?;
//! worker_pcb.resume()?;
//! # Ok(())
//! # }
//! ```

use core::cell::UnsafeCell;

/// Alignment of a thread stack (the SysV ABI's 16 bytes, rounded up to a line).
pub const STACK_ALIGNMENT: u64 = 64;

/// A thread entry point: takes `RDI`, never returns.
pub type ThreadEntry = extern "C" fn(u64) -> !;

/// The address to give CONFIGURE's instruction pointer for `entry`.
#[must_use]
pub fn entry_address(entry: ThreadEntry) -> u64 {
    entry as usize as u64
}

/// `SIZE` bytes of stack for one thread, in a static.
///
/// ```
/// use nun::thread::Stack;
///
/// static STACK: Stack<8192> = Stack::new();
/// let start = STACK.initial_stack_pointer();
/// assert_eq!((start + 8) % 16, 0);
/// assert!(start < STACK.top());
/// ```
#[repr(C, align(64))]
pub struct Stack<const SIZE: usize> {
    bytes: UnsafeCell<[u8; SIZE]>,
}

// SAFETY: Rust code never reads or writes the bytes through this type: they are
// only ever touched by the one thread whose stack pointer is set into them, and
// `Stack` exposes nothing but their address.
unsafe impl<const SIZE: usize> Sync for Stack<SIZE> {}

impl<const SIZE: usize> Stack<SIZE> {
    /// A zeroed stack.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            bytes: UnsafeCell::new([0; SIZE]),
        }
    }

    /// The first address past the stack (its top, 64-byte aligned when `SIZE` is a
    /// multiple of 64).
    #[must_use]
    pub fn top(&self) -> u64 {
        self.bytes.get() as u64 + SIZE as u64
    }

    /// The stack pointer a thread starts with: the top minus 8, as if a call had
    /// pushed a return address, which is what a SysV function expects at entry.
    #[must_use]
    pub fn initial_stack_pointer(&self) -> u64 {
        (self.top() & !(STACK_ALIGNMENT - 1)) - 8
    }
}

impl<const SIZE: usize> Default for Stack<SIZE> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_initial_stack_pointer_is_8_below_a_16_byte_boundary() {
        static STACK: Stack<4096> = Stack::new();
        let pointer = STACK.initial_stack_pointer();
        assert_eq!((pointer + 8) % 16, 0);
        assert!(pointer < STACK.top());
        assert!(pointer > STACK.top() - 4096);
    }
}

//! Initialising a fresh (zeroed) PCB: user selectors, interrupts enabled, inactive,
//! priority 0, on CPU 0.

use a9n_abi::scheduling::QUANTUM_TICKS;

use crate::arch::object_memory::write_words;
use crate::arch::user_context;
use crate::thread::{Thread, ThreadState};

/// Sets up the PCB at `address` (already zeroed).
pub fn initialise(address: u64) {
    let thread = Thread(address);
    write_words(thread.context(), &user_context::initial_context());
    thread.set_state(ThreadState::Inactive);
    thread.set_priority(0);
    thread.set_affinity(0);
    thread.set_remaining_ticks(QUANTUM_TICKS);
    thread.set_fpu_saved(false);
}

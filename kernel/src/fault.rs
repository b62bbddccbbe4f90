//! Faults of user threads. Until fault resolvers exist (IPC), a faulting thread is
//! suspended and the fault is logged, as docs/abi.md section 6 says for a thread
//! without a resolver.

use a9n_abi::register::Register;

use crate::arch::exception_report;
use crate::thread::Thread;
use crate::{kprintln, scheduler};

/// A processor exception in user mode.
pub fn user_exception(thread: Thread, vector: u64, error_code: u64, fault_address: u64) {
    let (mnemonic, name) = exception_report::exception_name(vector);
    kprintln!(
        "A9N: thread {:#x} faulted: {name} ({mnemonic}) at rip {:#x}, error code {error_code:#x}, address {fault_address:#x}; no fault resolver, suspended",
        thread.0,
        thread.register(Register::Rip),
    );
    scheduler::suspend(thread);
}

/// A `syscall` with a number that is not a kernel call.
pub fn invalid_kernel_call(thread: Thread, number: u64) {
    kprintln!(
        "A9N: thread {:#x} made an invalid kernel call {number:#x} at rip {:#x}; no fault resolver, suspended",
        thread.0,
        thread.register(Register::Rip),
    );
    scheduler::suspend(thread);
}

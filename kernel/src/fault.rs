//! Faults of user threads (docs/abi.md section 6): delivered to the thread's fault
//! resolver as a kernel-made CALL; a thread without a resolver is suspended and the
//! fault is logged.

use a9n_abi::fault::FaultType;
use a9n_abi::register::Register;

use crate::arch::exception_report;
use crate::thread::Thread;
use crate::{ipc, kprintln, scheduler};

/// A processor exception in user mode.
pub fn user_exception(thread: Thread, vector: u64, error_code: u64, fault_address: u64) {
    let fault_type = FaultType::from_exception(vector as u8, error_code);
    let (word_6, word_7) = if fault_type.has_fault_address() {
        (fault_address, error_code)
    } else {
        (error_code, vector)
    };
    if ipc::send_fault(thread, fault_type, word_6, word_7) {
        return;
    }
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
    if ipc::send_fault(thread, FaultType::InvalidKernelCall, number, 0) {
        return;
    }
    kprintln!(
        "A9N: thread {:#x} made an invalid kernel call {number:#x} at rip {:#x}; no fault resolver, suspended",
        thread.0,
        thread.register(Register::Rip),
    );
    scheduler::suspend(thread);
}

//! The three kernel calls (docs/abi.md section 1), by the number in RAX. YIELD and
//! DEBUG report success in MR0 like a capability call.

use a9n_abi::kernel_call::{CALL_SUCCEEDED, KernelCall};
use a9n_abi::register::Register;

use crate::thread::Thread;
use crate::{capability_call, console, fault, scheduler};

/// Handles the kernel call `thread` made.
pub fn handle(thread: Thread) {
    let number = thread.register(Register::Rax);
    match KernelCall::from_word(number) {
        Some(KernelCall::CapabilityCall) => capability_call::invoke(thread),
        Some(KernelCall::Yield) => {
            thread.set_register(Register::Rdi, CALL_SUCCEEDED);
            scheduler::yield_current();
        }
        Some(KernelCall::Debug) => {
            console::put_byte(thread.register(Register::Rsi) as u8);
            thread.set_register(Register::Rdi, CALL_SUCCEEDED);
        }
        None => fault::invalid_kernel_call(thread, number),
    }
}

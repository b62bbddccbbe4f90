//! The kernel's panic handler: report, then stop the machine.

use core::fmt::Write;

use crate::arch::cpu;

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let mut out = crate::console::emergency_writer();
    let _ = writeln!(out, "\nA9N KERNEL PANIC: {info}");
    cpu::exit_qemu(a9n_abi::test_exit::KERNEL_FAULT)
}

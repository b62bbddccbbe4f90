//! The three A9N kernel calls, as the `syscall` instruction sees them.
//!
//! Registers: RAX = call number, message registers MR0..MR9 in RDI, RSI, RDX, R8,
//! R9, R10, R12, R13, R14, R15; RCX and R11 are clobbered by `syscall`/`sysret`.

use a9n_abi::kernel_call::KernelCall;

/// Gives up the rest of the time slice.
pub fn yield_now() {
    // SAFETY: YIELD reads and writes no user memory; the kernel preserves every
    // register except RCX/R11 (clobbered by the instruction) and RAX.
    unsafe {
        core::arch::asm!(
            "syscall",
            inlateout("rax") KernelCall::Yield.as_word() => _,
            out("rcx") _,
            out("r11") _,
            options(nostack),
        );
    }
}

/// Writes one byte to the kernel debug console (DEBUG call, byte in MR1).
pub fn debug_put_byte(byte: u8) {
    // SAFETY: DEBUG reads only its register arguments; see `yield_now`.
    unsafe {
        core::arch::asm!(
            "syscall",
            inlateout("rax") KernelCall::Debug.as_word() => _,
            in("rsi") u64::from(byte),
            out("rcx") _,
            out("r11") _,
            options(nostack),
        );
    }
}

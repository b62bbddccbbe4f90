//! Deliberate faults, for the programs that show how the system treats a crashing
//! process (it dies of the signal, its parent learns it, the system goes on).

/// Reads the word at address 0: a null-pointer dereference. Page 0 is never
/// mapped in a KOITO process (nor in a Linux one), so this faults, and the process
/// dies of SIGSEGV unless it handles it.
pub fn null_read() -> u64 {
    let value: u64;
    // SAFETY: the load is in assembly, outside Rust's memory model: it touches no
    // Rust object. Address 0 is never mapped, so it faults before reading anything;
    // the kernel delivers the fault to the process's fault resolver.
    unsafe {
        core::arch::asm!("mov {value}, qword ptr [0]", value = out(reg) value, options(nostack, readonly));
    }
    value
}

/// Executes `ud2`: an invalid instruction (the process dies of SIGILL).
pub fn invalid_instruction() {
    // SAFETY: `ud2` raises #UD and changes nothing else.
    unsafe { core::arch::asm!("ud2", options(nostack, nomem)) }
}

/// Divides by zero with `div` (the process dies of SIGFPE).
pub fn divide_by_zero(numerator: u64) -> u64 {
    let quotient: u64;
    // SAFETY: `div` by a zero register raises #DE before writing anything; RDX
    // and RAX are declared.
    unsafe {
        core::arch::asm!(
            "xor edx, edx",
            "xor ecx, ecx",
            "div rcx",
            inout("rax") numerator => quotient,
            out("rdx") _,
            out("rcx") _,
            options(nostack, nomem),
        );
    }
    quotient
}

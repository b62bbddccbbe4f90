//! Decoded reports of processor exceptions the kernel cannot handle.

use core::fmt::Write;

use a9n_abi::test_exit;
use x86_64::registers::control::Cr2;

use super::cpu;
use super::trap_frame::TrapFrame;

/// Mnemonic and name of each architectural exception vector.
const EXCEPTION_NAMES: [(&str, &str); 32] = [
    ("#DE", "divide error"),
    ("#DB", "debug"),
    ("NMI", "non-maskable interrupt"),
    ("#BP", "breakpoint"),
    ("#OF", "overflow"),
    ("#BR", "bound range exceeded"),
    ("#UD", "invalid opcode"),
    ("#NM", "device not available"),
    ("#DF", "double fault"),
    ("#MF", "coprocessor segment overrun"),
    ("#TS", "invalid TSS"),
    ("#NP", "segment not present"),
    ("#SS", "stack-segment fault"),
    ("#GP", "general protection fault"),
    ("#PF", "page fault"),
    ("#15", "reserved"),
    ("#MF", "x87 floating-point error"),
    ("#AC", "alignment check"),
    ("#MC", "machine check"),
    ("#XM", "SIMD floating-point error"),
    ("#VE", "virtualization exception"),
    ("#CP", "control protection"),
    ("#22", "reserved"),
    ("#23", "reserved"),
    ("#24", "reserved"),
    ("#25", "reserved"),
    ("#26", "reserved"),
    ("#27", "reserved"),
    ("#HV", "hypervisor injection"),
    ("#VC", "VMM communication"),
    ("#SX", "security exception"),
    ("#31", "reserved"),
];

/// The mnemonic and name of an exception vector.
#[must_use]
pub fn exception_name(vector: u64) -> (&'static str, &'static str) {
    EXCEPTION_NAMES
        .get(vector as usize)
        .copied()
        .unwrap_or(("#??", "unknown"))
}

/// Vector of the page fault.
const PAGE_FAULT: u64 = 14;

/// Writes the page-fault error code bits in words.
fn describe_page_fault(out: &mut impl Write, error_code: u64) -> core::fmt::Result {
    let cause = if error_code & 1 == 0 {
        "page not present"
    } else {
        "protection violation"
    };
    let access = if error_code & (1 << 4) != 0 {
        "instruction fetch"
    } else if error_code & 2 != 0 {
        "write"
    } else {
        "read"
    };
    let mode = if error_code & 4 != 0 {
        "user"
    } else {
        "kernel"
    };
    write!(out, " ({cause}, {access}, {mode} mode")?;
    if error_code & 8 != 0 {
        write!(out, ", reserved bit set")?;
    }
    write!(out, ")")
}

/// Prints a full report of `frame` on the console.
pub fn write_report(out: &mut impl Write, frame: &TrapFrame) -> core::fmt::Result {
    let (mnemonic, name) = exception_name(frame.vector);
    let mode = if frame.interrupted_user_mode() {
        "user"
    } else {
        "kernel"
    };
    writeln!(out)?;
    write!(
        out,
        "A9N KERNEL FAULT: {name} ({mnemonic}, vector {}) in {mode} mode, error code {:#x}",
        frame.vector, frame.error_code
    )?;
    if frame.vector == PAGE_FAULT {
        describe_page_fault(out, frame.error_code)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "  RIP {:#018x}  CS {:#06x}  RFLAGS {:#018x}",
        frame.rip, frame.cs, frame.rflags
    )?;
    writeln!(
        out,
        "  RSP {:#018x}  SS {:#06x}  CR2 {:#018x}",
        frame.rsp,
        frame.ss,
        Cr2::read_raw()
    )?;
    writeln!(
        out,
        "  RAX {:#018x}  RBX {:#018x}  RCX {:#018x}  RDX {:#018x}",
        frame.rax, frame.rbx, frame.rcx, frame.rdx
    )?;
    writeln!(
        out,
        "  RSI {:#018x}  RDI {:#018x}  RBP {:#018x}  R8  {:#018x}",
        frame.rsi, frame.rdi, frame.rbp, frame.r8
    )?;
    writeln!(
        out,
        "  R9  {:#018x}  R10 {:#018x}  R11 {:#018x}  R12 {:#018x}",
        frame.r9, frame.r10, frame.r11, frame.r12
    )?;
    writeln!(
        out,
        "  R13 {:#018x}  R14 {:#018x}  R15 {:#018x}",
        frame.r13, frame.r14, frame.r15
    )
}

/// Reports an exception the kernel cannot recover from and stops the machine
/// (QEMU exits with the kernel-fault code when it has the debug-exit device).
pub fn fatal_exception(frame: &TrapFrame) -> ! {
    let mut out = crate::console::emergency_writer();
    let _ = write_report(&mut out, frame);
    let _ = writeln!(out, "A9N: system halted");
    cpu::exit_qemu(test_exit::KERNEL_FAULT)
}

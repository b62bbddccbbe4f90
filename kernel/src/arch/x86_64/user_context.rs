//! The saved user registers of a thread: the [`TrapFrame`](super::trap_frame::TrapFrame)
//! layout, stored at the start of its PCB, and how kernel calls and ABI register
//! numbers map onto it.

use a9n_abi::register::Register;

use super::gdt;

/// Words of saved registers.
pub const CONTEXT_WORDS: usize = 22;
/// Index of the vector word (the entry kind: a vector, or [`SYSCALL_VECTOR`]).
pub const VECTOR_INDEX: u64 = 15;
/// Index of the saved RIP.
pub const RIP_INDEX: u64 = 17;
/// Index of the saved CS.
pub const CS_INDEX: u64 = 18;
/// Index of the saved RFLAGS.
pub const RFLAGS_INDEX: u64 = 19;
/// Index of the saved RSP.
pub const RSP_INDEX: u64 = 20;
/// Index of the saved SS.
pub const SS_INDEX: u64 = 21;
/// Vector word of a context saved by `syscall` (returned with `sysret`).
pub const SYSCALL_VECTOR: u64 = 0x100;

/// RFLAGS of a new thread: interrupts enabled, bit 1 (always 1) set.
pub const INITIAL_RFLAGS: u64 = 0x202;
/// RFLAGS bits user code may hold: CF PF AF ZF SF TF DF OF, and AC/ID.
const USER_RFLAGS_MASK: u64 = 0x0000_0000_0025_4dd5;

/// Index in the saved context of each general register.
#[must_use]
pub const fn index_of(register: Register) -> u64 {
    match register {
        Register::R15 => 0,
        Register::R14 => 1,
        Register::R13 => 2,
        Register::R12 => 3,
        Register::R11 => 4,
        Register::R10 => 5,
        Register::R9 => 6,
        Register::R8 => 7,
        Register::Rbp => 8,
        Register::Rdi => 9,
        Register::Rsi => 10,
        Register::Rdx => 11,
        Register::Rcx => 12,
        Register::Rbx => 13,
        Register::Rax => 14,
        Register::Rip => RIP_INDEX,
        Register::Rflags => RFLAGS_INDEX,
        Register::Rsp => RSP_INDEX,
        // FS and GS bases are kept beside the context; callers handle them.
        Register::FsBase | Register::GsBase => VECTOR_INDEX,
    }
}

/// The context of a thread that has never run: zero registers, user selectors,
/// interrupts enabled, returned to with `iretq`.
#[must_use]
pub fn initial_context() -> [u64; CONTEXT_WORDS] {
    let mut context = [0; CONTEXT_WORDS];
    context[CS_INDEX as usize] = u64::from(gdt::USER_CODE);
    context[SS_INDEX as usize] = u64::from(gdt::USER_DATA);
    context[RFLAGS_INDEX as usize] = INITIAL_RFLAGS;
    context
}

/// RFLAGS as user code may set it: arithmetic, trap, direction and alignment flags
/// kept, interrupts always enabled, IOPL 0.
#[must_use]
pub const fn sanitize_rflags(value: u64) -> u64 {
    (value & USER_RFLAGS_MASK) | INITIAL_RFLAGS
}

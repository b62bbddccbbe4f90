//! The one order in which entry stubs push (and exits pop) the 15 general
//! registers, matching [`TrapFrame`](super::trap_frame::TrapFrame): RAX is pushed
//! first (highest address), R15 last. Used as `concat!` pieces of the entry asm.

/// Assembly that pushes the 15 general registers.
macro_rules! push_general_registers {
    () => {
        "push rax\n push rbx\n push rcx\n push rdx\n push rsi\n push rdi\n push rbp\n push r8\n push r9\n push r10\n push r11\n push r12\n push r13\n push r14\n push r15\n"
    };
}

/// Assembly that pops the 15 general registers pushed by `push_general_registers`.
macro_rules! pop_general_registers {
    () => {
        "pop r15\n pop r14\n pop r13\n pop r12\n pop r11\n pop r10\n pop r9\n pop r8\n pop rbp\n pop rdi\n pop rsi\n pop rdx\n pop rcx\n pop rbx\n pop rax\n"
    };
}

pub(super) use {pop_general_registers, push_general_registers};

//! Interrupt and exception entry: 256 small stubs that push a uniform
//! [`TrapFrame`](super::trap_frame::TrapFrame) and call the Rust dispatcher.
//!
//! Stub `n` lives at `interrupt_stubs + 16 * n`. Vectors for which the processor
//! pushes an error code (8, 10-14, 17, 21, 29, 30) push only the vector; the others
//! push a 0 first so the frame has one shape. From user mode, the processor pushes
//! its frame at the TSS ring-0 stack, which is the end of the current thread's saved
//! registers in its PCB, so the stub completes the thread's context in place, swaps
//! GS, moves to the kernel stack and hands the context to the kernel (which never
//! returns there); it first resets RFLAGS (DF and AC as user code left them must
//! not reach Rust code: AC would switch SMAP off). From kernel mode (the idle
//! loop) the frame stays on the kernel stack and the handler returns with `iretq`.

use core::arch::global_asm;

use super::saved_registers::{pop_general_registers, push_general_registers};

/// Bytes between two consecutive stubs.
pub const STUB_SIZE: u64 = 16;

unsafe extern "C" {
    /// The first of 256 entry stubs (see the module documentation).
    pub static interrupt_stubs: u8;
}

global_asm!(
    r#"
    .section .text.interrupt_stubs, "ax"
    .global interrupt_stubs
    .p2align 4
interrupt_stubs:
    .set vector, 0
    .rept 256
    .p2align 4
    .if (vector == 8) || ((vector >= 10) && (vector <= 14)) || (vector == 17) || (vector == 21) || (vector == 29) || (vector == 30)
    .else
    pushq $0
    .endif
    pushq $vector
    jmp interrupt_common
    .set vector, vector + 1
    .endr
    "#,
    options(att_syntax)
);

global_asm!(
    r#"
    .section .text.interrupt_common, "ax"
interrupt_common:
    test qword ptr [rsp + 24], 3
    jz 3f
    swapgs
    "#,
    push_general_registers!(),
    r#"
    mov rdi, rsp
    mov rsp, gs:[0]
    xor ebp, ebp
    push 2
    popfq
    call {user_dispatch}
    ud2
3:
    "#,
    push_general_registers!(),
    r#"
    mov rdi, rsp
    cld
    call {kernel_dispatch}
    "#,
    pop_general_registers!(),
    r#"
    add rsp, 16
    iretq
    "#,
    user_dispatch = sym crate::entry::user_interrupt_entry,
    kernel_dispatch = sym super::interrupts::interrupt_dispatch,
);

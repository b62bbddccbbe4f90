//! Interrupt and exception entry: 256 small stubs that push a uniform
//! [`TrapFrame`](super::trap_frame::TrapFrame) and call the Rust dispatcher.
//!
//! Stub `n` lives at `interrupt_stubs + 16 * n`. Vectors for which the processor
//! pushes an error code (8, 10-14, 17, 21, 29, 30) push only the vector; the others
//! push a 0 first so the frame has one shape. Entries from user mode swap GS to the
//! kernel's GS base on the way in and back on the way out.

use core::arch::global_asm;

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
    jz 1f
    swapgs
1:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    mov rdi, rsp
    cld
    call {dispatch}
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    test qword ptr [rsp + 24], 3
    jz 2f
    swapgs
2:
    add rsp, 16
    iretq
    "#,
    dispatch = sym super::interrupts::interrupt_dispatch,
);

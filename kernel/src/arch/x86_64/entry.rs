//! `_start`: where the loader jumps, with `RDI` = physical address of the boot info.

core::arch::global_asm!(
    r#"
    .section .text.entry, "ax"
    .global _start
_start:
    cli
    cld
    lea rsp, [rip + __boot_stack_top]
    xor ebp, ebp
    call {main}
    ud2
    "#,
    main = sym crate::kernel_main,
);

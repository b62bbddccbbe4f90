//! Per-CPU data reached through the GS base while in the kernel, and the entry and
//! exit paths between user mode and the kernel.
//!
//! In user mode GS belongs to the thread (its thread-local base); every entry from
//! user mode executes `swapgs`, which makes GS point at this CPU's [`CpuLocal`], and
//! every exit swaps back.

use core::arch::global_asm;

use super::saved_registers::{pop_general_registers, push_general_registers};

use x86_64::VirtAddr;
use x86_64::registers::model_specific::{FsBase, GsBase, KernelGsBase};

use super::user_context::SYSCALL_VECTOR;
use super::{gdt, paging};

/// This CPU's kernel data; `gs:[offset]` reaches each field from the entry stubs.
#[repr(C)]
struct CpuLocal {
    /// Top of the kernel stack (offset 0).
    kernel_stack_top: u64,
    /// The user stack pointer while `syscall_entry` saves it (offset 8).
    user_stack_scratch: u64,
    /// Where the current thread's saved registers end (offset 16).
    current_context_end: u64,
    /// The FS base loaded in the processor.
    loaded_fs_base: u64,
    /// The user GS base waiting in KERNEL_GS_BASE.
    loaded_gs_base: u64,
}

static mut CPU_LOCAL: CpuLocal = CpuLocal {
    kernel_stack_top: 0,
    user_stack_scratch: 0,
    current_context_end: 0,
    loaded_fs_base: 0,
    loaded_gs_base: 0,
};

unsafe extern "C" {
    static __boot_stack_top: u8;
    /// Entry of the `syscall` instruction.
    fn syscall_entry();
    /// Restores the saved registers at the given (kernel virtual) address and
    /// returns to user mode.
    fn return_to_user_mode(context: u64) -> !;
    /// Resets the kernel stack and waits for interrupts with interrupts enabled.
    fn idle_on_fresh_stack(stack_top: u64) -> !;
}

global_asm!(
    r#"
    .section .text.syscall_entry, "ax"
    .global syscall_entry
syscall_entry:
    swapgs
    mov gs:[8], rsp
    mov rsp, gs:[16]
    push {user_data}
    push qword ptr gs:[8]
    push r11
    push {user_code}
    push rcx
    push 0
    push {syscall_vector}
    "#,
    push_general_registers!(),
    r#"
    mov rsp, gs:[0]
    xor ebp, ebp
    call {fastpath}
    test rax, rax
    jz 3f
    mov rdi, rax
    jmp return_to_user_mode
3:
    call {kernel_call}
    ud2

    .global return_to_user_mode
return_to_user_mode:
    mov rsp, rdi
    "#,
    pop_general_registers!(),
    r#"
    cmp qword ptr [rsp], {syscall_vector}
    jne 1f
    mov rcx, [rsp + 16]
    mov r11, [rsp + 32]
    mov rsp, [rsp + 40]
    swapgs
    sysretq
1:
    add rsp, 16
    swapgs
    iretq

    .global idle_on_fresh_stack
idle_on_fresh_stack:
    mov rsp, rdi
2:
    sti
    hlt
    cli
    jmp 2b
    "#,
    user_data = const gdt::USER_DATA,
    user_code = const gdt::USER_CODE,
    syscall_vector = const SYSCALL_VECTOR,
    kernel_call = sym crate::entry::kernel_call_entry,
    fastpath = sym crate::entry::fastpath_entry,
);

/// Address of the `syscall` entry point.
#[must_use]
pub fn syscall_entry_address() -> u64 {
    syscall_entry as *const () as u64
}

fn local() -> *mut CpuLocal {
    &raw mut CPU_LOCAL
}

/// Sets up this CPU's data and points the GS base at it.
pub fn init() {
    let stack_top = (&raw const __boot_stack_top) as u64;
    // SAFETY: the kernel is single-threaded here; CPU_LOCAL is only otherwise read
    // by the entry stubs through GS, which cannot run before the GS base is set.
    unsafe { (*local()).kernel_stack_top = stack_top };
    GsBase::write(VirtAddr::from_ptr(local()));
    KernelGsBase::write(VirtAddr::zero());
}

/// Loads the state a thread needs before returning to it: its entry stack top (TSS
/// and `syscall`), and its FS and GS bases.
pub fn prepare_thread(context_end_physical: u64, fs_base: u64, gs_base: u64) {
    let context_end = paging::physical_to_virtual(context_end_physical);
    // SAFETY: single-threaded kernel with interrupts off; see `init`. The MSRs are
    // written only when the value changes (the common IPC case keeps both at 0).
    unsafe {
        let local = local();
        if (*local).current_context_end != context_end {
            (*local).current_context_end = context_end;
            gdt::set_kernel_entry_stack(context_end);
        }
        if (*local).loaded_fs_base != fs_base {
            (*local).loaded_fs_base = fs_base;
            FsBase::write(VirtAddr::new_truncate(fs_base));
        }
        if (*local).loaded_gs_base != gs_base {
            (*local).loaded_gs_base = gs_base;
            KernelGsBase::write(VirtAddr::new_truncate(gs_base));
        }
    }
}

/// Returns to user mode with the registers saved at physical `context`.
pub fn return_to_user(context: u64) -> ! {
    // SAFETY: `context` is the saved register area of the thread just prepared with
    // `prepare_thread`, in a PCB the direct map covers; its CS/SS are the user
    // selectors and RFLAGS is sanitised, so the return lands in ring 3.
    unsafe { return_to_user_mode(paging::physical_to_virtual(context)) }
}

/// Waits for interrupts on a fresh kernel stack (nothing to run).
pub fn idle() -> ! {
    // SAFETY: CPU_LOCAL.kernel_stack_top is the top of the kernel stack, and nothing
    // on that stack is needed any more: every path into `idle` has finished its work.
    unsafe { idle_on_fresh_stack((*local()).kernel_stack_top) }
}

//! The `syscall`/`sysret` machinery: selectors in STAR, the entry point in LSTAR,
//! and the flags masked on entry.

use x86_64::VirtAddr;
use x86_64::registers::model_specific::{Efer, EferFlags, LStar, SFMask, Star};
use x86_64::registers::rflags::RFlags;
use x86_64::structures::gdt::SegmentSelector;

use super::gdt;

unsafe extern "C" {
    /// Entry point of the `syscall` instruction.
    fn syscall_entry();
}

// Until the kernel runs user threads nothing can execute `syscall`; the entry
// reports the impossible and stops. The kernel-call path replaces it.
core::arch::global_asm!(
    r#"
    .section .text.syscall_entry, "ax"
    .global syscall_entry
syscall_entry:
    swapgs
    lea rsp, [rip + __boot_stack_top]
    call {unexpected}
    ud2
    "#,
    unexpected = sym unexpected_system_call,
);

extern "C" fn unexpected_system_call() -> ! {
    crate::kprintln!("A9N: system call with no user thread running");
    super::cpu::exit_qemu(a9n_abi::test_exit::KERNEL_FAULT)
}

/// Flags cleared on every `syscall` entry.
#[must_use]
pub fn entry_flag_mask() -> RFlags {
    RFlags::INTERRUPT_FLAG | RFlags::DIRECTION_FLAG | RFlags::TRAP_FLAG | RFlags::ALIGNMENT_CHECK
}

/// Address of the `syscall` entry point.
#[must_use]
pub fn entry_address() -> u64 {
    syscall_entry as *const () as u64
}

/// Enables `syscall`/`sysret` and points them at the kernel.
pub fn init() {
    Star::write(
        SegmentSelector(gdt::USER_CODE),
        SegmentSelector(gdt::USER_DATA),
        SegmentSelector(gdt::KERNEL_CODE),
        SegmentSelector(gdt::KERNEL_DATA),
    )
    .expect("the GDT layout satisfies the sysret selector rules");
    LStar::write(VirtAddr::new(entry_address()));
    SFMask::write(entry_flag_mask());
    // SAFETY: SCE only makes `syscall` legal; STAR, LSTAR and SFMASK are set above.
    unsafe { Efer::update(|flags| flags.insert(EferFlags::SYSTEM_CALL_EXTENSIONS)) };
}

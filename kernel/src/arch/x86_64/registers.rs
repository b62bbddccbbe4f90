//! Read-only views of control registers and MSRs, for the self-checks and reports.

use x86_64::instructions::segmentation::{CS, Segment};
use x86_64::instructions::tables::sidt;
use x86_64::registers::control::{Cr0, Cr0Flags, Cr4, Cr4Flags};
use x86_64::registers::model_specific::{Efer, EferFlags, LStar, Star};

/// Whether EFER.NXE is set.
#[must_use]
pub fn no_execute_enabled() -> bool {
    Efer::read().contains(EferFlags::NO_EXECUTE_ENABLE)
}

/// Whether EFER.SCE is set.
#[must_use]
pub fn system_call_enabled() -> bool {
    Efer::read().contains(EferFlags::SYSTEM_CALL_EXTENSIONS)
}

/// Whether CR0.WP is set.
#[must_use]
pub fn write_protect_enabled() -> bool {
    Cr0::read().contains(Cr0Flags::WRITE_PROTECT)
}

/// Whether SSE is usable (CR4.OSFXSR set, CR0.EM clear).
#[must_use]
pub fn sse_enabled() -> bool {
    Cr4::read().contains(Cr4Flags::OSFXSR) && !Cr0::read().contains(Cr0Flags::EMULATE_COPROCESSOR)
}

/// Physical address of the loaded PML4 (CR3).
#[must_use]
pub fn page_table_root() -> u64 {
    x86_64::registers::control::Cr3::read_raw()
        .0
        .start_address()
        .as_u64()
}

/// Whether CR4.SMEP is set.
#[must_use]
pub fn smep_enabled() -> bool {
    Cr4::read().contains(Cr4Flags::SUPERVISOR_MODE_EXECUTION_PROTECTION)
}

/// Whether CR4.SMAP is set.
#[must_use]
pub fn smap_enabled() -> bool {
    Cr4::read().contains(Cr4Flags::SUPERVISOR_MODE_ACCESS_PREVENTION)
}

/// The current code segment selector.
#[must_use]
pub fn code_segment() -> u16 {
    CS::get_reg().0
}

/// The loaded task register selector.
#[must_use]
pub fn task_register() -> u16 {
    let selector: u16;
    // SAFETY: STR only reads the task register into a general register.
    unsafe {
        core::arch::asm!("str {0:x}", out(reg) selector, options(nomem, nostack, preserves_flags));
    }
    selector
}

/// The IDT limit (bytes - 1).
#[must_use]
pub fn interrupt_table_limit() -> u16 {
    sidt().limit
}

/// The `syscall` entry point in LSTAR.
#[must_use]
pub fn system_call_entry() -> u64 {
    LStar::read().as_u64()
}

/// STAR's `syscall` CS (kernel) and `sysret` base selector (user).
#[must_use]
pub fn system_call_selectors() -> (u16, u16) {
    let (user_code, _user_data, kernel_code, _kernel_data) = Star::read();
    (kernel_code.0, (user_code.0 & !3) - 16)
}

/// Writes `value` to the word at kernel virtual address `address`, reads it back,
/// and restores the old contents; true when the read matched.
#[must_use]
pub fn write_and_read_back(address: u64, value: u64) -> bool {
    let pointer = address as *mut u64;
    // SAFETY: callers pass the direct-map address of a page that the boot allocator
    // just handed them, so nothing else uses it; the old value is put back.
    unsafe {
        let old = core::ptr::read_volatile(pointer);
        core::ptr::write_volatile(pointer, value);
        let read = core::ptr::read_volatile(pointer);
        core::ptr::write_volatile(pointer, old);
        read == value
    }
}

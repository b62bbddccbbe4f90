//! The `syscall`/`sysret` machinery: selectors in STAR, the entry point in LSTAR,
//! and the flags masked on entry.

use x86_64::VirtAddr;
use x86_64::registers::model_specific::{Efer, EferFlags, LStar, SFMask, Star};
use x86_64::registers::rflags::RFlags;
use x86_64::structures::gdt::SegmentSelector;

use super::gdt;

/// Flags cleared on every `syscall` entry.
#[must_use]
pub fn entry_flag_mask() -> RFlags {
    RFlags::INTERRUPT_FLAG | RFlags::DIRECTION_FLAG | RFlags::TRAP_FLAG | RFlags::ALIGNMENT_CHECK
}

/// Address of the `syscall` entry point.
#[must_use]
pub fn entry_address() -> u64 {
    super::cpu_local::syscall_entry_address()
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

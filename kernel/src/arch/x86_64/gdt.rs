//! Segmentation: the GDT (with the selector layout `syscall`/`sysret` need) and the
//! TSS (the kernel stack for entries from user mode, and separate stacks for faults
//! that must work even when the kernel stack is broken).

use spin::Once;
use x86_64::VirtAddr;
use x86_64::instructions::segmentation::{CS, DS, ES, SS, Segment};
use x86_64::instructions::tables::load_tss;
use x86_64::structures::gdt::{Descriptor, GlobalDescriptorTable, SegmentSelector};
use x86_64::structures::tss::TaskStateSegment;

/// Kernel code selector (ring 0).
pub const KERNEL_CODE: u16 = 0x08;
/// Kernel data/stack selector (ring 0).
pub const KERNEL_DATA: u16 = 0x10;
/// User data/stack selector (ring 3, RPL 3): `sysret` loads SS = STAR[63:48] + 8.
pub const USER_DATA: u16 = 0x18 | 3;
/// User code selector (ring 3, RPL 3): `sysret` loads CS = STAR[63:48] + 16.
pub const USER_CODE: u16 = 0x20 | 3;
/// TSS selector.
const TSS_SELECTOR: u16 = 0x28;

/// Interrupt stack table index (1-based in hardware, 0-based here) for double
/// faults, NMIs and machine checks.
pub const FAULT_STACK_INDEX: u16 = 0;

static mut TSS: TaskStateSegment = TaskStateSegment::new();
static GDT: Once<GlobalDescriptorTable> = Once::new();

unsafe extern "C" {
    static __boot_stack_top: u8;
    static __fault_stack_top: u8;
}

/// Builds and loads the GDT and TSS, and reloads every segment register.
pub fn init() {
    let tss = &raw mut TSS;
    // SAFETY: bring-up is single-threaded and the TSS is not loaded yet.
    unsafe {
        (*tss).privilege_stack_table[0] = VirtAddr::from_ptr(&raw const __boot_stack_top);
        (*tss).interrupt_stack_table[usize::from(FAULT_STACK_INDEX)] =
            VirtAddr::from_ptr(&raw const __fault_stack_top);
    }
    // SAFETY: TSS is a static, so the reference lives forever; after this point the
    // kernel changes it only through `set_kernel_entry_stack`, a plain field store
    // the processor reads at its next privilege change.
    let tss_reference: &'static TaskStateSegment = unsafe { &*tss };
    let gdt = GDT.call_once(|| {
        let mut gdt = GlobalDescriptorTable::new();
        let kernel_code = gdt.append(Descriptor::kernel_code_segment());
        let kernel_data = gdt.append(Descriptor::kernel_data_segment());
        let user_data = gdt.append(Descriptor::user_data_segment());
        let user_code = gdt.append(Descriptor::user_code_segment());
        let tss_selector = gdt.append(Descriptor::tss_segment(tss_reference));
        debug_assert_eq!(kernel_code.0, KERNEL_CODE);
        debug_assert_eq!(kernel_data.0, KERNEL_DATA);
        debug_assert_eq!(user_data.0, USER_DATA);
        debug_assert_eq!(user_code.0, USER_CODE);
        debug_assert_eq!(tss_selector.0, TSS_SELECTOR);
        gdt
    });
    gdt.load();
    // SAFETY: the selectors name the descriptors just loaded: ring-0 code for CS,
    // ring-0 data for SS/DS/ES, and an available 64-bit TSS.
    unsafe {
        CS::set_reg(SegmentSelector(KERNEL_CODE));
        SS::set_reg(SegmentSelector(KERNEL_DATA));
        DS::set_reg(SegmentSelector(0));
        ES::set_reg(SegmentSelector(0));
        load_tss(SegmentSelector(TSS_SELECTOR));
    }
}

/// The kernel stack pointer the processor loads on an interrupt from user mode.
#[must_use]
pub fn kernel_entry_stack() -> u64 {
    let tss = &raw const TSS;
    // SAFETY: a plain read of a field of the static TSS (single CPU, interrupts off).
    unsafe { (*tss).privilege_stack_table[0].as_u64() }
}

/// Sets the stack the processor switches to on an interrupt from user mode: the end
/// of the current thread's saved registers.
pub fn set_kernel_entry_stack(address: u64) {
    let tss = &raw mut TSS;
    // SAFETY: a plain store to the static TSS; the processor reads the field only at
    // privilege changes, which cannot happen while the kernel runs with interrupts
    // off.
    unsafe { (*tss).privilege_stack_table[0] = VirtAddr::new_truncate(address) };
}

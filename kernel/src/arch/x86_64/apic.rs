//! The local APIC (xAPIC, memory mapped) and the retirement of the legacy 8259 PICs.

use core::sync::atomic::{AtomicU64, Ordering};

use x86_64::instructions::port::PortWriteOnly;
use x86_64::registers::model_specific::Msr;

use super::interrupts::{LEGACY_PIC_BASE, SPURIOUS_VECTOR};
use super::paging::physical_to_virtual;

/// IA32_APIC_BASE model-specific register.
const APIC_BASE_MSR: u32 = 0x1b;
/// Global-enable bit of IA32_APIC_BASE.
const APIC_GLOBAL_ENABLE: u64 = 1 << 11;

/// Register offsets.
const LOCAL_APIC_ID: u64 = 0x20;
const TASK_PRIORITY: u64 = 0x80;
const END_OF_INTERRUPT: u64 = 0xb0;
const SPURIOUS_INTERRUPT: u64 = 0xf0;
const TIMER_VECTOR_TABLE: u64 = 0x320;
const TIMER_INITIAL_COUNT: u64 = 0x380;
const TIMER_CURRENT_COUNT: u64 = 0x390;
const TIMER_DIVIDE: u64 = 0x3e0;

/// Software-enable bit of the spurious-interrupt register.
const SOFTWARE_ENABLE: u32 = 1 << 8;
/// LVT mask bit.
const MASKED: u32 = 1 << 16;
/// LVT timer periodic mode.
const PERIODIC: u32 = 1 << 17;
/// Divide configuration value for "divide by 16".
const DIVIDE_BY_16: u32 = 0b0011;

/// Kernel virtual address of the APIC registers (0 before [`init`]).
static REGISTERS: AtomicU64 = AtomicU64::new(0);

fn read(offset: u64) -> u32 {
    let base = REGISTERS.load(Ordering::Relaxed);
    // SAFETY: `base` is the direct-map address of the APIC page (uncached in the
    // direct map because no RAM shares its 2 MiB page), and `offset` is one of the
    // aligned 32-bit registers above.
    unsafe { core::ptr::read_volatile((base + offset) as *const u32) }
}

fn write(offset: u64, value: u32) {
    let base = REGISTERS.load(Ordering::Relaxed);
    // SAFETY: as in `read`; writing these registers has no effect on memory.
    unsafe { core::ptr::write_volatile((base + offset) as *mut u32, value) }
}

/// Masks every line of both legacy PICs after moving their vectors off the
/// exception range (a spurious IRQ 7/15 can still arrive; the dispatcher drops it).
fn disable_legacy_pic() {
    let mut master_command = PortWriteOnly::<u8>::new(0x20);
    let mut master_data = PortWriteOnly::<u8>::new(0x21);
    let mut slave_command = PortWriteOnly::<u8>::new(0xa0);
    let mut slave_data = PortWriteOnly::<u8>::new(0xa1);
    // SAFETY: the standard 8259 initialisation sequence on the PC's fixed PIC
    // ports; it only changes the PICs' vector base and masks.
    unsafe {
        master_command.write(0x11);
        slave_command.write(0x11);
        master_data.write(LEGACY_PIC_BASE);
        slave_data.write(LEGACY_PIC_BASE + 8);
        master_data.write(4);
        slave_data.write(2);
        master_data.write(1);
        slave_data.write(1);
        master_data.write(0xff);
        slave_data.write(0xff);
    }
}

/// Enables the local APIC with every LVT entry masked.
pub fn init() {
    disable_legacy_pic();
    let mut base_msr = Msr::new(APIC_BASE_MSR);
    // SAFETY: IA32_APIC_BASE exists on every x86_64 CPU; setting the global enable
    // bit keeps the base address the firmware chose.
    let base = unsafe {
        let value = base_msr.read() | APIC_GLOBAL_ENABLE;
        base_msr.write(value);
        value & 0x000f_ffff_ffff_f000
    };
    REGISTERS.store(physical_to_virtual(base), Ordering::Relaxed);
    write(TASK_PRIORITY, 0);
    write(
        SPURIOUS_INTERRUPT,
        SOFTWARE_ENABLE | u32::from(SPURIOUS_VECTOR),
    );
    write(TIMER_VECTOR_TABLE, MASKED);
}

/// This CPU's local APIC ID (xAPIC: bits 24..32 of the ID register).
#[must_use]
pub fn local_apic_id() -> u8 {
    (read(LOCAL_APIC_ID) >> 24) as u8
}

/// Signals the end of the interrupt being handled.
pub fn end_of_interrupt() {
    write(END_OF_INTERRUPT, 0);
}

/// Starts the timer counting down from `u32::MAX` (divide by 16, masked) so that
/// [`timer_elapsed`] can measure it against a reference clock.
pub fn start_timer_measurement() {
    write(TIMER_DIVIDE, DIVIDE_BY_16);
    write(TIMER_VECTOR_TABLE, MASKED);
    write(TIMER_INITIAL_COUNT, u32::MAX);
}

/// Timer counts elapsed since [`start_timer_measurement`].
#[must_use]
pub fn timer_elapsed() -> u32 {
    u32::MAX - read(TIMER_CURRENT_COUNT)
}

/// Makes the timer interrupt `vector` every `count` timer counts (divide by 16).
pub fn start_periodic_timer(vector: u8, count: u32) {
    write(TIMER_DIVIDE, DIVIDE_BY_16);
    write(TIMER_VECTOR_TABLE, PERIODIC | u32::from(vector));
    write(TIMER_INITIAL_COUNT, count.max(1));
}

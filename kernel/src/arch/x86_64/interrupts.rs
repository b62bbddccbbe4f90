//! The interrupt descriptor table and the dispatcher every entry stub calls.

use core::sync::atomic::{AtomicU64, Ordering};

use spin::Once;
use x86_64::VirtAddr;
use x86_64::instructions::tables::lidt;
use x86_64::structures::DescriptorTablePointer;

use super::interrupt_entry::{STUB_SIZE, interrupt_stubs};
use super::trap_frame::TrapFrame;
use super::{apic, exception_report, gdt, timer};

/// Vector of the local APIC timer.
pub const TIMER_VECTOR: u8 = 0x30;
/// Vector of GSI 0 of the I/O APICs; GSI n arrives at this + n
/// (`a9n_core::irq_routing::GSI_LIMIT` of them, so up to 0xbf).
pub const DEVICE_VECTOR_BASE: u8 = 0x40;
/// Vector the local APIC uses for spurious interrupts.
pub const SPURIOUS_VECTOR: u8 = 0xff;
/// Base vector of the (masked) legacy 8259 PICs; their spurious IRQ 7 and 15 land
/// at base + 7 and base + 15.
pub const LEGACY_PIC_BASE: u8 = 0x20;

/// The breakpoint exception (`int3`).
const BREAKPOINT: u8 = 3;

/// Breakpoints hit in kernel mode (they resume; the self-checks use one to prove
/// that an exception returns to the interrupted code).
static BREAKPOINTS: AtomicU64 = AtomicU64::new(0);

/// Number of kernel-mode breakpoints taken so far.
#[must_use]
pub fn kernel_breakpoints() -> u64 {
    BREAKPOINTS.load(Ordering::Relaxed)
}

/// Executes `int3` (and returns once the handler has run).
pub fn breakpoint() {
    x86_64::instructions::interrupts::int3();
}

/// One 16-byte gate of the IDT.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct Gate {
    offset_low: u16,
    selector: u16,
    interrupt_stack: u8,
    attributes: u8,
    offset_middle: u16,
    offset_high: u32,
    reserved: u32,
}

/// Present, 64-bit interrupt gate (interrupts stay off in the handler), DPL 0.
const INTERRUPT_GATE: u8 = 0x8e;
/// The same, callable from ring 3 with `int3`/`into`.
const USER_INTERRUPT_GATE: u8 = 0xee;

#[repr(C, align(16))]
struct Table([Gate; 256]);

static TABLE: Once<Table> = Once::new();

fn gate(handler: u64, attributes: u8, interrupt_stack: Option<u16>) -> Gate {
    Gate {
        offset_low: handler as u16,
        selector: gdt::KERNEL_CODE,
        interrupt_stack: interrupt_stack.map_or(0, |index| index as u8 + 1),
        attributes,
        offset_middle: (handler >> 16) as u16,
        offset_high: (handler >> 32) as u32,
        reserved: 0,
    }
}

/// Builds the IDT (every vector goes to its stub) and loads it.
pub fn init() {
    let table = TABLE.call_once(|| {
        let stubs = (&raw const interrupt_stubs) as u64;
        let mut gates = [Gate::default(); 256];
        for (vector, entry) in gates.iter_mut().enumerate() {
            let handler = stubs + vector as u64 * STUB_SIZE;
            let attributes = if vector == 3 || vector == 4 {
                USER_INTERRUPT_GATE
            } else {
                INTERRUPT_GATE
            };
            // Double fault (8), NMI (2) and machine check (18) run on their own stack.
            let stack = matches!(vector, 2 | 8 | 18).then_some(gdt::FAULT_STACK_INDEX);
            *entry = gate(handler, attributes, stack);
        }
        Table(gates)
    });
    let pointer = DescriptorTablePointer {
        limit: (core::mem::size_of::<Table>() - 1) as u16,
        base: VirtAddr::from_ptr(table),
    };
    // SAFETY: the table is 'static, holds 256 valid gates whose handlers are the
    // entry stubs, and the code selector is the kernel's.
    unsafe { lidt(&pointer) };
}

/// Called by `interrupt_common` with the saved registers of the interrupted code.
pub extern "C" fn interrupt_dispatch(frame: &mut TrapFrame) {
    let vector = frame.vector as u8;
    match vector {
        BREAKPOINT if !frame.interrupted_user_mode() => {
            BREAKPOINTS.fetch_add(1, Ordering::Relaxed);
        }
        0..=31 => exception_report::fatal_exception(frame),
        TIMER_VECTOR => {
            timer::tick();
            apic::end_of_interrupt();
            crate::entry::after_kernel_mode_interrupt(true);
        }
        SPURIOUS_VECTOR => {}
        vector if super::io_apic::gsi_of_vector(u64::from(vector)).is_some() => {
            crate::interrupt_ports::deliver(u64::from(vector));
            crate::entry::after_kernel_mode_interrupt(false);
        }
        vector if vector == LEGACY_PIC_BASE + 7 || vector == LEGACY_PIC_BASE + 15 => {}
        _ => {
            apic::end_of_interrupt();
            crate::entry::after_kernel_mode_interrupt(false);
        }
    }
}

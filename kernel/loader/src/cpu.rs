//! The few raw x86_64 instructions the loader needs: port I/O, the time stamp
//! counter, control registers and halting.

use core::arch::asm;

/// CR4 bit that says 5-level paging is active.
const CR4_LA57: u64 = 1 << 12;

/// Writes `value` to I/O port `port`.
///
/// # Safety
///
/// The caller must know what the device at `port` does with the write; the loader
/// only writes to the UART (COM1) and to QEMU's `isa-debug-exit` port.
pub unsafe fn outb(port: u16, value: u8) {
    // SAFETY: the caller vouches for the device; `out` touches no memory or stack.
    unsafe {
        asm!("out dx, al", in("dx") port, in("al") value, options(nomem, nostack, preserves_flags));
    }
}

/// Reads a byte from I/O port `port`.
///
/// # Safety
///
/// The caller must know that reading `port` has no harmful side effect (the loader
/// only reads the UART line status register).
pub unsafe fn inb(port: u16) -> u8 {
    let value: u8;
    // SAFETY: the caller vouches for the device; `in` touches no memory or stack.
    unsafe {
        asm!("in al, dx", in("dx") port, out("al") value, options(nomem, nostack, preserves_flags));
    }
    value
}

/// Reads the time stamp counter.
#[must_use]
pub fn read_tsc() -> u64 {
    let low: u32;
    let high: u32;
    // SAFETY: `rdtsc` only reads the counter into EDX:EAX; it is allowed at CPL 0,
    // where UEFI applications run.
    unsafe {
        asm!("rdtsc", out("eax") low, out("edx") high, options(nomem, nostack, preserves_flags));
    }
    (u64::from(high) << 32) | u64::from(low)
}

/// Whether the firmware runs with 5-level paging (the loader builds 4-level tables).
#[must_use]
pub fn five_level_paging_active() -> bool {
    let cr4: u64;
    // SAFETY: reading CR4 has no side effect and is allowed at CPL 0.
    unsafe {
        asm!("mov {}, cr4", out(reg) cr4, options(nomem, nostack, preserves_flags));
    }
    cr4 & CR4_LA57 != 0
}

/// Disables interrupts and halts forever.
pub fn halt_forever() -> ! {
    loop {
        // SAFETY: `cli; hlt` only stops this CPU; nothing is expected to run after.
        unsafe {
            asm!("cli", "hlt", options(nomem, nostack));
        }
    }
}

//! Processor basics: feature detection, interrupts on/off, halting, the time stamp
//! counter, and QEMU's `isa-debug-exit` for test builds.

use core::arch::x86_64::{__cpuid, __cpuid_count, _rdtsc};

use a9n_abi::test_exit;
use x86_64::instructions::{interrupts, port::PortWriteOnly};

/// Processor features the kernel uses or reports.
#[derive(Clone, Copy, Debug, Default)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "one flag per CPUID feature bit"
)]
pub struct Features {
    /// 1 GiB pages (CPUID 0x8000_0001 EDX bit 26).
    pub huge_pages: bool,
    /// Execute-disable bit (CPUID 0x8000_0001 EDX bit 20).
    pub no_execute: bool,
    /// Global pages (CPUID 1 EDX bit 13).
    pub global_pages: bool,
    /// Supervisor-mode execution prevention (CPUID 7 EBX bit 7).
    pub smep: bool,
    /// Supervisor-mode access prevention (CPUID 7 EBX bit 20).
    pub smap: bool,
    /// Process-context identifiers (CPUID 1 ECX bit 17).
    pub pcid: bool,
    /// XSAVE/XRSTOR (CPUID 1 ECX bit 26).
    pub xsave: bool,
    /// AVX state (CPUID 1 ECX bit 28).
    pub avx: bool,
    /// `rdfsbase`/`wrgsbase` from any ring (CPUID 7 EBX bit 0).
    pub fsgsbase: bool,
    /// User-mode instruction prevention (CPUID 7 ECX bit 2).
    pub umip: bool,
}

impl core::fmt::Display for Features {
    fn fmt(&self, out: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let flags = [
            (self.no_execute, "nx"),
            (self.global_pages, "pge"),
            (self.huge_pages, "1g-pages"),
            (self.smep, "smep"),
            (self.smap, "smap"),
            (self.umip, "umip"),
            (self.pcid, "pcid"),
            (self.xsave, "xsave"),
            (self.avx, "avx"),
            (self.fsgsbase, "fsgsbase"),
        ];
        write!(out, "features")?;
        for (present, name) in flags {
            if present {
                write!(out, " {name}")?;
            }
        }
        Ok(())
    }
}

/// Reads the processor's features with CPUID.
#[must_use]
pub fn features() -> Features {
    // CPUID is always available in long mode and has no side effects.
    let leaf1 = __cpuid(1);
    let maximum_leaf = __cpuid(0).eax;
    let leaf7 = if maximum_leaf >= 7 {
        __cpuid_count(7, 0)
    } else {
        __cpuid(0)
    };
    let extended = __cpuid(0x8000_0001);
    Features {
        huge_pages: extended.edx & (1 << 26) != 0,
        no_execute: extended.edx & (1 << 20) != 0,
        global_pages: leaf1.edx & (1 << 13) != 0,
        smep: maximum_leaf >= 7 && leaf7.ebx & (1 << 7) != 0,
        smap: maximum_leaf >= 7 && leaf7.ebx & (1 << 20) != 0,
        pcid: leaf1.ecx & (1 << 17) != 0,
        xsave: leaf1.ecx & (1 << 26) != 0,
        avx: leaf1.ecx & (1 << 28) != 0,
        fsgsbase: maximum_leaf >= 7 && leaf7.ebx & 1 != 0,
        umip: maximum_leaf >= 7 && leaf7.ecx & (1 << 2) != 0,
    }
}

/// Runs `action` with interrupts disabled, restoring the previous state after.
pub fn without_interrupts<R>(action: impl FnOnce() -> R) -> R {
    interrupts::without_interrupts(action)
}

/// Enables interrupts and waits for the next one.
pub fn enable_interrupts_and_wait() {
    interrupts::enable_and_hlt();
}

/// Enables interrupts.
pub fn enable_interrupts() {
    interrupts::enable();
}

/// Disables interrupts.
pub fn disable_interrupts() {
    interrupts::disable();
}

/// Reads the time stamp counter.
#[must_use]
pub fn read_time_stamp_counter() -> u64 {
    // SAFETY: RDTSC only reads a counter (the kernel does not set CR4.TSD for itself).
    unsafe { _rdtsc() }
}

/// Halts this processor for good, interrupts off.
pub fn halt_forever() -> ! {
    interrupts::disable();
    loop {
        x86_64::instructions::hlt();
    }
}

/// Tells QEMU to exit with `code` (see `a9n_abi::test_exit`), then halts. Without an
/// `isa-debug-exit` device the write goes nowhere and the processor just halts.
pub fn exit_qemu(code: u8) -> ! {
    let mut port = PortWriteOnly::<u32>::new(test_exit::DEBUG_EXIT_PORT);
    // SAFETY: the debug-exit port is either QEMU's exit device or unused; writing
    // it touches no memory.
    unsafe { port.write(u32::from(code)) };
    halt_forever()
}

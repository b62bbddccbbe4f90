//! The x87/SSE unit: enabled at boot for user programs built with SSE (the kernel
//! itself is soft-float and never touches it).

use core::arch::x86_64::__cpuid_count;

use x86_64::registers::control::{Cr0, Cr0Flags, Cr4, Cr4Flags};
use x86_64::registers::xcontrol::{XCr0, XCr0Flags};

use super::cpu::Features;

/// How the kernel saves a thread's FPU state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveMethod {
    /// `fxsave`/`fxrstor`: 512 bytes (x87 + SSE).
    Fxsave,
    /// `xsaveopt`/`xrstor` with the state components in XCR0.
    Xsave,
}

/// What [`init`] enabled.
#[derive(Clone, Copy, Debug)]
pub struct FpuState {
    /// How state is saved.
    pub method: SaveMethod,
    /// Bytes of the save area.
    pub save_area_size: u32,
    /// Whether AVX state is enabled.
    pub avx: bool,
}

/// Enables the FPU, SSE and (where present) XSAVE with AVX state.
pub fn init(features: &Features) -> FpuState {
    // SAFETY: these bits only enable FPU/SSE instructions and their exceptions for
    // code that uses them; clearing TS means no #NM is raised until the kernel asks.
    unsafe {
        Cr0::update(|flags| {
            flags.remove(Cr0Flags::EMULATE_COPROCESSOR | Cr0Flags::TASK_SWITCHED);
            flags.insert(Cr0Flags::MONITOR_COPROCESSOR | Cr0Flags::NUMERIC_ERROR);
        });
        Cr4::update(|flags| {
            flags.insert(Cr4Flags::OSFXSR | Cr4Flags::OSXMMEXCPT_ENABLE);
            flags.set(Cr4Flags::OSXSAVE, features.xsave);
        });
    }
    let state = if features.xsave {
        let mut components = XCr0Flags::X87 | XCr0Flags::SSE;
        if features.avx {
            components |= XCr0Flags::AVX;
        }
        // SAFETY: CR4.OSXSAVE is set and the components are ones CPUID reports.
        unsafe { XCr0::write(components) };
        FpuState {
            method: SaveMethod::Xsave,
            save_area_size: __cpuid_count(0xd, 0).ebx,
            avx: features.avx,
        }
    } else {
        FpuState {
            method: SaveMethod::Fxsave,
            save_area_size: 512,
            avx: false,
        }
    };
    // SAFETY: FNINIT resets the x87 unit to its default state; it touches no memory.
    unsafe { core::arch::asm!("fninit", options(nomem, nostack)) };
    state
}

/// Adds two doubles with SSE2 (`addsd`), to prove the unit works.
#[must_use]
pub fn sse_add(left: f64, right: f64) -> f64 {
    let result: u64;
    // SAFETY: SSE is enabled by `init`; the asm clobbers only xmm0/xmm1, which the
    // soft-float kernel never holds values in.
    unsafe {
        core::arch::asm!(
            "movq xmm0, {left}",
            "movq xmm1, {right}",
            "addsd xmm0, xmm1",
            "movq {result}, xmm0",
            left = in(reg) left.to_bits(),
            right = in(reg) right.to_bits(),
            result = lateout(reg) result,
            out("xmm0") _,
            out("xmm1") _,
            options(nomem, nostack),
        );
    }
    f64::from_bits(result)
}

//! The x87/SSE unit: enabled at boot for user programs built with SSE (the kernel
//! itself is soft-float and never touches it).

use core::arch::x86_64::__cpuid_count;
use core::sync::atomic::{AtomicU64, Ordering};

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

/// The thread whose state the FPU registers hold (0: none).
static OWNER: AtomicU64 = AtomicU64::new(0);
/// Whether state is saved with XSAVE (else FXSAVE).
static USES_XSAVE: AtomicU64 = AtomicU64::new(0);

/// A clean register image: x87 control word 0x37F, MXCSR 0x1F80, everything else
/// zero (and an XSAVE header of zeros: every component in its initial state).
#[repr(C, align(64))]
struct CleanArea([u8; 1024]);

static CLEAN_AREA: CleanArea = {
    let mut bytes = [0u8; 1024];
    bytes[0] = 0x7f;
    bytes[1] = 0x03;
    bytes[24] = 0x80;
    bytes[25] = 0x1f;
    CleanArea(bytes)
};

/// Whether CR0.TS is set (kept here to skip CR0 writes that change nothing).
static TASK_SWITCHED: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

fn set_task_switched(on: bool) {
    if TASK_SWITCHED.load(Ordering::Relaxed) == on {
        return;
    }
    TASK_SWITCHED.store(on, Ordering::Relaxed);
    // SAFETY: CR0.TS only decides whether the next FPU instruction raises #NM.
    unsafe {
        Cr0::update(|flags| flags.set(Cr0Flags::TASK_SWITCHED, on));
    }
}

/// Before returning to `thread`: let it use the FPU directly if it owns the
/// registers, else make its first FPU instruction trap (lazy switching: threads that
/// never touch the FPU never cost a save or restore).
pub fn prepare_for(thread: crate::thread::Thread) {
    set_task_switched(OWNER.load(Ordering::Relaxed) != thread.0);
}

fn save(area: u64) {
    let pointer = super::paging::physical_to_virtual(area) as *mut u8;
    if USES_XSAVE.load(Ordering::Relaxed) != 0 {
        // SAFETY: the area is the 64-byte aligned FPU area of a PCB, large enough for
        // the enabled components (checked at boot).
        unsafe {
            core::arch::asm!("xsave64 [{0}]", in(reg) pointer, in("eax") u32::MAX, in("edx") u32::MAX, options(nostack))
        };
    } else {
        // SAFETY: as above, 512 bytes, 16-byte aligned.
        unsafe { core::arch::asm!("fxsave64 [{0}]", in(reg) pointer, options(nostack)) };
    }
}

fn restore(pointer: *const u8) {
    if USES_XSAVE.load(Ordering::Relaxed) != 0 {
        // SAFETY: `pointer` is a valid XSAVE image (saved by `save`, or the clean
        // area, whose zero header asks for the initial state of every component).
        unsafe {
            core::arch::asm!("xrstor64 [{0}]", in(reg) pointer, in("eax") u32::MAX, in("edx") u32::MAX, options(nostack))
        };
    } else {
        // SAFETY: a valid FXSAVE image, as above.
        unsafe { core::arch::asm!("fxrstor64 [{0}]", in(reg) pointer, options(nostack)) };
    }
}

/// The first FPU instruction of `thread` since it was switched to: save the owner's
/// registers into its PCB and load `thread`'s (or a clean state if it never used
/// the FPU), so no thread ever sees another's values.
pub fn switch_owner(thread: crate::thread::Thread) {
    set_task_switched(false);
    let owner = OWNER.load(Ordering::Relaxed);
    if owner == thread.0 {
        return;
    }
    if owner != 0 {
        let previous = crate::thread::Thread(owner);
        save(previous.fpu_area());
        previous.set_fpu_saved(true);
    }
    if thread.fpu_saved() {
        restore(super::paging::physical_to_virtual(thread.fpu_area()) as *const u8);
    } else {
        restore(CLEAN_AREA.0.as_ptr());
    }
    OWNER.store(thread.0, Ordering::Relaxed);
}

/// Forgets `thread`'s FPU state (its PCB is going away).
pub fn forget(thread: crate::thread::Thread) {
    if OWNER.load(Ordering::Relaxed) == thread.0 {
        OWNER.store(0, Ordering::Relaxed);
    }
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
        USES_XSAVE.store(1, Ordering::Relaxed);
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

//! The lowest layer: kernel calls timed with the time-stamp counter, for
//! benchmarks, and the tight server loops they are measured against.
//!
//! Each timed function is one `asm!` block: `lfence; rdtsc; lfence`, the kernel
//! call with its registers set up inside the block, then `lfence; rdtsc; lfence`, so
//! that no compiler-generated code sits between the counter reads and the
//! `syscall`. Each has a twin whose name ends in `_overhead`: the identical block
//! with `syscall` replaced by the 2-byte nop `66 90`. The twin measures what the
//! timing itself costs (the loop-overhead method of sel4bench), so `timed -
//! overhead` is the cost of the kernel call alone. Under QEMU with `-icount
//! shift=0,sleep=off` the guest's TSC advances once per retired instruction, so
//! that difference counts the kernel's instructions exactly.
//!
//! Registers as in [`kernel_call`](crate::kernel_call) (docs/abi.md sections 1 and
//! 2): `RAX` = call number, MR0..MR9 in `RDI, RSI, RDX, R8, R9, R10, R12, R13, R14,
//! R15`, `RCX` and `R11` clobbered. `rdtsc` writes `EDX:EAX`, and `RDX` is MR2, so
//! each block stores the start count to memory and only then loads MR2 (passed in
//! `R11`) and the call number; after the call it moves the returned MR2 to `R11`
//! before the second read. The server loops keep their port and message_info in
//! `RBX` and `RBP`, which the kernel preserves and which no MR uses; they never
//! return, so nothing of the caller's state in those registers is lost.
//!
//! Besides [`kernel_call`](crate::kernel_call), this is the only user-level place
//! with inline `syscall` assembly; it is meant for benchmarks only. Everything
//! that uses it is safe Rust.
//!
//! ```no_run
//! use a9n_abi::operation::IpcPortOperation;
//! use a9n_abi::{Descriptor, MessageInfo, MessageSource};
//! use nun::kernel_call::RegisterMessages;
//! use nun::timed_call;
//!
//! // A 0-word CALL on the IPC port in root slot 12, and what the timing costs.
//! let port = Descriptor::root_slot(8, 12).unwrap();
//! let info = MessageInfo::new(true, 0, 0, MessageSource::Normal).unwrap();
//! let mut registers = RegisterMessages::default();
//! registers[0] = port.as_word();
//! registers[1] = IpcPortOperation::Call.as_word();
//! registers[2] = info.as_word();
//! let mut overhead_registers = registers;
//! let call = timed_call::timed_capability_call(&mut registers);
//! let overhead = timed_call::timed_capability_call_overhead(&mut overhead_registers);
//! let instructions = call.ticks - overhead.ticks;
//! ```

use a9n_abi::operation::{IpcPortOperation, NotificationPortOperation};
use a9n_abi::{Descriptor, KernelCall, MessageInfo};

use crate::kernel_call::RegisterMessages;

/// The number this module's [`timed_unknown_kernel_call`] puts in `RAX`: no
/// [`KernelCall`], so the kernel turns it into an `INVALID_KERNEL_CALL` fault for
/// the thread's fault resolver (docs/abi.md section 6).
pub const UNKNOWN_KERNEL_CALL_NUMBER: u64 = 0x1234;

/// `CAPABILITY_CALL` as the signed immediate the assembly loads into `RAX`.
const CAPABILITY_CALL_NUMBER: i64 = KernelCall::CapabilityCall as i64;
/// `YIELD` as the signed immediate the assembly loads into `RAX`.
const YIELD_NUMBER: i64 = KernelCall::Yield as i64;
/// [`UNKNOWN_KERNEL_CALL_NUMBER`] as an immediate.
const UNKNOWN_NUMBER: i64 = UNKNOWN_KERNEL_CALL_NUMBER as i64;
/// IPC_PORT REPLY_RECEIVE.
const REPLY_RECEIVE: u64 = IpcPortOperation::ReplyReceive.as_word();
/// NOTIFICATION_PORT NOTIFY.
const NOTIFY: u64 = NotificationPortOperation::Notify.as_word();
/// NOTIFICATION_PORT WAIT.
const WAIT: u64 = NotificationPortOperation::Wait.as_word();

/// What a timed kernel call measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// Time-stamp-counter ticks from the first read to the second (under QEMU
    /// `-icount shift=0`: retired instructions).
    pub ticks: u64,
    /// `RDI` (MR0) after the call: `CALL_SUCCEEDED` when a capability call or YIELD
    /// succeeded. The `_overhead` twins and [`timed_unknown_kernel_call`] (which
    /// resumes with its registers unchanged) return the value that went in.
    pub status: u64,
}

/// Defines a timed CAPABILITY_CALL with all ten register MRs in and out, entered
/// with `$instruction` (`syscall`, or the 2-byte nop for the overhead twin).
macro_rules! timed_capability_call {
    ($(#[$meta:meta])* $name:ident, $instruction:literal) => {
        $(#[$meta])*
        #[inline(always)]
        pub fn $name(registers: &mut RegisterMessages) -> Timing {
            let [
                mut mr0,
                mut mr1,
                mut mr2,
                mut mr3,
                mut mr4,
                mut mr5,
                mut mr6,
                mut mr7,
                mut mr8,
                mut mr9,
            ] = *registers;
            let mut start: u64 = 0;
            let end: u64;
            // SAFETY: the block reads the TSC (allowed in user mode: the kernel does
            // not set CR4.TSD), stores the start count through a pointer to the local
            // `start` (valid, aligned, not otherwise borrowed), and makes one kernel
            // call as `kernel_call::raw_call` does: every MR register is declared in
            // and out, RAX, RCX, RDX and R11 are declared clobbered, and the kernel
            // preserves every other register and the stack. The kernel writes user
            // memory only in this thread's IPC buffer, which Rust code reaches only
            // through volatile accesses. The nop twin changes nothing but the
            // registers it declares.
            unsafe {
                core::arch::asm!(
                    "lfence",
                    "rdtsc",
                    "lfence",
                    "shl rdx, 32",
                    "or rax, rdx",
                    "mov qword ptr [rcx], rax",
                    "mov rdx, r11",
                    "mov rax, {number}",
                    $instruction,
                    "mov r11, rdx",
                    "lfence",
                    "rdtsc",
                    "lfence",
                    "shl rdx, 32",
                    "or rax, rdx",
                    number = const CAPABILITY_CALL_NUMBER,
                    inout("rcx") &raw mut start => _,
                    inout("r11") mr2,
                    out("rdx") _,
                    out("rax") end,
                    inout("rdi") mr0,
                    inout("rsi") mr1,
                    inout("r8") mr3,
                    inout("r9") mr4,
                    inout("r10") mr5,
                    inout("r12") mr6,
                    inout("r13") mr7,
                    inout("r14") mr8,
                    inout("r15") mr9,
                    options(nostack),
                );
            }
            *registers = [mr0, mr1, mr2, mr3, mr4, mr5, mr6, mr7, mr8, mr9];
            Timing {
                ticks: end.wrapping_sub(start),
                status: mr0,
            }
        }
    };
}

/// Defines a timed kernel call with no arguments and call number `$number`,
/// entered with `$instruction`. Every MR is treated as clobbered.
macro_rules! timed_kernel_call {
    ($(#[$meta:meta])* $name:ident, $number:expr, $instruction:literal) => {
        $(#[$meta])*
        #[inline(always)]
        pub fn $name() -> Timing {
            let mut start: u64 = 0;
            let end: u64;
            let status: u64;
            // SAFETY: as in `timed_capability_call`: the TSC reads, one store to the
            // local `start`, and one kernel call with every register it may change
            // declared as an output or clobber.
            unsafe {
                core::arch::asm!(
                    "lfence",
                    "rdtsc",
                    "lfence",
                    "shl rdx, 32",
                    "or rax, rdx",
                    "mov qword ptr [rcx], rax",
                    "mov rax, {number}",
                    $instruction,
                    "lfence",
                    "rdtsc",
                    "lfence",
                    "shl rdx, 32",
                    "or rax, rdx",
                    number = const $number,
                    inout("rcx") &raw mut start => _,
                    out("r11") _,
                    out("rdx") _,
                    out("rax") end,
                    inout("rdi") 0_u64 => status,
                    out("rsi") _,
                    out("r8") _,
                    out("r9") _,
                    out("r10") _,
                    out("r12") _,
                    out("r13") _,
                    out("r14") _,
                    out("r15") _,
                    options(nostack),
                );
            }
            Timing {
                ticks: end.wrapping_sub(start),
                status,
            }
        }
    };
}

/// Defines a timed NOTIFY on one notification port followed by WAIT on another,
/// both entered with `$instruction`.
macro_rules! timed_notify_then_wait {
    ($(#[$meta:meta])* $name:ident, $instruction:literal) => {
        $(#[$meta])*
        #[inline(always)]
        pub fn $name(notify: Descriptor, wait: Descriptor) -> Timing {
            let mut start: u64 = 0;
            let end: u64;
            let status: u64;
            // SAFETY: as in `timed_capability_call`, with two kernel calls. The WAIT
            // descriptor survives NOTIFY in R12 (MR6), which NOTIFY does not return
            // (docs/abi.md section 1: such registers are preserved); every register
            // either call may change is declared.
            unsafe {
                core::arch::asm!(
                    "lfence",
                    "rdtsc",
                    "lfence",
                    "shl rdx, 32",
                    "or rax, rdx",
                    "mov qword ptr [rcx], rax",
                    "mov rax, {number}",
                    $instruction,
                    "mov rdi, r12",
                    "mov rsi, {wait}",
                    "mov rax, {number}",
                    $instruction,
                    "lfence",
                    "rdtsc",
                    "lfence",
                    "shl rdx, 32",
                    "or rax, rdx",
                    number = const CAPABILITY_CALL_NUMBER,
                    wait = const WAIT,
                    inout("rcx") &raw mut start => _,
                    out("r11") _,
                    out("rdx") _,
                    out("rax") end,
                    inout("rdi") notify.as_word() => status,
                    inout("rsi") NOTIFY => _,
                    inout("r12") wait.as_word() => _,
                    out("r8") _,
                    out("r9") _,
                    out("r10") _,
                    out("r13") _,
                    out("r14") _,
                    out("r15") _,
                    options(nostack),
                );
            }
            Timing {
                ticks: end.wrapping_sub(start),
                status,
            }
        }
    };
}

timed_capability_call!(
    /// A timed CAPABILITY_CALL: MR0..MR9 from `registers` (MR0 descriptor, MR1
    /// operation, MR2 message_info or first argument...), which then hold the MRs the
    /// kernel returned. MR10 and above stay in the IPC buffer.
    timed_capability_call,
    "syscall"
);

timed_capability_call!(
    /// [`timed_capability_call`] with `syscall` replaced by the 2-byte nop: the
    /// cost of the timing code around the call. `registers` come back unchanged.
    timed_capability_call_overhead,
    ".byte 0x66, 0x90"
);

timed_kernel_call!(
    /// A timed YIELD.
    timed_yield,
    YIELD_NUMBER,
    "syscall"
);

timed_kernel_call!(
    /// [`timed_yield`] with `syscall` replaced by the 2-byte nop.
    timed_yield_overhead,
    YIELD_NUMBER,
    ".byte 0x66, 0x90"
);

timed_kernel_call!(
    /// A timed `syscall` with [`UNKNOWN_KERNEL_CALL_NUMBER`]: an
    /// `INVALID_KERNEL_CALL` fault goes to the thread's fault resolver, and the
    /// thread goes on after the `syscall` once the resolver replies with any length
    /// but 23 (docs/abi.md section 6). Without a resolver the kernel suspends the
    /// thread.
    timed_unknown_kernel_call,
    UNKNOWN_NUMBER,
    "syscall"
);

timed_kernel_call!(
    /// [`timed_unknown_kernel_call`] with `syscall` replaced by the 2-byte nop.
    timed_unknown_kernel_call_overhead,
    UNKNOWN_NUMBER,
    ".byte 0x66, 0x90"
);

timed_notify_then_wait!(
    /// Timed NOTIFY on `notify`, then WAIT on `wait`; `status` is WAIT's.
    timed_notify_then_wait,
    "syscall"
);

timed_notify_then_wait!(
    /// [`timed_notify_then_wait`] with both `syscall`s replaced by the 2-byte nop.
    timed_notify_then_wait_overhead,
    ".byte 0x66, 0x90"
);

/// Serves an IPC port forever: REPLY_RECEIVE on `port` with message_info `info`
/// (its length says how many payload words each reply carries: whatever the MRs
/// hold, i.e. the message just received, so the server echoes). The first
/// REPLY_RECEIVE, with no caller to answer, only receives. Errors are ignored: the
/// loop simply calls again.
pub fn reply_receive_loop(port: Descriptor, info: MessageInfo) -> ! {
    // SAFETY: the block never returns, so the registers it takes over (RBX, RBP)
    // hold nothing anyone reads again; each `syscall` is a kernel call as in
    // `kernel_call::raw_call`, and the kernel writes user memory only in this
    // thread's IPC buffer. The stack is not touched.
    unsafe {
        core::arch::asm!(
            "mov rbx, rdi",
            "mov rbp, rdx",
            "2:",
            "mov rdi, rbx",
            "mov rsi, {operation}",
            "mov rdx, rbp",
            "mov rax, {number}",
            "syscall",
            "jmp 2b",
            operation = const REPLY_RECEIVE,
            number = const CAPABILITY_CALL_NUMBER,
            in("rdi") port.as_word(),
            in("rdx") info.as_word(),
            options(noreturn, nostack),
        )
    }
}

/// The partner of [`timed_notify_then_wait`], forever: WAIT on `wait`, then NOTIFY
/// `notify`. Errors are ignored: the loop simply goes on.
pub fn wait_then_notify_loop(wait: Descriptor, notify: Descriptor) -> ! {
    // SAFETY: as in `reply_receive_loop`.
    unsafe {
        core::arch::asm!(
            "mov rbx, rdi",
            "mov rbp, rsi",
            "2:",
            "mov rdi, rbx",
            "mov rsi, {wait}",
            "mov rax, {number}",
            "syscall",
            "mov rdi, rbp",
            "mov rsi, {notify}",
            "mov rax, {number}",
            "syscall",
            "jmp 2b",
            wait = const WAIT,
            notify = const NOTIFY,
            number = const CAPABILITY_CALL_NUMBER,
            in("rdi") wait.as_word(),
            in("rsi") notify.as_word(),
            options(noreturn, nostack),
        )
    }
}

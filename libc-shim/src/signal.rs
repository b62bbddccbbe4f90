//! Signals: `sigaction`, `sigprocmask`, `kill`, `raise`, and delivery.
//!
//! Delivery happens in two ways. When a reply of posix-server says a signal is
//! pending, [`deliver_pending`] asks for it (TAKE_SIGNAL), runs its handler and
//! restores the mask (SIGRETURN). When a signal with a handler arrives while the
//! process runs its own code, posix-server suspends the thread, saves its registers
//! in the shared buffer and restarts it at the trampoline below, which saves the
//! FPU state and the registers on the stack, delivers as above, and returns to the
//! interrupted code with every register as it was. posix-server never redirects the
//! thread while it is inside the trampoline or between putting a request's data in
//! the shared buffer and taking the reply's (`IN_REQUEST`, see
//! `posix_server_api::shared_buffer`): those signals come with the next reply.

use posix_server_api::{Errno, Operation};

use crate::posix_call::{call, simple_outcome};

pub use posix_server_signals::*;

/// Signal numbers and masks, as Linux numbers them.
mod posix_server_signals {
    /// A set of signals (bit n - 1 for signal n).
    pub type SignalSet = u64;
    /// Hangup.
    pub const SIGHUP: i32 = 1;
    /// Interrupt (Ctrl-C).
    pub const SIGINT: i32 = 2;
    /// Quit.
    pub const SIGQUIT: i32 = 3;
    /// Illegal instruction.
    pub const SIGILL: i32 = 4;
    /// Abort.
    pub const SIGABRT: i32 = 6;
    /// Floating point exception.
    pub const SIGFPE: i32 = 8;
    /// Kill (cannot be caught).
    pub const SIGKILL: i32 = 9;
    /// User signal 1.
    pub const SIGUSR1: i32 = 10;
    /// Segmentation fault.
    pub const SIGSEGV: i32 = 11;
    /// User signal 2.
    pub const SIGUSR2: i32 = 12;
    /// Broken pipe.
    pub const SIGPIPE: i32 = 13;
    /// Alarm.
    pub const SIGALRM: i32 = 14;
    /// Terminate.
    pub const SIGTERM: i32 = 15;
    /// A child stopped or exited.
    pub const SIGCHLD: i32 = 17;
    /// Continue.
    pub const SIGCONT: i32 = 18;
    /// Stop (cannot be caught).
    pub const SIGSTOP: i32 = 19;
    /// Terminal stop (Ctrl-Z).
    pub const SIGTSTP: i32 = 20;
    /// `sigprocmask`: add to the mask.
    pub const SIG_BLOCK: i32 = 0;
    /// `sigprocmask`: remove from the mask.
    pub const SIG_UNBLOCK: i32 = 1;
    /// `sigprocmask`: replace the mask.
    pub const SIG_SETMASK: i32 = 2;
    /// `sa_flags`: restart interrupted calls (accepted; calls return EINTR).
    pub const SA_RESTART: u64 = 0x1000_0000;
    /// `sa_flags`: do not block the signal in its handler.
    pub const SA_NODEFER: u64 = 0x4000_0000;
    /// `sa_flags`: reset to the default action on delivery.
    pub const SA_RESETHAND: u64 = 0x8000_0000;

    /// The set holding only `signal`.
    #[must_use]
    pub const fn signal_bit(signal: i32) -> SignalSet {
        if signal >= 1 && signal <= 64 {
            1 << (signal - 1)
        } else {
            0
        }
    }
}

/// What to do with a signal.
#[derive(Clone, Copy, Debug)]
pub enum Disposition {
    /// The default action.
    Default,
    /// Ignore it.
    Ignore,
    /// Run this function.
    Handler(extern "C" fn(i32)),
}

/// A signal's action.
#[derive(Clone, Copy, Debug)]
pub struct Action {
    /// What to do.
    pub disposition: Disposition,
    /// `sa_flags`.
    pub flags: u64,
    /// Signals blocked while the handler runs.
    pub mask: SignalSet,
}

impl Action {
    /// `disposition` with no flags and an empty mask.
    #[must_use]
    pub const fn new(disposition: Disposition) -> Self {
        Self {
            disposition,
            flags: 0,
            mask: 0,
        }
    }
}

const HANDLER_DEFAULT: u64 = 0;
const HANDLER_IGNORE: u64 = 1;

fn disposition_word(disposition: Disposition) -> u64 {
    match disposition {
        Disposition::Default => HANDLER_DEFAULT,
        Disposition::Ignore => HANDLER_IGNORE,
        Disposition::Handler(function) => function as usize as u64,
    }
}

fn disposition_of(word: u64) -> Disposition {
    match word {
        HANDLER_DEFAULT => Disposition::Default,
        HANDLER_IGNORE => Disposition::Ignore,
        address => match handler_from_address(address) {
            Some(function) => Disposition::Handler(function),
            None => Disposition::Default,
        },
    }
}

/// The handler function at `address` (an address this process registered).
fn handler_from_address(address: u64) -> Option<extern "C" fn(i32)> {
    if address < 2 {
        return None;
    }
    // SAFETY: posix-server only ever gives back handler addresses this process set
    // with `sigaction` from an `extern "C" fn(i32)`, and the program image does not
    // change while the process runs (execve resets every handler).
    Some(unsafe { core::mem::transmute::<usize, extern "C" fn(i32)>(address as usize) })
}

/// `sigaction`: sets `signal`'s action to `new` (if given) and returns the old one.
///
/// # Errors
/// `EINVAL` for a bad signal, or for SIGKILL and SIGSTOP.
pub fn sigaction(signal: i32, new: Option<Action>) -> Result<Action, Errno> {
    let (handler, flags, mask, set) = match new {
        Some(action) => (
            disposition_word(action.disposition),
            action.flags,
            action.mask,
            1,
        ),
        None => (0, 0, 0, 0),
    };
    let reply = crate::posix_call::simple(
        Operation::SigAction,
        &[signal as u64, handler, flags, mask, set],
    );
    crate::posix_call::finish(&reply)?;
    Ok(Action {
        disposition: disposition_of(reply.values[0]),
        flags: reply.values[1],
        mask: reply.values[2],
    })
}

/// `signal`: sets a plain action; returns the old disposition.
///
/// # Errors
/// As [`sigaction`].
pub fn set_disposition(signal: i32, disposition: Disposition) -> Result<Disposition, Errno> {
    sigaction(signal, Some(Action::new(disposition))).map(|old| old.disposition)
}

/// `sigprocmask`: changes the mask (if `set` is given) by `how`; returns the old mask.
///
/// # Errors
/// `EINVAL` for a bad `how`.
pub fn sigprocmask(how: i32, set: Option<SignalSet>) -> Result<SignalSet, Errno> {
    let (value, change) = match set {
        Some(set) => (set, 1),
        None => (0, 0),
    };
    let reply = crate::posix_call::simple(Operation::SigProcMask, &[how as u64, value, change]);
    crate::posix_call::finish(&reply)?;
    Ok(reply.values[0])
}

/// `kill`.
///
/// # Errors
/// `EINVAL` (bad signal), `ESRCH` (no such process or group).
pub fn kill(pid: i64, signal: i32) -> Result<(), Errno> {
    simple_outcome(Operation::Kill, &[pid as u64, signal as u64]).map(|_| ())
}

/// `raise`: sends `signal` to this process.
///
/// # Errors
/// As [`kill`].
pub fn raise(signal: i32) -> Result<(), Errno> {
    kill(crate::process::getpid() as i64, signal)
}

/// Runs every deliverable signal's handler: TAKE_SIGNAL until none is left; each
/// handler runs with the mask posix-server set, which SIGRETURN then restores.
pub fn deliver_pending() {
    loop {
        let reply = call(Operation::TakeSignal, &[]);
        let Ok(signal) = reply.outcome() else {
            return;
        };
        if signal == 0 {
            return;
        }
        let handler = reply.values[0];
        let saved_mask = reply.values[2];
        if let Some(function) = handler_from_address(handler) {
            function(signal as i32);
        }
        let _ = call(Operation::SigReturn, &[saved_mask]);
    }
}

core::arch::global_asm!(
    ".globl koito_signal_trampoline",
    ".globl koito_signal_trampoline_end",
    "koito_signal_trampoline:",
    // Entered with RSP 16-aligned, at least 160 bytes below the interrupted
    // stack pointer (its red zone and three words are left alone).
    "sub rsp, 672",
    "fxsave64 [rsp + 160]",
    "mov rdi, rsp",
    "call {dispatch}",
    "fxrstor64 [rsp + 160]",
    // rax = the interrupted RSP - 128 - 24: old RAX, RFLAGS, RIP go there.
    "mov rax, [rsp + 8 * 17]",
    "sub rax, 152",
    "mov rcx, [rsp + 8 * 0]",
    "mov [rax], rcx",
    "mov rcx, [rsp + 8 * 16]",
    "mov [rax + 8], rcx",
    "mov rcx, [rsp + 8 * 15]",
    "mov [rax + 16], rcx",
    "mov rbx, [rsp + 8 * 1]",
    "mov rcx, [rsp + 8 * 2]",
    "mov rdx, [rsp + 8 * 3]",
    "mov rdi, [rsp + 8 * 4]",
    "mov rsi, [rsp + 8 * 5]",
    "mov rbp, [rsp + 8 * 6]",
    "mov r8, [rsp + 8 * 7]",
    "mov r9, [rsp + 8 * 8]",
    "mov r10, [rsp + 8 * 9]",
    "mov r11, [rsp + 8 * 10]",
    "mov r12, [rsp + 8 * 11]",
    "mov r13, [rsp + 8 * 12]",
    "mov r14, [rsp + 8 * 13]",
    "mov r15, [rsp + 8 * 14]",
    "mov rsp, rax",
    "pop rax",
    "popfq",
    // Pops RIP, then skips the 128-byte red zone back to the interrupted RSP.
    "ret 128",
    "koito_signal_trampoline_end:",
    dispatch = sym dispatch_interrupted,
);

unsafe extern "C" {
    /// The start of the trampoline (never called from Rust).
    fn koito_signal_trampoline();
    /// Its end.
    fn koito_signal_trampoline_end();
}

/// Called by the trampoline with `frame` pointing at 20 words of its stack: copies
/// the registers posix-server saved there, then delivers the pending signals.
extern "C" fn dispatch_interrupted(frame: *mut u64) {
    let saved = crate::shared_buffer::signal_frame();
    // SAFETY: the trampoline reserved 20 words at `frame` on its own stack, used
    // by nothing else until it restores them.
    unsafe {
        core::ptr::copy_nonoverlapping(saved.as_ptr(), frame, saved.len());
    }
    deliver_pending();
}

/// Tells posix-server where the trampoline is (called once at start-up).
pub fn install_trampoline() {
    let start = koito_signal_trampoline as *const () as usize as u64;
    let end = koito_signal_trampoline_end as *const () as usize as u64;
    let _ = call(Operation::SignalEntry, &[start, end]);
}

//! The register frame that every interrupt and exception entry saves on the stack.

/// Registers saved by the interrupt entry stubs, lowest address first. The layout
/// is fixed by `interrupt_entry.rs`: general registers pushed by the stub, then the
/// vector and error code (a 0 where the CPU pushes none), then the frame the
/// processor itself pushed.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
#[allow(missing_docs, reason = "register names are their own documentation")]
pub struct TrapFrame {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rbp: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rdx: u64,
    pub rcx: u64,
    pub rbx: u64,
    pub rax: u64,
    /// Interrupt vector number (0..=255).
    pub vector: u64,
    /// Error code pushed by the processor, or 0.
    pub error_code: u64,
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}

impl TrapFrame {
    /// Whether the interrupted code ran in user mode (ring 3).
    #[must_use]
    pub const fn interrupted_user_mode(&self) -> bool {
        self.cs & 3 == 3
    }
}

const _: () = assert!(core::mem::size_of::<TrapFrame>() == 22 * 8);

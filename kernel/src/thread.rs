//! The PCB object: one 4 KiB page per thread holding its saved user registers, its
//! scheduling state, five internal capability slots and its FPU save area.
//!
//! The saved registers come first and end at [`layout::CONTEXT_END`]: the kernel
//! points the TSS's ring-0 stack (and the `syscall` entry) there, so the processor
//! and the entry stubs push a thread's registers straight into its PCB.

use a9n_abi::register::Register;
use a9n_core::capability::Capability;
use a9n_core::capability_tree::{self, SLOT_SIZE, SlotAddress};

use crate::arch::object_memory::{PhysicalSlots, read_word, write_word};
use crate::arch::user_context;

/// Byte offsets inside a PCB.
pub mod layout {
    /// The saved user registers (`user_context::CONTEXT_WORDS` words).
    pub const CONTEXT: u64 = 0;
    /// End of the saved registers: the kernel entry stack top for this thread.
    pub const CONTEXT_END: u64 = CONTEXT + 8 * super::user_context::CONTEXT_WORDS as u64;
    /// FS base.
    pub const FS_BASE: u64 = CONTEXT_END;
    /// GS base (the thread-local base).
    pub const GS_BASE: u64 = FS_BASE + 8;
    /// [`super::ThreadState`] as a word.
    pub const STATE: u64 = GS_BASE + 8;
    /// Priority (0..31).
    pub const PRIORITY: u64 = STATE + 8;
    /// CPU affinity.
    pub const AFFINITY: u64 = PRIORITY + 8;
    /// Ready-queue link: previous thread.
    pub const QUEUE_PREVIOUS: u64 = AFFINITY + 8;
    /// Ready-queue link: next thread.
    pub const QUEUE_NEXT: u64 = QUEUE_PREVIOUS + 8;
    /// Timer ticks left in the current quantum.
    pub const REMAINING_TICKS: u64 = QUEUE_NEXT + 8;
    /// Whether the FPU save area holds this thread's state (0: never used the FPU).
    pub const FPU_SAVED: u64 = REMAINING_TICKS + 8;
    /// The IPC port or notification port the thread waits on (0: none).
    pub const BLOCKED_ON: u64 = 256;
    /// Wait-queue link: previous thread.
    pub const WAIT_PREVIOUS: u64 = 264;
    /// Wait-queue link: next thread.
    pub const WAIT_NEXT: u64 = 272;
    /// Server side: the caller waiting for this thread's REPLY (0: none).
    pub const REPLY_TO: u64 = 280;
    /// Caller side: the server the thread waits for a reply from.
    pub const REPLY_FROM: u64 = 288;
    /// A blocked sender's identifier (badge) of the capability it sent through.
    pub const SEND_BADGE: u64 = 296;
    /// A blocked sender's message_info.
    pub const SEND_INFO: u64 = 304;
    /// [`super::SendKind`] of a blocked sender.
    pub const SEND_KIND: u64 = 312;
    /// A pending fault: its type.
    pub const FAULT_TYPE: u64 = 320;
    /// A pending fault: the instruction pointer.
    pub const FAULT_INSTRUCTION: u64 = 328;
    /// A pending fault: MR6 of the fault message.
    pub const FAULT_WORD_6: u64 = 336;
    /// A pending fault: MR7 of the fault message.
    pub const FAULT_WORD_7: u64 = 344;
    /// The internal capability slots.
    pub const INTERNAL_SLOTS: u64 = 512;
    /// The FPU save area (64-byte aligned, up to 3 KiB).
    pub const FPU_AREA: u64 = 1024;
    /// Largest FPU save area that fits.
    pub const FPU_AREA_CAPACITY: u64 = 4096 - FPU_AREA;
}

/// The internal slots of a PCB, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InternalSlot {
    /// The address space the thread runs in.
    AddressSpace = 0,
    /// The root node descriptors resolve from.
    RootNode = 1,
    /// The IPC buffer frame.
    IpcBuffer = 2,
    /// The bound notification port.
    NotificationPort = 3,
    /// The fault resolver IPC port.
    FaultResolver = 4,
    /// Where CONFIGURE parks a capability it replaces until the new one is in.
    Staging = 5,
}

/// Number of internal slots.
pub const INTERNAL_SLOT_COUNT: u64 = 6;

/// What a thread is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThreadState {
    /// Not runnable: new, suspended, or stopped after a fault.
    Inactive = 0,
    /// The thread the CPU runs (not in a ready queue).
    Running = 1,
    /// Runnable, waiting in its priority's ready queue.
    Ready = 2,
    /// Waiting in an IPC port's queue to send (SEND, CALL, or a fault).
    BlockedSend = 3,
    /// Waiting in an IPC port's queue to receive.
    BlockedReceive = 4,
    /// Waiting for the REPLY of the server it called.
    BlockedReply = 5,
    /// Waiting on a notification port (WAIT).
    BlockedNotification = 6,
}

/// What a blocked sender is sending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendKind {
    /// SEND: the sender goes on once delivered.
    Send = 0,
    /// CALL: the sender waits for the reply once delivered.
    Call = 1,
    /// A fault message made by the kernel: the thread waits for the reply.
    Fault = 2,
}

/// A PCB, named by its physical address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thread(pub u64);

impl Thread {
    /// Address of internal slot `slot`.
    #[must_use]
    pub const fn internal_slot(self, slot: InternalSlot) -> SlotAddress {
        self.0 + layout::INTERNAL_SLOTS + slot as u64 * SLOT_SIZE
    }

    /// The capability in an internal slot.
    #[must_use]
    pub fn internal_capability(self, slot: InternalSlot) -> Option<Capability> {
        capability_tree::capability_at(&PhysicalSlots, self.internal_slot(slot))
    }

    /// The kernel entry stack top of this thread (end of its saved registers).
    #[must_use]
    pub const fn context_end(self) -> u64 {
        self.0 + layout::CONTEXT_END
    }

    /// Physical address of the saved registers.
    #[must_use]
    pub const fn context(self) -> u64 {
        self.0 + layout::CONTEXT
    }

    /// Physical address of the FPU save area.
    #[must_use]
    pub const fn fpu_area(self) -> u64 {
        self.0 + layout::FPU_AREA
    }

    fn word(self, offset: u64) -> u64 {
        read_word(self.0 + offset)
    }

    fn set_word(self, offset: u64, value: u64) {
        write_word(self.0 + offset, value);
    }

    /// The thread's state.
    #[must_use]
    pub fn state(self) -> ThreadState {
        match self.word(layout::STATE) {
            1 => ThreadState::Running,
            2 => ThreadState::Ready,
            3 => ThreadState::BlockedSend,
            4 => ThreadState::BlockedReceive,
            5 => ThreadState::BlockedReply,
            6 => ThreadState::BlockedNotification,
            _ => ThreadState::Inactive,
        }
    }

    /// Sets the thread's state.
    pub fn set_state(self, state: ThreadState) {
        self.set_word(layout::STATE, state as u64);
    }

    /// The thread's priority.
    #[must_use]
    pub fn priority(self) -> u8 {
        (self.word(layout::PRIORITY) & 31) as u8
    }

    /// Sets the priority (the caller keeps the ready queues consistent).
    pub fn set_priority(self, priority: u8) {
        self.set_word(layout::PRIORITY, u64::from(priority));
    }

    /// Sets the CPU affinity.
    pub fn set_affinity(self, cpu: u64) {
        self.set_word(layout::AFFINITY, cpu);
    }

    /// Reads an IPC or fault field (a `layout` offset between `BLOCKED_ON` and
    /// `FAULT_WORD_7`).
    #[must_use]
    pub fn ipc_word(self, offset: u64) -> u64 {
        self.word(offset)
    }

    /// Writes an IPC or fault field.
    pub fn set_ipc_word(self, offset: u64, value: u64) {
        self.set_word(offset, value);
    }

    /// The kind of a blocked sender.
    #[must_use]
    pub fn send_kind(self) -> SendKind {
        match self.word(layout::SEND_KIND) {
            1 => SendKind::Call,
            2 => SendKind::Fault,
            _ => SendKind::Send,
        }
    }

    /// Ticks left in the quantum.
    #[must_use]
    pub fn remaining_ticks(self) -> u64 {
        self.word(layout::REMAINING_TICKS)
    }

    /// Sets the ticks left in the quantum.
    pub fn set_remaining_ticks(self, ticks: u64) {
        self.set_word(layout::REMAINING_TICKS, ticks);
    }

    /// FS base.
    #[must_use]
    pub fn fs_base(self) -> u64 {
        self.word(layout::FS_BASE)
    }

    /// GS base.
    #[must_use]
    pub fn gs_base(self) -> u64 {
        self.word(layout::GS_BASE)
    }

    /// Sets FS base.
    pub fn set_fs_base(self, value: u64) {
        self.set_word(layout::FS_BASE, value);
    }

    /// Sets GS base.
    pub fn set_gs_base(self, value: u64) {
        self.set_word(layout::GS_BASE, value);
    }

    /// Whether the FPU area holds saved state.
    #[must_use]
    pub fn fpu_saved(self) -> bool {
        self.word(layout::FPU_SAVED) != 0
    }

    /// Marks the FPU area as holding saved state.
    pub fn set_fpu_saved(self, saved: bool) {
        self.set_word(layout::FPU_SAVED, u64::from(saved));
    }

    /// Reads a user register.
    #[must_use]
    pub fn register(self, register: Register) -> u64 {
        match register {
            Register::FsBase => self.fs_base(),
            Register::GsBase => self.gs_base(),
            other => read_word(self.context() + 8 * user_context::index_of(other)),
        }
    }

    /// Writes a user register as is (callers validate values).
    pub fn set_register(self, register: Register, value: u64) {
        match register {
            Register::FsBase => self.set_fs_base(value),
            Register::GsBase => self.set_gs_base(value),
            other => write_word(self.context() + 8 * user_context::index_of(other), value),
        }
    }

    /// Makes the next return to user mode use `iretq` (after registers that
    /// `sysret` would clobber were changed).
    pub fn force_full_return(self) {
        write_word(self.context() + 8 * user_context::VECTOR_INDEX, 0);
    }
}

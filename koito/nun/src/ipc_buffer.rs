//! The lowest layer: this thread's IPC buffer, where message registers MR10..MR493
//! live (docs/abi.md section 3; `messages[]` is indexed by MR number).
//!
//! Nun finds the buffer in one of two ways:
//! - **process-wide address** (the default after start-up): [`install`] records one
//!   address, used by every thread. The initial thread's start-up code installs
//!   `InitInfo::ipc_buffer_address`. This is enough for a program in which only
//!   one thread uses MR10 and above.
//! - **thread-local** (ABI section 3): each thread's GS base points at a word that
//!   holds its buffer's address, read with `gs:[0]`. [`use_thread_local_base`]
//!   switches to it once the calling thread's GS base is set (PCB CONFIGURE field
//!   `THREAD_LOCAL_BASE`, pointing at a [`ThreadLocalBlock`]); from then on every
//!   thread that touches MR10 and above must have its own block.
//!
//! Accesses are volatile: the kernel writes the buffer behind the compiler's back.
//!
//! ```no_run
//! use nun::ipc_buffer;
//!
//! // MR12 is messages[12] of the IPC buffer.
//! if ipc_buffer::set_message(12, 0x1234) {
//!     assert_eq!(ipc_buffer::message(12), Some(0x1234));
//! }
//! ```

use core::mem::offset_of;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use a9n_abi::Descriptor;
use a9n_abi::ipc_buffer::{IPC_BUFFER_SIZE, IpcBuffer, MESSAGE_WORDS};
use a9n_abi::message_info::MAX_TRANSFER_COUNT;
use a9n_abi::message_register::REGISTER_MESSAGE_REGISTERS;

/// The process-wide buffer address (0: none installed).
static PROCESS_ADDRESS: AtomicU64 = AtomicU64::new(0);
/// True once threads find their buffer through `gs:[0]`.
static THREAD_LOCAL: AtomicBool = AtomicBool::new(false);

/// The word a thread's GS base points at: its IPC buffer address (ABI section 3).
///
/// ```no_run
/// use nun::ipc_buffer::ThreadLocalBlock;
///
/// static WORKER_BLOCK: ThreadLocalBlock = ThreadLocalBlock::new();
/// WORKER_BLOCK.set_ipc_buffer_address(0x7000_0000);
/// // CONFIGURE the worker's PCB with THREAD_LOCAL_BASE = WORKER_BLOCK.address().
/// let _base = WORKER_BLOCK.address();
/// ```
#[repr(C, align(64))]
#[derive(Debug)]
pub struct ThreadLocalBlock {
    ipc_buffer_address: AtomicU64,
}

impl ThreadLocalBlock {
    /// A block whose IPC buffer address is 0.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            ipc_buffer_address: AtomicU64::new(0),
        }
    }

    /// Sets the address `gs:[0]` yields.
    pub fn set_ipc_buffer_address(&self, address: u64) {
        self.ipc_buffer_address.store(address, Ordering::Release);
    }

    /// The address `gs:[0]` yields.
    #[must_use]
    pub fn ipc_buffer_address(&self) -> u64 {
        self.ipc_buffer_address.load(Ordering::Acquire)
    }

    /// The block's own address: the value for CONFIGURE's `THREAD_LOCAL_BASE`.
    #[must_use]
    pub fn address(&self) -> u64 {
        core::ptr::from_ref(self) as u64
    }
}

impl Default for ThreadLocalBlock {
    fn default() -> Self {
        Self::new()
    }
}

/// Why an address cannot be a thread's IPC buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstallError {
    /// Zero, or not aligned to the buffer's 4 KiB.
    Misaligned,
}

/// Records `address` as the IPC buffer of every thread of the process (until
/// [`use_thread_local_base`] is called).
///
/// # Errors
/// [`InstallError::Misaligned`] if `address` is 0 or not 4 KiB aligned.
///
/// # Safety
/// `address` must be the virtual address of a 4 KiB IPC buffer frame mapped
/// readable and writable in this address space for as long as the program runs, and
/// no Rust object may live there (the kernel and Nun write it behind the compiler's
/// back). The kernel's IPC buffer of the initial thread (`InitInfo`) satisfies this.
pub unsafe fn install(address: u64) -> Result<(), InstallError> {
    if address == 0 || !address.is_multiple_of(IPC_BUFFER_SIZE as u64) {
        return Err(InstallError::Misaligned);
    }
    PROCESS_ADDRESS.store(address, Ordering::Release);
    Ok(())
}

/// From now on, every thread finds its IPC buffer through `gs:[0]`.
///
/// # Safety
/// The calling thread's GS base must already point at a [`ThreadLocalBlock`] that
/// holds the address of its IPC buffer (with the guarantees of [`install`]), and
/// so must the GS base of every other thread that touches MR10 and above afterwards.
pub unsafe fn use_thread_local_base() {
    THREAD_LOCAL.store(true, Ordering::Release);
}

/// True if threads find their buffer through `gs:[0]`.
#[must_use]
pub fn uses_thread_local_base() -> bool {
    THREAD_LOCAL.load(Ordering::Acquire)
}

/// Reads `gs:[0]`: the word the calling thread's GS base points at.
///
/// A thread whose GS base is 0 faults here (the kernel suspends it if it has no
/// fault resolver); this only happens in a thread created without a thread-local
/// base, which breaks the contract of [`use_thread_local_base`].
#[must_use]
pub fn thread_local_word() -> u64 {
    let word: u64;
    // SAFETY: a load through the GS segment reads one word of user memory at the
    // thread-local base and has no other effect; it aliases no Rust reference
    // mutably (the word is a `ThreadLocalBlock`'s atomic, only ever read here).
    unsafe {
        core::arch::asm!(
            "mov {word}, qword ptr gs:[0]",
            word = out(reg) word,
            options(nostack, readonly, preserves_flags),
        );
    }
    word
}

/// The calling thread's IPC buffer address, if one is known.
#[must_use]
pub fn address() -> Option<u64> {
    let address = if uses_thread_local_base() {
        thread_local_word()
    } else {
        PROCESS_ADDRESS.load(Ordering::Acquire)
    };
    (address != 0).then_some(address)
}

/// True if MRn lives in the IPC buffer (MR10..MR493).
#[must_use]
pub const fn holds(mr: usize) -> bool {
    mr >= REGISTER_MESSAGE_REGISTERS && mr < MESSAGE_WORDS
}

/// Pointer to `messages[mr]`, if MRn lives in the buffer and a buffer is known.
fn slot(mr: usize) -> Option<*mut u64> {
    if !holds(mr) {
        return None;
    }
    let base = address()?;
    Some((base + 8 * mr as u64) as *mut u64)
}

/// MRn (n in 10..494) as the buffer holds it now; `None` for other MRs or when no
/// buffer is known.
#[must_use]
pub fn message(mr: usize) -> Option<u64> {
    let pointer = slot(mr)?;
    // SAFETY: `install`'s contract (or `use_thread_local_base`'s) makes the buffer a
    // mapped, readable 4 KiB frame that no Rust object occupies; `mr` < 494 keeps the
    // aligned word inside `messages[]`.
    Some(unsafe { pointer.read_volatile() })
}

/// Sets MRn (n in 10..494); returns false, changing nothing, for other MRs or when
/// no buffer is known.
pub fn set_message(mr: usize, value: u64) -> bool {
    let Some(pointer) = slot(mr) else {
        return false;
    };
    // SAFETY: as in `message`; the buffer is also writable.
    unsafe { pointer.write_volatile(value) };
    true
}

/// Writes the word at byte `offset` of the buffer (an offset of an `IpcBuffer`
/// field, below 4096 and 8-byte aligned); false when no buffer is known.
fn write_field(offset: usize, value: u64) -> bool {
    debug_assert!(offset < IPC_BUFFER_SIZE && offset.is_multiple_of(8));
    let Some(base) = address() else {
        return false;
    };
    let pointer = (base + offset as u64) as *mut u64;
    // SAFETY: the buffer is a mapped, writable 4 KiB frame no Rust object occupies
    // (`install`'s contract); `offset` is an aligned field offset inside it.
    unsafe { pointer.write_volatile(value) };
    true
}

/// Sender side of a capability transfer: puts `descriptors` (at most 15, resolved in
/// the sender's root node) in `transfer_source_descriptors`; the message's transfer
/// count says how many the kernel moves.
///
/// Returns false, writing nothing, for more than 15 descriptors or when no buffer
/// is known.
///
/// ```no_run
/// use a9n_abi::{Descriptor, RootSlot};
/// use nun::ipc_buffer;
///
/// // Move root slot 40's capability with the next message.
/// assert!(ipc_buffer::set_transfer_sources(&[Descriptor::root_slot(8, 40).unwrap()]));
/// ```
pub fn set_transfer_sources(descriptors: &[Descriptor]) -> bool {
    if descriptors.len() > MAX_TRANSFER_COUNT || address().is_none() {
        return false;
    }
    let first = offset_of!(IpcBuffer, transfer_source_descriptors);
    for (index, descriptor) in descriptors.iter().enumerate() {
        write_field(first + 8 * index, descriptor.as_word());
    }
    true
}

/// Receiver side of a capability transfer: capabilities that arrive go to slots
/// `first_index..` of the node named by `node` (resolved in the receiver's root).
/// Returns false when no buffer is known.
///
/// ```no_run
/// use a9n_abi::RootSlot;
/// use nun::ipc_buffer;
///
/// // Received capabilities land in root slots 50, 51, ...
/// assert!(ipc_buffer::set_transfer_destination(RootSlot::RootNode.descriptor(), 50));
/// ```
pub fn set_transfer_destination(node: Descriptor, first_index: u64) -> bool {
    write_field(
        offset_of!(IpcBuffer, transfer_destination_node),
        node.as_word(),
    ) && write_field(
        offset_of!(IpcBuffer, transfer_destination_index),
        first_index,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_mr10_to_mr493_live_in_the_buffer() {
        assert!(!holds(0));
        assert!(!holds(9));
        assert!(holds(10));
        assert!(holds(493));
        assert!(!holds(494));
    }

    #[test]
    fn misaligned_addresses_are_refused_and_nothing_is_installed() {
        // SAFETY: both addresses are refused before anything is recorded.
        unsafe {
            assert_eq!(install(0), Err(InstallError::Misaligned));
            assert_eq!(install(0x1008), Err(InstallError::Misaligned));
        }
        assert_eq!(address(), None);
        assert_eq!(message(10), None);
        assert!(!set_message(10, 1));
    }

    #[test]
    fn a_thread_local_block_reports_its_own_address() {
        let block = ThreadLocalBlock::new();
        block.set_ipc_buffer_address(0x5000);
        assert_eq!(block.ipc_buffer_address(), 0x5000);
        assert_eq!(block.address() % 64, 0);
    }
}

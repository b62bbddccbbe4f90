//! Kernel objects in physical memory, reached through the direct map.
//!
//! Every kernel object lives in memory converted from a Generic (or taken at boot),
//! named by its physical address. This module is the one place that turns such an
//! address into a memory access. The kernel is single-threaded and runs with
//! interrupts off, so no access races with another.

use a9n_abi::boot::PAGE_SIZE;
use a9n_core::capability_tree::{SlotAddress, SlotStore};
use a9n_core::ready_queues::{QueueLinks, ThreadAddress};

use super::paging::physical_to_virtual;

/// Reads the word at physical address `address` (8-byte aligned, in RAM that holds
/// a kernel object).
#[must_use]
pub fn read_word(address: u64) -> u64 {
    debug_assert!(address.is_multiple_of(8));
    // SAFETY: callers pass addresses inside kernel objects (derived from capabilities
    // or from the boot allocator), which the direct map covers; any u64 is valid.
    unsafe { core::ptr::read(physical_to_virtual(address) as *const u64) }
}

/// Writes the word at physical address `address`.
pub fn write_word(address: u64, value: u64) {
    debug_assert!(address.is_multiple_of(8));
    // SAFETY: as in `read_word`; kernel objects are only ever accessed through this
    // module, one access at a time, so no Rust reference to the word exists.
    unsafe { core::ptr::write(physical_to_virtual(address) as *mut u64, value) }
}

/// Reads `N` consecutive words.
#[must_use]
pub fn read_words<const N: usize>(address: u64) -> [u64; N] {
    core::array::from_fn(|index| read_word(address + 8 * index as u64))
}

/// Writes consecutive words.
pub fn write_words(address: u64, values: &[u64]) {
    for (index, value) in values.iter().enumerate() {
        write_word(address + 8 * index as u64, *value);
    }
}

/// Zeroes `size` bytes of RAM from physical `address` (both 8-byte aligned).
pub fn zero(address: u64, size: u64) {
    debug_assert!(address.is_multiple_of(8) && size.is_multiple_of(8));
    // SAFETY: the range is a freshly converted object (or page) in RAM, covered by
    // the direct map, that nothing else references yet. `rep stosq` writes exactly
    // size / 8 words from the start.
    unsafe {
        core::arch::asm!(
            "rep stosq",
            inout("rdi") physical_to_virtual(address) => _,
            inout("rcx") size / 8 => _,
            in("rax") 0u64,
            options(nostack, preserves_flags),
        );
    }
}

/// The kernel's slot memory: every slot is 8 words at its physical address.
pub struct PhysicalSlots;

impl SlotStore for PhysicalSlots {
    fn read_slot(&self, slot: SlotAddress) -> [u64; 8] {
        read_words(slot)
    }

    fn write_slot(&mut self, slot: SlotAddress, words: [u64; 8]) {
        write_words(slot, &words);
    }
}

/// Offsets of the queue links inside a thread object (set by the thread layout).
pub struct ThreadQueueLinks {
    /// Offset of the "previous" word.
    pub previous_offset: u64,
    /// Offset of the "next" word.
    pub next_offset: u64,
}

impl QueueLinks for ThreadQueueLinks {
    fn links(&self, thread: ThreadAddress) -> (ThreadAddress, ThreadAddress) {
        (
            read_word(thread + self.previous_offset),
            read_word(thread + self.next_offset),
        )
    }

    fn set_links(&mut self, thread: ThreadAddress, previous: ThreadAddress, next: ThreadAddress) {
        write_word(thread + self.previous_offset, previous);
        write_word(thread + self.next_offset, next);
    }
}

/// Writes init's `InitInfo` page at physical `address`.
pub fn write_init_info(address: u64, info: &a9n_abi::init::InitInfo) {
    const _: () = assert!(core::mem::size_of::<a9n_abi::init::InitInfo>() <= PAGE_SIZE as usize);
    // SAFETY: `address` is the init_info page of the init image block the loader
    // reserved (page aligned, in RAM, in the direct map, used by nothing else yet);
    // InitInfo is plain data without padding, so copying it byte for byte is a
    // faithful copy.
    unsafe {
        core::ptr::copy_nonoverlapping(
            core::ptr::from_ref(info),
            physical_to_virtual(address) as *mut a9n_abi::init::InitInfo,
            1,
        );
    }
}

//! Blocks of pages that outlive the loader: kernel, init, modules, boot info, page
//! tables and the hand-off stack.
//!
//! They are allocated from UEFI with a loader-defined memory type
//! ([`KEPT_MEMORY_TYPE`]), so they stay distinguishable in the final memory map and
//! are reported to the kernel as `Reserved`.

use core::ptr::NonNull;

use a9n_abi::boot::PAGE_SIZE;
use uefi::boot::{self, AllocateType, MemoryType};

use crate::error::LoaderError;

/// The UEFI memory type of every kept block ("kept by the kernel").
pub const KEPT_MEMORY_TYPE: MemoryType = MemoryType::custom(0x8000_0000);

/// A zeroed, page-aligned, physically contiguous block of kept pages.
///
/// UEFI runs identity mapped, so the physical address is also the pointer.
/// The block is never freed: it belongs to the kernel once the loader jumps.
pub struct KeptBlock {
    start: NonNull<u8>,
    pages: usize,
}

impl KeptBlock {
    /// Allocates `pages` zeroed pages; `purpose` names them in the error message.
    pub fn allocate(pages: usize, purpose: &str) -> Result<Self, LoaderError> {
        let pages = pages.max(1);
        let start = boot::allocate_pages(AllocateType::AnyPages, KEPT_MEMORY_TYPE, pages).map_err(
            |error| {
                LoaderError::new(
                    format_args!("out of memory: {pages} pages for {purpose}"),
                    error.status(),
                )
            },
        )?;
        // SAFETY: UEFI just gave us `pages` pages at `start`, nobody else uses them.
        unsafe { start.write_bytes(0, pages * PAGE_SIZE as usize) };
        Ok(Self { start, pages })
    }

    /// Physical (and, under UEFI, virtual) address of the first byte.
    #[must_use]
    pub fn address(&self) -> u64 {
        self.start.as_ptr() as u64
    }

    /// Size in bytes (whole pages).
    #[must_use]
    pub fn size(&self) -> u64 {
        self.pages as u64 * PAGE_SIZE
    }

    /// The block's bytes.
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: the block is ours alone, zero-initialised and `size()` bytes long;
        // the borrow of `self` keeps the slice unique.
        unsafe { core::slice::from_raw_parts_mut(self.start.as_ptr(), self.size() as usize) }
    }

    /// The block's bytes as 64-bit words.
    pub fn words_mut(&mut self) -> &mut [u64] {
        // SAFETY: the block is ours alone, page aligned (so aligned for u64),
        // zero-initialised (a valid u64) and `size()` bytes long; the borrow of
        // `self` keeps the slice unique.
        unsafe {
            core::slice::from_raw_parts_mut(
                self.start.as_ptr().cast::<u64>(),
                self.size() as usize / 8,
            )
        }
    }

    /// The block as a `T`, for plain-old-data boot structures.
    ///
    /// # Safety
    ///
    /// `T` must be valid when all its bytes are zero (or the block must already
    /// hold a valid `T`), must fit in the block and need at most page alignment.
    pub unsafe fn as_mut<T>(&mut self) -> &mut T {
        debug_assert!(size_of::<T>() as u64 <= self.size());
        // SAFETY: the caller guarantees size, alignment and validity of the bytes;
        // the borrow of `self` keeps the reference unique.
        unsafe { self.start.cast::<T>().as_mut() }
    }
}

/// Number of pages that hold `bytes` bytes.
#[must_use]
pub const fn pages_for(bytes: u64) -> u64 {
    bytes.div_ceil(PAGE_SIZE)
}

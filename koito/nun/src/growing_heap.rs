//! The lowest layer: a global allocator that starts with a buffer in the program's
//! `.bss` and grows into a virtual range reserved for it, [`EXTENSION_BASE`], as the
//! program maps memory there. For servers whose bookkeeping grows with what they
//! manage (the memory server) and that own memory to map.
//!
//! ```ignore
//! #[global_allocator]
//! static HEAP: nun::growing_heap::GrowingHeap<{ 256 * 1024 }> =
//!     nun::growing_heap::GrowingHeap::new();
//!
//! // Between requests, when HEAP.free_bytes() runs low: map a read-write frame of
//! // `bytes` at HEAP.extension_end(), then
//! HEAP.grow(bytes)?;
//! ```
//!
//! **Contract of the range.** Nothing but the heap uses `EXTENSION_BASE ..
//! EXTENSION_BASE + EXTENSION_SIZE` in a Nun program, exactly as nothing but explicit
//! window accesses uses [`crate::window`]: no Rust object lives there, Nun hands out
//! no address in it. [`GrowingHeap::grow`] trusts the caller that the pages it adds
//! are mapped read-write to frames used for nothing else; if they are not, the first
//! access faults (the kernel stops the thread or asks its resolver) rather than
//! touching any other object.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::ptr::{NonNull, null_mut};

use linked_list_allocator::Heap;
use spin::Mutex;

/// First address of the range the heap grows into (2 TiB, above the window).
pub const EXTENSION_BASE: u64 = crate::window::BASE + crate::window::SIZE;
/// Size of that range (1 TiB).
pub const EXTENSION_SIZE: u64 = 0x0000_0100_0000_0000;
/// The heap grows in multiples of this (one page).
pub const GROWTH_GRANULE: u64 = 4096;

/// Why the heap did not grow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrowError {
    /// Not a non-zero multiple of [`GROWTH_GRANULE`].
    Misaligned,
    /// The range would pass `EXTENSION_BASE + EXTENSION_SIZE`.
    RangeExhausted,
}

struct State {
    /// The static buffer's heap, once taken into use.
    initial: Option<Heap>,
    /// The extension's heap, once it has memory.
    extension: Option<Heap>,
    /// Bytes of the extension range given to the heap.
    extension_bytes: u64,
}

/// A heap of `INITIAL` bytes in the value itself, plus whatever the program maps
/// at [`EXTENSION_BASE`] and announces with [`GrowingHeap::grow`].
pub struct GrowingHeap<const INITIAL: usize> {
    memory: UnsafeCell<[MaybeUninit<u8>; INITIAL]>,
    state: Mutex<State>,
}

// SAFETY: the buffer is only handed out by the heap, under the lock.
unsafe impl<const INITIAL: usize> Sync for GrowingHeap<INITIAL> {}

impl<const INITIAL: usize> Default for GrowingHeap<INITIAL> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const INITIAL: usize> GrowingHeap<INITIAL> {
    /// A heap with only its static buffer (taken into use on the first allocation).
    #[must_use]
    pub const fn new() -> Self {
        Self {
            memory: UnsafeCell::new([MaybeUninit::uninit(); INITIAL]),
            state: Mutex::new(State {
                initial: None,
                extension: None,
                extension_bytes: 0,
            }),
        }
    }

    fn initial_heap<'a>(&self, state: &'a mut State) -> &'a mut Heap {
        state.initial.get_or_insert_with(|| {
            let mut heap = Heap::empty();
            // SAFETY: the buffer is `INITIAL` bytes owned by this value and used for
            // nothing else; it is given to the heap exactly once (the Option).
            unsafe { heap.init(self.memory.get().cast(), INITIAL) };
            heap
        })
    }

    /// Where the next pages must be mapped before [`Self::grow`].
    #[must_use]
    pub fn extension_end(&self) -> u64 {
        EXTENSION_BASE + self.state.lock().extension_bytes
    }

    /// Bytes the heap can still hand out (fragmentation aside).
    #[must_use]
    pub fn free_bytes(&self) -> u64 {
        let mut state = self.state.lock();
        let initial = self.initial_heap(&mut state).free() as u64;
        initial
            + state
                .extension
                .as_ref()
                .map_or(0, |heap| heap.free() as u64)
    }

    /// Bytes of the extension range in use by the heap.
    #[must_use]
    pub fn extension_bytes(&self) -> u64 {
        self.state.lock().extension_bytes
    }

    /// Adds `bytes` at [`Self::extension_end`] to the heap. The caller has mapped
    /// them read-write, to frames used for nothing else (module documentation).
    ///
    /// # Errors
    /// [`GrowError`]; nothing changes then.
    pub fn grow(&self, bytes: u64) -> Result<(), GrowError> {
        if bytes == 0 || !bytes.is_multiple_of(GROWTH_GRANULE) {
            return Err(GrowError::Misaligned);
        }
        let mut state = self.state.lock();
        let end = state
            .extension_bytes
            .checked_add(bytes)
            .filter(|&end| end <= EXTENSION_SIZE)
            .ok_or(GrowError::RangeExhausted)?;
        match state.extension.as_mut() {
            // SAFETY: the range from the heap's top is reserved for the heap (module
            // documentation) and the caller mapped these `bytes` just past it.
            Some(heap) => unsafe { heap.extend(bytes as usize) },
            None => {
                let mut heap = Heap::empty();
                // SAFETY: as above; this is the first memory of the extension.
                unsafe { heap.init(EXTENSION_BASE as *mut u8, bytes as usize) };
                state.extension = Some(heap);
            }
        }
        state.extension_bytes = end;
        Ok(())
    }
}

// SAFETY: blocks come from first-fit heaps over memory this value owns (the static
// buffer) or that is reserved for it (the extension); each is handed out once until
// freed, and every access is under the lock. A block is returned to the heap whose
// range holds it.
unsafe impl<const INITIAL: usize> GlobalAlloc for GrowingHeap<INITIAL> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let mut state = self.state.lock();
        if let Ok(block) = self.initial_heap(&mut state).allocate_first_fit(layout) {
            return block.as_ptr();
        }
        state
            .extension
            .as_mut()
            .and_then(|heap| heap.allocate_first_fit(layout).ok())
            .map_or(null_mut(), NonNull::as_ptr)
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        let Some(pointer) = NonNull::new(pointer) else {
            return;
        };
        let mut state = self.state.lock();
        let address = pointer.as_ptr() as u64;
        if (EXTENSION_BASE..EXTENSION_BASE + EXTENSION_SIZE).contains(&address) {
            if let Some(heap) = state.extension.as_mut() {
                // SAFETY: the caller passes a block this heap allocated with `layout`;
                // its address says it came from the extension.
                unsafe { heap.deallocate(pointer, layout) };
            }
        } else {
            // SAFETY: as above, from the static buffer.
            unsafe { self.initial_heap(&mut state).deallocate(pointer, layout) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_is_checked_before_anything_changes() {
        let heap: GrowingHeap<4096> = GrowingHeap::new();
        assert_eq!(heap.grow(0), Err(GrowError::Misaligned));
        assert_eq!(heap.grow(100), Err(GrowError::Misaligned));
        assert_eq!(
            heap.grow(EXTENSION_SIZE + GROWTH_GRANULE),
            Err(GrowError::RangeExhausted)
        );
        assert_eq!(heap.extension_end(), EXTENSION_BASE);
        assert!(heap.free_bytes() > 0);
    }

    #[test]
    fn the_static_buffer_serves_allocations() {
        let heap: GrowingHeap<4096> = GrowingHeap::new();
        let layout = Layout::from_size_align(64, 8).unwrap();
        // SAFETY: a valid layout; the block is freed with the same layout.
        unsafe {
            let block = heap.alloc(layout);
            assert!(!block.is_null());
            heap.dealloc(block, layout);
        }
    }
}

//! A global allocator for programs on A9N: a first-fit heap (the
//! `linked_list_allocator` crate) over a buffer in the program's own `.bss`, set up
//! on first use. A program that wants `alloc` declares:
//!
//! ```ignore
//! #[global_allocator]
//! static HEAP: nun::heap::StaticHeap<{ 1 << 20 }> = nun::heap::StaticHeap::new();
//! ```

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::ptr::{NonNull, null_mut};

use linked_list_allocator::Heap;
use spin::Mutex;

/// A heap of `SIZE` bytes living inside the value itself.
pub struct StaticHeap<const SIZE: usize> {
    memory: UnsafeCell<[MaybeUninit<u8>; SIZE]>,
    heap: Mutex<(bool, Heap)>,
}

// SAFETY: the memory is only ever handed out by the heap, under its lock.
unsafe impl<const SIZE: usize> Sync for StaticHeap<SIZE> {}

impl<const SIZE: usize> StaticHeap<SIZE> {
    /// An empty heap (the buffer is taken into use on the first allocation).
    #[must_use]
    pub const fn new() -> Self {
        Self {
            memory: UnsafeCell::new([MaybeUninit::uninit(); SIZE]),
            heap: Mutex::new((false, Heap::empty())),
        }
    }
}

impl<const SIZE: usize> Default for StaticHeap<SIZE> {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: allocations come from a first-fit heap over memory this value owns, each
// block is handed out once until it is freed, and every access is under the lock.
unsafe impl<const SIZE: usize> GlobalAlloc for StaticHeap<SIZE> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let mut guard = self.heap.lock();
        let (ready, heap) = &mut *guard;
        if !*ready {
            // SAFETY: the buffer is `SIZE` bytes owned by this static value and used
            // for nothing else; it is given to the heap exactly once.
            unsafe { heap.init(self.memory.get().cast(), SIZE) };
            *ready = true;
        }
        heap.allocate_first_fit(layout)
            .map_or(null_mut(), NonNull::as_ptr)
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        let mut guard = self.heap.lock();
        if let Some(pointer) = NonNull::new(pointer) {
            // SAFETY: the caller passes a block this heap allocated with `layout`.
            unsafe { guard.1.deallocate(pointer, layout) };
        }
    }
}

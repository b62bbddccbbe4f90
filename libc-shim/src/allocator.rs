//! The global allocator: a linked-list heap that grows by `brk` in steps of at
//! least [`GROWTH`] bytes. Allocation failure returns null (Rust then reports it
//! through `alloc_error_handler`'s default: the program aborts with a message).

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::NonNull;

use linked_list_allocator::Heap;
use spin::Mutex;

/// The least the heap grows by.
pub const GROWTH: u64 = 256 * 1024;

/// The heap: its list and its end.
pub struct BreakHeap {
    heap: Mutex<(Heap, u64)>,
}

impl BreakHeap {
    /// An empty heap (it asks for memory at the first allocation).
    #[must_use]
    pub const fn new() -> Self {
        Self {
            heap: Mutex::new((Heap::empty(), 0)),
        }
    }
}

impl Default for BreakHeap {
    fn default() -> Self {
        Self::new()
    }
}

fn grow(heap: &mut Heap, end: &mut u64, at_least: u64) -> bool {
    if *end == 0 {
        let Ok(start) = crate::memory::brk(0) else {
            return false;
        };
        let start = start.next_multiple_of(4096);
        let size = at_least.max(GROWTH).next_multiple_of(4096);
        match crate::memory::brk(start + size) {
            Ok(new_end) if new_end >= start + size => {
                // SAFETY: [start, start + size) was just given to this process by
                // `brk`, is mapped read-write and used by nothing else.
                unsafe { heap.init(start as *mut u8, size as usize) };
                *end = start + size;
                true
            }
            _ => false,
        }
    } else {
        let size = at_least.max(GROWTH).next_multiple_of(4096);
        match crate::memory::brk(*end + size) {
            Ok(new_end) if new_end >= *end + size => {
                // SAFETY: the break grew contiguously after the heap's end: the new
                // bytes are mapped and belong to nobody else.
                unsafe { heap.extend(size as usize) };
                *end += size;
                true
            }
            _ => false,
        }
    }
}

// SAFETY: every allocation comes from the linked-list heap under one lock; memory
// is handed out once until it is deallocated with the same layout.
unsafe impl GlobalAlloc for BreakHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let mut guard = self.heap.lock();
        let (heap, end) = &mut *guard;
        loop {
            if let Ok(pointer) = heap.allocate_first_fit(layout) {
                return pointer.as_ptr();
            }
            let needed = (layout.size() + layout.align() + 64) as u64;
            if !grow(heap, end, needed) {
                return core::ptr::null_mut();
            }
        }
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        if let Some(pointer) = NonNull::new(pointer) {
            // SAFETY: the caller passes a pointer this allocator returned for `layout`.
            unsafe { self.heap.lock().0.deallocate(pointer, layout) };
        }
    }
}

//! The lowest layer: a window of virtual addresses that no Rust object ever
//! occupies, where a program maps frames to look at their contents.
//!
//! Rust code may not read memory the compiler knows nothing about through
//! references, but the window is outside the program image and outside anything Nun
//! hands out, so volatile word accesses there alias nothing. An access to a page of
//! the window that is not mapped faults like any other bad access (the kernel sends
//! the fault to the thread's resolver, or suspends the thread without one).
//!
//! ```no_run
//! use nun::window;
//!
//! // After mapping a frame at window::BASE (see `mapping`):
//! window::write_word(window::BASE, 42).unwrap();
//! assert_eq!(window::read_word(window::BASE), Some(42));
//! ```

/// First address of the window (1 TiB, far above any program image at 4 MiB).
pub const BASE: u64 = 0x0000_0100_0000_0000;
/// Size of the window in bytes (1 TiB: room for 1 GiB frames and their tables).
pub const SIZE: u64 = 0x0000_0100_0000_0000;

/// True if the word at `address` lies inside the window and is 8-byte aligned.
#[must_use]
pub const fn contains_word(address: u64) -> bool {
    address >= BASE && address - BASE <= SIZE - 8 && address.is_multiple_of(8)
}

/// Reads the word at `address` in the window (`None` outside it or misaligned).
#[must_use]
pub fn read_word(address: u64) -> Option<u64> {
    if !contains_word(address) {
        return None;
    }
    // SAFETY: the window holds no Rust object (module documentation), so this
    // aligned volatile read aliases no reference; an unmapped page faults in the
    // kernel's hands instead of returning.
    Some(unsafe { (address as *const u64).read_volatile() })
}

/// Writes `value` to the word at `address` in the window; `None` outside it or
/// misaligned.
pub fn write_word(address: u64, value: u64) -> Option<()> {
    if !contains_word(address) {
        return None;
    }
    // SAFETY: as in `read_word`; a read-only mapping faults instead of writing.
    unsafe { (address as *mut u64).write_volatile(value) };
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_aligned_words_inside_the_window_are_reachable() {
        assert!(contains_word(BASE));
        assert!(contains_word(BASE + SIZE - 8));
        assert!(!contains_word(BASE + SIZE - 4));
        assert!(!contains_word(BASE + SIZE));
        assert!(!contains_word(BASE - 8));
        assert!(!contains_word(BASE + 4));
        assert_eq!(read_word(0x1000), None);
        assert_eq!(write_word(BASE - 8, 1), None);
    }
}

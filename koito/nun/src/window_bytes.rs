//! Byte access to memory mapped in Nun's memory window (see [`crate::window`]):
//! for reading a boot module or filling a frame before it is handed to another
//! address space. The bytes are lent to a closure, never kept, so nothing refers to
//! them after the caller unmaps the pages.

use crate::window;

/// Whether `[address, address + length)` lies inside the window.
fn inside(address: u64, length: u64) -> bool {
    address >= window::BASE
        && length <= window::SIZE
        && address - window::BASE <= window::SIZE - length
}

/// Lends the `length` bytes at `address` (which must be mapped readable) to
/// `read`; `None` if the range leaves the window.
pub fn with_bytes<R>(address: u64, length: u64, read: impl FnOnce(&[u8]) -> R) -> Option<R> {
    if !inside(address, length) {
        return None;
    }
    // SAFETY: the range is inside the window, which holds no Rust object; the
    // caller mapped it; the slice lives only for the closure call.
    let bytes = unsafe { core::slice::from_raw_parts(address as *const u8, length as usize) };
    Some(read(bytes))
}

/// Lends the `length` bytes at `address` (mapped writable) to `write`.
pub fn with_bytes_mut<R>(
    address: u64,
    length: u64,
    write: impl FnOnce(&mut [u8]) -> R,
) -> Option<R> {
    if !inside(address, length) {
        return None;
    }
    // SAFETY: as in `with_bytes`, and this is the only reference to the range for
    // the closure's duration.
    let bytes = unsafe { core::slice::from_raw_parts_mut(address as *mut u8, length as usize) };
    Some(write(bytes))
}

/// The `length` bytes at `address` as a slice for the rest of the program's life:
/// for memory its launcher mapped read-only in the window before it started and
/// that nothing ever unmaps or writes (a root file-system image); `None` if the
/// range leaves the window.
#[must_use]
pub fn permanent_bytes(address: u64, length: u64) -> Option<&'static [u8]> {
    if !inside(address, length) {
        return None;
    }
    // SAFETY: the range is inside the window, which holds no Rust object; by this
    // function's contract it stays mapped, read-only and unchanged for as long as
    // the program runs, so a shared `'static` slice of it never dangles or sees a
    // write.
    Some(unsafe { core::slice::from_raw_parts(address as *const u8, length as usize) })
}

//! Where posix-server keeps things in its own address space: everything it
//! reads or writes outside Rust objects lies in Nun's window (`nun::window`), so
//! it reaches it with `nun::window_bytes` only.

use nun::window;

/// posix-server's side of the processes' shared buffers: one slot per process.
pub const BUFFER_AREA: u64 = window::BASE + 0x10_0000_0000;
/// Distance between two buffer slots.
pub const BUFFER_STRIDE: u64 = 0x40_0000;
/// Buffer slots (the most processes at once).
pub const BUFFER_SLOTS: u64 = 1024;
/// Staged program images (executables' pages, copied into each new process).
pub const STAGING_AREA: u64 = window::BASE + 0x40_0000_0000;
/// Bytes of the staging area.
pub const STAGING_SIZE: u64 = 0x40_0000_0000;
/// A process's initial stack is built here before it is copied.
pub const STACK_STAGING: u64 = window::BASE + 0x30_0000_0000;
/// posix-server's heap (anonymous memory at Nun's heap extension).
pub const HEAP_BYTES: u64 = 1 << 32;

/// posix-server's address of buffer slot `index`.
#[must_use]
pub const fn buffer_address(index: u64) -> u64 {
    BUFFER_AREA + index * BUFFER_STRIDE
}

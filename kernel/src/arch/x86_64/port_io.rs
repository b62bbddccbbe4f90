//! Port I/O on behalf of IO_PORT capabilities (the range was checked by the caller).

use x86_64::instructions::port::Port;

/// Reads `width` bytes (1, 2 or 4) from `port`.
#[must_use]
pub fn read(port: u16, width: u64) -> u64 {
    // SAFETY: the caller holds an IO_PORT capability covering the port; reading an
    // I/O port touches no memory.
    unsafe {
        match width {
            1 => u64::from(Port::<u8>::new(port).read()),
            2 => u64::from(Port::<u16>::new(port).read()),
            _ => u64::from(Port::<u32>::new(port).read()),
        }
    }
}

/// Writes the low `width` bytes (1, 2 or 4) of `value` to `port`.
pub fn write(port: u16, width: u64, value: u64) {
    // SAFETY: as in `read`; user space owns the devices behind the ports it has
    // capabilities for (the kernel keeps none for itself but COM1 output, and the
    // debug-exit port, which only ends QEMU).
    unsafe {
        match width {
            1 => Port::<u8>::new(port).write(value as u8),
            2 => Port::<u16>::new(port).write(value as u16),
            _ => Port::<u32>::new(port).write(value as u32),
        }
    }
}

//! Helpers shared by KOITO's utilities: argument text and error messages.
#![no_std]

use libc_shim::Errno;

/// Prints `program: what: strerror(errno)` to standard error.
pub fn report(program: &str, what: &[u8], errno: Errno) {
    libc_shim::eprintln!(
        "{program}: {}: {}",
        core::str::from_utf8(what).unwrap_or("?"),
        errno.message()
    );
}

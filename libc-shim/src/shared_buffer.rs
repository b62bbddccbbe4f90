//! The process's end of the buffer it shares with posix-server
//! (`posix_server_api::shared_buffer`): bulk data of requests and replies.
//!
//! The buffer is mapped read-write at the address the auxiliary vector gives, for
//! the whole life of the process, and posix-server writes it only while the process
//! waits for a reply; the process itself touches it only here, one request at a
//! time (signal handlers that make calls save and restore what they overwrite:
//! see [`crate::signal`]). So plain copies in and out are sound.

use posix_server_api::shared_buffer::{
    DATA_CAPACITY, DATA_OFFSET, IN_REQUEST_OFFSET, SIGNAL_FRAME_OFFSET,
};

fn data_address() -> u64 {
    crate::start::info().shared_buffer + DATA_OFFSET
}

/// Copies `bytes` to offset `offset` of the data area; false if they do not fit.
#[must_use]
pub fn put(offset: usize, bytes: &[u8]) -> bool {
    if offset as u64 + bytes.len() as u64 > DATA_CAPACITY || crate::start::info().shared_buffer == 0
    {
        return false;
    }
    // SAFETY: the range lies inside the data area (checked), which is mapped
    // read-write and not referenced by any Rust object.
    unsafe {
        core::ptr::copy_nonoverlapping(
            bytes.as_ptr(),
            (data_address() as *mut u8).add(offset),
            bytes.len(),
        );
    }
    true
}

/// Copies `out.len()` bytes from offset `offset` of the data area into `out`;
/// false if out of range.
#[must_use]
pub fn get(offset: usize, out: &mut [u8]) -> bool {
    if offset as u64 + out.len() as u64 > DATA_CAPACITY || crate::start::info().shared_buffer == 0 {
        return false;
    }
    // SAFETY: as `put`.
    unsafe {
        core::ptr::copy_nonoverlapping(
            (data_address() as *const u8).add(offset),
            out.as_mut_ptr(),
            out.len(),
        );
    }
    true
}

/// The register words posix-server saved at an asynchronous signal delivery.
#[must_use]
pub fn signal_frame() -> [u64; 20] {
    let mut words = [0; 20];
    let base = crate::start::info().shared_buffer + SIGNAL_FRAME_OFFSET;
    for (index, word) in words.iter_mut().enumerate() {
        // SAFETY: the save area is 20 aligned words inside the mapped buffer.
        *word = unsafe { core::ptr::read_volatile((base as *const u64).add(index)) };
    }
    words
}

/// The data area's capacity in bytes.
pub const CAPACITY: usize = DATA_CAPACITY as usize;

/// Sets or clears the word that tells posix-server the data area is in use.
pub fn set_in_request(in_request: bool) {
    let address = crate::start::info().shared_buffer;
    if address == 0 {
        return;
    }
    // SAFETY: the word lies inside the mapped buffer header, aligned; posix-server
    // reads it only while this thread is not running.
    unsafe {
        core::ptr::write_volatile(
            (address + IN_REQUEST_OFFSET) as *mut u64,
            u64::from(in_request),
        );
    }
}

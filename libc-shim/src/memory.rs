//! Memory: `brk`, anonymous `mmap`, `munmap`, `mprotect` (posix-server forwards
//! them to mm-server for the process's address space).

use posix_server_api::{Errno, Operation};

use crate::posix_call::simple_outcome;

/// `PROT_READ`.
pub const PROT_READ: u64 = 1;
/// `PROT_WRITE`.
pub const PROT_WRITE: u64 = 2;
/// `PROT_EXEC`.
pub const PROT_EXEC: u64 = 4;
/// `MAP_PRIVATE`.
pub const MAP_PRIVATE: u64 = 2;
/// `MAP_FIXED`.
pub const MAP_FIXED: u64 = 0x10;
/// `MAP_ANONYMOUS`.
pub const MAP_ANONYMOUS: u64 = 0x20;

/// `brk`: sets the break (0 asks for it); returns the break afterwards.
///
/// # Errors
/// `ENOMEM`.
pub fn brk(address: u64) -> Result<u64, Errno> {
    simple_outcome(Operation::Brk, &[address])
}

/// Anonymous private `mmap`: the mapping's address.
///
/// # Errors
/// `ENOMEM`, `EINVAL`.
pub fn mmap_anonymous(
    address: u64,
    length: u64,
    protection: u64,
    flags: u64,
) -> Result<u64, Errno> {
    simple_outcome(
        Operation::Mmap,
        &[
            address,
            length,
            protection,
            flags | MAP_ANONYMOUS | MAP_PRIVATE,
        ],
    )
}

/// `munmap`.
///
/// # Errors
/// `EINVAL`.
pub fn munmap(address: u64, length: u64) -> Result<(), Errno> {
    simple_outcome(Operation::Munmap, &[address, length]).map(|_| ())
}

/// `mprotect`.
///
/// # Errors
/// `EINVAL`, `ENOMEM`.
pub fn mprotect(address: u64, length: u64, protection: u64) -> Result<(), Errno> {
    simple_outcome(Operation::Mprotect, &[address, length, protection]).map(|_| ())
}

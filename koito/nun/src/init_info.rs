//! The lowest layer: typed access to the `InitInfo` page the kernel gives the
//! initial thread (docs/abi.md section 9).
//!
//! The initial program's start-up code ([`init_entry!`](crate::init_entry)) records
//! the address the kernel passed in `RDI`; afterwards [`get`] returns the page as an
//! [`InitInfo`] reference.
//!
//! ```no_run
//! use nun::init_info;
//!
//! if let Some(info) = init_info::get() {
//!     for generic in info.generic_descriptions() {
//!         nun::debug_println!("{:#x}: 2^{} bytes", generic.physical_address, generic.size_bits);
//!     }
//! }
//! ```

use core::sync::atomic::{AtomicPtr, Ordering};

use a9n_abi::InitInfo;
use a9n_abi::init::INIT_INFO_VERSION;

/// The recorded page (null until [`install`]).
static INIT_INFO: AtomicPtr<InitInfo> = AtomicPtr::new(core::ptr::null_mut());

/// Why an address is not an `InitInfo` page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitInfoError {
    /// Zero or not page aligned.
    Misaligned,
    /// The page's version is not `INIT_INFO_VERSION`; it holds the version found.
    WrongVersion(u64),
}

/// Records `address` as the `InitInfo` page and returns it.
///
/// # Errors
/// [`InitInfoError`] if the address is not page aligned or the page's version is
/// not the one this Nun knows.
///
/// # Safety
/// `address` must be the address the kernel passed to the initial thread in `RDI`
/// (a mapped page that holds an `InitInfo` and that nothing writes while the
/// program runs).
pub unsafe fn install(address: u64) -> Result<&'static InitInfo, InitInfoError> {
    if address == 0 || !address.is_multiple_of(a9n_abi::boot::PAGE_SIZE) {
        return Err(InitInfoError::Misaligned);
    }
    let pointer = address as *mut InitInfo;
    // SAFETY: the caller guarantees a mapped, aligned, immutable `InitInfo` page for
    // the rest of the program, so a shared `'static` reference to it is valid.
    let info: &'static InitInfo = unsafe { &*pointer };
    if info.version != INIT_INFO_VERSION {
        return Err(InitInfoError::WrongVersion(info.version));
    }
    INIT_INFO.store(pointer, Ordering::Release);
    Ok(info)
}

/// The `InitInfo` page, once the start-up code recorded it.
#[must_use]
pub fn get() -> Option<&'static InitInfo> {
    let pointer = INIT_INFO.load(Ordering::Acquire);
    // SAFETY: only `install` stores a non-null pointer, after checking it under its
    // caller's guarantee that the page stays valid and immutable.
    unsafe { pointer.as_ref() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_recorded_for_a_misaligned_address() {
        // SAFETY: misaligned addresses are refused before any access.
        unsafe {
            assert_eq!(install(0).err(), Some(InitInfoError::Misaligned));
            assert_eq!(install(0x1010).err(), Some(InitInfoError::Misaligned));
        }
        assert!(get().is_none());
    }
}

//! Reading the loader's boot info out of physical memory.

use a9n_abi::boot::{BOOT_INFO_MAGIC, BOOT_INFO_VERSION, BootInfo};

use super::paging::physical_to_virtual;

/// Why the boot info was refused (printed with `Debug` in the fatal message).
#[derive(Clone, Copy, Debug)]
#[allow(dead_code, reason = "the fields are read by the Debug output")]
#[allow(clippy::enum_variant_names, reason = "each variant names what was bad")]
pub enum BootInfoError {
    /// The pointer is null, misaligned or beyond the loader's direct map.
    BadAddress(u64),
    /// The magic word is wrong.
    BadMagic(u64),
    /// The layout version is not this kernel's.
    BadVersion(u64),
}

/// Highest physical address the loader's direct map is sure to cover.
const LOADER_DIRECT_MAP_LIMIT: u64 = 4 << 30;

/// Copies the boot info at `physical` into the kernel's memory, after checking the
/// address, the magic word and the version.
pub fn read(physical: u64) -> Result<BootInfo, BootInfoError> {
    let size = core::mem::size_of::<BootInfo>() as u64;
    if physical == 0
        || !physical.is_multiple_of(8)
        || physical.saturating_add(size) > LOADER_DIRECT_MAP_LIMIT
    {
        return Err(BootInfoError::BadAddress(physical));
    }
    let pointer = physical_to_virtual(physical) as *const BootInfo;
    // SAFETY: the loader's page tables map the first 4 GiB at DIRECT_MAP_BASE and
    // the range was checked to lie inside; BootInfo is plain old data, so any bit
    // pattern is a valid value, and the loader no longer writes it.
    let info = unsafe { core::ptr::read_volatile(pointer) };
    if info.magic != BOOT_INFO_MAGIC {
        return Err(BootInfoError::BadMagic(info.magic));
    }
    if info.version != BOOT_INFO_VERSION {
        return Err(BootInfoError::BadVersion(info.version));
    }
    Ok(info)
}

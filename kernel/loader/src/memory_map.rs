//! Converting UEFI's memory map into the boot protocol's: pure logic, no UEFI calls
//! and no allocation (it runs after boot services are gone, on buffers allocated
//! before).
//!
//! Each UEFI type maps to Free, Device or Reserved ([`classify`]); [`normalize`]
//! then sorts, resolves overlaps (the stronger type wins: Reserved > Device > Free)
//! and merges adjacent entries of one type.

use a9n_abi::boot::{MemoryRegion, MemoryType, PAGE_SIZE};

/// UEFI `EfiLoaderCode`.
const LOADER_CODE: u32 = 1;
/// UEFI `EfiLoaderData`.
const LOADER_DATA: u32 = 2;
/// UEFI `EfiBootServicesCode`.
const BOOT_SERVICES_CODE: u32 = 3;
/// UEFI `EfiBootServicesData`.
const BOOT_SERVICES_DATA: u32 = 4;
/// UEFI `EfiConventionalMemory`.
const CONVENTIONAL: u32 = 7;
/// UEFI `EfiMemoryMappedIO`.
const MMIO: u32 = 11;
/// UEFI `EfiMemoryMappedIOPortSpace`.
const MMIO_PORT_SPACE: u32 = 12;

/// The boot protocol type of a UEFI memory type. Memory the loader kept (its
/// custom type), ACPI tables, runtime services and everything unknown is Reserved.
#[must_use]
pub fn classify(uefi_type: u32) -> MemoryType {
    match uefi_type {
        LOADER_CODE | LOADER_DATA | BOOT_SERVICES_CODE | BOOT_SERVICES_DATA | CONVENTIONAL => {
            MemoryType::Free
        }
        MMIO | MMIO_PORT_SPACE => MemoryType::Device,
        _ => MemoryType::Reserved,
    }
}

/// A region of `page_count` pages from `start` of type `memory_type`.
#[must_use]
pub const fn region(start: u64, page_count: u64, memory_type: MemoryType) -> MemoryRegion {
    MemoryRegion {
        start,
        page_count,
        memory_type: memory_type as u64,
    }
}

/// The result did not fit: `needed` entries for an output of `capacity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooManyRegions {
    /// Entries the normalized map has.
    pub needed: usize,
    /// Entries the output holds.
    pub capacity: usize,
}

/// Normalizes `input` into `output` and returns the number of entries written.
///
/// `input` is sorted in place; `boundaries` is scratch space of at least
/// `2 * input.len()` words. Empty regions are ignored; memory that no entry covers
/// stays out of the map. Entries are page aligned as UEFI guarantees.
///
/// # Panics
///
/// If `boundaries` is shorter than `2 * input.len()`.
pub fn normalize(
    input: &mut [MemoryRegion],
    boundaries: &mut [u64],
    output: &mut [MemoryRegion],
) -> Result<usize, TooManyRegions> {
    input.sort_unstable_by_key(|entry| entry.start);
    let mut boundary_count = 0;
    for entry in input.iter().filter(|entry| entry.page_count != 0) {
        boundaries[boundary_count] = entry.start;
        boundaries[boundary_count + 1] = entry.end();
        boundary_count += 2;
    }
    let boundaries = &mut boundaries[..boundary_count];
    boundaries.sort_unstable();
    let mut unique = 0;
    for index in 0..boundaries.len() {
        if unique == 0 || boundaries[unique - 1] != boundaries[index] {
            boundaries[unique] = boundaries[index];
            unique += 1;
        }
    }

    let mut count = 0;
    let mut current: Option<MemoryRegion> = None;
    for pair in boundaries[..unique].windows(2) {
        let (start, end) = (pair[0], pair[1]);
        // The strongest type of every entry that covers [start, end) (the type
        // values are ordered Free < Device < Reserved); entries are sorted by start,
        // so the scan stops at the first one that begins later.
        let strongest = input
            .iter()
            .take_while(|entry| entry.start < end)
            .filter(|entry| entry.page_count != 0 && entry.end() > start)
            .map(|entry| entry.memory_type)
            .max();
        let Some(memory_type) = strongest else {
            continue;
        };
        let pages = (end - start) / PAGE_SIZE;
        match current.as_mut() {
            Some(previous) if previous.end() == start && previous.memory_type == memory_type => {
                previous.page_count += pages;
            }
            _ => {
                if let Some(finished) = current.replace(MemoryRegion {
                    start,
                    page_count: pages,
                    memory_type,
                }) {
                    emit(output, &mut count, finished);
                }
            }
        }
    }
    if let Some(finished) = current {
        emit(output, &mut count, finished);
    }
    if count > output.len() {
        return Err(TooManyRegions {
            needed: count,
            capacity: output.len(),
        });
    }
    Ok(count)
}

/// Writes `region` at `output[*count]` if it fits, and counts it either way.
fn emit(output: &mut [MemoryRegion], count: &mut usize, region: MemoryRegion) {
    if let Some(slot) = output.get_mut(*count) {
        *slot = region;
    }
    *count += 1;
}

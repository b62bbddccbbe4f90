//! Reading the firmware's ACPI tables through the direct map; the walk and the
//! checks are `a9n_core::acpi_madt`'s, this file only hands it the bytes.

use a9n_abi::boot::MemoryType;
use a9n_core::acpi_madt::{self, AcpiError, AcpiMemory, Madt};
use a9n_core::physical_memory::PhysicalMemory;

use super::paging::physical_to_virtual;

/// Physical memory below `limit`, as the direct map shows it, except what the
/// memory map calls device memory (reading device registers may have effects).
struct DirectMap<'memory> {
    limit: u64,
    memory: &'memory PhysicalMemory,
}

impl AcpiMemory for DirectMap<'_> {
    fn bytes(&self, address: u64, length: usize) -> Option<&[u8]> {
        let end = address.checked_add(length as u64)?;
        let device = self.memory.regions().iter().any(|region| {
            region.memory_type == MemoryType::Device as u64
                && region.start < end
                && address < region.end()
        });
        if end > self.limit || device {
            return None;
        }
        // SAFETY: `address..end` lies below the end of the direct map, which maps
        // all of it readable, and in no device region, so reading it has no effect;
        // the bytes are firmware tables (or other memory, read only to be checked)
        // that nothing writes while the kernel boots, and any byte is a valid u8.
        Some(unsafe {
            core::slice::from_raw_parts(physical_to_virtual(address) as *const u8, length)
        })
    }
}

/// Finds the MADT from the RSDP at physical `rsdp`, reading nothing at or above
/// physical `direct_map_end` nor in the device regions of `memory`.
///
/// # Errors
/// Whatever is wrong with the tables (see [`AcpiError`]).
pub fn find_madt(
    rsdp: u64,
    memory: &PhysicalMemory,
    direct_map_end: u64,
) -> Result<Madt, AcpiError> {
    acpi_madt::find_madt(
        &DirectMap {
            limit: direct_map_end,
            memory,
        },
        rsdp,
    )
}

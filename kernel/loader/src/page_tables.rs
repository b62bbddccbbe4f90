//! The 4-level page tables the kernel is entered with.
//!
//! - Physical `[0, limit)` is mapped with 2 MiB pages (present, writable) at
//!   identity (PML4 slots 0..) and at `DIRECT_MAP_BASE` (slots 256..); both
//!   halves share the same PDPTs and page directories.
//! - The kernel block is mapped at its link address with 4 KiB pages (present,
//!   writable, executable) in PML4 slot 511.
//!
//! All tables live in one kept block, counted before it is allocated.

use a9n_abi::boot::{DIRECT_MAP_BASE, KernelImage, PAGE_SIZE};

use crate::error::LoaderError;
use crate::kept_memory::KeptBlock;

/// Entries per table.
const ENTRIES: u64 = 512;
/// Page table entry bit: present.
const PRESENT: u64 = 1 << 0;
/// Page table entry bit: writable.
const WRITABLE: u64 = 1 << 1;
/// Page directory entry bit: maps a 2 MiB page.
const HUGE_PAGE: u64 = 1 << 7;
/// Bits of an entry that hold the physical address.
const ADDRESS_MASK: u64 = 0x000f_ffff_ffff_f000;
/// Bytes mapped by one page directory entry.
const TWO_MIB: u64 = 2 << 20;
/// Bytes mapped by one PDPT entry.
const ONE_GIB: u64 = 1 << 30;
/// Bytes mapped by one PML4 entry.
const PML4_SPAN: u64 = ONE_GIB * ENTRIES;
/// The physical map always covers at least the low 4 GiB (MMIO lives there).
const MINIMUM_LIMIT: u64 = 4 * ONE_GIB;
/// PML4 slot of the direct map.
const DIRECT_MAP_SLOT: u64 = (DIRECT_MAP_BASE >> 39) & (ENTRIES - 1);
/// PML4 slot of the kernel image (the top 2 GiB).
const KERNEL_SLOT: u64 = ENTRIES - 1;

/// Finished page tables.
pub struct PageTables {
    /// Physical address of the PML4 (the value for CR3).
    pub pml4: u64,
    /// End of the physical range mapped at identity and at `DIRECT_MAP_BASE`.
    pub physical_limit: u64,
    /// Size in bytes of the kept block holding all the tables.
    pub size: u64,
}

/// Bump allocator of zeroed tables inside one kept block.
struct Tables {
    block: KeptBlock,
    used: u64,
}

impl Tables {
    /// Physical address of a fresh zeroed table.
    fn allocate(&mut self) -> u64 {
        let address = self.block.address() + self.used * PAGE_SIZE;
        assert!(
            self.used * PAGE_SIZE < self.block.size(),
            "page table count was wrong"
        );
        self.used += 1;
        address
    }

    /// Entry `index` of the table at physical `table`.
    fn entry(&mut self, table: u64, index: u64) -> &mut u64 {
        let word = (table - self.block.address()) / 8 + index;
        &mut self.block.words_mut()[word as usize]
    }

    /// The table that entry `index` of `table` points to, made if absent.
    fn next_level(&mut self, table: u64, index: u64) -> u64 {
        let entry = *self.entry(table, index);
        if entry & PRESENT != 0 {
            return entry & ADDRESS_MASK;
        }
        let next = self.allocate();
        *self.entry(table, index) = next | PRESENT | WRITABLE;
        next
    }
}

/// Builds the tables; `memory_end` is the highest end of any memory map entry.
pub fn build(memory_end: u64, kernel: &KernelImage) -> Result<PageTables, LoaderError> {
    let limit = memory_end.max(MINIMUM_LIMIT).next_multiple_of(TWO_MIB);
    let pdpt_count = limit.div_ceil(PML4_SPAN);
    if DIRECT_MAP_SLOT + pdpt_count > KERNEL_SLOT {
        return Err(LoaderError::new(
            "physical memory too large to map",
            format_args!("ends at {memory_end:#x}"),
        ));
    }
    let directory_count = limit.div_ceil(ONE_GIB);
    let kernel_end = kernel.virtual_address + kernel.size;
    let kernel_directories = (kernel_end - 1) / ONE_GIB - kernel.virtual_address / ONE_GIB + 1;
    let kernel_page_tables = (kernel_end - 1) / TWO_MIB - kernel.virtual_address / TWO_MIB + 1;
    let table_count =
        1 + pdpt_count + directory_count + 1 + kernel_directories + kernel_page_tables;

    let mut tables = Tables {
        block: KeptBlock::allocate(table_count as usize, "page tables")?,
        used: 0,
    };
    let pml4 = tables.allocate();

    for slot in 0..pdpt_count {
        let pdpt = tables.allocate();
        *tables.entry(pml4, slot) = pdpt | PRESENT | WRITABLE;
        *tables.entry(pml4, DIRECT_MAP_SLOT + slot) = pdpt | PRESENT | WRITABLE;
    }
    for gib in 0..directory_count {
        let pdpt = tables.next_level(pml4, gib / ENTRIES);
        let directory = tables.next_level(pdpt, gib % ENTRIES);
        for index in 0..ENTRIES {
            let address = gib * ONE_GIB + index * TWO_MIB;
            if address >= limit {
                break;
            }
            *tables.entry(directory, index) = address | PRESENT | WRITABLE | HUGE_PAGE;
        }
    }

    for page in 0..kernel.size / PAGE_SIZE {
        let virtual_address = kernel.virtual_address + page * PAGE_SIZE;
        let physical_address = kernel.physical_address + page * PAGE_SIZE;
        let pdpt = tables.next_level(pml4, (virtual_address >> 39) & (ENTRIES - 1));
        let directory = tables.next_level(pdpt, (virtual_address >> 30) & (ENTRIES - 1));
        let table = tables.next_level(directory, (virtual_address >> 21) & (ENTRIES - 1));
        *tables.entry(table, (virtual_address >> 12) & (ENTRIES - 1)) =
            physical_address | PRESENT | WRITABLE;
    }

    Ok(PageTables {
        pml4,
        physical_limit: limit,
        size: tables.block.size(),
    })
}

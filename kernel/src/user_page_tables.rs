//! Editing the user half of an address space: walking its page tables, putting page
//! tables and frames in, taking them out. Page-table pages are kernel objects in RAM,
//! read and written as words through the object memory.

use a9n_abi::paging::PageTableDepth;

use crate::arch::object_memory::{read_word, write_word, zero};
use crate::arch::paging::{self, entry};

/// Bit position of the index at each level (1 = PT ... 4 = PML4).
const fn index_shift(level: u32) -> u32 {
    12 + 9 * (level - 1)
}

/// Index of `virtual_address` in a table of `level`.
const fn index(virtual_address: u64, level: u32) -> u64 {
    (virtual_address >> index_shift(level)) & 511
}

/// Physical address of the entry for `virtual_address` in the table of `level`
/// (4 = the PML4 at `root`), if every table above it is present (and not a large
/// page).
#[must_use]
pub fn entry_address(root: u64, virtual_address: u64, level: u32) -> Option<u64> {
    let mut table = root;
    let mut current = 4;
    while current > level {
        let value = read_word(table + 8 * index(virtual_address, current));
        if value & entry::PRESENT == 0 || value & entry::HUGE != 0 {
            return None;
        }
        table = value & entry::ADDRESS_MASK;
        current -= 1;
    }
    Some(table + 8 * index(virtual_address, level))
}

/// The level of the table in which a page table of `depth` is entered: PDPT (3)
/// into the PML4 (4), PD (2) into a PDPT (3), PT (1) into a PD (2).
#[must_use]
pub const fn parent_level(depth: PageTableDepth) -> u32 {
    depth as u32 + 1
}

/// Level of the table whose entry maps a frame of `size_bits` (12 -> 1, 21 -> 2,
/// 30 -> 3).
#[must_use]
pub const fn leaf_level(size_bits: u32) -> u32 {
    (size_bits - 12) / 9 + 1
}

/// GET_UNSET_DEPTH: depth of the first page table missing on the way to a leaf of
/// `size_bits` at `virtual_address`, or 0 when the path is complete.
#[must_use]
pub fn unset_depth(root: u64, virtual_address: u64, size_bits: u32) -> u64 {
    let leaf = leaf_level(size_bits);
    let mut table = root;
    let mut level = 4;
    while level > leaf {
        let value = read_word(table + 8 * index(virtual_address, level));
        if value & entry::PRESENT == 0 {
            return u64::from(level - 1);
        }
        if value & entry::HUGE != 0 {
            return 0;
        }
        table = value & entry::ADDRESS_MASK;
        level -= 1;
    }
    0
}

/// Whether an entry is present.
#[must_use]
pub fn is_present(entry_address: u64) -> bool {
    read_word(entry_address) & entry::PRESENT != 0
}

/// Enters a page table: present, writable and user (the leaves decide).
pub fn set_table_entry(entry_address: u64, table: u64) {
    write_word(
        entry_address,
        table | entry::PRESENT | entry::WRITABLE | entry::USER,
    );
}

/// Enters a frame.
pub fn set_frame_entry(
    entry_address: u64,
    frame: u64,
    size_bits: u32,
    writable: bool,
    executable: bool,
    uncached: bool,
) {
    let mut value = frame | entry::PRESENT | entry::USER;
    if writable {
        value |= entry::WRITABLE;
    }
    if !executable {
        value |= entry::NO_EXECUTE;
    }
    if size_bits > 12 {
        value |= entry::HUGE;
    }
    if uncached {
        value |= entry::CACHE_DISABLE | entry::WRITE_THROUGH;
    }
    write_word(entry_address, value);
}

/// Clears the entry at `entry_address` of the address space `root` if it still
/// points at `object`, and forgets the translation. Returns whether it did.
pub fn clear_entry_if(
    root: u64,
    token: u64,
    entry_address: u64,
    object: u64,
    virtual_address: u64,
    whole_space: bool,
) -> bool {
    let value = read_word(entry_address);
    if value & entry::PRESENT == 0 || value & entry::ADDRESS_MASK != object {
        return false;
    }
    write_word(entry_address, 0);
    if whole_space {
        paging::flush_address_space(root, token);
    } else {
        paging::flush_page(root, token, virtual_address);
    }
    true
}

/// Zeroes a page-table page (after it is taken out of an address space, so that
/// stale entries never come back if it is entered elsewhere).
pub fn clear_table(table: u64) {
    zero(table, 4096);
}

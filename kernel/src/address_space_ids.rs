//! Address-space identifiers: a table of live address spaces, so that a mapping
//! recorded in a frame or page-table capability can be checked for staleness after
//! its address space is gone (each reuse of an id bumps its generation).
//!
//! A mapping token is `1 << 63 | generation << 32 | id`; 0 means "not mapped".

use a9n_abi::object::ADDRESS_SPACE_LIMIT;
use spin::Mutex;

struct Table {
    /// PML4 physical address per id (0: free).
    roots: [u64; ADDRESS_SPACE_LIMIT],
    /// Generation per id.
    generations: [u32; ADDRESS_SPACE_LIMIT],
    /// Ids whose TLB entries must go at the next load (PCIDs only).
    pending_flush: [bool; ADDRESS_SPACE_LIMIT],
    /// Ids in use.
    used: usize,
}

static TABLE: Mutex<Table> = Mutex::new(Table {
    roots: [0; ADDRESS_SPACE_LIMIT],
    generations: [0; ADDRESS_SPACE_LIMIT],
    pending_flush: [false; ADDRESS_SPACE_LIMIT],
    used: 0,
});

const VALID: u64 = 1 << 63;

/// How many ids are free.
#[must_use]
pub fn free_count() -> usize {
    ADDRESS_SPACE_LIMIT - TABLE.lock().used
}

/// Gives the address space at `root` an id and returns its token.
pub fn allocate(root: u64) -> Option<u64> {
    let mut table = TABLE.lock();
    let id = table.roots.iter().position(|&entry| entry == 0)?;
    table.roots[id] = root;
    // A recycled id (and so PCID) may still have TLB entries of its last owner.
    table.pending_flush[id] = true;
    table.used += 1;
    Some(VALID | u64::from(table.generations[id]) << 32 | id as u64)
}

/// Frees the id of `token` (the address space is gone).
pub fn release(token: u64) {
    let mut table = TABLE.lock();
    let id = (token & 0xffff_ffff) as usize;
    if token & VALID != 0
        && id < ADDRESS_SPACE_LIMIT
        && table.roots[id] != 0
        && u64::from(table.generations[id]) == (token >> 32) & 0x7fff_ffff
    {
        table.roots[id] = 0;
        table.generations[id] = table.generations[id].wrapping_add(1) & 0x7fff_ffff;
        table.used -= 1;
    }
}

/// The PML4 of the live address space `token` names, if it still exists.
#[must_use]
pub fn root_of(token: u64) -> Option<u64> {
    let table = TABLE.lock();
    let id = (token & 0xffff_ffff) as usize;
    (token & VALID != 0
        && id < ADDRESS_SPACE_LIMIT
        && table.roots[id] != 0
        && u64::from(table.generations[id]) == (token >> 32) & 0x7fff_ffff)
        .then(|| table.roots[id])
}

/// Asks for the TLB entries of `token`'s address space to be dropped at its next
/// load.
pub fn request_flush(token: u64) {
    let id = (token & 0xffff_ffff) as usize;
    if id < ADDRESS_SPACE_LIMIT {
        TABLE.lock().pending_flush[id] = true;
    }
}

/// Whether `token`'s address space must drop its TLB entries now (and clears it).
pub fn take_pending_flush(token: u64) -> bool {
    let id = (token & 0xffff_ffff) as usize;
    token != 0 && id < ADDRESS_SPACE_LIMIT && core::mem::take(&mut TABLE.lock().pending_flush[id])
}

//! The kernel's own page tables: all physical memory at `DIRECT_MAP_BASE` (2 MiB
//! pages, non-executable), the kernel image at its link address with per-section
//! permissions (text read+execute, rodata read-only, data/bss read+write, never
//! writable and executable at once), guard pages below the kernel stacks left
//! unmapped, and nothing else: the loader's identity map is gone once these load.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use a9n_abi::boot::{DIRECT_MAP_BASE, KernelImage, PAGE_SIZE};
use a9n_core::physical_memory::PhysicalMemory;
use x86_64::registers::control::{Cr0, Cr0Flags, Cr3, Cr4, Cr4Flags};
use x86_64::registers::model_specific::{Efer, EferFlags};

use super::cpu::Features;

/// Page-table entry bits.
pub mod entry {
    /// Present.
    pub const PRESENT: u64 = 1;
    /// Writable.
    pub const WRITABLE: u64 = 1 << 1;
    /// Reachable from user mode.
    pub const USER: u64 = 1 << 2;
    /// Write-through caching.
    pub const WRITE_THROUGH: u64 = 1 << 3;
    /// Caching disabled.
    pub const CACHE_DISABLE: u64 = 1 << 4;
    /// Large page (2 MiB in a PD, 1 GiB in a PDPT).
    pub const HUGE: u64 = 1 << 7;
    /// Global: survives CR3 writes.
    pub const GLOBAL: u64 = 1 << 8;
    /// Not executable.
    pub const NO_EXECUTE: u64 = 1 << 63;
    /// Physical address bits of an entry.
    pub const ADDRESS_MASK: u64 = 0x000f_ffff_ffff_f000;
}

/// Size of a 2 MiB page.
const LARGE_PAGE_SIZE: u64 = 2 << 20;
/// The direct map always covers at least the first 4 GiB (the local APIC and the
/// other platform devices live just below 4 GiB).
const MINIMUM_DIRECT_MAP: u64 = 4 << 30;

unsafe extern "C" {
    static __text_start: u8;
    static __text_end: u8;
    static __rodata_start: u8;
    static __rodata_end: u8;
    static __data_start: u8;
    static __data_end: u8;
    static __boot_stack_guard: u8;
    static __fault_stack_guard: u8;
}

/// Kernel virtual address of a physical address, through the direct map.
#[must_use]
pub const fn physical_to_virtual(physical: u64) -> u64 {
    DIRECT_MAP_BASE + physical
}

/// The 512 entries of the table at physical address `table`.
fn table(table: u64) -> &'static mut [u64; 512] {
    // SAFETY: `table` is a page-aligned page-table page owned by the kernel (taken
    // from the boot allocator or read from CR3), and the direct map covers it. The
    // kernel is single-threaded during bring-up, so no other reference exists.
    unsafe { &mut *(physical_to_virtual(table) as *mut [u64; 512]) }
}

/// A kernel virtual address range and the permissions its pages get.
#[derive(Clone, Copy, Debug)]
pub struct Section {
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
    /// Leaf entry bits besides PRESENT (WRITABLE, NO_EXECUTE).
    pub flags: u64,
}

/// The kernel image sections, from the linker script's symbols.
#[must_use]
pub fn kernel_sections() -> [Section; 3] {
    let address = |symbol: *const u8| symbol as u64;
    [
        Section {
            start: address(&raw const __text_start),
            end: address(&raw const __text_end),
            flags: 0,
        },
        Section {
            start: address(&raw const __rodata_start),
            end: address(&raw const __rodata_end),
            flags: entry::NO_EXECUTE,
        },
        Section {
            start: address(&raw const __data_start),
            end: address(&raw const __data_end),
            flags: entry::WRITABLE | entry::NO_EXECUTE,
        },
    ]
}

/// Pages in the kernel image that stay unmapped (below each stack).
#[must_use]
pub fn guard_pages() -> [u64; 2] {
    [
        (&raw const __boot_stack_guard) as u64,
        (&raw const __fault_stack_guard) as u64,
    ]
}

/// Builds the page tables as the kernel's page-table pages come from `memory`.
struct Builder<'memory> {
    memory: &'memory mut PhysicalMemory,
    root: u64,
    global: u64,
}

/// Why the kernel could not build its page tables.
#[derive(Clone, Copy, Debug)]
pub enum PagingError {
    /// The boot allocator ran out of pages.
    OutOfMemory,
}

impl Builder<'_> {
    fn allocate_table(&mut self) -> Result<u64, PagingError> {
        let page = self
            .memory
            .allocate_page()
            .ok_or(PagingError::OutOfMemory)?;
        table(page).fill(0);
        Ok(page)
    }

    /// The table below `parent[index]`, created if missing.
    fn child(&mut self, parent: u64, index: usize) -> Result<u64, PagingError> {
        let existing = table(parent)[index];
        if existing & entry::PRESENT != 0 {
            return Ok(existing & entry::ADDRESS_MASK);
        }
        let child = self.allocate_table()?;
        table(parent)[index] = child | entry::PRESENT | entry::WRITABLE;
        Ok(child)
    }

    fn map(&mut self, virtual_address: u64, leaf: u64, level: u32) -> Result<(), PagingError> {
        let index = |shift: u32| ((virtual_address >> shift) & 511) as usize;
        let pdpt = self.child(self.root, index(39))?;
        let directory = self.child(pdpt, index(30))?;
        if level == 2 {
            table(directory)[index(21)] = leaf | entry::HUGE;
            return Ok(());
        }
        let page_table = self.child(directory, index(21))?;
        table(page_table)[index(12)] = leaf;
        Ok(())
    }
}

/// What [`build_and_load`] set up, for the banner and the self-checks.
#[derive(Clone, Copy, Debug)]
pub struct KernelPaging {
    /// Physical address of the PML4.
    pub root: u64,
    /// Bytes of physical memory in the direct map.
    pub direct_map_size: u64,
    /// Page-table pages used.
    pub table_pages: u64,
}

/// Turns on the paging protections the CPU has (NX, write protection in ring 0,
/// global pages, SMEP, SMAP, UMIP), builds the kernel page tables and loads them.
pub fn build_and_load(
    memory: &mut PhysicalMemory,
    kernel: &KernelImage,
    features: &Features,
) -> Result<KernelPaging, PagingError> {
    // SAFETY: NXE only makes the NX bit meaningful (the loader's tables do not set
    // it) and WP makes ring 0 honour read-only pages; neither changes a mapping.
    unsafe {
        Efer::update(|flags| flags.insert(EferFlags::NO_EXECUTE_ENABLE));
        Cr0::update(|flags| flags.insert(Cr0Flags::WRITE_PROTECT));
    }
    let global = if features.global_pages {
        entry::GLOBAL
    } else {
        0
    };
    let free_before = memory.free_bytes();
    let mut builder = Builder {
        memory,
        root: 0,
        global,
    };
    builder.root = builder.allocate_table()?;

    // Direct map of physical memory; 2 MiB pages without any RAM are uncached.
    let direct_map_size = builder
        .memory
        .ram_end()
        .max(MINIMUM_DIRECT_MAP)
        .next_multiple_of(LARGE_PAGE_SIZE);
    let mut physical = 0;
    while physical < direct_map_size {
        let caching = if builder
            .memory
            .contains_ram(physical, physical + LARGE_PAGE_SIZE)
        {
            0
        } else {
            entry::CACHE_DISABLE | entry::WRITE_THROUGH
        };
        let leaf = physical
            | entry::PRESENT
            | entry::WRITABLE
            | entry::NO_EXECUTE
            | builder.global
            | caching;
        builder.map(physical_to_virtual(physical), leaf, 2)?;
        physical += LARGE_PAGE_SIZE;
    }

    // The kernel image, section by section, skipping the guard pages.
    let guards = guard_pages();
    for section in kernel_sections() {
        let mut page = section.start;
        while page < section.end {
            if !guards.contains(&page) {
                let physical = kernel.physical_address + (page - kernel.virtual_address);
                let leaf = physical | entry::PRESENT | section.flags | builder.global;
                builder.map(page, leaf, 1)?;
            }
            page += PAGE_SIZE;
        }
    }

    let root = builder.root;
    let table_pages = (free_before - builder.memory.free_bytes()) / PAGE_SIZE;
    KERNEL_ROOT.store(root, Ordering::Relaxed);
    LOADED_ROOT.store(root, Ordering::Relaxed);
    load_root(root);
    // SAFETY: global pages, SMEP, SMAP and UMIP only restrict or speed up
    // translation; each is set only when the CPU has it. The kernel touches user
    // memory only through the direct map, so SMAP never fires on kernel accesses.
    unsafe {
        Cr4::update(|flags| {
            flags.set(Cr4Flags::PAGE_GLOBAL, features.global_pages);
            flags.set(
                Cr4Flags::SUPERVISOR_MODE_EXECUTION_PROTECTION,
                features.smep,
            );
            flags.set(Cr4Flags::SUPERVISOR_MODE_ACCESS_PREVENTION, features.smap);
            flags.set(Cr4Flags::USER_MODE_INSTRUCTION_PREVENTION, features.umip);
        });
    }
    Ok(KernelPaging {
        root,
        direct_map_size,
        table_pages,
    })
}

/// Physical address of the kernel's own PML4 (the idle address space).
static KERNEL_ROOT: AtomicU64 = AtomicU64::new(0);

/// First PML4 entry of the kernel half.
const KERNEL_HALF_FIRST_ENTRY: u64 = 256;

/// Whether process-context identifiers are on (CR4.PCIDE): then every address
/// space keeps its own TLB entries across switches, tagged with a PCID derived from
/// its address-space id, and TLB invalidation for a space that is not loaded is
/// deferred to its next load. TCG has no PCID, so the other branch is the one the
/// tests run; both are kept.
static PCID_ENABLED: AtomicBool = AtomicBool::new(false);

/// The PML4 in CR3 (kept here so that switches compare a word instead of reading
/// CR3).
static LOADED_ROOT: AtomicU64 = AtomicU64::new(0);

/// CR3 bit that keeps the TLB entries of the loaded PCID.
const CR3_NO_FLUSH: u64 = 1 << 63;

/// Turns PCIDs on when the processor has them (CR3's PCID is 0 at this point, as
/// setting CR4.PCIDE requires).
pub fn enable_process_context_identifiers(features: &Features) {
    if features.pcid {
        // SAFETY: the CPU supports PCID and the current CR3 has PCID 0.
        unsafe { Cr4::update(|flags| flags.insert(Cr4Flags::PCID)) };
        PCID_ENABLED.store(true, Ordering::Relaxed);
    }
}

/// The PCID of the address space with token `token` (the kernel's own is 0).
const fn pcid_of(token: u64) -> u64 {
    if token == 0 {
        0
    } else {
        (token & 0xffff_ffff) % 4095 + 1
    }
}

/// The PML4 currently loaded.
#[must_use]
pub fn current_root() -> u64 {
    LOADED_ROOT.load(Ordering::Relaxed)
}

fn write_cr3(value: u64) {
    // SAFETY: `value` is the physical address of a complete PML4 that maps the
    // kernel half like every address space, plus PCID bits that are 0 unless PCIDs
    // are enabled.
    unsafe { core::arch::asm!("mov cr3, {0}", in(reg) value, options(nostack, preserves_flags)) };
}

/// Switches to the address space whose PML4 is at `root` (`token`: its id),
/// unless it is loaded and has no deferred invalidation.
pub fn load_address_space(root: u64, token: u64) {
    if !PCID_ENABLED.load(Ordering::Relaxed) {
        if LOADED_ROOT.load(Ordering::Relaxed) != root {
            LOADED_ROOT.store(root, Ordering::Relaxed);
            write_cr3(root);
        }
        return;
    }
    LOADED_ROOT.store(root, Ordering::Relaxed);
    let flush = crate::address_space_ids::take_pending_flush(token);
    if current_root() == root && !flush {
        return;
    }
    write_cr3(root | pcid_of(token) | if flush { 0 } else { CR3_NO_FLUSH });
}

/// Switches to the kernel's own address space (nothing in the user half).
pub fn load_kernel_address_space() {
    load_address_space(KERNEL_ROOT.load(Ordering::Relaxed), 0);
}

/// Copies the kernel half of the kernel's PML4 into a new address space's PML4.
pub fn copy_kernel_half(root: u64) {
    let kernel_root = KERNEL_ROOT.load(Ordering::Relaxed);
    for index in KERNEL_HALF_FIRST_ENTRY..512 {
        let value = super::object_memory::read_word(kernel_root + index * 8);
        super::object_memory::write_word(root + index * 8, value);
    }
}

/// Forgets the translation of one page of the address space at `root`: at once if
/// it is loaded; else, with PCIDs, at its next load (without PCIDs, switching CR3
/// flushes user translations anyway).
pub fn flush_page(root: u64, token: u64, virtual_address: u64) {
    if current_root() == root {
        x86_64::instructions::tlb::flush(x86_64::VirtAddr::new_truncate(virtual_address));
    } else if PCID_ENABLED.load(Ordering::Relaxed) {
        crate::address_space_ids::request_flush(token);
    }
}

/// Forgets every user translation of the address space at `root`.
pub fn flush_address_space(root: u64, token: u64) {
    if current_root() == root {
        write_cr3(
            root | if PCID_ENABLED.load(Ordering::Relaxed) {
                pcid_of(token)
            } else {
                0
            },
        );
    } else if PCID_ENABLED.load(Ordering::Relaxed) {
        crate::address_space_ids::request_flush(token);
    }
}

/// The address of the last page fault (CR2).
#[must_use]
pub fn fault_address() -> u64 {
    x86_64::registers::control::Cr2::read_raw()
}

/// Loads `root` into CR3 (flushing every non-global translation).
fn load_root(root: u64) {
    let frame =
        x86_64::structures::paging::PhysFrame::containing_address(x86_64::PhysAddr::new(root));
    // SAFETY: `root` is a complete PML4 that maps the running kernel's code, data,
    // stacks and the direct map at the addresses in use right now.
    unsafe { Cr3::write(frame, x86_64::registers::control::Cr3Flags::empty()) };
}

/// A translation found by [`translate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Translation {
    /// Physical address `virtual_address` maps to.
    pub physical_address: u64,
    /// Whether writes are allowed on every level.
    pub writable: bool,
    /// Whether instruction fetches are allowed on every level.
    pub executable: bool,
    /// Whether user mode may reach it.
    pub user: bool,
}

/// Walks the live page tables (CR3) for `virtual_address`.
#[must_use]
pub fn translate(virtual_address: u64) -> Option<Translation> {
    let (root, _) = Cr3::read_raw();
    let mut table_address = root.start_address().as_u64();
    let mut writable = true;
    let mut executable = true;
    let mut user = true;
    for level in (1..=4u32).rev() {
        let shift = 12 + 9 * (level - 1);
        let index = ((virtual_address >> shift) & 511) as usize;
        let value = table(table_address)[index];
        if value & entry::PRESENT == 0 {
            return None;
        }
        writable &= value & entry::WRITABLE != 0;
        executable &= value & entry::NO_EXECUTE == 0;
        user &= value & entry::USER != 0;
        let leaf = level == 1 || (level <= 3 && value & entry::HUGE != 0);
        if leaf {
            let offset_mask = (1u64 << shift) - 1;
            return Some(Translation {
                physical_address: (value & entry::ADDRESS_MASK & !offset_mask)
                    | (virtual_address & offset_mask),
                writable,
                executable,
                user,
            });
        }
        table_address = value & entry::ADDRESS_MASK;
    }
    None
}

//! The hand-off: exit boot services, write the final memory map into `BootInfo`,
//! switch to the loader's page tables and stack, and jump to the kernel.
//!
//! Everything needed after the exit is allocated by [`prepare`], before it: once
//! boot services are gone nothing here allocates, and errors go straight to COM1.

use alloc::vec;
use alloc::vec::Vec;
use core::arch::asm;

use a9n_abi::boot::{BootInfo, MEMORY_MAP_CAPACITY, MemoryRegion, PAGE_SIZE};
use uefi::boot::{self, MemoryType};
use uefi::mem::memory_map::MemoryMap;

use crate::console::{self, say};
use crate::error::LoaderError;
use crate::kept_memory::KeptBlock;
use crate::memory_map::{self, TooManyRegions};
use crate::page_tables::PageTables;

/// Size of the stack the kernel is entered on.
const STACK_SIZE: u64 = 64 * 1024;
/// Extra room in the memory map scratch buffers for entries that appear between
/// the last look at the map and the exit (the exit's own allocation, for one).
const MAP_SLACK: usize = 64;

/// Everything the jump needs, allocated while boot services still exist.
pub struct Handoff {
    boot_info: KeptBlock,
    pml4: u64,
    stack: KeptBlock,
    entry: u64,
    raw_map: &'static mut [MemoryRegion],
    boundaries: &'static mut [u64],
}

/// A snapshot of UEFI's memory map, converted (not normalized).
pub fn current_memory_map() -> Result<Vec<MemoryRegion>, LoaderError> {
    let map = boot::memory_map(MemoryType::LOADER_DATA)
        .map_err(|error| LoaderError::new("cannot read the memory map", error.status()))?;
    Ok(map
        .entries()
        .map(|descriptor| {
            memory_map::region(
                descriptor.phys_start,
                descriptor.page_count,
                memory_map::classify(descriptor.ty.0),
            )
        })
        .collect())
}

/// Allocates the kernel entry stack and the memory map scratch space, and checks
/// that the memory map fits in `BootInfo` as it stands now.
pub fn prepare(
    boot_info: KeptBlock,
    page_tables: &PageTables,
    entry: u64,
) -> Result<Handoff, LoaderError> {
    let stack = KeptBlock::allocate((STACK_SIZE / PAGE_SIZE) as usize, "the entry stack")?;
    let mut regions = current_memory_map()?;
    let capacity = regions.len() + MAP_SLACK;
    let mut boundaries = vec![0; 2 * capacity];
    let mut normalized = [MemoryRegion::default(); MEMORY_MAP_CAPACITY];
    let count = memory_map::normalize(&mut regions, &mut boundaries, &mut normalized)
        .map_err(|error| too_many(&error))?;
    say!(
        "memory map {} UEFI entries, {count} after merging",
        regions.len()
    );
    say!(
        "page tables at {:#x} ({} KiB), physical map [0, {:#x}), stack top {:#x}",
        page_tables.pml4,
        page_tables.size / 1024,
        page_tables.physical_limit,
        stack.address() + stack.size()
    );
    Ok(Handoff {
        boot_info,
        pml4: page_tables.pml4,
        stack,
        entry,
        raw_map: vec![MemoryRegion::default(); capacity].leak(),
        boundaries: boundaries.leak(),
    })
}

fn too_many(error: &TooManyRegions) -> LoaderError {
    LoaderError::new(
        "memory map too large",
        format_args!("{} entries, at most {}", error.needed, error.capacity),
    )
}

impl Handoff {
    /// Exits boot services, fills in the memory map and enters the kernel.
    pub fn exit_and_jump(self) -> ! {
        let Self {
            mut boot_info,
            pml4,
            stack,
            entry,
            raw_map,
            boundaries,
        } = self;
        // SAFETY: no protocol, pool string or other boot services object is alive
        // (the volume, the GOP and every temporary were dropped before); from here
        // on only the kept blocks and the leaked scratch buffers are used.
        let final_map = unsafe { boot::exit_boot_services(None) };
        console::mark_boot_services_exited();

        let entry_count = final_map.len();
        if entry_count > raw_map.len() {
            console::fail_with(format_args!(
                "memory map too large ({entry_count} UEFI entries, room for {})",
                raw_map.len()
            ));
        }
        for (slot, descriptor) in raw_map.iter_mut().zip(final_map.entries()) {
            *slot = memory_map::region(
                descriptor.phys_start,
                descriptor.page_count,
                memory_map::classify(descriptor.ty.0),
            );
        }
        // The map's buffer is loader data the kernel will reuse; never free it.
        core::mem::forget(final_map);

        let boot_info_address = boot_info.address();
        // SAFETY: the block was sized for a BootInfo and holds one (written in main).
        let info = unsafe { boot_info.as_mut::<BootInfo>() };
        match memory_map::normalize(
            &mut raw_map[..entry_count],
            boundaries,
            &mut info.memory_map,
        ) {
            Ok(count) => info.memory_map_count = count as u64,
            // No `LoaderError` here: it would allocate.
            Err(error) => console::fail_with(format_args!(
                "memory map too large ({} entries, at most {})",
                error.needed, error.capacity
            )),
        }

        let stack_top = stack.address() + stack.size();
        // SAFETY: the page tables map this code (identity), the stack and the kernel;
        // the kernel's entry takes the boot info's physical address in RDI.
        unsafe { jump(entry, boot_info_address, pml4, stack_top) }
    }
}

/// Loads CR3, switches the stack and jumps to `entry` with RDI = `boot_info`.
///
/// The stack gets a zero return address pushed, so the kernel sees the usual
/// function-entry alignment (RSP + 8 a multiple of 16) and a backtrace ends there.
///
/// # Safety
///
/// `pml4` must map the code running this function at identity, `stack_top` must be
/// the writable, mapped, 16-byte aligned top of a stack and `entry` a kernel entry
/// point mapped by `pml4`.
unsafe fn jump(entry: u64, boot_info: u64, pml4: u64, stack_top: u64) -> ! {
    // SAFETY: guaranteed by the caller; nothing returns from here.
    unsafe {
        asm!(
            "cli",
            "cld",
            "mov cr3, {pml4}",
            "mov rsp, {stack_top}",
            "xor ebp, ebp",
            "push rbp",
            "jmp {entry}",
            pml4 = in(reg) pml4,
            stack_top = in(reg) stack_top,
            entry = in(reg) entry,
            in("rdi") boot_info,
            options(noreturn)
        )
    }
}

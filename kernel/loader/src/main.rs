//! UEFI loader for the A9N kernel.
//!
//! It reads `\a9n\kernel.elf`, `\a9n\init.elf` and the files of `\a9n\modules\`
//! from its own FAT volume, lays them out in memory it keeps from UEFI, builds
//! page tables, exits boot services and enters the kernel with `RDI` = the physical
//! address of a [`BootInfo`] (the contract is in `a9n_abi::boot`).
//!
//! Any failure prints one `loader: error: ...` line, writes `LOADER_FAILURE` to
//! QEMU's debug-exit port and halts.
#![no_std]
#![no_main]

extern crate alloc;

mod arch_info;
mod console;
mod cpu;
mod elf_loading;
mod elf_plan;
mod error;
mod files;
mod handoff;
mod kept_memory;
mod memory_map;
mod modules;
mod page_tables;
mod serial;

use core::mem::size_of;

use a9n_abi::boot::{BootInfo, MemoryRegion};
use uefi::prelude::*;

use crate::console::say;
use crate::elf_plan::ImageKind;
use crate::error::LoaderError;
use crate::handoff::Handoff;
use crate::kept_memory::{KeptBlock, pages_for};

/// Path of the kernel on the loader's volume.
const KERNEL_PATH: &str = "\\a9n\\kernel.elf";
/// Path of the init server on the loader's volume.
const INIT_PATH: &str = "\\a9n\\init.elf";

#[entry]
fn main() -> Status {
    let start_tsc = cpu::read_tsc();
    say!("A9N loader {}", env!("CARGO_PKG_VERSION"));
    match prepare(start_tsc) {
        Ok(handoff) => {
            say!("starting kernel");
            handoff.exit_and_jump()
        }
        Err(error) => console::fail(&error),
    }
}

/// Does everything up to (not including) the exit from boot services.
fn prepare(start_tsc: u64) -> Result<Handoff, LoaderError> {
    if cpu::five_level_paging_active() {
        return Err(LoaderError::new(
            "unsupported paging mode",
            "firmware runs with 5-level paging, the loader builds 4-level tables",
        ));
    }

    let mut volume = files::Volume::open()?;
    let kernel = elf_loading::load(&mut volume, KERNEL_PATH, ImageKind::Kernel)?;
    say!(
        "kernel.elf {} bytes, entry {:#x}, {:#x}..{:#x} at physical {:#x}",
        kernel.file_size,
        kernel.plan.entry,
        kernel.plan.base,
        kernel.plan.base + kernel.plan.span,
        kernel.block.address()
    );
    let init = elf_loading::load(&mut volume, INIT_PATH, ImageKind::Init)?;
    say!(
        "init.elf {} bytes, entry {:#x}, {:#x}..{:#x} at physical {:#x}, {} segments",
        init.file_size,
        init.plan.entry,
        init.plan.base,
        init.plan.base + init.plan.span,
        init.block.address(),
        init.plan.segments.len()
    );
    let modules = modules::load_all(&mut volume)?;
    drop(volume);

    let mut boot_info_block = KeptBlock::allocate(
        pages_for(size_of::<BootInfo>() as u64) as usize,
        "boot info",
    )?;
    let boot_info_address = boot_info_block.address();
    // SAFETY: the block is zeroed, big enough, page aligned, and BootInfo is plain
    // integers (all zeroes is a valid value).
    let boot_info = unsafe { boot_info_block.as_mut::<BootInfo>() };
    *boot_info = BootInfo::new();
    boot_info.loader_start_tsc = start_tsc;
    boot_info.kernel = kernel.kernel_image();
    boot_info.init = init.init_image();
    boot_info.modules[..modules.len()].copy_from_slice(&modules);
    boot_info.module_count = modules.len() as u64;
    boot_info.arch_info = arch_info::collect();
    say!(
        "boot info at {:#x}, ACPI RSDP {:#x}, framebuffer {:#x}",
        boot_info_address,
        boot_info.arch_info[a9n_abi::boot::ARCH_INFO_ACPI_RSDP],
        boot_info.arch_info[a9n_abi::boot::ARCH_INFO_FRAMEBUFFER_ADDRESS]
    );

    let memory_end = handoff::current_memory_map()?
        .iter()
        .map(MemoryRegion::end)
        .max()
        .unwrap_or(0);
    let page_tables = page_tables::build(memory_end, &kernel.kernel_image())?;
    handoff::prepare(boot_info_block, &page_tables, kernel.plan.entry)
}

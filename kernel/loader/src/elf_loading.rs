//! Loading the kernel and init ELF images into kept memory, following an
//! [`elf_plan`] plan, and describing them for `BootInfo`.

use alloc::vec;

use a9n_abi::boot::{INIT_SEGMENT_CAPACITY, InitImage, InitSegment, KernelImage, PAGE_SIZE};

use crate::elf_plan::{self, ElfError, ImageKind, LoadPlan};
use crate::error::LoaderError;
use crate::files::Volume;
use crate::kept_memory::{KeptBlock, pages_for};

/// How much of the file is read first to find the headers (they are nearly always
/// in the first page).
const HEADER_PREFIX: u64 = 16 * 1024;
/// Pages after the init image: the `init_info` page, then the IPC buffer page.
const INIT_EXTRA_PAGES: u64 = 2;

/// An ELF image laid out in its kept block.
pub struct LoadedElf {
    /// Where everything went.
    pub plan: LoadPlan,
    /// The block: `plan.span` bytes of image (plus init's extra pages).
    pub block: KeptBlock,
    /// Size of the ELF file.
    pub file_size: u64,
}

/// Reads, checks and lays out the ELF file at `path`.
pub fn load(volume: &mut Volume, path: &str, kind: ImageKind) -> Result<LoadedElf, LoaderError> {
    let mut file = volume.open_file(path)?;
    let file_size = file.size();
    let bad_elf = |error: ElfError| LoaderError::new(format_args!("bad ELF: {error}"), path);

    let mut prefix = vec![0; HEADER_PREFIX.min(file_size) as usize];
    file.read_exact_at(0, &mut prefix)?;
    let plan = match elf_plan::plan(&prefix, file_size, kind) {
        Err(ElfError::HeadersTruncated { needed }) => {
            prefix = vec![0; needed as usize];
            file.read_exact_at(0, &mut prefix)?;
            elf_plan::plan(&prefix, file_size, kind).map_err(bad_elf)?
        }
        result => result.map_err(bad_elf)?,
    };
    drop(prefix);

    let extra_pages = match kind {
        ImageKind::Kernel => 0,
        ImageKind::Init => INIT_EXTRA_PAGES,
    };
    let pages = pages_for(plan.span) + extra_pages;
    let mut block = KeptBlock::allocate(pages as usize, path)?;
    let bytes = block.bytes_mut();
    for segment in &plan.segments {
        let start = segment.block_offset(&plan) as usize;
        let destination = &mut bytes[start..start + segment.file_size as usize];
        file.read_exact_at(segment.file_offset, destination)?;
    }
    Ok(LoadedElf {
        plan,
        block,
        file_size,
    })
}

impl LoadedElf {
    /// The `BootInfo::kernel` description of a kernel image.
    #[must_use]
    pub fn kernel_image(&self) -> KernelImage {
        KernelImage {
            physical_address: self.block.address(),
            virtual_address: self.plan.base,
            size: self.block.size(),
        }
    }

    /// The `BootInfo::init` description of an init image.
    #[must_use]
    pub fn init_image(&self) -> InitImage {
        let mut segments = [InitSegment::default(); INIT_SEGMENT_CAPACITY];
        for (slot, segment) in segments.iter_mut().zip(&self.plan.segments) {
            let start = segment.virtual_address & !(PAGE_SIZE - 1);
            let end = (segment.virtual_address + segment.memory_size).next_multiple_of(PAGE_SIZE);
            *slot = InitSegment {
                virtual_address: start,
                size: end - start,
                flags: segment.flags,
            };
        }
        let image_end = self.plan.base + self.plan.span;
        InitImage {
            physical_address: self.block.address(),
            virtual_address: self.plan.base,
            size: self.block.size(),
            entry_point: self.plan.entry,
            init_info_address: image_end,
            ipc_buffer_address: image_end + PAGE_SIZE,
            segment_count: self.plan.segments.len().min(INIT_SEGMENT_CAPACITY) as u64,
            segments,
        }
    }
}

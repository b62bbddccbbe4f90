//! The boot protocol (docs/abi.md section 8): what the UEFI loader hands the kernel.
//!
//! The loader calls the kernel's ELF entry point in 64-bit mode with interrupts
//! disabled and `RDI` = the *physical* address of a [`BootInfo`]. At that moment the
//! loader's page tables map:
//! - physical memory `[0, max(4 GiB, end of the memory map))` at identity *and* at
//!   [`DIRECT_MAP_BASE`], with 2 MiB pages;
//! - the kernel image at its link address ([`KERNEL_VIRTUAL_BASE`] and up) onto one
//!   physically contiguous block ([`KernelImage`]).
//!
//! The kernel must not rely on the identity map or on the loader's stack: it
//! switches to its own stack and page tables at once. Every block the loader keeps
//! (kernel, init, modules, this structure, its page tables) is reported as
//! [`MemoryType::Reserved`]; everything UEFI no longer needs is [`MemoryType::Free`].
//!
//! Files the loader reads from its own FAT volume: `\a9n\kernel.elf`,
//! `\a9n\init.elf`, and every file in `\a9n\modules\` (sorted by name).

use core::mem::{offset_of, size_of};

/// `BootInfo::magic`: the bytes `A9NBOOT1`.
pub const BOOT_INFO_MAGIC: u64 = u64::from_le_bytes(*b"A9NBOOT1");
/// `BootInfo::version` of this layout.
pub const BOOT_INFO_VERSION: u64 = 1;

/// Virtual address the kernel is linked at (the top 2 GiB, for `code-model=kernel`).
pub const KERNEL_VIRTUAL_BASE: u64 = 0xffff_ffff_8000_0000;
/// Virtual address at which the kernel sees all of physical memory.
pub const DIRECT_MAP_BASE: u64 = 0xffff_8000_0000_0000;
/// First virtual address that belongs to the kernel; user mappings stay below.
pub const USER_ADDRESS_LIMIT: u64 = 0x0000_8000_0000_0000;
/// Size of a base page.
pub const PAGE_SIZE: u64 = 4096;

/// Capacity of [`BootInfo::memory_map`].
pub const MEMORY_MAP_CAPACITY: usize = 256;
/// Capacity of [`BootInfo::modules`].
pub const MODULE_CAPACITY: usize = 16;
/// Bytes of a module name, NUL-padded (UTF-8).
pub const MODULE_NAME_CAPACITY: usize = 48;
/// Words of [`BootInfo::arch_info`] (and of `init_info`'s copy of it).
pub const ARCH_INFO_WORDS: usize = 128;
/// Capacity of [`InitImage::segments`].
pub const INIT_SEGMENT_CAPACITY: usize = 8;

/// `arch_info` slot: physical address of the ACPI RSDP (0 if none).
pub const ARCH_INFO_ACPI_RSDP: usize = 0;
/// `arch_info` slot: physical address of the linear framebuffer (0 if none).
pub const ARCH_INFO_FRAMEBUFFER_ADDRESS: usize = 1;
/// `arch_info` slot: framebuffer size in bytes.
pub const ARCH_INFO_FRAMEBUFFER_SIZE: usize = 2;
/// `arch_info` slot: framebuffer width in pixels.
pub const ARCH_INFO_FRAMEBUFFER_WIDTH: usize = 3;
/// `arch_info` slot: framebuffer height in pixels.
pub const ARCH_INFO_FRAMEBUFFER_HEIGHT: usize = 4;
/// `arch_info` slot: pixels per scan line.
pub const ARCH_INFO_FRAMEBUFFER_STRIDE: usize = 5;
/// `arch_info` slot: pixel format (0 RGB, 1 BGR, 2 bit mask, 3 none: the UEFI GOP values).
pub const ARCH_INFO_FRAMEBUFFER_FORMAT: usize = 6;

/// What a [`MemoryRegion`] holds.
#[repr(u64)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoryType {
    /// RAM nobody uses: it becomes Generic memory for init.
    Free = 0,
    /// Memory-mapped device registers: it becomes device Generic memory.
    Device = 1,
    /// Firmware tables, the kernel, init, modules, boot structures: never handed out.
    Reserved = 2,
}

impl TryFrom<u64> for MemoryType {
    type Error = u64;

    fn try_from(word: u64) -> Result<Self, u64> {
        match word {
            0 => Ok(Self::Free),
            1 => Ok(Self::Device),
            2 => Ok(Self::Reserved),
            other => Err(other),
        }
    }
}

/// One entry of the memory map: `page_count` pages of 4 KiB from `start`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct MemoryRegion {
    /// Physical address of the first byte (page aligned).
    pub start: u64,
    /// Number of 4 KiB pages.
    pub page_count: u64,
    /// A [`MemoryType`] as a word.
    pub memory_type: u64,
}

impl MemoryRegion {
    /// Physical address one past the last byte.
    #[must_use]
    pub const fn end(&self) -> u64 {
        self.start + self.page_count * PAGE_SIZE
    }
}

/// Where the loader put the kernel: `size` bytes from `virtual_address` are backed by
/// the same number of bytes from `physical_address`, contiguously.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct KernelImage {
    /// Physical address of the block (page aligned).
    pub physical_address: u64,
    /// Virtual address of its first byte (page aligned, >= [`KERNEL_VIRTUAL_BASE`]).
    pub virtual_address: u64,
    /// Size of the block in bytes (a multiple of the page size).
    pub size: u64,
}

/// Segment permission bit: readable (the ABI's map attribute READ).
pub const SEGMENT_READ: u64 = 1;
/// Segment permission bit: writable (the ABI's map attribute WRITE).
pub const SEGMENT_WRITE: u64 = 2;
/// Segment permission bit: executable (the ABI's map attribute EXECUTE).
pub const SEGMENT_EXECUTE: u64 = 4;

/// One loadable segment of the init image, page-rounded.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct InitSegment {
    /// Virtual address of the first page.
    pub virtual_address: u64,
    /// Size in bytes (a multiple of the page size).
    pub size: u64,
    /// `SEGMENT_*` bits.
    pub flags: u64,
}

/// The init server's image, already laid out in memory by the loader.
///
/// `size` bytes from `physical_address` back the virtual range from
/// `virtual_address`: first the ELF's loadable segments (bss zeroed), then one page
/// reserved for `init_info` and one page for init's IPC buffer (both zeroed).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct InitImage {
    /// Physical address of the block (page aligned).
    pub physical_address: u64,
    /// Virtual address of its first byte (page aligned).
    pub virtual_address: u64,
    /// Size of the block in bytes, the two extra pages included.
    pub size: u64,
    /// ELF entry point.
    pub entry_point: u64,
    /// Virtual address of the `init_info` page inside the block.
    pub init_info_address: u64,
    /// Virtual address of the IPC buffer page inside the block.
    pub ipc_buffer_address: u64,
    /// Number of valid entries in `segments`.
    pub segment_count: u64,
    /// The loadable segments, sorted by address, not overlapping.
    pub segments: [InitSegment; INIT_SEGMENT_CAPACITY],
}

/// A file from `\a9n\modules\`, loaded at a page-aligned physical address.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootModule {
    /// File name, UTF-8, NUL-padded.
    pub name: [u8; MODULE_NAME_CAPACITY],
    /// Physical address of the first byte (page aligned).
    pub physical_address: u64,
    /// Size in bytes.
    pub size: u64,
}

impl Default for BootModule {
    fn default() -> Self {
        Self {
            name: [0; MODULE_NAME_CAPACITY],
            physical_address: 0,
            size: 0,
        }
    }
}

impl BootModule {
    /// The name without its NUL padding (empty if it is not UTF-8).
    #[must_use]
    pub fn name(&self) -> &str {
        let length = self
            .name
            .iter()
            .position(|&byte| byte == 0)
            .unwrap_or(MODULE_NAME_CAPACITY);
        core::str::from_utf8(&self.name[..length]).unwrap_or("")
    }
}

/// Everything the loader tells the kernel.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct BootInfo {
    /// [`BOOT_INFO_MAGIC`].
    pub magic: u64,
    /// [`BOOT_INFO_VERSION`].
    pub version: u64,
    /// Time stamp counter read when the loader started (0 if unknown).
    pub loader_start_tsc: u64,
    /// Number of valid entries in `memory_map`.
    pub memory_map_count: u64,
    /// Physical memory, sorted by address, adjacent entries of one type merged.
    pub memory_map: [MemoryRegion; MEMORY_MAP_CAPACITY],
    /// Where the kernel image is.
    pub kernel: KernelImage,
    /// Where the init image is.
    pub init: InitImage,
    /// Architecture information (`ARCH_INFO_*` slots; unused slots are 0).
    pub arch_info: [u64; ARCH_INFO_WORDS],
    /// Number of valid entries in `modules`.
    pub module_count: u64,
    /// The boot modules.
    pub modules: [BootModule; MODULE_CAPACITY],
}

impl BootInfo {
    /// An empty boot info with magic and version set.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            magic: BOOT_INFO_MAGIC,
            version: BOOT_INFO_VERSION,
            loader_start_tsc: 0,
            memory_map_count: 0,
            memory_map: [MemoryRegion {
                start: 0,
                page_count: 0,
                memory_type: 0,
            }; MEMORY_MAP_CAPACITY],
            kernel: KernelImage {
                physical_address: 0,
                virtual_address: 0,
                size: 0,
            },
            init: InitImage {
                physical_address: 0,
                virtual_address: 0,
                size: 0,
                entry_point: 0,
                init_info_address: 0,
                ipc_buffer_address: 0,
                segment_count: 0,
                segments: [InitSegment {
                    virtual_address: 0,
                    size: 0,
                    flags: 0,
                }; INIT_SEGMENT_CAPACITY],
            },
            arch_info: [0; ARCH_INFO_WORDS],
            module_count: 0,
            modules: [BootModule {
                name: [0; MODULE_NAME_CAPACITY],
                physical_address: 0,
                size: 0,
            }; MODULE_CAPACITY],
        }
    }

    /// The valid part of the memory map (clamped to the capacity).
    #[must_use]
    pub fn memory_regions(&self) -> &[MemoryRegion] {
        let count = (self.memory_map_count as usize).min(MEMORY_MAP_CAPACITY);
        &self.memory_map[..count]
    }

    /// The valid part of the module list (clamped to the capacity).
    #[must_use]
    pub fn boot_modules(&self) -> &[BootModule] {
        let count = (self.module_count as usize).min(MODULE_CAPACITY);
        &self.modules[..count]
    }

    /// The valid init segments (clamped to the capacity).
    #[must_use]
    pub fn init_segments(&self) -> &[InitSegment] {
        let count = (self.init.segment_count as usize).min(INIT_SEGMENT_CAPACITY);
        &self.init.segments[..count]
    }
}

impl Default for BootInfo {
    fn default() -> Self {
        Self::new()
    }
}

// Layout assertions: the loader and the kernel are built separately, so the layout
// is pinned here and checked at compile time.
const _: () = {
    assert!(size_of::<MemoryRegion>() == 24);
    assert!(size_of::<KernelImage>() == 24);
    assert!(size_of::<InitSegment>() == 24);
    assert!(size_of::<InitImage>() == 56 + 24 * INIT_SEGMENT_CAPACITY);
    assert!(size_of::<BootModule>() == 64);
    assert!(offset_of!(BootInfo, magic) == 0);
    assert!(offset_of!(BootInfo, version) == 8);
    assert!(offset_of!(BootInfo, loader_start_tsc) == 16);
    assert!(offset_of!(BootInfo, memory_map_count) == 24);
    assert!(offset_of!(BootInfo, memory_map) == 32);
    assert!(offset_of!(BootInfo, kernel) == 32 + 24 * MEMORY_MAP_CAPACITY);
    assert!(offset_of!(BootInfo, init) == 56 + 24 * MEMORY_MAP_CAPACITY);
    assert!(offset_of!(BootInfo, arch_info) == 56 + 24 * MEMORY_MAP_CAPACITY + 248);
    assert!(size_of::<BootInfo>() == 56 + 24 * MEMORY_MAP_CAPACITY + 248 + 8 * 128 + 8 + 64 * 16);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_spells_a9nboot1() {
        assert_eq!(&BOOT_INFO_MAGIC.to_le_bytes(), b"A9NBOOT1");
    }

    #[test]
    fn memory_type_round_trips_and_rejects_unknown() {
        for memory_type in [MemoryType::Free, MemoryType::Device, MemoryType::Reserved] {
            assert_eq!(MemoryType::try_from(memory_type as u64), Ok(memory_type));
        }
        assert_eq!(MemoryType::try_from(3), Err(3));
    }

    #[test]
    fn counts_are_clamped_to_capacity() {
        let mut info = BootInfo::new();
        info.memory_map_count = u64::MAX;
        info.module_count = 1000;
        info.init.segment_count = 99;
        assert_eq!(info.memory_regions().len(), MEMORY_MAP_CAPACITY);
        assert_eq!(info.boot_modules().len(), MODULE_CAPACITY);
        assert_eq!(info.init_segments().len(), INIT_SEGMENT_CAPACITY);
    }

    #[test]
    fn module_name_strips_padding() {
        let mut module = BootModule::default();
        module.name[..10].copy_from_slice(b"rootfs.img");
        assert_eq!(module.name(), "rootfs.img");
        module.name = [b'x'; MODULE_NAME_CAPACITY];
        assert_eq!(module.name().len(), MODULE_NAME_CAPACITY);
    }

    #[test]
    fn region_end_is_start_plus_pages() {
        let region = MemoryRegion {
            start: 0x10_0000,
            page_count: 3,
            memory_type: MemoryType::Free as u64,
        };
        assert_eq!(region.end(), 0x10_3000);
    }
}

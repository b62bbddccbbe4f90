//! The init protocol (docs/abi.md section 9): what the kernel gives the initial
//! thread.
//!
//! The kernel creates the initial thread at priority
//! [`INIT_PRIORITY`](crate::scheduling::INIT_PRIORITY) with a radix-8 root node
//! ([`RootSlot`]) and starts it at the init image's ELF entry with `RDI` = the
//! virtual address of its [`InitInfo`] page and `RSP` = 0: init must switch to a
//! stack inside its own image (its `.bss`) before it calls anything. Every other
//! register is 0 (RFLAGS: interrupts enabled). The IPC buffer is configured (root
//! slot 6, at [`InitInfo::ipc_buffer_address`]) but the thread-local base is 0: init
//! sets up its own `gs:[0]` word.
//!
//! Contents of the nodes in root slots 4, 5, 7 and 10 (KOITO decisions; each node's
//! radix is in `InitInfo`):
//! - 4: the page tables that map the init image, in no particular order
//!   ([`InitInfo::page_table_count`] of them from slot 0);
//! - 5: the 4 KiB frames of the init image: slot i is the frame mapped at
//!   [`InitInfo::image_address`] + i * 4096 ([`InitInfo::frame_count`] of them); the
//!   last two are the `init_info` page and the IPC buffer;
//! - 7: the Generics, slot i described by `generics[i]`;
//! - 10: the 4 KiB frames of every boot module, consecutive per module from
//!   [`ModuleDescription::slot`].

use core::mem::{offset_of, size_of};

use crate::boot::{ARCH_INFO_WORDS, MODULE_CAPACITY, MODULE_NAME_CAPACITY, PAGE_SIZE};
use crate::descriptor::Descriptor;
use crate::register::Register;

/// Radix of init's root node (256 slots).
pub const ROOT_RADIX: u32 = 8;
/// The register that carries the address of [`InitInfo`] at init's entry.
pub const INIT_INFO_REGISTER: Register = Register::Rdi;
/// [`InitInfo::version`] of this layout.
pub const INIT_INFO_VERSION: u64 = 1;
/// Capacity of [`InitInfo::generics`]: the kernel makes at most this many Generics
/// (if free and device memory split into more aligned blocks, it drops the smallest).
pub const GENERIC_CAPACITY: usize = 80;
/// Words of [`InitInfo::reserved`] (pad the structure to exactly one page).
pub const INIT_INFO_RESERVED_WORDS: usize = 5;

word_enum! {
    /// A slot of init's root node.
    pub enum RootSlot: u64 {
        /// Reserved, always empty.
        Reserved = 0 => "RESERVED",
        /// Init's own PCB.
        ProcessControlBlock = 1 => "PROCESS_CONTROL_BLOCK",
        /// Init's own address space.
        AddressSpace = 2 => "ADDRESS_SPACE",
        /// The root node itself.
        RootNode = 3 => "ROOT_NODE",
        /// Node of the page tables that map the init image.
        PageTableNode = 4 => "PAGE_TABLE_NODE",
        /// Node of the frames that hold the init image.
        FrameNode = 5 => "FRAME_NODE",
        /// Init's IPC buffer frame.
        IpcBuffer = 6 => "IPC_BUFFER",
        /// Node of the Generics covering all free memory and device memory.
        GenericNode = 7 => "GENERIC_NODE",
        /// The interrupt region.
        InterruptRegion = 8 => "INTERRUPT_REGION",
        /// The IO port capability covering ports 0..=0xffff.
        IoPort = 9 => "IO_PORT",
        /// Node of the boot modules' frames (KOITO extension).
        BootModuleNode = 10 => "BOOT_MODULE_NODE",
    }
}

impl RootSlot {
    /// The slot number.
    #[must_use]
    pub const fn index(self) -> u64 {
        self as u64
    }

    /// The descriptor of this slot, resolved from init's root node.
    #[must_use]
    pub const fn descriptor(self) -> Descriptor {
        match Descriptor::root_slot(ROOT_RADIX, self.index()) {
            Ok(descriptor) => descriptor,
            // Every slot number is below 2^ROOT_RADIX (checked below).
            Err(_) => unreachable!(),
        }
    }
}

const _: () = assert!((RootSlot::ALL.len() as u64) < 1 << ROOT_RADIX);

/// One Generic of root slot 7.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct GenericDescription {
    /// Physical address of the first byte (aligned to the size).
    pub physical_address: u64,
    /// log2 of the size in bytes.
    pub size_bits: u64,
    /// 1 for device memory (converts only to FRAME or GENERIC), 0 for RAM.
    pub is_device: u64,
}

impl GenericDescription {
    /// Size in bytes (0 if `size_bits` is out of range).
    #[must_use]
    pub const fn size(&self) -> u64 {
        if self.size_bits < u64::BITS as u64 {
            1 << self.size_bits
        } else {
            0
        }
    }

    /// True for device memory.
    #[must_use]
    pub const fn device(&self) -> bool {
        self.is_device != 0
    }
}

/// One boot module: its frames are in root slot 10's node.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModuleDescription {
    /// File name, UTF-8, NUL-padded (as in `boot::BootModule`).
    pub name: [u8; MODULE_NAME_CAPACITY],
    /// Size in bytes.
    pub size: u64,
    /// Slot of the module's first 4 KiB frame in root slot 10's node; the others
    /// follow in consecutive slots.
    pub slot: u64,
}

impl Default for ModuleDescription {
    fn default() -> Self {
        Self {
            name: [0; MODULE_NAME_CAPACITY],
            size: 0,
            slot: 0,
        }
    }
}

impl ModuleDescription {
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

    /// Number of 4 KiB frames (slots) the module occupies.
    #[must_use]
    pub const fn frame_count(&self) -> u64 {
        self.size.div_ceil(PAGE_SIZE)
    }
}

/// The page the kernel writes into the init image for init.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InitInfo {
    /// [`INIT_INFO_VERSION`].
    pub version: u64,
    /// The loader's `arch_info`, copied (`boot::ARCH_INFO_*` slots).
    pub arch_info: [u64; ARCH_INFO_WORDS],
    /// Virtual address of init's IPC buffer.
    pub ipc_buffer_address: u64,
    /// Virtual address of the first page of the init image (frame node slot 0).
    pub image_address: u64,
    /// Radix of the node in root slot 4.
    pub page_table_node_radix: u64,
    /// Number of page tables in root slot 4's node (slots 0..count).
    pub page_table_count: u64,
    /// Radix of the node in root slot 5.
    pub frame_node_radix: u64,
    /// Number of frames in root slot 5's node (slots 0..count).
    pub frame_count: u64,
    /// Radix of the node in root slot 7.
    pub generic_node_radix: u64,
    /// Radix of the node in root slot 10.
    pub boot_module_node_radix: u64,
    /// Number of valid entries in `generics`.
    pub generic_count: u64,
    /// The Generics, in the order of root slot 7's node.
    pub generics: [GenericDescription; GENERIC_CAPACITY],
    /// Number of valid entries in `modules`.
    pub module_count: u64,
    /// The boot modules, in the loader's order (sorted by name).
    pub modules: [ModuleDescription; MODULE_CAPACITY],
    /// Zero; pads the structure to one page.
    pub reserved: [u64; INIT_INFO_RESERVED_WORDS],
}

impl InitInfo {
    /// An empty init info with the version set.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            version: INIT_INFO_VERSION,
            arch_info: [0; ARCH_INFO_WORDS],
            ipc_buffer_address: 0,
            image_address: 0,
            page_table_node_radix: 0,
            page_table_count: 0,
            frame_node_radix: 0,
            frame_count: 0,
            generic_node_radix: 0,
            boot_module_node_radix: 0,
            generic_count: 0,
            generics: [GenericDescription {
                physical_address: 0,
                size_bits: 0,
                is_device: 0,
            }; GENERIC_CAPACITY],
            module_count: 0,
            modules: [ModuleDescription {
                name: [0; MODULE_NAME_CAPACITY],
                size: 0,
                slot: 0,
            }; MODULE_CAPACITY],
            reserved: [0; INIT_INFO_RESERVED_WORDS],
        }
    }

    /// The valid Generic descriptions (clamped to the capacity).
    #[must_use]
    pub fn generic_descriptions(&self) -> &[GenericDescription] {
        let count = (self.generic_count as usize).min(GENERIC_CAPACITY);
        &self.generics[..count]
    }

    /// The valid module descriptions (clamped to the capacity).
    #[must_use]
    pub fn module_descriptions(&self) -> &[ModuleDescription] {
        let count = (self.module_count as usize).min(MODULE_CAPACITY);
        &self.modules[..count]
    }
}

impl Default for InitInfo {
    fn default() -> Self {
        Self::new()
    }
}

const _: () = {
    assert!(size_of::<GenericDescription>() == 24);
    assert!(size_of::<ModuleDescription>() == 64);
    assert!(offset_of!(InitInfo, version) == 0);
    assert!(offset_of!(InitInfo, arch_info) == 8);
    assert!(offset_of!(InitInfo, ipc_buffer_address) == 1032);
    assert!(offset_of!(InitInfo, image_address) == 1040);
    assert!(offset_of!(InitInfo, page_table_node_radix) == 1048);
    assert!(offset_of!(InitInfo, page_table_count) == 1056);
    assert!(offset_of!(InitInfo, frame_node_radix) == 1064);
    assert!(offset_of!(InitInfo, frame_count) == 1072);
    assert!(offset_of!(InitInfo, generic_node_radix) == 1080);
    assert!(offset_of!(InitInfo, boot_module_node_radix) == 1088);
    assert!(offset_of!(InitInfo, generic_count) == 1096);
    assert!(offset_of!(InitInfo, generics) == 1104);
    assert!(offset_of!(InitInfo, module_count) == 1104 + 24 * GENERIC_CAPACITY);
    assert!(offset_of!(InitInfo, modules) == 1112 + 24 * GENERIC_CAPACITY);
    assert!(offset_of!(InitInfo, reserved) == 1112 + 24 * GENERIC_CAPACITY + 64 * MODULE_CAPACITY);
    assert!(size_of::<InitInfo>() == PAGE_SIZE as usize);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_slots_round_trip_with_their_spec_numbers() {
        assert_eq!(RootSlot::ALL.len(), 11);
        for (number, &slot) in RootSlot::ALL.iter().enumerate() {
            assert_eq!(slot.index(), number as u64);
            assert_eq!(RootSlot::try_from(number as u64), Ok(slot));
        }
        for word in [11, 255, 256, u64::MAX] {
            assert_eq!(RootSlot::try_from(word), Err(word));
        }
        assert_eq!(RootSlot::GenericNode.index(), 7);
        assert_eq!(RootSlot::BootModuleNode.name(), "BOOT_MODULE_NODE");
    }

    #[test]
    fn root_slot_descriptors_follow_the_spec_formula() {
        for &slot in RootSlot::ALL {
            let descriptor = slot.descriptor();
            assert_eq!(
                descriptor.as_word(),
                0x0800_0000_0000_0000 | slot.index() << 48
            );
            assert_eq!(descriptor.index_at(8, ROOT_RADIX), Some(slot.index()));
        }
    }

    #[test]
    fn new_init_info_is_versioned_and_empty() {
        let info = InitInfo::default();
        assert_eq!(info.version, INIT_INFO_VERSION);
        assert!(info.generic_descriptions().is_empty());
        assert!(info.module_descriptions().is_empty());
        assert_eq!(info.reserved, [0; INIT_INFO_RESERVED_WORDS]);
    }

    #[test]
    fn counts_are_clamped_to_capacity() {
        let mut info = InitInfo::new();
        info.generic_count = u64::MAX;
        info.module_count = 17;
        assert_eq!(info.generic_descriptions().len(), GENERIC_CAPACITY);
        assert_eq!(info.module_descriptions().len(), MODULE_CAPACITY);
        info.generic_count = 3;
        assert_eq!(info.generic_descriptions().len(), 3);
    }

    #[test]
    fn descriptions_decode() {
        let generic = GenericDescription {
            physical_address: 0x20_0000,
            size_bits: 21,
            is_device: 1,
        };
        assert_eq!(generic.size(), 2 << 20);
        assert!(generic.device());
        assert_eq!(
            GenericDescription {
                size_bits: 64,
                ..generic
            }
            .size(),
            0
        );
        let mut module = ModuleDescription {
            size: 4097,
            slot: 3,
            ..ModuleDescription::default()
        };
        module.name[..10].copy_from_slice(b"rootfs.img");
        assert_eq!(module.name(), "rootfs.img");
        assert_eq!(module.frame_count(), 2);
        assert_eq!(ModuleDescription::default().frame_count(), 0);
    }
}

//! Paging numbers for ADDRESS_SPACE MAP (docs/abi.md section 5): map attributes,
//! page-table depths and frame sizes on x86_64.
//!
//! The address space itself is the PML4 (depth 4). A page table of depth d maps
//! the level below it; a frame goes in at the level that maps its size:
//!
//! | object | depth | what one entry maps | region one table covers |
//! |---|---|---|---|
//! | PDPT | 3 | 1 GiB (a 30-bit frame or a PD) | 512 GiB (39 bits) |
//! | PD | 2 | 2 MiB (a 21-bit frame or a PT) | 1 GiB (30 bits) |
//! | PT | 1 | 4 KiB (a 12-bit frame) | 2 MiB (21 bits) |

use crate::rights::Rights;

word_flags! {
    /// Attributes of a mapping (ADDRESS_SPACE MAP, MR4).
    pub struct MapAttributes {
        /// Readable (x86_64 mappings are always readable when present).
        const READ = 1 => "READ";
        /// Writable.
        const WRITE = 2 => "WRITE";
        /// Executable (without it the kernel sets NX).
        const EXECUTE = 4 => "EXECUTE";
    }
}

impl MapAttributes {
    /// The rights the mapped *frame* capability must have for these attributes
    /// (KOITO rule): READ always, WRITE as well for a writable mapping.
    #[must_use]
    pub const fn required_frame_rights(self) -> Rights {
        if self.contains(Self::WRITE) {
            Rights::READ.union(Rights::WRITE)
        } else {
            Rights::READ
        }
    }
}

/// Depth of the address space object itself (the PML4).
pub const ADDRESS_SPACE_DEPTH: u64 = 4;

/// GET_UNSET_DEPTH result when every page table down to the leaf is present.
pub const PATH_COMPLETE: u64 = 0;

/// Bits of virtual address one page-table level decodes (512 entries).
pub const LEVEL_BITS: u32 = 9;

word_enum! {
    /// The depth of a page table: where MAP puts it. Also Generic CONVERT's specific
    /// bits (MR3) for a PAGE_TABLE (KOITO decision).
    pub enum PageTableDepth: u64 {
        /// Page table: entries map 4 KiB frames.
        Pt = 1 => "PT",
        /// Page directory: entries map 2 MiB frames or PTs.
        Pd = 2 => "PD",
        /// Page-directory-pointer table: entries map 1 GiB frames or PDs.
        Pdpt = 3 => "PDPT",
    }
}

impl PageTableDepth {
    /// log2 of the bytes one entry of this table maps (12, 21, 30).
    #[must_use]
    pub const fn entry_size_bits(self) -> u32 {
        12 + LEVEL_BITS * (self as u32 - 1)
    }

    /// log2 of the region the whole table covers (21, 30, 39).
    #[must_use]
    pub const fn covered_bits(self) -> u32 {
        self.entry_size_bits() + LEVEL_BITS
    }
}

word_enum! {
    /// The size of a frame, as log2 of its bytes (CONVERT specific bits for FRAME,
    /// CAN_MAP_FRAME_SIZE_BITS argument, GET_UNSET_DEPTH leaf size).
    pub enum FrameSize: u64 {
        /// 4 KiB.
        Small = 12 => "4K",
        /// 2 MiB.
        Large = 21 => "2M",
        /// 1 GiB.
        Huge = 30 => "1G",
    }
}

impl FrameSize {
    /// log2 of the frame's size in bytes.
    #[must_use]
    pub const fn bits(self) -> u32 {
        self as u32
    }

    /// The frame's size in bytes.
    #[must_use]
    pub const fn bytes(self) -> u64 {
        1 << self.bits()
    }

    /// The depth of the page table whose entry maps this frame.
    #[must_use]
    pub const fn mapping_depth(self) -> PageTableDepth {
        match self {
            Self::Small => PageTableDepth::Pt,
            Self::Large => PageTableDepth::Pd,
            Self::Huge => PageTableDepth::Pdpt,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_bits_are_the_spec_numbers() {
        assert_eq!(MapAttributes::READ.bits(), 1);
        assert_eq!(MapAttributes::WRITE.bits(), 2);
        assert_eq!(MapAttributes::EXECUTE.bits(), 4);
        for bits in 0..8 {
            assert_eq!(MapAttributes::try_from(bits).map(u64::from), Ok(bits));
        }
        for bits in [8, 9, 0x10, u64::MAX] {
            assert_eq!(MapAttributes::try_from(bits), Err(bits));
        }
    }

    #[test]
    fn writable_mappings_need_a_writable_frame() {
        assert_eq!(MapAttributes::READ.required_frame_rights(), Rights::READ);
        assert_eq!(
            (MapAttributes::READ | MapAttributes::EXECUTE).required_frame_rights(),
            Rights::READ
        );
        assert_eq!(
            MapAttributes::ALL.required_frame_rights(),
            Rights::READ | Rights::WRITE
        );
    }

    #[test]
    fn depths_round_trip_and_cover_the_right_sizes() {
        let expected = [(1, 12, 21), (2, 21, 30), (3, 30, 39)];
        assert_eq!(PageTableDepth::ALL.len(), 3);
        for (&depth, (number, entry, covered)) in PageTableDepth::ALL.iter().zip(expected) {
            assert_eq!(depth.as_word(), number);
            assert_eq!(PageTableDepth::try_from(number), Ok(depth));
            assert_eq!(depth.entry_size_bits(), entry);
            assert_eq!(depth.covered_bits(), covered);
        }
        for word in [0, 4, 5, u64::MAX] {
            assert_eq!(PageTableDepth::try_from(word), Err(word));
        }
        assert_eq!(ADDRESS_SPACE_DEPTH, 4);
        assert_eq!(PATH_COMPLETE, 0);
    }

    #[test]
    fn frame_sizes_round_trip_and_map_at_their_level() {
        for &size in FrameSize::ALL {
            assert_eq!(FrameSize::try_from(u64::from(size.bits())), Ok(size));
            assert_eq!(size.mapping_depth().entry_size_bits(), size.bits());
        }
        assert_eq!(FrameSize::Small.bytes(), 4096);
        assert_eq!(FrameSize::Large.bytes(), 2 << 20);
        assert_eq!(FrameSize::Huge.bytes(), 1 << 30);
        for word in [0, 11, 13, 20, 22, 29, 31, 39, u64::MAX] {
            assert_eq!(FrameSize::try_from(word), Err(word));
        }
    }
}

//! IO_PORT operations (docs/abi.md section 5): x86 port I/O over an inclusive range
//! of ports. Init's root slot 9 covers all ports, 0..=0xffff; MINT derives a
//! capability for a sub-range. Every access is range-checked:
//! [`access_fits`] says whether one is allowed.

use crate::rights::Rights;

word_enum! {
    /// An operation on an I/O port range.
    pub enum IoPortOperation: u64 {
        /// Read `width` bytes from port MR2; the value comes back in MR2.
        Read = 1 => "READ",
        /// Write the low `width` bytes of MR4 to port MR2.
        Write = 2 => "WRITE",
        /// Put a capability for ports MR2..=MR3 (a sub-range) in slot MR5 of node MR4.
        Mint = 3 => "MINT",
    }
}

/// READ, WRITE: MR of the port number.
pub const PORT_MR: usize = 2;
/// READ, WRITE: MR of the [`IoWidth`].
pub const WIDTH_MR: usize = 3;
/// WRITE: MR of the value.
pub const VALUE_MR: usize = 4;
/// READ: MR of the value read.
pub const VALUE_RESULT_MR: usize = 2;
/// MINT: MR of the first port of the sub-range.
pub const MINT_MIN_MR: usize = 2;
/// MINT: MR of the last port of the sub-range (inclusive).
pub const MINT_MAX_MR: usize = 3;
/// MINT: MR of the destination node's descriptor.
pub const DESTINATION_NODE_MR: usize = 4;
/// MINT: MR of the destination slot index.
pub const DESTINATION_INDEX_MR: usize = 5;

/// The highest x86 I/O port.
pub const MAX_PORT: u64 = 0xffff;

impl IoPortOperation {
    /// Rights needed on the range. KOITO: READ, WRITE, and COPY for MINT (it derives
    /// a capability, like NODE COPY).
    #[must_use]
    pub const fn required_rights(self) -> Rights {
        match self {
            Self::Read => Rights::READ,
            Self::Write => Rights::WRITE,
            Self::Mint => Rights::COPY,
        }
    }
}

word_enum! {
    /// Width of one port access, in bytes.
    pub enum IoWidth: u64 {
        /// 8 bits (`in al`/`out al`).
        Byte = 1 => "1",
        /// 16 bits (`in ax`/`out ax`).
        Word = 2 => "2",
        /// 32 bits (`in eax`/`out eax`).
        DoubleWord = 4 => "4",
    }
}

impl IoWidth {
    /// The width in bytes.
    #[must_use]
    pub const fn bytes(self) -> u64 {
        self as u64
    }
}

/// True if an access of `width` at `port` lies wholly within the capability's range
/// `min..=max` (and within the port space).
#[must_use]
pub const fn access_fits(min: u64, max: u64, port: u64, width: IoWidth) -> bool {
    if port > MAX_PORT {
        return false;
    }
    let last = port + width.bytes() - 1;
    min <= port && last <= max && last <= MAX_PORT
}

/// True if `min..=max` is a valid sub-range of `parent_min..=parent_max` for MINT.
#[must_use]
pub const fn is_sub_range(parent_min: u64, parent_max: u64, min: u64, max: u64) -> bool {
    parent_min <= min && min <= max && max <= parent_max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_and_widths_round_trip() {
        let names = ["READ", "WRITE", "MINT"];
        for (i, &operation) in IoPortOperation::ALL.iter().enumerate() {
            assert_eq!(operation.as_word(), i as u64 + 1);
            assert_eq!(operation.name(), names[i]);
            assert_eq!(IoPortOperation::try_from(i as u64 + 1), Ok(operation));
        }
        for word in [0, 4, u64::MAX] {
            assert_eq!(IoPortOperation::try_from(word), Err(word));
        }
        for &width in IoWidth::ALL {
            assert_eq!(IoWidth::try_from(width.bytes()), Ok(width));
        }
        for word in [0, 3, 5, 8, u64::MAX] {
            assert_eq!(IoWidth::try_from(word), Err(word));
        }
    }

    #[test]
    fn accesses_are_range_checked() {
        assert!(access_fits(0, MAX_PORT, 0xf4, IoWidth::DoubleWord));
        assert!(access_fits(0x3f8, 0x3ff, 0x3f8, IoWidth::Byte));
        assert!(access_fits(0x3f8, 0x3ff, 0x3fc, IoWidth::DoubleWord));
        assert!(!access_fits(0x3f8, 0x3ff, 0x3fd, IoWidth::DoubleWord));
        assert!(!access_fits(0x3f8, 0x3ff, 0x3f7, IoWidth::Byte));
        assert!(!access_fits(0, MAX_PORT, 0xffff, IoWidth::Word));
        assert!(!access_fits(0, MAX_PORT, 0x1_0000, IoWidth::Byte));
        assert!(!access_fits(0, u64::MAX, u64::MAX, IoWidth::DoubleWord));
        assert!(access_fits(0, MAX_PORT, 0xffff, IoWidth::Byte));
    }

    #[test]
    fn mint_needs_a_sub_range() {
        assert!(is_sub_range(0, MAX_PORT, 0x3f8, 0x3ff));
        assert!(is_sub_range(0x3f8, 0x3ff, 0x3f8, 0x3ff));
        assert!(!is_sub_range(0x3f8, 0x3ff, 0x3f0, 0x3ff));
        assert!(!is_sub_range(0x3f8, 0x3ff, 0x3f8, 0x400));
        assert!(!is_sub_range(0, MAX_PORT, 5, 4));
    }
}

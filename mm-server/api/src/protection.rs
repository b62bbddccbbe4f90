//! Region permissions (READ / WRITE / EXECUTE), as sent in requests.

/// The permissions of a region: any combination of READ, WRITE and EXECUTE,
/// including none (an inaccessible region, like `PROT_NONE`).
///
/// The bits are those of `a9n_abi::paging::MapAttributes`. x86_64 cannot map a page
/// writable or executable without making it readable, so mm-server maps such pages
/// readable too; the region keeps the permissions as asked.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Protection(u64);

impl Protection {
    /// No access.
    pub const NONE: Self = Self(0);
    /// Readable.
    pub const READ: Self = Self(1);
    /// Writable.
    pub const WRITE: Self = Self(2);
    /// Executable.
    pub const EXECUTE: Self = Self(4);
    /// Readable and writable.
    pub const READ_WRITE: Self = Self(3);
    /// Every permission.
    pub const ALL: Self = Self(7);

    /// The set with these bits; `None` if a bit is not READ, WRITE or EXECUTE.
    #[must_use]
    pub const fn from_bits(bits: u64) -> Option<Self> {
        if bits & !Self::ALL.0 == 0 {
            Some(Self(bits))
        } else {
            None
        }
    }

    /// The set as a word.
    #[must_use]
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// True if every permission of `other` is in `self`.
    #[must_use]
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// True if every permission of `self` is in `other`.
    #[must_use]
    pub const fn is_subset_of(self, other: Self) -> bool {
        other.contains(self)
    }

    /// The permissions in either set.
    #[must_use]
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The permissions in both sets.
    #[must_use]
    pub const fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// The permissions of `self` without those of `other`.
    #[must_use]
    pub const fn difference(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }

    /// True if there is no permission at all.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl core::fmt::Debug for Protection {
    fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let letter = |flag: Self, name: char| if self.contains(flag) { name } else { '-' };
        write!(
            formatter,
            "Protection({}{}{})",
            letter(Self::READ, 'r'),
            letter(Self::WRITE, 'w'),
            letter(Self::EXECUTE, 'x')
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use a9n_abi::paging::MapAttributes;

    #[test]
    fn bits_match_the_kernel_map_attributes() {
        assert_eq!(Protection::READ.bits(), MapAttributes::READ.bits());
        assert_eq!(Protection::WRITE.bits(), MapAttributes::WRITE.bits());
        assert_eq!(Protection::EXECUTE.bits(), MapAttributes::EXECUTE.bits());
        for bits in 0..8 {
            assert_eq!(
                Protection::from_bits(bits).map(Protection::bits),
                Some(bits)
            );
        }
        assert_eq!(Protection::from_bits(8), None);
        assert_eq!(Protection::from_bits(u64::MAX), None);
    }

    #[test]
    fn set_operations() {
        let read_write = Protection::READ.union(Protection::WRITE);
        assert_eq!(read_write, Protection::READ_WRITE);
        assert!(Protection::READ.is_subset_of(read_write));
        assert!(!Protection::EXECUTE.is_subset_of(read_write));
        assert_eq!(read_write.difference(Protection::WRITE), Protection::READ);
        assert_eq!(
            read_write.intersection(Protection::ALL),
            Protection::READ_WRITE
        );
        assert!(Protection::NONE.is_empty());
        extern crate std;
        assert_eq!(
            std::format!("{:?}", Protection::READ_WRITE),
            "Protection(rw-)"
        );
    }
}

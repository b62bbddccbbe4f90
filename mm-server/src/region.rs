//! One region of an address space: a page-aligned range with permissions and a
//! kind that tells the pager where its pages come from.

use mm_server_api::{BufferId, PAGE_SIZE, Protection};

/// Where a region's pages come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionKind {
    /// Demand-zero memory, copy-on-write after a clone (heap, data, mmap).
    Anonymous,
    /// Demand-zero memory that grows down: a fault just below it (within the guard
    /// gap) extends it, as long as it stays within `limit` bytes below `top`.
    Stack {
        /// The stack's highest address (one past its last byte); fixed.
        top: u64,
        /// The most bytes the stack may span below `top`.
        limit: u64,
    },
    /// A shared buffer's pages from `offset` on (never copied on clone).
    Shared {
        /// The buffer.
        buffer: BufferId,
        /// Offset in the buffer of the region's first byte.
        offset: u64,
    },
    /// Physical memory from `physical` on (device registers; never copied).
    Device {
        /// Physical address of the region's first byte.
        physical: u64,
    },
    /// A file's pages from `offset` on: a placeholder kind for later; faults in such
    /// regions are forwarded as unsupported for now.
    FileBacked {
        /// The file (an identifier of the file server's choosing).
        file: u64,
        /// Offset in the file of the region's first byte.
        offset: u64,
    },
}

/// A region: `start..end`, page aligned, non-empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
    /// What accesses are allowed now.
    pub protection: Protection,
    /// The most PROTECT may allow (a read-only shared mapping stays read-only).
    pub max_protection: Protection,
    /// Where the pages come from.
    pub kind: RegionKind,
    /// May the pager back aligned 2 MiB stretches of it with 2 MiB frames
    /// (anonymous regions only; MAP_ANONYMOUS's NO_LARGE_PAGES clears it).
    pub large_pages: bool,
}

impl Region {
    /// An anonymous region with every permission allowed later.
    #[must_use]
    pub const fn anonymous(start: u64, end: u64, protection: Protection) -> Self {
        Self {
            start,
            end,
            protection,
            max_protection: Protection::ALL,
            kind: RegionKind::Anonymous,
            large_pages: true,
        }
    }

    /// Bytes in the region.
    #[must_use]
    pub const fn length(&self) -> u64 {
        self.end - self.start
    }

    /// True if `address` lies in the region.
    #[must_use]
    pub const fn contains(&self, address: u64) -> bool {
        self.start <= address && address < self.end
    }

    /// The kind of the part of this region that starts at `address` (offsets and
    /// physical addresses moved along).
    #[must_use]
    pub const fn kind_at(&self, address: u64) -> RegionKind {
        let delta = address.wrapping_sub(self.start);
        match self.kind {
            RegionKind::Shared { buffer, offset } => RegionKind::Shared {
                buffer,
                offset: offset.wrapping_add(delta),
            },
            RegionKind::Device { physical } => RegionKind::Device {
                physical: physical.wrapping_add(delta),
            },
            RegionKind::FileBacked { file, offset } => RegionKind::FileBacked {
                file,
                offset: offset.wrapping_add(delta),
            },
            kind => kind,
        }
    }

    /// The part of the region within `start..end` (clipped), if any.
    #[must_use]
    pub fn clip(&self, start: u64, end: u64) -> Option<Self> {
        let clipped_start = self.start.max(start);
        let clipped_end = self.end.min(end);
        (clipped_start < clipped_end).then(|| Self {
            start: clipped_start,
            end: clipped_end,
            kind: self.kind_at(clipped_start),
            ..*self
        })
    }

    /// True if `next` directly follows this region and continues it exactly (same
    /// permissions, same kind, offsets continuing), so that the two can be one.
    #[must_use]
    pub fn continues_into(&self, next: &Self) -> bool {
        self.end == next.start
            && self.protection == next.protection
            && self.max_protection == next.max_protection
            && self.large_pages == next.large_pages
            && self.kind_at(next.start) == next.kind
    }

    /// True if start and end are page aligned, non-empty and in user space, and
    /// the permissions are within the maximum.
    #[must_use]
    pub fn is_well_formed(&self) -> bool {
        self.start < self.end
            && self.start.is_multiple_of(PAGE_SIZE)
            && self.end.is_multiple_of(PAGE_SIZE)
            && self.end <= mm_server_api::USER_ADDRESS_LIMIT
            && self.protection.is_subset_of(self.max_protection)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_moves_offsets() {
        let buffer = BufferId::new(1).unwrap();
        let region = Region {
            start: 0x1000,
            end: 0x5000,
            protection: Protection::READ,
            max_protection: Protection::READ,
            kind: RegionKind::Shared { buffer, offset: 0 },
            large_pages: false,
        };
        let part = region.clip(0x3000, 0x9000).unwrap();
        assert_eq!((part.start, part.end), (0x3000, 0x5000));
        assert_eq!(
            part.kind,
            RegionKind::Shared {
                buffer,
                offset: 0x2000
            }
        );
        assert!(region.clip(0x5000, 0x6000).is_none());
        let low = region.clip(0, 0x3000).unwrap();
        assert!(low.continues_into(&part));
        assert!(!part.continues_into(&low));
        assert!(region.is_well_formed());
        assert!(!Region::anonymous(0x1000, 0x1000, Protection::READ).is_well_formed());
        assert!(
            !Region {
                max_protection: Protection::NONE,
                ..region
            }
            .is_well_formed()
        );
    }
}

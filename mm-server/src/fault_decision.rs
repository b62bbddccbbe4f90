//! What to do about a page fault: a pure function of the address space's regions
//! and mappings, the frame table and the fault.
//!
//! | situation | decision |
//! |---|---|
//! | address in no region, just below a stack (guard gap, limit) | [`FaultDecision::GrowStack`] |
//! | address in no region otherwise | forward: OUTSIDE_REGION |
//! | access the region does not allow | forward: PERMISSION |
//! | parked mapping (kept while the range had no access), access now allowed | [`FaultDecision::Unpark`]: the same frame mapped again, contents kept |
//! | file-backed region | forward: UNSUPPORTED (for now) |
//! | anonymous/stack page not mapped | [`FaultDecision::MapZero`], 2 MiB where the region allows and the aligned 2 MiB around the address lies in it with nothing mapped |
//! | shared/device page not mapped | [`FaultDecision::MapShared`] / [`FaultDecision::MapDevice`] |
//! | write to a read-only mapping of a writable anonymous region | [`FaultDecision::CopyOnWrite`] if the frame is shared, else [`FaultDecision::MakeWritable`] |
//! | write to a read-only mapping of a writable shared/device region | [`FaultDecision::MakeWritable`] (never copied) |
//! | access the present mapping allows | [`FaultDecision::AlreadyMapped`] (another thread resolved it) |

use mm_server_api::{BufferId, FaultAccess, FaultReason, PAGE_SIZE, Protection};

use crate::frame_table::{FrameTable, WriteAction};
use crate::page_map::PageMap;
use crate::region::{Region, RegionKind};
use crate::region_map::{RegionMap, StackGrowth};

/// log2 of a small frame.
pub const SMALL_FRAME_BITS: u32 = 12;
/// log2 of a large frame.
pub const LARGE_FRAME_BITS: u32 = 21;
const LARGE_FRAME_SIZE: u64 = 1 << LARGE_FRAME_BITS;

/// A page fault, as the kernel reported it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// The faulting address.
    pub address: u64,
    /// What the access was.
    pub access: FaultAccess,
}

/// What the pager does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultDecision {
    /// Map a new zeroed frame of 2^`size_bits` bytes at `address`.
    MapZero {
        /// Virtual address of the new mapping (aligned to its size).
        address: u64,
        /// 12 or 21.
        size_bits: u32,
        /// The region's permissions.
        protection: Protection,
    },
    /// Grow the stack as decided, then map a zeroed page at `address`.
    GrowStack {
        /// The growth to apply to the region map.
        growth: StackGrowth,
        /// The faulting page.
        address: u64,
        /// The stack's permissions.
        protection: Protection,
    },
    /// Map the shared buffer's page at `offset` at `address`.
    MapShared {
        /// The faulting page.
        address: u64,
        /// The buffer.
        buffer: BufferId,
        /// Offset of the page in the buffer.
        offset: u64,
        /// The region's permissions.
        protection: Protection,
    },
    /// Map the device page at `physical` at `address`.
    MapDevice {
        /// The faulting page.
        address: u64,
        /// Physical address of the page.
        physical: u64,
        /// The region's permissions.
        protection: Protection,
    },
    /// Copy the shared frame into a new one and map that writable in its place.
    CopyOnWrite {
        /// Virtual start of the mapping.
        address: u64,
        /// The shared frame.
        frame: u64,
        /// Its size (12 or 21).
        size_bits: u32,
        /// The region's permissions.
        protection: Protection,
    },
    /// Remap the frame writable (it is not shared, or sharing is intended).
    MakeWritable {
        /// Virtual start of the mapping.
        address: u64,
        /// The frame.
        frame: u64,
        /// The region's permissions.
        protection: Protection,
    },
    /// Map the parked frame at `address` again (the range had no access and now
    /// has): the same frame, its contents kept, nothing zeroed.
    Unpark {
        /// Virtual start of the mapping.
        address: u64,
        /// The region's permissions.
        protection: Protection,
    },
    /// The access is already allowed by what is mapped: just resume the thread.
    AlreadyMapped,
    /// mm-server cannot resolve it: forward to the registered handler.
    Forward(FaultReason),
}

/// True if the region allows the access.
#[must_use]
pub const fn allows(protection: Protection, access: FaultAccess) -> bool {
    match access {
        FaultAccess::Read => protection.contains(Protection::READ),
        FaultAccess::Write => protection.contains(Protection::WRITE),
        FaultAccess::Execute => protection.contains(Protection::EXECUTE),
    }
}

/// Decides what to do about `fault` in the address space made of `regions` and
/// `pages`, whose frames are counted in `frames`.
#[must_use]
pub fn decide(
    regions: &RegionMap,
    pages: &PageMap,
    frames: &FrameTable,
    fault: Fault,
) -> FaultDecision {
    let page = fault.address & !(PAGE_SIZE - 1);
    let Some(region) = regions.find(fault.address) else {
        return match regions.stack_growth(fault.address) {
            Some(growth) => {
                let protection = regions
                    .find(growth.region_start)
                    .map_or(Protection::NONE, |stack| stack.protection);
                if allows(protection, fault.access) {
                    FaultDecision::GrowStack {
                        growth,
                        address: page,
                        protection,
                    }
                } else {
                    FaultDecision::Forward(FaultReason::Permission)
                }
            }
            None => FaultDecision::Forward(FaultReason::OutsideRegion),
        };
    };
    let protection = region.protection;
    if !allows(protection, fault.access) {
        return FaultDecision::Forward(FaultReason::Permission);
    }
    if let Some((start, mapping)) = pages.lookup(fault.address) {
        if mapping.parked {
            return FaultDecision::Unpark {
                address: start,
                protection,
            };
        }
        if fault.access != FaultAccess::Write || mapping.writable {
            return FaultDecision::AlreadyMapped;
        }
        return match region.kind {
            RegionKind::Anonymous | RegionKind::Stack { .. } | RegionKind::FileBacked { .. } => {
                match frames.write_action(mapping.frame) {
                    Ok(WriteAction::Copy) => FaultDecision::CopyOnWrite {
                        address: start,
                        frame: mapping.frame,
                        size_bits: mapping.size_bits,
                        protection,
                    },
                    Ok(WriteAction::MakeWritable) => FaultDecision::MakeWritable {
                        address: start,
                        frame: mapping.frame,
                        protection,
                    },
                    // A mapping without a frame entry would be a server bug; never
                    // guess: let the handler deal with the thread.
                    Err(_) => FaultDecision::Forward(FaultReason::Unsupported),
                }
            }
            RegionKind::Shared { .. } | RegionKind::Device { .. } => FaultDecision::MakeWritable {
                address: start,
                frame: mapping.frame,
                protection,
            },
        };
    }
    match region.kind_at(page) {
        RegionKind::Anonymous => match large_window(region, pages, fault.address) {
            Some(window) => FaultDecision::MapZero {
                address: window,
                size_bits: LARGE_FRAME_BITS,
                protection,
            },
            None => FaultDecision::MapZero {
                address: page,
                size_bits: SMALL_FRAME_BITS,
                protection,
            },
        },
        RegionKind::Stack { .. } => FaultDecision::MapZero {
            address: page,
            size_bits: SMALL_FRAME_BITS,
            protection,
        },
        RegionKind::Shared { buffer, offset } => FaultDecision::MapShared {
            address: page,
            buffer,
            offset,
            protection,
        },
        RegionKind::Device { physical } => FaultDecision::MapDevice {
            address: page,
            physical,
            protection,
        },
        RegionKind::FileBacked { .. } => FaultDecision::Forward(FaultReason::Unsupported),
    }
}

/// The 2 MiB-aligned window around `address` if the region allows large pages,
/// contains the whole window, and nothing is mapped in it yet.
fn large_window(region: &Region, pages: &PageMap, address: u64) -> Option<u64> {
    if !region.large_pages {
        return None;
    }
    let start = address & !(LARGE_FRAME_SIZE - 1);
    let end = start.checked_add(LARGE_FRAME_SIZE)?;
    (region.start <= start && end <= region.end && !pages.any_mapped(start, end)).then_some(start)
}

#[cfg(test)]
#[path = "fault_decision_tests.rs"]
mod tests;

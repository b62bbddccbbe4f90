//! mm-server's own address space: a window (Nun's memory window) where it maps
//! frames to copy them (copy-on-write) and where the `InitInfo` page sits, and the
//! heap it grows with 2 MiB frames at `nun::growing_heap::EXTENSION_BASE`.

use alloc::vec::Vec;

use a9n_abi::CapabilityType;
use a9n_abi::paging::{FrameSize, MapAttributes};
use mm_server::buddy_allocator::MemoryKind;
use nun::capability::AddressSpace;
use nun::server_start::{ServerSlot, server_slot};
use nun::window;

use super::ServerHeap;
use super::failure::{Failure, kernel};
use super::memory::{INTERNAL_OWNER, Memory};
use super::paging::{TableRecord, map_frame};
use super::slots::SlotRef;

/// Where the `InitInfo` page is mapped (read-only).
pub const INIT_INFO_WINDOW: u64 = window::BASE;
/// Where a 4 KiB frame is mapped to be copied from, and where its copy goes.
const SMALL_WINDOWS: [u64; 2] = [window::BASE + 0x20_0000, window::BASE + 0x20_1000];
/// The same for 2 MiB frames.
const LARGE_WINDOWS: [u64; 2] = [window::BASE + 0x40_0000, window::BASE + 0x60_0000];
/// The heap grows by this much at a time (one 2 MiB frame).
pub const HEAP_GROWTH: u64 = 1 << 21;

/// mm-server's own address space.
pub fn own() -> AddressSpace {
    AddressSpace::new(server_slot(ServerSlot::AddressSpace as u64))
}

/// Copies the contents of the frame in `source` into the frame in `destination`
/// (both unmapped capabilities of frames of 2^`size_bits` bytes).
pub fn copy_frame(
    memory: &mut Memory,
    tables: &mut Vec<TableRecord>,
    source: SlotRef,
    destination: SlotRef,
    size_bits: u32,
) -> Result<(), Failure> {
    let (windows, size) = if size_bits >= 21 {
        (LARGE_WINDOWS, FrameSize::Large)
    } else {
        (SMALL_WINDOWS, FrameSize::Small)
    };
    let from = memory.slots.descriptor(source);
    let to = memory.slots.descriptor(destination);
    map_frame(
        memory,
        own(),
        tables,
        from,
        size,
        windows[0],
        MapAttributes::READ,
    )?;
    if let Err(failure) = map_frame(
        memory,
        own(),
        tables,
        to,
        size,
        windows[1],
        MapAttributes::READ | MapAttributes::WRITE,
    ) {
        let _ = own().unmap(from, windows[0]);
        return Err(failure);
    }
    let bytes = 1u64 << size_bits;
    let copied = nun::window_bytes::with_bytes(windows[0], bytes, |source| {
        nun::window_bytes::with_bytes_mut(windows[1], bytes, |destination| {
            destination.copy_from_slice(source);
        })
    })
    .flatten();
    let unmapped = kernel("unmap a copy window", own().unmap(from, windows[0]))
        .and(kernel("unmap a copy window", own().unmap(to, windows[1])));
    unmapped?;
    copied.ok_or(Failure::Refused(mm_server_api::MmError::InvalidArgument))
}

/// Adds a 2 MiB frame to the heap; when no free 2 MiB block is left (client
/// pages fragment RAM), 2 MiB of 4 KiB frames instead, page by page (as many as
/// could be had, at least one).
pub fn grow_heap(
    memory: &mut Memory,
    tables: &mut Vec<TableRecord>,
    heap: &ServerHeap,
) -> Result<(), Failure> {
    let large = memory
        .buddy
        .largest_free_order(MemoryKind::Ram)
        .is_some_and(|order| order >= 21);
    if large && add_heap_frame(memory, tables, heap, 21).is_ok() {
        return Ok(());
    }
    let mut added = 0;
    let mut last = Ok(());
    while added < HEAP_GROWTH {
        last = add_heap_frame(memory, tables, heap, 12);
        if last.is_err() {
            break;
        }
        added += 1 << 12;
    }
    if added > 0 { Ok(()) } else { last }
}

/// Maps one frame of 2^`size_bits` bytes (4 KiB or 2 MiB) at the heap's end and
/// gives it to the heap. The frame is mm-server's for good (the heap never
/// shrinks).
fn add_heap_frame(
    memory: &mut Memory,
    tables: &mut Vec<TableRecord>,
    heap: &ServerHeap,
    size_bits: u32,
) -> Result<(), Failure> {
    let block = memory.allocate_block(size_bits, MemoryKind::Ram, INTERNAL_OWNER)?;
    let slot = match memory.convert_from(block, CapabilityType::Frame, u64::from(size_bits), 1) {
        Ok(slot) => slot,
        Err(failure) => {
            let _ = memory.free_block(block.address);
            return Err(failure);
        }
    };
    let frame = memory.slots.descriptor(slot);
    let size = if size_bits >= 21 {
        FrameSize::Large
    } else {
        FrameSize::Small
    };
    let address = heap.extension_end();
    if let Err(failure) = map_frame(
        memory,
        own(),
        tables,
        frame,
        size,
        address,
        MapAttributes::READ | MapAttributes::WRITE,
    ) {
        memory.discard(slot);
        let _ = memory.free_block(block.address);
        return Err(failure);
    }
    heap.grow(1 << size_bits).map_err(|_| {
        let _ = own().unmap(frame, address);
        Failure::Refused(mm_server_api::MmError::NoMemory)
    })
}

//! Taking over memory at start-up: read the Generics' sizes from `InitInfo`, find
//! out which Generics init already used (a probe frame tells each one's
//! watermark), make the slot tree, and give the buddy allocator every whole
//! Generic as a root and the unused rest of each partly used one as aligned child
//! Generics.
//!
//! Init used one Generic before handing them over (its demonstrations and the
//! objects of the servers it started, mm-server's own image included), so
//! mm-server must never revoke that one: only the part above its watermark is
//! carved into children that mm-server manages.

use alloc::vec::Vec;
use core::mem::offset_of;

use a9n_abi::init::{GENERIC_CAPACITY, GenericDescription, INIT_INFO_VERSION};
use a9n_abi::paging::{FrameSize, MapAttributes};
use a9n_abi::{CapabilityType, Descriptor, InitInfo};
use mm_server::buddy_allocator::{MemoryKind, aligned_blocks};
use mm_server_api::MmError;
use mm_server_api::boot::{GENERIC_NODE_SLOT, INIT_INFO_SLOT};
use nun::capability::{Frame, Generic, Node};
use nun::mapping::map_frame;
use nun::server_start::server_slot;
use nun::slot_allocator::SlotAllocator;
use nun::window;

use super::failure::{Failure, kernel};
use super::memory::Memory;
use super::own_space::{INIT_INFO_WINDOW, own};
use super::slots::{DIRECTORY_RADIX, DIRECTORY_SLOT, LEAF_RADIX, SlotRef, SlotTree, root};

/// Root slots for the page tables of the `InitInfo` window.
const WINDOW_TABLE_SLOTS: core::ops::Range<u64> = 11..20;
/// Root slot of the probe frame.
const PROBE_SLOT: u64 = 21;
/// Smallest Generic the slot tree can start in (directory and leaf 0: 512 KiB).
const TREE_GENERIC_BITS: u64 = 19;

/// What start-up found.
pub struct Facts {
    /// Bytes of RAM handed to the allocator.
    pub ram_bytes: u64,
    /// Generics init gave.
    pub generic_count: usize,
    /// Of them, partly used by init.
    pub used_by_init: usize,
    /// Bytes of device memory (for MAP_DEVICE).
    pub device_bytes: u64,
}

/// A Generic and what mm-server found in it.
#[derive(Clone, Copy)]
struct Found {
    description: GenericDescription,
    /// `None`: unused; `Some(w)`: used up to physical address `w`.
    watermark: Option<u64>,
}

/// Maps the `InitInfo` frame read-only, with page tables from the first Generic
/// they can be made from.
fn map_init_info(generic_node: Node) -> Result<(), Failure> {
    let mut slots = SlotAllocator::<1>::new(
        root(),
        WINDOW_TABLE_SLOTS.start,
        WINDOW_TABLE_SLOTS.end - WINDOW_TABLE_SLOTS.start,
    )
    .map_err(|_| Failure::Refused(MmError::NoMemory))?;
    let frame = Frame::new(server_slot(INIT_INFO_SLOT));
    for index in 0..generic_node.slot_count() {
        let Some(descriptor) = generic_node.slot(index) else {
            break;
        };
        if map_frame(
            own(),
            Generic::new(descriptor),
            &mut slots,
            frame,
            FrameSize::Small,
            INIT_INFO_WINDOW,
            MapAttributes::READ,
        )
        .is_ok()
        {
            return Ok(());
        }
    }
    Err(Failure::Refused(MmError::NoMemory))
}

fn info_word(offset: usize) -> u64 {
    window::read_word(INIT_INFO_WINDOW + offset as u64).unwrap_or(0)
}

/// The Generics `InitInfo` describes.
fn read_generics() -> Result<Vec<GenericDescription>, Failure> {
    if info_word(offset_of!(InitInfo, version)) != INIT_INFO_VERSION {
        return Err(Failure::Refused(MmError::InvalidArgument));
    }
    let count = (info_word(offset_of!(InitInfo, generic_count)) as usize).min(GENERIC_CAPACITY);
    let first = offset_of!(InitInfo, generics);
    let size = core::mem::size_of::<GenericDescription>();
    Ok((0..count)
        .map(|index| {
            let base = first + index * size;
            GenericDescription {
                physical_address: info_word(
                    base + offset_of!(GenericDescription, physical_address),
                ),
                size_bits: info_word(base + offset_of!(GenericDescription, size_bits)),
                is_device: info_word(base + offset_of!(GenericDescription, is_device)),
            }
        })
        .collect())
}

/// Probes a RAM Generic: converts one frame and asks its address. An unused
/// Generic is revoked again (watermark back to 0).
fn probe(generic_node: Node, index: u64, description: GenericDescription) -> Option<u64> {
    let generic = Generic::new(generic_node.slot(index)?);
    let probe = root().slot(PROBE_SLOT)?;
    if generic
        .convert(
            CapabilityType::Frame,
            12,
            1,
            root().descriptor(),
            PROBE_SLOT,
        )
        .is_err()
    {
        // Full: treat it as used to the end.
        return Some(description.physical_address + description.size());
    }
    let address = Frame::new(probe).get_address().unwrap_or(u64::MAX);
    if address == description.physical_address {
        let _ = generic_node.revoke(index);
        None
    } else {
        let _ = root().remove(PROBE_SLOT);
        Some(address.saturating_add(4096))
    }
}

/// Makes the directory and leaf 0 in the Generic `index` (unused, at least 512 KiB);
/// returns the watermark after them.
fn make_tree(
    memory: &mut Memory,
    generic_node: Node,
    index: u64,
    base: u64,
) -> Result<u64, Failure> {
    let generic = Generic::new(generic_node.slot(index).unwrap_or(Descriptor::ROOT_NODE));
    kernel(
        "make the slot directory",
        generic.convert(
            CapabilityType::Node,
            u64::from(DIRECTORY_RADIX),
            1,
            root().descriptor(),
            DIRECTORY_SLOT,
        ),
    )?;
    kernel(
        "make slot leaf 0",
        generic.convert(
            CapabilityType::Node,
            u64::from(LEAF_RADIX),
            1,
            memory.slots.directory().descriptor(),
            0,
        ),
    )?;
    memory.slots.add_leaf(0);
    // Directory at 0 (16 KiB), leaf 0 aligned to its 256 KiB: the watermark is 512 KiB.
    Ok(base + (2 << (LEAF_RADIX + 6)))
}

/// Carves `watermark..end` of the Generic in `index` into aligned child Generics,
/// each a root of the allocator.
fn carve(
    memory: &mut Memory,
    generic_node: Node,
    index: u64,
    watermark: u64,
    end: u64,
) -> Result<u64, Failure> {
    let generic = Generic::new(generic_node.slot(index).unwrap_or(Descriptor::ROOT_NODE));
    let mut carved = 0;
    for block in aligned_blocks(watermark, end) {
        let slot = memory.take_slots(1)?;
        let (node, position) = memory.slots.location(slot);
        kernel(
            "carve a used Generic",
            generic.convert(
                CapabilityType::Generic,
                u64::from(block.order),
                1,
                node.descriptor(),
                position,
            ),
        )?;
        memory.add_root(block.address, block.order, MemoryKind::Ram, slot)?;
        carved += block.size();
    }
    Ok(carved)
}

/// Takes over the Generics in root slot 5 (a node of radix `generic_radix`).
pub fn take_over(generic_radix: u64) -> Result<(Memory, Facts), Failure> {
    let generic_node = Node::new(server_slot(GENERIC_NODE_SLOT), generic_radix as u32);
    map_init_info(generic_node)?;
    let descriptions = read_generics()?;
    let mut found: Vec<Found> = descriptions
        .iter()
        .enumerate()
        .map(|(index, &description)| Found {
            description,
            watermark: if description.device() {
                None
            } else {
                probe(generic_node, index as u64, description)
            },
        })
        .collect();

    let mut memory = Memory::new(SlotTree::new(generic_node));
    let tree_index = found
        .iter()
        .enumerate()
        .filter(|(_, found)| {
            !found.description.device()
                && found.watermark.is_none()
                && found.description.size_bits >= TREE_GENERIC_BITS
        })
        .min_by_key(|(_, found)| found.description.size_bits)
        .map(|(index, _)| index)
        .ok_or(Failure::Refused(MmError::NoMemory))?;
    let tree_base = found[tree_index].description.physical_address;
    let watermark = make_tree(&mut memory, generic_node, tree_index as u64, tree_base)?;
    found[tree_index].watermark = Some(watermark);

    let mut facts = Facts {
        ram_bytes: 0,
        generic_count: found.len(),
        used_by_init: 0,
        device_bytes: 0,
    };
    for (index, item) in found.iter().enumerate() {
        let description = item.description;
        let kind = if description.device() {
            MemoryKind::Device
        } else {
            MemoryKind::Ram
        };
        match item.watermark {
            None => {
                memory.add_root(
                    description.physical_address,
                    description.size_bits as u32,
                    kind,
                    SlotRef::Generic(index as u32),
                )?;
                if kind == MemoryKind::Ram {
                    facts.ram_bytes += description.size();
                } else {
                    facts.device_bytes += description.size();
                }
            }
            Some(watermark) => {
                if index != tree_index {
                    facts.used_by_init += 1;
                }
                let end = description.physical_address + description.size();
                facts.ram_bytes += carve(&mut memory, generic_node, index as u64, watermark, end)?;
            }
        }
    }
    Ok((memory, facts))
}

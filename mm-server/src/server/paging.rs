//! Mapping a frame into an address space (a client's or mm-server's own), making
//! the page tables GET_UNSET_DEPTH asks for as small objects (Nun's mapping
//! driver decides the steps). The tables are recorded with their space, which frees
//! them when it goes. A client space's tables are charged to its owner
//! ([`TABLE_BYTES`] each) before they are made, and uncharged when the space goes.

use alloc::vec::Vec;

use a9n_abi::paging::{FrameSize, MapAttributes, PageTableDepth};
use a9n_abi::{CapabilityError, CapabilityType, Descriptor};
use mm_server::accounting::Accounts;
use mm_server_api::{ClientId, MmError, Protection};
use nun::capability::AddressSpace;
use nun::mapping::{MappingError, Paging, map_with};

use super::failure::{Failure, kernel};
use super::memory::{Memory, Placement};
use super::slots::SlotRef;

/// Bytes charged to a space's owner for each page table made for it.
pub const TABLE_BYTES: u64 = 4096;

/// Who pays for the page tables of a client's space.
pub struct Charge<'a> {
    /// The accounts.
    pub accounts: &'a mut Accounts,
    /// The space's owner.
    pub client: ClientId,
}

/// A page table made for an address space.
#[derive(Clone, Copy, Debug)]
pub struct TableRecord {
    /// Where its memory came from.
    pub placement: Placement,
    /// mm-server's capability (mapped in the space).
    pub slot: SlotRef,
}

/// The map attributes of a page of a region with `protection`: always readable
/// (x86_64 cannot do without), writable only if `writable` and allowed.
pub fn attributes(protection: Protection, writable: bool) -> MapAttributes {
    let mut attributes = MapAttributes::READ;
    if writable && protection.contains(Protection::WRITE) {
        attributes = attributes | MapAttributes::WRITE;
    }
    if protection.contains(Protection::EXECUTE) {
        attributes = attributes | MapAttributes::EXECUTE;
    }
    attributes
}

/// The frame size of `size_bits`.
pub fn frame_size(size_bits: u32) -> FrameSize {
    if size_bits >= 21 {
        FrameSize::Large
    } else {
        FrameSize::Small
    }
}

struct KernelTables<'a> {
    memory: &'a mut Memory,
    space: AddressSpace,
    tables: &'a mut Vec<TableRecord>,
    charge: Option<Charge<'a>>,
    frame: Descriptor,
    attributes: MapAttributes,
    failure: Option<Failure>,
}

impl Paging for KernelTables<'_> {
    fn unset_depth(&mut self, address: u64, leaf: FrameSize) -> Result<u64, MappingError> {
        Ok(self.space.get_unset_depth(address, leaf)?)
    }

    fn add_page_table(&mut self, depth: PageTableDepth, address: u64) -> Result<(), MappingError> {
        if let Some(charge) = self.charge.as_mut()
            && let Err(error) = charge.accounts.charge(charge.client, TABLE_BYTES)
        {
            self.failure = Some(Failure::Refused(error.into()));
            return Err(MappingError::OutOfSlots);
        }
        let made = self
            .memory
            .make_object(CapabilityType::PageTable, depth.as_word());
        let (placement, slot) = match made {
            Ok(made) => made,
            Err(failure) => {
                self.uncharge();
                self.failure = Some(failure);
                return Err(MappingError::OutOfSlots);
            }
        };
        let descriptor = self.memory.slots.descriptor(slot);
        if let Err(error) = self.space.map(descriptor, address, MapAttributes::READ) {
            let _ = self.memory.destroy_object(placement, slot);
            self.uncharge();
            return Err(error.into());
        }
        self.tables.push(TableRecord { placement, slot });
        Ok(())
    }

    fn map_frame(&mut self, address: u64) -> Result<(), MappingError> {
        Ok(self.space.map(self.frame, address, self.attributes)?)
    }
}

impl KernelTables<'_> {
    /// Gives back the charge of a table that was not made after all.
    fn uncharge(&mut self) {
        if let Some(charge) = self.charge.as_mut() {
            let _ = charge.accounts.uncharge(charge.client, TABLE_BYTES);
        }
    }
}

/// Maps `frame` (of `size`) at `address` in mm-server's own `space`, adding page
/// tables as needed (recorded in `tables`, charged to nobody).
pub fn map_frame(
    memory: &mut Memory,
    space: AddressSpace,
    tables: &mut Vec<TableRecord>,
    frame: Descriptor,
    size: FrameSize,
    address: u64,
    attributes: MapAttributes,
) -> Result<(), Failure> {
    map_frame_charged(
        memory, space, tables, None, frame, size, address, attributes,
    )
}

/// Maps `frame` (of `size`) at `address` in `space`, adding page tables as needed
/// (recorded in `tables`); each table is charged to `charge` first, if given. A
/// table that cannot be charged is not made: the map fails with LIMIT_EXCEEDED
/// (tables made before it by this call stay recorded and charged, like any other
/// table of the space).
#[allow(clippy::too_many_arguments, reason = "the parts of one mapping")]
pub fn map_frame_charged(
    memory: &mut Memory,
    space: AddressSpace,
    tables: &mut Vec<TableRecord>,
    charge: Option<Charge<'_>>,
    frame: Descriptor,
    size: FrameSize,
    address: u64,
    attributes: MapAttributes,
) -> Result<(), Failure> {
    // Most faults land where the tables exist already: try the map first.
    match space.map(frame, address, attributes) {
        Ok(()) => return Ok(()),
        Err(CapabilityError::InvalidArgument) => {}
        Err(error) => return kernel("map a frame", Err(error)),
    }
    let mut paging = KernelTables {
        memory,
        space,
        tables,
        charge,
        frame,
        attributes,
        failure: None,
    };
    match map_with(&mut paging, address, size) {
        Ok(_) => Ok(()),
        Err(error) => Err(paging.failure.unwrap_or(match error {
            MappingError::Kernel(error) => Failure::Kernel("map a frame", error),
            _ => Failure::Refused(MmError::InvalidArgument),
        })),
    }
}

/// Destroys the page tables of a space.
pub fn free_tables(memory: &mut Memory, tables: Vec<TableRecord>) {
    for table in tables {
        let _ = memory.destroy_object(table.placement, table.slot);
    }
}

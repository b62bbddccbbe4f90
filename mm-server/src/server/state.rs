//! Everything mm-server keeps: memory and slots, the frames mapped for clients,
//! the address spaces, the objects and shared buffers it made, the accounts.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use mm_server::accounting::Accounts;
use mm_server::address_space::AddressSpace as SpaceMaps;
use mm_server::frame_table::FrameTable;
use mm_server_api::{BufferId, ClientId, MmError, ObjectHandle, SpaceId};
use nun::capability::{AddressSpace, IpcPort};

use super::ServerHeap;
use super::failure::Failure;
use super::memory::{Memory, Placement};
use super::paging::TableRecord;
use super::slots::SlotRef;

/// One managed address space.
pub struct Space {
    /// The client that made it (and pays for it).
    pub owner: ClientId,
    /// Its regions and mappings.
    pub maps: SpaceMaps,
    /// The ADDRESS_SPACE object.
    pub object: (Placement, SlotRef),
    /// mm-server's fault-resolver capability for it (identified with the space).
    pub fault_capability: SlotRef,
    /// The capability each mapping was made with, by virtual address.
    pub mapping_capabilities: BTreeMap<u64, SlotRef>,
    /// Its page tables.
    pub tables: Vec<TableRecord>,
    /// The port that receives the faults mm-server cannot resolve.
    pub handler: Option<SlotRef>,
}

/// The capabilities of one frame mapped for clients.
#[derive(Clone, Copy, Debug)]
pub struct FrameCapabilities {
    /// The capability CONVERT made.
    pub original: SlotRef,
    /// Whether `original` holds one of the frame's mappings (others use copies).
    pub original_mapped: bool,
}

/// A shared buffer.
pub struct Buffer {
    /// Who pays for its pages.
    pub owner: ClientId,
    /// Its pages made so far: offset to frame (each holds one reference of its own).
    pub pages: BTreeMap<u64, u64>,
}

/// An object made by ALLOCATE_OBJECT.
#[derive(Clone, Copy, Debug)]
pub struct ObjectRecord {
    /// Who holds it.
    pub owner: ClientId,
    /// Where its memory came from.
    pub placement: Placement,
    /// mm-server's capability (the client holds a child).
    pub slot: SlotRef,
    /// Bytes charged.
    pub bytes: u64,
}

/// Counters for identifiers and statistics.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counters {
    /// Next address-space id.
    pub next_space: u64,
    /// Next object handle.
    pub next_handle: u64,
    /// Next shared-buffer id.
    pub next_buffer: u64,
    /// Faults resolved.
    pub faults_resolved: u64,
    /// Faults forwarded (or dropped without a handler).
    pub faults_forwarded: u64,
    /// The last fault found already mapped: space and page.
    pub last_already_mapped: Option<(u64, u64)>,
}

/// The whole server.
pub struct Server {
    /// Memory and slots.
    pub memory: Memory,
    /// Page tables of mm-server's own address space (window, heap).
    pub own_tables: Vec<TableRecord>,
    /// Reference counts of the frames mapped for clients.
    pub frames: FrameTable,
    /// Their capabilities.
    pub frame_capabilities: BTreeMap<u64, FrameCapabilities>,
    /// The managed address spaces.
    pub spaces: BTreeMap<SpaceId, Space>,
    /// Per-client accounts.
    pub accounts: Accounts,
    /// Objects made for clients.
    pub objects: BTreeMap<ObjectHandle, ObjectRecord>,
    /// Shared buffers.
    pub buffers: BTreeMap<BufferId, Buffer>,
    /// Counters.
    pub counters: Counters,
    /// The service port.
    pub service: IpcPort,
    /// The slot a capability sent with a request arrives in.
    pub inbox: SlotRef,
    /// The heap, grown between requests.
    pub heap: &'static ServerHeap,
}

impl Server {
    /// The client that owns (and pays for) address space `id`.
    pub fn owner_of(&self, id: SpaceId) -> Result<ClientId, Failure> {
        self.spaces
            .get(&id)
            .map(|space| space.owner)
            .ok_or(Failure::Refused(MmError::NoSuchAddressSpace))
    }

    /// The address-space capability of `space`.
    pub fn space_capability(&self, space: &Space) -> AddressSpace {
        AddressSpace::new(self.memory.slots.descriptor(space.object.1))
    }
}

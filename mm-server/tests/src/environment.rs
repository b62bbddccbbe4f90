//! What every test uses: the two client capabilities init gave, a node of 4096
//! slots (allocated from mm-server) where replies put capabilities, and the number
//! of frames of this program's image (mapped into the address spaces tests make,
//! so that their threads can run this program's code).

use alloc::format;
use alloc::string::String;

use a9n_abi::{CapabilityType, Descriptor};
use mm_server_api::boot::{TEST_CLIENT_SLOT, TEST_SECOND_CLIENT_SLOT};
use mm_server_api::client::{Client, ClientError, Destination};
use mm_server_api::request::AllocateObject;
use mm_server_api::{ClientId, StatsReply};
use nun::capability::{Frame, Node};
use nun::server_start::{FIRST_FREE_SLOT, IMAGE_FRAME_SLOT, SERVER_ROOT_RADIX, server_slot};
use nun::slot_allocator::{Slot, SlotAllocator};

/// Radix of the test client's capability node.
pub const NODE_RADIX: u32 = 12;
/// Root slot of that node.
const NODE_SLOT: u64 = FIRST_FREE_SLOT;

/// The test client's resources.
pub struct Environment {
    /// mm-server through the first client capability (client 2).
    pub mm: Client,
    /// mm-server through the second one (client 3).
    pub other: Client,
    /// The capability node.
    pub node: Node,
    /// Its free slots.
    pub slots: SlotAllocator<64>,
    /// Frames of this program's image (root slots from `IMAGE_FRAME_SLOT`).
    pub image_frames: u64,
}

/// Formats a client error.
pub fn describe(error: ClientError) -> String {
    match error {
        ClientError::Kernel(error) => format!("kernel error {}", error.name()),
        ClientError::Refused(error) => format!("refused with {}", error.name()),
        ClientError::Malformed(error) => format!("malformed reply {error:?}"),
        ClientError::MissingCapabilities => "reply without its capabilities".into(),
    }
}

impl Environment {
    /// Sets up: the node from mm-server, the image frame count.
    pub fn new() -> Result<Self, String> {
        let mm = Client::new(server_slot(TEST_CLIENT_SLOT));
        let other = Client::new(server_slot(TEST_SECOND_CLIENT_SLOT));
        let root = Node::new(Descriptor::ROOT_NODE, SERVER_ROOT_RADIX);
        mm.allocate_objects(
            AllocateObject {
                object_type: CapabilityType::Node,
                specific: u64::from(NODE_RADIX),
                count: 1,
            },
            Destination::new(root.descriptor(), NODE_SLOT),
        )
        .map_err(|error| format!("cannot get a node: {}", describe(error)))?;
        let node = Node::new(
            root.slot(NODE_SLOT).unwrap_or(Descriptor::ROOT_NODE),
            NODE_RADIX,
        );
        let slots = SlotAllocator::new(node, 0, 1 << NODE_RADIX)
            .map_err(|error| format!("slot allocator: {error:?}"))?;
        let image_frames = (IMAGE_FRAME_SLOT..1 << SERVER_ROOT_RADIX)
            .take_while(|&slot| Frame::new(server_slot(slot)).get_address().is_ok())
            .count() as u64;
        Ok(Self {
            mm,
            other,
            node,
            slots,
            image_frames,
        })
    }

    /// `count` consecutive free slots of the node.
    pub fn take_slots(&mut self, count: u64) -> Result<Slot, String> {
        let first = self
            .slots
            .allocate_consecutive(count)
            .ok_or_else(|| String::from("the test node is full"))?;
        Ok(Slot {
            index: first,
            descriptor: self.node.slot(first).unwrap_or(Descriptor::ROOT_NODE),
        })
    }

    /// The slot after `slot`.
    pub fn next(&self, slot: Slot, offset: u64) -> Slot {
        Slot {
            index: slot.index + offset,
            descriptor: self
                .node
                .slot(slot.index + offset)
                .unwrap_or(Descriptor::ROOT_NODE),
        }
    }

    /// Gives `count` slots from `slot` back (their capabilities are gone).
    pub fn free_slots(&mut self, slot: Slot, count: u64) {
        for index in slot.index..slot.index + count {
            let _ = self.node.remove(index);
            self.slots.free(index);
        }
    }

    /// Where `count` capabilities of a reply should go: fresh slots.
    pub fn destination(&mut self, count: u64) -> Result<(Destination, Slot), String> {
        let slot = self.take_slots(count)?;
        Ok((Destination::new(self.node.descriptor(), slot.index), slot))
    }

    /// STATS of client 2 (as itself).
    pub fn stats(&self) -> Result<StatsReply, String> {
        self.mm
            .stats(ClientId::CALLER)
            .map_err(|error| format!("STATS: {}", describe(error)))
    }
}

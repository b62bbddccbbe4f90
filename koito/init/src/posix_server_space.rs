//! Moving posix-server into an address space mm-server makes
//! (`posix_server_api::boot`), once mm-server runs and before posix-server's first
//! RESUME.
//!
//! Init asks for the space through a client capability with posix-server's own
//! client identifier (so that posix-server owns the space and may map in it), maps
//! copies of the server's image frames (each page with its segment's attributes),
//! of its IPC buffer frame and, read-only at `ROOT_IMAGE_ADDRESS`, of the frames of
//! the boot module `rootfs.tar`; the page tables on the way come from mm-server
//! (ALLOCATE_OBJECT, as init's client). The thread's address space becomes the new
//! one and its fault resolver the capability CREATE_ADDRESS_SPACE gave, and a copy
//! of init's supervisor port identified with the server is registered as the
//! space's fault handler: faults mm-server cannot resolve, and the server's stop,
//! reach init's supervisor as forwarded faults. The server's root slot
//! `ServerSlot::AddressSpace` then holds the new space's capability (init keeps
//! none: mm-server gives it without the COPY right); the space init made at launch
//! is deleted (its memory came from a Generic that is mm-server's now and is not
//! given back; its page tables stay in the server's root node after the image
//! frames, unused).

use a9n_abi::boot::PAGE_SIZE;
use a9n_abi::init::RootSlot;
use a9n_abi::paging::{FrameSize, MapAttributes, PageTableDepth};
use a9n_abi::{CapabilityType, Descriptor, InitInfo};
use mm_server_api::SpaceId;
use mm_server_api::client::{Client, Destination};
use mm_server_api::request::AllocateObject;
use nun::capability::{AddressSpace, Configuration, Node};
use nun::mapping::{MappingError, Paging, map_with};
use nun::server_start::{IMAGE_BASE, IMAGE_FRAME_SLOT, SERVER_IPC_BUFFER_ADDRESS, ServerSlot};
use posix_server_api::boot::{
    ROOT_IMAGE_ADDRESS, ROOT_IMAGE_MAX_PAGES, ROOT_IMAGE_MODULE, encode_argument,
};

use crate::child_space::{ChildError, READ_WRITE, kernel};
use crate::server_launcher::{self, Server};

/// Init's root slot for the node (allocated from mm-server) holding the new space's
/// capabilities, the frame copies and the page tables.
const SPACE_NODE_SLOT: u64 = 32;
/// Smallest radix of that node.
const MINIMUM_RADIX: u32 = 6;
/// Largest radix mm-server makes a node with.
const MAXIMUM_RADIX: u32 = 20;
/// Slots beyond the frames: the space and fault-resolver capabilities, and the
/// page tables of three separate stretches (at most three each, plus one per 2 MiB).
const FIXED_SLOTS: u64 = 2 + 3 * 4;

/// What init needs to move posix-server.
pub struct Move<'a> {
    /// The prepared server (not started).
    pub server: &'a Server,
    /// A client capability with the server's own client identifier.
    pub own_client: Descriptor,
    /// Init's client capability (client 1): page tables and the node come from it.
    pub init_client: Descriptor,
    /// A copy of init's supervisor port identified with the server (moved to
    /// mm-server as the space's fault handler).
    pub fault_handler: Descriptor,
}

/// The space posix-server runs in now.
pub struct Moved {
    /// Its id.
    pub space: SpaceId,
    /// Pages of the root image mapped at `ROOT_IMAGE_ADDRESS` (0: none).
    pub root_image_pages: u64,
}

/// Consecutive free slots of the node allocated for the space.
struct SpaceNode {
    node: Node,
    next: u64,
}

impl SpaceNode {
    /// The next free slot: its index and descriptor.
    fn take(&mut self) -> Result<(u64, Descriptor), ChildError> {
        let index = self.next;
        let descriptor = self
            .node
            .slot(index)
            .ok_or(ChildError::Resources("the space node is full"))?;
        self.next += 1;
        Ok((index, descriptor))
    }

    /// Puts a copy of `source` in the next free slot.
    fn copy(&mut self, source: Descriptor) -> Result<Descriptor, ChildError> {
        let (index, descriptor) = self.take()?;
        kernel("copy a capability", self.node.copy(index, source))?;
        Ok(descriptor)
    }
}

/// Page tables from mm-server for one frame's mapping.
struct MemoryServerTables<'a> {
    client: Client,
    slots: &'a mut SpaceNode,
    space: AddressSpace,
    frame: Descriptor,
    attributes: MapAttributes,
}

impl Paging for MemoryServerTables<'_> {
    fn unset_depth(&mut self, address: u64, leaf: FrameSize) -> Result<u64, MappingError> {
        Ok(self.space.get_unset_depth(address, leaf)?)
    }

    fn add_page_table(&mut self, depth: PageTableDepth, address: u64) -> Result<(), MappingError> {
        let (index, descriptor) = self.slots.take().map_err(|_| MappingError::OutOfSlots)?;
        self.client
            .allocate_objects(
                AllocateObject {
                    object_type: CapabilityType::PageTable,
                    specific: depth.as_word(),
                    count: 1,
                },
                Destination::new(self.slots.node.descriptor(), index),
            )
            .map_err(|_| MappingError::OutOfSlots)?;
        Ok(self.space.map(descriptor, address, MapAttributes::READ)?)
    }

    fn map_frame(&mut self, address: u64) -> Result<(), MappingError> {
        Ok(self.space.map(self.frame, address, self.attributes)?)
    }
}

/// Maps a copy of `frame` at `address` of `space`.
fn map_copy(
    tables_client: Client,
    slots: &mut SpaceNode,
    space: AddressSpace,
    frame: Descriptor,
    address: u64,
    attributes: MapAttributes,
    what: &'static str,
) -> Result<(), ChildError> {
    let copy = slots.copy(frame)?;
    let mut paging = MemoryServerTables {
        client: tables_client,
        slots,
        space,
        frame: copy,
        attributes,
    };
    map_with(&mut paging, address, FrameSize::Small)
        .map(|_| ())
        .map_err(|error| ChildError::Mapping(what, error))
}

/// Moves the new space's capability (mm-server gives it without COPY, so init
/// gives its own) to the server's `ServerSlot::AddressSpace`, instead of the space
/// init made at launch, which goes (nothing else names it, the thread runs in the
/// new one).
fn give_space_capability(server: &Server, space: Descriptor) -> Result<(), ChildError> {
    let own_slot = ServerSlot::AddressSpace as u64;
    kernel(
        "delete the space made at launch",
        server.node.remove(own_slot),
    )?;
    kernel(
        "give the server its space",
        server.node.move_capability(own_slot, space),
    )
}

/// The smallest radix whose node holds `slots`.
fn radix_for(slots: u64) -> u32 {
    let bits = u64::BITS - slots.saturating_sub(1).leading_zeros();
    bits.clamp(MINIMUM_RADIX, MAXIMUM_RADIX)
}

/// Moves the prepared server into a space mm-server makes, and writes its argument
/// word; the caller then resumes it.
pub fn move_server(info: &InitInfo, request: &Move<'_>) -> Result<Moved, ChildError> {
    let server = request.server;
    let own = Client::new(request.own_client);
    let init = Client::new(request.init_client);
    let root_image = server_launcher::module_frames(info, ROOT_IMAGE_MODULE)
        .filter(|&(_, pages)| pages <= ROOT_IMAGE_MAX_PAGES);
    let root_image_pages = root_image.map_or(0, |(_, pages)| pages);
    let tables = (server.image_pages + root_image_pages) / 512;
    let radix = radix_for(FIXED_SLOTS + server.image_pages + 1 + root_image_pages + tables);
    let root = Node::new(RootSlot::RootNode.descriptor(), a9n_abi::init::ROOT_RADIX);
    init.allocate_objects(
        AllocateObject {
            object_type: CapabilityType::Node,
            specific: u64::from(radix),
            count: 1,
        },
        Destination::new(root.descriptor(), SPACE_NODE_SLOT),
    )
    .map_err(|error| ChildError::Memory("allocate the space node", error))?;
    let node = Node::new(
        root.slot(SPACE_NODE_SLOT)
            .ok_or(ChildError::Resources("bad root slot"))?,
        radix,
    );
    let mut slots = SpaceNode { node, next: 0 };

    let (space_index, space_descriptor) = slots.take()?;
    let (_, resolver) = slots.take()?;
    let space_id = own
        .create_address_space(Destination::new(node.descriptor(), space_index))
        .map_err(|error| ChildError::Memory("CREATE_ADDRESS_SPACE", error))?;
    let space = AddressSpace::new(space_descriptor);

    for (page, attributes) in (0..).zip(server.page_attributes.iter().copied()) {
        let frame = server
            .node
            .slot(IMAGE_FRAME_SLOT + page)
            .ok_or(ChildError::Resources("bad image frame slot"))?;
        map_copy(
            init,
            &mut slots,
            space,
            frame,
            IMAGE_BASE + page * PAGE_SIZE,
            attributes,
            "an image page",
        )?;
    }
    let ipc_buffer = server
        .node
        .slot(ServerSlot::IpcBuffer as u64)
        .ok_or(ChildError::Resources("bad IPC buffer slot"))?;
    map_copy(
        init,
        &mut slots,
        space,
        ipc_buffer,
        SERVER_IPC_BUFFER_ADDRESS,
        READ_WRITE,
        "the IPC buffer",
    )?;
    if let Some((first, pages)) = root_image {
        let modules = Node::new(
            RootSlot::BootModuleNode.descriptor(),
            info.boot_module_node_radix as u32,
        );
        for page in 0..pages {
            let frame = modules
                .slot(first + page)
                .ok_or(ChildError::Resources("bad module slot"))?;
            map_copy(
                init,
                &mut slots,
                space,
                frame,
                ROOT_IMAGE_ADDRESS + page * PAGE_SIZE,
                MapAttributes::READ,
                "a root image page",
            )?;
        }
    }

    kernel(
        "move the server to its new space",
        server.thread.configure(
            &Configuration::new()
                .address_space(space.descriptor())
                .fault_resolver(resolver),
        ),
    )?;
    own.register_fault_handler(space_id, Some(request.fault_handler))
        .map_err(|error| ChildError::Memory("REGISTER_FAULT_HANDLER", error))?;
    give_space_capability(server, space_descriptor)?;
    server_launcher::write_arguments(
        server.thread,
        encode_argument(space_id.get(), root_image_pages),
    )?;
    Ok(Moved {
        space: space_id,
        root_image_pages,
    })
}

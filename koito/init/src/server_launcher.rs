//! Starting a server from an ELF boot module, in its own address space with its own
//! root node (the layout of `nun::server_start`): its segments are copied into
//! fresh frames, it gets an IPC buffer and the capabilities its launcher gives it,
//! and, once [`Server::start`] resumes it, it runs from its entry point with the
//! IPC buffer address and one argument.

use a9n_abi::boot::PAGE_SIZE;
use a9n_abi::init::RootSlot;
use a9n_abi::paging::MapAttributes;
use a9n_abi::{CapabilityType, Descriptor, InitInfo, Register};
use nun::capability::{AddressSpace, Configuration, Node, ProcessControlBlock};
use nun::server_start::{
    IMAGE_BASE, IMAGE_FRAME_SLOT, SERVER_IPC_BUFFER_ADDRESS, SERVER_ROOT_RADIX, ServerSlot,
};
use nun::slot_allocator::Slot;
use nun::window;

use crate::child_space::{ChildError, READ_WRITE, kernel};
use crate::elf_image::{self, ElfImage};
use crate::object_factory::ObjectFactory;

/// Where init maps a module to read it.
const MODULE_WINDOW: u64 = window::BASE + 0x1000_0000;
/// Where init maps one page to fill it.
const FILL_WINDOW: u64 = window::BASE + 0x0800_0000;

/// A server, ready to run or running.
pub struct Server {
    /// Its thread.
    pub thread: ProcessControlBlock,
    /// Pages of its image.
    pub image_pages: u64,
    /// Its root node (radix `SERVER_ROOT_RADIX`), as init names it.
    pub node: Node,
    /// Each image page's attributes, from its ELF segment (page `i` is at
    /// `IMAGE_BASE + i * PAGE_SIZE`, its frame in root slot `IMAGE_FRAME_SLOT + i`).
    pub page_attributes: alloc::vec::Vec<MapAttributes>,
}

impl Server {
    /// Resumes the server's thread.
    pub fn start(&self) -> Result<(), ChildError> {
        kernel("resume the server", self.thread.resume())
    }
}

/// What to give a server: a capability of init's and the server's root slot for it.
pub struct Gift {
    /// The capability, as init names it.
    pub source: Descriptor,
    /// The slot in the server's root node (>= `nun::server_start::FIRST_GIVEN_SLOT`).
    pub slot: u64,
    /// Move it (init keeps nothing) rather than copy it.
    pub moved: bool,
}

/// Boot module `name`'s first frame slot (in the boot module node) and its page
/// count, if the image has it.
#[must_use]
pub fn module_frames(info: &InitInfo, name: &str) -> Option<(u64, u64)> {
    info.module_descriptions()
        .iter()
        .find(|module| module_name(&module.name) == name)
        .map(|module| (module.slot, module.size.div_ceil(PAGE_SIZE)))
}

/// Maps boot module `name` read-only at the module window; returns its first
/// frame slot, its page count and its size.
fn map_module(
    info: &InitInfo,
    scratch: &mut ObjectFactory,
    name: &str,
) -> Result<(u64, u64, u64), ChildError> {
    let module = info
        .module_descriptions()
        .iter()
        .find(|module| module_name(&module.name) == name)
        .ok_or(ChildError::Resources("boot module not found"))?;
    let modules = Node::new(
        RootSlot::BootModuleNode.descriptor(),
        info.boot_module_node_radix as u32,
    );
    let own = AddressSpace::new(RootSlot::AddressSpace.descriptor());
    let pages = module.size.div_ceil(PAGE_SIZE);
    for page in 0..pages {
        let frame = modules
            .slot(module.slot + page)
            .ok_or(ChildError::Resources("bad module slot"))?;
        scratch.map(
            own,
            frame,
            MODULE_WINDOW + page * PAGE_SIZE,
            MapAttributes::READ,
            "module page",
        )?;
    }
    Ok((module.slot, pages, module.size))
}

/// Maps the module `name` and reads its ELF description (the module stays mapped
/// for the segments to be copied from it).
fn read_module(
    info: &InitInfo,
    scratch: &mut ObjectFactory,
    name: &str,
) -> Result<(ElfImage, u64, u64), ChildError> {
    let (slot, pages, size) = map_module(info, scratch, name)?;
    let image = window_read(MODULE_WINDOW, size, elf_image::read)?
        .map_err(|_| ChildError::Resources("the module is not a usable ELF executable"))?;
    Ok((image, slot, pages))
}

/// Maps boot module `name` read-only in init's window, lends its bytes to `read`,
/// and unmaps it again.
pub fn with_module<R>(
    info: &InitInfo,
    scratch: &mut ObjectFactory,
    name: &str,
    read: impl FnOnce(&[u8]) -> R,
) -> Result<R, ChildError> {
    let (slot, pages, size) = map_module(info, scratch, name)?;
    let result = window_read(MODULE_WINDOW, size, read);
    unmap_module(info, slot, pages);
    result
}

/// Unmaps `pages` module frames from `slot` on from init's window.
fn unmap_module(info: &InitInfo, slot: u64, pages: u64) {
    let own = AddressSpace::new(RootSlot::AddressSpace.descriptor());
    let modules = Node::new(
        RootSlot::BootModuleNode.descriptor(),
        info.boot_module_node_radix as u32,
    );
    for page in 0..pages {
        if let Some(frame) = modules.slot(slot + page) {
            let _ = own.unmap(frame, MODULE_WINDOW + page * PAGE_SIZE);
        }
    }
}

fn window_read<R>(
    address: u64,
    length: u64,
    read: impl FnOnce(&[u8]) -> R,
) -> Result<R, ChildError> {
    nun::window_bytes::with_bytes(address, length, read)
        .ok_or(ChildError::Resources("outside the window"))
}

fn module_name(bytes: &[u8]) -> &str {
    let end = bytes
        .iter()
        .position(|&byte| byte == 0)
        .unwrap_or(bytes.len());
    core::str::from_utf8(&bytes[..end]).unwrap_or("")
}

/// Copies one page of a segment into the server's frame `frame` and maps it there;
/// the attributes it was mapped with.
fn load_page(
    scratch: &mut ObjectFactory,
    server: &mut ObjectFactory,
    space: AddressSpace,
    image_start: u64,
    segment: &elf_image::Segment,
    page: u64,
    frame: Slot,
) -> Result<MapAttributes, ChildError> {
    let own = AddressSpace::new(RootSlot::AddressSpace.descriptor());
    // The frame is named from init's root: server node slot descriptor.
    scratch.map(
        own,
        frame.descriptor,
        FILL_WINDOW,
        READ_WRITE,
        "fill window",
    )?;
    let page_start = segment.virtual_address & !(PAGE_SIZE - 1);
    let page_address = page_start + page * PAGE_SIZE;
    let file_start = segment.virtual_address;
    let file_end = segment.virtual_address + segment.file_size;
    nun::window_bytes::with_bytes_mut(FILL_WINDOW, PAGE_SIZE, |bytes| {
        bytes.fill(0);
        let from = page_address.max(file_start);
        let to = (page_address + PAGE_SIZE).min(file_end);
        if from < to {
            let source = image_start + segment.file_offset + (from - file_start);
            let _ = nun::window_bytes::with_bytes(source, to - from, |data| {
                let offset = (from - page_address) as usize;
                bytes[offset..offset + data.len()].copy_from_slice(data);
            });
        }
    })
    .ok_or(ChildError::Resources("fill window"))?;
    kernel(
        "unmap the fill window",
        own.unmap(frame.descriptor, FILL_WINDOW),
    )?;
    let attributes = segment_attributes(segment);
    server.map(
        space,
        frame.descriptor,
        page_address,
        attributes,
        "segment page",
    )?;
    Ok(attributes)
}

/// The attributes of a segment's pages.
fn segment_attributes(segment: &elf_image::Segment) -> MapAttributes {
    let mut attributes = MapAttributes::READ;
    if segment.writable {
        attributes = attributes | MapAttributes::WRITE;
    }
    if segment.executable {
        attributes = attributes | MapAttributes::EXECUTE;
    }
    attributes
}

/// Writes a server's start registers: `RDI` = its IPC buffer address, `RSI` =
/// `argument` (the others zero). Before its first RESUME only.
pub fn write_arguments(thread: ProcessControlBlock, argument: u64) -> Result<(), ChildError> {
    let mut registers = [0u64; Register::Rsi.index() + 1];
    registers[Register::Rdi.index()] = SERVER_IPC_BUFFER_ADDRESS;
    registers[Register::Rsi.index()] = argument;
    kernel(
        "write the server's arguments",
        thread.write_registers(&registers),
    )
}

/// How to start one server.
pub struct Launch<'a> {
    /// Its boot module.
    pub name: &'a str,
    /// Init's root slot for its root node.
    pub root_slot: u64,
    /// What it gets.
    pub gifts: &'a [Gift],
    /// Its argument word (`RSI`).
    pub argument: u64,
    /// Its priority.
    pub priority: u64,
    /// Its fault resolver (init's supervisor port, identified with the server),
    /// which also hears when it stops (`nun::server_start::stop`).
    pub supervisor: Option<Descriptor>,
}

/// Prepares the server `launch` describes (not running yet: see
/// [`Server::start`]), with objects from `generic`'s factory `scratch` (whose node
/// also takes init's own page tables for its windows).
pub fn launch(
    info: &InitInfo,
    scratch: &mut ObjectFactory,
    launch: &Launch<'_>,
) -> Result<Server, ChildError> {
    let Launch {
        name,
        root_slot,
        gifts,
        argument,
        priority,
        supervisor,
    } = *launch;
    let root = Node::new(RootSlot::RootNode.descriptor(), a9n_abi::init::ROOT_RADIX);
    kernel(
        "convert the server's node",
        scratch.generic.convert(
            CapabilityType::Node,
            u64::from(SERVER_ROOT_RADIX),
            1,
            root.descriptor(),
            root_slot,
        ),
    )?;
    let node = Node::new(
        root.slot(root_slot)
            .ok_or(ChildError::Resources("bad root slot"))?,
        SERVER_ROOT_RADIX,
    );
    let mut server = ObjectFactory::new(scratch.generic, node, IMAGE_FRAME_SLOT)?;
    let slot = |own: ServerSlot| node.slot(own as u64).unwrap_or(Descriptor::ROOT_NODE);
    let convert = |object_type: CapabilityType, specific: u64, index: ServerSlot| {
        kernel(
            "convert a server object",
            scratch
                .generic
                .convert(object_type, specific, 1, node.descriptor(), index as u64),
        )
    };
    convert(CapabilityType::AddressSpace, 0, ServerSlot::AddressSpace)?;
    convert(
        CapabilityType::ProcessControlBlock,
        0,
        ServerSlot::ProcessControlBlock,
    )?;
    convert(CapabilityType::Frame, 12, ServerSlot::IpcBuffer)?;
    kernel(
        "copy the server's node into itself",
        node.copy(ServerSlot::RootNode as u64, node.descriptor()),
    )?;
    let space = AddressSpace::new(slot(ServerSlot::AddressSpace));

    let (image, module_slot, module_pages) = read_module(info, scratch, name)?;
    // Every page's frame first, in consecutive slots from IMAGE_FRAME_SLOT in address
    // order (the layout of `nun::server_start`), then the page tables.
    let mut next_page = IMAGE_BASE;
    for segment in &image.segments {
        let first = segment.virtual_address & !(PAGE_SIZE - 1);
        if first != next_page {
            return Err(ChildError::Resources(
                "the image's pages are not contiguous from IMAGE_BASE",
            ));
        }
        let pages = (segment.virtual_address + segment.memory_size - first).div_ceil(PAGE_SIZE);
        next_page = first + pages * PAGE_SIZE;
    }
    let page_count = (next_page - IMAGE_BASE) / PAGE_SIZE;
    let mut frames = alloc::vec::Vec::new();
    for _ in 0..page_count {
        frames.push(server.make(CapabilityType::Frame, 12)?);
    }
    let mut frame_slots = frames.into_iter();
    let mut page_attributes = alloc::vec::Vec::new();
    for segment in &image.segments {
        let first = segment.virtual_address & !(PAGE_SIZE - 1);
        let pages = (segment.virtual_address + segment.memory_size - first).div_ceil(PAGE_SIZE);
        for page in 0..pages {
            let frame = frame_slots
                .next()
                .ok_or(ChildError::Resources("image frame count"))?;
            page_attributes.push(load_page(
                scratch,
                &mut server,
                space,
                MODULE_WINDOW,
                segment,
                page,
                frame,
            )?);
        }
    }
    unmap_module(info, module_slot, module_pages);
    server.map(
        space,
        slot(ServerSlot::IpcBuffer),
        SERVER_IPC_BUFFER_ADDRESS,
        READ_WRITE,
        "server IPC buffer",
    )?;

    for gift in gifts {
        let result = if gift.moved {
            node.move_capability(gift.slot, gift.source)
        } else {
            node.copy(gift.slot, gift.source)
        };
        kernel("give a capability", result)?;
    }

    let thread = ProcessControlBlock::new(slot(ServerSlot::ProcessControlBlock));
    let mut configuration = Configuration::new()
        .address_space(space.descriptor())
        .root_node(node.descriptor())
        .ipc_buffer(slot(ServerSlot::IpcBuffer))
        .instruction_pointer(image.entry)
        .priority(priority);
    if let Some(supervisor) = supervisor {
        configuration = configuration.fault_resolver(supervisor);
    }
    kernel("configure the server", thread.configure(&configuration))?;
    write_arguments(thread, argument)?;
    Ok(Server {
        thread,
        image_pages: page_count,
        node,
        page_attributes,
    })
}

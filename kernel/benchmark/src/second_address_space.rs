//! The IPC server in a second address space: a new address space with copies of
//! the program image's frames mapped read+execute (so the server runs this
//! program's code), its own stack page, an IPC buffer frame (not mapped: the server
//! never touches MR10 and above), and a radix-8 root node of its own holding a copy
//! of the IPC port in slot 1, so that its descriptor is a depth-16 root slot as the
//! kernel's IPC fastpath requires.

use a9n_abi::paging::{FrameSize, MapAttributes};
use a9n_abi::scheduling::INIT_PRIORITY;
use a9n_abi::{CapabilityType, Descriptor, MessageInfo, RootSlot};
use nun::capability::{AddressSpace, Configuration, Frame, Node, ProcessControlBlock};
use nun::mapping::map_frame;
use nun::slot_allocator::Slot;

use crate::error::{BenchmarkError, kernel};
use crate::local_threads::argument_registers;
use crate::resources::Resources;
use crate::thread_bodies::{entry_address, ipc_server};

/// Where the server's stack page goes.
const STACK_ADDRESS: u64 = 0x0000_7000_0000_0000;
/// Radix of the server's root node (as init's: the fastpath resolves root slots
/// of radix-8 root nodes only).
const SERVER_ROOT_RADIX: u32 = 8;
/// The server's root slot that holds the port.
const SERVER_PORT_SLOT: u64 = 1;

/// Maps `frame` at `address` in `space`, page tables from the work node.
fn map(
    resources: &mut Resources,
    space: AddressSpace,
    frame: Slot,
    address: u64,
    attributes: MapAttributes,
    what: &'static str,
) -> Result<(), BenchmarkError> {
    map_frame(
        space,
        resources.generic,
        &mut resources.slots,
        Frame::new(frame.descriptor),
        FrameSize::Small,
        address,
        attributes,
    )
    .map(|_| ())
    .map_err(|error| BenchmarkError::Mapping(what, error))
}

/// Builds the address space and starts the server on `port` (a capability in the
/// benchmark's own root node), replying with `info`.
///
/// # Errors
/// No resources, or the kernel refuses a step.
pub fn start_server(
    resources: &mut Resources,
    port: Descriptor,
    info: MessageInfo,
) -> Result<ProcessControlBlock, BenchmarkError> {
    let space = AddressSpace::new(resources.make(CapabilityType::AddressSpace, 0)?.descriptor);
    let root_slot = resources.make(CapabilityType::Node, u64::from(SERVER_ROOT_RADIX))?;
    let server_root = Node::new(root_slot.descriptor, SERVER_ROOT_RADIX);
    kernel(
        "copy the port into the server's root node",
        server_root.copy(SERVER_PORT_SLOT, port),
    )?;
    let stack = resources.make(CapabilityType::Frame, 12)?;
    let ipc_buffer = resources.make(CapabilityType::Frame, 12)?;
    let read_write = MapAttributes::READ | MapAttributes::WRITE;
    map(
        resources,
        space,
        stack,
        STACK_ADDRESS,
        read_write,
        "server stack",
    )?;

    // The program image, from copies of its frames; the last two image frames are
    // init_info and the IPC buffer of the main thread, which stay private.
    let info_page = resources.info;
    let frame_node = Node::new(
        RootSlot::FrameNode.descriptor(),
        info_page.frame_node_radix as u32,
    );
    let read_execute = MapAttributes::READ | MapAttributes::EXECUTE;
    for index in 0..info_page.frame_count.saturating_sub(2) {
        let copy = resources.slot()?;
        let source = frame_node
            .slot(index)
            .ok_or(BenchmarkError::Resources("image frame index past its node"))?;
        let work = resources.slots.node();
        kernel("copy an image frame", work.copy(copy.index, source))?;
        let address = info_page.image_address + index * a9n_abi::boot::PAGE_SIZE;
        map(resources, space, copy, address, read_execute, "image frame")?;
    }

    let pcb = ProcessControlBlock::new(
        resources
            .make(CapabilityType::ProcessControlBlock, 0)?
            .descriptor,
    );
    let configuration = Configuration::new()
        .address_space(space.descriptor())
        .root_node(server_root.descriptor())
        .ipc_buffer(ipc_buffer.descriptor)
        .instruction_pointer(entry_address(ipc_server))
        .stack_pointer(STACK_ADDRESS + a9n_abi::boot::PAGE_SIZE - 8)
        .priority(INIT_PRIORITY);
    kernel("configure the server", pcb.configure(&configuration))?;
    let server_port = Descriptor::root_slot(SERVER_ROOT_RADIX, SERVER_PORT_SLOT)
        .map_err(|_| BenchmarkError::Resources("server port slot"))?;
    kernel(
        "write the server's arguments",
        pcb.write_registers(&argument_registers(server_port.as_word(), info.as_word())),
    )?;
    kernel("resume the server", pcb.resume())?;
    Ok(pcb)
}

//! A second thread in a new address space, made entirely from Generic memory: a
//! node for its capabilities, an address space, page tables, a stack, an IPC buffer
//! and a page shared with init. Init's code is mapped into it read-only (copies of
//! the image frame capabilities), so the thread can run a function of this program.

use core::fmt;

use a9n_abi::init::RootSlot;
use a9n_abi::paging::{FrameSize, MapAttributes};
use a9n_abi::{CapabilityError, CapabilityType, InitInfo};
use nun::capability::{AddressSpace, Configuration, Frame, Generic, Node, ProcessControlBlock};
use nun::mapping::{MappingError, map_frame};
use nun::slot_allocator::SlotAllocator;
use nun::thread::entry_address;
use nun::window;

/// Root slot of the node that holds everything made here.
const WORK_NODE_SLOT: u64 = 11;
/// Radix of that node (64 slots).
const WORK_NODE_RADIX: u32 = 6;
/// Where the child's stack page goes in its address space.
const STACK_ADDRESS: u64 = 0x0000_7000_0000_0000;
/// Where the child's IPC buffer goes.
const IPC_BUFFER_ADDRESS: u64 = 0x0000_7000_0001_0000;
/// The page shared by init and the child (inside Nun's memory window).
const SHARED_ADDRESS: u64 = window::BASE;
/// What the child writes into the shared page.
const CHILD_MARK: u64 = 0x5ec0_17d0_a55e_0005;

/// Why the demonstration failed.
pub enum DemonstrationError {
    /// A kernel call failed.
    Kernel(&'static str, CapabilityError),
    /// Mapping failed.
    Mapping(&'static str, MappingError),
    /// No Generic large enough, or no slots left.
    Resources(&'static str),
    /// The child never wrote its mark.
    ChildSilent,
}

impl fmt::Display for DemonstrationError {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Kernel(what, error) => write!(out, "{what}: {}", error.name()),
            Self::Mapping(what, error) => write!(out, "{what}: {error:?}"),
            Self::Resources(what) => write!(out, "{what}"),
            Self::ChildSilent => write!(out, "the second thread never reported"),
        }
    }
}

fn kernel<T>(
    what: &'static str,
    result: Result<T, CapabilityError>,
) -> Result<T, DemonstrationError> {
    result.map_err(|error| DemonstrationError::Kernel(what, error))
}

/// The second thread: says hello over the DEBUG call, marks the shared page, and
/// waits to be stopped.
extern "C" fn second_thread(mark: u64) -> ! {
    nun::debug_println!("init: second thread running in its own address space");
    let _ = window::write_word(SHARED_ADDRESS, mark);
    loop {
        nun::kernel_call::yield_now();
    }
}

/// Builds the address space and the thread, runs it, and checks its mark.
pub fn run(info: &InitInfo) -> Result<(), DemonstrationError> {
    let root = Node::new(RootSlot::RootNode.descriptor(), a9n_abi::init::ROOT_RADIX);
    let generic_index = info
        .generic_descriptions()
        .iter()
        .position(|generic| generic.is_device == 0 && generic.size_bits >= 20)
        .ok_or(DemonstrationError::Resources("no Generic of 1 MiB or more"))?;
    let generic_node = Node::new(
        RootSlot::GenericNode.descriptor(),
        info.generic_node_radix as u32,
    );
    let generic = Generic::new(
        generic_node
            .slot(generic_index as u64)
            .ok_or(DemonstrationError::Resources("bad Generic index"))?,
    );

    // A node for everything below.
    kernel(
        "convert node",
        generic.convert(
            CapabilityType::Node,
            u64::from(WORK_NODE_RADIX),
            1,
            root.descriptor(),
            WORK_NODE_SLOT,
        ),
    )?;
    let work = Node::new(
        root.slot(WORK_NODE_SLOT)
            .ok_or(DemonstrationError::Resources("bad work slot"))?,
        WORK_NODE_RADIX,
    );
    let mut slots = SlotAllocator::<1>::new(work, 0, work.slot_count())
        .map_err(|_| DemonstrationError::Resources("slot allocator"))?;

    // The address space, the thread, and their frames.
    let space_slot = slots_take(&mut slots)?;
    kernel(
        "convert address space",
        generic.convert(
            CapabilityType::AddressSpace,
            0,
            1,
            work.descriptor(),
            space_slot.index,
        ),
    )?;
    let space = AddressSpace::new(space_slot.descriptor);
    let thread_slot = slots_take(&mut slots)?;
    kernel(
        "convert PCB",
        generic.convert(
            CapabilityType::ProcessControlBlock,
            0,
            1,
            work.descriptor(),
            thread_slot.index,
        ),
    )?;
    let thread = ProcessControlBlock::new(thread_slot.descriptor);
    let frames_first = slots_take(&mut slots)?;
    let stack = frames_first;
    let ipc_buffer = slots_take(&mut slots)?;
    let shared = slots_take(&mut slots)?;
    let shared_copy = slots_take(&mut slots)?;
    for slot in [stack, ipc_buffer, shared] {
        kernel(
            "convert frame",
            generic.convert(CapabilityType::Frame, 12, 1, work.descriptor(), slot.index),
        )?;
    }
    kernel(
        "copy shared frame",
        work.copy(shared_copy.index, shared.descriptor),
    )?;

    let read_write = MapAttributes::READ | MapAttributes::WRITE;
    let map = |slots: &mut SlotAllocator<1>,
               frame: Frame,
               address: u64,
               attributes: MapAttributes,
               what| {
        map_frame(
            space,
            generic,
            slots,
            frame,
            FrameSize::Small,
            address,
            attributes,
        )
        .map(|_| ())
        .map_err(|error| DemonstrationError::Mapping(what, error))
    };
    map(
        &mut slots,
        Frame::new(stack.descriptor),
        STACK_ADDRESS,
        read_write,
        "stack",
    )?;
    map(
        &mut slots,
        Frame::new(ipc_buffer.descriptor),
        IPC_BUFFER_ADDRESS,
        read_write,
        "IPC buffer",
    )?;
    map(
        &mut slots,
        Frame::new(shared_copy.descriptor),
        SHARED_ADDRESS,
        read_write,
        "shared page",
    )?;

    // Init's own image, read-only and executable, from copies of its frames (the
    // last two image frames are init_info and init's IPC buffer: not shared).
    let frame_node = Node::new(
        RootSlot::FrameNode.descriptor(),
        info.frame_node_radix as u32,
    );
    let code_and_execute = MapAttributes::READ | MapAttributes::EXECUTE;
    for index in 0..info.frame_count.saturating_sub(2) {
        let copy = slots_take(&mut slots)?;
        let source = frame_node
            .slot(index)
            .ok_or(DemonstrationError::Resources("bad frame index"))?;
        kernel("copy image frame", work.copy(copy.index, source))?;
        let address = info.image_address + index * a9n_abi::boot::PAGE_SIZE;
        map(
            &mut slots,
            Frame::new(copy.descriptor),
            address,
            code_and_execute,
            "image frame",
        )?;
    }

    // The shared page in init's own address space too.
    let own_space = AddressSpace::new(RootSlot::AddressSpace.descriptor());
    map_frame(
        own_space,
        generic,
        &mut slots,
        Frame::new(shared.descriptor),
        FrameSize::Small,
        SHARED_ADDRESS,
        read_write,
    )
    .map_err(|error| DemonstrationError::Mapping("shared page in init", error))?;
    let _ = window::write_word(SHARED_ADDRESS, 0);

    // Configure and run the thread at init's priority; init yields to it.
    let configuration = Configuration::new()
        .address_space(space.descriptor())
        .root_node(work.descriptor())
        .ipc_buffer(ipc_buffer.descriptor)
        .instruction_pointer(entry_address(second_thread))
        .stack_pointer(STACK_ADDRESS + a9n_abi::boot::PAGE_SIZE - 8)
        .priority(a9n_abi::scheduling::INIT_PRIORITY);
    kernel("configure", thread.configure(&configuration))?;
    kernel(
        "write RDI",
        thread.write_registers(&register_values_with_mark()),
    )?;
    kernel("resume", thread.resume())?;
    for _ in 0..1000 {
        if window::read_word(SHARED_ADDRESS) == Some(CHILD_MARK) {
            kernel("suspend", thread.suspend())?;
            return Ok(());
        }
        nun::kernel_call::yield_now();
    }
    Err(DemonstrationError::ChildSilent)
}

fn slots_take(
    slots: &mut SlotAllocator<1>,
) -> Result<nun::slot_allocator::Slot, DemonstrationError> {
    slots
        .allocate()
        .ok_or(DemonstrationError::Resources("work node full"))
}

/// Registers RAX..RDI with RDI = the mark the child must write (the thread's first
/// argument), everything else 0.
fn register_values_with_mark() -> [u64; 5] {
    [0, 0, 0, 0, CHILD_MARK]
}

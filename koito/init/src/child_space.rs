//! A child address space made entirely from Generic memory: a node for its
//! capabilities, an address space with init's image mapped read+execute (copies of
//! the image frame capabilities, so its threads can run functions of this program),
//! an IPC buffer at the address init's own has, and a page shared with init in
//! Nun's memory window. Threads are added with their own stack pages.

use core::fmt;

use a9n_abi::init::RootSlot;
use a9n_abi::paging::MapAttributes;
use a9n_abi::{CapabilityError, CapabilityType, Descriptor, InitInfo};
use nun::capability::{AddressSpace, Configuration, Generic, Node, ProcessControlBlock};
use nun::mapping::MappingError;
use nun::slot_allocator::Slot;

use crate::object_factory::ObjectFactory;
use nun::thread::{ThreadEntry, entry_address};
use nun::window;

/// Root slot of the node that holds everything made here.
const WORK_NODE_SLOT: u64 = 11;
/// Radix of that node (512 slots: init's image, with its heap, is a few hundred pages).
pub const WORK_NODE_RADIX: u32 = 9;
/// Where thread stacks go in the child (one page each, 64 KiB apart).
const STACK_BASE: u64 = 0x0000_7000_0000_0000;
/// The page shared by init and the child.
pub const SHARED_ADDRESS: u64 = window::BASE;

/// Why building or using the child failed.
pub enum ChildError {
    /// A kernel call failed.
    Kernel(&'static str, CapabilityError),
    /// Mapping failed.
    Mapping(&'static str, MappingError),
    /// No Generic large enough, or no slots left.
    Resources(&'static str),
    /// A thread did not report what it should have.
    Silent(&'static str),
    /// mm-server did not do what was asked.
    Memory(&'static str, mm_server_api::client::ClientError),
}

impl fmt::Display for ChildError {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Kernel(what, error) => write!(out, "{what}: {}", error.name()),
            Self::Mapping(what, error) => write!(out, "{what}: {error:?}"),
            Self::Resources(what) => write!(out, "{what}"),
            Self::Silent(what) => write!(out, "{what}"),
            Self::Memory(what, error) => write!(out, "{what}: {error:?}"),
        }
    }
}

/// Wraps a kernel call's error with what was being done.
pub fn kernel<T>(what: &'static str, result: Result<T, CapabilityError>) -> Result<T, ChildError> {
    result.map_err(|error| ChildError::Kernel(what, error))
}

/// The child address space and what init keeps to manage it.
pub struct ChildSpace {
    /// Its address space.
    pub space: AddressSpace,
    /// Where its objects come from and go: the work node (also its threads' root
    /// node) and a Generic.
    pub objects: ObjectFactory,
    /// The IPC buffer frame its threads share.
    ipc_buffer: Slot,
    /// Threads made so far (for stack placement).
    threads: u64,
}

/// Read-write mapping attributes.
pub const READ_WRITE: MapAttributes =
    MapAttributes::from_bits_truncate(MapAttributes::READ.bits() | MapAttributes::WRITE.bits());

impl ChildSpace {
    /// A free slot of the work node.
    pub fn take_slot(&mut self) -> Result<Slot, ChildError> {
        self.objects.take_slot()
    }

    /// Converts one object of `object_type` into a free slot.
    pub fn make(&mut self, object_type: CapabilityType, specific: u64) -> Result<Slot, ChildError> {
        self.objects.make(object_type, specific)
    }

    /// Maps the 4 KiB frame in `frame` at `address` of `space`, making page tables.
    pub fn map(
        &mut self,
        space: AddressSpace,
        frame: Descriptor,
        address: u64,
        attributes: MapAttributes,
        what: &'static str,
    ) -> Result<(), ChildError> {
        self.objects.map(space, frame, address, attributes, what)
    }

    /// The work node.
    #[must_use]
    pub fn work(&self) -> Node {
        self.objects.node
    }

    /// The descriptor a child thread uses for slot `index` of its root (the work node).
    #[must_use]
    pub fn child_descriptor(index: u64) -> Descriptor {
        Descriptor::root_slot(WORK_NODE_RADIX, index).unwrap_or(Descriptor::ROOT_NODE)
    }

    /// Builds the address space.
    pub fn build(info: &InitInfo) -> Result<Self, ChildError> {
        let root = Node::new(RootSlot::RootNode.descriptor(), a9n_abi::init::ROOT_RADIX);
        let generic_index = info
            .generic_descriptions()
            .iter()
            .position(|generic| generic.is_device == 0 && generic.size_bits >= 22)
            .ok_or(ChildError::Resources("no Generic of 4 MiB or more"))?;
        let generic_node = Node::new(
            RootSlot::GenericNode.descriptor(),
            info.generic_node_radix as u32,
        );
        let generic = Generic::new(
            generic_node
                .slot(generic_index as u64)
                .ok_or(ChildError::Resources("bad Generic index"))?,
        );
        kernel(
            "convert work node",
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
                .ok_or(ChildError::Resources("bad work slot"))?,
            WORK_NODE_RADIX,
        );
        let mut child = Self {
            space: AddressSpace::new(Descriptor::ROOT_NODE),
            objects: ObjectFactory::new(generic, work, 0)?,
            ipc_buffer: Slot {
                index: 0,
                descriptor: Descriptor::ROOT_NODE,
            },
            threads: 0,
        };
        let space = child.make(CapabilityType::AddressSpace, 0)?;
        child.space = AddressSpace::new(space.descriptor);

        // Init's image, read-only and executable; the last two frames (init_info and
        // init's IPC buffer) stay private.
        let frame_node = Node::new(
            RootSlot::FrameNode.descriptor(),
            info.frame_node_radix as u32,
        );
        for index in 0..info.frame_count.saturating_sub(2) {
            let copy = child.take_slot()?;
            let source = frame_node
                .slot(index)
                .ok_or(ChildError::Resources("bad frame index"))?;
            kernel("copy image frame", work.copy(copy.index, source))?;
            let address = info.image_address + index * a9n_abi::boot::PAGE_SIZE;
            child.map(
                child.space,
                copy.descriptor,
                address,
                MapAttributes::READ | MapAttributes::EXECUTE,
                "image frame",
            )?;
        }
        // The IPC buffer where Nun expects it, and the shared page in both spaces.
        child.ipc_buffer = child.make(CapabilityType::Frame, 12)?;
        child.map(
            child.space,
            child.ipc_buffer.descriptor,
            info.ipc_buffer_address,
            READ_WRITE,
            "IPC buffer",
        )?;
        let shared = child.make(CapabilityType::Frame, 12)?;
        let shared_copy = child.take_slot()?;
        kernel(
            "copy shared frame",
            work.copy(shared_copy.index, shared.descriptor),
        )?;
        child.map(
            child.space,
            shared_copy.descriptor,
            SHARED_ADDRESS,
            READ_WRITE,
            "shared page",
        )?;
        child.map(
            AddressSpace::new(RootSlot::AddressSpace.descriptor()),
            shared.descriptor,
            SHARED_ADDRESS,
            READ_WRITE,
            "shared page in init",
        )?;
        Ok(child)
    }

    /// Makes a thread in the child running `entry(argument)` at `priority`, with
    /// `extra` applied to its configuration (a notification, a fault resolver);
    /// it is not resumed yet.
    pub fn thread(
        &mut self,
        entry: ThreadEntry,
        argument: u64,
        priority: u64,
        extra: impl FnOnce(Configuration) -> Configuration,
    ) -> Result<ProcessControlBlock, ChildError> {
        let stack = self.make(CapabilityType::Frame, 12)?;
        let stack_address = STACK_BASE + self.threads * 0x1_0000;
        self.threads += 1;
        self.map(
            self.space,
            stack.descriptor,
            stack_address,
            READ_WRITE,
            "stack",
        )?;
        let thread = ProcessControlBlock::new(
            self.make(CapabilityType::ProcessControlBlock, 0)?
                .descriptor,
        );
        let configuration = extra(
            Configuration::new()
                .address_space(self.space.descriptor())
                .root_node(self.objects.node.descriptor())
                .ipc_buffer(self.ipc_buffer.descriptor)
                .instruction_pointer(entry_address(entry))
                .stack_pointer(stack_address + a9n_abi::boot::PAGE_SIZE - 8)
                .priority(priority),
        );
        kernel("configure", thread.configure(&configuration))?;
        kernel("write RDI", thread.write_registers(&[0, 0, 0, 0, argument]))?;
        Ok(thread)
    }
}

/// Word `index` of the shared page.
#[must_use]
pub fn shared_word(index: u64) -> u64 {
    window::read_word(SHARED_ADDRESS + 8 * index).unwrap_or(0)
}

/// Sets word `index` of the shared page.
pub fn set_shared_word(index: u64, value: u64) {
    let _ = window::write_word(SHARED_ADDRESS + 8 * index, value);
}

/// Yields until `condition` holds, at most `yields` times.
pub fn yield_until(yields: u64, condition: impl Fn() -> bool) -> bool {
    for _ in 0..yields {
        if condition() {
            return true;
        }
        nun::kernel_call::yield_now();
    }
    condition()
}

//! Address spaces made by mm-server for the tests, with this program's image
//! mapped (copies of its frame capabilities, page tables allocated from
//! mm-server), a grow-down stack region, and worker threads that run one
//! [`Order`] each.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use a9n_abi::paging::{FrameSize, MapAttributes, PageTableDepth};
use a9n_abi::{CapabilityType, Register};
use mm_server_api::client::Client;
use mm_server_api::request::{AllocateObject, MapAnonymous, MapFlags};
use mm_server_api::{ObjectHandle, Protection, SpaceId};
use nun::capability::{AddressSpace, Configuration, ProcessControlBlock};
use nun::mapping::{MappingError, Paging, map_with};
use nun::server_start::{IMAGE_BASE, IMAGE_FRAME_SLOT, ServerSlot, server_slot};
use nun::slot_allocator::Slot;
use nun::thread::entry_address;
use nun::window;

use crate::environment::{Environment, describe};
use crate::work::{MAILBOX, Order, worker};

/// Top of every test space's stack region.
pub const STACK_TOP: u64 = window::BASE + 0x8000_0000;
/// Bytes of the stack region at first.
pub const STACK_LENGTH: u64 = 64 * 1024;
/// The most the stack may grow to.
pub const STACK_LIMIT: u64 = 1 << 20;
/// Where tests put their regions (far from the stack).
pub const DATA_BASE: u64 = window::BASE + 0x1_0000_0000;
/// Priority of worker threads (the test client's own).
const WORKER_PRIORITY: u64 = 20;
/// Yields a worker gets to finish before the test gives up.
const PATIENCE: u64 = 20_000_000;

/// A test address space.
pub struct Child {
    /// The client it belongs to.
    pub client: Client,
    /// Its id.
    pub space: SpaceId,
    /// The address-space and fault-resolver capabilities.
    capabilities: Slot,
    /// Page tables allocated for the image mapping: handle and slot.
    tables: Vec<(ObjectHandle, Slot)>,
    /// Copies of the image frames mapped in it.
    image: Vec<Slot>,
    /// The current worker thread: handle and slot.
    thread: Option<(ObjectHandle, Slot)>,
}

struct ClientTables<'a> {
    client: Client,
    environment: &'a mut Environment,
    space: AddressSpace,
    tables: &'a mut Vec<(ObjectHandle, Slot)>,
    frame: a9n_abi::Descriptor,
}

impl Paging for ClientTables<'_> {
    fn unset_depth(&mut self, address: u64, leaf: FrameSize) -> Result<u64, MappingError> {
        Ok(self.space.get_unset_depth(address, leaf)?)
    }

    fn add_page_table(&mut self, depth: PageTableDepth, address: u64) -> Result<(), MappingError> {
        let (destination, slot) = self
            .environment
            .destination(1)
            .map_err(|_| MappingError::OutOfSlots)?;
        let reply = self
            .client
            .allocate_objects(
                AllocateObject {
                    object_type: CapabilityType::PageTable,
                    specific: depth.as_word(),
                    count: 1,
                },
                destination,
            )
            .map_err(|_| MappingError::OutOfSlots)?;
        self.tables.push((reply.first, slot));
        Ok(self
            .space
            .map(slot.descriptor, address, MapAttributes::READ)?)
    }

    fn map_frame(&mut self, address: u64) -> Result<(), MappingError> {
        Ok(self.space.map(
            self.frame,
            address,
            MapAttributes::READ | MapAttributes::WRITE | MapAttributes::EXECUTE,
        )?)
    }
}

impl Child {
    fn address_space(&self, environment: &Environment) -> AddressSpace {
        AddressSpace::new(environment.next(self.capabilities, 0).descriptor)
    }

    fn fault_resolver(&self, environment: &Environment) -> Slot {
        environment.next(self.capabilities, 1)
    }

    /// A new space of client 2 with the image and a stack region.
    pub fn create(environment: &mut Environment) -> Result<Self, String> {
        let client = environment.mm;
        Self::create_for(environment, client)
    }

    /// A new space of `client` with the image and a stack region.
    pub fn create_for(environment: &mut Environment, client: Client) -> Result<Self, String> {
        let (destination, capabilities) = environment.destination(2)?;
        let space = client
            .create_address_space(destination)
            .map_err(|error| format!("CREATE_ADDRESS_SPACE: {}", describe(error)))?;
        let mut child = Self {
            client,
            space,
            capabilities,
            tables: Vec::new(),
            image: Vec::new(),
            thread: None,
        };
        child.map_image(environment)?;
        client
            .map_anonymous(MapAnonymous {
                space,
                address: STACK_TOP - STACK_LENGTH,
                length: STACK_LENGTH,
                protection: Protection::READ_WRITE,
                flags: MapFlags::GROWS_DOWN,
                stack_limit: STACK_LIMIT,
            })
            .map_err(|error| format!("MAP_ANONYMOUS of the stack: {}", describe(error)))?;
        Ok(child)
    }

    /// A copy-on-write clone of `parent` (its regions, stack included), with the
    /// image mapped.
    pub fn clone_of(environment: &mut Environment, parent: &Self) -> Result<Self, String> {
        let mut child = Self::clone_without_image(environment, parent)?;
        child.map_image(environment)?;
        Ok(child)
    }

    /// A copy-on-write clone of `parent`, nothing added (no worker can run in it).
    pub fn clone_without_image(
        environment: &mut Environment,
        parent: &Self,
    ) -> Result<Self, String> {
        let (destination, capabilities) = environment.destination(2)?;
        let client = parent.client;
        let space = client
            .clone_address_space(parent.space, destination)
            .map_err(|error| format!("CLONE_ADDRESS_SPACE: {}", describe(error)))?;
        Ok(Self {
            client,
            space,
            capabilities,
            tables: Vec::new(),
            image: Vec::new(),
            thread: None,
        })
    }

    /// Maps copies of the image frames at their addresses.
    fn map_image(&mut self, environment: &mut Environment) -> Result<(), String> {
        let space = self.address_space(environment);
        for page in 0..environment.image_frames {
            let copy = environment.take_slots(1)?;
            environment
                .node
                .copy(copy.index, server_slot(IMAGE_FRAME_SLOT + page))
                .map_err(|error| format!("copy an image frame: {}", error.name()))?;
            self.image.push(copy);
            let mut paging = ClientTables {
                client: self.client,
                environment,
                space,
                tables: &mut self.tables,
                frame: copy.descriptor,
            };
            map_with(&mut paging, IMAGE_BASE + page * 4096, FrameSize::Small)
                .map_err(|error| format!("map the image: {error:?}"))?;
        }
        Ok(())
    }

    /// Starts a worker on `order` (not waiting for it).
    pub fn start(&mut self, environment: &mut Environment, order: Order) -> Result<(), String> {
        self.stop(environment)?;
        let (destination, slot) = environment.destination(1)?;
        let reply = self
            .client
            .allocate_objects(
                AllocateObject {
                    object_type: CapabilityType::ProcessControlBlock,
                    specific: 0,
                    count: 1,
                },
                destination,
            )
            .map_err(|error| format!("ALLOCATE_OBJECT of a PCB: {}", describe(error)))?;
        self.thread = Some((reply.first, slot));
        let thread = ProcessControlBlock::new(slot.descriptor);
        MAILBOX.post(order);
        thread
            .configure(
                &Configuration::new()
                    .address_space(self.address_space(environment).descriptor())
                    .root_node(server_slot(ServerSlot::RootNode as u64))
                    .fault_resolver(self.fault_resolver(environment).descriptor)
                    .instruction_pointer(entry_address(worker))
                    .stack_pointer(STACK_TOP - 8)
                    .priority(WORKER_PRIORITY),
            )
            .map_err(|error| format!("configure a worker: {}", error.name()))?;
        let mut registers = [0; Register::Rdi.index() + 1];
        registers[Register::Rdi.index()] = 0;
        thread
            .write_registers(&registers)
            .and_then(|()| thread.resume())
            .map_err(|error| format!("start a worker: {}", error.name()))
    }

    /// Waits for the worker's result (yielding to it).
    pub fn wait(&self) -> Result<u64, String> {
        for _ in 0..PATIENCE {
            if let Some(result) = MAILBOX.result() {
                return Ok(result);
            }
            nun::kernel_call::yield_now();
        }
        Err("the worker did not finish (a fault was not resolved?)".into())
    }

    /// Runs a worker on `order` and returns its result.
    pub fn run(&mut self, environment: &mut Environment, order: Order) -> Result<u64, String> {
        self.start(environment, order)?;
        let result = self.wait();
        self.stop(environment)?;
        result
    }

    /// Destroys the current worker, if any.
    pub fn stop(&mut self, environment: &mut Environment) -> Result<(), String> {
        if let Some((handle, slot)) = self.thread.take() {
            self.client
                .free_object(handle)
                .map_err(|error| format!("FREE_OBJECT of a worker: {}", describe(error)))?;
            environment.free_slots(slot, 1);
        }
        Ok(())
    }

    /// Destroys the space and everything the test client made for it.
    pub fn destroy(mut self, environment: &mut Environment) -> Result<(), String> {
        self.stop(environment)?;
        self.client
            .destroy_address_space(self.space)
            .map_err(|error| format!("DESTROY_ADDRESS_SPACE: {}", describe(error)))?;
        environment.free_slots(self.capabilities, 2);
        for copy in self.image.drain(..) {
            environment.free_slots(copy, 1);
        }
        for (handle, slot) in self.tables.drain(..) {
            self.client
                .free_object(handle)
                .map_err(|error| format!("FREE_OBJECT of a page table: {}", describe(error)))?;
            environment.free_slots(slot, 1);
        }
        Ok(())
    }
}

//! posix-server's kernel objects, all from mm-server: its slots (a radix-12 node
//! in root slot [`OBJECT_NODE_SLOT`]), objects allocated and freed, address spaces
//! made, cloned and destroyed, shared buffers and range copies.

use a9n_abi::{CapabilityType, Descriptor, Rights};
use mm_server_api::client::{Client, ClientError, Destination};
use mm_server_api::request::{
    AllocateObject, CopyRange, MapAnonymous, MapFlags, MapSharedBuffer, SharedMapping, Unmap,
};
use mm_server_api::{MmError, ObjectHandle, Protection, SpaceId};
use nun::capability::{IpcPort, Node};
use nun::server_start::server_slot;
use nun::slot_allocator::{Slot, SlotAllocator};
use posix_server_api::Errno;

/// posix-server's root slot of the node its capabilities live in.
pub const OBJECT_NODE_SLOT: u64 = 10;
/// Radix of that node.
pub const OBJECT_NODE_RADIX: u32 = 12;
/// posix-server's root slot of its service port: a slot of the radix-8 root, so
/// that the kernel's IPC fastpath serves the port.
pub const SERVICE_PORT_SLOT: u64 = 11;
/// Words of the slot bitmap (4096 slots).
const SLOT_WORDS: usize = 64;

/// What an address space comes with.
#[derive(Clone, Copy, Debug)]
pub struct Space {
    /// mm-server's id.
    pub id: SpaceId,
    /// The address-space capability.
    pub address_space: Slot,
    /// The fault-resolver capability for threads in it.
    pub fault_resolver: Slot,
}

/// An allocated object.
#[derive(Clone, Copy, Debug)]
pub struct Object {
    /// mm-server's handle.
    pub handle: ObjectHandle,
    /// Where its capability is.
    pub slot: Slot,
}

/// The objects and slots posix-server works with.
pub struct KernelObjects {
    /// mm-server.
    pub memory: Client,
    /// posix-server's own address space.
    pub own_space: SpaceId,
    slots: SlotAllocator<SLOT_WORDS>,
    node: Node,
}

/// mm-server's refusals as errnos.
#[must_use]
pub fn errno_of(error: ClientError) -> Errno {
    match error {
        ClientError::Refused(MmError::NoMemory | MmError::LimitExceeded) => Errno::ENOMEM,
        ClientError::Refused(MmError::InvalidArgument | MmError::NotMapped) => Errno::EINVAL,
        ClientError::Refused(MmError::Overlap) => Errno::EEXIST,
        ClientError::Refused(MmError::Permission) => Errno::EACCES,
        _ => Errno::EIO,
    }
}

impl KernelObjects {
    /// Makes the slot node (a radix-12 node from mm-server in root slot
    /// [`OBJECT_NODE_SLOT`]).
    ///
    /// # Errors
    /// What mm-server answers.
    pub fn new(memory: Client, own_space: SpaceId) -> Result<Self, ClientError> {
        let root = Node::new(Descriptor::ROOT_NODE, nun::server_start::SERVER_ROOT_RADIX);
        memory.allocate_objects(
            AllocateObject {
                object_type: CapabilityType::Node,
                specific: u64::from(OBJECT_NODE_RADIX),
                count: 1,
            },
            Destination::new(root.descriptor(), OBJECT_NODE_SLOT),
        )?;
        let node = Node::new(server_slot(OBJECT_NODE_SLOT), OBJECT_NODE_RADIX);
        let slots = SlotAllocator::new(node, 1, (1 << OBJECT_NODE_RADIX) - 1)
            .map_err(|_| ClientError::MissingCapabilities)?;
        Ok(Self {
            memory,
            own_space,
            slots,
            node,
        })
    }

    /// An IPC port in root slot [`SERVICE_PORT_SLOT`].
    ///
    /// # Errors
    /// What mm-server answers.
    pub fn allocate_service_port(&self) -> Result<Descriptor, ClientError> {
        let root = Node::new(Descriptor::ROOT_NODE, nun::server_start::SERVER_ROOT_RADIX);
        self.memory.allocate_objects(
            AllocateObject {
                object_type: CapabilityType::IpcPort,
                specific: 0,
                count: 1,
            },
            Destination::new(root.descriptor(), SERVICE_PORT_SLOT),
        )?;
        Ok(server_slot(SERVICE_PORT_SLOT))
    }

    /// The slot node.
    #[must_use]
    pub const fn node(&self) -> Node {
        self.node
    }

    /// How many slots are free.
    #[must_use]
    pub fn free_slots(&self) -> u64 {
        self.slots.free_count()
    }

    /// A free slot.
    ///
    /// # Errors
    /// `ENOMEM` when none is left.
    pub fn take_slot(&mut self) -> Result<Slot, Errno> {
        self.slots.allocate().ok_or(Errno::ENOMEM)
    }

    /// Empties and frees `slot`.
    pub fn free_slot(&mut self, slot: Slot) {
        let _ = self.node.remove(slot.index);
        self.slots.free(slot.index);
    }

    /// One object of `object_type`.
    ///
    /// # Errors
    /// `ENOMEM`/`EAGAIN` from mm-server.
    pub fn allocate(
        &mut self,
        object_type: CapabilityType,
        specific: u64,
    ) -> Result<Object, Errno> {
        let slot = self.take_slot()?;
        match self.memory.allocate_objects(
            AllocateObject {
                object_type,
                specific,
                count: 1,
            },
            Destination::new(self.node.descriptor(), slot.index),
        ) {
            Ok(reply) => Ok(Object {
                handle: reply.first,
                slot,
            }),
            Err(error) => {
                self.slots.free(slot.index);
                Err(errno_of(error))
            }
        }
    }

    /// Frees `object` (revoking every capability derived from it).
    pub fn free(&mut self, object: Object) {
        let _ = self.memory.free_object(object.handle);
        self.free_slot(object.slot);
    }

    fn two_slots(&mut self) -> Result<u64, Errno> {
        self.slots.allocate_consecutive(2).ok_or(Errno::ENOMEM)
    }

    fn space_from(&self, id: SpaceId, first: u64) -> Space {
        let slot = |index: u64| Slot {
            index,
            descriptor: self.node.slot(index).unwrap_or(Descriptor::ROOT_NODE),
        };
        Space {
            id,
            address_space: slot(first),
            fault_resolver: slot(first + 1),
        }
    }

    /// A new, empty address space.
    ///
    /// # Errors
    /// `ENOMEM`.
    pub fn create_space(&mut self) -> Result<Space, Errno> {
        let first = self.two_slots()?;
        match self
            .memory
            .create_address_space(Destination::new(self.node.descriptor(), first))
        {
            Ok(id) => Ok(self.space_from(id, first)),
            Err(error) => {
                self.slots.free(first);
                self.slots.free(first + 1);
                Err(errno_of(error))
            }
        }
    }

    /// A copy-on-write clone of `space`.
    ///
    /// # Errors
    /// `ENOMEM`.
    pub fn clone_space(&mut self, space: SpaceId) -> Result<Space, Errno> {
        let first = self.two_slots()?;
        match self
            .memory
            .clone_address_space(space, Destination::new(self.node.descriptor(), first))
        {
            Ok(id) => Ok(self.space_from(id, first)),
            Err(error) => {
                self.slots.free(first);
                self.slots.free(first + 1);
                Err(errno_of(error))
            }
        }
    }

    /// Destroys `space` and frees its slots.
    pub fn destroy_space(&mut self, space: Space) {
        let _ = self.memory.destroy_address_space(space.id);
        self.free_slot(space.address_space);
        self.free_slot(space.fault_resolver);
    }

    /// Anonymous memory in `space`.
    ///
    /// # Errors
    /// `ENOMEM`, `EINVAL`, `EEXIST` (taken).
    pub fn map_anonymous(
        &self,
        space: SpaceId,
        address: u64,
        length: u64,
        protection: u64,
        flags: MapFlags,
        stack_limit: u64,
    ) -> Result<u64, Errno> {
        self.memory
            .map_anonymous(MapAnonymous {
                space,
                address,
                length,
                protection: Protection::from_bits(protection).ok_or(Errno::EINVAL)?,
                flags,
                stack_limit,
            })
            .map_err(errno_of)
    }

    /// Unmaps a range of `space`.
    ///
    /// # Errors
    /// `EINVAL`.
    pub fn unmap(&self, space: SpaceId, address: u64, length: u64) -> Result<(), Errno> {
        self.memory
            .unmap(Unmap {
                space,
                address,
                length,
            })
            .map_err(errno_of)
    }

    /// A buffer shared read-write by posix-server (at `own_address`) and `space`
    /// (at `address`).
    ///
    /// # Errors
    /// `ENOMEM`, `EEXIST`.
    pub fn share_buffer(
        &self,
        length: u64,
        own_address: u64,
        space: SpaceId,
        address: u64,
    ) -> Result<(), Errno> {
        self.memory
            .map_shared_buffer(MapSharedBuffer {
                length,
                first: SharedMapping {
                    space: self.own_space,
                    address: own_address,
                    protection: Protection::READ_WRITE,
                },
                second: SharedMapping {
                    space,
                    address,
                    protection: Protection::READ_WRITE,
                },
            })
            .map(|_| ())
            .map_err(errno_of)
    }

    /// Copies (copy-on-write) `length` bytes at `source` of posix-server's space
    /// into a new region of `space` at `address`.
    ///
    /// # Errors
    /// `ENOMEM`, `EINVAL`, `EEXIST`.
    #[allow(
        clippy::too_many_arguments,
        reason = "COPY_RANGE's own fields, one each"
    )]
    pub fn copy_into(
        &self,
        space: SpaceId,
        address: u64,
        length: u64,
        protection: u64,
        flags: MapFlags,
        stack_limit: u64,
        source: u64,
    ) -> Result<u64, Errno> {
        self.memory
            .copy_range(CopyRange {
                target_space: space,
                target_address: address,
                length,
                protection: Protection::from_bits(protection).ok_or(Errno::EINVAL)?,
                flags,
                stack_limit,
                source_space: self.own_space,
                source_address: source,
            })
            .map_err(errno_of)
    }

    /// A copy of `port` in a new slot, identified with `identifier`, left with
    /// `rights`.
    ///
    /// # Errors
    /// `ENOMEM` (no slot) or `EIO`.
    pub fn identified_copy(
        &mut self,
        port: Descriptor,
        identifier: u64,
        rights: Rights,
    ) -> Result<Slot, Errno> {
        let slot = self.take_slot()?;
        let made = self
            .node
            .copy(slot.index, port)
            .and_then(|()| IpcPort::new(slot.descriptor).identify(identifier))
            .and_then(|()| self.node.demote(slot.index, rights));
        if made.is_err() {
            self.free_slot(slot);
            return Err(Errno::EIO);
        }
        Ok(slot)
    }
}

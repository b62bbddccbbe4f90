//! ALLOCATE_OBJECT and FREE_OBJECT: kernel objects for clients. mm-server keeps
//! the capability CONVERT made and gives the client a child with every right, so
//! that freeing (a REVOKE of mm-server's capability) takes back whatever the client
//! derived from it.

use alloc::vec::Vec;

use a9n_abi::object::object_size_bits;
use a9n_abi::{CapabilityType, Rights};
use mm_server::slab::SizeClass;
use mm_server_api::request::{AllocateObject, FreeObject};
use mm_server_api::{ClientId, MmError, ObjectHandle, ObjectsReply};

use super::failure::Failure;
use super::slots::SlotRef;
use super::state::{ObjectRecord, Server};

impl Server {
    /// ALLOCATE_OBJECT: the reply and the client's capabilities, in order.
    pub fn allocate_objects(
        &mut self,
        client: ClientId,
        request: AllocateObject,
    ) -> Result<(ObjectsReply, Vec<SlotRef>), Failure> {
        let bits = object_size_bits(request.object_type, request.specific)
            .ok_or(Failure::Refused(MmError::InvalidArgument))?;
        let count = request.count as u64;
        let bytes = count
            .checked_mul(1 << bits)
            .ok_or(Failure::Refused(MmError::NoMemory))?;
        let small =
            request.object_type != CapabilityType::Frame && SizeClass::for_object(bits).is_some();
        let spare = if small {
            self.memory.can_spare_small(bytes)
        } else {
            self.memory.can_spare(bytes)
        };
        if !spare {
            return Err(Failure::Refused(MmError::NoMemory));
        }
        let first = ObjectHandle::new(self.counters.next_handle)
            .ok_or(Failure::Refused(MmError::NoMemory))?;
        self.accounts
            .check(client, bytes)
            .map_err(|error| Failure::Refused(error.into()))?;
        let mut made: Vec<(ObjectHandle, ObjectRecord, SlotRef)> = Vec::new();
        for index in 0..count {
            let result = self
                .memory
                .make_object(request.object_type, request.specific)
                .and_then(
                    |(placement, slot)| match self.memory.mint(slot, Rights::ALL) {
                        Ok(child) => Ok((placement, slot, child)),
                        Err(failure) => {
                            let _ = self.memory.destroy_object(placement, slot);
                            Err(failure)
                        }
                    },
                );
            match result {
                Ok((placement, slot, child)) => made.push((
                    ObjectHandle::new(first.get() + index).unwrap_or(first),
                    ObjectRecord {
                        owner: client,
                        placement,
                        slot,
                        bytes: 1 << bits,
                    },
                    child,
                )),
                Err(failure) => {
                    for (_, record, child) in made {
                        self.memory.slots.free(child);
                        let _ = self.memory.destroy_object(record.placement, record.slot);
                    }
                    return Err(failure);
                }
            }
        }
        let _ = self.accounts.charge(client, bytes);
        self.accounts.count_objects(client, count, true);
        self.counters.next_handle += count;
        let mut children = Vec::new();
        for (handle, record, child) in made {
            self.objects.insert(handle, record);
            children.push(child);
        }
        Ok((
            ObjectsReply {
                first,
                count: request.count,
            },
            children,
        ))
    }

    /// FREE_OBJECT.
    pub fn free_object(&mut self, client: ClientId, request: FreeObject) -> Result<(), Failure> {
        match self.objects.get(&request.handle) {
            Some(record) if record.owner == client => {}
            _ => return Err(Failure::Refused(MmError::NoSuchObject)),
        }
        let Some(record) = self.objects.remove(&request.handle) else {
            return Err(Failure::Refused(MmError::NoSuchObject));
        };
        let result = self.memory.destroy_object(record.placement, record.slot);
        let _ = self.accounts.uncharge(record.owner, record.bytes);
        self.accounts.count_objects(record.owner, 1, false);
        result
    }
}

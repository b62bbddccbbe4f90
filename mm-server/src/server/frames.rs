//! Frames mapped for clients: made zeroed (CONVERT zeroes), mapped with their own
//! capability once and with copies elsewhere (a capability maps at most once),
//! reference counted across copy-on-write and shared buffers, and freed with their
//! block when the last mapping goes.

use a9n_abi::CapabilityType;
use mm_server::buddy_allocator::MemoryKind;
use mm_server::fault_decision::SMALL_FRAME_BITS;
use mm_server::frame_table::Release;
use mm_server_api::{ClientId, MmError};
use nun::capability::AddressSpace;

use super::failure::{Failure, ignore};
use super::memory::FRAME_OWNER;
use super::slots::SlotRef;
use super::state::{FrameCapabilities, Server};

impl Server {
    /// A new zeroed frame of 2^`size_bits` bytes charged to `account`, with one
    /// reference (for the mapping about to be made).
    pub fn new_frame(&mut self, account: ClientId, size_bits: u32) -> Result<u64, Failure> {
        let bytes = 1u64 << size_bits;
        if !self.memory.can_spare(bytes) {
            return Err(Failure::Refused(MmError::NoMemory));
        }
        self.accounts
            .charge(account, bytes)
            .map_err(|error| Failure::Refused(error.into()))?;
        let made = self
            .memory
            .allocate_block(size_bits, MemoryKind::Ram, FRAME_OWNER)
            .and_then(|block| {
                self.memory
                    .convert_from(block, CapabilityType::Frame, u64::from(size_bits), 1)
                    .map(|slot| (block.address, slot))
                    .inspect_err(|_| {
                        let _ = self.memory.free_block(block.address);
                    })
            });
        let (frame, slot) = match made {
            Ok(made) => made,
            Err(failure) => {
                let _ = self.accounts.uncharge(account, bytes);
                return Err(failure);
            }
        };
        let _ = self.frames.insert(frame, size_bits, account);
        self.frame_capabilities.insert(
            frame,
            FrameCapabilities {
                original: slot,
                original_mapped: false,
            },
        );
        Ok(frame)
    }

    /// The device page at `physical` as a frame recorded for `account` (never
    /// charged: device memory is not RAM), with one reference. PERMISSION if the
    /// page is not device memory mm-server manages, OVERLAP if it is taken (mapped
    /// by a MAP_DEVICE still in force, or part of a block in use).
    pub fn new_device_frame(&mut self, account: ClientId, physical: u64) -> Result<u64, Failure> {
        if self.memory.buddy.kind_of(physical) != Some(MemoryKind::Device) {
            return Err(Failure::Refused(MmError::Permission));
        }
        let block = self
            .memory
            .allocate_block_at(physical, SMALL_FRAME_BITS, FRAME_OWNER)?;
        let slot = self
            .memory
            .convert_from(block, CapabilityType::Frame, u64::from(SMALL_FRAME_BITS), 1)
            .inspect_err(|_| {
                let _ = self.memory.free_block(block.address);
            })?;
        let _ = self.frames.insert(physical, SMALL_FRAME_BITS, account);
        self.frame_capabilities.insert(
            physical,
            FrameCapabilities {
                original: slot,
                original_mapped: false,
            },
        );
        Ok(physical)
    }

    /// A capability of `frame` to map once more: its own while that is unmapped,
    /// else a new copy.
    pub fn mapping_capability(&mut self, frame: u64) -> Result<SlotRef, Failure> {
        let capabilities = self
            .frame_capabilities
            .get_mut(&frame)
            .ok_or(Failure::Refused(MmError::NoSuchObject))?;
        if !capabilities.original_mapped {
            capabilities.original_mapped = true;
            return Ok(capabilities.original);
        }
        let original = capabilities.original;
        self.memory.copy(original)
    }

    /// Gives back a mapping capability that was never mapped (a failed map).
    pub fn unused_mapping_capability(&mut self, frame: u64, slot: SlotRef) {
        match self.frame_capabilities.get_mut(&frame) {
            Some(capabilities) if capabilities.original == slot => {
                capabilities.original_mapped = false;
            }
            _ => self.memory.discard(slot),
        }
    }

    /// Undoes one mapping of `frame` at `address` of `space` made with `slot`, and
    /// drops its reference (freeing the frame with the last one).
    pub fn drop_mapping(&mut self, space: AddressSpace, address: u64, slot: SlotRef, frame: u64) {
        let original = self
            .frame_capabilities
            .get(&frame)
            .map(|capabilities| capabilities.original);
        match self.frames.release(frame) {
            Ok(Release::Last { size_bits, account }) => {
                if original != Some(slot) {
                    // The copy goes with the frame's block; only its slot is left.
                    self.memory.slots.free(slot);
                }
                self.free_frame(frame, size_bits, account);
            }
            Ok(Release::StillShared(_)) => {
                if original == Some(slot) {
                    ignore(space.unmap(self.memory.slots.descriptor(slot), address));
                    if let Some(capabilities) = self.frame_capabilities.get_mut(&frame) {
                        capabilities.original_mapped = false;
                    }
                } else {
                    self.memory.discard(slot);
                }
            }
            Err(_) => {
                nun::debug_println!("mm-server: mapping of an unknown frame {frame:#x}");
                if original != Some(slot) {
                    self.memory.discard(slot);
                }
            }
        }
    }

    /// Drops one reference of `frame` that is not a mapping (a shared buffer's own).
    pub fn drop_reference(&mut self, frame: u64) {
        if let Ok(Release::Last { size_bits, account }) = self.frames.release(frame) {
            self.free_frame(frame, size_bits, account);
        }
    }

    /// Frees a frame whose last reference went: its block is revoked (every
    /// capability of it goes, unmapping it wherever it still is).
    fn free_frame(&mut self, frame: u64, size_bits: u32, account: ClientId) {
        if let Some(capabilities) = self.frame_capabilities.remove(&frame) {
            let _ = self.memory.free_block(frame);
            self.memory.slots.free(capabilities.original);
        }
        if self.memory.buddy.kind_of(frame) != Some(MemoryKind::Device) {
            let _ = self.accounts.uncharge(account, 1 << size_bits);
        }
    }
}

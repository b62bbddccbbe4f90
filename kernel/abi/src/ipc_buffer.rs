//! The IPC buffer (docs/abi.md section 3): one 4 KiB frame per thread that holds the
//! message registers past MR9 and the capability-transfer fields.
//!
//! `messages` is indexed by MR number (KOITO decision, see
//! [`message_register`](crate::message_register)): `messages[10]` is MR10 and
//! `messages[0..10]` are left to the user-level call stub. A thread finds its buffer
//! through its thread-local base: `GS` base points at a word that holds the buffer's
//! address, so user code reads it with `gs:[0]`. The kernel never reads that word;
//! it uses the frame given to PCB CONFIGURE.

use core::mem::{offset_of, size_of};

use crate::message_register::REGISTER_MESSAGE_REGISTERS;

/// Words of [`IpcBuffer::messages`].
pub const MESSAGE_WORDS: usize = 494;
/// Entries of [`IpcBuffer::transfer_source_descriptors`].
pub const TRANSFER_DESCRIPTOR_CAPACITY: usize = 16;
/// Size of the IPC buffer in bytes: exactly one base page.
pub const IPC_BUFFER_SIZE: usize = 4096;

/// The per-thread IPC buffer, one 4 KiB frame.
#[repr(C)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpcBuffer {
    /// Message registers by MR number: `messages[i]` is MRi for i >= 10; entries
    /// 0..10 are not used by the kernel.
    pub messages: [u64; MESSAGE_WORDS],
    /// Descriptors (resolved in the sender's root node) of the capabilities a message
    /// transfers; the message's transfer count says how many are valid.
    pub transfer_source_descriptors: [u64; TRANSFER_DESCRIPTOR_CAPACITY],
    /// Receiver side: descriptor of the node that receives transferred capabilities.
    pub transfer_destination_node: u64,
    /// Receiver side: index of the first slot in that node; transfers fill
    /// consecutive slots from here.
    pub transfer_destination_index: u64,
}

impl IpcBuffer {
    /// A zeroed buffer.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            messages: [0; MESSAGE_WORDS],
            transfer_source_descriptors: [0; TRANSFER_DESCRIPTOR_CAPACITY],
            transfer_destination_node: 0,
            transfer_destination_index: 0,
        }
    }

    /// Message register `mr` if it lives in this buffer (MR10..MR493), else `None`.
    #[must_use]
    pub const fn message(&self, mr: usize) -> Option<u64> {
        if mr >= REGISTER_MESSAGE_REGISTERS && mr < MESSAGE_WORDS {
            Some(self.messages[mr])
        } else {
            None
        }
    }

    /// Sets message register `mr` (MR10..MR493); returns false, changing nothing, for
    /// an MR that does not live in this buffer.
    pub const fn set_message(&mut self, mr: usize, value: u64) -> bool {
        if mr >= REGISTER_MESSAGE_REGISTERS && mr < MESSAGE_WORDS {
            self.messages[mr] = value;
            true
        } else {
            false
        }
    }

    /// The spill area `messages[0..10]`, which the kernel never touches.
    #[must_use]
    pub fn spill_area(&mut self) -> &mut [u64] {
        &mut self.messages[..REGISTER_MESSAGE_REGISTERS]
    }
}

impl Default for IpcBuffer {
    fn default() -> Self {
        Self::new()
    }
}

const _: () = {
    assert!(size_of::<IpcBuffer>() == IPC_BUFFER_SIZE);
    assert!(offset_of!(IpcBuffer, messages) == 0);
    assert!(offset_of!(IpcBuffer, transfer_source_descriptors) == 8 * 494);
    assert!(offset_of!(IpcBuffer, transfer_destination_node) == 8 * 510);
    assert!(offset_of!(IpcBuffer, transfer_destination_index) == 8 * 511);
    assert!(size_of::<IpcBuffer>() == crate::boot::PAGE_SIZE as usize);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_accessors_use_the_mr_number() {
        let mut buffer = IpcBuffer::new();
        assert!(buffer.set_message(10, 0xa));
        assert!(buffer.set_message(493, 0xb));
        assert_eq!(buffer.messages[10], 0xa);
        assert_eq!(buffer.messages[493], 0xb);
        assert_eq!(buffer.message(10), Some(0xa));
        assert_eq!(buffer.message(493), Some(0xb));
    }

    #[test]
    fn register_mrs_and_out_of_range_mrs_are_refused() {
        let mut buffer = IpcBuffer::new();
        for mr in [0, 9, 494, usize::MAX] {
            assert!(!buffer.set_message(mr, 1));
            assert_eq!(buffer.message(mr), None);
        }
        assert_eq!(buffer, IpcBuffer::new());
    }

    #[test]
    fn spill_area_is_messages_0_to_9() {
        let mut buffer = IpcBuffer::default();
        assert_eq!(buffer.spill_area().len(), 10);
        buffer.spill_area()[9] = 7;
        assert_eq!(buffer.messages[9], 7);
        assert_eq!(buffer.message(9), None);
    }
}

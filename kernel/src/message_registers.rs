//! A thread's message registers: MR0..MR9 in its saved registers, MR10 onwards in
//! its IPC buffer (`messages[i]` is MR i), as docs/abi.md section 2 says.

use a9n_abi::error::CapabilityError;
use a9n_abi::ipc_buffer::MESSAGE_WORDS;
use a9n_abi::message_register::{MESSAGE_REGISTER_MAP, REGISTER_MESSAGE_REGISTERS};

use crate::arch::object_memory::{read_word, write_word};
use crate::thread::{InternalSlot, Thread};

/// The message registers of one thread.
pub struct MessageRegisters {
    thread: Thread,
    /// Physical address of the IPC buffer, if the thread has one.
    ipc_buffer: Option<u64>,
}

impl MessageRegisters {
    /// The message registers of `thread`.
    #[must_use]
    pub fn of(thread: Thread) -> Self {
        let ipc_buffer = thread
            .internal_capability(InternalSlot::IpcBuffer)
            .map(|frame| frame.object);
        Self { thread, ipc_buffer }
    }

    /// Reads MR `index`. MRs past 9 need an IPC buffer (else INVALID_ARGUMENT).
    pub fn get(&self, index: usize) -> Result<u64, CapabilityError> {
        if index < REGISTER_MESSAGE_REGISTERS {
            return Ok(self.thread.register(MESSAGE_REGISTER_MAP[index]));
        }
        match self.ipc_buffer {
            Some(buffer) if index < MESSAGE_WORDS => Ok(read_word(buffer + 8 * index as u64)),
            _ => Err(CapabilityError::InvalidArgument),
        }
    }

    /// Reads MR `index` where it must be a register MR (0..9).
    #[must_use]
    pub fn register(&self, index: usize) -> u64 {
        self.thread
            .register(MESSAGE_REGISTER_MAP[index % REGISTER_MESSAGE_REGISTERS])
    }

    /// Writes MR `index` (dropped when a buffer MR has no IPC buffer to go to).
    pub fn set(&mut self, index: usize, value: u64) {
        if index < REGISTER_MESSAGE_REGISTERS {
            self.thread.set_register(MESSAGE_REGISTER_MAP[index], value);
        } else if let Some(buffer) = self.ipc_buffer
            && index < MESSAGE_WORDS
        {
            write_word(buffer + 8 * index as u64, value);
        }
    }

    /// Word `index` of the IPC buffer (for the transfer fields), if there is one.
    #[must_use]
    pub fn buffer_word(&self, index: usize) -> Option<u64> {
        self.ipc_buffer
            .filter(|_| index < 512)
            .map(|buffer| read_word(buffer + 8 * index as u64))
    }

    /// Whether MRs past 9 can be written.
    #[must_use]
    pub const fn has_ipc_buffer(&self) -> bool {
        self.ipc_buffer.is_some()
    }
}

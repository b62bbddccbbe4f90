//! The per-process buffer shared by a process and posix-server (a MAP_SHARED_BUFFER
//! of mm-server, mapped read-write on both sides): bulk data of requests and
//! replies, and the register save area of asynchronous signal delivery.
//!
//! | offset | length | what |
//! |---|---|---|
//! | 0 | 8 | [`MAGIC`] (written by posix-server) |
//! | [`IN_REQUEST_OFFSET`] | 8 | non-zero while the process uses the data area for a request: posix-server then delivers a signal at the reply, never by redirecting the thread |
//! | [`SIGNAL_FRAME_OFFSET`] | [`SIGNAL_FRAME_WORDS`] words | registers of an interrupted thread (register order of `a9n_abi::Register`), written by posix-server before it redirects the thread to its trampoline |
//! | [`DATA_OFFSET`] | [`DATA_CAPACITY`] | request and reply data |

/// Bytes of the whole buffer.
pub const BUFFER_LENGTH: u64 = DATA_OFFSET + DATA_CAPACITY;
/// The word at offset 0.
pub const MAGIC: u64 = 0x4b4f_4954_4f42_5546;
/// Offset of the word that says the process is between putting a request's data
/// and taking its reply's data.
pub const IN_REQUEST_OFFSET: u64 = 0x80;
/// Offset of the signal register save area.
pub const SIGNAL_FRAME_OFFSET: u64 = 0x100;
/// Registers in the save area (RAX..GS_BASE, as `a9n_abi::Register`).
pub const SIGNAL_FRAME_WORDS: u64 = 20;
/// Offset of the data area.
pub const DATA_OFFSET: u64 = 0x1000;
/// Bytes of the data area: the most one READ or WRITE moves.
pub const DATA_CAPACITY: u64 = 0x2_0000;

/// Whether `length` bytes from the start of the data area fit in it.
#[must_use]
pub const fn fits(length: u64) -> bool {
    length <= DATA_CAPACITY
}

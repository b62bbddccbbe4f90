//! `posix-server-api`: the protocol of KOITO's POSIX server as types, shared by the
//! server, libc-shim and the tests.
//!
//! - [`operation`]: the request operations and their words (the protocol table);
//! - [`reply`]: the reply convention (result or `-errno`, events, values);
//! - [`shared_buffer`]: the layout of the buffer each process shares with the
//!   server;
//! - [`process_start`]: the initial stack, auxiliary vector and root node of a
//!   process;
//! - [`process_record`]: what PROCESS_LIST returns;
//! - [`boot`]: how init starts posix-server;
//! - [`wait_status`]: Linux's wait status words and the `W*` macros;
//! - [`errno`]: error numbers (Linux's values).
#![no_std]
#![forbid(unsafe_code)]

pub mod boot;
pub mod errno;
pub mod operation;
pub mod process_record;
pub mod process_start;
pub mod reply;
pub mod shared_buffer;
pub mod wait_status;

pub use errno::Errno;
pub use operation::Operation;
pub use reply::Reply;

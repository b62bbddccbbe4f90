//! `a9n-abi`: every number of the A9N kernel ABI (docs/abi.md) as Rust types.
//!
//! This crate is `no_std`, has no dependencies, and is shared by the kernel, the
//! UEFI loader, Nun and every server, so that there is exactly one definition of
//! each call number, operation number, error code and memory layout.
//!
//! docs/abi.md and the rustdoc of this crate are together the source of truth for the
//! ABI: change them in the same commit.
//!
//! | topic | module | spec section |
//! |---|---|---|
//! | kernel call numbers, call/return MRs | [`kernel_call`] | 1 |
//! | MR-to-register map | [`message_register`] | 2 |
//! | IPC buffer layout | [`ipc_buffer`] | 3 |
//! | `capability_error` | [`error`] | 2 |
//! | descriptors | [`descriptor`] | 4 |
//! | capability types | [`capability_type`] | 4 |
//! | rights | [`rights`] | 4 |
//! | operations, argument MRs, required rights | [`operation`] | 5 |
//! | `message_info` | [`message_info`] | 5 |
//! | map attributes, page-table depths, frame sizes | [`paging`] | 5 |
//! | register order (READ/WRITE_REGISTER) | [`register`] | 5 |
//! | faults | [`fault`] | 6 |
//! | scheduling | [`scheduling`] | 7 |
//! | boot protocol | [`boot`] | 8 |
//! | init protocol | [`init`] | 9 |
//! | QEMU test exit codes (not ABI proper) | [`test_exit`] | - |
#![no_std]

#[macro_use]
mod macros;

pub mod boot;
pub mod capability_type;
pub mod descriptor;
pub mod error;
pub mod fault;
pub mod init;
pub mod ipc_buffer;
pub mod kernel_call;
pub mod message_info;
pub mod message_register;
pub mod object;
pub mod operation;
pub mod paging;
pub mod register;
pub mod rights;
pub mod scheduling;
pub mod test_exit;

pub use capability_type::CapabilityType;
pub use descriptor::Descriptor;
pub use error::CapabilityError;
pub use fault::FaultType;
pub use init::{InitInfo, RootSlot};
pub use ipc_buffer::IpcBuffer;
pub use kernel_call::KernelCall;
pub use message_info::{MessageInfo, MessageSource};
pub use operation::Operation;
pub use register::Register;
pub use rights::Rights;

//! Nun: the framework for writing programs and servers on the A9N microkernel.
//!
//! | module | what it offers |
//! |---|---|
//! | [`start`] | `entry!` / `init_entry!`: `_start`, the initial stack, the panic handler |
//! | [`kernel_call`] | the raw kernel calls (`syscall`): capability call, YIELD, DEBUG |
//! | [`call`] | capability calls with arguments and results by MR number |
//! | [`capability`] | one typed handle per kernel object, one method per operation |
//! | [`ipc_buffer`] | message registers MR10..MR493; the thread-local `gs:[0]` word |
//! | [`init_info`] | the initial program's `InitInfo` page |
//! | [`slot_allocator`] | free slots of a node the program owns |
//! | [`mapping`] | map a frame, adding the page tables GET_UNSET_DEPTH asks for |
//! | [`thread`] | stacks and entry points for threads in the program's address space |
//! | [`window`] | a virtual range no Rust object uses, to look into mapped frames |
//! | [`heap`], [`growing_heap`] | global allocators: a static buffer; one that grows into mapped memory |
//! | [`debug_console`] | `debug_print!` / `debug_println!` through the DEBUG call |
//! | [`timed_call`] | kernel calls timed with the TSC, and server loops, for benchmarks |
//! | [`timed_access`] | memory writes (and their page faults) timed with the TSC, for benchmarks |
//!
//! **Layers.** [`kernel_call`], [`ipc_buffer`], [`init_info`], [`window`], [`heap`],
//! [`growing_heap`], [`thread`], [`timed_call`], [`timed_access`] and the start-up
//! code of [`start`] are the lowest layer: the only places with `unsafe` code and
//! inline assembly (`syscall` lives in [`kernel_call`], and in [`timed_call`] for
//! benchmarks), each unsafe block with its `SAFETY` argument. Everything above
//! them, and every program written with Nun, is safe Rust.
//!
//! A minimal initial program:
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//!
//! use a9n_abi::RootSlot;
//! use nun::capability::Frame;
//!
//! nun::init_entry!(main);
//!
//! fn main(init_info: &'static a9n_abi::InitInfo) {
//!     let ipc_buffer = Frame::new(RootSlot::IpcBuffer.descriptor());
//!     match ipc_buffer.get_address() {
//!         Ok(address) => nun::debug_println!("IPC buffer frame at {address:#x}"),
//!         Err(error) => nun::debug_println!("GET_ADDRESS failed: {}", error.name()),
//!     }
//! }
//! ```
#![cfg_attr(not(test), no_std)]

pub mod call;
pub mod capability;
pub mod debug_console;
pub mod growing_heap;
pub mod heap;
pub mod init_info;
pub mod ipc_buffer;
pub mod kernel_call;
pub mod mapping;
pub mod server_start;
pub mod slot_allocator;
pub mod start;
pub mod thread;
pub mod timed_access;
pub mod timed_call;
pub mod window;
pub mod window_bytes;

pub use a9n_abi::InitInfo;

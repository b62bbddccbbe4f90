//! Nun: the framework for writing programs and servers on the A9N microkernel.
//!
//! Nun is the only user-level crate with inline `syscall` assembly
//! ([`kernel_call`]); everything above it is safe Rust. A program declares its entry
//! with [`entry!`], which provides `_start`, a stack and the panic handler.
#![no_std]

pub mod debug_console;
pub mod kernel_call;
pub mod start;

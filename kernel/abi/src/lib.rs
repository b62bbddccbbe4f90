//! `a9n-abi`: every number of the A9N kernel ABI (docs/abi.md) as Rust types.
//!
//! This crate is `no_std`, has no dependencies, and is shared by the kernel, the
//! UEFI loader, Nun and every server, so that there is exactly one definition of
//! each call number, operation number, error code and memory layout.
#![no_std]

pub mod boot;
pub mod test_exit;

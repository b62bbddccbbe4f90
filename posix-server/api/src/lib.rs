//! `posix-server-api`: the protocol of KOITO's POSIX server as types, shared by the
//! server, libc-shim and the tests.
#![no_std]
#![forbid(unsafe_code)]

pub mod errno;

pub use errno::Errno;

//! posix-server: KOITO's POSIX personality on A9N. Init starts it from the boot
//! module `posix-server.elf` in an address space mm-server made, with an mm-server
//! client capability, the IO ports and the interrupt region
//! (`posix_server_api::boot`). It serves processes: pids, fork, execve, wait,
//! signals, files, the VFS, pipes, the console tty and time; it starts `/bin/init`
//! as the first process.
//!
//! The policy lives in the `posix_server` library (host-tested); this binary is
//! the glue that carries it out with kernel calls and mm-server requests, in the
//! modules of [`server`].
#![no_std]
#![no_main]

extern crate alloc;

mod server;

nun::server_entry!(main);

/// The heap: 256 KiB in `.bss`, then anonymous memory mm-server pages in on
/// demand at `nun::growing_heap::EXTENSION_BASE`.
#[global_allocator]
static HEAP: nun::growing_heap::GrowingHeap<{ 256 * 1024 }> = nun::growing_heap::GrowingHeap::new();

fn main(argument: u64) {
    server::run(argument, &HEAP);
}

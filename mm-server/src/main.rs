//! mm-server: KOITO's memory server on A9N. Init starts it from the boot module
//! `mm-server.elf` with every Generic capability (root slot 5, a node whose radix is
//! the argument word), a copy of the `InitInfo` frame (slot 6) and its service port
//! (slot 7); see `mm_server_api::boot`. It owns all memory from then on: it turns
//! Generics into every kernel object its clients need, keeps a region map per
//! address space and is the fault resolver of every address space it makes.
//!
//! The policy lives in the `mm_server` library (host-tested); this binary is the glue
//! that carries its decisions out with kernel calls, in the modules of [`server`].
#![no_std]
#![no_main]

extern crate alloc;

mod server;

nun::server_entry!(main);

/// mm-server's heap: 256 KiB in `.bss` to start with, then 2 MiB frames it maps
/// for itself at `nun::growing_heap::EXTENSION_BASE` as its bookkeeping grows.
#[global_allocator]
static HEAP: nun::growing_heap::GrowingHeap<{ 256 * 1024 }> = nun::growing_heap::GrowingHeap::new();

fn main(argument: u64) {
    server::run(argument, &HEAP);
}

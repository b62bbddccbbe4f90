//! `mm-server`: the policy logic of KOITO's memory server, with no system calls so
//! that all of it is tested on the host. The server binary (`src/main.rs` and
//! `src/server/`, feature `server`) owns the capabilities and carries out what
//! these modules decide.
//!
//! | module | job |
//! |---|---|
//! | [`buddy_allocator`] | physical blocks from many Generics: buddy split (CONVERT) and merge (REVOKE) |
//! | [`slab`] | small kernel objects packed into slab Generics, reused by revoke and reconvert |
//! | [`region`] | one region: range, permissions, kind (anonymous, stack, shared, device, file) |
//! | [`region_map`] | the regions of one address space: map, unmap, protect, brk, stack growth |
//! | [`page_map`] | what is mapped where in one address space (frame, size, writable) |
//! | [`frame_table`] | reference-counted frames: share on clone, copy or make writable on write |
//! | [`address_space`] | one space's regions and pages: copy-on-write clone, reclaim on unmap and destroy |
//! | [`range_copy`] | COPY_RANGE: a range shared copy-on-write into a new anonymous region |
//! | [`fault_decision`] | the pager's choice for a fault: zero page (4 KiB/2 MiB), copy-on-write, grow stack, forward |
//! | [`accounting`] | per-client usage, limits and STATS figures |
//! | [`memory_reserve`] | the RAM kept for mm-server's own bookkeeping, and its heap's headroom |
//! | [`reply_status`] | each module error as the reply status a client sees |
//! | [`slot_bitmap`] | which of the server's capability slots are in use (leaves of a slot tree) |
//!
//! **Memory for metadata.** The modules use `alloc` (`BTreeMap`, `BTreeSet`,
//! `Vec`): the amount of bookkeeping grows with the memory managed, which a fixed
//! capacity cannot foresee. The server binary provides the global allocator over a
//! heap it maps for itself; every structure is bounded by limits the server
//! enforces (regions per address space, address spaces, frames in physical memory),
//! so the heap can be sized for them.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod accounting;
pub mod address_space;
pub mod buddy_allocator;
pub mod fault_decision;
pub mod frame_table;
pub mod memory_reserve;
pub mod page_map;
pub mod range_copy;
pub mod region;
pub mod region_map;
pub mod reply_status;
pub mod slab;
pub mod slot_bitmap;

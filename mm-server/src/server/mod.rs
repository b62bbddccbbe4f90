//! The server runtime: the glue between the library's decisions and the kernel.
//!
//! | module | job |
//! |---|---|
//! | [`bootstrap`] | take over the Generics: probe what init used, make the slot tree, fill the allocator |
//! | [`slots`] | mm-server's capability slots: a directory of leaf nodes, a bitmap per leaf |
//! | [`memory`] | buddy blocks and slabs as Generic capabilities; making and destroying objects |
//! | [`paging`] | mapping a frame with the page tables GET_UNSET_DEPTH asks for |
//! | [`own_space`] | mm-server's own window (copies, `InitInfo`) and heap growth |
//! | [`frames`] | frames mapped for clients: made, mapped, shared, freed |
//! | [`spaces`] | CREATE, DESTROY, CLONE of address spaces |
//! | [`regions`] | MAP_ANONYMOUS, MAP_SHARED_BUFFER, UNMAP, PROTECT, BRK |
//! | [`demote`] | 2 MiB mappings cut by a range become 4 KiB copies |
//! | [`range_copy`] | COPY_RANGE: a range shared copy-on-write into a new region |
//! | [`pager`] | faults: resolve (map zero, copy-on-write, grow a stack, shared pages) or forward |
//! | [`objects`] | ALLOCATE_OBJECT, FREE_OBJECT |
//! | [`requests`] | decoding a request and answering it |
//! | [`service`] | the receive-act-reply loop |
//! | [`state`], [`failure`] | what the server keeps; why an action failed |
#![forbid(unsafe_code)]

mod bootstrap;
mod demote;
mod failure;
mod frames;
mod memory;
mod objects;
mod own_space;
mod pager;
mod paging;
mod range_copy;
mod regions;
mod requests;
mod service;
mod slots;
mod spaces;
mod state;

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use a9n_abi::message_info::MAX_TRANSFER_COUNT;
use mm_server::accounting::Accounts;
use mm_server::frame_table::FrameTable;
use mm_server_api::boot::SERVICE_PORT_SLOT;
use nun::capability::IpcPort;
use nun::server_start::server_slot;

use self::state::{Counters, Server};

/// Bytes of the heap's first part, in `.bss`.
pub const HEAP_INITIAL: usize = 256 * 1024;
/// mm-server's global allocator.
pub type ServerHeap = nun::growing_heap::GrowingHeap<HEAP_INITIAL>;

/// Runs the server: take over memory, then serve forever. `generic_radix` is the
/// radix of the Generic node (the argument init passes).
pub fn run(generic_radix: u64, heap: &'static ServerHeap) {
    let (memory, facts) = match bootstrap::take_over(generic_radix) {
        Ok(taken) => taken,
        Err(failure) => {
            nun::debug_println!("mm-server: cannot take over memory: {failure:?}");
            return;
        }
    };
    let mut server = Server {
        memory,
        own_tables: Vec::new(),
        frames: FrameTable::new(),
        frame_capabilities: BTreeMap::new(),
        spaces: BTreeMap::new(),
        accounts: Accounts::new(),
        objects: BTreeMap::new(),
        buffers: BTreeMap::new(),
        counters: Counters {
            next_space: 1,
            next_handle: 1,
            next_buffer: 1,
            ..Counters::default()
        },
        service: IpcPort::new(server_slot(SERVICE_PORT_SLOT)),
        inbox: slots::SlotRef::Root(0),
        heap,
    };
    match server.memory.take_slots(MAX_TRANSFER_COUNT as u32) {
        Ok(inbox) => server.inbox = inbox,
        Err(failure) => {
            nun::debug_println!("mm-server: no slots for the inbox: {failure:?}");
            return;
        }
    }
    nun::debug_println!(
        "mm-server: managing {} MiB of RAM and {} KiB of device memory from {} Generics ({} used by init before), {} MiB free; serving",
        facts.ram_bytes >> 20,
        facts.device_bytes >> 10,
        facts.generic_count,
        facts.used_by_init,
        server.memory.free_ram() >> 20,
    );
    server.serve();
}

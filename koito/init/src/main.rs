//! KOITO init: the first user thread. It receives the initial capabilities of
//! docs/abi.md section 9. This version reports what it was given, then builds a
//! second thread in an address space of its own from Generic memory (its own node,
//! page tables, stack and IPC buffer; init's code mapped read-only) and checks that
//! it ran. Starting the memory server and the other servers comes next.
#![no_std]
#![no_main]

mod second_address_space;

use a9n_abi::InitInfo;
use a9n_abi::init::RootSlot;
use nun::capability::ProcessControlBlock;

nun::init_entry!(main);

fn main(info: &'static InitInfo) {
    let generic_bytes: u64 = info
        .generic_descriptions()
        .iter()
        .filter(|generic| generic.is_device == 0)
        .map(|generic| generic.size())
        .sum();
    nun::debug_println!(
        "init: KOITO init running: {} Generics ({} MiB), {} image frames, {} boot modules",
        info.generic_count,
        generic_bytes >> 20,
        info.frame_count,
        info.module_count,
    );
    match second_address_space::run(info) {
        Ok(()) => nun::debug_println!("init: a second thread ran in its own address space"),
        Err(error) => nun::debug_println!("init: the second address space failed: {error}"),
    }
    nun::debug_println!("init: nothing more to start yet; init waits");
    // Stop this thread so the processor idles instead of spinning.
    let own = ProcessControlBlock::new(RootSlot::ProcessControlBlock.descriptor());
    if let Err(error) = own.suspend() {
        nun::debug_println!("init: cannot suspend itself: {}", error.name());
    }
}

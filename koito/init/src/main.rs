//! KOITO init: the first user thread. It receives the initial capabilities of
//! docs/abi.md section 9, reports what it was given, builds a child address space
//! from Generic memory and runs three demonstrations in it (a thread in its own
//! address space, 100,000 IPC round trips with identifiers and a notification, a
//! user-level fault resolver). Then it starts the memory server with every Generic
//! (`memory_server`) and the servers of its boot manifest, printing a boot log
//! line for each (posix-server in an address space mm-server makes:
//! `posix_server_space`), and reports any of them that dies (`supervisor`).
#![no_std]
#![no_main]

extern crate alloc;

mod boot_manifest;
mod child_space;
mod elf_image;
mod fault_resolver;
mod memory_server;
mod object_factory;
mod ping_pong;
mod posix_server_space;
mod second_address_space;
mod server_launcher;
mod supervisor;

use a9n_abi::InitInfo;
use a9n_abi::init::RootSlot;
use nun::capability::ProcessControlBlock;

use crate::child_space::{ChildError, ChildSpace};

nun::init_entry!(main);

/// Init's heap (ELF parsing of boot modules).
#[global_allocator]
static HEAP: nun::heap::StaticHeap<{ 512 * 1024 }> = nun::heap::StaticHeap::new();

fn demonstrations(info: &InitInfo) -> Result<(), ChildError> {
    let mut child = ChildSpace::build(info)?;
    second_address_space::run(&mut child)?;
    nun::debug_println!("init: a second thread ran in its own address space");
    let rounds = ping_pong::run(&mut child)?;
    nun::debug_println!(
        "init: {rounds} IPC round trips with identifiers, then a notification woke the server"
    );
    let address = fault_resolver::run(&mut child)?;
    nun::debug_println!("init: resolved a page fault at {address:#x} and the thread went on");
    Ok(())
}

/// Moves posix-server into a space mm-server makes (see `posix_server_space`).
fn move_to_memory_server_space(
    info: &InitInfo,
    scratch: &mut object_factory::ObjectFactory,
    init_client: a9n_abi::Descriptor,
    supervisor: a9n_abi::Descriptor,
    prepared: &memory_server::Prepared,
    own_client: a9n_abi::Descriptor,
) -> Result<(), ChildError> {
    let fault_handler = memory_server::supervisor_capability(
        scratch,
        supervisor,
        memory_server::supervised_identifier(prepared.entry),
    )?;
    let moved = posix_server_space::move_server(
        info,
        &posix_server_space::Move {
            server: &prepared.server,
            own_client,
            init_client,
            fault_handler,
        },
    )?;
    nun::debug_println!(
        "init: {} moved to mm-server's space {} with a root image of {} pages",
        prepared.entry.module,
        moved.space.get(),
        moved.root_image_pages,
    );
    Ok(())
}

/// Starts mm-server and the manifest servers, printing a boot log line for each;
/// the supervisor port that hears about them, if any started.
fn start_servers(info: &InitInfo) -> Option<a9n_abi::Descriptor> {
    if !memory_server::present(info, memory_server::MODULE) {
        nun::debug_println!(
            "init: no {} boot module in this image",
            memory_server::MODULE
        );
        return None;
    }
    let mut started = match memory_server::launch(info) {
        Ok(started) => started,
        Err(error) => {
            nun::debug_println!("init: cannot start {}: {error}", memory_server::MODULE);
            return None;
        }
    };
    nun::debug_println!(
        "init: started {} ({} pages) with every Generic; init keeps none",
        memory_server::MODULE,
        started.server.image_pages,
    );
    match memory_server::stats(started.client) {
        Ok(stats) => nun::debug_println!(
            "init: mm-server answers: {} MiB of {} MiB free",
            stats.free_bytes >> 20,
            stats.total_bytes >> 20,
        ),
        Err(error) => nun::debug_println!("init: mm-server does not answer: {error}"),
    }
    for prepared in &started.others {
        let (entry, server) = (prepared.entry, &prepared.server);
        if let Some(own_client) = prepared.own_client
            && let Err(error) = move_to_memory_server_space(
                info,
                &mut started.scratch,
                started.client,
                started.supervisor,
                prepared,
                own_client,
            )
        {
            nun::debug_println!("init: cannot start {}: {error}", entry.module);
            continue;
        }
        match server.start() {
            Ok(()) => nun::debug_println!(
                "init: started {} ({} pages) as a client of {}",
                entry.module,
                server.image_pages,
                memory_server::MODULE,
            ),
            Err(error) => {
                nun::debug_println!("init: cannot start {}: {error}", entry.module);
            }
        }
    }
    Some(started.supervisor)
}

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
    if let Err(error) = demonstrations(info) {
        nun::debug_println!("init: a demonstration failed: {error}");
    }
    let supervisor = start_servers(info);
    nun::debug_println!("init: nothing more to start yet; init waits");
    if let Some(supervisor) = supervisor {
        supervisor::supervise(supervisor);
    }
    // Stop this thread so the processor idles instead of spinning.
    let own = ProcessControlBlock::new(RootSlot::ProcessControlBlock.descriptor());
    if let Err(error) = own.suspend() {
        nun::debug_println!("init: cannot suspend itself: {}", error.name());
    }
}

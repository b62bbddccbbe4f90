//! A9N: a capability-based microkernel. This is its entry after the loader and the
//! order of bring-up; the mechanisms live in `arch` (hardware) and `a9n-core`
//! (portable logic).
#![no_std]
#![no_main]
#![cfg_attr(
    not(feature = "self-test"),
    allow(
        dead_code,
        reason = "inspection helpers are used only by the self-checks"
    )
)]

mod address_space_ids;
mod arch;
mod capability_call;
mod console;
mod entry;
mod fastpath;
mod fault;
mod init_thread;
mod interrupt_ports;
mod ipc;
mod kernel_call;
mod lifecycle;
mod mapping;
mod message_registers;
mod objects;
mod panic;
mod scheduler;
#[cfg(feature = "self-test")]
mod self_test;
mod thread;
mod thread_setup;
mod user_page_tables;

use a9n_abi::boot::BootInfo;
use a9n_abi::test_exit;
use a9n_core::physical_memory::PhysicalMemory;
use spin::Once;

use crate::arch::{
    apic, boot_info, cpu, cpu_local, fpu, gdt, interrupts, io_apic, paging, syscall, timer,
};

/// The kernel's version, as printed in the banner.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The boot info, copied out of the loader's memory.
static BOOT_INFO: Once<BootInfo> = Once::new();

/// Bytes in a mebibyte, for the banner.
const MIB: u64 = 1 << 20;

/// Stops the machine after a failure the kernel cannot continue from.
fn fatal(what: core::fmt::Arguments<'_>) -> ! {
    kprintln!("A9N: fatal: {what}");
    cpu::exit_qemu(test_exit::KERNEL_FAULT)
}

/// RAM the system can use: the free regions of the map plus what the loader
/// loaded (kernel, init, boot modules).
fn usable_memory(info: &BootInfo, memory: &PhysicalMemory) -> u64 {
    let modules: u64 = info
        .boot_modules()
        .iter()
        .map(|module| module.size.next_multiple_of(a9n_abi::boot::PAGE_SIZE))
        .sum();
    memory.free_region_bytes() + info.kernel.size + info.init.size + modules
}

/// Called by `_start` on the boot stack with the boot info's physical address.
#[unsafe(no_mangle)]
pub extern "C" fn kernel_main(boot_info_physical: u64) -> ! {
    let entry_tsc = cpu::read_time_stamp_counter();
    console::init();
    gdt::init();
    interrupts::init();
    cpu_local::init();

    let info = match boot_info::read(boot_info_physical) {
        Ok(info) => BOOT_INFO.call_once(|| info),
        Err(error) => fatal(format_args!("bad boot info: {error:?}")),
    };
    let mut memory = match PhysicalMemory::new(info.memory_regions()) {
        Ok(memory) => memory,
        Err(error) => fatal(format_args!("bad memory map: {error:?}")),
    };
    let features = cpu::features();
    if !features.no_execute {
        fatal(format_args!("the CPU has no NX bit"));
    }
    let kernel_paging = match paging::build_and_load(&mut memory, &info.kernel, &features) {
        Ok(kernel_paging) => kernel_paging,
        Err(error) => fatal(format_args!(
            "cannot build the kernel page tables: {error:?}"
        )),
    };
    paging::enable_process_context_identifiers(&features);
    let fpu_state = fpu::init(&features);
    if u64::from(fpu_state.save_area_size) > thread::layout::FPU_AREA_CAPACITY {
        fatal(format_args!(
            "FPU save area of {} bytes does not fit a PCB",
            fpu_state.save_area_size
        ));
    }
    syscall::init();
    apic::init();
    io_apic::init(info, &memory, &kernel_paging);
    timer::init();
    cpu::enable_interrupts();

    let banner_tsc = cpu::read_time_stamp_counter();
    kprintln!(
        "A9N {VERSION} x86_64: {} MiB memory, {} MiB free, booted in {} ms (firmware and loader {} ms, kernel {} ms)",
        usable_memory(info, &memory) / MIB,
        memory.free_bytes() / MIB,
        timer::tsc_to_milliseconds(banner_tsc),
        timer::tsc_to_milliseconds(entry_tsc),
        timer::tsc_to_milliseconds(banner_tsc - entry_tsc),
    );
    kprintln!(
        "A9N: cpu {} MHz tsc, {features}, fpu {:?} ({} bytes{}), page tables {} pages, direct map {} MiB, {} boot modules",
        timer::time_stamp_counter_hz() / 1_000_000,
        fpu_state.method,
        fpu_state.save_area_size,
        if fpu_state.avx { ", avx" } else { "" },
        kernel_paging.table_pages,
        kernel_paging.direct_map_size / MIB,
        info.boot_modules().len(),
    );

    #[cfg(feature = "self-test")]
    self_test::run(info, &mut memory, &kernel_paging);

    start_init(info, &mut memory)
}

/// Creates the initial thread and leaves the kernel for the first time.
fn start_init(info: &BootInfo, memory: &mut PhysicalMemory) -> ! {
    #[cfg(feature = "inject-fault")]
    {
        kprintln!("A9N: injecting a fault: writing to kernel text");
        arch::fault_injection::write_to_kernel_text();
        kprintln!("A9N: the write to kernel text did not fault");
    }

    cpu::disable_interrupts();
    match init_thread::create(info, memory) {
        Ok(summary) => kprintln!(
            "A9N: init started with {} Generics ({} MiB){}",
            summary.generic_count,
            summary.generic_bytes / MIB,
            if summary.dropped_bytes > 0 {
                " (some small blocks did not fit the list)"
            } else {
                ""
            },
        ),
        Err(error) => fatal(format_args!("cannot create init: {error:?}")),
    }
    entry::exit_to_user()
}

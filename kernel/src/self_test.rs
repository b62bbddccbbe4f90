//! Boot self-checks (feature `self-test`): the kernel inspects what bring-up built
//! and reports each check by name, then `kernel self-checks: N passed, N failed`,
//! and exits QEMU with the failure code if any failed (else the boot goes on).

use a9n_abi::boot::{BootInfo, DIRECT_MAP_BASE, MemoryType, PAGE_SIZE};
use a9n_abi::test_exit;
use a9n_core::physical_memory::PhysicalMemory;

use crate::arch::paging::{self, KernelPaging, Translation};
use crate::arch::{cpu, fpu, gdt, interrupts, registers, syscall, timer};
use crate::kprintln;

/// Outcome of one check: `Err` carries the reason.
type CheckResult = Result<(), &'static str>;

fn ensure(condition: bool, reason: &'static str) -> CheckResult {
    if condition { Ok(()) } else { Err(reason) }
}

struct Report {
    passed: u32,
    failed: u32,
}

impl Report {
    fn check(&mut self, name: &str, result: CheckResult) {
        match result {
            Ok(()) => {
                self.passed += 1;
                kprintln!("self-check {name}: ok");
            }
            Err(reason) => {
                self.failed += 1;
                kprintln!("self-check {name}: FAILED ({reason})");
            }
        }
    }
}

fn memory_map(info: &BootInfo, memory: &PhysicalMemory) -> CheckResult {
    let regions = info.memory_regions();
    ensure(!regions.is_empty(), "empty memory map")?;
    ensure(
        regions
            .windows(2)
            .all(|pair| pair[0].end() <= pair[1].start),
        "regions unsorted or overlapping",
    )?;
    ensure(
        memory.free_region_bytes() >= 64 << 20,
        "less than 64 MiB of free RAM found",
    )?;
    ensure(
        memory.free_bytes() < memory.free_region_bytes(),
        "the kernel's page tables were not taken from free memory",
    )?;
    let kernel = &info.kernel;
    let kernel_is_reserved = regions.iter().any(|region| {
        region.memory_type == MemoryType::Reserved as u64
            && region.start <= kernel.physical_address
            && kernel.physical_address + kernel.size <= region.end()
    });
    ensure(
        kernel_is_reserved,
        "kernel image not inside a reserved region",
    )?;
    ensure(
        memory.free_ranges().all(|range| {
            range.end <= kernel.physical_address
                || range.start >= kernel.physical_address + kernel.size
        }),
        "free memory overlaps the kernel image",
    )
}

fn boot_allocator(memory: &mut PhysicalMemory) -> CheckResult {
    let before = memory.free_bytes();
    let page = memory.allocate_page().ok_or("no page left")?;
    ensure(
        memory.free_bytes() == before - PAGE_SIZE,
        "free count not reduced",
    )?;
    let translation =
        paging::translate(paging::physical_to_virtual(page)).ok_or("page not in the direct map")?;
    ensure(
        translation.physical_address == page,
        "direct map points elsewhere",
    )?;
    ensure(
        translation.writable && !translation.executable,
        "direct map not RW+NX",
    )?;
    ensure(
        registers::write_and_read_back(paging::physical_to_virtual(page), 0x5a5a_a5a5_0123_4567),
        "page does not hold a written value",
    )
}

fn kernel_mappings(info: &BootInfo) -> CheckResult {
    let kernel = &info.kernel;
    let sections = paging::kernel_sections();
    let expected = |address: u64| kernel.physical_address + (address - kernel.virtual_address);
    let [text, rodata, data] = sections;
    let text_map = paging::translate(text.start).ok_or("text unmapped")?;
    ensure(
        text_map.physical_address == expected(text.start),
        "text maps elsewhere",
    )?;
    ensure(
        text_map.executable && !text_map.writable,
        "text not read+execute only",
    )?;
    let rodata_map = paging::translate(rodata.start).ok_or("rodata unmapped")?;
    ensure(
        !rodata_map.executable && !rodata_map.writable,
        "rodata not read-only",
    )?;
    let data_map = paging::translate(data.end - PAGE_SIZE).ok_or("data unmapped")?;
    ensure(data_map.writable && !data_map.executable, "data not RW+NX")?;
    ensure(
        data_map.physical_address == expected(data.end - PAGE_SIZE),
        "data maps elsewhere",
    )?;
    let no_user = [text_map, rodata_map, data_map]
        .iter()
        .all(|translation: &Translation| !translation.user);
    ensure(no_user, "kernel page reachable from user mode")?;
    for guard in paging::guard_pages() {
        ensure(
            paging::translate(guard).is_none(),
            "stack guard page is mapped",
        )?;
    }
    Ok(())
}

fn no_identity_map(info: &BootInfo) -> CheckResult {
    ensure(
        paging::translate(0x10_0000).is_none(),
        "1 MiB identity-mapped",
    )?;
    ensure(
        paging::translate(info.kernel.physical_address).is_none(),
        "kernel physical address identity-mapped",
    )?;
    ensure(
        (0..256u64).all(|index| paging::translate(index << 39).is_none()),
        "something mapped in the lower half",
    )
}

fn direct_map(info: &BootInfo, kernel_paging: &KernelPaging) -> CheckResult {
    let last = info
        .memory_regions()
        .iter()
        .filter(|region| region.memory_type != MemoryType::Device as u64)
        .map(|region| region.end() - PAGE_SIZE)
        .max()
        .ok_or("no RAM")?;
    for physical in [0, info.kernel.physical_address, last] {
        let translation =
            paging::translate(DIRECT_MAP_BASE + physical).ok_or("hole in the direct map")?;
        ensure(
            translation.physical_address == physical,
            "direct map offset wrong",
        )?;
    }
    ensure(
        registers::page_table_root() == kernel_paging.root,
        "CR3 is not the kernel's root",
    )?;
    ensure(
        paging::translate(DIRECT_MAP_BASE + kernel_paging.direct_map_size).is_none(),
        "direct map runs past its size",
    )
}

fn protections() -> CheckResult {
    ensure(registers::no_execute_enabled(), "EFER.NXE clear")?;
    ensure(registers::write_protect_enabled(), "CR0.WP clear")?;
    let features = cpu::features();
    ensure(
        !features.smep || registers::smep_enabled(),
        "SMEP available but off",
    )?;
    ensure(
        !features.smap || registers::smap_enabled(),
        "SMAP available but off",
    )
}

fn descriptor_tables() -> CheckResult {
    ensure(
        registers::code_segment() == gdt::KERNEL_CODE,
        "CS is not the kernel code selector",
    )?;
    ensure(registers::task_register() == 0x28, "TSS not loaded")?;
    ensure(gdt::kernel_entry_stack() != 0, "no ring-0 stack in the TSS")?;
    ensure(
        registers::interrupt_table_limit() == 256 * 16 - 1,
        "IDT not 256 gates",
    )
}

fn exceptions_return() -> CheckResult {
    let before = interrupts::kernel_breakpoints();
    interrupts::breakpoint();
    interrupts::breakpoint();
    ensure(
        interrupts::kernel_breakpoints() == before + 2,
        "breakpoint handler did not run twice",
    )
}

fn timer_ticks() -> CheckResult {
    ensure(
        timer::time_stamp_counter_hz() > 10_000_000,
        "TSC slower than 10 MHz",
    )?;
    ensure(
        timer::apic_timer_hz() > 1000,
        "APIC timer slower than 1 kHz",
    )?;
    let start_ticks = timer::ticks();
    let start_tsc = cpu::read_time_stamp_counter();
    let limit = timer::time_stamp_counter_hz() * 2;
    while timer::ticks() < start_ticks + 20 {
        if cpu::read_time_stamp_counter() - start_tsc > limit {
            return Err("fewer than 20 ticks in 2 s");
        }
        cpu::enable_interrupts_and_wait();
    }
    let milliseconds = timer::tsc_to_milliseconds(cpu::read_time_stamp_counter() - start_tsc);
    // 20 ticks of 1 ms; emulation is slow, so allow a wide window.
    ensure(
        (5..=1000).contains(&milliseconds),
        "20 ticks took far from 20 ms",
    )
}

fn floating_point() -> CheckResult {
    ensure(fpu::sse_add(1.25, 2.5) == 3.75, "SSE addition wrong")?;
    ensure(registers::sse_enabled(), "CR4.OSFXSR clear or CR0.EM set")
}

fn system_call_setup() -> CheckResult {
    ensure(registers::system_call_enabled(), "EFER.SCE clear")?;
    ensure(
        registers::system_call_entry() == syscall::entry_address(),
        "LSTAR is not the entry",
    )?;
    let (kernel_base, user_base) = registers::system_call_selectors();
    ensure(
        kernel_base == gdt::KERNEL_CODE,
        "STAR kernel selector wrong",
    )?;
    ensure(
        user_base + 16 == gdt::USER_CODE & !3,
        "STAR user selector wrong",
    )
}

/// Runs every check and prints the summary line; exits QEMU with the failure code
/// if any check failed, else lets the boot go on.
pub fn run(info: &BootInfo, memory: &mut PhysicalMemory, kernel_paging: &KernelPaging) {
    let mut report = Report {
        passed: 0,
        failed: 0,
    };
    report.check("memory-map", memory_map(info, memory));
    report.check("boot-allocator", boot_allocator(memory));
    report.check("kernel-mappings", kernel_mappings(info));
    report.check("no-identity-map", no_identity_map(info));
    report.check("direct-map", direct_map(info, kernel_paging));
    report.check("protections", protections());
    report.check("descriptor-tables", descriptor_tables());
    report.check("exceptions-return", exceptions_return());
    report.check("timer-ticks", timer_ticks());
    report.check("floating-point", floating_point());
    report.check("system-call-setup", system_call_setup());
    kprintln!(
        "kernel self-checks: {} passed, {} failed",
        report.passed,
        report.failed
    );
    if report.failed != 0 {
        cpu::exit_qemu(test_exit::FAILURE);
    }
}

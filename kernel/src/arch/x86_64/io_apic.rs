//! The I/O APICs: every input masked at boot; an interrupt port's GSI gets vector
//! [`DEVICE_VECTOR_BASE`] + GSI, fixed delivery to this CPU's local APIC, and the
//! polarity and trigger mode of its route; then it is masked and unmasked as the
//! port's driver binds, takes and acknowledges interrupts.
//!
//! The registers are reached through the direct map, whose 2 MiB pages without RAM
//! are uncached; an I/O APIC that shares its page with RAM, lies outside the direct
//! map or is misaligned is not used. Without a usable MADT there are no device
//! interrupts at all (logged), never a crash.

use a9n_abi::boot::{ARCH_INFO_ACPI_RSDP, BootInfo};
use a9n_core::acpi_madt::{MAX_IO_APICS, Madt};
use a9n_core::irq_routing::{self, GSI_LIMIT, Route};
use a9n_core::physical_memory::PhysicalMemory;
use spin::Once;

use super::interrupts::DEVICE_VECTOR_BASE;
use super::paging::{KernelPaging, physical_to_virtual};
use super::{acpi_tables, apic};
use crate::kprintln;

/// Register select (an index) and the data window, as offsets of the MMIO block.
const SELECT: u64 = 0x00;
const WINDOW: u64 = 0x10;
/// Bytes of the MMIO block the kernel touches.
const REGISTER_BLOCK: u64 = 0x20;
/// Indirect registers: version (bits 16..24: last input), redirection entries.
const VERSION: u32 = 0x01;
const REDIRECTION_TABLE: u32 = 0x10;
/// Redirection entry, low word: masked, level triggered, active low.
const MASKED: u32 = 1 << 16;
const LEVEL_TRIGGERED: u32 = 1 << 15;
const ACTIVE_LOW: u32 = 1 << 13;
/// Size of the direct map's pages (caching is decided per 2 MiB page).
const LARGE_PAGE_SIZE: u64 = 2 << 20;

/// One I/O APIC in use.
#[derive(Clone, Copy, Default)]
struct Controller {
    /// Kernel virtual address of its registers.
    registers: u64,
    /// GSI of input 0.
    gsi_base: u32,
    /// Number of inputs.
    inputs: u32,
}

impl Controller {
    fn covers(&self, gsi: u32) -> bool {
        gsi >= self.gsi_base && gsi - self.gsi_base < self.inputs
    }

    fn read(&self, index: u32) -> u32 {
        // SAFETY: `registers` is the direct-map address of an I/O APIC's register
        // block, checked at init to be 16-byte aligned, inside the direct map and
        // on an uncached page; SELECT and WINDOW are its 32-bit registers. The
        // kernel runs on one CPU with interrupts off, so no other select/window
        // pair interleaves.
        unsafe {
            core::ptr::write_volatile((self.registers + SELECT) as *mut u32, index);
            core::ptr::read_volatile((self.registers + WINDOW) as *const u32)
        }
    }

    fn write(&self, index: u32, value: u32) {
        // SAFETY: as in `read`; writing I/O APIC registers touches no memory.
        unsafe {
            core::ptr::write_volatile((self.registers + SELECT) as *mut u32, index);
            core::ptr::write_volatile((self.registers + WINDOW) as *mut u32, value);
        }
    }

    /// Index of the low word of `gsi`'s redirection entry.
    fn entry(&self, gsi: u32) -> u32 {
        REDIRECTION_TABLE + 2 * (gsi - self.gsi_base)
    }
}

/// What [`init`] found.
struct IoApics {
    controllers: [Controller; MAX_IO_APICS],
    count: usize,
    madt: Madt,
    /// Local APIC ID of the CPU interrupts go to.
    destination: u8,
}

impl IoApics {
    fn controller(&self, gsi: u32) -> Option<&Controller> {
        self.controllers[..self.count]
            .iter()
            .find(|controller| controller.covers(gsi))
    }
}

static IO_APICS: Once<IoApics> = Once::new();

/// The vector of `gsi`.
#[must_use]
pub const fn vector_of(gsi: u32) -> u8 {
    DEVICE_VECTOR_BASE + gsi as u8
}

/// The GSI whose vector is `vector`, if it is a device vector.
#[must_use]
pub fn gsi_of_vector(vector: u64) -> Option<u32> {
    let gsi = vector.checked_sub(u64::from(DEVICE_VECTOR_BASE))?;
    (gsi < u64::from(GSI_LIMIT)).then_some(gsi as u32)
}

const _: () = assert!(
    DEVICE_VECTOR_BASE as u32 + GSI_LIMIT <= super::interrupts::SPURIOUS_VECTOR as u32,
    "device vectors must stay below the spurious vector"
);

/// Checks one MADT I/O APIC and masks all its inputs; `None` if it cannot be used.
fn bring_up(
    address: u64,
    gsi_base: u32,
    memory: &PhysicalMemory,
    direct_map_end: u64,
) -> Option<Controller> {
    let offset = address % LARGE_PAGE_SIZE;
    let page = address - offset;
    if !address.is_multiple_of(16)
        || offset + REGISTER_BLOCK > LARGE_PAGE_SIZE
        || page.saturating_add(LARGE_PAGE_SIZE) > direct_map_end
        || memory.contains_ram(page, page + LARGE_PAGE_SIZE)
    {
        kprintln!(
            "A9N: I/O APIC at {address:#x} not used (misaligned, outside the direct map, or on a 2 MiB page with RAM, which is cached)"
        );
        return None;
    }
    let mut controller = Controller {
        registers: physical_to_virtual(address),
        gsi_base,
        inputs: 0,
    };
    controller.inputs = ((controller.read(VERSION) >> 16) & 0xff) + 1;
    for input in 0..controller.inputs {
        let gsi = gsi_base.saturating_add(input);
        let vector = if gsi < GSI_LIMIT { vector_of(gsi) } else { 0 };
        let entry = REDIRECTION_TABLE + 2 * input;
        controller.write(entry, MASKED | u32::from(vector));
        controller.write(entry + 1, 0);
    }
    Some(controller)
}

/// Finds the I/O APICs in the ACPI tables and masks every input. Call once, after
/// the local APIC is up.
pub fn init(info: &BootInfo, memory: &PhysicalMemory, paging: &KernelPaging) {
    let direct_map_end = paging.direct_map_size;
    let rsdp = info.arch_info[ARCH_INFO_ACPI_RSDP];
    let madt = match acpi_tables::find_madt(rsdp, memory, direct_map_end) {
        Ok(madt) => madt,
        Err(error) => {
            kprintln!("A9N: no device interrupts: ACPI tables unusable ({error:?})");
            return;
        }
    };
    let mut controllers = [Controller::default(); MAX_IO_APICS];
    let mut count = 0;
    for io_apic in madt.io_apics() {
        if let Some(controller) =
            bring_up(io_apic.address, io_apic.gsi_base, memory, direct_map_end)
        {
            kprintln!(
                "A9N: I/O APIC {} at {:#x}: GSIs {}..{}",
                io_apic.id,
                io_apic.address,
                controller.gsi_base,
                controller.gsi_base.saturating_add(controller.inputs)
            );
            controllers[count] = controller;
            count += 1;
        }
    }
    if madt.ignored_io_apics + madt.ignored_overrides > 0 {
        kprintln!(
            "A9N: MADT: {} I/O APICs and {} overrides ignored",
            madt.ignored_io_apics,
            madt.ignored_overrides
        );
    }
    IO_APICS.call_once(|| IoApics {
        controllers,
        count,
        madt,
        destination: apic::local_apic_id(),
    });
}

/// Where IRQ number `irq` arrives (see `a9n_core::irq_routing`); `None` if it
/// names no usable input.
#[must_use]
pub fn route(irq: u64) -> Option<Route> {
    let io_apics = IO_APICS.get()?;
    irq_routing::route(
        &io_apics.madt,
        |gsi| io_apics.controller(gsi).is_some(),
        irq,
    )
}

/// Programs `route`'s input: its vector, polarity and trigger mode, delivery to
/// this CPU, masked.
pub fn configure(route: Route) {
    let Some(io_apics) = IO_APICS.get() else {
        return;
    };
    let Some(controller) = io_apics.controller(route.gsi) else {
        return;
    };
    let mut low = MASKED | u32::from(vector_of(route.gsi));
    if route.level_triggered {
        low |= LEVEL_TRIGGERED;
    }
    if route.active_low {
        low |= ACTIVE_LOW;
    }
    let entry = controller.entry(route.gsi);
    controller.write(entry, MASKED | u32::from(vector_of(route.gsi)));
    controller.write(entry + 1, u32::from(io_apics.destination) << 24);
    controller.write(entry, low);
}

/// Masks (`true`) or unmasks `gsi`'s input.
pub fn set_masked(gsi: u32, masked: bool) {
    let Some(controller) = IO_APICS.get().and_then(|io_apics| io_apics.controller(gsi)) else {
        return;
    };
    let entry = controller.entry(gsi);
    let low = controller.read(entry);
    controller.write(entry, if masked { low | MASKED } else { low & !MASKED });
}

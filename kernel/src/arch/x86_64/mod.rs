//! x86_64: segmentation, interrupts, paging, the local APIC, the I/O APICs (found
//! through ACPI), time, FPU and the `syscall` entry.

mod acpi_tables;
pub mod apic;
pub mod boot_info;
pub mod cpu;
pub mod cpu_local;
mod entry;
pub mod exception_report;
#[cfg(feature = "inject-fault")]
pub mod fault_injection;
pub mod fpu;
pub mod gdt;
mod interrupt_entry;
pub mod interrupts;
pub mod io_apic;
pub mod object_memory;
pub mod paging;
pub mod port_io;
pub mod registers;
mod saved_registers;
pub mod serial;
pub mod syscall;
pub mod timer;
pub mod trap_frame;
pub mod user_context;

//! Where the architecture layer hands control to the kernel after an entry from
//! user mode, and how the kernel leaves again: choose a thread and return to it, or
//! idle.

use core::sync::atomic::{AtomicBool, Ordering};

use a9n_abi::capability_type::CapabilityType;

use crate::arch::object_memory::read_word;
use crate::arch::trap_frame::TrapFrame;
use crate::arch::{apic, cpu_local, fpu, interrupts, io_apic, paging, timer};
use crate::thread::{InternalSlot, Thread};
use crate::{fault, interrupt_ports, kernel_call, kprintln, scheduler};

/// Set while the CPU waits in the idle loop.
static IDLE: AtomicBool = AtomicBool::new(false);

/// Vector of the device-not-available exception (first FPU use after a switch).
const DEVICE_NOT_AVAILABLE: u64 = 7;

/// First stop of every `syscall` (the thread's registers are saved in its PCB):
/// the IPC fastpath. Returns the kernel virtual address of the saved registers to
/// return to, or 0 to go on to [`kernel_call_entry`] (nothing has changed then).
pub extern "C" fn fastpath_entry() -> u64 {
    #[cfg(not(feature = "no-fastpath"))]
    {
        let current = scheduler::current_address();
        if current != 0
            && let Some(next) = crate::fastpath::try_ipc(current)
        {
            // The fastpath checked that `next` has an address space.
            let slot = next.internal_slot(InternalSlot::AddressSpace);
            paging::load_address_space(read_word(slot) >> 12, read_word(slot + 8));
            cpu_local::prepare_thread(next.context_end(), next.fs_base(), next.gs_base());
            fpu::prepare_for(next);
            return paging::physical_to_virtual(next.context());
        }
    }
    0
}

/// The general path of every `syscall`.
pub extern "C" fn kernel_call_entry() -> ! {
    let current = scheduler::current_address();
    if current != 0 {
        kernel_call::handle(Thread(current));
    }
    exit_to_user()
}

/// Entry of every interrupt or exception from user mode; `frame` is the current
/// thread's saved registers.
pub extern "C" fn user_interrupt_entry(frame: &mut TrapFrame) -> ! {
    let vector = frame.vector;
    let current = scheduler::current();
    match vector {
        vector if vector == u64::from(interrupts::TIMER_VECTOR) => {
            timer::tick();
            apic::end_of_interrupt();
            scheduler::tick();
        }
        DEVICE_NOT_AVAILABLE => {
            if let Some(thread) = current {
                fpu::switch_owner(thread);
            }
        }
        0..=31 => {
            if let Some(thread) = current {
                fault::user_exception(thread, vector, frame.error_code, paging::fault_address());
            }
        }
        vector if vector == u64::from(interrupts::SPURIOUS_VECTOR) => {}
        vector if io_apic::gsi_of_vector(vector).is_some() => interrupt_ports::deliver(vector),
        _ => apic::end_of_interrupt(),
    }
    exit_to_user()
}

/// Called by the interrupt dispatcher after an interrupt that arrived in kernel
/// mode; if the CPU was idle and a thread became runnable, switches to it.
pub fn after_kernel_mode_interrupt(timer: bool) {
    if timer {
        scheduler::tick();
    }
    if IDLE.load(Ordering::Relaxed) && scheduler::has_runnable() {
        IDLE.store(false, Ordering::Relaxed);
        exit_to_user();
    }
}

/// Loads everything `thread` needs and returns to it; `false` if it cannot run
/// (no address space), in which case it is suspended. The address-space capability
/// is read as raw slot words (type and object in word 0, the address-space id in
/// word 1): this runs on every switch, the fastpath's included.
fn switch_to(thread: Thread) -> bool {
    let slot = thread.internal_slot(InternalSlot::AddressSpace);
    let header = read_word(slot);
    if header & 0xf != CapabilityType::AddressSpace.as_word() {
        kprintln!(
            "A9N: thread {:#x} has no address space; suspended",
            thread.0
        );
        scheduler::suspend(thread);
        return false;
    }
    paging::load_address_space(header >> 12, read_word(slot + 8));
    cpu_local::prepare_thread(thread.context_end(), thread.fs_base(), thread.gs_base());
    fpu::prepare_for(thread);
    true
}

/// Leaves the kernel: runs the thread the scheduler picks, or idles.
pub fn exit_to_user() -> ! {
    loop {
        match scheduler::choose() {
            Some(thread) => {
                if switch_to(thread) {
                    cpu_local::return_to_user(thread.context());
                }
            }
            None => {
                paging::load_kernel_address_space();
                IDLE.store(true, Ordering::Relaxed);
                cpu_local::idle();
            }
        }
    }
}

//! A user-level fault resolver: a thread in the child address space touches a page
//! nothing is mapped at; its fault arrives at init (its fault resolver) as a
//! message; init maps a fresh frame there and replies, and the thread carries on
//! and uses the page. This is what the memory server will do for every process.

use a9n_abi::fault::FaultType;
use a9n_abi::{CapabilityType, MessageSource};
use nun::capability::IpcPort;

use crate::child_space::{
    ChildError, ChildSpace, READ_WRITE, kernel, set_shared_word, shared_word, yield_until,
};

/// The address the thread touches (nothing is mapped there at first).
const UNMAPPED_ADDRESS: u64 = window_address(0x40_0000);
/// The value it writes and reads back.
const VALUE: u64 = 0xfa17_0000_0000_0042;
/// Shared word where it reports the value it read.
const REPORT: u64 = 4;

/// An address in Nun's memory window (the only place plain words may be touched).
const fn window_address(offset: u64) -> u64 {
    nun::window::BASE + offset
}

extern "C" fn faulting_thread(_argument: u64) -> ! {
    let _ = nun::window::write_word(UNMAPPED_ADDRESS, VALUE);
    let read = nun::window::read_word(UNMAPPED_ADDRESS).unwrap_or(0);
    set_shared_word(REPORT, read);
    loop {
        nun::kernel_call::yield_now();
    }
}

/// Resolves one page fault and checks the thread went on.
pub fn run(child: &mut ChildSpace) -> Result<u64, ChildError> {
    set_shared_word(REPORT, 0);
    let port = child.make(CapabilityType::IpcPort, 0)?;
    let resolver = IpcPort::new(port.descriptor);
    let port_descriptor = port.descriptor;
    let thread = child.thread(
        faulting_thread,
        0,
        a9n_abi::scheduling::INIT_PRIORITY,
        |configuration| configuration.fault_resolver(port_descriptor),
    )?;
    kernel("resume", thread.resume())?;
    let fault = kernel("RECEIVE the fault", resolver.receive(true))?;
    let is_memory_fault = fault
        .info()
        .is_some_and(|info| info.source() == MessageSource::Fault)
        && fault.payload(0) == FaultType::Memory.as_word();
    let address = fault.payload(2);
    if !is_memory_fault || address != UNMAPPED_ADDRESS {
        return Err(ChildError::Silent(
            "the fault message was not the expected memory fault",
        ));
    }
    let page = child.make(CapabilityType::Frame, 12)?;
    let space = child.space;
    child.map(
        space,
        page.descriptor,
        address & !0xfff,
        READ_WRITE,
        "the faulting page",
    )?;
    kernel("REPLY", resolver.reply(&[]))?;
    if !yield_until(1000, || shared_word(REPORT) == VALUE) {
        return Err(ChildError::Silent(
            "the thread did not continue after the fault",
        ));
    }
    kernel("suspend", thread.suspend())?;
    Ok(address)
}

//! Watching the servers init started: each has a copy of init's supervisor port,
//! identified with the server, as its fault resolver. A fault of a server (a bug),
//! or the kernel call a Nun server ends with when its `main` returns or it panics
//! (`nun::server_start::stop`), arrives here as a fault message, and init reports
//! it on the console. The server's thread stays stopped (init does not reply);
//! restarting it is not done yet.
//!
//! posix-server's fault resolver is mm-server (its space is mm-server's), with this
//! port registered as the space's fault handler: what mm-server cannot resolve
//! arrives as an ordinary message, a forwarded fault
//! `[0x100, space, address, access, instruction_pointer, reason]`. A fault that is
//! no page fault (the kernel call a server stops with, among them) is forwarded
//! with reason UNSUPPORTED, access EXECUTE, and MR6 of the kernel's fault message
//! (the call number of an INVALID_KERNEL_CALL) as the address.

use a9n_abi::fault::FaultType;
use a9n_abi::{Descriptor, MessageSource};
use mm_server_api::fault::FORWARDED_FAULT;
use mm_server_api::{FaultAccess, FaultReason, ForwardedFault};
use nun::capability::{IpcPort, ReceivedMessage};
use nun::server_start::{EXIT_CALL_NUMBER, PANIC_CALL_NUMBER};

use crate::memory_server::supervised_name;

/// Reports a fault mm-server forwarded (a message `[FORWARDED_FAULT, ...]`).
fn report_forwarded(message: &ReceivedMessage) {
    let length = message
        .info()
        .map_or(0, |info| info.length())
        .min(ForwardedFault::WORDS + 1);
    let mut words = [0; ForwardedFault::WORDS + 1];
    for (index, word) in words.iter_mut().enumerate().take(length) {
        *word = message.payload(index);
    }
    let name = supervised_name(message.identifier());
    let Ok(fault) = ForwardedFault::decode(words.get(..length).unwrap_or(&[])) else {
        nun::debug_println!("init: a malformed forwarded fault about {name}");
        return;
    };
    let space = fault.space.get();
    let instruction_pointer = fault.instruction_pointer;
    if fault.reason == FaultReason::Unsupported && fault.access == FaultAccess::Execute {
        // mm-server forwards MR6 of the kernel's message as the address, but what
        // arrives for the stop call is the fault type INVALID_KERNEL_CALL (seen
        // under QEMU), so both are taken for a stop.
        let what = match fault.address {
            EXIT_CALL_NUMBER => "its main returned",
            PANIC_CALL_NUMBER => "it panicked",
            word if word == FaultType::InvalidKernelCall.as_word() => "an invalid kernel call",
            _ => "a fault that is no page fault",
        };
        nun::debug_println!(
            "init: {name} stopped (exit/panic): {what} (space {space}, word {:#x}, instruction {instruction_pointer:#x})",
            fault.address,
        );
        return;
    }
    nun::debug_println!(
        "init: {name} died: {} {} fault at {:#x} in space {space} (instruction {instruction_pointer:#x})",
        fault.reason.name(),
        fault.access.name(),
        fault.address,
    );
}

/// Reports one message of the supervisor port.
fn report(message: &ReceivedMessage) {
    match message.info().map(|info| info.source()) {
        Some(MessageSource::Fault) => {}
        Some(_) if message.payload(0) == FORWARDED_FAULT => {
            report_forwarded(message);
            return;
        }
        _ => return,
    }
    let name = supervised_name(message.identifier());
    let instruction_pointer = message.payload(1);
    match FaultType::from_word(message.payload(0)) {
        Some(FaultType::InvalidKernelCall) if message.payload(2) == EXIT_CALL_NUMBER => {
            nun::debug_println!("init: {name} exited");
        }
        Some(FaultType::InvalidKernelCall) if message.payload(2) == PANIC_CALL_NUMBER => {
            nun::debug_println!("init: {name} panicked and stopped");
        }
        Some(fault) if fault.has_fault_address() => nun::debug_println!(
            "init: {name} died: {} at {:#x} (instruction {instruction_pointer:#x})",
            fault.name(),
            message.payload(2),
        ),
        Some(fault) => nun::debug_println!(
            "init: {name} died: {} (instruction {instruction_pointer:#x})",
            fault.name()
        ),
        None => nun::debug_println!("init: {name} died"),
    }
}

/// Receives and reports the started servers' faults and stops, for ever (returns
/// only if the port fails).
pub fn supervise(port: Descriptor) {
    let port = IpcPort::new(port);
    loop {
        match port.receive(true) {
            Ok(message) => report(&message),
            Err(error) => {
                nun::debug_println!("init: the supervisor port failed: {}", error.name());
                return;
            }
        }
    }
}

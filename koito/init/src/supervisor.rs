//! Watching the servers init started: each has a copy of init's supervisor port,
//! identified with the server, as its fault resolver. A fault of a server (a bug),
//! or the kernel call a Nun server ends with when its `main` returns or it panics
//! (`nun::server_start::stop`), arrives here as a fault message, and init reports
//! it on the console. The server's thread stays stopped (init does not reply);
//! restarting it is not done yet.

use a9n_abi::fault::FaultType;
use a9n_abi::{Descriptor, MessageSource};
use nun::capability::{IpcPort, ReceivedMessage};
use nun::server_start::{EXIT_CALL_NUMBER, PANIC_CALL_NUMBER};

use crate::memory_server::supervised_name;

/// Reports one message of the supervisor port.
fn report(message: &ReceivedMessage) {
    if message.info().map(|info| info.source()) != Some(MessageSource::Fault) {
        return;
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

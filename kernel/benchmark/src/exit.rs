//! Ending the run: the exit code goes to QEMU's `isa-debug-exit` device through an
//! IO_PORT WRITE on root slot 9 (docs/abi.md section 10).

use a9n_abi::operation::io_port::IoWidth;
use a9n_abi::{RootSlot, test_exit};
use nun::capability::IoPort;

/// Writes `code` to the debug-exit port; QEMU exits with `(code << 1) | 1`. If the
/// write fails (or QEMU has no such device) the thread yields forever.
pub fn exit_qemu(code: u8) -> ! {
    let ports = IoPort::new(RootSlot::IoPort.descriptor());
    if let Err(error) = ports.write(
        u64::from(test_exit::DEBUG_EXIT_PORT),
        IoWidth::DoubleWord,
        u64::from(code),
    ) {
        nun::debug_println!(
            "bench error: cannot exit QEMU: IO_PORT WRITE {}",
            error.name()
        );
    }
    nun::start::finish()
}

//! Ending QEMU through the debug-exit port init gave (`mm_server_api::boot`).

use a9n_abi::operation::io_port::IoWidth;
use a9n_abi::test_exit::DEBUG_EXIT_PORT;
use mm_server_api::boot::TEST_EXIT_PORT_SLOT;
use nun::capability::IoPort;
use nun::server_start::server_slot;

/// Writes `code` to QEMU's debug-exit device (QEMU then exits with `code << 1 | 1`).
pub fn exit_qemu(code: u8) {
    let port = IoPort::new(server_slot(TEST_EXIT_PORT_SLOT));
    if let Err(error) = port.write(
        u64::from(DEBUG_EXIT_PORT),
        IoWidth::DoubleWord,
        u64::from(code),
    ) {
        nun::debug_println!("mm-tests: cannot exit QEMU: {}", error.name());
    }
}

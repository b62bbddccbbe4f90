//! Console output and the single failure path.
//!
//! Every line the loader prints starts with `loader: `. Until boot services are
//! exited it goes to UEFI's standard output (which OVMF copies to the serial port);
//! afterwards straight to COM1. A failure prints one `loader: error: ...` line, tells
//! QEMU's `isa-debug-exit` device [`LOADER_FAILURE`] and halts forever.

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicBool, Ordering};

use a9n_abi::test_exit::{DEBUG_EXIT_PORT, LOADER_FAILURE};

use crate::cpu;
use crate::error::LoaderError;
use crate::serial::Com1;

/// Set once boot services are gone: from then on UEFI output must not be used.
static BOOT_SERVICES_EXITED: AtomicBool = AtomicBool::new(false);

/// Prints one `loader: ` line (see [`say_line`]).
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::console::say_line(format_args!($($arg)*))
    };
}
pub(crate) use say;

/// Records that boot services have been exited; later output goes to COM1.
pub fn mark_boot_services_exited() {
    BOOT_SERVICES_EXITED.store(true, Ordering::SeqCst);
}

/// Prints `loader: <line>` and a newline.
pub fn say_line(line: fmt::Arguments<'_>) {
    write_line(format_args!("loader: {line}\n"));
}

/// Reports `error` as `loader: error: <what> (<detail>)` and stops (see [`fail_with`]).
pub fn fail(error: &LoaderError) -> ! {
    fail_with(format_args!("{error}"))
}

/// Prints `loader: error: <message>`, writes [`LOADER_FAILURE`] to the debug-exit
/// port (harmless without that device) and halts forever. Never allocates.
pub fn fail_with(message: fmt::Arguments<'_>) -> ! {
    write_line(format_args!("loader: error: {message}\n"));
    // SAFETY: the debug-exit port only makes QEMU exit; on a machine without the
    // device the write goes nowhere.
    unsafe { cpu::outb(DEBUG_EXIT_PORT, LOADER_FAILURE) };
    cpu::halt_forever()
}

fn write_line(line: fmt::Arguments<'_>) {
    if BOOT_SERVICES_EXITED.load(Ordering::SeqCst) {
        let _ = Com1.write_fmt(line);
    } else {
        uefi::system::with_stdout(|stdout| {
            // A console that fails to print has nowhere better to report it.
            let _ = stdout.write_fmt(line);
        });
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    // Output from here on goes to COM1: the panic may have come from UEFI output.
    mark_boot_services_exited();
    match info.location() {
        Some(location) => fail_with(format_args!("panic: {} ({location})", info.message())),
        None => fail_with(format_args!("panic: {}", info.message())),
    }
}

//! The kernel console: `kprintln!` formatted output to the serial port.
//!
//! Output goes through the architecture's serial driver under a spin lock taken
//! with interrupts disabled. The fault path uses [`emergency_writer`], which never
//! waits for the lock: a fault may strike while the lock is held.

use core::fmt::{self, Write};

use crate::arch::serial::{self, SerialPort};
use spin::Mutex;

static CONSOLE: Mutex<Option<SerialPort>> = Mutex::new(None);

/// Brings up the serial port. Output before this call is dropped.
pub fn init() {
    *CONSOLE.lock() = serial::open_console();
}

/// Writes formatted text to the console (the backend of `kprint!`).
pub fn print(arguments: fmt::Arguments<'_>) {
    crate::arch::cpu::without_interrupts(|| {
        if let Some(port) = CONSOLE.lock().as_mut() {
            // The serial writer never fails.
            let _ = port.write_fmt(arguments);
        }
    });
}

/// Writes one raw byte (the DEBUG kernel call).
pub fn put_byte(byte: u8) {
    if let Some(port) = CONSOLE.lock().as_mut() {
        let character = [byte];
        // Bytes that are not UTF-8 on their own are sent as they are.
        match core::str::from_utf8(&character) {
            Ok(text) => {
                let _ = port.write_str(text);
            }
            Err(_) => {
                let _ = port.write_str("?");
            }
        }
    }
}

/// A writer for the fault path: a fresh handle on the same port, used without the
/// lock (the interrupted code may hold it; output may interleave, which beats a
/// deadlock in a crash report).
pub fn emergency_writer() -> serial::RawSerialWriter {
    serial::RawSerialWriter
}

/// Prints to the kernel console.
#[macro_export]
macro_rules! kprint {
    ($($argument:tt)*) => { $crate::console::print(format_args!($($argument)*)) };
}

/// Prints a line to the kernel console.
#[macro_export]
macro_rules! kprintln {
    () => { $crate::kprint!("\n") };
    ($($argument:tt)*) => { $crate::console::print(format_args!("{}\n", format_args!($($argument)*))) };
}

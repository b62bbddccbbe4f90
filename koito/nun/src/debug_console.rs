//! The console logger: output through the kernel's DEBUG call, one byte per call, as
//! a `core::fmt::Write` sink and the `debug_print!`/`debug_println!` macros.
//!
//! It needs no capability and no IPC buffer, so it works from the first instruction
//! of a program and from every thread. A kernel built without the debug console
//! drops the output silently.
//!
//! ```no_run
//! use core::fmt::Write;
//!
//! nun::debug_println!("{} + {} = {}", 2, 2, 2 + 2);
//! let _ = write!(nun::debug_console::DebugConsole, "no newline");
//! ```

use core::fmt;

use crate::kernel_call;

/// Writes through the DEBUG kernel call, one byte per call.
///
/// ```no_run
/// use core::fmt::Write;
/// use nun::debug_console::DebugConsole;
///
/// let mut console = DebugConsole;
/// writeln!(console, "{:>8}|", "right").unwrap();
/// ```
pub struct DebugConsole;

impl fmt::Write for DebugConsole {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for byte in text.bytes() {
            // A kernel without the debug console refuses every byte; printing is
            // best effort, so the error is not reported.
            let _ = kernel_call::debug_put_byte(byte);
        }
        Ok(())
    }
}

/// Backend of [`debug_print!`](crate::debug_print).
pub fn print(arguments: fmt::Arguments<'_>) {
    let _ = fmt::Write::write_fmt(&mut DebugConsole, arguments);
}

/// Prints through the kernel debug console.
#[macro_export]
macro_rules! debug_print {
    ($($argument:tt)*) => { $crate::debug_console::print(format_args!($($argument)*)) };
}

/// Prints a line through the kernel debug console.
#[macro_export]
macro_rules! debug_println {
    () => { $crate::debug_print!("\n") };
    ($($argument:tt)*) => { $crate::debug_console::print(format_args!("{}\n", format_args!($($argument)*))) };
}

//! Early output through the kernel's DEBUG call: a `core::fmt::Write` sink and the
//! `debug_print!`/`debug_println!` macros.

use core::fmt;

use crate::kernel_call;

/// Writes through the DEBUG kernel call, one byte per call.
pub struct DebugConsole;

impl fmt::Write for DebugConsole {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        text.bytes().for_each(kernel_call::debug_put_byte);
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

//! Formatted output: [`print!`](crate::print), [`println!`](crate::println),
//! [`eprint!`](crate::eprint), [`eprintln!`](crate::eprintln). Standard output
//! is buffered (flushed at a newline when it is a terminal... simply: at every
//! newline, when full, before fork/exec and at exit); standard error is not.

use alloc::vec::Vec;
use core::fmt::{self, Write};

use spin::Mutex;

use crate::file::{STDERR, STDOUT, write_all};

static STANDARD_OUTPUT: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// Bytes standard output holds before it writes.
const BUFFER_LIMIT: usize = 8192;

struct Output {
    fd: i32,
}

impl Write for Output {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        if self.fd == STDOUT {
            let mut buffer = STANDARD_OUTPUT.lock();
            buffer.extend_from_slice(text.as_bytes());
            if buffer.len() >= BUFFER_LIMIT || text.contains('\n') {
                let _ = write_all(STDOUT, &buffer);
                buffer.clear();
            }
            Ok(())
        } else {
            write_all(self.fd, text.as_bytes()).map_err(|_| fmt::Error)
        }
    }
}

/// Writes standard output's buffer.
pub fn flush() {
    let mut buffer = STANDARD_OUTPUT.lock();
    if !buffer.is_empty() {
        let _ = write_all(STDOUT, &buffer);
        buffer.clear();
    }
}

/// Writes raw bytes to standard output (through its buffer).
pub fn write_stdout(bytes: &[u8]) {
    let mut buffer = STANDARD_OUTPUT.lock();
    buffer.extend_from_slice(bytes);
    if buffer.len() >= BUFFER_LIMIT || bytes.contains(&b'\n') {
        let _ = write_all(STDOUT, &buffer);
        buffer.clear();
    }
}

#[doc(hidden)]
pub fn print_to(fd: i32, arguments: fmt::Arguments<'_>) {
    let _ = Output { fd }.write_fmt(arguments);
}

/// Prints to standard output.
#[macro_export]
macro_rules! print {
    ($($argument:tt)*) => { $crate::io::print_to(1, format_args!($($argument)*)) };
}

/// Prints a line to standard output.
#[macro_export]
macro_rules! println {
    () => { $crate::print!("\n") };
    ($($argument:tt)*) => { $crate::io::print_to(1, format_args!("{}\n", format_args!($($argument)*))) };
}

/// Prints to standard error.
#[macro_export]
macro_rules! eprint {
    ($($argument:tt)*) => { $crate::io::print_to(2, format_args!($($argument)*)) };
}

/// Prints a line to standard error.
#[macro_export]
macro_rules! eprintln {
    () => { $crate::eprint!("\n") };
    ($($argument:tt)*) => { $crate::io::print_to(2, format_args!("{}\n", format_args!($($argument)*))) };
}

/// Standard error as a `fmt::Write`.
#[must_use]
pub const fn standard_error() -> impl Write {
    Output { fd: STDERR }
}

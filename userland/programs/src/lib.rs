//! Helpers shared by KOITO's utilities: argument text, option letters and error
//! messages.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::vec::Vec;

use libc_shim::Errno;

/// Prints `program: what: strerror(errno)` to standard error.
pub fn report(program: &str, what: &[u8], errno: Errno) {
    libc_shim::eprintln!("{program}: {}: {}", text(what), errno.message());
}

/// `bytes` as text for a message (`?` when it is not UTF-8).
#[must_use]
pub fn text(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or("?")
}

/// Writes `bytes` to standard output (through libc-shim's buffer).
pub fn write_out(bytes: &[u8]) {
    libc_shim::io::write_stdout(bytes);
}

/// Command-line arguments split into option letters and operands.
#[derive(Clone, Debug, Default)]
pub struct CommandLine {
    /// Every option letter given (`-rf` gives `r` and `f`).
    pub letters: Vec<u8>,
    /// The operands, in order.
    pub operands: Vec<&'static [u8]>,
}

impl CommandLine {
    /// Whether option `letter` was given.
    #[must_use]
    pub fn has(&self, letter: u8) -> bool {
        self.letters.contains(&letter)
    }
}

/// Splits the arguments after the program name: words starting with `-` (but not
/// `-` alone) before the first operand or `--` are option letters. Fails with the
/// first letter not in `allowed`.
///
/// # Errors
/// The unknown option letter.
pub fn parse_command_line(
    arguments: libc_shim::start::Arguments,
    allowed: &[u8],
) -> Result<CommandLine, u8> {
    let mut line = CommandLine::default();
    let mut options_done = false;
    for argument in arguments.iter().skip(1) {
        if options_done || argument == b"-" || !argument.starts_with(b"-") {
            options_done = true;
            line.operands.push(argument);
        } else if argument == b"--" {
            options_done = true;
        } else {
            for &letter in argument.iter().skip(1) {
                if !allowed.contains(&letter) {
                    return Err(letter);
                }
                line.letters.push(letter);
            }
        }
    }
    Ok(line)
}

/// Parses a decimal number without sign.
#[must_use]
pub fn parse_unsigned(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() {
        return None;
    }
    bytes.iter().try_fold(0u64, |value, &byte| {
        let digit = char::from(byte).to_digit(10)?;
        value.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// Parses a decimal number with an optional leading `-`.
#[must_use]
pub fn parse_signed(bytes: &[u8]) -> Option<i64> {
    match bytes.strip_prefix(b"-") {
        Some(digits) => i64::try_from(parse_unsigned(digits)?)
            .ok()
            .map(|value| -value),
        None => i64::try_from(parse_unsigned(bytes)?).ok(),
    }
}

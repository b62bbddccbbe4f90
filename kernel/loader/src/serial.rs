//! Raw output to COM1, for the moments when UEFI's console is gone (after exiting
//! boot services, or in a panic that happened there).
//!
//! OVMF has already programmed the UART (115200 8N1); this only polls the line
//! status register and writes bytes. It never allocates.

use core::fmt;

use crate::cpu;

/// I/O base of the first serial port.
const COM1: u16 = 0x3f8;
/// Line status register offset.
const LINE_STATUS: u16 = 5;
/// Line status bit: the transmit holding register is empty.
const TRANSMIT_EMPTY: u8 = 1 << 5;
/// How many times to poll before writing anyway (no UART must not mean a hang).
const POLL_LIMIT: u32 = 100_000;

/// A [`fmt::Write`] sink that writes to COM1, turning `\n` into `\r\n`.
pub struct Com1;

impl Com1 {
    fn write_byte(byte: u8) {
        for _ in 0..POLL_LIMIT {
            // SAFETY: reading the UART line status register has no side effect.
            if unsafe { cpu::inb(COM1 + LINE_STATUS) } & TRANSMIT_EMPTY != 0 {
                break;
            }
        }
        // SAFETY: writing the UART data register transmits one byte.
        unsafe { cpu::outb(COM1, byte) };
    }
}

impl fmt::Write for Com1 {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for byte in text.bytes() {
            if byte == b'\n' {
                Self::write_byte(b'\r');
            }
            Self::write_byte(byte);
        }
        Ok(())
    }
}

//! COM1 (the 16550 UART at I/O port 0x3F8), driven by the `uart_16550` crate.

use uart_16550::backend::PioBackend;
use uart_16550::{Config, Uart16550Tty};

/// I/O port base of COM1.
const COM1: u16 = 0x3f8;

/// A serial port that implements `core::fmt::Write` (newlines become CR LF).
pub type SerialPort = Uart16550Tty<PioBackend>;

/// Initialises COM1 (115200 8N1, FIFO on) and returns a handle, or `None` when no
/// UART answers.
pub fn open_console() -> Option<SerialPort> {
    // SAFETY: 0x3F8..0x3FF is COM1 on every PC platform; the kernel owns it alone
    // until user space is given an IO_PORT capability for it (and then the kernel
    // no longer prints).
    unsafe { Uart16550Tty::new_port(COM1, Config::default()) }.ok()
}

/// Line status register offset and its "transmit holding register empty" bit.
const LINE_STATUS: u16 = 5;
const TRANSMIT_EMPTY: u8 = 1 << 5;

/// A transmit-only writer on the already configured COM1 for the fault path: it
/// neither resets the UART nor takes any lock.
pub struct RawSerialWriter;

impl core::fmt::Write for RawSerialWriter {
    fn write_str(&mut self, text: &str) -> core::fmt::Result {
        for byte in text.bytes() {
            if byte == b'\n' {
                send_raw(b'\r');
            }
            send_raw(byte);
        }
        Ok(())
    }
}

fn send_raw(byte: u8) {
    let mut status = x86_64::instructions::port::PortReadOnly::<u8>::new(COM1 + LINE_STATUS);
    let mut data = x86_64::instructions::port::PortWriteOnly::<u8>::new(COM1);
    // Bounded wait: a missing UART must not hang the crash report.
    for _ in 0..100_000 {
        // SAFETY: reading COM1's line status register has no side effect.
        if unsafe { status.read() } & TRANSMIT_EMPTY != 0 {
            break;
        }
    }
    // SAFETY: writing the transmit register of COM1 only sends the byte.
    unsafe { data.write(byte) };
}

//! Output processing (`OPOST` and its flags) with the cursor column the line
//! editor needs to erase tabs. Echoes go through here too, as on Linux.

use super::Tty;
use super::termios::{OCRNL, OLCUC, ONLCR, ONLRET, ONOCR, OPOST, TABDLY, XTABS};
use alloc::vec::Vec;

/// Whether `byte` is an ASCII control character (below space, or DEL).
pub(super) const fn is_control(byte: u8) -> bool {
    byte < 0x20 || byte == 0x7f
}

impl Tty {
    /// Maps bytes a program writes to the console into the bytes to send to the
    /// serial port: with `OPOST`, `ONLCR` turns `\n` into `\r\n`, and `OCRNL`,
    /// `ONOCR`, `ONLRET`, `OLCUC` and tab expansion (`XTABS`) apply as on Linux.
    pub fn output(&mut self, bytes: &[u8]) -> Vec<u8> {
        if !self.termios.output(OPOST) {
            return bytes.to_vec();
        }
        let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 8);
        for &byte in bytes {
            self.emit(byte, &mut out);
        }
        out
    }

    /// Sends one byte through output processing into `out`, tracking the column.
    pub(super) fn emit(&mut self, byte: u8, out: &mut Vec<u8>) {
        let termios = &self.termios;
        if !termios.output(OPOST) {
            out.push(byte);
            return;
        }
        match byte {
            b'\n' => {
                if termios.output(ONLCR) {
                    out.extend_from_slice(b"\r\n");
                    self.column = 0;
                    return;
                }
                if termios.output(ONLRET) {
                    self.column = 0;
                }
                out.push(b'\n');
            }
            b'\r' => {
                if termios.output(ONOCR) && self.column == 0 {
                    return;
                }
                if termios.output(OCRNL) {
                    if termios.output(ONLRET) {
                        self.column = 0;
                    }
                    out.push(b'\n');
                    return;
                }
                self.column = 0;
                out.push(b'\r');
            }
            b'\t' => {
                let spaces = 8 - (self.column % 8);
                if termios.output_flags & TABDLY == XTABS {
                    out.extend(core::iter::repeat_n(b' ', spaces));
                } else {
                    out.push(b'\t');
                }
                self.column += spaces;
            }
            0x08 => {
                self.column = self.column.saturating_sub(1);
                out.push(byte);
            }
            _ => {
                let mut byte = byte;
                if !is_control(byte) {
                    if termios.output(OLCUC) {
                        byte = byte.to_ascii_uppercase();
                    }
                    if !self.is_continuation(byte) {
                        self.column += 1;
                    }
                }
                out.push(byte);
            }
        }
    }

    /// Whether `byte` takes no column of its own: a UTF-8 continuation byte
    /// when `IUTF8` is set.
    pub(super) fn is_continuation(&self, byte: u8) -> bool {
        self.termios.input(super::termios::IUTF8) && byte & 0xc0 == 0x80
    }

    /// Echoes a byte as the user sees it: control characters other than tab
    /// as `^X` with `ECHOCTL` (callers echo line-ending newlines themselves).
    pub(super) fn echo_byte(&mut self, byte: u8, out: &mut Vec<u8>) {
        if self.termios.local(super::termios::ECHOCTL) && is_control(byte) && byte != b'\t' {
            self.emit(b'^', out);
            self.emit(byte ^ 0x40, out);
        } else {
            self.emit(byte, out);
        }
    }

    /// How many columns the echo of `byte` takes (tabs are handled apart).
    pub(super) fn echo_width(&self, byte: u8) -> usize {
        if is_control(byte) {
            if self.termios.local(super::termios::ECHOCTL) {
                2
            } else {
                0
            }
        } else if self.is_continuation(byte) {
            0
        } else {
            1
        }
    }
}

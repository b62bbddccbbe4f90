//! Input processing: flow control, signal characters, CR/NL mapping, canonical
//! line editing (erase, word erase, kill, reprint, literal next, EOF) and echo.

use super::termios::{
    ECHO, ECHOCTL, ECHOE, ECHOK, ECHOKE, ECHONL, ICRNL, IEXTEN, IGNCR, IMAXBEL, INLCR, ISIG,
    ISTRIP, IUCLC, IXANY, IXON, NOFLSH, VEOF, VEOL, VEOL2, VERASE, VINTR, VKILL, VLNEXT, VQUIT,
    VREPRINT, VSTART, VSTOP, VSUSP, VWERASE,
};
use super::{INPUT_LIMIT, Tty};
use crate::signals::Signal;
use alloc::vec::Vec;

/// What one input byte asks of the server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputEffects {
    /// Bytes to send to the serial port (the echo, output-processed).
    pub echo: Vec<u8>,
    /// A signal to send to the foreground process group (`SIGINT`, `SIGQUIT`
    /// or `SIGTSTP`).
    pub signal: Option<Signal>,
    /// Readers parked on the terminal should retry.
    pub wake_readers: bool,
    /// Output was stopped (VSTOP): the server may hold writes back.
    pub output_stopped: bool,
    /// Stopped output was restarted: held writes may continue.
    pub output_resumed: bool,
}

/// How much an erasing character removes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Erase {
    Character,
    Word,
    Line,
}

impl Tty {
    /// Processes one byte from the serial port.
    pub fn input(&mut self, byte: u8) -> InputEffects {
        let mut effects = InputEffects::default();
        let termios = self.termios;
        let mut byte = byte;
        if termios.input(ISTRIP) {
            byte &= 0x7f;
        }
        if termios.input(IUCLC) && termios.local(IEXTEN) {
            byte = byte.to_ascii_lowercase();
        }
        if self.literal_next {
            self.literal_next = false;
            self.receive_ordinary(byte, true, &mut effects);
            return effects;
        }
        if termios.input(IXON) && self.flow_control(byte, &mut effects) {
            return effects;
        }
        if termios.local(ISIG) {
            let signal = if termios.is_special(VINTR, byte) {
                Some(Signal::SIGINT)
            } else if termios.is_special(VQUIT, byte) {
                Some(Signal::SIGQUIT)
            } else if termios.is_special(VSUSP, byte) {
                Some(Signal::SIGTSTP)
            } else {
                None
            };
            if let Some(signal) = signal {
                self.receive_signal(byte, signal, &mut effects);
                return effects;
            }
        }
        if self.output_stopped && termios.input(IXON) && termios.input(IXANY) {
            self.output_stopped = false;
            effects.output_resumed = true;
        }
        if byte == b'\r' {
            if termios.input(IGNCR) {
                return effects;
            }
            if termios.input(ICRNL) {
                byte = b'\n';
            }
        } else if byte == b'\n' && termios.input(INLCR) {
            byte = b'\r';
        }
        if self.canonical() {
            self.receive_canonical(byte, &mut effects);
        } else {
            self.receive_ordinary(byte, false, &mut effects);
        }
        effects
    }

    /// VSTOP/VSTART; returns whether the byte was consumed.
    fn flow_control(&mut self, byte: u8, effects: &mut InputEffects) -> bool {
        let is_start = self.termios.is_special(VSTART, byte);
        let is_stop = self.termios.is_special(VSTOP, byte);
        if is_stop && (!self.output_stopped || !is_start) {
            if !self.output_stopped {
                self.output_stopped = true;
                effects.output_stopped = true;
            }
            true
        } else if is_start {
            if self.output_stopped {
                self.output_stopped = false;
                effects.output_resumed = true;
            }
            true
        } else {
            false
        }
    }

    /// A signal character: flush input (unless `NOFLSH`), restart output, echo
    /// it (`^C` with `ECHOCTL`), and report the signal.
    fn receive_signal(&mut self, byte: u8, signal: Signal, effects: &mut InputEffects) {
        if !self.termios.local(NOFLSH) {
            self.flush_input();
        }
        if self.output_stopped && self.termios.input(IXON) {
            self.output_stopped = false;
            effects.output_resumed = true;
        }
        if self.termios.local(ECHO) {
            self.echo_byte(byte, &mut effects.echo);
        }
        effects.signal = Some(signal);
    }

    /// Canonical mode: editing characters, line ends, or an ordinary byte.
    fn receive_canonical(&mut self, byte: u8, effects: &mut InputEffects) {
        let termios = self.termios;
        let extended = termios.local(IEXTEN);
        let echo = termios.local(ECHO);
        if termios.is_special(VERASE, byte) || (byte == 0x08 && !self.is_any_special(byte)) {
            self.erase(Erase::Character, byte, effects);
        } else if termios.is_special(VKILL, byte) {
            self.erase(Erase::Line, byte, effects);
        } else if extended && termios.is_special(VWERASE, byte) {
            self.erase(Erase::Word, byte, effects);
        } else if extended && termios.is_special(VLNEXT, byte) {
            self.literal_next = true;
            if echo && termios.local(ECHOCTL) {
                self.emit(b'^', &mut effects.echo);
                self.emit(0x08, &mut effects.echo);
            }
        } else if extended && echo && termios.is_special(VREPRINT, byte) {
            self.echo_byte(byte, &mut effects.echo);
            self.emit(b'\n', &mut effects.echo);
            self.line_start_column = self.column;
            for index in 0..self.editing.len() {
                if let Some(&old) = self.editing.get(index) {
                    self.echo_byte(old, &mut effects.echo);
                }
            }
        } else if byte == b'\n' {
            if self.complete_line(Some(byte), effects) && (echo || termios.local(ECHONL)) {
                self.emit(b'\n', &mut effects.echo);
            }
        } else if termios.is_special(VEOF, byte) {
            self.complete_line(None, effects);
        } else if termios.is_special(VEOL, byte) || (extended && termios.is_special(VEOL2, byte)) {
            if self.complete_line(Some(byte), effects) && echo {
                self.echo_byte(byte, &mut effects.echo);
            }
        } else {
            self.receive_ordinary(byte, false, effects);
        }
    }

    /// Whether `byte` is one of the enabled special characters.
    fn is_any_special(&self, byte: u8) -> bool {
        [
            VINTR, VQUIT, VKILL, VEOF, VSTART, VSTOP, VSUSP, VEOL, VREPRINT, VWERASE, VLNEXT, VEOL2,
        ]
        .into_iter()
        .any(|index| self.termios.is_special(index, byte))
    }

    /// Ends the line being edited (with `terminator` unless VEOF); returns
    /// whether it fitted.
    fn complete_line(&mut self, terminator: Option<u8>, effects: &mut InputEffects) -> bool {
        if self.buffered() >= INPUT_LIMIT {
            self.input_dropped(effects);
            return false;
        }
        let length = self.editing.len() + usize::from(terminator.is_some());
        self.ready.extend(self.editing.drain(..));
        if let Some(terminator) = terminator {
            self.ready.push_back(terminator);
        }
        self.line_lengths.push_back(length);
        effects.wake_readers = true;
        true
    }

    /// A byte that is just data: stored (at the end of the line being edited,
    /// or readable at once in non-canonical mode) and echoed. A `literal` byte
    /// (after VLNEXT) echoes a newline as `^J`, as Linux does.
    fn receive_ordinary(&mut self, byte: u8, literal: bool, effects: &mut InputEffects) {
        let canonical = self.canonical();
        let limit = if canonical {
            INPUT_LIMIT - 1
        } else {
            INPUT_LIMIT
        };
        if self.buffered() >= limit {
            self.input_dropped(effects);
            return;
        }
        if self.termios.local(ECHO) {
            if self.editing.is_empty() {
                self.line_start_column = self.column;
            }
            if byte == b'\n' && !literal {
                self.emit(b'\n', &mut effects.echo);
            } else {
                self.echo_byte(byte, &mut effects.echo);
            }
        }
        if canonical {
            self.editing.push(byte);
        } else {
            self.ready.push_back(byte);
            effects.wake_readers = true;
        }
    }

    fn input_dropped(&mut self, effects: &mut InputEffects) {
        if self.termios.input(IMAXBEL) {
            self.emit(0x07, &mut effects.echo);
        }
    }

    /// Erases a character, a word or the line, echoing the erasure.
    fn erase(&mut self, kind: Erase, typed: u8, effects: &mut InputEffects) {
        if self.editing.is_empty() {
            return;
        }
        let termios = self.termios;
        let local = |flag| termios.local(flag);
        let echo = local(ECHO);
        if echo && kind == Erase::Line && !(local(ECHOK) && local(ECHOKE) && local(ECHOE)) {
            self.editing.clear();
            self.echo_byte(typed, &mut effects.echo);
            if local(ECHOK) {
                self.emit(b'\n', &mut effects.echo);
            }
            return;
        }
        let visual = echo && local(ECHOE);
        let mut seen_word = false;
        while let Some(&last) = self.editing.last() {
            if kind == Erase::Word {
                let word = last.is_ascii_alphanumeric() || last == b'_';
                if word {
                    seen_word = true;
                } else if seen_word {
                    break;
                }
            }
            let character = self.pop_character();
            if visual {
                self.echo_erasure(&character, &mut effects.echo);
            }
            if kind == Erase::Character {
                break;
            }
        }
        if echo && !visual {
            self.echo_byte(typed, &mut effects.echo);
        }
    }

    /// Removes the last character of the line being edited: one byte, or with
    /// `IUTF8` a whole UTF-8 sequence. Returns its bytes.
    fn pop_character(&mut self) -> Vec<u8> {
        let mut start = self.editing.len().saturating_sub(1);
        while start > 0
            && self
                .editing
                .get(start)
                .is_some_and(|&byte| self.is_continuation(byte))
        {
            start -= 1;
        }
        self.editing.split_off(start)
    }

    /// Echoes the erasure of `character` (just removed from the line).
    fn echo_erasure(&mut self, character: &[u8], out: &mut Vec<u8>) {
        if character.first() == Some(&b'\t') {
            let target = self.column_after_line();
            let back = self.column.saturating_sub(target);
            for _ in 0..back {
                self.emit(0x08, out);
            }
            return;
        }
        let width: usize = character.iter().map(|&byte| self.echo_width(byte)).sum();
        for _ in 0..width {
            self.emit(0x08, out);
            self.emit(b' ', out);
            self.emit(0x08, out);
        }
    }

    /// The column where the echo of the line being edited ends.
    fn column_after_line(&self) -> usize {
        self.editing
            .iter()
            .fold(self.line_start_column, |column, &byte| {
                if byte == b'\t' {
                    (column | 7) + 1
                } else {
                    column + self.echo_width(byte)
                }
            })
    }
}

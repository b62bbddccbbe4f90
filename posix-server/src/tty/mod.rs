//! The console's line discipline: a termios subset with Linux's values
//! ([`termios`]), canonical line editing, echo, signal characters, raw
//! (non-canonical) reads, output processing and the terminal's process-group,
//! session and window-size fields.
//!
//! Bytes from the serial port go to [`Tty::input`], which returns
//! [`InputEffects`]: bytes to echo (already output-processed), a signal for the
//! foreground process group, and whether parked readers should retry. Reads
//! never block: [`Tty::read`] returns [`WouldBlock`] and the server parks the
//! reader until an input reports `wake_readers` (a non-blocking reader gets
//! `EAGAIN` instead). Bytes programs write go through [`Tty::output`].
//!
//! Limits and choices, documented here once:
//! - The input buffer holds [`INPUT_LIMIT`] bytes (completed lines plus the line
//!   being edited). In canonical mode ordinary bytes are dropped once 4095 are
//!   held, so a line-completing byte (newline, VEOL, VEOL2, VEOF) always fits;
//!   those are dropped only at 4096. In non-canonical mode bytes past 4096 are
//!   dropped. A dropped byte rings the bell with `IMAXBEL`. (Linux also stops
//!   at 4095 in canonical mode; it throttles the device instead of dropping
//!   raw input: the server may stop feeding while [`Tty::input_room`] is 0.)
//! - Non-canonical reads: `VMIN >= 1, VTIME = 0` waits for `min(VMIN, count)`
//!   bytes; `VMIN = 0, VTIME = 0` returns what is there, possibly nothing.
//!   `VMIN >= 1, VTIME > 0` returns as soon as one byte is there (the
//!   inter-byte timer is not modelled). `VMIN = 0, VTIME > 0` blocks until a
//!   byte arrives; the server arms a timer for
//!   [`Tty::read_timeout_deciseconds`] and completes the read with 0 bytes when
//!   it fires.
//! - `^H` (0x08) erases like VERASE in canonical mode unless it is another
//!   enabled special character.
//! - `ECHOPRT`, `VDISCARD`, `PARMRK`, parity and break handling are not
//!   implemented; `IXON` tracks the stopped state ([`Tty::output_stopped`]) and
//!   leaves holding output back to the server.
//! - Job control checks (SIGTTIN/SIGTTOU for background groups) are the
//!   server's: it knows the caller's group and compares with
//!   [`Tty::foreground_group`].

mod input;
mod output;
pub mod termios;
pub mod window_size;

#[cfg(test)]
mod tests_canonical;
#[cfg(test)]
mod tests_raw;
#[cfg(test)]
mod tests_settings;

use alloc::collections::VecDeque;
use alloc::vec::Vec;
pub use input::InputEffects;
use termios::{ICANON, IXON, Termios, VMIN, VTIME};
pub use window_size::WindowSize;

/// How many input bytes the terminal holds (Linux's `N_TTY_BUF_SIZE`).
pub const INPUT_LIMIT: usize = 4096;

/// A read cannot complete yet: park the reader (or fail with `EAGAIN` if it is
/// non-blocking) and retry when an input reports `wake_readers`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WouldBlock;

/// One terminal: settings, input buffers and the fields the server's ioctls use.
#[derive(Clone, Debug)]
pub struct Tty {
    termios: Termios,
    /// The line being edited (canonical mode only).
    editing: Vec<u8>,
    /// Bytes a read may take, oldest first.
    ready: VecDeque<u8>,
    /// Canonical mode: the lengths of the complete lines in `ready`, oldest
    /// first; a 0 is a line ended by VEOF with nothing on it (end of file).
    /// Their sum is `ready.len()`. Empty in non-canonical mode.
    line_lengths: VecDeque<usize>,
    /// The previous byte was VLNEXT: take the next one literally.
    literal_next: bool,
    /// Output was stopped with VSTOP (`IXON`).
    output_stopped: bool,
    /// The cursor column, as far as output processing can tell.
    column: usize,
    /// The column where the echo of the line being edited began.
    line_start_column: usize,
    foreground_group: Option<u32>,
    session: Option<u32>,
    window_size: WindowSize,
}

impl Default for Tty {
    fn default() -> Self {
        Self::new()
    }
}

impl Tty {
    /// A terminal with Linux's default settings, empty, with no session.
    #[must_use]
    pub fn new() -> Self {
        Self {
            termios: Termios::default(),
            editing: Vec::new(),
            ready: VecDeque::new(),
            line_lengths: VecDeque::new(),
            literal_next: false,
            output_stopped: false,
            column: 0,
            line_start_column: 0,
            foreground_group: None,
            session: None,
            window_size: WindowSize::default(),
        }
    }

    /// The current settings (`tcgetattr`).
    #[must_use]
    pub const fn termios(&self) -> &Termios {
        &self.termios
    }

    /// Changes the settings (`tcsetattr`; for `TCSAFLUSH` call
    /// [`Tty::flush_input`] first). Leaving canonical mode makes the line being
    /// edited readable at once; entering it makes what is buffered readable as
    /// one line. The effects say whether readers should retry and whether
    /// output was restarted (clearing `IXON` restarts stopped output).
    pub fn set_termios(&mut self, termios: Termios) -> InputEffects {
        let was_canonical = self.canonical();
        self.termios = termios;
        let mut effects = InputEffects::default();
        if was_canonical && !self.canonical() {
            self.ready.extend(self.editing.drain(..));
            self.line_lengths.clear();
        } else if !was_canonical && self.canonical() {
            self.line_lengths.clear();
            if !self.ready.is_empty() {
                self.line_lengths.push_back(self.ready.len());
            }
        }
        self.literal_next = false;
        if self.output_stopped && !self.termios.input(IXON) {
            self.output_stopped = false;
            effects.output_resumed = true;
        }
        effects.wake_readers = self.readable();
        effects
    }

    /// Discards all unread input (`tcflush(TCIFLUSH)`).
    pub fn flush_input(&mut self) {
        self.editing.clear();
        self.ready.clear();
        self.line_lengths.clear();
        self.literal_next = false;
    }

    /// Reads up to `max` bytes: in canonical mode at most one line (what is
    /// left of a line stays for the next read), an empty vector at end of file
    /// (a VEOF on an empty line) or when `max` is 0.
    ///
    /// # Errors
    /// [`WouldBlock`] when no line (canonical) or not enough bytes
    /// (non-canonical, see the module docs) are there.
    pub fn read(&mut self, max: usize) -> Result<Vec<u8>, WouldBlock> {
        let mut buffer = alloc::vec![0; max.min(self.ready.len())];
        let count = self.read_into_limited(&mut buffer, max)?;
        buffer.truncate(count);
        Ok(buffer)
    }

    /// Like [`Tty::read`], into `buffer`; returns how many bytes.
    ///
    /// # Errors
    /// As [`Tty::read`].
    pub fn read_into(&mut self, buffer: &mut [u8]) -> Result<usize, WouldBlock> {
        let max = buffer.len();
        self.read_into_limited(buffer, max)
    }

    /// Reads at most `max` bytes into `buffer` (which may be shorter than `max`
    /// when fewer bytes are buffered).
    fn read_into_limited(&mut self, buffer: &mut [u8], max: usize) -> Result<usize, WouldBlock> {
        if max == 0 {
            return Ok(0);
        }
        let count = if self.canonical() {
            let line = *self.line_lengths.front().ok_or(WouldBlock)?;
            let count = line.min(max);
            if count == line {
                self.line_lengths.pop_front();
            } else if let Some(front) = self.line_lengths.front_mut() {
                *front -= count;
            }
            count
        } else {
            let minimum = self.termios.control_character(VMIN) as usize;
            let timeout = self.termios.control_character(VTIME);
            let needed = if minimum == 0 {
                usize::from(timeout > 0)
            } else if timeout > 0 {
                1
            } else {
                minimum.min(max)
            };
            if self.ready.len() < needed {
                return Err(WouldBlock);
            }
            self.ready.len().min(max)
        };
        let count = count.min(buffer.len());
        let (first, second) = self.ready.as_slices();
        let from_first = count.min(first.len());
        if let (Some(target), Some(source)) =
            (buffer.get_mut(..from_first), first.get(..from_first))
        {
            target.copy_from_slice(source);
        }
        if let (Some(target), Some(source)) = (
            buffer.get_mut(from_first..count),
            second.get(..count - from_first),
        ) {
            target.copy_from_slice(source);
        }
        self.ready.drain(..count);
        Ok(count)
    }

    /// Whether a read would return now (`poll`/`select` readability). In
    /// non-canonical mode with `VTIME = 0` this needs `max(VMIN, 1)` bytes, as
    /// Linux's poll does.
    #[must_use]
    pub fn readable(&self) -> bool {
        if self.canonical() {
            return !self.line_lengths.is_empty();
        }
        let minimum = self.termios.control_character(VMIN) as usize;
        let needed = if self.termios.control_character(VTIME) == 0 {
            minimum.max(1)
        } else {
            1
        };
        self.ready.len() >= needed
    }

    /// Bytes a read could take now (`FIONREAD`): complete lines in canonical
    /// mode, everything buffered otherwise.
    #[must_use]
    pub fn available(&self) -> usize {
        self.ready.len()
    }

    /// How many more input bytes fit before input is dropped.
    #[must_use]
    pub fn input_room(&self) -> usize {
        INPUT_LIMIT.saturating_sub(self.buffered())
    }

    /// `Some(VTIME)` when a non-canonical read that would block must end with
    /// 0 bytes after that many deciseconds (`VMIN = 0, VTIME > 0`).
    #[must_use]
    pub fn read_timeout_deciseconds(&self) -> Option<u8> {
        let timeout = self.termios.control_character(VTIME);
        (!self.canonical() && self.termios.control_character(VMIN) == 0 && timeout > 0)
            .then_some(timeout)
    }

    /// Whether output is stopped by VSTOP (`IXON`); the server may hold writes
    /// back until an input reports `output_resumed`.
    #[must_use]
    pub const fn output_stopped(&self) -> bool {
        self.output_stopped
    }

    /// The foreground process group (`TIOCGPGRP`), if set.
    #[must_use]
    pub const fn foreground_group(&self) -> Option<u32> {
        self.foreground_group
    }

    /// Sets the foreground process group (`TIOCSPGRP`; the server checks that
    /// the group is in the terminal's session).
    pub fn set_foreground_group(&mut self, group: Option<u32>) {
        self.foreground_group = group;
    }

    /// The session the terminal controls (`TIOCGSID`), if any.
    #[must_use]
    pub const fn session(&self) -> Option<u32> {
        self.session
    }

    /// Sets the controlling session (`setsid` + open, `TIOCSCTTY`), or clears it.
    pub fn set_session(&mut self, session: Option<u32>) {
        self.session = session;
    }

    /// The window size (`TIOCGWINSZ`), 24x80 unless set.
    #[must_use]
    pub const fn window_size(&self) -> WindowSize {
        self.window_size
    }

    /// Sets the window size (`TIOCSWINSZ`; the server sends SIGWINCH to the
    /// foreground group when it changed).
    pub fn set_window_size(&mut self, size: WindowSize) {
        self.window_size = size;
    }

    const fn canonical(&self) -> bool {
        self.termios.local(ICANON)
    }

    fn buffered(&self) -> usize {
        self.ready.len() + self.editing.len()
    }
}

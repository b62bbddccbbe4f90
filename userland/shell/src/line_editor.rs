//! A line editor for a terminal in raw mode (no echo): fed input bytes, it writes the
//! echo and redraw sequences (minimal ANSI) and reports finished lines.
//!
//! The caller prints the prompt; the editor only moves the cursor relative to where
//! it is, so the prompt stays. Every character is taken to be one column wide, and
//! lines longer than the terminal width are not handled specially.
//!
//! Keys: printable characters (UTF-8) insert at the cursor; Backspace (0x7f, 0x08)
//! deletes before it; ^D or Delete (`ESC [ 3 ~`) deletes under it (^D on an empty line
//! is end of input); Left/Right (`ESC [ D`/`C`, ^B/^F) move; Home/End (`ESC [ H`/`F`,
//! `ESC O H`/`F`, `ESC [ 1 ~`/`4 ~`, ^A/^E); Up/Down (`ESC [ A`/`B`) walk the history,
//! and coming back down past the newest entry restores the line being edited;
//! ^U kills to the start, ^K to the end, ^W the word before the cursor; Enter (`\r` or
//! `\n`; `\r\n` counts once) finishes the line; ^C abandons it.

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// How many lines the history keeps.
pub const HISTORY_CAPACITY: usize = 100;

const ESCAPE: u8 = 0x1b;
/// Erase from the cursor to the end of the line.
const CLEAR_TO_END: &[u8] = b"\x1b[K";

/// What feeding a byte produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditorEvent {
    /// The line is not finished yet.
    Pending,
    /// Enter: the finished line (without the newline). It was added to the history.
    Line(String),
    /// ^C: the line was abandoned.
    Interrupted,
    /// ^D on an empty line.
    EndOfInput,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum EscapeState {
    Normal,
    /// After `ESC`.
    Escape,
    /// After `ESC [`, with the parameter bytes so far.
    ControlSequence(Vec<u8>),
    /// After `ESC O`.
    SingleShift,
}

/// The line editor: the line being edited, the cursor, and the history.
#[derive(Clone, Debug)]
pub struct LineEditor {
    buffer: Vec<char>,
    cursor: usize,
    history: VecDeque<String>,
    /// Which history entry is shown, while walking the history.
    history_position: Option<usize>,
    /// The line being edited before walking the history.
    draft: Vec<char>,
    escape: EscapeState,
    /// The bytes of an incomplete UTF-8 character.
    pending_utf8: Vec<u8>,
    /// The previous byte was `\r` (so a following `\n` is ignored).
    after_carriage_return: bool,
}

impl Default for LineEditor {
    fn default() -> Self {
        Self::new()
    }
}

/// Appends the sequence moving the cursor `count` columns left.
fn move_left(output: &mut Vec<u8>, count: usize) {
    match count {
        0 => {}
        1 => output.push(0x08),
        _ => output.extend_from_slice(format!("\x1b[{count}D").as_bytes()),
    }
}

/// Appends the sequence moving the cursor `count` columns right.
fn move_right(output: &mut Vec<u8>, count: usize) {
    match count {
        0 => {}
        1 => output.extend_from_slice(b"\x1b[C"),
        _ => output.extend_from_slice(format!("\x1b[{count}C").as_bytes()),
    }
}

fn push_characters(output: &mut Vec<u8>, characters: &[char]) {
    let mut encoded = [0; 4];
    for character in characters {
        output.extend_from_slice(character.encode_utf8(&mut encoded).as_bytes());
    }
}

impl LineEditor {
    /// An editor with an empty line and no history.
    #[must_use]
    pub fn new() -> Self {
        Self {
            buffer: Vec::new(),
            cursor: 0,
            history: VecDeque::new(),
            history_position: None,
            draft: Vec::new(),
            escape: EscapeState::Normal,
            pending_utf8: Vec::new(),
            after_carriage_return: false,
        }
    }

    /// The line as edited so far.
    #[must_use]
    pub fn line(&self) -> String {
        self.buffer.iter().collect()
    }

    /// The cursor position, in characters from the start of the line.
    #[must_use]
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The history, oldest first.
    pub fn history(&self) -> impl Iterator<Item = &str> {
        self.history.iter().map(String::as_str)
    }

    /// Adds `line` to the history unless it is blank or equal to the newest entry;
    /// drops the oldest entry beyond [`HISTORY_CAPACITY`].
    pub fn add_history(&mut self, line: &str) {
        if line.trim().is_empty() || self.history.back().is_some_and(|last| last == line) {
            return;
        }
        if self.history.len() == HISTORY_CAPACITY {
            self.history.pop_front();
        }
        self.history.push_back(String::from(line));
    }

    /// Feeds each byte of `input` until one finishes a line; returns that event and how
    /// many bytes were consumed (all of them, with `Pending`, if none did).
    pub fn feed_bytes(&mut self, input: &[u8], output: &mut Vec<u8>) -> (EditorEvent, usize) {
        for (index, &byte) in input.iter().enumerate() {
            let event = self.feed(byte, output);
            if event != EditorEvent::Pending {
                return (event, index + 1);
            }
        }
        (EditorEvent::Pending, input.len())
    }

    /// Feeds one input byte; appends what must be written to the terminal to `output`.
    pub fn feed(&mut self, byte: u8, output: &mut Vec<u8>) -> EditorEvent {
        let after_carriage_return = core::mem::replace(&mut self.after_carriage_return, false);
        match core::mem::replace(&mut self.escape, EscapeState::Normal) {
            EscapeState::Normal => {}
            EscapeState::Escape => {
                match byte {
                    b'[' => self.escape = EscapeState::ControlSequence(Vec::new()),
                    b'O' => self.escape = EscapeState::SingleShift,
                    _ => {}
                }
                return EditorEvent::Pending;
            }
            EscapeState::SingleShift => {
                self.key_for_final_byte(byte, output);
                return EditorEvent::Pending;
            }
            EscapeState::ControlSequence(mut parameters) => {
                match byte {
                    // Parameters and intermediates; a runaway sequence is dropped.
                    0x20..=0x3f if parameters.len() < 16 => {
                        parameters.push(byte);
                        self.escape = EscapeState::ControlSequence(parameters);
                    }
                    b'~' => match parameters.as_slice() {
                        b"1" | b"7" => self.home(output),
                        b"4" | b"8" => self.end(output),
                        b"3" => self.delete_under_cursor(output),
                        _ => {}
                    },
                    0x40..=0x7e if parameters.is_empty() => self.key_for_final_byte(byte, output),
                    _ => {}
                }
                return EditorEvent::Pending;
            }
        }
        if byte >= 0x80 || (0x20..0x7f).contains(&byte) {
            self.text_byte(byte, output);
            return EditorEvent::Pending;
        }
        self.pending_utf8.clear();
        match byte {
            b'\r' => {
                self.after_carriage_return = true;
                return self.finish(output);
            }
            b'\n' if after_carriage_return => {}
            b'\n' => return self.finish(output),
            ESCAPE => self.escape = EscapeState::Escape,
            0x01 => self.home(output),
            0x02 => self.left(output),
            0x03 => {
                output.extend_from_slice(b"^C\r\n");
                self.reset();
                return EditorEvent::Interrupted;
            }
            0x04 => {
                if self.buffer.is_empty() {
                    self.reset();
                    return EditorEvent::EndOfInput;
                }
                self.delete_under_cursor(output);
            }
            0x05 => self.end(output),
            0x06 => self.right(output),
            0x08 | 0x7f => self.backspace(output),
            0x0b => {
                self.buffer.truncate(self.cursor);
                output.extend_from_slice(CLEAR_TO_END);
            }
            0x15 => {
                let rest = self.buffer.split_off(self.cursor);
                self.replace_line(rest, 0, output);
            }
            0x17 => self.kill_word(output),
            _ => {}
        }
        EditorEvent::Pending
    }

    /// The final byte of `ESC [ x` or `ESC O x`.
    fn key_for_final_byte(&mut self, byte: u8, output: &mut Vec<u8>) {
        match byte {
            b'A' => self.history_up(output),
            b'B' => self.history_down(output),
            b'C' => self.right(output),
            b'D' => self.left(output),
            b'H' => self.home(output),
            b'F' => self.end(output),
            _ => {}
        }
    }

    fn text_byte(&mut self, byte: u8, output: &mut Vec<u8>) {
        self.pending_utf8.push(byte);
        match core::str::from_utf8(&self.pending_utf8) {
            Ok(text) => {
                let characters: Vec<char> = text.chars().collect();
                self.pending_utf8.clear();
                for character in characters {
                    self.insert(character, output);
                }
            }
            Err(error) if error.error_len().is_none() && self.pending_utf8.len() < 4 => {}
            Err(_) => self.pending_utf8.clear(),
        }
    }

    fn insert(&mut self, character: char, output: &mut Vec<u8>) {
        self.buffer.insert(self.cursor, character);
        self.cursor += 1;
        let rest = self.buffer.get(self.cursor - 1..).unwrap_or(&[]);
        push_characters(output, rest);
        move_left(output, rest.len() - 1);
    }

    fn backspace(&mut self, output: &mut Vec<u8>) {
        if self.cursor == 0 {
            return;
        }
        self.cursor -= 1;
        self.buffer.remove(self.cursor);
        output.push(0x08);
        self.redraw_rest(output);
    }

    fn delete_under_cursor(&mut self, output: &mut Vec<u8>) {
        if self.cursor < self.buffer.len() {
            self.buffer.remove(self.cursor);
            self.redraw_rest(output);
        }
    }

    fn kill_word(&mut self, output: &mut Vec<u8>) {
        let mut start = self.cursor;
        while start > 0
            && self
                .buffer
                .get(start - 1)
                .is_some_and(|c| c.is_whitespace())
        {
            start -= 1;
        }
        while start > 0
            && self
                .buffer
                .get(start - 1)
                .is_some_and(|c| !c.is_whitespace())
        {
            start -= 1;
        }
        if start == self.cursor {
            return;
        }
        let removed = self.cursor - start;
        self.buffer.drain(start..self.cursor);
        self.cursor = start;
        move_left(output, removed);
        self.redraw_rest(output);
    }

    /// Writes the text after the cursor, clears what follows, moves back.
    fn redraw_rest(&self, output: &mut Vec<u8>) {
        let rest = self.buffer.get(self.cursor..).unwrap_or(&[]);
        push_characters(output, rest);
        output.extend_from_slice(CLEAR_TO_END);
        move_left(output, rest.len());
    }

    /// Replaces the whole line with `line`, the cursor at `cursor`.
    fn replace_line(&mut self, line: Vec<char>, cursor: usize, output: &mut Vec<u8>) {
        move_left(output, self.cursor);
        self.buffer = line;
        self.cursor = cursor.min(self.buffer.len());
        push_characters(output, &self.buffer);
        output.extend_from_slice(CLEAR_TO_END);
        move_left(output, self.buffer.len() - self.cursor);
    }

    fn left(&mut self, output: &mut Vec<u8>) {
        if self.cursor > 0 {
            self.cursor -= 1;
            move_left(output, 1);
        }
    }

    fn right(&mut self, output: &mut Vec<u8>) {
        if self.cursor < self.buffer.len() {
            self.cursor += 1;
            move_right(output, 1);
        }
    }

    fn home(&mut self, output: &mut Vec<u8>) {
        move_left(output, self.cursor);
        self.cursor = 0;
    }

    fn end(&mut self, output: &mut Vec<u8>) {
        move_right(output, self.buffer.len() - self.cursor);
        self.cursor = self.buffer.len();
    }

    fn history_up(&mut self, output: &mut Vec<u8>) {
        let position = match self.history_position {
            None if self.history.is_empty() => return,
            None => {
                self.draft = self.buffer.clone();
                self.history.len() - 1
            }
            Some(0) => return,
            Some(position) => position - 1,
        };
        self.show_history_entry(position, output);
    }

    fn history_down(&mut self, output: &mut Vec<u8>) {
        let Some(position) = self.history_position else {
            return;
        };
        if position + 1 < self.history.len() {
            self.show_history_entry(position + 1, output);
        } else {
            self.history_position = None;
            let draft = core::mem::take(&mut self.draft);
            let length = draft.len();
            self.replace_line(draft, length, output);
        }
    }

    fn show_history_entry(&mut self, position: usize, output: &mut Vec<u8>) {
        let Some(entry) = self.history.get(position) else {
            return;
        };
        let line: Vec<char> = entry.chars().collect();
        self.history_position = Some(position);
        let length = line.len();
        self.replace_line(line, length, output);
    }

    fn finish(&mut self, output: &mut Vec<u8>) -> EditorEvent {
        output.extend_from_slice(b"\r\n");
        let line = self.line();
        self.add_history(&line);
        self.reset();
        EditorEvent::Line(line)
    }

    /// Starts a new, empty line.
    fn reset(&mut self) {
        self.buffer.clear();
        self.cursor = 0;
        self.history_position = None;
        self.draft.clear();
        self.escape = EscapeState::Normal;
        self.pending_utf8.clear();
    }
}

//! Host tests of canonical mode: line editing, echo, EOF, signals, limits.

use super::termios::{ECHO, ECHOCTL, ECHOKE, ICRNL, IGNCR, IUTF8, NOFLSH};
use super::{INPUT_LIMIT, Tty, WouldBlock};
use crate::signals::Signal;
use alloc::vec::Vec;

/// Feeds `bytes` and returns the concatenated echo.
fn type_in(tty: &mut Tty, bytes: &[u8]) -> Vec<u8> {
    let mut echo = Vec::new();
    for &byte in bytes {
        echo.extend(tty.input(byte).echo);
    }
    echo
}

#[test]
fn a_line_is_readable_only_once_completed() {
    let mut tty = Tty::new();
    assert_eq!(type_in(&mut tty, b"ls"), b"ls");
    assert_eq!(tty.read(100), Err(WouldBlock));
    assert!(!tty.readable());
    let effects = tty.input(b'\r');
    assert!(effects.wake_readers);
    assert_eq!(effects.echo, b"\r\n");
    assert!(tty.readable());
    assert_eq!(tty.read(100).unwrap(), b"ls\n");
    assert_eq!(tty.read(100), Err(WouldBlock));
}

#[test]
fn a_read_returns_at_most_one_line_and_keeps_the_rest() {
    let mut tty = Tty::new();
    type_in(&mut tty, b"first\nsecond line\n");
    assert_eq!(tty.available(), 18);
    assert_eq!(tty.read(100).unwrap(), b"first\n");
    assert_eq!(tty.read(4).unwrap(), b"seco");
    assert_eq!(tty.read(0).unwrap(), b"");
    let mut buffer = [0; 100];
    assert_eq!(tty.read_into(&mut buffer), Ok(8));
    assert_eq!(&buffer[..8], b"nd line\n");
}

#[test]
fn icrnl_maps_cr_to_nl_and_igncr_drops_it() {
    let mut tty = Tty::new();
    type_in(&mut tty, b"a\r");
    assert_eq!(tty.read(10).unwrap(), b"a\n");
    let mut settings = *tty.termios();
    settings.input_flags &= !ICRNL;
    tty.set_termios(settings);
    assert_eq!(type_in(&mut tty, b"b\r"), b"b^M");
    assert_eq!(tty.read(10), Err(WouldBlock));
    type_in(&mut tty, b"\n");
    assert_eq!(tty.read(10).unwrap(), b"b\r\n");
    settings.input_flags |= IGNCR;
    tty.set_termios(settings);
    type_in(&mut tty, b"c\r\n");
    assert_eq!(tty.read(10).unwrap(), b"c\n");
}

#[test]
fn erase_removes_the_last_character_and_echoes_backspace_space_backspace() {
    let mut tty = Tty::new();
    assert_eq!(type_in(&mut tty, b"abc\x7f"), b"abc\x08 \x08");
    // ^H erases too (Linux would store it: a documented choice).
    assert_eq!(type_in(&mut tty, b"\x08d\n"), b"\x08 \x08d\r\n");
    assert_eq!(tty.read(10).unwrap(), b"ad\n");
}

#[test]
fn erase_on_an_empty_line_does_nothing() {
    let mut tty = Tty::new();
    assert_eq!(type_in(&mut tty, b"\x7f\x7f\x15\x17"), b"");
    type_in(&mut tty, b"x\n");
    assert_eq!(tty.read(10).unwrap(), b"x\n");
    // Erase never reaches into a completed line.
    type_in(&mut tty, b"y\n\x7f");
    assert_eq!(tty.read(10).unwrap(), b"y\n");
}

#[test]
fn erasing_a_control_character_erases_its_two_columns() {
    let mut tty = Tty::new();
    let mut echo = type_in(&mut tty, &[0x16, 0x01]);
    // As Linux: "^\x08" for VLNEXT, then "^A" over it.
    assert_eq!(echo, b"^\x08^A");
    echo = type_in(&mut tty, b"\x7f");
    assert_eq!(echo, b"\x08 \x08\x08 \x08");
}

#[test]
fn erasing_a_tab_moves_back_to_where_it_started() {
    let mut tty = Tty::new();
    tty.output(b"$ ");
    type_in(&mut tty, b"ab\t");
    // Line starts at column 2; "ab" ends at 4, the tab reaches 8.
    assert_eq!(type_in(&mut tty, b"\x7f"), b"\x08\x08\x08\x08");
    assert_eq!(type_in(&mut tty, b"\x7f"), b"\x08 \x08");
}

#[test]
fn erase_without_echoe_echoes_the_erase_character() {
    let mut tty = Tty::new();
    let mut settings = *tty.termios();
    settings.local_flags &= !super::termios::ECHOE;
    tty.set_termios(settings);
    assert_eq!(type_in(&mut tty, b"ab\x7f"), b"ab^?");
    type_in(&mut tty, b"\n");
    assert_eq!(tty.read(10).unwrap(), b"a\n");
}

#[test]
fn utf8_erase_removes_a_whole_character_with_iutf8() {
    let mut tty = Tty::new();
    let mut settings = *tty.termios();
    settings.input_flags |= IUTF8;
    tty.set_termios(settings);
    type_in(&mut tty, "aé".as_bytes());
    assert_eq!(type_in(&mut tty, b"\x7f"), b"\x08 \x08");
    type_in(&mut tty, b"\n");
    assert_eq!(tty.read(10).unwrap(), b"a\n");
}

#[test]
fn kill_erases_the_whole_line() {
    let mut tty = Tty::new();
    type_in(&mut tty, b"abc");
    assert_eq!(type_in(&mut tty, b"\x15"), b"\x08 \x08".repeat(3));
    type_in(&mut tty, b"d\n");
    assert_eq!(tty.read(10).unwrap(), b"d\n");
    // Without ECHOKE: the kill character, then a newline (ECHOK).
    let mut settings = *tty.termios();
    settings.local_flags &= !ECHOKE;
    tty.set_termios(settings);
    type_in(&mut tty, b"xyz");
    assert_eq!(type_in(&mut tty, b"\x15"), b"^U\r\n");
    type_in(&mut tty, b"w\n");
    assert_eq!(tty.read(10).unwrap(), b"w\n");
}

#[test]
fn word_erase_removes_the_last_word_and_trailing_blanks() {
    let mut tty = Tty::new();
    type_in(&mut tty, b"echo hello  ");
    assert_eq!(type_in(&mut tty, b"\x17"), b"\x08 \x08".repeat(7));
    type_in(&mut tty, b"bye\n");
    assert_eq!(tty.read(20).unwrap(), b"echo bye\n");
}

#[test]
fn eof_at_line_start_reads_as_end_of_file_once() {
    let mut tty = Tty::new();
    let effects = tty.input(0x04);
    assert!(effects.wake_readers);
    assert!(effects.echo.is_empty());
    assert_eq!(tty.read(10).unwrap(), b"");
    assert_eq!(tty.read(10), Err(WouldBlock));
}

#[test]
fn eof_mid_line_completes_the_line_without_the_eof_byte() {
    let mut tty = Tty::new();
    assert_eq!(type_in(&mut tty, b"abc\x04"), b"abc");
    assert_eq!(tty.read(2).unwrap(), b"ab");
    assert_eq!(tty.read(10).unwrap(), b"c");
    assert_eq!(tty.read(10), Err(WouldBlock));
    // A second ^D right after is an empty line: end of file.
    type_in(&mut tty, b"d\x04\x04");
    assert_eq!(tty.read(10).unwrap(), b"d");
    assert_eq!(tty.read(10).unwrap(), b"");
}

#[test]
fn interrupt_flushes_input_echoes_and_signals() {
    let mut tty = Tty::new();
    type_in(&mut tty, b"done\npartial");
    let effects = tty.input(0x03);
    assert_eq!(effects.signal, Some(Signal::SIGINT));
    assert_eq!(effects.echo, b"^C");
    assert_eq!(tty.read(10), Err(WouldBlock));
    assert_eq!(tty.input(0x1c).signal, Some(Signal::SIGQUIT));
    assert_eq!(tty.input(0x1a).signal, Some(Signal::SIGTSTP));
    type_in(&mut tty, b"next\n");
    assert_eq!(tty.read(10).unwrap(), b"next\n");
}

#[test]
fn noflsh_keeps_input_and_isig_off_makes_signal_characters_data() {
    let mut tty = Tty::new();
    let mut settings = *tty.termios();
    settings.local_flags |= NOFLSH;
    tty.set_termios(settings);
    type_in(&mut tty, b"keep\n");
    assert_eq!(tty.input(0x03).signal, Some(Signal::SIGINT));
    assert_eq!(tty.read(10).unwrap(), b"keep\n");
    settings.local_flags &= !super::termios::ISIG;
    tty.set_termios(settings);
    let effects = tty.input(0x03);
    assert_eq!(effects.signal, None);
    type_in(&mut tty, b"\n");
    assert_eq!(tty.read(10).unwrap(), b"\x03\n");
}

#[test]
fn echo_off_echoes_nothing_but_echonl_echoes_newlines() {
    let mut tty = Tty::new();
    let mut settings = *tty.termios();
    settings.local_flags &= !ECHO;
    tty.set_termios(settings);
    assert_eq!(type_in(&mut tty, b"secret\x7f\r"), b"");
    assert_eq!(tty.read(10).unwrap(), b"secre\n");
    settings.local_flags |= super::termios::ECHONL;
    tty.set_termios(settings);
    assert_eq!(type_in(&mut tty, b"pw\r"), b"\r\n");
}

#[test]
fn without_echoctl_control_characters_echo_as_themselves() {
    let mut tty = Tty::new();
    let mut settings = *tty.termios();
    settings.local_flags &= !ECHOCTL;
    tty.set_termios(settings);
    assert_eq!(tty.input(0x03).echo, [0x03]);
}

#[test]
fn literal_next_takes_special_characters_as_data() {
    let mut tty = Tty::new();
    let echo = type_in(&mut tty, &[0x16, 0x03, 0x16, b'\n', b'\n']);
    // What Linux echoes (checked on a host pty).
    assert_eq!(echo, b"^\x08^C^\x08^J\r\n");
    assert_eq!(tty.read(10).unwrap(), b"\x03\n\n");
}

#[test]
fn reprint_echoes_the_line_again() {
    let mut tty = Tty::new();
    type_in(&mut tty, b"abc");
    assert_eq!(tty.input(0x12).echo, b"^R\r\nabc");
}

#[test]
fn the_buffer_keeps_room_for_the_line_end() {
    let mut tty = Tty::new();
    let long = alloc::vec![b'x'; INPUT_LIMIT + 10];
    let echo = type_in(&mut tty, &long);
    assert_eq!(echo.len(), INPUT_LIMIT - 1);
    assert_eq!(tty.input_room(), 1);
    assert!(tty.input(b'\n').wake_readers);
    let line = tty.read(INPUT_LIMIT * 2).unwrap();
    assert_eq!(line.len(), INPUT_LIMIT);
    assert_eq!(line.last(), Some(&b'\n'));
}

#[test]
fn ixon_stops_and_starts_output_without_storing_the_bytes() {
    let mut tty = Tty::new();
    let effects = tty.input(0x13);
    assert!(effects.output_stopped && tty.output_stopped());
    let effects = tty.input(0x11);
    assert!(effects.output_resumed && !tty.output_stopped());
    type_in(&mut tty, b"\n");
    assert_eq!(tty.read(10).unwrap(), b"\n");
}

//! Host tests of non-canonical mode (VMIN/VTIME) and mode switches.

use super::termios::{ECHO, ICANON, ISIG, Termios, VMIN, VTIME};
use super::{Tty, WouldBlock};

fn raw(tty: &mut Tty, minimum: u8, time: u8) -> Termios {
    let mut settings = *tty.termios();
    settings.local_flags &= !(ICANON | ECHO | ISIG);
    settings.control_characters[VMIN] = minimum;
    settings.control_characters[VTIME] = time;
    tty.set_termios(settings);
    settings
}

#[test]
fn bytes_are_readable_at_once() {
    let mut tty = Tty::new();
    raw(&mut tty, 1, 0);
    assert_eq!(tty.read(10), Err(WouldBlock));
    let effects = tty.input(b'a');
    assert!(effects.wake_readers);
    assert!(effects.echo.is_empty());
    tty.input(0x7f);
    tty.input(0x03);
    tty.input(0x04);
    assert_eq!(tty.read(10).unwrap(), b"a\x7f\x03\x04");
    // ICRNL still applies in raw mode unless cleared.
    tty.input(b'\r');
    assert_eq!(tty.read(10).unwrap(), b"\n");
}

#[test]
fn vmin_waits_for_that_many_bytes_or_the_count() {
    let mut tty = Tty::new();
    raw(&mut tty, 3, 0);
    tty.input(b'a');
    tty.input(b'b');
    assert_eq!(tty.read(10), Err(WouldBlock));
    assert!(!tty.readable());
    assert_eq!(tty.read(2).unwrap(), b"ab");
    for byte in *b"cdef" {
        tty.input(byte);
    }
    assert!(tty.readable());
    assert_eq!(tty.read(10).unwrap(), b"cdef");
}

#[test]
fn vmin_zero_vtime_zero_never_blocks() {
    let mut tty = Tty::new();
    raw(&mut tty, 0, 0);
    assert_eq!(tty.read(10).unwrap(), b"");
    assert_eq!(tty.read_timeout_deciseconds(), None);
    tty.input(b'z');
    assert_eq!(tty.read(10).unwrap(), b"z");
}

#[test]
fn vtime_cases_block_and_report_the_timeout() {
    let mut tty = Tty::new();
    raw(&mut tty, 0, 5);
    assert_eq!(tty.read(10), Err(WouldBlock));
    assert_eq!(tty.read_timeout_deciseconds(), Some(5));
    tty.input(b'q');
    assert_eq!(tty.read(10).unwrap(), b"q");
    raw(&mut tty, 4, 5);
    assert_eq!(tty.read_timeout_deciseconds(), None);
    tty.input(b'r');
    assert_eq!(tty.read(10).unwrap(), b"r");
}

#[test]
fn raw_echo_shows_control_characters() {
    let mut tty = Tty::new();
    let mut settings = raw(&mut tty, 1, 0);
    settings.local_flags |= ECHO;
    tty.set_termios(settings);
    assert_eq!(tty.input(b'x').echo, b"x");
    assert_eq!(tty.input(0x01).echo, b"^A");
    assert_eq!(tty.input(b'\r').echo, b"\r\n");
}

#[test]
fn leaving_canonical_mode_makes_the_edited_line_readable() {
    let mut tty = Tty::new();
    for byte in *b"done\npart" {
        tty.input(byte);
    }
    let effects = {
        let mut settings = *tty.termios();
        settings.local_flags &= !ICANON;
        tty.set_termios(settings)
    };
    assert!(effects.wake_readers);
    assert_eq!(tty.read(100).unwrap(), b"done\npart");
}

#[test]
fn entering_canonical_mode_makes_buffered_bytes_one_line() {
    let mut tty = Tty::new();
    let mut settings = raw(&mut tty, 1, 0);
    for byte in *b"ab" {
        tty.input(byte);
    }
    settings.local_flags |= ICANON;
    tty.set_termios(settings);
    assert_eq!(tty.read(100).unwrap(), b"ab");
    assert_eq!(tty.read(100), Err(WouldBlock));
}

#[test]
fn raw_input_past_the_limit_is_dropped() {
    let mut tty = Tty::new();
    raw(&mut tty, 1, 0);
    for _ in 0..super::INPUT_LIMIT + 5 {
        tty.input(b'y');
    }
    assert_eq!(tty.available(), super::INPUT_LIMIT);
    assert_eq!(tty.input_room(), 0);
    tty.flush_input();
    assert_eq!(tty.available(), 0);
}

mod model {
    //! Property test: with all input processing off, raw mode is a byte queue.
    use super::super::Tty;
    use super::super::termios::{ECHO, ICANON, ISIG, VMIN, VTIME};
    use alloc::collections::VecDeque;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn raw_mode_matches_a_queue(steps in proptest::collection::vec(
            (proptest::collection::vec(any::<u8>(), 0..600), 0usize..200), 1..60)) {
            let mut tty = Tty::new();
            let mut settings = *tty.termios();
            settings.input_flags = 0;
            settings.local_flags &= !(ICANON | ECHO | ISIG);
            settings.control_characters[VMIN] = 0;
            settings.control_characters[VTIME] = 0;
            tty.set_termios(settings);
            let mut model: VecDeque<u8> = VecDeque::new();
            for (bytes, max) in steps {
                for byte in bytes {
                    prop_assert!(tty.input(byte).echo.is_empty());
                    if model.len() < super::super::INPUT_LIMIT {
                        model.push_back(byte);
                    }
                }
                let expected: Vec<u8> = model.drain(..max.min(model.len())).collect();
                prop_assert_eq!(tty.read(max).unwrap(), expected);
            }
        }
    }
}

//! Host tests of termios defaults and byte layout, output processing and the
//! ioctl fields.

use super::termios::{
    ECHO, ICANON, ICRNL, IXON, NCCS, OCRNL, ONLCR, ONLRET, ONOCR, OPOST, TERMIOS_SIZE, Termios,
    VEOF, VERASE, VINTR, VKILL, VMIN, VQUIT, VSUSP, VTIME, XTABS,
};
use super::{Tty, WindowSize};
use posix_server_api::Errno;

#[test]
fn defaults_are_linux_defaults() {
    let termios = Termios::default();
    assert_eq!(termios.input_flags, 0o2400);
    assert_eq!(termios.output_flags, 0o5);
    assert_eq!(termios.control_flags, 0o2277);
    assert_eq!(termios.local_flags, 0o105073);
    assert_eq!(termios.control_characters[VINTR], 3);
    assert_eq!(termios.control_characters[VQUIT], 0x1c);
    assert_eq!(termios.control_characters[VERASE], 0x7f);
    assert_eq!(termios.control_characters[VKILL], 0x15);
    assert_eq!(termios.control_characters[VEOF], 4);
    assert_eq!(termios.control_characters[VSUSP], 0x1a);
    assert_eq!(termios.control_characters[VMIN], 1);
    assert_eq!(termios.control_characters[VTIME], 0);
    assert!(termios.input(ICRNL | IXON) && termios.local(ICANON | ECHO));
}

#[test]
fn termios_bytes_follow_glibcs_layout_and_round_trip() {
    let mut termios = Termios {
        input_speed: 0x0102_0304,
        output_speed: 0x0506_0708,
        line: 9,
        ..Termios::default()
    };
    termios.control_characters[NCCS - 1] = 0xee;
    let bytes = termios.to_bytes();
    assert_eq!(bytes.len(), TERMIOS_SIZE);
    assert_eq!(&bytes[0..4], &0o2400u32.to_le_bytes());
    assert_eq!(&bytes[4..8], &5u32.to_le_bytes());
    assert_eq!(&bytes[12..16], &0o105073u32.to_le_bytes());
    assert_eq!(bytes[16], 9);
    assert_eq!(bytes[17 + VINTR], 3);
    assert_eq!(bytes[17 + NCCS - 1], 0xee);
    assert_eq!(&bytes[49..52], &[0, 0, 0]);
    assert_eq!(&bytes[52..56], &[4, 3, 2, 1]);
    assert_eq!(&bytes[56..60], &[8, 7, 6, 5]);
    assert_eq!(Termios::from_bytes(&bytes), termios);
    assert_eq!(Termios::from_slice(&bytes), Ok(termios));
    assert_eq!(Termios::from_slice(&bytes[..59]), Err(Errno::EINVAL));
    let mut padded = bytes;
    padded[50] = 0xff;
    assert_eq!(Termios::from_bytes(&padded), termios);
}

#[test]
fn output_maps_newline_to_cr_newline() {
    let mut tty = Tty::new();
    assert_eq!(tty.output(b"a\nb\n"), b"a\r\nb\r\n");
    let mut settings = *tty.termios();
    settings.output_flags &= !ONLCR;
    tty.set_termios(settings);
    assert_eq!(tty.output(b"a\n"), b"a\n");
    settings.output_flags = ONLCR;
    tty.set_termios(settings);
    assert_eq!(tty.output(b"a\n\r"), b"a\n\r");
}

#[test]
fn other_output_flags_behave_like_linux() {
    let mut tty = Tty::new();
    let mut settings = *tty.termios();
    settings.output_flags = OPOST | OCRNL;
    tty.set_termios(settings);
    assert_eq!(tty.output(b"a\r"), b"a\n");
    // OCRNL without ONLRET leaves the column at 1: this CR is output.
    settings.output_flags = OPOST | ONOCR | ONLRET;
    tty.set_termios(settings);
    assert_eq!(tty.output(b"\r\r"), b"\r");
    assert_eq!(tty.output(b"x\r\n\r"), b"x\r\n");
    settings.output_flags = OPOST | XTABS;
    tty.set_termios(settings);
    assert_eq!(tty.output(b"ab\tc"), b"ab      c");
}

#[test]
fn ioctl_fields_are_stored() {
    let mut tty = Tty::new();
    assert_eq!(tty.foreground_group(), None);
    tty.set_foreground_group(Some(42));
    assert_eq!(tty.foreground_group(), Some(42));
    tty.set_session(Some(7));
    assert_eq!(tty.session(), Some(7));
    let size = tty.window_size();
    assert_eq!((size.rows, size.columns), (24, 80));
    let bytes = size.to_bytes();
    assert_eq!(bytes, [24, 0, 80, 0, 0, 0, 0, 0]);
    let bigger = WindowSize {
        rows: 50,
        columns: 132,
        pixel_width: 1,
        pixel_height: 2,
    };
    assert_eq!(WindowSize::from_slice(&bigger.to_bytes()), Ok(bigger));
    assert_eq!(WindowSize::from_slice(&bytes[..7]), Err(Errno::EINVAL));
    tty.set_window_size(bigger);
    assert_eq!(tty.window_size(), bigger);
}

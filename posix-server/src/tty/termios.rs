//! The termios subset with Linux's flag values and `c_cc` indices, Linux's
//! defaults, and the byte layout of glibc's user-space `struct termios` that
//! libc passes through a buffer for `tcgetattr`/`tcsetattr`.
//!
//! Layout (60 bytes, little-endian, as glibc's `struct termios` on x86_64):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | `c_iflag` |
//! | 4 | 4 | `c_oflag` |
//! | 8 | 4 | `c_cflag` |
//! | 12 | 4 | `c_lflag` |
//! | 16 | 1 | `c_line` |
//! | 17 | 32 | `c_cc[NCCS = 32]` |
//! | 49 | 3 | padding (written as 0, ignored when read) |
//! | 52 | 4 | `c_ispeed` |
//! | 56 | 4 | `c_ospeed` |
//!
//! (The kernel's own `TCGETS` struct is smaller: 19 `c_cc` bytes and no speeds.
//! KOITO's libc uses the glibc layout end to end, so no conversion is needed.)

use posix_server_api::Errno;

/// Size in bytes of the encoded `struct termios`.
pub const TERMIOS_SIZE: usize = 60;
/// Number of control characters (`NCCS`).
pub const NCCS: usize = 32;

// c_iflag
/// Ignore break.
pub const IGNBRK: u32 = 0o1;
/// Break raises SIGINT.
pub const BRKINT: u32 = 0o2;
/// Ignore parity errors.
pub const IGNPAR: u32 = 0o4;
/// Mark parity errors.
pub const PARMRK: u32 = 0o10;
/// Check input parity.
pub const INPCK: u32 = 0o20;
/// Strip the eighth bit of input bytes.
pub const ISTRIP: u32 = 0o40;
/// Map NL to CR on input.
pub const INLCR: u32 = 0o100;
/// Ignore CR on input.
pub const IGNCR: u32 = 0o200;
/// Map CR to NL on input.
pub const ICRNL: u32 = 0o400;
/// Map upper case to lower case on input (needs `IEXTEN`).
pub const IUCLC: u32 = 0o1000;
/// Output flow control with VSTOP/VSTART.
pub const IXON: u32 = 0o2000;
/// Any byte restarts stopped output.
pub const IXANY: u32 = 0o4000;
/// Input flow control (not used by the console).
pub const IXOFF: u32 = 0o10000;
/// Ring the bell when the input buffer is full.
pub const IMAXBEL: u32 = 0o20000;
/// Input is UTF-8 (erase removes whole characters).
pub const IUTF8: u32 = 0o40000;

// c_oflag
/// Post-process output.
pub const OPOST: u32 = 0o1;
/// Map lower case to upper case on output.
pub const OLCUC: u32 = 0o2;
/// Map NL to CR-NL on output.
pub const ONLCR: u32 = 0o4;
/// Map CR to NL on output.
pub const OCRNL: u32 = 0o10;
/// Do not output CR at column 0.
pub const ONOCR: u32 = 0o20;
/// NL performs the CR function.
pub const ONLRET: u32 = 0o40;
/// Horizontal tab delay mask.
pub const TABDLY: u32 = 0o14000;
/// Expand tabs to spaces (the `TABDLY` value `TAB3`).
pub const XTABS: u32 = 0o14000;

// c_cflag
/// Baud rate mask.
pub const CBAUD: u32 = 0o10017;
/// 38400 baud (Linux's default speed code).
pub const B38400: u32 = 0o17;
/// Character size mask.
pub const CSIZE: u32 = 0o60;
/// Eight data bits.
pub const CS8: u32 = 0o60;
/// Enable the receiver.
pub const CREAD: u32 = 0o200;
/// Hang up on last close.
pub const HUPCL: u32 = 0o2000;
/// Ignore modem control lines.
pub const CLOCAL: u32 = 0o4000;

// c_lflag
/// Generate signals for VINTR, VQUIT and VSUSP.
pub const ISIG: u32 = 0o1;
/// Canonical mode (line editing).
pub const ICANON: u32 = 0o2;
/// Echo input.
pub const ECHO: u32 = 0o10;
/// Erase echoes as backspace-space-backspace.
pub const ECHOE: u32 = 0o20;
/// Echo NL after the kill character.
pub const ECHOK: u32 = 0o40;
/// Echo NL even without `ECHO`.
pub const ECHONL: u32 = 0o100;
/// Do not flush input on signals.
pub const NOFLSH: u32 = 0o200;
/// Background writes raise SIGTTOU (the server's job).
pub const TOSTOP: u32 = 0o400;
/// Echo control characters as `^X`.
pub const ECHOCTL: u32 = 0o1000;
/// Hard-copy erase echo (not supported: treated as off).
pub const ECHOPRT: u32 = 0o2000;
/// Kill erases the line visually.
pub const ECHOKE: u32 = 0o4000;
/// Enable VWERASE, VLNEXT, VREPRINT, VEOL2 and IUCLC.
pub const IEXTEN: u32 = 0o100000;

// c_cc indices
/// Interrupt character index (^C).
pub const VINTR: usize = 0;
/// Quit character index (^\).
pub const VQUIT: usize = 1;
/// Erase character index (DEL).
pub const VERASE: usize = 2;
/// Kill-line character index (^U).
pub const VKILL: usize = 3;
/// End-of-file character index (^D).
pub const VEOF: usize = 4;
/// Non-canonical read timeout index, in deciseconds.
pub const VTIME: usize = 5;
/// Non-canonical read minimum index.
pub const VMIN: usize = 6;
/// Switch character index (unused).
pub const VSWTC: usize = 7;
/// Start-output character index (^Q).
pub const VSTART: usize = 8;
/// Stop-output character index (^S).
pub const VSTOP: usize = 9;
/// Suspend character index (^Z).
pub const VSUSP: usize = 10;
/// Additional end-of-line character index.
pub const VEOL: usize = 11;
/// Reprint-line character index (^R).
pub const VREPRINT: usize = 12;
/// Discard-output character index (^O, unused).
pub const VDISCARD: usize = 13;
/// Word-erase character index (^W).
pub const VWERASE: usize = 14;
/// Literal-next character index (^V).
pub const VLNEXT: usize = 15;
/// Second end-of-line character index.
pub const VEOL2: usize = 16;

/// A `c_cc` value of 0 disables that special character (`_POSIX_VDISABLE`).
pub const POSIX_VDISABLE: u8 = 0;

/// The terminal settings (`struct termios`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Termios {
    /// Input modes (`c_iflag`).
    pub input_flags: u32,
    /// Output modes (`c_oflag`).
    pub output_flags: u32,
    /// Control modes (`c_cflag`; stored, not interpreted).
    pub control_flags: u32,
    /// Local modes (`c_lflag`).
    pub local_flags: u32,
    /// Line discipline number (`c_line`; stored, always N_TTY behaviour).
    pub line: u8,
    /// Control characters (`c_cc`), indexed by `VINTR`, `VQUIT`...
    pub control_characters: [u8; NCCS],
    /// Input speed code (`c_ispeed`; stored, not interpreted).
    pub input_speed: u32,
    /// Output speed code (`c_ospeed`; stored, not interpreted).
    pub output_speed: u32,
}

impl Default for Termios {
    /// Linux's defaults for a new terminal (`tty_std_termios` plus the line
    /// discipline's `INIT_C_CC`), as `stty -a` shows on a Linux console.
    fn default() -> Self {
        let mut control_characters = [0; NCCS];
        for (index, value) in [
            (VINTR, 0x03),
            (VQUIT, 0x1c),
            (VERASE, 0x7f),
            (VKILL, 0x15),
            (VEOF, 0x04),
            (VTIME, 0),
            (VMIN, 1),
            (VSTART, 0x11),
            (VSTOP, 0x13),
            (VSUSP, 0x1a),
            (VREPRINT, 0x12),
            (VDISCARD, 0x0f),
            (VWERASE, 0x17),
            (VLNEXT, 0x16),
        ] {
            if let Some(slot) = control_characters.get_mut(index) {
                *slot = value;
            }
        }
        Self {
            input_flags: ICRNL | IXON,
            output_flags: OPOST | ONLCR,
            control_flags: B38400 | CS8 | CREAD | HUPCL,
            local_flags: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
            line: 0,
            control_characters,
            input_speed: B38400,
            output_speed: B38400,
        }
    }
}

impl Termios {
    /// Whether every bit of `flag` is set in the input flags.
    #[must_use]
    pub const fn input(&self, flag: u32) -> bool {
        self.input_flags & flag == flag
    }

    /// Whether every bit of `flag` is set in the output flags.
    #[must_use]
    pub const fn output(&self, flag: u32) -> bool {
        self.output_flags & flag == flag
    }

    /// Whether every bit of `flag` is set in the local flags.
    #[must_use]
    pub const fn local(&self, flag: u32) -> bool {
        self.local_flags & flag == flag
    }

    /// The control character at `index` (`VINTR`...), 0 if out of range.
    #[must_use]
    pub fn control_character(&self, index: usize) -> u8 {
        self.control_characters.get(index).copied().unwrap_or(0)
    }

    /// Whether `byte` is the enabled special character at `index`.
    #[must_use]
    pub fn is_special(&self, index: usize, byte: u8) -> bool {
        let value = self.control_character(index);
        value != POSIX_VDISABLE && value == byte
    }

    /// Encodes as glibc's 60-byte `struct termios` (see the module docs).
    #[must_use]
    pub fn to_bytes(&self) -> [u8; TERMIOS_SIZE] {
        let mut bytes = [0; TERMIOS_SIZE];
        let words = [
            (0, self.input_flags),
            (4, self.output_flags),
            (8, self.control_flags),
            (12, self.local_flags),
            (52, self.input_speed),
            (56, self.output_speed),
        ];
        for (offset, value) in words {
            if let Some(target) = bytes.get_mut(offset..offset + 4) {
                target.copy_from_slice(&value.to_le_bytes());
            }
        }
        bytes[16] = self.line;
        bytes[17..17 + NCCS].copy_from_slice(&self.control_characters);
        bytes
    }

    /// Decodes glibc's 60-byte `struct termios` (padding ignored).
    #[must_use]
    pub fn from_bytes(bytes: &[u8; TERMIOS_SIZE]) -> Self {
        let word = |offset: usize| {
            let mut value = [0; 4];
            if let Some(source) = bytes.get(offset..offset + 4) {
                value.copy_from_slice(source);
            }
            u32::from_le_bytes(value)
        };
        let mut control_characters = [0; NCCS];
        control_characters.copy_from_slice(&bytes[17..17 + NCCS]);
        Self {
            input_flags: word(0),
            output_flags: word(4),
            control_flags: word(8),
            local_flags: word(12),
            line: bytes[16],
            control_characters,
            input_speed: word(52),
            output_speed: word(56),
        }
    }

    /// Decodes from a client's buffer.
    ///
    /// # Errors
    /// `EINVAL` unless `bytes` is exactly [`TERMIOS_SIZE`] long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Errno> {
        let array: &[u8; TERMIOS_SIZE] = bytes.try_into().map_err(|_| Errno::EINVAL)?;
        Ok(Self::from_bytes(array))
    }
}

//! The terminal's window size (`struct winsize` of `TIOCGWINSZ`/`TIOCSWINSZ`).

use posix_server_api::Errno;

/// Size in bytes of the encoded `struct winsize`.
pub const WINDOW_SIZE_SIZE: usize = 8;

/// `struct winsize`: rows and columns in characters, and the size in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowSize {
    /// Rows (`ws_row`).
    pub rows: u16,
    /// Columns (`ws_col`).
    pub columns: u16,
    /// Width in pixels (`ws_xpixel`, usually 0).
    pub pixel_width: u16,
    /// Height in pixels (`ws_ypixel`, usually 0).
    pub pixel_height: u16,
}

impl Default for WindowSize {
    /// 24 rows of 80 columns, the serial console's assumed size.
    fn default() -> Self {
        Self {
            rows: 24,
            columns: 80,
            pixel_width: 0,
            pixel_height: 0,
        }
    }
}

impl WindowSize {
    /// Encodes as `struct winsize` (four little-endian `u16`s in field order).
    #[must_use]
    pub fn to_bytes(&self) -> [u8; WINDOW_SIZE_SIZE] {
        let mut bytes = [0; WINDOW_SIZE_SIZE];
        let fields = [self.rows, self.columns, self.pixel_width, self.pixel_height];
        for (chunk, value) in bytes.chunks_exact_mut(2).zip(fields) {
            chunk.copy_from_slice(&value.to_le_bytes());
        }
        bytes
    }

    /// Decodes `struct winsize`.
    ///
    /// # Errors
    /// `EINVAL` unless `bytes` is exactly [`WINDOW_SIZE_SIZE`] long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Errno> {
        if bytes.len() != WINDOW_SIZE_SIZE {
            return Err(Errno::EINVAL);
        }
        let mut fields = bytes
            .chunks_exact(2)
            .map(|chunk| u16::from_le_bytes([chunk[0], chunk[1]]));
        let mut next = || fields.next().unwrap_or(0);
        Ok(Self {
            rows: next(),
            columns: next(),
            pixel_width: next(),
            pixel_height: next(),
        })
    }
}

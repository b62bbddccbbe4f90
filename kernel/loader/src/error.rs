//! The loader's error value: what went wrong and on which file or with which detail.

use alloc::string::{String, ToString};
use core::fmt;

/// A failure that stops the boot, printed as `<what> (<detail>)`.
#[derive(Debug)]
pub struct LoaderError {
    what: String,
    detail: String,
}

impl LoaderError {
    /// An error saying `what` went wrong, about `detail` (a path, a status...).
    pub fn new(what: impl fmt::Display, detail: impl fmt::Display) -> Self {
        Self {
            what: what.to_string(),
            detail: detail.to_string(),
        }
    }
}

impl fmt::Display for LoaderError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} ({})", self.what, self.detail)
    }
}

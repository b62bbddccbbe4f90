//! A reader of ustar archives (the root image). It validates every header
//! (checksum, numeric fields, names, sizes) and reports a corrupt archive as an
//! [`ImageError`] rather than panicking.

use alloc::string::String;

use super::flags::NAME_MAX;

const BLOCK: usize = 512;

/// Why the root image could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageError {
    /// The archive ends inside the header or data of the entry at `offset`.
    Truncated {
        /// Byte offset of the header.
        offset: usize,
    },
    /// The header at `offset` has a wrong checksum.
    BadChecksum {
        /// Byte offset of the header.
        offset: usize,
    },
    /// A numeric field or the magic of the header at `offset` is malformed.
    BadField {
        /// Byte offset of the header.
        offset: usize,
    },
    /// The name (or link target) of the entry at `offset` is not acceptable
    /// (not UTF-8, contains `..`, a component longer than `NAME_MAX`...).
    BadName {
        /// Byte offset of the header.
        offset: usize,
    },
    /// The entry at `offset` has a type this reader does not support.
    UnsupportedType {
        /// Byte offset of the header.
        offset: usize,
        /// The header's type flag.
        type_flag: u8,
    },
    /// The entry at `offset` conflicts with an earlier one (a file where a
    /// directory is needed, or the reverse).
    Conflict {
        /// Byte offset of the header.
        offset: usize,
    },
}

/// What an archive entry is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageEntryKind<'a> {
    /// A regular file and its bytes.
    Regular(&'a [u8]),
    /// A directory.
    Directory,
    /// A symbolic link and its target.
    Symlink(&'a str),
}

/// One entry of the archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageEntry<'a> {
    /// Byte offset of the entry's header.
    pub offset: usize,
    /// The path, normalized: no leading `/` or `./`, no empty or `.` components, no
    /// trailing slash. Empty for the archive's root directory itself.
    pub path: String,
    /// Permission bits.
    pub mode: u32,
    /// Modification time (seconds since the epoch).
    pub mtime: i64,
    /// The kind and its data.
    pub kind: ImageEntryKind<'a>,
}

/// Iterates over the entries of a ustar archive.
#[derive(Clone, Debug)]
pub struct UstarReader<'a> {
    archive: &'a [u8],
    offset: usize,
    finished: bool,
}

impl<'a> UstarReader<'a> {
    /// A reader of `archive`.
    #[must_use]
    pub const fn new(archive: &'a [u8]) -> Self {
        Self {
            archive,
            offset: 0,
            finished: false,
        }
    }

    fn next_entry(&mut self) -> Result<Option<ImageEntry<'a>>, ImageError> {
        let offset = self.offset;
        if offset >= self.archive.len() {
            return Ok(None);
        }
        let header = self
            .archive
            .get(offset..offset + BLOCK)
            .ok_or(ImageError::Truncated { offset })?;
        if header.iter().all(|&byte| byte == 0) {
            return Ok(None);
        }
        check_checksum(header).ok_or(ImageError::BadChecksum { offset })?;
        if &header[257..262] != b"ustar" {
            return Err(ImageError::BadField { offset });
        }
        let size = parse_octal(&header[124..136]).ok_or(ImageError::BadField { offset })?;
        let mode = parse_octal(&header[100..108]).ok_or(ImageError::BadField { offset })?;
        let mtime = parse_octal(&header[136..148]).ok_or(ImageError::BadField { offset })?;
        let size = usize::try_from(size).map_err(|_| ImageError::Truncated { offset })?;
        let data_start = offset + BLOCK;
        let data_end = data_start
            .checked_add(size)
            .ok_or(ImageError::Truncated { offset })?;
        let data = self
            .archive
            .get(data_start..data_end)
            .ok_or(ImageError::Truncated { offset })?;
        let padded = size
            .div_ceil(BLOCK)
            .checked_mul(BLOCK)
            .ok_or(ImageError::Truncated { offset })?;
        self.offset = data_start
            .checked_add(padded)
            .ok_or(ImageError::Truncated { offset })?;
        let type_flag = header[156];
        let path = entry_path(header).ok_or(ImageError::BadName { offset })?;
        let kind = match type_flag {
            b'0' | 0 => ImageEntryKind::Regular(data),
            b'5' => ImageEntryKind::Directory,
            b'2' => {
                let target = field_str(&header[157..257]).ok_or(ImageError::BadName { offset })?;
                if target.is_empty() {
                    return Err(ImageError::BadName { offset });
                }
                ImageEntryKind::Symlink(target)
            }
            other => {
                return Err(ImageError::UnsupportedType {
                    offset,
                    type_flag: other,
                });
            }
        };
        if path.is_empty() && !matches!(kind, ImageEntryKind::Directory) {
            return Err(ImageError::BadName { offset });
        }
        Ok(Some(ImageEntry {
            offset,
            path,
            mode: (mode & 0o7777) as u32,
            mtime: i64::try_from(mtime).unwrap_or(i64::MAX),
            kind,
        }))
    }
}

impl<'a> Iterator for UstarReader<'a> {
    type Item = Result<ImageEntry<'a>, ImageError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let result = self.next_entry();
        if !matches!(result, Ok(Some(_))) {
            self.finished = true;
        }
        result.transpose()
    }
}

/// Checks the header checksum (the unsigned or the historical signed sum, with
/// the checksum field itself counted as spaces).
fn check_checksum(header: &[u8]) -> Option<()> {
    let stored = parse_octal(header.get(148..156)?)?;
    let mut unsigned: u64 = 0;
    let mut signed: i64 = 0;
    for (index, &byte) in header.iter().enumerate() {
        let byte = if (148..156).contains(&index) {
            b' '
        } else {
            byte
        };
        unsigned += u64::from(byte);
        signed += i64::from(byte as i8);
    }
    (stored == unsigned || i64::try_from(stored).ok() == Some(signed)).then_some(())
}

/// Parses an octal field: optional leading spaces, digits, then NULs or spaces.
fn parse_octal(field: &[u8]) -> Option<u64> {
    let mut value: u64 = 0;
    let digits = field.iter().skip_while(|&&byte| byte == b' ');
    let mut seen_end = false;
    for &byte in digits {
        match byte {
            b'0'..=b'7' if !seen_end => {
                value = value.checked_mul(8)?.checked_add(u64::from(byte - b'0'))?;
            }
            0 | b' ' => seen_end = true,
            _ => return None,
        }
    }
    Some(value)
}

/// A NUL-terminated (or full-width) text field.
fn field_str(field: &[u8]) -> Option<&str> {
    let end = field
        .iter()
        .position(|&byte| byte == 0)
        .unwrap_or(field.len());
    core::str::from_utf8(&field[..end]).ok()
}

/// The entry's normalized path from the `prefix` and `name` fields.
fn entry_path(header: &[u8]) -> Option<String> {
    let name = field_str(&header[0..100])?;
    let prefix = field_str(&header[345..500])?;
    let mut path = String::new();
    for component in prefix.split('/').chain(name.split('/')) {
        match component {
            "" | "." => {}
            ".." => return None,
            _ if component.len() > NAME_MAX || component.contains('\0') => return None,
            _ => {
                if !path.is_empty() {
                    path.push('/');
                }
                path.push_str(component);
            }
        }
    }
    Some(path)
}

//! Reading directories: entries by position (`.` and `..` first), and their
//! encoding as Linux `struct linux_dirent64` records for `getdents64`.

use alloc::string::{String, ToString};

use posix_server_api::Errno;

use super::Vfs;
use super::flags::{DT_CHR, DT_DIR, DT_LNK, DT_REG};
use super::node::{Content, NodeId};

/// One directory entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryEntry {
    /// The name.
    pub name: String,
    /// Inode number of the named node.
    pub inode_number: u64,
    /// `d_type` (`DT_REG`, `DT_DIR`, `DT_LNK`, `DT_CHR`).
    pub file_type: u8,
}

/// Size of the fixed part of a `linux_dirent64` (d_ino, d_off, d_reclen, d_type).
const DIRENT64_HEADER: usize = 19;

/// The record length of a `linux_dirent64` for a name of `name_length` bytes.
#[must_use]
pub const fn dirent64_record_length(name_length: usize) -> usize {
    (DIRENT64_HEADER + name_length + 1).next_multiple_of(8)
}

impl Vfs {
    /// The entry of directory `node` at `position` and the position of the next
    /// one; `None` at the end. Position 0 is `.`, 1 is `..`; positions stay valid
    /// while entries are added and removed. A removed directory is empty.
    ///
    /// # Errors
    /// `ENOTDIR` if `node` is not a directory, `EBADF` if it does not exist.
    pub fn read_directory(
        &self,
        node: NodeId,
        position: u64,
    ) -> Result<Option<(DirectoryEntry, u64)>, Errno> {
        let entry = self.node(node)?;
        let directory = entry.directory().ok_or(Errno::ENOTDIR)?;
        if entry.link_count == 0 {
            return Ok(None);
        }
        let (name, target, next) = match position {
            0 => (".", node, 1),
            1 => ("..", self.parent_of(node)?, 2),
            _ => match directory.entry_from(position - 2) {
                Some((sequence, name, child)) => (name, child, sequence + 3),
                None => return Ok(None),
            },
        };
        let file_type = match self.node(target)?.content {
            Content::Regular(_) => DT_REG,
            Content::Directory(_) => DT_DIR,
            Content::Symlink(_) => DT_LNK,
            Content::Device(_) => DT_CHR,
        };
        let entry = DirectoryEntry {
            name: name.to_string(),
            inode_number: target.inode_number(),
            file_type,
        };
        Ok(Some((entry, next)))
    }

    /// Fills `buffer` with `linux_dirent64` records of directory `node` from
    /// `position`; returns the bytes filled and the position to continue from
    /// (0 bytes at the end of the directory).
    ///
    /// # Errors
    /// `EINVAL` if the buffer cannot hold even the next record, `ENOTDIR`, `EBADF`.
    pub fn encode_directory_entries(
        &self,
        node: NodeId,
        mut position: u64,
        buffer: &mut [u8],
    ) -> Result<(usize, u64), Errno> {
        let mut filled = 0;
        while let Some((entry, next)) = self.read_directory(node, position)? {
            let length = dirent64_record_length(entry.name.len());
            let Some(record) = buffer.get_mut(filled..filled + length) else {
                if filled == 0 {
                    return Err(Errno::EINVAL);
                }
                break;
            };
            record.fill(0);
            record[0..8].copy_from_slice(&entry.inode_number.to_le_bytes());
            record[8..16].copy_from_slice(&i64::try_from(next).unwrap_or(i64::MAX).to_le_bytes());
            record[16..18].copy_from_slice(&(length as u16).to_le_bytes());
            record[18] = entry.file_type;
            record[DIRENT64_HEADER..DIRENT64_HEADER + entry.name.len()]
                .copy_from_slice(entry.name.as_bytes());
            filled += length;
            position = next;
        }
        Ok((filled, position))
    }
}

//! Reading, writing, truncating and `stat` of nodes.

use posix_server_api::Errno;

use super::Vfs;
use super::file_data::{CHUNK_SIZE, FileData};
use super::flags::{S_IFCHR, S_IFDIR, S_IFLNK, S_IFREG};
use super::node::{Content, DeviceId, NodeId};
use super::stat::{Stat, Timestamp};

impl Vfs {
    /// Reads from `node` at `offset` into `buffer`; returns the bytes read (0 at
    /// end of file). `/dev/null` reads nothing, `/dev/zero` fills the buffer.
    ///
    /// # Errors
    /// `EISDIR` for a directory, `EINVAL` for a symbolic link, `ENXIO` for the
    /// console and tty (the server's tty serves them), `EBADF` for an unknown node.
    pub fn read(&self, node: NodeId, offset: u64, buffer: &mut [u8]) -> Result<usize, Errno> {
        match &self.node(node)?.content {
            Content::Regular(data) => Ok(data.read(offset, buffer)),
            Content::Directory(_) => Err(Errno::EISDIR),
            Content::Symlink(_) => Err(Errno::EINVAL),
            Content::Device(DeviceId::Null) => Ok(0),
            Content::Device(DeviceId::Zero) => {
                buffer.fill(0);
                Ok(buffer.len())
            }
            Content::Device(DeviceId::Console | DeviceId::Tty) => Err(Errno::ENXIO),
        }
    }

    /// Writes `data` to `node` at `offset`; returns the bytes written. tmpfs files
    /// grow (gaps read as zeros); `/dev/null` and `/dev/zero` swallow everything.
    ///
    /// # Errors
    /// `EISDIR`, `EROFS` (a file of the image), `EFBIG` (past `MAX_FILE_SIZE`),
    /// `ENOSPC` (tmpfs full), `ENXIO` (console/tty), `EINVAL` (symbolic link).
    pub fn write(&mut self, node: NodeId, offset: u64, data: &[u8]) -> Result<usize, Errno> {
        let now = self.now;
        let entry = self
            .nodes
            .get_mut(node.0 as usize)
            .and_then(Option::as_mut)
            .ok_or(Errno::EBADF)?;
        let written = match &mut entry.content {
            Content::Regular(FileData::Memory(file)) => {
                file.write(offset, data, &mut self.budget)?
            }
            Content::Regular(FileData::Image(_)) => return Err(Errno::EROFS),
            Content::Directory(_) => return Err(Errno::EISDIR),
            Content::Symlink(_) => return Err(Errno::EINVAL),
            Content::Device(DeviceId::Null | DeviceId::Zero) => return Ok(data.len()),
            Content::Device(DeviceId::Console | DeviceId::Tty) => return Err(Errno::ENXIO),
        };
        if written > 0 {
            entry.touch_modified(now);
        }
        Ok(written)
    }

    /// Sets the size of regular file `node` to `length` (`truncate`/`ftruncate`).
    /// Devices ignore it.
    ///
    /// # Errors
    /// `EISDIR`, `EROFS`, `EFBIG`, `EINVAL` (symbolic link), `EBADF`.
    pub fn truncate(&mut self, node: NodeId, length: u64) -> Result<(), Errno> {
        let now = self.now;
        let entry = self
            .nodes
            .get_mut(node.0 as usize)
            .and_then(Option::as_mut)
            .ok_or(Errno::EBADF)?;
        match &mut entry.content {
            Content::Regular(FileData::Memory(file)) => file.truncate(length, &mut self.budget)?,
            Content::Regular(FileData::Image(_)) => return Err(Errno::EROFS),
            Content::Directory(_) => return Err(Errno::EISDIR),
            Content::Symlink(_) => return Err(Errno::EINVAL),
            Content::Device(_) => return Ok(()),
        }
        entry.touch_modified(now);
        Ok(())
    }

    /// Sets the access and/or modification time of `node` (`utimensat`); `None`
    /// leaves a time as it is. The change time becomes the current time.
    ///
    /// # Errors
    /// `EROFS` on a read-only file system, `EBADF` for an unknown node.
    pub fn set_times(
        &mut self,
        node: NodeId,
        access: Option<Timestamp>,
        modification: Option<Timestamp>,
    ) -> Result<(), Errno> {
        if self.is_read_only(node)? {
            return Err(Errno::EROFS);
        }
        let now = self.now;
        let entry = self.node_mut(node)?;
        if let Some(access) = access {
            entry.access_time = access;
        }
        if let Some(modification) = modification {
            entry.modification_time = modification;
        }
        entry.change_time = now;
        Ok(())
    }

    /// The size in bytes of `node` (0 for directories and devices).
    ///
    /// # Errors
    /// `EBADF` for an unknown node.
    pub fn size(&self, node: NodeId) -> Result<u64, Errno> {
        Ok(match &self.node(node)?.content {
            Content::Regular(data) => data.size(),
            Content::Symlink(target) => target.len() as u64,
            Content::Directory(_) | Content::Device(_) => 0,
        })
    }

    /// `stat` of `node` (of a symbolic link itself when `node` is one: look the
    /// path up with or without following to get `stat` or `lstat`).
    ///
    /// # Errors
    /// `EBADF` for an unknown node.
    pub fn stat(&self, node: NodeId) -> Result<Stat, Errno> {
        let entry = self.node(node)?;
        let (file_type, nlink, rdev, size, blocks) = match &entry.content {
            Content::Regular(data) => (S_IFREG, entry.link_count, 0, data.size(), data.blocks()),
            Content::Directory(directory) => {
                let subdirectories = directory
                    .nodes()
                    .filter(|&child| self.is_directory(child))
                    .count() as u32;
                let nlink = if entry.link_count == 0 {
                    0
                } else {
                    2 + subdirectories
                };
                (S_IFDIR, nlink, 0, 0, 0)
            }
            Content::Symlink(target) => (S_IFLNK, entry.link_count, 0, target.len() as u64, 0),
            Content::Device(device) => (S_IFCHR, entry.link_count, device.device_number(), 0, 0),
        };
        Ok(Stat {
            dev: u64::from(entry.filesystem.0) + 1,
            ino: node.inode_number(),
            mode: file_type | entry.permissions,
            nlink,
            uid: 0,
            gid: 0,
            rdev,
            size,
            blksize: CHUNK_SIZE as u64,
            blocks,
            atime: entry.access_time,
            mtime: entry.modification_time,
            ctime: entry.change_time,
        })
    }
}

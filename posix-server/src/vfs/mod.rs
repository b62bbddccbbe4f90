//! The virtual file system: a read-only root image (ustar), tmpfs mounts at `/tmp`
//! (and `/home` when the image has it), a device file system at `/dev`, path
//! lookup and the file operations of POSIX with Linux's error numbers.
//!
//! Everyone is root: permissions only matter as mode bits (`X_OK` on files).
//! The VFS knows nothing of processes: callers pass a working directory
//! ([`NodeId`]) and umask, and report the time with [`Vfs::set_time`].
//!
//! Nodes live while they have a name or an open reference
//! ([`Vfs::open_reference`] / [`Vfs::close_reference`]).

pub mod directory_listing;
mod file_data;
mod file_io;
pub mod flags;
mod lookup;
mod mount_table;
mod namespace;
mod node;
mod path;
mod rename;
pub mod stat;
pub mod ustar;

#[cfg(test)]
mod tests;

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use posix_server_api::Errno;

pub use directory_listing::DirectoryEntry;
pub use file_data::{CHUNK_SIZE, MAX_FILE_SIZE};
pub use node::{DeviceId, FilesystemId, NodeId};
pub use stat::{Stat, Timestamp};
pub use ustar::ImageError;

use file_data::{ChunkBudget, FileData};
use node::{Content, Node};

/// How many bytes all tmpfs files together may hold unless
/// [`Vfs::set_tmpfs_limit`] says otherwise.
pub const DEFAULT_TMPFS_LIMIT_BYTES: usize = 64 * 1024 * 1024;

/// The kinds of mounted file systems.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilesystemKind {
    /// The root image (read-only).
    RootImage,
    /// A writable in-memory file system.
    Tmpfs,
    /// `/dev`: the device nodes (no files can be created).
    Devices,
}

/// One mounted file system.
#[derive(Clone, Copy, Debug)]
struct Filesystem {
    kind: FilesystemKind,
    read_only: bool,
}

/// The whole file system tree.
#[derive(Debug)]
pub struct Vfs {
    nodes: Vec<Option<Node>>,
    free_slots: Vec<u32>,
    filesystems: Vec<Filesystem>,
    /// Covered directory -> root of the file system mounted on it.
    mounts: BTreeMap<NodeId, NodeId>,
    /// Root of a mounted file system -> the directory it covers.
    mounted_on: BTreeMap<NodeId, NodeId>,
    root: NodeId,
    now: Timestamp,
    budget: ChunkBudget,
}

impl Vfs {
    /// The root directory `/`.
    #[must_use]
    pub const fn root(&self) -> NodeId {
        self.root
    }

    /// Sets the time that later changes record (atime/mtime/ctime).
    pub fn set_time(&mut self, now: Timestamp) {
        self.now = now;
    }

    /// Limits the bytes all tmpfs files together may hold (rounded down to
    /// chunks); writes beyond fail with `ENOSPC`.
    pub fn set_tmpfs_limit(&mut self, bytes: usize) {
        self.budget.limit = bytes / CHUNK_SIZE;
    }

    /// Bytes of memory tmpfs files hold now.
    #[must_use]
    pub const fn tmpfs_bytes_used(&self) -> usize {
        self.budget.used * CHUNK_SIZE
    }

    /// How many nodes exist (named or still open).
    #[must_use]
    pub fn node_count(&self) -> usize {
        self.nodes.len() - self.free_slots.len()
    }

    /// The kind of file system holding `node`.
    ///
    /// # Errors
    /// `EBADF` if `node` does not exist.
    pub fn filesystem_kind(&self, node: NodeId) -> Result<FilesystemKind, Errno> {
        Ok(self.filesystem_of(node)?.kind)
    }

    /// The device a node stands for, if it is a device node.
    #[must_use]
    pub fn device_of(&self, node: NodeId) -> Option<DeviceId> {
        match self.node(node).ok()?.content {
            Content::Device(device) => Some(device),
            _ => None,
        }
    }

    /// Whether `node` is a directory.
    #[must_use]
    pub fn is_directory(&self, node: NodeId) -> bool {
        self.node(node).is_ok_and(Node::is_directory)
    }

    /// Takes an open reference on `node` (an open file description or a working
    /// directory), which keeps it alive after its last name is removed.
    ///
    /// # Errors
    /// `EBADF` if `node` does not exist.
    pub fn open_reference(&mut self, node: NodeId) -> Result<(), Errno> {
        let entry = self.node_mut(node)?;
        entry.open_count = entry.open_count.saturating_add(1);
        Ok(())
    }

    /// Drops an open reference; the node is freed once it has neither names nor
    /// open references.
    ///
    /// # Errors
    /// `EBADF` if `node` does not exist or has no open reference.
    pub fn close_reference(&mut self, node: NodeId) -> Result<(), Errno> {
        let entry = self.node_mut(node)?;
        if entry.open_count == 0 {
            return Err(Errno::EBADF);
        }
        entry.open_count -= 1;
        self.free_if_unused(node);
        Ok(())
    }

    /// The open references `node` has (0 for an unknown node).
    #[must_use]
    pub fn open_count(&self, node: NodeId) -> u32 {
        self.node(node).map_or(0, |entry| entry.open_count)
    }

    fn node(&self, id: NodeId) -> Result<&Node, Errno> {
        self.nodes
            .get(id.0 as usize)
            .and_then(Option::as_ref)
            .ok_or(Errno::EBADF)
    }

    fn node_mut(&mut self, id: NodeId) -> Result<&mut Node, Errno> {
        self.nodes
            .get_mut(id.0 as usize)
            .and_then(Option::as_mut)
            .ok_or(Errno::EBADF)
    }

    fn filesystem_of(&self, node: NodeId) -> Result<Filesystem, Errno> {
        let id = self.node(node)?.filesystem;
        self.filesystems
            .get(id.0 as usize)
            .copied()
            .ok_or(Errno::EBADF)
    }

    fn is_read_only(&self, node: NodeId) -> Result<bool, Errno> {
        Ok(self.filesystem_of(node)?.read_only)
    }

    fn add_node(&mut self, node: Node) -> NodeId {
        if let Some(slot) = self.free_slots.pop()
            && let Some(entry) = self.nodes.get_mut(slot as usize)
        {
            *entry = Some(node);
            return NodeId(slot);
        }
        self.nodes.push(Some(node));
        NodeId((self.nodes.len() - 1) as u32)
    }

    fn free_if_unused(&mut self, id: NodeId) {
        let Some(slot) = self.nodes.get_mut(id.0 as usize) else {
            return;
        };
        let unused = slot
            .as_ref()
            .is_some_and(|node| node.link_count == 0 && node.open_count == 0);
        if unused && let Some(mut node) = slot.take() {
            if let Content::Regular(FileData::Memory(file)) = &mut node.content {
                file.release(&mut self.budget);
            }
            self.free_slots.push(id.0);
        }
    }
}

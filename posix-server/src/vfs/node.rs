//! Nodes (inodes) of the VFS: identifiers, device identities, directory contents.

use alloc::collections::BTreeMap;
use alloc::string::String;

use super::file_data::FileData;
use super::stat::Timestamp;

/// Identifies a node (an inode) of the VFS. Stays valid while the node has a name
/// or an open reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The inode number `stat` reports for this node.
    #[must_use]
    pub const fn inode_number(self) -> u64 {
        self.0 as u64 + 1
    }
}

/// The character devices of `/dev`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeviceId {
    /// `/dev/null`: reads give end of file, writes are discarded.
    Null,
    /// `/dev/zero`: reads give zero bytes, writes are discarded.
    Zero,
    /// `/dev/console`: the system console (the server's tty handles it).
    Console,
    /// `/dev/tty`: the calling process's controlling terminal (the server's tty).
    Tty,
}

impl DeviceId {
    /// Every device, in the order `/dev` lists them.
    pub const ALL: [Self; 4] = [Self::Console, Self::Null, Self::Tty, Self::Zero];

    /// The file name under `/dev`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Zero => "zero",
            Self::Console => "console",
            Self::Tty => "tty",
        }
    }

    /// Linux's device number (`makedev(major, minor)`) for `st_rdev`.
    #[must_use]
    pub const fn device_number(self) -> u64 {
        let (major, minor) = match self {
            Self::Null => (1, 3),
            Self::Zero => (1, 5),
            Self::Console => (5, 1),
            Self::Tty => (5, 0),
        };
        (major << 8) | minor
    }

    /// The permission bits of the device node.
    #[must_use]
    pub const fn permissions(self) -> u32 {
        match self {
            Self::Console => 0o600,
            _ => 0o666,
        }
    }
}

/// Identifies a mounted file system; `st_dev` is derived from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FilesystemId(pub u32);

/// The entries of a directory. Each entry gets a sequence number when it is added,
/// so that directory positions stay valid while entries come and go.
#[derive(Debug)]
pub(crate) struct Directory {
    by_name: BTreeMap<String, (u64, NodeId)>,
    by_sequence: BTreeMap<u64, String>,
    next_sequence: u64,
    /// The directory's parent within its file system (itself for a file system root).
    pub(crate) parent: NodeId,
}

impl Directory {
    pub(crate) fn new(parent: NodeId) -> Self {
        Self {
            by_name: BTreeMap::new(),
            by_sequence: BTreeMap::new(),
            next_sequence: 0,
            parent,
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<NodeId> {
        self.by_name.get(name).map(|&(_, node)| node)
    }

    /// Adds or replaces the entry `name`.
    pub(crate) fn insert(&mut self, name: String, node: NodeId) {
        self.remove(&name);
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        self.by_sequence.insert(sequence, name.clone());
        self.by_name.insert(name, (sequence, node));
    }

    pub(crate) fn remove(&mut self, name: &str) -> Option<NodeId> {
        let (sequence, node) = self.by_name.remove(name)?;
        self.by_sequence.remove(&sequence);
        Some(node)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// The first entry whose sequence number is at least `sequence`.
    pub(crate) fn entry_from(&self, sequence: u64) -> Option<(u64, &str, NodeId)> {
        let (&found, name) = self.by_sequence.range(sequence..).next()?;
        let node = self.get(name)?;
        Some((found, name.as_str(), node))
    }

    /// The name under which `node` is listed.
    pub(crate) fn name_of(&self, node: NodeId) -> Option<&str> {
        self.by_name
            .iter()
            .find(|(_, (_, entry))| *entry == node)
            .map(|(name, _)| name.as_str())
    }

    pub(crate) fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.by_name.values().map(|&(_, node)| node)
    }
}

/// What a node holds.
#[derive(Debug)]
pub(crate) enum Content {
    Regular(FileData),
    Directory(Directory),
    Symlink(String),
    Device(DeviceId),
}

/// One node of the VFS.
#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) filesystem: FilesystemId,
    /// Permission bits (`mode & 0o7777`).
    pub(crate) permissions: u32,
    /// Names that refer to the node (directories: 1 while linked, 0 once removed).
    pub(crate) link_count: u32,
    /// Open references (open file descriptions, working directories).
    pub(crate) open_count: u32,
    pub(crate) access_time: Timestamp,
    pub(crate) modification_time: Timestamp,
    pub(crate) change_time: Timestamp,
    pub(crate) content: Content,
}

impl Node {
    pub(crate) fn new(
        filesystem: FilesystemId,
        permissions: u32,
        time: Timestamp,
        content: Content,
    ) -> Self {
        Self {
            filesystem,
            permissions,
            link_count: 1,
            open_count: 0,
            access_time: time,
            modification_time: time,
            change_time: time,
            content,
        }
    }

    pub(crate) fn directory(&self) -> Option<&Directory> {
        match &self.content {
            Content::Directory(directory) => Some(directory),
            _ => None,
        }
    }

    pub(crate) fn directory_mut(&mut self) -> Option<&mut Directory> {
        match &mut self.content {
            Content::Directory(directory) => Some(directory),
            _ => None,
        }
    }

    pub(crate) fn is_directory(&self) -> bool {
        matches!(self.content, Content::Directory(_))
    }

    pub(crate) fn touch_modified(&mut self, now: Timestamp) {
        self.modification_time = now;
        self.change_time = now;
    }
}

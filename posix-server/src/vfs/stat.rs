//! The `stat` record of a node and the timestamps the VFS keeps.

/// A point in time: seconds and nanoseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Whole seconds.
    pub seconds: i64,
    /// Nanoseconds within the second (0..1_000_000_000).
    pub nanoseconds: u32,
}

impl Timestamp {
    /// A timestamp of whole `seconds`.
    #[must_use]
    pub const fn from_seconds(seconds: i64) -> Self {
        Self {
            seconds,
            nanoseconds: 0,
        }
    }
}

/// What `stat` reports about a node (the fields of Linux's `struct stat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stat {
    /// Device number of the file system holding the node.
    pub dev: u64,
    /// Inode number.
    pub ino: u64,
    /// File type bits (`S_IF*`) and permission bits.
    pub mode: u32,
    /// Number of hard links (directories: 2 + number of subdirectories).
    pub nlink: u32,
    /// Owner (always 0: everyone is root).
    pub uid: u32,
    /// Group (always 0).
    pub gid: u32,
    /// Device number of a character device node, else 0.
    pub rdev: u64,
    /// Size in bytes (symbolic links: length of the target).
    pub size: u64,
    /// Preferred I/O block size.
    pub blksize: u64,
    /// Allocated 512-byte blocks.
    pub blocks: u64,
    /// Last access.
    pub atime: Timestamp,
    /// Last modification of the contents.
    pub mtime: Timestamp,
    /// Last status change.
    pub ctime: Timestamp,
}

//! Linux's numeric values for `open` flags, `access` modes, file type bits and
//! directory entry types, as the VFS and the descriptor tables use them.

/// Open for reading only.
pub const O_RDONLY: u32 = 0;
/// Open for writing only.
pub const O_WRONLY: u32 = 1;
/// Open for reading and writing.
pub const O_RDWR: u32 = 2;
/// Mask of the access mode bits.
pub const O_ACCMODE: u32 = 3;
/// Create the file if it does not exist.
pub const O_CREAT: u32 = 0o100;
/// With `O_CREAT`: fail with `EEXIST` if the file exists.
pub const O_EXCL: u32 = 0o200;
/// Do not make the terminal the controlling terminal.
pub const O_NOCTTY: u32 = 0o400;
/// Truncate a regular file to length 0.
pub const O_TRUNC: u32 = 0o1000;
/// Every write appends.
pub const O_APPEND: u32 = 0o2000;
/// Non-blocking I/O.
pub const O_NONBLOCK: u32 = 0o4000;
/// Fail with `ENOTDIR` unless the path names a directory.
pub const O_DIRECTORY: u32 = 0o200_000;
/// Do not follow a symbolic link in the last component (`ELOOP` if it is one).
pub const O_NOFOLLOW: u32 = 0o400_000;
/// Set close-on-exec on the new descriptor.
pub const O_CLOEXEC: u32 = 0o2_000_000;

/// `access`: the file exists.
pub const F_OK: u32 = 0;
/// `access`: execute (search) permission.
pub const X_OK: u32 = 1;
/// `access`: write permission.
pub const W_OK: u32 = 2;
/// `access`: read permission.
pub const R_OK: u32 = 4;

/// Mask of the file type bits of a mode.
pub const S_IFMT: u32 = 0o170_000;
/// File type: regular file.
pub const S_IFREG: u32 = 0o100_000;
/// File type: directory.
pub const S_IFDIR: u32 = 0o040_000;
/// File type: character device.
pub const S_IFCHR: u32 = 0o020_000;
/// File type: symbolic link.
pub const S_IFLNK: u32 = 0o120_000;
/// Mask of the permission bits (with set-uid, set-gid and sticky).
pub const PERMISSION_BITS: u32 = 0o7777;

/// `d_type` of a character device.
pub const DT_CHR: u8 = 2;
/// `d_type` of a directory.
pub const DT_DIR: u8 = 4;
/// `d_type` of a regular file.
pub const DT_REG: u8 = 8;
/// `d_type` of a symbolic link.
pub const DT_LNK: u8 = 10;

/// Longest path accepted, counting the terminating NUL (Linux's `PATH_MAX`).
pub const PATH_MAX: usize = 4096;
/// Longest file name component (Linux's `NAME_MAX`).
pub const NAME_MAX: usize = 255;
/// How many symbolic links one lookup follows before `ELOOP` (Linux's limit).
pub const MAX_SYMLINK_FOLLOWS: u32 = 40;

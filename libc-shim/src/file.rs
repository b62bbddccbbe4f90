//! Files and descriptors: `open`, `close`, `read`, `write`, `lseek`, `dup`, `dup2`,
//! `pipe`, `fcntl`, `stat`/`fstat`/`lstat`, `getdents64`, `mkdir`, `rmdir`,
//! `unlink`, `rename`, `chdir`, `getcwd`, `access`, `umask`, `ftruncate`, and the
//! terminal `ioctl`s. Data moves through the shared buffer, at most its capacity
//! per request.

use alloc::vec::Vec;

use posix_server_api::operation::DUP2_FLAG;
use posix_server_api::{Errno, Operation};

use crate::posix_call::{finish, request, simple_outcome};
use crate::shared_buffer::{self, CAPACITY};

/// A file descriptor.
pub type Fd = i32;

/// `open` flags (Linux's values).
pub mod flags {
    /// Read only.
    pub const O_RDONLY: i32 = 0;
    /// Write only.
    pub const O_WRONLY: i32 = 1;
    /// Read and write.
    pub const O_RDWR: i32 = 2;
    /// Create if missing.
    pub const O_CREAT: i32 = 0o100;
    /// With `O_CREAT`: fail if it exists.
    pub const O_EXCL: i32 = 0o200;
    /// Not the controlling terminal.
    pub const O_NOCTTY: i32 = 0o400;
    /// Truncate.
    pub const O_TRUNC: i32 = 0o1000;
    /// Append.
    pub const O_APPEND: i32 = 0o2000;
    /// Non-blocking.
    pub const O_NONBLOCK: i32 = 0o4000;
    /// Must be a directory.
    pub const O_DIRECTORY: i32 = 0o200_000;
    /// Close on exec.
    pub const O_CLOEXEC: i32 = 0o2_000_000;
    /// `fcntl`: duplicate.
    pub const F_DUPFD: i32 = 0;
    /// `fcntl`: descriptor flags.
    pub const F_GETFD: i32 = 1;
    /// `fcntl`: set descriptor flags.
    pub const F_SETFD: i32 = 2;
    /// `fcntl`: status flags.
    pub const F_GETFL: i32 = 3;
    /// `fcntl`: set status flags.
    pub const F_SETFL: i32 = 4;
    /// `fcntl`: duplicate, close on exec.
    pub const F_DUPFD_CLOEXEC: i32 = 1030;
    /// Descriptor flag: close on exec.
    pub const FD_CLOEXEC: i32 = 1;
    /// `lseek` from the start.
    pub const SEEK_SET: i32 = 0;
    /// `lseek` from the offset.
    pub const SEEK_CUR: i32 = 1;
    /// `lseek` from the end.
    pub const SEEK_END: i32 = 2;
    /// `access`: exists.
    pub const F_OK: i32 = 0;
    /// `access`: executable.
    pub const X_OK: i32 = 1;
    /// `access`: writable.
    pub const W_OK: i32 = 2;
    /// `access`: readable.
    pub const R_OK: i32 = 4;
}

/// Standard input.
pub const STDIN: Fd = 0;
/// Standard output.
pub const STDOUT: Fd = 1;
/// Standard error.
pub const STDERR: Fd = 2;

fn errno_of(reply: &posix_server_api::Reply) -> Result<u64, Errno> {
    finish(reply)
}

/// A request whose data is one path.
fn path_request(operation: Operation, path: &[u8], more: &[u64]) -> Result<u64, Errno> {
    if path.len() > CAPACITY {
        return Err(Errno::ENAMETOOLONG);
    }
    let mut arguments = [0u64; 5];
    arguments[0] = path.len() as u64;
    let count = more.len().min(4);
    arguments[1..=count].copy_from_slice(&more[..count]);
    let reply = request(operation, &arguments[..=count], &mut || {
        let _ = shared_buffer::put(0, path);
    });
    errno_of(&reply)
}

/// `open`.
///
/// # Errors
/// `ENOENT`, `EEXIST`, `EISDIR`, `ENOTDIR`, `EMFILE`, `EROFS`, `EACCES`...
pub fn open(path: &[u8], flags: i32, mode: u32) -> Result<Fd, Errno> {
    path_request(Operation::Open, path, &[flags as u64, u64::from(mode)]).map(|fd| fd as Fd)
}

/// `close`.
///
/// # Errors
/// `EBADF`.
pub fn close(fd: Fd) -> Result<(), Errno> {
    simple_outcome(Operation::Close, &[fd as u64]).map(|_| ())
}

/// `read`: at most `buffer.len()` bytes (one request moves at most the shared
/// buffer's capacity, as a short read).
///
/// # Errors
/// `EBADF`, `EISDIR`, `EINTR`, `EAGAIN`...
pub fn read(fd: Fd, buffer: &mut [u8]) -> Result<usize, Errno> {
    let length = buffer.len().min(CAPACITY);
    let reply = request(Operation::Read, &[fd as u64, length as u64], &mut || {});
    if let Ok(count) = reply.outcome() {
        let count = (count as usize).min(length);
        if !shared_buffer::get(0, &mut buffer[..count]) {
            return Err(Errno::EFAULT);
        }
    }
    errno_of(&reply).map(|count| count as usize)
}

/// `write`: at most the shared buffer's capacity per request; returns the count
/// written (possibly short).
///
/// # Errors
/// `EBADF`, `EPIPE`, `ENOSPC`, `EINTR`, `EAGAIN`...
pub fn write(fd: Fd, data: &[u8]) -> Result<usize, Errno> {
    let chunk = &data[..data.len().min(CAPACITY)];
    let reply = request(
        Operation::Write,
        &[fd as u64, chunk.len() as u64],
        &mut || {
            let _ = shared_buffer::put(0, chunk);
        },
    );
    errno_of(&reply).map(|count| count as usize)
}

/// Writes all of `data`, retrying short writes.
///
/// # Errors
/// The first error.
pub fn write_all(fd: Fd, mut data: &[u8]) -> Result<(), Errno> {
    while !data.is_empty() {
        let written = write(fd, data)?;
        if written == 0 {
            return Err(Errno::EIO);
        }
        data = &data[written..];
    }
    Ok(())
}

/// Reads until end of file.
///
/// # Errors
/// The first error.
pub fn read_to_end(fd: Fd) -> Result<Vec<u8>, Errno> {
    let mut all = Vec::new();
    let mut chunk = alloc::vec![0u8; 16384];
    loop {
        let count = read(fd, &mut chunk)?;
        if count == 0 {
            return Ok(all);
        }
        all.extend_from_slice(&chunk[..count]);
    }
}

/// `lseek`.
///
/// # Errors
/// `EBADF`, `ESPIPE`, `EINVAL`.
pub fn lseek(fd: Fd, offset: i64, whence: i32) -> Result<u64, Errno> {
    simple_outcome(Operation::Lseek, &[fd as u64, offset as u64, whence as u64])
}

/// `dup`.
///
/// # Errors
/// `EBADF`, `EMFILE`.
pub fn dup(fd: Fd) -> Result<Fd, Errno> {
    simple_outcome(Operation::Dup, &[fd as u64]).map(|fd| fd as Fd)
}

/// `dup2`.
///
/// # Errors
/// `EBADF`.
pub fn dup2(old: Fd, new: Fd) -> Result<Fd, Errno> {
    simple_outcome(Operation::Dup3, &[old as u64, new as u64, DUP2_FLAG]).map(|fd| fd as Fd)
}

/// `dup3` (flags: `O_CLOEXEC`).
///
/// # Errors
/// `EBADF`, `EINVAL` (equal descriptors or bad flags).
pub fn dup3(old: Fd, new: Fd, flags: i32) -> Result<Fd, Errno> {
    simple_outcome(Operation::Dup3, &[old as u64, new as u64, flags as u64]).map(|fd| fd as Fd)
}

/// `pipe2`: (read end, write end).
///
/// # Errors
/// `EMFILE`, `EINVAL`.
pub fn pipe2(flags: i32) -> Result<(Fd, Fd), Errno> {
    let reply = request(Operation::Pipe, &[flags as u64], &mut || {});
    errno_of(&reply)?;
    Ok((reply.values[0] as Fd, reply.values[1] as Fd))
}

/// `pipe`.
///
/// # Errors
/// As [`pipe2`].
pub fn pipe() -> Result<(Fd, Fd), Errno> {
    pipe2(0)
}

/// `fcntl` with an integer argument.
///
/// # Errors
/// `EBADF`, `EINVAL`, `EMFILE`.
pub fn fcntl(fd: Fd, command: i32, argument: u64) -> Result<u64, Errno> {
    simple_outcome(Operation::Fcntl, &[fd as u64, command as u64, argument])
}

/// The fields of `struct stat` (Linux x86_64 layout, 144 bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stat {
    /// Device.
    pub device: u64,
    /// Inode number.
    pub inode: u64,
    /// Link count.
    pub links: u64,
    /// Type and permission bits.
    pub mode: u32,
    /// Owner.
    pub user: u32,
    /// Group.
    pub group: u32,
    /// Device number of a device file.
    pub special_device: u64,
    /// Size in bytes.
    pub size: i64,
    /// Block size.
    pub block_size: i64,
    /// 512-byte blocks.
    pub blocks: i64,
    /// Access time (seconds, nanoseconds).
    pub access_time: (i64, i64),
    /// Modification time.
    pub modification_time: (i64, i64),
    /// Status change time.
    pub change_time: (i64, i64),
}

/// Bytes of `struct stat`.
pub const STAT_BYTES: usize = 144;

impl Stat {
    /// Decodes Linux's `struct stat`.
    #[must_use]
    pub fn decode(bytes: &[u8; STAT_BYTES]) -> Self {
        let u64_at = |offset: usize| {
            let mut raw = [0; 8];
            raw.copy_from_slice(&bytes[offset..offset + 8]);
            u64::from_le_bytes(raw)
        };
        let u32_at = |offset: usize| {
            let mut raw = [0; 4];
            raw.copy_from_slice(&bytes[offset..offset + 4]);
            u32::from_le_bytes(raw)
        };
        Self {
            device: u64_at(0),
            inode: u64_at(8),
            links: u64_at(16),
            mode: u32_at(24),
            user: u32_at(28),
            group: u32_at(32),
            special_device: u64_at(40),
            size: u64_at(48) as i64,
            block_size: u64_at(56) as i64,
            blocks: u64_at(64) as i64,
            access_time: (u64_at(72) as i64, u64_at(80) as i64),
            modification_time: (u64_at(88) as i64, u64_at(96) as i64),
            change_time: (u64_at(104) as i64, u64_at(112) as i64),
        }
    }

    /// A directory?
    #[must_use]
    pub const fn is_directory(&self) -> bool {
        self.mode & 0o170_000 == 0o040_000
    }

    /// A regular file?
    #[must_use]
    pub const fn is_regular(&self) -> bool {
        self.mode & 0o170_000 == 0o100_000
    }
}

fn take_stat() -> Result<Stat, Errno> {
    let mut bytes = [0u8; STAT_BYTES];
    if !shared_buffer::get(0, &mut bytes) {
        return Err(Errno::EFAULT);
    }
    Ok(Stat::decode(&bytes))
}

fn stat_path(path: &[u8], follow: bool) -> Result<Stat, Errno> {
    if path.len() > CAPACITY {
        return Err(Errno::ENAMETOOLONG);
    }
    let reply = request(
        Operation::Stat,
        &[path.len() as u64, u64::from(follow)],
        &mut || {
            let _ = shared_buffer::put(0, path);
        },
    );
    let stat = reply.outcome().and_then(|_| take_stat());
    errno_of(&reply)?;
    stat
}

/// `stat`.
///
/// # Errors
/// `ENOENT`, `ENOTDIR`, `ENAMETOOLONG`...
pub fn stat(path: &[u8]) -> Result<Stat, Errno> {
    stat_path(path, true)
}

/// `lstat`.
///
/// # Errors
/// As [`stat`].
pub fn lstat(path: &[u8]) -> Result<Stat, Errno> {
    stat_path(path, false)
}

/// `fstat`.
///
/// # Errors
/// `EBADF`.
pub fn fstat(fd: Fd) -> Result<Stat, Errno> {
    let reply = request(Operation::Fstat, &[fd as u64], &mut || {});
    let stat = reply.outcome().and_then(|_| take_stat());
    errno_of(&reply)?;
    stat
}

/// A directory entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryEntry {
    /// Inode number.
    pub inode: u64,
    /// `DT_*` type.
    pub kind: u8,
    /// Name.
    pub name: Vec<u8>,
}

/// `getdents64`: reads entries (at most `length` bytes' worth).
///
/// # Errors
/// `EBADF`, `ENOTDIR`, `EINVAL` (buffer too small).
pub fn getdents(fd: Fd, length: usize) -> Result<Vec<DirectoryEntry>, Errno> {
    let length = length.min(CAPACITY);
    let reply = request(
        Operation::GetDents64,
        &[fd as u64, length as u64],
        &mut || {},
    );
    let count = reply.outcome().unwrap_or(0) as usize;
    let mut bytes = alloc::vec![0u8; count.min(length)];
    let copied = shared_buffer::get(0, &mut bytes);
    errno_of(&reply)?;
    if !copied {
        return Err(Errno::EFAULT);
    }
    let mut entries = Vec::new();
    let mut offset = 0;
    while offset + 19 <= bytes.len() {
        let mut raw = [0; 8];
        raw.copy_from_slice(&bytes[offset..offset + 8]);
        let inode = u64::from_le_bytes(raw);
        let record = usize::from(u16::from_le_bytes([bytes[offset + 16], bytes[offset + 17]]));
        if record < 19 || offset + record > bytes.len() {
            break;
        }
        let kind = bytes[offset + 18];
        let name = &bytes[offset + 19..offset + record];
        let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
        entries.push(DirectoryEntry {
            inode,
            kind,
            name: name[..end].to_vec(),
        });
        offset += record;
    }
    Ok(entries)
}

/// Every entry of the directory at `path` (`.` and `..` included).
///
/// # Errors
/// As [`open`] and [`getdents`].
pub fn read_directory(path: &[u8]) -> Result<Vec<DirectoryEntry>, Errno> {
    let fd = open(
        path,
        flags::O_RDONLY | flags::O_DIRECTORY | flags::O_CLOEXEC,
        0,
    )?;
    let mut all = Vec::new();
    let result = loop {
        match getdents(fd, 32768) {
            Ok(entries) if entries.is_empty() => break Ok(()),
            Ok(entries) => all.extend(entries),
            Err(errno) => break Err(errno),
        }
    };
    let _ = close(fd);
    result.map(|()| all)
}

/// `mkdir`.
///
/// # Errors
/// `EEXIST`, `ENOENT`, `ENOTDIR`, `EROFS`...
pub fn mkdir(path: &[u8], mode: u32) -> Result<(), Errno> {
    path_request(Operation::Mkdir, path, &[u64::from(mode)]).map(|_| ())
}

/// `rmdir`.
///
/// # Errors
/// `ENOTEMPTY`, `ENOENT`, `ENOTDIR`, `EBUSY`, `EINVAL`...
pub fn rmdir(path: &[u8]) -> Result<(), Errno> {
    path_request(Operation::Rmdir, path, &[]).map(|_| ())
}

/// `unlink`.
///
/// # Errors
/// `ENOENT`, `EISDIR`, `EROFS`...
pub fn unlink(path: &[u8]) -> Result<(), Errno> {
    path_request(Operation::Unlink, path, &[]).map(|_| ())
}

/// `rename`.
///
/// # Errors
/// `ENOENT`, `EXDEV`, `EISDIR`, `ENOTDIR`, `ENOTEMPTY`, `EINVAL`...
pub fn rename(old: &[u8], new: &[u8]) -> Result<(), Errno> {
    if old.len() + new.len() > CAPACITY {
        return Err(Errno::ENAMETOOLONG);
    }
    let reply = request(
        Operation::Rename,
        &[old.len() as u64, new.len() as u64],
        &mut || {
            let _ = shared_buffer::put(0, old);
            let _ = shared_buffer::put(old.len(), new);
        },
    );
    errno_of(&reply).map(|_| ())
}

/// `chdir`.
///
/// # Errors
/// `ENOENT`, `ENOTDIR`.
pub fn chdir(path: &[u8]) -> Result<(), Errno> {
    path_request(Operation::Chdir, path, &[]).map(|_| ())
}

/// `getcwd`.
///
/// # Errors
/// `ERANGE` (never with this buffer).
pub fn getcwd() -> Result<Vec<u8>, Errno> {
    let length = 4096u64;
    let reply = request(Operation::GetCwd, &[length], &mut || {});
    let count = reply.outcome().unwrap_or(0) as usize;
    let mut bytes = alloc::vec![0u8; count.min(4096)];
    let copied = shared_buffer::get(0, &mut bytes);
    errno_of(&reply)?;
    if !copied {
        return Err(Errno::EFAULT);
    }
    if bytes.last() == Some(&0) {
        bytes.pop();
    }
    Ok(bytes)
}

/// `access`.
///
/// # Errors
/// `ENOENT`, `EACCES`, `ENOTDIR`, `EINVAL`.
pub fn access(path: &[u8], mode: i32) -> Result<(), Errno> {
    path_request(Operation::Access, path, &[mode as u64]).map(|_| ())
}

/// `umask`: the old mask.
#[must_use]
pub fn umask(mask: u32) -> u32 {
    simple_outcome(Operation::Umask, &[u64::from(mask)]).map_or(0, |old| old as u32)
}

/// `ftruncate`.
///
/// # Errors
/// `EBADF`, `EINVAL`, `EROFS`.
pub fn ftruncate(fd: Fd, length: u64) -> Result<(), Errno> {
    simple_outcome(Operation::Ftruncate, &[fd as u64, length]).map(|_| ())
}

/// `ioctl` request: get termios.
pub const TCGETS: u64 = 0x5401;
/// `ioctl` request: set termios now.
pub const TCSETS: u64 = 0x5402;
/// `ioctl` request: set termios after output drains.
pub const TCSETSW: u64 = 0x5403;
/// `ioctl` request: set termios after flushing input.
pub const TCSETSF: u64 = 0x5404;
/// `ioctl` request: foreground process group.
pub const TIOCGPGRP: u64 = 0x540f;
/// `ioctl` request: set the foreground process group.
pub const TIOCSPGRP: u64 = 0x5410;
/// `ioctl` request: window size.
pub const TIOCGWINSZ: u64 = 0x5413;
/// Bytes of `struct termios` as the kernel interface has it.
pub const TERMIOS_BYTES: usize = 60;

/// `tcgetattr`: the raw `struct termios` bytes.
///
/// # Errors
/// `EBADF`, `ENOTTY`.
pub fn tcgetattr(fd: Fd) -> Result<[u8; TERMIOS_BYTES], Errno> {
    let reply = request(Operation::Ioctl, &[fd as u64, TCGETS, 0], &mut || {});
    let mut bytes = [0u8; TERMIOS_BYTES];
    let copied = reply.outcome().is_ok() && shared_buffer::get(0, &mut bytes);
    errno_of(&reply)?;
    if !copied {
        return Err(Errno::EFAULT);
    }
    Ok(bytes)
}

/// `tcsetattr` with `TCSETS`, `TCSETSW` or `TCSETSF`.
///
/// # Errors
/// `EBADF`, `ENOTTY`, `EINVAL`.
pub fn tcsetattr(fd: Fd, request_code: u64, termios: &[u8; TERMIOS_BYTES]) -> Result<(), Errno> {
    let reply = request(Operation::Ioctl, &[fd as u64, request_code, 0], &mut || {
        let _ = shared_buffer::put(0, termios);
    });
    errno_of(&reply).map(|_| ())
}

/// `tcgetpgrp`.
///
/// # Errors
/// `EBADF`, `ENOTTY`.
pub fn tcgetpgrp(fd: Fd) -> Result<i64, Errno> {
    simple_outcome(Operation::Ioctl, &[fd as u64, TIOCGPGRP, 0]).map(|group| group as i64)
}

/// `tcsetpgrp`.
///
/// # Errors
/// `EBADF`, `ENOTTY`, `EPERM`, `EINVAL`.
pub fn tcsetpgrp(fd: Fd, group: i64) -> Result<(), Errno> {
    simple_outcome(Operation::Ioctl, &[fd as u64, TIOCSPGRP, group as u64]).map(|_| ())
}

/// `isatty`.
#[must_use]
pub fn isatty(fd: Fd) -> bool {
    tcgetattr(fd).is_ok()
}

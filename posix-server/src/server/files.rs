//! File requests: descriptors, files, directories, pipes and the console.

use alloc::vec::Vec;

use posix_server_api::operation::DUP2_FLAG;
use posix_server_api::shared_buffer::DATA_CAPACITY;
use posix_server_api::{Errno, Operation, Reply};

use super::requests::path_length_allowed;
use super::{Server, int_argument, result, unsigned_argument};
use posix_server::file_descriptors::{FileTarget, OpenFile};
use posix_server::pipe::PipeFailure;
use posix_server::process_table::Pid;
use posix_server::signals::Signal;
use posix_server::vfs::flags::{O_APPEND, O_CLOEXEC, O_NONBLOCK, O_RDONLY, O_WRONLY};
use posix_server::vfs::{DeviceId, Stat};

/// Bytes of Linux's `struct stat`.
const STAT_BYTES: usize = 144;

/// Linux's `struct stat` bytes of `stat`.
fn encode_stat(stat: &Stat) -> [u8; STAT_BYTES] {
    let mut bytes = [0u8; STAT_BYTES];
    let mut put =
        |offset: usize, value: &[u8]| bytes[offset..offset + value.len()].copy_from_slice(value);
    put(0, &stat.dev.to_le_bytes());
    put(8, &stat.ino.to_le_bytes());
    put(16, &u64::from(stat.nlink).to_le_bytes());
    put(24, &stat.mode.to_le_bytes());
    put(28, &stat.uid.to_le_bytes());
    put(32, &stat.gid.to_le_bytes());
    put(40, &stat.rdev.to_le_bytes());
    put(48, &stat.size.to_le_bytes());
    put(56, &stat.blksize.to_le_bytes());
    put(64, &stat.blocks.to_le_bytes());
    put(72, &stat.atime.seconds.to_le_bytes());
    put(80, &u64::from(stat.atime.nanoseconds).to_le_bytes());
    put(88, &stat.mtime.seconds.to_le_bytes());
    put(96, &u64::from(stat.mtime.nanoseconds).to_le_bytes());
    put(104, &stat.ctime.seconds.to_le_bytes());
    put(112, &u64::from(stat.ctime.nanoseconds).to_le_bytes());
    bytes
}

impl Server {
    fn cwd_of(&self, pid: Pid) -> posix_server::vfs::NodeId {
        self.table
            .get(pid)
            .map_or(self.vfs.root(), |process| process.payload().cwd)
    }

    fn descriptor_file(
        &self,
        pid: Pid,
        fd: i32,
    ) -> Result<(posix_server::file_descriptors::OpenFileId, OpenFile), Errno> {
        let process = self.table.get(pid).ok_or(Errno::ESRCH)?;
        let id = process.payload().descriptors.open_file(fd)?;
        let file = *self.open_files.get(id).ok_or(Errno::EBADF)?;
        Ok((id, file))
    }

    fn set_now(&mut self) {
        let now = self.clock.realtime_at(self.monotonic_now());
        self.vfs.set_time(posix_server::vfs::Timestamp {
            seconds: (now / super::clock::NANOSECONDS) as i64,
            nanoseconds: (now % super::clock::NANOSECONDS) as u32,
        });
    }

    /// A file request.
    pub fn file_request(&mut self, pid: Pid, operation: Operation, words: &[u64]) -> Reply {
        let word = |index: usize| words.get(index).copied().unwrap_or(0);
        let fd = int_argument(word(1));
        self.set_now();
        match operation {
            Operation::Open => result(
                self.open(
                    pid,
                    word(1),
                    unsigned_argument(word(2)),
                    unsigned_argument(word(3)),
                )
                .map(|fd| fd as u64),
            ),
            Operation::Close => {
                let closed = self
                    .table
                    .get_mut(pid)
                    .ok_or(Errno::ESRCH)
                    .and_then(|process| {
                        process
                            .payload_mut()
                            .descriptors
                            .close(&mut self.open_files, fd)
                    });
                match closed {
                    Ok(target) => {
                        self.release_targets(target.into_iter().collect());
                        Reply::ok(0)
                    }
                    Err(errno) => Reply::error(errno),
                }
            }
            Operation::Read => self.read(pid, fd, word(2)),
            Operation::Write => self.write(pid, fd, word(2)),
            Operation::Lseek => result(self.lseek(pid, fd, word(2) as i64, word(3))),
            Operation::Dup => result(
                self.table
                    .get_mut(pid)
                    .ok_or(Errno::ESRCH)
                    .and_then(|process| {
                        process
                            .payload_mut()
                            .descriptors
                            .dup(&mut self.open_files, fd)
                    })
                    .map(|fd| fd as u64),
            ),
            Operation::Dup3 => {
                let new = int_argument(word(2));
                let flags = word(3);
                let outcome = self
                    .table
                    .get_mut(pid)
                    .ok_or(Errno::ESRCH)
                    .and_then(|process| {
                        let descriptors = &mut process.payload_mut().descriptors;
                        if flags == DUP2_FLAG {
                            descriptors.dup2(&mut self.open_files, fd, new)
                        } else {
                            descriptors.dup3(
                                &mut self.open_files,
                                fd,
                                new,
                                unsigned_argument(flags),
                            )
                        }
                    });
                match outcome {
                    Ok((fd, released)) => {
                        self.release_targets(released.into_iter().collect());
                        Reply::ok(i64::from(fd))
                    }
                    Err(errno) => Reply::error(errno),
                }
            }
            Operation::Pipe => self.pipe(pid, unsigned_argument(word(1))),
            Operation::Fcntl => result(self.fcntl(pid, fd, unsigned_argument(word(2)), word(3))),
            Operation::Stat => {
                let outcome = self.request_path(pid, 0, word(1)).and_then(|path| {
                    let cwd = self.cwd_of(pid);
                    let node = self.vfs.lookup(cwd, &path, word(2) != 0)?;
                    self.vfs.stat(node)
                });
                result(
                    outcome
                        .and_then(|stat| self.reply_bytes(pid, &encode_stat(&stat)))
                        .map(|()| 0),
                )
            }
            Operation::Fstat => {
                let outcome = self
                    .descriptor_file(pid, fd)
                    .and_then(|(_, file)| self.stat_target(file.target));
                result(
                    outcome
                        .and_then(|stat| self.reply_bytes(pid, &encode_stat(&stat)))
                        .map(|()| 0),
                )
            }
            Operation::GetDents64 => result(self.getdents(pid, fd, word(2))),
            Operation::Mkdir => result(self.request_path(pid, 0, word(1)).and_then(|path| {
                let cwd = self.cwd_of(pid);
                let umask = self
                    .table
                    .get(pid)
                    .map_or(0o022, |process| process.payload().umask);
                self.vfs
                    .mkdir(cwd, &path, unsigned_argument(word(2)), umask)
                    .map(|_| 0)
            })),
            Operation::Rmdir => result(self.request_path(pid, 0, word(1)).and_then(|path| {
                let cwd = self.cwd_of(pid);
                self.vfs.rmdir(cwd, &path).map(|()| 0)
            })),
            Operation::Unlink => result(self.request_path(pid, 0, word(1)).and_then(|path| {
                let cwd = self.cwd_of(pid);
                self.vfs.unlink(cwd, &path).map(|()| 0)
            })),
            Operation::Rename => result(
                path_length_allowed(word(1))
                    .and(path_length_allowed(word(2)))
                    .and_then(|()| self.request_path(pid, 0, word(1)))
                    .and_then(|old| Ok((old, self.request_path(pid, word(1), word(2))?)))
                    .and_then(|(old, new)| {
                        let cwd = self.cwd_of(pid);
                        self.vfs.rename(cwd, &old, &new).map(|()| 0)
                    }),
            ),
            Operation::Chdir => result(self.request_path(pid, 0, word(1)).and_then(|path| {
                let cwd = self.cwd_of(pid);
                let node = self.vfs.lookup_directory(cwd, &path)?;
                self.vfs.open_reference(node)?;
                let old = self
                    .table
                    .get_mut(pid)
                    .map(|process| core::mem::replace(&mut process.payload_mut().cwd, node));
                let _ = old;
                Ok(0)
            })),
            Operation::GetCwd => {
                let cwd = self.cwd_of(pid);
                let outcome = self.vfs.path_of(cwd).and_then(|path| {
                    let mut bytes: Vec<u8> = path.into_bytes();
                    bytes.push(0);
                    if bytes.len() as u64 > word(1) {
                        return Err(Errno::ERANGE);
                    }
                    self.reply_bytes(pid, &bytes)?;
                    Ok(bytes.len() as u64)
                });
                result(outcome)
            }
            Operation::Access => result(self.request_path(pid, 0, word(1)).and_then(|path| {
                let cwd = self.cwd_of(pid);
                self.vfs
                    .access(cwd, &path, unsigned_argument(word(2)))
                    .map(|()| 0)
            })),
            Operation::Umask => {
                let old = self.table.get_mut(pid).map_or(0, |process| {
                    core::mem::replace(&mut process.payload_mut().umask, (word(1) & 0o777) as u32)
                });
                Reply::ok(i64::from(old))
            }
            Operation::Ftruncate => {
                result(
                    self.descriptor_file(pid, fd)
                        .and_then(|(_, file)| match file.target {
                            FileTarget::Node(node) if file.access_mode() != O_RDONLY => {
                                self.vfs.truncate(node, word(2)).map(|()| 0)
                            }
                            FileTarget::Node(_) => Err(Errno::EINVAL),
                            _ => Err(Errno::EINVAL),
                        }),
                )
            }
            Operation::Ioctl => self.ioctl(pid, fd, word(2), word(3)),
            _ => Reply::error(Errno::ENOSYS),
        }
    }

    fn stat_target(&self, target: FileTarget) -> Result<Stat, Errno> {
        match target {
            FileTarget::Node(node) => self.vfs.stat(node),
            FileTarget::Device(device) => {
                let path = alloc::format!("/dev/{}", device.name());
                let node = self.vfs.lookup(self.vfs.root(), &path, true)?;
                self.vfs.stat(node)
            }
            FileTarget::PipeRead(_) | FileTarget::PipeWrite(_) => Ok(Stat {
                dev: 0,
                ino: 0,
                mode: 0o010_600,
                nlink: 1,
                uid: 0,
                gid: 0,
                rdev: 0,
                size: 0,
                blksize: 4096,
                blocks: 0,
                atime: posix_server::vfs::Timestamp::from_seconds(0),
                mtime: posix_server::vfs::Timestamp::from_seconds(0),
                ctime: posix_server::vfs::Timestamp::from_seconds(0),
            }),
        }
    }

    fn open(&mut self, pid: Pid, path_length: u64, flags: u32, mode: u32) -> Result<i32, Errno> {
        let path = self.request_path(pid, 0, path_length)?;
        let cwd = self.cwd_of(pid);
        let umask = self
            .table
            .get(pid)
            .map_or(0o022, |process| process.payload().umask);
        let node = self.vfs.open(cwd, &path, flags, mode, umask)?;
        let target = match self.vfs.device_of(node) {
            Some(device) => {
                let _ = self.vfs.close_reference(node);
                FileTarget::Device(device)
            }
            None => FileTarget::Node(node),
        };
        let file = OpenFile::new(target, flags);
        let opened = self
            .table
            .get_mut(pid)
            .ok_or(Errno::ESRCH)
            .and_then(|process| {
                process
                    .payload_mut()
                    .descriptors
                    .open(&mut self.open_files, file, flags)
            });
        if opened.is_err() {
            self.release_targets(alloc::vec![target]);
        }
        opened
    }

    fn read(&mut self, pid: Pid, fd: i32, length: u64) -> Reply {
        let (id, file) = match self.descriptor_file(pid, fd) {
            Ok(found) => found,
            Err(errno) => return Reply::error(errno),
        };
        if file.access_mode() == O_WRONLY {
            return Reply::error(Errno::EBADF);
        }
        let length = length.min(DATA_CAPACITY) as usize;
        let nonblocking = file.status_flags & O_NONBLOCK != 0;
        let mut buffer = alloc::vec![0u8; length];
        let outcome: Result<usize, Option<Errno>> = match file.target {
            FileTarget::Node(node) => {
                if self.vfs.is_directory(node) {
                    Err(Some(Errno::EISDIR))
                } else {
                    self.vfs
                        .read(node, file.offset, &mut buffer)
                        .map_err(Some)
                        .inspect(|&count| {
                            if let Some(open) = self.open_files.get_mut(id) {
                                open.offset += count as u64;
                            }
                        })
                }
            }
            FileTarget::PipeRead(number) => match self.pipe_id(number) {
                Some(pipe) => match self.pipes.read(pipe, &mut buffer, nonblocking) {
                    Ok(count) => Ok(count),
                    Err(PipeFailure::WouldBlock) => {
                        let _ = self.pipes.wait_readable(pipe, pid);
                        Err(None)
                    }
                    Err(failure) => Err(Some(failure.errno())),
                },
                None => Err(Some(Errno::EBADF)),
            },
            FileTarget::PipeWrite(_) => Err(Some(Errno::EBADF)),
            FileTarget::Device(DeviceId::Null) => Ok(0),
            FileTarget::Device(DeviceId::Zero) => Ok(length),
            FileTarget::Device(DeviceId::Console | DeviceId::Tty) => {
                match self.tty.read_into(&mut buffer) {
                    Ok(count) => Ok(count),
                    Err(_) if nonblocking => Err(Some(Errno::EAGAIN)),
                    Err(_) => {
                        if !self.tty_readers.contains(&pid) {
                            self.tty_readers.push(pid);
                        }
                        Err(None)
                    }
                }
            }
        };
        for woken in self.pipes.take_woken() {
            self.wake(woken);
        }
        match outcome {
            Ok(count) => match self.reply_bytes(pid, &buffer[..count]) {
                Ok(()) => Reply::ok(count as i64),
                Err(errno) => Reply::error(errno),
            },
            Err(Some(errno)) => Reply::error(errno),
            Err(None) => self.blocked_reply(pid),
        }
    }

    fn write(&mut self, pid: Pid, fd: i32, length: u64) -> Reply {
        let (id, file) = match self.descriptor_file(pid, fd) {
            Ok(found) => found,
            Err(errno) => return Reply::error(errno),
        };
        if file.access_mode() == O_RDONLY {
            return Reply::error(Errno::EBADF);
        }
        let data = match self.request_bytes(pid, 0, length) {
            Ok(data) => data,
            Err(errno) => return Reply::error(errno),
        };
        let nonblocking = file.status_flags & O_NONBLOCK != 0;
        let outcome: Result<usize, Option<Errno>> = match file.target {
            FileTarget::Node(node) => {
                let offset = if file.status_flags & O_APPEND != 0 {
                    self.vfs.size(node).unwrap_or(0)
                } else {
                    file.offset
                };
                self.vfs
                    .write(node, offset, &data)
                    .map_err(Some)
                    .inspect(|&count| {
                        if let Some(open) = self.open_files.get_mut(id) {
                            open.offset = offset + count as u64;
                        }
                    })
            }
            FileTarget::PipeWrite(number) => match self.pipe_id(number) {
                Some(pipe) => match self.pipes.write(pipe, &data, nonblocking) {
                    Ok(count) => Ok(count),
                    Err(PipeFailure::WouldBlock) => {
                        let _ = self.pipes.wait_writable(pipe, pid);
                        Err(None)
                    }
                    Err(PipeFailure::BrokenPipe) => {
                        if let Ok(notifications) =
                            self.table.kill(pid, pid.0 as i32, Signal::SIGPIPE.number())
                        {
                            self.act_on(notifications);
                        }
                        Err(Some(Errno::EPIPE))
                    }
                    Err(PipeFailure::Error(errno)) => Err(Some(errno)),
                },
                None => Err(Some(Errno::EBADF)),
            },
            FileTarget::PipeRead(_) => Err(Some(Errno::EBADF)),
            FileTarget::Device(DeviceId::Null | DeviceId::Zero) => Ok(data.len()),
            FileTarget::Device(DeviceId::Console | DeviceId::Tty) => {
                let output = self.tty.output(&data);
                self.devices.serial_write(&output);
                Ok(data.len())
            }
        };
        for woken in self.pipes.take_woken() {
            self.wake(woken);
        }
        if self
            .table
            .get(pid)
            .is_none_or(|process| process.is_zombie())
        {
            return Reply::error(Errno::EPIPE);
        }
        match outcome {
            Ok(count) => Reply::ok(count as i64),
            Err(Some(errno)) => Reply::error(errno),
            Err(None) => self.blocked_reply(pid),
        }
    }

    fn lseek(&mut self, pid: Pid, fd: i32, offset: i64, whence: u64) -> Result<u64, Errno> {
        let (id, file) = self.descriptor_file(pid, fd)?;
        let FileTarget::Node(node) = file.target else {
            return match file.target {
                FileTarget::Device(DeviceId::Null | DeviceId::Zero) => Ok(0),
                _ => Err(Errno::ESPIPE),
            };
        };
        let base = match whence {
            0 => 0,
            1 => file.offset as i64,
            2 => self.vfs.size(node)? as i64,
            _ => return Err(Errno::EINVAL),
        };
        let position = base
            .checked_add(offset)
            .filter(|&position| position >= 0)
            .ok_or(Errno::EINVAL)?;
        if let Some(open) = self.open_files.get_mut(id) {
            open.offset = position as u64;
        }
        Ok(position as u64)
    }

    fn pipe(&mut self, pid: Pid, flags: u32) -> Reply {
        if flags & !(O_CLOEXEC | O_NONBLOCK) != 0 {
            return Reply::error(Errno::EINVAL);
        }
        let pipe = self.pipes.create();
        let number = self.next_pipe_number;
        self.next_pipe_number = self.next_pipe_number.wrapping_add(1).max(1);
        self.pipe_numbers.insert(number, pipe);
        let status = flags & O_NONBLOCK;
        let reader = OpenFile::new(FileTarget::PipeRead(number), O_RDONLY | status);
        let writer = OpenFile::new(FileTarget::PipeWrite(number), O_WRONLY | status);
        let Some(process) = self.table.get_mut(pid) else {
            return Reply::error(Errno::ESRCH);
        };
        let descriptors = &mut process.payload_mut().descriptors;
        let read_fd = match descriptors.open(&mut self.open_files, reader, flags) {
            Ok(fd) => fd,
            Err(errno) => {
                let _ = self.pipes.drop_reader(pipe);
                let _ = self.pipes.drop_writer(pipe);
                return Reply::error(errno);
            }
        };
        match descriptors.open(&mut self.open_files, writer, flags) {
            Ok(write_fd) => Reply::with_values(0, [read_fd as u64, write_fd as u64, 0, 0]),
            Err(errno) => {
                let released = descriptors.close(&mut self.open_files, read_fd);
                let _ = self.pipes.drop_writer(pipe);
                if let Ok(Some(target)) = released {
                    self.release_targets(alloc::vec![target]);
                }
                Reply::error(errno)
            }
        }
    }

    fn fcntl(&mut self, pid: Pid, fd: i32, command: u32, argument: u64) -> Result<u64, Errno> {
        let process = self.table.get_mut(pid).ok_or(Errno::ESRCH)?;
        let descriptors = &mut process.payload_mut().descriptors;
        match command {
            0 | 1030 => descriptors
                .duplicate_at_least(
                    &mut self.open_files,
                    fd,
                    int_argument(argument),
                    command == 1030,
                )
                .map(|fd| fd as u64),
            1 => descriptors.descriptor_flags(fd).map(u64::from),
            2 => descriptors
                .set_descriptor_flags(fd, argument as u32)
                .map(|()| 0),
            3 => descriptors
                .status_flags(&self.open_files, fd)
                .map(u64::from),
            4 => descriptors
                .set_status_flags(&mut self.open_files, fd, argument as u32)
                .map(|()| 0),
            _ => Err(Errno::EINVAL),
        }
    }

    fn getdents(&mut self, pid: Pid, fd: i32, length: u64) -> Result<u64, Errno> {
        let (id, file) = self.descriptor_file(pid, fd)?;
        let FileTarget::Node(node) = file.target else {
            return Err(Errno::ENOTDIR);
        };
        let mut buffer = alloc::vec![0u8; length.min(DATA_CAPACITY) as usize];
        let (filled, next) = self
            .vfs
            .encode_directory_entries(node, file.offset, &mut buffer)?;
        if let Some(open) = self.open_files.get_mut(id) {
            open.offset = next;
        }
        self.reply_bytes(pid, &buffer[..filled])?;
        Ok(filled as u64)
    }

    fn ioctl(&mut self, pid: Pid, fd: i32, request: u64, argument: u64) -> Reply {
        let (_, file) = match self.descriptor_file(pid, fd) {
            Ok(found) => found,
            Err(errno) => return Reply::error(errno),
        };
        if !matches!(
            file.target,
            FileTarget::Device(DeviceId::Console | DeviceId::Tty)
        ) {
            return Reply::error(Errno::ENOTTY);
        }
        match request {
            0x5401 => {
                let bytes = self.tty.termios().to_bytes();
                result(self.reply_bytes(pid, &bytes).map(|()| 0))
            }
            0x5402..=0x5404 => {
                let bytes = match self.request_bytes(
                    pid,
                    0,
                    posix_server::tty::termios::TERMIOS_SIZE as u64,
                ) {
                    Ok(bytes) => bytes,
                    Err(errno) => return Reply::error(errno),
                };
                match posix_server::tty::termios::Termios::from_slice(&bytes) {
                    Ok(termios) => {
                        if request == 0x5404 {
                            self.tty.flush_input();
                        }
                        let effects = self.tty.set_termios(termios);
                        self.serial_effects(effects);
                        Reply::ok(0)
                    }
                    Err(errno) => Reply::error(errno),
                }
            }
            0x540f => Reply::ok(i64::from(self.tty.foreground_group().unwrap_or(0))),
            0x5410 => {
                let group = unsigned_argument(argument);
                if group == 0
                    || self
                        .table
                        .group_members(posix_server::process_table::Pid(group))
                        .is_empty()
                {
                    Reply::error(Errno::EPERM)
                } else {
                    self.tty.set_foreground_group(Some(group));
                    Reply::ok(0)
                }
            }
            0x5413 => {
                let bytes = self.tty.window_size().to_bytes();
                result(self.reply_bytes(pid, &bytes).map(|()| 0))
            }
            _ => Reply::error(Errno::ENOTTY),
        }
    }
}

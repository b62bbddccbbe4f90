//! One request of a process: decoded by operation, answered with a reply (or
//! none, when the process is gone or has a new image).

use mm_server_api::request::{Brk, BrkFlags, MapFlags};
use posix_server_api::process_record::{ProcessRecord, RECORD_BYTES, RecordState};
use posix_server_api::shared_buffer::DATA_OFFSET;
use posix_server_api::{Errno, Operation, Reply};

use super::kernel_objects::errno_of;
use super::{Server, int_argument, result, unsigned_argument};
use posix_server::process_table::{Pid, ProcessSelector, ProcessState, WaitResult};
use posix_server::signals::action::Action;
use posix_server::signals::{SignalSet, wait_status};

/// Bytes of a page.
const PAGE: u64 = 4096;

/// `ENAMETOOLONG` for a path longer than `PATH_MAX`.
pub fn path_length_allowed(length: u64) -> Result<(), Errno> {
    if length > posix_server::vfs::flags::PATH_MAX as u64 {
        Err(Errno::ENAMETOOLONG)
    } else {
        Ok(())
    }
}

impl Server {
    /// posix-server's address of `pid`'s data area.
    pub fn data_area(&self, pid: Pid) -> Option<u64> {
        let kernel = self.table.get(pid)?.payload().kernel.as_ref()?;
        Some(kernel.buffer() + DATA_OFFSET)
    }

    /// Copies `length` bytes of `pid`'s data area from `offset`.
    pub fn request_bytes(
        &self,
        pid: Pid,
        offset: u64,
        length: u64,
    ) -> Result<alloc::vec::Vec<u8>, Errno> {
        let end = offset.checked_add(length).ok_or(Errno::EFAULT)?;
        if end > posix_server_api::shared_buffer::DATA_CAPACITY {
            return Err(Errno::EFAULT);
        }
        let address = self.data_area(pid).ok_or(Errno::ESRCH)?;
        nun::window_bytes::with_bytes(address + offset, length, <[u8]>::to_vec).ok_or(Errno::EFAULT)
    }

    /// The path of `length` bytes at the start of `pid`'s data area.
    pub fn request_path(
        &self,
        pid: Pid,
        offset: u64,
        length: u64,
    ) -> Result<alloc::string::String, Errno> {
        if length == 0 {
            return Err(Errno::ENOENT);
        }
        path_length_allowed(length)?;
        let bytes = self.request_bytes(pid, offset, length)?;
        if bytes.contains(&0) {
            return Err(Errno::EINVAL);
        }
        alloc::string::String::from_utf8(bytes).map_err(|_| Errno::ENOENT)
    }

    /// Writes `bytes` at the start of `pid`'s data area.
    pub fn reply_bytes(&self, pid: Pid, bytes: &[u8]) -> Result<(), Errno> {
        if bytes.len() as u64 > posix_server_api::shared_buffer::DATA_CAPACITY {
            return Err(Errno::EFAULT);
        }
        let address = self.data_area(pid).ok_or(Errno::ESRCH)?;
        nun::window_bytes::with_bytes_mut(address, bytes.len() as u64, |target| {
            target.copy_from_slice(bytes);
        })
        .ok_or(Errno::EFAULT)
    }

    /// Handles one request.
    pub fn request(&mut self, pid: Pid, words: &[u64]) -> Option<Reply> {
        let word = |index: usize| words.get(index).copied().unwrap_or(0);
        if self
            .table
            .get(pid)
            .is_none_or(|process| process.is_zombie())
        {
            return None;
        }
        let Some(operation) = Operation::from_word(word(0)) else {
            return Some(Reply::error(Errno::ENOSYS));
        };
        let reply = match operation {
            Operation::Exit => {
                self.terminate(pid, wait_status::exited((word(1) & 0xff) as i32));
                return None;
            }
            Operation::Fork => result(
                self.fork(pid, word(1), word(2), word(3))
                    .map(|child| u64::from(child.0)),
            ),
            Operation::Execve => {
                let bytes = self.request_bytes(pid, 0, word(1));
                match bytes
                    .and_then(|block| self.execve(pid, &block, word(2) as usize, word(3) as usize))
                {
                    Ok(()) => return None,
                    Err(errno) => Reply::error(errno),
                }
            }
            Operation::Wait4 => self.wait4(pid, int_argument(word(1)), unsigned_argument(word(2))),
            Operation::GetPid => {
                let parent = self
                    .table
                    .get(pid)
                    .map_or(0, |process| process.parent_raw());
                Reply::with_values(i64::from(pid.0), [parent as u64, 0, 0, 0])
            }
            Operation::Kill => {
                match self
                    .table
                    .kill(pid, int_argument(word(1)), unsigned_argument(word(2)))
                {
                    Ok(notifications) => {
                        self.act_on(notifications);
                        if self
                            .table
                            .get(pid)
                            .is_none_or(|process| process.is_zombie())
                        {
                            return None;
                        }
                        Reply::ok(0)
                    }
                    Err(errno) => Reply::error(errno),
                }
            }
            Operation::SigAction => self.sigaction(pid, words),
            Operation::SigProcMask => {
                let set = (word(3) != 0).then(|| SignalSet::from_bits(word(2)));
                match self
                    .table
                    .signals_mut(pid)
                    .map(|state| state.sigprocmask(unsigned_argument(word(1)), set))
                {
                    Some(Ok(old)) => Reply::with_values(0, [old.bits(), 0, 0, 0]),
                    Some(Err(errno)) => Reply::error(errno),
                    None => Reply::error(Errno::ESRCH),
                }
            }
            Operation::TakeSignal => return self.take_signal(pid),
            Operation::SigReturn => {
                if let Some(state) = self.table.signals_mut(pid) {
                    state.sigreturn(SignalSet::from_bits(word(1)));
                }
                Reply::ok(0)
            }
            Operation::SetPgid => result(
                self.table
                    .setpgid(pid, int_argument(word(1)), int_argument(word(2)))
                    .map(|()| 0),
            ),
            Operation::GetPgid => result(
                self.table
                    .getpgid(pid, int_argument(word(1)))
                    .map(|group| u64::from(group.0)),
            ),
            Operation::SetSid => result(self.table.setsid(pid).map(|session| u64::from(session.0))),
            Operation::GetSid => result(
                self.table
                    .getsid(pid, int_argument(word(1)))
                    .map(|session| u64::from(session.0)),
            ),
            Operation::SignalEntry => {
                if word(1) > word(2) {
                    Reply::error(Errno::EINVAL)
                } else {
                    if let Some(process) = self.table.get_mut(pid) {
                        process.payload_mut().trampoline = (word(1), word(2));
                    }
                    Reply::ok(0)
                }
            }
            Operation::Brk => self.brk(pid, word(1)),
            Operation::Mmap => self.mmap(pid, word(1), word(2), word(3), word(4)),
            Operation::Munmap => self.munmap(pid, word(1), word(2)),
            Operation::Mprotect => self.mprotect(pid, word(1), word(2), word(3)),
            Operation::ClockGetTime => {
                let now = self.monotonic_now();
                let time = match word(1) {
                    0 => Some(self.clock.realtime_at(now)),
                    1 | 4 | 7 => Some(now),
                    _ => None,
                };
                match time {
                    Some(nanoseconds) => Reply::with_values(
                        (nanoseconds / super::clock::NANOSECONDS) as i64,
                        [nanoseconds % super::clock::NANOSECONDS, 0, 0, 0],
                    ),
                    None => Reply::error(Errno::EINVAL),
                }
            }
            Operation::SleepUntil => {
                let now = self.monotonic_now();
                if now >= word(1) {
                    Reply::ok(0)
                } else {
                    let reply = self.blocked_reply(pid);
                    if reply.blocks() {
                        self.clock.sleep(pid, word(1));
                        self.check_timers();
                    }
                    reply
                }
            }
            Operation::ProcessList => self.process_list(pid, word(1)),
            Operation::SystemStatus => {
                let stats = self.kernel.memory.stats(mm_server_api::ClientId::CALLER);
                match stats {
                    Ok(stats) => Reply::with_values(
                        self.table.len() as i64,
                        [
                            stats.free_bytes,
                            stats.client_address_spaces,
                            stats.client_objects,
                            self.kernel.free_slots(),
                        ],
                    ),
                    Err(_) => Reply::error(Errno::EIO),
                }
            }
            Operation::Uname => {
                let fields: [&[u8]; 5] = [b"KOITO", b"koito", b"0.1.0", b"A9N 0.1.0", b"x86_64"];
                let mut bytes = alloc::vec::Vec::new();
                for field in fields {
                    bytes.extend_from_slice(field);
                    bytes.push(0);
                }
                result(self.reply_bytes(pid, &bytes).map(|()| 0))
            }
            _ => self.file_request(pid, operation, words),
        };
        Some(reply)
    }

    fn wait4(&mut self, pid: Pid, selector: i32, options: u32) -> Reply {
        match self
            .table
            .wait(pid, ProcessSelector::from_raw(selector), options)
        {
            Ok(
                WaitResult::Reaped { pid: child, status }
                | WaitResult::Reported { pid: child, status },
            ) => Reply::with_values(i64::from(child.0), [status as u32 as u64, 0, 0, 0]),
            Ok(WaitResult::NothingReady) => Reply::ok(0),
            Ok(WaitResult::WouldBlock) => self.blocked_reply(pid),
            Err(errno) => Reply::error(errno),
        }
    }

    fn sigaction(&mut self, pid: Pid, words: &[u64]) -> Reply {
        let word = |index: usize| words.get(index).copied().unwrap_or(0);
        let new = (word(5) != 0).then(|| Action::from_raw(word(2), word(3), word(4), 0));
        match self
            .table
            .signals_mut(pid)
            .map(|state| state.sigaction(unsigned_argument(word(1)), new))
        {
            Some(Ok(old)) => {
                Reply::with_values(0, [old.raw_handler(), old.flags, old.mask.bits(), 0])
            }
            Some(Err(errno)) => Reply::error(errno),
            None => Reply::error(Errno::ESRCH),
        }
    }

    fn space_of(&self, pid: Pid) -> Result<mm_server_api::SpaceId, Errno> {
        self.table
            .get(pid)
            .and_then(|process| process.payload().kernel.as_ref())
            .map(|kernel| kernel.space.id)
            .ok_or(Errno::ESRCH)
    }

    fn brk(&mut self, pid: Pid, address: u64) -> Reply {
        let Ok(space) = self.space_of(pid) else {
            return Reply::error(Errno::ESRCH);
        };
        let asked = if address == 0 {
            0
        } else {
            address.next_multiple_of(PAGE)
        };
        let current = self.kernel.memory.brk(Brk {
            space,
            new_break: 0,
            flags: BrkFlags::NONE,
        });
        let Ok(current) = current else {
            return Reply::error(Errno::ENOMEM);
        };
        if asked == 0 {
            return Reply::ok(current as i64);
        }
        let (mapped, base) = self.table.get(pid).map_or((0, 0), |process| {
            (process.payload().mapped_bytes, process.payload().break_base)
        });
        if asked.saturating_sub(base) + mapped > super::PROCESS_MEMORY_LIMIT {
            return Reply::ok(current as i64);
        }
        match self.kernel.memory.brk(Brk {
            space,
            new_break: asked,
            flags: BrkFlags::NONE,
        }) {
            Ok(new) => Reply::ok(new as i64),
            Err(_) => Reply::ok(current as i64),
        }
    }

    fn mmap(&mut self, pid: Pid, address: u64, length: u64, protection: u64, flags: u64) -> Reply {
        const MAP_FIXED: u64 = 0x10;
        const MAP_ANONYMOUS: u64 = 0x20;
        if length == 0
            || flags & MAP_ANONYMOUS == 0
            || protection > 7
            || !address.is_multiple_of(PAGE)
        {
            return Reply::error(Errno::EINVAL);
        }
        let Ok(space) = self.space_of(pid) else {
            return Reply::error(Errno::ESRCH);
        };
        let length = length.next_multiple_of(PAGE);
        let mapped = self
            .table
            .get(pid)
            .map_or(0, |process| process.payload().mapped_bytes);
        if mapped + length > super::PROCESS_MEMORY_LIMIT {
            return Reply::error(Errno::ENOMEM);
        }
        let at = if flags & MAP_FIXED != 0 { address } else { 0 };
        if flags & MAP_FIXED != 0 {
            let _ = self.kernel.unmap(space, address, length);
        }
        match self
            .kernel
            .map_anonymous(space, at, length, protection, MapFlags::NONE, 0)
        {
            Ok(start) => {
                if let Some(process) = self.table.get_mut(pid) {
                    process.payload_mut().mapped_bytes += length;
                }
                Reply::ok(start as i64)
            }
            Err(Errno::EEXIST) => Reply::error(Errno::ENOMEM),
            Err(errno) => Reply::error(errno),
        }
    }

    fn munmap(&mut self, pid: Pid, address: u64, length: u64) -> Reply {
        if length == 0 || !address.is_multiple_of(PAGE) {
            return Reply::error(Errno::EINVAL);
        }
        let Ok(space) = self.space_of(pid) else {
            return Reply::error(Errno::ESRCH);
        };
        let length = length.next_multiple_of(PAGE);
        match self.kernel.unmap(space, address, length) {
            Ok(()) => {
                if let Some(process) = self.table.get_mut(pid) {
                    let data = process.payload_mut();
                    data.mapped_bytes = data.mapped_bytes.saturating_sub(length);
                }
                Reply::ok(0)
            }
            Err(_) => Reply::ok(0),
        }
    }

    fn mprotect(&mut self, pid: Pid, address: u64, length: u64, protection: u64) -> Reply {
        if !address.is_multiple_of(PAGE) || protection > 7 {
            return Reply::error(Errno::EINVAL);
        }
        let Ok(space) = self.space_of(pid) else {
            return Reply::error(Errno::ESRCH);
        };
        let Some(protection) = mm_server_api::Protection::from_bits(protection) else {
            return Reply::error(Errno::EINVAL);
        };
        match self.kernel.memory.protect(mm_server_api::request::Protect {
            space,
            address,
            length: length.next_multiple_of(PAGE),
            protection,
        }) {
            Ok(()) => Reply::ok(0),
            Err(error) => Reply::error(match errno_of(error) {
                Errno::EINVAL => Errno::ENOMEM,
                other => other,
            }),
        }
    }

    fn process_list(&mut self, pid: Pid, first: u64) -> Reply {
        let capacity = posix_server_api::shared_buffer::DATA_CAPACITY as usize / RECORD_BYTES;
        let mut bytes = alloc::vec::Vec::new();
        let mut count = 0;
        for info in self.table.processes() {
            if u64::from(info.pid.0) < first || count >= capacity {
                continue;
            }
            let mut name = [0u8; posix_server_api::process_record::NAME_BYTES];
            if let Some(process) = self.table.get(info.pid) {
                let text = process.payload().name.as_bytes();
                let length = text.len().min(name.len() - 1);
                name[..length].copy_from_slice(&text[..length]);
            }
            let record = ProcessRecord {
                pid: u64::from(info.pid.0),
                ppid: info.parent.map_or(0, |parent| u64::from(parent.0)),
                pgid: u64::from(info.group.0),
                sid: u64::from(info.session.0),
                state: match info.state {
                    ProcessState::Running => RecordState::Running,
                    ProcessState::Stopped(_) => RecordState::Stopped,
                    ProcessState::Zombie(_) => RecordState::Zombie,
                },
                name,
            };
            let mut encoded = [0u8; RECORD_BYTES];
            if record.encode(&mut encoded) {
                bytes.extend_from_slice(&encoded);
                count += 1;
            }
        }
        result(self.reply_bytes(pid, &bytes).map(|()| count as u64))
    }
}

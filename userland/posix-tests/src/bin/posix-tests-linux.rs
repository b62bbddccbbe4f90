//! The Linux oracle: the POSIX test suite over the host's C library (the `libc`
//! crate). Every check must pass here; KOITO's `/bin/posix-tests` must print the
//! same lines. Run with
//! `cargo run -p posix-tests --features host --bin posix-tests-linux`.
//!
//! This is the only part of the suite with `unsafe` code: each block is one
//! call into the C library with arguments checked or built right here.

use std::convert::Infallible;
use std::ffi::{CStr, CString};

use posix_tests::{
    Errno, Fd, FileStatus, OldSignalAction, Pid, Posix, SignalAction, SignalSet, TimeSpec,
};

/// The host system, with the anonymous mappings the suite made (so that
/// `store`, `load` and `munmap` only ever touch those).
#[derive(Default)]
struct LinuxPosix {
    mappings: Vec<(usize, usize)>,
}

/// The errno of the last failed call.
fn last_errno() -> Errno {
    let number = std::io::Error::last_os_error().raw_os_error().unwrap_or(5);
    Errno(u16::try_from(number).unwrap_or(5))
}

/// `Ok(value)` unless the C call returned -1.
fn checked<T: PartialEq + From<i8>>(value: T) -> Result<T, Errno> {
    if value == T::from(-1) {
        Err(last_errno())
    } else {
        Ok(value)
    }
}

/// `path` as a C string (`EINVAL` if it holds a NUL).
fn c_path(path: &[u8]) -> Result<CString, Errno> {
    CString::new(path).map_err(|_| Errno::EINVAL)
}

fn file_status(raw: &libc::stat) -> FileStatus {
    FileStatus {
        mode: raw.st_mode,
        size: raw.st_size,
        links: raw.st_nlink,
    }
}

fn empty_stat() -> libc::stat {
    // SAFETY: `struct stat` is plain data for which all zero bytes are valid.
    unsafe { std::mem::zeroed() }
}

fn signal_set(bits: SignalSet) -> libc::sigset_t {
    // SAFETY: `sigset_t` is plain data; sigemptyset initialises it.
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a valid sigset_t owned here.
    unsafe { libc::sigemptyset(&mut set) };
    for signal in 1..=64 {
        if bits & (1 << (signal - 1)) != 0 {
            // SAFETY: as above; invalid numbers only make it return -1.
            unsafe { libc::sigaddset(&mut set, signal) };
        }
    }
    set
}

fn signal_bits(set: &libc::sigset_t) -> SignalSet {
    (1..=64)
        // SAFETY: `set` is a valid sigset_t.
        .filter(|&signal| unsafe { libc::sigismember(set, signal) } == 1)
        .fold(0, |bits, signal| bits | (1 << (signal - 1)))
}

impl LinuxPosix {
    fn stat_with(&self, path: &[u8], follow: bool) -> Result<FileStatus, Errno> {
        let path = c_path(path)?;
        let mut raw = empty_stat();
        let result = if follow {
            // SAFETY: a NUL-terminated path and a stat buffer owned here.
            unsafe { libc::stat(path.as_ptr(), &mut raw) }
        } else {
            // SAFETY: as above.
            unsafe { libc::lstat(path.as_ptr(), &mut raw) }
        };
        checked(result).map(|_| file_status(&raw))
    }

    /// Whether `address..address + length` lies in one of the suite's mappings.
    fn inside_mapping(&self, address: usize, length: usize) -> bool {
        let Some(end) = address.checked_add(length) else {
            return false;
        };
        self.mappings
            .iter()
            .any(|&(start, size)| address >= start && end <= start + size)
    }
}

impl Posix for LinuxPosix {
    fn open(&mut self, path: &[u8], flags: i32, mode: u32) -> Result<Fd, Errno> {
        let path = c_path(path)?;
        // SAFETY: a NUL-terminated path; the mode is passed as the variadic int.
        checked(unsafe { libc::open(path.as_ptr(), flags, mode) })
    }

    fn close(&mut self, fd: Fd) -> Result<(), Errno> {
        // SAFETY: closing any number is memory-safe.
        checked(unsafe { libc::close(fd) }).map(|_| ())
    }

    fn read(&mut self, fd: Fd, buffer: &mut [u8]) -> Result<usize, Errno> {
        // SAFETY: `buffer` is writable for its length.
        let count = unsafe { libc::read(fd, buffer.as_mut_ptr().cast(), buffer.len()) };
        checked(count).map(|count| count as usize)
    }

    fn write(&mut self, fd: Fd, data: &[u8]) -> Result<usize, Errno> {
        // SAFETY: `data` is readable for its length.
        let count = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
        checked(count).map(|count| count as usize)
    }

    fn lseek(&mut self, fd: Fd, offset: i64, whence: i32) -> Result<u64, Errno> {
        // SAFETY: no memory is involved.
        checked(unsafe { libc::lseek(fd, offset, whence) }).map(|offset| offset as u64)
    }

    fn dup(&mut self, fd: Fd) -> Result<Fd, Errno> {
        // SAFETY: no memory is involved.
        checked(unsafe { libc::dup(fd) })
    }

    fn dup2(&mut self, old: Fd, new: Fd) -> Result<Fd, Errno> {
        // SAFETY: no memory is involved.
        checked(unsafe { libc::dup2(old, new) })
    }

    fn pipe(&mut self) -> Result<(Fd, Fd), Errno> {
        let mut ends = [0; 2];
        // SAFETY: `ends` holds the two ints pipe writes.
        checked(unsafe { libc::pipe(ends.as_mut_ptr()) })?;
        Ok((ends[0], ends[1]))
    }

    fn fcntl(&mut self, fd: Fd, command: i32, argument: i32) -> Result<i32, Errno> {
        // SAFETY: only integer-argument commands are used.
        checked(unsafe { libc::fcntl(fd, command, argument) })
    }

    fn stat(&mut self, path: &[u8]) -> Result<FileStatus, Errno> {
        self.stat_with(path, true)
    }

    fn fstat(&mut self, fd: Fd) -> Result<FileStatus, Errno> {
        let mut raw = empty_stat();
        // SAFETY: a stat buffer owned here.
        checked(unsafe { libc::fstat(fd, &mut raw) }).map(|_| file_status(&raw))
    }

    fn lstat(&mut self, path: &[u8]) -> Result<FileStatus, Errno> {
        self.stat_with(path, false)
    }

    fn read_directory(&mut self, path: &[u8]) -> Result<Vec<Vec<u8>>, Errno> {
        let path = c_path(path)?;
        // SAFETY: a NUL-terminated path.
        let directory = unsafe { libc::opendir(path.as_ptr()) };
        if directory.is_null() {
            return Err(last_errno());
        }
        let mut names = Vec::new();
        loop {
            // SAFETY: `directory` is open until closedir below.
            let entry = unsafe { libc::readdir(directory) };
            if entry.is_null() {
                break;
            }
            // SAFETY: readdir returned a valid entry whose d_name is NUL-terminated;
            // it stays valid until the next readdir.
            let name = unsafe { CStr::from_ptr((*entry).d_name.as_ptr()) };
            names.push(name.to_bytes().to_vec());
        }
        // SAFETY: closes the stream opened above, used no more.
        unsafe { libc::closedir(directory) };
        Ok(names)
    }

    fn mkdir(&mut self, path: &[u8], mode: u32) -> Result<(), Errno> {
        let path = c_path(path)?;
        // SAFETY: a NUL-terminated path.
        checked(unsafe { libc::mkdir(path.as_ptr(), mode) }).map(|_| ())
    }

    fn rmdir(&mut self, path: &[u8]) -> Result<(), Errno> {
        let path = c_path(path)?;
        // SAFETY: a NUL-terminated path.
        checked(unsafe { libc::rmdir(path.as_ptr()) }).map(|_| ())
    }

    fn unlink(&mut self, path: &[u8]) -> Result<(), Errno> {
        let path = c_path(path)?;
        // SAFETY: a NUL-terminated path.
        checked(unsafe { libc::unlink(path.as_ptr()) }).map(|_| ())
    }

    fn rename(&mut self, old: &[u8], new: &[u8]) -> Result<(), Errno> {
        let (old, new) = (c_path(old)?, c_path(new)?);
        // SAFETY: two NUL-terminated paths.
        checked(unsafe { libc::rename(old.as_ptr(), new.as_ptr()) }).map(|_| ())
    }

    fn chdir(&mut self, path: &[u8]) -> Result<(), Errno> {
        let path = c_path(path)?;
        // SAFETY: a NUL-terminated path.
        checked(unsafe { libc::chdir(path.as_ptr()) }).map(|_| ())
    }

    fn getcwd(&mut self) -> Result<Vec<u8>, Errno> {
        let mut buffer = vec![0u8; 4096];
        // SAFETY: `buffer` is writable for its length.
        let result = unsafe { libc::getcwd(buffer.as_mut_ptr().cast(), buffer.len()) };
        if result.is_null() {
            return Err(last_errno());
        }
        let end = buffer
            .iter()
            .position(|&byte| byte == 0)
            .unwrap_or(buffer.len());
        buffer.truncate(end);
        Ok(buffer)
    }

    fn access(&mut self, path: &[u8], mode: i32) -> Result<(), Errno> {
        let path = c_path(path)?;
        // SAFETY: a NUL-terminated path.
        checked(unsafe { libc::access(path.as_ptr(), mode) }).map(|_| ())
    }

    fn umask(&mut self, mask: u32) -> Result<u32, Errno> {
        // SAFETY: no memory is involved.
        Ok(unsafe { libc::umask(mask) })
    }

    fn fork(&mut self) -> Result<Pid, Errno> {
        // SAFETY: the suite is single-threaded; the child only makes system calls
        // and allocates before `_exit`.
        checked(unsafe { libc::fork() }).map(Pid::from)
    }

    fn execve(
        &mut self,
        path: &[u8],
        arguments: &[&[u8]],
        environment: &[&[u8]],
    ) -> Result<Infallible, Errno> {
        let path = c_path(path)?;
        let arguments = arguments
            .iter()
            .map(|argument| c_path(argument))
            .collect::<Result<Vec<_>, _>>()?;
        let environment = environment
            .iter()
            .map(|entry| c_path(entry))
            .collect::<Result<Vec<_>, _>>()?;
        let mut argument_pointers: Vec<*const libc::c_char> =
            arguments.iter().map(|argument| argument.as_ptr()).collect();
        argument_pointers.push(std::ptr::null());
        let mut environment_pointers: Vec<*const libc::c_char> =
            environment.iter().map(|entry| entry.as_ptr()).collect();
        environment_pointers.push(std::ptr::null());
        // SAFETY: NUL-terminated strings in NULL-terminated vectors, alive for the call.
        unsafe {
            libc::execve(
                path.as_ptr(),
                argument_pointers.as_ptr(),
                environment_pointers.as_ptr(),
            )
        };
        Err(last_errno())
    }

    fn waitpid(&mut self, pid: Pid, options: i32) -> Result<Option<(Pid, i32)>, Errno> {
        let pid = libc::pid_t::try_from(pid).map_err(|_| Errno::ESRCH)?;
        let mut status = 0;
        // SAFETY: `status` is an int owned here.
        let child = checked(unsafe { libc::waitpid(pid, &mut status, options) })?;
        Ok((child != 0).then_some((Pid::from(child), status)))
    }

    fn exit(&mut self, status: i32) -> ! {
        // SAFETY: ends the process at once.
        unsafe { libc::_exit(status) }
    }

    fn getpid(&mut self) -> Result<Pid, Errno> {
        // SAFETY: no memory is involved.
        Ok(Pid::from(unsafe { libc::getpid() }))
    }

    fn getppid(&mut self) -> Result<Pid, Errno> {
        // SAFETY: no memory is involved.
        Ok(Pid::from(unsafe { libc::getppid() }))
    }

    fn kill(&mut self, pid: Pid, signal: i32) -> Result<(), Errno> {
        let pid = libc::pid_t::try_from(pid).map_err(|_| Errno::ESRCH)?;
        // SAFETY: no memory is involved.
        checked(unsafe { libc::kill(pid, signal) }).map(|_| ())
    }

    fn sigaction(
        &mut self,
        signal: i32,
        action: Option<SignalAction>,
    ) -> Result<OldSignalAction, Errno> {
        // SAFETY: `struct sigaction` is plain data; all zeros is a valid value.
        let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
        let new = action.map(|action| {
            // SAFETY: as above.
            let mut new: libc::sigaction = unsafe { std::mem::zeroed() };
            new.sa_sigaction = match action {
                SignalAction::Default => libc::SIG_DFL,
                SignalAction::Ignore => libc::SIG_IGN,
                SignalAction::Handler(function) => function as *const () as usize,
            };
            new.sa_mask = signal_set(0);
            new
        });
        let new_pointer = new
            .as_ref()
            .map_or(std::ptr::null(), |new| new as *const libc::sigaction);
        // SAFETY: `new_pointer` is null or points at a valid action owned here; the
        // handler is an `extern "C" fn(i32)`, as sa_handler expects.
        checked(unsafe { libc::sigaction(signal, new_pointer, &mut old) })?;
        Ok(match old.sa_sigaction {
            libc::SIG_DFL => OldSignalAction::Default,
            libc::SIG_IGN => OldSignalAction::Ignore,
            address => OldSignalAction::Handler(address),
        })
    }

    fn sigprocmask(&mut self, how: i32, set: Option<SignalSet>) -> Result<SignalSet, Errno> {
        let new = set.map(signal_set);
        // SAFETY: sigset_t is plain data; sigprocmask fills it.
        let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
        let new_pointer = new
            .as_ref()
            .map_or(std::ptr::null(), |new| new as *const libc::sigset_t);
        // SAFETY: null or a valid set; `old` is owned here.
        checked(unsafe { libc::sigprocmask(how, new_pointer, &mut old) })?;
        Ok(signal_bits(&old))
    }

    fn setpgid(&mut self, pid: Pid, group: Pid) -> Result<(), Errno> {
        let pid = libc::pid_t::try_from(pid).map_err(|_| Errno::ESRCH)?;
        let group = libc::pid_t::try_from(group).map_err(|_| Errno::EINVAL)?;
        // SAFETY: no memory is involved.
        checked(unsafe { libc::setpgid(pid, group) }).map(|_| ())
    }

    fn getpgid(&mut self, pid: Pid) -> Result<Pid, Errno> {
        let pid = libc::pid_t::try_from(pid).map_err(|_| Errno::ESRCH)?;
        // SAFETY: no memory is involved.
        checked(unsafe { libc::getpgid(pid) }).map(Pid::from)
    }

    fn setsid(&mut self) -> Result<Pid, Errno> {
        // SAFETY: no memory is involved.
        checked(unsafe { libc::setsid() }).map(Pid::from)
    }

    fn getsid(&mut self, pid: Pid) -> Result<Pid, Errno> {
        let pid = libc::pid_t::try_from(pid).map_err(|_| Errno::ESRCH)?;
        // SAFETY: no memory is involved.
        checked(unsafe { libc::getsid(pid) }).map(Pid::from)
    }

    fn clock_gettime(&mut self, clock: i32) -> Result<TimeSpec, Errno> {
        let mut time = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `time` is owned here.
        checked(unsafe { libc::clock_gettime(clock, &mut time) })?;
        Ok(TimeSpec {
            seconds: time.tv_sec,
            nanoseconds: time.tv_nsec,
        })
    }

    fn nanosleep(&mut self, duration: TimeSpec) -> Result<(), Errno> {
        let request = libc::timespec {
            tv_sec: duration.seconds,
            tv_nsec: duration.nanoseconds,
        };
        // SAFETY: `request` is valid; no remainder is asked for.
        checked(unsafe { libc::nanosleep(&request, std::ptr::null_mut()) }).map(|_| ())
    }

    fn mmap_anonymous(&mut self, length: usize) -> Result<usize, Errno> {
        // SAFETY: a new anonymous private mapping, placed by the kernel, touches
        // no existing memory.
        let address = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                length,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if address == libc::MAP_FAILED {
            return Err(last_errno());
        }
        let address = address as usize;
        self.mappings.push((address, length));
        Ok(address)
    }

    fn munmap(&mut self, address: usize, length: usize) -> Result<(), Errno> {
        if !self.inside_mapping(address, length) {
            return Err(Errno::EFAULT);
        }
        // SAFETY: the range lies in a mapping this suite made, which nothing else uses.
        checked(unsafe { libc::munmap(address as *mut libc::c_void, length) })?;
        let end = address + length;
        self.mappings
            .retain(|&(start, size)| start + size <= address || end <= start);
        Ok(())
    }

    fn store(&mut self, address: usize, data: &[u8]) -> Result<(), Errno> {
        if !self.inside_mapping(address, data.len()) {
            return Err(Errno::EFAULT);
        }
        // SAFETY: the range lies in a live read-write mapping of this suite.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), address as *mut u8, data.len()) };
        Ok(())
    }

    fn load(&mut self, address: usize, buffer: &mut [u8]) -> Result<(), Errno> {
        if !self.inside_mapping(address, buffer.len()) {
            return Err(Errno::EFAULT);
        }
        // SAFETY: the range lies in a live read-write mapping of this suite.
        unsafe {
            std::ptr::copy_nonoverlapping(address as *const u8, buffer.as_mut_ptr(), buffer.len())
        };
        Ok(())
    }
}

fn main() {
    let mut posix = LinuxPosix::default();
    let (_, failed) = posix_tests::run_all(&mut posix);
    std::process::exit(i32::from(failed != 0));
}

//! `posix-tests`: the POSIX test suite of the `posix-tests` crate over
//! libc-shim. Prints one `ok`/`FAIL` line per check and `posix tests: N passed,
//! N failed`; exits 1 if any check failed. The Linux host runs the same checks
//! (`cargo run -p posix-tests --features host --bin posix-tests-linux`), and its
//! output is the expected one.
//!
//! The only `unsafe` code copies bytes into and out of anonymous mappings the
//! suite made, after checking that the range lies in one of them.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use core::convert::Infallible;

use libc_shim::file;
use libc_shim::memory;
use libc_shim::process;
use libc_shim::signal::{self, Action, Disposition};
use libc_shim::time;
use posix_tests::{
    Errno, Fd, FileStatus, OldSignalAction, Pid, Posix, SignalAction, SignalSet, TimeSpec,
};

libc_shim::main!(main);

/// KOITO through libc-shim, with the anonymous mappings the suite made.
#[derive(Default)]
struct KoitoPosix {
    /// (address, length) of each live mapping from `mmap_anonymous`.
    mappings: Vec<(usize, usize)>,
}

impl KoitoPosix {
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

fn file_status(status: &file::Stat) -> FileStatus {
    FileStatus {
        mode: status.mode,
        size: status.size,
        links: status.links,
    }
}

impl Posix for KoitoPosix {
    fn open(&mut self, path: &[u8], flags: i32, mode: u32) -> Result<Fd, Errno> {
        file::open(path, flags, mode)
    }

    fn close(&mut self, fd: Fd) -> Result<(), Errno> {
        file::close(fd)
    }

    fn read(&mut self, fd: Fd, buffer: &mut [u8]) -> Result<usize, Errno> {
        file::read(fd, buffer)
    }

    fn write(&mut self, fd: Fd, data: &[u8]) -> Result<usize, Errno> {
        file::write(fd, data)
    }

    fn lseek(&mut self, fd: Fd, offset: i64, whence: i32) -> Result<u64, Errno> {
        file::lseek(fd, offset, whence)
    }

    fn dup(&mut self, fd: Fd) -> Result<Fd, Errno> {
        file::dup(fd)
    }

    fn dup2(&mut self, old: Fd, new: Fd) -> Result<Fd, Errno> {
        file::dup2(old, new)
    }

    fn pipe(&mut self) -> Result<(Fd, Fd), Errno> {
        file::pipe()
    }

    fn fcntl(&mut self, fd: Fd, command: i32, argument: i32) -> Result<i32, Errno> {
        file::fcntl(fd, command, argument as i64 as u64).map(|value| value as i32)
    }

    fn stat(&mut self, path: &[u8]) -> Result<FileStatus, Errno> {
        file::stat(path).map(|status| file_status(&status))
    }

    fn fstat(&mut self, fd: Fd) -> Result<FileStatus, Errno> {
        file::fstat(fd).map(|status| file_status(&status))
    }

    fn lstat(&mut self, path: &[u8]) -> Result<FileStatus, Errno> {
        file::lstat(path).map(|status| file_status(&status))
    }

    fn read_directory(&mut self, path: &[u8]) -> Result<Vec<Vec<u8>>, Errno> {
        file::read_directory(path)
            .map(|entries| entries.into_iter().map(|entry| entry.name).collect())
    }

    fn mkdir(&mut self, path: &[u8], mode: u32) -> Result<(), Errno> {
        file::mkdir(path, mode)
    }

    fn rmdir(&mut self, path: &[u8]) -> Result<(), Errno> {
        file::rmdir(path)
    }

    fn unlink(&mut self, path: &[u8]) -> Result<(), Errno> {
        file::unlink(path)
    }

    fn rename(&mut self, old: &[u8], new: &[u8]) -> Result<(), Errno> {
        file::rename(old, new)
    }

    fn chdir(&mut self, path: &[u8]) -> Result<(), Errno> {
        file::chdir(path)
    }

    fn getcwd(&mut self) -> Result<Vec<u8>, Errno> {
        file::getcwd()
    }

    fn access(&mut self, path: &[u8], mode: i32) -> Result<(), Errno> {
        file::access(path, mode)
    }

    fn umask(&mut self, mask: u32) -> Result<u32, Errno> {
        Ok(file::umask(mask))
    }

    fn fork(&mut self) -> Result<Pid, Errno> {
        process::fork()
    }

    fn execve(
        &mut self,
        path: &[u8],
        arguments: &[&[u8]],
        environment: &[&[u8]],
    ) -> Result<Infallible, Errno> {
        Err(process::execve(path, arguments, environment))
    }

    fn waitpid(&mut self, pid: Pid, options: i32) -> Result<Option<(Pid, i32)>, Errno> {
        process::waitpid(pid, options)
    }

    fn exit(&mut self, status: i32) -> ! {
        process::exit_now(status)
    }

    fn getpid(&mut self) -> Result<Pid, Errno> {
        Ok(process::getpid())
    }

    fn getppid(&mut self) -> Result<Pid, Errno> {
        Ok(process::getppid())
    }

    fn kill(&mut self, pid: Pid, signal: i32) -> Result<(), Errno> {
        signal::kill(pid, signal)
    }

    fn sigaction(
        &mut self,
        signal: i32,
        action: Option<SignalAction>,
    ) -> Result<OldSignalAction, Errno> {
        let new = action.map(|action| {
            Action::new(match action {
                SignalAction::Default => Disposition::Default,
                SignalAction::Ignore => Disposition::Ignore,
                SignalAction::Handler(function) => Disposition::Handler(function),
            })
        });
        let old = signal::sigaction(signal, new)?;
        Ok(match old.disposition {
            Disposition::Default => OldSignalAction::Default,
            Disposition::Ignore => OldSignalAction::Ignore,
            Disposition::Handler(function) => {
                OldSignalAction::Handler(function as *const () as usize)
            }
        })
    }

    fn sigprocmask(&mut self, how: i32, set: Option<SignalSet>) -> Result<SignalSet, Errno> {
        signal::sigprocmask(how, set)
    }

    fn setpgid(&mut self, pid: Pid, group: Pid) -> Result<(), Errno> {
        process::setpgid(pid, group)
    }

    fn getpgid(&mut self, pid: Pid) -> Result<Pid, Errno> {
        process::getpgid(pid)
    }

    fn setsid(&mut self) -> Result<Pid, Errno> {
        process::setsid()
    }

    fn getsid(&mut self, pid: Pid) -> Result<Pid, Errno> {
        process::getsid(pid)
    }

    fn clock_gettime(&mut self, clock: i32) -> Result<TimeSpec, Errno> {
        time::clock_gettime(clock).map(|time| TimeSpec {
            seconds: time.seconds,
            nanoseconds: time.nanoseconds,
        })
    }

    fn nanosleep(&mut self, duration: TimeSpec) -> Result<(), Errno> {
        time::nanosleep(time::TimeSpec {
            seconds: duration.seconds,
            nanoseconds: duration.nanoseconds,
        })
    }

    fn mmap_anonymous(&mut self, length: usize) -> Result<usize, Errno> {
        let address =
            memory::mmap_anonymous(0, length as u64, memory::PROT_READ | memory::PROT_WRITE, 0)?
                as usize;
        self.mappings.push((address, length));
        Ok(address)
    }

    fn munmap(&mut self, address: usize, length: usize) -> Result<(), Errno> {
        if !self.inside_mapping(address, length) {
            return Err(Errno::EFAULT);
        }
        memory::munmap(address as u64, length as u64)?;
        let end = address + length;
        self.mappings
            .retain(|&(start, size)| start + size <= address || end <= start);
        Ok(())
    }

    fn store(&mut self, address: usize, data: &[u8]) -> Result<(), Errno> {
        if !self.inside_mapping(address, data.len()) {
            return Err(Errno::EFAULT);
        }
        // SAFETY: the range lies in a live read-write anonymous mapping this
        // suite made, which no Rust object occupies.
        unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), address as *mut u8, data.len()) };
        Ok(())
    }

    fn load(&mut self, address: usize, buffer: &mut [u8]) -> Result<(), Errno> {
        if !self.inside_mapping(address, buffer.len()) {
            return Err(Errno::EFAULT);
        }
        // SAFETY: as in `store`: a live read-write mapping of this suite.
        unsafe {
            core::ptr::copy_nonoverlapping(address as *const u8, buffer.as_mut_ptr(), buffer.len());
        };
        Ok(())
    }
}

fn main(_arguments: libc_shim::start::Arguments) -> i32 {
    let mut posix = KoitoPosix::default();
    let (_, failed) = posix_tests::run_all(&mut posix);
    i32::from(failed != 0)
}

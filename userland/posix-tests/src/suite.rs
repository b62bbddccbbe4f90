//! The suite's state and the helpers every group of checks uses: recording a
//! check, describing results as short deterministic text, running code in a
//! child process.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use posix_server_api::Errno;

use crate::posix::{Fd, Pid, Posix};

/// A run of the suite over one system.
pub struct Suite<'a, P: Posix> {
    /// The system.
    pub posix: &'a mut P,
    /// The per-run directory, e.g. `/tmp/posix-tests-42`.
    pub directory: Vec<u8>,
    passed: u32,
    failed: u32,
}

impl<'a, P: Posix> Suite<'a, P> {
    /// A suite over `posix` that works in `directory`.
    pub fn new(posix: &'a mut P, directory: Vec<u8>) -> Self {
        Self {
            posix,
            directory,
            passed: 0,
            failed: 0,
        }
    }

    /// (passed, failed) so far.
    #[must_use]
    pub const fn counts(&self) -> (u32, u32) {
        (self.passed, self.failed)
    }

    /// Records one check: prints `ok NAME: OBSERVED` or
    /// `FAIL NAME: OBSERVED (expected EXPECTED)`.
    pub fn check(&mut self, name: &str, observed: &str, expected: &str) {
        if observed == expected {
            self.passed += 1;
            self.print(&format!("ok {name}: {observed}\n"));
        } else {
            self.failed += 1;
            self.print(&format!("FAIL {name}: {observed} (expected {expected})\n"));
        }
    }

    /// Writes `text` to standard output, unbuffered (so that nothing is written
    /// twice after a fork).
    pub fn print(&mut self, text: &str) {
        let _ = write_all(self.posix, 1, text.as_bytes());
    }

    /// `directory/name`.
    #[must_use]
    pub fn path(&self, name: &str) -> Vec<u8> {
        let mut path = self.directory.clone();
        path.push(b'/');
        path.extend_from_slice(name.as_bytes());
        path
    }

    /// Creates (or truncates) the file `directory/name` holding `data`.
    pub fn make_file(&mut self, name: &str, data: &[u8]) -> Result<(), Errno> {
        use crate::posix::constants::{O_CREAT, O_TRUNC, O_WRONLY};
        let path = self.path(name);
        let fd = self
            .posix
            .open(&path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)?;
        let written = write_all(self.posix, fd, data);
        let closed = self.posix.close(fd);
        written.and(closed)
    }

    /// The contents of `path`, as [`bytes_text`] describes them, or the errno.
    pub fn contents(&mut self, path: &[u8]) -> String {
        use crate::posix::constants::O_RDONLY;
        match self.posix.open(path, O_RDONLY, 0) {
            Ok(fd) => {
                let data = read_to_end(self.posix, fd);
                let _ = self.posix.close(fd);
                match data {
                    Ok(data) => bytes_text(&data),
                    Err(errno) => errno.name().to_string(),
                }
            }
            Err(errno) => errno.name().to_string(),
        }
    }

    /// Runs `body` in a child process, which exits with what `body` returns;
    /// the child's wait status as [`status_text`] describes it.
    pub fn in_child(&mut self, body: impl FnOnce(&mut P) -> i32) -> String {
        match self.posix.fork() {
            Err(errno) => format!("fork {}", errno.name()),
            Ok(0) => {
                let code = body(self.posix);
                self.posix.exit(code)
            }
            Ok(child) => self.wait_text(child),
        }
    }

    /// Runs `body` in a child that sends back its observations (one per line
    /// through a pipe); the lines, or one line saying why there are none.
    pub fn child_observations(&mut self, body: impl FnOnce(&mut P) -> Vec<String>) -> Vec<String> {
        let (reader, writer) = match self.posix.pipe() {
            Ok(ends) => ends,
            Err(errno) => return alloc::vec![format!("pipe {}", errno.name())],
        };
        match self.posix.fork() {
            Err(errno) => {
                let _ = self.posix.close(reader);
                let _ = self.posix.close(writer);
                alloc::vec![format!("fork {}", errno.name())]
            }
            Ok(0) => {
                let _ = self.posix.close(reader);
                let lines = body(self.posix);
                let mut text = String::new();
                for line in lines {
                    text.push_str(&line);
                    text.push('\n');
                }
                let code = i32::from(write_all(self.posix, writer, text.as_bytes()).is_err());
                self.posix.exit(code)
            }
            Ok(child) => {
                let _ = self.posix.close(writer);
                let data = read_to_end(self.posix, reader);
                let _ = self.posix.close(reader);
                let status = self.wait_text(child);
                match data {
                    Ok(data) if status == "exited 0" => String::from_utf8_lossy_lines(&data),
                    Ok(_) => alloc::vec![format!("child {status}")],
                    Err(errno) => alloc::vec![format!("read {}", errno.name())],
                }
            }
        }
    }

    /// Waits for `child`: its status as [`status_text`] describes it.
    pub fn wait_text(&mut self, child: Pid) -> String {
        match self.posix.waitpid(child, 0) {
            Ok(Some((_, status))) => status_text(status),
            Ok(None) => "no status".to_string(),
            Err(errno) => errno.name().to_string(),
        }
    }

    /// A pid that names no process: a child that has exited and been reaped.
    pub fn dead_pid(&mut self) -> Pid {
        match self.posix.fork() {
            Ok(0) => self.posix.exit(0),
            Ok(child) => {
                let _ = self.posix.waitpid(child, 0);
                child
            }
            Err(_) => 30000,
        }
    }
}

/// Splitting a child's report into lines.
trait LossyLines {
    /// The lines of `data` (invalid UTF-8 replaced by `?`).
    fn from_utf8_lossy_lines(data: &[u8]) -> Vec<String>;
}

impl LossyLines for String {
    fn from_utf8_lossy_lines(data: &[u8]) -> Vec<String> {
        data.split(|&byte| byte == b'\n')
            .filter(|line| !line.is_empty())
            .map(|line| core::str::from_utf8(line).unwrap_or("?").to_string())
            .collect()
    }
}

/// Writes all of `data` to `fd`.
///
/// # Errors
/// The first error (`EIO` if a write makes no progress).
pub fn write_all<P: Posix + ?Sized>(posix: &mut P, fd: Fd, mut data: &[u8]) -> Result<(), Errno> {
    while !data.is_empty() {
        let written = posix.write(fd, data)?;
        if written == 0 {
            return Err(Errno::EIO);
        }
        data = data.get(written..).unwrap_or(&[]);
    }
    Ok(())
}

/// Reads `fd` until end of file.
///
/// # Errors
/// The first error.
pub fn read_to_end<P: Posix + ?Sized>(posix: &mut P, fd: Fd) -> Result<Vec<u8>, Errno> {
    let mut all = Vec::new();
    let mut chunk = alloc::vec![0u8; 4096];
    loop {
        let count = posix.read(fd, &mut chunk)?;
        if count == 0 {
            return Ok(all);
        }
        all.extend_from_slice(chunk.get(..count).unwrap_or(&[]));
    }
}

/// `ok`, or the errno's name.
#[must_use]
pub fn outcome<T>(result: &Result<T, Errno>) -> String {
    match result {
        Ok(_) => "ok".to_string(),
        Err(errno) => errno.name().to_string(),
    }
}

/// The value as text, or the errno's name.
#[must_use]
pub fn value_text<T: core::fmt::Display>(result: &Result<T, Errno>) -> String {
    match result {
        Ok(value) => value.to_string(),
        Err(errno) => errno.name().to_string(),
    }
}

/// `3 bytes "abc"` (non-printable bytes as `\xNN`).
#[must_use]
pub fn bytes_text(data: &[u8]) -> String {
    let mut text = format!("{} bytes \"", data.len());
    for &byte in data {
        if byte.is_ascii_graphic() || byte == b' ' {
            text.push(char::from(byte));
        } else {
            text.push_str(&format!("\\x{byte:02x}"));
        }
    }
    text.push('"');
    text
}

/// A wait status: `exited 7`, `signaled 15`, `stopped 19`.
#[must_use]
pub fn status_text(status: i32) -> String {
    let low = status & 0x7f;
    if low == 0 {
        format!("exited {}", (status >> 8) & 0xff)
    } else if low == 0x7f {
        format!("stopped {}", (status >> 8) & 0xff)
    } else {
        format!("signaled {low}")
    }
}

/// The file type of `mode`: `directory`, `regular`, `fifo` or `other`.
#[must_use]
pub fn file_type(mode: u32) -> &'static str {
    use crate::posix::constants::{S_IFDIR, S_IFIFO, S_IFMT, S_IFREG};
    match mode & S_IFMT {
        S_IFDIR => "directory",
        S_IFREG => "regular",
        S_IFIFO => "fifo",
        _ => "other",
    }
}

/// Reads once from `fd` (at most `limit` bytes): [`bytes_text`] or the errno.
pub fn read_text<P: Posix + ?Sized>(posix: &mut P, fd: Fd, limit: usize) -> String {
    let mut buffer = alloc::vec![0u8; limit];
    match posix.read(fd, &mut buffer) {
        Ok(count) => bytes_text(buffer.get(..count).unwrap_or(&[])),
        Err(errno) => errno.name().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{bytes_text, file_type, status_text};

    #[test]
    fn wait_statuses_read_as_linux_encodes_them() {
        assert_eq!(status_text(7 << 8), "exited 7");
        assert_eq!(status_text(15), "signaled 15");
        assert_eq!(status_text(0x80 | 11), "signaled 11");
        assert_eq!(status_text((19 << 8) | 0x7f), "stopped 19");
    }

    #[test]
    fn bytes_are_quoted_with_escapes() {
        assert_eq!(bytes_text(b"abc"), "3 bytes \"abc\"");
        assert_eq!(bytes_text(&[0, b'a']), "2 bytes \"\\x00a\"");
        assert_eq!(bytes_text(b""), "0 bytes \"\"");
    }

    #[test]
    fn file_types_come_from_the_mode() {
        assert_eq!(file_type(0o040_755), "directory");
        assert_eq!(file_type(0o100_644), "regular");
        assert_eq!(file_type(0o010_600), "fifo");
        assert_eq!(file_type(0o020_666), "other");
    }
}

//! `cat [file...]`: copies each file (`-` or none: standard input) to standard output.
#![no_std]
#![no_main]
#![forbid(unsafe_code)]

extern crate alloc;

use libc_shim::Errno;
use libc_shim::file::{self, Fd, STDIN, STDOUT};

libc_shim::main!(main);

/// Bytes copied per read.
const CHUNK_BYTES: usize = 64 * 1024;

/// Why a copy stopped.
enum CopyError {
    /// Reading the input failed.
    Read(Errno),
    /// Writing standard output failed.
    Write(Errno),
}

fn main(arguments: libc_shim::start::Arguments) -> i32 {
    let mut buffer = alloc::vec![0u8; CHUNK_BYTES];
    let names: alloc::vec::Vec<&[u8]> = arguments.iter().skip(1).collect();
    let names = if names.is_empty() {
        alloc::vec![&b"-"[..]]
    } else {
        names
    };
    let mut status = 0;
    for name in names {
        let (fd, opened) = if name == b"-" {
            (STDIN, false)
        } else {
            match file::open(name, file::flags::O_RDONLY, 0) {
                Ok(fd) => (fd, true),
                Err(errno) => {
                    koito_programs::report("cat", name, errno);
                    status = 1;
                    continue;
                }
            }
        };
        let result = copy(fd, &mut buffer);
        if opened {
            let _ = file::close(fd);
        }
        match result {
            Ok(()) => {}
            Err(CopyError::Read(errno)) => {
                koito_programs::report("cat", name, errno);
                status = 1;
            }
            Err(CopyError::Write(errno)) => {
                koito_programs::report("cat", b"write error", errno);
                return 1;
            }
        }
    }
    status
}

/// Copies `fd` to standard output until end of file.
fn copy(fd: Fd, buffer: &mut [u8]) -> Result<(), CopyError> {
    loop {
        let count = file::read(fd, buffer).map_err(CopyError::Read)?;
        let Some(data) = buffer.get(..count) else {
            return Err(CopyError::Read(Errno::EIO));
        };
        if data.is_empty() {
            return Ok(());
        }
        file::write_all(STDOUT, data).map_err(CopyError::Write)?;
    }
}

//! `rm [-r] [-f] path...`: removes files (`-r`: directories with everything in
//! them; `-f`: no error for missing paths).
#![no_std]
#![no_main]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::vec::Vec;

use libc_shim::Errno;
use libc_shim::file;

libc_shim::main!(main);

fn main(arguments: libc_shim::start::Arguments) -> i32 {
    let line = match koito_programs::parse_command_line(arguments, b"rRf") {
        Ok(line) => line,
        Err(letter) => {
            libc_shim::eprintln!("rm: invalid option -- '{}'", char::from(letter));
            return 1;
        }
    };
    let recursive = line.has(b'r') || line.has(b'R');
    let force = line.has(b'f');
    if line.operands.is_empty() && !force {
        libc_shim::eprintln!("rm: missing operand");
        return 1;
    }
    let mut status = 0;
    for &path in &line.operands {
        let last = path
            .rsplit(|&byte| byte == b'/')
            .find(|part| !part.is_empty())
            .unwrap_or(path);
        if last == b"." || last == b".." {
            libc_shim::eprintln!(
                "rm: refusing to remove '.' or '..' directory: skipping '{}'",
                koito_programs::text(path)
            );
            status = 1;
            continue;
        }
        if !remove(path, recursive, force) {
            status = 1;
        }
    }
    status
}

/// Removes `path`, reporting each failure; true when everything went.
fn remove(path: &[u8], recursive: bool, force: bool) -> bool {
    let stat = match file::lstat(path) {
        Ok(stat) => stat,
        Err(Errno::ENOENT) if force => return true,
        Err(errno) => return failed(path, errno),
    };
    if !stat.is_directory() {
        return file::unlink(path).map_or_else(|errno| failed(path, errno), |()| true);
    }
    if !recursive {
        return failed(path, Errno::EISDIR);
    }
    let entries = match file::read_directory(path) {
        Ok(entries) => entries,
        Err(errno) => return failed(path, errno),
    };
    let mut all_removed = true;
    for entry in entries {
        if entry.name == b"." || entry.name == b".." {
            continue;
        }
        let mut child: Vec<u8> = path.to_vec();
        if !child.ends_with(b"/") {
            child.push(b'/');
        }
        child.extend_from_slice(&entry.name);
        all_removed &= remove(&child, recursive, force);
    }
    if !all_removed {
        return false;
    }
    file::rmdir(path).map_or_else(|errno| failed(path, errno), |()| true)
}

/// Reports that `path` could not be removed; false.
fn failed(path: &[u8], errno: Errno) -> bool {
    libc_shim::eprintln!(
        "rm: cannot remove '{}': {}",
        koito_programs::text(path),
        errno.message()
    );
    false
}

//! `mkdir [-p] directory...`: makes directories (`-p`: with their parents, and
//! no error when one exists).
#![no_std]
#![no_main]
#![forbid(unsafe_code)]

use libc_shim::Errno;
use libc_shim::file;

libc_shim::main!(main);

/// The mode of a new directory (before the umask).
const MODE: u32 = 0o777;

fn main(arguments: libc_shim::start::Arguments) -> i32 {
    let line = match koito_programs::parse_command_line(arguments, b"p") {
        Ok(line) => line,
        Err(letter) => {
            libc_shim::eprintln!("mkdir: invalid option -- '{}'", char::from(letter));
            return 1;
        }
    };
    if line.operands.is_empty() {
        libc_shim::eprintln!("mkdir: missing operand");
        return 1;
    }
    let parents = line.has(b'p');
    let mut status = 0;
    for &path in &line.operands {
        let result = if parents {
            make_with_parents(path)
        } else {
            file::mkdir(path, MODE)
        };
        if let Err(errno) = result {
            libc_shim::eprintln!(
                "mkdir: cannot create directory '{}': {}",
                koito_programs::text(path),
                errno.message()
            );
            status = 1;
        }
    }
    status
}

/// Makes `path` and every missing directory above it.
fn make_with_parents(path: &[u8]) -> Result<(), Errno> {
    let ends = path
        .iter()
        .enumerate()
        .filter(|&(index, &byte)| byte == b'/' && index > 0)
        .map(|(index, _)| index)
        .chain(core::iter::once(path.len()));
    for end in ends {
        let Some(prefix) = path.get(..end) else {
            continue;
        };
        if prefix.ends_with(b"/") {
            continue;
        }
        match file::mkdir(prefix, MODE) {
            Ok(()) => {}
            Err(Errno::EEXIST) if file::stat(prefix).is_ok_and(|stat| stat.is_directory()) => {}
            Err(errno) => return Err(errno),
        }
    }
    Ok(())
}

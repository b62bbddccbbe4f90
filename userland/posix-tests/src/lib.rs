//! A POSIX test suite written once against the [`Posix`] trait and run on two
//! systems: on KOITO over libc-shim (`/bin/posix-tests`) and on the Linux host
//! over the `libc` crate (`posix-tests-linux`, the oracle). Every check prints
//! one line, `ok NAME: OBSERVED` or `FAIL NAME: OBSERVED (expected EXPECTED)`,
//! where OBSERVED is short deterministic text (no pids, inode numbers or
//! times), so the two outputs can be compared line by line; the last line is
//! `posix tests: N passed, N failed`.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod checks;
pub mod posix;
pub mod suite;

use alloc::format;
use alloc::vec::Vec;

pub use posix::{Fd, FileStatus, OldSignalAction, Pid, Posix, SignalAction, SignalSet, TimeSpec};
pub use posix_server_api::Errno;
pub use suite::Suite;

/// How deep the clean-up descends into the test directory.
const CLEANUP_DEPTH: usize = 8;

/// Runs every check in `/tmp/posix-tests-PID`, removes the directory, prints the
/// summary line and returns (passed, failed).
pub fn run_all<P: Posix>(posix: &mut P) -> (u32, u32) {
    let pid = posix.getpid().unwrap_or(0);
    let directory = format!("/tmp/posix-tests-{pid}").into_bytes();
    let mut suite = Suite::new(posix, directory.clone());
    let _ = remove_tree(suite.posix, &directory, CLEANUP_DEPTH);
    let made = suite.posix.mkdir(&directory, 0o755);
    suite.check("mkdir of the test directory", &suite::outcome(&made), "ok");
    checks::files::run(&mut suite);
    checks::descriptors::run(&mut suite);
    checks::directories::run(&mut suite);
    checks::pipes::run(&mut suite);
    checks::processes::run(&mut suite);
    checks::signals::run(&mut suite);
    checks::time::run(&mut suite);
    checks::memory::run(&mut suite);
    let removed = remove_tree(suite.posix, &directory, CLEANUP_DEPTH);
    suite.check(
        "removal of the test directory",
        &suite::outcome(&removed),
        "ok",
    );
    let (passed, failed) = suite.counts();
    suite.print(&format!("posix tests: {passed} passed, {failed} failed\n"));
    (passed, failed)
}

/// Removes `path` and, for a directory, everything in it (at most `depth` levels).
///
/// # Errors
/// The first errno that stops the removal.
pub fn remove_tree<P: Posix + ?Sized>(
    posix: &mut P,
    path: &[u8],
    depth: usize,
) -> Result<(), Errno> {
    let status = posix.lstat(path)?;
    if status.mode & posix::constants::S_IFMT != posix::constants::S_IFDIR {
        return posix.unlink(path);
    }
    if depth == 0 {
        return Err(Errno::ELOOP);
    }
    let names = posix.read_directory(path)?;
    for name in names {
        if name == b"." || name == b".." {
            continue;
        }
        let mut child: Vec<u8> = path.to_vec();
        child.push(b'/');
        child.extend_from_slice(&name);
        remove_tree(posix, &child, depth - 1)?;
    }
    posix.rmdir(path)
}

//! Memory: anonymous mmap (zero-filled, writable, private across fork),
//! munmap, and their errors.

use alloc::string::ToString;

use crate::posix::Posix;
use crate::suite::{Suite, outcome};

/// The page size both systems use.
const PAGE: usize = 4096;
/// Bytes of the test mapping: two pages.
const LENGTH: usize = 2 * PAGE;

/// Runs the memory checks.
pub fn run<P: Posix>(suite: &mut Suite<'_, P>) {
    let mapped = suite.posix.mmap_anonymous(LENGTH);
    let observed = match mapped {
        Ok(address) if address % PAGE == 0 && address != 0 => "page aligned".to_string(),
        Ok(_) => "misaligned".to_string(),
        Err(errno) => errno.name().to_string(),
    };
    suite.check("mmap of 2 anonymous pages", &observed, "page aligned");
    let Ok(address) = mapped else { return };
    let mut contents = [0xffu8; LENGTH];
    let loaded = suite.posix.load(address, &mut contents);
    let observed = match loaded {
        Ok(()) if contents.iter().all(|&byte| byte == 0) => "zeros",
        Ok(()) => "not zeros",
        Err(errno) => errno.name(),
    };
    suite.check("fresh anonymous memory", observed, "zeros");
    let stored = suite.posix.store(address + PAGE - 2, b"span");
    let mut back = [0u8; 4];
    let loaded = suite.posix.load(address + PAGE - 2, &mut back);
    let observed = match (stored, loaded) {
        (Ok(()), Ok(())) => crate::suite::bytes_text(&back),
        (Err(errno), _) | (_, Err(errno)) => errno.name().to_string(),
    };
    suite.check(
        "write across the page boundary and read back",
        &observed,
        "4 bytes \"span\"",
    );

    let other = suite.posix.mmap_anonymous(PAGE);
    let observed = match other {
        Ok(second) if second + PAGE <= address || address + LENGTH <= second => "disjoint",
        Ok(_) => "overlapping",
        Err(errno) => errno.name(),
    };
    suite.check("a second mapping", observed, "disjoint");
    if let Ok(second) = other {
        let result = suite.posix.munmap(second, PAGE);
        suite.check("munmap of the second mapping", &outcome(&result), "ok");
    }

    let status = suite.in_child(|posix| {
        let _ = posix.store(address, b"child");
        let mut seen = [0u8; 5];
        let _ = posix.load(address, &mut seen);
        i32::from(&seen != b"child")
    });
    let mut parent = [0u8; 5];
    let _ = suite.posix.load(address, &mut parent);
    let observed = alloc::format!(
        "{status}, parent sees {}",
        crate::suite::bytes_text(&parent)
    );
    suite.check(
        "a child's write to private memory",
        &observed,
        "exited 0, parent sees 5 bytes \"\\x00\\x00\\x00\\x00\\x00\"",
    );

    let result = suite.posix.munmap(address + 1, PAGE);
    suite.check(
        "munmap of a misaligned address",
        &outcome(&result),
        "EINVAL",
    );
    let result = suite.posix.munmap(address, 0);
    suite.check("munmap of length 0", &outcome(&result), "EINVAL");
    let result = suite.posix.munmap(address, LENGTH);
    suite.check("munmap", &outcome(&result), "ok");
    let result = suite.posix.mmap_anonymous(0);
    suite.check("mmap of length 0", &outcome(&result), "EINVAL");
}

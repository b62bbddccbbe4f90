//! Regular files: open flags and their errors, read, write, lseek, O_APPEND,
//! O_TRUNC, holes, creation modes, unlinking an open file, close.

use alloc::format;
use alloc::string::ToString;

use crate::posix::Posix;
use crate::posix::constants::{
    O_APPEND, O_CREAT, O_DIRECTORY, O_EXCL, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, SEEK_CUR,
    SEEK_END, SEEK_SET,
};
use crate::suite::{Suite, bytes_text, outcome, read_text, value_text};

/// Runs the file checks.
pub fn run<P: Posix>(suite: &mut Suite<'_, P>) {
    basic_io(suite);
    open_errors(suite);
    append_and_truncate(suite);
    seeking(suite);
    creation_modes(suite);
    unlink_open_file(suite);
}

fn basic_io<P: Posix>(suite: &mut Suite<'_, P>) {
    let path = suite.path("basic");
    let opened = suite.posix.open(&path, O_RDWR | O_CREAT | O_EXCL, 0o644);
    suite.check("open O_CREAT|O_EXCL of a new file", &outcome(&opened), "ok");
    let Ok(fd) = opened else { return };
    let written = suite.posix.write(fd, b"abc");
    suite.check("write 3 bytes", &value_text(&written), "3");
    let written = suite.posix.write(fd, b"");
    suite.check("write 0 bytes", &value_text(&written), "0");
    let offset = suite.posix.lseek(fd, 0, SEEK_SET);
    suite.check("lseek SEEK_SET 0", &value_text(&offset), "0");
    let text = read_text(suite.posix, fd, 16);
    suite.check("read back", &text, "3 bytes \"abc\"");
    let text = read_text(suite.posix, fd, 16);
    suite.check("read at end of file", &text, "0 bytes \"\"");
    let status = suite.posix.fstat(fd);
    let observed = match &status {
        Ok(status) => format!("{} {}", crate::suite::file_type(status.mode), status.size),
        Err(errno) => errno.name().to_string(),
    };
    suite.check("fstat of a regular file", &observed, "regular 3");
    let links = suite.posix.fstat(fd).map(|status| status.links);
    suite.check("fstat link count of a new file", &value_text(&links), "1");
    let closed = suite.posix.close(fd);
    suite.check("close", &outcome(&closed), "ok");
    let closed = suite.posix.close(fd);
    suite.check("close of a closed descriptor", &outcome(&closed), "EBADF");
    let mut buffer = [0u8; 4];
    let read = suite.posix.read(fd, &mut buffer);
    suite.check("read of a closed descriptor", &outcome(&read), "EBADF");
    let written = suite.posix.write(fd, b"x");
    suite.check("write of a closed descriptor", &outcome(&written), "EBADF");

    let fd = suite.posix.open(&path, O_WRONLY, 0);
    if let Ok(fd) = fd {
        let read = suite.posix.read(fd, &mut buffer);
        suite.check("read of a write-only descriptor", &outcome(&read), "EBADF");
        let _ = suite.posix.close(fd);
    }
    let fd = suite.posix.open(&path, O_RDONLY, 0);
    if let Ok(fd) = fd {
        let written = suite.posix.write(fd, b"x");
        suite.check(
            "write of a read-only descriptor",
            &outcome(&written),
            "EBADF",
        );
        let _ = suite.posix.close(fd);
    }
}

fn open_errors<P: Posix>(suite: &mut Suite<'_, P>) {
    let _ = suite.make_file("existing", b"data");
    let existing = suite.path("existing");
    let result = suite
        .posix
        .open(&existing, O_RDWR | O_CREAT | O_EXCL, 0o644);
    suite.check(
        "open O_CREAT|O_EXCL of an existing file",
        &outcome(&result),
        "EEXIST",
    );
    let missing = suite.path("missing");
    let result = suite.posix.open(&missing, O_RDONLY, 0);
    suite.check("open of a missing file", &outcome(&result), "ENOENT");
    let result = suite.posix.open(b"", O_RDONLY, 0);
    suite.check("open of the empty path", &outcome(&result), "ENOENT");
    let under_file = suite.path("existing/inside");
    let result = suite.posix.open(&under_file, O_RDONLY, 0);
    suite.check("open of a path under a file", &outcome(&result), "ENOTDIR");
    let result = suite.posix.open(&existing, O_RDONLY | O_DIRECTORY, 0);
    suite.check("open O_DIRECTORY of a file", &outcome(&result), "ENOTDIR");
    let directory = suite.directory.clone();
    let result = suite.posix.open(&directory, O_WRONLY, 0);
    suite.check(
        "open of a directory for writing",
        &outcome(&result),
        "EISDIR",
    );
    let result = suite.posix.open(&directory, O_RDONLY | O_DIRECTORY, 0);
    suite.check("open O_DIRECTORY of a directory", &outcome(&result), "ok");
    if let Ok(fd) = result {
        let mut buffer = [0u8; 8];
        let read = suite.posix.read(fd, &mut buffer);
        suite.check("read of a directory descriptor", &outcome(&read), "EISDIR");
        let _ = suite.posix.close(fd);
    }
    let in_missing = suite.path("missing/new");
    let result = suite.posix.open(&in_missing, O_WRONLY | O_CREAT, 0o644);
    suite.check(
        "open O_CREAT in a missing directory",
        &outcome(&result),
        "ENOENT",
    );
}

fn append_and_truncate<P: Posix>(suite: &mut Suite<'_, P>) {
    let _ = suite.make_file("append", b"abc");
    let path = suite.path("append");
    if let Ok(fd) = suite.posix.open(&path, O_WRONLY | O_APPEND, 0) {
        let _ = suite.posix.lseek(fd, 0, SEEK_SET);
        let _ = suite.posix.write(fd, b"def");
        let offset = suite.posix.lseek(fd, 0, SEEK_CUR);
        suite.check("O_APPEND offset after a write", &value_text(&offset), "6");
        let _ = suite.posix.close(fd);
    }
    let contents = suite.contents(&path);
    suite.check(
        "O_APPEND appends despite lseek 0",
        &contents,
        "6 bytes \"abcdef\"",
    );
    let result = suite.posix.open(&path, O_WRONLY | O_TRUNC, 0);
    suite.check("open O_TRUNC", &outcome(&result), "ok");
    if let Ok(fd) = result {
        let size = suite.posix.fstat(fd).map(|status| status.size);
        suite.check("O_TRUNC empties the file", &value_text(&size), "0");
        let _ = suite.posix.close(fd);
    }
    let result = suite.posix.open(&path, O_RDWR | O_CREAT, 0o644);
    if let Ok(fd) = result {
        let _ = suite.posix.write(fd, b"xyz");
        let _ = suite.posix.close(fd);
    }
    let contents = suite.contents(&path);
    suite.check(
        "O_CREAT of an existing file keeps it",
        &contents,
        "3 bytes \"xyz\"",
    );
}

fn seeking<P: Posix>(suite: &mut Suite<'_, P>) {
    let _ = suite.make_file("seek", b"abcdef");
    let path = suite.path("seek");
    let Ok(fd) = suite.posix.open(&path, O_RDWR, 0) else {
        suite.check("open for seeking", "failed", "ok");
        return;
    };
    let offset = suite.posix.lseek(fd, 0, SEEK_END);
    suite.check("lseek SEEK_END", &value_text(&offset), "6");
    let offset = suite.posix.lseek(fd, -2, SEEK_CUR);
    suite.check("lseek SEEK_CUR -2", &value_text(&offset), "4");
    let text = read_text(suite.posix, fd, 16);
    suite.check("read after lseek", &text, "2 bytes \"ef\"");
    let offset = suite.posix.lseek(fd, -100, SEEK_SET);
    suite.check("lseek to a negative offset", &outcome(&offset), "EINVAL");
    let offset = suite.posix.lseek(fd, 0, 99);
    suite.check("lseek with a bad whence", &outcome(&offset), "EINVAL");
    let offset = suite.posix.lseek(-1, 0, SEEK_SET);
    suite.check("lseek of a bad descriptor", &outcome(&offset), "EBADF");
    let _ = suite.posix.lseek(fd, 10, SEEK_SET);
    let _ = suite.posix.write(fd, b"z");
    let size = suite.posix.fstat(fd).map(|status| status.size);
    suite.check(
        "write past the end extends the file",
        &value_text(&size),
        "11",
    );
    let _ = suite.posix.lseek(fd, 6, SEEK_SET);
    let mut hole = [0xffu8; 4];
    let read = suite.posix.read(fd, &mut hole);
    let observed = match read {
        Ok(count) => bytes_text(hole.get(..count).unwrap_or(&[])),
        Err(errno) => errno.name().to_string(),
    };
    suite.check(
        "a hole reads as zeros",
        &observed,
        "4 bytes \"\\x00\\x00\\x00\\x00\"",
    );
    let _ = suite.posix.close(fd);
}

fn creation_modes<P: Posix>(suite: &mut Suite<'_, P>) {
    let old = suite.posix.umask(0o022);
    let path = suite.path("mode644");
    if let Ok(fd) = suite.posix.open(&path, O_WRONLY | O_CREAT | O_EXCL, 0o644) {
        let _ = suite.posix.close(fd);
    }
    let mode = suite
        .posix
        .stat(&path)
        .map(|status| format!("{:o}", status.mode & 0o777));
    suite.check(
        "create with mode 0644 under umask 022",
        &value_text(&mode),
        "644",
    );
    let _ = suite.posix.umask(0o077);
    let path = suite.path("mode600");
    if let Ok(fd) = suite.posix.open(&path, O_WRONLY | O_CREAT | O_EXCL, 0o666) {
        let _ = suite.posix.close(fd);
    }
    let mode = suite
        .posix
        .stat(&path)
        .map(|status| format!("{:o}", status.mode & 0o777));
    suite.check(
        "create with mode 0666 under umask 077",
        &value_text(&mode),
        "600",
    );
    let _ = suite.posix.umask(old.unwrap_or(0o022));
}

fn unlink_open_file<P: Posix>(suite: &mut Suite<'_, P>) {
    let _ = suite.make_file("unlinked", b"keep");
    let path = suite.path("unlinked");
    let Ok(fd) = suite.posix.open(&path, O_RDONLY, 0) else {
        suite.check("open before unlink", "failed", "ok");
        return;
    };
    let unlinked = suite.posix.unlink(&path);
    suite.check("unlink of an open file", &outcome(&unlinked), "ok");
    let gone = suite.posix.stat(&path);
    suite.check("stat of an unlinked open file", &outcome(&gone), "ENOENT");
    let text = read_text(suite.posix, fd, 16);
    suite.check(
        "an unlinked open file is still readable",
        &text,
        "4 bytes \"keep\"",
    );
    let _ = suite.posix.close(fd);
}

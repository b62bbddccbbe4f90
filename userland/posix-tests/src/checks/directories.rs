//! Directories and names: mkdir, rmdir, unlink, rename, stat/lstat types,
//! directory listings, chdir/getcwd, access, umask.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::posix::constants::{F_OK, O_RDONLY, R_OK, W_OK, X_OK};
use crate::posix::{FileStatus, Posix};
use crate::suite::{Suite, file_type, outcome, value_text};
use posix_server_api::Errno;

/// Runs the directory checks.
pub fn run<P: Posix>(suite: &mut Suite<'_, P>) {
    making_directories(suite);
    file_status(suite);
    listing(suite);
    removing(suite);
    renaming(suite);
    working_directory(suite);
    access_and_umask(suite);
}

fn type_text(result: &Result<FileStatus, Errno>) -> String {
    match result {
        Ok(status) => file_type(status.mode).to_string(),
        Err(errno) => errno.name().to_string(),
    }
}

fn mode_text(result: &Result<FileStatus, Errno>) -> String {
    match result {
        Ok(status) => format!("{:o}", status.mode & 0o7777),
        Err(errno) => errno.name().to_string(),
    }
}

fn making_directories<P: Posix>(suite: &mut Suite<'_, P>) {
    let old = suite.posix.umask(0o022);
    let path = suite.path("d755");
    let made = suite.posix.mkdir(&path, 0o755);
    suite.check("mkdir", &outcome(&made), "ok");
    let status = suite.posix.stat(&path);
    suite.check(
        "mkdir 0755 under umask 022: mode",
        &mode_text(&status),
        "755",
    );
    let path_777 = suite.path("d777");
    let _ = suite.posix.mkdir(&path_777, 0o777);
    let status = suite.posix.stat(&path_777);
    suite.check(
        "mkdir 0777 under umask 022: mode",
        &mode_text(&status),
        "755",
    );
    let _ = suite.posix.umask(old.unwrap_or(0o022));
    let made = suite.posix.mkdir(&path, 0o755);
    suite.check("mkdir of an existing directory", &outcome(&made), "EEXIST");
    let _ = suite.make_file("plain", b"plain");
    let plain = suite.path("plain");
    let made = suite.posix.mkdir(&plain, 0o755);
    suite.check("mkdir over an existing file", &outcome(&made), "EEXIST");
    let nested = suite.path("missing/child");
    let made = suite.posix.mkdir(&nested, 0o755);
    suite.check("mkdir in a missing directory", &outcome(&made), "ENOENT");
    let under_file = suite.path("plain/child");
    let made = suite.posix.mkdir(&under_file, 0o755);
    suite.check("mkdir under a file", &outcome(&made), "ENOTDIR");
}

fn file_status<P: Posix>(suite: &mut Suite<'_, P>) {
    let directory = suite.path("d755");
    let plain = suite.path("plain");
    let status = suite.posix.stat(&directory);
    suite.check(
        "stat of a directory: S_ISDIR",
        &type_text(&status),
        "directory",
    );
    let status = suite.posix.stat(&plain);
    suite.check("stat of a file: S_ISREG", &type_text(&status), "regular");
    let size = suite.posix.stat(&plain).map(|status| status.size);
    suite.check("stat size", &value_text(&size), "5");
    let status = suite.posix.stat(b"/");
    suite.check("stat of /", &type_text(&status), "directory");
    let status = suite.posix.lstat(&plain);
    suite.check("lstat of a file", &type_text(&status), "regular");
    let status = suite.posix.lstat(&directory);
    suite.check("lstat of a directory", &type_text(&status), "directory");
    let missing = suite.path("missing");
    let status = suite.posix.stat(&missing);
    suite.check("stat of a missing file", &outcome(&status), "ENOENT");
    let status = suite.posix.lstat(&missing);
    suite.check("lstat of a missing file", &outcome(&status), "ENOENT");
    let mut slash = plain.clone();
    slash.push(b'/');
    let status = suite.posix.stat(&slash);
    suite.check(
        "stat of a file with a trailing slash",
        &outcome(&status),
        "ENOTDIR",
    );
    let status = suite.posix.fstat(-1);
    suite.check("fstat of a bad descriptor", &outcome(&status), "EBADF");
    if let Ok(fd) = suite.posix.open(&directory, O_RDONLY, 0) {
        let status = suite.posix.fstat(fd);
        suite.check(
            "fstat of a directory descriptor",
            &type_text(&status),
            "directory",
        );
        let _ = suite.posix.close(fd);
    }
}

fn names_text(result: Result<Vec<Vec<u8>>, Errno>, with_dots: bool) -> String {
    match result {
        Ok(mut names) => {
            if !with_dots {
                names.retain(|name| name != b"." && name != b"..");
            }
            names.sort();
            let names: Vec<&str> = names
                .iter()
                .map(|name| core::str::from_utf8(name).unwrap_or("?"))
                .collect();
            names.join(" ")
        }
        Err(errno) => errno.name().to_string(),
    }
}

fn listing<P: Posix>(suite: &mut Suite<'_, P>) {
    let directory = suite.path("list");
    let _ = suite.posix.mkdir(&directory, 0o755);
    let _ = suite.make_file("list/b", b"");
    let _ = suite.make_file("list/a", b"");
    let sub = suite.path("list/c");
    let _ = suite.posix.mkdir(&sub, 0o755);
    let names = suite.posix.read_directory(&directory);
    suite.check("read_directory names", &names_text(names, false), "a b c");
    let names = suite.posix.read_directory(&directory);
    suite.check(
        "read_directory includes . and ..",
        &names_text(names, true),
        ". .. a b c",
    );
    let empty = suite.posix.read_directory(&sub);
    suite.check(
        "read_directory of an empty directory",
        &names_text(empty, false),
        "",
    );
    let missing = suite.path("missing");
    let result = suite.posix.read_directory(&missing);
    suite.check(
        "read_directory of a missing directory",
        &outcome(&result),
        "ENOENT",
    );
    let plain = suite.path("plain");
    let result = suite.posix.read_directory(&plain);
    suite.check("read_directory of a file", &outcome(&result), "ENOTDIR");
}

fn removing<P: Posix>(suite: &mut Suite<'_, P>) {
    let directory = suite.path("list");
    let result = suite.posix.rmdir(&directory);
    suite.check(
        "rmdir of a non-empty directory",
        &outcome(&result),
        "ENOTEMPTY",
    );
    let plain = suite.path("plain");
    let result = suite.posix.rmdir(&plain);
    suite.check("rmdir of a file", &outcome(&result), "ENOTDIR");
    let missing = suite.path("missing");
    let result = suite.posix.rmdir(&missing);
    suite.check("rmdir of a missing directory", &outcome(&result), "ENOENT");
    let mut dot = suite.path("list/c");
    dot.extend_from_slice(b"/.");
    let result = suite.posix.rmdir(&dot);
    suite.check("rmdir of a path ending in .", &outcome(&result), "EINVAL");
    let sub = suite.path("list/c");
    let result = suite.posix.rmdir(&sub);
    suite.check("rmdir of an empty directory", &outcome(&result), "ok");
    let result = suite.posix.stat(&sub);
    suite.check("stat after rmdir", &outcome(&result), "ENOENT");
    let result = suite.posix.unlink(&directory);
    suite.check("unlink of a directory", &outcome(&result), "EISDIR");
    let result = suite.posix.unlink(&missing);
    suite.check("unlink of a missing file", &outcome(&result), "ENOENT");
    let file = suite.path("list/a");
    let result = suite.posix.unlink(&file);
    suite.check("unlink of a file", &outcome(&result), "ok");
    let result = suite.posix.stat(&file);
    suite.check("stat after unlink", &outcome(&result), "ENOENT");
}

fn renaming<P: Posix>(suite: &mut Suite<'_, P>) {
    let _ = suite.make_file("rename-old", b"new");
    let _ = suite.make_file("rename-target", b"previous");
    let old = suite.path("rename-old");
    let target = suite.path("rename-target");
    let result = suite.posix.rename(&old, &target);
    suite.check("rename over an existing file", &outcome(&result), "ok");
    let contents = suite.contents(&target);
    suite.check(
        "the target holds the renamed file",
        &contents,
        "3 bytes \"new\"",
    );
    let result = suite.posix.stat(&old);
    suite.check("the old name is gone", &outcome(&result), "ENOENT");
    let missing = suite.path("missing");
    let result = suite.posix.rename(&missing, &old);
    suite.check("rename of a missing file", &outcome(&result), "ENOENT");

    let full = suite.path("rename-full");
    let _ = suite.posix.mkdir(&full, 0o755);
    let _ = suite.make_file("rename-full/inside", b"");
    let empty = suite.path("rename-empty");
    let _ = suite.posix.mkdir(&empty, 0o755);
    let moving = suite.path("rename-dir");
    let _ = suite.posix.mkdir(&moving, 0o755);
    let result = suite.posix.rename(&moving, &full);
    suite.check(
        "rename of a directory over a non-empty one",
        &outcome(&result),
        "ENOTEMPTY",
    );
    let result = suite.posix.rename(&target, &empty);
    suite.check(
        "rename of a file over a directory",
        &outcome(&result),
        "EISDIR",
    );
    let result = suite.posix.rename(&moving, &target);
    suite.check(
        "rename of a directory over a file",
        &outcome(&result),
        "ENOTDIR",
    );
    let mut inside = moving.clone();
    inside.extend_from_slice(b"/sub");
    let result = suite.posix.rename(&moving, &inside);
    suite.check(
        "rename of a directory into itself",
        &outcome(&result),
        "EINVAL",
    );
    let result = suite.posix.rename(&moving, &empty);
    suite.check(
        "rename of a directory over an empty one",
        &outcome(&result),
        "ok",
    );
    let status = suite.posix.stat(&empty);
    suite.check("the renamed directory", &type_text(&status), "directory");
    let result = suite.posix.stat(&moving);
    suite.check(
        "the old directory name is gone",
        &outcome(&result),
        "ENOENT",
    );
}

fn working_directory<P: Posix>(suite: &mut Suite<'_, P>) {
    let result = suite.posix.chdir(b"/tmp");
    suite.check("chdir /tmp", &outcome(&result), "ok");
    let cwd = suite.posix.getcwd();
    let observed = match &cwd {
        Ok(path) => String::from_utf8_lossy_text(path),
        Err(errno) => errno.name().to_string(),
    };
    suite.check("getcwd after chdir /tmp", &observed, "/tmp");
    let directory = suite.directory.clone();
    let _ = suite.posix.chdir(&directory);
    let observed = match suite.posix.getcwd() {
        Ok(path) if path == directory => "the test directory".to_string(),
        Ok(path) => String::from_utf8_lossy_text(&path),
        Err(errno) => errno.name().to_string(),
    };
    suite.check(
        "getcwd after chdir to the test directory",
        &observed,
        "the test directory",
    );
    let contents = suite.contents(b"rename-target");
    suite.check("open of a relative path", &contents, "3 bytes \"new\"");
    let result = suite.posix.mkdir(b"relative", 0o755);
    let absolute = suite.path("relative");
    let status = suite.posix.stat(&absolute);
    suite.check(
        "mkdir of a relative path",
        &format!("{} {}", outcome(&result), type_text(&status)),
        "ok directory",
    );
    let _ = suite.posix.chdir(b"..");
    let observed = match suite.posix.getcwd() {
        Ok(path) => String::from_utf8_lossy_text(&path),
        Err(errno) => errno.name().to_string(),
    };
    suite.check("getcwd after chdir ..", &observed, "/tmp");
    let missing = suite.path("missing");
    let result = suite.posix.chdir(&missing);
    suite.check("chdir to a missing directory", &outcome(&result), "ENOENT");
    let plain = suite.path("plain");
    let result = suite.posix.chdir(&plain);
    suite.check("chdir to a file", &outcome(&result), "ENOTDIR");
}

/// Text of a path for a message.
trait PathText {
    /// `path` as text (`?` if it is not UTF-8).
    fn from_utf8_lossy_text(path: &[u8]) -> String;
}

impl PathText for String {
    fn from_utf8_lossy_text(path: &[u8]) -> String {
        core::str::from_utf8(path).unwrap_or("?").to_string()
    }
}

fn access_and_umask<P: Posix>(suite: &mut Suite<'_, P>) {
    let plain = suite.path("plain");
    let result = suite.posix.access(&plain, F_OK);
    suite.check("access F_OK of a file", &outcome(&result), "ok");
    let result = suite.posix.access(&plain, R_OK | W_OK);
    suite.check("access R_OK|W_OK of an own file", &outcome(&result), "ok");
    let missing = suite.path("missing");
    let result = suite.posix.access(&missing, F_OK);
    suite.check("access F_OK of a missing file", &outcome(&result), "ENOENT");
    let result = suite.posix.access(b"/bin/sh", X_OK);
    suite.check("access X_OK of /bin/sh", &outcome(&result), "ok");
    let under = suite.path("plain/inside");
    let result = suite.posix.access(&under, F_OK);
    suite.check(
        "access of a path under a file",
        &outcome(&result),
        "ENOTDIR",
    );
    let result = suite.posix.access(&plain, 99);
    suite.check("access with a bad mode", &outcome(&result), "EINVAL");

    let first = suite.posix.umask(0o022);
    let second = suite.posix.umask(0o077);
    let observed = match second {
        Ok(mask) => format!("{mask:o}"),
        Err(errno) => errno.name().to_string(),
    };
    suite.check("umask returns the previous mask", &observed, "22");
    let third = suite.posix.umask(first.unwrap_or(0o022));
    let observed = match third {
        Ok(mask) => format!("{mask:o}"),
        Err(errno) => errno.name().to_string(),
    };
    suite.check("umask 077 was set", &observed, "77");
}

//! `rename` and its errors.

use posix_server_api::Errno;

use super::super::flags::{O_CREAT, O_RDWR};
use super::standard;

#[test]
fn rename_moves_and_replaces() {
    let (mut vfs, root) = standard();
    let file = vfs
        .open(root, "/tmp/a", O_CREAT | O_RDWR, 0o644, 0)
        .unwrap();
    let other = vfs
        .open(root, "/tmp/b", O_CREAT | O_RDWR, 0o644, 0)
        .unwrap();
    vfs.rename(root, "/tmp/a", "/tmp/b").unwrap();
    assert_eq!(vfs.lookup(root, "/tmp/b", true).unwrap(), file);
    assert_eq!(vfs.lookup(root, "/tmp/a", true), Err(Errno::ENOENT));
    assert_eq!(
        vfs.stat(other).unwrap().nlink,
        0,
        "the replaced file lives on while open"
    );
    vfs.close_reference(other).unwrap();
    assert!(vfs.stat(other).is_err());
    vfs.rename(root, "/tmp/b", "/tmp/b").unwrap();
    let directory = vfs.mkdir(root, "/tmp/d", 0o755, 0).unwrap();
    vfs.rename(root, "/tmp/b", "/tmp/d/moved").unwrap();
    assert_eq!(vfs.lookup(root, "/tmp/d/moved", true).unwrap(), file);
    vfs.mkdir(root, "/tmp/empty", 0o755, 0).unwrap();
    vfs.rename(root, "/tmp/d", "/tmp/empty/").unwrap();
    assert_eq!(vfs.lookup(root, "/tmp/empty", true).unwrap(), directory);
    assert_eq!(
        vfs.lookup(directory, "..", true).unwrap(),
        vfs.lookup(root, "/tmp", true).unwrap()
    );
    vfs.mkdir(root, "/tmp/x", 0o755, 0).unwrap();
    vfs.rename(root, "/tmp/empty", "/tmp/x/inner").unwrap();
    assert_eq!(vfs.path_of(directory).unwrap(), "/tmp/x/inner");
    assert_eq!(
        vfs.lookup(directory, "../..", true).unwrap(),
        vfs.lookup(root, "/tmp", true).unwrap()
    );
    vfs.rename(root, "/home", "/home").unwrap_err();
}

#[test]
fn rename_errors_follow_linux() {
    let (mut vfs, root) = standard();
    vfs.open(root, "/tmp/file", O_CREAT | O_RDWR, 0o644, 0)
        .unwrap();
    vfs.mkdir(root, "/tmp/d", 0o755, 0).unwrap();
    vfs.mkdir(root, "/tmp/d/sub", 0o755, 0).unwrap();
    vfs.mkdir(root, "/tmp/full", 0o755, 0).unwrap();
    vfs.mkdir(root, "/tmp/full/x", 0o755, 0).unwrap();
    vfs.mkdir(root, "/tmp/e", 0o755, 0).unwrap();
    assert_eq!(vfs.rename(root, "/tmp/.", "/tmp/z"), Err(Errno::EBUSY));
    assert_eq!(vfs.rename(root, "/tmp/file", "/tmp/.."), Err(Errno::EBUSY));
    assert_eq!(vfs.rename(root, "/", "/tmp/z"), Err(Errno::EBUSY));
    assert_eq!(
        vfs.rename(root, "/tmp/file", "/home/file"),
        Err(Errno::EXDEV)
    );
    assert_eq!(
        vfs.rename(root, "/etc/passwd", "/tmp/passwd"),
        Err(Errno::EXDEV)
    );
    assert_eq!(
        vfs.rename(root, "/etc/passwd", "/etc/other"),
        Err(Errno::EROFS)
    );
    assert_eq!(vfs.rename(root, "/tmp", "/tmp2"), Err(Errno::EROFS));
    assert_eq!(vfs.rename(root, "/tmp/nope", "/tmp/z"), Err(Errno::ENOENT));
    assert_eq!(
        vfs.rename(root, "/tmp/file/", "/tmp/z"),
        Err(Errno::ENOTDIR)
    );
    assert_eq!(
        vfs.rename(root, "/tmp/file", "/tmp/z/"),
        Err(Errno::ENOTDIR)
    );
    assert_eq!(
        vfs.rename(root, "/tmp/file", "/tmp/nope/z"),
        Err(Errno::ENOENT)
    );
    assert_eq!(
        vfs.rename(root, "/tmp/d", "/tmp/d/sub/inside"),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        vfs.rename(root, "/tmp/d", "/tmp/d/inside"),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        vfs.rename(root, "/tmp/d/sub", "/tmp/d"),
        Err(Errno::ENOTEMPTY)
    );
    assert_eq!(vfs.rename(root, "/tmp/d", "/tmp/file"), Err(Errno::ENOTDIR));
    assert_eq!(vfs.rename(root, "/tmp/file", "/tmp/d"), Err(Errno::EISDIR));
    assert_eq!(
        vfs.rename(root, "/tmp/e", "/tmp/full"),
        Err(Errno::ENOTEMPTY)
    );
    vfs.rename(root, "/tmp/d", "/tmp/d").unwrap();
    vfs.rename(root, "/tmp/e", "/tmp/d/sub").unwrap();
    assert_eq!(vfs.lookup(root, "/tmp/e", true), Err(Errno::ENOENT));
}

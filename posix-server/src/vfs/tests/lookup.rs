//! Path lookup: `.`, `..`, mounts, slashes, symbolic links, limits, `getcwd`.

use posix_server_api::Errno;

use super::super::flags::{O_CREAT, O_RDWR};
use super::standard;

#[test]
fn dots_slashes_and_mount_crossing() {
    let (mut vfs, root) = standard();
    let etc = vfs.lookup(root, "/etc", true).unwrap();
    assert_eq!(vfs.lookup(root, "//etc///", true).unwrap(), etc);
    assert_eq!(vfs.lookup(root, "/etc/./empty-dir/..", true).unwrap(), etc);
    assert_eq!(vfs.lookup(root, "/..", true).unwrap(), root);
    assert_eq!(vfs.lookup(root, "/../../..", true).unwrap(), root);
    assert_eq!(vfs.lookup(etc, "..", true).unwrap(), root);
    assert_eq!(
        vfs.lookup(etc, "passwd", true).unwrap(),
        vfs.lookup(root, "/etc/passwd", true).unwrap()
    );
    let temporary = vfs.lookup(root, "/tmp", true).unwrap();
    assert_eq!(vfs.lookup(temporary, "..", true).unwrap(), root);
    assert_eq!(vfs.lookup(temporary, "../etc", true).unwrap(), etc);
    let nested = vfs.mkdir(root, "/tmp/a", 0o755, 0).unwrap();
    assert_eq!(vfs.lookup(nested, "../..", true).unwrap(), root);
    assert_eq!(vfs.lookup(root, "/tmp/a/../../etc", true).unwrap(), etc);
    assert_eq!(vfs.lookup(root, "/dev/../tmp/a", true).unwrap(), nested);
}

#[test]
fn lookup_errors() {
    let (mut vfs, root) = standard();
    assert_eq!(vfs.lookup(root, "", true), Err(Errno::ENOENT));
    assert_eq!(vfs.lookup(root, "/nope", true), Err(Errno::ENOENT));
    assert_eq!(vfs.lookup(root, "/nope/deeper", true), Err(Errno::ENOENT));
    assert_eq!(vfs.lookup(root, "/etc/passwd/", true), Err(Errno::ENOTDIR));
    assert_eq!(vfs.lookup(root, "/etc/passwd/.", true), Err(Errno::ENOTDIR));
    assert_eq!(vfs.lookup(root, "/etc/passwd/x", true), Err(Errno::ENOTDIR));
    assert_eq!(
        vfs.lookup(root, "/etc/passwd/..", true),
        Err(Errno::ENOTDIR)
    );
    let long_name = "x".repeat(256);
    assert_eq!(
        vfs.lookup(root, &format!("/tmp/{long_name}"), true),
        Err(Errno::ENAMETOOLONG)
    );
    let long_path = "/tmp/".to_string() + &"a/".repeat(2046);
    assert_eq!(vfs.lookup(root, &long_path, true), Err(Errno::ENAMETOOLONG));
    assert_eq!(vfs.lookup(root, "/etc/loop", true), Err(Errno::ELOOP));
    assert!(vfs.lookup(root, "/etc/loop", false).is_ok());
    assert_eq!(
        vfs.lookup_directory(root, "/etc/passwd"),
        Err(Errno::ENOTDIR)
    );
    assert_eq!(vfs.lookup_directory(root, "/nope"), Err(Errno::ENOENT));
    let name_255 = "y".repeat(255);
    assert!(
        vfs.open(
            root,
            &format!("/tmp/{name_255}"),
            O_CREAT | O_RDWR,
            0o644,
            0
        )
        .is_ok()
    );
}

#[test]
fn symbolic_links_in_the_middle_and_at_the_end() {
    let (mut vfs, root) = standard();
    let bin = vfs.lookup(root, "/bin", true).unwrap();
    assert_eq!(vfs.lookup(root, "/etc/to-bin", true).unwrap(), bin);
    assert_eq!(
        vfs.lookup(root, "/etc/to-bin/sh", true).unwrap(),
        vfs.lookup(root, "/bin/sh", true).unwrap()
    );
    assert_eq!(vfs.lookup(root, "/etc/to-bin/", false).unwrap(), bin);
    vfs.symlink(root, "../etc", "/tmp/relative").unwrap();
    vfs.symlink(root, "/tmp/relative/passwd", "/tmp/chain")
        .unwrap();
    assert_eq!(
        vfs.lookup(root, "/tmp/chain", true).unwrap(),
        vfs.lookup(root, "/etc/passwd", true).unwrap()
    );
    vfs.symlink(root, "/bin/sh", "/tmp/file-link").unwrap();
    assert_eq!(
        vfs.lookup(root, "/tmp/file-link/", true),
        Err(Errno::ENOTDIR)
    );
    vfs.symlink(root, "/nowhere", "/tmp/dangling").unwrap();
    assert_eq!(vfs.lookup(root, "/tmp/dangling", true), Err(Errno::ENOENT));
    assert_eq!(vfs.readlink(root, "/tmp/dangling").unwrap(), "/nowhere");
    assert_eq!(vfs.readlink(root, "/etc/passwd"), Err(Errno::EINVAL));
}

#[test]
fn path_of_directories() {
    let (mut vfs, root) = standard();
    assert_eq!(vfs.path_of(root).unwrap(), "/");
    let etc = vfs.lookup(root, "/etc/empty-dir", true).unwrap();
    assert_eq!(vfs.path_of(etc).unwrap(), "/etc/empty-dir");
    let temporary = vfs.lookup(root, "/tmp", true).unwrap();
    assert_eq!(vfs.path_of(temporary).unwrap(), "/tmp");
    let deep = vfs.mkdir(root, "/tmp/a", 0o755, 0).unwrap();
    let deeper = vfs.mkdir(deep, "b", 0o755, 0).unwrap();
    assert_eq!(vfs.path_of(deeper).unwrap(), "/tmp/a/b");
    vfs.rename(root, "/tmp/a", "/tmp/c").unwrap();
    assert_eq!(vfs.path_of(deeper).unwrap(), "/tmp/c/b");
    let file = vfs.lookup(root, "/etc/passwd", true).unwrap();
    assert_eq!(vfs.path_of(file), Err(Errno::ENOTDIR));
    vfs.open_reference(deeper).unwrap();
    vfs.rmdir(root, "/tmp/c/b").unwrap();
    assert_eq!(vfs.path_of(deeper), Err(Errno::ENOENT));
    assert_eq!(vfs.lookup(deeper, "..", true), Err(Errno::ENOENT));
    assert_eq!(
        vfs.open(deeper, "new", O_CREAT | O_RDWR, 0o644, 0),
        Err(Errno::ENOENT)
    );
    assert_eq!(vfs.mkdir(deeper, "new", 0o755, 0), Err(Errno::ENOENT));
    vfs.close_reference(deeper).unwrap();
    assert!(vfs.stat(deeper).is_err());
}

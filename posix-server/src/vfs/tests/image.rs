//! Reading the root image: contents, modes, virtual directories, corrupt images.

use super::super::flags::{S_IFDIR, S_IFLNK, S_IFREG};
use super::super::ustar::{ImageEntryKind, UstarReader};
use super::super::{FilesystemKind, ImageError, Vfs};
use super::{Archive, standard, standard_image};

#[test]
fn image_files_directories_and_links_are_read() {
    let (vfs, root) = standard();
    let shell = vfs.lookup(root, "/bin/sh", true).unwrap();
    let status = vfs.stat(shell).unwrap();
    assert_eq!(status.mode, S_IFREG | 0o755);
    assert_eq!(status.size, 10);
    let mut buffer = [0u8; 32];
    assert_eq!(vfs.read(shell, 0, &mut buffer).unwrap(), 10);
    assert_eq!(&buffer[..10], b"\x7fELF shell");
    assert_eq!(vfs.read(shell, 4, &mut buffer[..3]).unwrap(), 3);
    assert_eq!(&buffer[..3], b" sh");
    assert_eq!(vfs.read(shell, 100, &mut buffer).unwrap(), 0);
    let etc = vfs.lookup(root, "/etc", true).unwrap();
    assert_eq!(vfs.stat(etc).unwrap().mode, S_IFDIR | 0o755);
    assert_eq!(vfs.stat(etc).unwrap().nlink, 3);
    let link = vfs.lookup(root, "/bin/sh-link", false).unwrap();
    assert_eq!(vfs.stat(link).unwrap().mode & 0o170_000, S_IFLNK);
    assert_eq!(vfs.lookup(root, "/bin/sh-link", true).unwrap(), shell);
    assert_eq!(
        vfs.filesystem_kind(shell).unwrap(),
        FilesystemKind::RootImage
    );
    assert_eq!(
        vfs.filesystem_kind(vfs.lookup(root, "/tmp", true).unwrap())
            .unwrap(),
        FilesystemKind::Tmpfs
    );
    assert_eq!(
        vfs.filesystem_kind(vfs.lookup(root, "/home", true).unwrap())
            .unwrap(),
        FilesystemKind::Tmpfs
    );
    assert_eq!(
        vfs.filesystem_kind(vfs.lookup(root, "/dev", true).unwrap())
            .unwrap(),
        FilesystemKind::Devices
    );
}

#[test]
fn missing_dev_and_tmp_are_made_and_home_is_not_mounted_without_the_directory() {
    let image = Archive::default()
        .file("hello", 0o644, b"hi")
        .file("deep/er/file", 0o600, b"x")
        .finish();
    let vfs = Vfs::new(image).unwrap();
    let root = vfs.root();
    let temporary = vfs.lookup(root, "/tmp", true).unwrap();
    assert_eq!(vfs.stat(temporary).unwrap().mode, S_IFDIR | 0o1777);
    assert!(vfs.lookup(root, "/dev/null", true).is_ok());
    assert!(vfs.lookup(root, "/home", true).is_err());
    assert_eq!(
        vfs.stat(vfs.lookup(root, "/deep/er", true).unwrap())
            .unwrap()
            .mode,
        S_IFDIR | 0o755
    );
    assert_eq!(
        vfs.stat(vfs.lookup(root, "/deep/er/file", true).unwrap())
            .unwrap()
            .mode,
        S_IFREG | 0o600
    );
}

#[test]
fn an_empty_image_is_just_the_mounts() {
    let vfs = Vfs::new(&[]).unwrap();
    let root = vfs.root();
    assert!(vfs.lookup(root, "/tmp", true).is_ok());
    assert!(vfs.lookup(root, "/dev/zero", true).is_ok());
}

#[test]
fn corrupt_images_are_errors() {
    let good = standard_image();
    let mut bad_checksum = good.to_vec();
    bad_checksum[0] ^= 1;
    assert_eq!(
        Vfs::new(Box::leak(bad_checksum.into_boxed_slice())).err(),
        Some(ImageError::BadChecksum { offset: 0 })
    );
    let truncated = &good[..700];
    assert!(matches!(
        Vfs::new(truncated).err(),
        Some(ImageError::Truncated { .. })
    ));
    let partial_header = &good[..100];
    assert_eq!(
        Vfs::new(partial_header).err(),
        Some(ImageError::Truncated { offset: 0 })
    );
    let dot_dot = Archive::default().file("../escape", 0o644, b"").finish();
    assert_eq!(
        Vfs::new(dot_dot).err(),
        Some(ImageError::BadName { offset: 0 })
    );
    let hard_link = Archive::default()
        .header("link", b'1', 0o644, &[], "target")
        .finish();
    assert_eq!(
        Vfs::new(hard_link).err(),
        Some(ImageError::UnsupportedType {
            offset: 0,
            type_flag: b'1'
        })
    );
    let conflict = Archive::default()
        .file("a", 0o644, b"")
        .file("a/b", 0o644, b"")
        .finish();
    assert_eq!(
        Vfs::new(conflict).err(),
        Some(ImageError::Conflict { offset: 512 })
    );
    let directory_over_file = Archive::default()
        .file("a", 0o644, b"")
        .directory("a/")
        .finish();
    assert_eq!(
        Vfs::new(directory_over_file).err(),
        Some(ImageError::Conflict { offset: 512 })
    );
    let tmp_file = Archive::default().file("tmp", 0o644, b"").finish();
    assert!(matches!(
        Vfs::new(tmp_file).err(),
        Some(ImageError::Conflict { .. })
    ));
    let mut bad_magic = Archive::default().file("x", 0o644, b"").finish().to_vec();
    bad_magic[257] = b'X';
    let sum: u32 = bad_magic[..512]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    bad_magic[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    assert_eq!(
        Vfs::new(Box::leak(bad_magic.into_boxed_slice())).err(),
        Some(ImageError::BadField { offset: 0 })
    );
}

#[test]
fn later_entries_replace_earlier_files() {
    let image = Archive::default()
        .file("f", 0o644, b"old")
        .file("f", 0o755, b"newer")
        .finish();
    let vfs = Vfs::new(image).unwrap();
    let file = vfs.lookup(vfs.root(), "f", true).unwrap();
    assert_eq!(vfs.stat(file).unwrap().size, 5);
    assert_eq!(vfs.stat(file).unwrap().mode, S_IFREG | 0o755);
}

#[test]
fn reader_normalizes_names_and_uses_the_prefix() {
    let mut archive = Archive::default();
    archive.file("name", 0o644, b"abc");
    let mut bytes = archive.finish().to_vec();
    bytes[345..352].copy_from_slice(b"/a/./b/");
    let sum: u32 = bytes[..512]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    bytes[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let entries: Vec<_> = UstarReader::new(Box::leak(bytes.into_boxed_slice())).collect();
    assert_eq!(entries.len(), 1);
    let entry = entries[0].as_ref().unwrap();
    assert_eq!(entry.path, "a/b/name");
    assert_eq!(entry.kind, ImageEntryKind::Regular(b"abc"));
}

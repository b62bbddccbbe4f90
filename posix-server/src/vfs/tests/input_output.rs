//! Reading, writing, truncating and `stat` of tmpfs files and devices.

use posix_server_api::Errno;

use super::super::flags::{O_CREAT, O_RDONLY, O_RDWR};
use super::super::{CHUNK_SIZE, MAX_FILE_SIZE, Timestamp};
use super::standard;

#[test]
fn tmpfs_files_grow_sparsely() {
    let (mut vfs, root) = standard();
    let file = vfs
        .open(root, "/tmp/f", O_CREAT | O_RDWR, 0o644, 0)
        .unwrap();
    assert_eq!(vfs.write(file, 10_000, b"end").unwrap(), 3);
    let status = vfs.stat(file).unwrap();
    assert_eq!(status.size, 10_003);
    assert_eq!(status.blocks, 8, "only the written chunk is allocated");
    let mut buffer = vec![0xffu8; 10_010];
    assert_eq!(vfs.read(file, 0, &mut buffer).unwrap(), 10_003);
    assert!(buffer[..10_000].iter().all(|&byte| byte == 0));
    assert_eq!(&buffer[10_000..10_003], b"end");
    assert_eq!(vfs.write(file, 0, &[],).unwrap(), 0);
    assert_eq!(vfs.write(file, MAX_FILE_SIZE, b"x"), Err(Errno::EFBIG));
    assert_eq!(vfs.write(file, u64::MAX, b"x"), Err(Errno::EFBIG));
}

#[test]
fn sixteen_mebibytes_round_trip() {
    let (mut vfs, root) = standard();
    let file = vfs
        .open(root, "/tmp/big", O_CREAT | O_RDWR, 0o644, 0)
        .unwrap();
    let data: Vec<u8> = (0..16 * 1024 * 1024u32)
        .map(|index| (index % 251) as u8)
        .collect();
    for (index, piece) in data.chunks(65_536).enumerate() {
        assert_eq!(
            vfs.write(file, (index * 65_536) as u64, piece).unwrap(),
            piece.len()
        );
    }
    assert_eq!(vfs.stat(file).unwrap().size, data.len() as u64);
    let mut back = vec![0u8; data.len()];
    assert_eq!(vfs.read(file, 0, &mut back).unwrap(), data.len());
    assert!(back == data);
    assert_eq!(vfs.tmpfs_bytes_used(), data.len());
}

#[test]
fn truncate_shrinks_and_grows() {
    let (mut vfs, root) = standard();
    vfs.set_time(Timestamp::from_seconds(5));
    let file = vfs
        .open(root, "/tmp/f", O_CREAT | O_RDWR, 0o644, 0)
        .unwrap();
    vfs.write(file, 0, &[7u8; 3 * CHUNK_SIZE]).unwrap();
    vfs.set_time(Timestamp {
        seconds: 9,
        nanoseconds: 500,
    });
    vfs.truncate(file, 100).unwrap();
    assert_eq!(
        vfs.stat(file).unwrap().mtime,
        Timestamp {
            seconds: 9,
            nanoseconds: 500
        }
    );
    assert_eq!(vfs.stat(file).unwrap().size, 100);
    assert_eq!(vfs.tmpfs_bytes_used(), CHUNK_SIZE);
    vfs.truncate(file, 200).unwrap();
    let mut buffer = [1u8; 200];
    assert_eq!(vfs.read(file, 0, &mut buffer).unwrap(), 200);
    assert!(buffer[..100].iter().all(|&byte| byte == 7));
    assert!(
        buffer[100..].iter().all(|&byte| byte == 0),
        "bytes cut off by truncate come back as zeros"
    );
    vfs.truncate(file, 0).unwrap();
    assert_eq!(vfs.tmpfs_bytes_used(), 0);
    assert_eq!(vfs.truncate(file, MAX_FILE_SIZE + 1), Err(Errno::EFBIG));
    let directory = vfs.lookup(root, "/tmp", true).unwrap();
    assert_eq!(vfs.truncate(directory, 0), Err(Errno::EISDIR));
    let image_file = vfs.lookup(root, "/etc/passwd", true).unwrap();
    assert_eq!(vfs.truncate(image_file, 0), Err(Errno::EROFS));
    assert_eq!(vfs.write(image_file, 0, b"x"), Err(Errno::EROFS));
    assert_eq!(vfs.write(directory, 0, b"x"), Err(Errno::EISDIR));
    let mut buffer = [0u8; 4];
    assert_eq!(vfs.read(directory, 0, &mut buffer), Err(Errno::EISDIR));
}

#[test]
fn the_tmpfs_limit_gives_enospc() {
    let (mut vfs, root) = standard();
    vfs.set_tmpfs_limit(2 * CHUNK_SIZE);
    let file = vfs
        .open(root, "/tmp/f", O_CREAT | O_RDWR, 0o644, 0)
        .unwrap();
    assert_eq!(
        vfs.write(file, 0, &[1u8; 3 * CHUNK_SIZE]).unwrap(),
        2 * CHUNK_SIZE
    );
    assert_eq!(
        vfs.write(file, 2 * CHUNK_SIZE as u64, b"x"),
        Err(Errno::ENOSPC)
    );
    assert_eq!(vfs.write(file, 5, b"inside").unwrap(), 6);
    vfs.truncate(file, 0).unwrap();
    assert_eq!(vfs.write(file, 0, b"again").unwrap(), 5);
}

#[test]
fn devices_read_and_write() {
    let (mut vfs, root) = standard();
    let null = vfs.open(root, "/dev/null", O_RDWR, 0, 0).unwrap();
    let zero = vfs.open(root, "/dev/zero", O_RDONLY, 0, 0).unwrap();
    let console = vfs.open(root, "/dev/console", O_RDWR, 0, 0).unwrap();
    let mut buffer = [9u8; 16];
    assert_eq!(vfs.read(null, 0, &mut buffer).unwrap(), 0);
    assert_eq!(vfs.write(null, 0, b"gone").unwrap(), 4);
    assert_eq!(vfs.read(zero, 12345, &mut buffer).unwrap(), 16);
    assert_eq!(buffer, [0u8; 16]);
    assert_eq!(vfs.write(zero, 0, b"gone").unwrap(), 4);
    assert_eq!(vfs.read(console, 0, &mut buffer), Err(Errno::ENXIO));
    assert_eq!(vfs.truncate(null, 0), Ok(()));
}

#[test]
fn stat_fields() {
    let (mut vfs, root) = standard();
    let file = vfs
        .open(root, "/tmp/f", O_CREAT | O_RDWR, 0o644, 0)
        .unwrap();
    let status = vfs.stat(file).unwrap();
    assert_eq!(status.ino, file.inode_number());
    assert_eq!((status.uid, status.gid, status.blksize), (0, 0, 4096));
    let other = vfs
        .stat(vfs.lookup(root, "/etc/passwd", true).unwrap())
        .unwrap();
    assert_ne!(status.dev, other.dev);
    assert_eq!(other.blocks, 1);
    let temporary = vfs.stat(vfs.lookup(root, "/tmp", true).unwrap()).unwrap();
    assert_eq!(temporary.dev, status.dev);
    assert_eq!(vfs.size(file).unwrap(), 0);
}

#[test]
fn set_times_changes_atime_and_mtime() {
    let (mut vfs, root) = standard();
    vfs.set_time(Timestamp::from_seconds(50));
    let file = vfs
        .open(root, "/tmp/f", O_CREAT | O_RDWR, 0o644, 0)
        .unwrap();
    vfs.set_time(Timestamp::from_seconds(60));
    vfs.set_times(file, Some(Timestamp::from_seconds(1)), None)
        .unwrap();
    let status = vfs.stat(file).unwrap();
    assert_eq!(
        (
            status.atime.seconds,
            status.mtime.seconds,
            status.ctime.seconds
        ),
        (1, 50, 60)
    );
    vfs.set_times(file, None, Some(Timestamp::from_seconds(2)))
        .unwrap();
    assert_eq!(vfs.stat(file).unwrap().mtime.seconds, 2);
    let image_file = vfs.lookup(root, "/etc/passwd", true).unwrap();
    assert_eq!(vfs.set_times(image_file, None, None), Err(Errno::EROFS));
}

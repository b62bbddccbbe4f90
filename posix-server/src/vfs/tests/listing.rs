//! Directory listings and `linux_dirent64` encoding.

use posix_server_api::Errno;

use super::super::directory_listing::dirent64_record_length;
use super::super::flags::{DT_CHR, DT_DIR, DT_LNK, DT_REG, O_CREAT, O_RDWR};
use super::super::{NodeId, Vfs};
use super::standard;

fn names(vfs: &Vfs, directory: NodeId) -> Vec<(String, u8)> {
    let mut position = 0;
    let mut names = Vec::new();
    while let Some((entry, next)) = vfs.read_directory(directory, position).unwrap() {
        names.push((entry.name, entry.file_type));
        position = next;
    }
    names
}

#[test]
fn listings_have_dot_entries_and_types() {
    let (mut vfs, root) = standard();
    let bin = vfs.lookup(root, "/bin", true).unwrap();
    let expected = [
        (".", DT_DIR),
        ("..", DT_DIR),
        ("sh", DT_REG),
        ("sh-link", DT_LNK),
    ];
    assert_eq!(
        names(&vfs, bin),
        expected.map(|(name, kind)| (name.to_string(), kind))
    );
    let devices = vfs.lookup(root, "/dev", true).unwrap();
    let listed = names(&vfs, devices);
    assert_eq!(listed.len(), 6);
    assert!(listed[2..].iter().all(|(_, kind)| *kind == DT_CHR));
    let (dot_dot, _) = vfs.read_directory(devices, 1).unwrap().unwrap();
    assert_eq!(dot_dot.inode_number, root.inode_number());
    let (root_dot_dot, _) = vfs.read_directory(root, 1).unwrap().unwrap();
    assert_eq!(root_dot_dot.inode_number, root.inode_number());
    let file = vfs.lookup(root, "/etc/passwd", true).unwrap();
    assert_eq!(vfs.read_directory(file, 0), Err(Errno::ENOTDIR));
    let removed = vfs.mkdir(root, "/tmp/gone", 0o755, 0).unwrap();
    vfs.open_reference(removed).unwrap();
    vfs.rmdir(root, "/tmp/gone").unwrap();
    assert_eq!(vfs.read_directory(removed, 0), Ok(None));
}

#[test]
fn positions_survive_changes() {
    let (mut vfs, root) = standard();
    let temporary = vfs.lookup(root, "/tmp", true).unwrap();
    for name in ["a", "b", "c"] {
        vfs.open(temporary, name, O_CREAT | O_RDWR, 0o644, 0)
            .unwrap();
    }
    let (first, after_first) = vfs.read_directory(temporary, 2).unwrap().unwrap();
    assert_eq!(first.name, "a");
    vfs.unlink(temporary, "a").unwrap();
    vfs.unlink(temporary, "b").unwrap();
    let (next, _) = vfs.read_directory(temporary, after_first).unwrap().unwrap();
    assert_eq!(next.name, "c");
}

#[test]
fn dirent64_encoding() {
    let (vfs, root) = standard();
    let bin = vfs.lookup(root, "/bin", true).unwrap();
    let mut buffer = [0u8; 1024];
    let (filled, next) = vfs.encode_directory_entries(bin, 0, &mut buffer).unwrap();
    let lengths = [1, 2, 2, 7].map(dirent64_record_length);
    assert_eq!(lengths, [24, 24, 24, 32]);
    assert_eq!(filled, lengths.iter().sum::<usize>());
    let mut offset = 0;
    let mut names = Vec::new();
    while offset < filled {
        let record = &buffer[offset..];
        let inode = u64::from_le_bytes(record[0..8].try_into().unwrap());
        let length = u16::from_le_bytes(record[16..18].try_into().unwrap()) as usize;
        let name_end = record[19..length]
            .iter()
            .position(|&byte| byte == 0)
            .unwrap();
        assert!(inode > 0);
        assert_eq!(length % 8, 0);
        names.push(String::from_utf8(record[19..19 + name_end].to_vec()).unwrap());
        offset += length;
    }
    assert_eq!(names, [".", "..", "sh", "sh-link"]);
    assert_eq!(
        vfs.encode_directory_entries(bin, next, &mut buffer)
            .unwrap(),
        (0, next)
    );
    let mut small = [0u8; 50];
    let (filled, next) = vfs.encode_directory_entries(bin, 0, &mut small).unwrap();
    assert_eq!((filled, next), (48, 2));
    let d_off = i64::from_le_bytes(small[8..16].try_into().unwrap());
    assert_eq!(d_off, 1);
    let mut tiny = [0u8; 10];
    assert_eq!(
        vfs.encode_directory_entries(bin, 0, &mut tiny),
        Err(Errno::EINVAL)
    );
}

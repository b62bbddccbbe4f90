//! Property tests: tmpfs files against a `Vec<u8>` model, random operation
//! sequences, random and damaged images.

use proptest::prelude::*;

use super::super::flags::{O_CREAT, O_RDWR};
use super::super::{ImageError, Vfs};
use super::{standard, standard_image};

#[derive(Clone, Debug)]
enum FileOperation {
    Write(u16, Vec<u8>),
    Truncate(u16),
    Read(u16, u16),
}

fn file_operation() -> impl Strategy<Value = FileOperation> {
    prop_oneof![
        (
            0..20_000u16,
            proptest::collection::vec(any::<u8>(), 0..5000)
        )
            .prop_map(|(o, d)| FileOperation::Write(o, d)),
        (0..20_000u16).prop_map(FileOperation::Truncate),
        (0..20_000u16, 0..9000u16).prop_map(|(o, l)| FileOperation::Read(o, l)),
    ]
}

proptest! {
    #[test]
    fn tmpfs_file_matches_a_vec_model(operations in proptest::collection::vec(file_operation(), 1..40)) {
        let (mut vfs, root) = standard();
        let file = vfs.open(root, "/tmp/model", O_CREAT | O_RDWR, 0o644, 0).unwrap();
        let mut model: Vec<u8> = Vec::new();
        for operation in operations {
            match operation {
                FileOperation::Write(offset, data) => {
                    let offset = usize::from(offset);
                    prop_assert_eq!(vfs.write(file, offset as u64, &data).unwrap(), data.len());
                    if !data.is_empty() {
                        if model.len() < offset + data.len() {
                            model.resize(offset + data.len(), 0);
                        }
                        model[offset..offset + data.len()].copy_from_slice(&data);
                    }
                }
                FileOperation::Truncate(length) => {
                    vfs.truncate(file, u64::from(length)).unwrap();
                    model.resize(usize::from(length), 0);
                }
                FileOperation::Read(offset, length) => {
                    let mut buffer = vec![0xaau8; usize::from(length)];
                    let count = vfs.read(file, u64::from(offset), &mut buffer).unwrap();
                    let start = usize::from(offset).min(model.len());
                    let expected = &model[start..(start + usize::from(length)).min(model.len())];
                    prop_assert_eq!(&buffer[..count], expected);
                }
            }
            prop_assert_eq!(vfs.stat(file).unwrap().size, model.len() as u64);
        }
    }

    #[test]
    fn random_namespace_operations_never_panic(
        operations in proptest::collection::vec((0..9u8, 0..6usize, 0..6usize), 1..60)
    ) {
        const PATHS: [&str; 6] = ["/tmp/a", "/tmp/a/b", "/tmp/c", "/tmp/a/b/d", "/tmp/..", "/home/e"];
        let (mut vfs, root) = standard();
        let mut open = Vec::new();
        for (kind, first, second) in operations {
            let (path, other) = (PATHS[first], PATHS[second]);
            match kind {
                0 => { let _ = vfs.mkdir(root, path, 0o755, 0); }
                1 => { let _ = vfs.rmdir(root, path); }
                2 => { if let Ok(node) = vfs.open(root, path, O_CREAT | O_RDWR, 0o644, 0) { open.push(node); } }
                3 => { let _ = vfs.unlink(root, path); }
                4 => { let _ = vfs.rename(root, path, other); }
                5 => { let _ = vfs.symlink(root, other, path); }
                6 => { if let Some(node) = open.pop() { vfs.close_reference(node).unwrap(); } }
                7 => { if let Some(&node) = open.last() { let _ = vfs.write(node, 10, b"data"); } }
                _ => {
                    if let Ok(node) = vfs.lookup(root, path, true) {
                        let _ = vfs.stat(node).unwrap();
                        let _ = vfs.path_of(node);
                        let mut buffer = [0u8; 256];
                        let _ = vfs.encode_directory_entries(node, 0, &mut buffer);
                    }
                }
            }
        }
        for node in open {
            vfs.close_reference(node).unwrap();
        }
        let temporary = vfs.lookup(root, "/tmp", true).unwrap();
        prop_assert_eq!(vfs.path_of(temporary).unwrap(), "/tmp");
    }

    #[test]
    fn random_bytes_never_panic_the_image_reader(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
        let _ = Vfs::new(Box::leak(bytes.into_boxed_slice()));
    }

    #[test]
    fn damaged_images_fail_cleanly(position in 0..2048usize, value in any::<u8>(), cut in 0..4096usize) {
        let mut bytes = standard_image().to_vec();
        if let Some(byte) = bytes.get_mut(position) {
            *byte = value;
        }
        bytes.truncate(cut.max(1));
        let result: Result<Vfs, ImageError> = Vfs::new(Box::leak(bytes.into_boxed_slice()));
        if let Ok(vfs) = result {
            prop_assert!(vfs.lookup(vfs.root(), "/tmp", true).is_ok());
        }
    }
}

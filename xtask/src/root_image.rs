//! The root image: a reproducible ustar archive of `rootfs/` plus the built
//! programs, which posix-server mounts read-only as `/`.
//!
//! Entries are sorted by path, owned by root (uid/gid 0), dated 0; directories
//! get mode 0755, programs 0755, other files 0755 or 0644 after the host's
//! execute bit. `.gitkeep` files (which keep empty directories in git) are left
//! out; `/dev` and `/tmp` are always present.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

const BLOCK: usize = 512;
const ALWAYS_PRESENT: [&str; 2] = ["dev", "tmp"];
const SKIPPED_NAMES: [&str; 1] = [".gitkeep"];

/// What one archive entry holds.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Source {
    Directory,
    File { host: PathBuf, mode: u32 },
    Symlink(String),
}

/// Writes the root image of `rootfs` and `programs` (path inside the image such as
/// `bin/sh`, host file) to `output`; a program replaces a rootfs file of the same
/// path. Returns the size of the image in bytes.
///
/// # Errors
/// I/O errors; `InvalidData` for a name that is not UTF-8, a path too long for
/// ustar, a program path with `..`, or a file larger than 8 GiB.
pub fn build(rootfs: &Path, programs: &[(String, PathBuf)], output: &Path) -> io::Result<u64> {
    let mut entries = BTreeMap::new();
    for directory in ALWAYS_PRESENT {
        entries.insert(directory.to_string(), Source::Directory);
    }
    collect(rootfs, "", &mut entries)?;
    for (path, host) in programs {
        let path = normalize(path)?;
        add_parents(&path, &mut entries);
        entries.insert(
            path,
            Source::File {
                host: host.clone(),
                mode: 0o755,
            },
        );
    }
    let mut writer = BufWriter::new(File::create(output)?);
    let mut written = 0u64;
    for (path, source) in &entries {
        written += write_entry(&mut writer, path, source)?;
    }
    writer.write_all(&[0u8; 2 * BLOCK])?;
    writer.flush()?;
    Ok(written + 2 * BLOCK as u64)
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// Strips leading slashes and `.` components; refuses `..` and empty paths.
fn normalize(path: &str) -> io::Result<String> {
    let mut parts = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(invalid(format!("`..` in image path {path}"))),
            _ => parts.push(part),
        }
    }
    if parts.is_empty() {
        return Err(invalid(format!("empty image path {path:?}")));
    }
    Ok(parts.join("/"))
}

fn add_parents(path: &str, entries: &mut BTreeMap<String, Source>) {
    let mut end = 0;
    while let Some(slash) = path[end..].find('/') {
        end += slash;
        entries.insert(path[..end].to_string(), Source::Directory);
        end += 1;
    }
}

/// Adds the contents of host directory `directory` (image path `prefix`).
fn collect(
    directory: &Path,
    prefix: &str,
    entries: &mut BTreeMap<String, Source>,
) -> io::Result<()> {
    for entry in std::fs::read_dir(directory)? {
        let entry = entry?;
        let name = entry
            .file_name()
            .into_string()
            .map_err(|name| invalid(format!("file name {name:?} is not UTF-8")))?;
        if SKIPPED_NAMES.contains(&name.as_str()) {
            continue;
        }
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let metadata = std::fs::symlink_metadata(entry.path())?;
        let file_type = metadata.file_type();
        if file_type.is_dir() {
            entries.insert(path.clone(), Source::Directory);
            collect(&entry.path(), &path, entries)?;
        } else if file_type.is_symlink() {
            let target = std::fs::read_link(entry.path())?;
            let target = target
                .into_os_string()
                .into_string()
                .map_err(|target| invalid(format!("link target {target:?} is not UTF-8")))?;
            entries.insert(path, Source::Symlink(target));
        } else if file_type.is_file() {
            let mode = if executable(&metadata) { 0o755 } else { 0o644 };
            entries.insert(
                path,
                Source::File {
                    host: entry.path(),
                    mode,
                },
            );
        }
    }
    Ok(())
}

#[cfg(unix)]
fn executable(metadata: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    metadata.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn executable(_metadata: &std::fs::Metadata) -> bool {
    false
}

/// Writes one header (and the file's data, padded); returns the bytes written.
fn write_entry(writer: &mut impl Write, path: &str, source: &Source) -> io::Result<u64> {
    match source {
        Source::Directory => {
            writer.write_all(&header(&format!("{path}/"), b'5', 0o755, 0, "")?)?;
            Ok(BLOCK as u64)
        }
        Source::Symlink(target) => {
            writer.write_all(&header(path, b'2', 0o777, 0, target)?)?;
            Ok(BLOCK as u64)
        }
        Source::File { host, mode } => {
            let mut file = File::open(host)?;
            let size = file.metadata()?.len();
            writer.write_all(&header(path, b'0', *mode, size, "")?)?;
            let copied = io::copy(&mut file, writer)?;
            if copied != size {
                return Err(invalid(format!(
                    "{} changed size while being archived",
                    host.display()
                )));
            }
            let padding = (BLOCK - (size % BLOCK as u64) as usize) % BLOCK;
            writer.write_all(&vec![0u8; padding])?;
            Ok(BLOCK as u64 + size + padding as u64)
        }
    }
}

/// Puts `text` in `field` (shorter than the field, or exactly its size).
fn put(field: &mut [u8], text: &[u8]) {
    field[..text.len()].copy_from_slice(text);
}

/// A ustar header for `path` (split into prefix and name when longer than 100 bytes).
fn header(path: &str, type_flag: u8, mode: u32, size: u64, link: &str) -> io::Result<[u8; BLOCK]> {
    let (prefix, name) =
        split_path(path).ok_or_else(|| invalid(format!("path too long for ustar: {path}")))?;
    if link.len() > 100 {
        return Err(invalid(format!("link target too long for ustar: {link}")));
    }
    if size >= 1 << 33 {
        return Err(invalid(format!("{path} is too large for ustar")));
    }
    let mut header = [0u8; BLOCK];
    put(&mut header[0..100], name.as_bytes());
    put(&mut header[100..108], format!("{mode:07o}\0").as_bytes());
    put(&mut header[108..116], b"0000000\0");
    put(&mut header[116..124], b"0000000\0");
    put(&mut header[124..136], format!("{size:011o}\0").as_bytes());
    put(&mut header[136..148], b"00000000000\0");
    header[156] = type_flag;
    put(&mut header[157..257], link.as_bytes());
    put(&mut header[257..263], b"ustar\0");
    put(&mut header[263..265], b"00");
    put(&mut header[265..297], b"root");
    put(&mut header[297..329], b"root");
    put(&mut header[329..337], b"0000000\0");
    put(&mut header[337..345], b"0000000\0");
    put(&mut header[345..500], prefix.as_bytes());
    header[148..156].fill(b' ');
    let checksum: u32 = header.iter().map(|&byte| u32::from(byte)).sum();
    put(
        &mut header[148..156],
        format!("{checksum:06o}\0 ").as_bytes(),
    );
    Ok(header)
}

/// Splits `path` into a ustar prefix (at most 155 bytes) and name (at most 100).
fn split_path(path: &str) -> Option<(&str, &str)> {
    if path.len() <= 100 {
        return Some(("", path));
    }
    let search = path.strip_suffix('/').unwrap_or(path);
    search
        .match_indices('/')
        .map(|(index, _)| (&path[..index], &path[index + 1..]))
        .find(|(prefix, name)| prefix.len() <= 155 && name.len() <= 100 && !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let directory =
            std::env::temp_dir().join(format!("koito-root-image-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&directory);
        std::fs::create_dir_all(&directory).unwrap();
        directory
    }

    fn octal(field: &[u8]) -> u64 {
        let text: String = field
            .iter()
            .take_while(|&&b| b != 0 && b != b' ')
            .map(|&b| b as char)
            .collect();
        u64::from_str_radix(&text, 8).unwrap()
    }

    /// (name with prefix, type, mode, data) of every entry.
    fn entries(archive: &[u8]) -> Vec<(String, u8, u64, Vec<u8>)> {
        let mut offset = 0;
        let mut found = Vec::new();
        while archive[offset..offset + BLOCK].iter().any(|&b| b != 0) {
            let header = &archive[offset..offset + BLOCK];
            let sum: u64 = header
                .iter()
                .enumerate()
                .map(|(i, &b)| {
                    if (148..156).contains(&i) {
                        32
                    } else {
                        u64::from(b)
                    }
                })
                .sum();
            assert_eq!(octal(&header[148..156]), sum);
            assert_eq!(&header[257..263], b"ustar\0");
            let text = |range: std::ops::Range<usize>| {
                String::from_utf8(
                    header[range]
                        .iter()
                        .copied()
                        .take_while(|&b| b != 0)
                        .collect(),
                )
                .unwrap()
            };
            let (prefix, name) = (text(345..500), text(0..100));
            let path = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let size = octal(&header[124..136]) as usize;
            let data = archive[offset + BLOCK..offset + BLOCK + size].to_vec();
            found.push((path, header[156], octal(&header[100..108]), data));
            offset += BLOCK + size.div_ceil(BLOCK) * BLOCK;
        }
        assert!(archive[offset..].iter().all(|&b| b == 0));
        assert_eq!(archive.len() - offset, 2 * BLOCK);
        found
    }

    #[test]
    fn archives_rootfs_and_programs_reproducibly() {
        let directory = scratch("basic");
        let rootfs = directory.join("rootfs");
        std::fs::create_dir_all(rootfs.join("etc")).unwrap();
        std::fs::create_dir_all(rootfs.join("home")).unwrap();
        std::fs::write(rootfs.join("home/.gitkeep"), b"").unwrap();
        std::fs::write(rootfs.join("etc/motd"), b"hello\n").unwrap();
        std::fs::write(rootfs.join("etc/script"), b"#!/bin/sh\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                rootfs.join("etc/script"),
                std::fs::Permissions::from_mode(0o700),
            )
            .unwrap();
            std::os::unix::fs::symlink("motd", rootfs.join("etc/greeting")).unwrap();
        }
        let program = directory.join("sh.elf");
        std::fs::write(&program, vec![7u8; 1000]).unwrap();
        let programs = [
            ("/bin/sh".to_string(), program.clone()),
            ("usr/bin/true".to_string(), program),
        ];
        let output = directory.join("root.tar");
        let size = build(&rootfs, &programs, &output).unwrap();
        let archive = std::fs::read(&output).unwrap();
        assert_eq!(size, archive.len() as u64);
        assert_eq!(archive.len() % BLOCK, 0);
        let found = entries(&archive);
        let summary: Vec<(&str, u8, u64)> = found
            .iter()
            .map(|(p, t, m, _)| (p.as_str(), *t, *m))
            .collect();
        let mut expected = vec![
            ("bin/", b'5', 0o755),
            ("bin/sh", b'0', 0o755),
            ("dev/", b'5', 0o755),
            ("etc/", b'5', 0o755),
            ("etc/motd", b'0', 0o644),
            ("etc/script", b'0', 0o755),
            ("home/", b'5', 0o755),
            ("tmp/", b'5', 0o755),
            ("usr/", b'5', 0o755),
            ("usr/bin/", b'5', 0o755),
            ("usr/bin/true", b'0', 0o755),
        ];
        if cfg!(unix) {
            expected.insert(4, ("etc/greeting", b'2', 0o777));
        }
        assert_eq!(summary, expected);
        assert_eq!(
            found.iter().find(|e| e.0 == "bin/sh").unwrap().3,
            vec![7u8; 1000]
        );
        assert_eq!(
            found.iter().find(|e| e.0 == "etc/motd").unwrap().3,
            b"hello\n"
        );
        let again = directory.join("again.tar");
        build(&rootfs, &programs, &again).unwrap();
        assert_eq!(
            std::fs::read(&again).unwrap(),
            archive,
            "the image is reproducible"
        );
        std::fs::remove_dir_all(&directory).unwrap();
    }

    #[test]
    fn long_paths_use_the_prefix_and_bad_paths_are_refused() {
        let long = format!("{}/{}/file", "a".repeat(90), "b".repeat(60));
        let (prefix, name) = split_path(&long).unwrap();
        assert_eq!(format!("{prefix}/{name}"), long);
        assert!(prefix.len() <= 155 && name.len() <= 100);
        assert!(split_path(&"c".repeat(101)).is_none());
        assert!(header(&"c".repeat(101), b'0', 0o644, 0, "").is_err());
        assert!(normalize("../x").is_err());
        assert!(normalize("/").is_err());
        assert_eq!(normalize("//bin/./sh").unwrap(), "bin/sh");
        let directory = scratch("missing");
        let result = build(&directory.join("absent"), &[], &directory.join("out.tar"));
        assert!(result.is_err());
        std::fs::remove_dir_all(&directory).unwrap();
    }
}

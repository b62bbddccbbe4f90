//! Host tests of the VFS: a test archive builder and tests per area.

mod image;
mod input_output;
mod listing;
mod lookup;
mod namespace;
mod properties;
mod renaming;

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::{NodeId, Vfs};

/// Builds ustar archives for tests.
#[derive(Default)]
pub(super) struct Archive {
    bytes: Vec<u8>,
}

impl Archive {
    pub(super) fn header(
        &mut self,
        name: &str,
        type_flag: u8,
        mode: u32,
        data: &[u8],
        link: &str,
    ) -> &mut Self {
        let mut header = [0u8; 512];
        header[..name.len()].copy_from_slice(name.as_bytes());
        header[100..108].copy_from_slice(format!("{mode:07o}\0").as_bytes());
        header[108..116].copy_from_slice(b"0000000\0");
        header[116..124].copy_from_slice(b"0000000\0");
        header[124..136].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
        header[136..148].copy_from_slice(b"00000000000\0");
        header[156] = type_flag;
        header[157..157 + link.len()].copy_from_slice(link.as_bytes());
        header[257..263].copy_from_slice(b"ustar\0");
        header[263..265].copy_from_slice(b"00");
        header[148..156].fill(b' ');
        let sum: u32 = header.iter().map(|&byte| u32::from(byte)).sum();
        header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        self.bytes.extend_from_slice(&header);
        self.bytes.extend_from_slice(data);
        self.bytes.resize(self.bytes.len().next_multiple_of(512), 0);
        self
    }

    pub(super) fn file(&mut self, name: &str, mode: u32, data: &[u8]) -> &mut Self {
        self.header(name, b'0', mode, data, "")
    }

    pub(super) fn directory(&mut self, name: &str) -> &mut Self {
        self.header(name, b'5', 0o755, &[], "")
    }

    pub(super) fn symlink(&mut self, name: &str, target: &str) -> &mut Self {
        self.header(name, b'2', 0o777, &[], target)
    }

    pub(super) fn finish(&mut self) -> &'static [u8] {
        let mut bytes = core::mem::take(&mut self.bytes);
        bytes.extend_from_slice(&[0u8; 1024]);
        Box::leak(bytes.into_boxed_slice())
    }
}

/// The image most tests use: /bin/sh (0755), /etc/passwd, /etc/empty-dir,
/// /home (so /home is a tmpfs), /bin/sh-link -> sh, /etc/loop -> loop.
pub(super) fn standard_image() -> &'static [u8] {
    Archive::default()
        .directory("./")
        .directory("./bin/")
        .file("./bin/sh", 0o755, b"\x7fELF shell")
        .symlink("./bin/sh-link", "sh")
        .directory("./etc/")
        .file("./etc/passwd", 0o644, b"root:x:0:0::/root:/bin/sh\n")
        .directory("./etc/empty-dir/")
        .symlink("./etc/loop", "loop")
        .symlink("./etc/to-bin", "/bin/")
        .directory("./home/")
        .directory("./tmp/")
        .finish()
}

pub(super) fn standard() -> (Vfs, NodeId) {
    let vfs = Vfs::new(standard_image()).expect("image");
    let root = vfs.root();
    (vfs, root)
}

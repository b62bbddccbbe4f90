//! Building the tree: the root image's nodes, then the mounts (`/dev`, `/tmp`,
//! `/home`), and crossing mount points during lookup.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use posix_server_api::Errno;

use super::file_data::{ChunkBudget, FileData};
use super::node::{Content, DeviceId, Directory, FilesystemId, Node, NodeId};
use super::stat::Timestamp;
use super::ustar::{ImageEntryKind, ImageError, UstarReader};
use super::{CHUNK_SIZE, DEFAULT_TMPFS_LIMIT_BYTES, Filesystem, FilesystemKind, Vfs};

const IMAGE_FILESYSTEM: FilesystemId = FilesystemId(0);

impl Vfs {
    /// Builds the tree from the root image (a ustar archive) and mounts a tmpfs
    /// on `/tmp` (mode 1777), a tmpfs on `/home` if the image has that directory,
    /// and the devices on `/dev`. `/tmp` and `/dev` are made if the image lacks them.
    ///
    /// # Errors
    /// An [`ImageError`] if the archive is corrupt or an entry conflicts with another
    /// (also if the image has `/tmp` or `/dev` as a non-directory).
    pub fn new(image: &'static [u8]) -> Result<Self, ImageError> {
        let mut vfs = Self {
            nodes: Vec::new(),
            free_slots: Vec::new(),
            filesystems: Vec::new(),
            mounts: BTreeMap::new(),
            mounted_on: BTreeMap::new(),
            root: NodeId(0),
            now: Timestamp::default(),
            budget: ChunkBudget {
                used: 0,
                limit: DEFAULT_TMPFS_LIMIT_BYTES / CHUNK_SIZE,
            },
        };
        vfs.filesystems.push(Filesystem {
            kind: FilesystemKind::RootImage,
            read_only: true,
        });
        vfs.root = vfs.new_directory_node(IMAGE_FILESYSTEM, 0o755, None);
        for entry in UstarReader::new(image) {
            let entry = entry?;
            let conflict = ImageError::Conflict {
                offset: entry.offset,
            };
            let time = Timestamp::from_seconds(entry.mtime);
            if entry.path.is_empty() {
                let root = vfs.root;
                vfs.set_image_attributes(root, entry.mode, time);
                continue;
            }
            let (parent_path, name) = match entry.path.rsplit_once('/') {
                Some((parent, name)) => (parent, name),
                None => ("", entry.path.as_str()),
            };
            let parent = vfs.image_directory(parent_path).ok_or(conflict.clone())?;
            let existing = vfs.child_entry(parent, name);
            let content = match entry.kind {
                ImageEntryKind::Directory => {
                    match existing {
                        Some(node) if vfs.is_directory(node) => {
                            vfs.set_image_attributes(node, entry.mode, time)
                        }
                        Some(_) => return Err(conflict),
                        None => {
                            let node =
                                vfs.new_directory_node(IMAGE_FILESYSTEM, entry.mode, Some(parent));
                            vfs.set_image_attributes(node, entry.mode, time);
                            vfs.link_into(parent, name.to_string(), node);
                        }
                    }
                    continue;
                }
                ImageEntryKind::Regular(bytes) => Content::Regular(FileData::Image(bytes)),
                ImageEntryKind::Symlink(target) => Content::Symlink(target.to_string()),
            };
            if let Some(old) = existing {
                if vfs.is_directory(old) {
                    return Err(conflict);
                }
                vfs.unlink_entry(parent, name);
            }
            let node = vfs.add_node(Node::new(IMAGE_FILESYSTEM, entry.mode, time, content));
            vfs.link_into(parent, name.to_string(), node);
        }
        let root = vfs.root;
        let missing = ImageError::Conflict {
            offset: image.len(),
        };
        let devices_directory = vfs.image_directory("dev").ok_or(missing.clone())?;
        let temporary_directory = vfs.image_directory("tmp").ok_or(missing)?;
        let devices = vfs.mount(devices_directory, FilesystemKind::Devices, 0o755);
        for device in DeviceId::ALL {
            let node = vfs.add_node(Node::new(
                vfs.node(devices)
                    .map_or(IMAGE_FILESYSTEM, |node| node.filesystem),
                device.permissions(),
                Timestamp::default(),
                Content::Device(device),
            ));
            vfs.link_into(devices, device.name().to_string(), node);
        }
        vfs.mount(temporary_directory, FilesystemKind::Tmpfs, 0o1777);
        if let Some(home) = vfs
            .child_entry(root, "home")
            .filter(|&node| vfs.is_directory(node))
        {
            vfs.mount(home, FilesystemKind::Tmpfs, 0o755);
        }
        Ok(vfs)
    }

    /// The image directory at `path` (relative to `/`, already normalized),
    /// making missing directories. `None` if a component is not a directory.
    fn image_directory(&mut self, path: &str) -> Option<NodeId> {
        let mut current = self.root;
        for name in path.split('/').filter(|name| !name.is_empty()) {
            current = match self.child_entry(current, name) {
                Some(node) if self.is_directory(node) => node,
                Some(_) => return None,
                None => {
                    let node = self.new_directory_node(IMAGE_FILESYSTEM, 0o755, Some(current));
                    self.link_into(current, name.to_string(), node);
                    node
                }
            };
        }
        Some(current)
    }

    fn set_image_attributes(&mut self, node: NodeId, mode: u32, time: Timestamp) {
        if let Ok(entry) = self.node_mut(node) {
            entry.permissions = mode & super::flags::PERMISSION_BITS;
            entry.access_time = time;
            entry.modification_time = time;
            entry.change_time = time;
        }
    }

    /// Mounts a new, empty file system of `kind` on `covered`; returns its root.
    fn mount(&mut self, covered: NodeId, kind: FilesystemKind, permissions: u32) -> NodeId {
        let id = FilesystemId(self.filesystems.len() as u32);
        self.filesystems.push(Filesystem {
            kind,
            read_only: kind != FilesystemKind::Tmpfs,
        });
        let root = self.new_directory_node(id, permissions, None);
        self.mounts.insert(covered, root);
        self.mounted_on.insert(root, covered);
        root
    }

    /// A new directory node (its parent is itself when `parent` is `None`).
    pub(super) fn new_directory_node(
        &mut self,
        filesystem: FilesystemId,
        permissions: u32,
        parent: Option<NodeId>,
    ) -> NodeId {
        let now = self.now;
        let node = self.add_node(Node::new(
            filesystem,
            permissions,
            now,
            Content::Directory(Directory::new(NodeId(u32::MAX))),
        ));
        let parent = parent.unwrap_or(node);
        if let Ok(directory) = self.node_mut(node).map(Node::directory_mut)
            && let Some(directory) = directory
        {
            directory.parent = parent;
        }
        node
    }

    /// The raw entry `name` of `directory` (no mount crossing).
    pub(super) fn child_entry(&self, directory: NodeId, name: &str) -> Option<NodeId> {
        self.node(directory).ok()?.directory()?.get(name)
    }

    /// `node` itself, or the root of the file system mounted on it.
    pub(super) fn cross_mount(&self, node: NodeId) -> NodeId {
        self.mounts.get(&node).copied().unwrap_or(node)
    }

    /// Whether a file system is mounted on `node`.
    pub(super) fn is_mount_point(&self, node: NodeId) -> bool {
        self.mounts.contains_key(&node)
    }

    /// The parent of directory `node` (`..`), crossing mounts upwards.
    /// `ENOENT` for a removed directory.
    pub(super) fn parent_of(&self, node: NodeId) -> Result<NodeId, Errno> {
        let mut current = node;
        loop {
            if current == self.root {
                return Ok(current);
            }
            if let Some(&covered) = self.mounted_on.get(&current) {
                current = covered;
                continue;
            }
            let entry = self.node(current)?;
            if entry.link_count == 0 {
                return Err(Errno::ENOENT);
            }
            return entry
                .directory()
                .map(|directory| directory.parent)
                .ok_or(Errno::ENOTDIR);
        }
    }

    /// Adds `node` as entry `name` of `directory` and records it as the parent.
    pub(super) fn link_into(&mut self, directory: NodeId, name: String, node: NodeId) {
        if let Ok(entry) = self.node_mut(node)
            && let Some(child) = entry.directory_mut()
        {
            child.parent = directory;
        }
        if let Ok(entry) = self.node_mut(directory)
            && let Some(parent) = entry.directory_mut()
        {
            parent.insert(name, node);
        }
    }

    /// Removes entry `name` of `directory`, dropping a link of its node (freed if
    /// unused). Returns the node.
    pub(super) fn unlink_entry(&mut self, directory: NodeId, name: &str) -> Option<NodeId> {
        let node = self
            .node_mut(directory)
            .ok()?
            .directory_mut()?
            .remove(name)?;
        let now = self.now;
        if let Ok(entry) = self.node_mut(node) {
            entry.link_count = entry.link_count.saturating_sub(1);
            entry.change_time = now;
            if entry.is_directory() {
                entry.link_count = 0;
            }
        }
        self.free_if_unused(node);
        Some(node)
    }
}

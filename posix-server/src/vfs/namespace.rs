//! Operations on names: `open` (with `O_CREAT`), `mkdir`, `rmdir`, `unlink`,
//! `symlink`, `readlink`, `access`, `chmod`.

use alloc::string::{String, ToString};

use posix_server_api::Errno;

use super::Vfs;
use super::file_data::{FileData, MemoryFile};
use super::flags::{
    F_OK, MAX_SYMLINK_FOLLOWS, O_ACCMODE, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_RDONLY,
    O_TRUNC, PATH_MAX, PERMISSION_BITS, R_OK, W_OK, X_OK,
};
use super::lookup::LastComponent;
use super::node::{Content, Node, NodeId};

impl Vfs {
    /// Opens (and with `O_CREAT` creates, mode `mode & !umask`) the file at `path`
    /// and takes one open reference on it: the caller calls
    /// [`Vfs::close_reference`] when the open file description goes away.
    /// `O_TRUNC` truncates a regular file. Only the flags named below matter;
    /// others (`O_APPEND`, `O_NONBLOCK`, `O_CLOEXEC`, `O_NOCTTY`) are the caller's.
    ///
    /// # Errors
    /// `ENOENT` (missing, no `O_CREAT`), `EEXIST` (`O_CREAT|O_EXCL` on an existing
    /// name), `EISDIR` (a directory opened for writing or with `O_TRUNC` or
    /// `O_CREAT`; `O_CREAT` with a trailing slash), `ENOTDIR` (`O_DIRECTORY` on a
    /// non-directory, a file used as a directory), `EROFS` (writing or creating on
    /// the image), `ELOOP` (`O_NOFOLLOW` on a link, or too many links), `EINVAL`
    /// (`O_CREAT|O_DIRECTORY`), `ENAMETOOLONG`, `ENOSPC`.
    pub fn open(
        &mut self,
        cwd: NodeId,
        path: &str,
        flags: u32,
        mode: u32,
        umask: u32,
    ) -> Result<NodeId, Errno> {
        self.open_following(cwd, path, flags, mode, umask, 0)
    }

    /// `open` after `links_followed` symbolic links in the last component (a
    /// dangling link with `O_CREAT` creates its target, as Linux does).
    fn open_following(
        &mut self,
        cwd: NodeId,
        path: &str,
        flags: u32,
        mode: u32,
        umask: u32,
        links_followed: u32,
    ) -> Result<NodeId, Errno> {
        let creating = flags & O_CREAT != 0;
        if creating && flags & O_DIRECTORY != 0 {
            return Err(Errno::EINVAL);
        }
        let follow = flags & O_NOFOLLOW == 0;
        let node = if creating {
            let lookup = self.lookup_parent(cwd, path)?;
            match lookup.last {
                LastComponent::Name(name) => {
                    if lookup.trailing_slash {
                        return Err(Errno::EISDIR);
                    }
                    match self.lookup_child(lookup.parent, &name) {
                        Ok(existing) => {
                            if flags & O_EXCL != 0 {
                                return Err(Errno::EEXIST);
                            }
                            if let Content::Symlink(target) = &self.node(existing)?.content
                                && follow
                            {
                                if links_followed >= MAX_SYMLINK_FOLLOWS {
                                    return Err(Errno::ELOOP);
                                }
                                let target = target.clone();
                                let next = links_followed + 1;
                                return self.open_following(
                                    lookup.parent,
                                    &target,
                                    flags,
                                    mode,
                                    umask,
                                    next,
                                );
                            }
                            existing
                        }
                        Err(Errno::ENOENT) => {
                            let permissions = mode & !umask & PERMISSION_BITS;
                            let content = Content::Regular(FileData::Memory(MemoryFile::default()));
                            let node = self.create(lookup.parent, name, permissions, content)?;
                            self.open_reference(node)?;
                            return Ok(node);
                        }
                        Err(error) => return Err(error),
                    }
                }
                _ => {
                    if flags & O_EXCL != 0 {
                        return Err(Errno::EEXIST);
                    }
                    self.lookup(cwd, path, true)?
                }
            }
        } else {
            self.lookup(cwd, path, follow)?
        };
        let writing = flags & O_ACCMODE != O_RDONLY || flags & O_TRUNC != 0;
        let entry = self.node(node)?;
        match entry.content {
            Content::Directory(_) => {
                if creating || writing {
                    return Err(Errno::EISDIR);
                }
            }
            Content::Symlink(_) => return Err(Errno::ELOOP),
            Content::Regular(_) | Content::Device(_) => {
                if flags & O_DIRECTORY != 0 {
                    return Err(Errno::ENOTDIR);
                }
            }
        }
        let regular = matches!(entry.content, Content::Regular(_));
        if regular && writing && self.is_read_only(node)? {
            return Err(Errno::EROFS);
        }
        if regular && flags & O_TRUNC != 0 {
            self.truncate(node, 0)?;
        }
        self.open_reference(node)?;
        Ok(node)
    }

    /// Makes directory `path` with mode `mode & !umask`.
    ///
    /// # Errors
    /// `EEXIST` (the name exists, or is `/`, `.`, `..`), `ENOENT` (missing parent
    /// or removed parent), `ENOTDIR`, `EROFS`, `ENAMETOOLONG`, `ELOOP`.
    pub fn mkdir(
        &mut self,
        cwd: NodeId,
        path: &str,
        mode: u32,
        umask: u32,
    ) -> Result<NodeId, Errno> {
        let lookup = self.lookup_parent(cwd, path)?;
        let LastComponent::Name(name) = lookup.last else {
            return Err(Errno::EEXIST);
        };
        if self.child_entry(lookup.parent, &name).is_some() {
            return Err(Errno::EEXIST);
        }
        self.check_can_create(lookup.parent)?;
        let filesystem = self.node(lookup.parent)?.filesystem;
        let node = self.new_directory_node(
            filesystem,
            mode & !umask & PERMISSION_BITS,
            Some(lookup.parent),
        );
        self.link_new(lookup.parent, name, node)?;
        Ok(node)
    }

    /// Removes the empty directory `path`.
    ///
    /// # Errors
    /// `EINVAL` (last component `.`), `ENOTEMPTY` (`..` or a non-empty directory),
    /// `EBUSY` (`/` or a mount point), `EROFS`, `ENOENT`, `ENOTDIR`.
    pub fn rmdir(&mut self, cwd: NodeId, path: &str) -> Result<(), Errno> {
        let lookup = self.lookup_parent(cwd, path)?;
        let name = match lookup.last {
            LastComponent::Name(name) => name,
            LastComponent::Dot => return Err(Errno::EINVAL),
            LastComponent::DotDot => return Err(Errno::ENOTEMPTY),
            LastComponent::Root => return Err(Errno::EBUSY),
        };
        if self.is_read_only(lookup.parent)? {
            return Err(Errno::EROFS);
        }
        let node = self
            .child_entry(lookup.parent, &name)
            .ok_or(Errno::ENOENT)?;
        let entry = self.node(node)?;
        let directory = entry.directory().ok_or(Errno::ENOTDIR)?;
        if self.is_mount_point(node) {
            return Err(Errno::EBUSY);
        }
        if !directory.is_empty() {
            return Err(Errno::ENOTEMPTY);
        }
        self.remove_name(lookup.parent, &name);
        Ok(())
    }

    /// Removes the name `path` of a non-directory. The node lives on while open.
    ///
    /// # Errors
    /// `EISDIR` (a directory, or `/`, `.`, `..`), `ENOTDIR` (trailing slash on a
    /// non-directory), `EROFS`, `ENOENT`, `EBUSY`.
    pub fn unlink(&mut self, cwd: NodeId, path: &str) -> Result<(), Errno> {
        let lookup = self.lookup_parent(cwd, path)?;
        let LastComponent::Name(name) = lookup.last else {
            return Err(Errno::EISDIR);
        };
        if self.is_read_only(lookup.parent)? {
            return Err(Errno::EROFS);
        }
        let node = self
            .child_entry(lookup.parent, &name)
            .ok_or(Errno::ENOENT)?;
        let is_directory = self.is_directory(node);
        if is_directory {
            return Err(Errno::EISDIR);
        }
        if lookup.trailing_slash {
            return Err(Errno::ENOTDIR);
        }
        self.remove_name(lookup.parent, &name);
        Ok(())
    }

    /// Makes a symbolic link at `link_path` whose target is `target`.
    ///
    /// # Errors
    /// `ENOENT` (empty target, missing parent, trailing slash), `EEXIST`, `EROFS`,
    /// `ENAMETOOLONG`, `ENOTDIR`.
    pub fn symlink(&mut self, cwd: NodeId, target: &str, link_path: &str) -> Result<NodeId, Errno> {
        if target.is_empty() {
            return Err(Errno::ENOENT);
        }
        if target.len() >= PATH_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let lookup = self.lookup_parent(cwd, link_path)?;
        let LastComponent::Name(name) = lookup.last else {
            return Err(Errno::EEXIST);
        };
        if self.child_entry(lookup.parent, &name).is_some() {
            return Err(Errno::EEXIST);
        }
        if lookup.trailing_slash {
            return Err(Errno::ENOENT);
        }
        self.create(
            lookup.parent,
            name,
            0o777,
            Content::Symlink(target.to_string()),
        )
    }

    /// The target of the symbolic link `path`.
    ///
    /// # Errors
    /// `EINVAL` if `path` is not a symbolic link; lookup errors.
    pub fn readlink(&self, cwd: NodeId, path: &str) -> Result<String, Errno> {
        let node = self.lookup(cwd, path, false)?;
        match &self.node(node)?.content {
            Content::Symlink(target) => Ok(target.clone()),
            _ => Err(Errno::EINVAL),
        }
    }

    /// `access`: `mode` is `F_OK` or a mix of `R_OK`, `W_OK`, `X_OK`. Everyone is
    /// root, so only existence, a read-only file system and the execute bits of
    /// non-directories matter.
    ///
    /// # Errors
    /// `EINVAL` (bad mode), `EROFS` (`W_OK` on the image), `EACCES` (`X_OK` on a
    /// file with no execute bit), lookup errors.
    pub fn access(&self, cwd: NodeId, path: &str, mode: u32) -> Result<(), Errno> {
        if mode & !(F_OK | R_OK | W_OK | X_OK) != 0 {
            return Err(Errno::EINVAL);
        }
        let node = self.lookup(cwd, path, true)?;
        let entry = self.node(node)?;
        let is_device = matches!(entry.content, Content::Device(_));
        if mode & W_OK != 0 && !is_device && self.is_read_only(node)? {
            return Err(Errno::EROFS);
        }
        if mode & X_OK != 0 && !entry.is_directory() && entry.permissions & 0o111 == 0 {
            return Err(Errno::EACCES);
        }
        Ok(())
    }

    /// Sets the permission bits of `node` (`chmod`/`fchmod`).
    ///
    /// # Errors
    /// `EROFS` on a read-only file system (devices too, as Linux), `EBADF`.
    pub fn chmod(&mut self, node: NodeId, mode: u32) -> Result<(), Errno> {
        if self.is_read_only(node)? {
            return Err(Errno::EROFS);
        }
        let now = self.now;
        let entry = self.node_mut(node)?;
        entry.permissions = mode & PERMISSION_BITS;
        entry.change_time = now;
        Ok(())
    }

    /// Makes a new node in `parent` under `name` (which must be free).
    fn create(
        &mut self,
        parent: NodeId,
        name: String,
        permissions: u32,
        content: Content,
    ) -> Result<NodeId, Errno> {
        self.check_can_create(parent)?;
        let filesystem = self.node(parent)?.filesystem;
        let node = self.add_node(Node::new(filesystem, permissions, self.now, content));
        self.link_new(parent, name, node)?;
        Ok(node)
    }

    /// Links a fresh node into `parent`, after the checks of creation.
    fn link_new(&mut self, parent: NodeId, name: String, node: NodeId) -> Result<(), Errno> {
        self.check_can_create(parent)?;
        self.link_into(parent, name, node);
        let now = self.now;
        self.node_mut(parent)?.touch_modified(now);
        Ok(())
    }

    /// `ENOENT` in a removed directory, `EROFS` on a read-only file system.
    pub(super) fn check_can_create(&self, parent: NodeId) -> Result<(), Errno> {
        if self.node(parent)?.link_count == 0 {
            return Err(Errno::ENOENT);
        }
        if self.is_read_only(parent)? {
            return Err(Errno::EROFS);
        }
        Ok(())
    }

    /// Removes entry `name` of `parent` and stamps the parent's times.
    pub(super) fn remove_name(&mut self, parent: NodeId, name: &str) {
        self.unlink_entry(parent, name);
        let now = self.now;
        if let Ok(entry) = self.node_mut(parent) {
            entry.touch_modified(now);
        }
    }
}

//! Path lookup: absolute and relative paths, `.` and `..` (across mounts),
//! symbolic links (at most `MAX_SYMLINK_FOLLOWS`), trailing slashes; and
//! `getcwd`'s reverse walk.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use posix_server_api::Errno;

use super::Vfs;
use super::flags::MAX_SYMLINK_FOLLOWS;
use super::node::{Content, NodeId};
use super::path::parse_path;

/// The last component of a path whose parent was looked up.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum LastComponent {
    /// The path has no component (`/`).
    Root,
    /// `.`
    Dot,
    /// `..`
    DotDot,
    /// A name.
    Name(String),
}

/// The result of looking up everything but the last component.
#[derive(Debug)]
pub(super) struct ParentLookup {
    /// The directory holding the last component.
    pub(super) parent: NodeId,
    pub(super) last: LastComponent,
    pub(super) trailing_slash: bool,
}

impl Vfs {
    /// Looks `path` up from `cwd` (relative paths) or `/`. With `follow`, a
    /// symbolic link in the last component is followed (`stat`); without, the
    /// link itself is returned (`lstat`). A trailing slash requires a directory.
    ///
    /// # Errors
    /// `ENOENT`, `ENOTDIR`, `ENAMETOOLONG`, `ELOOP`; `EBADF` for an unknown `cwd`.
    pub fn lookup(&self, cwd: NodeId, path: &str, follow: bool) -> Result<NodeId, Errno> {
        let parsed = parse_path(path)?;
        let start = if parsed.absolute { self.root } else { cwd };
        let mut components = parsed.components;
        if parsed.trailing_slash {
            components.push_back(String::from("."));
        }
        self.walk(start, components, follow)
    }

    /// Looks up a directory (for `chdir`).
    ///
    /// # Errors
    /// As [`Vfs::lookup`], and `ENOTDIR` if the path names something else.
    pub fn lookup_directory(&self, cwd: NodeId, path: &str) -> Result<NodeId, Errno> {
        let node = self.lookup(cwd, path, true)?;
        if self.is_directory(node) {
            Ok(node)
        } else {
            Err(Errno::ENOTDIR)
        }
    }

    /// The absolute path of directory `node` (for `getcwd`).
    ///
    /// # Errors
    /// `ENOTDIR` if `node` is not a directory, `ENOENT` if it was removed,
    /// `EBADF` if it does not exist.
    pub fn path_of(&self, node: NodeId) -> Result<String, Errno> {
        if !self.node(node)?.is_directory() {
            return Err(Errno::ENOTDIR);
        }
        let mut names: Vec<&str> = Vec::new();
        let mut current = node;
        while current != self.root {
            if let Some(&covered) = self.mounted_on.get(&current) {
                current = covered;
                continue;
            }
            let parent = self.parent_of(current)?;
            let name = self
                .node(parent)?
                .directory()
                .and_then(|directory| directory.name_of(current));
            names.push(name.ok_or(Errno::ENOENT)?);
            current = parent;
        }
        if names.is_empty() {
            return Ok(String::from("/"));
        }
        let mut path = String::new();
        for name in names.iter().rev() {
            path.push('/');
            path.push_str(name);
        }
        Ok(path)
    }

    /// Looks up every component but the last (following links); the parent must
    /// be a directory.
    pub(super) fn lookup_parent(&self, cwd: NodeId, path: &str) -> Result<ParentLookup, Errno> {
        let mut parsed = parse_path(path)?;
        let start = if parsed.absolute { self.root } else { cwd };
        let Some(last) = parsed.components.pop_back() else {
            return Ok(ParentLookup {
                parent: self.root,
                last: LastComponent::Root,
                trailing_slash: false,
            });
        };
        let parent = self.walk(start, parsed.components, true)?;
        if !self.is_directory(parent) {
            return Err(Errno::ENOTDIR);
        }
        let last = match last.as_str() {
            "." => LastComponent::Dot,
            ".." => LastComponent::DotDot,
            _ => LastComponent::Name(last),
        };
        Ok(ParentLookup {
            parent,
            last,
            trailing_slash: parsed.trailing_slash,
        })
    }

    /// The child `name` of directory `directory`, crossing into mounted file
    /// systems (`.` and `..` included).
    pub(super) fn lookup_child(&self, directory: NodeId, name: &str) -> Result<NodeId, Errno> {
        let entry = self.node(directory)?;
        let entries = entry.directory().ok_or(Errno::ENOTDIR)?;
        match name {
            "." => Ok(directory),
            ".." => self.parent_of(directory),
            _ => entries
                .get(name)
                .map(|node| self.cross_mount(node))
                .ok_or(Errno::ENOENT),
        }
    }

    fn walk(
        &self,
        start: NodeId,
        mut queue: VecDeque<String>,
        follow_last: bool,
    ) -> Result<NodeId, Errno> {
        let mut current = start;
        let mut followed = 0;
        self.node(current)?;
        while let Some(name) = queue.pop_front() {
            let next = self.lookup_child(current, &name)?;
            let is_last = queue.is_empty();
            if let Content::Symlink(target) = &self.node(next)?.content
                && (!is_last || follow_last)
            {
                followed += 1;
                if followed > MAX_SYMLINK_FOLLOWS {
                    return Err(Errno::ELOOP);
                }
                let parsed = parse_path(target)?;
                if parsed.absolute {
                    current = self.root;
                }
                if parsed.trailing_slash {
                    queue.push_front(String::from("."));
                }
                for component in parsed.components.into_iter().rev() {
                    queue.push_front(component);
                }
                continue;
            }
            current = next;
        }
        Ok(current)
    }
}

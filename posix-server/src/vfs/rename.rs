//! `rename`, with Linux's rules and error order.

use posix_server_api::Errno;

use super::Vfs;
use super::lookup::LastComponent;
use super::node::NodeId;

impl Vfs {
    /// Renames `old_path` to `new_path` within one file system, replacing an
    /// existing non-directory, or an empty directory by a directory.
    ///
    /// # Errors
    /// `EBUSY` (last component `.`/`..`/`/`, or a mount point), `EXDEV` (across file
    /// systems), `EROFS`, `ENOENT`, `ENOTDIR` (trailing slash on a non-directory; a
    /// directory over a non-directory), `EISDIR` (a non-directory over a
    /// directory), `EINVAL` (a directory into itself), `ENOTEMPTY` (over a
    /// non-empty directory, or over an ancestor of the source).
    pub fn rename(&mut self, cwd: NodeId, old_path: &str, new_path: &str) -> Result<(), Errno> {
        let old = self.lookup_parent(cwd, old_path)?;
        let new = self.lookup_parent(cwd, new_path)?;
        let LastComponent::Name(old_name) = old.last else {
            return Err(Errno::EBUSY);
        };
        let LastComponent::Name(new_name) = new.last else {
            return Err(Errno::EBUSY);
        };
        if self.node(old.parent)?.filesystem != self.node(new.parent)?.filesystem {
            return Err(Errno::EXDEV);
        }
        if self.is_read_only(old.parent)? {
            return Err(Errno::EROFS);
        }
        let source = self
            .child_entry(old.parent, &old_name)
            .ok_or(Errno::ENOENT)?;
        let source_is_directory = self.is_directory(source);
        if !source_is_directory && (old.trailing_slash || new.trailing_slash) {
            return Err(Errno::ENOTDIR);
        }
        if source_is_directory && self.is_ancestor_or_self(source, new.parent) {
            return Err(Errno::EINVAL);
        }
        let target = self.child_entry(new.parent, &new_name);
        if let Some(target) = target
            && self.is_directory(target)
            && self.is_ancestor_or_self(target, old.parent)
        {
            return Err(Errno::ENOTEMPTY);
        }
        if target == Some(source) {
            return Ok(());
        }
        if self.node(new.parent)?.link_count == 0 {
            return Err(Errno::ENOENT);
        }
        if let Some(target) = target {
            let target_is_directory = self.is_directory(target);
            if source_is_directory && !target_is_directory {
                return Err(Errno::ENOTDIR);
            }
            if !source_is_directory && target_is_directory {
                return Err(Errno::EISDIR);
            }
            if self.is_mount_point(source) || self.is_mount_point(target) {
                return Err(Errno::EBUSY);
            }
            let target_not_empty = self
                .node(target)?
                .directory()
                .is_some_and(|directory| !directory.is_empty());
            if target_not_empty {
                return Err(Errno::ENOTEMPTY);
            }
            self.remove_name(new.parent, &new_name);
        } else if self.is_mount_point(source) {
            return Err(Errno::EBUSY);
        }
        let now = self.now;
        if let Some(directory) = self.node_mut(old.parent)?.directory_mut() {
            directory.remove(&old_name);
        }
        self.node_mut(old.parent)?.touch_modified(now);
        self.link_into(new.parent, new_name, source);
        self.node_mut(new.parent)?.touch_modified(now);
        self.node_mut(source)?.change_time = now;
        Ok(())
    }

    /// Whether `ancestor` is `node` or one of its ancestors within its file system.
    fn is_ancestor_or_self(&self, ancestor: NodeId, node: NodeId) -> bool {
        let mut current = node;
        for _ in 0..=self.nodes.len() {
            if current == ancestor {
                return true;
            }
            let Some(parent) = self
                .node(current)
                .ok()
                .and_then(|entry| entry.directory())
                .map(|dir| dir.parent)
            else {
                return false;
            };
            if parent == current {
                return false;
            }
            current = parent;
        }
        false
    }
}

//! Open file descriptions (shared by `dup` and `fork`, with reference counts) and
//! per-process descriptor tables: lowest-free allocation, `dup`, `dup2`, `dup3`,
//! the descriptor parts of `fcntl`, `close`, `fork`, close-on-exec.
//!
//! Operations that drop the last reference of an open file description return
//! its [`FileTarget`], so that the server can release what it held (a pipe end, a
//! node's open reference).

use alloc::vec::Vec;

use posix_server_api::Errno;

use crate::vfs::flags::{O_ACCMODE, O_APPEND, O_CLOEXEC, O_NONBLOCK};
use crate::vfs::{DeviceId, NodeId};

/// Most descriptors a process may have open (`OPEN_MAX`).
pub const OPEN_MAX: usize = 64;
/// The descriptor flag close-on-exec (`fcntl(F_GETFD/F_SETFD)`).
pub const FD_CLOEXEC: u32 = 1;
/// The status flags `F_SETFL` may change.
pub const SETTABLE_STATUS_FLAGS: u32 = O_APPEND | O_NONBLOCK;

/// What an open file description refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileTarget {
    /// A node of the VFS (file or directory); holds one open reference on it.
    Node(NodeId),
    /// The read end of pipe number `u32`.
    PipeRead(u32),
    /// The write end of pipe number `u32`.
    PipeWrite(u32),
    /// A character device.
    Device(DeviceId),
}

/// An open file description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenFile {
    /// What it refers to.
    pub target: FileTarget,
    /// The file offset.
    pub offset: u64,
    /// The access mode (`O_ACCMODE` bits) and status flags (`O_APPEND`, `O_NONBLOCK`).
    pub status_flags: u32,
}

impl OpenFile {
    /// A description of `target` at offset 0, keeping of `open_flags` only the
    /// access mode, `O_APPEND` and `O_NONBLOCK`.
    #[must_use]
    pub const fn new(target: FileTarget, open_flags: u32) -> Self {
        Self {
            target,
            offset: 0,
            status_flags: open_flags & (O_ACCMODE | SETTABLE_STATUS_FLAGS),
        }
    }

    /// The access mode (`O_RDONLY`, `O_WRONLY` or `O_RDWR`).
    #[must_use]
    pub const fn access_mode(&self) -> u32 {
        self.status_flags & O_ACCMODE
    }
}

/// Identifies an open file description in [`OpenFiles`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpenFileId(pub u32);

#[derive(Debug)]
struct Slot {
    file: OpenFile,
    references: u32,
}

/// All open file descriptions of the system.
#[derive(Debug, Default)]
pub struct OpenFiles {
    slots: Vec<Option<Slot>>,
    free: Vec<u32>,
}

impl OpenFiles {
    /// An empty arena.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    /// Adds `file` with one reference.
    pub fn insert(&mut self, file: OpenFile) -> OpenFileId {
        let slot = Some(Slot {
            file,
            references: 1,
        });
        if let Some(index) = self.free.pop()
            && let Some(entry) = self.slots.get_mut(index as usize)
        {
            *entry = slot;
            return OpenFileId(index);
        }
        self.slots.push(slot);
        OpenFileId((self.slots.len() - 1) as u32)
    }

    /// The description `id`.
    #[must_use]
    pub fn get(&self, id: OpenFileId) -> Option<&OpenFile> {
        self.slot(id).map(|slot| &slot.file)
    }

    /// The description `id`, to change its offset or flags.
    pub fn get_mut(&mut self, id: OpenFileId) -> Option<&mut OpenFile> {
        self.slots
            .get_mut(id.0 as usize)
            .and_then(Option::as_mut)
            .map(|slot| &mut slot.file)
    }

    /// How many references `id` has (0 if it does not exist).
    #[must_use]
    pub fn reference_count(&self, id: OpenFileId) -> u32 {
        self.slot(id).map_or(0, |slot| slot.references)
    }

    /// How many descriptions exist.
    #[must_use]
    pub fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds a reference to `id`.
    ///
    /// # Errors
    /// `EBADF` if `id` does not exist.
    pub fn add_reference(&mut self, id: OpenFileId) -> Result<(), Errno> {
        let slot = self
            .slots
            .get_mut(id.0 as usize)
            .and_then(Option::as_mut)
            .ok_or(Errno::EBADF)?;
        slot.references = slot.references.saturating_add(1);
        Ok(())
    }

    /// Drops a reference to `id`; returns the target when that was the last one
    /// (the description is then gone).
    pub fn release(&mut self, id: OpenFileId) -> Option<FileTarget> {
        let entry = self.slots.get_mut(id.0 as usize)?;
        let slot = entry.as_mut()?;
        slot.references -= 1;
        if slot.references > 0 {
            return None;
        }
        let target = slot.file.target;
        *entry = None;
        self.free.push(id.0);
        Some(target)
    }

    fn slot(&self, id: OpenFileId) -> Option<&Slot> {
        self.slots.get(id.0 as usize).and_then(Option::as_ref)
    }
}

/// One descriptor: its open file description and close-on-exec flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Descriptor {
    /// The open file description.
    pub open_file: OpenFileId,
    /// Close on `execve`.
    pub close_on_exec: bool,
}

/// A process's descriptors `0..OPEN_MAX`. Each holds one reference on its
/// open file description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DescriptorTable {
    descriptors: [Option<Descriptor>; OPEN_MAX],
}

impl Default for DescriptorTable {
    fn default() -> Self {
        Self::new()
    }
}

fn index_of(fd: i32) -> Result<usize, Errno> {
    usize::try_from(fd)
        .ok()
        .filter(|&index| index < OPEN_MAX)
        .ok_or(Errno::EBADF)
}

impl DescriptorTable {
    /// A table with no descriptors.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            descriptors: [None; OPEN_MAX],
        }
    }

    /// The descriptor `fd`.
    ///
    /// # Errors
    /// `EBADF` if `fd` is negative, too large or closed.
    pub fn get(&self, fd: i32) -> Result<Descriptor, Errno> {
        self.descriptors[index_of(fd)?].ok_or(Errno::EBADF)
    }

    /// The open file description of `fd`.
    ///
    /// # Errors
    /// `EBADF` as [`DescriptorTable::get`].
    pub fn open_file(&self, fd: i32) -> Result<OpenFileId, Errno> {
        Ok(self.get(fd)?.open_file)
    }

    /// The open descriptors in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = (i32, Descriptor)> + '_ {
        self.descriptors
            .iter()
            .enumerate()
            .filter_map(|(index, descriptor)| {
                descriptor.map(|descriptor| (index as i32, descriptor))
            })
    }

    /// How many descriptors are open.
    #[must_use]
    pub fn count(&self) -> usize {
        self.descriptors.iter().flatten().count()
    }

    /// Makes a new description of `file` and gives it the lowest free descriptor
    /// (`open`, `pipe`). `O_CLOEXEC` in `open_flags` sets close-on-exec.
    ///
    /// # Errors
    /// `EMFILE` if the table is full (nothing is created then).
    pub fn open(
        &mut self,
        open_files: &mut OpenFiles,
        file: OpenFile,
        open_flags: u32,
    ) -> Result<i32, Errno> {
        let index = self.lowest_free(0).ok_or(Errno::EMFILE)?;
        let open_file = open_files.insert(file);
        self.descriptors[index] = Some(Descriptor {
            open_file,
            close_on_exec: open_flags & O_CLOEXEC != 0,
        });
        Ok(index as i32)
    }

    /// Puts an existing reference to `open_file` (which the table takes over) in
    /// the lowest free descriptor.
    ///
    /// # Errors
    /// `EMFILE` if the table is full; the reference is then still the caller's.
    pub fn install(&mut self, open_file: OpenFileId, close_on_exec: bool) -> Result<i32, Errno> {
        let index = self.lowest_free(0).ok_or(Errno::EMFILE)?;
        self.descriptors[index] = Some(Descriptor {
            open_file,
            close_on_exec,
        });
        Ok(index as i32)
    }

    /// `dup`: the lowest free descriptor, sharing `fd`'s description, without
    /// close-on-exec.
    ///
    /// # Errors
    /// `EBADF`, `EMFILE`.
    pub fn dup(&mut self, open_files: &mut OpenFiles, fd: i32) -> Result<i32, Errno> {
        self.duplicate_from(open_files, fd, 0, false)
    }

    /// `fcntl(F_DUPFD)` / `fcntl(F_DUPFD_CLOEXEC)`: the lowest free descriptor at
    /// least `minimum`.
    ///
    /// # Errors
    /// `EBADF` (bad `fd`), `EINVAL` (`minimum` negative or not below `OPEN_MAX`),
    /// `EMFILE` (none free from `minimum`).
    pub fn duplicate_at_least(
        &mut self,
        open_files: &mut OpenFiles,
        fd: i32,
        minimum: i32,
        close_on_exec: bool,
    ) -> Result<i32, Errno> {
        self.get(fd)?;
        let minimum = usize::try_from(minimum)
            .ok()
            .filter(|&minimum| minimum < OPEN_MAX)
            .ok_or(Errno::EINVAL)?;
        self.duplicate_from(open_files, fd, minimum, close_on_exec)
    }

    /// `dup2`: makes `new_fd` share `old_fd`'s description (closing what `new_fd`
    /// held), without close-on-exec. `old_fd == new_fd` only checks `old_fd`.
    /// Returns `new_fd` and the target released by closing `new_fd`, if any.
    ///
    /// # Errors
    /// `EBADF` if `old_fd` is not open or `new_fd` is out of range.
    pub fn dup2(
        &mut self,
        open_files: &mut OpenFiles,
        old_fd: i32,
        new_fd: i32,
    ) -> Result<(i32, Option<FileTarget>), Errno> {
        let old = self.get(old_fd)?;
        let new_index = index_of(new_fd)?;
        if old_fd == new_fd {
            return Ok((new_fd, None));
        }
        self.replace(open_files, old.open_file, new_index, false)
            .map(|released| (new_fd, released))
    }

    /// `dup3`: as `dup2` with `O_CLOEXEC` allowed in `flags`.
    ///
    /// # Errors
    /// `EINVAL` if `old_fd == new_fd` or `flags` has other bits; `EBADF` as `dup2`.
    pub fn dup3(
        &mut self,
        open_files: &mut OpenFiles,
        old_fd: i32,
        new_fd: i32,
        flags: u32,
    ) -> Result<(i32, Option<FileTarget>), Errno> {
        if flags & !O_CLOEXEC != 0 {
            return Err(Errno::EINVAL);
        }
        let old = self.get(old_fd)?;
        let new_index = index_of(new_fd)?;
        if old_fd == new_fd {
            return Err(Errno::EINVAL);
        }
        let close_on_exec = flags & O_CLOEXEC != 0;
        self.replace(open_files, old.open_file, new_index, close_on_exec)
            .map(|released| (new_fd, released))
    }

    /// `fcntl(F_GETFD)`: `FD_CLOEXEC` or 0.
    ///
    /// # Errors
    /// `EBADF`.
    pub fn descriptor_flags(&self, fd: i32) -> Result<u32, Errno> {
        Ok(if self.get(fd)?.close_on_exec {
            FD_CLOEXEC
        } else {
            0
        })
    }

    /// `fcntl(F_SETFD)`: sets close-on-exec from the `FD_CLOEXEC` bit.
    ///
    /// # Errors
    /// `EBADF`.
    pub fn set_descriptor_flags(&mut self, fd: i32, flags: u32) -> Result<(), Errno> {
        let index = index_of(fd)?;
        let descriptor = self.descriptors[index].as_mut().ok_or(Errno::EBADF)?;
        descriptor.close_on_exec = flags & FD_CLOEXEC != 0;
        Ok(())
    }

    /// `fcntl(F_GETFL)`: access mode and status flags of `fd`'s description.
    ///
    /// # Errors
    /// `EBADF`.
    pub fn status_flags(&self, open_files: &OpenFiles, fd: i32) -> Result<u32, Errno> {
        let id = self.open_file(fd)?;
        open_files
            .get(id)
            .map(|file| file.status_flags)
            .ok_or(Errno::EBADF)
    }

    /// `fcntl(F_SETFL)`: changes only `O_APPEND` and `O_NONBLOCK` of the
    /// description (shared with every descriptor that refers to it).
    ///
    /// # Errors
    /// `EBADF`.
    pub fn set_status_flags(
        &self,
        open_files: &mut OpenFiles,
        fd: i32,
        flags: u32,
    ) -> Result<(), Errno> {
        let id = self.open_file(fd)?;
        let file = open_files.get_mut(id).ok_or(Errno::EBADF)?;
        file.status_flags =
            (file.status_flags & !SETTABLE_STATUS_FLAGS) | (flags & SETTABLE_STATUS_FLAGS);
        Ok(())
    }

    /// `close`: returns the target if this dropped the description's last reference.
    ///
    /// # Errors
    /// `EBADF`.
    pub fn close(
        &mut self,
        open_files: &mut OpenFiles,
        fd: i32,
    ) -> Result<Option<FileTarget>, Errno> {
        let index = index_of(fd)?;
        let descriptor = self.descriptors[index].take().ok_or(Errno::EBADF)?;
        Ok(open_files.release(descriptor.open_file))
    }

    /// The child's table after `fork`: the same descriptors and flags, each
    /// description gaining a reference.
    #[must_use]
    pub fn fork(&self, open_files: &mut OpenFiles) -> Self {
        let mut child = Self::new();
        for (index, descriptor) in self.descriptors.iter().enumerate() {
            if let Some(descriptor) = descriptor
                && open_files.add_reference(descriptor.open_file).is_ok()
            {
                child.descriptors[index] = Some(*descriptor);
            }
        }
        child
    }

    /// Closes every close-on-exec descriptor (at `execve`); returns the targets
    /// whose last reference went.
    pub fn close_on_exec(&mut self, open_files: &mut OpenFiles) -> Vec<FileTarget> {
        self.close_where(open_files, |descriptor| descriptor.close_on_exec)
    }

    /// Closes every descriptor (at exit); returns the targets whose last reference went.
    pub fn close_all(&mut self, open_files: &mut OpenFiles) -> Vec<FileTarget> {
        self.close_where(open_files, |_| true)
    }

    fn close_where(
        &mut self,
        open_files: &mut OpenFiles,
        condition: impl Fn(&Descriptor) -> bool,
    ) -> Vec<FileTarget> {
        let mut released = Vec::new();
        for slot in &mut self.descriptors {
            if let Some(descriptor) = slot.take_if(|descriptor| condition(descriptor))
                && let Some(target) = open_files.release(descriptor.open_file)
            {
                released.push(target);
            }
        }
        released
    }

    fn lowest_free(&self, minimum: usize) -> Option<usize> {
        (minimum..OPEN_MAX).find(|&index| self.descriptors[index].is_none())
    }

    fn duplicate_from(
        &mut self,
        open_files: &mut OpenFiles,
        fd: i32,
        minimum: usize,
        close_on_exec: bool,
    ) -> Result<i32, Errno> {
        let open_file = self.open_file(fd)?;
        let index = self.lowest_free(minimum).ok_or(Errno::EMFILE)?;
        open_files.add_reference(open_file)?;
        self.descriptors[index] = Some(Descriptor {
            open_file,
            close_on_exec,
        });
        Ok(index as i32)
    }

    fn replace(
        &mut self,
        open_files: &mut OpenFiles,
        open_file: OpenFileId,
        index: usize,
        close_on_exec: bool,
    ) -> Result<Option<FileTarget>, Errno> {
        open_files.add_reference(open_file)?;
        let previous = self.descriptors[index].replace(Descriptor {
            open_file,
            close_on_exec,
        });
        Ok(previous.and_then(|previous| open_files.release(previous.open_file)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vfs::flags::{O_RDONLY, O_RDWR, O_WRONLY};
    use proptest::prelude::*;

    fn node_file(number: u32) -> OpenFile {
        OpenFile::new(FileTarget::Node(NodeId(number)), O_RDWR)
    }

    #[test]
    fn lowest_free_descriptor_and_emfile() {
        let mut files = OpenFiles::new();
        let mut table = DescriptorTable::new();
        for expected in 0..OPEN_MAX as i32 {
            assert_eq!(
                table.open(&mut files, node_file(expected as u32), 0),
                Ok(expected)
            );
        }
        assert_eq!(table.open(&mut files, node_file(99), 0), Err(Errno::EMFILE));
        assert_eq!(
            files.len(),
            OPEN_MAX,
            "a failed open creates no description"
        );
        assert_eq!(table.dup(&mut files, 0), Err(Errno::EMFILE));
        assert_eq!(
            table.close(&mut files, 5),
            Ok(Some(FileTarget::Node(NodeId(5))))
        );
        assert_eq!(
            table.close(&mut files, 9),
            Ok(Some(FileTarget::Node(NodeId(9))))
        );
        assert_eq!(table.open(&mut files, node_file(100), 0), Ok(5));
        assert_eq!(table.dup(&mut files, 0), Ok(9));
        assert_eq!(table.count(), OPEN_MAX);
        let id = files.insert(node_file(7));
        assert_eq!(table.install(id, false), Err(Errno::EMFILE));
        assert_eq!(files.release(id), Some(FileTarget::Node(NodeId(7))));
    }

    #[test]
    fn ebadf_for_bad_numbers() {
        let mut files = OpenFiles::new();
        let mut table = DescriptorTable::new();
        table.open(&mut files, node_file(0), 0).unwrap();
        for fd in [-1, 1, OPEN_MAX as i32, i32::MAX, i32::MIN] {
            assert_eq!(table.get(fd), Err(Errno::EBADF));
            assert_eq!(table.close(&mut files, fd), Err(Errno::EBADF));
            assert_eq!(table.dup(&mut files, fd), Err(Errno::EBADF));
            assert_eq!(table.descriptor_flags(fd), Err(Errno::EBADF));
            assert_eq!(
                table.set_descriptor_flags(fd, FD_CLOEXEC),
                Err(Errno::EBADF)
            );
            assert_eq!(table.status_flags(&files, fd), Err(Errno::EBADF));
            assert_eq!(
                table.set_status_flags(&mut files, fd, O_APPEND),
                Err(Errno::EBADF)
            );
            assert_eq!(table.dup2(&mut files, fd, 3), Err(Errno::EBADF));
            assert_eq!(
                table.duplicate_at_least(&mut files, fd, 0, false),
                Err(Errno::EBADF)
            );
        }
        assert_eq!(table.dup2(&mut files, 0, -1), Err(Errno::EBADF));
        assert_eq!(
            table.dup2(&mut files, 0, OPEN_MAX as i32),
            Err(Errno::EBADF)
        );
        assert_eq!(
            table.dup2(&mut files, 1, 1),
            Err(Errno::EBADF),
            "dup2 of a closed fd onto itself"
        );
        assert_eq!(
            table.close(&mut files, 0),
            Ok(Some(FileTarget::Node(NodeId(0))))
        );
        assert_eq!(table.close(&mut files, 0), Err(Errno::EBADF));
        assert!(files.is_empty());
    }

    #[test]
    fn dup_shares_the_description() {
        let mut files = OpenFiles::new();
        let mut table = DescriptorTable::new();
        let fd = table.open(&mut files, node_file(1), O_CLOEXEC).unwrap();
        assert_eq!(table.descriptor_flags(fd), Ok(FD_CLOEXEC));
        let copy = table.dup(&mut files, fd).unwrap();
        assert_eq!(copy, 1);
        assert_eq!(
            table.descriptor_flags(copy),
            Ok(0),
            "dup clears close-on-exec"
        );
        let id = table.open_file(fd).unwrap();
        assert_eq!(table.open_file(copy), Ok(id));
        assert_eq!(files.reference_count(id), 2);
        files.get_mut(id).unwrap().offset = 42;
        assert_eq!(
            files.get(table.open_file(copy).unwrap()).unwrap().offset,
            42
        );
        assert_eq!(table.close(&mut files, fd), Ok(None));
        assert_eq!(
            table.close(&mut files, copy),
            Ok(Some(FileTarget::Node(NodeId(1))))
        );
    }

    #[test]
    fn dup2_and_dup3() {
        let mut files = OpenFiles::new();
        let mut table = DescriptorTable::new();
        let first = table.open(&mut files, node_file(1), 0).unwrap();
        let second = table
            .open(
                &mut files,
                OpenFile::new(FileTarget::PipeRead(3), O_RDONLY),
                0,
            )
            .unwrap();
        assert_eq!(table.dup2(&mut files, first, first), Ok((first, None)));
        assert_eq!(
            table.dup2(&mut files, first, second),
            Ok((second, Some(FileTarget::PipeRead(3))))
        );
        assert_eq!(table.dup2(&mut files, first, second), Ok((second, None)));
        assert_eq!(table.dup2(&mut files, first, 40), Ok((40, None)));
        assert_eq!(files.reference_count(table.open_file(first).unwrap()), 3);
        table.set_descriptor_flags(40, FD_CLOEXEC).unwrap();
        assert_eq!(table.dup2(&mut files, first, 40), Ok((40, None)));
        assert_eq!(
            table.descriptor_flags(40),
            Ok(0),
            "dup2 clears close-on-exec"
        );
        assert_eq!(table.dup3(&mut files, first, first, 0), Err(Errno::EINVAL));
        assert_eq!(table.dup3(&mut files, first, 7, O_RDWR), Err(Errno::EINVAL));
        assert_eq!(table.dup3(&mut files, first, 7, O_CLOEXEC), Ok((7, None)));
        assert_eq!(table.descriptor_flags(7), Ok(FD_CLOEXEC));
        assert_eq!(table.dup3(&mut files, 9, 7, 0), Err(Errno::EBADF));
        let released = table.close_all(&mut files);
        assert_eq!(released, [FileTarget::Node(NodeId(1))]);
        assert!(files.is_empty());
    }

    #[test]
    fn fcntl_pieces() {
        let mut files = OpenFiles::new();
        let mut table = DescriptorTable::new();
        let fd = table
            .open(
                &mut files,
                OpenFile::new(FileTarget::PipeWrite(2), O_WRONLY | O_NONBLOCK),
                0,
            )
            .unwrap();
        assert_eq!(table.duplicate_at_least(&mut files, fd, 10, false), Ok(10));
        assert_eq!(table.duplicate_at_least(&mut files, fd, 10, true), Ok(11));
        assert_eq!(table.descriptor_flags(11), Ok(FD_CLOEXEC));
        assert_eq!(table.duplicate_at_least(&mut files, fd, 0, false), Ok(1));
        assert_eq!(
            table.duplicate_at_least(&mut files, fd, -1, false),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            table.duplicate_at_least(&mut files, fd, OPEN_MAX as i32, false),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            table.duplicate_at_least(&mut files, fd, OPEN_MAX as i32 - 1, false),
            Ok(OPEN_MAX as i32 - 1)
        );
        assert_eq!(
            table.duplicate_at_least(&mut files, fd, OPEN_MAX as i32 - 1, false),
            Err(Errno::EMFILE)
        );
        assert_eq!(table.status_flags(&files, fd), Ok(O_WRONLY | O_NONBLOCK));
        table
            .set_status_flags(&mut files, fd, O_APPEND | O_RDWR | O_CLOEXEC)
            .unwrap();
        assert_eq!(
            table.status_flags(&files, 10),
            Ok(O_WRONLY | O_APPEND),
            "only O_APPEND|O_NONBLOCK change"
        );
        assert_eq!(
            files
                .get(table.open_file(fd).unwrap())
                .unwrap()
                .access_mode(),
            O_WRONLY
        );
        table.set_descriptor_flags(fd, FD_CLOEXEC | 2).unwrap();
        assert_eq!(table.descriptor_flags(fd), Ok(FD_CLOEXEC));
        table.set_descriptor_flags(fd, 0).unwrap();
        assert_eq!(table.descriptor_flags(fd), Ok(0));
    }

    #[test]
    fn fork_and_exec() {
        let mut files = OpenFiles::new();
        let mut parent = DescriptorTable::new();
        parent.open(&mut files, node_file(1), 0).unwrap();
        parent.open(&mut files, node_file(2), O_CLOEXEC).unwrap();
        let mut child = parent.fork(&mut files);
        assert_eq!(child, parent);
        assert_eq!(files.reference_count(parent.open_file(0).unwrap()), 2);
        assert_eq!(child.close_on_exec(&mut files), Vec::new());
        assert_eq!(child.count(), 1);
        assert_eq!(
            parent.close_on_exec(&mut files),
            [FileTarget::Node(NodeId(2))]
        );
        assert_eq!(parent.close_all(&mut files), Vec::new());
        assert_eq!(child.close_all(&mut files), [FileTarget::Node(NodeId(1))]);
        assert!(files.is_empty());
        assert_eq!(child.iter().count(), 0);
    }

    #[test]
    fn open_file_arena_reuses_slots() {
        let mut files = OpenFiles::new();
        let first = files.insert(node_file(1));
        assert_eq!(files.add_reference(first), Ok(()));
        assert_eq!(files.release(first), None);
        assert_eq!(files.release(first), Some(FileTarget::Node(NodeId(1))));
        assert_eq!(files.release(first), None);
        assert_eq!(files.add_reference(first), Err(Errno::EBADF));
        assert_eq!(files.get(first), None);
        let second = files.insert(node_file(2));
        assert_eq!(second, first);
        assert_eq!(
            OpenFile::new(FileTarget::Device(DeviceId::Tty), O_RDWR | O_CLOEXEC).status_flags,
            O_RDWR
        );
    }

    proptest! {
        #[test]
        fn random_descriptor_operations_keep_counts_consistent(
            operations in proptest::collection::vec((0..8u8, -2..70i32, -2..70i32), 1..200)
        ) {
            let mut files = OpenFiles::new();
            let mut tables = vec![DescriptorTable::new()];
            let mut released = 0usize;
            let mut created = 0usize;
            for (kind, a, b) in operations {
                let table_index = (a.unsigned_abs() as usize) % tables.len();
                let table = &mut tables[table_index];
                match kind {
                    0 => { if table.open(&mut files, node_file(created as u32), 0).is_ok() { created += 1; } }
                    1 => { if let Ok(Some(_)) = table.close(&mut files, b) { released += 1; } }
                    2 => { let _ = table.dup(&mut files, b); }
                    3 => { if let Ok((_, Some(_))) = table.dup2(&mut files, a, b) { released += 1; } }
                    4 => { let _ = table.duplicate_at_least(&mut files, a, b, b % 2 == 0); }
                    5 => { let _ = table.set_descriptor_flags(b, FD_CLOEXEC); }
                    6 => { released += table.close_on_exec(&mut files).len(); }
                    _ => { if tables.len() < 4 { let child = tables[table_index].fork(&mut files); tables.push(child); } }
                }
                let references: usize = tables.iter().map(DescriptorTable::count).sum();
                let counted: u32 = (0..created as u32).map(|i| files.reference_count(OpenFileId(i))).sum();
                prop_assert_eq!(counted as usize, references);
                prop_assert_eq!(files.len(), created - released);
            }
            for table in &mut tables {
                released += table.close_all(&mut files).len();
            }
            prop_assert_eq!(released, created);
            prop_assert!(files.is_empty());
        }
    }
}

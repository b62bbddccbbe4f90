//! Contents of regular files: slices of the root image, or sparse page-sized
//! chunks in memory for tmpfs.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec;

use posix_server_api::Errno;

/// Size of one chunk of a tmpfs file.
pub const CHUNK_SIZE: usize = 4096;
/// Largest size a tmpfs file may reach (Linux's `MAX_LFS_FILESIZE`).
pub const MAX_FILE_SIZE: u64 = i64::MAX as u64;

/// How many chunks all tmpfs files together may hold.
#[derive(Debug)]
pub(crate) struct ChunkBudget {
    pub(crate) used: usize,
    pub(crate) limit: usize,
}

/// The bytes of a regular file.
#[derive(Debug)]
pub(crate) enum FileData {
    /// Read-only bytes inside the root image.
    Image(&'static [u8]),
    /// A tmpfs file.
    Memory(MemoryFile),
}

impl FileData {
    pub(crate) fn size(&self) -> u64 {
        match self {
            Self::Image(bytes) => bytes.len() as u64,
            Self::Memory(file) => file.size,
        }
    }

    pub(crate) fn read(&self, offset: u64, buffer: &mut [u8]) -> usize {
        match self {
            Self::Image(bytes) => {
                let Ok(start) = usize::try_from(offset) else {
                    return 0;
                };
                let Some(available) = bytes.get(start..) else {
                    return 0;
                };
                let count = available.len().min(buffer.len());
                buffer[..count].copy_from_slice(&available[..count]);
                count
            }
            Self::Memory(file) => file.read(offset, buffer),
        }
    }

    /// 512-byte blocks the data occupies.
    pub(crate) fn blocks(&self) -> u64 {
        match self {
            Self::Image(bytes) => (bytes.len() as u64).div_ceil(512),
            Self::Memory(file) => file.chunks.len() as u64 * (CHUNK_SIZE as u64 / 512),
        }
    }
}

/// A sparse in-memory file: missing chunks read as zeros.
#[derive(Debug, Default)]
pub(crate) struct MemoryFile {
    chunks: BTreeMap<u64, Box<[u8]>>,
    size: u64,
}

fn split(position: u64) -> (u64, usize) {
    (
        position / CHUNK_SIZE as u64,
        (position % CHUNK_SIZE as u64) as usize,
    )
}

impl MemoryFile {
    fn read(&self, offset: u64, buffer: &mut [u8]) -> usize {
        if offset >= self.size {
            return 0;
        }
        let total = usize::try_from(self.size - offset)
            .unwrap_or(usize::MAX)
            .min(buffer.len());
        let mut done = 0;
        while done < total {
            let (index, within) = split(offset + done as u64);
            let count = (CHUNK_SIZE - within).min(total - done);
            let destination = &mut buffer[done..done + count];
            match self.chunks.get(&index) {
                Some(chunk) => destination.copy_from_slice(&chunk[within..within + count]),
                None => destination.fill(0),
            }
            done += count;
        }
        total
    }

    /// Writes `data` at `offset`, growing the file. A write that runs out of the
    /// budget stops early (returning the bytes written), or fails with `ENOSPC` if
    /// nothing could be written.
    pub(crate) fn write(
        &mut self,
        offset: u64,
        data: &[u8],
        budget: &mut ChunkBudget,
    ) -> Result<usize, Errno> {
        if data.is_empty() {
            return Ok(0);
        }
        let end = offset.checked_add(data.len() as u64).ok_or(Errno::EFBIG)?;
        if offset >= MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        let allowed = usize::try_from(end.min(MAX_FILE_SIZE) - offset).unwrap_or(usize::MAX);
        let data = &data[..allowed.min(data.len())];
        let mut done = 0;
        while done < data.len() {
            let (index, within) = split(offset + done as u64);
            let count = (CHUNK_SIZE - within).min(data.len() - done);
            let chunk = match self.chunks.entry(index) {
                alloc::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
                alloc::collections::btree_map::Entry::Vacant(entry) => {
                    if budget.used >= budget.limit {
                        break;
                    }
                    budget.used += 1;
                    entry.insert(vec![0u8; CHUNK_SIZE].into_boxed_slice())
                }
            };
            chunk[within..within + count].copy_from_slice(&data[done..done + count]);
            done += count;
        }
        if done == 0 {
            return Err(Errno::ENOSPC);
        }
        self.size = self.size.max(offset + done as u64);
        Ok(done)
    }

    /// Sets the size to `length`: bytes past it are dropped; growth reads as zeros.
    pub(crate) fn truncate(&mut self, length: u64, budget: &mut ChunkBudget) -> Result<(), Errno> {
        if length > MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        if length < self.size {
            let (index, within) = split(length);
            let first_dropped = if within == 0 { index } else { index + 1 };
            let dropped = self.chunks.split_off(&first_dropped);
            budget.used = budget.used.saturating_sub(dropped.len());
            if within != 0
                && let Some(chunk) = self.chunks.get_mut(&index)
            {
                chunk[within..].fill(0);
            }
        }
        self.size = length;
        Ok(())
    }

    /// Gives the file's chunks back to the budget (the file is being freed).
    pub(crate) fn release(&mut self, budget: &mut ChunkBudget) {
        budget.used = budget.used.saturating_sub(self.chunks.len());
        self.chunks.clear();
        self.size = 0;
    }
}

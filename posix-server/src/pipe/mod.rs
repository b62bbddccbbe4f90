//! Pipe buffers: an arena of pipes with reference-counted read and write ends,
//! atomic writes of up to [`PIPE_BUF`] bytes, partial larger writes, end of file,
//! broken pipes, and the lists of waiters to wake when a pipe changes.
//!
//! The server is single-threaded and never blocks. An operation that cannot
//! proceed yet returns [`PipeFailure::WouldBlock`]; the server then registers the
//! caller with [`Pipes::wait_readable`] or [`Pipes::wait_writable`] and parks the
//! request. Every operation that may let a parked request proceed (data written,
//! data read, the last writer or reader gone, the pipe freed) moves the waiters
//! of the affected end into a "woken" list; after handling each message the
//! server drains it with [`Pipes::take_woken`] and retries those requests. A waiter
//! is woken once per registration: a retry that would block again registers again.

mod channel;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_model;

use alloc::vec::Vec;
use channel::Channel;
use posix_server_api::Errno;

/// How many bytes a pipe holds (Linux's default pipe size, 64 KiB).
pub const PIPE_CAPACITY: usize = 64 * 1024;

/// Writes of at most this many bytes are atomic: all of it or nothing.
pub const PIPE_BUF: usize = 4096;

/// The name of one pipe in a [`Pipes`] arena. A slot's generation makes a stale
/// id (of a freed pipe) fail with `EBADF` instead of reaching a newer pipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PipeId {
    index: u32,
    generation: u32,
}

/// Why a pipe read or write did not complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PipeFailure {
    /// The caller is blocking and the operation cannot proceed yet: park it,
    /// register it as a waiter and retry once it is woken.
    WouldBlock,
    /// A write with no read end open: fail with `EPIPE` and raise `SIGPIPE` in
    /// the writer.
    BrokenPipe,
    /// Fail with this error: `EAGAIN` for a non-blocking caller that would
    /// block, `EBADF` for an unknown pipe.
    Error(Errno),
}

impl PipeFailure {
    /// The errno the caller finally sees (`WouldBlock` is `EAGAIN`,
    /// `BrokenPipe` is `EPIPE`).
    #[must_use]
    pub const fn errno(self) -> Errno {
        match self {
            Self::WouldBlock => Errno::EAGAIN,
            Self::BrokenPipe => Errno::EPIPE,
            Self::Error(errno) => errno,
        }
    }
}

/// What `poll`/`select` see on a pipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PipeStatus {
    /// A read would not block: data is buffered or no writer is left (EOF).
    pub readable: bool,
    /// A write of up to [`PIPE_BUF`] bytes would not block (or would fail with
    /// `EPIPE`).
    pub writable: bool,
    /// No write end is open (`POLLHUP` on the read end).
    pub hang_up: bool,
    /// No read end is open (`POLLERR` on the write end).
    pub broken: bool,
    /// Bytes buffered (`FIONREAD`).
    pub buffered: usize,
}

/// All pipes of the server. `Waiter` names a parked request (for example a
/// process id, or a process id with a request token).
#[derive(Debug)]
pub struct Pipes<Waiter> {
    slots: Vec<Slot<Waiter>>,
    free_slots: Vec<u32>,
    woken: Vec<Waiter>,
}

#[derive(Debug)]
struct Slot<Waiter> {
    generation: u32,
    channel: Option<Channel<Waiter>>,
}

impl<Waiter: Copy + PartialEq> Default for Pipes<Waiter> {
    fn default() -> Self {
        Self::new()
    }
}

impl<Waiter: Copy + PartialEq> Pipes<Waiter> {
    /// An arena with no pipes.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            slots: Vec::new(),
            free_slots: Vec::new(),
            woken: Vec::new(),
        }
    }

    /// Makes a new empty pipe with one read end and one write end open (what
    /// `pipe()` returns).
    pub fn create(&mut self) -> PipeId {
        let channel = Channel::new();
        if let Some(index) = self.free_slots.pop()
            && let Some(slot) = self.slots.get_mut(index as usize)
        {
            slot.channel = Some(channel);
            return PipeId {
                index,
                generation: slot.generation,
            };
        }
        let index = self.slots.len() as u32;
        self.slots.push(Slot {
            generation: 0,
            channel: Some(channel),
        });
        PipeId {
            index,
            generation: 0,
        }
    }

    /// How many pipes exist.
    #[must_use]
    pub fn len(&self) -> usize {
        self.slots.len() - self.free_slots.len()
    }

    /// Whether no pipe exists.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `id` names a live pipe.
    #[must_use]
    pub fn contains(&self, id: PipeId) -> bool {
        self.channel(id).is_ok()
    }

    /// Adds a reference to the read end (`fork`, `dup`).
    ///
    /// # Errors
    /// `EBADF` if `id` is not a live pipe.
    pub fn add_reader(&mut self, id: PipeId) -> Result<(), Errno> {
        let channel = self.channel_mut(id)?;
        channel.readers += 1;
        Ok(())
    }

    /// Adds a reference to the write end (`fork`, `dup`).
    ///
    /// # Errors
    /// `EBADF` if `id` is not a live pipe.
    pub fn add_writer(&mut self, id: PipeId) -> Result<(), Errno> {
        let channel = self.channel_mut(id)?;
        channel.writers += 1;
        Ok(())
    }

    /// Drops a reference to the read end (`close`). When the last reader goes,
    /// the waiting writers are woken (they now get `EPIPE`); when no end is left
    /// the pipe is freed.
    ///
    /// # Errors
    /// `EBADF` if `id` is not a live pipe or its read end has no reference.
    pub fn drop_reader(&mut self, id: PipeId) -> Result<(), Errno> {
        let channel = self.channel_mut(id)?;
        if channel.readers == 0 {
            return Err(Errno::EBADF);
        }
        channel.readers -= 1;
        if channel.readers == 0 {
            let waiters = core::mem::take(&mut channel.writable_waiters);
            self.wake(waiters);
        }
        self.free_if_unused(id);
        Ok(())
    }

    /// Drops a reference to the write end (`close`). When the last writer goes,
    /// the waiting readers are woken (they now see end of file); when no end is
    /// left the pipe is freed.
    ///
    /// # Errors
    /// `EBADF` if `id` is not a live pipe or its write end has no reference.
    pub fn drop_writer(&mut self, id: PipeId) -> Result<(), Errno> {
        let channel = self.channel_mut(id)?;
        if channel.writers == 0 {
            return Err(Errno::EBADF);
        }
        channel.writers -= 1;
        if channel.writers == 0 {
            let waiters = core::mem::take(&mut channel.readable_waiters);
            self.wake(waiters);
        }
        self.free_if_unused(id);
        Ok(())
    }

    /// Reads up to `buffer.len()` bytes into `buffer` and returns how many.
    /// `Ok(0)` is end of file (empty, no writer left) or a zero-length read.
    ///
    /// # Errors
    /// Empty with a writer open: [`PipeFailure::WouldBlock`], or `EAGAIN` if
    /// `nonblocking`. `EBADF` for an unknown pipe.
    pub fn read(
        &mut self,
        id: PipeId,
        buffer: &mut [u8],
        nonblocking: bool,
    ) -> Result<usize, PipeFailure> {
        let channel = self.channel_mut(id).map_err(PipeFailure::Error)?;
        if buffer.is_empty() {
            return Ok(0);
        }
        if channel.data.is_empty() {
            return if channel.writers == 0 {
                Ok(0)
            } else if nonblocking {
                Err(PipeFailure::Error(Errno::EAGAIN))
            } else {
                Err(PipeFailure::WouldBlock)
            };
        }
        let count = channel.take_into(buffer);
        let waiters = core::mem::take(&mut channel.writable_waiters);
        self.wake(waiters);
        Ok(count)
    }

    /// Like [`Pipes::read`], into a new vector of at most `max` bytes.
    ///
    /// # Errors
    /// As [`Pipes::read`].
    pub fn read_to_vec(
        &mut self,
        id: PipeId,
        max: usize,
        nonblocking: bool,
    ) -> Result<Vec<u8>, PipeFailure> {
        let buffered = self.channel(id).map_err(PipeFailure::Error)?.data.len();
        let mut buffer = alloc::vec![0; max.min(buffered.max(1))];
        let count = self.read(id, &mut buffer, nonblocking)?;
        buffer.truncate(count);
        Ok(buffer)
    }

    /// Writes `data` and returns how many bytes went in. Up to [`PIPE_BUF`]
    /// bytes are written whole or not at all; a larger write takes what fits
    /// (a blocking caller should then stay parked with the rest, as a blocking
    /// `write` on Linux returns only when everything is written).
    /// A zero-length write returns `Ok(0)`.
    ///
    /// # Errors
    /// No reader: [`PipeFailure::BrokenPipe`]. Not enough room:
    /// [`PipeFailure::WouldBlock`], or `EAGAIN` if `nonblocking`. `EBADF` for an
    /// unknown pipe.
    pub fn write(
        &mut self,
        id: PipeId,
        data: &[u8],
        nonblocking: bool,
    ) -> Result<usize, PipeFailure> {
        let channel = self.channel_mut(id).map_err(PipeFailure::Error)?;
        if data.is_empty() {
            return Ok(0);
        }
        if channel.readers == 0 {
            return Err(PipeFailure::BrokenPipe);
        }
        let room = PIPE_CAPACITY - channel.data.len();
        let fits = if data.len() <= PIPE_BUF {
            room >= data.len()
        } else {
            room > 0
        };
        if !fits {
            return Err(if nonblocking {
                PipeFailure::Error(Errno::EAGAIN)
            } else {
                PipeFailure::WouldBlock
            });
        }
        let count = data.len().min(room);
        if let Some(part) = data.get(..count) {
            channel.data.extend(part);
        }
        let waiters = core::mem::take(&mut channel.readable_waiters);
        self.wake(waiters);
        Ok(count)
    }

    /// What `poll` sees on the pipe.
    ///
    /// # Errors
    /// `EBADF` if `id` is not a live pipe.
    pub fn status(&self, id: PipeId) -> Result<PipeStatus, Errno> {
        let channel = self.channel(id)?;
        let buffered = channel.data.len();
        Ok(PipeStatus {
            readable: buffered > 0 || channel.writers == 0,
            writable: channel.readers == 0 || PIPE_CAPACITY - buffered >= PIPE_BUF,
            hang_up: channel.writers == 0,
            broken: channel.readers == 0,
            buffered,
        })
    }

    /// Parks `waiter` until the pipe's read side changes (data written, last
    /// writer gone, pipe freed). Registering twice is the same as once.
    ///
    /// # Errors
    /// `EBADF` if `id` is not a live pipe.
    pub fn wait_readable(&mut self, id: PipeId, waiter: Waiter) -> Result<(), Errno> {
        let list = &mut self.channel_mut(id)?.readable_waiters;
        if !list.contains(&waiter) {
            list.push(waiter);
        }
        Ok(())
    }

    /// Parks `waiter` until the pipe's write side changes (data read, last
    /// reader gone, pipe freed). Registering twice is the same as once.
    ///
    /// # Errors
    /// `EBADF` if `id` is not a live pipe.
    pub fn wait_writable(&mut self, id: PipeId, waiter: Waiter) -> Result<(), Errno> {
        let list = &mut self.channel_mut(id)?.writable_waiters;
        if !list.contains(&waiter) {
            list.push(waiter);
        }
        Ok(())
    }

    /// Removes `waiter` from every wait list and from the woken list (its
    /// request was interrupted by a signal, or its process exited).
    pub fn forget_waiter(&mut self, waiter: Waiter) {
        for channel in self
            .slots
            .iter_mut()
            .filter_map(|slot| slot.channel.as_mut())
        {
            channel.readable_waiters.retain(|other| *other != waiter);
            channel.writable_waiters.retain(|other| *other != waiter);
        }
        self.woken.retain(|other| *other != waiter);
    }

    /// The waiters woken since the last call, each once, in the order woken.
    pub fn take_woken(&mut self) -> Vec<Waiter> {
        core::mem::take(&mut self.woken)
    }

    fn wake(&mut self, waiters: Vec<Waiter>) {
        for waiter in waiters {
            if !self.woken.contains(&waiter) {
                self.woken.push(waiter);
            }
        }
    }

    fn free_if_unused(&mut self, id: PipeId) {
        let Some(slot) = self.slots.get_mut(id.index as usize) else {
            return;
        };
        let unused = slot
            .channel
            .as_ref()
            .is_some_and(|channel| channel.readers == 0 && channel.writers == 0);
        if !unused {
            return;
        }
        if let Some(channel) = slot.channel.take() {
            slot.generation = slot.generation.wrapping_add(1);
            self.free_slots.push(id.index);
            self.wake(channel.readable_waiters);
            self.wake(channel.writable_waiters);
        }
    }

    fn channel(&self, id: PipeId) -> Result<&Channel<Waiter>, Errno> {
        self.slots
            .get(id.index as usize)
            .filter(|slot| slot.generation == id.generation)
            .and_then(|slot| slot.channel.as_ref())
            .ok_or(Errno::EBADF)
    }

    fn channel_mut(&mut self, id: PipeId) -> Result<&mut Channel<Waiter>, Errno> {
        self.slots
            .get_mut(id.index as usize)
            .filter(|slot| slot.generation == id.generation)
            .and_then(|slot| slot.channel.as_mut())
            .ok_or(Errno::EBADF)
    }
}

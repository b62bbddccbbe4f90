//! Reference-counted frames, for copy-on-write.
//!
//! Every frame mapped in a managed address space has an entry: its size, the
//! account that pays for it, and how many mappings use it. A clone shares each
//! anonymous frame (count + 1) and maps it read-only on both sides; a write fault
//! then copies the frame if it is still shared (count > 1) or just makes the mapping
//! writable (count == 1). When the last mapping goes, the entry goes and the server
//! frees the frame and uncharges its account.

use alloc::collections::BTreeMap;

use mm_server_api::ClientId;

/// Why the frame table refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// The frame already has an entry.
    AlreadyPresent,
    /// The frame has no entry.
    Unknown,
    /// The reference count would overflow.
    TooManyReferences,
}

/// What a write fault on a read-only mapping of an anonymous frame needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteAction {
    /// Other mappings share the frame: copy it into a new frame for the writer.
    Copy,
    /// This is the only mapping: make it writable in place.
    MakeWritable,
}

/// What dropping one reference did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Release {
    /// Other mappings still use the frame (this many).
    StillShared(u64),
    /// That was the last one: the entry is gone; free the frame, uncharge `account`.
    Last {
        /// log2 of the frame's size.
        size_bits: u32,
        /// The account that paid for it.
        account: ClientId,
    },
}

/// One frame's entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameEntry {
    /// Mappings that use the frame.
    pub references: u64,
    /// log2 of its size (12 or 21).
    pub size_bits: u32,
    /// Who pays for it.
    pub account: ClientId,
}

/// Every frame mapped in a managed address space, by physical address.
#[derive(Clone, Debug, Default)]
pub struct FrameTable {
    frames: BTreeMap<u64, FrameEntry>,
}

impl FrameTable {
    /// No frames.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            frames: BTreeMap::new(),
        }
    }

    /// Records a new frame with one reference.
    ///
    /// # Errors
    /// [`FrameError::AlreadyPresent`].
    pub fn insert(
        &mut self,
        frame: u64,
        size_bits: u32,
        account: ClientId,
    ) -> Result<(), FrameError> {
        if self.frames.contains_key(&frame) {
            return Err(FrameError::AlreadyPresent);
        }
        self.frames.insert(
            frame,
            FrameEntry {
                references: 1,
                size_bits,
                account,
            },
        );
        Ok(())
    }

    /// Adds a reference (a clone maps the frame once more); the new count.
    ///
    /// # Errors
    /// [`FrameError::Unknown`], [`FrameError::TooManyReferences`].
    pub fn share(&mut self, frame: u64) -> Result<u64, FrameError> {
        let entry = self.frames.get_mut(&frame).ok_or(FrameError::Unknown)?;
        entry.references = entry
            .references
            .checked_add(1)
            .ok_or(FrameError::TooManyReferences)?;
        Ok(entry.references)
    }

    /// Drops a reference (a mapping went).
    ///
    /// # Errors
    /// [`FrameError::Unknown`].
    pub fn release(&mut self, frame: u64) -> Result<Release, FrameError> {
        let entry = self.frames.get_mut(&frame).ok_or(FrameError::Unknown)?;
        if entry.references > 1 {
            entry.references -= 1;
            return Ok(Release::StillShared(entry.references));
        }
        let entry = self.frames.remove(&frame).ok_or(FrameError::Unknown)?;
        Ok(Release::Last {
            size_bits: entry.size_bits,
            account: entry.account,
        })
    }

    /// What a write fault on a read-only mapping of this (anonymous) frame needs.
    ///
    /// # Errors
    /// [`FrameError::Unknown`].
    pub fn write_action(&self, frame: u64) -> Result<WriteAction, FrameError> {
        let entry = self.frames.get(&frame).ok_or(FrameError::Unknown)?;
        Ok(if entry.references > 1 {
            WriteAction::Copy
        } else {
            WriteAction::MakeWritable
        })
    }

    /// The frame's entry.
    #[must_use]
    pub fn get(&self, frame: u64) -> Option<FrameEntry> {
        self.frames.get(&frame).copied()
    }

    /// Number of frames.
    #[must_use]
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// True if no frame is recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Every frame and its entry.
    pub fn iter(&self) -> impl Iterator<Item = (u64, FrameEntry)> + '_ {
        self.frames.iter().map(|(&frame, &entry)| (frame, entry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_decide_copy_or_make_writable() {
        let mut table = FrameTable::new();
        let account = ClientId(7);
        table.insert(0x1000, 12, account).unwrap();
        assert_eq!(
            table.insert(0x1000, 12, account),
            Err(FrameError::AlreadyPresent)
        );
        assert_eq!(table.write_action(0x1000), Ok(WriteAction::MakeWritable));
        assert_eq!(table.share(0x1000), Ok(2));
        assert_eq!(table.write_action(0x1000), Ok(WriteAction::Copy));
        assert_eq!(table.release(0x1000), Ok(Release::StillShared(1)));
        assert_eq!(table.write_action(0x1000), Ok(WriteAction::MakeWritable));
        assert_eq!(
            table.release(0x1000),
            Ok(Release::Last {
                size_bits: 12,
                account
            })
        );
        assert!(table.is_empty());
        assert_eq!(table.release(0x1000), Err(FrameError::Unknown));
        assert_eq!(table.share(0x2000), Err(FrameError::Unknown));
        assert_eq!(table.write_action(0x2000), Err(FrameError::Unknown));
    }
}

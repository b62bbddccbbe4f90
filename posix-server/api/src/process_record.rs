//! The records PROCESS_LIST writes into the data area, one per process:
//! `pid, ppid, pgid, sid, state` as five little-endian `u64`s, then the command
//! name, NUL-padded to [`NAME_BYTES`].

/// Bytes of a command name in a record.
pub const NAME_BYTES: usize = 32;
/// Bytes of one record.
pub const RECORD_BYTES: usize = 5 * 8 + NAME_BYTES;

/// A process's state as a record word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum RecordState {
    /// Running or ready or waiting.
    Running = 0,
    /// Stopped by a signal.
    Stopped = 1,
    /// Exited, not reaped.
    Zombie = 2,
}

/// One process, as `ps` shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcessRecord {
    /// Its pid.
    pub pid: u64,
    /// Its parent's pid.
    pub ppid: u64,
    /// Its process group.
    pub pgid: u64,
    /// Its session.
    pub sid: u64,
    /// Its state.
    pub state: RecordState,
    /// Its command name (NUL-padded).
    pub name: [u8; NAME_BYTES],
}

impl ProcessRecord {
    /// Writes the record into `out` (at least [`RECORD_BYTES`]); false if too short.
    #[must_use]
    pub fn encode(&self, out: &mut [u8]) -> bool {
        let Some(out) = out.get_mut(..RECORD_BYTES) else {
            return false;
        };
        let words = [self.pid, self.ppid, self.pgid, self.sid, self.state as u64];
        for (chunk, word) in out.chunks_exact_mut(8).zip(words) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        if let Some(name) = out.get_mut(40..) {
            name.copy_from_slice(&self.name);
        }
        true
    }

    /// The record at the start of `bytes`.
    #[must_use]
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let bytes = bytes.get(..RECORD_BYTES)?;
        let word = |index: usize| {
            let mut raw = [0; 8];
            raw.copy_from_slice(bytes.get(index * 8..index * 8 + 8)?);
            Some(u64::from_le_bytes(raw))
        };
        let state = match word(4)? {
            0 => RecordState::Running,
            1 => RecordState::Stopped,
            2 => RecordState::Zombie,
            _ => return None,
        };
        let mut name = [0; NAME_BYTES];
        name.copy_from_slice(bytes.get(40..)?);
        Some(Self {
            pid: word(0)?,
            ppid: word(1)?,
            pgid: word(2)?,
            sid: word(3)?,
            state,
            name,
        })
    }

    /// The name up to its first NUL.
    #[must_use]
    pub fn name(&self) -> &[u8] {
        let end = self.name.iter().position(|&b| b == 0).unwrap_or(NAME_BYTES);
        self.name.get(..end).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        let mut name = [0; NAME_BYTES];
        name[..2].copy_from_slice(b"sh");
        let record = ProcessRecord {
            pid: 2,
            ppid: 1,
            pgid: 2,
            sid: 1,
            state: RecordState::Zombie,
            name,
        };
        let mut bytes = [0; RECORD_BYTES];
        assert!(record.encode(&mut bytes));
        assert_eq!(ProcessRecord::decode(&bytes), Some(record));
        assert_eq!(record.name(), b"sh");
        assert_eq!(ProcessRecord::decode(&bytes[..10]), None);
    }
}

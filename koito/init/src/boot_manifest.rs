//! The boot manifest: the text file (boot module `boot.manifest`, from
//! `rootfs/boot/manifest`) that lists the servers init starts after the memory
//! server, one per line: `MODULE PRIORITY ROLE`; `#` starts a comment.

use alloc::string::String;
use alloc::vec::Vec;

use crate::memory_server::{ManifestEntry, Role};

/// The boot module holding the manifest.
pub const MODULE: &str = "boot.manifest";
/// Init's root slot for the root node of the first manifest server (the next ones
/// follow).
const FIRST_NODE_SLOT: u64 = 14;
/// Most servers a manifest may list.
pub const CAPACITY: usize = 16;
/// Highest priority a manifest server may have (below mm-server's).
const PRIORITY_LIMIT: u64 = a9n_abi::scheduling::INIT_PRIORITY - 2;

/// Why a manifest line was refused: the line number and what is wrong.
#[derive(Clone, Copy, Debug)]
pub struct ManifestError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub reason: &'static str,
}

fn role(name: &str) -> Option<Role> {
    match name {
        "memory-program" => Some(Role::MemoryProgram),
        "posix-server" => Some(Role::PosixServer),
        _ => None,
    }
}

/// Reads the manifest text.
pub fn parse(text: &str) -> Result<Vec<ManifestEntry>, ManifestError> {
    let mut entries = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let error = |reason| ManifestError {
            line: index + 1,
            reason,
        };
        let mut words = line.split_whitespace();
        let (Some(module), Some(priority), Some(role_name), None) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            return Err(error("expected MODULE PRIORITY ROLE"));
        };
        let priority: u64 = priority
            .parse()
            .map_err(|_| error("priority is not a number"))?;
        if priority > PRIORITY_LIMIT {
            return Err(error("priority above the memory server's"));
        }
        let role = role(role_name).ok_or_else(|| error("unknown role"))?;
        if entries.len() >= CAPACITY {
            return Err(error("too many servers"));
        }
        entries.push(ManifestEntry {
            index: entries.len(),
            module: String::from(module),
            node_slot: FIRST_NODE_SLOT + entries.len() as u64,
            priority,
            role,
        });
    }
    Ok(entries)
}

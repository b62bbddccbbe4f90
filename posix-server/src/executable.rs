//! execve's plan: a static ELF64 executable read with goblin, checked, and turned
//! into page-granular pieces to build in a staging area and copy into the new
//! address space.
//!
//! Each loadable segment covers the pages from its first byte's page to its last
//! byte's; pages two segments share take the union of their protections and both
//! segments' bytes. File bytes fill `file_size` bytes from the segment's address;
//! the rest (`.bss`) is zero.

use alloc::vec::Vec;

use goblin::elf::Elf;
use goblin::elf::program_header::{PF_R, PF_W, PF_X, PT_LOAD};
use posix_server_api::Errno;

/// Bytes of a page.
pub const PAGE_SIZE: u64 = 4096;
/// The lowest address a segment may use (page 0 stays unmapped: null pointers fault).
pub const LOWEST_ADDRESS: u64 = 0x1_0000;
/// The highest address a segment may reach (below the stack and shared buffer).
pub const HIGHEST_ADDRESS: u64 = 0x0000_7000_0000_0000;

/// Protection bits of a piece (mm-server's: READ 1, WRITE 2, EXECUTE 4).
pub mod protection {
    /// Readable.
    pub const READ: u64 = 1;
    /// Writable.
    pub const WRITE: u64 = 2;
    /// Executable.
    pub const EXECUTE: u64 = 4;
}

/// Bytes of the file to put somewhere in a piece.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileBytes {
    /// Offset from the piece's start.
    pub piece_offset: u64,
    /// Offset in the file.
    pub file_offset: u64,
    /// How many.
    pub length: u64,
}

/// Consecutive pages with one protection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    /// Page-aligned start.
    pub address: u64,
    /// Page-aligned length.
    pub length: u64,
    /// Protection (bits of [`protection`]).
    pub protection: u64,
    /// What to copy from the file.
    pub contents: Vec<FileBytes>,
}

/// What execve builds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadPlan {
    /// The entry point.
    pub entry: u64,
    /// The pieces in address order, not overlapping.
    pub pieces: Vec<Piece>,
    /// The address of the program headers in memory (`AT_PHDR`; 0 if not loaded).
    pub program_headers: u64,
    /// Bytes of one program header.
    pub program_header_size: u64,
    /// How many program headers.
    pub program_header_count: u64,
    /// The first page after every piece (where the break starts).
    pub end: u64,
}

const fn page_floor(address: u64) -> u64 {
    address & !(PAGE_SIZE - 1)
}

/// Checks `bytes` and plans their loading.
///
/// # Errors
/// `ENOEXEC`: not a static x86_64 ELF64 executable, or a segment outside the file
/// or the allowed range.
pub fn plan(bytes: &[u8]) -> Result<LoadPlan, Errno> {
    if bytes.get(..4) != Some(b"\x7fELF") {
        return Err(Errno::ENOEXEC);
    }
    let elf = Elf::parse(bytes).map_err(|_| Errno::ENOEXEC)?;
    if !elf.is_64
        || !elf.little_endian
        || elf.header.e_type != goblin::elf::header::ET_EXEC
        || elf.header.e_machine != goblin::elf::header::EM_X86_64
        || elf.interpreter.is_some()
    {
        return Err(Errno::ENOEXEC);
    }
    // Page-level protections and contents, merged where segments share a page.
    let mut pages: Vec<(u64, u64)> = Vec::new(); // (page address, protection)
    let mut contents: Vec<(u64, u64, u64)> = Vec::new(); // (address, file offset, length)
    let mut program_headers = 0;
    let phoff = elf.header.e_phoff;
    let phsize = u64::from(elf.header.e_phentsize) * u64::from(elf.header.e_phnum);
    for header in elf.program_headers.iter().filter(|h| h.p_type == PT_LOAD) {
        if header.p_memsz == 0 {
            continue;
        }
        let file_end = header.p_offset.checked_add(header.p_filesz);
        let memory_end = header.p_vaddr.checked_add(header.p_memsz);
        let valid = file_end.is_some_and(|end| end <= bytes.len() as u64)
            && memory_end.is_some_and(|end| end <= HIGHEST_ADDRESS)
            && header.p_vaddr >= LOWEST_ADDRESS
            && header.p_filesz <= header.p_memsz;
        let Some(memory_end) = memory_end.filter(|_| valid) else {
            return Err(Errno::ENOEXEC);
        };
        let mut bits = 0;
        if header.p_flags & PF_R != 0 {
            bits |= protection::READ;
        }
        if header.p_flags & PF_W != 0 {
            bits |= protection::WRITE | protection::READ;
        }
        if header.p_flags & PF_X != 0 {
            bits |= protection::EXECUTE | protection::READ;
        }
        let mut page = page_floor(header.p_vaddr);
        while page < memory_end {
            match pages.iter_mut().find(|(address, _)| *address == page) {
                Some((_, existing)) => *existing |= bits,
                None => pages.push((page, bits)),
            }
            page += PAGE_SIZE;
        }
        if header.p_filesz > 0 {
            contents.push((header.p_vaddr, header.p_offset, header.p_filesz));
        }
        if phoff >= header.p_offset && phoff + phsize <= header.p_offset + header.p_filesz {
            program_headers = header.p_vaddr + (phoff - header.p_offset);
        }
        if pages.len() > 1 << 18 {
            return Err(Errno::ENOEXEC);
        }
    }
    if pages.is_empty() {
        return Err(Errno::ENOEXEC);
    }
    pages.sort_unstable();
    // Consecutive pages of one protection make a piece.
    let mut pieces: Vec<Piece> = Vec::new();
    for (address, bits) in pages {
        match pieces.last_mut() {
            Some(last) if last.address + last.length == address && last.protection == bits => {
                last.length += PAGE_SIZE;
            }
            _ => pieces.push(Piece {
                address,
                length: PAGE_SIZE,
                protection: bits,
                contents: Vec::new(),
            }),
        }
    }
    // Split each segment's file bytes over the pieces they fall in.
    for (address, file_offset, length) in contents {
        for piece in &mut pieces {
            let start = address.max(piece.address);
            let end = (address + length).min(piece.address + piece.length);
            if start < end {
                piece.contents.push(FileBytes {
                    piece_offset: start - piece.address,
                    file_offset: file_offset + (start - address),
                    length: end - start,
                });
            }
        }
    }
    let end = pieces
        .last()
        .map_or(0, |piece| piece.address + piece.length);
    let entry = elf.entry;
    if !pieces.iter().any(|piece| {
        piece.protection & protection::EXECUTE != 0
            && (piece.address..piece.address + piece.length).contains(&entry)
    }) {
        return Err(Errno::ENOEXEC);
    }
    Ok(LoadPlan {
        entry,
        pieces,
        program_headers,
        program_header_size: u64::from(elf.header.e_phentsize),
        program_header_count: u64::from(elf.header.e_phnum),
        end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal ELF64 executable with the given (vaddr, offset, filesz, memsz, flags) segments.
    fn elf(entry: u64, segments: &[(u64, u64, u64, u64, u32)], size: usize) -> Vec<u8> {
        let mut bytes = alloc::vec![0u8; size];
        bytes[..4].copy_from_slice(b"\x7fELF");
        bytes[4] = 2; // 64-bit
        bytes[5] = 1; // little endian
        bytes[6] = 1; // version
        bytes[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
        bytes[18..20].copy_from_slice(&62u16.to_le_bytes()); // x86_64
        bytes[20..24].copy_from_slice(&1u32.to_le_bytes());
        bytes[24..32].copy_from_slice(&entry.to_le_bytes());
        bytes[32..40].copy_from_slice(&64u64.to_le_bytes()); // phoff
        bytes[52..54].copy_from_slice(&64u16.to_le_bytes()); // ehsize
        bytes[54..56].copy_from_slice(&56u16.to_le_bytes()); // phentsize
        bytes[56..58].copy_from_slice(&(segments.len() as u16).to_le_bytes());
        for (index, &(vaddr, offset, filesz, memsz, flags)) in segments.iter().enumerate() {
            let at = 64 + index * 56;
            bytes[at..at + 4].copy_from_slice(&1u32.to_le_bytes()); // PT_LOAD
            bytes[at + 4..at + 8].copy_from_slice(&flags.to_le_bytes());
            bytes[at + 8..at + 16].copy_from_slice(&offset.to_le_bytes());
            bytes[at + 16..at + 24].copy_from_slice(&vaddr.to_le_bytes());
            bytes[at + 24..at + 32].copy_from_slice(&vaddr.to_le_bytes());
            bytes[at + 32..at + 40].copy_from_slice(&filesz.to_le_bytes());
            bytes[at + 40..at + 48].copy_from_slice(&memsz.to_le_bytes());
            bytes[at + 48..at + 56].copy_from_slice(&4096u64.to_le_bytes());
        }
        bytes
    }

    #[test]
    fn text_and_data_become_two_pieces() {
        let bytes = elf(
            0x20_1000,
            &[
                (0x20_0000, 0, 0x1800, 0x1800, PF_R | PF_X),
                (0x20_2000, 0x2000, 0x10, 0x3000, PF_R | PF_W),
            ],
            0x3000,
        );
        let plan = plan(&bytes).unwrap();
        assert_eq!(plan.entry, 0x20_1000);
        assert_eq!(plan.pieces.len(), 2);
        assert_eq!(plan.pieces[0].address, 0x20_0000);
        assert_eq!(plan.pieces[0].length, 0x2000);
        assert_eq!(
            plan.pieces[0].protection,
            protection::READ | protection::EXECUTE
        );
        assert_eq!(plan.pieces[1].address, 0x20_2000);
        assert_eq!(plan.pieces[1].length, 0x3000);
        assert_eq!(
            plan.pieces[1].contents,
            alloc::vec![FileBytes {
                piece_offset: 0,
                file_offset: 0x2000,
                length: 0x10
            }]
        );
        assert_eq!(plan.end, 0x20_5000);
        assert_eq!(plan.program_headers, 0x20_0040);
    }

    #[test]
    fn a_shared_page_takes_both_protections() {
        let bytes = elf(
            0x20_0100,
            &[
                (0x20_0000, 0, 0x800, 0x800, PF_R | PF_X),
                (0x20_0800, 0x800, 0x100, 0x100, PF_R | PF_W),
            ],
            0x1000,
        );
        let plan = plan(&bytes).unwrap();
        assert_eq!(plan.pieces.len(), 1);
        assert_eq!(plan.pieces[0].protection, 7);
        assert_eq!(plan.pieces[0].contents.len(), 2);
    }

    #[test]
    fn bad_executables_are_refused() {
        assert_eq!(plan(b"#!/bin/sh\n"), Err(Errno::ENOEXEC));
        assert_eq!(plan(&[]), Err(Errno::ENOEXEC));
        // Segment past the file.
        let bytes = elf(
            0x20_0000,
            &[(0x20_0000, 0, 0x5000, 0x5000, PF_R | PF_X)],
            0x1000,
        );
        assert_eq!(plan(&bytes), Err(Errno::ENOEXEC));
        // Page 0.
        let bytes = elf(0x100, &[(0, 0, 0x100, 0x100, PF_R | PF_X)], 0x1000);
        assert_eq!(plan(&bytes), Err(Errno::ENOEXEC));
        // Entry outside executable pages.
        let bytes = elf(
            0x90_0000,
            &[(0x20_0000, 0, 0x100, 0x100, PF_R | PF_X)],
            0x1000,
        );
        assert_eq!(plan(&bytes), Err(Errno::ENOEXEC));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            let mut with_magic = b"\x7fELF\x02\x01\x01".to_vec();
            with_magic.extend_from_slice(&bytes);
            let _ = plan(&bytes);
            let _ = plan(&with_magic);
        }
    }
}

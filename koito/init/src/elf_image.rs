//! Reading a static ELF executable (a server in a boot module): its entry point and
//! loadable segments, checked before anything is built from them.

use alloc::vec::Vec;

use goblin::elf::Elf;
use goblin::elf::program_header::{PF_W, PF_X, PT_LOAD};

/// One loadable segment.
#[derive(Clone, Copy, Debug)]
pub struct Segment {
    /// Virtual address of its first byte.
    pub virtual_address: u64,
    /// Bytes in memory (the tail past `file_size` is zero).
    pub memory_size: u64,
    /// Offset of its bytes in the file.
    pub file_offset: u64,
    /// Bytes present in the file.
    pub file_size: u64,
    /// Writable.
    pub writable: bool,
    /// Executable.
    pub executable: bool,
}

/// What to build.
#[derive(Debug)]
pub struct ElfImage {
    /// Entry point.
    pub entry: u64,
    /// Loadable segments.
    pub segments: Vec<Segment>,
}

/// Why an image was refused.
#[derive(Clone, Copy, Debug)]
pub enum ElfError {
    /// goblin could not parse it.
    Malformed,
    /// Not a 64-bit static executable.
    NotAStaticExecutable,
    /// A segment lies outside the file or the user half, or overlaps page 0.
    BadSegment,
}

/// Checks and describes `bytes`.
pub fn read(bytes: &[u8]) -> Result<ElfImage, ElfError> {
    let elf = Elf::parse(bytes).map_err(|_| ElfError::Malformed)?;
    if !elf.is_64 || elf.header.e_type != goblin::elf::header::ET_EXEC {
        return Err(ElfError::NotAStaticExecutable);
    }
    let mut segments = Vec::new();
    for header in elf
        .program_headers
        .iter()
        .filter(|header| header.p_type == PT_LOAD)
    {
        let fits_file = header
            .p_offset
            .checked_add(header.p_filesz)
            .is_some_and(|end| end <= bytes.len() as u64);
        let fits_user = header
            .p_vaddr
            .checked_add(header.p_memsz)
            .is_some_and(|end| end <= a9n_abi::boot::USER_ADDRESS_LIMIT);
        if !fits_file || !fits_user || header.p_filesz > header.p_memsz || header.p_vaddr < 0x1000 {
            return Err(ElfError::BadSegment);
        }
        segments.push(Segment {
            virtual_address: header.p_vaddr,
            memory_size: header.p_memsz,
            file_offset: header.p_offset,
            file_size: header.p_filesz,
            writable: header.p_flags & PF_W != 0,
            executable: header.p_flags & PF_X != 0,
        });
    }
    if segments.is_empty() {
        return Err(ElfError::NotAStaticExecutable);
    }
    Ok(ElfImage {
        entry: elf.entry,
        segments,
    })
}

//! ELF validation and load planning: pure logic, no UEFI calls.
//!
//! [`plan`] looks at the start of an ELF file (its header and program header
//! table) and the file's size, checks everything the boot protocol requires of
//! the kernel or of init, and returns where each loadable segment goes inside one
//! contiguous block. The caller then reads only the segments' file bytes; sections
//! such as debug information are never read.

use alloc::vec::Vec;
use core::fmt;

use a9n_abi::boot::{
    INIT_SEGMENT_CAPACITY, KERNEL_VIRTUAL_BASE, PAGE_SIZE, SEGMENT_EXECUTE, SEGMENT_READ,
    SEGMENT_WRITE, USER_ADDRESS_LIMIT,
};
use goblin::container::{Container, Ctx, Endian};
use goblin::elf::Elf;
use goblin::elf::header::{EI_CLASS, EI_DATA, ELFCLASS64, ELFDATA2LSB, ELFMAG, EM_X86_64, ET_EXEC};
use goblin::elf::program_header::{PF_R, PF_W, PF_X, PT_INTERP, PT_LOAD, ProgramHeader};

/// Size of an ELF64 file header.
const ELF64_HEADER_SIZE: u64 = 64;
/// Size of an ELF64 program header.
const ELF64_PROGRAM_HEADER_SIZE: u64 = 56;

/// Which image is being planned: the rules for addresses differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageKind {
    /// The kernel: every segment at or above `KERNEL_VIRTUAL_BASE`.
    Kernel,
    /// The init server: every segment in user space, page 0 left unmapped, no two
    /// segments sharing a page, at most `INIT_SEGMENT_CAPACITY` segments, and room
    /// below `USER_ADDRESS_LIMIT` for the two extra pages after the image.
    Init,
}

/// One `PT_LOAD` segment as the loader places it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlannedSegment {
    /// `p_vaddr`.
    pub virtual_address: u64,
    /// `p_memsz`.
    pub memory_size: u64,
    /// `p_offset`.
    pub file_offset: u64,
    /// `p_filesz`.
    pub file_size: u64,
    /// `SEGMENT_*` bits derived from `p_flags`.
    pub flags: u64,
}

impl PlannedSegment {
    /// Offset of the segment's first byte inside the image block.
    #[must_use]
    pub fn block_offset(&self, plan: &LoadPlan) -> u64 {
        self.virtual_address - plan.base
    }
}

/// Where an image's segments go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadPlan {
    /// `e_entry`.
    pub entry: u64,
    /// Lowest segment address rounded down to a page.
    pub base: u64,
    /// Bytes from `base` to the highest segment end rounded up to a page.
    pub span: u64,
    /// The `PT_LOAD` segments with a non-zero memory size, sorted by address.
    pub segments: Vec<PlannedSegment>,
}

/// Why an ELF file cannot be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElfError {
    /// Fewer bytes were given than the headers need; retry with `needed` bytes.
    HeadersTruncated {
        /// Bytes from the start of the file that hold both header tables.
        needed: u64,
    },
    /// The file is shorter than its own headers say.
    FileTooShort,
    /// The file does not start with `\x7fELF`.
    BadMagic,
    /// Not a 64-bit ELF file.
    NotElf64,
    /// Not little endian.
    NotLittleEndian,
    /// `e_machine` is not x86_64.
    WrongMachine(u16),
    /// `e_type` is not `ET_EXEC` (a position independent executable, an object...).
    NotExecutable(u16),
    /// `e_phentsize` is not the ELF64 size.
    BadProgramHeaderSize(u16),
    /// goblin could not parse the headers.
    Parse,
    /// The image asks for a dynamic linker.
    Interpreter,
    /// No `PT_LOAD` segment with a non-zero size.
    NoLoadSegment,
    /// Segment `index` has `p_filesz > p_memsz`.
    FileSizeAboveMemorySize {
        /// Program header index.
        index: usize,
    },
    /// Segment `index`'s file bytes lie outside the file.
    FileRangeOutsideFile {
        /// Program header index.
        index: usize,
    },
    /// Segment `index`'s address range wraps around or cannot be page rounded.
    AddressOverflow {
        /// Program header index.
        index: usize,
    },
    /// Kernel segment below `KERNEL_VIRTUAL_BASE`.
    BelowKernelBase {
        /// Program header index.
        index: usize,
        /// Its `p_vaddr`.
        address: u64,
    },
    /// Init segment (or the two pages after the image) not below `USER_ADDRESS_LIMIT`.
    AboveUserLimit {
        /// Program header index.
        index: usize,
        /// First address past the segment.
        end: u64,
    },
    /// Init segment in page 0.
    InPageZero {
        /// Program header index.
        index: usize,
    },
    /// Two segments overlap.
    Overlap {
        /// Program header index of the lower segment.
        first: usize,
        /// Program header index of the higher segment.
        second: usize,
    },
    /// Two init segments share a page (their permissions could not both hold).
    SharedPage {
        /// Program header index of the lower segment.
        first: usize,
        /// Program header index of the higher segment.
        second: usize,
        /// The shared page.
        page: u64,
    },
    /// More init segments than `INIT_SEGMENT_CAPACITY`.
    TooManySegments(usize),
    /// The entry point is in no loadable segment.
    EntryOutsideImage(u64),
}

impl fmt::Display for ElfError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::HeadersTruncated { needed } => {
                write!(formatter, "headers need {needed} bytes")
            }
            Self::FileTooShort => write!(formatter, "file shorter than its headers"),
            Self::BadMagic => write!(formatter, "not an ELF file, bad magic"),
            Self::NotElf64 => write!(formatter, "not a 64-bit ELF file"),
            Self::NotLittleEndian => write!(formatter, "not little endian"),
            Self::WrongMachine(machine) => {
                write!(formatter, "machine {machine} is not x86_64")
            }
            Self::NotExecutable(kind) => write!(
                formatter,
                "type {kind} is not ET_EXEC, link statically at a fixed address"
            ),
            Self::BadProgramHeaderSize(size) => {
                write!(formatter, "program header size {size} is not 56")
            }
            Self::Parse => write!(formatter, "malformed headers"),
            Self::Interpreter => write!(formatter, "asks for a dynamic linker, PT_INTERP"),
            Self::NoLoadSegment => write!(formatter, "no PT_LOAD segment"),
            Self::FileSizeAboveMemorySize { index } => {
                write!(formatter, "segment {index} has p_filesz > p_memsz")
            }
            Self::FileRangeOutsideFile { index } => {
                write!(
                    formatter,
                    "segment {index} has file bytes past the end of the file"
                )
            }
            Self::AddressOverflow { index } => {
                write!(
                    formatter,
                    "segment {index} runs past the end of the address space"
                )
            }
            Self::BelowKernelBase { index, address } => write!(
                formatter,
                "segment {index} at {address:#x} is below the kernel base {KERNEL_VIRTUAL_BASE:#x}"
            ),
            Self::AboveUserLimit { index, end } => write!(
                formatter,
                "segment {index} ends at {end:#x}, not below {USER_ADDRESS_LIMIT:#x} with 2 pages to spare"
            ),
            Self::InPageZero { index } => {
                write!(
                    formatter,
                    "segment {index} is in page 0, which must stay unmapped"
                )
            }
            Self::Overlap { first, second } => {
                write!(formatter, "segments {first} and {second} overlap")
            }
            Self::SharedPage {
                first,
                second,
                page,
            } => write!(
                formatter,
                "segments {first} and {second} share the page at {page:#x}, start each segment on its own page"
            ),
            Self::TooManySegments(count) => write!(
                formatter,
                "{count} loadable segments, at most {INIT_SEGMENT_CAPACITY}"
            ),
            Self::EntryOutsideImage(entry) => {
                write!(
                    formatter,
                    "entry point {entry:#x} is in no loadable segment"
                )
            }
        }
    }
}

/// Rounds `value` down to a page boundary.
const fn page_down(value: u64) -> u64 {
    value & !(PAGE_SIZE - 1)
}

/// Rounds `value` up to a page boundary, `None` on overflow.
const fn page_up(value: u64) -> Option<u64> {
    match value.checked_add(PAGE_SIZE - 1) {
        Some(sum) => Some(page_down(sum)),
        None => None,
    }
}

/// `SEGMENT_*` bits of ELF `p_flags`.
fn segment_flags(p_flags: u32) -> u64 {
    let mut flags = 0;
    if p_flags & PF_R != 0 {
        flags |= SEGMENT_READ;
    }
    if p_flags & PF_W != 0 {
        flags |= SEGMENT_WRITE;
    }
    if p_flags & PF_X != 0 {
        flags |= SEGMENT_EXECUTE;
    }
    flags
}

/// Bytes from the start of a file needed for [`plan`]: the ELF header and the
/// program header table. `prefix` must hold at least the 64-byte ELF header.
pub fn headers_length(prefix: &[u8]) -> Result<u64, ElfError> {
    check_identification(prefix)?;
    let header = Elf::parse_header(prefix).map_err(|_| ElfError::Parse)?;
    let table_end = u64::from(header.e_phnum)
        .checked_mul(u64::from(header.e_phentsize))
        .and_then(|size| size.checked_add(header.e_phoff))
        .ok_or(ElfError::FileTooShort)?;
    Ok(table_end.max(ELF64_HEADER_SIZE))
}

fn check_identification(prefix: &[u8]) -> Result<(), ElfError> {
    if prefix.len() < ELF64_HEADER_SIZE as usize {
        if prefix.len() >= 4 && prefix[..4] != ELFMAG[..] {
            return Err(ElfError::BadMagic);
        }
        return Err(ElfError::FileTooShort);
    }
    if prefix[..4] != ELFMAG[..] {
        return Err(ElfError::BadMagic);
    }
    if prefix[EI_CLASS] != ELFCLASS64 {
        return Err(ElfError::NotElf64);
    }
    if prefix[EI_DATA] != ELFDATA2LSB {
        return Err(ElfError::NotLittleEndian);
    }
    Ok(())
}

/// Validates an ELF image and plans its placement.
///
/// `prefix` is the start of the file (at least [`headers_length`] bytes, the whole
/// file is fine too) and `file_size` the size of the whole file.
pub fn plan(prefix: &[u8], file_size: u64, kind: ImageKind) -> Result<LoadPlan, ElfError> {
    let needed = headers_length(prefix)?;
    if needed > file_size {
        return Err(ElfError::FileTooShort);
    }
    if needed > prefix.len() as u64 {
        return Err(ElfError::HeadersTruncated { needed });
    }
    let header = Elf::parse_header(prefix).map_err(|_| ElfError::Parse)?;
    if header.e_machine != EM_X86_64 {
        return Err(ElfError::WrongMachine(header.e_machine));
    }
    if header.e_type != ET_EXEC {
        return Err(ElfError::NotExecutable(header.e_type));
    }
    if header.e_phnum != 0 && u64::from(header.e_phentsize) != ELF64_PROGRAM_HEADER_SIZE {
        return Err(ElfError::BadProgramHeaderSize(header.e_phentsize));
    }
    let context = Ctx::new(Container::Big, Endian::Little);
    let program_headers = ProgramHeader::parse(
        prefix,
        header.e_phoff as usize,
        usize::from(header.e_phnum),
        context,
    )
    .map_err(|_| ElfError::Parse)?;

    let mut indexed = Vec::new();
    for (index, program_header) in program_headers.iter().enumerate() {
        if program_header.p_type == PT_INTERP {
            return Err(ElfError::Interpreter);
        }
        if program_header.p_type != PT_LOAD || program_header.p_memsz == 0 {
            continue;
        }
        let segment = check_segment(index, program_header, file_size, kind)?;
        indexed.push((index, segment));
    }
    if indexed.is_empty() {
        return Err(ElfError::NoLoadSegment);
    }
    if kind == ImageKind::Init && indexed.len() > INIT_SEGMENT_CAPACITY {
        return Err(ElfError::TooManySegments(indexed.len()));
    }
    indexed.sort_unstable_by_key(|(_, segment)| segment.virtual_address);
    check_neighbours(&indexed, kind)?;

    let base = page_down(indexed[0].1.virtual_address);
    let mut top = base;
    for (index, segment) in &indexed {
        let end = page_up(segment.virtual_address + segment.memory_size)
            .ok_or(ElfError::AddressOverflow { index: *index })?;
        top = top.max(end);
    }
    if kind == ImageKind::Init {
        // The init_info page and the IPC buffer page follow the image.
        let limit_end = top.saturating_add(2 * PAGE_SIZE);
        if limit_end > USER_ADDRESS_LIMIT {
            let (index, _) = indexed[indexed.len() - 1];
            return Err(ElfError::AboveUserLimit {
                index,
                end: limit_end,
            });
        }
    }
    let entry = header.e_entry;
    let entry_inside = indexed.iter().any(|(_, segment)| {
        entry >= segment.virtual_address && entry - segment.virtual_address < segment.memory_size
    });
    if !entry_inside {
        return Err(ElfError::EntryOutsideImage(entry));
    }
    Ok(LoadPlan {
        entry,
        base,
        span: top - base,
        segments: indexed.into_iter().map(|(_, segment)| segment).collect(),
    })
}

/// Checks one `PT_LOAD` program header on its own.
fn check_segment(
    index: usize,
    program_header: &ProgramHeader,
    file_size: u64,
    kind: ImageKind,
) -> Result<PlannedSegment, ElfError> {
    if program_header.p_filesz > program_header.p_memsz {
        return Err(ElfError::FileSizeAboveMemorySize { index });
    }
    let file_end = program_header
        .p_offset
        .checked_add(program_header.p_filesz)
        .ok_or(ElfError::FileRangeOutsideFile { index })?;
    if file_end > file_size {
        return Err(ElfError::FileRangeOutsideFile { index });
    }
    let address = program_header.p_vaddr;
    let end = address
        .checked_add(program_header.p_memsz)
        .ok_or(ElfError::AddressOverflow { index })?;
    page_up(end).ok_or(ElfError::AddressOverflow { index })?;
    match kind {
        ImageKind::Kernel => {
            if address < KERNEL_VIRTUAL_BASE {
                return Err(ElfError::BelowKernelBase { index, address });
            }
        }
        ImageKind::Init => {
            if address < PAGE_SIZE {
                return Err(ElfError::InPageZero { index });
            }
            if end > USER_ADDRESS_LIMIT {
                return Err(ElfError::AboveUserLimit { index, end });
            }
        }
    }
    Ok(PlannedSegment {
        virtual_address: address,
        memory_size: program_header.p_memsz,
        file_offset: program_header.p_offset,
        file_size: program_header.p_filesz,
        flags: segment_flags(program_header.p_flags),
    })
}

/// Checks consecutive segments (sorted by address) for overlap, and for init also
/// for shared pages.
fn check_neighbours(indexed: &[(usize, PlannedSegment)], kind: ImageKind) -> Result<(), ElfError> {
    for pair in indexed.windows(2) {
        let (first, lower) = pair[0];
        let (second, higher) = pair[1];
        let lower_end = lower.virtual_address + lower.memory_size;
        if lower_end > higher.virtual_address {
            return Err(ElfError::Overlap { first, second });
        }
        if kind == ImageKind::Init {
            let last_page = page_down(lower_end - 1);
            if last_page == page_down(higher.virtual_address) {
                return Err(ElfError::SharedPage {
                    first,
                    second,
                    page: last_page,
                });
            }
        }
    }
    Ok(())
}

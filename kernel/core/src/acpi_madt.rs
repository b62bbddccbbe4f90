//! Finding the interrupt controllers in the ACPI tables: RSDP -> XSDT (or RSDT) ->
//! MADT ("APIC"), with every signature, length and checksum checked, and from the
//! MADT the I/O APICs and the ISA interrupt source overrides.
//!
//! The tables come from firmware and are trusted for nothing: a length is only used
//! after it was checked against its table and [`MAX_TABLE_LENGTH`], and the caller's
//! [`AcpiMemory`] decides which physical bytes may be read at all. Bad tables give
//! an [`AcpiError`], never a panic.

/// Read access to physical memory, as the kernel's direct map gives it.
pub trait AcpiMemory {
    /// The `length` bytes from physical `address`, or `None` unless all of them may
    /// be read.
    fn bytes(&self, address: u64, length: usize) -> Option<&[u8]>;
}

/// Longest table the walk accepts (a larger length is taken as corrupt).
pub const MAX_TABLE_LENGTH: usize = 1 << 20;
/// I/O APICs kept (more are counted in [`Madt::ignored_io_apics`]).
pub const MAX_IO_APICS: usize = 8;
/// ISA IRQs, and so the most interrupt source overrides that can matter.
pub const ISA_IRQ_COUNT: usize = 16;

/// Bytes of an RSDP of revision 0 (ACPI 1.0), covered by its first checksum.
const RSDP_V1_LENGTH: usize = 20;
/// Bytes of an RSDP of revision 2 and later.
const RSDP_V2_LENGTH: usize = 36;
/// Bytes of the header every system description table starts with.
const HEADER_LENGTH: usize = 36;
/// Bytes of the MADT before its first entry (header, local APIC address, flags).
const MADT_ENTRIES_OFFSET: usize = 44;
/// MADT entry type of an I/O APIC, and its length.
const ENTRY_IO_APIC: u8 = 1;
const IO_APIC_ENTRY_LENGTH: usize = 12;
/// MADT entry type of an interrupt source override, and its length.
const ENTRY_SOURCE_OVERRIDE: u8 = 2;
const SOURCE_OVERRIDE_ENTRY_LENGTH: usize = 10;

/// Why no MADT could be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcpiError {
    /// The boot info gave no RSDP.
    NoRsdp,
    /// A table, or part of one, lies outside readable memory.
    Unreadable(u64),
    /// The table at this address does not carry the expected signature.
    BadSignature(u64),
    /// The table at this address has an impossible length (or a MADT entry runs
    /// past its end).
    BadLength(u64),
    /// The table at this address does not sum to zero.
    BadChecksum(u64),
    /// The root table lists no MADT.
    NoMadt,
}

/// Polarity of an interrupt input, as an override gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Polarity {
    /// As the bus says (ISA: active high).
    Conforming,
    /// Active high.
    ActiveHigh,
    /// Active low.
    ActiveLow,
}

/// Trigger mode of an interrupt input, as an override gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// As the bus says (ISA: edge).
    Conforming,
    /// Edge triggered.
    Edge,
    /// Level triggered.
    Level,
}

/// One I/O APIC.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IoApic {
    /// Its APIC ID.
    pub id: u8,
    /// Physical address of its registers.
    pub address: u64,
    /// The global system interrupt of its input 0.
    pub gsi_base: u32,
}

/// An ISA IRQ that is not wired to the I/O APIC input of the same number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceOverride {
    /// The ISA IRQ (0..16).
    pub isa_irq: u8,
    /// The global system interrupt it arrives at.
    pub gsi: u32,
    /// Its polarity.
    pub polarity: Polarity,
    /// Its trigger mode.
    pub trigger: Trigger,
}

/// What the kernel needs from the MADT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Madt {
    io_apics: [IoApic; MAX_IO_APICS],
    io_apic_count: usize,
    overrides: [Option<SourceOverride>; ISA_IRQ_COUNT],
    /// I/O APIC entries past [`MAX_IO_APICS`], not kept.
    pub ignored_io_apics: usize,
    /// Override entries not kept: not ISA, IRQ 16 or above, or a second one for an
    /// IRQ (the first wins).
    pub ignored_overrides: usize,
}

impl Madt {
    const fn empty() -> Self {
        Self {
            io_apics: [IoApic {
                id: 0,
                address: 0,
                gsi_base: 0,
            }; MAX_IO_APICS],
            io_apic_count: 0,
            overrides: [None; ISA_IRQ_COUNT],
            ignored_io_apics: 0,
            ignored_overrides: 0,
        }
    }

    /// The I/O APICs, in table order.
    #[must_use]
    pub fn io_apics(&self) -> &[IoApic] {
        &self.io_apics[..self.io_apic_count]
    }

    /// The override of ISA IRQ `isa_irq`, if the table has one.
    #[must_use]
    pub fn source_override(&self, isa_irq: u8) -> Option<SourceOverride> {
        self.overrides.get(usize::from(isa_irq)).copied().flatten()
    }

    /// Every override, by ISA IRQ.
    pub fn source_overrides(&self) -> impl Iterator<Item = SourceOverride> + '_ {
        self.overrides.iter().filter_map(|entry| *entry)
    }
}

fn byte(bytes: &[u8], offset: usize) -> u8 {
    bytes.get(offset).copied().unwrap_or(0)
}

fn word16(bytes: &[u8], offset: usize) -> u16 {
    u16::from_le_bytes([byte(bytes, offset), byte(bytes, offset + 1)])
}

fn word32(bytes: &[u8], offset: usize) -> u32 {
    u32::from_le_bytes(core::array::from_fn(|index| byte(bytes, offset + index)))
}

fn word64(bytes: &[u8], offset: usize) -> u64 {
    u64::from_le_bytes(core::array::from_fn(|index| byte(bytes, offset + index)))
}

/// Whether `bytes` sum to zero modulo 256 (every ACPI checksum).
#[must_use]
pub fn checksum_is_valid(bytes: &[u8]) -> bool {
    bytes.iter().fold(0u8, |sum, &byte| sum.wrapping_add(byte)) == 0
}

fn read(memory: &impl AcpiMemory, address: u64, length: usize) -> Result<&[u8], AcpiError> {
    memory
        .bytes(address, length)
        .filter(|bytes| bytes.len() == length)
        .ok_or(AcpiError::Unreadable(address))
}

/// Where the root table is and how wide its entries are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RootTable {
    /// Physical address of the XSDT or RSDT.
    pub address: u64,
    /// Bytes per entry: 8 (XSDT) or 4 (RSDT).
    pub entry_size: usize,
}

/// Checks the RSDP at `address` and says which root table to use: the XSDT when
/// the RSDP is of revision 2 or later and names one, else the RSDT.
///
/// # Errors
/// Address 0, an unreadable RSDP, a wrong signature, a bad length or checksum.
pub fn root_table(memory: &impl AcpiMemory, address: u64) -> Result<RootTable, AcpiError> {
    if address == 0 {
        return Err(AcpiError::NoRsdp);
    }
    let first = read(memory, address, RSDP_V1_LENGTH)?;
    if &first[..8] != b"RSD PTR " {
        return Err(AcpiError::BadSignature(address));
    }
    if !checksum_is_valid(first) {
        return Err(AcpiError::BadChecksum(address));
    }
    let revision = byte(first, 15);
    let rsdt = RootTable {
        address: u64::from(word32(first, 16)),
        entry_size: 4,
    };
    if revision < 2 {
        return Ok(rsdt);
    }
    let extended = read(memory, address, RSDP_V2_LENGTH)?;
    let length = word32(extended, 20) as usize;
    if !(RSDP_V2_LENGTH..=MAX_TABLE_LENGTH).contains(&length) {
        return Err(AcpiError::BadLength(address));
    }
    if !checksum_is_valid(read(memory, address, length)?) {
        return Err(AcpiError::BadChecksum(address));
    }
    match word64(extended, 24) {
        0 => Ok(rsdt),
        xsdt => Ok(RootTable {
            address: xsdt,
            entry_size: 8,
        }),
    }
}

/// The signature of the table at `address`, if its header can be read.
fn signature_at(memory: &impl AcpiMemory, address: u64) -> Option<[u8; 4]> {
    let header = memory.bytes(address, HEADER_LENGTH)?;
    header.get(..4)?.try_into().ok()
}

/// The whole table at `address`, after checking its signature, length and checksum.
///
/// # Errors
/// An unreadable table, another signature, a length below the header or above
/// [`MAX_TABLE_LENGTH`], a checksum that does not sum to zero.
pub fn table<'memory>(
    memory: &'memory impl AcpiMemory,
    address: u64,
    signature: &[u8; 4],
) -> Result<&'memory [u8], AcpiError> {
    let header = read(memory, address, HEADER_LENGTH)?;
    if &header[..4] != signature {
        return Err(AcpiError::BadSignature(address));
    }
    let length = word32(header, 4) as usize;
    if !(HEADER_LENGTH..=MAX_TABLE_LENGTH).contains(&length) {
        return Err(AcpiError::BadLength(address));
    }
    let bytes = read(memory, address, length)?;
    if !checksum_is_valid(bytes) {
        return Err(AcpiError::BadChecksum(address));
    }
    Ok(bytes)
}

/// Parses a MADT already checked by [`table`] (`bytes` is the whole table, found at
/// `address`).
///
/// # Errors
/// [`AcpiError::BadLength`] if the table is shorter than its fixed part or an entry
/// is shorter than 2 bytes, than its type needs, or runs past the table's end.
pub fn parse_madt(bytes: &[u8], address: u64) -> Result<Madt, AcpiError> {
    if bytes.len() < MADT_ENTRIES_OFFSET {
        return Err(AcpiError::BadLength(address));
    }
    let mut madt = Madt::empty();
    let mut offset = MADT_ENTRIES_OFFSET;
    while offset < bytes.len() {
        let entry_type = byte(bytes, offset);
        let length = usize::from(byte(bytes, offset + 1));
        let Some(entry) = bytes.get(offset..offset + length).filter(|_| length >= 2) else {
            return Err(AcpiError::BadLength(address));
        };
        match entry_type {
            ENTRY_IO_APIC => {
                if length < IO_APIC_ENTRY_LENGTH {
                    return Err(AcpiError::BadLength(address));
                }
                let io_apic = IoApic {
                    id: byte(entry, 2),
                    address: u64::from(word32(entry, 4)),
                    gsi_base: word32(entry, 8),
                };
                if madt.io_apic_count < MAX_IO_APICS {
                    madt.io_apics[madt.io_apic_count] = io_apic;
                    madt.io_apic_count += 1;
                } else {
                    madt.ignored_io_apics += 1;
                }
            }
            ENTRY_SOURCE_OVERRIDE => {
                if length < SOURCE_OVERRIDE_ENTRY_LENGTH {
                    return Err(AcpiError::BadLength(address));
                }
                let (bus, isa_irq) = (byte(entry, 2), byte(entry, 3));
                let flags = word16(entry, 8);
                let polarity = match flags & 0b11 {
                    0b01 => Polarity::ActiveHigh,
                    0b11 => Polarity::ActiveLow,
                    _ => Polarity::Conforming,
                };
                let trigger = match (flags >> 2) & 0b11 {
                    0b01 => Trigger::Edge,
                    0b11 => Trigger::Level,
                    _ => Trigger::Conforming,
                };
                match madt.overrides.get_mut(usize::from(isa_irq)) {
                    Some(slot @ None) if bus == 0 => {
                        *slot = Some(SourceOverride {
                            isa_irq,
                            gsi: word32(entry, 4),
                            polarity,
                            trigger,
                        });
                    }
                    _ => madt.ignored_overrides += 1,
                }
            }
            _ => {}
        }
        offset += length;
    }
    Ok(madt)
}

/// Finds and parses the MADT from the RSDP at `rsdp`: the first table with
/// signature "APIC" that the root table lists. Entries that cannot be read are
/// skipped; a MADT that is found but broken is an error.
///
/// # Errors
/// Any [`AcpiError`] of the RSDP, the root table or the MADT; [`AcpiError::NoMadt`]
/// if the root table lists none.
pub fn find_madt(memory: &impl AcpiMemory, rsdp: u64) -> Result<Madt, AcpiError> {
    let root = root_table(memory, rsdp)?;
    let root_bytes = match root.entry_size {
        8 => table(memory, root.address, b"XSDT")?,
        _ => table(memory, root.address, b"RSDT")?,
    };
    let entries = &root_bytes[HEADER_LENGTH..];
    for entry in entries.chunks_exact(root.entry_size) {
        let address = match root.entry_size {
            8 => word64(entry, 0),
            _ => u64::from(word32(entry, 0)),
        };
        if address != 0 && signature_at(memory, address) == Some(*b"APIC") {
            return parse_madt(table(memory, address, b"APIC")?, address);
        }
    }
    Err(AcpiError::NoMadt)
}

#[cfg(test)]
#[path = "acpi_madt_tests.rs"]
mod tests;

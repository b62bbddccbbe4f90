//! Host tests of the ACPI walk on hand-built tables.

use super::*;
use std::vec;
use std::vec::Vec;

/// Physical memory made of a few byte blocks.
#[derive(Default)]
struct Memory(Vec<(u64, Vec<u8>)>);

impl Memory {
    fn put(&mut self, address: u64, bytes: Vec<u8>) {
        self.0.push((address, bytes));
    }

    fn block_mut(&mut self, address: u64) -> &mut Vec<u8> {
        &mut self
            .0
            .iter_mut()
            .find(|(start, _)| *start == address)
            .expect("a block at that address")
            .1
    }
}

impl AcpiMemory for Memory {
    fn bytes(&self, address: u64, length: usize) -> Option<&[u8]> {
        self.0.iter().find_map(|(start, bytes)| {
            let offset = usize::try_from(address.checked_sub(*start)?).ok()?;
            bytes.get(offset..offset.checked_add(length)?)
        })
    }
}

/// Sets byte `at` so that `bytes` sums to zero.
fn fix_checksum(bytes: &mut [u8], at: usize) {
    bytes[at] = 0;
    let sum = bytes.iter().fold(0u8, |sum, &byte| sum.wrapping_add(byte));
    bytes[at] = 0u8.wrapping_sub(sum);
}

fn rsdp(revision: u8, rsdt: u32, xsdt: u64) -> Vec<u8> {
    let mut bytes = vec![0u8; 36];
    bytes[..8].copy_from_slice(b"RSD PTR ");
    bytes[9..15].copy_from_slice(b"KOITO ");
    bytes[15] = revision;
    bytes[16..20].copy_from_slice(&rsdt.to_le_bytes());
    bytes[20..24].copy_from_slice(&36u32.to_le_bytes());
    bytes[24..32].copy_from_slice(&xsdt.to_le_bytes());
    fix_checksum(&mut bytes[..20], 8);
    fix_checksum(&mut bytes, 32);
    if revision < 2 {
        bytes.truncate(20);
    }
    bytes
}

/// A table with a valid header around `body`.
fn sdt(signature: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0u8; 36];
    bytes[..4].copy_from_slice(signature);
    bytes.extend_from_slice(body);
    let length = bytes.len() as u32;
    bytes[4..8].copy_from_slice(&length.to_le_bytes());
    bytes[8] = 1;
    fix_checksum(&mut bytes, 9);
    bytes
}

fn io_apic_entry(id: u8, address: u32, gsi_base: u32) -> Vec<u8> {
    let mut entry = vec![1, 12, id, 0];
    entry.extend_from_slice(&address.to_le_bytes());
    entry.extend_from_slice(&gsi_base.to_le_bytes());
    entry
}

fn override_entry(bus: u8, irq: u8, gsi: u32, flags: u16) -> Vec<u8> {
    let mut entry = vec![2, 10, bus, irq];
    entry.extend_from_slice(&gsi.to_le_bytes());
    entry.extend_from_slice(&flags.to_le_bytes());
    entry
}

fn madt_body(entries: &[Vec<u8>]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&0xfee0_0000u32.to_le_bytes());
    body.extend_from_slice(&1u32.to_le_bytes());
    // A local APIC entry, which the parser skips.
    body.extend_from_slice(&[0, 8, 0, 0, 1, 0, 0, 0]);
    for entry in entries {
        body.extend_from_slice(entry);
    }
    body
}

/// QEMU's q35 layout: one I/O APIC, IRQ 0 -> GSI 2, and level/active-high
/// overrides for 5, 9, 10, 11.
fn qemu_madt() -> Vec<u8> {
    sdt(
        b"APIC",
        &madt_body(&[
            io_apic_entry(0, 0xfec0_0000, 0),
            override_entry(0, 0, 2, 0),
            override_entry(0, 5, 5, 0b1101),
            override_entry(0, 9, 9, 0b1101),
            override_entry(0, 10, 10, 0b1101),
            override_entry(0, 11, 11, 0b1101),
        ]),
    )
}

const RSDP_ADDRESS: u64 = 0xe_0000;
const XSDT_ADDRESS: u64 = 0x7ff0_0000;
const RSDT_ADDRESS: u64 = 0x7ff1_0000;
const FACP_ADDRESS: u64 = 0x7ff2_0000;
const MADT_ADDRESS: u64 = 0x7ff3_0000;

fn root_body(entries: &[u64], entry_size: usize) -> Vec<u8> {
    entries
        .iter()
        .flat_map(|address| address.to_le_bytes()[..entry_size].to_vec())
        .collect()
}

/// RSDP revision 2 -> XSDT -> (FACP, APIC); an RSDT that lists nothing.
fn firmware() -> Memory {
    let mut memory = Memory::default();
    memory.put(RSDP_ADDRESS, rsdp(2, RSDT_ADDRESS as u32, XSDT_ADDRESS));
    memory.put(
        XSDT_ADDRESS,
        sdt(b"XSDT", &root_body(&[FACP_ADDRESS, MADT_ADDRESS], 8)),
    );
    memory.put(RSDT_ADDRESS, sdt(b"RSDT", &[]));
    memory.put(FACP_ADDRESS, sdt(b"FACP", &[0; 8]));
    memory.put(MADT_ADDRESS, qemu_madt());
    memory
}

#[test]
fn finds_the_qemu_io_apic_and_overrides_through_the_xsdt() {
    let madt = find_madt(&firmware(), RSDP_ADDRESS).expect("a MADT");
    assert_eq!(
        madt.io_apics(),
        &[IoApic {
            id: 0,
            address: 0xfec0_0000,
            gsi_base: 0
        }]
    );
    assert_eq!(
        madt.source_override(0),
        Some(SourceOverride {
            isa_irq: 0,
            gsi: 2,
            polarity: Polarity::Conforming,
            trigger: Trigger::Conforming
        })
    );
    assert_eq!(
        madt.source_override(9),
        Some(SourceOverride {
            isa_irq: 9,
            gsi: 9,
            polarity: Polarity::ActiveHigh,
            trigger: Trigger::Level
        })
    );
    assert_eq!(madt.source_override(4), None);
    assert_eq!(madt.source_overrides().count(), 5);
    assert_eq!((madt.ignored_io_apics, madt.ignored_overrides), (0, 0));
}

#[test]
fn revision_0_uses_the_rsdt() {
    let mut memory = firmware();
    *memory.block_mut(RSDP_ADDRESS) = rsdp(0, RSDT_ADDRESS as u32, 0);
    *memory.block_mut(RSDT_ADDRESS) = sdt(b"RSDT", &root_body(&[MADT_ADDRESS], 4));
    assert_eq!(
        root_table(&memory, RSDP_ADDRESS),
        Ok(RootTable {
            address: RSDT_ADDRESS,
            entry_size: 4
        })
    );
    assert!(find_madt(&memory, RSDP_ADDRESS).is_ok());
}

#[test]
fn revision_2_without_an_xsdt_uses_the_rsdt() {
    let mut memory = firmware();
    *memory.block_mut(RSDP_ADDRESS) = rsdp(2, RSDT_ADDRESS as u32, 0);
    assert_eq!(
        root_table(&memory, RSDP_ADDRESS).map(|root| root.entry_size),
        Ok(4)
    );
    assert_eq!(find_madt(&memory, RSDP_ADDRESS), Err(AcpiError::NoMadt));
}

#[test]
fn a_missing_or_unreadable_rsdp_is_an_error() {
    let memory = firmware();
    assert_eq!(find_madt(&memory, 0), Err(AcpiError::NoRsdp));
    assert_eq!(
        find_madt(&memory, 0x1000),
        Err(AcpiError::Unreadable(0x1000))
    );
    // Only 20 bytes readable although the revision says 36.
    let mut short = firmware();
    short.block_mut(RSDP_ADDRESS)[15] = 2;
    fix_checksum(&mut short.block_mut(RSDP_ADDRESS)[..20], 8);
    short.block_mut(RSDP_ADDRESS).truncate(20);
    assert_eq!(
        find_madt(&short, RSDP_ADDRESS),
        Err(AcpiError::Unreadable(RSDP_ADDRESS))
    );
}

#[test]
fn bad_rsdp_signature_checksums_and_length_are_errors() {
    let mut memory = firmware();
    memory.block_mut(RSDP_ADDRESS)[0] = b'X';
    assert_eq!(
        find_madt(&memory, RSDP_ADDRESS),
        Err(AcpiError::BadSignature(RSDP_ADDRESS))
    );

    let mut memory = firmware();
    memory.block_mut(RSDP_ADDRESS)[16] ^= 1;
    assert_eq!(
        find_madt(&memory, RSDP_ADDRESS),
        Err(AcpiError::BadChecksum(RSDP_ADDRESS))
    );

    let mut memory = firmware();
    memory.block_mut(RSDP_ADDRESS)[30] ^= 1;
    assert_eq!(
        find_madt(&memory, RSDP_ADDRESS),
        Err(AcpiError::BadChecksum(RSDP_ADDRESS))
    );

    for length in [0u32, 35, u32::MAX] {
        let mut memory = firmware();
        let block = memory.block_mut(RSDP_ADDRESS);
        block[20..24].copy_from_slice(&length.to_le_bytes());
        fix_checksum(&mut block[..20], 8);
        fix_checksum(block, 32);
        assert_eq!(
            find_madt(&memory, RSDP_ADDRESS),
            Err(AcpiError::BadLength(RSDP_ADDRESS)),
            "length {length}"
        );
    }
}

#[test]
fn bad_root_tables_are_errors() {
    let mut memory = firmware();
    memory.block_mut(XSDT_ADDRESS)[0] = b'R';
    assert_eq!(
        find_madt(&memory, RSDP_ADDRESS),
        Err(AcpiError::BadSignature(XSDT_ADDRESS))
    );

    let mut memory = firmware();
    memory.block_mut(XSDT_ADDRESS)[40] ^= 0x80;
    assert_eq!(
        find_madt(&memory, RSDP_ADDRESS),
        Err(AcpiError::BadChecksum(XSDT_ADDRESS))
    );

    for length in [0u32, 35, 1 << 21, u32::MAX] {
        let mut memory = firmware();
        let block = memory.block_mut(XSDT_ADDRESS);
        block[4..8].copy_from_slice(&length.to_le_bytes());
        fix_checksum(block, 9);
        assert_eq!(
            find_madt(&memory, RSDP_ADDRESS),
            Err(AcpiError::BadLength(XSDT_ADDRESS)),
            "length {length}"
        );
    }

    // A length past the readable bytes.
    let mut memory = firmware();
    let block = memory.block_mut(XSDT_ADDRESS);
    let length = block.len() as u32 + 8;
    block[4..8].copy_from_slice(&length.to_le_bytes());
    fix_checksum(block, 9);
    assert_eq!(
        find_madt(&memory, RSDP_ADDRESS),
        Err(AcpiError::Unreadable(XSDT_ADDRESS))
    );
}

#[test]
fn unreadable_or_foreign_root_entries_are_skipped() {
    let mut memory = firmware();
    *memory.block_mut(XSDT_ADDRESS) = sdt(
        b"XSDT",
        &root_body(&[0, 0xdead_0000, u64::MAX, FACP_ADDRESS, MADT_ADDRESS], 8),
    );
    assert!(find_madt(&memory, RSDP_ADDRESS).is_ok());
    // A trailing partial entry is ignored.
    let mut body = root_body(&[MADT_ADDRESS], 8);
    body.extend_from_slice(&[1, 2, 3]);
    *memory.block_mut(XSDT_ADDRESS) = sdt(b"XSDT", &body);
    assert!(find_madt(&memory, RSDP_ADDRESS).is_ok());
}

#[test]
fn a_broken_madt_is_an_error() {
    let mut memory = firmware();
    memory.block_mut(MADT_ADDRESS)[50] ^= 1;
    assert_eq!(
        find_madt(&memory, RSDP_ADDRESS),
        Err(AcpiError::BadChecksum(MADT_ADDRESS))
    );
    // Shorter than its fixed part.
    *memory.block_mut(MADT_ADDRESS) = sdt(b"APIC", &[0; 4]);
    assert_eq!(
        find_madt(&memory, RSDP_ADDRESS),
        Err(AcpiError::BadLength(MADT_ADDRESS))
    );
}

#[test]
fn malformed_madt_entries_are_bad_lengths() {
    let bad_entries: [&[u8]; 5] = [
        // Length 0 and 1 would never advance.
        &[1, 0],
        &[7, 1],
        // Runs past the end of the table.
        &[1, 12, 0, 0, 0, 0],
        // Shorter than an I/O APIC entry or an override.
        &[1, 8, 0, 0, 0, 0, 0xc0, 0xfe],
        &[2, 6, 0, 0, 2, 0],
    ];
    for entry in bad_entries {
        let table = sdt(b"APIC", &madt_body(&[entry.to_vec()]));
        assert_eq!(
            parse_madt(&table, MADT_ADDRESS),
            Err(AcpiError::BadLength(MADT_ADDRESS)),
            "entry {entry:?}"
        );
    }
    // A lone trailing byte (no room for an entry's length).
    let mut table = sdt(b"APIC", &madt_body(&[]));
    table.push(1);
    assert_eq!(
        parse_madt(&table, MADT_ADDRESS),
        Err(AcpiError::BadLength(MADT_ADDRESS))
    );
}

#[test]
fn longer_entries_and_unknown_types_are_accepted() {
    let mut long_io_apic = io_apic_entry(3, 0xfec1_0000, 24);
    long_io_apic[1] = 16;
    long_io_apic.extend_from_slice(&[0; 4]);
    let table = sdt(
        b"APIC",
        &madt_body(&[vec![0x7f, 4, 0, 0], long_io_apic, vec![]]),
    );
    let madt = parse_madt(&table, MADT_ADDRESS).expect("valid");
    assert_eq!(madt.io_apics()[0].gsi_base, 24);
    assert_eq!(madt.io_apics()[0].id, 3);
}

#[test]
fn extra_io_apics_and_overrides_are_counted_not_kept() {
    let mut entries: Vec<Vec<u8>> = (0..10)
        .map(|index| {
            io_apic_entry(
                index,
                0xfec0_0000 + u32::from(index) * 0x1000,
                24 * u32::from(index),
            )
        })
        .collect();
    entries.push(override_entry(0, 4, 20, 0b1111));
    entries.push(override_entry(0, 4, 21, 0));
    entries.push(override_entry(1, 3, 3, 0));
    entries.push(override_entry(0, 16, 16, 0));
    let table = sdt(b"APIC", &madt_body(&entries));
    let madt = parse_madt(&table, MADT_ADDRESS).expect("valid");
    assert_eq!(madt.io_apics().len(), MAX_IO_APICS);
    assert_eq!(madt.ignored_io_apics, 2);
    assert_eq!(madt.ignored_overrides, 3);
    assert_eq!(
        madt.source_override(4),
        Some(SourceOverride {
            isa_irq: 4,
            gsi: 20,
            polarity: Polarity::ActiveLow,
            trigger: Trigger::Level
        })
    );
    assert_eq!(madt.source_override(3), None);
    assert_eq!(madt.source_override(200), None);
}

#[test]
fn checksums() {
    assert!(checksum_is_valid(&[]));
    assert!(checksum_is_valid(&[0x80, 0x80]));
    assert!(!checksum_is_valid(&[1]));
}

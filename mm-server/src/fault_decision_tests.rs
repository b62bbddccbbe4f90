//! Tests of the fault decision: one example per case, and random faults over a
//! random address space (never panics; every decision agrees with the maps).

use super::*;
use crate::page_map::Mapping;
use mm_server_api::ClientId;
use proptest::prelude::*;

const P: u64 = PAGE_SIZE;
const MIB2: u64 = 2 << 20;

fn read(address: u64) -> Fault {
    Fault {
        address,
        access: FaultAccess::Read,
    }
}

fn write(address: u64) -> Fault {
    Fault {
        address,
        access: FaultAccess::Write,
    }
}

fn stack_region(top: u64) -> Region {
    Region {
        start: top - 4 * P,
        end: top,
        protection: Protection::READ_WRITE,
        max_protection: Protection::ALL,
        kind: RegionKind::Stack { top, limit: 64 * P },
        large_pages: false,
    }
}

#[test]
fn demand_zero_small_and_large() {
    let mut regions = RegionMap::default();
    regions
        .insert(Region::anonymous(
            0x1000_0000,
            0x1000_0000 + 2 * MIB2,
            Protection::READ_WRITE,
        ))
        .unwrap();
    regions
        .insert(Region::anonymous(
            0x2000_1000,
            0x2000_5000,
            Protection::READ,
        ))
        .unwrap();
    let mut pages = PageMap::new();
    let frames = FrameTable::new();
    assert_eq!(
        decide(&regions, &pages, &frames, write(0x1000_0123)),
        FaultDecision::MapZero {
            address: 0x1000_0000,
            size_bits: 21,
            protection: Protection::READ_WRITE
        }
    );
    // Once a small page is in the window, no 2 MiB frame there.
    pages
        .insert(
            0x1000_0000,
            Mapping {
                frame: 0x5000,
                size_bits: 12,
                writable: true,
                parked: false,
            },
        )
        .unwrap();
    assert_eq!(
        decide(&regions, &pages, &frames, read(0x1000_3000)),
        FaultDecision::MapZero {
            address: 0x1000_3000,
            size_bits: 12,
            protection: Protection::READ_WRITE
        }
    );
    assert_eq!(
        decide(&regions, &pages, &frames, read(0x1000_0010)),
        FaultDecision::AlreadyMapped
    );
    // A small region never gets a 2 MiB frame.
    assert_eq!(
        decide(&regions, &pages, &frames, read(0x2000_2000)),
        FaultDecision::MapZero {
            address: 0x2000_2000,
            size_bits: 12,
            protection: Protection::READ
        }
    );
    let mut no_large = Region::anonymous(0x4000_0000, 0x4000_0000 + MIB2, Protection::READ);
    no_large.large_pages = false;
    regions.insert(no_large).unwrap();
    assert!(matches!(
        decide(&regions, &pages, &frames, read(0x4000_0000)),
        FaultDecision::MapZero { size_bits: 12, .. }
    ));
}

#[test]
fn violations_are_forwarded() {
    let mut regions = RegionMap::default();
    regions
        .insert(Region::anonymous(0x1000, 0x3000, Protection::READ))
        .unwrap();
    regions
        .insert(Region::anonymous(0x8000, 0x9000, Protection::NONE))
        .unwrap();
    regions
        .insert(Region {
            kind: RegionKind::FileBacked { file: 1, offset: 0 },
            ..Region::anonymous(0xa000, 0xb000, Protection::READ)
        })
        .unwrap();
    let pages = PageMap::new();
    let frames = FrameTable::new();
    assert_eq!(
        decide(&regions, &pages, &frames, write(0x1000)),
        FaultDecision::Forward(FaultReason::Permission)
    );
    assert_eq!(
        decide(
            &regions,
            &pages,
            &frames,
            Fault {
                address: 0x1000,
                access: FaultAccess::Execute
            }
        ),
        FaultDecision::Forward(FaultReason::Permission)
    );
    assert_eq!(
        decide(&regions, &pages, &frames, read(0x8000)),
        FaultDecision::Forward(FaultReason::Permission)
    );
    assert_eq!(
        decide(&regions, &pages, &frames, read(0x5000)),
        FaultDecision::Forward(FaultReason::OutsideRegion)
    );
    assert_eq!(
        decide(&regions, &pages, &frames, read(u64::MAX)),
        FaultDecision::Forward(FaultReason::OutsideRegion)
    );
    assert_eq!(
        decide(&regions, &pages, &frames, read(0xa000)),
        FaultDecision::Forward(FaultReason::Unsupported)
    );
}

#[test]
fn copy_on_write_or_make_writable() {
    let mut regions = RegionMap::default();
    regions
        .insert(Region::anonymous(0x1000, 0x3000, Protection::READ_WRITE))
        .unwrap();
    let mut pages = PageMap::new();
    let mut frames = FrameTable::new();
    frames.insert(0x7000, 12, ClientId(1)).unwrap();
    frames.share(0x7000).unwrap();
    pages
        .insert(
            0x1000,
            Mapping {
                frame: 0x7000,
                size_bits: 12,
                writable: false,
                parked: false,
            },
        )
        .unwrap();
    assert_eq!(
        decide(&regions, &pages, &frames, write(0x1008)),
        FaultDecision::CopyOnWrite {
            address: 0x1000,
            frame: 0x7000,
            size_bits: 12,
            protection: Protection::READ_WRITE
        }
    );
    assert_eq!(
        decide(&regions, &pages, &frames, read(0x1008)),
        FaultDecision::AlreadyMapped
    );
    frames.release(0x7000).unwrap();
    assert_eq!(
        decide(&regions, &pages, &frames, write(0x1008)),
        FaultDecision::MakeWritable {
            address: 0x1000,
            frame: 0x7000,
            protection: Protection::READ_WRITE
        }
    );
}

#[test]
fn shared_device_and_stack() {
    let mut regions = RegionMap::new(64, 16 * P);
    let buffer = BufferId::new(2).unwrap();
    regions
        .insert(Region {
            start: 0x10_0000,
            end: 0x10_4000,
            protection: Protection::READ_WRITE,
            max_protection: Protection::READ_WRITE,
            kind: RegionKind::Shared { buffer, offset: 0 },
            large_pages: false,
        })
        .unwrap();
    regions
        .insert(Region {
            start: 0x20_0000,
            end: 0x20_2000,
            protection: Protection::READ_WRITE,
            max_protection: Protection::READ_WRITE,
            kind: RegionKind::Device {
                physical: 0xfee0_0000,
            },
            large_pages: false,
        })
        .unwrap();
    let stack = stack_region(0x7000_0000);
    regions.insert(stack).unwrap();
    let mut pages = PageMap::new();
    let mut frames = FrameTable::new();
    assert_eq!(
        decide(&regions, &pages, &frames, read(0x10_2abc)),
        FaultDecision::MapShared {
            address: 0x10_2000,
            buffer,
            offset: 0x2000,
            protection: Protection::READ_WRITE
        }
    );
    assert_eq!(
        decide(&regions, &pages, &frames, write(0x20_1000)),
        FaultDecision::MapDevice {
            address: 0x20_1000,
            physical: 0xfee0_1000,
            protection: Protection::READ_WRITE
        }
    );
    // A shared page mapped read-only (after PROTECT) is made writable, never copied.
    frames.insert(0x9000, 12, ClientId(1)).unwrap();
    frames.share(0x9000).unwrap();
    pages
        .insert(
            0x10_0000,
            Mapping {
                frame: 0x9000,
                size_bits: 12,
                writable: false,
                parked: false,
            },
        )
        .unwrap();
    assert!(matches!(
        decide(&regions, &pages, &frames, write(0x10_0000)),
        FaultDecision::MakeWritable { frame: 0x9000, .. }
    ));
    let below = stack.start - 2 * P + 5;
    assert_eq!(
        decide(&regions, &pages, &frames, write(below)),
        FaultDecision::GrowStack {
            growth: StackGrowth {
                region_start: stack.start,
                new_start: stack.start - 2 * P
            },
            address: stack.start - 2 * P,
            protection: Protection::READ_WRITE
        }
    );
    assert_eq!(
        decide(
            &regions,
            &pages,
            &frames,
            Fault {
                address: below,
                access: FaultAccess::Execute
            }
        ),
        FaultDecision::Forward(FaultReason::Permission)
    );
    assert_eq!(
        decide(&regions, &pages, &frames, read(stack.start - 17 * P)),
        FaultDecision::Forward(FaultReason::OutsideRegion),
        "below the guard gap"
    );
    assert_eq!(
        decide(&regions, &pages, &frames, read(stack.start)),
        FaultDecision::MapZero {
            address: stack.start,
            size_bits: 12,
            protection: Protection::READ_WRITE
        }
    );
}

#[test]
fn parked_pages_are_forwarded_then_unparked() {
    let mut regions = RegionMap::default();
    regions
        .insert(Region::anonymous(
            0x4000_0000,
            0x4000_4000,
            Protection::NONE,
        ))
        .unwrap();
    let mut pages = PageMap::new();
    let mut frames = FrameTable::new();
    frames.insert(0x7000, 12, ClientId(1)).unwrap();
    let parked = Mapping {
        frame: 0x7000,
        size_bits: 12,
        writable: true,
        parked: true,
    };
    pages.insert(0x4000_1000, parked).unwrap();
    // Still no access: forwarded, as for any inaccessible page.
    assert_eq!(
        decide(&regions, &pages, &frames, read(0x4000_1008)),
        FaultDecision::Forward(FaultReason::Permission)
    );
    // Access back: the same frame is mapped again (no new zeroed frame).
    regions
        .protect(0x4000_0000, 4 * P, Protection::READ_WRITE)
        .unwrap();
    for fault in [read(0x4000_1008), write(0x4000_1ff8)] {
        assert_eq!(
            decide(&regions, &pages, &frames, fault),
            FaultDecision::Unpark {
                address: 0x4000_1000,
                protection: Protection::READ_WRITE
            }
        );
    }
    // The page next to it was never touched: demand-zero as usual.
    assert!(matches!(
        decide(&regions, &pages, &frames, read(0x4000_2000)),
        FaultDecision::MapZero { .. }
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn decisions_agree_with_the_maps(
        layout in proptest::collection::vec((0..64u64, 1..8u64, 0..8u64, any::<bool>()), 0..8),
        mapped in proptest::collection::vec((0..64u64, any::<bool>(), any::<bool>(), any::<bool>()), 0..16),
        address in 0..80 * P,
        access in 0..3usize,
    ) {
        let base = 0x100_0000;
        let mut regions = RegionMap::new(64, 4 * P);
        for (start, length, protection, stack) in layout {
            let protection = Protection::from_bits(protection).unwrap();
            let start = base + start * P;
            let end = start + length * P;
            let region = if stack {
                Region { kind: RegionKind::Stack { top: end, limit: 16 * P }, large_pages: false, ..Region::anonymous(start, end, protection) }
            } else {
                Region::anonymous(start, end, protection)
            };
            let _ = regions.insert(region);
        }
        let mut pages = PageMap::new();
        let mut frames = FrameTable::new();
        for (index, (page, writable, shared, parked)) in mapped.into_iter().enumerate() {
            let frame = 0x1_0000_0000 + index as u64 * P;
            if pages.insert(base + page * P, Mapping { frame, size_bits: 12, writable, parked }).is_ok() {
                frames.insert(frame, 12, ClientId(1)).unwrap();
                if shared {
                    frames.share(frame).unwrap();
                }
            }
        }
        let fault = Fault { address: base - 8 * P + address, access: FaultAccess::ALL[access] };
        let region = regions.find(fault.address).copied();
        match decide(&regions, &pages, &frames, fault) {
            FaultDecision::MapZero { address, size_bits, protection } => {
                let region = region.unwrap();
                prop_assert!(allows(protection, fault.access));
                prop_assert!(pages.lookup(fault.address).is_none());
                prop_assert!(region.start <= address && address + (1 << size_bits) <= region.end);
                prop_assert!(!pages.any_mapped(address, address + (1 << size_bits)));
            }
            FaultDecision::GrowStack { growth, address, .. } => {
                prop_assert!(region.is_none());
                prop_assert!(address <= fault.address && fault.address < growth.region_start);
                prop_assert_eq!(growth.new_start, address);
            }
            FaultDecision::Unpark { address, protection } => {
                let (start, mapping) = pages.lookup(fault.address).unwrap();
                prop_assert!(mapping.parked);
                prop_assert_eq!(start, address);
                prop_assert!(allows(protection, fault.access));
            }
            FaultDecision::CopyOnWrite { frame, .. } => {
                prop_assert!(!pages.lookup(fault.address).unwrap().1.parked);
                prop_assert_eq!(fault.access, FaultAccess::Write);
                prop_assert!(frames.get(frame).unwrap().references > 1);
            }
            FaultDecision::MakeWritable { frame, .. } => {
                prop_assert_eq!(fault.access, FaultAccess::Write);
                prop_assert_eq!(frames.get(frame).unwrap().references, 1);
            }
            FaultDecision::AlreadyMapped => {
                let (_, mapping) = pages.lookup(fault.address).unwrap();
                prop_assert!(!mapping.parked);
                prop_assert!(fault.access != FaultAccess::Write || mapping.writable);
            }
            FaultDecision::Forward(FaultReason::OutsideRegion) => {
                prop_assert!(region.is_none());
                prop_assert!(regions.stack_growth(fault.address).is_none());
            }
            FaultDecision::Forward(FaultReason::Permission) => {
                let protection = region.map(|region| region.protection);
                prop_assert!(protection.is_none_or(|protection| !allows(protection, fault.access)));
            }
            other => prop_assert!(false, "unexpected decision {:?}", other),
        }
    }
}

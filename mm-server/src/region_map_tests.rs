//! Tests of the region map: examples, and random sequences checked against a
//! page-granular model.

use super::*;
use alloc::vec;
use mm_server_api::BufferId;
use proptest::prelude::*;

const P: u64 = PAGE_SIZE;

fn rw(start: u64, end: u64) -> Region {
    Region::anonymous(start * P, end * P, Protection::READ_WRITE)
}

#[test]
fn insert_rejects_overlap_and_merges_neighbours() {
    let mut map = RegionMap::default();
    map.insert(rw(16, 20)).unwrap();
    assert_eq!(map.insert(rw(19, 22)), Err(RegionError::Overlap));
    assert_eq!(map.insert(rw(10, 17)), Err(RegionError::Overlap));
    map.insert(rw(20, 24)).unwrap();
    assert_eq!(map.len(), 1, "continuing regions merge");
    map.insert(Region::anonymous(24 * P, 26 * P, Protection::READ))
        .unwrap();
    assert_eq!(map.len(), 2);
    assert_eq!(
        map.insert(Region::anonymous(P, P, Protection::READ)),
        Err(RegionError::Invalid)
    );
    assert_eq!(
        map.insert(Region::anonymous(
            USER_ADDRESS_LIMIT,
            USER_ADDRESS_LIMIT + P,
            Protection::READ
        )),
        Err(RegionError::Invalid)
    );
    assert_eq!(map.find(16 * P).map(|region| region.end), Some(24 * P));
    assert_eq!(map.find(26 * P), None);
    map.check_invariants().unwrap();
}

#[test]
fn unmap_and_protect_split_regions() {
    let mut map = RegionMap::default();
    map.insert(rw(10, 20)).unwrap();
    let removed = map.unmap(12 * P, 2 * P).unwrap();
    assert_eq!(removed, [rw(12, 14)]);
    assert_eq!(map.len(), 2);
    let before = map.protect(10 * P, 2 * P, Protection::READ).unwrap();
    assert_eq!(before, [rw(10, 12)]);
    assert_eq!(
        map.protect(10 * P, 6 * P, Protection::READ),
        Err(RegionError::NotMapped),
        "hole at 12..14"
    );
    let removed = map.unmap(0, 100 * P).unwrap();
    assert_eq!(removed.len(), 2);
    assert!(map.is_empty());
    assert_eq!(map.unmap(0, 100 * P), Ok(Vec::new()));
    assert_eq!(map.unmap(P, 0), Err(RegionError::Invalid));
    assert_eq!(map.unmap(u64::MAX - P + 1, P), Err(RegionError::Invalid));
}

#[test]
fn protect_respects_the_maximum_and_merges_back() {
    let mut map = RegionMap::default();
    let buffer = BufferId::new(3).unwrap();
    map.insert(Region {
        start: 0x10_0000,
        end: 0x10_4000,
        protection: Protection::READ,
        max_protection: Protection::READ,
        kind: RegionKind::Shared { buffer, offset: 0 },
        large_pages: false,
    })
    .unwrap();
    assert_eq!(
        map.protect(0x10_0000, P, Protection::READ_WRITE),
        Err(RegionError::Permission)
    );
    map.protect(0x10_1000, P, Protection::NONE).unwrap();
    assert_eq!(map.len(), 3);
    assert_eq!(
        map.find(0x10_2000).map(|region| region.kind),
        Some(RegionKind::Shared {
            buffer,
            offset: 0x2000
        })
    );
    map.protect(0x10_1000, P, Protection::READ).unwrap();
    assert_eq!(map.len(), 1);
}

#[test]
fn region_count_is_bounded() {
    let mut map = RegionMap::new(2, DEFAULT_STACK_GUARD_GAP);
    map.insert(rw(10, 20)).unwrap();
    map.insert(Region::anonymous(30 * P, 40 * P, Protection::READ))
        .unwrap();
    assert_eq!(map.insert(rw(50, 60)), Err(RegionError::TooManyRegions));
    assert_eq!(
        map.unmap(12 * P, P),
        Err(RegionError::TooManyRegions),
        "a hole would make a third region"
    );
    assert_eq!(
        map.protect(12 * P, P, Protection::READ),
        Err(RegionError::TooManyRegions)
    );
    assert_eq!(map.unmap(10 * P, P).map(|removed| removed.len()), Ok(1));
    map.check_invariants().unwrap();
}

#[test]
fn brk_grows_and_shrinks_the_heap() {
    let mut map = RegionMap::default();
    assert_eq!(map.brk(0x1000), Err(RegionError::NotMapped));
    assert_eq!(map.set_heap_base(0x1234), Err(RegionError::Invalid));
    map.set_heap_base(0x40_0000).unwrap();
    assert_eq!(map.brk(0x3f_ffff), Err(RegionError::Invalid));
    let change = map.brk(0x40_0001).unwrap();
    assert_eq!(change.current_break, 0x40_0001);
    assert_eq!(map.find(0x40_0000).map(Region::length), Some(P));
    map.brk(0x40_3000).unwrap();
    assert_eq!(map.len(), 1);
    assert_eq!(map.find(0x40_0000).map(Region::length), Some(3 * P));
    assert_eq!(
        map.set_heap_base(0x80_0000),
        Err(RegionError::Invalid),
        "heap not empty"
    );
    // Something mapped above the heap stops it.
    map.insert(Region::anonymous(0x40_5000, 0x40_6000, Protection::READ))
        .unwrap();
    assert_eq!(map.brk(0x40_5001), Err(RegionError::Overlap));
    assert_eq!(map.heap().map(|heap| heap.current_break), Some(0x40_3000));
    let change = map.brk(0x40_1000).unwrap();
    assert_eq!(
        change.released,
        [Region::anonymous(
            0x40_1000,
            0x40_3000,
            Protection::READ_WRITE
        )]
    );
    map.brk(0x40_0000).unwrap();
    assert!(map.find(0x40_0000).is_none());
    map.check_invariants().unwrap();
}

#[test]
fn stacks_grow_within_their_guard_gap_and_limit() {
    let gap = 16 * P;
    let mut map = RegionMap::new(DEFAULT_MAX_REGIONS, gap);
    let stack = Region {
        start: 0x7000_0000 - 4 * P,
        end: 0x7000_0000,
        protection: Protection::READ_WRITE,
        max_protection: Protection::ALL,
        kind: RegionKind::Stack {
            top: 0x7000_0000,
            limit: 64 * P,
        },
        large_pages: false,
    };
    map.insert(stack).unwrap();
    let fault = stack.start - 3 * P + 8;
    let growth = map.stack_growth(fault).unwrap();
    assert_eq!(growth.new_start, stack.start - 3 * P);
    assert_eq!(
        map.stack_growth(stack.start - gap - 1),
        None,
        "below the gap"
    );
    assert_eq!(map.stack_growth(stack.start + 8), None, "inside the stack");
    map.grow_stack(growth).unwrap();
    assert_eq!(
        map.find(fault).map(|region| region.start),
        Some(growth.new_start)
    );
    assert_eq!(map.len(), 1);
    // The limit: 64 pages below the top.
    let mut start = growth.new_start;
    while let Some(growth) = map.stack_growth(start - P) {
        map.grow_stack(growth).unwrap();
        start = growth.new_start;
    }
    assert_eq!(start, 0x7000_0000 - 64 * P);
    // A region below keeps a guard gap free.
    let mut map = RegionMap::new(DEFAULT_MAX_REGIONS, gap);
    map.insert(stack).unwrap();
    map.insert(Region::anonymous(
        stack.start - 20 * P,
        stack.start - 10 * P,
        Protection::READ,
    ))
    .unwrap();
    assert_eq!(map.stack_growth(stack.start - P), None);
    // Anonymous regions never grow.
    let mut map = RegionMap::new(DEFAULT_MAX_REGIONS, gap);
    map.insert(rw(100, 104)).unwrap();
    assert_eq!(map.stack_growth(99 * P), None);
}

#[test]
fn chosen_addresses_avoid_regions_and_stack_room() {
    let mut map = RegionMap::new(DEFAULT_MAX_REGIONS, 16 * P);
    let start = map.insert_anywhere(rw(0, 4), P).unwrap();
    assert_eq!(start, LOWEST_CHOSEN_ADDRESS);
    let large = map
        .insert_anywhere(Region::anonymous(0, 4 << 20, Protection::READ), 2 << 20)
        .unwrap();
    assert_eq!(large % (2 << 20), 0);
    let stack = Region {
        start: 0,
        end: 4 * P,
        protection: Protection::READ_WRITE,
        max_protection: Protection::ALL,
        kind: RegionKind::Stack {
            top: 0,
            limit: 32 * P,
        },
        large_pages: false,
    };
    let stack_start = map.insert_anywhere(stack, P).unwrap();
    let placed = *map.find(stack_start).unwrap();
    assert_eq!(
        placed.kind,
        RegionKind::Stack {
            top: stack_start + 4 * P,
            limit: 32 * P
        }
    );
    // The next region goes above the stack, not into its growth room.
    let next = map.insert_anywhere(rw(0, 1), P).unwrap();
    assert!(next >= placed.end);
    assert_eq!(map.find_free(0, P, 0, 0), None);
    assert_eq!(map.find_free(P, 3, 0, 0), None);
    assert_eq!(map.find_free(USER_ADDRESS_LIMIT, P, 0, 0), None);
    assert_eq!(
        map.insert_anywhere(
            Region::anonymous(0, USER_ADDRESS_LIMIT, Protection::READ),
            P
        ),
        Err(RegionError::NoSpace)
    );
    map.check_invariants().unwrap();
}

// ---- model-based property test ----

const WINDOW: u64 = 48; // pages
const BASE: u64 = 0x100; // first page of the window

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Page {
    protection: Protection,
    max_protection: Protection,
    kind: RegionKind,
}

fn model_view(map: &RegionMap) -> Vec<Option<Page>> {
    (0..WINDOW)
        .map(|page| {
            let address = (BASE + page) * P;
            map.find(address).map(|region| Page {
                protection: region.protection,
                max_protection: region.max_protection,
                kind: region.kind_at(address),
            })
        })
        .collect()
}

#[derive(Clone, Debug)]
enum Step {
    Insert(u64, u64, u64, u8),
    Unmap(u64, u64),
    Protect(u64, u64, u64),
}

fn step() -> impl Strategy<Value = Step> {
    let range = (0..WINDOW, 1..=16u64);
    prop_oneof![
        (range.clone(), 0..8u64, 0..4u8).prop_map(|((start, length), protection, kind)| {
            Step::Insert(start, length, protection, kind)
        }),
        range
            .clone()
            .prop_map(|(start, length)| Step::Unmap(start, length)),
        (range, 0..8u64)
            .prop_map(|((start, length), protection)| Step::Protect(start, length, protection)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn random_sequences_match_a_page_model(steps in proptest::collection::vec(step(), 1..60)) {
        let mut map = RegionMap::default();
        let mut model: Vec<Option<Page>> = vec![None; WINDOW as usize];
        let buffer = BufferId::new(9).unwrap();
        for step in steps {
            match step {
                Step::Insert(start, length, protection, kind) => {
                    let end = (start + length).min(WINDOW);
                    let protection = Protection::from_bits(protection).unwrap();
                    let (kind, max_protection) = match kind {
                        0 => (RegionKind::Anonymous, Protection::ALL),
                        1 => (RegionKind::Shared { buffer, offset: start * P }, protection),
                        2 => (RegionKind::Device { physical: 0xfee0_0000 }, Protection::READ_WRITE.union(protection)),
                        _ => (RegionKind::FileBacked { file: 1, offset: 0 }, Protection::ALL),
                    };
                    let region = Region { start: (BASE + start) * P, end: (BASE + end) * P, protection, max_protection, kind, large_pages: kind == RegionKind::Anonymous };
                    let free = model[start as usize..end as usize].iter().all(Option::is_none);
                    let result = map.insert(region);
                    prop_assert_eq!(result.is_ok(), free);
                    if !free {
                        prop_assert_eq!(result, Err(RegionError::Overlap));
                    } else {
                        for page in start..end {
                            model[page as usize] = Some(Page { protection, max_protection, kind: region.kind_at((BASE + page) * P) });
                        }
                    }
                }
                Step::Unmap(start, length) => {
                    let end = (start + length).min(WINDOW);
                    let removed = map.unmap((BASE + start) * P, (end - start) * P).unwrap();
                    // The removed pieces are exactly the mapped pages of the range.
                    let mut removed_pages = 0;
                    for piece in &removed {
                        for address in (piece.start..piece.end).step_by(P as usize) {
                            let page = (address / P - BASE) as usize;
                            prop_assert!(page >= start as usize && page < end as usize);
                            prop_assert_eq!(model[page], Some(Page { protection: piece.protection, max_protection: piece.max_protection, kind: piece.kind_at(address) }));
                            removed_pages += 1;
                        }
                    }
                    let mapped = model[start as usize..end as usize].iter().filter(|page| page.is_some()).count();
                    prop_assert_eq!(removed_pages, mapped);
                    for page in start..end {
                        model[page as usize] = None;
                    }
                }
                Step::Protect(start, length, protection) => {
                    let end = (start + length).min(WINDOW);
                    let protection = Protection::from_bits(protection).unwrap();
                    let pages = &model[start as usize..end as usize];
                    let expected = if pages.iter().any(Option::is_none) {
                        Err(RegionError::NotMapped)
                    } else if pages.iter().flatten().any(|page| !protection.is_subset_of(page.max_protection)) {
                        Err(RegionError::Permission)
                    } else {
                        Ok(())
                    };
                    let result = map.protect((BASE + start) * P, (end - start) * P, protection);
                    prop_assert_eq!(result.as_ref().map(|_| ()).map_err(|error| *error), expected);
                    if result.is_ok() {
                        for page in start..end {
                            if let Some(page) = &mut model[page as usize] {
                                page.protection = protection;
                            }
                        }
                    }
                }
            }
            prop_assert_eq!(model_view(&map), model.clone());
            map.check_invariants().map_err(TestCaseError::fail)?;
            // Regions are maximal: no region continues into the next.
            let regions: Vec<Region> = map.iter().copied().collect();
            for pair in regions.windows(2) {
                prop_assert!(!pair[0].continues_into(&pair[1]));
            }
        }
    }

    #[test]
    fn brk_sequences_keep_the_heap_exact(breaks in proptest::collection::vec(0..64 * P, 1..40)) {
        let base = 0x40_0000;
        let mut map = RegionMap::default();
        map.set_heap_base(base).unwrap();
        for offset in breaks {
            let change = map.brk(base + offset).unwrap();
            prop_assert_eq!(change.current_break, base + offset);
            let heap_end = (base + offset).div_ceil(P) * P;
            prop_assert_eq!(map.find(base).map(|region| region.end), (heap_end > base).then_some(heap_end));
            prop_assert!(map.len() <= 1);
            prop_assert!(map.find(heap_end).is_none());
        }
    }
}

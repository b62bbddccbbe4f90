//! Tests of COPY_RANGE's bookkeeping: what is shared, what becomes read-only, the
//! refusals, 2 MiB mappings; and random write / copy / unmap / destroy sequences
//! checked against a model of every page's contents (each side sees the source's
//! contents at copy time, later writes stay on their side, nothing leaks).

use super::*;
use crate::address_space::FreedFrame;
use crate::frame_table::{Release, WriteAction};
use crate::region::Region;
use alloc::collections::BTreeMap;
use mm_server_api::{BufferId, ClientId, Protection};
use proptest::prelude::*;

const BASE: u64 = 0x100_0000;
const LARGE: u64 = 1 << LARGE_FRAME_BITS;

fn small(frame: u64, writable: bool, parked: bool) -> Mapping {
    Mapping {
        frame,
        size_bits: SMALL_FRAME_BITS,
        writable,
        parked,
    }
}

fn space_with(regions: &[Region]) -> AddressSpace {
    let mut space = AddressSpace::new();
    for &region in regions {
        space.regions.insert(region).unwrap();
    }
    space
}

fn anonymous(start: u64, pages: u64) -> Region {
    Region::anonymous(start, start + pages * PAGE_SIZE, Protection::READ_WRITE)
}

fn references(frames: &FrameTable, frame: u64) -> Option<u64> {
    frames.get(frame).map(|entry| entry.references)
}

/// Places `target` in `space`'s region map and adopts what `source` shares, as
/// the server does for two different spaces.
fn copy_between(
    source: &mut AddressSpace,
    target_space: &mut AddressSpace,
    frames: &mut FrameTable,
    source_start: u64,
    target: Region,
) -> Result<SharedRange, CopyRangeError> {
    check_source(
        &source.regions,
        source_start,
        source_start + target.length(),
    )?;
    target_space
        .regions
        .insert(target)
        .map_err(|_| CopyRangeError::Overlap)?;
    let shared = source.share_range(frames, source_start, &target)?;
    target_space.adopt_range(&shared)?;
    Ok(shared)
}

#[test]
fn frames_are_shared_read_only_and_outlive_either_side() {
    let mut frames = FrameTable::new();
    let mut source = space_with(&[anonymous(BASE, 8)]);
    for (page, writable, parked) in [(0, true, false), (1, false, false), (3, true, true)] {
        let frame = 0x1000_0000 + page * PAGE_SIZE;
        frames.insert(frame, 12, ClientId(1)).unwrap();
        source
            .pages
            .insert(BASE + page * PAGE_SIZE, small(frame, writable, parked))
            .unwrap();
    }
    let mut target_space = AddressSpace::new();
    let target_start = 0x4000_0000;
    let target = anonymous(target_start, 4);
    // Pages 0..4 of the source (page 2 has no frame).
    let shared = copy_between(&mut source, &mut target_space, &mut frames, BASE, target).unwrap();
    assert_eq!(shared.write_protected, [BASE]);
    assert_eq!(
        shared.mappings,
        [
            (target_start, small(0x1000_0000, false, false)),
            (target_start + PAGE_SIZE, small(0x1000_1000, false, false)),
            (
                target_start + 3 * PAGE_SIZE,
                small(0x1000_3000, false, false)
            ),
        ]
    );
    assert!(source.pages.iter().all(|(_, mapping)| !mapping.writable));
    assert!(
        target_space
            .pages
            .lookup(target_start + 2 * PAGE_SIZE)
            .is_none()
    );
    for page in [0, 1, 3] {
        assert_eq!(references(&frames, 0x1000_0000 + page * PAGE_SIZE), Some(2));
    }
    // A write fault on either side copies.
    assert_eq!(frames.write_action(0x1000_0000), Ok(WriteAction::Copy));
    // The source goes: the target keeps every frame, now its own.
    assert!(source.destroy(&mut frames).is_empty());
    for page in [0, 1, 3] {
        assert_eq!(references(&frames, 0x1000_0000 + page * PAGE_SIZE), Some(1));
    }
    assert_eq!(
        frames.write_action(0x1000_0000),
        Ok(WriteAction::MakeWritable)
    );
    let freed: Vec<u64> = target_space
        .destroy(&mut frames)
        .into_iter()
        .map(|FreedFrame { frame, .. }| frame)
        .collect();
    assert_eq!(freed, [0x1000_0000, 0x1000_1000, 0x1000_3000]);
    assert!(frames.is_empty());
}

#[test]
fn a_target_without_access_gets_parked_mappings_and_the_same_space_works() {
    let mut frames = FrameTable::new();
    let mut space = space_with(&[anonymous(BASE, 4)]);
    frames.insert(0x9000, 12, ClientId(1)).unwrap();
    space
        .pages
        .insert(BASE, small(0x9000, true, false))
        .unwrap();
    let target = Region::anonymous(
        BASE + 0x10_0000,
        BASE + 0x10_0000 + 4 * PAGE_SIZE,
        Protection::NONE,
    );
    check_source(&space.regions, BASE, BASE + 4 * PAGE_SIZE).unwrap();
    space.regions.insert(target).unwrap();
    let shared = space.share_range(&mut frames, BASE, &target).unwrap();
    space.adopt_range(&shared).unwrap();
    assert_eq!(shared.write_protected, [BASE]);
    assert_eq!(
        space.pages.lookup(BASE + 0x10_0000),
        Some((BASE + 0x10_0000, small(0x9000, false, true)))
    );
    assert_eq!(references(&frames, 0x9000), Some(2));
    // Adopting twice is refused and records nothing more.
    assert_eq!(space.adopt_range(&shared), Err(CopyRangeError::Overlap));
    assert_eq!(space.pages.len(), 2);
    assert!(
        space
            .release_range(&mut frames, BASE, BASE + PAGE_SIZE)
            .is_empty()
    );
    assert_eq!(space.destroy(&mut frames).len(), 1);
    assert!(frames.is_empty());
}

#[test]
fn the_source_must_be_anonymous_memory_without_holes() {
    let buffer = BufferId::new(1).unwrap();
    let shared_region = Region {
        kind: RegionKind::Shared { buffer, offset: 0 },
        ..anonymous(BASE + 8 * PAGE_SIZE, 2)
    };
    let stack = Region {
        kind: RegionKind::Stack {
            top: BASE + 0x10_0000,
            limit: 0x10_0000,
        },
        large_pages: false,
        ..anonymous(BASE + 0x10_0000 - 4 * PAGE_SIZE, 4)
    };
    let regions = space_with(&[
        anonymous(BASE, 4),
        anonymous(BASE + 5 * PAGE_SIZE, 3),
        shared_region,
        stack,
    ])
    .regions;
    assert_eq!(check_source(&regions, BASE, BASE + 4 * PAGE_SIZE), Ok(()));
    assert_eq!(
        check_source(&regions, BASE, BASE + 5 * PAGE_SIZE),
        Err(CopyRangeError::NotMapped)
    );
    assert_eq!(
        check_source(&regions, BASE + 5 * PAGE_SIZE, BASE + 9 * PAGE_SIZE),
        Err(CopyRangeError::Unsupported)
    );
    assert_eq!(
        check_source(&regions, BASE + 9 * PAGE_SIZE, BASE + 11 * PAGE_SIZE),
        Err(CopyRangeError::Unsupported)
    );
    assert_eq!(
        check_source(&regions, BASE + 10 * PAGE_SIZE, BASE + 11 * PAGE_SIZE),
        Err(CopyRangeError::NotMapped)
    );
    assert_eq!(
        check_source(&regions, BASE + 0x10_0000 - 2 * PAGE_SIZE, BASE + 0x10_0000),
        Ok(())
    );
    assert_eq!(
        check_source(&regions, BASE, BASE),
        Err(CopyRangeError::Invalid)
    );
    assert_eq!(
        check_source(&regions, BASE + 1, BASE + PAGE_SIZE),
        Err(CopyRangeError::Invalid)
    );
    // share_range refuses the same way and changes nothing.
    let mut space = space_with(&[anonymous(BASE, 4)]);
    let mut frames = FrameTable::new();
    frames.insert(0x9000, 12, ClientId(1)).unwrap();
    space
        .pages
        .insert(BASE, small(0x9000, true, false))
        .unwrap();
    let target = anonymous(0x4000_0000, 5);
    assert_eq!(
        space.share_range(&mut frames, BASE, &target),
        Err(CopyRangeError::NotMapped)
    );
    assert_eq!(references(&frames, 0x9000), Some(1));
    assert_eq!(
        space.pages.lookup(BASE),
        Some((BASE, small(0x9000, true, false)))
    );
}

#[test]
fn large_mappings_are_shared_whole_only_at_the_same_offset() {
    let mut frames = FrameTable::new();
    let mut source = space_with(&[anonymous(LARGE, 1024)]);
    let large = Mapping {
        frame: 0x4000_0000,
        size_bits: LARGE_FRAME_BITS,
        writable: true,
        parked: false,
    };
    frames
        .insert(large.frame, LARGE_FRAME_BITS, ClientId(1))
        .unwrap();
    source.pages.insert(LARGE, large).unwrap();
    let whole = anonymous(0x8000_0000, 512);
    assert!(large_mappings_to_demote(&source.pages, LARGE, &whole).is_empty());
    // Shifted by a page, or cut by the range, or into NO_LARGE_PAGES memory: demote.
    let shifted = anonymous(0x8000_1000, 512);
    assert_eq!(
        large_mappings_to_demote(&source.pages, LARGE, &shifted),
        [(LARGE, large)]
    );
    let cut = anonymous(0x8000_0000, 4);
    assert_eq!(
        large_mappings_to_demote(&source.pages, LARGE + LARGE / 2, &cut),
        [(LARGE, large)]
    );
    let no_large = Region {
        large_pages: false,
        ..whole
    };
    assert_eq!(
        large_mappings_to_demote(&source.pages, LARGE, &no_large),
        [(LARGE, large)]
    );
    assert_eq!(
        source.share_range(&mut frames, LARGE, &shifted),
        Err(CopyRangeError::LargeMapping)
    );
    assert_eq!(references(&frames, large.frame), Some(1));
    let mut target_space = AddressSpace::new();
    let shared = copy_between(&mut source, &mut target_space, &mut frames, LARGE, whole).unwrap();
    assert_eq!(
        shared.mappings,
        [(
            0x8000_0000,
            Mapping {
                writable: false,
                ..large
            }
        )]
    );
    assert_eq!(references(&frames, large.frame), Some(2));
    assert!(target_space.destroy(&mut frames).is_empty());
    assert_eq!(
        source.destroy(&mut frames),
        [FreedFrame {
            frame: large.frame,
            release: Release::Last {
                size_bits: LARGE_FRAME_BITS,
                account: ClientId(1)
            }
        }]
    );
}

// The random sequences: two spaces, 4 KiB frames, every region read-write.

const PAGES: u64 = 32;

#[derive(Clone, Debug)]
enum Step {
    /// Write `value` into a page (a write fault, resolved as the pager does).
    Write(usize, u64, u64),
    /// COPY_RANGE: source space, first page, pages, target space, target page.
    Copy(usize, u64, u64, usize, u64),
    /// UNMAP pages.
    Unmap(usize, u64, u64),
    /// MAP_ANONYMOUS pages at an exact place (skipped if taken).
    Map(usize, u64, u64),
    /// DESTROY and make the space again, empty.
    Destroy(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (0..2usize, 0..PAGES, 1..u64::MAX).prop_map(|(s, p, v)| Step::Write(s, p, v)),
        4 => (0..2usize, 0..PAGES / 2, 1..12u64, 0..2usize, 0..PAGES)
            .prop_map(|(s, p, n, t, q)| Step::Copy(s, p, n, t, q)),
        1 => (0..2usize, 0..PAGES, 1..8u64).prop_map(|(s, p, n)| Step::Unmap(s, p, n)),
        2 => (0..2usize, 0..PAGES, 1..8u64).prop_map(|(s, p, n)| Step::Map(s, p, n)),
        1 => (0..2usize).prop_map(Step::Destroy),
    ]
}

fn address(page: u64) -> u64 {
    BASE + page * PAGE_SIZE
}

/// The two spaces, `source` first, and whether they are the same.
fn pair(spaces: &mut [AddressSpace; 2], source: usize) -> (&mut AddressSpace, &mut AddressSpace) {
    let [first, second] = spaces;
    if source == 0 {
        (first, second)
    } else {
        (second, first)
    }
}

/// What a read of `page` of `space` gives: its frame's contents, or zero.
fn read(space: &AddressSpace, contents: &BTreeMap<u64, u64>, page: u64) -> u64 {
    space
        .pages
        .lookup(address(page))
        .map_or(0, |(_, mapping)| contents[&mapping.frame])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn copies_read_like_the_source_and_diverge(steps in proptest::collection::vec(step(), 1..100)) {
        let mut frames = FrameTable::new();
        let mut spaces = [
            space_with(&[anonymous(BASE, 16)]),
            space_with(&[anonymous(BASE, 12)]),
        ];
        // Frame contents (one word stands for the page), and the model: what
        // each page of each space must read.
        let mut contents: BTreeMap<u64, u64> = BTreeMap::new();
        let mut model: BTreeMap<(usize, u64), u64> = BTreeMap::new();
        let mut next_frame = 0x1_0000_0000u64;
        let mut new_frame = |frames: &mut FrameTable| {
            next_frame += PAGE_SIZE;
            frames.insert(next_frame, 12, ClientId(1)).unwrap();
            next_frame
        };
        for step in steps {
            match step {
                Step::Write(index, page, value) => {
                    let space = &mut spaces[index];
                    let at = address(page);
                    if space.regions.find(at).is_none() {
                        continue;
                    }
                    let frame = match space.pages.lookup(at) {
                        None => {
                            let frame = new_frame(&mut frames);
                            space.pages.insert(at, small(frame, true, false)).unwrap();
                            frame
                        }
                        Some((_, mapping)) if mapping.writable => mapping.frame,
                        Some((_, mapping)) => match frames.write_action(mapping.frame).unwrap() {
                            WriteAction::MakeWritable => {
                                space.pages.set_writable(at, true).unwrap();
                                mapping.frame
                            }
                            WriteAction::Copy => {
                                let copy = new_frame(&mut frames);
                                contents.insert(copy, contents[&mapping.frame]);
                                space.pages.remove(at).unwrap();
                                prop_assert!(matches!(frames.release(mapping.frame), Ok(Release::StillShared(_))));
                                space.pages.insert(at, small(copy, true, false)).unwrap();
                                copy
                            }
                        },
                    };
                    contents.insert(frame, value);
                    model.insert((index, page), value);
                }
                Step::Copy(source_index, page, pages, target_index, target_page) => {
                    let pages = pages.min(PAGES - page).min(PAGES - target_page);
                    let source_start = address(page);
                    let target = anonymous(address(target_page), pages);
                    let before_frames: Vec<(u64, u64)> = frames.iter().map(|(f, e)| (f, e.references)).collect();
                    let result = if source_index == target_index {
                        let space = &mut spaces[source_index];
                        check_source(&space.regions, source_start, source_start + target.length())
                            .and_then(|()| space.regions.insert(target).map_err(|_| CopyRangeError::Overlap))
                            .and_then(|()| {
                                let shared = space.share_range(&mut frames, source_start, &target)?;
                                space.adopt_range(&shared).map(|()| shared)
                            })
                    } else {
                        let (source, target_space) = pair(&mut spaces, source_index);
                        copy_between(source, target_space, &mut frames, source_start, target)
                    };
                    match result {
                        Ok(shared) => {
                            // The target reads what the source held, page by page.
                            for offset in 0..pages {
                                let value = model.get(&(source_index, page + offset)).copied().unwrap_or(0);
                                if value == 0 {
                                    model.remove(&(target_index, target_page + offset));
                                } else {
                                    model.insert((target_index, target_page + offset), value);
                                }
                            }
                            prop_assert!(shared.mappings.iter().all(|(_, m)| !m.writable));
                        }
                        Err(_) => {
                            // Refused: no frame gained a reference.
                            let after: Vec<(u64, u64)> = frames.iter().map(|(f, e)| (f, e.references)).collect();
                            prop_assert_eq!(before_frames, after);
                        }
                    }
                }
                Step::Unmap(index, page, pages) => {
                    let space = &mut spaces[index];
                    let start = address(page);
                    let end = start + pages * PAGE_SIZE;
                    space.regions.unmap(start, pages * PAGE_SIZE).unwrap();
                    space.release_range(&mut frames, start, end);
                    for unmapped in page..page + pages {
                        model.remove(&(index, unmapped));
                    }
                }
                Step::Map(index, page, pages) => {
                    let pages = pages.min(PAGES - page);
                    let _ = spaces[index].regions.insert(anonymous(address(page), pages));
                }
                Step::Destroy(index) => {
                    let space = core::mem::take(&mut spaces[index]);
                    space.destroy(&mut frames);
                    model.retain(|&(space, _), _| space != index);
                }
            }
            // Every page reads as the model says; counts match the mappings.
            for (index, space) in spaces.iter().enumerate() {
                for page in 0..PAGES {
                    let expected = model.get(&(index, page)).copied().unwrap_or(0);
                    prop_assert_eq!(read(space, &contents, page), expected, "space {} page {}", index, page);
                }
                for (at, _) in space.pages.iter() {
                    prop_assert!(space.regions.find(at).is_some());
                }
            }
            let mut counts: BTreeMap<u64, u64> = BTreeMap::new();
            for space in &spaces {
                for (_, mapping) in space.pages.iter() {
                    *counts.entry(mapping.frame).or_default() += 1;
                    if mapping.writable {
                        prop_assert_eq!(frames.get(mapping.frame).map(|e| e.references), Some(1));
                    }
                }
            }
            prop_assert_eq!(counts.len(), frames.len());
            for (frame, entry) in frames.iter() {
                prop_assert_eq!(counts.get(&frame).copied(), Some(entry.references));
            }
        }
        let [first, second] = spaces;
        first.destroy(&mut frames);
        second.destroy(&mut frames);
        prop_assert!(frames.is_empty());
    }
}

//! Tests of copy-on-write cloning and reclaim: random clone / touch / write /
//! unmap / destroy sequences over several address spaces never leak a frame and
//! keep every reference count equal to the number of mappings of its frame.

use super::*;
use crate::frame_table::WriteAction;
use crate::region::Region;
use alloc::collections::BTreeMap;
use alloc::vec;
use mm_server_api::{ClientId, PAGE_SIZE, Protection};
use proptest::prelude::*;

const BASE: u64 = 0x100_0000;
const PAGES: u64 = 32;

fn space() -> AddressSpace {
    let mut space = AddressSpace::new();
    space
        .regions
        .insert(Region::anonymous(
            BASE,
            BASE + PAGES * PAGE_SIZE,
            Protection::READ_WRITE,
        ))
        .unwrap();
    space
}

#[test]
fn clone_shares_and_write_faults_copy_then_make_writable() {
    let mut frames = FrameTable::new();
    let mut parent = space();
    frames.insert(0x9000, 12, ClientId(1)).unwrap();
    parent
        .pages
        .insert(
            BASE,
            Mapping {
                frame: 0x9000,
                size_bits: 12,
                writable: true,
                parked: false,
            },
        )
        .unwrap();
    let clone = parent.clone_for_fork(&mut frames).unwrap();
    assert_eq!(clone.write_protected, [BASE]);
    assert_eq!(frames.get(0x9000).map(|entry| entry.references), Some(2));
    assert_eq!(
        clone.child.pages.lookup(BASE).map(|(_, m)| m.writable),
        Some(false)
    );
    assert_eq!(frames.write_action(0x9000), Ok(WriteAction::Copy));
    // The child goes: the parent's next write fault just makes the page writable.
    assert!(clone.child.destroy(&mut frames).is_empty());
    assert_eq!(frames.write_action(0x9000), Ok(WriteAction::MakeWritable));
    let freed = parent.destroy(&mut frames);
    assert_eq!(freed.len(), 1);
    assert!(frames.is_empty());
}

#[test]
fn protect_none_then_read_keeps_the_frames() {
    let mut frames = FrameTable::new();
    let mut space = space();
    for page in 0..4 {
        let frame = 0x10_0000 + page * PAGE_SIZE;
        frames.insert(frame, 12, ClientId(1)).unwrap();
        let mapping = Mapping {
            frame,
            size_bits: 12,
            writable: true,
            parked: false,
        };
        space
            .pages
            .insert(BASE + page * PAGE_SIZE, mapping)
            .unwrap();
    }
    let end = BASE + 4 * PAGE_SIZE;
    space
        .regions
        .protect(BASE, 4 * PAGE_SIZE, Protection::NONE)
        .unwrap();
    assert_eq!(space.park_range(BASE, end).len(), 4);
    assert!(space.park_range(BASE, end).is_empty());
    assert_eq!(frames.len(), 4);
    // A clone while parked shares the frames but remaps nothing in the parent.
    let clone = space.clone_for_fork(&mut frames).unwrap();
    assert!(clone.write_protected.is_empty());
    assert!(
        clone
            .child
            .pages
            .iter()
            .all(|(_, m)| m.parked && !m.writable)
    );
    assert!(clone.child.destroy(&mut frames).is_empty());
    space
        .regions
        .protect(BASE, 4 * PAGE_SIZE, Protection::READ)
        .unwrap();
    let unparked = space.unpark_range(BASE, end, Protection::READ);
    assert_eq!(unparked.len(), 4);
    for (index, (address, mapping)) in unparked.into_iter().enumerate() {
        assert_eq!(address, BASE + index as u64 * PAGE_SIZE);
        assert_eq!(mapping.frame, 0x10_0000 + index as u64 * PAGE_SIZE);
        assert!(!mapping.parked && !mapping.writable);
    }
    assert_eq!(space.destroy(&mut frames).len(), 4);
    assert!(frames.is_empty());
}

#[derive(Clone, Debug)]
enum Step {
    Touch(usize, u64),
    Write(usize, u64),
    Clone(usize),
    Unmap(usize, u64, u64),
    Destroy(usize),
    /// PROTECT to no access (false) or back to READ|WRITE (true).
    Protect(usize, u64, u64, bool),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (any::<usize>(), 0..PAGES).prop_map(|(s, p)| Step::Touch(s, p)),
        3 => (any::<usize>(), 0..PAGES).prop_map(|(s, p)| Step::Write(s, p)),
        1 => any::<usize>().prop_map(Step::Clone),
        1 => (any::<usize>(), 0..PAGES, 1..8u64).prop_map(|(s, p, n)| Step::Unmap(s, p, n)),
        1 => any::<usize>().prop_map(Step::Destroy),
        2 => (any::<usize>(), 0..PAGES, 1..8u64, any::<bool>())
            .prop_map(|(s, p, n, access)| Step::Protect(s, p, n, access)),
    ]
}

fn check_counts(spaces: &[AddressSpace], frames: &FrameTable) -> Result<(), TestCaseError> {
    let mut counts: BTreeMap<u64, u64> = BTreeMap::new();
    for space in spaces {
        for (_, mapping) in space.pages.iter() {
            *counts.entry(mapping.frame).or_default() += 1;
        }
    }
    prop_assert_eq!(counts.len(), frames.len());
    // A writable anonymous mapping is never shared: copy-on-write did its job.
    for space in spaces {
        for (_, mapping) in space.pages.iter().filter(|(_, mapping)| mapping.writable) {
            prop_assert_eq!(counts.get(&mapping.frame).copied(), Some(1));
        }
    }
    for (frame, entry) in frames.iter() {
        prop_assert_eq!(counts.get(&frame).copied(), Some(entry.references));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn nothing_leaks(steps in proptest::collection::vec(step(), 1..120)) {
        let mut frames = FrameTable::new();
        let mut spaces = vec![space()];
        let mut next_frame = 0x1_0000_0000u64;
        let mut made = 0u64;
        let mut freed = 0u64;
        let mut new_frame = |frames: &mut FrameTable| {
            next_frame += PAGE_SIZE;
            frames.insert(next_frame, 12, ClientId(1)).unwrap();
            next_frame
        };
        for step in steps {
            if spaces.is_empty() {
                spaces.push(space());
            }
            let count = spaces.len();
            match step {
                Step::Touch(index, page) => {
                    let space = &mut spaces[index % count];
                    let address = BASE + page * PAGE_SIZE;
                    let inaccessible = space.regions.find(address).is_some_and(|r| r.protection.is_empty());
                    if space.pages.lookup(address).is_none() && !inaccessible {
                        let frame = new_frame(&mut frames);
                        made += 1;
                        space.pages.insert(address, Mapping { frame, size_bits: 12, writable: true, parked: false }).unwrap();
                    }
                }
                Step::Write(index, page) => {
                    let space = &mut spaces[index % count];
                    let address = BASE + page * PAGE_SIZE;
                    if let Some((start, mapping)) = space.pages.lookup(address)
                        && !mapping.writable
                        && !mapping.parked
                    {
                        match frames.write_action(mapping.frame).unwrap() {
                            WriteAction::MakeWritable => space.pages.set_writable(start, true).unwrap(),
                            WriteAction::Copy => {
                                let copy = new_frame(&mut frames);
                                made += 1;
                                space.pages.remove(start).unwrap();
                                prop_assert!(matches!(frames.release(mapping.frame), Ok(Release::StillShared(_))));
                                space.pages.insert(start, Mapping { frame: copy, size_bits: 12, writable: true, parked: false }).unwrap();
                            }
                        }
                    }
                }
                Step::Clone(index) => {
                    let clone = spaces[index % count].clone_for_fork(&mut frames).unwrap();
                    spaces.push(clone.child);
                }
                Step::Unmap(index, page, pages) => {
                    let start = BASE + page * PAGE_SIZE;
                    let released = spaces[index % count].release_range(&mut frames, start, start + pages * PAGE_SIZE);
                    freed += released.len() as u64;
                }
                Step::Destroy(index) => {
                    let space = spaces.swap_remove(index % count);
                    freed += space.destroy(&mut frames).len() as u64;
                }
                Step::Protect(index, page, pages, access) => {
                    let space = &mut spaces[index % count];
                    let start = BASE + page * PAGE_SIZE;
                    let end = (start + pages * PAGE_SIZE).min(BASE + PAGES * PAGE_SIZE);
                    let before: Vec<(u64, u64)> = space.pages.iter().map(|(a, m)| (a, m.frame)).collect();
                    let protection = if access { Protection::READ_WRITE } else { Protection::NONE };
                    if space.regions.protect(start, end - start, protection).is_err() {
                        continue;
                    }
                    if access {
                        let unparked = space.unpark_range(start, end, Protection::READ_WRITE);
                        prop_assert!(unparked.iter().all(|(a, m)| (start..end).contains(a) && !m.parked));
                    } else {
                        let parked = space.park_range(start, end);
                        prop_assert!(parked.iter().all(|a| (start..end).contains(a)));
                    }
                    // The frames stay: same mappings, same frames.
                    let after: Vec<(u64, u64)> = space.pages.iter().map(|(a, m)| (a, m.frame)).collect();
                    prop_assert_eq!(before, after);
                }
            }
            // A mapping is parked exactly where its region gives no access.
            for space in &spaces {
                for (address, mapping) in space.pages.iter() {
                    let inaccessible = space.regions.find(address).is_some_and(|r| r.protection.is_empty());
                    prop_assert_eq!(mapping.parked, inaccessible);
                }
            }
            check_counts(&spaces, &frames)?;
        }
        for space in spaces.drain(..) {
            freed += space.destroy(&mut frames).len() as u64;
        }
        prop_assert!(frames.is_empty());
        prop_assert_eq!(made, freed);
    }
}

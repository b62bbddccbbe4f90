//! Tests of the slab allocator: examples and random allocate/free sequences.

use super::*;
use alloc::vec::Vec;
use proptest::prelude::*;

fn memory(order: u32) -> BuddyAllocator {
    let mut buddy = BuddyAllocator::new();
    buddy.add_region(0, order, MemoryKind::Ram).unwrap();
    buddy
}

#[test]
fn size_classes() {
    assert_eq!(SizeClass::for_object(5), None);
    assert_eq!(SizeClass::for_object(15), None);
    let ports = SizeClass::for_object(6).unwrap();
    assert_eq!((ports.slab_bits, ports.capacity()), (12, 64));
    let small_nodes = SizeClass::for_object(11).unwrap();
    assert_eq!(small_nodes.capacity(), 2);
    let pcbs = SizeClass::for_object(12).unwrap();
    assert_eq!((pcbs.slab_bits, pcbs.capacity()), (15, 8));
    let radix_8_nodes = SizeClass::for_object(14).unwrap();
    assert_eq!(radix_8_nodes.capacity(), 8);
}

#[test]
fn objects_follow_the_watermark_and_the_slab_is_reused_when_empty() {
    let mut buddy = memory(20);
    let mut slabs = SlabAllocator::new();
    let first = slabs.allocate(&mut buddy, 6).unwrap();
    assert!(first.new_slab.is_some());
    assert_eq!((first.index, first.address), (0, first.slab.address));
    let second = slabs.allocate(&mut buddy, 6).unwrap();
    assert!(second.new_slab.is_none());
    assert_eq!(second.address, first.address + 64);
    assert_eq!(second.index, 1);

    // Freeing the first leaves a dead place: the watermark does not go back.
    assert_eq!(slabs.free(&mut buddy, first.address), Ok(SlabFree::Dead));
    assert_eq!(
        slabs.free(&mut buddy, first.address),
        Err(SlabError::NotAllocated)
    );
    assert_eq!(slabs.dead_objects(), 1);
    let third = slabs.allocate(&mut buddy, 6).unwrap();
    assert_eq!(third.index, 2);

    slabs.free(&mut buddy, second.address).unwrap();
    // The last object: revoke the slab; it is kept as the cached empty slab.
    assert_eq!(
        slabs.free(&mut buddy, third.address),
        Ok(SlabFree::Emptied { slab: first.slab })
    );
    assert_eq!(slabs.dead_objects(), 0);
    assert_eq!(
        slabs.empty_bytes(),
        4096,
        "the cached empty slab counts as free"
    );
    let again = slabs.allocate(&mut buddy, 6).unwrap();
    assert_eq!(slabs.empty_bytes(), 0);
    assert_eq!((again.address, again.index), (first.address, 0));
    assert!(again.new_slab.is_none(), "reconverted, not a new slab");
    slabs.check_invariants(&buddy).unwrap();
}

#[test]
fn full_slabs_move_on_and_a_second_empty_slab_is_released() {
    let mut buddy = memory(20);
    let mut slabs = SlabAllocator::new();
    let objects: Vec<SlabObject> = (0..9)
        .map(|_| slabs.allocate(&mut buddy, 12).unwrap())
        .collect();
    assert_eq!(slabs.slab_count(), 2);
    assert_ne!(objects[0].slab, objects[8].slab);
    for object in &objects[..7] {
        assert_eq!(slabs.free(&mut buddy, object.address), Ok(SlabFree::Dead));
    }
    assert!(matches!(
        slabs.free(&mut buddy, objects[7].address),
        Ok(SlabFree::Emptied { .. })
    ));
    assert!(matches!(
        slabs.free(&mut buddy, objects[8].address),
        Ok(SlabFree::Released { .. })
    ));
    assert_eq!(slabs.slab_count(), 1);
    assert_eq!(slabs.release_empty(&mut buddy).len(), 1);
    assert_eq!(buddy.free_bytes(MemoryKind::Ram), 1 << 20);
    slabs.check_invariants(&buddy).unwrap();
}

#[test]
fn bad_frees_and_exhaustion_are_errors() {
    let mut buddy = memory(12);
    let mut slabs = SlabAllocator::new();
    assert_eq!(slabs.free(&mut buddy, 0), Err(SlabError::NotAllocated));
    assert_eq!(slabs.allocate(&mut buddy, 21), Err(SlabError::NotSlabSized));
    assert_eq!(
        slabs.allocate(&mut buddy, 12),
        Err(SlabError::NoMemory),
        "a slab of PCBs needs 32 KiB"
    );
    let object = slabs.allocate(&mut buddy, 7).unwrap();
    assert_eq!(
        slabs.free(&mut buddy, object.address + 64),
        Err(SlabError::NotAllocated)
    );
    assert_eq!(
        slabs.free(&mut buddy, object.address + 128),
        Err(SlabError::NotAllocated),
        "above the watermark"
    );
    assert_eq!(
        slabs.free(&mut buddy, u64::MAX),
        Err(SlabError::NotAllocated)
    );
    assert_eq!(slabs.class_at(object.address), SizeClass::for_object(7));
    slabs.check_invariants(&buddy).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_sequences_never_overlap_and_leak_nothing(
        steps in proptest::collection::vec((any::<bool>(), 6..=14u32, any::<usize>()), 1..300),
    ) {
        let mut buddy = memory(22);
        let total = buddy.free_bytes(MemoryKind::Ram);
        let mut slabs = SlabAllocator::new();
        let mut live: Vec<(u64, u32)> = Vec::new();
        for (allocate, object_bits, pick) in steps {
            if allocate || live.is_empty() {
                match slabs.allocate(&mut buddy, object_bits) {
                    Ok(object) => {
                        prop_assert_eq!(object.address & ((1 << object_bits) - 1), 0);
                        prop_assert!(object.slab.address <= object.address);
                        prop_assert!(object.address + (1 << object_bits) <= object.slab.end());
                        live.push((object.address, object_bits));
                    }
                    Err(error) => prop_assert_eq!(error, SlabError::NoMemory),
                }
            } else {
                let (address, _) = live.swap_remove(pick % live.len());
                slabs.free(&mut buddy, address).unwrap();
                prop_assert_eq!(slabs.free(&mut buddy, address), Err(SlabError::NotAllocated));
            }
            let mut sorted = live.clone();
            sorted.sort_unstable();
            for pair in sorted.windows(2) {
                prop_assert!(pair[0].0 + (1 << pair[0].1) <= pair[1].0, "objects overlap");
            }
            prop_assert_eq!(slabs.live_objects() as usize, live.len());
            slabs.check_invariants(&buddy).map_err(TestCaseError::fail)?;
            buddy.check_invariants().map_err(TestCaseError::fail)?;
        }
        for (address, _) in live.drain(..) {
            slabs.free(&mut buddy, address).unwrap();
        }
        prop_assert_eq!(slabs.dead_objects(), 0);
        slabs.release_empty(&mut buddy);
        prop_assert_eq!(slabs.slab_count(), 0);
        prop_assert_eq!(buddy.free_bytes(MemoryKind::Ram), total);
        prop_assert_eq!(buddy.largest_free_order(MemoryKind::Ram), Some(22));
    }
}

//! Tests of the buddy allocator: examples and random allocate/free sequences.

use super::*;
use alloc::vec::Vec;
use proptest::prelude::*;

const OWNER: Owner = Owner(1);

#[test]
fn split_and_merge_one_root() {
    let mut buddy = BuddyAllocator::new();
    buddy.add_region(0x10_0000, 16, MemoryKind::Ram).unwrap();
    let first = buddy.allocate(12, MemoryKind::Ram, OWNER).unwrap();
    assert_eq!(
        first.block,
        Block {
            address: 0x10_0000,
            order: 12
        }
    );
    // 16 -> 15 -> 14 -> 13 -> 12: four Generic CONVERTs, largest first.
    let orders: Vec<u32> = first.splits().iter().map(|block| block.order).collect();
    assert_eq!(orders, [16, 15, 14, 13]);
    let second = buddy.allocate(12, MemoryKind::Ram, Owner(2)).unwrap();
    assert_eq!(second.block.address, 0x10_1000);
    assert!(second.splits().is_empty());
    assert_eq!(buddy.free_bytes(MemoryKind::Ram), (1 << 16) - 2 * 4096);
    buddy.check_invariants().unwrap();

    let freed = buddy.free(0x10_0000).unwrap();
    assert_eq!(freed.merged, freed.block, "its buddy is still allocated");
    assert_eq!(freed.owner, OWNER);
    let freed = buddy.free(0x10_1000).unwrap();
    assert_eq!(
        freed.merged,
        Block {
            address: 0x10_0000,
            order: 16
        }
    );
    assert_eq!(buddy.free_bytes(MemoryKind::Ram), 1 << 16);
    assert_eq!(buddy.largest_free_order(MemoryKind::Ram), Some(16));
    buddy.check_invariants().unwrap();
}

#[test]
fn errors_never_panic() {
    let mut buddy = BuddyAllocator::new();
    assert_eq!(
        buddy.allocate(12, MemoryKind::Ram, OWNER),
        Err(BuddyError::NoMemory)
    );
    assert_eq!(
        buddy.add_region(0, 11, MemoryKind::Ram),
        Err(BuddyError::InvalidOrder)
    );
    assert_eq!(
        buddy.add_region(0, 53, MemoryKind::Ram),
        Err(BuddyError::InvalidOrder)
    );
    assert_eq!(
        buddy.add_region(0x1000, 13, MemoryKind::Ram),
        Err(BuddyError::Misaligned)
    );
    buddy.add_region(0, 20, MemoryKind::Ram).unwrap();
    assert_eq!(
        buddy.add_region(0x8_0000, 12, MemoryKind::Ram),
        Err(BuddyError::Overlap)
    );
    assert_eq!(
        buddy.add_region(0, 21, MemoryKind::Ram),
        Err(BuddyError::Overlap)
    );
    assert_eq!(
        buddy.add_region(1 << 52, 12, MemoryKind::Ram),
        Err(BuddyError::Overlap)
    );
    assert_eq!(
        buddy.allocate(21, MemoryKind::Ram, OWNER),
        Err(BuddyError::NoMemory)
    );
    assert_eq!(
        buddy.allocate(12, MemoryKind::Device, OWNER),
        Err(BuddyError::NoMemory)
    );
    assert_eq!(buddy.free(0), Err(BuddyError::NotAllocated));
    assert_eq!(buddy.free(u64::MAX), Err(BuddyError::NotAllocated));
    assert_eq!(
        buddy.allocate_at(0x1001, 12, OWNER),
        Err(BuddyError::Misaligned)
    );
    assert_eq!(
        buddy.allocate_at(1 << 30, 12, OWNER),
        Err(BuddyError::NoMemory)
    );
    assert_eq!(
        buddy.allocate_at(!0xfff, 12, OWNER),
        Err(BuddyError::NoMemory)
    );
    buddy.check_invariants().unwrap();
}

#[test]
fn allocate_at_takes_device_pages_where_asked() {
    let mut buddy = BuddyAllocator::new();
    buddy
        .add_region(0xfee0_0000, 21, MemoryKind::Device)
        .unwrap();
    assert_eq!(buddy.kind_of(0xfee0_5000), Some(MemoryKind::Device));
    assert_eq!(buddy.kind_of(0xfee0_0000 + (1 << 21)), None);
    assert_eq!(buddy.kind_of(0x1000), None);
    let allocation = buddy.allocate_at(0xfee0_5000, 12, OWNER).unwrap();
    assert_eq!(allocation.block.address, 0xfee0_5000);
    assert_eq!(allocation.splits().len(), 9);
    assert_eq!(
        buddy.allocate_at(0xfee0_5000, 12, OWNER),
        Err(BuddyError::NoMemory)
    );
    assert_eq!(
        buddy.allocate_at(0xfee0_4000, 13, OWNER),
        Err(BuddyError::NoMemory),
        "overlaps the allocated page"
    );
    assert!(buddy.allocate_at(0xfee0_6000, 13, OWNER).is_ok());
    assert_eq!(
        buddy.allocate(12, MemoryKind::Ram, OWNER),
        Err(BuddyError::NoMemory),
        "device memory is never handed out as RAM"
    );
    buddy.check_invariants().unwrap();
    buddy.free(0xfee0_5000).unwrap();
    buddy.free(0xfee0_6000).unwrap();
    assert_eq!(buddy.largest_free_order(MemoryKind::Device), Some(21));
    buddy.check_invariants().unwrap();
}

#[test]
fn large_roots_up_to_the_physical_limit() {
    let mut buddy = BuddyAllocator::new();
    buddy.add_region(1 << 40, 40, MemoryKind::Ram).unwrap();
    let allocation = buddy.allocate(12, MemoryKind::Ram, OWNER).unwrap();
    assert_eq!(allocation.splits().len(), 28);
    buddy.free(allocation.block.address).unwrap();
    assert_eq!(buddy.free_blocks(MemoryKind::Ram).count(), 1);
    buddy.add_region(1 << 51, 51, MemoryKind::Ram).unwrap();
    buddy.check_invariants().unwrap();
}

#[derive(Clone, Debug)]
enum Step {
    Allocate(u32, bool),
    AllocateAt(u64, u32),
    Free(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (12..=18u32, any::<bool>()).prop_map(|(order, device)| Step::Allocate(order, device)),
        1 => (0..(1u64 << 23) / 4096, 12..=15u32).prop_map(|(page, order)| Step::AllocateAt(page * 4096, order)),
        4 => any::<usize>().prop_map(Step::Free),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_sequences_keep_invariants_and_leak_nothing(
        root_orders in proptest::collection::vec(12..=20u32, 1..6),
        steps in proptest::collection::vec(step(), 1..200),
    ) {
        let mut buddy = BuddyAllocator::new();
        // Roots of different sizes, each in its own 1 MiB-aligned slot of 2^20 bytes;
        // the last one is device memory.
        let count = root_orders.len();
        let mut roots = Vec::new();
        for (index, &order) in root_orders.iter().enumerate() {
            let kind = if index + 1 == count && count > 1 { MemoryKind::Device } else { MemoryKind::Ram };
            let address = (index as u64) << 20;
            buddy.add_region(address, order, kind).unwrap();
            roots.push(Block { address, order });
        }
        let total = buddy.total_bytes(MemoryKind::Ram) + buddy.total_bytes(MemoryKind::Device);
        let mut live: Vec<Block> = Vec::new();
        for step in steps {
            match step {
                Step::Allocate(order, device) => {
                    let kind = if device { MemoryKind::Device } else { MemoryKind::Ram };
                    if let Ok(allocation) = buddy.allocate(order, kind, Owner(u64::from(order))) {
                        // Every split is of a larger block containing the new one.
                        for split in allocation.splits() {
                            prop_assert!(split.order > allocation.block.order);
                            prop_assert!(split.address <= allocation.block.address);
                            prop_assert!(allocation.block.end() <= split.end());
                        }
                        live.push(allocation.block);
                    }
                }
                Step::AllocateAt(address, order) => {
                    let address = address & !((1 << order) - 1);
                    let wanted = Block { address, order };
                    let fits_in_a_root = roots.iter().any(|root| root.address <= address && wanted.end() <= root.end());
                    let is_free = !live.iter().any(|block| block.overlaps(wanted));
                    match buddy.allocate_at(address, order, Owner(0)) {
                        Ok(allocation) => {
                            prop_assert!(fits_in_a_root && is_free);
                            prop_assert_eq!(allocation.block, wanted);
                            live.push(wanted);
                        }
                        Err(_) => prop_assert!(!(fits_in_a_root && is_free)),
                    }
                }
                Step::Free(index) => {
                    if !live.is_empty() {
                        let block = live.swap_remove(index % live.len());
                        let freed = buddy.free(block.address).unwrap();
                        prop_assert_eq!(freed.block, block);
                        prop_assert!(freed.merged.address <= block.address && block.end() <= freed.merged.end());
                        // The merged block holds nothing still allocated.
                        prop_assert!(!live.iter().any(|other| other.overlaps(freed.merged)));
                    }
                }
            }
            // No two live blocks overlap.
            let mut sorted = live.clone();
            sorted.sort();
            for pair in sorted.windows(2) {
                prop_assert!(!pair[0].overlaps(pair[1]));
            }
            prop_assert_eq!(buddy.allocated_count(), live.len());
            buddy.check_invariants().map_err(TestCaseError::fail)?;
        }
        for block in live.drain(..) {
            buddy.free(block.address).unwrap();
        }
        buddy.check_invariants().map_err(TestCaseError::fail)?;
        // Free memory is back to its starting value, as the maximal blocks (the roots).
        prop_assert_eq!(buddy.free_bytes(MemoryKind::Ram) + buddy.free_bytes(MemoryKind::Device), total);
        let mut free: Vec<Block> = buddy.free_blocks(MemoryKind::Ram).chain(buddy.free_blocks(MemoryKind::Device)).collect();
        free.sort();
        prop_assert_eq!(free, roots);
    }
}

#[test]
fn aligned_blocks_cover_a_range_exactly() {
    let blocks: Vec<Block> = aligned_blocks(0x5000, 0x20_0000).collect();
    assert_eq!(
        blocks.first(),
        Some(&Block {
            address: 0x5000,
            order: 12
        })
    );
    assert_eq!(blocks.last().map(|block| block.end()), Some(0x20_0000));
    let mut next = 0x5000;
    for block in &blocks {
        assert_eq!(block.address, next);
        assert_eq!(block.address % block.size(), 0);
        next = block.end();
    }
    assert_eq!(blocks.len(), 8, "{blocks:?}");
    // A whole aligned range is one block; an unaligned start is rounded up.
    assert_eq!(
        aligned_blocks(1 << 30, 2 << 30).collect::<Vec<_>>(),
        [Block {
            address: 1 << 30,
            order: 30
        }]
    );
    assert_eq!(aligned_blocks(0x1001, 0x2000).count(), 0);
    assert_eq!(aligned_blocks(0x3000, 0x3000).count(), 0);
}

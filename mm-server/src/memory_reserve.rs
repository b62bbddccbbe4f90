//! How much physical memory mm-server keeps for itself, and when it grows its own
//! heap. Pure arithmetic, so that the policy is host-tested; the server applies it
//! before every client allocation and between messages.
//!
//! **The reserve.** Clients' frames and objects over 16 KiB are refused
//! (NO_MEMORY, or a fault forwarded as OUT_OF_MEMORY) when fewer than
//! [`reserve_bytes`] of RAM would stay free; small kernel objects when fewer than
//! [`small_object_reserve_bytes`] would. What stays is mm-server's: its heap, slot
//! leaves and page tables come from it, so a machine the clients exhausted still
//! serves every request that frees memory, and every other client's STATS.
//!
//! **The heap's headroom.** Between messages the heap grows (2 MiB at a time, or
//! page by page when no 2 MiB block is free) until it has [`heap_headroom`] bytes
//! free: at least [`MIN_HEAP_HEADROOM`], and a quarter of the heap's size, since the
//! bookkeeping grows with the memory clients use and a growing collection briefly
//! holds its old and new storage.

/// The smallest reserve: enough for the heap's headroom, slot leaves and the page
/// tables of mm-server's own space on a small machine.
pub const MIN_RESERVE_BYTES: u64 = 6 << 20;
/// The reserve is at least this fraction (1/64, about 1.6 %) of the RAM managed:
/// the bookkeeping of a fully used machine grows with its size.
pub const RESERVE_DIVISOR: u64 = 64;
/// The smallest free heap kept between messages.
pub const MIN_HEAP_HEADROOM: u64 = 2 << 20;
/// The heap's free bytes are kept at least its size divided by this.
pub const HEAP_HEADROOM_DIVISOR: u64 = 4;
/// Granule of physical memory (one page).
const PAGE: u64 = 4096;

/// RAM that client frames and objects over 16 KiB never take, for `managed_ram`
/// bytes of RAM managed: the larger of [`MIN_RESERVE_BYTES`] and
/// `managed_ram / RESERVE_DIVISOR`, rounded up to a page.
#[must_use]
pub fn reserve_bytes(managed_ram: u64) -> u64 {
    let proportional = (managed_ram / RESERVE_DIVISOR).div_ceil(PAGE) * PAGE;
    proportional.max(MIN_RESERVE_BYTES)
}

/// RAM that small kernel objects (at most 16 KiB each: address spaces, threads,
/// ports, small nodes) never take: half of [`reserve_bytes`], so that a client
/// exhausted of frames can still make the few objects it needs to clean up.
#[must_use]
pub fn small_object_reserve_bytes(managed_ram: u64) -> u64 {
    (reserve_bytes(managed_ram) / 2).div_ceil(PAGE) * PAGE
}

/// Whether a client may take `bytes` more when `free` bytes of RAM are free,
/// keeping `reserve` bytes free.
#[must_use]
pub fn may_take(free: u64, reserve: u64, bytes: u64) -> bool {
    free.checked_sub(reserve)
        .is_some_and(|spare| spare >= bytes)
}

/// The free bytes a heap of `heap_size` bytes keeps between messages.
#[must_use]
pub fn heap_headroom(heap_size: u64) -> u64 {
    (heap_size / HEAP_HEADROOM_DIVISOR).max(MIN_HEAP_HEADROOM)
}

/// Bytes the heap still lacks: it has `free` of `heap_size` bytes free and is
/// about to serve a request needing `extra` bytes of bookkeeping; 0 if none.
#[must_use]
pub fn heap_shortfall(free: u64, heap_size: u64, extra: u64) -> u64 {
    heap_headroom(heap_size)
        .saturating_add(extra)
        .saturating_sub(free)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MIB: u64 = 1 << 20;

    #[test]
    fn small_machines_keep_the_minimum() {
        assert_eq!(reserve_bytes(0), MIN_RESERVE_BYTES);
        assert_eq!(reserve_bytes(246 * MIB), MIN_RESERVE_BYTES);
        assert_eq!(small_object_reserve_bytes(246 * MIB), 3 * MIB);
    }

    #[test]
    fn large_machines_keep_a_sixty_fourth() {
        assert_eq!(reserve_bytes(4096 * MIB), 64 * MIB);
        assert_eq!(small_object_reserve_bytes(4096 * MIB), 32 * MIB);
        assert_eq!(reserve_bytes(u64::MAX) % PAGE, 0);
    }

    #[test]
    fn clients_stop_at_the_reserve() {
        assert!(may_take(10 * MIB, 6 * MIB, 4 * MIB));
        assert!(!may_take(10 * MIB, 6 * MIB, 4 * MIB + 1));
        assert!(!may_take(5 * MIB, 6 * MIB, 0));
        assert!(may_take(6 * MIB, 6 * MIB, 0));
    }

    #[test]
    fn the_headroom_follows_the_heap() {
        assert_eq!(heap_headroom(256 * 1024), MIN_HEAP_HEADROOM);
        assert_eq!(heap_headroom(16 * MIB), 4 * MIB);
        assert_eq!(heap_shortfall(3 * MIB, 4 * MIB, 0), 0);
        assert_eq!(heap_shortfall(MIB, 4 * MIB, 0), MIB);
        assert_eq!(heap_shortfall(3 * MIB, 4 * MIB, 2 * MIB), MIB);
        assert_eq!(heap_shortfall(0, u64::MAX, u64::MAX), u64::MAX);
    }

    proptest! {
        #[test]
        fn the_reserve_is_monotonic_and_covers_the_headroom(a in any::<u64>(), b in any::<u64>()) {
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(reserve_bytes(low) <= reserve_bytes(high));
            prop_assert!(small_object_reserve_bytes(low) <= reserve_bytes(low));
            prop_assert!(reserve_bytes(low) >= MIN_HEAP_HEADROOM);
        }

        #[test]
        fn growing_by_the_shortfall_is_enough(free in 0..1u64 << 40, used in 0..1u64 << 40, extra in 0..1u64 << 30) {
            let size = free + used;
            let shortfall = heap_shortfall(free, size, extra);
            // Growing by the shortfall, then again by what a bigger heap wants,
            // ends: each round asks for at most a quarter of the previous growth.
            let mut grown = shortfall;
            let mut rounds = 0;
            loop {
                let more = heap_shortfall(free + grown, size + grown, extra);
                if more == 0 { break; }
                prop_assert!(more <= grown / HEAP_HEADROOM_DIVISOR + 1);
                grown += more;
                rounds += 1;
                prop_assert!(rounds < 64);
            }
        }
    }
}

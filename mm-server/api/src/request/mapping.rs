//! Regions: MAP_ANONYMOUS, MAP_DEVICE, MAP_SHARED_BUFFER, UNMAP, PROTECT, BRK.
//!
//! | request | words |
//! |---|---|
//! | MAP_ANONYMOUS | `[5, space, address, length, protection, flags, stack_limit]` |
//! | MAP_DEVICE | `[6, space, address, length, physical_address, protection]` |
//! | MAP_SHARED_BUFFER | `[7, length, space1, address1, protection1, space2, address2, protection2]` |
//! | UNMAP | `[8, space, address, length]` |
//! | PROTECT | `[9, space, address, length, protection]` |
//! | BRK | `[10, space, new_break, flags]` |
//! | COPY_RANGE | `[15, target_space, target_address, length, protection, flags, stack_limit, source_space, source_address]` |
//!
//! Addresses and lengths are page aligned, lengths non-zero, and every range ends at
//! or below [`USER_ADDRESS_LIMIT`]. In MAP requests address 0 means "mm-server
//! chooses"; any other address is used exactly (OVERLAP if it is taken). MAP
//! requests and COPY_RANGE (whose target address follows the same rule) reply
//! with [`MapReply`](crate::reply::MapReply) (MAP_SHARED_BUFFER with
//! [`SharedBufferReply`](crate::reply::SharedBufferReply)), BRK with
//! [`BrkReply`](crate::reply::BrkReply), UNMAP and PROTECT with an empty reply.

use crate::codec::{USER_ADDRESS_LIMIT, arguments, physical_range, protection, space, user_range};
use crate::identifier::SpaceId;
use crate::operation::Operation;
use crate::protection::Protection;
use crate::status::RequestError;

macro_rules! request_flags {
    ($(#[$meta:meta])* $name:ident { $($(#[$flag_meta:meta])* $flag:ident = $value:expr;)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
        pub struct $name(u64);

        impl $name {
            $($(#[$flag_meta])* pub const $flag: Self = Self($value);)+
            /// No flag.
            pub const NONE: Self = Self(0);
            /// Every defined flag.
            pub const ALL: Self = Self(0 $(| $value)+);

            /// The set with these bits; `None` if a bit is not a defined flag.
            #[must_use]
            pub const fn from_bits(bits: u64) -> Option<Self> {
                if bits & !Self::ALL.0 == 0 { Some(Self(bits)) } else { None }
            }

            /// The set as a word.
            #[must_use]
            pub const fn bits(self) -> u64 {
                self.0
            }

            /// True if every flag of `other` is set.
            #[must_use]
            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }

            /// The flags of both sets.
            #[must_use]
            pub const fn union(self, other: Self) -> Self {
                Self(self.0 | other.0)
            }
        }
    };
}

request_flags! {
    /// Flags of MAP_ANONYMOUS.
    MapFlags {
        /// A stack: the region grows down on faults just below it (within its guard
        /// gap), up to `stack_limit` bytes.
        GROWS_DOWN = 1;
        /// Never back this region with 2 MiB frames.
        NO_LARGE_PAGES = 2;
    }
}

request_flags! {
    /// Flags of BRK.
    BrkFlags {
        /// Set the heap's base (and break) to `new_break`: page aligned, non-zero,
        /// and only while the heap is empty.
        SET_BASE = 1;
    }
}

/// MAP_ANONYMOUS: demand-zero memory (or a grow-down stack).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapAnonymous {
    /// The address space.
    pub space: SpaceId,
    /// Where the region starts; 0 lets mm-server choose.
    pub address: u64,
    /// Bytes, page aligned, non-zero.
    pub length: u64,
    /// Permissions of the region.
    pub protection: Protection,
    /// [`MapFlags`].
    pub flags: MapFlags,
    /// With [`MapFlags::GROWS_DOWN`]: the most the stack may grow to (page aligned,
    /// at least `length`); 0 otherwise.
    pub stack_limit: u64,
}

impl MapAnonymous {
    fn to_words(self) -> [u64; 7] {
        [
            Operation::MapAnonymous.as_word(),
            self.space.get(),
            self.address,
            self.length,
            self.protection.bits(),
            self.flags.bits(),
            self.stack_limit,
        ]
    }

    /// Decodes and validates a request.
    ///
    /// # Errors
    /// Range errors, [`RequestError::UnknownFlags`], [`RequestError::Inconsistent`]
    /// for a stack limit below the length or on a region that is not a stack.
    pub fn decode(words: &[u64]) -> Result<Self, RequestError> {
        let [
            space_word,
            address,
            length,
            protection_word,
            flags,
            stack_limit,
        ] = arguments(words, Operation::MapAnonymous)?;
        let space = space(space_word)?;
        user_range(address, length)?;
        let protection = protection(protection_word)?;
        let flags = anonymous_flags(flags, stack_limit, length)?;
        Ok(Self {
            space,
            address,
            length,
            protection,
            flags,
            stack_limit,
        })
    }
}
message_encoding!(MapAnonymous, 7);

/// Validates the `flags` and `stack_limit` of an anonymous region of `length`
/// bytes (MAP_ANONYMOUS, COPY_RANGE): known flags only; with
/// [`MapFlags::GROWS_DOWN`] a page-aligned limit of at least `length`, otherwise 0.
fn anonymous_flags(flags: u64, stack_limit: u64, length: u64) -> Result<MapFlags, RequestError> {
    let flags = MapFlags::from_bits(flags).ok_or(RequestError::UnknownFlags)?;
    if flags.contains(MapFlags::GROWS_DOWN) {
        user_range(0, stack_limit)?;
        if stack_limit < length {
            return Err(RequestError::Inconsistent);
        }
    } else if stack_limit != 0 {
        return Err(RequestError::Inconsistent);
    }
    Ok(flags)
}

/// MAP_DEVICE: map a physical range (device registers, a framebuffer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapDevice {
    /// The address space.
    pub space: SpaceId,
    /// Where the region starts; 0 lets mm-server choose.
    pub address: u64,
    /// Bytes, page aligned, non-zero.
    pub length: u64,
    /// First physical byte, page aligned; the range stays below 2^52.
    pub physical_address: u64,
    /// Permissions of the region.
    pub protection: Protection,
}

impl MapDevice {
    fn to_words(self) -> [u64; 6] {
        [
            Operation::MapDevice.as_word(),
            self.space.get(),
            self.address,
            self.length,
            self.physical_address,
            self.protection.bits(),
        ]
    }

    /// Decodes and validates a request.
    ///
    /// # Errors
    /// Range errors (virtual and physical), [`RequestError::UnknownFlags`].
    pub fn decode(words: &[u64]) -> Result<Self, RequestError> {
        let [
            space_word,
            address,
            length,
            physical_address,
            protection_word,
        ] = arguments(words, Operation::MapDevice)?;
        let space = space(space_word)?;
        user_range(address, length)?;
        physical_range(physical_address, length)?;
        Ok(Self {
            space,
            address,
            length,
            physical_address,
            protection: protection(protection_word)?,
        })
    }
}
message_encoding!(MapDevice, 6);

/// One side of a shared buffer: where it is mapped and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SharedMapping {
    /// The address space.
    pub space: SpaceId,
    /// Where the buffer starts in it; 0 lets mm-server choose.
    pub address: u64,
    /// Permissions in this space; also the most PROTECT may give it later.
    pub protection: Protection,
}

/// MAP_SHARED_BUFFER: new zeroed memory mapped in two address spaces (or twice in
/// one, at different addresses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapSharedBuffer {
    /// Bytes, page aligned, non-zero.
    pub length: u64,
    /// The first mapping.
    pub first: SharedMapping,
    /// The second mapping.
    pub second: SharedMapping,
}

impl MapSharedBuffer {
    fn to_words(self) -> [u64; 8] {
        [
            Operation::MapSharedBuffer.as_word(),
            self.length,
            self.first.space.get(),
            self.first.address,
            self.first.protection.bits(),
            self.second.space.get(),
            self.second.address,
            self.second.protection.bits(),
        ]
    }

    /// Decodes and validates a request.
    ///
    /// # Errors
    /// Range errors for either side, [`RequestError::UnknownFlags`].
    pub fn decode(words: &[u64]) -> Result<Self, RequestError> {
        let [
            length,
            space1,
            address1,
            protection1,
            space2,
            address2,
            protection2,
        ] = arguments(words, Operation::MapSharedBuffer)?;
        let side = |space_word, address, protection_word| {
            user_range(address, length)?;
            Ok::<_, RequestError>(SharedMapping {
                space: space(space_word)?,
                address,
                protection: protection(protection_word)?,
            })
        };
        Ok(Self {
            length,
            first: side(space1, address1, protection1)?,
            second: side(space2, address2, protection2)?,
        })
    }
}
message_encoding!(MapSharedBuffer, 8);

/// UNMAP: remove every region, or part of one, in `address..address + length`
/// (parts of the range without a region are skipped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unmap {
    /// The address space.
    pub space: SpaceId,
    /// First byte, page aligned.
    pub address: u64,
    /// Bytes, page aligned, non-zero.
    pub length: u64,
}

impl Unmap {
    fn to_words(self) -> [u64; 4] {
        [
            Operation::Unmap.as_word(),
            self.space.get(),
            self.address,
            self.length,
        ]
    }

    /// Decodes and validates a request.
    ///
    /// # Errors
    /// Range errors.
    pub fn decode(words: &[u64]) -> Result<Self, RequestError> {
        let [space_word, address, length] = arguments(words, Operation::Unmap)?;
        let space = space(space_word)?;
        user_range(address, length)?;
        Ok(Self {
            space,
            address,
            length,
        })
    }
}
message_encoding!(Unmap, 4);

/// PROTECT: new permissions for a range that regions cover completely
/// (NOT_MAPPED otherwise, and nothing changes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Protect {
    /// The address space.
    pub space: SpaceId,
    /// First byte, page aligned.
    pub address: u64,
    /// Bytes, page aligned, non-zero.
    pub length: u64,
    /// The new permissions.
    pub protection: Protection,
}

impl Protect {
    fn to_words(self) -> [u64; 5] {
        [
            Operation::Protect.as_word(),
            self.space.get(),
            self.address,
            self.length,
            self.protection.bits(),
        ]
    }

    /// Decodes and validates a request.
    ///
    /// # Errors
    /// Range errors, [`RequestError::UnknownFlags`].
    pub fn decode(words: &[u64]) -> Result<Self, RequestError> {
        let [space_word, address, length, protection_word] = arguments(words, Operation::Protect)?;
        let space = space(space_word)?;
        user_range(address, length)?;
        Ok(Self {
            space,
            address,
            length,
            protection: protection(protection_word)?,
        })
    }
}
message_encoding!(Protect, 5);

/// BRK: the heap of an address space. `new_break` 0 (without SET_BASE) only asks
/// for the current break; otherwise the heap grows or shrinks so that it ends at
/// `new_break` (byte granular; the heap region is rounded up to pages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Brk {
    /// The address space.
    pub space: SpaceId,
    /// The requested break, at most [`USER_ADDRESS_LIMIT`].
    pub new_break: u64,
    /// [`BrkFlags`].
    pub flags: BrkFlags,
}

impl Brk {
    fn to_words(self) -> [u64; 4] {
        [
            Operation::Brk.as_word(),
            self.space.get(),
            self.new_break,
            self.flags.bits(),
        ]
    }

    /// Decodes and validates a request.
    ///
    /// # Errors
    /// [`RequestError::OutOfRange`] for a break past user space,
    /// [`RequestError::UnknownFlags`], and with SET_BASE a base that is 0
    /// ([`RequestError::Inconsistent`]) or not page aligned
    /// ([`RequestError::Misaligned`]).
    pub fn decode(words: &[u64]) -> Result<Self, RequestError> {
        let [space_word, new_break, flags] = arguments(words, Operation::Brk)?;
        let space = space(space_word)?;
        let flags = BrkFlags::from_bits(flags).ok_or(RequestError::UnknownFlags)?;
        if new_break > USER_ADDRESS_LIMIT {
            return Err(RequestError::OutOfRange);
        }
        if flags.contains(BrkFlags::SET_BASE) {
            if new_break == 0 {
                return Err(RequestError::Inconsistent);
            }
            if !crate::codec::is_page_aligned(new_break) {
                return Err(RequestError::Misaligned);
            }
        }
        Ok(Self {
            space,
            new_break,
            flags,
        })
    }
}
message_encoding!(Brk, 4);

/// COPY_RANGE: a new private anonymous region in `target_space` (as MAP_ANONYMOUS
/// makes it: `target_address` 0 lets mm-server choose, `flags` and `stack_limit`
/// as there) whose contents are a copy-on-write copy of
/// `source_address..source_address + length` of `source_space`. Every page of the
/// source that has a frame is shared (copy-on-write on both sides, as CLONE does);
/// the others stay demand-zero in the target. The source range must lie in
/// anonymous or stack regions of a space of the same client (NOT_MAPPED for a
/// hole, UNSUPPORTED for a shared-buffer, device or file-backed region,
/// PERMISSION for another client's space). The spaces may be the same (the ranges
/// then cannot overlap: the target range must be free).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CopyRange {
    /// The address space that gets the new region.
    pub target_space: SpaceId,
    /// Where the new region starts; 0 lets mm-server choose.
    pub target_address: u64,
    /// Bytes, page aligned, non-zero (both ranges).
    pub length: u64,
    /// Permissions of the new region.
    pub protection: Protection,
    /// [`MapFlags`] of the new region.
    pub flags: MapFlags,
    /// With [`MapFlags::GROWS_DOWN`]: the most the new stack may grow to (page
    /// aligned, at least `length`); 0 otherwise.
    pub stack_limit: u64,
    /// The address space copied from.
    pub source_space: SpaceId,
    /// First byte of the range copied (page aligned; the range ends at or below
    /// [`USER_ADDRESS_LIMIT`]).
    pub source_address: u64,
}

impl CopyRange {
    fn to_words(self) -> [u64; 9] {
        [
            Operation::CopyRange.as_word(),
            self.target_space.get(),
            self.target_address,
            self.length,
            self.protection.bits(),
            self.flags.bits(),
            self.stack_limit,
            self.source_space.get(),
            self.source_address,
        ]
    }

    /// Decodes and validates a request.
    ///
    /// # Errors
    /// Range errors for either range, [`RequestError::UnknownFlags`],
    /// [`RequestError::Inconsistent`] for a stack limit as in MAP_ANONYMOUS,
    /// [`RequestError::ZeroIdentifier`] for either space.
    pub fn decode(words: &[u64]) -> Result<Self, RequestError> {
        let [
            target_word,
            target_address,
            length,
            protection_word,
            flags,
            stack_limit,
            source_word,
            source_address,
        ] = arguments(words, Operation::CopyRange)?;
        let target_space = space(target_word)?;
        user_range(target_address, length)?;
        let protection = protection(protection_word)?;
        let flags = anonymous_flags(flags, stack_limit, length)?;
        let source_space = space(source_word)?;
        user_range(source_address, length)?;
        Ok(Self {
            target_space,
            target_address,
            length,
            protection,
            flags,
            stack_limit,
            source_space,
            source_address,
        })
    }
}
message_encoding!(CopyRange, 9);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::PAGE_SIZE;

    const SPACE: u64 = 1;

    fn anonymous(address: u64, length: u64, flags: u64, stack_limit: u64) -> [u64; 7] {
        [
            Operation::MapAnonymous.as_word(),
            SPACE,
            address,
            length,
            Protection::READ_WRITE.bits(),
            flags,
            stack_limit,
        ]
    }

    #[test]
    fn anonymous_checks_stack_fields() {
        assert!(MapAnonymous::decode(&anonymous(0, PAGE_SIZE, 0, 0)).is_ok());
        assert_eq!(
            MapAnonymous::decode(&anonymous(0, PAGE_SIZE, 0, PAGE_SIZE)),
            Err(RequestError::Inconsistent)
        );
        assert_eq!(
            MapAnonymous::decode(&anonymous(0, 2 * PAGE_SIZE, 1, PAGE_SIZE)),
            Err(RequestError::Inconsistent)
        );
        assert_eq!(
            MapAnonymous::decode(&anonymous(0, PAGE_SIZE, 1, 0)),
            Err(RequestError::ZeroLength)
        );
        assert_eq!(
            MapAnonymous::decode(&anonymous(0, PAGE_SIZE, 1, 100)),
            Err(RequestError::Misaligned)
        );
        assert!(MapAnonymous::decode(&anonymous(0, PAGE_SIZE, 3, 8 << 20)).is_ok());
        assert_eq!(
            MapAnonymous::decode(&anonymous(0, PAGE_SIZE, 4, 0)),
            Err(RequestError::UnknownFlags)
        );
        let mut words = anonymous(0, PAGE_SIZE, 0, 0);
        words[4] = 8;
        assert_eq!(
            MapAnonymous::decode(&words),
            Err(RequestError::UnknownFlags)
        );
    }

    #[test]
    fn device_checks_the_physical_range() {
        let words = |physical| {
            [
                Operation::MapDevice.as_word(),
                SPACE,
                0,
                PAGE_SIZE,
                physical,
                Protection::READ.bits(),
            ]
        };
        assert!(MapDevice::decode(&words(0xfee0_0000)).is_ok());
        assert_eq!(
            MapDevice::decode(&words(0xfee0_0001)),
            Err(RequestError::Misaligned)
        );
        assert_eq!(
            MapDevice::decode(&words(!0xfff)),
            Err(RequestError::OutOfRange)
        );
    }

    #[test]
    fn shared_buffer_checks_both_sides() {
        let mut words = [
            Operation::MapSharedBuffer.as_word(),
            PAGE_SIZE,
            1,
            0,
            3,
            2,
            0x1000,
            1,
        ];
        assert!(MapSharedBuffer::decode(&words).is_ok());
        words[5] = 0;
        assert_eq!(
            MapSharedBuffer::decode(&words),
            Err(RequestError::ZeroIdentifier)
        );
        words[5] = 2;
        words[6] = USER_ADDRESS_LIMIT;
        assert_eq!(
            MapSharedBuffer::decode(&words),
            Err(RequestError::OutOfRange)
        );
    }

    #[test]
    fn brk_rules() {
        let words = |new_break, flags| [Operation::Brk.as_word(), SPACE, new_break, flags];
        assert!(Brk::decode(&words(0, 0)).is_ok());
        assert!(Brk::decode(&words(0x1234, 0)).is_ok());
        assert_eq!(
            Brk::decode(&words(USER_ADDRESS_LIMIT + 1, 0)),
            Err(RequestError::OutOfRange)
        );
        assert_eq!(Brk::decode(&words(0, 1)), Err(RequestError::Inconsistent));
        assert_eq!(
            Brk::decode(&words(0x1234, 1)),
            Err(RequestError::Misaligned)
        );
        assert!(Brk::decode(&words(0x40_0000, 1)).is_ok());
        assert_eq!(Brk::decode(&words(0, 2)), Err(RequestError::UnknownFlags));
    }

    fn copy_range(
        target_address: u64,
        length: u64,
        flags: u64,
        stack_limit: u64,
        source_address: u64,
    ) -> [u64; 9] {
        [
            Operation::CopyRange.as_word(),
            SPACE,
            target_address,
            length,
            Protection::READ_WRITE.bits(),
            flags,
            stack_limit,
            SPACE + 1,
            source_address,
        ]
    }

    #[test]
    fn copy_range_checks_both_ranges_and_the_stack_fields() {
        let decoded = CopyRange::decode(&copy_range(0, PAGE_SIZE, 0, 0, 0x1000)).unwrap();
        assert_eq!(decoded.source_space.get(), SPACE + 1);
        assert_eq!(decoded.source_address, 0x1000);
        assert!(CopyRange::decode(&copy_range(0x2000, PAGE_SIZE, 3, 8 << 20, 0x1000)).is_ok());
        assert_eq!(
            CopyRange::decode(&copy_range(0, 0, 0, 0, 0x1000)),
            Err(RequestError::ZeroLength)
        );
        assert_eq!(
            CopyRange::decode(&copy_range(0x2001, PAGE_SIZE, 0, 0, 0x1000)),
            Err(RequestError::Misaligned)
        );
        assert_eq!(
            CopyRange::decode(&copy_range(0, PAGE_SIZE, 0, 0, 0x1800)),
            Err(RequestError::Misaligned)
        );
        assert_eq!(
            CopyRange::decode(&copy_range(0, PAGE_SIZE, 0, 0, USER_ADDRESS_LIMIT)),
            Err(RequestError::OutOfRange)
        );
        assert_eq!(
            CopyRange::decode(&copy_range(USER_ADDRESS_LIMIT, PAGE_SIZE, 0, 0, 0x1000)),
            Err(RequestError::OutOfRange)
        );
        assert_eq!(
            CopyRange::decode(&copy_range(0, PAGE_SIZE, 4, 0, 0x1000)),
            Err(RequestError::UnknownFlags)
        );
        assert_eq!(
            CopyRange::decode(&copy_range(0, PAGE_SIZE, 0, PAGE_SIZE, 0x1000)),
            Err(RequestError::Inconsistent)
        );
        assert_eq!(
            CopyRange::decode(&copy_range(0, 2 * PAGE_SIZE, 1, PAGE_SIZE, 0x1000)),
            Err(RequestError::Inconsistent)
        );
        let mut words = copy_range(0, PAGE_SIZE, 0, 0, 0x1000);
        words[4] = 8;
        assert_eq!(CopyRange::decode(&words), Err(RequestError::UnknownFlags));
        words[4] = 0;
        words[7] = 0;
        assert_eq!(CopyRange::decode(&words), Err(RequestError::ZeroIdentifier));
        assert_eq!(
            CopyRange::decode(&words[..8]),
            Err(RequestError::WrongLength {
                expected: 9,
                found: 8
            })
        );
    }

    #[test]
    fn unmap_and_protect_need_a_valid_range() {
        assert_eq!(
            Unmap::decode(&[Operation::Unmap.as_word(), SPACE, 0x1000, 0]),
            Err(RequestError::ZeroLength)
        );
        assert!(Unmap::decode(&[Operation::Unmap.as_word(), SPACE, 0, 0x1000]).is_ok());
        assert_eq!(
            Protect::decode(&[Operation::Protect.as_word(), SPACE, 0x1000, 0x1000, 9]),
            Err(RequestError::UnknownFlags)
        );
    }
}

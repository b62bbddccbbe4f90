//! Capability descriptors (docs/abi.md section 4): how one word names a slot.
//!
//! The top 8 bits of a descriptor hold E; the depth to resolve is D = E + 8 (the 8
//! header bits count), so 8 <= D <= 64 and E <= 56. The path, D - 8 bits, sits right
//! below the header: the indices of every node on the way, most significant first.
//! Resolution starts at the caller's root node with `used = 8`; at a node of radix r
//! it takes the r bits below `used` as the index ([`Descriptor::index_at`]), adds r
//! to `used`, and stops when `used == D`. D = 8 names the root node itself.
//!
//! ```
//! # use a9n_abi::descriptor::Descriptor;
//! // Root slot 5 of a radix-8 root: E = 8, index 5 in bits 48..56.
//! let slot = Descriptor::root_slot(8, 5).unwrap();
//! assert_eq!(slot.as_word(), 0x0800_0000_0000_0000 | 5 << 48);
//! assert_eq!(slot.depth(), 16);
//! assert_eq!(slot.index_at(8, 8), Some(5));
//! ```

/// Bits of the header (E) at the top of a descriptor.
pub const HEADER_BITS: u32 = 8;
/// Smallest depth D: the root node itself.
pub const MIN_DEPTH: u32 = HEADER_BITS;
/// Largest depth D: the whole word.
pub const MAX_DEPTH: u32 = u64::BITS;
/// Where `used` starts when resolution begins at the root node.
pub const RESOLUTION_START: u32 = HEADER_BITS;

/// Why a word or a set of parts is not a descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DescriptorError {
    /// D < 8 or D > 64 (in a word: E > 56).
    InvalidDepth,
    /// The path (or an index) has bits set beyond the width it must fit in.
    PathTooWide,
    /// A word has bits set below its depth (outside header and path).
    TrailingBits,
}

/// A capability descriptor: one word, header E in the top 8 bits, then the path.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Descriptor(u64);

impl Descriptor {
    /// The descriptor of the caller's root node itself (D = 8).
    pub const ROOT_NODE: Self = Self(0);

    /// A descriptor of depth `depth` (D, header included: 8..=64) whose path, the
    /// `depth - 8` bits of concatenated indices, most significant first, is `path`.
    ///
    /// # Errors
    /// [`DescriptorError::InvalidDepth`] if `depth` is not in 8..=64;
    /// [`DescriptorError::PathTooWide`] if `path` does not fit in `depth - 8` bits.
    pub const fn from_parts(depth: u32, path: u64) -> Result<Self, DescriptorError> {
        if depth < MIN_DEPTH || depth > MAX_DEPTH {
            return Err(DescriptorError::InvalidDepth);
        }
        // path_bits <= 56, so neither shift below can overflow.
        let path_bits = depth - HEADER_BITS;
        if path >> path_bits != 0 {
            return Err(DescriptorError::PathTooWide);
        }
        let header = (path_bits as u64) << (u64::BITS - HEADER_BITS);
        Ok(Self(header | path << (u64::BITS - depth)))
    }

    /// Slot `index` of the caller's root node, whose radix is `radix` (for the radix-8
    /// root of init: `0x0800_0000_0000_0000 | index << 48`).
    ///
    /// # Errors
    /// As [`Descriptor::from_parts`] with depth `8 + radix`.
    pub const fn root_slot(radix: u32, index: u64) -> Result<Self, DescriptorError> {
        Self::ROOT_NODE.child(radix, index)
    }

    /// The descriptor of slot `index` in the node this descriptor names, a node of
    /// radix `radix`: the path extended by `radix` bits.
    ///
    /// # Errors
    /// [`DescriptorError::InvalidDepth`] if the depth would exceed 64;
    /// [`DescriptorError::PathTooWide`] if `index` does not fit in `radix` bits.
    pub const fn child(self, radix: u32, index: u64) -> Result<Self, DescriptorError> {
        let depth = self.depth();
        if radix > MAX_DEPTH - depth {
            return Err(DescriptorError::InvalidDepth);
        }
        // radix <= 56 here, so the shifts cannot overflow.
        if index >> radix != 0 {
            return Err(DescriptorError::PathTooWide);
        }
        Self::from_parts(depth + radix, self.path() << radix | index)
    }

    /// Decodes a word, rejecting E > 56 and bits set below the depth.
    ///
    /// # Errors
    /// [`DescriptorError::InvalidDepth`] or [`DescriptorError::TrailingBits`].
    pub const fn from_word(word: u64) -> Result<Self, DescriptorError> {
        let encoded = (word >> (u64::BITS - HEADER_BITS)) as u32;
        if encoded > MAX_DEPTH - HEADER_BITS {
            return Err(DescriptorError::InvalidDepth);
        }
        let depth = encoded + HEADER_BITS;
        if depth < MAX_DEPTH && word & ((1 << (MAX_DEPTH - depth)) - 1) != 0 {
            return Err(DescriptorError::TrailingBits);
        }
        Ok(Self(word))
    }

    /// The descriptor as a word (for MR0 and the other descriptor arguments).
    #[must_use]
    pub const fn as_word(self) -> u64 {
        self.0
    }

    /// D, the depth to resolve, header bits included (8..=64).
    #[must_use]
    pub const fn depth(self) -> u32 {
        (self.0 >> (u64::BITS - HEADER_BITS)) as u32 + HEADER_BITS
    }

    /// The path: the `depth - 8` bits below the header, right-aligned.
    #[must_use]
    pub const fn path(self) -> u64 {
        let path_bits = self.depth() - HEADER_BITS;
        if path_bits == 0 {
            0
        } else {
            (self.0 << HEADER_BITS) >> (u64::BITS - path_bits)
        }
    }

    /// The index a node of radix `radix` takes when `used` bits are consumed: the
    /// `radix` bits below bit position `used` (counted from the top).
    ///
    /// `None` if `used < 8`, `radix == 0` (a resolver would never advance), or
    /// `used + radix` exceeds the depth (or 64).
    #[must_use]
    pub const fn index_at(self, used: u32, radix: u32) -> Option<u64> {
        if used < RESOLUTION_START || used > MAX_DEPTH || radix == 0 || radix > MAX_DEPTH - used {
            return None;
        }
        let end = used + radix;
        if end > self.depth() {
            return None;
        }
        // 1 <= radix <= 56 because used >= 8.
        Some((self.0 >> (MAX_DEPTH - end)) & ((1 << radix) - 1))
    }
}

impl TryFrom<u64> for Descriptor {
    type Error = DescriptorError;

    fn try_from(word: u64) -> Result<Self, DescriptorError> {
        Self::from_word(word)
    }
}

impl From<Descriptor> for u64 {
    fn from(descriptor: Descriptor) -> u64 {
        descriptor.as_word()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator for index values.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    fn mask(bits: u32) -> u64 {
        if bits == 64 {
            u64::MAX
        } else {
            (1 << bits) - 1
        }
    }

    /// Splits `path_bits` into radices by cycling through `pattern`; the last node
    /// takes whatever is left.
    fn split(path_bits: u32, pattern: &[u32]) -> ([u32; 64], usize) {
        let mut radices = [0; 64];
        let (mut left, mut count) = (path_bits, 0);
        while left > 0 {
            let radix = pattern[count % pattern.len()].min(left);
            radices[count] = radix;
            left -= radix;
            count += 1;
        }
        (radices, count)
    }

    const PATTERNS: &[&[u32]] = &[
        &[8],
        &[1],
        &[3],
        &[7],
        &[12],
        &[56],
        &[5, 3, 8, 2],
        &[16, 1, 9],
        &[2, 30, 4],
    ];

    #[test]
    fn round_trip_at_every_depth_and_radix_split() {
        let mut random = XorShift(0x9e37_79b9_7f4a_7c15);
        for depth in MIN_DEPTH..=MAX_DEPTH {
            for pattern in PATTERNS {
                let (radices, count) = split(depth - HEADER_BITS, pattern);
                for fill in 0..4 {
                    // Build the descriptor node by node.
                    let mut descriptor = Descriptor::ROOT_NODE;
                    let mut indices = [0u64; 64];
                    let mut path = 0u64;
                    for (i, &radix) in radices[..count].iter().enumerate() {
                        let index = match fill {
                            0 => 0,
                            1 => mask(radix),
                            2 => 1,
                            _ => random.next() & mask(radix),
                        };
                        indices[i] = index;
                        path = path << radix | index;
                        descriptor = descriptor.child(radix, index).unwrap();
                    }
                    assert_eq!(descriptor.depth(), depth);
                    assert_eq!(descriptor.path(), path);
                    assert_eq!(Descriptor::from_parts(depth, path), Ok(descriptor));
                    assert_eq!(Descriptor::from_word(descriptor.as_word()), Ok(descriptor));
                    assert_eq!(descriptor.as_word() >> 56, u64::from(depth - 8));

                    // Walk it back as the kernel's resolver does.
                    let mut used = RESOLUTION_START;
                    for (i, &radix) in radices[..count].iter().enumerate() {
                        assert_eq!(descriptor.index_at(used, radix), Some(indices[i]));
                        used += radix;
                    }
                    assert_eq!(used, depth);
                    assert_eq!(descriptor.index_at(used, 1), None);
                }
            }
        }
    }

    #[test]
    fn bad_depths_are_rejected() {
        for depth in [0, 1, 7, 65, 100, u32::MAX] {
            assert_eq!(
                Descriptor::from_parts(depth, 0),
                Err(DescriptorError::InvalidDepth)
            );
        }
        for encoded in 57..=255u64 {
            assert_eq!(
                Descriptor::from_word(encoded << 56),
                Err(DescriptorError::InvalidDepth)
            );
        }
        let full = Descriptor::from_parts(64, 0).unwrap();
        assert_eq!(full.child(1, 0), Err(DescriptorError::InvalidDepth));
        assert_eq!(
            Descriptor::root_slot(57, 0),
            Err(DescriptorError::InvalidDepth)
        );
    }

    #[test]
    fn paths_wider_than_the_depth_are_rejected() {
        assert_eq!(
            Descriptor::from_parts(8, 1),
            Err(DescriptorError::PathTooWide)
        );
        assert_eq!(
            Descriptor::from_parts(16, 256),
            Err(DescriptorError::PathTooWide)
        );
        assert_eq!(
            Descriptor::from_parts(63, 1 << 55),
            Err(DescriptorError::PathTooWide)
        );
        assert!(Descriptor::from_parts(64, u64::MAX >> 8).is_ok());
        assert_eq!(
            Descriptor::root_slot(8, 256),
            Err(DescriptorError::PathTooWide)
        );
        assert_eq!(
            Descriptor::ROOT_NODE.child(4, 16),
            Err(DescriptorError::PathTooWide)
        );
    }

    #[test]
    fn words_with_bits_below_the_depth_are_rejected() {
        assert_eq!(Descriptor::from_word(1), Err(DescriptorError::TrailingBits));
        assert_eq!(
            Descriptor::from_word(0x0800_0000_0000_0000 | 5 << 48 | 1 << 47),
            Err(DescriptorError::TrailingBits)
        );
        assert_eq!(
            Descriptor::try_from(0x3800_0000_0000_0001).map(u64::from),
            Ok(0x3800_0000_0000_0001)
        );
    }

    #[test]
    fn root_slot_matches_the_spec_example() {
        for n in 0..256u64 {
            let slot = Descriptor::root_slot(8, n).unwrap();
            assert_eq!(slot.as_word(), 0x0800_0000_0000_0000 | n << 48);
            assert_eq!(slot.depth(), 16);
            assert_eq!(slot.index_at(8, 8), Some(n));
        }
        assert_eq!(
            Descriptor::root_slot(8, 3).unwrap().as_word(),
            0x0803_0000_0000_0000
        );
    }

    #[test]
    fn index_at_refuses_bad_windows() {
        let slot = Descriptor::root_slot(8, 0xab).unwrap();
        assert_eq!(slot.index_at(7, 8), None);
        assert_eq!(slot.index_at(8, 0), None);
        assert_eq!(slot.index_at(8, 9), None);
        assert_eq!(slot.index_at(9, 8), None);
        assert_eq!(slot.index_at(8, 4), Some(0xa));
        assert_eq!(slot.index_at(12, 4), Some(0xb));
        let full = Descriptor::from_parts(64, u64::MAX >> 8).unwrap();
        assert_eq!(full.index_at(8, 56), Some(u64::MAX >> 8));
        assert_eq!(full.index_at(8, 57), None);
        assert_eq!(full.index_at(60, 5), None);
        assert_eq!(full.index_at(u32::MAX, 1), None);
        assert_eq!(full.index_at(8, u32::MAX), None);
    }

    #[test]
    fn root_node_is_depth_8() {
        assert_eq!(Descriptor::ROOT_NODE.depth(), 8);
        assert_eq!(Descriptor::ROOT_NODE.path(), 0);
        assert_eq!(Descriptor::from_parts(8, 0), Ok(Descriptor::ROOT_NODE));
        assert_eq!(Descriptor::ROOT_NODE.index_at(8, 1), None);
    }
}

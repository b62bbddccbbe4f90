//! Crate-internal macros that generate the ABI's word enums and flag sets.
//!
//! Every numbered value of the ABI is a `#[repr]` enum made by `word_enum!`, and
//! every bit set is a newtype made by `word_flags!`, so that all of them share one
//! well-tested shape: `as_word`, `name`, `ALL`, and a `TryFrom<u64>` that rejects
//! every word that is not a valid value (the rejected word is the error).

/// Defines a `#[repr]` enum of ABI numbers with `as_word`, `name`, `ALL`,
/// `TryFrom<u64>` (error: the rejected word) and `From<Self> for u64`.
///
/// Each variant is written `Variant = number => "SPEC_NAME"`, with its doc comment.
macro_rules! word_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $repr:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident = $value:expr => $spec_name:literal,
            )+
        }
    ) => {
        $(#[$meta])*
        #[repr($repr)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $(
                $(#[$variant_meta])*
                $variant = $value,
            )+
        }

        impl $name {
            /// Every value, in the order the spec lists them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The value as a word (two's complement for negative numbers).
            #[must_use]
            pub const fn as_word(self) -> u64 {
                self as $repr as u64
            }

            /// The name the spec (docs/abi.md) gives this value.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $spec_name,)+
                }
            }

            /// Decodes a word; `None` if it is not one of the values.
            #[must_use]
            pub const fn from_word(word: u64) -> Option<Self> {
                $(
                    if word == Self::$variant.as_word() {
                        return Some(Self::$variant);
                    }
                )+
                None
            }
        }

        impl TryFrom<u64> for $name {
            /// The word that is not a valid value.
            type Error = u64;

            fn try_from(word: u64) -> Result<Self, u64> {
                Self::from_word(word).ok_or(word)
            }
        }

        impl From<$name> for u64 {
            fn from(value: $name) -> u64 {
                value.as_word()
            }
        }
    };
}

/// Defines a flag-set newtype over `u64` with `from_bits` (rejecting unknown bits),
/// `contains`, `is_subset_of`, `union`, `intersection`, `difference`, the `|`, `&`
/// and `-` operators, `TryFrom<u64>` and a `Debug` that names the flags.
///
/// Each flag is written `FLAG = bit_value => "SPEC_NAME"`, with its doc comment.
macro_rules! word_flags {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(
                $(#[$flag_meta:meta])*
                const $flag:ident = $value:expr => $spec_name:literal;
            )+
        }
    ) => {
        $(#[$meta])*
        #[repr(transparent)]
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
        $vis struct $name(u64);

        impl $name {
            $(
                $(#[$flag_meta])*
                pub const $flag: Self = Self($value);
            )+

            /// No flag set.
            pub const NONE: Self = Self(0);

            /// Every defined flag set.
            pub const ALL: Self = Self(0 $(| $value)+);

            /// The defined flags one by one, with their spec names, lowest bit first.
            pub const FLAGS: &'static [(Self, &'static str)] = &[$((Self::$flag, $spec_name)),+];

            /// The set as a word.
            #[must_use]
            pub const fn bits(self) -> u64 {
                self.0
            }

            /// The set with these bits; `None` if any bit is not a defined flag.
            #[must_use]
            pub const fn from_bits(bits: u64) -> Option<Self> {
                if bits & !Self::ALL.0 == 0 { Some(Self(bits)) } else { None }
            }

            /// The set with these bits, silently dropping undefined ones.
            #[must_use]
            pub const fn from_bits_truncate(bits: u64) -> Self {
                Self(bits & Self::ALL.0)
            }

            /// True if no flag is set.
            #[must_use]
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }

            /// True if every flag of `other` is also in `self`.
            #[must_use]
            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }

            /// True if every flag of `self` is also in `other`.
            #[must_use]
            pub const fn is_subset_of(self, other: Self) -> bool {
                other.contains(self)
            }

            /// The flags in either set.
            #[must_use]
            pub const fn union(self, other: Self) -> Self {
                Self(self.0 | other.0)
            }

            /// The flags in both sets.
            #[must_use]
            pub const fn intersection(self, other: Self) -> Self {
                Self(self.0 & other.0)
            }

            /// The flags of `self` that are not in `other`.
            #[must_use]
            pub const fn difference(self, other: Self) -> Self {
                Self(self.0 & !other.0)
            }
        }

        impl TryFrom<u64> for $name {
            /// The word, which has a bit that is not a defined flag.
            type Error = u64;

            fn try_from(word: u64) -> Result<Self, u64> {
                Self::from_bits(word).ok_or(word)
            }
        }

        impl From<$name> for u64 {
            fn from(flags: $name) -> u64 {
                flags.bits()
            }
        }

        impl core::ops::BitOr for $name {
            type Output = Self;

            fn bitor(self, other: Self) -> Self {
                self.union(other)
            }
        }

        impl core::ops::BitAnd for $name {
            type Output = Self;

            fn bitand(self, other: Self) -> Self {
                self.intersection(other)
            }
        }

        impl core::ops::Sub for $name {
            type Output = Self;

            fn sub(self, other: Self) -> Self {
                self.difference(other)
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                formatter.write_str(concat!(stringify!($name), "("))?;
                let mut first = true;
                for &(flag, name) in Self::FLAGS {
                    if self.contains(flag) {
                        if !first {
                            formatter.write_str(" | ")?;
                        }
                        formatter.write_str(name)?;
                        first = false;
                    }
                }
                formatter.write_str(")")
            }
        }
    };
}

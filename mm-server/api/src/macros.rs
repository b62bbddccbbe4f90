//! Crate-internal macro for the protocol's numbered values (operations, status codes).

/// Defines a `#[repr(u64)]` enum with `as_word`, `from_word`, `name` and `ALL`.
///
/// Each variant is written `Variant = number => "NAME"`, with its doc comment.
macro_rules! protocol_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident = $value:expr => $spec_name:literal,
            )+
        }
    ) => {
        $(#[$meta])*
        #[repr(u64)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $(
                $(#[$variant_meta])*
                $variant = $value,
            )+
        }

        impl $name {
            /// Every value, in numeric order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The value as a message word.
            #[must_use]
            pub const fn as_word(self) -> u64 {
                self as u64
            }

            /// The protocol name of this value.
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
    };
}

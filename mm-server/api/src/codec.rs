//! Word-level helpers shared by every message: writing a message into the payload,
//! splitting a request into its arguments, and validating common fields.

use crate::identifier::SpaceId;
use crate::operation::Operation;
use crate::protection::Protection;
use crate::status::RequestError;

/// The page size: every address and length in a request is a multiple of it.
pub const PAGE_SIZE: u64 = a9n_abi::boot::PAGE_SIZE;
/// User addresses lie below this (no region reaches past it).
pub const USER_ADDRESS_LIMIT: u64 = a9n_abi::boot::USER_ADDRESS_LIMIT;
/// Physical addresses lie below this (the architecture's 52-bit limit).
pub const PHYSICAL_ADDRESS_LIMIT: u64 = 1 << a9n_abi::object::GENERIC_SIZE_BITS_MAX;

/// Copies `message` to the start of `words`; the number of words written, or 0
/// (nothing written) when `words` is too short. No message is empty, so 0 always
/// means failure.
pub(crate) fn write(words: &mut [u64], message: &[u64]) -> usize {
    match words.get_mut(..message.len()) {
        Some(destination) => {
            destination.copy_from_slice(message);
            message.len()
        }
        None => 0,
    }
}

/// Checks that `words` is exactly a request for `operation` with `N` argument
/// words, and returns them.
pub(crate) fn arguments<const N: usize>(
    words: &[u64],
    operation: Operation,
) -> Result<[u64; N], RequestError> {
    let (&first, rest) = words.split_first().ok_or(RequestError::Empty)?;
    match Operation::from_word(first) {
        None => return Err(RequestError::UnknownOperation(first)),
        Some(found) if found != operation => return Err(RequestError::WrongOperation),
        Some(_) => {}
    }
    <[u64; N]>::try_from(rest).map_err(|_| RequestError::WrongLength {
        expected: N + 1,
        found: words.len(),
    })
}

/// An address space identifier (not 0).
pub(crate) fn space(word: u64) -> Result<SpaceId, RequestError> {
    SpaceId::new(word).ok_or(RequestError::ZeroIdentifier)
}

/// A permission word with known bits only.
pub(crate) fn protection(word: u64) -> Result<Protection, RequestError> {
    Protection::from_bits(word).ok_or(RequestError::UnknownFlags)
}

/// True if `value` is a multiple of [`PAGE_SIZE`].
#[must_use]
pub const fn is_page_aligned(value: u64) -> bool {
    value.is_multiple_of(PAGE_SIZE)
}

/// Validates a user range: `length` non-zero, both page aligned, and
/// `address + length` at most [`USER_ADDRESS_LIMIT`] without wrapping. (Address 0
/// is accepted: in MAP requests it means "mm-server chooses".)
pub(crate) fn user_range(address: u64, length: u64) -> Result<(), RequestError> {
    if length == 0 {
        return Err(RequestError::ZeroLength);
    }
    if !is_page_aligned(address) || !is_page_aligned(length) {
        return Err(RequestError::Misaligned);
    }
    match address.checked_add(length) {
        Some(end) if end <= USER_ADDRESS_LIMIT => Ok(()),
        _ => Err(RequestError::OutOfRange),
    }
}

/// Validates a physical range: page aligned and below [`PHYSICAL_ADDRESS_LIMIT`]
/// (the length was checked by [`user_range`]).
pub(crate) fn physical_range(address: u64, length: u64) -> Result<(), RequestError> {
    if !is_page_aligned(address) {
        return Err(RequestError::Misaligned);
    }
    match address.checked_add(length) {
        Some(end) if end <= PHYSICAL_ADDRESS_LIMIT => Ok(()),
        _ => Err(RequestError::OutOfRange),
    }
}

/// Implements `WORDS` and `encode` for a message type that has an inherent
/// `fn to_words(&self) -> [u64; N]`.
macro_rules! message_encoding {
    ($name:ident, $words:expr) => {
        impl $name {
            /// Words this message occupies in the payload (from MR4).
            pub const WORDS: usize = $words;

            /// Writes the message into `words` (payload word 0 = MR4) and returns the
            /// number of words written, or 0 if `words` is shorter than
            /// [`Self::WORDS`] (then nothing meaningful was written).
            pub fn encode(&self, words: &mut [u64]) -> usize {
                crate::codec::write(words, &self.to_words())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_refuses_short_buffers() {
        let mut words = [0; 2];
        assert_eq!(write(&mut words, &[1, 2, 3]), 0);
        assert_eq!(write(&mut words, &[1, 2]), 2);
        assert_eq!(words, [1, 2]);
    }

    #[test]
    fn arguments_check_operation_and_length() {
        assert_eq!(
            arguments::<1>(&[], Operation::Unmap),
            Err(RequestError::Empty)
        );
        assert_eq!(
            arguments::<1>(&[0, 1], Operation::Unmap),
            Err(RequestError::UnknownOperation(0))
        );
        assert_eq!(
            arguments::<1>(&[Operation::Brk.as_word(), 1], Operation::Unmap),
            Err(RequestError::WrongOperation)
        );
        assert_eq!(
            arguments::<1>(&[Operation::Unmap.as_word()], Operation::Unmap),
            Err(RequestError::WrongLength {
                expected: 2,
                found: 1
            })
        );
        assert_eq!(
            arguments::<1>(&[Operation::Unmap.as_word(), 9], Operation::Unmap),
            Ok([9])
        );
    }

    #[test]
    fn ranges() {
        assert_eq!(user_range(0, 0), Err(RequestError::ZeroLength));
        assert_eq!(user_range(1, PAGE_SIZE), Err(RequestError::Misaligned));
        assert_eq!(user_range(0, 1), Err(RequestError::Misaligned));
        assert_eq!(user_range(0, PAGE_SIZE), Ok(()));
        assert_eq!(
            user_range(USER_ADDRESS_LIMIT - PAGE_SIZE, PAGE_SIZE),
            Ok(())
        );
        assert_eq!(
            user_range(USER_ADDRESS_LIMIT, PAGE_SIZE),
            Err(RequestError::OutOfRange)
        );
        assert_eq!(
            user_range(u64::MAX - 4095, PAGE_SIZE),
            Err(RequestError::OutOfRange)
        );
        assert_eq!(physical_range(0xfee0_0000, PAGE_SIZE), Ok(()));
        assert_eq!(
            physical_range(PHYSICAL_ADDRESS_LIMIT, PAGE_SIZE),
            Err(RequestError::OutOfRange)
        );
        assert_eq!(physical_range(5, PAGE_SIZE), Err(RequestError::Misaligned));
    }
}

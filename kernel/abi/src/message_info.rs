//! `message_info` (docs/abi.md section 5): the word in MR2 that describes an IPC
//! message.
//!
//! | bits | field |
//! |---|---|
//! | 0 | block: 1 = wait for a partner, 0 = return at once if there is none |
//! | 1..=8 | length: payload words, in MR4 onwards |
//! | 9..=12 | number of capabilities to transfer (from the IPC buffer's transfer fields) |
//! | 13..=14 | source: NORMAL 0, FAULT 1, NOTIFICATION 2 (3 is invalid) |
//! | 15..=63 | reserved, must be 0 |
//!
//! **Maximum length.** The payload occupies MR4..MR(3 + length). With `messages[]`
//! indexed by MR number the MRs could hold 494 - 4 = 490 payload words, but the
//! length field has 8 bits, so [`MAX_MESSAGE_LENGTH`] = 255 (payload MR4..MR258).
//! Likewise the transfer count field has 4 bits: at most 15 of the IPC buffer's 16
//! `transfer_source_descriptors` are ever used.

use crate::ipc_buffer::TRANSFER_DESCRIPTOR_CAPACITY;
use crate::message_register::MESSAGE_REGISTER_COUNT;

/// MR of the message_info word in SEND, RECEIVE, CALL, REPLY and REPLY_RECEIVE.
pub const MESSAGE_INFO_MR: usize = 2;
/// MR that carries, on receive, the sender capability's identifier (badge), or the
/// notification bits when the source is NOTIFICATION.
pub const IDENTIFIER_MR: usize = 3;
/// MR of the first payload word.
pub const FIRST_PAYLOAD_MR: usize = 4;

/// Largest payload length: the 8-bit length field's limit (the MRs could hold 490).
pub const MAX_MESSAGE_LENGTH: usize = 255;
/// Largest number of capabilities one message transfers (the 4-bit field's limit).
pub const MAX_TRANSFER_COUNT: usize = 15;

const BLOCK_BIT: u64 = 1;
const LENGTH_SHIFT: u32 = 1;
const LENGTH_MASK: u64 = 0xff;
const TRANSFER_SHIFT: u32 = 9;
const TRANSFER_MASK: u64 = 0xf;
const SOURCE_SHIFT: u32 = 13;
const SOURCE_MASK: u64 = 0x3;
/// Bits of a message_info word that have a meaning; all others must be 0.
pub const DEFINED_BITS: u64 = (1 << 15) - 1;

const _: () = {
    assert!(FIRST_PAYLOAD_MR + MAX_MESSAGE_LENGTH <= MESSAGE_REGISTER_COUNT);
    assert!(MAX_MESSAGE_LENGTH as u64 == LENGTH_MASK);
    assert!(MAX_TRANSFER_COUNT as u64 == TRANSFER_MASK);
    assert!(MAX_TRANSFER_COUNT <= TRANSFER_DESCRIPTOR_CAPACITY);
};

word_enum! {
    /// Who made a message (bits 13..=14 of message_info).
    pub enum MessageSource: u64 {
        /// A user thread; user code must always send NORMAL.
        Normal = 0 => "NORMAL",
        /// The kernel, reporting a fault (a kernel-made CALL; see `fault`).
        Fault = 1 => "FAULT",
        /// The kernel, waking a RECEIVE through the bound notification port; the bits
        /// are in [`IDENTIFIER_MR`].
        Notification = 2 => "NOTIFICATION",
    }
}

/// Why a word or a set of fields is not a message_info.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageInfoError {
    /// Length over [`MAX_MESSAGE_LENGTH`].
    LengthTooLong,
    /// Transfer count over [`MAX_TRANSFER_COUNT`].
    TooManyTransfers,
    /// Source field 3.
    InvalidSource,
    /// A bit above bit 14 is set.
    ReservedBits,
}

/// A message_info word.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MessageInfo(u64);

impl MessageInfo {
    /// A message_info from its fields.
    ///
    /// # Errors
    /// [`MessageInfoError::LengthTooLong`] or [`MessageInfoError::TooManyTransfers`].
    pub const fn new(
        block: bool,
        length: usize,
        transfer_count: usize,
        source: MessageSource,
    ) -> Result<Self, MessageInfoError> {
        if length > MAX_MESSAGE_LENGTH {
            return Err(MessageInfoError::LengthTooLong);
        }
        if transfer_count > MAX_TRANSFER_COUNT {
            return Err(MessageInfoError::TooManyTransfers);
        }
        Ok(Self(
            block as u64
                | (length as u64) << LENGTH_SHIFT
                | (transfer_count as u64) << TRANSFER_SHIFT
                | source.as_word() << SOURCE_SHIFT,
        ))
    }

    /// Decodes a word.
    ///
    /// # Errors
    /// [`MessageInfoError::ReservedBits`] or [`MessageInfoError::InvalidSource`]
    /// (length and transfer count cannot overflow their fields).
    pub const fn from_word(word: u64) -> Result<Self, MessageInfoError> {
        if word & !DEFINED_BITS != 0 {
            return Err(MessageInfoError::ReservedBits);
        }
        if MessageSource::from_word((word >> SOURCE_SHIFT) & SOURCE_MASK).is_none() {
            return Err(MessageInfoError::InvalidSource);
        }
        Ok(Self(word))
    }

    /// The word.
    #[must_use]
    pub const fn as_word(self) -> u64 {
        self.0
    }

    /// True if the operation waits for a partner.
    #[must_use]
    pub const fn block(self) -> bool {
        self.0 & BLOCK_BIT != 0
    }

    /// Payload words, in MR4 onwards.
    #[must_use]
    pub const fn length(self) -> usize {
        ((self.0 >> LENGTH_SHIFT) & LENGTH_MASK) as usize
    }

    /// Number of capabilities to transfer.
    #[must_use]
    pub const fn transfer_count(self) -> usize {
        ((self.0 >> TRANSFER_SHIFT) & TRANSFER_MASK) as usize
    }

    /// Who made the message.
    #[must_use]
    pub const fn source(self) -> MessageSource {
        match MessageSource::from_word((self.0 >> SOURCE_SHIFT) & SOURCE_MASK) {
            Some(source) => source,
            // Every constructor has checked the source field.
            None => MessageSource::Normal,
        }
    }
}

impl TryFrom<u64> for MessageInfo {
    type Error = MessageInfoError;

    fn try_from(word: u64) -> Result<Self, MessageInfoError> {
        Self::from_word(word)
    }
}

impl From<MessageInfo> for u64 {
    fn from(info: MessageInfo) -> u64 {
        info.as_word()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_valid_combination_round_trips() {
        for &source in MessageSource::ALL {
            for block in [false, true] {
                for length in 0..=MAX_MESSAGE_LENGTH {
                    for transfer_count in 0..=MAX_TRANSFER_COUNT {
                        let info = MessageInfo::new(block, length, transfer_count, source).unwrap();
                        assert_eq!(info.block(), block);
                        assert_eq!(info.length(), length);
                        assert_eq!(info.transfer_count(), transfer_count);
                        assert_eq!(info.source(), source);
                        assert_eq!(MessageInfo::try_from(info.as_word()), Ok(info));
                        assert_eq!(u64::from(info), info.as_word());
                    }
                }
            }
        }
    }

    #[test]
    fn every_defined_word_decodes_except_source_3() {
        for word in 0..=DEFINED_BITS {
            let decoded = MessageInfo::from_word(word);
            if word >> 13 == 3 {
                assert_eq!(decoded, Err(MessageInfoError::InvalidSource));
            } else {
                assert_eq!(decoded.map(MessageInfo::as_word), Ok(word));
            }
        }
    }

    #[test]
    fn bit_positions_match_the_spec() {
        let info = MessageInfo::new(true, 0, 0, MessageSource::Normal).unwrap();
        assert_eq!(info.as_word(), 1);
        let info = MessageInfo::new(false, 255, 0, MessageSource::Normal).unwrap();
        assert_eq!(info.as_word(), 0xff << 1);
        let info = MessageInfo::new(false, 0, 15, MessageSource::Normal).unwrap();
        assert_eq!(info.as_word(), 0xf << 9);
        let info = MessageInfo::new(false, 0, 0, MessageSource::Notification).unwrap();
        assert_eq!(info.as_word(), 2 << 13);
        let info = MessageInfo::new(true, 3, 1, MessageSource::Fault).unwrap();
        assert_eq!(info.as_word(), 1 | 3 << 1 | 1 << 9 | 1 << 13);
    }

    #[test]
    fn out_of_range_fields_are_rejected() {
        assert_eq!(
            MessageInfo::new(false, 256, 0, MessageSource::Normal),
            Err(MessageInfoError::LengthTooLong)
        );
        assert_eq!(
            MessageInfo::new(false, 490, 0, MessageSource::Normal),
            Err(MessageInfoError::LengthTooLong)
        );
        assert_eq!(
            MessageInfo::new(false, 0, 16, MessageSource::Normal),
            Err(MessageInfoError::TooManyTransfers)
        );
        for bit in 15..64 {
            assert_eq!(
                MessageInfo::from_word(1 << bit),
                Err(MessageInfoError::ReservedBits)
            );
        }
        assert_eq!(
            MessageInfo::from_word(3 << 13),
            Err(MessageInfoError::InvalidSource)
        );
        assert_eq!(
            MessageInfo::from_word(u64::MAX),
            Err(MessageInfoError::ReservedBits)
        );
    }

    #[test]
    fn source_round_trips_and_rejects_3() {
        for (number, &source) in MessageSource::ALL.iter().enumerate() {
            assert_eq!(source.as_word(), number as u64);
            assert_eq!(MessageSource::try_from(number as u64), Ok(source));
        }
        for word in [3, 4, u64::MAX] {
            assert_eq!(MessageSource::try_from(word), Err(word));
        }
    }

    #[test]
    fn payload_positions() {
        assert_eq!(
            (MESSAGE_INFO_MR, IDENTIFIER_MR, FIRST_PAYLOAD_MR),
            (2, 3, 4)
        );
        assert_eq!(FIRST_PAYLOAD_MR + MAX_MESSAGE_LENGTH - 1, 258);
    }
}

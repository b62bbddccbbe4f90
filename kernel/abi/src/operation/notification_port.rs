//! NOTIFICATION_PORT operations (docs/abi.md section 5): a word of pending bits.
//!
//! NOTIFY ORs the invoked capability's identifier into the pending word. WAIT blocks
//! until the word is non-zero, then returns it in MR2 and clears it; POLL does the
//! same without blocking (0 when nothing is pending). A notification port bound to a
//! PCB (CONFIGURE) wakes that thread from RECEIVE with message source NOTIFICATION
//! and the bits in MR3.

use crate::rights::Rights;

word_enum! {
    /// An operation on a notification port.
    pub enum NotificationPortOperation: u64 {
        /// OR this capability's identifier into the pending word.
        Notify = 1 => "NOTIFY",
        /// Wait for pending bits; they are returned in MR2 and cleared.
        Wait = 2 => "WAIT",
        /// As WAIT, but return 0 at once if nothing is pending.
        Poll = 3 => "POLL",
        /// Store the identifier in MR2 in this capability.
        Identify = 4 => "IDENTIFY",
    }
}

/// WAIT, POLL: MR of the pending bits returned.
pub const BITS_RESULT_MR: usize = 2;
/// IDENTIFY: MR of the new identifier.
pub const IDENTIFIER_ARGUMENT_MR: usize = 2;

impl NotificationPortOperation {
    /// Rights needed on the port. Spec: NOTIFY WRITE, WAIT READ, IDENTIFY MODIFY;
    /// KOITO: POLL READ (a WAIT that does not block).
    #[must_use]
    pub const fn required_rights(self) -> Rights {
        match self {
            Self::Notify => Rights::WRITE,
            Self::Wait | Self::Poll => Rights::READ,
            Self::Identify => Rights::MODIFY,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        let names = ["NOTIFY", "WAIT", "POLL", "IDENTIFY"];
        assert_eq!(NotificationPortOperation::ALL.len(), names.len());
        for (i, &operation) in NotificationPortOperation::ALL.iter().enumerate() {
            assert_eq!(operation.as_word(), i as u64 + 1);
            assert_eq!(operation.name(), names[i]);
            assert_eq!(
                NotificationPortOperation::try_from(i as u64 + 1),
                Ok(operation)
            );
        }
        for word in [0, 5, u64::MAX] {
            assert_eq!(NotificationPortOperation::try_from(word), Err(word));
        }
        assert_eq!(
            NotificationPortOperation::Notify.required_rights(),
            Rights::WRITE
        );
        assert_eq!(
            NotificationPortOperation::Identify.required_rights(),
            Rights::MODIFY
        );
    }
}

//! IPC_PORT operations (docs/abi.md section 5): synchronous rendezvous, no buffering.
//!
//! SEND, RECEIVE, CALL, REPLY and REPLY_RECEIVE carry a
//! [`MessageInfo`](crate::message_info::MessageInfo) in MR2 and the payload from MR4;
//! on receive MR3 holds the sender capability's identifier. CALL blocks until the
//! server replies; the reply state lives in the server's thread (there is no reply
//! capability). A non-blocking SEND or RECEIVE with no partner returns without
//! changing any state.

use crate::rights::Rights;

word_enum! {
    /// An operation on an IPC port.
    pub enum IpcPortOperation: u64 {
        /// Send a message.
        Send = 1 => "SEND",
        /// Wait for a message.
        Receive = 2 => "RECEIVE",
        /// Send and wait for the reply.
        Call = 3 => "CALL",
        /// Reply to the thread whose CALL this thread received last.
        Reply = 4 => "REPLY",
        /// Reply, then wait for the next message, in one call.
        ReplyReceive = 5 => "REPLY_RECEIVE",
        /// Store the identifier in MR2 in this capability.
        Identify = 6 => "IDENTIFY",
    }
}

/// IDENTIFY: MR of the new identifier.
pub const IDENTIFIER_ARGUMENT_MR: usize = 2;

impl IpcPortOperation {
    /// Rights needed on the port (all from the spec). REPLY needs none: its
    /// authority is the reply state in the calling thread.
    #[must_use]
    pub const fn required_rights(self) -> Rights {
        match self {
            Self::Send | Self::Call => Rights::WRITE,
            Self::Receive | Self::ReplyReceive => Rights::READ,
            Self::Reply => Rights::NONE,
            Self::Identify => Rights::MODIFY,
        }
    }

    /// True for the operations that carry a message_info in MR2.
    #[must_use]
    pub const fn carries_message(self) -> bool {
        !matches!(self, Self::Identify)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        let names = [
            "SEND",
            "RECEIVE",
            "CALL",
            "REPLY",
            "REPLY_RECEIVE",
            "IDENTIFY",
        ];
        assert_eq!(IpcPortOperation::ALL.len(), names.len());
        for (i, &operation) in IpcPortOperation::ALL.iter().enumerate() {
            assert_eq!(operation.as_word(), i as u64 + 1);
            assert_eq!(operation.name(), names[i]);
            assert_eq!(IpcPortOperation::try_from(i as u64 + 1), Ok(operation));
        }
        for word in [0, 7, u64::MAX] {
            assert_eq!(IpcPortOperation::try_from(word), Err(word));
        }
    }

    #[test]
    fn rights_follow_the_spec() {
        use IpcPortOperation::*;
        assert_eq!(Send.required_rights(), Rights::WRITE);
        assert_eq!(Receive.required_rights(), Rights::READ);
        assert_eq!(Call.required_rights(), Rights::WRITE);
        assert_eq!(Reply.required_rights(), Rights::NONE);
        assert_eq!(ReplyReceive.required_rights(), Rights::READ);
        assert_eq!(Identify.required_rights(), Rights::MODIFY);
        assert!(!Identify.carries_message());
        assert!(ReplyReceive.carries_message());
    }
}

//! Reply status codes (word 0 of every reply) and request decoding errors.

protocol_enum! {
    /// Why mm-server refused a request (reply word 0; 0 means success).
    pub enum MmError {
        /// Physical memory (or mm-server's own metadata space) is exhausted.
        NoMemory = 1 => "NO_MEMORY",
        /// The request would take the client past its memory limit.
        LimitExceeded = 2 => "LIMIT_EXCEEDED",
        /// A field is malformed (alignment, range, unknown flag bits, wrong length).
        InvalidArgument = 3 => "INVALID_ARGUMENT",
        /// The address space id names no address space of this client.
        NoSuchAddressSpace = 4 => "NO_SUCH_ADDRESS_SPACE",
        /// The requested range overlaps an existing region.
        Overlap = 5 => "OVERLAP",
        /// (Part of) the range has no region.
        NotMapped = 6 => "NOT_MAPPED",
        /// The client may not do this (e.g. raise a shared mapping above its maximum).
        Permission = 7 => "PERMISSION",
        /// The operation number is unknown, or the request is valid but not supported.
        Unsupported = 8 => "UNSUPPORTED",
        /// The object handle names no object of this client.
        NoSuchObject = 9 => "NO_SUCH_OBJECT",
    }
}

/// Reply word 0 for success.
pub const STATUS_OK: u64 = 0;

/// The status word of a reply: [`STATUS_OK`] or an error code.
#[must_use]
pub const fn status_word(result: Result<(), MmError>) -> u64 {
    match result {
        Ok(()) => STATUS_OK,
        Err(error) => error.as_word(),
    }
}

/// Why a list of words is not a valid request (or reply).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestError {
    /// No words at all.
    Empty,
    /// Word 0 is not an [`Operation`](crate::Operation) number.
    UnknownOperation(u64),
    /// Word 0 is a different operation than the type being decoded.
    WrongOperation,
    /// The message does not have exactly the words this operation takes.
    WrongLength {
        /// Words the message must have.
        expected: usize,
        /// Words it has.
        found: usize,
    },
    /// An address or length is not page aligned.
    Misaligned,
    /// A length is zero.
    ZeroLength,
    /// An address range wraps around or leaves the allowed range (user space,
    /// physical address width).
    OutOfRange,
    /// A flag or permission word has bits that are not defined.
    UnknownFlags,
    /// An identifier (address space, object handle) is 0.
    ZeroIdentifier,
    /// ALLOCATE_OBJECT names a type mm-server does not make, or bad specific bits.
    InvalidObjectType,
    /// A count is 0 or above the limit.
    InvalidCount,
    /// A reply's status word is not 0 nor an [`MmError`] code.
    UnknownStatus(u64),
    /// Fields that are valid one by one but not together (e.g. a stack size for a
    /// region that is not a stack).
    Inconsistent,
}

impl RequestError {
    /// The status mm-server replies with for a request that failed to decode:
    /// UNSUPPORTED for an unknown operation, INVALID_ARGUMENT for the rest.
    #[must_use]
    pub const fn status(self) -> MmError {
        match self {
            Self::UnknownOperation(_) => MmError::Unsupported,
            _ => MmError::InvalidArgument,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_numbered_from_one() {
        for (index, &error) in MmError::ALL.iter().enumerate() {
            assert_eq!(error.as_word(), index as u64 + 1);
            assert_eq!(MmError::from_word(error.as_word()), Some(error));
        }
        assert_eq!(MmError::from_word(STATUS_OK), None);
        assert_eq!(status_word(Ok(())), 0);
        assert_eq!(status_word(Err(MmError::Overlap)), 5);
        assert_eq!(MmError::Permission.as_word(), 7);
    }

    #[test]
    fn decoding_errors_map_to_reply_statuses() {
        assert_eq!(
            RequestError::UnknownOperation(99).status(),
            MmError::Unsupported
        );
        assert_eq!(RequestError::Misaligned.status(), MmError::InvalidArgument);
    }
}

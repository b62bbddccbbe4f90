//! The message mm-server sends to a registered fault handler for a fault it cannot
//! resolve, and the vocabulary of faults it shares with the server's pager.
//!
//! `[FORWARDED_FAULT, space, address, access, instruction_pointer, reason]`, sent as
//! an ordinary (NORMAL) message to the port given with REGISTER_FAULT_HANDLER.

use crate::codec::write;
use crate::identifier::SpaceId;
use crate::status::RequestError;

/// Word 0 of a forwarded fault (outside the operation numbers, so that a handler
/// that also serves requests tells them apart).
pub const FORWARDED_FAULT: u64 = 0x100;

protocol_enum! {
    /// What the faulting access tried to do.
    pub enum FaultAccess {
        /// A data read.
        Read = 1 => "READ",
        /// A data write.
        Write = 2 => "WRITE",
        /// An instruction fetch.
        Execute = 3 => "EXECUTE",
    }
}

impl FaultAccess {
    /// The access of an x86_64 page fault, from its error code: bit 4 instruction
    /// fetch, else bit 1 write, else read.
    #[must_use]
    pub const fn from_page_fault_error_code(error_code: u64) -> Self {
        if error_code & (1 << 4) != 0 {
            Self::Execute
        } else if error_code & (1 << 1) != 0 {
            Self::Write
        } else {
            Self::Read
        }
    }
}

protocol_enum! {
    /// Why mm-server could not resolve a fault.
    pub enum FaultReason {
        /// The address is in no region (and is no stack growth): a segmentation
        /// fault.
        OutsideRegion = 1 => "OUTSIDE_REGION",
        /// The region does not allow this access (write to read-only, execute of
        /// non-executable, any access to an inaccessible region).
        Permission = 2 => "PERMISSION",
        /// Resolving it needs memory the client's limit or the machine does not have.
        OutOfMemory = 3 => "OUT_OF_MEMORY",
        /// The region's kind cannot be paged in yet (file-backed regions).
        Unsupported = 4 => "UNSUPPORTED",
    }
}

/// A fault forwarded to the space's registered handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ForwardedFault {
    /// The address space of the faulting thread.
    pub space: SpaceId,
    /// The faulting address.
    pub address: u64,
    /// What the access was.
    pub access: FaultAccess,
    /// The instruction pointer at the fault.
    pub instruction_pointer: u64,
    /// Why mm-server did not resolve it.
    pub reason: FaultReason,
}

impl ForwardedFault {
    /// Words of the message.
    pub const WORDS: usize = 6;

    /// Writes the message; 6, or 0 if `words` is shorter.
    pub fn encode(&self, words: &mut [u64]) -> usize {
        write(
            words,
            &[
                FORWARDED_FAULT,
                self.space.get(),
                self.address,
                self.access.as_word(),
                self.instruction_pointer,
                self.reason.as_word(),
            ],
        )
    }

    /// Decodes a message.
    ///
    /// # Errors
    /// [`RequestError::WrongOperation`] if word 0 is not [`FORWARDED_FAULT`],
    /// [`RequestError::WrongLength`], [`RequestError::ZeroIdentifier`],
    /// [`RequestError::UnknownFlags`] for an unknown access or reason.
    pub fn decode(words: &[u64]) -> Result<Self, RequestError> {
        let [tag, space, address, access, instruction_pointer, reason] =
            <[u64; Self::WORDS]>::try_from(words).map_err(|_| RequestError::WrongLength {
                expected: Self::WORDS,
                found: words.len(),
            })?;
        if tag != FORWARDED_FAULT {
            return Err(RequestError::WrongOperation);
        }
        Ok(Self {
            space: SpaceId::new(space).ok_or(RequestError::ZeroIdentifier)?,
            address,
            access: FaultAccess::from_word(access).ok_or(RequestError::UnknownFlags)?,
            instruction_pointer,
            reason: FaultReason::from_word(reason).ok_or(RequestError::UnknownFlags)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        let fault = ForwardedFault {
            space: SpaceId::new(4).unwrap(),
            address: 0xdead_b000,
            access: FaultAccess::Write,
            instruction_pointer: 0x40_1000,
            reason: FaultReason::Permission,
        };
        let mut words = [0; ForwardedFault::WORDS];
        assert_eq!(fault.encode(&mut words), 6);
        assert_eq!(ForwardedFault::decode(&words), Ok(fault));
        let mut bad = words;
        bad[0] = 1;
        assert_eq!(
            ForwardedFault::decode(&bad),
            Err(RequestError::WrongOperation)
        );
        let mut bad = words;
        bad[5] = 0;
        assert_eq!(
            ForwardedFault::decode(&bad),
            Err(RequestError::UnknownFlags)
        );
        assert!(ForwardedFault::decode(&words[..5]).is_err());
    }

    #[test]
    fn access_from_error_code() {
        assert_eq!(
            FaultAccess::from_page_fault_error_code(0),
            FaultAccess::Read
        );
        assert_eq!(
            FaultAccess::from_page_fault_error_code(2),
            FaultAccess::Write
        );
        assert_eq!(
            FaultAccess::from_page_fault_error_code(0x13),
            FaultAccess::Execute
        );
        assert_eq!(
            a9n_abi::fault::PAGE_FAULT_INSTRUCTION_FETCH,
            1 << 4,
            "error-code bit used above"
        );
    }
}

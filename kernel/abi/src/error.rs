//! `capability_error` (docs/abi.md section 2): why a CAPABILITY_CALL failed.
//!
//! A failed call returns MR0 = [`CALL_FAILED`](crate::kernel_call::CALL_FAILED) and
//! MR1 = the error. No operation leaves the kernel half done on error: everything is
//! validated before anything is changed.

word_enum! {
    /// The error word of a failed capability call (in MR1).
    pub enum CapabilityError: u64 {
        /// The capability's type has no such operation (or the type has none at all).
        IllegalOperation = 0 => "ILLEGAL_OPERATION",
        /// The capability lacks a right the operation needs.
        PermissionDenied = 1 => "PERMISSION_DENIED",
        /// A descriptor does not resolve: empty slot, a non-node before the depth is
        /// used up, an index past a node's size, or a depth over 64.
        InvalidDescriptor = 2 => "INVALID_DESCRIPTOR",
        /// A descriptor's depth ends part-way through a node's index: at some node
        /// `used + radix > D` (KOITO reading; the spec names the error only).
        InvalidDepth = 3 => "INVALID_DEPTH",
        /// An argument is out of range or inconsistent (also: occupied destination
        /// slot, not enough room in a Generic).
        InvalidArgument = 4 => "INVALID_ARGUMENT",
        /// An unrecoverable condition inside the kernel; never expected, report it.
        Fatal = 5 => "FATAL",
        /// The DEBUG kernel call was compiled out of this kernel.
        DebugUnimplemented = 6 => "DEBUG_UNIMPLEMENTED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_round_trips_with_its_spec_number() {
        let expected = [
            (0, "ILLEGAL_OPERATION"),
            (1, "PERMISSION_DENIED"),
            (2, "INVALID_DESCRIPTOR"),
            (3, "INVALID_DEPTH"),
            (4, "INVALID_ARGUMENT"),
            (5, "FATAL"),
            (6, "DEBUG_UNIMPLEMENTED"),
        ];
        assert_eq!(CapabilityError::ALL.len(), expected.len());
        for (&error, (number, name)) in CapabilityError::ALL.iter().zip(expected) {
            assert_eq!(error.as_word(), number);
            assert_eq!(error.name(), name);
            assert_eq!(CapabilityError::try_from(number), Ok(error));
        }
    }

    #[test]
    fn out_of_range_errors_are_rejected() {
        for word in [7, 8, 255, 1 << 32, u64::MAX] {
            assert_eq!(CapabilityError::try_from(word), Err(word));
        }
    }
}

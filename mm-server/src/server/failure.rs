//! Why an action of the server failed: a refusal the client hears about (an
//! [`MmError`]), or a kernel call that failed (reported on the console, answered as
//! NO_MEMORY: the kernel refuses mm-server only when a resource ran out or the
//! server's bookkeeping is wrong).

use a9n_abi::CapabilityError;
use mm_server_api::MmError;

/// A failed action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Refused for the client's reasons.
    Refused(MmError),
    /// A kernel call failed: what was being done and the kernel's error.
    Kernel(&'static str, CapabilityError),
}

impl Failure {
    /// The status the client gets.
    pub const fn status(self) -> MmError {
        match self {
            Self::Refused(error) => error,
            Self::Kernel(..) => MmError::NoMemory,
        }
    }
}

impl From<MmError> for Failure {
    fn from(error: MmError) -> Self {
        Self::Refused(error)
    }
}

/// Wraps a kernel call's error with what was being done, and reports it.
pub fn kernel<T>(what: &'static str, result: Result<T, CapabilityError>) -> Result<T, Failure> {
    result.map_err(|error| {
        nun::debug_println!("mm-server: {what}: {}", error.name());
        Failure::Kernel(what, error)
    })
}

/// A kernel call whose failure changes nothing the server relies on (cleanup of a
/// slot that may already be empty); the result is dropped on purpose.
pub fn ignore<T>(_result: Result<T, CapabilityError>) {}

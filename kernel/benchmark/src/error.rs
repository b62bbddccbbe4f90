//! What can stop the benchmarks: a kernel call that failed while setting up, a
//! mapping that failed, too few resources, or a check of a round trip's result.

use core::fmt;

use a9n_abi::CapabilityError;
use nun::mapping::MappingError;

/// Why the benchmarks could not run.
pub enum BenchmarkError {
    /// A kernel call failed: what was being done, and the kernel's error.
    Kernel(&'static str, CapabilityError),
    /// Mapping a frame failed.
    Mapping(&'static str, MappingError),
    /// No Generic large enough, or no slots left.
    Resources(&'static str),
    /// A timed kernel call returned this status word instead of success.
    CallFailed(&'static str, u64),
    /// A round trip delivered something other than what was sent.
    WrongResult(&'static str),
}

impl fmt::Display for BenchmarkError {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Kernel(what, error) => write!(out, "{what}: {}", error.name()),
            Self::Mapping(what, error) => write!(out, "{what}: {error:?}"),
            Self::Resources(what) => write!(out, "{what}"),
            Self::CallFailed(what, status) => {
                write!(out, "{what}: a timed call returned status {status:#x}")
            }
            Self::WrongResult(what) => write!(out, "{what}"),
        }
    }
}

/// Names the step of a kernel call's error.
pub fn kernel<T>(
    what: &'static str,
    result: Result<T, CapabilityError>,
) -> Result<T, BenchmarkError> {
    result.map_err(|error| BenchmarkError::Kernel(what, error))
}

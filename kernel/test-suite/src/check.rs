//! Test outcomes: a failure message that needs no allocation, and the checks every
//! test uses to compare the kernel's answers with docs/abi.md.

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

use a9n_abi::CapabilityError;

/// Bytes a failure message keeps (longer messages are cut).
const MESSAGE_CAPACITY: usize = 240;

/// The text of the latest failure. Tests run one at a time on the main thread, so
/// one buffer is enough; keeping the text here keeps [`Failure`] (and every
/// `Result` that carries it) one byte small.
static MESSAGE: [AtomicU8; MESSAGE_CAPACITY] = [const { AtomicU8::new(0) }; MESSAGE_CAPACITY];
/// Bytes of [`MESSAGE`] in use.
static MESSAGE_LENGTH: AtomicUsize = AtomicUsize::new(0);

/// Why a test failed; the message is kept in the failure buffer until the next
/// failure is made.
#[derive(Debug)]
pub struct Failure {
    _private: (),
}

/// Appends to [`MESSAGE`].
struct MessageWriter;

impl Write for MessageWriter {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let length = MESSAGE_LENGTH.load(Ordering::Relaxed);
        let mut take = text.len().min(MESSAGE_CAPACITY - length);
        while !text.is_char_boundary(take) {
            take -= 1;
        }
        for (offset, &byte) in text.as_bytes()[..take].iter().enumerate() {
            MESSAGE[length + offset].store(byte, Ordering::Relaxed);
        }
        MESSAGE_LENGTH.store(length + take, Ordering::Relaxed);
        Ok(())
    }
}

impl Failure {
    /// A failure with a formatted message (replacing the previous one).
    pub fn new(arguments: fmt::Arguments<'_>) -> Self {
        MESSAGE_LENGTH.store(0, Ordering::Relaxed);
        let _ = MessageWriter.write_fmt(arguments);
        Self { _private: () }
    }

    /// A copy of the message, which outlives the next failure.
    pub fn message(&self) -> Message {
        let length = MESSAGE_LENGTH.load(Ordering::Relaxed);
        let mut message = Message {
            text: [0; MESSAGE_CAPACITY],
            length,
        };
        for (byte, stored) in message.text.iter_mut().zip(&MESSAGE[..length]) {
            *byte = stored.load(Ordering::Relaxed);
        }
        message
    }

    /// Prints the message on the debug console.
    pub fn print(&self) {
        nun::debug_print!("{}", self.message());
    }
}

/// A copy of a failure's message.
pub struct Message {
    text: [u8; MESSAGE_CAPACITY],
    length: usize,
}

impl fmt::Display for Message {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only whole characters were stored.
        formatter
            .write_str(core::str::from_utf8(&self.text[..self.length]).unwrap_or("(unprintable)"))
    }
}

/// What a test returns.
pub type TestResult = Result<(), Failure>;

/// Returns a [`Failure`] with a formatted message from the enclosing function.
#[macro_export]
macro_rules! fail {
    ($($argument:tt)*) => {
        return Err($crate::check::Failure::new(format_args!($($argument)*)))
    };
}

/// Fails the enclosing test with a formatted message unless `condition` holds.
#[macro_export]
macro_rules! ensure {
    ($condition:expr, $($argument:tt)*) => {
        if !$condition {
            $crate::fail!($($argument)*);
        }
    };
}

/// Turns a kernel error into a test failure that names the step.
pub trait Expect<T> {
    /// The value, or a failure "`what`: ERROR".
    fn expect_ok(self, what: &str) -> Result<T, Failure>;
}

impl<T> Expect<T> for Result<T, CapabilityError> {
    fn expect_ok(self, what: &str) -> Result<T, Failure> {
        self.map_err(|error| Failure::new(format_args!("{what}: {}", error.name())))
    }
}

/// Checks that a call failed with exactly `expected`.
pub fn expect_error<T>(
    result: Result<T, CapabilityError>,
    expected: CapabilityError,
    what: &str,
) -> TestResult {
    match result {
        Ok(_) => fail!("{what}: succeeded, expected {}", expected.name()),
        Err(error) if error == expected => Ok(()),
        Err(error) => fail!("{what}: got {}, expected {}", error.name(), expected.name()),
    }
}

/// Checks that a call failed with one of `allowed` (for cases where docs/abi.md
/// does not name a single error; see the module of the test).
pub fn expect_error_among<T>(
    result: Result<T, CapabilityError>,
    allowed: &[CapabilityError],
    what: &str,
) -> TestResult {
    match result {
        Ok(_) => fail!("{what}: succeeded, expected an error"),
        Err(error) if allowed.contains(&error) => Ok(()),
        Err(error) => fail!("{what}: got {}, not an allowed error", error.name()),
    }
}

/// Checks that a call failed (docs/abi.md names no particular error for the case).
pub fn expect_failure<T>(result: Result<T, CapabilityError>, what: &str) -> TestResult {
    match result {
        Ok(_) => fail!("{what}: succeeded, expected an error"),
        Err(_) => Ok(()),
    }
}

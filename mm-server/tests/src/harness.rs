//! Running tests and reporting them as the boot test reads them:
//! `test NAME ... ok` or `test NAME ... FAILED: reason`, then
//! `mm tests: N passed, N failed`.

use alloc::string::String;

use crate::environment::Environment;

/// A test's result: why it failed.
pub type TestResult = Result<(), String>;

/// Fails with `message` unless `condition` holds.
pub fn check(condition: bool, message: impl FnOnce() -> String) -> TestResult {
    if condition { Ok(()) } else { Err(message()) }
}

/// Counts of the tests run.
#[derive(Default)]
pub struct Harness {
    /// Tests that passed.
    pub passed: u64,
    /// Tests that failed.
    pub failed: u64,
}

impl Harness {
    /// Runs one test and prints its line.
    pub fn run(
        &mut self,
        name: &str,
        environment: &mut Environment,
        test: fn(&mut Environment) -> TestResult,
    ) {
        match test(environment) {
            Ok(()) => {
                self.passed += 1;
                nun::debug_println!("test {name} ... ok");
            }
            Err(reason) => {
                self.failed += 1;
                nun::debug_println!("test {name} ... FAILED: {reason}");
            }
        }
    }

    /// Prints the closing line.
    pub fn report(&self) {
        nun::debug_println!("mm tests: {} passed, {} failed", self.passed, self.failed);
    }
}

//! Counting passed and failed tests across every layer for the closing line.

/// Running totals of the test command.
#[derive(Default)]
pub struct Summary {
    /// Tests that passed.
    pub passed: u64,
    /// Tests that failed.
    pub failed: u64,
    /// Names of the failed tests, for the recap.
    failures: Vec<String>,
}

impl Summary {
    /// Records one named test and prints its outcome.
    pub fn record(&mut self, name: &str, outcome: Result<(), String>) {
        match outcome {
            Ok(()) => {
                self.passed += 1;
                println!("test {name} ... ok");
            }
            Err(reason) => {
                self.failed += 1;
                println!("test {name} ... FAILED: {reason}");
                self.failures.push(name.to_owned());
            }
        }
    }

    /// Adds counts reported by another runner (e.g. `cargo test`).
    pub fn add_counts(&mut self, label: &str, passed: u64, failed: u64) {
        self.passed += passed;
        self.failed += failed;
        if failed > 0 {
            self.failures.push(format!("{label} ({failed} failed)"));
        }
    }

    /// Prints the recap of failures and the closing `total: N passed, N failed`.
    pub fn print_closing_line(&self) {
        println!();
        for failure in &self.failures {
            println!("failed: {failure}");
        }
        println!("total: {} passed, {} failed", self.passed, self.failed);
    }
}

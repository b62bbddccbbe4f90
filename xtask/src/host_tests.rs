//! The host layer of the tests: `cargo test` of the host-testable crates, and clippy
//! of every crate for its own target.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use crate::guest_build::{BARE_METAL_TARGET, UEFI_TARGET, cargo};
use crate::test_summary::Summary;

/// Parses cargo's `test result: ok. 12 passed; 0 failed; ...` line.
fn parse_result_line(line: &str) -> Option<(u64, u64)> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let number_before = |word: &str| -> Option<u64> {
        let index = rest.find(word)?;
        rest[..index].split_whitespace().last()?.parse().ok()
    };
    Some((number_before(" passed")?, number_before(" failed")?))
}

/// Runs `cargo test` on the host crates (the workspace's default members), echoing
/// its output and adding its counts to `summary`.
pub fn run_unit_tests(root: &Path, summary: &mut Summary) {
    println!("xtask: host unit tests (cargo test)");
    let child = cargo(root)
        .args(["test", "--color", "never"])
        .stdout(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(error) => {
            summary.record(
                "host unit tests",
                Err(format!("cannot run cargo test: {error}")),
            );
            return;
        }
    };
    let (mut passed, mut failed) = (0, 0);
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            if let Some((line_passed, line_failed)) = parse_result_line(&line) {
                passed += line_passed;
                failed += line_failed;
            }
        }
    }
    let success = child.wait().is_ok_and(|status| status.success());
    summary.add_counts("host unit tests", passed, failed);
    if !success && failed == 0 {
        summary.record(
            "host unit tests build",
            Err("cargo test failed to build or run".into()),
        );
    }
}

/// Runs clippy with warnings denied on the host crates and on every guest crate for
/// its own target (with each kernel feature set).
pub fn clippy_all(root: &Path) -> Result<(), String> {
    let runs: [&[&str]; 12] = [
        &["--all-targets"],
        &["--package", "a9n-kernel", "--target", BARE_METAL_TARGET],
        &[
            "--package",
            "a9n-kernel",
            "--target",
            BARE_METAL_TARGET,
            "--features",
            "self-test",
        ],
        &[
            "--package",
            "a9n-kernel",
            "--target",
            BARE_METAL_TARGET,
            "--features",
            "inject-fault",
        ],
        &["--package", "a9n-loader", "--target", UEFI_TARGET],
        &[
            "--package",
            "koito-init",
            "--package",
            "nun",
            "--target",
            BARE_METAL_TARGET,
        ],
        &[
            "--package",
            "a9n-kernel",
            "--target",
            BARE_METAL_TARGET,
            "--features",
            "no-fastpath",
        ],
        &["--package", "a9n-test-suite", "--target", BARE_METAL_TARGET],
        &["--package", "a9n-benchmark", "--target", BARE_METAL_TARGET],
        &[
            "--package",
            "mm-server",
            "--features",
            "server",
            "--target",
            BARE_METAL_TARGET,
        ],
        &[
            "--package",
            "mm-server-tests",
            "--target",
            BARE_METAL_TARGET,
        ],
        &[
            "--package",
            "posix-server",
            "--features",
            "server",
            "--target",
            BARE_METAL_TARGET,
        ],
    ];
    for arguments in runs {
        println!("xtask: cargo clippy {}", arguments.join(" "));
        let status = cargo(root)
            .arg("clippy")
            .arg("--release")
            .args(arguments)
            .args(["--", "-D", "warnings"])
            .status()
            .map_err(|error| format!("cannot run cargo clippy: {error}"))?;
        if !status.success() {
            return Err(format!("clippy found problems in: {}", arguments.join(" ")));
        }
    }
    crate::userland_build::clippy(root)
}

#[cfg(test)]
mod tests {
    use super::parse_result_line;

    #[test]
    fn parses_cargo_result_lines() {
        assert_eq!(
            parse_result_line(
                "test result: ok. 12 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s"
            ),
            Some((12, 0))
        );
        assert_eq!(
            parse_result_line("test result: FAILED. 6 passed; 1 failed; 0 ignored"),
            Some((6, 1))
        );
        assert_eq!(parse_result_line("running 3 tests"), None);
    }
}

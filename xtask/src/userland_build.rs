//! Building the userland: the Rust programs written against libc-shim
//! (`userland/programs`), for `x86_64-unknown-linux-gnu` as `#![no_std]`, linked
//! `-nostdlib -static` with libc-shim's start-up code, into their own target
//! directory (their flags differ from the host build's). Each binary `X` becomes
//! `bin/X` of the root image.

use std::path::{Path, PathBuf};

use crate::guest_build::cargo;

/// The target userland programs are built for.
pub const USERLAND_TARGET: &str = "x86_64-unknown-linux-gnu";

/// The flags of every userland build: no unwinding, static non-PIE executables
/// with libc-shim's `_start` instead of the C library's.
pub const USERLAND_RUSTFLAGS: &str = "-C panic=abort -C relocation-model=static -C target-feature=+crt-static -C link-arg=-nostartfiles -C link-arg=-nostdlib -C link-arg=-static -C link-arg=-no-pie";

/// The package holding the programs.
const PROGRAMS_PACKAGE: &str = "koito-programs";

/// Where the userland builds go.
#[must_use]
pub fn target_directory(root: &Path) -> PathBuf {
    root.join("target").join("userland")
}

/// Builds every program (release) and returns `(path in the image, host file)`
/// for each, sorted by name.
///
/// # Errors
/// A message when cargo fails or the output directory cannot be read.
pub fn build_programs(root: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    println!("xtask: building the userland ({PROGRAMS_PACKAGE}, {USERLAND_TARGET})");
    let status = cargo(root)
        .env("RUSTFLAGS", USERLAND_RUSTFLAGS)
        .args([
            "build",
            "--release",
            "--package",
            PROGRAMS_PACKAGE,
            "--bins",
        ])
        .args(["--target", USERLAND_TARGET])
        .arg("--target-dir")
        .arg(target_directory(root))
        .status()
        .map_err(|error| format!("cannot run cargo: {error}"))?;
    if !status.success() {
        return Err("building the userland failed".into());
    }
    let output = target_directory(root).join(USERLAND_TARGET).join("release");
    let mut programs = Vec::new();
    for name in program_names(root)? {
        let file = output.join(&name);
        if !file.is_file() {
            return Err(format!("the build made no {}", file.display()));
        }
        programs.push((format!("bin/{name}"), file));
    }
    programs.sort();
    Ok(programs)
}

/// The binaries of the programs package: one per file in its `src/bin`.
fn program_names(root: &Path) -> Result<Vec<String>, String> {
    let directory = root
        .join("userland")
        .join("programs")
        .join("src")
        .join("bin");
    let entries = std::fs::read_dir(&directory)
        .map_err(|error| format!("cannot read {}: {error}", directory.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            name.strip_suffix(".rs").map(str::to_owned)
        })
        .collect();
    names.sort();
    Ok(names)
}

/// Runs clippy on libc-shim and the programs for their target, warnings denied.
///
/// # Errors
/// A message when clippy fails or finds problems.
pub fn clippy(root: &Path) -> Result<(), String> {
    println!(
        "xtask: cargo clippy --package libc-shim --package {PROGRAMS_PACKAGE} --target {USERLAND_TARGET}"
    );
    let status = cargo(root)
        .env("RUSTFLAGS", USERLAND_RUSTFLAGS)
        .args([
            "clippy",
            "--release",
            "--package",
            "libc-shim",
            "--package",
            PROGRAMS_PACKAGE,
        ])
        .args(["--target", USERLAND_TARGET])
        .arg("--target-dir")
        .arg(target_directory(root))
        .args(["--", "-D", "warnings"])
        .status()
        .map_err(|error| format!("cannot run cargo clippy: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("clippy found problems in the userland".into())
    }
}

//! Building the crates that run inside QEMU, each for its own target.
//!
//! The kernel is linked non-PIE in the top 2 GiB, so its own crate is compiled with
//! `-C relocation-model=static -C code-model=kernel` (through `cargo rustc`, which
//! applies the flags to that crate only; its dependencies stay position
//! independent, which links fine). User programs are static non-PIE executables at
//! 4 MiB (`-C relocation-model=static`). No nightly flags anywhere.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Target of the kernel and of the Rust servers.
pub const BARE_METAL_TARGET: &str = "x86_64-unknown-none";
/// Target of the loader.
pub const UEFI_TARGET: &str = "x86_64-unknown-uefi";

/// Paths of everything a boot image needs.
#[derive(Clone, Debug)]
pub struct GuestBinaries {
    /// The UEFI loader (`BOOTX64.EFI`).
    pub loader: PathBuf,
    /// The kernel ELF for the requested features.
    pub kernel: PathBuf,
    /// The init server ELF.
    pub init: PathBuf,
}

/// The cargo that runs xtask (so that the pinned toolchain is used throughout).
pub fn cargo(root: &Path) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root);
    command
}

/// The cargo target directory.
pub fn target_directory(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

/// Directory for xtask's own outputs (kernels per feature set, images, logs).
pub fn output_directory(root: &Path) -> PathBuf {
    target_directory(root).join("koito")
}

/// One `cargo rustc` (or `cargo build`) of a binary for a target, in release mode.
struct GuestCrate<'a> {
    package: &'a str,
    binary: &'a str,
    target: &'a str,
    features: &'a [String],
    rustc_flags: &'a [&'a str],
}

impl GuestCrate<'_> {
    fn build(&self, root: &Path) -> Result<PathBuf, String> {
        let mut command = cargo(root);
        command.arg(if self.rustc_flags.is_empty() {
            "build"
        } else {
            "rustc"
        });
        command.args(["--release", "--package", self.package, "--bin", self.binary]);
        command.args(["--target", self.target]);
        if !self.features.is_empty() {
            command.args(["--features", &self.features.join(",")]);
        }
        if !self.rustc_flags.is_empty() {
            command.arg("--").args(self.rustc_flags);
        }
        let status = command
            .status()
            .map_err(|error| format!("cannot start cargo: {error}"))?;
        if !status.success() {
            return Err(format!(
                "building {} for {} failed",
                self.package, self.target
            ));
        }
        let file = if self.target == UEFI_TARGET {
            format!("{}.efi", self.binary)
        } else {
            self.binary.to_owned()
        };
        Ok(target_directory(root)
            .join(self.target)
            .join("release")
            .join(file))
    }
}

/// Where the kernel built with `features` is kept.
pub fn kernel_binary_for(root: &Path, features: &[String]) -> PathBuf {
    let variant = if features.is_empty() {
        "default".to_owned()
    } else {
        features.join("+")
    };
    output_directory(root).join(format!("kernel-{variant}.elf"))
}

/// Builds the kernel with `features` and keeps a copy per feature set.
pub fn build_kernel(root: &Path, features: &[String]) -> Result<PathBuf, String> {
    let built = GuestCrate {
        package: "a9n-kernel",
        binary: "a9n-kernel",
        target: BARE_METAL_TARGET,
        features,
        rustc_flags: &["-C", "relocation-model=static", "-C", "code-model=kernel"],
    }
    .build(root)?;
    let kept = kernel_binary_for(root, features);
    std::fs::create_dir_all(output_directory(root)).map_err(|error| {
        format!(
            "cannot create {}: {error}",
            output_directory(root).display()
        )
    })?;
    std::fs::copy(&built, &kept)
        .map_err(|error| format!("cannot copy {}: {error}", built.display()))?;
    Ok(kept)
}

/// Builds the loader.
pub fn build_loader(root: &Path) -> Result<PathBuf, String> {
    GuestCrate {
        package: "a9n-loader",
        binary: "a9n-loader",
        target: UEFI_TARGET,
        features: &[],
        rustc_flags: &[],
    }
    .build(root)
}

/// Builds init.
pub fn build_init(root: &Path) -> Result<PathBuf, String> {
    GuestCrate {
        package: "koito-init",
        binary: "init",
        target: BARE_METAL_TARGET,
        features: &[],
        rustc_flags: &["-C", "relocation-model=static"],
    }
    .build(root)
}

/// Builds the kernel test suite, a user-space test driver that boots as init.
pub fn build_kernel_test_suite(root: &Path) -> Result<PathBuf, String> {
    GuestCrate {
        package: "a9n-test-suite",
        binary: "kernel-test-suite",
        target: BARE_METAL_TARGET,
        features: &[],
        rustc_flags: &["-C", "relocation-model=static"],
    }
    .build(root)
}

/// Builds the kernel benchmarks, a user program that boots as init
/// (`cargo xtask bench`).
pub fn build_kernel_benchmark(root: &Path) -> Result<PathBuf, String> {
    GuestCrate {
        package: "a9n-benchmark",
        binary: "kernel-benchmark",
        target: BARE_METAL_TARGET,
        features: &[],
        rustc_flags: &["-C", "relocation-model=static"],
    }
    .build(root)
}

/// Builds the memory server (`mm-server.elf`, a boot module of every KOITO image).
pub fn build_memory_server(root: &Path) -> Result<PathBuf, String> {
    GuestCrate {
        package: "mm-server",
        binary: "mm-server",
        target: BARE_METAL_TARGET,
        features: &["server".to_owned()],
        // Boot modules are loaded whole: leave the debug information out.
        rustc_flags: &["-C", "relocation-model=static", "-C", "strip=debuginfo"],
    }
    .build(root)
}

/// Builds posix-server (`posix-server.elf`, a boot module of the default image),
/// linked with Nun's user-program linker script like the other servers (given here
/// to the binary alone, since its crate has no build script for it).
pub fn build_posix_server(root: &Path) -> Result<PathBuf, String> {
    let script = root.join("koito").join("nun").join("user.ld");
    let link_script = format!("link-arg=-T{}", script.display());
    GuestCrate {
        package: "posix-server",
        binary: "posix-server",
        target: BARE_METAL_TARGET,
        features: &["server".to_owned()],
        rustc_flags: &[
            "-C",
            "relocation-model=static",
            "-C",
            "strip=debuginfo",
            "-C",
            &link_script,
        ],
    }
    .build(root)
}

/// Builds the memory server's in-QEMU test client (`mm-tests.elf`, a boot module
/// of the `mm-server-tests` image only: it ends QEMU when done).
pub fn build_memory_tests(root: &Path) -> Result<PathBuf, String> {
    GuestCrate {
        package: "mm-server-tests",
        binary: "mm-tests",
        target: BARE_METAL_TARGET,
        features: &[],
        rustc_flags: &["-C", "relocation-model=static", "-C", "strip=debuginfo"],
    }
    .build(root)
}

/// Builds the memory server's benchmark program (`mm-bench.elf`, a boot module of
/// the image `cargo xtask bench` boots for mm-server's rows).
pub fn build_memory_benchmark(root: &Path) -> Result<PathBuf, String> {
    GuestCrate {
        package: "mm-server-tests",
        binary: "mm-bench",
        target: BARE_METAL_TARGET,
        features: &[],
        rustc_flags: &["-C", "relocation-model=static", "-C", "strip=debuginfo"],
    }
    .build(root)
}

/// Builds the loader, the kernel (with `kernel_features`) and init.
pub fn build_all(root: &Path, kernel_features: &[String]) -> Result<GuestBinaries, String> {
    Ok(GuestBinaries {
        loader: build_loader(root)?,
        kernel: build_kernel(root, kernel_features)?,
        init: build_init(root)?,
    })
}

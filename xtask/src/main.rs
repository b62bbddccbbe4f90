//! `cargo xtask`: the single entry point that builds, images, runs and tests KOITO.
//!
//! `cargo xtask run` boots KOITO in QEMU with the serial console on the terminal;
//! `cargo xtask test` runs every test (host unit tests, lints, QEMU boot tests) and
//! ends with one `total: N passed, N failed` line; `cargo xtask bench` measures the
//! kernel in instructions under QEMU's instruction counting. Missing system packages
//! (QEMU, OVMF) are installed with apt-get after saying so.

mod benchmark;
mod benchmark_report;
mod boot_tests;
mod guest_build;
mod host_tests;
mod image;
mod mm_benchmark;
mod posix_benchmark;
mod qemu;
mod root_image;
mod serial_log;
mod system_packages;
mod system_tests;
mod test_summary;
mod userland_build;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Build, run and test KOITO (the A9N microkernel and its OS personality).
#[derive(Parser)]
#[command(name = "cargo xtask", version, about)]
struct Arguments {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the loader, the kernel and the user programs for their targets.
    Build {
        /// Kernel cargo features to enable (e.g. self-test).
        #[arg(long, value_delimiter = ',')]
        kernel_features: Vec<String>,
    },
    /// Build and lay out the boot image (the FAT directory QEMU serves as a disk).
    Image {
        /// Kernel cargo features to enable.
        #[arg(long, value_delimiter = ',')]
        kernel_features: Vec<String>,
    },
    /// Boot KOITO in QEMU with the serial console on this terminal (quit: Ctrl-A X).
    Run {
        /// Kernel cargo features to enable.
        #[arg(long, value_delimiter = ',')]
        kernel_features: Vec<String>,
        /// Memory for the guest in MiB.
        #[arg(long, default_value_t = qemu::DEFAULT_MEMORY_MIB)]
        memory: u32,
    },
    /// Run every test: host unit tests, clippy, and the QEMU boot tests.
    Test {
        /// Skip clippy (faster local iterations).
        #[arg(long)]
        no_clippy: bool,
        /// Run only the boot tests whose name contains this text.
        #[arg(long)]
        boot_filter: Option<String>,
    },
    /// Run clippy on every crate for its own target, warnings denied.
    Clippy,
    /// Measure the kernel (IPC, notification, null-call and fault round trips) in
    /// instructions under QEMU `-icount shift=0,sleep=off`; writes
    /// target/koito/bench.json.
    Bench,
    /// Start QEMU halted, waiting for a debugger on localhost:1234.
    Gdb {
        /// Kernel cargo features to enable.
        #[arg(long, value_delimiter = ',')]
        kernel_features: Vec<String>,
    },
}

/// The workspace root (the parent of xtask's own directory).
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map_or_else(|| manifest.clone(), std::path::Path::to_path_buf)
}

fn main() -> ExitCode {
    let arguments = Arguments::parse();
    let root = workspace_root();
    let result = match arguments.command {
        Command::Build { kernel_features } => {
            guest_build::build_all(&root, &kernel_features).map(|_| ExitCode::SUCCESS)
        }
        Command::Image { kernel_features } => {
            image::build_standard_image(&root, "default", &kernel_features).map(|directory| {
                println!("image: {}", directory.display());
                ExitCode::SUCCESS
            })
        }
        Command::Run {
            kernel_features,
            memory,
        } => image::build_standard_image(&root, "run", &kernel_features)
            .and_then(|directory| qemu::run_interactive(&directory, memory, false)),
        Command::Gdb { kernel_features } => {
            image::build_standard_image(&root, "gdb", &kernel_features).and_then(|directory| {
                let kernel = guest_build::kernel_binary_for(&root, &kernel_features);
                println!("xtask: QEMU waits for a debugger. In another terminal run:");
                println!(
                    "  gdb {} -ex 'target remote localhost:1234'",
                    kernel.display()
                );
                qemu::run_interactive(&directory, qemu::DEFAULT_MEMORY_MIB, true)
            })
        }
        Command::Clippy => host_tests::clippy_all(&root).map(|()| ExitCode::SUCCESS),
        Command::Bench => benchmark::run(&root),
        Command::Test {
            no_clippy,
            boot_filter,
        } => run_all_tests(&root, !no_clippy, boot_filter.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask test`: every layer, one closing summary line.
fn run_all_tests(
    root: &std::path::Path,
    clippy: bool,
    boot_filter: Option<&str>,
) -> Result<ExitCode, String> {
    let mut summary = test_summary::Summary::default();
    host_tests::run_unit_tests(root, &mut summary);
    if clippy {
        summary.record(
            "clippy (every crate, its own target)",
            host_tests::clippy_all(root),
        );
    }
    boot_tests::run(root, boot_filter, &mut summary);
    summary.print_closing_line();
    Ok(if summary.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

//! mm-server's rows of `cargo xtask bench`: boots KOITO's init with mm-server and
//! its benchmark program (`mm-server/tests/src/bench`, module `mm-bench.elf`) under
//! QEMU `-icount shift=0,sleep=off`, and reads the program's `bench` rows (the
//! format of the kernel benchmarks: `benchmark_report::parse_log`).

use std::path::Path;
use std::time::Duration;

use a9n_abi::test_exit;

use crate::benchmark_report::{self, Measurement};
use crate::guest_build::{self, GuestBinaries};
use crate::image::{self, ImageContents};
use crate::qemu;
use crate::system_packages::Emulator;

/// QEMU arguments that make the guest TSC count retired instructions.
const INSTRUCTION_COUNTING: [&str; 2] = ["-icount", "shift=0,sleep=off"];
/// Hard limit for the boot.
const BOOT_TIMEOUT: Duration = Duration::from_secs(600);
/// The line the benchmark program ends with.
const DONE_LINE: &str = "mm bench done";
/// The rows the program prints.
pub const MM_ROWS: [&str; 2] = [
    "mm-server page fault (demand-zero 4 KiB, end to end)",
    "mm-server address-space clone (16 MiB of 4 KiB pages)",
];

/// Boots the benchmark image with `loader` and `kernel` and returns mm-server's
/// measurements.
pub fn measurements(
    root: &Path,
    emulator: &Emulator,
    loader: &Path,
    kernel: &Path,
) -> Result<Vec<Measurement>, String> {
    let name = "bench-mm-server";
    let directory = image::image_directory(root, name);
    let mut contents = ImageContents::complete(&GuestBinaries {
        loader: loader.to_path_buf(),
        kernel: kernel.to_path_buf(),
        init: guest_build::build_init(root)?,
    });
    contents.modules = image::koito_modules_with(
        root,
        name,
        &[(
            image::MEMORY_BENCHMARK_MODULE,
            guest_build::build_memory_benchmark(root)?,
            "20 memory-program",
        )],
    )?;
    image::lay_out(&directory, &contents)?;
    println!("xtask: booting {name} (QEMU -icount shift=0,sleep=off) ...");
    let outcome = qemu::boot_captured_with_arguments(
        emulator,
        &directory,
        qemu::DEFAULT_MEMORY_MIB,
        BOOT_TIMEOUT,
        "A9N ",
        None,
        &INSTRUCTION_COUNTING,
    )?;
    let logs = guest_build::output_directory(root).join("logs");
    let log_file = logs.join(format!("{name}.log"));
    if std::fs::create_dir_all(&logs).is_ok() {
        let _ = std::fs::write(&log_file, &outcome.log);
    }
    println!(
        "xtask: {name} finished in {:.1} s",
        outcome.elapsed.as_secs_f64()
    );
    let succeeded = !outcome.timed_out
        && outcome.status.and_then(test_exit::decode_qemu_status) == Some(test_exit::SUCCESS)
        && outcome.log.lines().any(|line| line.trim() == DONE_LINE);
    if !succeeded {
        return Err(format!(
            "the benchmark boot {name} failed (log: {})",
            log_file.display()
        ));
    }
    let measurements: Vec<Measurement> = benchmark_report::parse_log(&outcome.log)
        .into_iter()
        .filter(|measurement| MM_ROWS.contains(&measurement.name.as_str()))
        .collect();
    for row in MM_ROWS {
        if !measurements
            .iter()
            .any(|measurement| measurement.name == row)
        {
            return Err(format!("the {name} log has no row {row:?}"));
        }
    }
    Ok(measurements)
}

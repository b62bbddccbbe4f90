//! `cargo xtask bench`: boots the kernel benchmark program (`kernel/benchmark`) as
//! init under QEMU with `-icount shift=0,sleep=off`, where the guest's TSC counts
//! retired instructions so that the figures repeat exactly; once on the normal
//! kernel and once on the kernel built without the IPC fastpath (for the slow-path
//! row). Prints the table and the headline, and writes `target/koito/bench.json`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use a9n_abi::test_exit;

use crate::benchmark_report::{self, GUEST_ROWS, INTER_ADDRESS_SPACE, Measurement, Row, SLOW_PATH};
use crate::guest_build::{self, GuestBinaries};
use crate::image::{self, ImageContents};
use crate::qemu;
use crate::system_packages::Emulator;

/// QEMU arguments that make the guest TSC count retired instructions.
const INSTRUCTION_COUNTING: [&str; 2] = ["-icount", "shift=0,sleep=off"];
/// Hard limit for one benchmark boot.
const BOOT_TIMEOUT: Duration = Duration::from_secs(600);
/// The kernel feature that turns the IPC fastpath off.
const NO_FASTPATH: &str = "no-fastpath";
/// The line the benchmark program ends with.
const DONE_LINE: &str = "bench done";
/// How the figures are obtained (recorded in the JSON).
const METHOD: &str = "QEMU TCG, -cpu max, -icount shift=0,sleep=off: the guest TSC counts \
    retired instructions. Per row: 1,000 warm-up iterations, then min and median of 10,000 \
    timed iterations (lfence; rdtsc; lfence around the kernel call), minus the median of the \
    same code with syscall replaced by a 2-byte nop. The posix rows: /bin/posix-bench typed \
    at the shell prompt, bench.c's method (individually timed operations, min and median, \
    not net of the timing code), beside Linux's bench.c figures under the same settings.";

/// True if `manifest` (a Cargo.toml) declares `feature` in its `[features]` table.
fn declares_feature(manifest: &str, feature: &str) -> bool {
    let mut in_features = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_features = line == "[features]";
        } else if in_features
            && let Some((key, _)) = line.split_once('=')
            && key.trim() == feature
        {
            return true;
        }
    }
    false
}

/// Lays out an image of `kernel` with the benchmark program as init, boots it with
/// instruction counting, and returns its serial log. A failed boot prints the log.
fn boot(
    root: &Path,
    emulator: &Emulator,
    name: &str,
    loader: &Path,
    kernel: &Path,
    program: &Path,
) -> Result<String, String> {
    let directory = image::image_directory(root, name);
    image::lay_out(
        &directory,
        &ImageContents::complete(&GuestBinaries {
            loader: loader.to_path_buf(),
            kernel: kernel.to_path_buf(),
            init: program.to_path_buf(),
        }),
    )?;
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
        "xtask: {name} finished in {:.1} s: {}",
        outcome.elapsed.as_secs_f64(),
        if outcome.timed_out {
            "timed out".to_owned()
        } else {
            qemu::describe_status(outcome.status)
        }
    );
    let succeeded = !outcome.timed_out
        && outcome.status.and_then(test_exit::decode_qemu_status) == Some(test_exit::SUCCESS)
        && outcome.log.lines().any(|line| line.trim() == DONE_LINE);
    if succeeded {
        Ok(outcome.log)
    } else {
        println!(
            "----- serial log of {name} -----\n{}\n----- end of log -----",
            outcome.log
        );
        Err(format!(
            "the benchmark boot {name} failed (log: {})",
            log_file.display()
        ))
    }
}

/// The measurements of a log, checked to hold every row the program prints.
fn measurements_of(log: &str, name: &str) -> Result<Vec<Measurement>, String> {
    let measurements = benchmark_report::parse_log(log);
    for row in GUEST_ROWS {
        if !measurements
            .iter()
            .any(|measurement| measurement.name == row)
        {
            return Err(format!("the {name} log has no row {row:?}"));
        }
    }
    Ok(measurements)
}

/// The headline row of `measurements`, renamed as the slow-path row.
fn slow_path_row(measurements: &[Measurement], kernel: &str, note: Option<String>) -> Option<Row> {
    let inter = measurements
        .iter()
        .find(|measurement| measurement.name == INTER_ADDRESS_SPACE)?;
    Some(Row {
        measurement: Measurement {
            name: SLOW_PATH.to_owned(),
            ..inter.clone()
        },
        kernel: kernel.to_owned(),
        note,
    })
}

/// The commit the tree is at, marked `-dirty` when it has uncommitted changes.
fn commit(root: &Path) -> String {
    let run = |arguments: &[&str]| {
        Command::new("git")
            .args(arguments)
            .current_dir(root)
            .output()
            .ok()
            .filter(|output| output.status.success())
            .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    };
    let head = run(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    match run(&["status", "--porcelain", "--untracked-files=no"]) {
        Some(changes) if !changes.is_empty() => format!("{head}-dirty"),
        _ => head,
    }
}

/// QEMU's version line.
fn emulator_version(emulator: &Emulator) -> String {
    Command::new(&emulator.qemu)
        .arg("--version")
        .output()
        .ok()
        .and_then(|output| {
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .next()
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Where the JSON goes: `target/koito/bench.json`.
fn json_path(root: &Path) -> PathBuf {
    guest_build::output_directory(root).join("bench.json")
}

/// `cargo xtask bench`.
pub fn run(root: &Path) -> Result<ExitCode, String> {
    let emulator = crate::system_packages::ensure_qemu_and_ovmf()?;
    let loader = guest_build::build_loader(root)?;
    let program = guest_build::build_kernel_benchmark(root)?;
    let kernel = guest_build::build_kernel(root, &[])?;
    let manifest_path = root.join("kernel").join("Cargo.toml");
    let manifest = std::fs::read_to_string(&manifest_path)
        .map_err(|error| format!("cannot read {}: {error}", manifest_path.display()))?;
    let has_switch = declares_feature(&manifest, NO_FASTPATH);

    let log = boot(root, &emulator, "bench", &loader, &kernel, &program)?;
    let measurements = measurements_of(&log, "bench")?;
    let slow_path = if has_switch {
        let slow_kernel = guest_build::build_kernel(root, &[NO_FASTPATH.to_owned()])?;
        let name = "bench-no-fastpath";
        let slow_log = boot(root, &emulator, name, &loader, &slow_kernel, &program)?;
        slow_path_row(&measurements_of(&slow_log, name)?, NO_FASTPATH, None)
    } else {
        slow_path_row(
            &measurements,
            "default",
            Some(format!(
                "fastpath not implemented yet: the kernel has no `{NO_FASTPATH}` feature, so this \
                 is the normal kernel's figure"
            )),
        )
    };

    let mut rows: Vec<Row> = measurements
        .into_iter()
        .map(|measurement| Row {
            measurement,
            kernel: "default".to_owned(),
            note: None,
        })
        .collect();
    if let Some(slow_path) = slow_path {
        let position = rows
            .iter()
            .position(|row| row.measurement.name == INTER_ADDRESS_SPACE)
            .map_or(rows.len(), |index| index + 1);
        rows.insert(position, slow_path);
    }
    // mm-server's rows (page fault, clone), from their own boot.
    match crate::mm_benchmark::measurements(root, &emulator, &loader, &kernel) {
        Ok(measurements) => rows.extend(measurements.into_iter().map(|measurement| Row {
            measurement,
            kernel: "default".to_owned(),
            note: None,
        })),
        Err(error) => eprintln!("xtask: no mm-server rows: {error}"),
    }
    // The POSIX rows (posix-bench at the shell prompt) and the boot time.
    match crate::posix_benchmark::rows(root, &emulator) {
        Ok(posix_rows) => rows.extend(posix_rows),
        Err(error) => eprintln!("xtask: no POSIX rows: {error}"),
    }

    println!();
    print!("{}", benchmark_report::format_table(&rows));
    println!();
    if let Some(headline) = benchmark_report::headline(&rows) {
        println!("{headline}");
    }
    let json = benchmark_report::to_json(
        &rows,
        &benchmark_report::RunContext {
            commit: &commit(root),
            emulator: &emulator_version(&emulator),
            method: METHOD,
        },
    );
    let path = json_path(root);
    std::fs::write(&path, json)
        .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    println!("xtask: results written to {}", path.display());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_found_only_in_the_features_table() {
        let manifest = "[package]\nname = \"a9n-kernel\"\nno-fastpath = 1\n\n[features]\n\
            # comment\nself-test = []\nno-fastpath = []\n\n[dependencies]\nx = 1\n";
        assert!(declares_feature(manifest, "no-fastpath"));
        assert!(declares_feature(manifest, "self-test"));
        assert!(!declares_feature(manifest, "x"));
        assert!(!declares_feature(
            "[package]\nno-fastpath = 1\n",
            "no-fastpath"
        ));
    }

    #[test]
    fn the_slow_path_row_renames_the_headline_row() {
        let measurements = [Measurement {
            name: INTER_ADDRESS_SPACE.to_owned(),
            minimum: 1,
            median: 2,
            overhead: Some(3),
        }];
        let row = slow_path_row(&measurements, NO_FASTPATH, None).unwrap();
        assert_eq!(row.measurement.name, SLOW_PATH);
        assert_eq!(row.measurement.median, 2);
        assert_eq!(row.kernel, NO_FASTPATH);
        assert!(slow_path_row(&[], "default", None).is_none());
    }
}

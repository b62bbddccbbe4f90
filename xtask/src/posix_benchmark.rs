//! The POSIX rows of `cargo xtask bench`: boots the standard image (kernel, init,
//! mm-server, posix-server, the root image) under QEMU `-icount shift=0,sleep=off`,
//! types `posix-bench` at the shell prompt, reads the program's
//! `bench NAME MIN MEDIAN UNIT` lines, and sets each beside Linux's figure for
//! the same operation under the same QEMU settings. Also a "boot to shell prompt"
//! row: wall-clock time from starting QEMU to the first prompt in the serial log.

use std::path::Path;
use std::time::Duration;

use crate::benchmark_report::{Measurement, Row};
use crate::qemu::{self, ScriptStep};
use crate::system_packages::Emulator;

/// QEMU arguments that make the guest TSC count retired instructions.
const INSTRUCTION_COUNTING: [&str; 2] = ["-icount", "shift=0,sleep=off"];
/// Hard limit for the boot.
const BOOT_TIMEOUT: Duration = Duration::from_secs(900);
/// The shell's prompt in `/`.
const PROMPT: &str = "/ $ ";
/// The line the benchmark program ends with.
const DONE_LINE: &str = "posix bench done";
/// The name of the image and of its log.
const NAME: &str = "bench-posix";
/// The row of the boot time.
pub const BOOT_ROW: &str = "boot to shell prompt (wall-clock ms, QEMU start to first `/ $ `)";

/// The program's benchmark names, the rows they become, and Linux's figure
/// (min, median) for the same operation: Linux 6.1, musl static `bench.c`, QEMU
/// 7.2 with the same flags, from /work/shared/bench/README.md.
const POSIX_ROWS: [(&str, &str, &str); 8] = [
    ("getpid", "posix getpid", "Linux min 351, median 351"),
    (
        "pipe_rtt",
        "posix pipe round trip, 1 byte, two processes",
        "Linux min 10,323, median 12,745",
    ),
    (
        "fork_exit_wait",
        "posix fork + _exit + waitpid",
        "Linux min 194,138, median 195,224",
    ),
    (
        "fork_exec_wait",
        "posix fork + execve + waitpid (/bin/true)",
        "Linux min 397,674, median 407,728 (nop)",
    ),
    (
        "tmpfs_write",
        "posix tmpfs write 16 MiB (bytes per 1000 instructions)",
        "Linux min 363, median 362",
    ),
    (
        "tmpfs_read",
        "posix tmpfs read 16 MiB (bytes per 1000 instructions)",
        "Linux min 769, median 769",
    ),
    (
        "open_close",
        "posix open + close",
        "Linux min 9,568, median 9,568",
    ),
    ("stat", "posix stat", "Linux min 7,388, median 7,388"),
];

/// Linux's figure for a POSIX row, if `row` is one.
#[must_use]
pub fn linux_reference(row: &str) -> Option<&'static str> {
    POSIX_ROWS
        .iter()
        .find(|(_, name, _)| *name == row)
        .map(|(_, _, reference)| *reference)
}

/// One `bench NAME MIN MEDIAN UNIT` line of the program.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ProgramLine {
    name: String,
    minimum: u64,
    median: u64,
    unit: String,
}

/// The program's result lines, in log order.
fn parse_lines(log: &str) -> Vec<ProgramLine> {
    log.lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["bench", name, minimum, median, unit] => Some(ProgramLine {
                    name: (*name).to_owned(),
                    minimum: minimum.parse().ok()?,
                    median: median.parse().ok()?,
                    unit: (*unit).to_owned(),
                }),
                _ => None,
            }
        })
        .collect()
}

/// The table rows of the program's lines; an error names a missing benchmark.
fn rows_of(log: &str) -> Result<Vec<Row>, String> {
    let lines = parse_lines(log);
    let overhead = lines
        .iter()
        .find(|line| line.name == "tsc_overhead")
        .map(|line| line.median);
    let mut rows = Vec::new();
    for (program_name, row_name, _) in POSIX_ROWS {
        let line = lines
            .iter()
            .find(|line| line.name == program_name)
            .ok_or_else(|| format!("the {NAME} log has no `bench {program_name}` line"))?;
        let note = (program_name == "getpid").then(|| {
            format!(
                "posix rows are not net of the timing code ({} instructions, `tsc_overhead`), \
                 like the Linux figures; unit {}",
                overhead.map_or_else(|| "?".to_owned(), |overhead| overhead.to_string()),
                line.unit
            )
        });
        rows.push(Row {
            measurement: Measurement {
                name: row_name.to_owned(),
                minimum: line.minimum,
                median: line.median,
                overhead: None,
            },
            kernel: "default".to_owned(),
            note,
        });
    }
    Ok(rows)
}

/// The boot-time row of a boot that reached the prompt after `time_to_prompt`.
fn boot_row(time_to_prompt: Duration) -> Row {
    let milliseconds = u64::try_from(time_to_prompt.as_millis()).unwrap_or(u64::MAX);
    Row {
        measurement: Measurement {
            name: BOOT_ROW.to_owned(),
            minimum: milliseconds,
            median: milliseconds,
            overhead: None,
        },
        kernel: "default".to_owned(),
        note: Some(
            "milliseconds of host wall-clock time, not instructions: one boot under \
             -icount shift=0,sleep=off, firmware (OVMF) and loader included"
                .to_owned(),
        ),
    }
}

/// Builds the standard image, runs `posix-bench` at its shell prompt with
/// instruction counting, and returns the POSIX rows and the boot-time row.
pub fn rows(root: &Path, emulator: &Emulator) -> Result<Vec<Row>, String> {
    let image = crate::image::build_standard_image(root, NAME, &[])?;
    println!("xtask: booting {NAME} (QEMU -icount shift=0,sleep=off), typing posix-bench ...");
    let script = [ScriptStep {
        after: PROMPT,
        delay: Duration::ZERO,
        typed: b"posix-bench\r",
    }];
    let outcome = qemu::boot_scripted_with_arguments(
        emulator,
        &image,
        qemu::DEFAULT_MEMORY_MIB,
        BOOT_TIMEOUT,
        PROMPT,
        Some(DONE_LINE),
        &script,
        &INSTRUCTION_COUNTING,
    )?;
    let logs = crate::guest_build::output_directory(root).join("logs");
    let log_file = logs.join(format!("{NAME}.log"));
    if std::fs::create_dir_all(&logs).is_ok() {
        let _ = std::fs::write(&log_file, &outcome.log);
    }
    println!(
        "xtask: {NAME} finished in {:.1} s",
        outcome.elapsed.as_secs_f64()
    );
    let done = outcome.log.lines().any(|line| line.trim() == DONE_LINE);
    if outcome.timed_out || !done {
        return Err(format!(
            "the benchmark boot {NAME} did not print `{DONE_LINE}` (log: {})",
            log_file.display()
        ));
    }
    let mut rows = rows_of(&outcome.log)?;
    if let Some(time_to_prompt) = outcome.time_to_marker {
        rows.push(boot_row(time_to_prompt));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "posix-server: ready\n/ $ posix-bench\n\
        bench tsc_overhead 20 21 instructions\n\
        bench getpid 900 950 instructions/op\n\
        bench pipe_rtt 5000 6000 instructions/roundtrip\n\
        bench fork_exit_wait 100000 110000 instructions/op\n\
        bench fork_exec_wait 300000 310000 instructions/op\n\
        bench tmpfs_write 400 390 bytes/1000instructions\n\
        bench tmpfs_read 800 790 bytes/1000instructions\n\
        bench open_close 7000 7100 instructions/op\n\
        bench stat x 7 instructions/op\n\
        bench stat 5000 5100 instructions/op\n\
        posix bench done\n";

    #[test]
    fn lines_with_five_words_and_numbers_are_read() {
        let lines = parse_lines(LOG);
        assert_eq!(lines.len(), 9);
        assert_eq!(
            lines[1],
            ProgramLine {
                name: "getpid".to_owned(),
                minimum: 900,
                median: 950,
                unit: "instructions/op".to_owned(),
            }
        );
        assert!(parse_lines("bench ipc: min 1 median 2 instructions\n").is_empty());
    }

    #[test]
    fn every_benchmark_becomes_a_row_with_its_linux_figure() {
        let rows = rows_of(LOG).unwrap();
        assert_eq!(rows.len(), POSIX_ROWS.len());
        assert_eq!(rows[0].measurement.name, "posix getpid");
        assert_eq!(rows[0].measurement.median, 950);
        assert!(rows[0].note.as_deref().unwrap().contains("21 instructions"));
        assert_eq!(rows[7].measurement.minimum, 5000);
        assert_eq!(rows[5].reference(), Some("Linux min 769, median 769"));
        assert!(rows.iter().all(|row| row.reference().is_some()));
    }

    #[test]
    fn a_missing_benchmark_is_an_error() {
        let error = rows_of("bench getpid 1 2 instructions/op\n").unwrap_err();
        assert!(error.contains("pipe_rtt"));
    }

    #[test]
    fn the_boot_row_is_in_milliseconds() {
        let row = boot_row(Duration::from_millis(12_345));
        assert_eq!(row.measurement.median, 12_345);
        assert_eq!(row.reference(), None);
        assert!(row.note.is_some());
    }
}

//! QEMU boot tests: each boots one image with a hard timeout and checks the exit
//! code and the serial log. A failing test prints the whole log (also kept in
//! `target/koito/logs/`).

use std::path::Path;
use std::time::Duration;

use a9n_abi::test_exit;

use crate::guest_build::{self, GuestBinaries};
use crate::image::{self, ImageContents};
use crate::qemu::{self, BootOutcome};
use crate::system_packages::Emulator;
use crate::test_summary::Summary;

/// Hard limit for one boot (OVMF alone takes about 5 s under TCG).
const BOOT_TIMEOUT: Duration = Duration::from_secs(90);
/// The boot must reach the kernel banner this fast (firmware included).
const BANNER_DEADLINE: Duration = Duration::from_secs(15);
/// A line init prints once it runs in user mode.
const INIT_MARKER: &str = "init: nothing more to start yet";
/// The line posix-server prints once it started the first process.
const POSIX_SERVER_STARTED: &str = "posix-server: started /bin/init as pid 1";
/// Start of the kernel banner line.
const BANNER_PREFIX: &str = "A9N ";
/// Start of the kernel test suite's closing line (`kernel tests: N passed, N failed`).
const KERNEL_TESTS_PREFIX: &str = "kernel tests: ";
/// Start of the mm-server test client's closing line (`mm tests: N passed, N failed`).
const MM_TESTS_PREFIX: &str = "mm tests: ";
/// The kernel test suite's request for a key on COM1 (its interrupt test), and the
/// key the harness types then.
const KERNEL_TESTS_KEY_REQUEST: (&str, &[u8]) = ("kernel tests: type a key", b"k");

/// What a boot must show.
struct Expectation {
    /// Exit code the guest must write to the debug-exit device; ignored when the
    /// boot ends at `stop_marker`.
    exit_code: u8,
    /// Text after which the boot has shown what it must (the system keeps running,
    /// so the harness stops QEMU there).
    stop_marker: Option<&'static str>,
    /// Text the log must contain.
    log_contains: &'static [&'static str],
}

/// One boot test.
struct BootTest {
    name: &'static str,
    kernel_features: &'static [&'static str],
    init_program: InitProgram,
    breakage: Breakage,
    expectation: Expectation,
}

/// The program the image boots as init.
#[derive(Clone, Copy, PartialEq, Eq)]
enum InitProgram {
    /// KOITO's init server.
    Init,
    /// The kernel test suite (`kernel/test-suite`).
    KernelTestSuite,
    /// KOITO's init with mm-server's test client (`mm-server/tests`) as a boot
    /// module: init starts it after mm-server, and it ends QEMU.
    InitWithMemoryTests,
}

/// How an image is deliberately broken.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Breakage {
    None,
    MissingInit,
    KernelNotElf,
}

const BOOT_TESTS: [BootTest; 10] = [
    BootTest {
        name: "boot-banner",
        kernel_features: &[],
        init_program: InitProgram::Init,
        breakage: Breakage::None,
        expectation: Expectation {
            exit_code: test_exit::SUCCESS,
            stop_marker: Some(INIT_MARKER),
            log_contains: &[
                "loader: starting kernel",
                "MiB memory",
                "booted in",
                "A9N: init started",
                "init: KOITO init running",
                "init: second thread running in its own address space",
                "init: a second thread ran in its own address space",
                "init: 100000 IPC round trips with identifiers, then a notification woke the server",
                "init: resolved a page fault at",
            ],
        },
    },
    BootTest {
        name: "posix-server-starts",
        kernel_features: &[],
        init_program: InitProgram::Init,
        breakage: Breakage::None,
        expectation: Expectation {
            exit_code: test_exit::SUCCESS,
            stop_marker: Some(POSIX_SERVER_STARTED),
            log_contains: &[
                "init: started posix-server.elf (",
                "init: posix-server.elf moved to mm-server's space ",
                "posix-server: ready",
            ],
        },
    },
    BootTest {
        name: "init-demonstrations-without-fastpath",
        kernel_features: &["no-fastpath"],
        init_program: InitProgram::Init,
        breakage: Breakage::None,
        expectation: Expectation {
            exit_code: test_exit::SUCCESS,
            stop_marker: Some(INIT_MARKER),
            log_contains: &[
                "init: a second thread ran in its own address space",
                "init: 100000 IPC round trips with identifiers, then a notification woke the server",
                "init: resolved a page fault at",
            ],
        },
    },
    BootTest {
        name: "kernel-self-checks",
        kernel_features: &["self-test"],
        init_program: InitProgram::Init,
        breakage: Breakage::None,
        expectation: Expectation {
            exit_code: test_exit::SUCCESS,
            stop_marker: Some(INIT_MARKER),
            log_contains: &["kernel self-checks: ", " passed, 0 failed"],
        },
    },
    BootTest {
        name: "injected-kernel-fault-is-reported",
        kernel_features: &["inject-fault"],
        init_program: InitProgram::Init,
        breakage: Breakage::None,
        expectation: Expectation {
            exit_code: test_exit::KERNEL_FAULT,
            stop_marker: None,
            log_contains: &[
                "A9N KERNEL FAULT: page fault (#PF, vector 14) in kernel mode",
                "protection violation, write, kernel mode",
                "RIP 0xffffffff8",
            ],
        },
    },
    BootTest {
        name: "kernel-test-suite",
        kernel_features: &[],
        init_program: InitProgram::KernelTestSuite,
        breakage: Breakage::None,
        expectation: Expectation {
            exit_code: test_exit::SUCCESS,
            stop_marker: None,
            log_contains: &[KERNEL_TESTS_PREFIX, " passed, 0 failed"],
        },
    },
    BootTest {
        name: "kernel-test-suite-without-fastpath",
        kernel_features: &["no-fastpath"],
        init_program: InitProgram::KernelTestSuite,
        breakage: Breakage::None,
        expectation: Expectation {
            exit_code: test_exit::SUCCESS,
            stop_marker: None,
            log_contains: &[KERNEL_TESTS_PREFIX, " passed, 0 failed"],
        },
    },
    BootTest {
        name: "mm-server-tests",
        kernel_features: &[],
        init_program: InitProgram::InitWithMemoryTests,
        breakage: Breakage::None,
        expectation: Expectation {
            exit_code: test_exit::SUCCESS,
            stop_marker: None,
            log_contains: &[MM_TESTS_PREFIX, " passed, 0 failed"],
        },
    },
    BootTest {
        name: "missing-init-is-reported",
        kernel_features: &[],
        init_program: InitProgram::Init,
        breakage: Breakage::MissingInit,
        expectation: Expectation {
            exit_code: test_exit::LOADER_FAILURE,
            stop_marker: None,
            log_contains: &["loader: error:", "init.elf"],
        },
    },
    BootTest {
        name: "bad-kernel-elf-is-reported",
        kernel_features: &[],
        init_program: InitProgram::Init,
        breakage: Breakage::KernelNotElf,
        expectation: Expectation {
            exit_code: test_exit::LOADER_FAILURE,
            stop_marker: None,
            log_contains: &["loader: error:", "kernel.elf"],
        },
    },
];

fn check(outcome: &BootOutcome, expectation: &Expectation) -> Result<(), String> {
    if outcome.timed_out {
        return Err(format!(
            "no exit within {} s (hang)",
            BOOT_TIMEOUT.as_secs()
        ));
    }
    let code = outcome.status.and_then(test_exit::decode_qemu_status);
    if let Some(marker) = expectation.stop_marker
        && !outcome.stopped_at_marker
    {
        return Err(format!(
            "the boot ended ({}) before showing {marker:?}",
            qemu::describe_status(outcome.status)
        ));
    }
    if !outcome.stopped_at_marker && code != Some(expectation.exit_code) {
        return Err(format!(
            "expected {}, got {}",
            qemu::describe_status(Some(test_exit::qemu_status(expectation.exit_code))),
            qemu::describe_status(outcome.status)
        ));
    }
    for needle in expectation.log_contains {
        if !outcome.log.contains(needle) {
            return Err(format!("serial log lacks {needle:?}"));
        }
    }
    Ok(())
}

/// Keeps a boot's serial log in `target/koito/logs/NAME.log`.
pub fn keep_log(root: &Path, name: &str, log: &str) {
    let directory = guest_build::output_directory(root).join("logs");
    if std::fs::create_dir_all(&directory).is_ok() {
        let _ = std::fs::write(directory.join(format!("{name}.log")), log);
    }
}

/// Adds one result per self-check line of the kernel (`self-check NAME: ok`).
fn record_self_checks(log: &str, summary: &mut Summary) {
    for line in log.lines() {
        if let Some((name, result)) = line
            .strip_prefix("self-check ")
            .and_then(|rest| rest.split_once(": "))
        {
            let outcome = if result == "ok" {
                Ok(())
            } else {
                Err(result.to_owned())
            };
            summary.record(&format!("kernel self-check {name}"), outcome);
        }
    }
}

/// Adds one result per test line of an in-QEMU suite (`test NAME ... ok` or
/// `test NAME ... FAILED: reason`), named `{suite} test NAME{variant}`, and one for
/// its closing line (`{closing_prefix}N passed, N failed`), which must report 0
/// failed.
fn record_suite_tests(
    log: &str,
    suite: &str,
    closing_prefix: &str,
    variant: &str,
    summary: &mut Summary,
) {
    for line in log.lines() {
        if let Some((name, result)) = line
            .strip_prefix("test ")
            .and_then(|rest| rest.split_once(" ... "))
        {
            let outcome = match result.strip_prefix("FAILED: ") {
                None if result == "ok" => Ok(()),
                Some(reason) => Err(reason.to_owned()),
                None => Err(format!("unexpected result {result:?}")),
            };
            summary.record(&format!("{suite} test {name}{variant}"), outcome);
        }
    }
    summary.record(
        &format!("{suite} test suite reports `{closing_prefix}N passed, 0 failed`{variant}"),
        closing_result(log, closing_prefix),
    );
}

/// Whether the last closing line of a suite (`{prefix}N passed, N failed`) in
/// `log` reports 0 failed; the line itself, or that there is none, otherwise.
pub fn closing_result(log: &str, prefix: &str) -> Result<(), String> {
    let closing = log
        .lines()
        .rfind(|line| line.starts_with(prefix) && line.contains(" passed, "));
    match closing {
        Some(line) if line.ends_with(" passed, 0 failed") => Ok(()),
        Some(line) => Err(line.to_owned()),
        None => Err("no closing line".into()),
    }
}

/// Prints a serial log between markers.
pub fn print_log(name: &str, log: &str) {
    println!("----- serial log of {name} -----\n{log}\n----- end of log -----");
}

fn build_image(root: &Path, test: &BootTest) -> Result<std::path::PathBuf, String> {
    let features: Vec<String> = test.kernel_features.iter().map(|&f| f.to_owned()).collect();
    let binaries = GuestBinaries {
        loader: guest_build::build_loader(root)?,
        kernel: guest_build::build_kernel(root, &features)?,
        init: match test.init_program {
            InitProgram::Init | InitProgram::InitWithMemoryTests => guest_build::build_init(root)?,
            InitProgram::KernelTestSuite => guest_build::build_kernel_test_suite(root)?,
        },
    };
    let mut contents = ImageContents::complete(&binaries);
    match test.init_program {
        InitProgram::KernelTestSuite => {}
        InitProgram::Init => contents.modules = image::koito_modules(root)?,
        InitProgram::InitWithMemoryTests => {
            contents.modules = image::koito_modules_with(
                root,
                test.name,
                &[(
                    image::MEMORY_TESTS_MODULE,
                    guest_build::build_memory_tests(root)?,
                    "20 memory-program",
                )],
            )?;
        }
    }
    match test.breakage {
        Breakage::None => {}
        Breakage::MissingInit => contents.init = None,
        Breakage::KernelNotElf => {
            contents.kernel_bytes = Some(b"this is not an ELF file\n".repeat(64));
        }
    }
    let directory = image::image_directory(root, &format!("test-{}", test.name));
    image::lay_out(&directory, &contents)?;
    Ok(directory)
}

fn run_one(root: &Path, emulator: &Emulator, test: &BootTest, summary: &mut Summary) {
    let directory = match build_image(root, test) {
        Ok(directory) => directory,
        Err(error) => {
            summary.record(&format!("boot {}", test.name), Err(error));
            return;
        }
    };
    println!("xtask: booting {} ...", test.name);
    let outcome = match qemu::boot_captured(
        emulator,
        &directory,
        qemu::DEFAULT_MEMORY_MIB,
        BOOT_TIMEOUT,
        BANNER_PREFIX,
        test.expectation.stop_marker,
        (test.init_program == InitProgram::KernelTestSuite).then_some(KERNEL_TESTS_KEY_REQUEST),
    ) {
        Ok(outcome) => outcome,
        Err(error) => {
            summary.record(&format!("boot {}", test.name), Err(error));
            return;
        }
    };
    keep_log(root, test.name, &outcome.log);
    let result = check(&outcome, &test.expectation);
    if result.is_err() {
        print_log(test.name, &outcome.log);
    }
    println!(
        "xtask: {} finished in {:.1} s: {}",
        test.name,
        outcome.elapsed.as_secs_f64(),
        if outcome.stopped_at_marker {
            "stopped after the expected output".to_owned()
        } else {
            qemu::describe_status(outcome.status)
        }
    );
    summary.record(&format!("boot {}", test.name), result);
    if test.kernel_features.contains(&"self-test") {
        record_self_checks(&outcome.log, summary);
    }
    if test.init_program == InitProgram::KernelTestSuite {
        let variant = if test.kernel_features.contains(&"no-fastpath") {
            " (no fastpath)"
        } else {
            ""
        };
        record_suite_tests(
            &outcome.log,
            "kernel",
            KERNEL_TESTS_PREFIX,
            variant,
            summary,
        );
    }
    if test.init_program == InitProgram::InitWithMemoryTests {
        record_suite_tests(&outcome.log, "mm", MM_TESTS_PREFIX, "", summary);
    }
    if test.name == "boot-banner" {
        let banner = crate::serial_log::line_starting_with(&outcome.log, BANNER_PREFIX);
        summary.record(
            "boot banner names A9N, its version, memory and boot time",
            match banner {
                Some(line) if line.contains(env!("CARGO_PKG_VERSION")) && line.contains(" ms") => {
                    Ok(())
                }
                Some(line) => Err(format!("banner incomplete: {line}")),
                None => Err("no banner line".into()),
            },
        );
        summary.record(
            "boot reaches the banner within 15 s of starting QEMU",
            match outcome.time_to_marker {
                Some(time) if time <= BANNER_DEADLINE => {
                    println!("xtask: banner after {:.1} s", time.as_secs_f64());
                    Ok(())
                }
                Some(time) => Err(format!("banner after {:.1} s", time.as_secs_f64())),
                None => Err("no banner seen".into()),
            },
        );
    }
}

/// Runs every boot test whose name contains `filter` (all when `None`).
pub fn run(root: &Path, filter: Option<&str>, summary: &mut Summary) {
    let emulator = match crate::system_packages::ensure_qemu_and_ovmf() {
        Ok(emulator) => emulator,
        Err(error) => {
            summary.record("QEMU and OVMF available", Err(error));
            return;
        }
    };
    for test in &BOOT_TESTS {
        if filter.is_none_or(|filter| test.name.contains(filter)) {
            run_one(root, &emulator, test, summary);
        }
    }
    crate::system_tests::run(root, &emulator, filter, summary);
}

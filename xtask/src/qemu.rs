//! Running QEMU: interactively (serial console on the terminal) or captured, with a
//! hard timeout, for the tests.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use a9n_abi::test_exit;

use crate::system_packages::{self, Emulator};

/// Guest memory in MiB unless told otherwise.
pub const DEFAULT_MEMORY_MIB: u32 = 256;

/// The machine every boot uses: q35, TCG (KVM cannot run guests on these hosts),
/// `-cpu max`, OVMF, the image directory as a FAT disk, and the debug-exit device.
fn machine_arguments(emulator: &Emulator, image: &Path, memory_mib: u32) -> Vec<String> {
    let mut arguments = base_machine_arguments(emulator, image, memory_mib);
    // A writable copy of the firmware's variable store, beside the image: with it
    // OVMF maps its flash as device memory (the memory server's device test uses it).
    if let Some(template) = &emulator.ovmf_variables {
        let copy = image.with_extension("variables.fd");
        if std::fs::copy(template, &copy).is_ok() {
            arguments.push("-drive".into());
            arguments.push(format!("if=pflash,format=raw,file={}", copy.display()));
        }
    }
    arguments
}

fn base_machine_arguments(emulator: &Emulator, image: &Path, memory_mib: u32) -> Vec<String> {
    vec![
        "-machine".into(),
        "q35".into(),
        "-accel".into(),
        "tcg".into(),
        "-cpu".into(),
        "max".into(),
        "-m".into(),
        format!("{memory_mib}M"),
        "-no-reboot".into(),
        "-nic".into(),
        "none".into(),
        "-drive".into(),
        format!(
            "if=pflash,format=raw,readonly=on,file={}",
            emulator.ovmf_code.display()
        ),
        "-drive".into(),
        format!("format=raw,file=fat:rw:{}", image.display()),
        "-device".into(),
        format!(
            "isa-debug-exit,iobase={:#x},iosize=0x04",
            test_exit::DEBUG_EXIT_PORT
        ),
    ]
}

/// Explains a QEMU exit status in words.
pub fn describe_status(status: Option<i32>) -> String {
    match status.and_then(test_exit::decode_qemu_status) {
        Some(test_exit::SUCCESS) => "success".into(),
        Some(test_exit::FAILURE) => "tests failed".into(),
        Some(test_exit::KERNEL_FAULT) => "kernel fault".into(),
        Some(test_exit::LOADER_FAILURE) => "loader failure".into(),
        _ => match status {
            Some(code) => format!("QEMU exit status {code} (not a KOITO exit code)"),
            None => "QEMU was killed by a signal".into(),
        },
    }
}

/// Boots `image` with the serial console (and QEMU's monitor, Ctrl-A C) on this
/// terminal; Ctrl-A X quits. Standard input may be a pipe, so a script can type.
pub fn run_interactive(
    image: &Path,
    memory_mib: u32,
    wait_for_gdb: bool,
) -> Result<ExitCode, String> {
    let emulator = system_packages::ensure_qemu_and_ovmf()?;
    let mut command = Command::new(&emulator.qemu);
    command
        .args(machine_arguments(&emulator, image, memory_mib))
        .arg("-nographic");
    if wait_for_gdb {
        command.args(["-s", "-S"]);
    }
    let status = command
        .status()
        .map_err(|error| format!("cannot start {}: {error}", emulator.qemu.display()))?;
    println!("\nxtask: QEMU ended: {}", describe_status(status.code()));
    Ok(
        match status.code().and_then(test_exit::decode_qemu_status) {
            Some(test_exit::SUCCESS) => ExitCode::SUCCESS,
            _ => ExitCode::FAILURE,
        },
    )
}

/// What a captured boot produced.
pub struct BootOutcome {
    /// QEMU's exit status (`None` if it was killed, e.g. at the timeout).
    pub status: Option<i32>,
    /// Whether the hard timeout ended the boot.
    pub timed_out: bool,
    /// The serial log, ANSI escapes and CRs removed.
    pub log: String,
    /// Time from starting QEMU to the first line starting with the watched prefix.
    pub time_to_marker: Option<Duration>,
    /// Wall time of the whole boot.
    pub elapsed: Duration,
    /// Whether the boot was ended because the log showed the stop marker.
    pub stopped_at_marker: bool,
}

/// One step of a typed session: once `after` appears in the serial log (after
/// what the previous step typed), wait `delay`, then type `typed`.
#[derive(Clone, Copy, Debug)]
pub struct ScriptStep<'a> {
    /// Text to wait for.
    pub after: &'a str,
    /// Pause before typing.
    pub delay: Duration,
    /// Bytes to type on the serial port.
    pub typed: &'a [u8],
}

/// What a captured boot watches the serial log for, and what it types.
struct Watch<'a> {
    /// Prefix of the line whose first appearance is timed.
    marker: &'a str,
    /// Text after which QEMU is stopped.
    stop_marker: Option<&'a str>,
    /// What to type, step by step.
    script: &'a [ScriptStep<'a>],
}

/// Boots `image` headless with the serial port captured, kills QEMU after
/// `timeout` (or as soon as the log contains `stop_marker`), and notes when a line
/// starting with `marker` first appeared. With `input_after_marker` = (text,
/// bytes), the bytes are typed on the serial port once, as soon as the log
/// contains the text.
pub fn boot_captured(
    emulator: &Emulator,
    image: &Path,
    memory_mib: u32,
    timeout: Duration,
    marker: &str,
    stop_marker: Option<&str>,
    input_after_marker: Option<(&str, &[u8])>,
) -> Result<BootOutcome, String> {
    let step = input_after_marker.map(|(after, typed)| ScriptStep {
        after,
        delay: Duration::ZERO,
        typed,
    });
    let watch = Watch {
        marker,
        stop_marker,
        script: step.as_slice(),
    };
    capture(emulator, image, memory_mib, timeout, &watch, &[])
}

/// As [`boot_captured`], typing `script` step by step.
pub fn boot_scripted(
    emulator: &Emulator,
    image: &Path,
    memory_mib: u32,
    timeout: Duration,
    marker: &str,
    stop_marker: Option<&str>,
    script: &[ScriptStep<'_>],
) -> Result<BootOutcome, String> {
    let watch = Watch {
        marker,
        stop_marker,
        script,
    };
    capture(emulator, image, memory_mib, timeout, &watch, &[])
}

/// As [`boot_scripted`], with `extra_arguments` added to the machine's (e.g.
/// `-icount shift=0,sleep=off` for the POSIX benchmarks typed at the shell).
#[allow(clippy::too_many_arguments)]
pub fn boot_scripted_with_arguments(
    emulator: &Emulator,
    image: &Path,
    memory_mib: u32,
    timeout: Duration,
    marker: &str,
    stop_marker: Option<&str>,
    script: &[ScriptStep<'_>],
    extra_arguments: &[&str],
) -> Result<BootOutcome, String> {
    let watch = Watch {
        marker,
        stop_marker,
        script,
    };
    capture(
        emulator,
        image,
        memory_mib,
        timeout,
        &watch,
        extra_arguments,
    )
}

/// As [`boot_captured`] without input, with `extra_arguments` added to the
/// machine's (e.g. `-icount shift=0,sleep=off` for the benchmarks).
pub fn boot_captured_with_arguments(
    emulator: &Emulator,
    image: &Path,
    memory_mib: u32,
    timeout: Duration,
    marker: &str,
    stop_marker: Option<&str>,
    extra_arguments: &[&str],
) -> Result<BootOutcome, String> {
    let watch = Watch {
        marker,
        stop_marker,
        script: &[],
    };
    capture(
        emulator,
        image,
        memory_mib,
        timeout,
        &watch,
        extra_arguments,
    )
}

/// The captured boot of [`boot_captured`] and [`boot_captured_with_arguments`].
fn capture(
    emulator: &Emulator,
    image: &Path,
    memory_mib: u32,
    timeout: Duration,
    watch: &Watch<'_>,
    extra_arguments: &[&str],
) -> Result<BootOutcome, String> {
    let Watch {
        marker,
        stop_marker,
        script,
    } = *watch;
    let start = Instant::now();
    let mut child = Command::new(&emulator.qemu)
        .args(machine_arguments(emulator, image, memory_mib))
        .args(extra_arguments)
        .args(["-display", "none", "-serial", "stdio", "-monitor", "none"])
        .stdin(if !script.is_empty() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot start {}: {error}", emulator.qemu.display()))?;
    let output = Arc::new(Mutex::new(Vec::<u8>::new()));
    let marker_time = Arc::new(Mutex::new(None::<Duration>));
    let stop_seen = Arc::new(Mutex::new(false));
    let mut stdout = child.stdout.take().ok_or("no QEMU stdout")?;
    // The serial port's input, until it is typed (then kept open until QEMU ends).
    let steps: Vec<(String, Duration, Vec<u8>)> = script
        .iter()
        .map(|step| (step.after.to_owned(), step.delay, step.typed.to_vec()))
        .collect();
    let mut stdin = child.stdin.take();
    let reader = {
        let output = Arc::clone(&output);
        let marker_time = Arc::clone(&marker_time);
        let stop_seen = Arc::clone(&stop_seen);
        let stop_pattern = stop_marker.map(str::to_owned);
        let pattern = format!("\n{marker}");
        std::thread::spawn(move || {
            let mut next_step = 0;
            let mut typed_at = 0;
            let mut buffer = [0u8; 4096];
            while let Ok(count) = stdout.read(&mut buffer) {
                if count == 0 {
                    break;
                }
                let mut all = output
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                all.extend_from_slice(&buffer[..count]);
                let text = crate::serial_log::clean(&all);
                let mut seen = marker_time
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if seen.is_none() && text.contains(&pattern) {
                    *seen = Some(start.elapsed());
                }
                while let Some((after, delay, bytes)) = steps.get(next_step)
                    && let Some(stdin) = stdin.as_mut()
                    && text
                        .get(typed_at..)
                        .is_some_and(|rest| rest.contains(after.as_str()))
                {
                    std::thread::sleep(*delay);
                    // A failed write shows as a test that waits in vain.
                    let _ = stdin.write_all(bytes).and_then(|()| stdin.flush());
                    next_step += 1;
                    typed_at = text.len();
                }
                if let Some(stop) = &stop_pattern
                    && text.contains(stop.as_str())
                {
                    *stop_seen
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = true;
                }
            }
        })
    };
    let mut timed_out = false;
    let mut stopped_at_marker = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None)
                if *stop_seen
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) =>
            {
                // Give the guest a moment to finish the line it is printing.
                std::thread::sleep(Duration::from_millis(200));
                stopped_at_marker = true;
                let _ = child.kill();
                break child
                    .wait()
                    .map_err(|error| format!("waiting for QEMU: {error}"))?;
            }
            Ok(None) if start.elapsed() > timeout => {
                timed_out = true;
                let _ = child.kill();
                break child
                    .wait()
                    .map_err(|error| format!("waiting for QEMU: {error}"))?;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(error) => return Err(format!("waiting for QEMU: {error}")),
        }
    };
    let _ = reader.join();
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    let raw = output
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let mut log = crate::serial_log::clean(&raw);
    if !stderr.trim().is_empty() {
        log.push_str("\n[qemu stderr]\n");
        log.push_str(&stderr);
    }
    let time_to_marker = *marker_time
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    Ok(BootOutcome {
        status: if timed_out || stopped_at_marker {
            None
        } else {
            status.code()
        },
        timed_out,
        stopped_at_marker,
        log,
        time_to_marker,
        elapsed: start.elapsed(),
    })
}

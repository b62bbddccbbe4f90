//! System tests: boot the whole of KOITO (kernel, init, mm-server, posix-server,
//! the root image) and use it through its console, as a user would.
//!
//! - `posix-tests`: types `posix-tests` at the shell prompt; every check line the
//!   program prints must equal the line the same checks print on the Linux host
//!   (`posix-tests-linux`, the oracle), and the program must end with
//!   `posix tests: N passed, 0 failed`.
//! - `shell-session`: a scripted session: pipelines, redirections, `&&`, line
//!   editing and history, Ctrl-C on `sleep 100`, a crashing program, a fork bomb
//!   held by the process limit and a program that exhausts its memory, each
//!   answered with a clear message while the shell keeps working.
//! - `bad-requests`: `request-checks` sends posix-server malformed and random
//!   requests; each must get its errno and the server must keep serving.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::boot_tests::{closing_result, keep_log, print_log};
use crate::qemu::{self, ScriptStep};
use crate::system_packages::Emulator;
use crate::test_summary::Summary;

/// Hard limit for the POSIX test boot.
const POSIX_TESTS_TIMEOUT: Duration = Duration::from_secs(240);
/// Hard limit for the shell session.
const SESSION_TIMEOUT: Duration = Duration::from_secs(300);
/// The shell's prompt in `/`.
const PROMPT: &str = "/ $ ";
/// Start of the POSIX tests' closing line.
const POSIX_CLOSING: &str = "posix tests: ";

/// Runs the system tests whose name contains `filter`.
pub fn run(root: &Path, emulator: &Emulator, filter: Option<&str>, summary: &mut Summary) {
    let wanted = |name: &str| filter.is_none_or(|filter| name.contains(filter));
    if !wanted("posix-tests") && !wanted("shell-session") && !wanted("bad-requests") {
        return;
    }
    let image = match crate::image::build_standard_image(root, "system-tests", &[]) {
        Ok(image) => image,
        Err(error) => {
            summary.record("system tests image", Err(error));
            return;
        }
    };
    if wanted("posix-tests") {
        posix_tests(root, emulator, &image, summary);
    }
    if wanted("shell-session") {
        shell_session(root, emulator, &image, summary);
    }
    if wanted("bad-requests") {
        bad_requests(root, emulator, &image, summary);
    }
}

/// `request-checks`: malformed and random requests to posix-server, each answered
/// with its error, the server still serving afterwards.
fn bad_requests(root: &Path, emulator: &Emulator, image: &Path, summary: &mut Summary) {
    const CLOSING: &str = "request checks: ";
    println!("xtask: booting bad-requests ...");
    let script = [step(PROMPT, b"request-checks\r")];
    let outcome = match qemu::boot_scripted(
        emulator,
        image,
        qemu::DEFAULT_MEMORY_MIB,
        POSIX_TESTS_TIMEOUT,
        "A9N ",
        Some(CLOSING),
        &script,
    ) {
        Ok(outcome) => outcome,
        Err(error) => {
            summary.record("boot bad-requests", Err(error));
            return;
        }
    };
    keep_log(root, "bad-requests", &outcome.log);
    let mut failed = false;
    for line in outcome.log.lines() {
        if line.starts_with("ok ") {
            summary.record(
                &format!("posix-server request: {}", check_name(line)),
                Ok(()),
            );
        } else if line.starts_with("FAIL ") {
            failed = true;
            summary.record(
                &format!("posix-server request: {}", check_name(line)),
                Err(line.to_owned()),
            );
        }
    }
    let result = closing_result(&outcome.log, CLOSING);
    failed |= result.is_err();
    summary.record(
        "request checks end with `request checks: N passed, 0 failed`",
        result,
    );
    if failed {
        print_log("bad-requests", &outcome.log);
    }
}

/// The oracle: the same checks on the Linux host.
fn linux_oracle(root: &Path) -> Result<Vec<String>, String> {
    println!("xtask: running the POSIX checks on the Linux host (the oracle)");
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args(["run", "--quiet", "--release", "--package", "posix-tests"])
        .args(["--features", "host", "--bin", "posix-tests-linux"])
        .output()
        .map_err(|error| format!("cannot run cargo: {error}"))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        return Err(format!(
            "posix-tests-linux failed on the host:\n{text}{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(text
        .lines()
        .filter(|line| line.starts_with("ok ") || line.starts_with("FAIL "))
        .map(str::to_owned)
        .collect())
}

/// The name of a check line (`ok NAME: OBSERVED`).
fn check_name(line: &str) -> &str {
    let rest = line
        .strip_prefix("ok ")
        .or_else(|| line.strip_prefix("FAIL "))
        .unwrap_or(line);
    rest.split_once(": ").map_or(rest, |(name, _)| name)
}

fn posix_tests(root: &Path, emulator: &Emulator, image: &Path, summary: &mut Summary) {
    let expected = match linux_oracle(root) {
        Ok(lines) => lines,
        Err(error) => {
            summary.record("posix tests: the Linux oracle runs", Err(error));
            return;
        }
    };
    println!("xtask: booting posix-tests ...");
    let script = [ScriptStep {
        after: PROMPT,
        delay: Duration::ZERO,
        typed: b"posix-tests\r",
    }];
    let outcome = match qemu::boot_scripted(
        emulator,
        image,
        qemu::DEFAULT_MEMORY_MIB,
        POSIX_TESTS_TIMEOUT,
        "A9N ",
        Some(POSIX_CLOSING),
        &script,
    ) {
        Ok(outcome) => outcome,
        Err(error) => {
            summary.record("boot posix-tests", Err(error));
            return;
        }
    };
    keep_log(root, "posix-tests", &outcome.log);
    let observed: Vec<&str> = outcome
        .log
        .lines()
        .filter(|line| line.starts_with("ok ") || line.starts_with("FAIL "))
        .collect();
    let mut failures = 0;
    for line in &expected {
        let name = check_name(line);
        let result = match observed.iter().find(|seen| check_name(seen) == name) {
            Some(seen) if *seen == line => Ok(()),
            Some(seen) => Err(format!("KOITO printed `{seen}`, Linux `{line}`")),
            None => Err("KOITO printed no result".to_owned()),
        };
        if result.is_err() {
            failures += 1;
        }
        summary.record(&format!("posix {name}"), result);
    }
    let closing = closing_result(&outcome.log, POSIX_CLOSING);
    if closing.is_err() {
        failures += 1;
    }
    summary.record(
        "posix tests end with `posix tests: N passed, 0 failed`",
        closing,
    );
    if failures > 0 {
        print_log("posix-tests", &outcome.log);
    }
    println!(
        "xtask: posix-tests finished in {:.1} s ({} checks compared with Linux)",
        outcome.elapsed.as_secs_f64(),
        expected.len()
    );
}

/// A step typing `command` and Enter once the prompt (or `after`) shows.
const fn step<'a>(after: &'a str, typed: &'a [u8]) -> ScriptStep<'a> {
    ScriptStep {
        after,
        delay: Duration::ZERO,
        typed,
    }
}

/// The marker the session ends with: the last command's output, which its echo
/// does not contain.
const SESSION_END: &str = "shell-is-alive";

fn shell_session(root: &Path, emulator: &Emulator, image: &Path, summary: &mut Summary) {
    let script = [
        step(PROMPT, b"ls -l / | cat\r"),
        step(PROMPT, b"echo hi > /tmp/a; cat /tmp/a\r"),
        step(PROMPT, b"echo more >> /tmp/a; cat < /tmp/a\r"),
        step(PROMPT, b"sleep 1 && echo done\r"),
        step(PROMPT, b"false || echo recovered; false && echo never\r"),
        step(
            PROMPT,
            b"GREETING='hello  world'; echo \"$GREETING\" $GREETING\r",
        ),
        step(PROMPT, b"ls /nowhere 2>&1 | cat; echo status $?\r"),
        // Line editing: two lefts, insert X; then history: up arrow, Enter.
        step(PROMPT, b"echo abc\x1b[D\x1b[DX\r"),
        step(PROMPT, b"\x1b[A\r"),
        step(PROMPT, b"cd /tmp; pwd; cd /\r"),
        step(
            PROMPT,
            b"mkdir /tmp/d; ls -a /tmp/d; rm -r /tmp/d; ls /tmp\r",
        ),
        step(PROMPT, b"ps | cat\r"),
        step(PROMPT, b"sleep 1 &\r"),
        step(PROMPT, b"sleep 100\r"),
        ScriptStep {
            after: "sleep 100",
            delay: Duration::from_secs(4),
            typed: b"\x03",
        },
        step(PROMPT, b"echo interrupted $?\r"),
        step(PROMPT, b"sleep 2\r"),
        ScriptStep {
            after: "sleep 2",
            delay: Duration::from_secs(1),
            typed: b"\x1a",
        },
        step(PROMPT, b"echo suspend-ignored\r"),
        step(PROMPT, b"crash\r"),
        step(PROMPT, b"echo crash status $?\r"),
        step(PROMPT, b"crash ill; crash fpe\r"),
        step(PROMPT, b"forkbomb\r"),
        step(PROMPT, b"memhog\r"),
        step(PROMPT, b"kill -9 999; echo kill status $?\r"),
        step(PROMPT, b"STATE=alive; echo shell-is-$STATE\r"),
    ];
    println!("xtask: booting shell-session ...");
    let outcome = match qemu::boot_scripted(
        emulator,
        image,
        qemu::DEFAULT_MEMORY_MIB,
        SESSION_TIMEOUT,
        "A9N ",
        Some(SESSION_END),
        &script,
    ) {
        Ok(outcome) => outcome,
        Err(error) => {
            summary.record("boot shell-session", Err(error));
            return;
        }
    };
    keep_log(root, "shell-session", &outcome.log);
    let log = &outcome.log;
    let expectations: [(&str, &[&str]); 19] = [
        ("the shell prompts with its directory", &["/ $ "]),
        (
            "ls -l / | cat lists the root",
            &["drwxr-xr-x", " bin\n", " tmp\n"],
        ),
        ("echo hi > /tmp/a; cat /tmp/a", &["\nhi\n"]),
        (">> appends and < reads", &["\nhi\nmore\n"]),
        ("sleep 1 && echo done", &["\ndone\n"]),
        ("|| and && short-circuit", &["\nrecovered\n"]),
        (
            "quoting and field splitting",
            &["\nhello  world hello world\n"],
        ),
        (
            "2>&1 into a pipe, and $?",
            &["ls: cannot access '/nowhere': No such file or directory\nstatus 0"],
        ),
        ("line editing inserts at the cursor", &["\naXbc\n"]),
        ("cd and pwd", &["\n/tmp\n"]),
        ("mkdir, ls -a, rm -r", &["\n.\n..\n"]),
        (
            "ps lists the shell and init",
            &["PID  PPID  PGID STAT CMD", " init\n", " sh\n", " ps\n"],
        ),
        (
            "Ctrl-C ends sleep 100 and $? is 130",
            &["^C", "interrupted 130"],
        ),
        (
            "an invalid instruction and a division by zero are reported",
            &["Illegal instruction", "Floating point exception"],
        ),
        (
            "a background job is started and reported done",
            &["\n[1] ", "[1]+  Done"],
        ),
        (
            "Ctrl-Z does not leave the shell waiting",
            &["\nsuspend-ignored\n"],
        ),
        (
            "a null dereference is reported and the shell goes on",
            &[
                "crash: about to fault",
                "Segmentation fault",
                "crash status 139",
            ],
        ),
        (
            "the fork bomb meets the process limit",
            &["forkbomb: fork failed: Resource temporarily unavailable"],
        ),
        (
            "memory exhaustion is reported clearly",
            &["memhog: out of memory after "],
        ),
    ];
    let mut failed = false;
    for (name, needles) in expectations {
        let missing: Vec<&str> = needles
            .iter()
            .copied()
            .filter(|needle| !log.contains(needle))
            .collect();
        let result = if missing.is_empty() {
            Ok(())
        } else {
            failed = true;
            Err(format!("the console lacks {missing:?}"))
        };
        summary.record(&format!("shell session: {name}"), result);
    }
    let recalled = log.matches("\naXbc\n").count();
    summary.record(
        "shell session: history recalls the last line (up arrow)",
        if recalled >= 2 {
            Ok(())
        } else {
            failed = true;
            Err(format!("`aXbc` printed {recalled} times, not twice"))
        },
    );
    let end = if log.contains(&format!("\n{SESSION_END}")) {
        Ok(())
    } else {
        failed = true;
        Err("the shell did not answer the last command".to_owned())
    };
    summary.record("shell session: the shell still works at the end", end);
    if failed {
        print_log("shell-session", log);
    }
    println!(
        "xtask: shell-session finished in {:.1} s",
        outcome.elapsed.as_secs_f64()
    );
}

//! Processes: fork, _exit, waitpid (WNOHANG, ECHILD), kill, getpid/getppid,
//! execve, process groups and sessions.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::posix::constants::{O_RDONLY, SEEK_CUR, SIGKILL, SIGTERM, WNOHANG};
use crate::posix::{Pid, Posix, TimeSpec};
use crate::suite::{Suite, outcome, status_text};
use posix_server_api::Errno;

/// How long a child that should be interrupted sleeps.
const LONG_SLEEP: TimeSpec = TimeSpec {
    seconds: 10,
    nanoseconds: 0,
};

/// Runs the process checks.
pub fn run<P: Posix>(suite: &mut Suite<'_, P>) {
    waiting(suite);
    killing(suite);
    identities(suite);
    executing(suite);
    groups_and_sessions(suite);
}

/// "own pid" when `result` is `expected`, else the value or errno.
fn pid_text(result: &Result<Pid, Errno>, expected: Pid) -> String {
    match result {
        Ok(pid) if *pid == expected => "own pid".to_string(),
        Ok(_) => "another pid".to_string(),
        Err(errno) => errno.name().to_string(),
    }
}

fn waiting<P: Posix>(suite: &mut Suite<'_, P>) {
    let result = suite.posix.waitpid(-1, 0);
    suite.check("waitpid with no children", &outcome(&result), "ECHILD");
    let result = suite.posix.waitpid(-1, WNOHANG);
    suite.check(
        "waitpid WNOHANG with no children",
        &outcome(&result),
        "ECHILD",
    );
    let status = suite.in_child(|_| 7);
    suite.check("fork, child _exit(7)", &status, "exited 7");
    let status = suite.in_child(|_| 256 + 5);
    suite.check("_exit(261) keeps the low 8 bits", &status, "exited 5");

    match suite.posix.fork() {
        Err(errno) => suite.check("fork", errno.name(), "ok"),
        Ok(0) => suite.posix.exit(3),
        Ok(child) => {
            let result = suite.posix.waitpid(-1, 0);
            let observed = match result {
                Ok(Some((pid, status))) if pid == child => {
                    format!("the child, {}", status_text(status))
                }
                Ok(Some((_, status))) => format!("another pid, {}", status_text(status)),
                Ok(None) => "nothing".to_string(),
                Err(errno) => errno.name().to_string(),
            };
            suite.check(
                "waitpid(-1) reaps the child fork returned",
                &observed,
                "the child, exited 3",
            );
        }
    }

    match suite.posix.fork() {
        Err(errno) => suite.check("fork", errno.name(), "ok"),
        Ok(0) => {
            let _ = suite.posix.nanosleep(TimeSpec {
                seconds: 0,
                nanoseconds: 300_000_000,
            });
            suite.posix.exit(0)
        }
        Ok(child) => {
            let result = suite.posix.waitpid(child, WNOHANG);
            let observed = match result {
                Ok(None) => "no child ready".to_string(),
                Ok(Some((_, status))) => status_text(status),
                Err(errno) => errno.name().to_string(),
            };
            suite.check(
                "waitpid WNOHANG while the child sleeps",
                &observed,
                "no child ready",
            );
            let status = suite.wait_text(child);
            suite.check("waitpid after the child wakes", &status, "exited 0");
            let result = suite.posix.waitpid(child, 0);
            suite.check("waitpid of a reaped child", &outcome(&result), "ECHILD");
        }
    }
}

fn killing<P: Posix>(suite: &mut Suite<'_, P>) {
    for (signal, name, expected) in [
        (SIGTERM, "kill(child, SIGTERM)", "signaled 15"),
        (SIGKILL, "kill(child, SIGKILL)", "signaled 9"),
    ] {
        match suite.posix.fork() {
            Err(errno) => suite.check(name, errno.name(), "ok"),
            Ok(0) => {
                let _ = suite.posix.nanosleep(LONG_SLEEP);
                suite.posix.exit(0)
            }
            Ok(child) => {
                let result = suite.posix.kill(child, signal);
                let status = suite.wait_text(child);
                suite.check(
                    name,
                    &format!("{} {status}", outcome(&result)),
                    &format!("ok {expected}"),
                );
            }
        }
    }
    let own = suite.posix.getpid().unwrap_or(0);
    let result = suite.posix.kill(own, 0);
    suite.check("kill(self, 0)", &outcome(&result), "ok");
    let dead = suite.dead_pid();
    let result = suite.posix.kill(dead, SIGTERM);
    suite.check("kill of a nonexistent process", &outcome(&result), "ESRCH");
    let result = suite.posix.kill(dead, 0);
    suite.check("kill(nonexistent, 0)", &outcome(&result), "ESRCH");
    let result = suite.posix.kill(own, 99);
    suite.check("kill with signal 99", &outcome(&result), "EINVAL");
}

fn identities<P: Posix>(suite: &mut Suite<'_, P>) {
    let own = suite.posix.getpid();
    let observed = match own {
        Ok(pid) if pid > 0 => "positive",
        Ok(_) => "not positive",
        Err(errno) => errno.name(),
    };
    suite.check("getpid", observed, "positive");
    let own = own.unwrap_or(0);
    let lines = suite.child_observations(|posix| {
        let parent = posix.getppid();
        let child = posix.getpid();
        vec![
            pid_text(&parent, own).replace("own pid", "the parent's pid"),
            match child {
                Ok(pid) if pid != own && pid > 0 => "a new pid".to_string(),
                Ok(_) => "the parent's pid".to_string(),
                Err(errno) => errno.name().to_string(),
            },
        ]
    });
    let mut lines = lines.into_iter();
    let first = lines.next().unwrap_or_default();
    suite.check("getppid in the child", &first, "the parent's pid");
    let second = lines.next().unwrap_or_default();
    suite.check("getpid in the child", &second, "a new pid");

    let path = suite.path("shared-offset");
    let _ = suite.make_file("shared-offset", b"abcdef");
    if let Ok(fd) = suite.posix.open(&path, O_RDONLY, 0) {
        let status = suite.in_child(|posix| {
            let mut buffer = [0u8; 2];
            i32::from(posix.read(fd, &mut buffer) != Ok(2))
        });
        let offset = suite.posix.lseek(fd, 0, SEEK_CUR);
        let observed = format!("{status}, offset {}", crate::suite::value_text(&offset));
        suite.check(
            "a child's read moves the shared offset",
            &observed,
            "exited 0, offset 2",
        );
        let _ = suite.posix.close(fd);
    }
}

fn exec_status<P: Posix>(suite: &mut Suite<'_, P>, path: &'static [u8]) -> String {
    suite.in_child(|posix| {
        let result = posix.execve(path, &[path], &[b"PATH=/bin"]);
        match result {
            Err(errno) => 100 + i32::from(errno.0 as u8),
            Ok(never) => match never {},
        }
    })
}

/// The errno a failed execve in a child reported through its exit status.
fn exec_error_text(status: &str) -> String {
    status
        .strip_prefix("exited ")
        .and_then(|code| code.parse::<u16>().ok())
        .and_then(|code| code.checked_sub(100))
        .and_then(|number| Errno::from_number(u64::from(number)))
        .map_or_else(|| status.to_string(), |errno| errno.name().to_string())
}

fn executing<P: Posix>(suite: &mut Suite<'_, P>) {
    let status = exec_status(suite, b"/bin/true");
    suite.check("execve /bin/true", &status, "exited 0");
    let status = exec_status(suite, b"/bin/false");
    suite.check("execve /bin/false", &status, "exited 1");
    let status = exec_status(suite, b"/tmp/posix-tests-no-such-program");
    suite.check(
        "execve of a missing file",
        &exec_error_text(&status),
        "ENOENT",
    );
    let status = exec_status(suite, b"/tmp");
    suite.check("execve of a directory", &exec_error_text(&status), "EACCES");
    let status = exec_status(suite, b"/bin/true/x");
    suite.check(
        "execve of a path under a file",
        &exec_error_text(&status),
        "ENOTDIR",
    );
}

fn groups_and_sessions<P: Posix>(suite: &mut Suite<'_, P>) {
    let own = suite.posix.getpid().unwrap_or(0);
    let by_zero = suite.posix.getpgid(0);
    let by_pid = suite.posix.getpgid(own);
    let observed = match (by_zero, by_pid) {
        (Ok(a), Ok(b)) if a == b => "same group".to_string(),
        (Ok(_), Ok(_)) => "different groups".to_string(),
        (Err(errno), _) | (_, Err(errno)) => errno.name().to_string(),
    };
    suite.check(
        "getpgid(0) equals getpgid(getpid())",
        &observed,
        "same group",
    );
    let by_zero = suite.posix.getsid(0);
    let by_pid = suite.posix.getsid(own);
    let observed = match (by_zero, by_pid) {
        (Ok(a), Ok(b)) if a == b => "same session".to_string(),
        (Ok(_), Ok(_)) => "different sessions".to_string(),
        (Err(errno), _) | (_, Err(errno)) => errno.name().to_string(),
    };
    suite.check(
        "getsid(0) equals getsid(getpid())",
        &observed,
        "same session",
    );

    let lines: Vec<String> = suite.child_observations(|posix| {
        let me = posix.getpid().unwrap_or(0);
        let set = posix.setpgid(0, 0);
        let group = posix.getpgid(0);
        let session = posix.setsid();
        let session_now = posix.getsid(0);
        let group_now = posix.getpgid(0);
        let again = posix.setsid();
        vec![
            outcome(&set),
            pid_text(&group, me),
            outcome(&session),
            pid_text(&session_now, me),
            pid_text(&group_now, me),
            outcome(&again),
        ]
    });
    let expectations = [
        ("setpgid(0, 0) in a child", "ok"),
        ("getpgid after setpgid(0, 0)", "own pid"),
        ("setsid of a group leader", "EPERM"),
        ("getsid(0) in the child", "another pid"),
        ("getpgid(0) after the failed setsid", "own pid"),
        ("setsid again", "EPERM"),
    ];
    for (index, (name, expected)) in expectations.iter().enumerate() {
        let observed = lines.get(index).cloned().unwrap_or_default();
        suite.check(name, &observed, expected);
    }

    let lines: Vec<String> = suite.child_observations(|posix| {
        let me = posix.getpid().unwrap_or(0);
        let session = posix.setsid();
        let session_now = posix.getsid(0);
        let group_now = posix.getpgid(0);
        vec![
            pid_text(&session, me),
            pid_text(&session_now, me),
            pid_text(&group_now, me),
        ]
    });
    let expectations = [
        ("setsid in a child returns its pid", "own pid"),
        ("getsid(0) after setsid", "own pid"),
        ("getpgid(0) after setsid", "own pid"),
    ];
    for (index, (name, expected)) in expectations.iter().enumerate() {
        let observed = lines.get(index).cloned().unwrap_or_default();
        suite.check(name, &observed, expected);
    }

    match suite.posix.fork() {
        Err(errno) => suite.check("fork for setpgid", errno.name(), "ok"),
        Ok(0) => {
            let _ = suite.posix.nanosleep(TimeSpec {
                seconds: 0,
                nanoseconds: 200_000_000,
            });
            suite.posix.exit(0)
        }
        Ok(child) => {
            let set = suite.posix.setpgid(child, child);
            let group = suite.posix.getpgid(child);
            let observed = format!(
                "{} {}",
                outcome(&set),
                pid_text(&group, child).replace("own pid", "the child's pid")
            );
            suite.check(
                "setpgid(child, child) from the parent",
                &observed,
                "ok the child's pid",
            );
            let _ = suite.posix.kill(child, SIGKILL);
            let _ = suite.wait_text(child);
        }
    }

    let dead = suite.dead_pid();
    let result = suite.posix.getpgid(dead);
    suite.check(
        "getpgid of a nonexistent process",
        &outcome(&result),
        "ESRCH",
    );
    let result = suite.posix.getsid(dead);
    suite.check(
        "getsid of a nonexistent process",
        &outcome(&result),
        "ESRCH",
    );
    let result = suite.posix.setpgid(dead, 0);
    suite.check(
        "setpgid of a nonexistent process",
        &outcome(&result),
        "ESRCH",
    );
    let result = suite.posix.setpgid(0, -1);
    suite.check("setpgid with a negative group", &outcome(&result), "EINVAL");
}

//! Pipes: data order, partial reads, end of file, wrong-end errors, ESPIPE,
//! EPIPE and SIGPIPE, 64 KiB through a pipe between two processes.

use alloc::format;
use alloc::string::ToString;
use alloc::vec::Vec;

use crate::posix::constants::{SEEK_CUR, SIGPIPE};
use crate::posix::{Posix, SignalAction};
use crate::suite::{Suite, file_type, outcome, read_text, read_to_end, write_all};

/// Bytes the large transfer moves.
const LARGE: usize = 64 * 1024;

/// Runs the pipe checks.
pub fn run<P: Posix>(suite: &mut Suite<'_, P>) {
    within_one_process(suite);
    broken_pipes(suite);
    between_processes(suite);
}

/// The byte at `index` of the large transfer.
fn pattern(index: usize) -> u8 {
    (index % 251) as u8
}

fn within_one_process<P: Posix>(suite: &mut Suite<'_, P>) {
    let result = suite.posix.pipe();
    suite.check("pipe", &outcome(&result), "ok");
    let Ok((reader, writer)) = result else { return };
    let _ = suite.posix.write(writer, b"one");
    let _ = suite.posix.write(writer, b"two");
    let text = read_text(suite.posix, reader, 64);
    suite.check(
        "pipe keeps the order of writes",
        &text,
        "6 bytes \"onetwo\"",
    );
    let _ = suite.posix.write(writer, b"hello");
    let text = read_text(suite.posix, reader, 2);
    suite.check("partial read of a pipe", &text, "2 bytes \"he\"");
    let text = read_text(suite.posix, reader, 64);
    suite.check("the rest of the pipe", &text, "3 bytes \"llo\"");
    let written = suite.posix.write(reader, b"x");
    suite.check("write to the read end", &outcome(&written), "EBADF");
    let text = read_text(suite.posix, writer, 8);
    suite.check("read from the write end", &text, "EBADF");
    let offset = suite.posix.lseek(reader, 0, SEEK_CUR);
    suite.check("lseek on a pipe", &outcome(&offset), "ESPIPE");
    let kind = suite
        .posix
        .fstat(reader)
        .map(|status| file_type(status.mode));
    suite.check("fstat of a pipe", kind.unwrap_or("error"), "fifo");
    let _ = suite.posix.write(writer, b"last");
    let _ = suite.posix.close(writer);
    let text = read_text(suite.posix, reader, 64);
    suite.check(
        "data written before the writer closed",
        &text,
        "4 bytes \"last\"",
    );
    let text = read_text(suite.posix, reader, 64);
    suite.check("end of file after the writer closed", &text, "0 bytes \"\"");
    let _ = suite.posix.close(reader);
}

fn broken_pipes<P: Posix>(suite: &mut Suite<'_, P>) {
    let old = suite.posix.sigaction(SIGPIPE, Some(SignalAction::Ignore));
    if let Ok((reader, writer)) = suite.posix.pipe() {
        let _ = suite.posix.close(reader);
        let written = suite.posix.write(writer, b"x");
        suite.check(
            "write with no reader, SIGPIPE ignored",
            &outcome(&written),
            "EPIPE",
        );
        let _ = suite.posix.close(writer);
    }
    let restore = match old {
        Ok(crate::posix::OldSignalAction::Ignore) => SignalAction::Ignore,
        _ => SignalAction::Default,
    };
    let _ = suite.posix.sigaction(SIGPIPE, Some(restore));
    let status = suite.in_child(|posix| {
        let _ = posix.sigaction(SIGPIPE, Some(SignalAction::Default));
        let Ok((reader, writer)) = posix.pipe() else {
            return 100;
        };
        let _ = posix.close(reader);
        let _ = posix.write(writer, b"x");
        101
    });
    suite.check(
        "SIGPIPE kills a writer with no reader",
        &status,
        "signaled 13",
    );
}

fn between_processes<P: Posix>(suite: &mut Suite<'_, P>) {
    let Ok((reader, writer)) = suite.posix.pipe() else {
        suite.check("pipe for a child", "failed", "ok");
        return;
    };
    match suite.posix.fork() {
        Err(errno) => suite.check("fork for a pipe", errno.name(), "ok"),
        Ok(0) => {
            let _ = suite.posix.close(reader);
            let sent = write_all(suite.posix, writer, b"from the child");
            suite.posix.exit(i32::from(sent.is_err()))
        }
        Ok(child) => {
            let _ = suite.posix.close(writer);
            let data = read_to_end(suite.posix, reader);
            let _ = suite.posix.close(reader);
            let status = suite.wait_text(child);
            let observed = match data {
                Ok(data) => crate::suite::bytes_text(&data),
                Err(errno) => errno.name().to_string(),
            };
            suite.check(
                "a child writes into a pipe the parent reads",
                &observed,
                "14 bytes \"from the child\"",
            );
            suite.check("the writing child's status", &status, "exited 0");
        }
    }

    let Ok((reader, writer)) = suite.posix.pipe() else {
        return;
    };
    match suite.posix.fork() {
        Err(errno) => suite.check("fork for 64 KiB", errno.name(), "ok"),
        Ok(0) => {
            let _ = suite.posix.close(reader);
            let data: Vec<u8> = (0..LARGE).map(pattern).collect();
            let sent = write_all(suite.posix, writer, &data);
            suite.posix.exit(i32::from(sent.is_err()))
        }
        Ok(child) => {
            let _ = suite.posix.close(writer);
            let data = read_to_end(suite.posix, reader);
            let _ = suite.posix.close(reader);
            let status = suite.wait_text(child);
            let observed = match data {
                Ok(data) => {
                    let intact = data
                        .iter()
                        .enumerate()
                        .all(|(index, &byte)| byte == pattern(index));
                    format!(
                        "{} bytes, {}",
                        data.len(),
                        if intact { "intact" } else { "corrupted" }
                    )
                }
                Err(errno) => errno.name().to_string(),
            };
            suite.check("64 KiB through a pipe", &observed, "65536 bytes, intact");
            suite.check("the 64 KiB writer's status", &status, "exited 0");
        }
    }
}

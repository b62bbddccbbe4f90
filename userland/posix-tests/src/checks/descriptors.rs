//! Descriptors: dup, dup2, fcntl (flags, descriptor flags, F_DUPFD) and the
//! per-process limit (EMFILE).

use alloc::string::ToString;
use alloc::vec::Vec;

use crate::posix::Posix;
use crate::posix::constants::{
    F_DUPFD, F_GETFD, F_GETFL, F_SETFD, F_SETFL, FD_CLOEXEC, O_ACCMODE, O_APPEND, O_CLOEXEC,
    O_NONBLOCK, O_RDONLY, O_RDWR, SEEK_CUR,
};
use crate::suite::{Suite, outcome, read_text, value_text};

/// Opens until this many descriptors at most, should the limit never come.
const OPEN_LIMIT_GUARD: usize = 100_000;

/// Runs the descriptor checks.
pub fn run<P: Posix>(suite: &mut Suite<'_, P>) {
    duplicating(suite);
    file_control(suite);
    descriptor_limit(suite);
}

fn duplicating<P: Posix>(suite: &mut Suite<'_, P>) {
    let _ = suite.make_file("dup-a", b"0123456789");
    let _ = suite.make_file("dup-b", b"other");
    let path_a = suite.path("dup-a");
    let path_b = suite.path("dup-b");
    let (Ok(fd), Ok(other)) = (
        suite.posix.open(&path_a, O_RDONLY, 0),
        suite.posix.open(&path_b, O_RDONLY, 0),
    ) else {
        suite.check("open for dup", "failed", "ok");
        return;
    };
    let copy = suite.posix.dup(fd);
    let observed = match copy {
        Ok(copy) if copy != fd && copy >= 0 => "a new descriptor".to_string(),
        Ok(_) => "the same descriptor".to_string(),
        Err(errno) => errno.name().to_string(),
    };
    suite.check("dup", &observed, "a new descriptor");
    if let Ok(copy) = copy {
        let _ = read_text(suite.posix, fd, 1);
        let offset = suite.posix.lseek(copy, 0, SEEK_CUR);
        suite.check("dup shares the offset", &value_text(&offset), "1");
        let _ = suite.posix.close(copy);
        let again = suite.posix.dup(fd);
        let observed = match again {
            Ok(again) if again == copy => "lowest free".to_string(),
            Ok(_) => "another number".to_string(),
            Err(errno) => errno.name().to_string(),
        };
        suite.check(
            "dup takes the lowest free descriptor",
            &observed,
            "lowest free",
        );
        if let Ok(again) = again {
            let _ = suite.posix.close(again);
        }
    }
    let result = suite.posix.dup(-1);
    suite.check("dup of a bad descriptor", &outcome(&result), "EBADF");

    let result = suite.posix.dup2(fd, other);
    let observed = match result {
        Ok(new) if new == other => "the target".to_string(),
        Ok(_) => "another number".to_string(),
        Err(errno) => errno.name().to_string(),
    };
    suite.check("dup2 onto an open descriptor", &observed, "the target");
    let text = read_text(suite.posix, other, 2);
    suite.check("dup2 target reads the source file", &text, "2 bytes \"12\"");
    let offset = suite.posix.lseek(fd, 0, SEEK_CUR);
    suite.check("dup2 shares the offset", &value_text(&offset), "3");
    let result = suite.posix.dup2(fd, fd);
    let observed = match result {
        Ok(new) if new == fd => "the same descriptor".to_string(),
        Ok(_) => "another number".to_string(),
        Err(errno) => errno.name().to_string(),
    };
    suite.check("dup2 onto itself", &observed, "the same descriptor");
    let result = suite.posix.dup2(-1, other);
    suite.check("dup2 of a bad descriptor", &outcome(&result), "EBADF");
    let _ = suite.posix.close(other);
    let _ = suite.posix.close(fd);
}

fn file_control<P: Posix>(suite: &mut Suite<'_, P>) {
    let path = suite.path("dup-a");
    let Ok(fd) = suite.posix.open(&path, O_RDWR | O_CLOEXEC, 0) else {
        suite.check("open for fcntl", "failed", "ok");
        return;
    };
    let flags = suite.posix.fcntl(fd, F_GETFL, 0);
    let observed = match flags {
        Ok(flags) if flags & O_ACCMODE == O_RDWR => "O_RDWR".to_string(),
        Ok(flags) => alloc::format!("access mode {}", flags & O_ACCMODE),
        Err(errno) => errno.name().to_string(),
    };
    suite.check("fcntl F_GETFL access mode", &observed, "O_RDWR");
    let set = suite.posix.fcntl(fd, F_SETFL, O_APPEND);
    suite.check("fcntl F_SETFL O_APPEND", &outcome(&set), "ok");
    let flags = suite.posix.fcntl(fd, F_GETFL, 0);
    let observed = match flags {
        Ok(flags) if flags & O_APPEND != 0 && flags & O_ACCMODE == O_RDWR => "O_RDWR|O_APPEND",
        Ok(_) => "other flags",
        Err(errno) => errno.name(),
    };
    suite.check("fcntl F_GETFL after F_SETFL", observed, "O_RDWR|O_APPEND");
    let descriptor_flags = suite.posix.fcntl(fd, F_GETFD, 0);
    suite.check(
        "fcntl F_GETFD of an O_CLOEXEC descriptor",
        &value_text(&descriptor_flags),
        "1",
    );
    let set = suite.posix.fcntl(fd, F_SETFD, 0);
    suite.check("fcntl F_SETFD 0", &outcome(&set), "ok");
    let descriptor_flags = suite.posix.fcntl(fd, F_GETFD, 0);
    suite.check(
        "fcntl F_GETFD after F_SETFD 0",
        &value_text(&descriptor_flags),
        "0",
    );
    let _ = suite.posix.fcntl(fd, F_SETFD, FD_CLOEXEC);
    let descriptor_flags = suite.posix.fcntl(fd, F_GETFD, 0);
    suite.check(
        "fcntl F_SETFD FD_CLOEXEC",
        &value_text(&descriptor_flags),
        "1",
    );
    let duplicate = suite.posix.fcntl(fd, F_DUPFD, 20);
    let observed = match duplicate {
        Ok(new) if new >= 20 => ">= 20".to_string(),
        Ok(new) => alloc::format!("{new}"),
        Err(errno) => errno.name().to_string(),
    };
    suite.check("fcntl F_DUPFD 20", &observed, ">= 20");
    if let Ok(new) = duplicate {
        let descriptor_flags = suite.posix.fcntl(new, F_GETFD, 0);
        suite.check(
            "F_DUPFD clears close-on-exec",
            &value_text(&descriptor_flags),
            "0",
        );
        let _ = suite.posix.close(new);
    }
    let result = suite.posix.fcntl(fd, F_DUPFD, -1);
    suite.check("fcntl F_DUPFD -1", &outcome(&result), "EINVAL");
    let result = suite.posix.fcntl(fd, 9999, 0);
    suite.check("fcntl with a bad command", &outcome(&result), "EINVAL");
    let result = suite.posix.fcntl(-1, F_GETFL, 0);
    suite.check("fcntl of a bad descriptor", &outcome(&result), "EBADF");
    let _ = suite.posix.close(fd);

    if let Ok((reader, writer)) = suite.posix.pipe() {
        let set = suite.posix.fcntl(reader, F_SETFL, O_NONBLOCK);
        suite.check("fcntl F_SETFL O_NONBLOCK on a pipe", &outcome(&set), "ok");
        let text = read_text(suite.posix, reader, 8);
        suite.check("non-blocking read of an empty pipe", &text, "EAGAIN");
        let _ = suite.posix.close(reader);
        let _ = suite.posix.close(writer);
    }
}

fn descriptor_limit<P: Posix>(suite: &mut Suite<'_, P>) {
    let path = suite.path("dup-a");
    let mut opened = Vec::new();
    let mut failure = None;
    while opened.len() < OPEN_LIMIT_GUARD {
        match suite.posix.open(&path, O_RDONLY, 0) {
            Ok(fd) => opened.push(fd),
            Err(errno) => {
                failure = Some(errno);
                break;
            }
        }
    }
    let observed = failure.map_or("no limit", |errno| errno.name());
    suite.check("open until the descriptor limit", observed, "EMFILE");
    let result = if opened.is_empty() {
        Ok(0)
    } else {
        suite.posix.dup(opened.first().copied().unwrap_or(0))
    };
    suite.check("dup at the descriptor limit", &outcome(&result), "EMFILE");
    let mut close_failures = 0;
    for fd in opened {
        if suite.posix.close(fd).is_err() {
            close_failures += 1;
        }
    }
    suite.check(
        "close every one of them: failures",
        &close_failures.to_string(),
        "0",
    );
    let result = suite.posix.open(&path, O_RDONLY, 0);
    suite.check("open after closing them", &outcome(&result), "ok");
    if let Ok(fd) = result {
        let _ = suite.posix.close(fd);
    }
}

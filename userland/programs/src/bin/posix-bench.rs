//! `posix-bench [DIRECTORY [PROGRAM]]`: POSIX micro-benchmarks timed with the
//! time-stamp counter, by the method of the Linux baseline's `bench.c`
//! (/work/shared/bench): individually timed operations after a warm-up, min and
//! median over N samples. Under QEMU `-icount shift=0,sleep=off` one tick is one
//! retired guest instruction. DIRECTORY is a writable directory (default `/tmp`),
//! PROGRAM a tiny program that exits 0 (default `/bin/true`).
//!
//! Prints `bench NAME MIN MEDIAN UNIT` per benchmark, then `posix bench done`.
#![no_std]
#![no_main]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;

use libc_shim::Errno;
use libc_shim::file::{self, Fd, flags};
use libc_shim::process;
use libc_shim::time::timestamp;

libc_shim::main!(main);

/// Bytes written and read back by the tmpfs benchmark (as bench.c: 16 MiB).
const FILE_BYTES: usize = 16 << 20;
/// Bytes per `write`/`read` call of the tmpfs benchmark (as bench.c: 64 KiB).
const CHUNK_BYTES: usize = 64 << 10;
/// Timed repetitions of the tmpfs benchmark (after one warm-up repetition).
const FILE_REPETITIONS: usize = 8;

fn main(arguments: libc_shim::start::Arguments) -> i32 {
    let directory = arguments.get(1).unwrap_or(b"/tmp".as_slice());
    let program = arguments.get(2).unwrap_or(b"/bin/true".as_slice());
    match run(directory, program) {
        Ok(()) => {
            libc_shim::println!("posix bench done");
            libc_shim::io::flush();
            0
        }
        Err((what, errno)) => {
            libc_shim::println!("ERROR {what}: {}", errno.message());
            libc_shim::io::flush();
            1
        }
    }
}

/// A failed step: what was being done and the error.
type Failure = (&'static str, Errno);

/// Tags an error with what was being done.
fn context(what: &'static str) -> impl FnOnce(Errno) -> Failure {
    move |errno| (what, errno)
}

/// `DIRECTORY/NAME`.
fn joined(directory: &[u8], name: &[u8]) -> Vec<u8> {
    let mut path = directory.to_vec();
    path.push(b'/');
    path.extend_from_slice(name);
    path
}

/// Runs every benchmark.
fn run(directory: &[u8], program: &[u8]) -> Result<(), Failure> {
    let small_file = joined(directory, b"bench_file");
    let descriptor = file::open(
        &small_file,
        flags::O_WRONLY | flags::O_CREAT | flags::O_TRUNC,
        0o644,
    )
    .map_err(context("create test file"))?;
    file::write_all(descriptor, b"hello\n").map_err(context("create test file"))?;
    file::close(descriptor).map_err(context("create test file"))?;

    overhead();
    getpid();
    pipe_round_trip()?;
    fork_exit_wait()?;
    fork_exec_wait(program)?;
    tmpfs(&joined(directory, b"bench_rw.dat"))?;
    open_close(&small_file)?;
    stat(&small_file)?;
    file::unlink(&small_file).map_err(context("unlink test file"))?;
    Ok(())
}

/// Sorts `samples` and returns their minimum and median (the mean of the two
/// middle ones for an even count), as bench.c does.
fn minimum_and_median(samples: &mut [u64]) -> (u64, u64) {
    samples.sort_unstable();
    let count = samples.len();
    let minimum = samples.first().copied().unwrap_or(0);
    let median = match count {
        0 => 0,
        _ if count % 2 == 1 => samples.get(count / 2).copied().unwrap_or(0),
        _ => {
            let low = samples.get(count / 2 - 1).copied().unwrap_or(0);
            let high = samples.get(count / 2).copied().unwrap_or(0);
            u64::midpoint(low, high)
        }
    };
    (minimum, median)
}

/// Prints one result line.
fn report(name: &str, minimum: u64, median: u64, unit: &str) {
    libc_shim::println!("bench {name} {minimum} {median} {unit}");
    libc_shim::io::flush();
}

/// Prints the minimum and median of `samples`.
fn report_samples(name: &str, samples: &mut [u64], unit: &str) {
    let (minimum, median) = minimum_and_median(samples);
    report(name, minimum, median, unit);
}

/// Times `operation` `warm_up + count` times and keeps the last `count` samples.
fn sample<E>(
    warm_up: usize,
    count: usize,
    mut operation: impl FnMut() -> Result<(), E>,
) -> Result<Vec<u64>, E> {
    let mut samples = Vec::with_capacity(count);
    for iteration in 0..warm_up + count {
        let start = timestamp();
        operation()?;
        let end = timestamp();
        if iteration >= warm_up {
            samples.push(end.wrapping_sub(start));
        }
    }
    Ok(samples)
}

/// Two back-to-back timestamps: the cost of the timing itself (not subtracted).
fn overhead() {
    let result: Result<Vec<u64>, ()> = sample(1000, 10_000, || Ok(()));
    if let Ok(mut samples) = result {
        report_samples("tsc_overhead", &mut samples, "instructions");
    }
}

/// `getpid`, a round trip to posix-server.
fn getpid() {
    let mut sink: i64 = 0;
    let result: Result<Vec<u64>, ()> = sample(1000, 10_000, || {
        sink = sink.wrapping_add(process::getpid());
        Ok(())
    });
    if let Ok(mut samples) = result {
        report_samples("getpid", &mut samples, "instructions/op");
    }
    core::hint::black_box(sink);
}

/// One byte to a child over one pipe and back over another.
fn pipe_round_trip() -> Result<(), Failure> {
    let (to_child_read, to_child_write) = file::pipe().map_err(context("pipe"))?;
    let (to_parent_read, to_parent_write) = file::pipe().map_err(context("pipe"))?;
    let child = process::fork().map_err(context("fork"))?;
    if child == 0 {
        let _ = file::close(to_child_write);
        let _ = file::close(to_parent_read);
        echo_bytes(to_child_read, to_parent_write);
    }
    let _ = file::close(to_child_read);
    let _ = file::close(to_parent_write);
    let mut byte = [b'x'];
    let result = sample(1000, 10_000, || {
        if file::write(to_child_write, &byte)? != 1 || file::read(to_parent_read, &mut byte)? != 1 {
            return Err(Errno::EIO);
        }
        Ok(())
    });
    let _ = file::close(to_child_write);
    let _ = file::close(to_parent_read);
    let _ = process::waitpid(child, 0);
    let mut samples = result.map_err(context("pipe round trip"))?;
    report_samples("pipe_rtt", &mut samples, "instructions/roundtrip");
    Ok(())
}

/// The pipe benchmark's child: echoes bytes from `input` to `output` until end
/// of file, then exits.
fn echo_bytes(input: Fd, output: Fd) -> ! {
    let mut byte = [0u8];
    while file::read(input, &mut byte) == Ok(1) {
        if file::write(output, &byte) != Ok(1) {
            process::exit_now(2);
        }
    }
    process::exit_now(0)
}

/// Waits for `child` and checks that it exited with status 0.
fn wait_for_success(child: process::Pid) -> Result<(), Errno> {
    match process::waitpid(child, 0)? {
        Some((pid, status))
            if pid == child
                && process::wait_status::is_exited(status)
                && process::wait_status::exit_code(status) == 0 =>
        {
            Ok(())
        }
        _ => Err(Errno::ECHILD),
    }
}

/// `fork`, `_exit(0)` in the child, `waitpid` in the parent.
fn fork_exit_wait() -> Result<(), Failure> {
    let mut samples = sample(20, 500, || {
        let child = process::fork()?;
        if child == 0 {
            process::exit_now(0);
        }
        wait_for_success(child)
    })
    .map_err(context("fork + _exit + waitpid"))?;
    report_samples("fork_exit_wait", &mut samples, "instructions/op");
    Ok(())
}

/// `fork`, `execve(program)` in the child, `waitpid` in the parent.
fn fork_exec_wait(program: &[u8]) -> Result<(), Failure> {
    let environment = libc_shim::environment::entries();
    let environment: Vec<&[u8]> = environment.iter().map(Vec::as_slice).collect();
    let mut samples = sample(5, 200, || {
        let child = process::fork()?;
        if child == 0 {
            let _ = process::execve(program, &[program], &environment);
            process::exit_now(127);
        }
        wait_for_success(child)
    })
    .map_err(context("fork + execve + waitpid"))?;
    report_samples("fork_exec_wait", &mut samples, "instructions/op");
    Ok(())
}

/// Reads exactly `buffer.len()` bytes from `descriptor`.
fn read_exact(descriptor: Fd, buffer: &mut [u8]) -> Result<(), Errno> {
    let mut done = 0;
    while let Some(rest) = buffer.get_mut(done..)
        && !rest.is_empty()
    {
        match file::read(descriptor, rest)? {
            0 => return Err(Errno::EIO),
            count => done += count,
        }
    }
    Ok(())
}

/// The ticks of one write of `FILE_BYTES` to `path` and of reading them back.
fn write_and_read(path: &[u8], buffer: &mut [u8]) -> Result<(u64, u64), Failure> {
    let descriptor = file::open(path, flags::O_RDWR | flags::O_CREAT | flags::O_TRUNC, 0o644)
        .map_err(context("open rw file"))?;
    let start = timestamp();
    for _ in 0..FILE_BYTES / CHUNK_BYTES {
        file::write_all(descriptor, buffer).map_err(context("write"))?;
    }
    let written = timestamp();
    file::lseek(descriptor, 0, flags::SEEK_SET).map_err(context("lseek"))?;
    let read_start = timestamp();
    for _ in 0..FILE_BYTES / CHUNK_BYTES {
        read_exact(descriptor, buffer).map_err(context("read"))?;
    }
    let read_end = timestamp();
    let _ = file::close(descriptor);
    let _ = file::unlink(path);
    Ok((
        written.wrapping_sub(start),
        read_end.wrapping_sub(read_start),
    ))
}

/// Bytes per 1000 ticks for `FILE_BYTES` moved in `ticks`.
fn bytes_per_thousand(ticks: u64) -> u64 {
    (FILE_BYTES as u64 * 1000).checked_div(ticks).unwrap_or(0)
}

/// 16 MiB written to a file in 64 KiB calls, then read back: bytes per 1000
/// instructions, "min" from the fastest repetition and "median" from the median.
fn tmpfs(path: &[u8]) -> Result<(), Failure> {
    let mut buffer = vec![0x5a_u8; CHUNK_BYTES];
    let mut writes = Vec::with_capacity(FILE_REPETITIONS);
    let mut reads = Vec::with_capacity(FILE_REPETITIONS);
    write_and_read(path, &mut buffer)?;
    for _ in 0..FILE_REPETITIONS {
        let (write_ticks, read_ticks) = write_and_read(path, &mut buffer)?;
        writes.push(write_ticks);
        reads.push(read_ticks);
    }
    let unit = "bytes/1000instructions";
    let (fastest, median) = minimum_and_median(&mut writes);
    report(
        "tmpfs_write",
        bytes_per_thousand(fastest),
        bytes_per_thousand(median),
        unit,
    );
    let (fastest, median) = minimum_and_median(&mut reads);
    report(
        "tmpfs_read",
        bytes_per_thousand(fastest),
        bytes_per_thousand(median),
        unit,
    );
    Ok(())
}

/// `open(O_RDONLY)` and `close` of a small file.
fn open_close(path: &[u8]) -> Result<(), Failure> {
    let mut samples = sample(1000, 10_000, || {
        let descriptor = file::open(path, flags::O_RDONLY, 0)?;
        file::close(descriptor)
    })
    .map_err(context("open + close"))?;
    report_samples("open_close", &mut samples, "instructions/op");
    Ok(())
}

/// `stat` of a small file.
fn stat(path: &[u8]) -> Result<(), Failure> {
    let mut samples =
        sample(1000, 10_000, || file::stat(path).map(|_| ())).map_err(context("stat"))?;
    report_samples("stat", &mut samples, "instructions/op");
    Ok(())
}

//! `request-checks`: sends posix-server malformed and random requests and checks
//! that it answers each with the right error and keeps serving (KOITO only: these
//! are protocol-level checks, with no Linux equivalent). Ends with
//! `request checks: N passed, N failed`.
#![no_std]
#![no_main]

use libc_shim::posix_call::call_raw;
use libc_shim::{Errno, println};
use posix_server_api::Operation;
use posix_server_api::shared_buffer::DATA_CAPACITY;

libc_shim::main!(main);

struct Checks {
    passed: u32,
    failed: u32,
}

impl Checks {
    fn expect(&mut self, name: &str, words: &[u64], expected: Result<u64, Errno>) {
        let reply = call_raw(words);
        let observed = reply.outcome();
        if observed == expected {
            self.passed += 1;
            println!("ok {name}: {}", describe(observed));
        } else {
            self.failed += 1;
            println!(
                "FAIL {name}: {} (expected {})",
                describe(observed),
                describe(expected)
            );
        }
    }

    fn verdict(&mut self, name: &str, good: bool, text: &str) {
        if good {
            self.passed += 1;
            println!("ok {name}: {text}");
        } else {
            self.failed += 1;
            println!("FAIL {name}: {text}");
        }
    }
}

fn describe(outcome: Result<u64, Errno>) -> &'static str {
    match outcome {
        Ok(0) => "0",
        Ok(_) => "a value",
        Err(errno) => errno.name(),
    }
}

fn word(operation: Operation) -> u64 {
    operation.as_word()
}

/// A xorshift generator (deterministic: the same requests every run).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Operations the fuzzer may send: none that ends, replaces, forks or sleeps the
/// caller, changes its memory map or installs handlers.
const FUZZED: [Operation; 24] = [
    Operation::Wait4,
    Operation::GetPid,
    Operation::SigProcMask,
    Operation::SetPgid,
    Operation::GetPgid,
    Operation::GetSid,
    Operation::Open,
    Operation::Close,
    Operation::Read,
    Operation::Lseek,
    Operation::Dup,
    Operation::Dup3,
    Operation::Pipe,
    Operation::Fcntl,
    Operation::Stat,
    Operation::Fstat,
    Operation::GetDents64,
    Operation::Mkdir,
    Operation::Access,
    Operation::Umask,
    Operation::Ioctl,
    Operation::ClockGetTime,
    Operation::ProcessList,
    Operation::Uname,
];

/// (processes, free bytes, spaces, objects, free slots) as posix-server reports them.
fn system_status() -> (u64, u64, u64, u64, u64) {
    let reply = call_raw(&[word(Operation::SystemStatus)]);
    let processes = reply.outcome().unwrap_or(0);
    let [free, spaces, objects, slots] = reply.values;
    (processes, free, spaces, objects, slots)
}

/// Runs processes that fork, exec, open pipes and exit, and checks that every
/// address space, object and capability slot they used came back, and the memory
/// too (within what posix-server's own heap may have grown by).
fn resources_come_back(checks: &mut Checks) {
    use libc_shim::{file, process};
    let before = system_status();
    for round in 0..20 {
        match process::fork() {
            Ok(0) => {
                let (read, write) = file::pipe().unwrap_or((-1, -1));
                let _ = file::write_all(write, b"x");
                let _ = (read, write);
                if round % 2 == 0 {
                    let error = process::execve(b"/bin/true", &[b"true"], &[]);
                    let _ = error;
                }
                process::exit(0)
            }
            Ok(child) => {
                let _ = process::waitpid(child, 0);
            }
            Err(_) => {}
        }
    }
    let after = system_status();
    checks.verdict(
        "SYSTEM_STATUS reports memory, spaces and objects",
        before.1 > 0 && before.2 > 0 && before.3 > 0,
        "non-zero",
    );
    checks.verdict(
        "processes come back to the same count",
        before.0 == after.0,
        "same",
    );
    checks.verdict(
        "address spaces are all destroyed",
        before.2 == after.2,
        "same",
    );
    checks.verdict("kernel objects are all freed", before.3 == after.3, "same");
    checks.verdict(
        "capability slots are all freed",
        before.4 == after.4,
        "same",
    );
    let lost = before.1.saturating_sub(after.1);
    checks.verdict(
        "memory comes back (within 1 MiB of posix-server heap growth)",
        lost <= 1 << 20,
        if lost <= 1 << 20 {
            "within 1 MiB"
        } else {
            "more than 1 MiB lost"
        },
    );
}

fn main(_arguments: libc_shim::start::Arguments) -> i32 {
    let mut checks = Checks {
        passed: 0,
        failed: 0,
    };
    let huge = DATA_CAPACITY + 1;
    checks.expect("operation 0", &[0], Err(Errno::ENOSYS));
    checks.expect("operation 999", &[999, 1, 2, 3], Err(Errno::ENOSYS));
    checks.expect("operation 2^63", &[1 << 63], Err(Errno::ENOSYS));
    checks.expect(
        "write longer than the shared buffer",
        &[word(Operation::Write), 1, huge],
        Err(Errno::EFAULT),
    );
    checks.expect(
        "write of length 2^64-1",
        &[word(Operation::Write), 1, u64::MAX],
        Err(Errno::EFAULT),
    );
    checks.expect(
        "read of descriptor -1",
        &[word(Operation::Read), u64::MAX, 1],
        Err(Errno::EBADF),
    );
    checks.expect(
        "read of descriptor 2^40",
        &[word(Operation::Read), 1 << 40, 1],
        Err(Errno::EBADF),
    );
    checks.expect(
        "open with an empty path",
        &[word(Operation::Open), 0, 0, 0],
        Err(Errno::ENOENT),
    );
    checks.expect(
        "open with a path longer than PATH_MAX",
        &[word(Operation::Open), 5000, 0, 0],
        Err(Errno::ENAMETOOLONG),
    );
    checks.expect(
        "stat with a path past the buffer",
        &[word(Operation::Stat), u64::MAX, 1],
        Err(Errno::ENAMETOOLONG),
    );
    checks.expect(
        "rename with lengths past the buffer",
        &[word(Operation::Rename), 4000, huge],
        Err(Errno::ENAMETOOLONG),
    );
    checks.expect(
        "execve with a block past the buffer",
        &[word(Operation::Execve), huge, 1, 0],
        Err(Errno::EFAULT),
    );
    checks.expect(
        "execve with an empty block",
        &[word(Operation::Execve), 0, 1000, 0],
        Err(Errno::ENOENT),
    );
    checks.expect(
        "kill with signal 2^32 + 2",
        &[word(Operation::Kill), 0x7fff_fff0, (1 << 32) + 2],
        Err(Errno::EINVAL),
    );
    checks.expect(
        "mmap of length 0",
        &[word(Operation::Mmap), 0, 0, 3, 0x22],
        Err(Errno::EINVAL),
    );
    checks.expect(
        "mmap without MAP_ANONYMOUS",
        &[word(Operation::Mmap), 0, 4096, 3, 0x2],
        Err(Errno::EINVAL),
    );
    checks.expect(
        "mmap with bad protection",
        &[word(Operation::Mmap), 0, 4096, 99, 0x22],
        Err(Errno::EINVAL),
    );
    checks.expect(
        "mmap beyond the memory limit",
        &[word(Operation::Mmap), 0, 1 << 40, 3, 0x22],
        Err(Errno::ENOMEM),
    );
    checks.expect(
        "munmap of an unaligned address",
        &[word(Operation::Munmap), 3, 4096],
        Err(Errno::EINVAL),
    );
    checks.expect(
        "mprotect with bad protection",
        &[word(Operation::Mprotect), 0x1000, 4096, 8],
        Err(Errno::EINVAL),
    );
    checks.expect(
        "sigaction of signal 0",
        &[word(Operation::SigAction), 0, 0, 0, 0, 1],
        Err(Errno::EINVAL),
    );
    checks.expect(
        "sigaction of signal 200",
        &[word(Operation::SigAction), 200, 0, 0, 0, 1],
        Err(Errno::EINVAL),
    );
    checks.expect(
        "sigprocmask with how 7",
        &[word(Operation::SigProcMask), 7, 0, 1],
        Err(Errno::EINVAL),
    );
    checks.expect(
        "kill of pid 2^31-1",
        &[word(Operation::Kill), 0x7fff_ffff, 0],
        Err(Errno::ESRCH),
    );
    checks.expect(
        "kill with signal 99",
        &[word(Operation::Kill), 1, 99],
        Err(Errno::EINVAL),
    );
    checks.expect(
        "wait4 with unknown options",
        &[word(Operation::Wait4), u64::MAX, 0xffff],
        Err(Errno::EINVAL),
    );
    checks.expect(
        "ioctl of an unknown request",
        &[word(Operation::Ioctl), 0, 0xdead, 0],
        Err(Errno::ENOTTY),
    );
    checks.expect(
        "ioctl of a bad descriptor",
        &[word(Operation::Ioctl), 77, 0x5401, 0],
        Err(Errno::EBADF),
    );
    checks.expect(
        "clock_gettime of clock 99",
        &[word(Operation::ClockGetTime), 99],
        Err(Errno::EINVAL),
    );
    checks.expect(
        "sleep until time 0",
        &[word(Operation::SleepUntil), 0],
        Ok(0),
    );
    checks.expect(
        "signal entry with start after end",
        &[word(Operation::SignalEntry), 10, 5],
        Err(Errno::EINVAL),
    );
    checks.expect(
        "pipe with unknown flags",
        &[word(Operation::Pipe), 0xffff],
        Err(Errno::EINVAL),
    );
    checks.expect(
        "lseek with whence 9",
        &[word(Operation::Lseek), 0, 0, 9],
        Err(Errno::ESPIPE),
    );
    // Random requests: every one must be answered, and the server must go on.
    let mut random = Random(0x4b4f_4954_4f21);
    let mut answered = 0u32;
    for _ in 0..3000 {
        let operation = FUZZED[(random.next() % FUZZED.len() as u64) as usize];
        let mut words = [
            operation.as_word(),
            random.next(),
            random.next(),
            random.next(),
            random.next(),
            random.next(),
        ];
        // Descriptors stay off standard input, output and error.
        words[1] = 3 + words[1] % 61;
        if operation == Operation::Dup3 {
            words[2] = 3 + words[2] % 61;
        }
        if operation == Operation::SetPgid {
            words[1] = 0x7fff_0000 + words[1] % 16;
        }
        let length = (random.next() % 8) as usize + 1;
        let reply = call_raw(&words[..length.min(6)]);
        if reply.result != -i64::from(Errno::EIO.0) {
            answered += 1;
        }
    }
    checks.verdict(
        "3000 random requests are answered",
        answered == 3000,
        "answered",
    );
    let pid = call_raw(&[word(Operation::GetPid)]).outcome();
    checks.verdict(
        "getpid after the random requests",
        matches!(pid, Ok(pid) if pid > 0),
        "answers",
    );
    resources_come_back(&mut checks);
    println!(
        "request checks: {} passed, {} failed",
        checks.passed, checks.failed
    );
    i32::from(checks.failed != 0)
}

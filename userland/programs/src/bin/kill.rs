//! `kill [-SIGNAL|-N] pid...`: sends a signal (by default TERM) to processes (a
//! negative pid names a process group).
#![no_std]
#![no_main]
#![forbid(unsafe_code)]

use libc_shim::signal;

libc_shim::main!(main);

/// Signal names and numbers `kill` knows.
const SIGNALS: [(&[u8], i32); 18] = [
    (b"HUP", signal::SIGHUP),
    (b"INT", signal::SIGINT),
    (b"QUIT", signal::SIGQUIT),
    (b"ILL", signal::SIGILL),
    (b"ABRT", signal::SIGABRT),
    (b"FPE", signal::SIGFPE),
    (b"KILL", signal::SIGKILL),
    (b"USR1", signal::SIGUSR1),
    (b"SEGV", signal::SIGSEGV),
    (b"USR2", signal::SIGUSR2),
    (b"PIPE", signal::SIGPIPE),
    (b"ALRM", signal::SIGALRM),
    (b"TERM", signal::SIGTERM),
    (b"CHLD", signal::SIGCHLD),
    (b"CONT", signal::SIGCONT),
    (b"STOP", signal::SIGSTOP),
    (b"TSTP", signal::SIGTSTP),
    (b"IOT", signal::SIGABRT),
];

fn main(arguments: libc_shim::start::Arguments) -> i32 {
    let mut words = arguments.iter().skip(1).peekable();
    let mut number = signal::SIGTERM;
    if let Some(option) = words.peek().and_then(|word| word.strip_prefix(b"-")) {
        if option != b"-" {
            match signal_number(option) {
                Some(found) => number = found,
                None => {
                    libc_shim::eprintln!("kill: unknown signal: {}", koito_programs::text(option));
                    return 1;
                }
            }
        }
        words.next();
    }
    if words.peek().is_none() {
        libc_shim::eprintln!("usage: kill [-SIGNAL|-N] pid...");
        return 1;
    }
    let mut status = 0;
    for word in words {
        let Some(pid) = koito_programs::parse_signed(word) else {
            libc_shim::eprintln!("kill: invalid process id: {}", koito_programs::text(word));
            status = 1;
            continue;
        };
        if let Err(errno) = signal::kill(pid, number) {
            libc_shim::eprintln!("kill: ({pid}) - {}", errno.message());
            status = 1;
        }
    }
    status
}

/// The signal `name` gives: a number, or a name with or without `SIG`.
fn signal_number(name: &[u8]) -> Option<i32> {
    if let Some(number) = koito_programs::parse_unsigned(name) {
        return i32::try_from(number).ok().filter(|&number| number <= 64);
    }
    let name = name.strip_prefix(b"SIG").unwrap_or(name);
    SIGNALS
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(name))
        .map(|&(_, number)| number)
}

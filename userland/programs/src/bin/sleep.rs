//! `sleep seconds...`: waits the sum of its operands (decimal seconds, possibly
//! fractional like `0.5`, with an optional `s` suffix).
#![no_std]
#![no_main]
#![forbid(unsafe_code)]

use libc_shim::Errno;
use libc_shim::time::{self, CLOCK_MONOTONIC, NANOSECONDS_PER_SECOND, TimeSpec};

libc_shim::main!(main);

fn main(arguments: libc_shim::start::Arguments) -> i32 {
    let mut total: u64 = 0;
    let mut any = false;
    for word in arguments.iter().skip(1) {
        let Some(nanoseconds) = parse_duration(word) else {
            libc_shim::eprintln!(
                "sleep: invalid time interval '{}'",
                koito_programs::text(word)
            );
            return 1;
        };
        total = total.saturating_add(nanoseconds);
        any = true;
    }
    if !any {
        libc_shim::eprintln!("sleep: missing operand");
        return 1;
    }
    match sleep_for(total) {
        Ok(()) => 0,
        Err(errno) => {
            libc_shim::eprintln!("sleep: {}", errno.message());
            1
        }
    }
}

/// Sleeps `nanoseconds`, going back to sleep after an interruption.
fn sleep_for(nanoseconds: u64) -> Result<(), Errno> {
    let deadline = time::clock_gettime(CLOCK_MONOTONIC)?
        .as_nanoseconds()
        .saturating_add(nanoseconds);
    loop {
        let now = time::clock_gettime(CLOCK_MONOTONIC)?.as_nanoseconds();
        let Some(left) = deadline.checked_sub(now).filter(|&left| left > 0) else {
            return Ok(());
        };
        let duration = TimeSpec {
            seconds: i64::try_from(left / NANOSECONDS_PER_SECOND).unwrap_or(i64::MAX),
            nanoseconds: (left % NANOSECONDS_PER_SECOND) as i64,
        };
        match time::nanosleep(duration) {
            Ok(()) => return Ok(()),
            Err(Errno::EINTR) => {}
            Err(errno) => return Err(errno),
        }
    }
}

/// `seconds[.fraction][s]` in nanoseconds.
fn parse_duration(word: &[u8]) -> Option<u64> {
    let word = word.strip_suffix(b"s").unwrap_or(word);
    let mut parts = word.splitn(2, |&byte| byte == b'.');
    let whole = parts.next().unwrap_or(&[]);
    let fraction = parts.next().unwrap_or(&[]);
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let seconds = if whole.is_empty() {
        0
    } else {
        koito_programs::parse_unsigned(whole)?
    };
    let mut nanoseconds = 0u64;
    let mut scale = NANOSECONDS_PER_SECOND;
    for &byte in fraction {
        let digit = u64::from(char::from(byte).to_digit(10)?);
        scale /= 10;
        nanoseconds += digit * scale;
    }
    Some(
        seconds
            .saturating_mul(NANOSECONDS_PER_SECOND)
            .saturating_add(nanoseconds),
    )
}

//! `ls [-l] [-a] [path...]`: lists directories (sorted, dot entries only with
//! `-a`) and files; `-l` gives mode, links, owner, size and modification time.
#![no_std]
#![no_main]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use libc_shim::file::{self, Stat};

libc_shim::main!(main);

/// Exit status for a path that cannot be listed.
const TROUBLE: i32 = 2;

/// What to show.
#[derive(Clone, Copy)]
struct Options {
    /// `-l`.
    long: bool,
    /// `-a`.
    all: bool,
}

/// One name to print, with its status when `-l` needs it.
struct Item {
    /// The name as printed.
    name: Vec<u8>,
    /// Its `lstat`.
    stat: Stat,
}

fn main(arguments: libc_shim::start::Arguments) -> i32 {
    let line = match koito_programs::parse_command_line(arguments, b"la") {
        Ok(line) => line,
        Err(letter) => {
            libc_shim::eprintln!("ls: invalid option -- '{}'", char::from(letter));
            return TROUBLE;
        }
    };
    let options = Options {
        long: line.has(b'l'),
        all: line.has(b'a'),
    };
    let mut paths = line.operands.clone();
    if paths.is_empty() {
        paths.push(b".");
    }
    paths.sort_unstable();
    let mut status = 0;
    let mut files = Vec::new();
    let mut directories = Vec::new();
    for &path in &paths {
        let stat = if options.long {
            file::lstat(path)
        } else {
            file::stat(path).or_else(|_| file::lstat(path))
        };
        match stat {
            Ok(stat) if stat.is_directory() => directories.push(path),
            Ok(stat) => files.push(Item {
                name: path.to_vec(),
                stat,
            }),
            Err(errno) => {
                libc_shim::eprintln!(
                    "ls: cannot access '{}': {}",
                    koito_programs::text(path),
                    errno.message()
                );
                status = TROUBLE;
            }
        }
    }
    let many = paths.len() > 1;
    let mut first = files.is_empty();
    print_items(&files, options);
    for directory in directories {
        if !first {
            libc_shim::println!();
        }
        first = false;
        if many {
            libc_shim::println!("{}:", koito_programs::text(directory));
        }
        if list_directory(directory, options).is_err() {
            status = TROUBLE;
        }
    }
    status
}

/// Prints the entries of `directory`.
fn list_directory(directory: &[u8], options: Options) -> Result<(), ()> {
    let entries = file::read_directory(directory).map_err(|errno| {
        libc_shim::eprintln!(
            "ls: cannot open directory '{}': {}",
            koito_programs::text(directory),
            errno.message()
        );
    })?;
    let mut names: Vec<Vec<u8>> = entries
        .into_iter()
        .map(|entry| entry.name)
        .filter(|name| options.all || !name.starts_with(b"."))
        .collect();
    names.sort_unstable();
    let items: Vec<Item> = names
        .into_iter()
        .map(|name| {
            let stat = if options.long {
                let mut path = directory.to_vec();
                if !path.ends_with(b"/") {
                    path.push(b'/');
                }
                path.extend_from_slice(&name);
                file::lstat(&path).unwrap_or_default()
            } else {
                Stat::default()
            };
            Item { name, stat }
        })
        .collect();
    print_items(&items, options);
    Ok(())
}

/// Prints `items`, one a line.
fn print_items(items: &[Item], options: Options) {
    let links_width = items
        .iter()
        .map(|item| decimal_width(item.stat.links))
        .max()
        .unwrap_or(1);
    let size_width = items
        .iter()
        .map(|item| decimal_width(item.stat.size.unsigned_abs()))
        .max()
        .unwrap_or(1);
    for item in items {
        let mut line = Vec::new();
        if options.long {
            let stat = &item.stat;
            line.extend_from_slice(
                format!(
                    "{} {:>links_width$} root root {:>size_width$} {} ",
                    mode_text(stat.mode),
                    stat.links,
                    stat.size,
                    date_text(stat.modification_time.0),
                )
                .as_bytes(),
            );
        }
        line.extend_from_slice(&item.name);
        line.push(b'\n');
        koito_programs::write_out(&line);
    }
}

/// Digits of `value` in decimal.
fn decimal_width(value: u64) -> usize {
    value
        .checked_ilog10()
        .map_or(1, |digits| digits as usize + 1)
}

/// `drwxr-xr-x` for `mode`.
fn mode_text(mode: u32) -> String {
    let kind = match mode & 0o170_000 {
        0o040_000 => 'd',
        0o120_000 => 'l',
        0o020_000 => 'c',
        0o060_000 => 'b',
        0o010_000 => 'p',
        0o140_000 => 's',
        _ => '-',
    };
    let mut text = String::new();
    text.push(kind);
    for (shift, special, special_letter) in [(6, 0o4000, 's'), (3, 0o2000, 's'), (0, 0o1000, 't')] {
        let bits = (mode >> shift) & 0o7;
        text.push(if bits & 4 != 0 { 'r' } else { '-' });
        text.push(if bits & 2 != 0 { 'w' } else { '-' });
        let execute = bits & 1 != 0;
        text.push(match (mode & special != 0, execute) {
            (true, true) => special_letter,
            (true, false) => special_letter.to_ascii_uppercase(),
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    text
}

/// `Jan  1 00:00` for `seconds` since 1970 (UTC).
fn date_text(seconds: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    let (_, month, day) = civil_from_days(days);
    let month_name = MONTHS
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("???");
    format!(
        "{month_name} {day:>2} {:02}:{:02}",
        of_day / 3600,
        of_day % 3600 / 60
    )
}

/// The proleptic Gregorian (year, month 1..=12, day 1..=31) of `days` since
/// 1970-01-01: counts 400-year eras of 146097 days from 0000-03-01, so that the
/// leap day ends each year of the count.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

//! `uname [-asnrvm]`: prints what system this is (by default its name).
#![no_std]
#![no_main]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::vec::Vec;

libc_shim::main!(main);

/// The fields in `-a` order: option letter and value.
const FIELDS: [(u8, &str); 5] = [
    (b's', "KOITO"),
    (b'n', "koito"),
    (b'r', env!("CARGO_PKG_VERSION")),
    (b'v', "#1"),
    (b'm', "x86_64"),
];

fn main(arguments: libc_shim::start::Arguments) -> i32 {
    let line = match koito_programs::parse_command_line(arguments, b"asnrvm") {
        Ok(line) => line,
        Err(letter) => {
            libc_shim::eprintln!("uname: invalid option -- '{}'", char::from(letter));
            return 1;
        }
    };
    let all = line.has(b'a');
    let chosen: Vec<&str> = FIELDS
        .iter()
        .filter(|(letter, _)| all || line.has(*letter))
        .map(|&(_, value)| value)
        .collect();
    if chosen.is_empty() {
        libc_shim::println!("KOITO");
    } else {
        libc_shim::println!("{}", chosen.join(" "));
    }
    0
}

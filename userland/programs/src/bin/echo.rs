//! `echo [-n] [argument...]`: prints its arguments separated by spaces.
#![no_std]
#![no_main]

extern crate alloc;

libc_shim::main!(main);

fn main(arguments: libc_shim::start::Arguments) -> i32 {
    let mut words: alloc::vec::Vec<&[u8]> = arguments.iter().skip(1).collect();
    let newline = if words.first() == Some(&&b"-n"[..]) {
        words.remove(0);
        false
    } else {
        true
    };
    let mut line = alloc::vec::Vec::new();
    for (index, word) in words.iter().enumerate() {
        if index > 0 {
            line.push(b' ');
        }
        line.extend_from_slice(word);
    }
    if newline {
        line.push(b'\n');
    }
    match libc_shim::file::write_all(libc_shim::file::STDOUT, &line) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

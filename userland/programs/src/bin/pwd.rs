//! `pwd`: prints the working directory.
#![no_std]
#![no_main]
#![forbid(unsafe_code)]

libc_shim::main!(main);

fn main(_arguments: libc_shim::start::Arguments) -> i32 {
    match libc_shim::file::getcwd() {
        Ok(mut directory) => {
            directory.push(b'\n');
            koito_programs::write_out(&directory);
            0
        }
        Err(errno) => {
            libc_shim::eprintln!("pwd: {}", errno.message());
            1
        }
    }
}

//! `crash [segv|ill|fpe]`: dies of a fault on purpose (default: a null-pointer
//! read, SIGSEGV), to show that the system and the shell go on.
#![no_std]
#![no_main]

libc_shim::main!(main);

fn main(arguments: libc_shim::start::Arguments) -> i32 {
    libc_shim::println!("crash: about to fault");
    match arguments.get(1) {
        Some(b"ill") => libc_shim::fault::invalid_instruction(),
        Some(b"fpe") => {
            let _ = libc_shim::fault::divide_by_zero(7);
        }
        _ => {
            let _ = libc_shim::fault::null_read();
        }
    }
    libc_shim::println!("crash: still alive?");
    1
}

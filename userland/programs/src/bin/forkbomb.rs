//! `forkbomb`: forks children (each sleeps a second and exits) until fork fails,
//! reports the failure and how many it made, then waits for them all.
#![no_std]
#![no_main]
#![forbid(unsafe_code)]

use libc_shim::process;

libc_shim::main!(main);

fn main(_arguments: libc_shim::start::Arguments) -> i32 {
    let mut children: u64 = 0;
    loop {
        match process::fork() {
            Ok(0) => {
                let _ = libc_shim::time::sleep(1);
                process::exit(0);
            }
            Ok(_) => children += 1,
            Err(errno) => {
                libc_shim::eprintln!(
                    "forkbomb: fork failed: {} (after {children} children)",
                    errno.message()
                );
                break;
            }
        }
    }
    while let Ok(Some(_)) = process::waitpid(-1, 0) {}
    0
}

//! `/bin/init`: the first process. It runs `/etc/rc` with the shell when the
//! image has one, then keeps an interactive shell on the console: it starts
//! `/bin/sh` in a session of its own, reaps every orphan that is reparented to it,
//! and starts a new shell when the shell exits.
#![no_std]
#![no_main]

use libc_shim::process::{self, Pid};
use libc_shim::{eprintln, file};

libc_shim::main!(main);

fn spawn(arguments: &[&[u8]]) -> Option<Pid> {
    match process::fork() {
        Ok(0) => {
            let _ = process::setsid();
            let environment: alloc::vec::Vec<alloc::vec::Vec<u8>> =
                libc_shim::environment::entries();
            let environment: alloc::vec::Vec<&[u8]> =
                environment.iter().map(alloc::vec::Vec::as_slice).collect();
            let errno = process::execve(arguments[0], arguments, &environment);
            eprintln!(
                "init: cannot run {}: {}",
                core::str::from_utf8(arguments[0]).unwrap_or("?"),
                errno.message()
            );
            process::exit(127)
        }
        Ok(pid) => Some(pid),
        Err(errno) => {
            eprintln!("init: fork: {}", errno.message());
            None
        }
    }
}

/// Reaps children until `pid` exits.
fn wait_for(pid: Pid) {
    loop {
        match process::waitpid(-1, 0) {
            Ok(Some((child, _))) if child == pid => return,
            Ok(_) => {}
            Err(_) => return,
        }
    }
}

extern crate alloc;

fn main(_arguments: libc_shim::start::Arguments) -> i32 {
    if file::access(b"/etc/rc", file::flags::F_OK).is_ok()
        && let Some(pid) = spawn(&[b"/bin/sh", b"/etc/rc"])
    {
        wait_for(pid);
    }
    loop {
        let Some(pid) = spawn(&[b"/bin/sh"]) else {
            let _ = libc_shim::time::sleep(1);
            continue;
        };
        wait_for(pid);
        eprintln!("init: the shell exited; starting a new one");
    }
}

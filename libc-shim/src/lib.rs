//! libc-shim's first layer: the POSIX calls of KOITO as a safe Rust API, over IPC
//! to posix-server (which forwards memory calls to mm-server), with bulk data in a
//! buffer each process shares with posix-server. Rust programs on KOITO are
//! written against it (`x86_64-unknown-linux-gnu`, `#![no_std]`, linked
//! `-nostdlib -static` with this crate's start-up code).
//!
//! | module | what |
//! |---|---|
//! | [`start`] | `_start`, the initial stack, [`main!`] |
//! | [`process`] | exit, fork, execve, waitpid, pids, groups, sessions, `ps` records |
//! | [`signal`] | sigaction, sigprocmask, kill, delivery and the trampoline |
//! | [`file`] | descriptors, files, directories, terminal ioctls |
//! | [`time`] | clock_gettime, nanosleep |
//! | [`fault`] | deliberate faults (null read, invalid instruction, division by zero) |
//! | [`memory`] | brk, mmap, munmap, mprotect |
//! | [`environment`] | getenv, setenv, unsetenv |
//! | [`io`] | `print!`, `println!`, `eprintln!` |
//! | [`allocator`] | the global allocator over `brk` |
//!
//! The lowest layer, the only one with `unsafe` code: [`memory_functions`]
//! (`memcpy` & co.), [`raw_strings`] (the initial stack), [`shared_buffer`], the
//! assembly of [`start`], [`process`] (fork) and [`signal`] (the trampoline),
//! [`time`] (`rdtsc`), [`fault`] and [`allocator`].
#![no_std]

extern crate alloc;

pub mod allocator;
pub mod environment;
pub mod fault;
pub mod file;
pub mod io;
pub mod memory;
pub mod memory_functions;
pub mod posix_call;
pub mod process;
pub mod raw_strings;
pub mod shared_buffer;
pub mod signal;
pub mod start;
pub mod time;

pub use posix_server_api::Errno;

#[global_allocator]
static ALLOCATOR: allocator::BreakHeap = allocator::BreakHeap::new();

unsafe extern "Rust" {
    /// The program's main, defined by [`main!`].
    fn koito_program_main(arguments: start::Arguments) -> i32;
}

/// Runs the program's main.
fn program_main(arguments: start::Arguments) -> i32 {
    // SAFETY: every program linked with libc-shim defines `koito_program_main`
    // with this signature through `main!` (the link fails otherwise).
    unsafe { koito_program_main(arguments) }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    use core::fmt::Write;
    let _ = writeln!(io::standard_error(), "panic: {info}");
    process::exit_now(134)
}

/// The unwinder's personality routine. The prebuilt `alloc` of
/// `x86_64-unknown-linux-gnu` refers to it from its unwind tables, but programs
/// built with `panic = "abort"` never unwind, so nothing ever calls it.
#[unsafe(no_mangle)]
pub extern "C" fn rust_eh_personality() {}

/// The unwinder's resume routine, which the prebuilt `alloc` refers to from its
/// landing pads. Programs built with `panic = "abort"` never unwind, so a call
/// would be a bug: it ends the process.
#[unsafe(no_mangle)]
pub extern "C" fn _Unwind_Resume() -> ! {
    process::exit_now(134)
}

//! Process start-up: `_start`, the System V initial stack (argc, argv, envp, the
//! auxiliary vector, see `posix_server_api::process_start`), and the program's
//! `main`, declared with [`main!`](crate::main).
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//! libc_shim::main!(main);
//! fn main(arguments: libc_shim::start::Arguments) -> i32 { 0 }
//! ```

use a9n_abi::Descriptor;
use posix_server_api::process_start::{
    AT_KOITO_NOTIFICATION, AT_KOITO_POSIX_PORT, AT_KOITO_SHARED_BUFFER, AT_NULL,
};
use spin::Once;

core::arch::global_asm!(
    ".globl _start",
    ".type _start, @function",
    "_start:",
    "xor ebp, ebp",
    "mov rdi, rsp",
    "and rsp, -16",
    "call {start}",
    "ud2",
    start = sym start_process,
);

/// What the process learnt at start-up.
#[derive(Clone, Copy, Debug)]
pub struct StartInfo {
    /// Its posix-server capability.
    pub posix_port: Descriptor,
    /// Its notification port.
    pub notification: Descriptor,
    /// The address of its shared buffer.
    pub shared_buffer: u64,
    /// `argc`.
    pub argument_count: usize,
    /// The address of `argv[0]`.
    pub argument_vector: u64,
    /// The address of `envp[0]`.
    pub environment_vector: u64,
}

static START: Once<StartInfo> = Once::new();

/// The start-up information (set before `main` runs).
///
/// # Panics
/// Never after start-up; before it (impossible in a program) it loops.
pub fn info() -> &'static StartInfo {
    loop {
        if let Some(info) = START.get() {
            return info;
        }
    }
}

/// The program's arguments.
#[derive(Clone, Copy, Debug)]
pub struct Arguments {
    count: usize,
    vector: u64,
}

impl Arguments {
    /// How many.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.count
    }

    /// Whether there are none (not even the program name).
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Argument `index` (without its NUL).
    #[must_use]
    pub fn get(&self, index: usize) -> Option<&'static [u8]> {
        if index >= self.count {
            return None;
        }
        crate::raw_strings::string_at(self.vector, index)
    }

    /// Every argument in order.
    pub fn iter(&self) -> impl Iterator<Item = &'static [u8]> + '_ {
        (0..self.count).filter_map(|index| self.get(index))
    }
}

/// The arguments of this process.
#[must_use]
pub fn arguments() -> Arguments {
    let info = info();
    Arguments {
        count: info.argument_count,
        vector: info.argument_vector,
    }
}

/// Reads the initial stack at `stack` and runs the program.
extern "C" fn start_process(stack: *const u64) -> ! {
    // SAFETY: `_start` passes the stack pointer the process started with, which
    // posix-server set to the System V initial stack it built.
    let layout = unsafe { crate::raw_strings::read_initial_stack(stack) };
    let mut info = StartInfo {
        posix_port: Descriptor::ROOT_NODE,
        notification: Descriptor::ROOT_NODE,
        shared_buffer: 0,
        argument_count: layout.argument_count,
        argument_vector: layout.argument_vector,
        environment_vector: layout.environment_vector,
    };
    for (key, value) in layout.auxiliary.iter().copied() {
        match key {
            AT_NULL => break,
            AT_KOITO_POSIX_PORT => {
                info.posix_port = Descriptor::from_word(value).unwrap_or(Descriptor::ROOT_NODE);
            }
            AT_KOITO_NOTIFICATION => {
                info.notification = Descriptor::from_word(value).unwrap_or(Descriptor::ROOT_NODE);
            }
            AT_KOITO_SHARED_BUFFER => info.shared_buffer = value,
            _ => {}
        }
    }
    START.call_once(|| info);
    crate::environment::initialize(layout.environment_vector);
    crate::signal::install_trampoline();
    let status = crate::program_main(arguments());
    crate::io::flush();
    crate::process::exit(status)
}

/// Declares the program's `main`: `fn(Arguments) -> i32`, its exit status.
#[macro_export]
macro_rules! main {
    ($main:path) => {
        /// The program's entry, called by libc-shim's start-up code.
        #[unsafe(no_mangle)]
        pub fn koito_program_main(arguments: $crate::start::Arguments) -> i32 {
            $main(arguments)
        }
    };
}

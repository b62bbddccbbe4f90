//! Program start-up: the [`entry!`](crate::entry) and [`init_entry!`](crate::init_entry)
//! macros define `_start`, which switches to a stack in the program's own `.bss`
//! (the kernel starts init with `RSP` = 0) and calls the program's main function.
//! Each macro also installs the panic handler ([`report_panic`]).
//!
//! - `entry!(main)` with `fn main(argument: u64)`: `argument` is the `RDI` the
//!   program was started with.
//! - `init_entry!(main)` with `fn main(init_info: &'static InitInfo)` for the
//!   initial program: start-up checks and records the `InitInfo` page passed in
//!   `RDI` ([`init_info`](crate::init_info)) and the IPC buffer it names
//!   ([`ipc_buffer`](crate::ipc_buffer)), so that MR10 and above work at once.
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//! nun::init_entry!(main);
//! fn main(init_info: &'static a9n_abi::InitInfo) {
//!     nun::debug_println!("{} Generics", init_info.generic_count);
//! }
//! ```

use a9n_abi::InitInfo;

/// Bytes of the initial stack each program gets in its `.bss`.
pub const INITIAL_STACK_SIZE: usize = 64 * 1024;

/// The initial stack, 16-byte aligned.
#[repr(C, align(16))]
pub struct InitialStack(pub [u8; INITIAL_STACK_SIZE]);

/// The main function of an initial program, as `init_entry!` calls it.
pub type InitMain = extern "C" fn(&'static InitInfo) -> !;

/// What a program's main function returns to: the thread yields forever (a later
/// version of Nun asks the parent server to end the thread).
pub fn finish() -> ! {
    loop {
        crate::kernel_call::yield_now();
    }
}

/// Reports a panic on the debug console and stops the thread.
pub fn report_panic(info: &core::panic::PanicInfo<'_>) -> ! {
    crate::debug_println!("panic: {info}");
    finish()
}

/// Start-up of the initial program, called by `_start` (from `init_entry!`) with
/// the `RDI` the kernel passed and the program's main function. Records the
/// `InitInfo` page and the IPC buffer, then runs `main`.
///
/// # Safety
/// Only `_start` may call this, once, with the kernel's `RDI` of the initial thread
/// (docs/abi.md section 9).
pub unsafe extern "C" fn start_initial_program(init_info_address: u64, main: InitMain) -> ! {
    // SAFETY: the caller passes the kernel's RDI, the InitInfo page.
    let info = match unsafe { crate::init_info::install(init_info_address) } {
        Ok(info) => info,
        Err(error) => {
            crate::debug_println!("nun: bad init_info at {init_info_address:#x}: {error:?}");
            finish()
        }
    };
    // SAFETY: the kernel maps the initial thread's IPC buffer at this address for
    // the program's lifetime and nothing else lives there (ABI section 9).
    if let Err(error) = unsafe { crate::ipc_buffer::install(info.ipc_buffer_address) } {
        crate::debug_println!(
            "nun: bad IPC buffer address {:#x}: {error:?}",
            info.ipc_buffer_address
        );
    }
    main(info)
}

/// Declares a program's entry point: `nun::entry!(main);` with
/// `fn main(argument: u64)`.
///
/// ```ignore
/// #![no_std]
/// #![no_main]
/// nun::entry!(main);
/// fn main(argument: u64) {
///     nun::debug_println!("hello from user space");
/// }
/// ```
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        #[unsafe(no_mangle)]
        static mut NUN_INITIAL_STACK: $crate::start::InitialStack =
            $crate::start::InitialStack([0; $crate::start::INITIAL_STACK_SIZE]);

        core::arch::global_asm!(
            ".section .text._start, \"ax\"",
            ".global _start",
            "_start:",
            "lea rsp, [rip + NUN_INITIAL_STACK + {size}]",
            "xor ebp, ebp",
            "call {main}",
            "ud2",
            size = const $crate::start::INITIAL_STACK_SIZE,
            main = sym nun_program_main,
        );

        extern "C" fn nun_program_main(argument: u64) -> ! {
            $main(argument);
            $crate::start::finish()
        }

        #[panic_handler]
        fn nun_panic(info: &core::panic::PanicInfo<'_>) -> ! {
            $crate::start::report_panic(info)
        }
    };
}

/// Declares the entry point of the initial program (the one the kernel starts):
/// `nun::init_entry!(main);` with `fn main(init_info: &'static a9n_abi::InitInfo)`.
///
/// ```ignore
/// #![no_std]
/// #![no_main]
/// nun::init_entry!(main);
/// fn main(init_info: &'static a9n_abi::InitInfo) {
///     nun::debug_println!("IPC buffer at {:#x}", init_info.ipc_buffer_address);
/// }
/// ```
#[macro_export]
macro_rules! init_entry {
    ($main:path) => {
        #[unsafe(no_mangle)]
        static mut NUN_INITIAL_STACK: $crate::start::InitialStack =
            $crate::start::InitialStack([0; $crate::start::INITIAL_STACK_SIZE]);

        // RDI (the InitInfo address) passes through untouched as the first
        // argument; RSI gets the program's main function.
        core::arch::global_asm!(
            ".section .text._start, \"ax\"",
            ".global _start",
            "_start:",
            "lea rsp, [rip + NUN_INITIAL_STACK + {size}]",
            "xor ebp, ebp",
            "lea rsi, [rip + {main}]",
            "call {start}",
            "ud2",
            size = const $crate::start::INITIAL_STACK_SIZE,
            main = sym nun_program_main,
            start = sym $crate::start::start_initial_program,
        );

        extern "C" fn nun_program_main(init_info: &'static $crate::InitInfo) -> ! {
            $main(init_info);
            $crate::start::finish()
        }

        #[panic_handler]
        fn nun_panic(info: &core::panic::PanicInfo<'_>) -> ! {
            $crate::start::report_panic(info)
        }
    };
}

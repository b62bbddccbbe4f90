//! Program start-up: the [`entry!`](crate::entry) macro defines `_start`, which
//! switches to a stack in the program's own `.bss` and calls the program's main
//! function with the word the kernel passed in RDI (init receives the address of
//! its `init_info` there).

/// Bytes of the initial stack each program gets in its `.bss`.
pub const INITIAL_STACK_SIZE: usize = 64 * 1024;

/// The initial stack, 16-byte aligned.
#[repr(C, align(16))]
pub struct InitialStack(pub [u8; INITIAL_STACK_SIZE]);

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

/// Declares a program's entry point: `nun::entry!(main);` with
/// `fn main(argument: u64)`.
///
/// ```ignore
/// #![no_std]
/// #![no_main]
/// nun::entry!(main);
/// fn main(init_info_address: u64) {
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

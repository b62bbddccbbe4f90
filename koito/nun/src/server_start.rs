//! Start-up of a server launched by init (see `koito/init/src/server_launcher.rs`):
//! the thread starts at the ELF entry with `RDI` = the address of its IPC buffer and
//! `RSI` = one argument word from its launcher; [`server_entry!`](crate::server_entry)
//! switches to a stack in the program's `.bss`, installs the IPC buffer and calls
//! `main(argument)`. When `main` returns or the server panics, its thread [`stop`]s
//! with a kernel call that reaches its fault resolver (its launcher's supervisor).
//!
//! The server's root node (radix [`SERVER_ROOT_RADIX`]) holds its own objects in the
//! slots of [`ServerSlot`], the capabilities its launcher gives it from
//! [`FIRST_GIVEN_SLOT`] on, and from [`IMAGE_FRAME_SLOT`] on the frames of its image:
//! one per page from [`IMAGE_BASE`] in address order, up to the first slot that
//! holds no frame (the page tables of its address space come after them). Slots
//! [`FIRST_FREE_SLOT`]`..IMAGE_FRAME_SLOT` are the server's to use.

use a9n_abi::Descriptor;

/// Radix of a server's root node (256 slots: room for the frames of an image of
/// about 900 KiB and its page tables; a radix-8 root also lets the kernel's IPC
/// fastpath serve the server's ports).
pub const SERVER_ROOT_RADIX: u32 = 8;
/// Where the launcher maps a server's IPC buffer.
pub const SERVER_IPC_BUFFER_ADDRESS: u64 = 0x0000_7fff_fff0_0000;
/// First root slot holding a capability the launcher gave.
pub const FIRST_GIVEN_SLOT: u64 = 5;
/// Most capabilities a launcher gives (slots `FIRST_GIVEN_SLOT..FIRST_FREE_SLOT`).
pub const MAX_GIFTS: u64 = 5;
/// First root slot the launcher leaves empty for the server.
pub const FIRST_FREE_SLOT: u64 = FIRST_GIVEN_SLOT + MAX_GIFTS;
/// Root slot of the frame of the image's first page.
pub const IMAGE_FRAME_SLOT: u64 = 24;
/// Where every image starts (the link address of `user.ld`).
pub const IMAGE_BASE: u64 = 0x40_0000;

/// A server's own objects in its root node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerSlot {
    /// Its PCB.
    ProcessControlBlock = 1,
    /// Its address space.
    AddressSpace = 2,
    /// Its root node.
    RootNode = 3,
    /// Its IPC buffer frame.
    IpcBuffer = 4,
}

/// The descriptor of root slot `index` of a server.
#[must_use]
pub fn server_slot(index: u64) -> Descriptor {
    Descriptor::root_slot(SERVER_ROOT_RADIX, index).unwrap_or(Descriptor::ROOT_NODE)
}

/// The kernel-call number a server's thread ends with when its `main` returns: no
/// [`a9n_abi::KernelCall`], so the kernel sends an `INVALID_KERNEL_CALL` fault with
/// this call number to the thread's fault resolver, its launcher's supervisor
/// (without one the thread is suspended).
pub const EXIT_CALL_NUMBER: u64 = 0x4e75_6e00_0000_0001;
/// The same for a server that panicked (after the message is printed).
pub const PANIC_CALL_NUMBER: u64 = 0x4e75_6e00_0000_0002;

/// Stops the server's thread for good: tells its supervisor with `call_number`
/// ([`EXIT_CALL_NUMBER`] or [`PANIC_CALL_NUMBER`]) and never runs again (if the
/// supervisor replies, it tells it again).
pub fn stop(call_number: u64) -> ! {
    loop {
        let mut registers = crate::kernel_call::RegisterMessages::default();
        crate::kernel_call::raw_call(call_number, &mut registers);
    }
}

/// Reports a server's panic on the debug console, then [`stop`]s.
pub fn report_panic(info: &core::panic::PanicInfo<'_>) -> ! {
    crate::debug_println!("panic: {info}");
    stop(PANIC_CALL_NUMBER)
}

/// Called by `_start` of a server: installs the IPC buffer and runs `main`.
pub extern "C" fn start_server(ipc_buffer: u64, argument: u64, main: extern "C" fn(u64) -> !) -> ! {
    // SAFETY: the launcher maps a fresh 4 KiB frame at this address, read-write,
    // for the server's whole life, and nothing else lives there.
    if let Err(error) = unsafe { crate::ipc_buffer::install(ipc_buffer) } {
        crate::debug_println!("server: bad IPC buffer {ipc_buffer:#x}: {error:?}");
    }
    main(argument)
}

/// Declares the entry point of a server launched by init:
/// `nun::server_entry!(main);` with `fn main(argument: u64)`.
#[macro_export]
macro_rules! server_entry {
    ($main:path) => {
        #[unsafe(no_mangle)]
        static mut NUN_INITIAL_STACK: $crate::start::InitialStack =
            $crate::start::InitialStack([0; $crate::start::INITIAL_STACK_SIZE]);

        // RDI (IPC buffer) and RSI (argument) pass through; RDX gets main.
        core::arch::global_asm!(
            ".section .text._start, \"ax\"",
            ".global _start",
            "_start:",
            "lea rsp, [rip + NUN_INITIAL_STACK + {size}]",
            "xor ebp, ebp",
            "lea rdx, [rip + {main}]",
            "call {start}",
            "ud2",
            size = const $crate::start::INITIAL_STACK_SIZE,
            main = sym nun_program_main,
            start = sym $crate::server_start::start_server,
        );

        extern "C" fn nun_program_main(argument: u64) -> ! {
            $main(argument);
            $crate::server_start::stop($crate::server_start::EXIT_CALL_NUMBER)
        }

        #[panic_handler]
        fn nun_panic(info: &core::panic::PanicInfo<'_>) -> ! {
            $crate::server_start::report_panic(info)
        }
    };
}

//! How a process starts: the System V initial stack and KOITO's auxiliary vector
//! entries.
//!
//! posix-server starts a process at its ELF entry point with `RSP` pointing at
//! `argc`, then the `argv` pointers and a null, the `envp` pointers and a null, and
//! the auxiliary vector (pairs ending with `AT_NULL`), the strings above them, as
//! the System V x86_64 ABI says; `RDX` is 0 (no function for `atexit`). The process
//! has no IPC buffer: every request fits in registers. Its root node (radix
//! [`PROCESS_ROOT_RADIX`]) holds its posix-server capability and its notification
//! port, named by the auxiliary vector entries below.

/// `AT_NULL`: the end of the vector.
pub const AT_NULL: u64 = 0;
/// `AT_PHDR`: the program headers' address.
pub const AT_PHDR: u64 = 3;
/// `AT_PHENT`: bytes of one program header.
pub const AT_PHENT: u64 = 4;
/// `AT_PHNUM`: how many program headers.
pub const AT_PHNUM: u64 = 5;
/// `AT_PAGESZ`: the page size.
pub const AT_PAGESZ: u64 = 6;
/// `AT_ENTRY`: the entry point.
pub const AT_ENTRY: u64 = 9;
/// `AT_RANDOM`: the address of 16 random bytes.
pub const AT_RANDOM: u64 = 25;
/// `AT_EXECFN`: the path the program was run as.
pub const AT_EXECFN: u64 = 31;
/// KOITO: the descriptor of the process's posix-server capability.
pub const AT_KOITO_POSIX_PORT: u64 = 0x4b00;
/// KOITO: the descriptor of the process's notification port (WAIT).
pub const AT_KOITO_NOTIFICATION: u64 = 0x4b01;
/// KOITO: the address of the shared buffer ([`crate::shared_buffer`]).
pub const AT_KOITO_SHARED_BUFFER: u64 = 0x4b02;

/// Radix of a process's root node.
pub const PROCESS_ROOT_RADIX: u32 = 8;
/// Root slot of the process's posix-server capability.
pub const POSIX_PORT_SLOT: u64 = 1;
/// Root slot of the process's notification port.
pub const NOTIFICATION_SLOT: u64 = 2;

/// The top of every process's stack (the stack grows down from here).
pub const STACK_TOP: u64 = 0x0000_7fff_ff00_0000;
/// The most a process's stack may grow to.
pub const STACK_LIMIT: u64 = 8 << 20;
/// Where the shared buffer is mapped in every process.
pub const SHARED_BUFFER_ADDRESS: u64 = 0x0000_7ffe_0000_0000;
/// Most bytes of argv and envp strings together (`ARG_MAX`).
pub const ARGUMENT_MAX: u64 = 0x1_0000;

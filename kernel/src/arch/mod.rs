//! Architecture layer: the only place in the kernel with `asm!` and hardware access.

mod x86_64;

pub use self::x86_64::*;

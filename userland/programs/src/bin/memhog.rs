//! `memhog`: allocates and touches 1 MiB blocks until allocation fails, then
//! reports how much it got and exits with status 1.
#![no_std]
#![no_main]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::vec::Vec;

libc_shim::main!(main);

/// Bytes of one block.
const BLOCK_BYTES: usize = 1024 * 1024;

fn main(_arguments: libc_shim::start::Arguments) -> i32 {
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut block = Vec::new();
        if block.try_reserve_exact(BLOCK_BYTES).is_err() || blocks.try_reserve(1).is_err() {
            break;
        }
        // Writing every byte makes the memory really backed.
        block.resize(BLOCK_BYTES, 0xa5);
        blocks.push(block);
    }
    libc_shim::eprintln!("memhog: out of memory after {} MiB", blocks.len());
    1
}

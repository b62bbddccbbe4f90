//! KOITO init: the first user thread. It receives the initial capabilities of
//! docs/abi.md section 9 and (in later versions) starts the memory server and the
//! other servers. This version announces itself on the debug console.
#![no_std]
#![no_main]

nun::entry!(main);

fn main(init_info_address: u64) {
    nun::debug_println!("init: KOITO init running, init_info at {init_info_address:#x}");
}

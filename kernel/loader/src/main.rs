//! UEFI loader for the A9N kernel (work in progress).
#![no_std]
#![no_main]

use uefi::prelude::*;

#[entry]
fn main() -> Status {
    Status::SUCCESS
}

//! posix-server on A9N (being written).
#![no_std]
#![no_main]

//! `posix-server`: the POSIX personality of KOITO. This library holds the server's
//! policy logic with no system calls (host-tested); the binary (`src/main.rs`,
//! feature `server`) runs it on A9N.
//!
//! | module | job |
//! |---|---|
//! | [`clock`] | monotonic and real time from the TSC, sleepers' deadlines, PIT arming |
//! | [`executable`] | execve's plan: ELF checks, pages, protections, file bytes |
//! | [`initial_stack`] | a new process's System V stack (argv, envp, auxv) |
//! | [`vfs`] | mount table, root image, tmpfs, `/dev` nodes, path lookup |
//! | [`file_descriptors`] | open file descriptions and per-process descriptor tables |
//! | [`pipe`] | pipe buffers: blocking, partial writes, EOF, EPIPE |
//! | [`tty`] | the console's line discipline and termios subset |
//! | [`process_table`] | pids, parents, groups, sessions, zombies, wait |
//! | [`signals`] | signal sets, dispositions, default actions, pending signals |
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod clock;
pub mod executable;
pub mod file_descriptors;
pub mod initial_stack;
pub mod pipe;
pub mod process_table;
pub mod signals;
pub mod tty;
pub mod vfs;

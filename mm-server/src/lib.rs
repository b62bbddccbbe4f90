//! `mm-server`: the policy logic of KOITO's memory server, with no system calls so
//! that it is tested on the host. The server binary (IPC loop) drives it.
#![no_std]

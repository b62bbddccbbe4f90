//! Processes: `_exit`, `fork`, `execve`, `wait4`/`waitpid`, pids, process groups
//! and sessions, the process list `ps` shows, and the wait status macros
//! ([`wait_status`]).

use alloc::vec::Vec;

use posix_server_api::process_record::{ProcessRecord, RECORD_BYTES};
pub use posix_server_api::wait_status;
use posix_server_api::{Errno, Operation};

use crate::posix_call::{call, finish, request, simple_outcome};
use crate::shared_buffer;

/// A process id.
pub type Pid = i64;

/// `waitpid` option: do not block.
pub const WNOHANG: i32 = 1;
/// `waitpid` option: report stopped children.
pub const WUNTRACED: i32 = 2;
/// `waitpid` option: report continued children.
pub const WCONTINUED: i32 = 8;

/// Ends the process with `status` (no flushing: see [`exit`]).
pub fn exit_now(status: i32) -> ! {
    loop {
        let _ = call(Operation::Exit, &[status as u64]);
    }
}

/// Flushes standard output and ends the process with `status`.
pub fn exit(status: i32) -> ! {
    crate::io::flush();
    exit_now(status)
}

core::arch::global_asm!(
    ".globl koito_fork",
    "koito_fork:",
    "push rbp",
    "push rbx",
    "push r12",
    "push r13",
    "push r14",
    "push r15",
    // The child resumes at 2 with RSP here, the six registers above it.
    "mov rdi, rsp",
    "lea rsi, [rip + 2f]",
    "sub rsp, 8",
    "call {request}",
    "add rsp, 8",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop rbx",
    "pop rbp",
    "ret",
    "2:",
    "xor eax, eax",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop rbx",
    "pop rbp",
    "ret",
    request = sym fork_request,
);

unsafe extern "C" {
    /// Saves the callee-saved registers and sends FORK; returns the child's pid
    /// (or `-errno`) in the parent and 0 in the child.
    fn koito_fork() -> i64;
}

extern "C" fn fork_request(child_stack: u64, child_resume: u64) -> i64 {
    let reply = call(Operation::Fork, &[child_stack, child_resume, 0]);
    match finish(&reply) {
        Ok(pid) => pid as i64,
        Err(errno) => -i64::from(errno.0),
    }
}

/// `fork`: `Ok(0)` in the child, `Ok(child pid)` in the parent.
///
/// # Errors
/// `EAGAIN` (process limit), `ENOMEM`.
pub fn fork() -> Result<Pid, Errno> {
    crate::io::flush();
    // SAFETY: `koito_fork` follows the C ABI: it preserves the callee-saved
    // registers in both processes (the child gets them back from its copy of
    // this stack) and returns an i64.
    let result = unsafe { koito_fork() };
    if result < 0 {
        Err(Errno::from_number(result.unsigned_abs()).unwrap_or(Errno::EIO))
    } else {
        Ok(result)
    }
}

/// `execve`: replaces the program with the one at `path`. Returns only on failure.
///
/// # Errors
/// `ENOENT`, `ENOEXEC`, `EACCES`, `E2BIG`, `ENOTDIR`, `ENOMEM`...
pub fn execve(path: &[u8], arguments: &[&[u8]], environment: &[&[u8]]) -> Errno {
    let mut block = Vec::new();
    for part in core::iter::once(path)
        .chain(arguments.iter().copied())
        .chain(environment.iter().copied())
    {
        if part.contains(&0) {
            return Errno::EINVAL;
        }
        block.extend_from_slice(part);
        block.push(0);
    }
    if block.len() > shared_buffer::CAPACITY {
        return Errno::E2BIG;
    }
    crate::io::flush();
    let reply = request(
        Operation::Execve,
        &[
            block.len() as u64,
            arguments.len() as u64,
            environment.len() as u64,
        ],
        &mut || {
            let _ = shared_buffer::put(0, &block);
        },
    );
    match finish(&reply) {
        Ok(_) => Errno::EIO,
        Err(errno) => errno,
    }
}

/// `wait4` without resource usage: `Ok(Some((pid, status)))`, or `Ok(None)` with
/// `WNOHANG` when no child is ready.
///
/// # Errors
/// `ECHILD`, `EINVAL`, `EINTR`.
pub fn waitpid(pid: Pid, options: i32) -> Result<Option<(Pid, i32)>, Errno> {
    let reply = request(Operation::Wait4, &[pid as u64, options as u64], &mut || {});
    let child = finish(&reply)?;
    if child == 0 {
        Ok(None)
    } else {
        Ok(Some((child as Pid, reply.values[0] as i32)))
    }
}

/// `getpid`.
#[must_use]
pub fn getpid() -> Pid {
    simple_outcome(Operation::GetPid, &[]).map_or(0, |pid| pid as Pid)
}

/// `getppid`.
#[must_use]
pub fn getppid() -> Pid {
    let reply = call(Operation::GetPid, &[]);
    reply.values[0] as Pid
}

/// `setpgid`.
///
/// # Errors
/// `EINVAL`, `ESRCH`, `EPERM`, `EACCES`.
pub fn setpgid(pid: Pid, group: Pid) -> Result<(), Errno> {
    simple_outcome(Operation::SetPgid, &[pid as u64, group as u64]).map(|_| ())
}

/// `getpgid` (0 for the caller).
///
/// # Errors
/// `ESRCH`.
pub fn getpgid(pid: Pid) -> Result<Pid, Errno> {
    simple_outcome(Operation::GetPgid, &[pid as u64]).map(|group| group as Pid)
}

/// `getpgrp`.
#[must_use]
pub fn getpgrp() -> Pid {
    getpgid(0).unwrap_or(0)
}

/// `setsid`: the new session id.
///
/// # Errors
/// `EPERM` for a process-group leader.
pub fn setsid() -> Result<Pid, Errno> {
    simple_outcome(Operation::SetSid, &[]).map(|session| session as Pid)
}

/// `getsid` (0 for the caller).
///
/// # Errors
/// `ESRCH`.
pub fn getsid(pid: Pid) -> Result<Pid, Errno> {
    simple_outcome(Operation::GetSid, &[pid as u64]).map(|session| session as Pid)
}

/// Every process (for `ps`), in pid order.
///
/// # Errors
/// What posix-server answers.
pub fn process_list() -> Result<Vec<ProcessRecord>, Errno> {
    let mut records = Vec::new();
    let mut next = 0u64;
    loop {
        let reply = request(Operation::ProcessList, &[next], &mut || {});
        let count = reply.outcome()? as usize;
        let mut bytes = alloc::vec![0u8; count * RECORD_BYTES];
        let copied = shared_buffer::get(0, &mut bytes);
        finish(&reply)?;
        if !copied || count == 0 {
            return Ok(records);
        }
        for chunk in bytes.chunks_exact(RECORD_BYTES) {
            if let Some(record) = ProcessRecord::decode(chunk) {
                next = record.pid + 1;
                records.push(record);
            }
        }
    }
}

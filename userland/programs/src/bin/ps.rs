//! `ps`: lists every process (pid, parent, group, state, command).
#![no_std]
#![no_main]
#![forbid(unsafe_code)]

use posix_server_api::process_record::RecordState;

libc_shim::main!(main);

fn main(_arguments: libc_shim::start::Arguments) -> i32 {
    let records = match libc_shim::process::process_list() {
        Ok(records) => records,
        Err(errno) => {
            libc_shim::eprintln!("ps: {}", errno.message());
            return 1;
        }
    };
    libc_shim::println!("  PID  PPID  PGID STAT CMD");
    for record in records {
        let state = match record.state {
            RecordState::Running => "R",
            RecordState::Stopped => "T",
            RecordState::Zombie => "Z",
        };
        let length = record
            .name
            .iter()
            .position(|&byte| byte == 0)
            .unwrap_or(record.name.len());
        let name = record.name.get(..length).unwrap_or(&[]);
        libc_shim::println!(
            "{:>5} {:>5} {:>5} {:<4} {}",
            record.pid,
            record.ppid,
            record.pgid,
            state,
            koito_programs::text(name)
        );
    }
    0
}

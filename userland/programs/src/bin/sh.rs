//! `/bin/sh`: KOITO's shell. The language, expansions, builtins, job handling and
//! line editing live in the `koito-shell` library; this program gives it the
//! system: processes through fork and execve, pipes, files, and the terminal
//! (raw mode while a line is edited, the foreground process group while a
//! command runs). `sh FILE` runs the commands of FILE, one per line.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

use koito_shell::executor::{Flow, Shell, ShellSettings};
use koito_shell::glob::DirectoryLister;
use koito_shell::line_editor::{EditorEvent, LineEditor};
use koito_shell::status::WaitStatus;
use koito_shell::system::{
    CREATE_MODE, FileAction, FileDescriptor, OpenMode, Pipe, ProcessGroup, ProcessId, SpawnRequest,
    System, exec_failure_report, redirection_failure_message,
};
use libc_shim::Errno;
use libc_shim::file::{self, flags};
use libc_shim::process::{self, wait_status};
use libc_shim::signal::{self, Disposition};

libc_shim::main!(main);

/// The system calls the shell makes.
struct KoitoSystem {
    interactive: bool,
}

fn wait_status(raw: i32) -> WaitStatus {
    if wait_status::is_exited(raw) {
        WaitStatus::Exited(wait_status::exit_code(raw) as u8)
    } else {
        WaitStatus::Signaled {
            signal: wait_status::terminating_signal(raw) as u8,
            core_dumped: false,
        }
    }
}

impl DirectoryLister for KoitoSystem {
    fn list_directory(&mut self, path: &str) -> Result<Vec<String>, Errno> {
        let entries = file::read_directory(path.as_bytes())?;
        Ok(entries
            .into_iter()
            .filter(|entry| entry.name != b"." && entry.name != b"..")
            .map(|entry| String::from_utf8_lossy(&entry.name).into())
            .collect())
    }
}

impl KoitoSystem {
    /// The child's side of a spawn: never returns.
    fn become_child(&self, request: &SpawnRequest, leader: Option<ProcessId>) -> ! {
        match request.process_group {
            ProcessGroup::Inherit => {}
            ProcessGroup::New => {
                let _ = process::setpgid(0, 0);
            }
            ProcessGroup::Join(_) => {
                if let Some(leader) = leader {
                    let _ = process::setpgid(0, i64::from(leader));
                }
            }
        }
        let _ = signal::set_disposition(signal::SIGINT, Disposition::Default);
        let _ = signal::set_disposition(signal::SIGQUIT, Disposition::Default);
        for action in &request.file_actions {
            let outcome = match action {
                FileAction::Open { path, mode, fd } => {
                    match file::open(path.as_bytes(), mode.linux_flags() as i32, CREATE_MODE) {
                        Ok(opened) if opened as u32 == *fd => Ok(()),
                        Ok(opened) => {
                            let moved = file::dup2(opened, *fd as i32).map(|_| ());
                            let _ = file::close(opened);
                            moved
                        }
                        Err(errno) => Err(errno),
                    }
                    .map_err(|errno| (path.clone(), errno))
                }
                FileAction::Duplicate { from, to } => file::dup2(*from as i32, *to as i32)
                    .map(|_| ())
                    .map_err(|errno| (alloc::format!("{from}"), errno)),
                FileAction::Close(fd) => {
                    let _ = file::close(*fd as i32);
                    Ok(())
                }
            };
            if let Err((path, errno)) = outcome {
                let message = redirection_failure_message(&path, errno);
                let _ = file::write_all(file::STDERR, message.as_bytes());
                process::exit(1);
            }
        }
        let arguments: Vec<&[u8]> = request
            .arguments
            .iter()
            .map(|argument| argument.as_bytes())
            .collect();
        let environment: Vec<&[u8]> = request
            .environment
            .iter()
            .map(|entry| entry.as_bytes())
            .collect();
        let mut last = Errno::ENOENT;
        for candidate in &request.program_candidates {
            let errno = process::execve(candidate.as_bytes(), &arguments, &environment);
            if errno != Errno::ENOENT || last == Errno::ENOENT {
                last = errno;
            }
        }
        let name = request.arguments.first().map_or("", String::as_str);
        let (message, status) = exec_failure_report(name, last);
        let _ = file::write_all(file::STDERR, message.as_bytes());
        process::exit(i32::from(status))
    }
}

impl System for KoitoSystem {
    fn pipe(&mut self) -> Result<Pipe, Errno> {
        let (read, write) = file::pipe2(flags::O_CLOEXEC)?;
        Ok(Pipe {
            read: read as FileDescriptor,
            write: write as FileDescriptor,
        })
    }

    fn close(&mut self, fd: FileDescriptor) -> Result<(), Errno> {
        file::close(fd as i32)
    }

    fn open(&mut self, path: &str, mode: OpenMode) -> Result<FileDescriptor, Errno> {
        let fd = file::open(
            path.as_bytes(),
            mode.linux_flags() as i32 | flags::O_CLOEXEC,
            CREATE_MODE,
        )?;
        let high = file::fcntl(fd, flags::F_DUPFD_CLOEXEC, 10);
        let _ = file::close(fd);
        high.map(|fd| fd as FileDescriptor)
    }

    fn write(&mut self, fd: FileDescriptor, bytes: &[u8]) -> Result<(), Errno> {
        if fd == 1 {
            libc_shim::io::flush();
        }
        file::write_all(fd as i32, bytes)
    }

    fn spawn(&mut self, request: &SpawnRequest) -> Result<ProcessId, Errno> {
        let leader = match request.process_group {
            ProcessGroup::Join(leader) => Some(leader),
            _ => None,
        };
        let pid = process::fork()?;
        if pid == 0 {
            self.become_child(request, leader);
        }
        match request.process_group {
            ProcessGroup::New => {
                let _ = process::setpgid(pid, pid);
            }
            ProcessGroup::Join(leader) => {
                let _ = process::setpgid(pid, i64::from(leader));
            }
            ProcessGroup::Inherit => {}
        }
        Ok(pid as ProcessId)
    }

    fn wait(&mut self, pid: ProcessId) -> Result<WaitStatus, Errno> {
        loop {
            match process::waitpid(i64::from(pid), 0) {
                Ok(Some((_, status))) => return Ok(wait_status(status)),
                Ok(None) => {}
                Err(Errno::EINTR) => {}
                Err(errno) => return Err(errno),
            }
        }
    }

    fn try_wait(&mut self, pid: ProcessId) -> Result<Option<WaitStatus>, Errno> {
        process::waitpid(i64::from(pid), process::WNOHANG)
            .map(|found| found.map(|(_, status)| wait_status(status)))
    }

    fn give_terminal(&mut self, group: ProcessId) -> Result<(), Errno> {
        if self.interactive {
            file::tcsetpgrp(file::STDIN, i64::from(group))
        } else {
            Ok(())
        }
    }

    fn take_terminal(&mut self) -> Result<(), Errno> {
        if self.interactive {
            file::tcsetpgrp(file::STDIN, process::getpgrp())
        } else {
            Ok(())
        }
    }

    fn change_directory(&mut self, path: &str) -> Result<(), Errno> {
        file::chdir(path.as_bytes())
    }

    fn current_directory(&mut self) -> Result<String, Errno> {
        file::getcwd().map(|bytes| String::from_utf8_lossy(&bytes).into())
    }
}

/// Offset of `c_cc[VSUSP]` in `struct termios` (`c_cc` at 17, `VSUSP` = 10).
const SUSPEND_CHARACTER_OFFSET: usize = 17 + 10;

/// `ICANON`, `ECHO` and `ISIG` of `c_lflag` (offset 12 of `struct termios`).
const RAW_CLEARED: u32 = 0o2 | 0o10 | 0o1;

fn with_local_flags(termios: &[u8; file::TERMIOS_BYTES], clear: u32) -> [u8; file::TERMIOS_BYTES] {
    let mut raw = *termios;
    let mut flags = [0u8; 4];
    flags.copy_from_slice(&raw[12..16]);
    let value = u32::from_le_bytes(flags) & !clear;
    raw[12..16].copy_from_slice(&value.to_le_bytes());
    raw
}

fn run_script(shell: &mut Shell, system: &mut KoitoSystem, path: &[u8]) -> i32 {
    let fd = match file::open(path, flags::O_RDONLY, 0) {
        Ok(fd) => fd,
        Err(errno) => {
            libc_shim::eprintln!("sh: {}: {}", String::from_utf8_lossy(path), errno.message());
            return 127;
        }
    };
    let text = file::read_to_end(fd).unwrap_or_default();
    let _ = file::close(fd);
    for line in String::from_utf8_lossy(&text).lines() {
        if let Flow::Exit(status) = shell.run_line(line, system) {
            return i32::from(status);
        }
    }
    i32::from(shell.last_status())
}

fn main(arguments: libc_shim::start::Arguments) -> i32 {
    let interactive = arguments.len() < 2 && file::isatty(file::STDIN);
    let mut system = KoitoSystem { interactive };
    let mut shell = Shell::new(ShellSettings {
        name: String::from("sh"),
        process_id: process::getpid() as ProcessId,
        job_control: interactive,
    });
    let environment: Vec<String> = libc_shim::environment::entries()
        .iter()
        .map(|entry| String::from_utf8_lossy(entry).into())
        .collect();
    shell
        .variables_mut()
        .import(environment.iter().map(String::as_str));
    if let Some(path) = arguments.get(1) {
        return run_script(&mut shell, &mut system, path);
    }
    if !interactive {
        let text = file::read_to_end(file::STDIN).unwrap_or_default();
        for line in String::from_utf8_lossy(&text).lines() {
            if let Flow::Exit(status) = shell.run_line(line, &mut system) {
                return i32::from(status);
            }
        }
        return i32::from(shell.last_status());
    }
    let _ = signal::set_disposition(signal::SIGINT, Disposition::Ignore);
    let _ = signal::set_disposition(signal::SIGQUIT, Disposition::Ignore);
    let _ = signal::set_disposition(signal::SIGTSTP, Disposition::Ignore);
    let _ = process::setpgid(0, 0);
    let _ = file::tcsetpgrp(file::STDIN, process::getpgrp());
    let cooked = file::tcgetattr(file::STDIN).unwrap_or([0; file::TERMIOS_BYTES]);
    let raw = with_local_flags(&cooked, RAW_CLEARED);
    // Commands run with Ctrl-Z disabled: this shell cannot resume stopped jobs
    // yet (no fg/bg), so a stop would leave it waiting for good.
    let mut running = cooked;
    running[SUSPEND_CHARACTER_OFFSET] = 0;
    let mut editor = LineEditor::new();
    let mut input = [0u8; 256];
    loop {
        shell.report_finished_jobs(&mut system);
        let directory = file::getcwd()
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default();
        let prompt = alloc::format!("{directory} $ ");
        let _ = file::write_all(file::STDOUT, prompt.as_bytes());
        let _ = file::tcsetattr(file::STDIN, file::TCSETS, &raw);
        let line = loop {
            let count = match file::read(file::STDIN, &mut input) {
                Ok(0) => break None,
                Ok(count) => count,
                Err(Errno::EINTR) => continue,
                Err(_) => break None,
            };
            let mut output = Vec::new();
            let mut event = EditorEvent::Pending;
            let mut offset = 0;
            while offset < count {
                let (next, consumed) = editor.feed_bytes(&input[offset..count], &mut output);
                offset += consumed.max(1);
                if !matches!(next, EditorEvent::Pending) {
                    event = next;
                    break;
                }
            }
            let _ = file::write_all(file::STDOUT, &output);
            match event {
                EditorEvent::Pending => {}
                EditorEvent::Line(line) => break Some(line),
                EditorEvent::Interrupted => break Some(String::new()),
                EditorEvent::EndOfInput => break None,
            }
        };
        let _ = file::tcsetattr(file::STDIN, file::TCSETS, &running);
        let Some(line) = line else {
            let _ = file::write_all(file::STDOUT, b"exit\n");
            return i32::from(shell.last_status());
        };
        if let Flow::Exit(status) = shell.run_line(&line, &mut system) {
            return i32::from(status);
        }
    }
}

//! The execution driver against a fake System that records every call.

use std::collections::{HashMap, HashSet};

use koito_shell::executor::{Flow, Shell, ShellSettings};
use koito_shell::glob::DirectoryLister;
use koito_shell::status::WaitStatus;
use koito_shell::system::{
    Errno, FileAction, FileDescriptor, OpenMode, Pipe, ProcessGroup, ProcessId, SpawnRequest,
    System,
};

#[derive(Default)]
struct FakeSystem {
    log: Vec<String>,
    spawned: Vec<SpawnRequest>,
    written: HashMap<FileDescriptor, Vec<u8>>,
    next_fd: FileDescriptor,
    next_process: ProcessId,
    /// Process id to program name.
    programs: HashMap<ProcessId, String>,
    /// Programs whose spawn fails with ENOENT.
    missing: HashSet<String>,
    /// Background processes that have ended.
    ended: HashSet<ProcessId>,
    directory: String,
    directories: HashSet<String>,
    /// Directory listings for globbing.
    listings: HashMap<String, Vec<String>>,
}

impl FakeSystem {
    fn new() -> Self {
        Self {
            next_fd: 10,
            next_process: 100,
            directory: "/".into(),
            directories: ["/", "/home/user", "/tmp"]
                .iter()
                .map(|d| d.to_string())
                .collect(),
            ..Self::default()
        }
    }

    fn text(&self, fd: FileDescriptor) -> String {
        String::from_utf8(self.written.get(&fd).cloned().unwrap_or_default()).unwrap()
    }

    fn status_of(program: &str) -> WaitStatus {
        match program {
            "false" => WaitStatus::Exited(1),
            "exit3" => WaitStatus::Exited(3),
            "segv" => WaitStatus::Signaled {
                signal: 11,
                core_dumped: true,
            },
            "killed" => WaitStatus::Signaled {
                signal: 9,
                core_dumped: false,
            },
            "interrupt" => WaitStatus::Signaled {
                signal: 2,
                core_dumped: false,
            },
            "pipe" => WaitStatus::Signaled {
                signal: 13,
                core_dumped: false,
            },
            _ => WaitStatus::Exited(0),
        }
    }
}

impl DirectoryLister for FakeSystem {
    fn list_directory(&mut self, path: &str) -> Result<Vec<String>, Errno> {
        self.log.push(format!("list {path}"));
        self.listings.get(path).cloned().ok_or(Errno::ENOENT)
    }
}

impl System for FakeSystem {
    fn pipe(&mut self) -> Result<Pipe, Errno> {
        let pipe = Pipe {
            read: self.next_fd,
            write: self.next_fd + 1,
        };
        self.next_fd += 2;
        self.log.push(format!("pipe {} {}", pipe.read, pipe.write));
        Ok(pipe)
    }

    fn close(&mut self, fd: FileDescriptor) -> Result<(), Errno> {
        self.log.push(format!("close {fd}"));
        Ok(())
    }

    fn open(&mut self, path: &str, mode: OpenMode) -> Result<FileDescriptor, Errno> {
        if path.starts_with("/missing") {
            self.log.push(format!("open {path} failed"));
            return Err(Errno::ENOENT);
        }
        let fd = self.next_fd;
        self.next_fd += 1;
        self.log.push(format!("open {path} {mode:?} -> {fd}"));
        Ok(fd)
    }

    fn write(&mut self, fd: FileDescriptor, bytes: &[u8]) -> Result<(), Errno> {
        self.written.entry(fd).or_default().extend_from_slice(bytes);
        Ok(())
    }

    fn spawn(&mut self, request: &SpawnRequest) -> Result<ProcessId, Errno> {
        let name = request.arguments[0].clone();
        self.spawned.push(request.clone());
        if self.missing.contains(&name) {
            self.log.push(format!("spawn {name} failed"));
            return Err(Errno::ENOENT);
        }
        let process = self.next_process;
        self.next_process += 1;
        self.log.push(format!("spawn {name} -> {process}"));
        self.programs.insert(process, name);
        Ok(process)
    }

    fn wait(&mut self, process: ProcessId) -> Result<WaitStatus, Errno> {
        self.log.push(format!("wait {process}"));
        let program = self.programs.get(&process).ok_or(Errno::ECHILD)?;
        Ok(Self::status_of(program))
    }

    fn try_wait(&mut self, process: ProcessId) -> Result<Option<WaitStatus>, Errno> {
        if !self.ended.contains(&process) {
            return Ok(None);
        }
        let program = self.programs.get(&process).ok_or(Errno::ECHILD)?;
        Ok(Some(Self::status_of(program)))
    }

    fn give_terminal(&mut self, group: ProcessId) -> Result<(), Errno> {
        self.log.push(format!("give_terminal {group}"));
        Ok(())
    }

    fn take_terminal(&mut self) -> Result<(), Errno> {
        self.log.push("take_terminal".into());
        Ok(())
    }

    fn change_directory(&mut self, path: &str) -> Result<(), Errno> {
        let absolute = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("{}/{}", self.directory.trim_end_matches('/'), path)
        };
        if !self.directories.contains(&absolute) {
            return Err(Errno::ENOENT);
        }
        self.log.push(format!("chdir {absolute}"));
        self.directory = absolute;
        Ok(())
    }

    fn current_directory(&mut self) -> Result<String, Errno> {
        Ok(self.directory.clone())
    }
}

fn shell(job_control: bool) -> Shell {
    let mut shell = Shell::new(ShellSettings {
        name: "sh".into(),
        process_id: 7,
        job_control,
    });
    shell
        .variables_mut()
        .import(["PATH=/bin:/usr/bin", "HOME=/home/user", "PWD=/"]);
    shell
}

fn run(shell: &mut Shell, system: &mut FakeSystem, line: &str) -> Flow {
    shell.run_line(line, system)
}

#[test]
fn simple_command_with_job_control() {
    let mut shell = shell(true);
    let mut system = FakeSystem::new();
    assert_eq!(run(&mut shell, &mut system, "ls -l /tmp"), Flow::Continue);
    assert_eq!(
        system.log,
        [
            "spawn ls -> 100",
            "give_terminal 100",
            "wait 100",
            "take_terminal"
        ]
    );
    let request = &system.spawned[0];
    assert_eq!(request.arguments, ["ls", "-l", "/tmp"]);
    assert_eq!(request.program_candidates, ["/bin/ls", "/usr/bin/ls"]);
    assert_eq!(
        request.environment,
        ["HOME=/home/user", "PATH=/bin:/usr/bin", "PWD=/"]
    );
    assert!(request.file_actions.is_empty());
    assert_eq!(request.process_group, ProcessGroup::New);
    assert_eq!(shell.last_status(), 0);
}

#[test]
fn simple_command_without_job_control() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "exit3");
    assert_eq!(system.log, ["spawn exit3 -> 100", "wait 100"]);
    assert_eq!(system.spawned[0].process_group, ProcessGroup::Inherit);
    assert_eq!(shell.last_status(), 3);
}

#[test]
fn pipeline_of_three() {
    let mut shell = shell(true);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "a | b | false");
    assert_eq!(
        system.log,
        [
            "pipe 10 11",
            "pipe 12 13",
            "spawn a -> 100",
            "close 11",
            "spawn b -> 101",
            "close 10",
            "close 13",
            "spawn false -> 102",
            "close 12",
            "give_terminal 100",
            "wait 100",
            "wait 101",
            "wait 102",
            "take_terminal",
        ]
    );
    let closes = || (10..14).map(FileAction::Close);
    let first: Vec<FileAction> = [FileAction::Duplicate { from: 11, to: 1 }]
        .into_iter()
        .chain(closes())
        .collect();
    let middle: Vec<FileAction> = [
        FileAction::Duplicate { from: 10, to: 0 },
        FileAction::Duplicate { from: 13, to: 1 },
    ]
    .into_iter()
    .chain(closes())
    .collect();
    let last: Vec<FileAction> = [FileAction::Duplicate { from: 12, to: 0 }]
        .into_iter()
        .chain(closes())
        .collect();
    assert_eq!(system.spawned[0].file_actions, first);
    assert_eq!(system.spawned[1].file_actions, middle);
    assert_eq!(system.spawned[2].file_actions, last);
    assert_eq!(system.spawned[0].process_group, ProcessGroup::New);
    assert_eq!(system.spawned[1].process_group, ProcessGroup::Join(100));
    assert_eq!(system.spawned[2].process_group, ProcessGroup::Join(100));
    // The status is the last stage's.
    assert_eq!(shell.last_status(), 1);
    run(&mut shell, &mut system, "false | true");
    assert_eq!(shell.last_status(), 0);
}

#[test]
fn redirections_become_file_actions_in_order() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(
        &mut shell,
        &mut system,
        "cmd <in >out 2>&1 3>>log 4<&- >$HOME/x",
    );
    assert_eq!(
        system.spawned[0].file_actions,
        [
            FileAction::Open {
                path: "in".into(),
                mode: OpenMode::Read,
                fd: 0
            },
            FileAction::Open {
                path: "out".into(),
                mode: OpenMode::WriteTruncate,
                fd: 1
            },
            FileAction::Duplicate { from: 1, to: 2 },
            FileAction::Open {
                path: "log".into(),
                mode: OpenMode::Append,
                fd: 3
            },
            FileAction::Close(4),
            FileAction::Open {
                path: "/home/user/x".into(),
                mode: OpenMode::WriteTruncate,
                fd: 1
            },
        ]
    );
}

#[test]
fn pipeline_redirections_come_after_pipe_setup() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "a 2>&1 | b");
    assert_eq!(
        system.spawned[0].file_actions,
        [
            FileAction::Duplicate { from: 11, to: 1 },
            FileAction::Close(10),
            FileAction::Close(11),
            FileAction::Duplicate { from: 1, to: 2 },
        ]
    );
}

#[test]
fn open_mode_flags() {
    assert_eq!(OpenMode::Read.linux_flags(), 0);
    assert_eq!(OpenMode::WriteTruncate.linux_flags(), 0o1101);
    assert_eq!(OpenMode::Append.linux_flags(), 0o2101);
}

#[test]
fn ambiguous_redirect() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "cmd > $UNSET");
    assert!(system.spawned.is_empty());
    assert_eq!(system.text(2), "sh: ambiguous redirect\n");
    assert_eq!(shell.last_status(), 1);
}

#[test]
fn and_or_short_circuit() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "false && a || b");
    let names: Vec<&str> = system
        .spawned
        .iter()
        .map(|r| r.arguments[0].as_str())
        .collect();
    assert_eq!(names, ["false", "b"]);
    assert_eq!(shell.last_status(), 0);

    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "true || a && b || c");
    let names: Vec<&str> = system
        .spawned
        .iter()
        .map(|r| r.arguments[0].as_str())
        .collect();
    assert_eq!(names, ["true", "b"]);

    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "true && false && c");
    let names: Vec<&str> = system
        .spawned
        .iter()
        .map(|r| r.arguments[0].as_str())
        .collect();
    assert_eq!(names, ["true", "false"]);
    assert_eq!(shell.last_status(), 1);
}

#[test]
fn sequence_and_last_status() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "false; echo $?; true; echo $?");
    assert_eq!(system.text(1), "1\n0\n");
    assert_eq!(system.spawned.len(), 2);
}

#[test]
fn killed_by_signal() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "segv");
    assert_eq!(shell.last_status(), 139);
    assert_eq!(system.text(2), "Segmentation fault (core dumped)\n");

    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "interrupt");
    assert_eq!(shell.last_status(), 130);
    assert_eq!(system.text(2), "\n");

    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "killed; echo $?");
    assert_eq!(system.text(2), "Killed\n");
    assert_eq!(system.text(1), "137\n");

    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "pipe | true");
    assert_eq!(shell.last_status(), 0);
    assert_eq!(system.text(2), "");
}

#[test]
fn command_not_found() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    system.missing.insert("nope".into());
    system.missing.insert("./nope".into());
    run(&mut shell, &mut system, "nope");
    assert_eq!(system.text(2), "sh: nope: command not found\n");
    assert_eq!(shell.last_status(), 127);
    run(&mut shell, &mut system, "./nope");
    assert_eq!(system.spawned[1].program_candidates, ["./nope"]);
    assert!(
        system
            .text(2)
            .ends_with("sh: ./nope: No such file or directory\n")
    );
    // Other stages of a pipeline still run; the status is the last stage's.
    let mut system = FakeSystem::new();
    system.missing.insert("nope".into());
    run(&mut shell, &mut system, "nope | true");
    assert_eq!(shell.last_status(), 0);
    run(&mut shell, &mut system, "true | nope");
    assert_eq!(shell.last_status(), 127);
}

#[test]
fn background_job_and_report() {
    let mut shell = shell(true);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "sleep 1 &");
    assert_eq!(system.log, ["spawn sleep -> 100"]);
    assert_eq!(system.spawned[0].process_group, ProcessGroup::New);
    assert_eq!(system.text(2), "[1] 100\n");
    assert_eq!(shell.last_status(), 0);
    run(&mut shell, &mut system, "echo $!");
    assert_eq!(system.text(1), "100\n");
    run(&mut shell, &mut system, "a | exit3 &");
    assert_eq!(system.text(2), "[1] 100\n[2] 102\n");
    assert_eq!(shell.jobs().len(), 2);

    shell.report_finished_jobs(&mut system);
    assert_eq!(system.text(2), "[1] 100\n[2] 102\n");
    system.ended.extend([100, 101, 102]);
    shell.report_finished_jobs(&mut system);
    assert_eq!(
        system.text(2),
        "[1] 100\n[2] 102\n[1]-  Done                    sleep 1\n[2]+  Exit 3                  a | exit3\n"
    );
    assert!(shell.jobs().is_empty());
    // Numbers start again at 1.
    run(&mut shell, &mut system, "x&");
    assert!(system.text(2).ends_with("[1] 103\n"));
}

#[test]
fn background_without_job_control_reads_dev_null() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "cat &");
    assert_eq!(
        system.spawned[0].file_actions,
        [FileAction::Open {
            path: "/dev/null".into(),
            mode: OpenMode::Read,
            fd: 0
        }]
    );
    assert_eq!(system.spawned[0].process_group, ProcessGroup::Inherit);
}

#[test]
fn background_and_or_is_refused() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "a && b &");
    assert!(system.spawned.is_empty());
    assert_eq!(
        system.text(2),
        "sh: background and-or lists are not supported\n"
    );
}

#[test]
fn echo_builtin() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(
        &mut shell,
        &mut system,
        "echo  a   'b  c' \"$HOME\"; echo -n x; echo -n -n y; echo; echo -e z",
    );
    assert_eq!(system.text(1), "a b  c /home/user\nxy\n-e z\n");
    assert!(system.spawned.is_empty());
}

#[test]
fn builtin_in_pipeline_or_by_path_or_background_is_a_program() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(
        &mut shell,
        &mut system,
        "echo a | cat; /bin/echo b; echo c &",
    );
    let names: Vec<&str> = system
        .spawned
        .iter()
        .map(|r| r.arguments[0].as_str())
        .collect();
    assert_eq!(names, ["echo", "cat", "/bin/echo", "echo"]);
    assert_eq!(
        system.spawned[0].program_candidates,
        ["/bin/echo", "/usr/bin/echo"]
    );
}

#[test]
fn builtin_output_redirection() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "echo hi > file");
    assert_eq!(system.log, ["open file WriteTruncate -> 10", "close 10"]);
    assert_eq!(system.text(10), "hi\n");
    assert_eq!(system.text(1), "");

    run(&mut shell, &mut system, "echo more >> file 2>&1");
    assert_eq!(system.text(11), "more\n");

    run(&mut shell, &mut system, "cd /nowhere 2>err");
    assert_eq!(
        system.text(12),
        "sh: cd: /nowhere: No such file or directory\n"
    );
    assert_eq!(shell.last_status(), 1);

    // 2>&1 before >file: errors still go to the original stdout.
    run(&mut shell, &mut system, "cd /nowhere 2>&1 >x");
    assert_eq!(
        system.text(1),
        "sh: cd: /nowhere: No such file or directory\n"
    );

    run(&mut shell, &mut system, "echo gone >&-");
    assert_eq!(
        system.text(1),
        "sh: cd: /nowhere: No such file or directory\n"
    );
}

#[test]
fn builtin_redirection_failure() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "echo hi > /missing/x");
    assert_eq!(
        system.text(2),
        "sh: /missing/x: No such file or directory\n"
    );
    assert_eq!(system.text(1), "");
    assert_eq!(shell.last_status(), 1);
}

#[test]
fn redirection_only_command_creates_the_file() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "> new");
    assert_eq!(system.log, ["open new WriteTruncate -> 10", "close 10"]);
    assert_eq!(shell.last_status(), 0);
}

#[test]
fn cd_and_pwd() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "cd /tmp; pwd");
    assert_eq!(system.text(1), "/tmp\n");
    assert_eq!(shell.variables().get("PWD"), Some("/tmp"));
    assert_eq!(shell.variables().get("OLDPWD"), Some("/"));
    run(&mut shell, &mut system, "cd");
    assert_eq!(system.directory, "/home/user");
    run(&mut shell, &mut system, "cd -");
    assert_eq!(system.directory, "/tmp");
    assert_eq!(system.text(1), "/tmp\n/tmp\n");
    run(&mut shell, &mut system, "cd a b");
    assert_eq!(system.text(2), "sh: cd: too many arguments\n");
    assert_eq!(shell.last_status(), 1);
    shell.variables_mut().unset("HOME");
    run(&mut shell, &mut system, "cd");
    assert!(system.text(2).ends_with("sh: cd: HOME not set\n"));
}

#[test]
fn cd_prefix_assignment_is_temporary() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "HOME=/tmp cd");
    assert_eq!(system.directory, "/tmp");
    assert_eq!(shell.variables().get("HOME"), Some("/home/user"));
}

#[test]
fn assignments_and_export() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "A=1 B='two words'; echo $A \"$B\"");
    assert_eq!(system.text(1), "1 two words\n");
    // Not exported: not in a command's environment.
    run(&mut shell, &mut system, "env");
    assert!(
        !system.spawned[0]
            .environment
            .iter()
            .any(|e| e.starts_with("A="))
    );
    run(&mut shell, &mut system, "export A C=3; env");
    let environment = &system.spawned[1].environment;
    assert!(environment.contains(&"A=1".to_string()));
    assert!(environment.contains(&"C=3".to_string()));
    run(&mut shell, &mut system, "unset A; env");
    assert!(
        !system.spawned[2]
            .environment
            .iter()
            .any(|e| e.starts_with("A="))
    );
    assert_eq!(shell.variables().get("A"), None);
}

#[test]
fn prefix_assignment_goes_to_the_command_only() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "X=1 PATH=/opt env");
    assert!(system.spawned[0].environment.contains(&"X=1".to_string()));
    assert_eq!(system.spawned[0].program_candidates, ["/opt/env"]);
    assert_eq!(shell.variables().get("X"), None);
    assert_eq!(shell.variables().get("PATH"), Some("/bin:/usr/bin"));
}

#[test]
fn export_listing_and_errors() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "export Q='a\"b$'; export");
    assert_eq!(
        system.text(1),
        "export HOME=\"/home/user\"\nexport PATH=\"/bin:/usr/bin\"\nexport PWD=\"/\"\nexport Q=\"a\\\"b\\$\"\n"
    );
    run(&mut shell, &mut system, "export 1x=2");
    assert_eq!(
        system.text(2),
        "sh: export: `1x=2': not a valid identifier\n"
    );
    assert_eq!(shell.last_status(), 1);
    run(&mut shell, &mut system, "unset a-b");
    assert!(
        system
            .text(2)
            .ends_with("sh: unset: `a-b': not a valid identifier\n")
    );
}

#[test]
fn exit_builtin() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    assert_eq!(
        run(&mut shell, &mut system, "exit 3; echo no"),
        Flow::Exit(3)
    );
    assert_eq!(system.text(1), "");
    assert_eq!(run(&mut shell, &mut system, "false; exit"), Flow::Exit(1));
    assert_eq!(run(&mut shell, &mut system, "exit 256"), Flow::Exit(0));
    assert_eq!(run(&mut shell, &mut system, "exit -1"), Flow::Exit(255));
    assert_eq!(
        run(&mut shell, &mut system, "false || exit 4"),
        Flow::Exit(4)
    );
    assert_eq!(run(&mut shell, &mut system, "exit abc"), Flow::Exit(2));
    assert_eq!(system.text(2), "sh: exit: abc: numeric argument required\n");
    assert_eq!(run(&mut shell, &mut system, "exit 1 2"), Flow::Continue);
    assert_eq!(shell.last_status(), 1);
}

#[test]
fn syntax_error_sets_status_2() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    assert_eq!(run(&mut shell, &mut system, "echo a |"), Flow::Continue);
    assert_eq!(system.text(2), "sh: syntax error: unexpected end of line\n");
    assert_eq!(shell.last_status(), 2);
    run(&mut shell, &mut system, "echo 'x");
    assert!(
        system
            .text(2)
            .ends_with("sh: syntax error: unterminated single quote\n")
    );
    assert!(system.spawned.is_empty());
}

#[test]
fn empty_command_after_expansion() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "false; $EMPTY");
    assert_eq!(shell.last_status(), 0);
    assert_eq!(system.spawned.len(), 1);
}

#[test]
fn field_split_arguments_reach_the_program() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    run(&mut shell, &mut system, "L='-l -a'; ls $L \"$L\" $$ $0");
    assert_eq!(
        system.spawned[0].arguments,
        ["ls", "-l", "-a", "-l -a", "7", "sh"]
    );
}

#[test]
fn globbing_arguments() {
    let mut shell = shell(false);
    let mut system = FakeSystem::new();
    system.listings.insert(
        ".".into(),
        ["b.txt", "a.txt", ".hidden.txt", "src", "notes"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    system.listings.insert(
        "src".into(),
        ["main.rs", "lib.rs"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    run(
        &mut shell,
        &mut system,
        "ls *.txt '*.txt' \\*.txt src/*.rs *.none S=*",
    );
    assert_eq!(
        system.spawned[0].arguments,
        [
            "ls",
            "a.txt",
            "b.txt",
            "*.txt",
            "*.txt",
            "src/lib.rs",
            "src/main.rs",
            "*.none",
            "S=*"
        ]
    );
    // Unquoted expansions are globbed; quoted ones are not.
    run(&mut shell, &mut system, "P='?otes'; ls $P \"$P\"");
    assert_eq!(system.spawned[1].arguments, ["ls", "notes", "?otes"]);
}

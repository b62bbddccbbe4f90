//! PATH candidates, wait statuses and the messages for failed commands.

use koito_shell::path_search::{DEFAULT_PATH, candidate_paths};
use koito_shell::status::{WaitStatus, signal_description};
use koito_shell::system::{Errno, exec_failure_report, redirection_failure_message};

#[test]
fn candidates_in_path_order() {
    assert_eq!(
        candidate_paths(Some("/bin:/usr/local/bin/:"), "ls"),
        ["/bin/ls", "/usr/local/bin/ls", "./ls"]
    );
    assert_eq!(candidate_paths(Some(""), "ls"), ["./ls"]);
    assert_eq!(candidate_paths(None, "ls"), ["/bin/ls", "/usr/bin/ls"]);
    assert_eq!(DEFAULT_PATH, "/bin:/usr/bin");
}

#[test]
fn names_with_a_slash_are_used_as_is() {
    assert_eq!(candidate_paths(Some("/bin"), "./run"), ["./run"]);
    assert_eq!(candidate_paths(Some("/bin"), "/bin/ls"), ["/bin/ls"]);
    assert_eq!(candidate_paths(Some("/bin"), "a/b"), ["a/b"]);
    assert!(candidate_paths(Some("/bin"), "").is_empty());
}

#[test]
fn exit_statuses() {
    assert_eq!(WaitStatus::Exited(0).exit_status(), 0);
    assert_eq!(WaitStatus::Exited(255).exit_status(), 255);
    let killed = |signal| WaitStatus::Signaled {
        signal,
        core_dumped: false,
    };
    assert_eq!(killed(2).exit_status(), 130);
    assert_eq!(killed(9).exit_status(), 137);
    assert_eq!(killed(11).exit_status(), 139);
    assert_eq!(killed(15).exit_status(), 143);
}

#[test]
fn termination_reports_like_bash() {
    let killed = |signal, core_dumped| WaitStatus::Signaled {
        signal,
        core_dumped,
    };
    assert_eq!(WaitStatus::Exited(1).termination_report(), None);
    assert_eq!(killed(2, false).termination_report().as_deref(), Some("\n"));
    assert_eq!(killed(13, false).termination_report(), None);
    assert_eq!(
        killed(11, false).termination_report().as_deref(),
        Some("Segmentation fault\n")
    );
    assert_eq!(
        killed(11, true).termination_report().as_deref(),
        Some("Segmentation fault (core dumped)\n")
    );
    assert_eq!(
        killed(6, true).termination_report().as_deref(),
        Some("Aborted (core dumped)\n")
    );
    assert_eq!(
        killed(15, false).termination_report().as_deref(),
        Some("Terminated\n")
    );
    assert_eq!(
        killed(9, false).termination_report().as_deref(),
        Some("Killed\n")
    );
    assert_eq!(
        killed(8, false).termination_report().as_deref(),
        Some("Floating point exception\n")
    );
    assert_eq!(
        killed(64, false).termination_report().as_deref(),
        Some("Unknown signal 64\n")
    );
    assert_eq!(signal_description(1), Some("Hangup"));
    assert_eq!(signal_description(0), None);
}

#[test]
fn failure_messages() {
    assert_eq!(
        exec_failure_report("nope", Errno::ENOENT),
        ("sh: nope: command not found\n".to_string(), 127)
    );
    assert_eq!(
        exec_failure_report("./nope", Errno::ENOENT),
        ("sh: ./nope: No such file or directory\n".to_string(), 127)
    );
    assert_eq!(
        exec_failure_report("./file", Errno::EACCES),
        ("sh: ./file: Permission denied\n".to_string(), 126)
    );
    assert_eq!(
        redirection_failure_message("/x/y", Errno::ENOENT),
        "sh: /x/y: No such file or directory\n"
    );
}

//! The execution driver: runs a parsed [`List`] through a [`System`], keeping the
//! shell's variables, `$?` and background jobs.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::builtin::{Builtin, run_builtin};
use crate::expand::{Environment, expand_word, expand_word_fields, expand_word_to_string};
use crate::glob::expand_pattern;
use crate::parse::parse;
use crate::path_search::candidate_paths;
use crate::status::WaitStatus;
use crate::syntax::{AndOr, Connector, List, Pipeline, RedirectionOperation, SimpleCommand};
use crate::system::{
    FileAction, FileDescriptor, OpenMode, Pipe, ProcessGroup, ProcessId, SpawnRequest, System,
    exec_failure_report, redirection_failure_message,
};
use crate::variables::Variables;

/// The standard error descriptor, where the shell writes its messages.
const STANDARD_ERROR: FileDescriptor = 2;

/// Where each descriptor of a builtin points after its redirections (`None`: closed;
/// absent: unchanged).
type DescriptorMap = BTreeMap<FileDescriptor, Option<FileDescriptor>>;

/// How the shell is set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellSettings {
    /// `$0` (`"sh"`).
    pub name: String,
    /// `$$`.
    pub process_id: ProcessId,
    /// Put each pipeline in its own process group and hand it the terminal while it
    /// runs in the foreground (interactive shells on a terminal).
    pub job_control: bool,
}

/// What the caller should do after a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Read the next line.
    Continue,
    /// `exit` ran: end the shell with this status.
    Exit(u8),
}

/// A background pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// Its number (`[1]`).
    pub number: usize,
    /// The processes of its stages, in order.
    pub processes: Vec<ProcessId>,
    /// How each stage ended, once it has.
    pub statuses: Vec<Option<WaitStatus>>,
    /// Its source text.
    pub text: String,
}

/// The state of a shell: variables, `$?`, `$!` and background jobs.
#[derive(Clone, Debug)]
pub struct Shell {
    settings: ShellSettings,
    variables: Variables,
    last_status: u8,
    last_background: Option<ProcessId>,
    jobs: Vec<Job>,
}

/// A simple command after expansion.
struct PreparedCommand {
    arguments: Vec<String>,
    assignments: Vec<(String, String)>,
    file_actions: Vec<FileAction>,
}

impl Environment for Shell {
    fn variable(&self, name: &str) -> Option<String> {
        self.variables.get(name).map(String::from)
    }

    fn last_status(&self) -> u8 {
        self.last_status
    }

    fn process_id(&self) -> u32 {
        self.settings.process_id
    }

    fn last_background(&self) -> Option<u32> {
        self.last_background
    }

    fn shell_name(&self) -> String {
        self.settings.name.clone()
    }
}

impl Shell {
    /// A shell with no variables (import the environment with
    /// [`Variables::import`] through [`Shell::variables_mut`]).
    #[must_use]
    pub fn new(settings: ShellSettings) -> Self {
        Self {
            settings,
            variables: Variables::new(),
            last_status: 0,
            last_background: None,
            jobs: Vec::new(),
        }
    }

    /// The variables.
    #[must_use]
    pub fn variables(&self) -> &Variables {
        &self.variables
    }

    /// The variables, to change them.
    pub fn variables_mut(&mut self) -> &mut Variables {
        &mut self.variables
    }

    /// `$?`.
    #[must_use]
    pub fn last_status(&self) -> u8 {
        self.last_status
    }

    /// The background jobs not yet reported as finished.
    #[must_use]
    pub fn jobs(&self) -> &[Job] {
        &self.jobs
    }

    /// Parses and runs one line. A syntax error prints `sh: syntax error: ...` on fd 2
    /// and sets `$?` to 2.
    pub fn run_line<S: System + ?Sized>(&mut self, line: &str, system: &mut S) -> Flow {
        match parse(line) {
            Ok(list) => self.execute(&list, system),
            Err(error) => {
                self.message(system, &format!("sh: {error}\n"));
                self.last_status = 2;
                Flow::Continue
            }
        }
    }

    /// Runs a parsed list.
    pub fn execute<S: System + ?Sized>(&mut self, list: &List, system: &mut S) -> Flow {
        for item in &list.items {
            let flow = if item.background {
                self.run_background(&item.and_or, &item.text, system);
                Flow::Continue
            } else {
                self.run_and_or(&item.and_or, system)
            };
            if let Flow::Exit(status) = flow {
                return Flow::Exit(status);
            }
        }
        Flow::Continue
    }

    /// Polls the background jobs and prints `[n]+  Done    text` (or `Exit n`, or the
    /// signal) on fd 2 for each one whose processes all ended; forgets those jobs.
    /// Call it before printing each prompt.
    pub fn report_finished_jobs<S: System + ?Sized>(&mut self, system: &mut S) {
        for job in &mut self.jobs {
            for (process, status) in job.processes.iter().zip(job.statuses.iter_mut()) {
                if status.is_none() {
                    match system.try_wait(*process) {
                        Ok(Some(ended)) => *status = Some(ended),
                        Ok(None) => {}
                        // It cannot be waited for: count it as gone.
                        Err(_) => *status = Some(WaitStatus::Exited(0)),
                    }
                }
            }
        }
        let count = self.jobs.len();
        let mut report = String::new();
        let mut index = 0;
        self.jobs.retain(|job| {
            let position = index;
            index += 1;
            if job.statuses.iter().any(Option::is_none) {
                return true;
            }
            let marker = match count - position {
                1 => '+',
                2 => '-',
                _ => ' ',
            };
            let state = match job.statuses.last().copied().flatten() {
                Some(WaitStatus::Exited(0)) | None => String::from("Done"),
                Some(WaitStatus::Exited(code)) => format!("Exit {code}"),
                Some(WaitStatus::Signaled { signal, .. }) => {
                    String::from(crate::status::signal_description(signal).unwrap_or("Killed"))
                }
            };
            report.push_str(&format!(
                "[{}]{marker}  {state:<24}{}\n",
                job.number, job.text
            ));
            false
        });
        if !report.is_empty() {
            self.message(system, &report);
        }
    }

    fn message<S: System + ?Sized>(&self, system: &mut S, text: &str) {
        let _ignored = system.write(STANDARD_ERROR, text.as_bytes());
    }

    fn run_and_or<S: System + ?Sized>(&mut self, and_or: &AndOr, system: &mut S) -> Flow {
        if let Flow::Exit(status) = self.run_pipeline(&and_or.first, None, system) {
            return Flow::Exit(status);
        }
        for (connector, pipeline) in &and_or.rest {
            let run = match connector {
                Connector::And => self.last_status == 0,
                Connector::Or => self.last_status != 0,
            };
            if run && let Flow::Exit(status) = self.run_pipeline(pipeline, None, system) {
                return Flow::Exit(status);
            }
        }
        Flow::Continue
    }

    fn run_background<S: System + ?Sized>(&mut self, and_or: &AndOr, text: &str, system: &mut S) {
        if !and_or.rest.is_empty() {
            self.message(system, "sh: background and-or lists are not supported\n");
            self.last_status = 2;
            return;
        }
        let _continue = self.run_pipeline(&and_or.first, Some(text), system);
    }

    /// Runs a pipeline; `background` holds the job text for `&`.
    fn run_pipeline<S: System + ?Sized>(
        &mut self,
        pipeline: &Pipeline,
        background: Option<&str>,
        system: &mut S,
    ) -> Flow {
        let mut prepared = Vec::with_capacity(pipeline.commands.len());
        for command in &pipeline.commands {
            match self.prepare(command, system) {
                Ok(command) => prepared.push(command),
                Err(message) => {
                    self.message(system, &message);
                    self.last_status = 1;
                    return Flow::Continue;
                }
            }
        }
        if let [command] = prepared.as_slice()
            && background.is_none()
        {
            match command.arguments.first() {
                None => {
                    self.run_without_command(command, system);
                    return Flow::Continue;
                }
                Some(name) => {
                    if let Some(builtin) = Builtin::from_name(name) {
                        return self.run_builtin_here(builtin, command, system);
                    }
                }
            }
        }
        self.spawn_pipeline(&prepared, background, system);
        Flow::Continue
    }

    /// Expands a command's words, assignments and redirection targets.
    fn prepare<S: System + ?Sized>(
        &self,
        command: &SimpleCommand,
        system: &mut S,
    ) -> Result<PreparedCommand, String> {
        let mut arguments = Vec::new();
        for word in &command.words {
            for field in expand_word_fields(word, self) {
                let matches = if field.globbing {
                    expand_pattern(&field.pattern, system)
                } else {
                    Vec::new()
                };
                if matches.is_empty() {
                    arguments.push(field.text);
                } else {
                    arguments.extend(matches);
                }
            }
        }
        let assignments = command
            .assignments
            .iter()
            .map(|assignment| {
                (
                    assignment.name.clone(),
                    expand_word_to_string(&assignment.value, self),
                )
            })
            .collect();
        let mut file_actions = Vec::with_capacity(command.redirections.len());
        for redirection in &command.redirections {
            let fd = redirection.fd;
            let (word, mode) = match &redirection.operation {
                RedirectionOperation::Read(word) => (word, OpenMode::Read),
                RedirectionOperation::Write(word) => (word, OpenMode::WriteTruncate),
                RedirectionOperation::Append(word) => (word, OpenMode::Append),
                RedirectionOperation::Duplicate(from) => {
                    file_actions.push(FileAction::Duplicate {
                        from: *from,
                        to: fd,
                    });
                    continue;
                }
                RedirectionOperation::Close => {
                    file_actions.push(FileAction::Close(fd));
                    continue;
                }
            };
            let mut fields = expand_word(word, self);
            let path = match (fields.pop(), fields.is_empty()) {
                (Some(path), true) => path,
                _ => return Err(String::from("sh: ambiguous redirect\n")),
            };
            file_actions.push(FileAction::Open { path, mode, fd });
        }
        Ok(PreparedCommand {
            arguments,
            assignments,
            file_actions,
        })
    }

    /// Performs redirections in the shell for a builtin or a command without a name:
    /// returns where fds 1 and 2 point, and the descriptors to close afterwards.
    fn redirect_here<S: System + ?Sized>(
        &self,
        actions: &[FileAction],
        system: &mut S,
    ) -> Result<(DescriptorMap, Vec<FileDescriptor>), String> {
        let mut map = DescriptorMap::new();
        let mut opened = Vec::new();
        for action in actions {
            match action {
                FileAction::Open { path, mode, fd } => match system.open(path, *mode) {
                    Ok(real) => {
                        opened.push(real);
                        map.insert(*fd, Some(real));
                    }
                    Err(error) => {
                        for fd in opened {
                            let _ignored = system.close(fd);
                        }
                        return Err(redirection_failure_message(path, error));
                    }
                },
                FileAction::Duplicate { from, to } => {
                    let real = map.get(from).copied().unwrap_or(Some(*from));
                    map.insert(*to, real);
                }
                FileAction::Close(fd) => {
                    map.insert(*fd, None);
                }
            }
        }
        Ok((map, opened))
    }

    /// A command with only assignments and redirections: the assignments set shell
    /// variables, the redirections are performed (files created) and undone.
    fn run_without_command<S: System + ?Sized>(
        &mut self,
        command: &PreparedCommand,
        system: &mut S,
    ) {
        match self.redirect_here(&command.file_actions, system) {
            Ok((_, opened)) => {
                for fd in opened {
                    let _ignored = system.close(fd);
                }
                for (name, value) in &command.assignments {
                    self.variables.set(name, value);
                }
                self.last_status = 0;
            }
            Err(message) => {
                self.message(system, &message);
                self.last_status = 1;
            }
        }
    }

    fn run_builtin_here<S: System + ?Sized>(
        &mut self,
        builtin: Builtin,
        command: &PreparedCommand,
        system: &mut S,
    ) -> Flow {
        let (map, opened) = match self.redirect_here(&command.file_actions, system) {
            Ok(redirected) => redirected,
            Err(message) => {
                self.message(system, &message);
                self.last_status = 1;
                return Flow::Continue;
            }
        };
        // Assignments before special builtins (exit, export, unset) persist; before the
        // others they last for the command only.
        let temporary = !matches!(builtin, Builtin::Exit | Builtin::Export | Builtin::Unset);
        let mut saved = Vec::new();
        for (name, value) in &command.assignments {
            if temporary {
                saved.push((name.clone(), self.variables.get(name).map(String::from)));
            }
            self.variables.set(name, value);
        }
        let outcome = run_builtin(
            builtin,
            &command.arguments,
            &mut self.variables,
            self.last_status,
            system,
        );
        for (name, value) in saved.into_iter().rev() {
            match value {
                Some(value) => self.variables.set(&name, &value),
                None => self.variables.unset(&name),
            }
        }
        let target = |fd: FileDescriptor| map.get(&fd).copied().unwrap_or(Some(fd));
        if !outcome.output.is_empty()
            && let Some(fd) = target(1)
        {
            let _ignored = system.write(fd, &outcome.output);
        }
        if !outcome.error.is_empty()
            && let Some(fd) = target(2)
        {
            let _ignored = system.write(fd, &outcome.error);
        }
        for fd in opened {
            let _ignored = system.close(fd);
        }
        self.last_status = outcome.status;
        if outcome.exit {
            Flow::Exit(outcome.status)
        } else {
            Flow::Continue
        }
    }

    /// Starts every stage, then waits (foreground) or records a job (background).
    fn spawn_pipeline<S: System + ?Sized>(
        &mut self,
        commands: &[PreparedCommand],
        background: Option<&str>,
        system: &mut S,
    ) {
        let count = commands.len();
        let mut pipes: Vec<Pipe> = Vec::with_capacity(count.saturating_sub(1));
        for _ in 1..count {
            match system.pipe() {
                Ok(pipe) => pipes.push(pipe),
                Err(error) => {
                    for pipe in pipes {
                        let _ignored = system.close(pipe.read);
                        let _ignored = system.close(pipe.write);
                    }
                    self.message(system, &format!("sh: pipe: {}\n", error.message()));
                    self.last_status = 1;
                    return;
                }
            }
        }
        let job_control = self.settings.job_control;
        let mut group: Option<ProcessId> = None;
        // Per stage: the process, or the status of a stage that could not start.
        let mut stages: Vec<Result<ProcessId, u8>> = Vec::with_capacity(count);
        for (index, command) in commands.iter().enumerate() {
            let mut file_actions = Vec::new();
            if index == 0 && background.is_some() && !job_control {
                file_actions.push(FileAction::Open {
                    path: String::from("/dev/null"),
                    mode: OpenMode::Read,
                    fd: 0,
                });
            }
            if let Some(previous) = index
                .checked_sub(1)
                .and_then(|previous| pipes.get(previous))
            {
                file_actions.push(FileAction::Duplicate {
                    from: previous.read,
                    to: 0,
                });
            }
            if let Some(next) = pipes.get(index) {
                file_actions.push(FileAction::Duplicate {
                    from: next.write,
                    to: 1,
                });
            }
            for pipe in &pipes {
                for fd in [pipe.read, pipe.write] {
                    if fd > 2 {
                        file_actions.push(FileAction::Close(fd));
                    }
                }
            }
            file_actions.extend(command.file_actions.iter().cloned());
            let stage = match command.arguments.first() {
                None => Err(0),
                Some(name) => {
                    let path = command
                        .assignments
                        .iter()
                        .rev()
                        .find(|(assigned, _)| assigned == "PATH")
                        .map(|(_, value)| value.clone())
                        .or_else(|| self.variables.get("PATH").map(String::from));
                    let request = SpawnRequest {
                        arguments: command.arguments.clone(),
                        program_candidates: candidate_paths(path.as_deref(), name),
                        environment: self.environment_with(&command.assignments),
                        file_actions,
                        process_group: match (job_control, group) {
                            (false, _) => ProcessGroup::Inherit,
                            (true, None) => ProcessGroup::New,
                            (true, Some(leader)) => ProcessGroup::Join(leader),
                        },
                    };
                    match system.spawn(&request) {
                        Ok(process) => {
                            if job_control && group.is_none() {
                                group = Some(process);
                            }
                            Ok(process)
                        }
                        Err(error) => {
                            let (message, status) = exec_failure_report(name, error);
                            self.message(system, &message);
                            Err(status)
                        }
                    }
                }
            };
            stages.push(stage);
            // The shell keeps no pipe end a later stage does not need.
            if let Some(previous) = index
                .checked_sub(1)
                .and_then(|previous| pipes.get(previous))
            {
                let _ignored = system.close(previous.read);
            }
            if let Some(next) = pipes.get(index) {
                let _ignored = system.close(next.write);
            }
        }
        if let Some(text) = background {
            let processes: Vec<ProcessId> = stages.iter().filter_map(|stage| stage.ok()).collect();
            if let Some(&last) = processes.last() {
                let number = self.jobs.iter().map(|job| job.number).max().unwrap_or(0) + 1;
                self.message(system, &format!("[{number}] {last}\n"));
                self.last_background = Some(last);
                self.jobs.push(Job {
                    number,
                    statuses: alloc::vec![None; processes.len()],
                    processes,
                    text: String::from(text),
                });
            }
            self.last_status = 0;
            return;
        }
        if let Some(leader) = group {
            let _ignored = system.give_terminal(leader);
        }
        let mut statuses = Vec::with_capacity(count);
        for stage in &stages {
            statuses.push(match stage {
                Ok(process) => match system.wait(*process) {
                    Ok(status) => status,
                    Err(_) => WaitStatus::Exited(1),
                },
                Err(status) => WaitStatus::Exited(*status),
            });
        }
        if group.is_some() {
            let _ignored = system.take_terminal();
        }
        if let Some(report) = statuses
            .iter()
            .rev()
            .find_map(|status| status.termination_report())
        {
            self.message(system, &report);
        }
        self.last_status = statuses.last().map_or(0, |status| status.exit_status());
    }

    /// The exported variables with `assignments` added or replaced, as `NAME=value`.
    fn environment_with(&self, assignments: &[(String, String)]) -> Vec<String> {
        if assignments.is_empty() {
            return self.variables.environment();
        }
        let mut variables = self.variables.clone();
        for (name, value) in assignments {
            variables.set(name, value);
            variables.export(name);
        }
        variables.environment()
    }
}

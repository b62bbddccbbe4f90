//! The builtins that run inside the shell: `cd`, `exit`, `export`, `unset`, `pwd`, `echo`.
//!
//! They run in the shell only when they are the whole pipeline; inside a pipeline or in
//! the background the name is looked up in `PATH` like any program. A name containing
//! `/` (`/bin/echo`) is never a builtin.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::system::System;
use crate::variables::{Variables, is_name};

/// A builtin command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// `cd [dir | -]`
    Cd,
    /// `exit [n]`
    Exit,
    /// `export [NAME[=value]]...`
    Export,
    /// `unset NAME...`
    Unset,
    /// `pwd`
    Pwd,
    /// `echo [-n] args...`
    Echo,
}

impl Builtin {
    /// The builtin called `name`, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "cd" => Self::Cd,
            "exit" => Self::Exit,
            "export" => Self::Export,
            "unset" => Self::Unset,
            "pwd" => Self::Pwd,
            "echo" => Self::Echo,
            _ => return None,
        })
    }

    /// Its name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Cd => "cd",
            Self::Exit => "exit",
            Self::Export => "export",
            Self::Unset => "unset",
            Self::Pwd => "pwd",
            Self::Echo => "echo",
        }
    }
}

/// What a builtin did: its status, whether the shell must exit, and its output.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuiltinOutcome {
    /// Its exit status (`$?`), or the shell's exit code when `exit` is true.
    pub status: u8,
    /// `exit` ran: the shell must end with `status`.
    pub exit: bool,
    /// What it writes to its standard output.
    pub output: Vec<u8>,
    /// What it writes to its standard error.
    pub error: Vec<u8>,
}

impl BuiltinOutcome {
    fn fail(&mut self, message: &str) {
        self.error.extend_from_slice(message.as_bytes());
        self.status = 1;
    }
}

/// Runs `builtin` with `arguments` (`arguments[0]` is its name). `last_status` is `$?`
/// (the default code of `exit`).
pub fn run_builtin<S: System + ?Sized>(
    builtin: Builtin,
    arguments: &[String],
    variables: &mut Variables,
    last_status: u8,
    system: &mut S,
) -> BuiltinOutcome {
    let operands = arguments.get(1..).unwrap_or(&[]);
    let mut outcome = BuiltinOutcome::default();
    match builtin {
        Builtin::Cd => change_directory(operands, variables, system, &mut outcome),
        Builtin::Exit => exit(operands, last_status, &mut outcome),
        Builtin::Export => export(operands, variables, &mut outcome),
        Builtin::Unset => {
            for name in operands {
                if is_name(name) {
                    variables.unset(name);
                } else {
                    outcome.fail(&format!("sh: unset: `{name}': not a valid identifier\n"));
                }
            }
        }
        Builtin::Pwd => match system.current_directory() {
            Ok(directory) => {
                outcome.output.extend_from_slice(directory.as_bytes());
                outcome.output.push(b'\n');
            }
            Err(error) => outcome.fail(&format!("sh: pwd: {}\n", error.message())),
        },
        Builtin::Echo => {
            let mut newline = true;
            let mut words = operands;
            while let Some((first, rest)) = words.split_first()
                && first == "-n"
            {
                newline = false;
                words = rest;
            }
            for (index, word) in words.iter().enumerate() {
                if index > 0 {
                    outcome.output.push(b' ');
                }
                outcome.output.extend_from_slice(word.as_bytes());
            }
            if newline {
                outcome.output.push(b'\n');
            }
        }
    }
    outcome
}

fn change_directory<S: System + ?Sized>(
    operands: &[String],
    variables: &mut Variables,
    system: &mut S,
    outcome: &mut BuiltinOutcome,
) {
    let (target, print) = match operands {
        [] => match variables.get("HOME") {
            Some(home) => (String::from(home), false),
            None => return outcome.fail("sh: cd: HOME not set\n"),
        },
        [dash] if dash == "-" => match variables.get("OLDPWD") {
            Some(old) => (String::from(old), true),
            None => return outcome.fail("sh: cd: OLDPWD not set\n"),
        },
        [directory] => (directory.clone(), false),
        _ => return outcome.fail("sh: cd: too many arguments\n"),
    };
    let previous = match variables.get("PWD") {
        Some(directory) => Some(String::from(directory)),
        None => system.current_directory().ok(),
    };
    if let Err(error) = system.change_directory(&target) {
        return outcome.fail(&format!("sh: cd: {target}: {}\n", error.message()));
    }
    let current = system.current_directory().unwrap_or(target);
    if let Some(previous) = previous {
        variables.set("OLDPWD", &previous);
    }
    variables.set("PWD", &current);
    if print {
        outcome.output.extend_from_slice(current.as_bytes());
        outcome.output.push(b'\n');
    }
}

fn exit(operands: &[String], last_status: u8, outcome: &mut BuiltinOutcome) {
    match operands {
        [] => {
            outcome.status = last_status;
            outcome.exit = true;
        }
        [code] => {
            outcome.exit = true;
            match code.parse::<i64>() {
                Ok(number) => outcome.status = (number & 0xff) as u8,
                Err(_) => {
                    outcome.error.extend_from_slice(
                        format!("sh: exit: {code}: numeric argument required\n").as_bytes(),
                    );
                    outcome.status = 2;
                }
            }
        }
        _ => outcome.fail("sh: exit: too many arguments\n"),
    }
}

fn export(operands: &[String], variables: &mut Variables, outcome: &mut BuiltinOutcome) {
    if operands.is_empty() {
        let mut listing = String::new();
        for (name, value) in variables.exported() {
            match value {
                Some(value) => {
                    listing.push_str(&format!(
                        "export {name}=\"{}\"\n",
                        escape_double_quoted(value)
                    ));
                }
                None => listing.push_str(&format!("export {name}\n")),
            }
        }
        outcome.output.extend_from_slice(listing.as_bytes());
        return;
    }
    for operand in operands {
        let (name, value) = match operand.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (operand.as_str(), None),
        };
        if !is_name(name) {
            outcome.fail(&format!(
                "sh: export: `{operand}': not a valid identifier\n"
            ));
            continue;
        }
        if let Some(value) = value {
            variables.set(name, value);
        }
        variables.export(name);
    }
}

/// `value` with `"`, `\`, `$` and `` ` `` escaped, to be read back inside double quotes.
fn escape_double_quoted(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for character in value.chars() {
        if matches!(character, '"' | '\\' | '$' | '`') {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}

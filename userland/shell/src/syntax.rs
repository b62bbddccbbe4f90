//! The syntax tree of a command line, as [`crate::parse::parse`] produces it.

use alloc::string::String;
use alloc::vec::Vec;

/// A whole line: and-or lists separated by `;`, `&` or newlines.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct List {
    /// The items in the order they run.
    pub items: Vec<ListItem>,
}

/// One and-or list and how it was terminated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListItem {
    /// The commands.
    pub and_or: AndOr,
    /// `true` when terminated by `&` (run in the background).
    pub background: bool,
    /// The source text of the and-or list (for job reports), without the terminator.
    pub text: String,
}

/// A pipeline followed by pipelines joined with `&&` or `||`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AndOr {
    /// The first pipeline, always run.
    pub first: Pipeline,
    /// The following pipelines with the operator before each.
    pub rest: Vec<(Connector, Pipeline)>,
}

/// The operator between two pipelines of an and-or list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    /// `&&`: run the next one when the status so far is 0.
    And,
    /// `||`: run the next one when the status so far is not 0.
    Or,
}

/// Simple commands joined with `|`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    /// The stages, left to right (never empty).
    pub commands: Vec<SimpleCommand>,
}

/// Prefix assignments, words and redirections.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SimpleCommand {
    /// `NAME=value` words before the command name.
    pub assignments: Vec<Assignment>,
    /// The command name and its arguments, before expansion.
    pub words: Vec<Word>,
    /// The redirections, in source order (they are applied in this order).
    pub redirections: Vec<Redirection>,
}

/// A `NAME=value` prefix assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// The variable name.
    pub name: String,
    /// The value, expanded without field splitting.
    pub value: Word,
}

/// A redirection `[n]op target`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirection {
    /// The file descriptor redirected (`n`, or 0 for `<` forms and 1 for `>` forms).
    pub fd: u32,
    /// What happens to it.
    pub operation: RedirectionOperation,
}

/// The kind and target of a redirection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirectionOperation {
    /// `<file`: open for reading.
    Read(Word),
    /// `>file`: open for writing, create, truncate.
    Write(Word),
    /// `>>file`: open for appending, create.
    Append(Word),
    /// `>&m` or `<&m`: make the descriptor a copy of `m` (`dup2(m, n)`).
    Duplicate(u32),
    /// `>&-` or `<&-`: close the descriptor.
    Close,
}

/// A word before expansion: a sequence of literal text and parameter references.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Word {
    /// The parts, in order.
    pub parts: Vec<WordPart>,
}

/// One piece of a word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WordPart {
    /// Text taken as is. `quoted` is true for text inside quotes or after a backslash.
    Literal {
        /// The characters (quotes and escapes removed).
        text: String,
        /// Whether it was quoted.
        quoted: bool,
    },
    /// `$NAME`, `${NAME}`, `$?`, `$$`, `$!` or `$0`.
    Parameter {
        /// Which parameter.
        parameter: Parameter,
        /// Inside double quotes (not field split).
        quoted: bool,
    },
    /// An unquoted `~` at the start of a word, before `/` or the end: `$HOME`.
    Tilde,
}

/// A parameter that `$` can refer to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parameter {
    /// A shell variable.
    Named(String),
    /// `$?`: the status of the last command.
    LastStatus,
    /// `$$`: the shell's process id.
    ProcessId,
    /// `$!`: the process id of the last background command.
    LastBackground,
    /// `$0`: the shell's name.
    ShellName,
}

impl Word {
    /// A word of one unquoted literal.
    #[must_use]
    pub fn literal(text: &str) -> Self {
        Self {
            parts: alloc::vec![WordPart::Literal {
                text: String::from(text),
                quoted: false,
            }],
        }
    }

    /// The text if the word is only unquoted literals (no quotes, no expansions).
    #[must_use]
    pub fn as_plain_literal(&self) -> Option<String> {
        let mut text = String::new();
        for part in &self.parts {
            match part {
                WordPart::Literal {
                    text: piece,
                    quoted: false,
                } => text.push_str(piece),
                _ => return None,
            }
        }
        Some(text)
    }
}

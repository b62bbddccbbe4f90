//! Word expansion: parameters (`$NAME`, `${NAME}`, `$?`, `$$`, `$!`, `$0`), `~`, and
//! field splitting of unquoted expansions on spaces, tabs and newlines.
//!
//! There is no pathname expansion (globbing): `*`, `?` and `[` stay literal.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::syntax::{Parameter, Word, WordPart};

/// What expansion reads: variables and the special parameters.
pub trait Environment {
    /// The value of variable `name`, if set.
    fn variable(&self, name: &str) -> Option<String>;
    /// `$?`.
    fn last_status(&self) -> u8;
    /// `$$`.
    fn process_id(&self) -> u32;
    /// `$!` (empty when no background command ran yet).
    fn last_background(&self) -> Option<u32>;
    /// `$0`.
    fn shell_name(&self) -> String;
}

/// The value of one parameter (empty when unset).
#[must_use]
pub fn parameter_value(parameter: &Parameter, environment: &dyn Environment) -> String {
    match parameter {
        Parameter::Named(name) => environment.variable(name).unwrap_or_default(),
        Parameter::LastStatus => format!("{}", environment.last_status()),
        Parameter::ProcessId => format!("{}", environment.process_id()),
        Parameter::LastBackground => environment
            .last_background()
            .map(|process| format!("{process}"))
            .unwrap_or_default(),
        Parameter::ShellName => environment.shell_name(),
    }
}

fn is_field_separator(character: char) -> bool {
    matches!(character, ' ' | '\t' | '\n')
}

/// Expands `word` into fields. Unquoted expansions are split on spaces, tabs and
/// newlines; a word that expands to nothing unquoted gives no field at all, while
/// `""` gives one empty field.
#[must_use]
pub fn expand_word(word: &Word, environment: &dyn Environment) -> Vec<String> {
    let mut fields = Vec::new();
    // The field being built; `None` until something (even an empty quoted string) is in it.
    let mut current: Option<String> = None;
    for part in &word.parts {
        match part {
            WordPart::Literal { text, .. } => {
                current.get_or_insert_with(String::new).push_str(text)
            }
            WordPart::Tilde => current.get_or_insert_with(String::new).push_str(
                &environment
                    .variable("HOME")
                    .unwrap_or_else(|| String::from("~")),
            ),
            WordPart::Parameter {
                parameter,
                quoted: true,
            } => current
                .get_or_insert_with(String::new)
                .push_str(&parameter_value(parameter, environment)),
            WordPart::Parameter {
                parameter,
                quoted: false,
            } => {
                let value = parameter_value(parameter, environment);
                let mut pieces = value.split(is_field_separator).peekable();
                while let Some(piece) = pieces.next() {
                    if !piece.is_empty() {
                        current.get_or_insert_with(String::new).push_str(piece);
                    }
                    // A separator follows this piece: the field ends here.
                    if pieces.peek().is_some()
                        && let Some(field) = current.take()
                    {
                        fields.push(field);
                    }
                }
            }
        }
    }
    if let Some(field) = current {
        fields.push(field);
    }
    fields
}

/// Expands `word` into one string with no field splitting (assignment values).
#[must_use]
pub fn expand_word_to_string(word: &Word, environment: &dyn Environment) -> String {
    let mut text = String::new();
    for part in &word.parts {
        match part {
            WordPart::Literal { text: piece, .. } => text.push_str(piece),
            WordPart::Tilde => {
                text.push_str(
                    &environment
                        .variable("HOME")
                        .unwrap_or_else(|| String::from("~")),
                );
            }
            WordPart::Parameter { parameter, .. } => {
                text.push_str(&parameter_value(parameter, environment));
            }
        }
    }
    text
}

/// Expands each word and concatenates the fields (the arguments of a command).
#[must_use]
pub fn expand_words(words: &[Word], environment: &dyn Environment) -> Vec<String> {
    words
        .iter()
        .flat_map(|word| expand_word(word, environment))
        .collect()
}

//! Word expansion: parameters (`$NAME`, `${NAME}`, `$?`, `$$`, `$!`, `$0`), `~`, and
//! field splitting of unquoted expansions on spaces, tabs and newlines.
//!
//! Pathname expansion is a separate step ([`crate::glob`]) applied to the
//! [`Field::pattern`] of each field: [`expand_word`] alone leaves `*`, `?` and `[` as is.

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

/// One field produced by expansion.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Field {
    /// The text (quotes removed).
    pub text: String,
    /// The text as a glob pattern: quoted `*`, `?`, `[`, `]` and backslashes are escaped
    /// with a backslash. Meaningful when [`Field::globbing`] is true.
    pub pattern: String,
    /// An unquoted `*`, `?` or `[` is in it: pathname expansion applies.
    pub globbing: bool,
}

impl Field {
    fn push_quoted(&mut self, text: &str) {
        self.text.push_str(text);
        for character in text.chars() {
            if matches!(character, '*' | '?' | '[' | ']' | '\\') {
                self.pattern.push('\\');
            }
            self.pattern.push(character);
        }
    }

    fn push_unquoted(&mut self, text: &str) {
        self.text.push_str(text);
        for character in text.chars() {
            match character {
                '\\' => self.pattern.push('\\'),
                '*' | '?' | '[' => self.globbing = true,
                _ => {}
            }
            self.pattern.push(character);
        }
    }
}

/// Expands `word` into fields with their glob patterns. Unquoted expansions are split
/// on spaces, tabs and newlines; a word that expands to nothing unquoted gives no field
/// at all, while `""` gives one empty field.
#[must_use]
pub fn expand_word_fields(word: &Word, environment: &dyn Environment) -> Vec<Field> {
    let mut fields = Vec::new();
    // The field being built; `None` until something (even an empty quoted string) is in it.
    let mut current: Option<Field> = None;
    for part in &word.parts {
        match part {
            WordPart::Literal { text, quoted: true } => {
                current.get_or_insert_with(Field::default).push_quoted(text)
            }
            WordPart::Literal {
                text,
                quoted: false,
            } => current
                .get_or_insert_with(Field::default)
                .push_unquoted(text),
            WordPart::Tilde => current.get_or_insert_with(Field::default).push_quoted(
                &environment
                    .variable("HOME")
                    .unwrap_or_else(|| String::from("~")),
            ),
            WordPart::Parameter {
                parameter,
                quoted: true,
            } => current
                .get_or_insert_with(Field::default)
                .push_quoted(&parameter_value(parameter, environment)),
            WordPart::Parameter {
                parameter,
                quoted: false,
            } => {
                let value = parameter_value(parameter, environment);
                let mut pieces = value.split(is_field_separator).peekable();
                while let Some(piece) = pieces.next() {
                    if !piece.is_empty() {
                        current
                            .get_or_insert_with(Field::default)
                            .push_unquoted(piece);
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

/// Expands `word` into fields (their text; see [`expand_word_fields`]).
#[must_use]
pub fn expand_word(word: &Word, environment: &dyn Environment) -> Vec<String> {
    expand_word_fields(word, environment)
        .into_iter()
        .map(|field| field.text)
        .collect()
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

//! The shell's variables, each with an exported flag.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

pub use crate::lexer::is_name;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Variable {
    value: Option<String>,
    exported: bool,
}

/// The variables of a shell. A variable can be exported without a value
/// (`export NAME` before `NAME=value`); such a variable is not set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Variables {
    entries: BTreeMap<String, Variable>,
}

impl Variables {
    /// No variables.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Imports `NAME=value` strings (the process environment) as exported variables.
    /// Strings without `=` or with an invalid name are skipped.
    pub fn import<'text>(&mut self, environment: impl IntoIterator<Item = &'text str>) {
        for entry in environment {
            if let Some((name, value)) = entry.split_once('=')
                && is_name(name)
            {
                self.set(name, value);
                self.export(name);
            }
        }
    }

    /// The value of `name`, if set.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .get(name)
            .and_then(|variable| variable.value.as_deref())
    }

    /// Sets `name` to `value`, keeping its exported flag.
    pub fn set(&mut self, name: &str, value: &str) {
        let entry = self.entries.entry(String::from(name)).or_insert(Variable {
            value: None,
            exported: false,
        });
        entry.value = Some(String::from(value));
    }

    /// Marks `name` as exported (it is passed to commands once it has a value).
    pub fn export(&mut self, name: &str) {
        self.entries
            .entry(String::from(name))
            .or_insert(Variable {
                value: None,
                exported: false,
            })
            .exported = true;
    }

    /// Whether `name` is marked exported.
    #[must_use]
    pub fn is_exported(&self, name: &str) -> bool {
        self.entries
            .get(name)
            .is_some_and(|variable| variable.exported)
    }

    /// Removes `name` (value and exported flag).
    pub fn unset(&mut self, name: &str) {
        self.entries.remove(name);
    }

    /// The exported variables that have a value, as `NAME=value`, sorted by name.
    #[must_use]
    pub fn environment(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter(|(_, variable)| variable.exported)
            .filter_map(|(name, variable)| {
                variable
                    .value
                    .as_ref()
                    .map(|value| format!("{name}={value}"))
            })
            .collect()
    }

    /// The exported variables with their values (`None` if exported but unset), sorted.
    pub fn exported(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.entries
            .iter()
            .filter(|(_, variable)| variable.exported)
            .map(|(name, variable)| (name.as_str(), variable.value.as_deref()))
    }
}

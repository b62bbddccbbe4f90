//! Pathname expansion (globbing): `*`, `?` and bracket expressions (`[abc]`, `[a-z]`,
//! `[!x]`) matched against the entries of directories listed through a
//! [`DirectoryLister`].
//!
//! Patterns come from [`crate::expand::Field::pattern`]: quoted characters are escaped
//! with a backslash. Names starting with `.` match only a pattern that starts with a
//! literal `.`; `.` and `..` are never listed by the lister anyway. Matches are sorted;
//! a pattern that matches nothing is left as it was written.

use alloc::string::String;
use alloc::vec::Vec;

use posix_server_api::Errno;

/// Lists directories for globbing.
pub trait DirectoryLister {
    /// The names in directory `path` (`"."` for the current directory), without `.`
    /// and `..`, in any order.
    ///
    /// # Errors
    /// The errno of opening or reading the directory (the pattern then matches nothing
    /// there).
    fn list_directory(&mut self, path: &str) -> Result<Vec<String>, Errno>;
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Literal(char),
    AnyCharacter,
    AnyString,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// Whether `text` has an unescaped `*`, `?` or `[`.
#[must_use]
pub fn has_glob_characters(pattern: &str) -> bool {
    let mut escaped = false;
    for character in pattern.chars() {
        if escaped {
            escaped = false;
        } else if character == '\\' {
            escaped = true;
        } else if matches!(character, '*' | '?' | '[') {
            return true;
        }
    }
    false
}

/// `pattern` with its escaping backslashes removed.
#[must_use]
pub fn unescape(pattern: &str) -> String {
    let mut text = String::with_capacity(pattern.len());
    let mut escaped = false;
    for character in pattern.chars() {
        if !escaped && character == '\\' {
            escaped = true;
        } else {
            escaped = false;
            text.push(character);
        }
    }
    if escaped {
        text.push('\\');
    }
    text
}

fn tokenize(pattern: &str) -> Vec<Token> {
    let characters: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while let Some(&character) = characters.get(index) {
        index += 1;
        match character {
            '\\' => match characters.get(index) {
                Some(&escaped) => {
                    tokens.push(Token::Literal(escaped));
                    index += 1;
                }
                None => tokens.push(Token::Literal('\\')),
            },
            '?' => tokens.push(Token::AnyCharacter),
            '*' => {
                if tokens.last() != Some(&Token::AnyString) {
                    tokens.push(Token::AnyString);
                }
            }
            '[' => match bracket_expression(&characters, index) {
                Some((token, next)) => {
                    tokens.push(token);
                    index = next;
                }
                None => tokens.push(Token::Literal('[')),
            },
            _ => tokens.push(Token::Literal(character)),
        }
    }
    tokens
}

/// Parses a bracket expression whose content starts at `start` (after `[`); returns it
/// and the index after `]`, or `None` if there is no closing `]`.
fn bracket_expression(characters: &[char], start: usize) -> Option<(Token, usize)> {
    let mut index = start;
    let negated = matches!(characters.get(index), Some('!' | '^'));
    if negated {
        index += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let mut character = *characters.get(index)?;
        if character == ']' && !first {
            return Some((Token::Class { negated, ranges }, index + 1));
        }
        first = false;
        index += 1;
        if character == '\\' {
            character = *characters.get(index)?;
            index += 1;
        }
        if characters.get(index) == Some(&'-')
            && let Some(&end) = characters.get(index + 1)
            && end != ']'
        {
            ranges.push((character, end));
            index += 2;
        } else {
            ranges.push((character, character));
        }
    }
}

fn token_matches(token: &Token, character: char) -> bool {
    match token {
        Token::Literal(literal) => *literal == character,
        Token::AnyCharacter => true,
        Token::AnyString => false,
        Token::Class { negated, ranges } => {
            let inside = ranges
                .iter()
                .any(|&(low, high)| low <= character && character <= high);
            inside != *negated
        }
    }
}

/// Whether `name` (one path component) matches `pattern`.
#[must_use]
pub fn pattern_matches(pattern: &str, name: &str) -> bool {
    let tokens = tokenize(pattern);
    let name: Vec<char> = name.chars().collect();
    if name.first() == Some(&'.') && tokens.first() != Some(&Token::Literal('.')) {
        return false;
    }
    let (mut token_index, mut name_index) = (0, 0);
    // Where to resume after the last `*`: its token index and the name index it covers to.
    let mut backtrack: Option<(usize, usize)> = None;
    while name_index < name.len() {
        match (tokens.get(token_index), name.get(name_index)) {
            (Some(Token::AnyString), _) => {
                backtrack = Some((token_index, name_index));
                token_index += 1;
            }
            (Some(token), Some(&character)) if token_matches(token, character) => {
                token_index += 1;
                name_index += 1;
            }
            _ => match backtrack {
                Some((star, covered)) => {
                    backtrack = Some((star, covered + 1));
                    token_index = star + 1;
                    name_index = covered + 1;
                }
                None => return false,
            },
        }
    }
    tokens
        .get(token_index..)
        .is_some_and(|rest| rest.iter().all(|token| *token == Token::AnyString))
}

/// The paths matching `pattern` (escaped as described in the module documentation),
/// sorted; empty if none.
pub fn expand_pattern<L: DirectoryLister + ?Sized>(pattern: &str, lister: &mut L) -> Vec<String> {
    let absolute = pattern.starts_with('/');
    let components: Vec<&str> = pattern.split('/').filter(|part| !part.is_empty()).collect();
    let mut prefixes: Vec<String> = alloc::vec![String::from(if absolute { "/" } else { "" })];
    for (position, component) in components.iter().enumerate() {
        let last = position + 1 == components.len();
        let mut next = Vec::new();
        for prefix in &prefixes {
            let directory = match prefix.trim_end_matches('/') {
                "" if prefix.is_empty() => ".",
                "" => "/",
                trimmed => trimmed,
            };
            let join = |name: &str| {
                let mut path = prefix.clone();
                path.push_str(name);
                if !last {
                    path.push('/');
                }
                path
            };
            if has_glob_characters(component) {
                let Ok(mut names) = lister.list_directory(directory) else {
                    continue;
                };
                names.sort();
                next.extend(
                    names
                        .iter()
                        .filter(|name| pattern_matches(component, name))
                        .map(|name| join(name)),
                );
            } else {
                let name = unescape(component);
                if last {
                    // Keep it only if it exists.
                    let Ok(names) = lister.list_directory(directory) else {
                        continue;
                    };
                    if !names.contains(&name) {
                        continue;
                    }
                }
                next.push(join(&name));
            }
        }
        prefixes = next;
        if prefixes.is_empty() {
            break;
        }
    }
    if pattern.ends_with('/') {
        for path in &mut prefixes {
            if !path.ends_with('/') {
                path.push('/');
            }
        }
    }
    prefixes.retain(|path| !path.is_empty());
    prefixes.sort();
    prefixes
}

//! Expansion tests: parameters, quoting, field splitting, tilde.

use std::collections::HashMap;

use koito_shell::expand::{Environment, expand_word, expand_word_to_string, expand_words};
use koito_shell::parse::parse;
use koito_shell::syntax::Word;

struct FakeEnvironment {
    variables: HashMap<String, String>,
}

impl Environment for FakeEnvironment {
    fn variable(&self, name: &str) -> Option<String> {
        self.variables.get(name).cloned()
    }
    fn last_status(&self) -> u8 {
        42
    }
    fn process_id(&self) -> u32 {
        1234
    }
    fn last_background(&self) -> Option<u32> {
        None
    }
    fn shell_name(&self) -> String {
        "sh".into()
    }
}

fn environment() -> FakeEnvironment {
    let mut variables = HashMap::new();
    for (name, value) in [
        ("HOME", "/home/user"),
        ("A", "alpha"),
        ("SPACED", "  one  two\tthree\nfour  "),
        ("EMPTY", ""),
        ("BLANK", "   "),
        ("STAR", "*"),
    ] {
        variables.insert(name.to_string(), value.to_string());
    }
    FakeEnvironment { variables }
}

fn words(line: &str) -> Vec<Word> {
    let list = parse(line).unwrap();
    list.items[0].and_or.first.commands[0].words.clone()
}

/// The arguments `line` expands to, without the leading `echo`.
fn arguments(line: &str) -> Vec<String> {
    let fields = expand_words(&words(&format!("echo {line}")), &environment());
    fields[1..].to_vec()
}

#[test]
fn plain_and_braced_variables() {
    assert_eq!(arguments("$A ${A}x x$A"), ["alpha", "alphax", "xalpha"]);
    assert_eq!(arguments("$Ax"), Vec::<String>::new());
}

#[test]
fn special_parameters() {
    assert_eq!(arguments("$? $$ $0 \"$?\""), ["42", "1234", "sh", "42"]);
    assert_eq!(arguments("[$!]"), ["[]"]);
}

#[test]
fn unset_and_empty_unquoted_remove_the_word() {
    assert_eq!(arguments("a $UNSET b $EMPTY c $BLANK"), ["a", "b", "c"]);
}

#[test]
fn quoted_empty_keeps_an_empty_field() {
    assert_eq!(arguments("\"$UNSET\" '' \"\""), ["", "", ""]);
    assert_eq!(arguments("\"\"$UNSET"), [""]);
}

#[test]
fn unquoted_expansion_is_field_split() {
    assert_eq!(arguments("$SPACED"), ["one", "two", "three", "four"]);
    assert_eq!(
        arguments("x${SPACED}y"),
        ["x", "one", "two", "three", "four", "y"]
    );
}

#[test]
fn quoted_expansion_is_not_split() {
    assert_eq!(arguments("\"$SPACED\""), ["  one  two\tthree\nfour  "]);
    assert_eq!(arguments("\"<$A>\""), ["<alpha>"]);
}

#[test]
fn splitting_joins_with_adjacent_text() {
    // The first piece joins the text before, the last piece the text after.
    let mut environment = environment();
    environment
        .variables
        .insert("TWO".into(), "left right".into());
    let fields = expand_words(&words("echo a$TWO'b'"), &environment);
    assert_eq!(fields, ["echo", "aleft", "rightb"]);
}

#[test]
fn single_quotes_do_not_expand() {
    assert_eq!(arguments("'$A' \\$A"), ["$A", "$A"]);
}

#[test]
fn no_globbing() {
    assert_eq!(arguments("* $STAR"), ["*", "*"]);
}

#[test]
fn tilde() {
    assert_eq!(
        arguments("~ ~/bin a~ \"~\""),
        ["/home/user", "/home/user/bin", "a~", "~"]
    );
    let no_home = FakeEnvironment {
        variables: HashMap::new(),
    };
    assert_eq!(expand_words(&words("echo ~"), &no_home), ["echo", "~"]);
}

#[test]
fn expansion_without_splitting() {
    let word = &words("echo $SPACED")[1];
    assert_eq!(
        expand_word_to_string(word, &environment()),
        "  one  two\tthree\nfour  "
    );
    assert_eq!(expand_word(word, &environment()).len(), 4);
}

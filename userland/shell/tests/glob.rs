//! Glob pattern matching and directory walking.

use std::collections::HashMap;

use koito_shell::glob::{
    DirectoryLister, expand_pattern, has_glob_characters, pattern_matches, unescape,
};
use koito_shell::system::Errno;

#[test]
fn matching() {
    for (pattern, name, expected) in [
        ("*", "abc", true),
        ("*", "", true),
        ("a*", "abc", true),
        ("*c", "abc", true),
        ("*b*", "abc", true),
        ("a*b*c", "aXbYbZc", true),
        ("a*d", "abc", false),
        ("?", "a", true),
        ("?", "", false),
        ("??", "a", false),
        ("[abc]x", "bx", true),
        ("[abc]x", "dx", false),
        ("[a-c]", "b", true),
        ("[!a-c]", "b", false),
        ("[^a-c]", "d", true),
        ("[]]", "]", true),
        ("[a-]", "-", true),
        ("[", "[", true),
        ("a[", "a[", true),
        ("\\*", "*", true),
        ("\\*", "a", false),
        ("*.txt", ".hidden.txt", false),
        (".*", ".hidden", true),
        ("*", ".", false),
        ("abc", "abc", true),
        ("abc", "abcd", false),
        ("**a", "bba", true),
    ] {
        assert_eq!(
            pattern_matches(pattern, name),
            expected,
            "{pattern:?} {name:?}"
        );
    }
}

#[test]
fn escapes() {
    assert!(has_glob_characters("a*"));
    assert!(has_glob_characters("[x]"));
    assert!(!has_glob_characters("a\\*"));
    assert!(!has_glob_characters("plain"));
    assert_eq!(unescape("a\\*b\\\\"), "a*b\\");
}

struct Tree(HashMap<&'static str, Vec<&'static str>>);

impl DirectoryLister for Tree {
    fn list_directory(&mut self, path: &str) -> Result<Vec<String>, Errno> {
        self.0
            .get(path)
            .map(|names| names.iter().map(|name| name.to_string()).collect())
            .ok_or(Errno::ENOENT)
    }
}

fn tree() -> Tree {
    Tree(HashMap::from([
        (".", vec!["b", "a", "docs"]),
        ("docs", vec!["x.md", "y.txt"]),
        ("/", vec!["bin", "etc"]),
        ("/bin", vec!["sh", "ls"]),
        ("/etc", vec!["passwd"]),
    ]))
}

#[test]
fn walking() {
    let mut tree = tree();
    assert_eq!(expand_pattern("*", &mut tree), ["a", "b", "docs"]);
    assert_eq!(expand_pattern("docs/*.md", &mut tree), ["docs/x.md"]);
    assert_eq!(expand_pattern("/*/sh", &mut tree), ["/bin/sh"]);
    assert_eq!(
        expand_pattern("/*/*", &mut tree),
        ["/bin/ls", "/bin/sh", "/etc/passwd"]
    );
    assert!(expand_pattern("nothing/*", &mut tree).is_empty());
    assert!(expand_pattern("*.none", &mut tree).is_empty());
}

mod properties {
    use koito_shell::glob::pattern_matches;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn never_panics(pattern in "[a-c*?\\[\\]!^\\\\-]{0,12}", name in "[a-c.\\[\\]-]{0,12}") {
            let _ = pattern_matches(&pattern, &name);
        }

        #[test]
        fn literal_names_match_themselves(name in "[a-z0-9_]{1,12}") {
            prop_assert!(pattern_matches(&name, &name));
            prop_assert!(pattern_matches("*", &name));
        }
    }
}

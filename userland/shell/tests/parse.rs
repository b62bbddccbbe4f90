//! Parser and lexer tests: operators, quoting, redirections, assignments, errors.

use koito_shell::parse::parse;
use koito_shell::syntax::{
    Connector, List, Parameter, RedirectionOperation, SimpleCommand, Word, WordPart,
};

fn parse_ok(line: &str) -> List {
    match parse(line) {
        Ok(list) => list,
        Err(error) => panic!("{line:?} failed: {error}"),
    }
}

fn error_message(line: &str) -> String {
    match parse(line) {
        Ok(list) => panic!("{line:?} parsed: {list:?}"),
        Err(error) => error.to_string(),
    }
}

fn only_command(line: &str) -> SimpleCommand {
    let list = parse_ok(line);
    assert_eq!(list.items.len(), 1);
    let item = &list.items[0];
    assert!(item.and_or.rest.is_empty());
    assert_eq!(item.and_or.first.commands.len(), 1);
    item.and_or.first.commands[0].clone()
}

fn literal(text: &str, quoted: bool) -> WordPart {
    WordPart::Literal {
        text: text.into(),
        quoted,
    }
}

/// The literal text of a word (panics on expansions).
fn text(word: &Word) -> String {
    word.parts
        .iter()
        .map(|part| match part {
            WordPart::Literal { text, .. } => text.clone(),
            other => panic!("not literal: {other:?}"),
        })
        .collect()
}

fn texts(command: &SimpleCommand) -> Vec<String> {
    command.words.iter().map(text).collect()
}

#[test]
fn simple_words() {
    let command = only_command("  ls   -l\t/tmp  ");
    assert_eq!(texts(&command), ["ls", "-l", "/tmp"]);
    assert_eq!(command.words[0].parts, [literal("ls", false)]);
}

#[test]
fn empty_and_blank_lines_have_no_items() {
    assert!(parse_ok("").items.is_empty());
    assert!(parse_ok("   \t ").items.is_empty());
    assert!(parse_ok("# only a comment").items.is_empty());
    assert!(parse_ok("\n\n").items.is_empty());
}

#[test]
fn comments_only_at_word_start() {
    assert_eq!(texts(&only_command("echo a # b c")), ["echo", "a"]);
    assert_eq!(texts(&only_command("echo a#b")), ["echo", "a#b"]);
    assert_eq!(texts(&only_command("echo '#x' \\#y")), ["echo", "#x", "#y"]);
}

#[test]
fn single_quotes_are_literal() {
    let command = only_command(r#"echo 'a $HOME "b" \n'"#);
    assert_eq!(command.words[1].parts, [literal(r#"a $HOME "b" \n"#, true)]);
}

#[test]
fn adjacent_quotes_join_one_word() {
    let command = only_command(r#"echo a'b'"c"d"#);
    assert_eq!(texts(&command), ["echo", "abcd"]);
    assert_eq!(
        command.words[1].parts,
        [
            literal("a", false),
            literal("bc", true),
            literal("d", false)
        ]
    );
}

#[test]
fn empty_quotes_make_a_quoted_empty_word() {
    let command = only_command(r#"echo "" ''"#);
    assert_eq!(command.words.len(), 3);
    assert_eq!(command.words[1].parts, [literal("", true)]);
    assert_eq!(command.words[2].parts, [literal("", true)]);
}

#[test]
fn double_quote_escapes() {
    let command = only_command(r#"echo "\$ \` \" \\ \a \n""#);
    assert_eq!(texts(&command)[1], r#"$ ` " \ \a \n"#);
    // Backslash-newline inside double quotes disappears.
    assert_eq!(texts(&only_command("echo \"a\\\nb\""))[1], "ab");
}

#[test]
fn backslash_outside_quotes() {
    let command = only_command(r"echo \a\ b \' \\ \|");
    assert_eq!(texts(&command), ["echo", "a b", "'", "\\", "|"]);
    assert_eq!(texts(&only_command("echo a\\\nb")), ["echo", "ab"]);
    assert_eq!(texts(&only_command("echo a\\")), ["echo", "a\\"]);
}

#[test]
fn metacharacters_inside_quotes_are_text() {
    let command = only_command(r#"echo "a|b;c&d>e<f" 'x && y'"#);
    assert_eq!(texts(&command), ["echo", "a|b;c&d>e<f", "x && y"]);
}

#[test]
fn parameters() {
    let command = only_command(r#"echo $A ${B_1}x "$C" $? $$ $! $0 $1 a$"#);
    let parts: Vec<&WordPart> = command
        .words
        .iter()
        .skip(1)
        .flat_map(|w| &w.parts)
        .collect();
    let parameter = |name: &str, quoted| WordPart::Parameter {
        parameter: Parameter::Named(name.into()),
        quoted,
    };
    let special = |parameter| WordPart::Parameter {
        parameter,
        quoted: false,
    };
    assert_eq!(
        parts,
        [
            &parameter("A", false),
            &parameter("B_1", false),
            &literal("x", false),
            &literal("", true),
            &parameter("C", true),
            &special(Parameter::LastStatus),
            &special(Parameter::ProcessId),
            &special(Parameter::LastBackground),
            &special(Parameter::ShellName),
            &parameter("1", false),
            &literal("a$", false),
        ]
    );
}

#[test]
fn dollar_before_non_name_is_literal() {
    assert_eq!(
        texts(&only_command("echo $ $- \"$\" $/")),
        ["echo", "$", "$-", "$", "$/"]
    );
}

#[test]
fn tilde_only_at_word_start() {
    let command = only_command("cd ~ ~/x a~ '~' ~user");
    assert_eq!(command.words[1].parts, [WordPart::Tilde]);
    assert_eq!(
        command.words[2].parts,
        [WordPart::Tilde, literal("/x", false)]
    );
    assert_eq!(command.words[3].parts, [literal("a~", false)]);
    assert_eq!(command.words[4].parts, [literal("~", true)]);
    assert_eq!(command.words[5].parts, [literal("~user", false)]);
}

#[test]
fn pipelines_and_lists() {
    let list = parse_ok("a | b | c; d & e && f || g");
    assert_eq!(list.items.len(), 3);
    assert_eq!(list.items[0].and_or.first.commands.len(), 3);
    assert!(!list.items[0].background);
    assert_eq!(list.items[0].text, "a | b | c");
    assert!(list.items[1].background);
    assert_eq!(list.items[1].text, "d");
    let third = &list.items[2].and_or;
    assert_eq!(texts(&third.first.commands[0]), ["e"]);
    assert_eq!(third.rest.len(), 2);
    assert_eq!(third.rest[0].0, Connector::And);
    assert_eq!(third.rest[1].0, Connector::Or);
    assert_eq!(list.items[2].text, "e && f || g");
}

#[test]
fn operators_without_spaces() {
    let list = parse_ok("a|b&&c||d;e&");
    assert_eq!(list.items.len(), 2);
    assert_eq!(list.items[0].and_or.first.commands.len(), 2);
    assert_eq!(list.items[0].and_or.rest.len(), 2);
    assert!(list.items[1].background);
}

#[test]
fn trailing_separator_and_newlines() {
    assert_eq!(parse_ok("a;").items.len(), 1);
    assert_eq!(parse_ok("a &").items.len(), 1);
    assert_eq!(parse_ok("a\nb\n\nc").items.len(), 3);
    assert_eq!(parse_ok("a |\n b").items[0].and_or.first.commands.len(), 2);
    assert_eq!(parse_ok("a &&\n b").items[0].and_or.rest.len(), 1);
    assert_eq!(parse_ok("a & b &").items.len(), 2);
}

#[test]
fn redirections() {
    let command = only_command("cmd <in >out 2>>log 2>&1 3<x 1>&- <&4 >|force");
    assert_eq!(texts(&command), ["cmd"]);
    let described: Vec<(u32, String)> = command
        .redirections
        .iter()
        .map(|redirection| {
            let operation = match &redirection.operation {
                RedirectionOperation::Read(word) => format!("<{}", text(word)),
                RedirectionOperation::Write(word) => format!(">{}", text(word)),
                RedirectionOperation::Append(word) => format!(">>{}", text(word)),
                RedirectionOperation::Duplicate(fd) => format!("&{fd}"),
                RedirectionOperation::Close => "-".into(),
            };
            (redirection.fd, operation)
        })
        .collect();
    let expected: Vec<(u32, String)> = [
        (0, "<in"),
        (1, ">out"),
        (2, ">>log"),
        (2, "&1"),
        (3, "<x"),
        (1, "-"),
        (0, "&4"),
        (1, ">force"),
    ]
    .iter()
    .map(|&(fd, text)| (fd, text.to_string()))
    .collect();
    assert_eq!(described, expected);
}

#[test]
fn redirection_with_spaces_and_anywhere() {
    let command = only_command("> out echo a 2> err b");
    assert_eq!(texts(&command), ["echo", "a", "b"]);
    assert_eq!(command.redirections.len(), 2);
    assert_eq!(command.redirections[1].fd, 2);
}

#[test]
fn digits_are_an_io_number_only_right_before_the_operator() {
    let command = only_command("echo 2 >x");
    assert_eq!(texts(&command), ["echo", "2"]);
    assert_eq!(command.redirections[0].fd, 1);
    let command = only_command("echo a2>x");
    assert_eq!(texts(&command), ["echo", "a2"]);
    assert_eq!(command.redirections[0].fd, 1);
    let command = only_command("echo '2'>x");
    assert_eq!(texts(&command), ["echo", "2"]);
    assert_eq!(command.redirections[0].fd, 1);
    let command = only_command("echo 12>x");
    assert_eq!(command.redirections[0].fd, 12);
}

#[test]
fn quoted_redirection_target() {
    let command = only_command("echo >'a b'");
    let RedirectionOperation::Write(word) = &command.redirections[0].operation else {
        panic!()
    };
    assert_eq!(text(word), "a b");
}

#[test]
fn assignments() {
    let command = only_command("A=1 B='x y' C= cmd D=2");
    let names: Vec<&str> = command
        .assignments
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["A", "B", "C"]);
    assert_eq!(text(&command.assignments[1].value), "x y");
    assert!(command.assignments[2].value.parts.is_empty());
    assert_eq!(texts(&command), ["cmd", "D=2"]);
}

#[test]
fn assignment_only_line() {
    let command = only_command("A=1 B=$A");
    assert_eq!(command.assignments.len(), 2);
    assert!(command.words.is_empty());
}

#[test]
fn not_assignments() {
    assert_eq!(texts(&only_command("1A=x")), ["1A=x"]);
    assert_eq!(texts(&only_command("'A'=x")), ["A=x"]);
    assert_eq!(texts(&only_command("=x")), ["=x"]);
    assert!(only_command("A-B=x").assignments.is_empty());
}

#[test]
fn syntax_errors() {
    for (line, expected) in [
        ("| x", "syntax error: unexpected `|'"),
        ("x |", "syntax error: unexpected end of line"),
        ("&& x", "syntax error: unexpected `&&'"),
        ("x &&", "syntax error: unexpected end of line"),
        ("x ||", "syntax error: unexpected end of line"),
        ("x || || y", "syntax error: unexpected `||'"),
        ("a ;; b", "syntax error: unexpected `;;'"),
        ("a ; ; b", "syntax error: unexpected `;'"),
        ("; a", "syntax error: unexpected `;'"),
        ("&", "syntax error: unexpected `&'"),
        ("a & ; b", "syntax error: unexpected `;'"),
        ("a | | b", "syntax error: unexpected `|'"),
        ("echo 'abc", "syntax error: unterminated single quote"),
        ("echo \"abc", "syntax error: unterminated double quote"),
        ("echo \"a'b", "syntax error: unterminated double quote"),
        ("echo ${A", "syntax error: missing `}'"),
        ("echo ${A-b}", "syntax error: ${A-b}: bad substitution"),
        (
            "echo $(ls)",
            "syntax error: command substitution is not supported",
        ),
        (
            "echo `ls`",
            "syntax error: command substitution is not supported",
        ),
        (
            "cat <<EOF",
            "syntax error: here-documents are not supported",
        ),
        ("(a)", "syntax error: unexpected `('"),
        ("a )", "syntax error: unexpected `)'"),
    ] {
        assert_eq!(error_message(line), expected, "for {line:?}");
    }
}

#[test]
fn redirection_without_target() {
    for (line, expected) in [
        (
            "echo >",
            "syntax error: missing redirection target after `>' (unexpected end of line)",
        ),
        (
            "echo < | x",
            "syntax error: missing redirection target after `<' (unexpected `|')",
        ),
        (
            "echo 2>> ;",
            "syntax error: missing redirection target after `>>' (unexpected `;')",
        ),
        (
            "echo >&",
            "syntax error: missing redirection target after `>&' (unexpected end of line)",
        ),
        (
            "echo > > x",
            "syntax error: missing redirection target after `>' (unexpected `>')",
        ),
    ] {
        assert_eq!(error_message(line), expected, "for {line:?}");
    }
}

#[test]
fn bad_duplication_target() {
    assert_eq!(
        error_message("echo 2>&file"),
        "syntax error: `>&' needs a file descriptor number or `-'"
    );
    assert_eq!(
        error_message("echo <&$X"),
        "syntax error: `<&' needs a file descriptor number or `-'"
    );
}

#[test]
fn error_positions() {
    let error = parse("echo a | | b").unwrap_err();
    assert_eq!(error.position, 9);
    let error = parse("echo 'abc").unwrap_err();
    assert_eq!(error.position, 5);
}

#[test]
fn unicode_words() {
    assert_eq!(
        texts(&only_command("echo héllo 'wörld'")),
        ["echo", "héllo", "wörld"]
    );
}

mod properties {
    use koito_shell::parse::parse;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parse_never_panics(line in "[ -~\\t\\n]{0,40}") {
            let _ = parse(&line);
        }

        #[test]
        fn single_quoting_preserves_text(text in "[ -&(-~]{0,20}") {
            let line = format!("echo '{text}'");
            let list = parse(&line).unwrap();
            let command = &list.items[0].and_or.first.commands[0];
            let word = &command.words[1];
            let joined: String = word.parts.iter().map(|part| match part {
                koito_shell::syntax::WordPart::Literal { text, .. } => text.clone(),
                _ => String::new(),
            }).collect();
            prop_assert_eq!(joined, text);
        }
    }
}

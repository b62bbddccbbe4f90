//! The line editor fed byte sequences: resulting lines, events and output bytes.

use koito_shell::line_editor::{EditorEvent, HISTORY_CAPACITY, LineEditor};

/// Feeds `input`; returns the events other than Pending and the output as text.
fn feed(editor: &mut LineEditor, input: &[u8]) -> (Vec<EditorEvent>, String) {
    let mut output = Vec::new();
    let mut events = Vec::new();
    for &byte in input {
        let event = editor.feed(byte, &mut output);
        if event != EditorEvent::Pending {
            events.push(event);
        }
    }
    (events, String::from_utf8(output).unwrap())
}

fn line(text: &str) -> EditorEvent {
    EditorEvent::Line(text.into())
}

#[test]
fn typing_echoes_and_enter_finishes() {
    let mut editor = LineEditor::new();
    let (events, output) = feed(&mut editor, b"ls -l\r");
    assert_eq!(events, [line("ls -l")]);
    assert_eq!(output, "ls -l\r\n");
    assert_eq!(editor.line(), "");
    let (events, _) = feed(&mut editor, b"pwd\n");
    assert_eq!(events, [line("pwd")]);
}

#[test]
fn carriage_return_newline_counts_once() {
    let mut editor = LineEditor::new();
    let (events, _) = feed(&mut editor, b"a\r\nb\r\n");
    assert_eq!(events, [line("a"), line("b")]);
    let (events, _) = feed(&mut editor, b"\n\n");
    assert_eq!(events, [line(""), line("")]);
}

#[test]
fn backspace_at_end() {
    for backspace in [0x7f, 0x08] {
        let mut editor = LineEditor::new();
        let (_, output) = feed(&mut editor, &[b'a', b'b', backspace]);
        assert_eq!(editor.line(), "a");
        assert_eq!(output, "ab\x08\x1b[K");
    }
}

#[test]
fn backspace_at_start_does_nothing() {
    let mut editor = LineEditor::new();
    let (_, output) = feed(&mut editor, b"\x7f\x7f");
    assert_eq!(output, "");
    let (_, output) = feed(&mut editor, b"x\x1b[D\x7f");
    assert_eq!(editor.line(), "x");
    assert_eq!(output, "x\x08");
}

#[test]
fn arrows_and_insertion_in_the_middle() {
    let mut editor = LineEditor::new();
    feed(&mut editor, b"acd");
    let (_, output) = feed(&mut editor, b"\x1b[D\x1b[D");
    assert_eq!(output, "\x08\x08");
    assert_eq!(editor.cursor(), 1);
    let (_, output) = feed(&mut editor, b"b");
    assert_eq!(editor.line(), "abcd");
    assert_eq!(output, "bcd\x1b[2D");
    let (_, output) = feed(&mut editor, b"\x1b[C\x1b[C\x1b[C");
    assert_eq!(output, "\x1b[C\x1b[C");
    assert_eq!(editor.cursor(), 4);
    let (events, _) = feed(&mut editor, b"\r");
    assert_eq!(events, [line("abcd")]);
}

#[test]
fn backspace_in_the_middle_redraws_the_rest() {
    let mut editor = LineEditor::new();
    feed(&mut editor, b"abcd\x1b[D\x1b[D");
    let (_, output) = feed(&mut editor, b"\x7f");
    assert_eq!(editor.line(), "acd");
    assert_eq!(output, "\x08cd\x1b[K\x1b[2D");
}

#[test]
fn home_and_end() {
    for (home, end) in [
        (&b"\x1b[H"[..], &b"\x1b[F"[..]),
        (b"\x01", b"\x05"),
        (b"\x1bOH", b"\x1bOF"),
        (b"\x1b[1~", b"\x1b[4~"),
    ] {
        let mut editor = LineEditor::new();
        feed(&mut editor, b"hello");
        let (_, output) = feed(&mut editor, home);
        assert_eq!(output, "\x1b[5D");
        assert_eq!(editor.cursor(), 0);
        let (_, output) = feed(&mut editor, b">");
        assert_eq!(output, ">hello\x1b[5D");
        let (_, output) = feed(&mut editor, end);
        assert_eq!(output, "\x1b[5C");
        assert_eq!(editor.line(), ">hello");
    }
}

#[test]
fn control_b_and_f_move() {
    let mut editor = LineEditor::new();
    feed(&mut editor, b"ab\x02\x02\x02x\x06\x06\x06y");
    assert_eq!(editor.line(), "xaby");
}

#[test]
fn control_c_abandons_the_line() {
    let mut editor = LineEditor::new();
    let (events, output) = feed(&mut editor, b"rm -rf\x03");
    assert_eq!(events, [EditorEvent::Interrupted]);
    assert_eq!(output, "rm -rf^C\r\n");
    assert_eq!(editor.line(), "");
    assert_eq!(editor.history().count(), 0);
}

#[test]
fn control_d() {
    let mut editor = LineEditor::new();
    let (events, output) = feed(&mut editor, b"\x04");
    assert_eq!(events, [EditorEvent::EndOfInput]);
    assert_eq!(output, "");
    // On a non-empty line it deletes under the cursor.
    let (events, output) = feed(&mut editor, b"abc\x01\x04");
    assert!(events.is_empty());
    assert_eq!(editor.line(), "bc");
    assert_eq!(output, "abc\x1b[3Dbc\x1b[K\x1b[2D");
    // At the end of a non-empty line it does nothing.
    let (events, _) = feed(&mut editor, b"\x05\x04");
    assert!(events.is_empty());
    assert_eq!(editor.line(), "bc");
}

#[test]
fn delete_key() {
    let mut editor = LineEditor::new();
    feed(&mut editor, b"abc\x1b[D\x1b[D\x1b[3~");
    assert_eq!(editor.line(), "ac");
    assert_eq!(editor.cursor(), 1);
}

#[test]
fn kill_to_start_and_end() {
    let mut editor = LineEditor::new();
    feed(&mut editor, b"hello world\x1b[D\x1b[D");
    let (_, output) = feed(&mut editor, b"\x15");
    assert_eq!(editor.line(), "ld");
    assert_eq!(editor.cursor(), 0);
    assert_eq!(output, "\x1b[9Dld\x1b[K\x1b[2D");
    let (_, output) = feed(&mut editor, b"\x06\x0b");
    assert_eq!(editor.line(), "l");
    assert_eq!(output, "\x1b[C\x1b[K");
}

#[test]
fn kill_word() {
    let mut editor = LineEditor::new();
    feed(&mut editor, b"git commit  \x17");
    assert_eq!(editor.line(), "git ");
    feed(&mut editor, b"\x17\x17");
    assert_eq!(editor.line(), "");
}

#[test]
fn history_walk_keeps_the_draft() {
    let mut editor = LineEditor::new();
    feed(&mut editor, b"one\rtwo\r");
    feed(&mut editor, b"dra");
    let (_, output) = feed(&mut editor, b"\x1b[A");
    assert_eq!(editor.line(), "two");
    assert_eq!(output, "\x1b[3Dtwo\x1b[K");
    feed(&mut editor, b"\x1b[A");
    assert_eq!(editor.line(), "one");
    // Past the oldest: stays.
    let (_, output) = feed(&mut editor, b"\x1b[A");
    assert_eq!(editor.line(), "one");
    assert_eq!(output, "");
    feed(&mut editor, b"\x1b[B");
    assert_eq!(editor.line(), "two");
    let (_, output) = feed(&mut editor, b"\x1b[B");
    assert_eq!(editor.line(), "dra");
    assert_eq!(output, "\x1b[3Ddra\x1b[K");
    // Down again does nothing.
    let (_, output) = feed(&mut editor, b"\x1b[B");
    assert_eq!(output, "");
    let (events, _) = feed(&mut editor, b"ft\r");
    assert_eq!(events, [line("draft")]);
}

#[test]
fn history_entry_can_be_edited_and_run() {
    let mut editor = LineEditor::new();
    feed(&mut editor, b"echo a\r");
    let (events, _) = feed(&mut editor, b"\x1bOA\x7fb\r");
    assert_eq!(events, [line("echo b")]);
    assert_eq!(editor.history().collect::<Vec<_>>(), ["echo a", "echo b"]);
}

#[test]
fn history_rules() {
    let mut editor = LineEditor::new();
    feed(&mut editor, b"a\ra\r\r   \rb\ra\r");
    assert_eq!(editor.history().collect::<Vec<_>>(), ["a", "b", "a"]);
    for number in 0..150 {
        editor.add_history(&format!("line {number}"));
    }
    let history: Vec<&str> = editor.history().collect();
    assert_eq!(history.len(), HISTORY_CAPACITY);
    assert_eq!(history[0], "line 50");
    assert_eq!(history[99], "line 149");
}

#[test]
fn up_with_empty_history_does_nothing() {
    let mut editor = LineEditor::new();
    let (_, output) = feed(&mut editor, b"x\x1b[A\x1b[B");
    assert_eq!(output, "x");
    assert_eq!(editor.line(), "x");
}

#[test]
fn utf8_input() {
    let mut editor = LineEditor::new();
    let (_, output) = feed(&mut editor, "héé".as_bytes());
    assert_eq!(output, "héé");
    let (_, output) = feed(&mut editor, b"\x1b[D\x7f");
    assert_eq!(editor.line(), "hé");
    assert_eq!(output, "\x08\x08é\x1b[K\x08");
    // An invalid byte is dropped.
    feed(&mut editor, b"\xff!");
    assert_eq!(editor.line(), "h!é");
}

#[test]
fn unknown_sequences_and_controls_are_ignored() {
    let mut editor = LineEditor::new();
    let (_, output) = feed(&mut editor, b"a\x1b[5~\x1b[1;5C\x1bx\x07\t\x1b[Zb");
    assert_eq!(editor.line(), "ab");
    assert_eq!(output, "ab");
}

#[test]
fn feed_bytes_stops_at_the_line() {
    let mut editor = LineEditor::new();
    let mut output = Vec::new();
    let (event, consumed) = editor.feed_bytes(b"ab\rcd", &mut output);
    assert_eq!(event, line("ab"));
    assert_eq!(consumed, 3);
    let (event, consumed) = editor.feed_bytes(b"cd", &mut output);
    assert_eq!(event, EditorEvent::Pending);
    assert_eq!(consumed, 2);
    assert_eq!(editor.line(), "cd");
}

mod properties {
    use koito_shell::line_editor::{EditorEvent, LineEditor};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn cursor_stays_in_the_line(input in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut editor = LineEditor::new();
            let mut output = Vec::new();
            for byte in input {
                let _ = editor.feed(byte, &mut output);
                prop_assert!(editor.cursor() <= editor.line().chars().count());
            }
        }

        #[test]
        fn printable_text_round_trips(text in "[ -~]{0,60}") {
            let mut editor = LineEditor::new();
            let mut output = Vec::new();
            let mut input = text.clone().into_bytes();
            input.push(b'\r');
            let (event, _) = editor.feed_bytes(&input, &mut output);
            prop_assert_eq!(event, EditorEvent::Line(text.clone()));
            prop_assert_eq!(output, format!("{text}\r\n").into_bytes());
        }
    }
}

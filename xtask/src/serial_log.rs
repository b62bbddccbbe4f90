//! Cleaning a captured serial log (firmware output carries ANSI escapes and CRs)
//! and searching it.

/// Removes ANSI escape sequences and carriage returns.
#[must_use]
pub fn clean(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::with_capacity(text.len());
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '\u{1b}' => {
                // CSI: ESC [ parameters final-byte; other escapes: ESC + one char.
                if characters.peek() == Some(&'[') {
                    characters.next();
                    for next in characters.by_ref() {
                        if ('@'..='~').contains(&next) {
                            break;
                        }
                    }
                } else {
                    characters.next();
                }
            }
            '\r' => {}
            other => out.push(other),
        }
    }
    out
}

/// The first line that starts with `prefix`.
#[must_use]
pub fn line_starting_with<'log>(log: &'log str, prefix: &str) -> Option<&'log str> {
    log.lines().find(|line| line.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_escapes_and_carriage_returns() {
        let raw = b"\x1b[2J\x1b[01;01HBdsDxe: loading\r\nA9N 0.1.0\x1bc\r\n";
        assert_eq!(clean(raw), "BdsDxe: loading\nA9N 0.1.0\n");
    }

    #[test]
    fn finds_a_line_by_prefix() {
        let log = "x\nA9N 0.1.0 x86_64: 255 MiB\nA9N: more\n";
        assert_eq!(
            line_starting_with(log, "A9N 0"),
            Some("A9N 0.1.0 x86_64: 255 MiB")
        );
        assert_eq!(line_starting_with(log, "none"), None);
    }
}

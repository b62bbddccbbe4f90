//! Builds the syntax tree ([`List`]) of a command line from its tokens.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

pub use crate::lexer::SyntaxError;
use crate::lexer::{Operator, Token, TokenKind, is_name, tokenize};
use crate::syntax::{
    AndOr, Assignment, Connector, List, ListItem, Pipeline, Redirection, RedirectionOperation,
    SimpleCommand, Word, WordPart,
};

/// Parses one command line (which may contain newlines, treated like `;`).
///
/// # Errors
/// A [`SyntaxError`] for unterminated quotes, misplaced operators (`| x`, `x |`,
/// `&& x`, `;;`), a redirection without a target, and unsupported syntax.
pub fn parse(line: &str) -> Result<List, SyntaxError> {
    let tokens = tokenize(line)?;
    let mut parser = Parser {
        tokens,
        index: 0,
        line,
    };
    parser.list()
}

struct Parser<'line> {
    tokens: Vec<Token>,
    index: usize,
    line: &'line str,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.index)
    }

    fn peek_operator(&self) -> Option<Operator> {
        match self.peek() {
            Some(Token {
                kind: TokenKind::Operator(operator),
                ..
            }) => Some(*operator),
            _ => None,
        }
    }

    fn end_offset(&self) -> usize {
        self.line.len()
    }

    fn unexpected(&self) -> SyntaxError {
        match self.peek() {
            Some(token) => {
                let text = self.line.get(token.start..token.end).unwrap_or("");
                let text = if text == "\n" { "newline" } else { text };
                SyntaxError {
                    message: format!("unexpected `{text}'"),
                    position: token.start,
                }
            }
            None => SyntaxError {
                message: String::from("unexpected end of line"),
                position: self.end_offset(),
            },
        }
    }

    fn skip_newlines(&mut self) {
        while self.peek_operator() == Some(Operator::Newline) {
            self.index += 1;
        }
    }

    fn list(&mut self) -> Result<List, SyntaxError> {
        let mut items = Vec::new();
        loop {
            self.skip_newlines();
            let Some(first) = self.peek() else {
                break;
            };
            let start = first.start;
            let and_or = self.and_or()?;
            let end = self
                .index
                .checked_sub(1)
                .and_then(|last| self.tokens.get(last))
                .map_or(start, |token| token.end);
            let text = String::from(self.line.get(start..end).unwrap_or(""));
            let background = match self.peek_operator() {
                None => false,
                Some(Operator::Semicolon | Operator::Newline) => {
                    self.index += 1;
                    false
                }
                Some(Operator::Ampersand) => {
                    self.index += 1;
                    true
                }
                Some(_) => return Err(self.unexpected()),
            };
            if self.peek().is_some() && !background {
                // `a ; ; b` and `a ; &`: a separator must be followed by a command.
                if matches!(
                    self.peek_operator(),
                    Some(Operator::Semicolon | Operator::Ampersand)
                ) {
                    return Err(self.unexpected());
                }
            }
            items.push(ListItem {
                and_or,
                background,
                text,
            });
        }
        Ok(List { items })
    }

    fn and_or(&mut self) -> Result<AndOr, SyntaxError> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            let connector = match self.peek_operator() {
                Some(Operator::AndIf) => Connector::And,
                Some(Operator::OrIf) => Connector::Or,
                _ => break,
            };
            self.index += 1;
            self.skip_newlines();
            rest.push((connector, self.pipeline()?));
        }
        Ok(AndOr { first, rest })
    }

    fn pipeline(&mut self) -> Result<Pipeline, SyntaxError> {
        let mut commands = Vec::new();
        commands.push(self.simple_command()?);
        while self.peek_operator() == Some(Operator::Pipe) {
            self.index += 1;
            self.skip_newlines();
            commands.push(self.simple_command()?);
        }
        Ok(Pipeline { commands })
    }

    fn simple_command(&mut self) -> Result<SimpleCommand, SyntaxError> {
        let mut command = SimpleCommand::default();
        while let Some(token) = self.peek() {
            match &token.kind {
                TokenKind::Word(word) => {
                    let word = word.clone();
                    self.index += 1;
                    if command.words.is_empty()
                        && let Some(assignment) = as_assignment(&word)
                    {
                        command.assignments.push(assignment);
                    } else {
                        command.words.push(word);
                    }
                }
                TokenKind::IoNumber(fd) => {
                    let fd = *fd;
                    self.index += 1;
                    let redirection = self.redirection(Some(fd))?;
                    command.redirections.push(redirection);
                }
                TokenKind::Operator(operator) if operator.is_redirection() => {
                    let redirection = self.redirection(None)?;
                    command.redirections.push(redirection);
                }
                TokenKind::Operator(_) => break,
            }
        }
        if command.assignments.is_empty()
            && command.words.is_empty()
            && command.redirections.is_empty()
        {
            return Err(self.unexpected());
        }
        Ok(command)
    }

    /// Parses a redirection operator and its target; `fd` is the I/O number before it.
    fn redirection(&mut self, fd: Option<u32>) -> Result<Redirection, SyntaxError> {
        let Some(operator) = self
            .peek_operator()
            .filter(|operator| operator.is_redirection())
        else {
            return Err(self.unexpected());
        };
        self.index += 1;
        let target = match self.peek() {
            Some(Token {
                kind: TokenKind::Word(word),
                ..
            }) => word.clone(),
            _ => {
                let mut error = self.unexpected();
                error.message = format!(
                    "missing redirection target after `{}' ({})",
                    operator.text(),
                    error.message
                );
                return Err(error);
            }
        };
        let target_position = self.peek().map_or(0, |token| token.start);
        self.index += 1;
        let (default_fd, operation) = match operator {
            Operator::Less => (0, RedirectionOperation::Read(target)),
            Operator::Great => (1, RedirectionOperation::Write(target)),
            Operator::DoubleGreat => (1, RedirectionOperation::Append(target)),
            Operator::GreatAnd | Operator::LessAnd => {
                let default_fd = if operator == Operator::LessAnd { 0 } else { 1 };
                let operation = match target.as_plain_literal().as_deref() {
                    Some("-") => RedirectionOperation::Close,
                    Some(digits)
                        if !digits.is_empty()
                            && digits.bytes().all(|byte| byte.is_ascii_digit()) =>
                    {
                        match digits.parse::<u32>() {
                            Ok(number) => RedirectionOperation::Duplicate(number),
                            Err(_) => return Err(bad_duplicate(operator, target_position)),
                        }
                    }
                    _ => return Err(bad_duplicate(operator, target_position)),
                };
                (default_fd, operation)
            }
            _ => return Err(self.unexpected()),
        };
        Ok(Redirection {
            fd: fd.unwrap_or(default_fd),
            operation,
        })
    }
}

fn bad_duplicate(operator: Operator, position: usize) -> SyntaxError {
    SyntaxError {
        message: format!(
            "`{}' needs a file descriptor number or `-'",
            operator.text()
        ),
        position,
    }
}

/// `NAME=value` with an unquoted `NAME=` at the start of the word.
fn as_assignment(word: &Word) -> Option<Assignment> {
    let Some(WordPart::Literal {
        text,
        quoted: false,
    }) = word.parts.first()
    else {
        return None;
    };
    let (name, value_start) = text.split_once('=')?;
    if !is_name(name) {
        return None;
    }
    let mut parts = Vec::new();
    if !value_start.is_empty() {
        parts.push(WordPart::Literal {
            text: String::from(value_start),
            quoted: false,
        });
    }
    parts.extend(word.parts.iter().skip(1).cloned());
    Some(Assignment {
        name: String::from(name),
        value: Word { parts },
    })
}

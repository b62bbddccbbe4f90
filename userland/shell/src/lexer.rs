//! Splits a command line into words (with quotes resolved into [`WordPart`]s),
//! I/O numbers and operators.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::syntax::{Parameter, Word, WordPart};

/// A shell operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    /// `|`
    Pipe,
    /// `&&`
    AndIf,
    /// `||`
    OrIf,
    /// `;`
    Semicolon,
    /// `;;` (always a syntax error here: there is no `case`)
    DoubleSemicolon,
    /// `&`
    Ampersand,
    /// A newline (separates commands like `;`).
    Newline,
    /// `<`
    Less,
    /// `>` (and `>|`)
    Great,
    /// `>>`
    DoubleGreat,
    /// `>&`
    GreatAnd,
    /// `<&`
    LessAnd,
    /// `(` (a syntax error here: no subshells)
    OpenParenthesis,
    /// `)`
    CloseParenthesis,
}

impl Operator {
    /// The operator as written.
    #[must_use]
    pub const fn text(self) -> &'static str {
        match self {
            Self::Pipe => "|",
            Self::AndIf => "&&",
            Self::OrIf => "||",
            Self::Semicolon => ";",
            Self::DoubleSemicolon => ";;",
            Self::Ampersand => "&",
            Self::Newline => "newline",
            Self::Less => "<",
            Self::Great => ">",
            Self::DoubleGreat => ">>",
            Self::GreatAnd => ">&",
            Self::LessAnd => "<&",
            Self::OpenParenthesis => "(",
            Self::CloseParenthesis => ")",
        }
    }

    /// Whether this operator starts a redirection.
    #[must_use]
    pub const fn is_redirection(self) -> bool {
        matches!(
            self,
            Self::Less | Self::Great | Self::DoubleGreat | Self::GreatAnd | Self::LessAnd
        )
    }
}

/// What a token is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A word.
    Word(Word),
    /// Digits written right before `<` or `>` (`2` in `2>&1`).
    IoNumber(u32),
    /// An operator.
    Operator(Operator),
}

/// A token and where it is in the line (byte offsets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The token.
    pub kind: TokenKind,
    /// Offset of its first byte.
    pub start: usize,
    /// Offset just past its last byte.
    pub end: usize,
}

/// A syntax error: what is wrong and where (byte offset in the line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// The explanation, e.g. "unexpected `|'".
    pub message: String,
    /// Byte offset in the line.
    pub position: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "syntax error: {}", self.message)
    }
}

/// Splits `line` into tokens. Comments are dropped.
///
/// # Errors
/// Unterminated quotes or `${`, and unsupported syntax (command substitution,
/// here-documents).
pub fn tokenize(line: &str) -> Result<Vec<Token>, SyntaxError> {
    let mut lexer = Lexer {
        characters: line.char_indices().collect(),
        index: 0,
        length: line.len(),
    };
    let mut tokens = Vec::new();
    while let Some(token) = lexer.next_token()? {
        tokens.push(token);
    }
    Ok(tokens)
}

/// Whether `character` ends an unquoted word.
fn ends_word(character: char) -> bool {
    matches!(
        character,
        ' ' | '\t' | '\n' | '|' | '&' | ';' | '<' | '>' | '(' | ')'
    )
}

/// Whether `name` is a valid variable name.
#[must_use]
pub fn is_name(name: &str) -> bool {
    let mut characters = name.chars();
    match characters.next() {
        Some(first) if first == '_' || first.is_ascii_alphabetic() => {}
        _ => return false,
    }
    characters.all(|character| character == '_' || character.is_ascii_alphanumeric())
}

struct Lexer {
    characters: Vec<(usize, char)>,
    index: usize,
    length: usize,
}

/// Collects the parts of one word.
#[derive(Default)]
struct WordBuilder {
    parts: Vec<WordPart>,
    only_digits: bool,
    raw_length: usize,
}

impl WordBuilder {
    fn push(&mut self, character: char, quoted: bool) {
        if let Some(WordPart::Literal {
            text,
            quoted: last_quoted,
        }) = self.parts.last_mut()
            && *last_quoted == quoted
        {
            text.push(character);
            return;
        }
        let mut text = String::new();
        text.push(character);
        self.parts.push(WordPart::Literal { text, quoted });
    }

    /// Records that quotes were seen, so that `""` is an (empty) word.
    fn mark_quoted(&mut self) {
        if !matches!(
            self.parts.last(),
            Some(WordPart::Literal { quoted: true, .. })
        ) {
            self.parts.push(WordPart::Literal {
                text: String::new(),
                quoted: true,
            });
        }
    }
}

impl Lexer {
    fn peek(&self) -> Option<char> {
        self.characters
            .get(self.index)
            .map(|&(_, character)| character)
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.characters
            .get(self.index + ahead)
            .map(|&(_, character)| character)
    }

    fn offset(&self) -> usize {
        self.characters
            .get(self.index)
            .map_or(self.length, |&(offset, _)| offset)
    }

    fn error(&self, message: String) -> SyntaxError {
        SyntaxError {
            message,
            position: self.offset(),
        }
    }

    fn next_token(&mut self) -> Result<Option<Token>, SyntaxError> {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.index += 1;
        }
        if self.peek() == Some('#') {
            while !matches!(self.peek(), None | Some('\n')) {
                self.index += 1;
            }
        }
        let start = self.offset();
        let Some(character) = self.peek() else {
            return Ok(None);
        };
        let next = self.peek_at(1);
        let operator = match (character, next) {
            ('\n', _) => Some((Operator::Newline, 1)),
            ('|', Some('|')) => Some((Operator::OrIf, 2)),
            ('|', _) => Some((Operator::Pipe, 1)),
            ('&', Some('&')) => Some((Operator::AndIf, 2)),
            ('&', _) => Some((Operator::Ampersand, 1)),
            (';', Some(';')) => Some((Operator::DoubleSemicolon, 2)),
            (';', _) => Some((Operator::Semicolon, 1)),
            ('<', Some('<')) => {
                return Err(self.error(String::from("here-documents are not supported")));
            }
            ('<', Some('>')) => {
                return Err(self.error(String::from("`<>' is not supported")));
            }
            ('<', Some('&')) => Some((Operator::LessAnd, 2)),
            ('<', _) => Some((Operator::Less, 1)),
            ('>', Some('>')) => Some((Operator::DoubleGreat, 2)),
            ('>', Some('&')) => Some((Operator::GreatAnd, 2)),
            ('>', Some('|')) => Some((Operator::Great, 2)),
            ('>', _) => Some((Operator::Great, 1)),
            ('(', _) => Some((Operator::OpenParenthesis, 1)),
            (')', _) => Some((Operator::CloseParenthesis, 1)),
            _ => None,
        };
        if let Some((operator, length)) = operator {
            self.index += length;
            return Ok(Some(Token {
                kind: TokenKind::Operator(operator),
                start,
                end: self.offset(),
            }));
        }
        let builder = self.word()?;
        let end = self.offset();
        if builder.only_digits
            && builder.raw_length > 0
            && matches!(self.peek(), Some('<' | '>'))
            && let Some(text) = (Word {
                parts: builder.parts.clone(),
            })
            .as_plain_literal()
            && let Ok(number) = text.parse::<u32>()
        {
            return Ok(Some(Token {
                kind: TokenKind::IoNumber(number),
                start,
                end,
            }));
        }
        Ok(Some(Token {
            kind: TokenKind::Word(Word {
                parts: builder.parts,
            }),
            start,
            end,
        }))
    }

    fn word(&mut self) -> Result<WordBuilder, SyntaxError> {
        let mut builder = WordBuilder {
            only_digits: true,
            ..WordBuilder::default()
        };
        if self.peek() == Some('~')
            && self
                .peek_at(1)
                .is_none_or(|next| next == '/' || ends_word(next))
        {
            self.index += 1;
            builder.parts.push(WordPart::Tilde);
            builder.only_digits = false;
            builder.raw_length = 1;
        }
        while let Some(character) = self.peek() {
            if ends_word(character) {
                break;
            }
            builder.raw_length += 1;
            if !character.is_ascii_digit() {
                builder.only_digits = false;
            }
            match character {
                '\'' => self.single_quoted(&mut builder)?,
                '"' => self.double_quoted(&mut builder)?,
                '\\' => {
                    self.index += 1;
                    builder.mark_quoted();
                    match self.peek() {
                        None => builder.push('\\', true),
                        Some('\n') => self.index += 1,
                        Some(escaped) => {
                            builder.push(escaped, true);
                            self.index += 1;
                        }
                    }
                }
                '$' => self.dollar(&mut builder, false)?,
                '`' => return Err(self.command_substitution()),
                _ => {
                    builder.push(character, false);
                    self.index += 1;
                }
            }
        }
        Ok(builder)
    }

    fn command_substitution(&self) -> SyntaxError {
        self.error(String::from("command substitution is not supported"))
    }

    fn single_quoted(&mut self, builder: &mut WordBuilder) -> Result<(), SyntaxError> {
        let opening = self.offset();
        self.index += 1;
        builder.mark_quoted();
        loop {
            match self.peek() {
                None => {
                    return Err(SyntaxError {
                        message: String::from("unterminated single quote"),
                        position: opening,
                    });
                }
                Some('\'') => {
                    self.index += 1;
                    return Ok(());
                }
                Some(character) => {
                    builder.push(character, true);
                    self.index += 1;
                }
            }
        }
    }

    fn double_quoted(&mut self, builder: &mut WordBuilder) -> Result<(), SyntaxError> {
        let opening = self.offset();
        self.index += 1;
        builder.mark_quoted();
        loop {
            match self.peek() {
                None => {
                    return Err(SyntaxError {
                        message: String::from("unterminated double quote"),
                        position: opening,
                    });
                }
                Some('"') => {
                    self.index += 1;
                    return Ok(());
                }
                Some('\\') => {
                    self.index += 1;
                    match self.peek() {
                        Some(escaped @ ('$' | '`' | '"' | '\\')) => {
                            builder.push(escaped, true);
                            self.index += 1;
                        }
                        Some('\n') => self.index += 1,
                        _ => builder.push('\\', true),
                    }
                }
                Some('$') => self.dollar(builder, true)?,
                Some('`') => return Err(self.command_substitution()),
                Some(character) => {
                    builder.push(character, true);
                    self.index += 1;
                }
            }
        }
    }

    /// Lexes `$...` (the `$` is at the current position).
    fn dollar(&mut self, builder: &mut WordBuilder, quoted: bool) -> Result<(), SyntaxError> {
        self.index += 1;
        let parameter = match self.peek() {
            Some('{') => {
                let opening = self.offset();
                self.index += 1;
                let mut content = String::new();
                loop {
                    match self.peek() {
                        None => {
                            return Err(SyntaxError {
                                message: String::from("missing `}'"),
                                position: opening,
                            });
                        }
                        Some('}') => {
                            self.index += 1;
                            break;
                        }
                        Some(character) => {
                            content.push(character);
                            self.index += 1;
                        }
                    }
                }
                match special_parameter(&content) {
                    Some(parameter) => parameter,
                    None if is_name(&content) => Parameter::Named(content),
                    None => {
                        return Err(SyntaxError {
                            message: format!("${{{content}}}: bad substitution"),
                            position: opening,
                        });
                    }
                }
            }
            Some('(') => return Err(self.command_substitution()),
            Some(character @ ('?' | '$' | '!' | '0')) => {
                self.index += 1;
                let mut text = [0; 4];
                match special_parameter(character.encode_utf8(&mut text)) {
                    Some(parameter) => parameter,
                    None => Parameter::ShellName,
                }
            }
            Some(digit @ '1'..='9') => {
                self.index += 1;
                let mut name = String::new();
                name.push(digit);
                Parameter::Named(name)
            }
            Some(first) if first == '_' || first.is_ascii_alphabetic() => {
                let mut name = String::new();
                while let Some(character) = self.peek() {
                    if character == '_' || character.is_ascii_alphanumeric() {
                        name.push(character);
                        self.index += 1;
                    } else {
                        break;
                    }
                }
                Parameter::Named(name)
            }
            _ => {
                builder.push('$', quoted);
                return Ok(());
            }
        };
        builder.only_digits = false;
        builder
            .parts
            .push(WordPart::Parameter { parameter, quoted });
        Ok(())
    }
}

/// `?`, `$`, `!` and `0` as parameters.
fn special_parameter(text: &str) -> Option<Parameter> {
    match text {
        "?" => Some(Parameter::LastStatus),
        "$" => Some(Parameter::ProcessId),
        "!" => Some(Parameter::LastBackground),
        "0" => Some(Parameter::ShellName),
        _ => None,
    }
}

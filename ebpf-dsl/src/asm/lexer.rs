//! The lexer: source text to [`Token`]s with byte spans. Tokens borrow their text from the
//! source (one token buffer for the whole text, no allocation per token).
//!
//! Whitespace between tokens is never significant (the `defprogram!` macro rebuilds the text
//! with one space between Rust tokens, so `w0 s >>= 3` must read like `w0 s>>= 3`); operators
//! are therefore lexed one character at a time and combined by the parser. Newlines and `;`
//! end statements and become [`Tok::Sep`]. Comments: `#` and `//` to the end of the line,
//! `/* ... */` (not nested). A balanced `{ ... }` group becomes one [`Tok::Extern`] token: a
//! value only the embedding Rust code knows.

use super::diag::{DiagKind, Diagnostic};
use crate::ir::Span;

/// What a token is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok<'a> {
    /// A word: `[A-Za-z_.][A-Za-z0-9_.]*` (mnemonics, registers, labels, names).
    Ident(&'a str),
    /// An unsigned integer literal (decimal, `0x` hex, `0b` binary, `0o` or leading-`0` octal,
    /// `'c'` character); `None` when it does not fit 64 bits.
    Int(Option<u64>),
    /// One punctuation character: `+ - * / % = < > ! & | ^ ~ ( ) [ ] , : @`.
    Punct(char),
    /// The text between a balanced `{` and `}` (trimmed).
    Extern(&'a str),
    /// A double-quoted string (only directives such as `.file "x.c"` use them).
    Str(&'a str),
    /// A statement separator: a newline or `;`.
    Sep,
}

/// A token and the bytes it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    /// What it is.
    pub tok: Tok<'a>,
    /// Where it is.
    pub span: Span,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == '.'
}

fn is_ident_char(c: char) -> bool {
    crate::names::is_obj_name_char(c)
}

/// Splits `src` into tokens. Lexing errors (stray characters, unclosed comments or braces) are
/// collected; the token stream is still returned so that parsing can report more errors.
pub fn lex(src: &str) -> (Vec<Token<'_>>, Vec<Diagnostic>) {
    let mut lexer = Lexer::new(src);
    let mut toks = Vec::new();
    let mut errs = Vec::new();
    while !lexer.at_end() {
        lexer.step(&mut toks, &mut errs);
    }
    (toks, errs)
}

/// A lexer that hands out one statement at a time, so that a large source never needs a token
/// buffer for all of it (the assembler lexes statement by statement).
#[derive(Clone, Debug)]
pub struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `src`.
    pub fn new(src: &'a str) -> Lexer<'a> {
        Lexer { src, pos: 0 }
    }

    /// True when all of the text has been lexed.
    pub fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }

    /// Clears `toks` and fills it with the tokens of the next statement (up to a separator,
    /// which is not included); lexing errors go to `errs`. Returns `false` at the end of the
    /// text (when `toks` stays empty); a statement may be empty (blank lines, comments).
    pub fn next_statement(
        &mut self,
        toks: &mut Vec<Token<'a>>,
        errs: &mut Vec<Diagnostic>,
    ) -> bool {
        toks.clear();
        if self.at_end() {
            return false;
        }
        while !self.at_end() {
            self.step(toks, errs);
            if toks.last().is_some_and(|t| t.tok == Tok::Sep) {
                toks.pop();
                break;
            }
        }
        true
    }

    /// Lexes from the current position up to and including the next token (or whitespace,
    /// comment or error), pushing what it finds.
    fn step(&mut self, toks: &mut Vec<Token<'a>>, errs: &mut Vec<Diagnostic>) {
        let src = self.src;
        let bytes = src.as_bytes();
        let mut i = self.pos;
        // ASCII without decoding; anything else as the UTF-8 character it starts.
        let Some(&b0) = bytes.get(i) else {
            self.pos = src.len();
            return;
        };
        let c = match b0 {
            b if b.is_ascii() => char::from(b),
            _ => match src[i..].chars().next() {
                Some(c) => c,
                None => {
                    self.pos = src.len();
                    return;
                }
            },
        };
        let start = i;
        let sp = |end: usize| Span::new(start, end);
        match c {
            '\n' | ';' => {
                toks.push(Token {
                    tok: Tok::Sep,
                    span: sp(i + 1),
                });
                i += 1;
            }
            c if c.is_whitespace() => i += c.len_utf8(),
            '#' => i = src[i..].find('\n').map_or(src.len(), |p| i + p),
            '/' if bytes.get(i + 1) == Some(&b'/') => {
                i = src[i..].find('\n').map_or(src.len(), |p| i + p)
            }
            '/' if bytes.get(i + 1) == Some(&b'*') => match src[i + 2..].find("*/") {
                Some(p) => {
                    // A comment spanning lines still separates statements on those lines.
                    if src[i..i + 2 + p].contains('\n') {
                        toks.push(Token {
                            tok: Tok::Sep,
                            span: sp(i + 2 + p + 2),
                        });
                    }
                    i = i + 2 + p + 2;
                }
                None => {
                    errs.push(Diagnostic::new(
                        DiagKind::Syntax,
                        Some(sp(i + 2)),
                        "unterminated comment: `/*` without `*/`",
                    ));
                    i = src.len();
                }
            },
            '{' => {
                let mut depth = 0usize;
                let mut end = None;
                for (off, ch) in src[i..].char_indices() {
                    match ch {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = Some(i + off);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                match end {
                    Some(e) => {
                        toks.push(Token {
                            tok: Tok::Extern(src[i + 1..e].trim()),
                            span: sp(e + 1),
                        });
                        i = e + 1;
                    }
                    None => {
                        errs.push(Diagnostic::new(
                            DiagKind::Syntax,
                            Some(sp(i + 1)),
                            "unclosed `{`: an interpolated value is written `{ NAME }`",
                        ));
                        i = src.len();
                    }
                }
            }
            '"' => {
                let close = src[i + 1..]
                    .find(['"', '\n'])
                    .filter(|&p| src.as_bytes()[i + 1 + p] == b'"');
                match close {
                    Some(p) => {
                        toks.push(Token {
                            tok: Tok::Str(&src[i + 1..i + 1 + p]),
                            span: sp(i + 1 + p + 1),
                        });
                        i = i + 1 + p + 1;
                    }
                    None => {
                        errs.push(Diagnostic::new(
                            DiagKind::Syntax,
                            Some(sp(i + 1)),
                            "unterminated string: `\"` without a closing `\"` on the same line",
                        ));
                        i += 1;
                    }
                }
            }
            '\'' => {
                // A character literal: 'a' or an escape '\n', '\t', '\\', '\'', '\0'.
                let rest = &src[i + 1..];
                let mut chars = rest.char_indices();
                let value = match chars.next() {
                    Some((_, '\\')) => match chars.next() {
                        Some((_, 'n')) => Some(10u64),
                        Some((_, 't')) => Some(9),
                        Some((_, 'r')) => Some(13),
                        Some((_, '0')) => Some(0),
                        Some((_, '\\')) => Some(92),
                        Some((_, '\'')) => Some(39),
                        _ => None,
                    },
                    Some((_, ch)) if ch != '\'' && ch != '\n' => Some(ch as u64),
                    _ => None,
                };
                match (value, chars.next()) {
                    (Some(v), Some((p, '\''))) => {
                        let end = i + 1 + p + 1;
                        toks.push(Token {
                            tok: Tok::Int(Some(v)),
                            span: sp(end),
                        });
                        i = end;
                    }
                    _ => {
                        errs.push(Diagnostic::new(
                            DiagKind::Syntax,
                            Some(sp(i + 1)),
                            "malformed character literal",
                        ));
                        i += 1;
                    }
                }
            }
            c if c.is_ascii_digit() => {
                let (tok, end) = lex_number(src, i);
                if tok.is_none() && end == i {
                    i += 1;
                    self.pos = i;
                    return;
                }
                let end = skip_integer_suffix(bytes, end);
                toks.push(Token {
                    tok: Tok::Int(tok),
                    span: sp(end),
                });
                i = end;
            }
            c if is_ident_start(c) => {
                // Identifier characters are ASCII, so a byte scan ends on a char boundary.
                let end = bytes[i..]
                    .iter()
                    .position(|&b| !is_ident_char(char::from(b)))
                    .map_or(src.len(), |p| i + p);
                toks.push(Token {
                    tok: Tok::Ident(&src[i..end]),
                    span: sp(end),
                });
                i = end;
            }
            '+' | '-' | '*' | '/' | '%' | '=' | '<' | '>' | '!' | '&' | '|' | '^' | '~' | '('
            | ')' | '[' | ']' | ',' | ':' | '@' => {
                toks.push(Token {
                    tok: Tok::Punct(c),
                    span: sp(i + 1),
                });
                i += 1;
            }
            other => {
                let end = i + other.len_utf8();
                errs.push(Diagnostic::new(
                    DiagKind::Syntax,
                    Some(sp(end)),
                    if other.is_control() || other.is_whitespace() {
                        // Invisible: name it by its code point (a NUL byte, a form feed).
                        format!("unexpected character U+{:04X}", u32::from(other))
                    } else {
                        format!("unexpected character `{other}`")
                    },
                ));
                // Skip to the end of the statement: one error per bad character run.
                i = end;
            }
        }
        self.pos = i;
    }
}

/// Skips a C integer suffix after a literal's digits, as LLVM's assembler does: `u`, `l`,
/// `ll`, `ul`, `ull` in either case (`5ULL`, `0x10ll`), when no other word character follows.
/// `5 ll` (with a space) stays the `ld_imm64` marker; `5ll` is the number 5, as for LLVM.
fn skip_integer_suffix(bytes: &[u8], end: usize) -> usize {
    let mut e = end;
    if matches!(bytes.get(e), Some(b'u' | b'U')) {
        e += 1;
    }
    for _ in 0..2 {
        if matches!(bytes.get(e), Some(b'l' | b'L')) {
            e += 1;
        }
    }
    match bytes.get(e) {
        Some(&b) if is_ident_char(char::from(b)) => end,
        _ => e,
    }
}

/// Lexes the integer literal starting at `start` (an ASCII digit). Returns the value (`None`
/// on overflow of 64 bits) and the end offset. Digits run as long as they are valid for the
/// base; letters that follow start the next token (an integer suffix such as `ULL` is skipped
/// by the caller).
fn lex_number(src: &str, start: usize) -> (Option<u64>, usize) {
    let b = src.as_bytes();
    let (radix, digits_start) = match (b.get(start), b.get(start + 1).map(u8::to_ascii_lowercase)) {
        (Some(b'0'), Some(b'x')) if b.get(start + 2).is_some_and(u8::is_ascii_hexdigit) => {
            (16, start + 2)
        }
        (Some(b'0'), Some(b'b')) if matches!(b.get(start + 2), Some(b'0' | b'1')) => (2, start + 2),
        (Some(b'0'), Some(b'o')) if matches!(b.get(start + 2), Some(b'0'..=b'7')) => (8, start + 2),
        (Some(b'0'), Some(b'0'..=b'9')) => (8, start + 1),
        _ => (10, start),
    };
    let mut end = digits_start;
    let mut value: Option<u64> = Some(0);
    while let Some(&d) = b.get(end) {
        let digit = match (d as char).to_digit(radix) {
            Some(v) => v,
            None if d == b'_' => {
                end += 1;
                continue;
            }
            None => break,
        };
        value = value
            .and_then(|v| v.checked_mul(u64::from(radix)))
            .and_then(|v| v.checked_add(u64::from(digit)));
        end += 1;
    }
    (value, end)
}

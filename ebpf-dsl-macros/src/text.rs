//! From the macro's Rust tokens back to assembler text, keeping a table from byte ranges of
//! that text to the tokens' spans, so that a diagnostic of the assembler (a byte range) becomes
//! a compile error on the very tokens it covers.
//!
//! Tokens that touched in the source are written touching (`s>>=`, `r1`), others with one
//! space (`;` separates statements). A `{ ... }` group is written as is: the assembler reads it as
//! one interpolated value (an `ExternValue`) and this table keeps its Rust tokens, which the
//! expansion emits for rustc to evaluate.

use proc_macro2::{Delimiter, LineColumn, Span, TokenStream, TokenTree};

use crate::errors::Errors;

/// One token of the rebuilt text.
#[derive(Clone)]
pub struct Tok {
    /// Byte range in [`Source::text`].
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// The Rust span (for a delimiter: the delimiter's own span).
    pub span: Span,
}

/// A `{ rust_expr }` group: a value only rustc can compute.
#[derive(Clone)]
pub struct BraceGroup {
    /// Byte range of the whole group (braces included) in [`Source::text`].
    pub start: usize,
    /// One past the closing brace.
    pub end: usize,
    /// The Rust expression inside the braces.
    pub expr: TokenStream,
    /// The span of the whole group.
    pub span: Span,
}

/// The rebuilt text and its span table.
pub struct Source {
    /// The assembler text.
    pub text: String,
    /// Every token, in text order.
    pub toks: Vec<Tok>,
    /// Every `{ ... }` group, in text order.
    pub groups: Vec<BraceGroup>,
    /// Where the body ends (for errors about the end of the program).
    pub end_span: Span,
}

impl Source {
    /// Rebuilds the text of `body`. Rust tokens that cannot be assembler text (`#`, string
    /// literals) are reported to `errors`.
    pub fn from_tokens(body: TokenStream, end_span: Span, errors: &mut Errors) -> Source {
        let mut s = Source {
            text: String::new(),
            toks: Vec::new(),
            groups: Vec::new(),
            end_span,
        };
        let mut prev_end: Option<LineColumn> = None;
        s.walk(body, &mut prev_end, errors);
        s
    }

    fn sep(&mut self, start: LineColumn, prev_end: &mut Option<LineColumn>) {
        let touching = prev_end.is_some_and(|p| p == start);
        if !touching && !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push(' ');
        }
    }

    fn push(&mut self, text: &str, span: Span, prev_end: &mut Option<LineColumn>) {
        self.sep(span.start(), prev_end);
        let start = self.text.len();
        self.text.push_str(text);
        self.toks.push(Tok {
            start,
            end: self.text.len(),
            span,
        });
        *prev_end = Some(span.end());
    }

    fn walk(&mut self, ts: TokenStream, prev_end: &mut Option<LineColumn>, errors: &mut Errors) {
        for tt in ts {
            match tt {
                TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                    self.sep(g.span().start(), prev_end);
                    let start = self.text.len();
                    // The assembler only needs the group to be balanced; keep the Rust text so
                    // that messages quoting it read naturally.
                    let inner = g.stream().to_string();
                    self.text.push_str("{ ");
                    self.text.push_str(&inner.replace(['\n', ';'], " "));
                    self.text.push_str(" }");
                    let end = self.text.len();
                    self.toks.push(Tok {
                        start,
                        end,
                        span: g.span(),
                    });
                    self.groups.push(BraceGroup {
                        start,
                        end,
                        expr: g.stream(),
                        span: g.span(),
                    });
                    *prev_end = Some(g.span().end());
                }
                TokenTree::Group(g) => {
                    let (open, close) = match g.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Bracket => ("[", "]"),
                        _ => ("", ""),
                    };
                    if !open.is_empty() {
                        self.push(open, g.span_open(), prev_end);
                    }
                    self.walk(g.stream(), prev_end, errors);
                    if !close.is_empty() {
                        self.push(close, g.span_close(), prev_end);
                    }
                }
                TokenTree::Ident(i) => {
                    let t = i.to_string();
                    let t = t.strip_prefix("r#").unwrap_or(&t).to_string();
                    self.push(&t, i.span(), prev_end);
                }
                TokenTree::Punct(p) => {
                    let c = p.as_char();
                    if c == '#' {
                        errors.at(
                            p.span(),
                            "`#` is not assembler syntax here (in text files it starts a \
                             comment; in `defprogram!` write Rust comments, `//`)",
                        );
                        continue;
                    }
                    self.push(&c.to_string(), p.span(), prev_end);
                }
                TokenTree::Literal(l) => {
                    let t = l.to_string();
                    if t.starts_with('"') || t.starts_with("b\"") || t.starts_with("r\"") {
                        errors.at(
                            l.span(),
                            "a string literal is not an assembler operand; immediates are \
                             integers, named constants or `{ rust_const }`",
                        );
                        // A placeholder operand, so that the statement reports nothing more.
                        self.push("0", l.span(), prev_end);
                        continue;
                    }
                    self.push(&t, l.span(), prev_end);
                }
            }
        }
    }

    /// The spans of the first and last tokens overlapping the byte range `start..end`
    /// (a token containing an empty range at its start counts).
    pub fn spans(&self, start: usize, end: usize) -> Option<(Span, Span)> {
        let hit = |t: &&Tok| {
            if start == end {
                t.start <= start && start < t.end.max(t.start + 1)
            } else {
                t.start < end && start < t.end
            }
        };
        match (self.toks.iter().find(hit), self.toks.iter().rev().find(hit)) {
            (Some(first), Some(last)) => Some((first.span, last.span)),
            // Between tokens (e.g. "end of statement" at a separator): the token before.
            _ => self
                .toks
                .iter()
                .rev()
                .find(|t| t.end <= start)
                .map(|t| (t.span, t.span)),
        }
    }

    /// The `{ ... }` group of an interpolated value whose text is `name`, in (or overlapping)
    /// the byte range `start..end` (the value itself or its whole statement).
    pub fn group_at(&self, start: usize, end: usize, name: &str) -> Option<&BraceGroup> {
        let overlapping = |g: &&BraceGroup| g.start < end.max(start + 1) && start < g.end;
        let same_text = |g: &&BraceGroup| {
            let inner = self.text[g.start..g.end]
                .trim_start_matches('{')
                .trim_end_matches('}')
                .trim();
            inner == name.trim()
        };
        self.groups
            .iter()
            .filter(overlapping)
            .find(same_text)
            .or_else(|| self.groups.iter().find(overlapping))
    }
}

//! Diagnostics: what went wrong, where (a byte span of the source and/or an instruction index),
//! and how to print it the way compilers do (`file:3:9: error: ...`, the source line, carets).

use crate::ir::Span;

/// The category of a [`Diagnostic`], so callers (the macros, tests) can tell errors apart
/// without matching on message text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiagKind {
    /// Malformed statement: an unexpected token, a missing operand, an unclosed comment.
    Syntax,
    /// A statement that starts with a word that is no instruction, label or snippet.
    UnknownInstruction,
    /// A register that does not exist (`r11`, `w12`), or the wrong kind (`w` where `r` is
    /// needed), or a register where the instruction fixes another one.
    BadRegister,
    /// An immediate that does not fit its field (32-bit `imm`: -2^31..2^32-1).
    ImmediateRange,
    /// A memory offset that does not fit the signed 16-bit `off` field.
    OffsetRange,
    /// A name that is neither a named constant, a helper, nor a map where one is allowed.
    UnknownName,
    /// A jump or call to a label that is not defined.
    UndefinedLabel,
    /// A label defined twice.
    DuplicateLabel,
    /// A jump whose distance does not fit its field (16 bits, 32 for `gotol` and `call`).
    JumpRange,
    /// A jump to a slot outside the program.
    JumpOutOfProgram,
    /// A jump to the second slot of an `ld_imm64`.
    JumpIntoLdImm64,
    /// A shift by a constant that is negative or at least the operand width (32 or 64).
    ShiftRange,
    /// A division or modulo by the constant 0.
    DivisionByZero,
    /// A write to the read-only frame pointer `r10`.
    WriteToR10,
    /// A reachable path that runs past the last instruction without `exit`.
    FallOffEnd,
    /// A program without instructions.
    EmptyProgram,
    /// An instruction the Linux kernel does not accept although the ISA defines it (`callx`).
    Unsupported,
    /// An instruction slot whose fields do not form a valid instruction (from the builder).
    InvalidInstruction,
    /// A `{ value }` only `defprogram!` can fill, found in plain text.
    UnresolvedExtern,
    /// A snippet statement (`name!(...)`) the snippet registry rejected.
    Snippet,
}

/// One error, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The byte range in the source it points at (the offending operand where known, else the
    /// whole statement); `None` for programs built without source text.
    pub span: Option<Span>,
    /// The index of the instruction slot it concerns, when it concerns one.
    pub insn_index: Option<usize>,
    /// What went wrong, for a person.
    pub message: String,
    /// Which check produced it.
    pub kind: DiagKind,
}

impl Diagnostic {
    /// A diagnostic pointing at `span`.
    pub fn new(kind: DiagKind, span: Option<Span>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            span,
            insn_index: None,
            message: message.into(),
            kind,
        }
    }

    /// The same diagnostic, tagged with an instruction slot index.
    pub fn at_insn(mut self, index: usize) -> Diagnostic {
        self.insn_index = Some(index);
        self
    }

    /// The 1-based line and column (in characters) where the span starts in `src`, or `None`
    /// when there is no span or it lies outside `src`.
    pub fn line_col(&self, src: &str) -> Option<(usize, usize)> {
        let span = self.span?;
        line_col_at(src, span.start)
    }

    /// Renders the diagnostic like a compiler: `file:3:9: error: message`, then the source line
    /// and carets under the span (on its first line). Without a span, the instruction index is
    /// named instead.
    pub fn render(&self, src: &str, file: &str) -> String {
        let Some((line, col)) = self.line_col(src) else {
            return match self.insn_index {
                Some(i) => format!("{file}: error: instruction {i}: {}", self.message),
                None => format!("{file}: error: {}", self.message),
            };
        };
        let span = self.span.unwrap_or_default();
        let line_start = src[..span.start].rfind('\n').map_or(0, |p| p + 1);
        let line_end = src[span.start..]
            .find('\n')
            .map_or(src.len(), |p| span.start + p);
        let text = &src[line_start..line_end];
        let caret_end = span.end.clamp(span.start, line_end);
        let width = src
            .get(span.start..caret_end)
            .map_or(1, |s| s.chars().count())
            .max(1);
        let text_display: String = text
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        format!(
            "{file}:{line}:{col}: error: {}\n{text_display}\n{}{}",
            self.message,
            " ".repeat(col - 1),
            "^".repeat(width)
        )
    }
}

impl core::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match (self.span, self.insn_index) {
            (_, Some(i)) => write!(f, "instruction {i}: {}", self.message),
            (Some(s), None) => write!(f, "bytes {}..{}: {}", s.start, s.end, self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Diagnostic {}

/// 1-based (line, column in characters) of byte offset `pos` in `src`; `None` if `pos` is
/// beyond the end or not on a character boundary.
pub fn line_col_at(src: &str, pos: usize) -> Option<(usize, usize)> {
    let before = src.get(..pos)?;
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let col = before[line_start..].chars().count() + 1;
    Some((line, col))
}

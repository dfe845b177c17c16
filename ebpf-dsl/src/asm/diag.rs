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
    /// A program with more instruction slots than the kernel takes
    /// ([`crate::spec::MAX_INSNS`]).
    TooManyInstructions,
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
    ///
    /// This indexes the lines of `src` for one diagnostic; to render many, use
    /// [`render_all`] (or [`Diagnostic::render_indexed`] with one [`LineIndex`]), which is
    /// linear in the size of the source and the number of diagnostics.
    pub fn render(&self, src: &str, file: &str) -> String {
        self.render_indexed(src, &LineIndex::new(src), file)
    }

    /// [`Diagnostic::render`] with the line starts of `src` computed once by the caller.
    pub fn render_indexed(&self, src: &str, index: &LineIndex, file: &str) -> String {
        let located = self
            .span
            .and_then(|span| Some((span, index.line_col(src, span.start)?)));
        let Some((span, (line, col))) = located else {
            return match self.insn_index {
                Some(i) => format!("{file}: error: instruction {i}: {}", self.message),
                None => format!("{file}: error: {}", self.message),
            };
        };
        let (line_start, line_end) = index.line_bounds(src, line);
        let text = src.get(line_start..line_end).unwrap_or("");
        let caret_end = span.end.clamp(span.start, line_end);
        let width = src
            .get(span.start..caret_end)
            .map_or(1, |s| s.chars().count())
            .max(1);
        let (text_display, caret_col, width) = line_window(text, col, width);
        format!(
            "{file}:{line}:{col}: error: {}\n{text_display}\n{}{}",
            self.message,
            " ".repeat(caret_col - 1),
            "^".repeat(width)
        )
    }
}

/// Lines longer than this many characters are shown as a window around the column.
const MAX_LINE_SHOWN: usize = 200;

/// The source line as shown under a diagnostic (tabs as spaces) and the caret column and
/// width in it, from the line's text, the 1-based column and the width in characters: the
/// whole line, or for a very long line (a program written on one line with `;`) a window of
/// it around `col`, with `...` where it was cut.
pub fn line_window(text: &str, col: usize, width: usize) -> (String, usize, usize) {
    let chars = || text.chars().map(|c| if c == '\t' { ' ' } else { c });
    let len = text.chars().count();
    if len <= MAX_LINE_SHOWN {
        return (chars().collect(), col, width);
    }
    let from = col.saturating_sub(1 + MAX_LINE_SHOWN / 4);
    let to = (from + MAX_LINE_SHOWN).min(len);
    let mut shown = String::new();
    let mut caret_col = col - from;
    if from > 0 {
        shown.push_str("...");
        caret_col += 3;
    }
    shown.extend(chars().skip(from).take(to - from));
    if to < len {
        shown.push_str("...");
    }
    let width = width.min((to + 1).saturating_sub(col)).max(1);
    (shown, caret_col, width)
}

/// How many diagnostics [`render_all`] prints in full by default before it summarises the
/// rest as `... and N more errors` (like rustc, a wall of errors helps nobody).
pub const MAX_SHOWN: usize = 100;

/// The byte offset where each line of a source text starts, computed once (one pass), so that
/// finding the line and column of a diagnostic is a binary search instead of a scan from the
/// start of the text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset of the first byte of each line; `starts[0] == 0`.
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the lines of `src`.
    pub fn new(src: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            src.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// 1-based (line, column in characters) of byte offset `pos` in `src` (the text this index
    /// was built from); `None` if `pos` is beyond the end or not on a character boundary.
    pub fn line_col(&self, src: &str, pos: usize) -> Option<(usize, usize)> {
        if !src.is_char_boundary(pos) {
            return None;
        }
        // The last line start at or before `pos`.
        let line = self.starts.partition_point(|&s| s <= pos).max(1);
        let start = *self.starts.get(line - 1)?;
        let col = src.get(start..pos)?.chars().count() + 1;
        Some((line, col))
    }

    /// The byte range of 1-based `line` in `src`, without its newline.
    pub fn line_bounds(&self, src: &str, line: usize) -> (usize, usize) {
        let start = self
            .starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(src.len())
            .min(src.len());
        let end = self
            .starts
            .get(line)
            .map_or(src.len(), |&next| next.saturating_sub(1))
            .clamp(start, src.len());
        (start, end)
    }
}

/// Renders `diags` against `src` like a compiler, one block per diagnostic (see
/// [`Diagnostic::render`]), at most `max_shown` of them; the rest are summarised in a last
/// line `file: ... and N more errors`. Linear in the size of `src` plus the output.
pub fn render_all(diags: &[Diagnostic], src: &str, file: &str, max_shown: usize) -> String {
    let index = LineIndex::new(src);
    let mut out = String::new();
    for d in diags.iter().take(max_shown) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&d.render_indexed(src, &index, file));
    }
    if let Some(more) = more_line(diags.len(), max_shown, file) {
        out.push('\n');
        out.push_str(&more);
    }
    out
}

/// `file: ... and N more errors` when `total` exceeds `shown`.
pub fn more_line(total: usize, shown: usize, file: &str) -> Option<String> {
    let more = total.checked_sub(shown).filter(|&m| m > 0)?;
    Some(format!(
        "{file}: ... and {more} more error{} (not shown)",
        if more == 1 { "" } else { "s" }
    ))
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
/// beyond the end or not on a character boundary. Scans `src` up to `pos`: for many positions
/// in one text, build a [`LineIndex`] once.
pub fn line_col_at(src: &str, pos: usize) -> Option<(usize, usize)> {
    let before = src.get(..pos)?;
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let col = before[line_start..].chars().count() + 1;
    Some((line, col))
}

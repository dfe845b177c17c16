//! Source lines of a text program, for the kernel's BTF `line_info` (its verifier log and
//! `bpftool prog dump xlated ... linum` then show the text's own lines).

use std::borrow::Cow;

use super::Assembled;
use crate::btf::SourceLine;

/// The [`SourceLine`]s of a text program: for each slot, the line of `src` (named `file`) its
/// statement starts on, the column, and the statement's text.
pub fn text_lines(a: &Assembled, src: &str, file: &str) -> Vec<SourceLine> {
    // Line starts, to turn byte offsets into line:column.
    let starts: Vec<usize> = std::iter::once(0)
        .chain(src.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let file: Cow<'static, str> = Cow::Owned(file.to_string());
    let mut out = Vec::new();
    for (i, span) in a.slot_spans.iter().enumerate() {
        let Some(span) = span else { continue };
        let line = starts.partition_point(|&s| s <= span.start);
        let Some(&ls) = starts.get(line.wrapping_sub(1)) else {
            continue;
        };
        let text = src.get(span.start..span.end).unwrap_or("").trim();
        out.push(SourceLine {
            insn: i as u32,
            file: file.clone(),
            line: line as u32,
            col: src
                .get(ls..span.start)
                .map_or(0, |p| p.chars().count() as u32 + 1),
            text: Cow::Owned(text.to_string()),
        });
    }
    out
}

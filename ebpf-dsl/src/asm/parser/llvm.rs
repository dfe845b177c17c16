//! The parts of the parser for syntax LLVM's assembler takes beyond one instruction per
//! statement (issue 12): raw data directives (`.byte` ... `.8byte`), numeric local labels
//! (`1:`, `1f`, `1b`). A child module of [`super`] (the parser), so it extends the statement
//! parser without growing that file.

use std::borrow::Cow;
use std::collections::HashMap;

use super::{err, PResult, StmtParser};
use crate::asm::diag::DiagKind;
use crate::asm::lexer::{Tok, Token};
use crate::ir::{Item, ItemKind, Span, Target};
use crate::isa::insn::Insn;

/// What the parser carries from one statement to the next: numeric local labels and raw data.
#[derive(Debug, Default)]
pub(super) struct CrossState {
    /// For each numeric local label `N:`, how many definitions the whole text has (from the
    /// first pass) and how many were seen so far.
    pub(super) numeric: HashMap<u64, (usize, usize)>,
    /// Bytes of `.byte`/`.2byte`/... not yet making a whole 8-byte slot, and where they began.
    data: Vec<u8>,
    data_start: Option<Span>,
}

/// The internal label name of the `k`th (1-based) definition of numeric local label `n`
/// (`@` cannot appear in a written label, so it never collides with one).
pub(super) fn numeric_label(n: u64, k: usize) -> String {
    format!("{n}@{k}")
}

impl CrossState {
    /// Called before a statement that is no raw data: data must have filled whole slots.
    pub(super) fn data_must_be_whole(&mut self) -> PResult<()> {
        if self.data.is_empty() {
            return Ok(());
        }
        let n = self.data.len();
        let span = self.data_start.take().unwrap_or_default();
        self.data.clear();
        err(
            DiagKind::Syntax,
            span,
            format!(
                "raw data leaves {n} byte{} of a partial instruction slot: data between instructions must fill whole 8-byte slots",
                if n == 1 { "" } else { "s" }
            ),
        )
    }
}

/// The size in bytes of a data directive LLVM's BPF assembler takes, `None` for other words.
pub(super) fn data_directive_size(word: &str) -> Option<usize> {
    Some(match word {
        ".byte" => 1,
        ".2byte" | ".short" | ".value" => 2,
        ".4byte" | ".long" | ".int" => 4,
        ".8byte" | ".quad" => 8,
        _ => return None,
    })
}

/// The number of a numeric local label definition `N:` (decimal digits only, as in GNU as).
pub(super) fn numeric_label_number(t: &Token<'_>) -> Option<u64> {
    match t.tok {
        Tok::Int(Some(n)) if t.span.end - t.span.start == n.to_string().len() => Some(n),
        _ => None,
    }
}

impl StmtParser<'_> {
    /// At `1f` / `1b` (a decimal number and, with no space between, `f` or `b`): a reference
    /// to a numeric local label, forward (`Some(false)`) or backward (`Some(true)`).
    pub(super) fn numeric_ref_direction(&self) -> Option<bool> {
        let num = self.toks.get(self.pos)?;
        let dir = self.toks.get(self.pos + 1)?;
        if num.span.end != dir.span.start || numeric_label_number(num).is_none() {
            return None;
        }
        match dir.tok {
            Tok::Ident("b") => Some(true),
            Tok::Ident("f") => Some(false),
            _ => None,
        }
    }

    /// `.byte 1, 2` / `.2byte` / `.4byte` / `.8byte` (and LLVM's other names for them): raw
    /// little-endian data in the instruction stream, as LLVM emits it. Each 8 bytes become one
    /// slot; data that ends mid-slot before an instruction, a label or the end is an error.
    pub(super) fn data(&mut self, size: usize, items: &mut Vec<Item>) -> PResult<()> {
        let start_index = self.pos;
        self.pos += 1;
        let mut bytes = Vec::new();
        loop {
            let (v, vspan) = self.num("a data value")?;
            let bits = 8 * size as u32;
            let min = -(1i128 << (bits - 1));
            let max = (1i128 << bits) - 1;
            if !(min..=max).contains(&v) {
                return err(
                    DiagKind::ImmediateRange,
                    vspan,
                    format!(
                        "{v} does not fit in {size} byte{} ({min} to {max})",
                        if size == 1 { "" } else { "s" }
                    ),
                );
            }
            bytes.extend_from_slice(&(v as u64).to_le_bytes()[..size]);
            if !self.eat_punct(',') {
                break;
            }
        }
        self.expect_end()?;
        let span = self.span_from(start_index);
        let mut cross = self.cross.borrow_mut();
        if cross.data.is_empty() {
            cross.data_start = Some(span);
        }
        cross.data.extend_from_slice(&bytes);
        let whole = cross.data.len() / 8 * 8;
        let start = cross.data_start.unwrap_or(span);
        for chunk in cross.data[..whole].chunks_exact(8) {
            let mut slot = [0u8; 8];
            slot.copy_from_slice(chunk);
            items.push(Item::new(ItemKind::Insn(Insn::from_bytes(slot))).with_span(start.to(span)));
        }
        cross.data.drain(..whole);
        if cross.data.is_empty() {
            cross.data_start = None;
        } else if whole > 0 {
            cross.data_start = Some(span);
        }
        Ok(())
    }

    /// At `N:` (checked by the caller): defines the next occurrence of numeric local label `N`.
    pub(super) fn numeric_label_def(&mut self, items: &mut Vec<Item>) {
        let start = self.pos;
        let n = self
            .peek()
            .and_then(numeric_label_number)
            .unwrap_or_default();
        let k = {
            let mut cross = self.cross.borrow_mut();
            let e = cross.numeric.entry(n).or_default();
            e.1 += 1;
            e.1
        };
        self.pos += 2;
        items.push(
            Item::new(ItemKind::Label(Cow::Owned(numeric_label(n, k))))
                .with_span(self.span_from(start)),
        );
    }

    /// At `Nf` / `Nb` (checked by the caller with [`Self::numeric_ref_direction`]): the label
    /// of the next / the latest definition of `N:`.
    pub(super) fn numeric_ref(&mut self, span: Span) -> PResult<Target> {
        let backward = self.numeric_ref_direction() == Some(true);
        let n = self
            .peek()
            .and_then(numeric_label_number)
            .unwrap_or_default();
        let ref_span = span.to(self.toks[self.pos + 1].span);
        self.pos += 2;
        let (total, seen) = self
            .cross
            .borrow()
            .numeric
            .get(&n)
            .copied()
            .unwrap_or_default();
        let k = if backward { seen } else { seen + 1 };
        if k == 0 || k > total {
            return err(
                DiagKind::UndefinedLabel,
                ref_span,
                format!(
                    "`{n}{}`: no local label `{n}:` {} this statement",
                    if backward { 'b' } else { 'f' },
                    if backward { "before" } else { "after" }
                ),
            );
        }
        Ok(Target::Label(Cow::Owned(numeric_label(n, k))))
    }
}

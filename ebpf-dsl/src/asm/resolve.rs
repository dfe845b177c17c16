//! The resolve step: symbolic [`Item`]s to instruction slots. Labels become jump distances,
//! map references become relocations, interpolated values are listed for the embedder.
//!
//! This is the one place where a program built by the parser, the builder API or a snippet
//! turns into instructions (as in cilium/ebpf's `asm`, names stay names until here); its
//! errors carry the instruction index and, when the item came from text, its span.

use std::borrow::Cow;
use std::collections::HashMap;

use super::diag::{DiagKind, Diagnostic};
use super::{Assembled, ExternSlot};
use crate::insn::{Class, Insn, JmpOp, BPF_PSEUDO_CALL};
use crate::ir::{ExternField, Item, ItemKind, Target};
use crate::spec::{RelocKind, Relocation};

/// Resolves labels to offsets and map names to relocations. Reports every undefined or
/// duplicate label and every distance that does not fit its field.
pub fn resolve(items: &[Item]) -> Result<Assembled, Vec<Diagnostic>> {
    let (a, errs) = resolve_partial(items);
    if errs.is_empty() {
        Ok(a)
    } else {
        Err(errs)
    }
}

/// Like [`resolve`], but always returns the program: fields whose resolution failed (an
/// undefined label, a distance out of range) are left at 0, next to the errors.
pub fn resolve_partial(items: &[Item]) -> (Assembled, Vec<Diagnostic>) {
    let mut errs = Vec::new();
    // Pass 1: slot index of every label.
    let mut labels: Vec<(String, usize)> = Vec::new();
    let mut by_name: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut slot = 0usize;
    for (item_index, item) in items.iter().enumerate() {
        if let ItemKind::Label(name) = &item.kind {
            if let Some(&(first_slot, _)) = by_name.get(name.as_ref()) {
                errs.push(
                    Diagnostic::new(
                        DiagKind::DuplicateLabel,
                        item.span,
                        format!(
                            "label `{name}` is defined twice; its first definition is at instruction {first_slot}"
                        ),
                    )
                    .at_insn(slot),
                );
            } else {
                by_name.insert(name.as_ref(), (slot, item_index));
                labels.push((name.to_string(), slot));
            }
        }
        slot += item.slots();
    }
    let total = slot;

    // Pass 2: emit.
    let mut out = Assembled {
        insns: Vec::with_capacity(total),
        relocations: Vec::new(),
        externs: Vec::new(),
        labels,
        slot_spans: Vec::with_capacity(total),
    };
    for item in items {
        let index = out.insns.len();
        let target_distance = |target: &Target, errs: &mut Vec<Diagnostic>| -> Option<i64> {
            match target {
                Target::Offset(off) => Some(i64::from(*off)),
                Target::Label(name) => match by_name.get(name.as_ref()) {
                    Some(&(to, _)) => Some(to as i64 - index as i64 - 1),
                    None => {
                        errs.push(
                            Diagnostic::new(
                                DiagKind::UndefinedLabel,
                                item.span,
                                format!("undefined label `{name}`"),
                            )
                            .at_insn(index),
                        );
                        None
                    }
                },
            }
        };
        match &item.kind {
            ItemKind::Label(_) => continue,
            ItemKind::Insn(insn) => out.insns.push(*insn),
            ItemKind::Jump { insn, target } | ItemKind::ExternJump { insn, target, .. } => {
                let mut insn = *insn;
                // `gotol` (JMP32 | JA) keeps its distance in `imm`, everything else in `off`.
                let long = insn.class() == Class::Jmp32 && insn.code & 0xf0 == JmpOp::Ja as u8;
                if let Some(d) = target_distance(target, &mut errs) {
                    if long {
                        match i32::try_from(d) {
                            Ok(v) => insn.imm = v,
                            Err(_) => errs.push(jump_range(item, index, d, "32")),
                        }
                    } else {
                        match i16::try_from(d) {
                            Ok(v) => insn.off = v,
                            Err(_) => errs.push(jump_range(item, index, d, "16")),
                        }
                    }
                }
                out.insns.push(insn);
                if let ItemKind::ExternJump { value, .. } = &item.kind {
                    out.externs.push(ExternSlot {
                        insn_index: index,
                        field: ExternField::Imm32,
                        name: value.name.to_string(),
                        span: item.span,
                    });
                }
            }
            ItemKind::Call { target } => {
                let mut insn = Insn::new(
                    Class::Jmp as u8 | JmpOp::Call as u8,
                    0,
                    BPF_PSEUDO_CALL,
                    0,
                    0,
                );
                if let Some(d) = target_distance(target, &mut errs) {
                    match i32::try_from(d) {
                        Ok(v) => insn.imm = v,
                        Err(_) => errs.push(jump_range(item, index, d, "32")),
                    }
                }
                out.insns.push(insn);
            }
            ItemKind::LdImm64 { dst, src, imm } => {
                out.insns
                    .push(Insn::new(0x18, dst.num(), *src, 0, *imm as i32));
                out.insns.push(Insn::new(0, 0, 0, 0, (*imm >> 32) as i32));
            }
            ItemKind::MapRef { dst, map, kind } => {
                let (src, hi) = match kind {
                    RelocKind::MapFd => (1, 0),
                    RelocKind::MapValue { offset } => (2, *offset as i32),
                };
                out.insns.push(Insn::new(0x18, dst.num(), src, 0, 0));
                out.insns.push(Insn::new(0, 0, 0, 0, hi));
                out.relocations.push(Relocation {
                    insn_index: index,
                    symbol: Cow::Owned(map.to_string()),
                    kind: *kind,
                });
            }
            ItemKind::Extern { insn, field, value } => {
                out.insns.push(*insn);
                if *field == ExternField::Imm64 {
                    out.insns.push(Insn::new(0, 0, 0, 0, 0));
                }
                out.externs.push(ExternSlot {
                    insn_index: index,
                    field: *field,
                    name: value.name.to_string(),
                    span: item.span,
                });
            }
        }
        while out.slot_spans.len() < out.insns.len() {
            out.slot_spans.push(item.span);
        }
    }
    (out, errs)
}

fn jump_range(item: &Item, index: usize, d: i64, bits: &str) -> Diagnostic {
    Diagnostic::new(
        DiagKind::JumpRange,
        item.span,
        format!("jump distance {d} does not fit the signed {bits}-bit field; use `gotol` for long jumps"),
    )
    .at_insn(index)
}

//! The resolve step: symbolic [`Item`]s to instruction slots. Labels become jump distances,
//! map references become relocations, interpolated values are listed for the embedder.
//!
//! This is the one place where a program built by the parser, the builder API or a snippet
//! turns into instructions (as in cilium/ebpf's `asm`, names stay names until here); `.map`
//! declarations ([`ItemKind::Map`]) become [`Assembled::maps`] and [`Assembled::data`]; its
//! errors carry the instruction index and, when the item came from text, its span.

use std::borrow::Cow;
use std::collections::HashMap;

use super::diag::{DiagKind, Diagnostic};
use super::{Assembled, ExternSlot};
use crate::ir::{ExternField, Item, ItemKind, MapDecl, Target};
use crate::isa::insn::{Class, Insn, JmpOp, PseudoLd, BPF_PSEUDO_CALL};
use crate::spec::{GlobalData, RelocKind, Relocation};

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
    let mut r = Resolver::default();
    for item in items {
        r.push(item.clone());
    }
    r.finish()
}

/// The resolve step, one item at a time (so that the assembler can feed it while parsing,
/// without a list of every item): instructions go straight into the program; a jump or call to
/// a label keeps only its item until [`Resolver::finish`], when every label is known.
#[derive(Debug, Default)]
pub struct Resolver {
    out: Assembled,
    /// Label name -> slot.
    by_name: HashMap<String, usize>,
    /// Items whose distance waits for the labels, with their first slot.
    pending: Vec<(usize, Item)>,
    /// `.global_func` declarations, resolved to their labels in `finish`.
    globals: Vec<Item>,
    errs: Vec<Diagnostic>,
}

impl Resolver {
    /// Adds the next item.
    pub fn push(&mut self, item: Item) {
        let slot = self.out.insns.len();
        match &item.kind {
            ItemKind::Label(name) => {
                if let Some(&first_slot) = self.by_name.get(name.as_ref()) {
                    self.errs.push(
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
                    self.by_name.insert(name.to_string(), slot);
                    self.out.labels.push((name.to_string(), slot));
                }
                return;
            }
            ItemKind::Jump {
                target: Target::Label(_),
                ..
            }
            | ItemKind::ExternJump {
                target: Target::Label(_),
                ..
            }
            | ItemKind::Call {
                target: Target::Label(_),
            }
            | ItemKind::FuncRef {
                target: Target::Label(_),
                ..
            } => {
                // A placeholder slot (two for an `ld_imm64`), patched in `finish`.
                for _ in 0..item.slots() {
                    self.out.insns.push(Insn::default());
                    self.out.slot_spans.push(item.span);
                }
                self.pending.push((slot, item));
                return;
            }
            _ => {}
        }
        self.emit(slot, &item, None);
    }

    /// Emits `item` at `slot` (the end of the program, or the placeholder of a pending jump),
    /// with `distance` the resolved distance of a jump to a label.
    fn emit(&mut self, index: usize, item: &Item, distance: Option<Option<i64>>) {
        let errs = &mut self.errs;
        let out = &mut self.out;
        let mut at = index;
        let mut put = |insn: Insn, out: &mut Assembled| {
            if distance.is_some() {
                out.insns[at] = insn;
                at += 1;
            } else {
                out.insns.push(insn);
                out.slot_spans.push(item.span);
            }
        };
        let target_distance = |target: &Target| -> Option<i64> {
            match (target, distance) {
                (Target::Offset(off), _) => Some(i64::from(*off)),
                (Target::Label(_), Some(d)) => d,
                (Target::Label(_), None) => None,
            }
        };
        match &item.kind {
            ItemKind::Label(_) => {}
            ItemKind::GlobalFunc(_) => self.globals.push(item.clone()),
            ItemKind::Map(decl) => declare_map(decl, item, index, out, errs),
            ItemKind::Section(name) => match &out.section {
                Some(first) if first != name => errs.push(Diagnostic::new(
                    DiagKind::Syntax,
                    item.span,
                    format!("a program is in one section: `.section {name}` after `.section {first}` names two sections"),
                )),
                _ => out.section = Some(name.clone()),
            },
            ItemKind::Insn(insn) => put(*insn, out),
            ItemKind::Jump { insn, target } | ItemKind::ExternJump { insn, target, .. } => {
                let mut insn = *insn;
                // `gotol` (JMP32 | JA) keeps its distance in `imm`, everything else in `off`.
                let long =
                    insn.class() == Class::Jmp32 && JmpOp::from_code(insn.code) == Some(JmpOp::Ja);
                if let Some(d) = target_distance(target) {
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
                put(insn, out);
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
                if let Some(d) = target_distance(target) {
                    match i32::try_from(d) {
                        Ok(v) => insn.imm = v,
                        Err(_) => errs.push(jump_range(item, index, d, "32")),
                    }
                }
                put(insn, out);
            }
            ItemKind::FuncRef { dst, target } => {
                let mut first = Insn::new(0x18, dst.num(), PseudoLd::Func as u8, 0, 0);
                if let Some(d) = target_distance(target) {
                    match i32::try_from(d) {
                        Ok(v) => first.imm = v,
                        Err(_) => errs.push(jump_range(item, index, d, "32")),
                    }
                }
                put(first, out);
                put(Insn::new(0, 0, 0, 0, 0), out);
            }
            ItemKind::LdImm64 { dst, src, imm } => {
                put(Insn::new(0x18, dst.num(), *src, 0, *imm as i32), out);
                put(Insn::new(0, 0, 0, 0, (*imm >> 32) as i32), out);
            }
            ItemKind::MapRef { dst, map, kind } => {
                let (src, hi) = match kind {
                    RelocKind::MapFd => (1, 0),
                    RelocKind::MapValue { offset } => (2, *offset as i32),
                };
                put(Insn::new(0x18, dst.num(), src, 0, 0), out);
                put(Insn::new(0, 0, 0, 0, hi), out);
                out.relocations.push(Relocation {
                    insn_index: index,
                    symbol: Cow::Owned(map.to_string()),
                    kind: *kind,
                });
            }
            ItemKind::Extern { insn, field, value } => {
                put(*insn, out);
                if *field == ExternField::Imm64 {
                    put(Insn::new(0, 0, 0, 0, 0), out);
                }
                out.externs.push(ExternSlot {
                    insn_index: index,
                    field: *field,
                    name: value.name.to_string(),
                    span: item.span,
                });
            }
        }
    }

    /// Resolves the jumps to labels and returns the program with every error found.
    pub fn finish(mut self) -> (Assembled, Vec<Diagnostic>) {
        for (index, item) in std::mem::take(&mut self.pending) {
            let name = match &item.kind {
                ItemKind::Jump {
                    target: Target::Label(n),
                    ..
                }
                | ItemKind::ExternJump {
                    target: Target::Label(n),
                    ..
                }
                | ItemKind::Call {
                    target: Target::Label(n),
                }
                | ItemKind::FuncRef {
                    target: Target::Label(n),
                    ..
                } => n,
                _ => continue,
            };
            let distance = match self.by_name.get(name.as_ref()) {
                Some(&to) => Some(to as i64 - index as i64 - 1),
                None => {
                    self.errs.push(
                        Diagnostic::new(
                            DiagKind::UndefinedLabel,
                            item.span,
                            format!("undefined label `{name}`"),
                        )
                        .at_insn(index),
                    );
                    None
                }
            };
            self.emit(index, &item, Some(distance));
        }
        for item in std::mem::take(&mut self.globals) {
            let ItemKind::GlobalFunc(g) = &item.kind else {
                continue;
            };
            let mut g = (**g).clone();
            let why = match self.by_name.get(g.name.as_str()) {
                _ if self.out.globals.iter().any(|o| o.name == g.name) => {
                    Some(format!("function `{}` is declared global twice", g.name))
                }
                Some(&slot) => {
                    g.insn = slot as u32;
                    self.out.globals.push(g);
                    None
                }
                None => Some(format!(
                    "`.global_func {}`: the program has no label `{}` (the function's first instruction)",
                    g.name, g.name
                )),
            };
            if let Some(m) = why {
                self.errs
                    .push(Diagnostic::new(DiagKind::UndefinedLabel, item.span, m));
            }
        }
        // Relocations and interpolations in slot order, as a single pass would list them.
        self.out.externs.sort_by_key(|e| e.insn_index);
        self.errs.sort_by_key(|d| d.insn_index);
        (self.out, self.errs)
    }
}

/// Lists a `.map` declaration (once per name) and its initial contents.
fn declare_map(
    decl: &MapDecl,
    item: &Item,
    index: usize,
    out: &mut Assembled,
    errs: &mut Vec<Diagnostic>,
) {
    let name = &decl.spec.name;
    let fail = |msg: String| Diagnostic::new(DiagKind::Syntax, item.span, msg).at_insn(index);
    if out.maps.iter().any(|m| m.name == *name) {
        errs.push(fail(format!(
            "map `{name}` is declared twice; declare each map once"
        )));
        return;
    }
    if let Some(init) = &decl.init {
        match GlobalData::for_map(&decl.spec, init) {
            Ok(d) => out.data.push(d),
            Err(e) => errs.push(fail(e)),
        }
    }
    out.maps.push(decl.spec.clone());
    if let Some(offset) = decl.spin_lock {
        out.spin_locks.push(crate::btf::MapSpinLock {
            map: name.to_string(),
            offset,
        });
    }
    if let Some(offset) = decl.timer {
        out.timers.push(crate::btf::MapTimer {
            map: name.to_string(),
            offset,
        });
    }
}

fn jump_range(item: &Item, index: usize, d: i64, bits: &str) -> Diagnostic {
    Diagnostic::new(
        DiagKind::JumpRange,
        item.span,
        format!("jump distance {d} does not fit the signed {bits}-bit field; use `gotol` for long jumps"),
    )
    .at_insn(index)
}

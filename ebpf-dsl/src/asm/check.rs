//! Structural checks on assembled instructions: what can be decided from the instructions
//! alone, before the kernel verifier runs (which tracks values and types; see the crate's
//! verifier for that).
//!
//! Each check mirrors a rejection of the Linux verifier, with a message that says what to do:
//! shifts by a constant outside `0..width` (`invalid shift`), division or modulo by the
//! constant 0 (`div by zero`), writes to the frame pointer `r10` before the first jump
//! (`frame pointer is read only`; later ones are the verifier's, on reachable paths), jumps out of the program or into the second slot of an `ld_imm64` (`jump out of
//! range`, `invalid BPF_LD_IMM insn`), paths that run past the last instruction (`last insn
//! is not an exit or jmp`), an empty program, and `callx` (`unknown opcode 8d`: RFC 9669
//! defines it, but no Linux kernel implements it, so a program for the kernel cannot use it).
//! Slots that do not decode ([`crate::decode::decode_at`]: unknown opcodes, reserved fields
//! not zero), which only the builder API can produce, are reported first.

use std::collections::HashSet;

use super::diag::{DiagKind, Diagnostic};
use super::Assembled;
use crate::insn::{AluOp, Class, Insn, JmpOp, Mode, Source, BPF_FETCH, BPF_PSEUDO_CALL};
use crate::ir::ExternField;

/// Runs every structural check and returns all findings (empty when the program passes).
///
/// Fields given by interpolated values ([`Assembled::externs`]) are not known yet and are not
/// checked; `check` does not complain about the interpolations themselves (that is
/// [`super::assemble`]'s job for plain text, where nothing can fill them).
pub fn check(a: &Assembled) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let insns = &a.insns;
    let n = insns.len();
    let diag = |kind: DiagKind, i: usize, msg: String| {
        Diagnostic::new(kind, a.slot_spans.get(i).copied().flatten(), msg).at_insn(i)
    };
    if n == 0 {
        out.push(Diagnostic::new(
            DiagKind::EmptyProgram,
            None,
            "the program has no instructions; it needs at least `exit` (e.g. `r0 = 2; exit` for XDP_PASS)",
        ));
        return out;
    }
    if let Some(msg) = crate::spec::too_many_insns(n) {
        out.push(Diagnostic::new(DiagKind::TooManyInstructions, None, msg));
        return out;
    }
    let extern_imm: HashSet<usize> = a
        .externs
        .iter()
        .filter(|e| e.field != ExternField::Off16)
        .map(|e| e.insn_index)
        .collect();
    let extern_off: HashSet<usize> = a
        .externs
        .iter()
        .filter(|e| e.field == ExternField::Off16)
        .map(|e| e.insn_index)
        .collect();

    // Which slots are the second half of an ld_imm64.
    let mut second = vec![false; n];
    let mut i = 0;
    while i < n {
        if insns[i].is_ld_imm64() && i + 1 < n {
            // (A truncated ld_imm64 at the end is reported by the decoder below.)
            second[i + 1] = true;
            i += 2;
        } else {
            i += 1;
        }
    }

    let certain = runs_first(insns);
    for (i, insn) in insns.iter().enumerate() {
        if second[i] {
            continue;
        }
        // Builder-made slots can hold anything: decode each (reserved fields must be zero,
        // opcodes must exist) before looking at what it does.
        if let Err(e) = crate::decode::decode_at(insns, i) {
            out.push(diag(
                DiagKind::InvalidInstruction,
                i,
                format!("invalid instruction {:02x?}: {e}", insn.to_bytes()),
            ));
            continue;
        }
        let code = insn.code;
        let class = insn.class();
        let imm_known = !extern_imm.contains(&i);
        match class {
            Class::Alu | Class::Alu64 => {
                let width = if class == Class::Alu64 { 64 } else { 32 };
                let op = AluOp::from_code(code);
                let is_k = code & 0x08 == Source::Imm as u8;
                if is_k && imm_known {
                    if matches!(op, Some(AluOp::Lsh | AluOp::Rsh | AluOp::Arsh))
                        && !(0..width).contains(&insn.imm)
                    {
                        out.push(diag(
                            DiagKind::ShiftRange,
                            i,
                            format!(
                                "shift by {} is out of range for a {width}-bit operand (0 to {}); the kernel rejects it as `invalid shift`",
                                insn.imm,
                                width - 1
                            ),
                        ));
                    }
                    if matches!(op, Some(AluOp::Div | AluOp::Mod)) && insn.imm == 0 {
                        out.push(diag(
                            DiagKind::DivisionByZero,
                            i,
                            format!(
                                "{} by the constant 0; the kernel rejects it as `div by zero` (divide by a register to get eBPF's defined result 0)",
                                if op == Some(AluOp::Div) { "division" } else { "modulo" }
                            ),
                        ));
                    }
                }
                if insn.dst() == 10 && certain[i] {
                    out.push(write_r10(diag, i));
                }
            }
            Class::Ldx => {
                if insn.dst() == 10 && certain[i] {
                    out.push(write_r10(diag, i));
                }
            }
            Class::Ld => {
                if insn.is_ld_imm64() && insn.dst() == 10 && certain[i] {
                    out.push(write_r10(diag, i));
                }
            }
            Class::Stx => {
                let fetch =
                    Mode::from_code(code) == Some(Mode::Atomic) && insn.imm & BPF_FETCH != 0;
                if fetch && insn.src() == 10 && certain[i] {
                    out.push(write_r10(diag, i));
                }
            }
            Class::St => {}
            Class::Jmp | Class::Jmp32 => {
                let op = code & 0xf0;
                if code == 0x8d {
                    out.push(diag(
                        DiagKind::Unsupported,
                        i,
                        "`callx` (indirect call, opcode 0x8d) is not implemented by the Linux kernel: the verifier rejects it as `unknown opcode 8d`".into(),
                    ));
                    continue;
                }
                let dist = if op == JmpOp::Call as u8 {
                    (class == Class::Jmp && insn.src() == BPF_PSEUDO_CALL && imm_known)
                        .then_some(i64::from(insn.imm))
                } else if op == JmpOp::Exit as u8 {
                    None
                } else if class == Class::Jmp32 && op == JmpOp::Ja as u8 {
                    imm_known.then_some(i64::from(insn.imm))
                } else {
                    (!extern_off.contains(&i)).then_some(i64::from(insn.off))
                };
                if let Some(d) = dist {
                    let t = i as i64 + 1 + d;
                    if t < 0 || t >= n as i64 {
                        out.push(diag(
                            DiagKind::JumpOutOfProgram,
                            i,
                            format!(
                                "{} to instruction {t}, outside the program (instructions 0 to {})",
                                if op == JmpOp::Call as u8 {
                                    "call"
                                } else {
                                    "jump"
                                },
                                n - 1
                            ),
                        ));
                    } else if second[t as usize] {
                        out.push(diag(
                            DiagKind::JumpIntoLdImm64,
                            i,
                            format!("jump to instruction {t}, the second half of an `ld_imm64`"),
                        ));
                    }
                }
            }
        }
    }
    out.extend(fall_off_end(a, &second));
    out
}

/// The slots every run executes: from the first, through `goto`s, up to the first
/// conditional jump, call, exit or `ld_abs`/`ld_ind` (which can end the program). A write to
/// `r10` there is rejected here; one elsewhere only where the verifier reaches it (the kernel
/// accepts a write in a branch it proves dead).
fn runs_first(insns: &[Insn]) -> Vec<bool> {
    let mut certain = vec![false; insns.len()];
    let mut i = 0usize;
    while let Some(x) = insns.get(i) {
        if certain[i] || (x.class() == Class::Ld && !x.is_ld_imm64()) {
            break;
        }
        certain[i] = true;
        i = match (x.class(), x.code & 0xf0) {
            (Class::Jmp, op) if op == JmpOp::Ja as u8 => i as i64 + 1 + i64::from(x.off),
            (Class::Jmp32, op) if op == JmpOp::Ja as u8 => i as i64 + 1 + i64::from(x.imm),
            (Class::Jmp | Class::Jmp32, _) => break,
            _ if x.is_ld_imm64() => i as i64 + 2,
            _ => i as i64 + 1,
        }
        .try_into()
        .unwrap_or(usize::MAX);
    }
    certain
}

fn write_r10(diag: impl Fn(DiagKind, usize, String) -> Diagnostic, i: usize) -> Diagnostic {
    diag(
        DiagKind::WriteToR10,
        i,
        "r10 is the read-only frame pointer; it cannot be written (store to the stack with `*(u64 *)(r10 - 8) = r1`)".into(),
    )
}

/// Where control goes after slot `i`: `(fall through?, jump target)`.
fn successors(insn: &Insn, i: usize) -> (Option<usize>, Option<i64>) {
    let class = insn.class();
    if insn.is_ld_imm64() {
        return (Some(i + 2), None);
    }
    if !class.is_jmp() {
        return (Some(i + 1), None);
    }
    let op = insn.code & 0xf0;
    if op == JmpOp::Exit as u8 {
        return (None, None);
    }
    if op == JmpOp::Call as u8 {
        return (Some(i + 1), None);
    }
    if op == JmpOp::Ja as u8 {
        let d = if class == Class::Jmp32 {
            i64::from(insn.imm)
        } else {
            i64::from(insn.off)
        };
        return (None, Some(i as i64 + 1 + d));
    }
    (Some(i + 1), Some(i as i64 + 1 + i64::from(insn.off)))
}

/// Reports reachable instructions after which execution runs past the end of the program.
/// Entry points are slot 0 and every bpf-to-bpf call target.
fn fall_off_end(a: &Assembled, second: &[bool]) -> Vec<Diagnostic> {
    let insns = &a.insns;
    let n = insns.len();
    let mut seen = vec![false; n];
    let mut stack = vec![0usize];
    let mut out = Vec::new();
    while let Some(i) = stack.pop() {
        if i >= n || seen[i] || second[i] {
            continue;
        }
        seen[i] = true;
        let insn = &insns[i];
        if insn.class() == Class::Jmp
            && insn.code & 0xf0 == JmpOp::Call as u8
            && insn.src() == BPF_PSEUDO_CALL
        {
            let t = i as i64 + 1 + i64::from(insn.imm);
            if (0..n as i64).contains(&t) {
                stack.push(t as usize);
            }
        }
        let (fall, jump) = successors(insn, i);
        if let Some(f) = fall {
            if f >= n {
                out.push(
                    Diagnostic::new(
                        DiagKind::FallOffEnd,
                        a.slot_spans.get(i).copied().flatten(),
                        "execution can run past the end of the program after this instruction; end every path with `exit` (or a `goto`)",
                    )
                    .at_insn(i),
                );
            } else {
                stack.push(f);
            }
        }
        if let Some(t) = jump {
            if (0..n as i64).contains(&t) {
                stack.push(t as usize);
            }
        }
    }
    out
}

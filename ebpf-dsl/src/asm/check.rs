//! Structural checks on assembled instructions: what can be decided from the instructions
//! alone, before the kernel verifier runs (which tracks values and types; see the crate's
//! verifier for that).
//!
//! Each check mirrors a rejection of the Linux verifier, with a message that says what to do:
//! shifts by a constant outside `0..width` (`invalid shift`), division or modulo by the
//! constant 0 (`div by zero`) and writes to the frame pointer `r10` (`frame pointer is read
//! only`) — these two only before the first jump (later ones are the verifier's, on reachable
//! paths: the kernel accepts them in a branch it proves dead) —, jumps out of the program or
//! into the second slot of an `ld_imm64` (`jump out of
//! range`, `invalid BPF_LD_IMM insn`), paths that run past the last instruction (`last insn
//! is not an exit or jmp`), an empty program, and `callx` (`unknown opcode 8d`: RFC 9669
//! defines it, but no Linux kernel implements it, so a program for the kernel cannot use it).
//! Slots that do not decode ([`crate::isa::decode::decode_at`]: unknown opcodes, reserved fields
//! not zero), which only the builder API can produce, are reported first. Every instruction is
//! read through the crate's one decoder ([`crate::isa::decode`]); reachability follows
//! [`crate::isa::decode::flow`], which also reads slots the decoder refuses.

use std::collections::HashSet;

use super::diag::{DiagKind, Diagnostic};
use super::Assembled;
use crate::ir::ExternField;
use crate::isa::decode::{decode_at, flow, AluBinOp, Decoded, Flow, Operand, Width};
use crate::isa::insn::{Class, Insn, JmpOp, PseudoLd, Reg};

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
        let d = match decode_at(insns, i) {
            Ok(d) => d,
            Err(e) => {
                out.push(diag(
                    DiagKind::InvalidInstruction,
                    i,
                    format!("invalid instruction {:02x?}: {e}", insn.to_bytes()),
                ));
                continue;
            }
        };
        let imm_known = !extern_imm.contains(&i);
        let written = match d {
            Decoded::Alu {
                width,
                op,
                dst,
                src,
            } => {
                if let (Operand::Imm(imm), true) = (src, imm_known) {
                    let bits = if width == Width::W64 { 64 } else { 32 };
                    if matches!(op, AluBinOp::Lsh | AluBinOp::Rsh | AluBinOp::Arsh)
                        && !(0..bits).contains(&imm)
                    {
                        out.push(diag(
                            DiagKind::ShiftRange,
                            i,
                            format!(
                                "shift by {imm} is out of range for a {bits}-bit operand (0 to {}); the kernel rejects it as `invalid shift`",
                                bits - 1
                            ),
                        ));
                    }
                    let division = match op {
                        AluBinOp::Div | AluBinOp::SDiv => Some("division"),
                        AluBinOp::Mod | AluBinOp::SMod => Some("modulo"),
                        _ => None,
                    };
                    // Like the kernel's `check_alu_op`, refused here where every run executes
                    // it; elsewhere the verifier refuses it on the paths that reach it (the
                    // kernel accepts one in a branch it proves dead: a `bpf_loop` selftest
                    // has one). Shifts stay refused everywhere: an out-of-range shift is what
                    // the ISA conformance programs the kernel refuses have, in a called function.
                    if let (Some(what), 0, true) = (division, imm, certain[i]) {
                        out.push(diag(
                            DiagKind::DivisionByZero,
                            i,
                            format!(
                                "{what} by the constant 0; the kernel rejects it as `div by zero` (divide by a register to get eBPF's defined result 0)"
                            ),
                        ));
                    }
                }
                Some(dst)
            }
            Decoded::MovSx { dst, .. }
            | Decoded::AddrSpaceCast { dst, .. }
            | Decoded::Neg { dst, .. }
            | Decoded::Endian { dst, .. }
            | Decoded::Load { dst, .. }
            | Decoded::LoadSx { dst, .. }
            | Decoded::LoadAcquire { dst, .. }
            | Decoded::LdImm64 { dst, .. }
            | Decoded::LdPseudo { dst, .. } => Some(dst),
            Decoded::Atomic {
                fetch: true, src, ..
            } => Some(src),
            Decoded::CallX { .. } => {
                out.push(diag(
                    DiagKind::Unsupported,
                    i,
                    "`callx` (indirect call, opcode 0x8d) is not implemented by the Linux kernel: the verifier rejects it as `unknown opcode 8d`".into(),
                ));
                continue;
            }
            _ => None,
        };
        if written == Some(Reg::R10) && certain[i] {
            out.push(write_r10(diag, i));
        }
        let what = match d {
            Decoded::CallLocal { .. } => "call",
            Decoded::LdPseudo { .. } => "callback address",
            _ => "jump",
        };
        let dist = match d {
            Decoded::CallLocal { .. } | Decoded::GotoLong { .. } => {
                d.branch_offset().filter(|_| imm_known)
            }
            Decoded::LdPseudo { .. } => d.func_offset(),
            _ => d.branch_offset().filter(|_| !extern_off.contains(&i)),
        };
        if let Some(dist) = dist {
            let t = i as i64 + 1 + dist;
            if t < 0 || t >= n as i64 {
                out.push(diag(
                    DiagKind::JumpOutOfProgram,
                    i,
                    format!(
                        "{what} to instruction {t}, outside the program (instructions 0 to {})",
                        n - 1
                    ),
                ));
            } else if second[t as usize] {
                out.push(diag(
                    DiagKind::JumpIntoLdImm64,
                    i,
                    format!("{what} to instruction {t}, the second half of an `ld_imm64`"),
                ));
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
        let f = flow(x, i);
        let is_call = x.class().is_jmp() && JmpOp::from_code(x.code) == Some(JmpOp::Call);
        i = match (f.fall, f.jump) {
            // An unconditional `goto`/`gotol`: follow it.
            (None, Some(t)) => usize::try_from(t).unwrap_or(usize::MAX),
            // Straight-line code (not a call, which may not return: `tail_call`).
            (Some(next), None) if !is_call => next,
            // A conditional jump, a call or `exit`: from here on, paths differ.
            _ => break,
        };
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

/// Reports reachable instructions after which execution runs past the end of the program.
/// Entry points are slot 0, every bpf-to-bpf call target and every callback.
fn fall_off_end(a: &Assembled, second: &[bool]) -> Vec<Diagnostic> {
    let insns = &a.insns;
    let n = insns.len();
    let mut seen = vec![false; n];
    // Slot 0 and every callback (`ld_imm64` with `src = BPF_PSEUDO_FUNC`): each is entered.
    let mut stack = vec![0usize];
    for (i, insn) in insns.iter().enumerate() {
        if insn.is_ld_imm64() && insn.src() == PseudoLd::Func as u8 && !second[i] {
            let t = i as i64 + 1 + i64::from(insn.imm);
            if (0..n as i64).contains(&t) {
                stack.push(t as usize);
            }
        }
    }
    let mut out = Vec::new();
    while let Some(i) = stack.pop() {
        if i >= n || seen[i] || second[i] {
            continue;
        }
        seen[i] = true;
        let Flow { fall, jump, call } = flow(&insns[i], i);
        if let Some(t) = call {
            if (0..n as i64).contains(&t) {
                stack.push(t as usize);
            }
        }
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

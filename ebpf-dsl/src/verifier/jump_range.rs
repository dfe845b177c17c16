//! The kernel's rewrites after a successful verification, and the 16-bit jump offsets they
//! can overflow.
//!
//! Once every path is verified, the kernel removes the code no path reached
//! (`opt_hard_wire_dead_code_branches`, `opt_remove_dead_code`, `opt_remove_nops`), then
//! rewrites instructions in place (`convert_ctx_accesses`, `do_misc_fixups`): among others
//! each `bpf_map_lookup_elem` call on a map known at that call becomes the map type's inline
//! lookup (`map_gen_lookup`). Every rewrite moves the jumps that cross it
//! (`bpf_adj_branches`), and a jump whose offset no longer fits the instruction's signed
//! 16-bit field refuses the whole program ("insn N cannot be patched due to 16-bit range",
//! `bpf_patch_insn_data`, then ENOMEM). A program of some 28,000 instructions with a
//! jump across a thousand inlined lookups is refused so (found in a real XDP program,
//! `tools/real-programs` README, session 19).
//!
//! This module replays those rewrites with the number of instructions each adds on Linux
//! 6.18.44 (`super::jump_growth`: measured on it, the map lookups at the largest count a jump
//! can cross before the kernel refuses, `jump_range_*` rule cases), and the removal on the
//! instructions this verifier reached. The order is the kernel's: `bpf_loop` calls are
//! inlined first (`optimize_bpf_loop`), on the whole program, then the unreached code goes,
//! then the context accesses and the other rewrites grow the rest. A rewrite this verifier
//! does not follow (a socket's fields, a kfunc's hidden arguments outside the generic set)
//! counts as no growth: the offsets computed here are at most the kernel's, so a program
//! refused here is refused by the kernel.

use super::cfg::Op;
use super::context::Exec;
use super::target::KernelVersion;
use super::transfer::{e, R};
use super::Rule;
use crate::isa::insn::{Class, JmpOp};
// An array created with `BPF_F_INNER_MAP` has no inline lookup (`array_map_gen_lookup`).
use crate::spec::map_flags::BPF_F_INNER_MAP;
use crate::spec::{MapSpec, MapType};

/// The instructions the kernel adds when it inlines a `bpf_map_lookup_elem` call on `spec`
/// (the call itself replaced by the map type's `map_gen_lookup`), loaded with privileges on
/// an x86-64 JIT (`bypass_spec_v1`: no index masking), or 0 when it does not (or this
/// verifier does not know that it does).
pub(crate) fn lookup_growth(spec: &MapSpec, kernel: KernelVersion) -> u32 {
    match spec.map_type {
        // array_map_gen_lookup: add, load the index, bound, shift or multiply, add, ja, mov.
        MapType::Array if spec.flags & BPF_F_INNER_MAP == 0 => 6,
        // htab_map_gen_lookup: call, jeq, add.
        MapType::Hash => 2,
        // htab_lru_map_gen_lookup: the hash's, and the element's reference bit set.
        MapType::LruHash => 5,
        // array_of_map_gen_lookup: the array's, and a load of the inner map's pointer.
        MapType::ArrayOfMaps => 8,
        // htab_of_map_gen_lookup: the hash's, and the load of the inner map's pointer.
        MapType::HashOfMaps => 3,
        // percpu_array_map_gen_lookup / htab_percpu_map_gen_lookup (Linux 6.10): the per-CPU
        // pointer made this CPU's.
        MapType::PercpuArray
            if kernel >= KernelVersion::PERCPU_LOOKUP_INLINE
                && spec.flags & BPF_F_INNER_MAP == 0 =>
        {
            8
        }
        MapType::PercpuHash if kernel >= KernelVersion::PERCPU_LOOKUP_INLINE => 4,
        _ => 0,
    }
}

/// A jump whose offset, once the kernel has removed the unreached code and inlined the map
/// lookups, does not fit 16 bits: (the jump's index, its offset then). `seen[i]`: slot `i`
/// was reached (both slots of a 64-bit load); `growth[i]`: the instructions the kernel adds
/// at `i`; `wide_ja[i]`: `i` is a `gotol` (`BPF_JMP32 | BPF_JA`, a 32-bit offset), never
/// reported.
pub(crate) fn overflowing_jump(
    ops: &[Op],
    seen: &[bool],
    growth: &[u32],
    wide_ja: &[bool],
) -> Option<(usize, i64)> {
    let n = ops.len();
    let reached = |i: usize| seen.get(i).copied().unwrap_or(false);
    // Lengths after the removal: unreached slots go; a conditional jump whose target was
    // never reached becomes `ja 0` (`opt_hard_wire_dead_code_branches`) and goes too.
    let mut len: Vec<i64> = (0..n)
        .map(|i| match ops[i] {
            _ if !reached(i) => 0,
            Op::Cond { target, .. } if !reached(target) => 0,
            _ => 1,
        })
        .collect();
    // `opt_remove_nops`: an unconditional jump (a conditional one whose next instruction was
    // never reached is one now) to the next instruction left goes. The kernel scans forward
    // and does not look back, so the offsets are the ones before this step.
    let before = prefix(&len);
    for i in 0..n {
        if len[i] == 0 || wide_ja.get(i).copied().unwrap_or(false) {
            continue;
        }
        let nop = match ops[i] {
            Op::Ja { target } => before[target] == before[i] + 1,
            Op::Cond { target, .. } if i + 1 < n && !reached(i + 1) => {
                before[target] == before[i] + 1
            }
            _ => false,
        };
        if nop {
            len[i] = 0;
        }
    }
    // The rewrites: every instruction left grows by what the kernel adds at it.
    for (l, g) in len.iter_mut().zip(growth) {
        if *l > 0 {
            *l += i64::from(*g);
        }
    }
    let start = prefix(&len);
    for i in 0..n {
        if len[i] == 0 || wide_ja.get(i).copied().unwrap_or(false) {
            continue;
        }
        let target = match ops[i] {
            Op::Ja { target } | Op::Cond { target, .. } => target,
            _ => continue,
        };
        // A jump to a rewritten instruction lands on the first instruction of its rewrite.
        let off = start[target] - start[i] - 1;
        if off < i64::from(i16::MIN) || off > i64::from(i16::MAX) {
            return Some((i, off));
        }
    }
    None
}

impl Exec<'_> {
    /// The instructions the kernel adds at each instruction slot after verifying, removal
    /// aside (`super::jump_growth`): the map lookups it inlines, the divisions' checks,
    /// `LD_ABS`, `may_goto`, the helpers and kfuncs it rewrites, the context accesses it
    /// converts; and, apart, the `bpf_loop` calls it inlines (before the removal).
    fn growth(&self) -> (Vec<u32>, Vec<u32>) {
        let n = self.ops.len();
        let kernel = self.input.kernel;
        let mut growth = vec![0u32; n];
        for (pc, &map) in self.lookup_maps.iter().enumerate() {
            if let (Some(Some(m)), Some(g)) = (map, growth.get_mut(pc)) {
                *g += lookup_growth(self.map(m), kernel);
            }
        }
        // `prog->tstamp_type_access`: any load of `__sk_buff.tstamp_type`, reached or not
        // (a lower bound: the kernel sets it for a verified one only).
        let tstamp_type_read =
            self.input.insns.iter().any(|i| {
                i.code & 0x07 == Class::Ldx as u8 && i.off == super::jump_growth::TSTAMP_TYPE
            });
        let (may_goto, may_goto_start) = super::jump_growth::may_goto_growth(kernel);
        let mut may_goto_in = vec![false; self.cfg.subprog_starts.len()];
        for (pc, g) in growth.iter_mut().enumerate() {
            if !self.seen.get(pc).copied().unwrap_or(false) {
                continue;
            }
            let Some(insn) = self.input.insns.get(pc) else {
                continue;
            };
            *g += super::jump_growth::insn_growth(insn, kernel);
            if let Op::Call {
                helper,
                kfunc: true,
            } = self.ops[pc]
            {
                *g += super::jump_growth::kfunc_growth(helper);
            }
            if insn.code == 0xe5 && may_goto > 0 {
                if let Some(sp) = self.cfg.subprog_of.get(pc) {
                    may_goto_in[*sp] = true;
                }
            }
            if self
                .ptr_types
                .at(pc)
                .any(|(k, _)| k == super::domain::ptr_key::PtrKey::Ctx)
            {
                let size = match insn.code & 0x18 {
                    0x00 => 4,
                    0x08 => 2,
                    0x10 => 1,
                    _ => 8,
                };
                *g += super::jump_growth::ctx_growth(
                    kernel,
                    self.input.prog_type,
                    insn.off,
                    size,
                    insn.code & 0x07 == Class::Ldx as u8,
                    tstamp_type_read,
                );
            }
        }
        // The count's initial store(s) at the start of each function with a `may_goto`.
        for (sp, _) in may_goto_in.iter().enumerate().filter(|(_, m)| **m) {
            if let Some(g) = self
                .cfg
                .subprog_starts
                .get(sp)
                .and_then(|&s| growth.get_mut(s))
            {
                *g += may_goto_start;
            }
        }
        let mut early = vec![0u32; n];
        for (&pc, cb) in &self.loop_inline {
            if let (Some(_), Some(g)) = (cb, early.get_mut(pc)) {
                *g = super::jump_growth::LOOP_INLINE;
            }
        }
        (growth, early)
    }

    /// Refuses the program if a jump's offset overflows 16 bits once the kernel has inlined
    /// the `bpf_loop` calls (before anything is removed), or once it has removed the unreached
    /// code and made every other rewrite ([`overflowing_jump`]).
    pub(crate) fn check_jump_range(&self) -> R<()> {
        let n = self.ops.len();
        let (mut growth, early) = self.growth();
        // Nothing added: no offset grows. Otherwise no jump's offset is longer than the whole
        // program after the rewrites, which has at most `n` instructions and what the
        // rewrites add (the removal only takes some away): when that fits 16 bits, so does
        // every offset ([`overflowing_jump`] finds none, with the growth before or after the
        // removal). Most programs end here.
        let added = growth
            .iter()
            .chain(&early)
            .fold(0u64, |a, g| a + u64::from(*g));
        if added == 0 || n as u64 + added <= i16::MAX as u64 {
            return Ok(());
        }
        // `gotol` (`BPF_JMP32 | BPF_JA`) has a 32-bit offset.
        let wide_ja: Vec<bool> = (0..n)
            .map(|i| {
                self.input
                    .insns
                    .get(i)
                    .is_some_and(|insn| insn.code == JmpOp::Ja as u8 | Class::Jmp32 as u8)
            })
            .collect();
        // `optimize_bpf_loop` runs on the whole program, unreached code included.
        let all = vec![true; n];
        let early_hit = early
            .iter()
            .any(|g| *g > 0)
            .then(|| overflowing_jump(self.ops, &all, &early, &wide_ja))
            .flatten();
        for (g, e) in growth.iter_mut().zip(&early) {
            *g += e;
        }
        let kept = self.fastcall_kept();
        let Some((at, off)) =
            early_hit.or_else(|| overflowing_jump(self.ops, &kept, &growth, &wide_ja))
        else {
            return Ok(());
        };
        Err(e(
            at,
            Rule::Complexity,
            format!(
                "this jump's offset would be {off} once the kernel, after verifying, removes the code no path reached and rewrites the program (inline map lookups and helpers, `bpf_loop`, the checks of divisions by a register, `LD_ABS`, `may_goto`, context field accesses: each becomes several instructions): more than a jump's signed 16-bit field holds, so the kernel refuses the program (\"insn N cannot be patched due to 16-bit range\", then ENOMEM); make the program shorter (split it with tail calls or global functions) or the jump's span smaller"
            ),
        ))
    }

    /// The instructions left once the kernel removes the unreached ones, and (a lower bound:
    /// every candidate counted as removed) the spills and fills around a
    /// `bpf_get_smp_processor_id` call that `remove_fastcall_spills_fills` removes (6.12:
    /// `*(u64 *)(r10 - k) = rN` just before, `rN = *(u64 *)(r10 - k)` just after, r1-r5).
    fn fastcall_kept(&self) -> Vec<bool> {
        let mut kept = self.seen.clone();
        if self.input.kernel < KernelVersion::new(6, 12) {
            return kept;
        }
        let insns = self.input.insns;
        for pc in 0..insns.len() {
            let call = &insns[pc];
            if call.code != 0x85 || call.src() != 0 || call.imm != 8 {
                continue;
            }
            for k in 1..=5 {
                let (Some(b), Some(a)) = (
                    pc.checked_sub(k).and_then(|i| insns.get(i)),
                    insns.get(pc + k),
                ) else {
                    break;
                };
                // STX DW [r10 + off] = rN, LDX DW rN = [r10 + off], N in 1..=5.
                let pair = b.code == 0x7b
                    && a.code == 0x79
                    && b.dst() == 10
                    && a.src() == 10
                    && b.off == a.off
                    && b.src() == a.dst()
                    && (1..=5).contains(&b.src());
                if !pair {
                    break;
                }
                kept[pc - k] = false;
                kept[pc + k] = false;
            }
        }
        kept
    }
}

/// Start of each instruction once each has `len[i]` slots (one past the end last).
fn prefix(len: &[i64]) -> Vec<i64> {
    let mut start = Vec::with_capacity(len.len() + 1);
    let mut at = 0i64;
    for &l in len {
        start.push(at);
        at += l;
    }
    start.push(at);
    start
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insn::JmpOp;
    use crate::verifier::ops::Src;

    fn cond(target: usize) -> Op {
        Op::Cond {
            is64: true,
            op: JmpOp::Jeq,
            dst: 0,
            src: Src::Imm(0),
            target,
        }
    }

    fn call() -> Op {
        Op::Call {
            helper: 1,
            kfunc: false,
        }
    }

    #[test]
    fn growth_between_moves_a_jump_past_16_bits() {
        // 0: if r0 == 0 goto end; 1..=n: calls; n+1: exit.
        let n = 5_000;
        let mut ops = vec![cond(n + 1)];
        ops.extend((0..n).map(|_| call()));
        ops.push(Op::Exit);
        let seen = vec![true; ops.len()];
        let wide = vec![false; ops.len()];
        // Six more per call: 5,000 + 30,000 > 32,767.
        let mut growth = vec![0; ops.len()];
        growth[1..=n].iter_mut().for_each(|g| *g = 6);
        assert_eq!(
            overflowing_jump(&ops, &seen, &growth, &wide),
            Some((0, 35_000))
        );
        // Two more per call: 15,000 fits.
        growth[1..=n].iter_mut().for_each(|g| *g = 2);
        assert_eq!(overflowing_jump(&ops, &seen, &growth, &wide), None);
        // A gotol is never reported.
        growth[1..=n].iter_mut().for_each(|g| *g = 6);
        let mut wide = wide;
        wide[0] = true;
        assert_eq!(overflowing_jump(&ops, &seen, &growth, &wide), None);
    }

    #[test]
    fn unreached_code_is_removed_first() {
        let n = 5_000;
        let mut ops = vec![cond(n + 1)];
        ops.extend((0..n).map(|_| call()));
        ops.push(Op::Exit);
        let mut seen = vec![true; ops.len()];
        // Half the calls never reached: 2,500 x 7 fits.
        seen[1..=n / 2].iter_mut().for_each(|s| *s = false);
        let wide = vec![false; ops.len()];
        let mut growth = vec![0; ops.len()];
        growth[1..=n].iter_mut().for_each(|g| *g = 6);
        assert_eq!(overflowing_jump(&ops, &seen, &growth, &wide), None);
    }

    #[test]
    fn backward_jumps_count_too() {
        let n = 5_000;
        let mut ops = vec![call(); n];
        ops.push(Op::Ja { target: 0 });
        ops.push(Op::Exit);
        let seen = vec![true; ops.len()];
        let wide = vec![false; ops.len()];
        let mut growth = vec![0; ops.len()];
        growth[..n].iter_mut().for_each(|g| *g = 6);
        assert_eq!(
            overflowing_jump(&ops, &seen, &growth, &wide),
            Some((n, -35_001))
        );
    }
}

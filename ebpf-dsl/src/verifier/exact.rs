//! Exactness marks (issue 12, "the 2^29 class"): which scalars of a state this verifier
//! believes hold *exactly* the kernel's bounds on the same path, not merely bounds that
//! include the kernel's. They decide the 2^29 class for the 6.18 target, and the 6.12 line
//! measured in QEMU ([`KernelVersion::EXACT_WALK_LINES`]) (a second walk of a
//! program refused only for an offset whose minimum this verifier could not show is the
//! kernel's: an offset whose bounds are marked is judged as the kernel judges it) and feed the
//! state oracle (`ebpf-dsl check --dump-states`, `tools/state-compare/compare.py --exact`
//! reports every marked register whose bounds differ from the kernel's at a matching state).
//!
//! The marks are computed by difference, so that anything not named here clears them: after
//! each instruction, a location (a register or an 8-byte stack slot of any frame) keeps its
//! mark only if its value did not change, and a changed location is marked only when
//!
//! - it holds a constant (the kernel's bounds are never wider than ours and the path is
//!   feasible, so a constant of ours is the kernel's constant);
//! - it is the destination of an ALU instruction on scalars whose inputs were all marked
//!   (the instruction's transfer is meant to mirror the kernel's for the target), other than
//!   a division, a modulo, a negation or a sign-extending move (not exercised enough by the
//!   oracle and the fuzzer to claim them);
//! - it is the result of a division or a modulo, whatever its inputs, when this verifier's is
//!   wholly unknown (a 32-bit one: any `u32`), as the kernel's always is (it does not track
//!   them);
//! - it is the result of a 64-bit pointer minus a pointer or of a 32-bit subtraction involving
//!   a pointer when this verifier's is wholly unknown, as the kernel's always is
//!   (`mark_reg_unknown`), or of a negation or byte swap of a pointer likewise, or of a 32-bit
//!   move of a pointer when this verifier's is any `u32` (a sign-extending 64-bit one: wholly
//!   unknown), as the kernel's always is;
//! - it is the destination of a load of a number from a packet, the context or the value of a
//!   map that is not `BPF_F_RDONLY_PROG` (the kernel reads a frozen one's bytes), not
//!   sign-extending, or of a fill from a stack slot that was marked or holds plain bytes;
//! - it is the stack slot written by a store of a marked register;
//! - it is `r0` after a call of a helper whose number the kernel leaves wholly unknown
//!   (`PLAIN_INTEGER_HELPERS`: `bpf_get_prandom_u32`, the clocks, ...) and this verifier too.
//!
//! A conditional jump involving a number refines, on each branch, the compared registers and
//! every register or spill sharing their scalar id (the kernel's `reg_set_min_max`,
//! `reg_bounds_sync` and `sync_linked_regs`, which this verifier's links and refinements
//! follow for the target). When both operands are marked (an immediate counts as one), the
//! registers differ and do not share an id or are one register (compared with itself: the
//! kernel refines it as both operands, one state, which `same_register_refined` follows, the
//! unbounded state of a failed sanity check included), the refined locations keep their marks
//! (their bounds on each branch are the kernel's, and so is the decision of a branch not
//! taken: the kernel's `is_branch_taken` on the same bounds); two copies of one value compared
//! are refined by rules of this verifier not claimed to be the kernel's. Otherwise the operands and every location sharing their ids lose their marks
//! (the kernel refines them from bounds that may not be ours). Locations the comparison does
//! not touch keep theirs either way.
//!
//! A loop head where the kernel may widen imprecise scalars (`may_goto`, an iterator's `next`,
//! a callback-calling helper, a callback's return) clears every mark but the constants', and
//! so does every frame a call creates, but for the arguments `r1`-`r5` of a static subprogram,
//! which keep the caller's marks (the kernel's callee starts with copies of them). Only the
//! innermost 8 frames are tracked.
//!
//! These rules are deliberately generous for the oracle: it is the oracle's run over the rule
//! cases and the kernel selftests that tells which instructions' transfers really are the
//! kernel's (see the module documentation of [`super`]).

use super::{KernelVersion, VerifierError};

/// The target whose transfers the marks were first claimed to mirror (checked live against
/// the running 6.18 kernel by the oracle and the fuzzers); the other lines the second walk
/// decides for are [`KernelVersion::EXACT_WALK_LINES`]; other targets keep the taint.
pub const EXACT_TARGET: KernelVersion = KernelVersion::new(6, 18);

/// Whether the second walk decides the 2^29 class for `kernel`: the lines of
/// [`KernelVersion::EXACT_WALK_LINES`]: [`EXACT_TARGET`] and the 6.12 line, measured.
pub fn decides(kernel: KernelVersion) -> bool {
    KernelVersion::EXACT_WALK_LINES.contains(&kernel.line())
}

/// The phrase every pointer arithmetic doubt's message holds (`transfer/alu.rs`).
pub(crate) const TAINT_PHRASE: &str =
    "the kernel refuses this only if its own minimum is 2^29 or more";

/// The message of a pointer arithmetic doubt (`Exec::taint`, `transfer/alu.rs`): what was added to what, the
/// bounds that reach 2^29, why the kernel may still accept it, and the two ways out (a tighter
/// bound, or the scalpel's trusted range around the instruction and its result's uses).
pub(crate) fn taint_message(dst: u8, s: &Scalar, ptr: &str, result: Option<&Scalar>) -> String {
    let (what, v) = match result {
        None => (format!("the offset's maximum ({}) reaches 2^29", s.smax), s),
        Some(v) => (
            format!(
                "the pointer's variable offset after it ({v}) has a maximum ({}) that reaches 2^29",
                v.smax
            ),
            v,
        ),
    };
    format!(
        "adding {s} to {ptr}: {what} while its minimum here is {}; the kernel refuses this only if its own minimum is 2^29 or more, and its bounds can be tighter than this verifier's (it may know more of how the value was computed), so the kernel may well accept it and this verifier cannot tell (for the 6.18 and 6.12 targets it walks such a program a second time knowing which bounds are exactly the kernel's, and this offset's were not, or that walk ran out of budget). Bound the offset first (e.g. `rX &= 0xffff` or a comparison), or, if the kernel accepts the program, take this instruction and the uses of r{dst} after it on trust: `trust_begin_<name>:` before it, `trust_end_<name>:` after the last use (labels of a text program; `ebpf-dsl disasm` turns an ELF object into one)",
        v.smin
    )
}

/// True if `e` is a path's pointer arithmetic doubt (`State::taint`) reported at its end.
pub(crate) fn is_taint(e: &VerifierError) -> bool {
    e.message.contains(TAINT_PHRASE)
}

use super::domain::scalar::Scalar;
use super::domain::state::{RegVal, Slot, State, CHUNK, SLOTS};
use super::ops::{Op, Src};
use crate::isa::insn::AluOp;

pub use super::domain::exact_marks::Exact;
use super::domain::exact_marks::FRAMES;

/// The scalar a location holds, if any.
fn reg_scalar(v: &RegVal) -> Option<&Scalar> {
    match v {
        RegVal::Scalar(s) => Some(s),
        _ => None,
    }
}

fn slot_scalar(s: &Slot) -> Option<&Scalar> {
    match s {
        Slot::Spill(RegVal::Scalar(v)) | Slot::Part(v, ..) => Some(v),
        _ => None,
    }
}

/// Clears every mark of `st` (a loop head where the kernel may widen, a fresh path).
pub(crate) fn clear(st: &mut State) {
    st.exact = Exact::default();
    mark_constants(st);
}

/// Marks every constant scalar of `st`.
fn mark_constants(st: &mut State) {
    let mut x = std::mem::take(&mut st.exact);
    for (fi, f) in st.frames.iter().enumerate().take(FRAMES) {
        // The bits of the frame gathered first, set at once; the stack read chunk by chunk.
        let mut regs = 0u16;
        for (r, v) in f.regs.iter().enumerate().take(16) {
            if matches!(v, RegVal::Scalar(s) if s.as_const().is_some()) {
                regs |= 1 << r;
            }
        }
        let mut slots = 0u64;
        for c in 0..SLOTS / CHUNK {
            for (j, s) in f.stack.chunk(c).iter().enumerate() {
                if matches!(s, Slot::Spill(RegVal::Scalar(v)) if v.as_const().is_some()) {
                    slots |= 1 << (c * CHUNK + j);
                }
            }
        }
        x.add_bits(fi, regs, slots);
    }
    st.exact = x;
}

/// The stack slot (frame, index) of an access through `base` plus `off` of `size` bytes, when
/// it is at a constant offset within one slot.
fn stack_slot(base: &RegVal, off: i16, size: u32) -> Option<(usize, usize)> {
    let RegVal::Stack { frame, off: b } = base else {
        return None;
    };
    let a = i64::from(*b) + i64::from(off) + 512;
    if a < 0 || a + i64::from(size) > 512 || a / 8 != (a + i64::from(size) - 1) / 8 {
        return None;
    }
    Some((*frame as usize, (a / 8) as usize))
}

/// True if two slots hold the same thing, links aside.
fn same_slot(a: Option<&Slot>, b: Option<&Slot>) -> bool {
    match (a, b) {
        (Some(Slot::Spill(RegVal::Scalar(x))), Some(Slot::Spill(RegVal::Scalar(y)))) => {
            x.same_value(y)
        }
        (Some(Slot::Part(x, n, z, u)), Some(Slot::Part(y, m, w, v))) => {
            x.same_value(y) && n == m && z == w && u == v
        }
        (a, b) => a == b,
    }
}

/// The registers of the frame that runs after `op` that it writes (`r0`-`r5` for a call or a
/// return: the callee's result and the clobbered arguments).
fn written_regs(op: &Op) -> u16 {
    match op {
        Op::Alu { dst, .. }
        | Op::Ldx { dst, .. }
        | Op::LoadAcq { dst, .. }
        | Op::LdImm64 { dst, .. } => 1 << dst,
        Op::Atomic { src, .. } => (1 << src) | 1,
        Op::LdAbs { .. } | Op::Call { .. } | Op::CallLocal { .. } | Op::Exit => 0x3f,
        _ => 0,
    }
}

/// The stack slots (frame, mask) a store of `op` writes, from the state `before` it.
fn written_slots(op: &Op, before: &State) -> Option<(usize, u64)> {
    let (size, dst, off) = match op {
        Op::St { size, dst, off, .. }
        | Op::Stx { size, dst, off, .. }
        | Op::StoreRel { size, dst, off, .. }
        | Op::Atomic { size, dst, off, .. } => (*size, *dst, *off),
        _ => return None,
    };
    match before.cur().regs.get(dst as usize)? {
        base @ RegVal::Stack { frame, .. } => Some(match stack_slot(base, off, size.bytes()) {
            Some((f, i)) => (f, 1 << i),
            None => (*frame as usize, !0),
        }),
        RegVal::StackVar { frame, .. } => Some((*frame as usize, !0)),
        _ => None,
    }
}

/// What a conditional jump does to the marks.
#[derive(Clone, Copy)]
enum CondMarks {
    /// Not a comparison involving a number: a location keeps its mark when unchanged.
    Other,
    /// A comparison of numbers whose operands (registers `regs` of the innermost frame, scalar
    /// ids `ids`) hold exactly the kernel's bounds, of a kind whose refinement this verifier
    /// mirrors for the target (`regs_refine_cond_op`, `reg_bounds_sync`, `sync_linked_regs`):
    /// the operands and every location sharing their ids keep their marks with their refined
    /// values; the others keep theirs when unchanged.
    Exact { regs: u16, ids: [u32; 2] },
    /// Any other comparison involving a number: the operands and every location sharing their
    /// ids lose their marks (the kernel refines them from bounds that may not be ours); the
    /// others keep theirs when unchanged.
    Inexact { regs: u16, ids: [u32; 2] },
}

impl CondMarks {
    /// The operand registers of the innermost frame.
    fn regs(self) -> u16 {
        match self {
            CondMarks::Other => 0,
            CondMarks::Exact { regs, .. } | CondMarks::Inexact { regs, .. } => regs,
        }
    }

    /// Whether a marked location keeps its mark: `operand` if it is a compared register,
    /// `before` and `after` its scalar before and after the jump, `same` if its value did not
    /// change. A copy whose link the jump cut (past the kernel's limit of linked registers,
    /// counted over registers this verifier believes live) loses its mark even when exact:
    /// the kernel, counting over its own liveness, may have refined it.
    fn keeps(
        self,
        operand: bool,
        before: Option<&Scalar>,
        after: Option<&Scalar>,
        same: bool,
    ) -> bool {
        let shares = |ids: [u32; 2]| before.is_some_and(|v| v.id() != 0 && ids.contains(&v.id()));
        match self {
            CondMarks::Other => same,
            CondMarks::Exact { ids, .. } => {
                operand
                    || if shares(ids) {
                        after.is_some_and(|a| before.is_some_and(|b| a.id() == b.id()))
                    } else {
                        same
                    }
            }
            CondMarks::Inexact { ids, .. } => same && !operand && !shares(ids),
        }
    }
}

/// How the conditional jump `op` (if it is one) on `before` treats the marks.
fn cond_marks(op: &Op, before: &State) -> CondMarks {
    let Op::Cond { dst, src, .. } = op else {
        return CondMarks::Other;
    };
    let f = before.cur();
    let fi = before.frames.len() - 1;
    let scalar = |r: u8| f.regs.get(r as usize).and_then(reg_scalar);
    let x = scalar(*dst);
    let (y, sreg) = match src {
        Src::Reg(s) => (scalar(*s), Some(*s)),
        Src::Imm(_) => (None, None),
    };
    if x.is_none() && y.is_none() {
        return CondMarks::Other;
    }
    let regs = (1u16 << dst) | sreg.map_or(0, |s| 1u16 << s);
    let ids = [x.map_or(0, |v| v.id()), y.map_or(0, |v| v.id())];
    let marked = |r: u8| before.exact.reg(fi, r as usize);
    let operands_exact = x.is_some()
        && marked(*dst)
        && match sreg {
            None => true,
            Some(s) => y.is_some() && marked(s),
        };
    // Not two copies of one value: the kernel's handling of these is followed by rules of this
    // verifier that are not claimed exact (a register compared with itself is).
    let mirrored = sreg == Some(*dst) || !(ids[0] != 0 && ids[0] == ids[1]);
    if operands_exact && mirrored {
        CondMarks::Exact { regs, ids }
    } else {
        CondMarks::Inexact { regs, ids }
    }
}

/// The marks of `after`, the state after `op` ran on `before` (the path's state before it;
/// see the module documentation).
///
/// `exact_load` says whether a load of a number through a pointer gives the kernel's bounds
/// (a packet, the context, the value of a map the kernel cannot read while verifying).
pub(crate) fn update(
    op: &Op,
    before: &State,
    after: &mut State,
    exact_load: &dyn Fn(&RegVal) -> bool,
) {
    let bx = &before.exact;
    let mut x = Exact::default();
    let cond = cond_marks(op, before);
    let same_depth = before.frames.len() == after.frames.len();
    let wr = written_regs(op);
    let wr_frames = [
        before.frames.len() - 1,
        after.frames.len().saturating_sub(1),
    ];
    let ws = written_slots(op, before);
    let cur = before.frames.len() - 1;
    // Locations the instruction did not write, whose value did not change, keep their marks;
    // at a comparison of numbers, see `CondMarks`.
    for (fi, (bf, af)) in before
        .frames
        .iter()
        .zip(after.frames.iter())
        .enumerate()
        .take(FRAMES)
    {
        // Only the marked locations can keep a mark: their bits, lowest first.
        let mut regs = bx.reg_bits(fi);
        while regs != 0 {
            let r = regs.trailing_zeros() as usize;
            regs &= regs - 1;
            if r >= af.regs.len() || (wr & (1 << r) != 0 && wr_frames.contains(&fi)) {
                continue;
            }
            let (b, a) = (reg_scalar(&bf.regs[r]), reg_scalar(&af.regs[r]));
            let same = matches!((b, a), (Some(p), Some(q)) if p.same_value(q));
            let operand = fi == cur && cond.regs() & (1 << r) != 0;
            if a.is_some() && cond.keeps(operand, b, a, same) {
                x.set_reg(fi, r);
            }
        }
        let mut slots = bx.slot_bits(fi);
        if let Some((f, m)) = ws {
            if f == fi {
                slots &= !m;
            }
        }
        // A chunk the instruction left shared holds the same scalars (a mark is only ever on
        // a scalar): unless an inexact comparison may drop the marks of the operands' links,
        // its marked slots keep their marks as they are (`keeps` with `same`).
        if !matches!(cond, CondMarks::Inexact { .. }) {
            let mut kept = 0u64;
            for c in 0..SLOTS / CHUNK {
                let mask = 0xffu64 << (c * CHUNK);
                if slots & mask != 0 && bf.stack.chunks_shared(&af.stack, c) {
                    kept |= slots & mask;
                    slots &= !mask;
                }
            }
            x.add_bits(fi, 0, kept);
        }
        while slots != 0 {
            let i = slots.trailing_zeros() as usize;
            slots &= slots - 1;
            if i >= SLOTS || matches!(ws, Some((f, m)) if f == fi && m & (1 << i) != 0) {
                continue;
            }
            let b = bf.stack.get(i).and_then(slot_scalar);
            let a = af.stack.get(i).and_then(slot_scalar);
            let same =
                bf.stack.shares_slot(&af.stack, i) || same_slot(bf.stack.get(i), af.stack.get(i));
            if a.is_some() && cond.keeps(false, b, a, same) {
                x.set_slot(fi, i);
            }
        }
    }
    // A call of a static subprogram (`call pc+N`, one frame more: a global function gets
    // none): the kernel's callee starts with copies of the caller's `r1`-`r5`
    // (`set_callee_state`), so an argument marked in the caller keeps its mark in the callee
    // when this verifier's copy is the same value.
    if matches!(op, Op::CallLocal { .. }) && after.frames.len() == before.frames.len() + 1 {
        let (cf, nf) = (before.frames.len() - 1, before.frames.len());
        for r in 1..=5 {
            let b = reg_scalar(&before.cur().regs[r]);
            let a = reg_scalar(&after.frames[nf].regs[r]);
            if bx.reg(cf, r) && matches!((b, a), (Some(p), Some(q)) if p.same_value(q)) {
                x.set_reg(nf, r);
            }
        }
    }
    // The instruction's own result.
    if same_depth && !before.frames.is_empty() {
        let fi = before.frames.len() - 1;
        let bf = before.cur();
        let af = after.cur();
        let marked_scalar = |r: u8| {
            bx.reg(fi, r as usize) && matches!(bf.regs.get(r as usize), Some(RegVal::Scalar(_)))
        };
        match op {
            // A division or a modulo (signed or not): the kernel does not track them
            // (`is_safe_to_compute_dst_reg_range`), its result is wholly unknown, zero-extended
            // for a 32-bit one (6.18.44: the rule cases `alu_div*_untracked*`), whatever the
            // operands; marked when this verifier's is that too.
            Op::Alu {
                op: AluOp::Div | AluOp::Mod,
                is64,
                dst,
                ..
            } => {
                let unknown = if *is64 { Scalar::UNKNOWN } else { Scalar::WORD };
                if matches!(af.regs.get(*dst as usize), Some(RegVal::Scalar(s)) if s.same_value(&unknown))
                {
                    x.set_reg(fi, *dst as usize);
                }
            }
            // A subtraction a privileged loader may do with a pointer that gives a number: a
            // pointer minus a pointer (`adjust_reg_min_max_vals`: `mark_reg_unknown` before any
            // bounds are computed), and any 32-bit one, `wP -= wQ`, `wP -= N`, `wN -= wP`
            // (`adjust_ptr_min_max_vals`: "32-bit ALU ops on pointers produce (meaningless)
            // scalars", `__mark_reg_unknown`, not zero-extended): the kernel's result is wholly
            // unknown whatever the operands (the rule cases `alu_big_offset_exact_ptr_diff*`,
            // `alu32_sub_ptr_exact*`); marked when this verifier's is that too.
            Op::Alu {
                op: AluOp::Sub,
                is64,
                dst,
                src,
                ..
            } if {
                let ptr = |r: u8| bf.regs.get(r as usize).is_some_and(RegVal::is_pointer);
                let src_ptr = matches!(src, Src::Reg(s) if ptr(*s));
                if *is64 {
                    ptr(*dst) && src_ptr
                } else {
                    ptr(*dst) || src_ptr
                }
            } =>
            {
                if matches!(af.regs.get(*dst as usize), Some(RegVal::Scalar(v)) if v.same_value(&Scalar::UNKNOWN))
                {
                    x.set_reg(fi, *dst as usize);
                }
            }
            // A negation or a byte swap of a pointer (a privileged loader's, either width): the
            // kernel marks the register wholly unknown (`check_alu_op`: `check_reg_arg(...,
            // DST_OP)`, no bounds computed, not zero-extended; the rule cases
            // `alu_ptr_neg_exact*`, `alu_ptr_bswap_exact`); marked when this verifier's is that
            // too.
            Op::Alu {
                op: AluOp::Neg | AluOp::End,
                dst,
                ..
            } if bf.regs.get(*dst as usize).is_some_and(RegVal::is_pointer) => {
                if matches!(af.regs.get(*dst as usize), Some(RegVal::Scalar(v)) if v.same_value(&Scalar::UNKNOWN))
                {
                    x.set_reg(fi, *dst as usize);
                }
            }
            // `wX = wY` or `wX = (sN)wY` of a pointer (a privileged loader's): any `u32`
            // (`check_alu_op`: `mark_reg_unknown`, then `zext_32_to_64`; the rule case
            // `alu32_mov_ptr_zext`); `rX = (sN)rY` of one: wholly unknown (`mark_reg_unknown`;
            // `alu_movsx_ptr_exact`); marked when this verifier's is that too (`rX = rY`
            // copies the pointer: no number).
            Op::Alu {
                op: AluOp::Mov,
                is64,
                dst,
                src: Src::Reg(s),
                ..
            } if bf.regs.get(*s as usize).is_some_and(RegVal::is_pointer) => {
                let kernel = if *is64 { Scalar::UNKNOWN } else { Scalar::WORD };
                if matches!(af.regs.get(*dst as usize), Some(RegVal::Scalar(v)) if v.same_value(&kernel))
                {
                    x.set_reg(fi, *dst as usize);
                }
            }
            // Not a negation or a sign-extending move: neither the oracle's corpora nor the
            // fuzzer exercise them enough to claim them. (A multiplication and `wX s>>= k` are
            // claimed since session 18: the oracle over `verifier_offset_fuzz`'s programs found
            // their marked results equal to the kernel's, 6.18's `tnum_arshift` of the low half
            // and products included.)
            Op::Alu { op: aop, off, .. }
                if *aop == AluOp::Neg || (*aop == AluOp::Mov && *off != 0) => {}
            Op::Alu {
                op: aop, dst, src, ..
            } => {
                let dst_ok = matches!(aop, AluOp::Mov) || marked_scalar(*dst);
                let src_ok = match src {
                    Src::Imm(_) => true,
                    Src::Reg(s) => marked_scalar(*s),
                };
                if dst_ok && src_ok && matches!(af.regs[*dst as usize], RegVal::Scalar(_)) {
                    x.set_reg(fi, *dst as usize);
                }
            }
            // Not a sign-extending load (`ldsx`): not exercised enough to claim it.
            Op::Ldx {
                size,
                dst,
                src,
                off,
                sx: false,
            } => {
                let base = &bf.regs[*src as usize];
                let ok = match base {
                    RegVal::Stack { .. } => {
                        stack_slot(base, *off, size.bytes()).is_some_and(|(f, i)| {
                            bx.slot(f, i)
                                || matches!(
                                    before.frames.get(f).and_then(|fr| fr.stack.get(i)),
                                    Some(Slot::Bytes(_))
                                )
                        })
                    }
                    other => exact_load(other),
                };
                if ok && matches!(af.regs[*dst as usize], RegVal::Scalar(_)) {
                    x.set_reg(fi, *dst as usize);
                }
            }
            Op::Stx {
                size,
                dst,
                src,
                off,
            } if marked_scalar(*src) => {
                let slot = stack_slot(&bf.regs[*dst as usize], *off, size.bytes());
                if let Some((f, i)) = slot {
                    let spilled = after
                        .frames
                        .get(f)
                        .and_then(|fr| fr.stack.get(i))
                        .and_then(slot_scalar);
                    if spilled.is_some() {
                        x.set_slot(f, i);
                    }
                }
            }
            // The number a helper of [`PLAIN_INTEGER_HELPERS`] returns: unknown to the kernel
            // (`mark_reg_unknown`, no `do_refine_retval_range` case), and to this verifier.
            Op::Call {
                helper,
                kfunc: false,
            } if PLAIN_INTEGER_HELPERS.contains(helper)
                && matches!(af.regs.first(), Some(RegVal::Scalar(s)) if s.same_value(&Scalar::UNKNOWN)) =>
            {
                x.set_reg(fi, 0);
            }
            _ => {}
        }
    }
    after.exact = x;
    mark_constants(after);
}

/// Helpers whose result the kernel leaves wholly unknown (`RET_INTEGER`, not refined by
/// `do_refine_retval_range`, no callback): `bpf_ktime_get_ns`, `bpf_get_prandom_u32`,
/// `bpf_get_current_pid_tgid`, `bpf_get_current_uid_gid`, `bpf_jiffies64`,
/// `bpf_ktime_get_boot_ns`, `bpf_ktime_get_coarse_ns`. Their result is marked when this
/// verifier's is wholly unknown too (never `bpf_get_smp_processor_id`, which the kernel bounds
/// by the number of CPUs, nor the string and stack helpers it bounds by their sizes).
const PLAIN_INTEGER_HELPERS: [i32; 7] = [5, 7, 14, 15, 118, 125, 160];

/// In the dump's walk (exact pruning), whether checkpoint `old` may prune `new` as far as the
/// marks go: every marked location of `old` is marked in `new` with the same value, so that
/// what `old`'s paths mark later is what `new`'s would.
pub(crate) fn prunes(old: &State, new: &State) -> bool {
    prunes_masked(old, new, &[])
}

/// [`prunes`] for the locations that matter below a finished checkpoint, as the 2^29 class's
/// second walk prunes (the ordinary walk's liveness and precision, the kernel's `regsafe`):
/// `marks[k]` are frame `k`'s live and precise locations (bits: registers 0..=10, then the 64
/// stack slots, as [`covers_frames`](super::domain::state_covers::covers_frames) takes them);
/// only the marked locations of `old` both live and precise there must be marked in `new`
/// with the same value (a frame beyond `marks`: every one). A location whose value never
/// mattered below `old` (no bound, offset or decided jump read it: the ordinary walk's
/// precision, which demands every scalar added to a pointer) decides no offset's minimum
/// there, so its bounds need not be the kernel's; a precise one is compared exactly, so that
/// the kernel's own inclusion test on it is the one this verifier makes.
pub(crate) fn prunes_masked(old: &State, new: &State, marks: &[(u128, u128)]) -> bool {
    if old.frames.len() != new.frames.len() {
        return false;
    }
    for (fi, (of, nf)) in old
        .frames
        .iter()
        .zip(new.frames.iter())
        .enumerate()
        .take(FRAMES)
    {
        let (live, precise) = marks.get(fi).copied().unwrap_or((!0, !0));
        let matters = live & precise;
        for r in 0..of.regs.len().min(16) {
            if r < 11 && matters & (1u128 << r) == 0 {
                continue;
            }
            if old.exact.reg(fi, r)
                && (!new.exact.reg(fi, r)
                    || !match (reg_scalar(&of.regs[r]), reg_scalar(&nf.regs[r])) {
                        (Some(a), Some(b)) => a.same_value(b),
                        _ => false,
                    })
            {
                return false;
            }
        }
        for i in 0..SLOTS {
            if matters & (1u128 << (11 + i)) == 0 {
                continue;
            }
            if old.exact.slot(fi, i) {
                let a = of.stack.get(i).and_then(slot_scalar);
                let b = nf.stack.get(i).and_then(slot_scalar);
                let same = match (a, b) {
                    (Some(a), Some(b)) => a.same_value(b) && of.stack.get(i) == nf.stack.get(i),
                    _ => false,
                };
                if !new.exact.slot(fi, i) || !same {
                    return false;
                }
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::insn::AluOp;
    use crate::isa::insn::{JmpOp, Size};
    use crate::verifier::domain::scalar::Scalar;

    fn word() -> RegVal {
        RegVal::Scalar(Scalar::of_size(4))
    }

    fn alu(dst: u8, src: Src, op: AluOp) -> Op {
        Op::Alu {
            is64: true,
            op,
            dst,
            src,
            off: 0,
            imm: 0,
        }
    }

    fn marked_after(op: &Op, before: &State, after_regs: &[(usize, RegVal)]) -> State {
        let mut after = before.clone();
        for (r, v) in after_regs {
            after.frames[0].regs[*r] = *v;
        }
        update(op, before, &mut after, &|_| true);
        after
    }

    #[test]
    fn a_result_of_marked_inputs_is_marked_and_an_unwritten_register_keeps_its_mark() {
        let mut st = crate::verifier::initial_state();
        st.frames[0].regs[6] = word();
        st.frames[0].regs[7] = word();
        st.exact.set_reg(0, 6);
        // r6 += r7 with r7 unmarked: the result is not marked.
        let op = alu(6, Src::Reg(7), AluOp::Add);
        let sum = RegVal::Scalar(Scalar::of_size(4).add(&Scalar::of_size(4)));
        let after = marked_after(&op, &st, &[(6, sum)]);
        assert!(!after.exact.reg(0, 6));
        // r6 &= 0xff: marked input, constant operand: marked; r7 untouched, still unmarked.
        let op = alu(6, Src::Imm(0xff), AluOp::And);
        let after = marked_after(&op, &st, &[(6, RegVal::Scalar(Scalar::of_size(1)))]);
        assert!(after.exact.reg(0, 6) && !after.exact.reg(0, 7));
        // r7 = r6 with the same bounds as before: written, so r7 takes r6's mark, and r6
        // (linked now, same bounds) keeps its own.
        let op = alu(7, Src::Reg(6), AluOp::Mov);
        let after = marked_after(&op, &st, &[]);
        assert!(after.exact.reg(0, 7) && after.exact.reg(0, 6));
        // r6 = r7 (unmarked) with the same bounds as r6 had: written, not marked.
        let op = alu(6, Src::Reg(7), AluOp::Mov);
        let after = marked_after(&op, &st, &[]);
        assert!(!after.exact.reg(0, 6));
    }

    #[test]
    fn a_static_subprogram_call_keeps_the_marks_of_the_arguments_it_copies() {
        let mut st = crate::verifier::initial_state();
        // r1 marked, r2 unmarked, r3 marked but changed in the callee (not a copy).
        for r in 1..=3 {
            st.frames[0].regs[r] = word();
        }
        st.exact.set_reg(0, 1);
        st.exact.set_reg(0, 3);
        let mut after = st.clone();
        let mut callee = after.frames[0].clone();
        callee.regs[3] = RegVal::Scalar(Scalar::of_size(1));
        after.frames.push(callee);
        update(&Op::CallLocal { target: 0 }, &st, &mut after, &|_| true);
        assert!(
            after.exact.reg(1, 1),
            "a marked argument copied: marked in the callee"
        );
        assert!(!after.exact.reg(1, 2) && !after.exact.reg(1, 3));
        // No new frame (a global function): nothing marked in a callee.
        let mut same = st.clone();
        update(&Op::CallLocal { target: 0 }, &st, &mut same, &|_| true);
        assert!(!same.exact.reg(1, 1));
    }

    fn cmp(dst: u8, src: Src) -> Op {
        Op::Cond {
            is64: true,
            op: JmpOp::Jgt,
            dst,
            src,
            target: 0,
        }
    }

    fn linked(id: u32) -> RegVal {
        RegVal::Scalar(Scalar {
            link: id,
            ..Scalar::of_size(4)
        })
    }

    #[test]
    fn a_comparison_of_unmarked_numbers_drops_the_marks_of_its_operands_and_their_copies() {
        let mut st = crate::verifier::initial_state();
        // r6 marked, unrelated; r7 a constant; r8 unmarked, linked to r3 (marked) and to the
        // spill at slot 62 (marked).
        st.frames[0].regs[6] = word();
        st.frames[0].regs[7] = RegVal::Scalar(Scalar::konst(5));
        st.frames[0].regs[8] = linked(4);
        st.frames[0].regs[3] = linked(4);
        if let Some(s) = st.frames[0].stack.iter_mut().nth(62) {
            *s = Slot::Spill(linked(4));
        }
        for r in [6, 7, 3] {
            st.exact.set_reg(0, r);
        }
        st.exact.set_slot(0, 62);
        let after = marked_after(&cmp(8, Src::Imm(3)), &st, &[]);
        assert!(
            after.exact.reg(0, 6) && after.exact.reg(0, 7),
            "untouched: kept"
        );
        assert!(!after.exact.reg(0, 8) && !after.exact.reg(0, 3) && !after.exact.slot(0, 62));
        // A marked register compared with an unmarked one loses its mark too.
        let after = marked_after(&cmp(6, Src::Reg(8)), &st, &[]);
        assert!(!after.exact.reg(0, 6) && after.exact.reg(0, 7));
        // A null check of a pointer compares no number: marks stay.
        st.frames[0].regs[8] = RegVal::Ctx { off: 0 };
        let op = Op::Cond {
            is64: true,
            op: JmpOp::Jeq,
            dst: 8,
            src: Src::Imm(0),
            target: 0,
        };
        let after = marked_after(&op, &st, &[]);
        assert!(after.exact.reg(0, 6) && after.exact.reg(0, 3));
    }

    #[test]
    fn a_comparison_of_marked_numbers_keeps_the_marks_of_what_it_refines() {
        let mut st = crate::verifier::initial_state();
        st.frames[0].regs[6] = linked(4);
        st.frames[0].regs[3] = linked(4);
        st.frames[0].regs[7] = word();
        for r in [6, 3, 7] {
            st.exact.set_reg(0, r);
        }
        // r6 > 3: r6 and its copy r3 refined (1..): both keep their marks.
        let refined = RegVal::Scalar(Scalar {
            link: 4,
            ..Scalar::urange(4, 0xffff_ffff)
        });
        let after = marked_after(&cmp(6, Src::Imm(3)), &st, &[(6, refined), (3, refined)]);
        assert!(after.exact.reg(0, 6) && after.exact.reg(0, 3) && after.exact.reg(0, 7));
        // A copy whose link was cut (past the limit of linked registers) loses its mark.
        let after = marked_after(&cmp(6, Src::Imm(3)), &st, &[(6, refined), (3, word())]);
        assert!(after.exact.reg(0, 6) && !after.exact.reg(0, 3));
        // Against another marked register: kept too.
        let after = marked_after(&cmp(6, Src::Reg(7)), &st, &[(6, refined)]);
        assert!(after.exact.reg(0, 6) && after.exact.reg(0, 7));
        // A register compared with itself: its refinement of the one state is the kernel's.
        let after = marked_after(&cmp(7, Src::Reg(7)), &st, &[]);
        assert!(after.exact.reg(0, 7) && after.exact.reg(0, 6));
        // Two copies of one value: not claimed.
        let after = marked_after(&cmp(6, Src::Reg(3)), &st, &[]);
        assert!(!after.exact.reg(0, 6) && !after.exact.reg(0, 3) && after.exact.reg(0, 7));
    }

    #[test]
    fn a_spill_of_a_marked_register_marks_the_slot_and_a_fill_of_it_the_register() {
        let mut st = crate::verifier::initial_state();
        st.frames[0].regs[6] = word();
        st.exact.set_reg(0, 6);
        let op = Op::Stx {
            size: Size::DW,
            dst: 10,
            src: 6,
            off: -16,
        };
        let mut after = st.clone();
        if let Some(s) = after.frames[0].stack.iter_mut().nth(62) {
            *s = Slot::Spill(word());
        }
        update(&op, &st, &mut after, &|_| true);
        assert!(after.exact.slot(0, 62));
        let op = Op::Ldx {
            size: Size::DW,
            sx: false,
            dst: 3,
            src: 10,
            off: -16,
        };
        let before = after.clone();
        let mut filled = after;
        filled.frames[0].regs[3] = word();
        update(&op, &before, &mut filled, &|_| true);
        assert!(filled.exact.reg(0, 3) && filled.exact.slot(0, 62));
    }

    #[test]
    fn a_quotient_is_marked_when_wholly_unknown_for_its_width() {
        let mut st = crate::verifier::initial_state();
        st.frames[0].regs[6] = word();
        let div = |is64| Op::Alu {
            is64,
            op: AluOp::Div,
            dst: 6,
            src: Src::Imm(3),
            off: 0,
            imm: 3,
        };
        // Unmarked dividend: the kernel's quotient is unknown all the same.
        let unknown = RegVal::Scalar(Scalar::UNKNOWN);
        assert!(marked_after(&div(true), &st, &[(6, unknown)])
            .exact
            .reg(0, 6));
        assert!(marked_after(&div(false), &st, &[(6, word())])
            .exact
            .reg(0, 6));
        // A 64-bit quotient this verifier bounds (to a u32), or a 32-bit one narrower than a
        // u32: not the kernel's.
        assert!(!marked_after(&div(true), &st, &[(6, word())])
            .exact
            .reg(0, 6));
        let byte = RegVal::Scalar(Scalar::of_size(1));
        assert!(!marked_after(&div(false), &st, &[(6, byte)]).exact.reg(0, 6));
    }

    #[test]
    fn a_plain_helper_result_is_marked_only_when_wholly_unknown() {
        let st = crate::verifier::initial_state();
        let call = |helper| Op::Call {
            helper,
            kfunc: false,
        };
        let unknown = RegVal::Scalar(Scalar::UNKNOWN);
        // bpf_get_prandom_u32: marked.
        let after = marked_after(&call(7), &st, &[(0, unknown)]);
        assert!(after.exact.reg(0, 0));
        // bpf_get_smp_processor_id (bounded by the kernel): not marked.
        let after = marked_after(&call(8), &st, &[(0, unknown)]);
        assert!(!after.exact.reg(0, 0));
        // A result this verifier bounds: not marked (the kernel's bounds may differ).
        let after = marked_after(&call(7), &st, &[(0, word())]);
        assert!(!after.exact.reg(0, 0));
        // A kfunc of the same number: not marked.
        let kf = Op::Call {
            helper: 7,
            kfunc: true,
        };
        let after = marked_after(&kf, &st, &[(0, unknown)]);
        assert!(!after.exact.reg(0, 0));
    }

    #[test]
    fn a_checkpoint_prunes_only_a_state_marked_alike() {
        let mut old = crate::verifier::initial_state();
        old.frames[0].regs[6] = word();
        let mut new = old.clone();
        assert!(prunes(&old, &new));
        old.exact.set_reg(0, 6);
        assert!(!prunes(&old, &new), "old's mark is not new's");
        new.exact.set_reg(0, 6);
        assert!(prunes(&old, &new));
        new.frames[0].regs[6] = RegVal::Scalar(Scalar::of_size(1));
        assert!(!prunes(&old, &new), "marked, but other bounds");
        // A mark of new alone does not matter: old's paths mark less.
        let (mut a, b) = (crate::verifier::initial_state(), new.clone());
        a.frames[0].regs[6] = RegVal::Scalar(Scalar::of_size(1));
        assert!(prunes(&a, &b));
    }
}

//! The abstract interpreter: one step per instruction, path exploration with pruning.

use std::collections::HashMap;

use crate::insn::{AluOp, AtomicOp, JmpOp, Size};
use crate::spec::{MapSpec, RelocKind};

use super::cfg::{Cfg, Op, Src};
use super::ctx::{self, CtxField};
use super::helpers::{self, Arg, Ret};
use super::scalar::Scalar;
use super::state::{Byte, Frame, PktKind, RegVal, Slot, State};
use super::tnum::Tnum;
use super::{
    alu_name, initial_state, size_name, Explorer, PruneResult, Report, Rule, VerifierError,
    VerifyInput, MAX_PENDING, MAX_PROCESSED,
};

type R<T> = Result<T, VerifierError>;

/// The kernel's bound on pointer offsets (`BPF_MAX_VAR_OFF`).
const MAX_VAR_OFF: i64 = 1 << 29;
/// The kernel's largest packet offset it tracks (`MAX_PACKET_OFF`).
const MAX_PACKET_OFF: u64 = 0xffff;
/// `BPF_F_RDONLY_PROG`.
const BPF_F_RDONLY_PROG: u32 = 1 << 7;
/// Deepest call chain (`MAX_CALL_FRAMES`).
const MAX_CALL_FRAMES: usize = 8;

enum Step {
    Next(usize),
    Branch {
        other_pc: usize,
        other: State,
        pc: usize,
    },
    Done,
}

pub(crate) struct Exec<'a> {
    input: &'a VerifyInput<'a>,
    ops: &'a [Op],
    cfg: &'a Cfg,
    map_refs: HashMap<usize, (u16, RelocKind)>,
    family: u8,
    gpl: bool,
    processed: usize,
    pruned: usize,
    /// Deepest stack offset used, per subprogram.
    depth: Vec<u32>,
    /// A `bpf_tail_call` was seen (limits the stack of programs with bpf-to-bpf calls).
    tail_call_seen: bool,
}

fn e(pc: usize, rule: Rule, msg: impl Into<String>) -> VerifierError {
    VerifierError {
        insn_index: pc,
        rule,
        message: msg.into(),
    }
}

fn scalar_of(n: u32, sx: bool) -> Scalar {
    let s = Scalar::of_size(n);
    if sx {
        s.sext(n * 8)
    } else {
        s
    }
}

fn var_text(var: &Scalar) -> String {
    match var.as_const() {
        Some(0) => String::new(),
        Some(c) => format!(" + {}", c as i64),
        None => format!(" + var({}..={})", var.umin, var.umax),
    }
}

fn alu64(op: AluOp, a: &Scalar, b: &Scalar) -> Scalar {
    match op {
        AluOp::Add => a.add(b),
        AluOp::Sub => a.sub(b),
        AluOp::Mul => a.mul(b),
        AluOp::And => a.and(b),
        AluOp::Or => a.or(b),
        AluOp::Xor => a.xor(b),
        AluOp::Lsh | AluOp::Rsh | AluOp::Arsh => match b.as_const() {
            Some(k) if k < 64 => match op {
                AluOp::Lsh => a.lsh(k as u32),
                AluOp::Rsh => a.rsh(k as u32),
                _ => a.arsh(k as u32),
            },
            _ => Scalar::UNKNOWN,
        },
        AluOp::Neg => Scalar::konst(0).sub(a),
        // The kernel does not track these: unknown, whatever the operands.
        _ => Scalar::UNKNOWN,
    }
}

/// Byte swaps and `le` conversions (`swap`: `be16/32/64`, `bswap`; else `le`, a truncation).
fn end_op(a: &Scalar, width: i64, swap: bool) -> Scalar {
    match (width, swap) {
        (64, false) => *a,
        (16, false) => a.and(&Scalar::konst(0xffff)),
        (32, false) => a.and(&Scalar::konst(0xffff_ffff)),
        // Swaps: the kernel's result is not narrower than unknown in every case; claim nothing.
        _ => Scalar::UNKNOWN,
    }
}

fn alu32(op: AluOp, a: &Scalar, b: &Scalar) -> Scalar {
    let (a, b) = (a.trunc32(), b.trunc32());
    let r = match op {
        AluOp::Add | AluOp::Sub | AluOp::Mul | AluOp::And | AluOp::Or | AluOp::Xor => {
            alu64(op, &a, &b)
        }
        AluOp::Neg => Scalar::konst(0).sub(&a),
        AluOp::Lsh | AluOp::Rsh | AluOp::Arsh => match b.as_const() {
            Some(k) if k < 32 => match op {
                AluOp::Lsh => a.lsh(k as u32),
                AluOp::Rsh => a.rsh(k as u32),
                _ => a.sext(32).arsh(k as u32),
            },
            _ => return Scalar::UNKNOWN,
        },
        _ => return Scalar::UNKNOWN,
    };
    if matches!(op, AluOp::Add | AluOp::Sub | AluOp::Mul | AluOp::Neg) {
        // The signed 32-bit view (the kernel tracks s32 bounds too): exact when no s32 overflow.
        let (sa, sb) = (a.sext(32), b.sext(32));
        let rs = if op == AluOp::Neg {
            Scalar::konst(0).sub(&sa)
        } else {
            alu64(op, &sa, &sb)
        };
        if rs.smin >= i32::MIN as i64 && rs.smax <= i32::MAX as i64 && rs.smax >= rs.smin {
            let z = if rs.smin >= 0 {
                Some((rs.smin as u64, rs.smax as u64))
            } else if rs.smax < 0 {
                Some((rs.smin as u32 as u64, rs.smax as u32 as u64))
            } else {
                None
            };
            match z {
                Some((lo, hi)) => {
                    let u = r.trunc32_wrapped();
                    Scalar {
                        umin: u.umin.max(lo),
                        umax: u.umax.min(hi),
                        ..u
                    }
                    .sync()
                    .unwrap_or(u)
                }
                None => r.trunc32_wrapped(),
            }
        } else {
            r.trunc32_wrapped()
        }
    } else {
        r.trunc32_wrapped()
    }
}

impl Scalar {
    /// The zero-extended low 32 bits of a 64-bit intermediate result.
    fn trunc32_wrapped(&self) -> Scalar {
        let r = *self;
        if r.umax > u32::MAX as u64 && r.as_const().is_none() {
            // Wrapped: keep only what the known bits say (as the kernel's subregister tnum).
            Scalar::urange(0, u32::MAX as u64).with_tnum(r.t.cast32())
        } else {
            r.trunc32()
        }
    }
}

impl Scalar {
    fn with_tnum(self, t: Tnum) -> Scalar {
        Scalar {
            t: self.t.intersect(t),
            ..self
        }
        .sync()
        .unwrap_or(self)
    }
}

/// Decides a comparison from ranges alone, exactly as the kernel's `is_scalar_branch_taken`
/// would (never more precisely).
fn branch_taken(op: JmpOp, a: &Scalar, b: &Scalar) -> Option<bool> {
    match op {
        JmpOp::Jeq | JmpOp::Jne => {
            let eq = if let (Some(x), Some(y)) = (a.as_const(), b.as_const()) {
                Some(x == y)
            } else if a.umin > b.umax || a.umax < b.umin || a.smin > b.smax || a.smax < b.smin {
                Some(false)
            } else {
                None
            };
            eq.map(|x| if op == JmpOp::Jeq { x } else { !x })
        }
        JmpOp::Jset => {
            let (a, b) = if b.as_const().is_none() {
                (b, a)
            } else {
                (a, b)
            };
            let c = b.as_const()?;
            if (a.t.value & !a.t.mask) & c != 0 {
                Some(true)
            } else if (a.t.value | a.t.mask) & c == 0 {
                Some(false)
            } else {
                None
            }
        }
        JmpOp::Jgt => dec(a.umin > b.umax, a.umax <= b.umin),
        JmpOp::Jge => dec(a.umin >= b.umax, a.umax < b.umin),
        JmpOp::Jlt => dec(a.umax < b.umin, a.umin >= b.umax),
        JmpOp::Jle => dec(a.umax <= b.umin, a.umin > b.umax),
        JmpOp::Jsgt => dec(a.smin > b.smax, a.smax <= b.smin),
        JmpOp::Jsge => dec(a.smin >= b.smax, a.smax < b.smin),
        JmpOp::Jslt => dec(a.smax < b.smin, a.smin >= b.smax),
        JmpOp::Jsle => dec(a.smax <= b.smin, a.smin > b.smax),
        _ => None,
    }
}

fn dec(t: bool, f: bool) -> Option<bool> {
    if t {
        Some(true)
    } else if f {
        Some(false)
    } else {
        None
    }
}

fn fix(s: Scalar) -> Scalar {
    // A contradiction on a branch the kernel still walks: it marks the register unbounded.
    s.sync().unwrap_or(Scalar::UNKNOWN)
}

/// Refines `a op b` assumed `taken`; returns the new `(a, b)`.
fn refine(op: JmpOp, taken: bool, a: Scalar, b: Scalar) -> (Scalar, Scalar) {
    use JmpOp::*;
    // Normalise to the "true" sense of a positive operator.
    let (op, taken) = match (op, taken) {
        (Jne, t) => (Jeq, !t),
        (o, t) => (o, t),
    };
    match (op, taken) {
        (Jeq, true) => {
            let x = Scalar {
                umin: a.umin.max(b.umin),
                umax: a.umax.min(b.umax),
                smin: a.smin.max(b.smin),
                smax: a.smax.min(b.smax),
                t: a.t.intersect(b.t),
                link: 0,
            };
            let x = fix(x);
            (x, x)
        }
        (Jeq, false) => {
            let trim = |mut x: Scalar, c: Option<u64>| {
                if let Some(c) = c {
                    if x.umin == c && x.umin < u64::MAX {
                        x.umin += 1;
                    }
                    if x.umax == c && x.umax > 0 {
                        x.umax -= 1;
                    }
                    if x.smin == c as i64 && x.smin < i64::MAX {
                        x.smin += 1;
                    }
                    if x.smax == c as i64 && x.smax > i64::MIN {
                        x.smax -= 1;
                    }
                }
                fix(x)
            };
            (trim(a, b.as_const()), trim(b, a.as_const()))
        }
        (Jset, true) => (a, b),
        (Jset, false) => match b.as_const() {
            Some(c) => {
                // Like the kernel (6.18): forget the ranges, then narrow the known bits.
                let t = Tnum {
                    value: a.t.value & !c,
                    mask: a.t.mask & !c,
                };
                (
                    fix(Scalar {
                        t,
                        ..Scalar::UNKNOWN
                    }),
                    b,
                )
            }
            None => (a, b),
        },
        // a > b  /  a <= b
        (Jgt, true) => ugt(a, b),
        (Jgt, false) => {
            let (b2, a2) = uge(b, a);
            (a2, b2)
        }
        (Jge, true) => uge(a, b),
        (Jge, false) => {
            let (b2, a2) = ugt(b, a);
            (a2, b2)
        }
        (Jlt, t) => {
            let (b2, a2) = refine(Jgt, t, b, a);
            (a2, b2)
        }
        (Jle, t) => {
            let (b2, a2) = refine(Jge, t, b, a);
            (a2, b2)
        }
        (Jsgt, true) => sgt(a, b),
        (Jsgt, false) => {
            let (b2, a2) = sge(b, a);
            (a2, b2)
        }
        (Jsge, true) => sge(a, b),
        (Jsge, false) => {
            let (b2, a2) = sgt(b, a);
            (a2, b2)
        }
        (Jslt, t) => {
            let (b2, a2) = refine(Jsgt, t, b, a);
            (a2, b2)
        }
        (Jsle, t) => {
            let (b2, a2) = refine(Jsge, t, b, a);
            (a2, b2)
        }
        _ => (a, b),
    }
}

/// Kernel 6.18 does not keep a signed range that crosses zero when an unsigned comparison
/// refines the register (observed: `s<= 8` then `<= 9` leaves `smax = 9`), and we must not be
/// more precise than it: such signed bounds are dropped before the refinement. (The kernel's
/// separate 32-bit bounds sometimes recover the precision; this verifier then rejects.)
fn forget_signed(mut x: Scalar) -> Scalar {
    if x.smin < 0 && x.smax >= 0 {
        // A signed range across zero: the kernel derives the signed range from the refined
        // unsigned one without intersecting (observed: s in [-2^40, 0] then `>= 64` false gives
        // s in [0, 63], not [0, 0]).
        x.smin = i64::MIN;
        x.smax = i64::MAX;
    }
    x
}

/// The unsigned counterpart of [`forget_signed`] (conservative: only loses precision).
fn forget_unsigned(mut x: Scalar) -> Scalar {
    if x.umin <= i64::MAX as u64 && x.umax > i64::MAX as u64 {
        x.umin = 0;
        x.umax = u64::MAX;
    }
    x
}

fn ugt(a: Scalar, b: Scalar) -> (Scalar, Scalar) {
    let (mut a, mut b) = (forget_signed(a), forget_signed(b));
    a.umin = a.umin.max(b.umin.saturating_add(1));
    b.umax = b.umax.min(a.umax.saturating_sub(1));
    (fix(a), fix(b))
}

fn uge(a: Scalar, b: Scalar) -> (Scalar, Scalar) {
    let (mut a, mut b) = (forget_signed(a), forget_signed(b));
    a.umin = a.umin.max(b.umin);
    b.umax = b.umax.min(a.umax);
    (fix(a), fix(b))
}

fn sgt(a: Scalar, b: Scalar) -> (Scalar, Scalar) {
    let (mut a, mut b) = (forget_unsigned(a), forget_unsigned(b));
    a.smin = a.smin.max(b.smin.saturating_add(1));
    b.smax = b.smax.min(a.smax.saturating_sub(1));
    (fix(a), fix(b))
}

fn sge(a: Scalar, b: Scalar) -> (Scalar, Scalar) {
    let (mut a, mut b) = (forget_unsigned(a), forget_unsigned(b));
    a.smin = a.smin.max(b.smin);
    b.smax = b.smax.min(a.smax);
    (fix(a), fix(b))
}

fn is_signed(op: JmpOp) -> bool {
    matches!(op, JmpOp::Jsgt | JmpOp::Jsge | JmpOp::Jslt | JmpOp::Jsle)
}

impl<'a> Exec<'a> {
    pub(crate) fn new(
        input: &'a VerifyInput<'a>,
        ops: &'a [Op],
        cfg: &'a Cfg,
        map_refs: HashMap<usize, (u16, RelocKind)>,
    ) -> Self {
        Exec {
            input,
            ops,
            cfg,
            map_refs,
            family: helpers::family(input.prog_type).unwrap_or(0),
            gpl: super::license_is_gpl_compatible(input.license),
            processed: 0,
            pruned: 0,
            depth: vec![0; cfg.subprog_starts.len()],
            tail_call_seen: false,
        }
    }

    fn map(&self, m: u16) -> &MapSpec {
        &self.input.maps[m as usize]
    }

    fn describe(&self, v: &RegVal) -> String {
        match v {
            RegVal::NotInit => "uninitialised".into(),
            RegVal::Scalar(s) => s.to_string(),
            RegVal::Ctx { off: 0 } => "the context pointer".into(),
            RegVal::Ctx { off } => format!("the context pointer + {off}"),
            RegVal::Stack { off, .. } => format!("a stack pointer (r10 {off:+})"),
            RegVal::Pkt {
                kind,
                off,
                var,
                range,
                ..
            } => {
                let (what, start, end) = match kind {
                    PktKind::Data => ("a packet pointer", "data", "data_end"),
                    PktKind::Meta => ("a metadata pointer", "data_meta", "data"),
                };
                let v = var_text(var);
                if *range > 0 {
                    format!("{what} ({start}{v} + {off}) proven safe up to {start}{v} + {range}")
                } else {
                    format!("{what} ({start}{v} + {off}) not yet compared against {end}")
                }
            }
            RegVal::PktEnd => "data_end".into(),
            RegVal::MapPtr { map } => format!("the map `{}`", self.map(*map).name_str()),
            RegVal::MapValue { map, off, var } => {
                format!(
                    "a pointer into a value of map `{}` (offset {off}{})",
                    self.map(*map).name_str(),
                    var_text(var)
                )
            }
            RegVal::MapValueOrNull { map, .. } => {
                format!(
                    "a lookup result from map `{}` that may be NULL",
                    self.map(*map).name_str()
                )
            }
            RegVal::Opaque { map } => format!(
                "an entry of map `{}` (not readable)",
                self.map(*map).name_str()
            ),
            RegVal::OpaqueOrNull { map, .. } => {
                format!(
                    "a lookup result from map `{}` that may be NULL",
                    self.map(*map).name_str()
                )
            }
            RegVal::Ringbuf { size, off, .. } => {
                format!("ring buffer memory ({size} bytes, offset {off})")
            }
            RegVal::RingbufOrNull { size, .. } => {
                format!("a ring buffer reservation ({size} bytes) that may be NULL")
            }
        }
    }

    fn read(&self, st: &State, pc: usize, r: u8) -> R<RegVal> {
        let v = &st.cur().regs[r as usize];
        if *v == RegVal::NotInit {
            let hint = if (1..=5).contains(&r) {
                " (calls clobber r1-r5; keep values in r6-r9 across calls)"
            } else if r == 0 {
                " (r0 is set by calls and by you)"
            } else {
                ""
            };
            return Err(e(
                pc,
                Rule::UninitRegister,
                format!("r{r} is read here but no instruction on this path has written it{hint}"),
            ));
        }
        Ok(v.clone())
    }

    fn set(&self, st: &mut State, r: u8, v: RegVal) {
        st.cur_mut().regs[r as usize] = v;
    }

    fn write_dst(&self, pc: usize, dst: u8) -> R<()> {
        if dst == 10 {
            return Err(e(
                pc,
                Rule::FramePointer,
                "r10 (the frame pointer) is read-only; copy it first (`r1 = r10; r1 += -8`)",
            ));
        }
        Ok(())
    }

    pub(crate) fn run(&mut self) -> R<Report> {
        let mut ex = Explorer::new(self.cfg.prune_point.len());
        let mut pending: Vec<(usize, State, Option<usize>)> = vec![(0, initial_state(), None)];
        while let Some((mut pc, mut st, mut parent)) = pending.pop() {
            loop {
                self.processed += 1;
                if self.processed > MAX_PROCESSED {
                    return Err(e(pc, Rule::Complexity, format!(
                        "more than {MAX_PROCESSED} instructions processed over all paths (the kernel's limit); simplify the program or bound its loops more tightly"
                    )));
                }
                if self.cfg.prune_point[pc] {
                    match ex.visit(pc, &st, self.cfg.live_in[pc], parent) {
                        PruneResult::Pruned => {
                            self.pruned += 1;
                            ex.finish(parent);
                            break;
                        }
                        PruneResult::Loop => {
                            return Err(e(pc, Rule::InfiniteLoop, format!(
                                "infinite loop: instruction {pc} is reached again with exactly the same state, so the loop makes no progress"
                            )))
                        }
                        PruneResult::Continue(p) => parent = p,
                    }
                }
                match self.step(pc, &mut st)? {
                    Step::Next(n) => pc = n,
                    Step::Branch {
                        other_pc,
                        other,
                        pc: n,
                    } => {
                        ex.branch(parent);
                        pending.push((other_pc, other, parent));
                        if pending.len() > MAX_PENDING {
                            return Err(e(pc, Rule::Complexity, format!("more than {MAX_PENDING} branches pending at once (the kernel's limit)")));
                        }
                        pc = n;
                    }
                    Step::Done => {
                        ex.finish(parent);
                        break;
                    }
                }
            }
        }
        self.check_stack_depth()?;
        Ok(Report {
            insns_processed: self.processed,
            states: ex.states(),
            pruned: self.pruned,
            stack_depth: self.depth[0],
        })
    }

    /// The combined stack of the deepest call chain must fit in 512 bytes (each frame rounded up
    /// to 32 bytes, as the kernel's `check_max_stack_depth`).
    fn check_stack_depth(&self) -> R<()> {
        let n = self.cfg.subprog_starts.len();
        let mut callees: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
        for (i, op) in self.ops.iter().enumerate() {
            if let Op::CallLocal { target } = op {
                callees[self.cfg.subprog_of[i]].push((self.cfg.subprog_of[*target], i));
            }
        }
        /// Deepest (stack bytes, frames) below `sp`, memoised; `Err(site)` on a cycle or a
        /// chain of more than 8 frames.
        fn walk(
            sp: usize,
            callees: &[Vec<(usize, usize)>],
            depth: &[u32],
            memo: &mut [Option<(u32, usize)>],
            visiting: &mut [bool],
            site: usize,
        ) -> Result<(u32, usize), usize> {
            if let Some(m) = memo[sp] {
                return Ok(m);
            }
            if visiting[sp] {
                return Err(site);
            }
            visiting[sp] = true;
            let own = depth[sp].max(1).div_ceil(32) * 32;
            let (mut best, mut frames) = (0, 0);
            for &(c, s) in &callees[sp] {
                let (b, f) = walk(c, callees, depth, memo, visiting, s)?;
                best = best.max(b);
                frames = frames.max(f);
            }
            visiting[sp] = false;
            if frames + 1 > 8 {
                return Err(site);
            }
            memo[sp] = Some((own + best, frames + 1));
            Ok((own + best, frames + 1))
        }
        let mut memo = vec![None; n];
        let mut visiting = vec![false; n];
        match walk(0, &callees, &self.depth, &mut memo, &mut visiting, 0).map(|x| x.0) {
            Ok(total) if self.tail_call_seen && n > 1 && total >= 256 => Err(e(
                0,
                Rule::CallStack,
                format!(
                    "a program with bpf-to-bpf calls and tail calls may use less than 256 bytes of stack along a call chain (this one uses {total})"
                ),
            )),
            Ok(total) if total <= 512 => Ok(()),
            Ok(total) => Err(e(0, Rule::CallStack, format!(
                "the deepest call chain uses {total} bytes of stack (each function's use rounded up to 32); the kernel allows 512"
            ))),
            Err(site) => Err(e(
                site,
                Rule::CallStack,
                "recursive calls, or calls nested more than 8 deep (the kernel's limit)",
            )),
        }
    }

    fn step(&mut self, pc: usize, st: &mut State) -> R<Step> {
        match self.ops[pc] {
            Op::LdImm64Tail => Err(e(
                pc,
                Rule::Structure,
                "execution reaches the second slot of an ld_imm64",
            )),
            Op::Alu {
                is64,
                op,
                dst,
                src,
                off,
                imm,
            } => {
                self.alu(pc, st, is64, op, dst, src, off, imm)?;
                Ok(Step::Next(pc + 1))
            }
            Op::LdImm64 { dst, pseudo, imm } => {
                self.write_dst(pc, dst)?;
                let v = match (self.map_refs.get(&pc), pseudo) {
                    (Some(&(m, kind)), _) => {
                        let spec = self.map(m);
                        match kind {
                            RelocKind::MapFd => RegVal::MapPtr { map: m },
                            RelocKind::MapValue { offset } => {
                                if !matches!(spec.map_type, crate::spec::MapType::Array) {
                                    return Err(e(pc, Rule::MapReference, format!(
                                        "direct value access (`map_value`) needs an array map; `{}` is a {}",
                                        spec.name_str(), spec.map_type
                                    )));
                                }
                                if offset >= spec.value_size {
                                    return Err(e(pc, Rule::MapValueBounds, format!(
                                        "offset {offset} is outside the {}-byte value of map `{}`",
                                        spec.value_size, spec.name_str()
                                    )));
                                }
                                RegVal::MapValue { map: m, off: offset as i32, var: Scalar::konst(0) }
                            }
                        }
                    }
                    (None, 0) => RegVal::Scalar(Scalar::konst(imm)),
                    (None, 1 | 2 | 5 | 6) => {
                        return Err(e(pc, Rule::MapReference, "this ld_imm64 refers to a map, but no relocation says which (its key and value sizes are needed)"))
                    }
                    (None, p) => {
                        return Err(e(pc, Rule::Unsupported, format!("ld_imm64 with src_reg {p} (BTF ids, functions) is not modelled by this verifier")))
                    }
                };
                self.set(st, dst, v);
                Ok(Step::Next(pc + 2))
            }
            Op::LdAbs { size, ind, imm } => {
                self.ld_abs(pc, st, size, ind, imm)?;
                Ok(Step::Next(pc + 1))
            }
            Op::Ldx {
                size,
                sx,
                dst,
                src,
                off,
            } => {
                self.write_dst(pc, dst)?;
                let base = self.read(st, pc, src)?;
                let v = self.load(pc, st, src, &base, off as i32, size, sx)?;
                self.set(st, dst, v);
                Ok(Step::Next(pc + 1))
            }
            Op::St {
                size,
                dst,
                off,
                imm,
            } => {
                let base = self.read(st, pc, dst)?;
                let val = if size == Size::DW {
                    imm as i64 as u64
                } else {
                    imm as u32 as u64 & mask(size)
                };
                self.store(
                    pc,
                    st,
                    dst,
                    &base,
                    off as i32,
                    size,
                    RegVal::Scalar(Scalar::konst(val)),
                    None,
                )?;
                Ok(Step::Next(pc + 1))
            }
            Op::Stx {
                size,
                dst,
                src,
                off,
            } => {
                let base = self.read(st, pc, dst)?;
                let v = self.read(st, pc, src)?;
                self.store(pc, st, dst, &base, off as i32, size, v, Some(src))?;
                Ok(Step::Next(pc + 1))
            }
            Op::Atomic {
                size,
                dst,
                src,
                off,
                op,
                fetch,
            } => {
                self.atomic(pc, st, size, dst, src, off as i32, op, fetch)?;
                Ok(Step::Next(pc + 1))
            }
            Op::Ja { target } => Ok(Step::Next(target)),
            Op::Cond {
                is64,
                op,
                dst,
                src,
                target,
            } => self.cond(pc, st, is64, op, dst, src, target),
            Op::Call { helper } => {
                self.call_helper(pc, st, helper)?;
                Ok(Step::Next(pc + 1))
            }
            Op::CallLocal { target } => {
                if st.frames.len() >= MAX_CALL_FRAMES {
                    return Err(e(
                        pc,
                        Rule::CallStack,
                        format!("calls nest deeper than {MAX_CALL_FRAMES} frames"),
                    ));
                }
                let sp = self.cfg.subprog_of[target];
                if st.frames.iter().any(|f| f.subprog == sp) {
                    return Err(e(
                        pc,
                        Rule::CallStack,
                        format!("recursive call: the function at instruction {target} is already on the call stack (the kernel allows no recursion)"),
                    ));
                }
                let idx = st.frames.len() as u8;
                let mut f = Frame::new(idx, pc, sp);
                for r in 1..=5 {
                    f.regs[r] = st.cur().regs[r].clone();
                }
                st.frames.push(f);
                Ok(Step::Next(target))
            }
            Op::Exit => self.exit(pc, st),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn alu(
        &mut self,
        pc: usize,
        st: &mut State,
        is64: bool,
        op: AluOp,
        dst: u8,
        src: Src,
        off: i16,
        imm: i32,
    ) -> R<()> {
        self.write_dst(pc, dst)?;
        let srcv = match src {
            Src::Reg(r) => self.read(st, pc, r)?,
            Src::Imm(i) => {
                RegVal::Scalar(Scalar::konst(if is64 { i as u64 } else { i as u32 as u64 }))
            }
        };
        if op == AluOp::Mov {
            let v = if off != 0 {
                match srcv {
                    RegVal::Scalar(s) => {
                        let r = s.sext(off as u32);
                        RegVal::Scalar(if is64 {
                            r
                        } else {
                            alu32(AluOp::Or, &r, &Scalar::konst(0))
                        })
                    }
                    _ => {
                        return Err(e(
                            pc,
                            Rule::PointerArithmetic,
                            "a sign-extending move of a pointer is not allowed",
                        ))
                    }
                }
            } else if is64 {
                match (srcv, src) {
                    (RegVal::Scalar(mut v), Src::Reg(r)) => {
                        // `rX = rY` links the two (the kernel's scalar ids).
                        if v.link & !Scalar::BIG_DELTA == 0 && v.as_const().is_none() {
                            v.link = st.fresh();
                            self.set(st, r, RegVal::Scalar(v));
                        }
                        RegVal::Scalar(v)
                    }
                    (v, _) => v,
                }
            } else {
                match srcv {
                    RegVal::Scalar(s) => RegVal::Scalar(s.trunc32()),
                    _ => RegVal::Scalar(Scalar::UNKNOWN),
                }
            };
            self.set(st, dst, v);
            return Ok(());
        }
        let d = self.read(st, pc, dst)?;
        if let Src::Imm(_) = src {
            if matches!(op, AluOp::Div | AluOp::Mod) && imm == 0 {
                return Err(e(pc, Rule::DivisionByZero, "division by the constant 0 (the kernel rejects it; a register divisor that is 0 at run time gives 0)"));
            }
            let width = if is64 { 64 } else { 32 };
            if matches!(op, AluOp::Lsh | AluOp::Rsh | AluOp::Arsh) && (imm < 0 || imm >= width) {
                return Err(e(
                    pc,
                    Rule::InvalidShift,
                    format!(
                        "invalid shift by {imm}: a {width}-bit shift amount must be 0..{}",
                        width - 1
                    ),
                ));
            }
        }
        let w = if is64 { "r" } else { "w" };
        let opn = alu_name(op);
        let result = match (&d, &srcv) {
            (RegVal::Scalar(a), _) if op == AluOp::End => {
                RegVal::Scalar(end_op(a, imm as i64, off == 1))
            }
            (p, _) if p.is_pointer() && matches!(op, AluOp::End | AluOp::Neg) => {
                return Err(e(
                    pc,
                    Rule::PointerArithmetic,
                    format!("`{opn}` on a pointer ({}) is not allowed", self.describe(p)),
                ));
            }
            (RegVal::Scalar(a), RegVal::Scalar(b)) => {
                let mut r = if is64 {
                    alu64(op, &a.unlinked(), &b.unlinked())
                } else {
                    alu32(op, &a.unlinked(), &b.unlinked())
                }
                .unlinked();
                // The kernel keeps a copy linked with a constant delta after `rX += c`; a delta
                // of 2^29 or more then makes rX unusable as a pointer offset.
                if a.link & !Scalar::BIG_DELTA != 0
                    && a.as_const().is_none()
                    && matches!(op, AluOp::Add | AluOp::Sub)
                {
                    if let Some(c) = b.as_const() {
                        let c = if op == AluOp::Sub {
                            (c as i64).wrapping_neg()
                        } else {
                            c as i64
                        };
                        if c.unsigned_abs() >= MAX_VAR_OFF as u64 && i32::try_from(c).is_ok() {
                            r.link = Scalar::BIG_DELTA;
                        }
                    }
                }
                RegVal::Scalar(r)
            }
            (p, RegVal::Scalar(b)) => {
                if !is64 {
                    if op == AluOp::Sub {
                        RegVal::Scalar(Scalar::UNKNOWN)
                    } else {
                        return Err(e(pc, Rule::PointerArithmetic, format!(
                            "32-bit arithmetic on a pointer: r{dst} is {}; use the 64-bit form (`r{dst} {opn} ...`)", self.describe(p)
                        )));
                    }
                } else if matches!(op, AluOp::Add | AluOp::Sub) {
                    self.ptr_add(pc, st, dst, p, b, op == AluOp::Sub)?
                } else {
                    return Err(e(pc, Rule::PointerArithmetic, format!(
                        "`{w}{dst} {opn}` on a pointer: r{dst} is {}; only adding or subtracting a scalar is allowed", self.describe(p)
                    )));
                }
            }
            (RegVal::Scalar(a), p) => {
                if is64 && op == AluOp::Add {
                    self.ptr_add(pc, st, dst, p, a, false)?
                } else if !is64 && op == AluOp::Sub {
                    RegVal::Scalar(Scalar::UNKNOWN)
                } else {
                    return Err(e(pc, Rule::PointerArithmetic, format!(
                        "`{w}{dst} {opn} {}` mixes a scalar with a pointer ({}); only `scalar += pointer` is allowed",
                        if let Src::Reg(r) = src { format!("r{r}") } else { String::new() }, self.describe(p)
                    )));
                }
            }
            (p, q) => {
                if op == AluOp::Sub {
                    RegVal::Scalar(Scalar::UNKNOWN)
                } else {
                    return Err(e(pc, Rule::PointerArithmetic, format!(
                        "`{opn}` between two pointers ({} and {}) is not allowed; only pointer - pointer gives a number",
                        self.describe(p), self.describe(q)
                    )));
                }
            }
        };
        self.set(st, dst, result);
        Ok(())
    }

    fn ptr_add(
        &mut self,
        pc: usize,
        st: &mut State,
        dst: u8,
        p: &RegVal,
        s: &Scalar,
        sub: bool,
    ) -> R<RegVal> {
        let pa = |m: String| Err(e(pc, Rule::PointerArithmetic, m));
        match p {
            RegVal::MapValueOrNull { .. } | RegVal::OpaqueOrNull { .. } | RegVal::RingbufOrNull { .. } => {
                return Err(e(pc, Rule::NullCheck, format!(
                    "arithmetic on {}; null-check it first (`if r{dst} == 0 goto ...`)", self.describe(p)
                )))
            }
            RegVal::PktEnd => return pa("arithmetic on data_end is not allowed; add to the packet pointer instead and compare it with data_end".into()),
            RegVal::MapPtr { .. } | RegVal::Opaque { .. } => {
                if s.as_const() == Some(0) {
                    return Ok(p.clone());
                }
                return pa(format!("arithmetic on {} is not allowed", self.describe(p)));
            }
            _ => {}
        }
        if s.link & Scalar::BIG_DELTA != 0 {
            return pa(format!(
                "this offset was copied from another register and then had a constant of 2^29 or more added; the kernel refuses such an offset ({s})"
            ));
        }
        // The kernel's check_reg_sane_offset: the scalar's minimum must be within ±2^29 (a large
        // maximum is allowed here; accesses through the result then fail their bounds checks).
        if s.smin <= -MAX_VAR_OFF || s.smin >= MAX_VAR_OFF {
            return pa(format!(
                "adding {s} to {}: the offset is not bounded (the kernel needs it within ±2^29); bound it first, e.g. `rX &= 0xff` or a comparison",
                self.describe(p)
            ));
        }
        let c = s.as_const().map(|c| c as i64);
        let shift = |off: i32| -> Option<i32> {
            let c = c?;
            let n = if sub { off as i64 - c } else { off as i64 + c };
            if n.abs() >= MAX_VAR_OFF {
                None
            } else {
                Some(n as i32)
            }
        };
        let nvar = |var: &Scalar| if sub { var.sub(s) } else { var.add(s) };
        if c.is_none() {
            let var = match p {
                RegVal::Pkt { var, .. }
                | RegVal::MapValue { var, .. }
                | RegVal::Ringbuf { var, .. } => nvar(var),
                _ => Scalar::konst(0),
            };
            if var.smin <= -MAX_VAR_OFF || var.smin >= MAX_VAR_OFF {
                return pa(format!(
                    "the variable offset of the result ({var}) is out of bounds (the kernel needs its minimum within ±2^29)"
                ));
            }
        }
        Ok(match p {
            RegVal::Ctx { off } => match shift(*off) {
                Some(o) => RegVal::Ctx { off: o },
                None => return pa("a variable offset into the context is not allowed".into()),
            },
            RegVal::Stack { frame, off } => match shift(*off) {
                Some(o) => RegVal::Stack { frame: *frame, off: o },
                None => {
                    return Err(e(pc, Rule::Unsupported, format!(
                        "a variable offset ({s}) into the stack is not proven safe by this verifier; use constant offsets from r10"
                    )))
                }
            },
            RegVal::Pkt { kind, off, var, id, range } => match shift(*off) {
                Some(o) => RegVal::Pkt { kind: *kind, off: o, var: *var, id: *id, range: *range },
                None if c.is_some() => return pa("the packet offset is out of range".into()),
                None => {
                    let nid = st.fresh();
                    RegVal::Pkt { kind: *kind, off: *off, var: nvar(var), id: nid, range: 0 }
                }
            },
            RegVal::MapValue { map, off, var } => match shift(*off) {
                Some(o) => RegVal::MapValue { map: *map, off: o, var: *var },
                None if c.is_some() => return pa("the map value offset is out of range".into()),
                None => RegVal::MapValue { map: *map, off: *off, var: nvar(var) },
            },
            RegVal::Ringbuf { size, off, var, ref_id } => match shift(*off) {
                Some(o) => RegVal::Ringbuf { size: *size, off: o, var: *var, ref_id: *ref_id },
                None if c.is_some() => return pa("the offset is out of range".into()),
                None => RegVal::Ringbuf { size: *size, off: *off, var: nvar(var), ref_id: *ref_id },
            },
            _ => return pa(format!("arithmetic on {} is not allowed", self.describe(p))),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn load(
        &mut self,
        pc: usize,
        st: &mut State,
        src: u8,
        base: &RegVal,
        off: i32,
        size: Size,
        sx: bool,
    ) -> R<RegVal> {
        let n = size.bytes();
        match base {
            RegVal::Ctx { off: o } => {
                if *o != 0 {
                    return Err(e(pc, Rule::ContextAccess, format!(
                        "r{src} is the context pointer + {o}; context fields must be read through the unmodified pointer (`*(u32 *)(r{src} + {})`)", o + off
                    )));
                }
                match ctx::access(self.input.prog_type, off, n, false, sx) {
                    Ok(CtxField::Scalar) => Ok(RegVal::Scalar(scalar_of(n, false))),
                    Ok(CtxField::PktData) => Ok(RegVal::Pkt {
                        kind: PktKind::Data,
                        off: 0,
                        var: Scalar::konst(0),
                        id: 0,
                        range: 0,
                    }),
                    Ok(CtxField::PktMeta) => Ok(RegVal::Pkt {
                        kind: PktKind::Meta,
                        off: 0,
                        var: Scalar::konst(0),
                        id: 0,
                        range: 0,
                    }),
                    Ok(CtxField::PktEnd) => Ok(RegVal::PktEnd),
                    Err(m) => Err(e(pc, Rule::ContextAccess, m)),
                }
            }
            RegVal::Stack { frame, off: o } => self.stack_read(pc, st, *frame, o + off, n, sx),
            _ => {
                self.check_mem(pc, src, base, off, n as u64, false, "load")?;
                Ok(RegVal::Scalar(scalar_of(n, sx)))
            }
        }
    }

    /// Checks an access of `n` bytes at `base + off` through a non-stack, non-context pointer.
    #[allow(clippy::too_many_arguments)]
    fn check_mem(
        &self,
        pc: usize,
        r: u8,
        base: &RegVal,
        off: i32,
        n: u64,
        write: bool,
        what: &str,
    ) -> R<()> {
        let bytes = if n == 1 {
            "1-byte".to_string()
        } else {
            format!("{n}-byte")
        };
        match base {
            RegVal::Pkt { kind, off: o, var, range, .. } => {
                let (start, end) = match kind {
                    PktKind::Data => ("data", "data_end"),
                    PktKind::Meta => ("data_meta", "data"),
                };
                if var.smin < 0 {
                    return Err(e(pc, Rule::PacketBounds, format!(
                        "r{r} is {} whose variable offset may be negative ({var}); use an unsigned offset or check it is >= 0",
                        self.describe(base)
                    )));
                }
                let a = *o as i64 + off as i64;
                let v = var_text(var);
                if a < 0 || a + n as i64 > *range as i64 {
                    let proven = if *range > 0 {
                        format!("proven safe up to {start}{v} + {range}")
                    } else {
                        format!("not yet compared against {end}")
                    };
                    let kind_s = if *kind == PktKind::Data { "packet" } else { "metadata" };
                    let advice = if a < 0 {
                        format!("offsets before {start} are never readable")
                    } else {
                        format!("compare {start}{v} + {} against {end} first (`if rX > r_end goto ...` with rX = {start}{v} + {})", a + n as i64, a + n as i64)
                    };
                    return Err(e(pc, Rule::PacketBounds, format!(
                        "r{r} is a {kind_s} pointer ({start}{v} + {o}) {proven}, but this {bytes} {what} touches {start}{v} + {}..{}; {advice}",
                        a, a + n as i64
                    )));
                }
                if write && self.family == helpers::avail::SOCK {
                    return Err(e(pc, Rule::MemoryAccess, "socket filters cannot write to the packet"));
                }
                Ok(())
            }
            RegVal::MapValue { map, off: o, var } => {
                let spec = self.map(*map);
                let a = *o as i64 + off as i64;
                if var.umax >= MAX_VAR_OFF as u64 || var.smin <= -MAX_VAR_OFF {
                    return Err(e(pc, Rule::MapValueBounds, format!(
                        "r{r} points into a value of map `{}` at an unbounded offset ({var}); bound the offset before adding it",
                        spec.name_str()
                    )));
                }
                let lo = a + var.smin.min(var.umin as i64);
                let hi = a + var.umax as i64 + n as i64;
                if lo < 0 || hi > spec.value_size as i64 || var.smin < 0 && var.smin != var.umin as i64 {
                    return Err(e(pc, Rule::MapValueBounds, format!(
                        "r{r} is {}; this {bytes} {what} may touch bytes {lo}..{hi} but the value of `{}` is {} bytes",
                        self.describe(base), spec.name_str(), spec.value_size
                    )));
                }
                if write && spec.flags & BPF_F_RDONLY_PROG != 0 {
                    return Err(e(pc, Rule::MemoryAccess, format!("map `{}` is read-only for programs (BPF_F_RDONLY_PROG)", spec.name_str())));
                }
                Ok(())
            }
            RegVal::Ringbuf { size, off: o, var, .. } => {
                let a = *o as i64 + off as i64;
                if var.smin < 0 || var.umax >= MAX_VAR_OFF as u64 {
                    return Err(e(pc, Rule::MemoryAccess, format!("r{r} is ring buffer memory at an unbounded offset ({var})")));
                }
                let hi = a + var.umax as i64 + n as i64;
                if a < 0 || hi > *size as i64 {
                    return Err(e(pc, Rule::MemoryAccess, format!(
                        "this {bytes} {what} touches bytes {a}..{hi} of a {size}-byte ring buffer reservation"
                    )));
                }
                Ok(())
            }
            RegVal::MapValueOrNull { .. } | RegVal::OpaqueOrNull { .. } | RegVal::RingbufOrNull { .. } => {
                Err(e(pc, Rule::NullCheck, format!(
                    "r{r} is {}; test it first (`if r{r} == 0 goto ...`) and use it only on the non-NULL path",
                    self.describe(base)
                )))
            }
            RegVal::Scalar(_) => Err(e(pc, Rule::MemoryAccess, format!(
                "r{r} is {}, not a pointer: it cannot be dereferenced", self.describe(base)
            ))),
            RegVal::PktEnd => Err(e(pc, Rule::MemoryAccess, "data_end cannot be dereferenced; it only bounds packet pointers in comparisons")),
            _ => Err(e(pc, Rule::MemoryAccess, format!("r{r} is {}, which cannot be dereferenced", self.describe(base)))),
        }
    }

    fn stack_slot(
        &self,
        pc: usize,
        st: &State,
        frame: u8,
        a: i32,
        n: u32,
    ) -> R<(usize, usize, usize)> {
        if a < -512 || a + n as i32 > 0 {
            return Err(e(pc, Rule::StackAccess, format!(
                "stack access at r10 {a:+} of {n} bytes is outside the 512-byte frame (r10 - 512 .. r10)"
            )));
        }
        if a % n as i32 != 0 {
            return Err(e(
                pc,
                Rule::StackAccess,
                format!(
                "misaligned stack access: r10 {a:+} is not a multiple of the {n}-byte access size"
            ),
            ));
        }
        let f = frame as usize;
        if f >= st.frames.len() {
            return Err(e(
                pc,
                Rule::StackAccess,
                "this stack pointer refers to a function frame that has returned",
            ));
        }
        let pos = (a + 512) as usize;
        Ok((f, pos / 8, pos % 8))
    }

    fn note_depth(&mut self, st: &State, f: usize, a: i32) {
        let sp = st.frames[f].subprog;
        self.depth[sp] = self.depth[sp].max((-a) as u32);
    }

    fn stack_read(
        &mut self,
        pc: usize,
        st: &mut State,
        frame: u8,
        a: i32,
        n: u32,
        sx: bool,
    ) -> R<RegVal> {
        let (f, slot, byte) = self.stack_slot(pc, st, frame, a, n)?;
        self.note_depth(st, f, a);
        match &st.frames[f].stack[slot] {
            Slot::Spill(r) => {
                if n == 8 {
                    Ok(r.clone())
                } else if let RegVal::Scalar(_) = r {
                    Ok(RegVal::Scalar(scalar_of(n, sx)))
                } else {
                    Err(e(pc, Rule::StackAccess, format!(
                        "a {n}-byte load from r10 {a:+} reads part of a spilled pointer ({}); reload it with an 8-byte load",
                        self.describe(r)
                    )))
                }
            }
            Slot::Bytes(b) => {
                if b[byte..byte + n as usize].iter().all(|x| *x == Byte::Zero) {
                    Ok(RegVal::Scalar(Scalar::konst(0)))
                } else {
                    Ok(RegVal::Scalar(scalar_of(n, sx)))
                }
            }
        }
    }

    fn stack_write(
        &mut self,
        pc: usize,
        st: &mut State,
        frame: u8,
        a: i32,
        n: u32,
        v: RegVal,
    ) -> R<()> {
        let (f, slot, byte) = self.stack_slot(pc, st, frame, a, n)?;
        self.note_depth(st, f, a);
        if v.is_pointer() {
            if n != 8 {
                return Err(e(pc, Rule::StackAccess, format!(
                    "a pointer ({}) can only be stored to the stack with an aligned 8-byte store (`*(u64 *)(r10 - 8) = rX`)",
                    self.describe(&v)
                )));
            }
            if let RegVal::Stack { frame: vf, .. } = v {
                if (vf as usize) > f {
                    return Err(e(
                        pc,
                        Rule::StackAccess,
                        "cannot store a pointer to a function's stack into its caller's frame",
                    ));
                }
            }
        }
        let s = &mut st.frames[f].stack[slot];
        if n == 8 {
            *s = Slot::Spill(v);
        } else {
            if let Slot::Spill(_) = s {
                *s = Slot::Bytes([Byte::Misc; 8]);
            }
            let zero = matches!(&v, RegVal::Scalar(x) if x.as_const() == Some(0));
            if let Slot::Bytes(b) = s {
                for x in &mut b[byte..byte + n as usize] {
                    *x = if zero { Byte::Zero } else { Byte::Misc };
                }
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn store(
        &mut self,
        pc: usize,
        st: &mut State,
        dst: u8,
        base: &RegVal,
        off: i32,
        size: Size,
        v: RegVal,
        src: Option<u8>,
    ) -> R<()> {
        let n = size.bytes();
        let srcs = src
            .map(|r| format!("r{r}"))
            .unwrap_or_else(|| "the value".into());
        match base {
            RegVal::Stack { frame, off: o } => self.stack_write(pc, st, *frame, o + off, n, v),
            RegVal::Ctx { off: o } => {
                if *o != 0 {
                    return Err(e(pc, Rule::ContextAccess, format!("r{dst} is the context pointer + {o}; write through the unmodified pointer")));
                }
                if v.is_pointer() {
                    return Err(e(
                        pc,
                        Rule::PointerLeak,
                        format!("storing a pointer ({srcs}) into the context is not allowed"),
                    ));
                }
                ctx::access(self.input.prog_type, off, n, true, false)
                    .map(|_| ())
                    .map_err(|m| e(pc, Rule::ContextAccess, m))
            }
            _ => {
                if v.is_pointer() && !matches!(base, RegVal::Scalar(_)) {
                    return Err(e(pc, Rule::PointerLeak, format!(
                        "storing a pointer ({srcs} is {}) into memory other than the stack would leak a kernel address",
                        self.describe(&v)
                    )));
                }
                self.check_mem(
                    pc,
                    dst,
                    base,
                    off,
                    n as u64,
                    true,
                    &format!("{} store", size_name(size)),
                )
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn atomic(
        &mut self,
        pc: usize,
        st: &mut State,
        size: Size,
        dst: u8,
        src: u8,
        off: i32,
        op: AtomicOp,
        fetch: bool,
    ) -> R<()> {
        let base = self.read(st, pc, dst)?;
        let v = self.read(st, pc, src)?;
        if v.is_pointer() {
            return Err(e(
                pc,
                Rule::PointerLeak,
                format!(
                    "atomic operation with a pointer operand (r{src} is {})",
                    self.describe(&v)
                ),
            ));
        }
        if op == AtomicOp::Cmpxchg {
            let r0 = self.read(st, pc, 0)?;
            if r0.is_pointer() {
                return Err(e(pc, Rule::PointerLeak, "cmpxchg with a pointer in r0"));
            }
        }
        let n = size.bytes();
        match &base {
            RegVal::Stack { frame, off: o } => {
                let a = o + off;
                let (f, slot, _) = self.stack_slot(pc, st, *frame, a, n)?;
                if let Slot::Spill(r) = &st.frames[f].stack[slot] {
                    if r.is_pointer() {
                        return Err(e(
                            pc,
                            Rule::StackAccess,
                            "atomic operation on a stack slot holding a spilled pointer",
                        ));
                    }
                }
                self.stack_write(pc, st, *frame, a, n, RegVal::Scalar(Scalar::UNKNOWN))?;
                // A full-slot write above spilled an unknown scalar; that reads back as unknown.
            }
            RegVal::MapValue { .. } => {
                self.check_mem(pc, dst, &base, off, n as u64, true, "atomic operation")?
            }
            RegVal::Ctx { .. } | RegVal::Pkt { .. } => {
                return Err(e(
                    pc,
                    Rule::MemoryAccess,
                    format!(
                        "atomic operations on {} are not allowed (only stack and map values)",
                        self.describe(&base)
                    ),
                ))
            }
            _ => self.check_mem(pc, dst, &base, off, n as u64, true, "atomic operation")?,
        }
        if op == AtomicOp::Cmpxchg {
            self.set(st, 0, RegVal::Scalar(Scalar::UNKNOWN));
        } else if fetch {
            self.write_dst(pc, src)?;
            self.set(st, src, RegVal::Scalar(Scalar::UNKNOWN));
        }
        Ok(())
    }

    fn ld_abs(
        &mut self,
        pc: usize,
        st: &mut State,
        size: Size,
        ind: Option<u8>,
        _imm: i32,
    ) -> R<()> {
        if self.family == helpers::avail::XDP {
            return Err(e(pc, Rule::Unsupported, "legacy packet loads (LD_ABS / LD_IND) are not allowed in XDP programs; use data/data_end pointers"));
        }
        if !st.refs.is_empty() {
            return Err(e(
                pc,
                Rule::ReferenceLeak,
                "legacy packet loads cannot be mixed with held references",
            ));
        }
        let r6 = self.read(st, pc, 6)?;
        if r6 != (RegVal::Ctx { off: 0 }) {
            return Err(e(
                pc,
                Rule::MemoryAccess,
                format!(
                    "legacy packet loads need the context pointer in r6; r6 is {}",
                    self.describe(&r6)
                ),
            ));
        }
        if let Some(r) = ind {
            let v = self.read(st, pc, r)?;
            if v.is_pointer() {
                return Err(e(
                    pc,
                    Rule::MemoryAccess,
                    format!(
                        "the LD_IND offset r{r} must be a scalar, not {}",
                        self.describe(&v)
                    ),
                ));
            }
        }
        let _ = size;
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        self.set(st, 0, RegVal::Scalar(Scalar::UNKNOWN));
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn cond(
        &mut self,
        pc: usize,
        st: &mut State,
        is64: bool,
        op: JmpOp,
        dst: u8,
        src: Src,
        target: usize,
    ) -> R<Step> {
        let a = self.read(st, pc, dst)?;
        let b = match src {
            Src::Reg(r) => self.read(st, pc, r)?,
            Src::Imm(i) => {
                RegVal::Scalar(Scalar::konst(if is64 { i as u64 } else { i as u32 as u64 }))
            }
        };
        let both = |st: &State| Step::Branch {
            other_pc: target,
            other: st.clone(),
            pc: pc + 1,
        };
        match (&a, &b) {
            (RegVal::Scalar(x), RegVal::Scalar(y)) => {
                let (vx, vy) = if is64 {
                    (*x, *y)
                } else if is_signed(op) {
                    (x.as_s32(), y.as_s32())
                } else {
                    (x.trunc32(), y.trunc32())
                };
                if let Some(t) = branch_taken(op, &vx, &vy) {
                    return Ok(Step::Next(if t { target } else { pc + 1 }));
                }
                let refinable = is64
                    || (x.umax <= u32::MAX as u64
                        && y.umax <= u32::MAX as u64
                        && (!is_signed(op)
                            || (x.umax <= i32::MAX as u64 && y.umax <= i32::MAX as u64)));
                let mut taken = st.clone();
                if op == JmpOp::Jset {
                    // The kernel forgets the ranges of a register tested with `&` against a
                    // constant and keeps only its known bits (cleared bits on the false branch).
                    let forget = |v: &Scalar, clear: u64| {
                        let t = Tnum {
                            value: v.t.value & !clear,
                            mask: v.t.mask & !clear,
                        };
                        Scalar {
                            t,
                            ..Scalar::UNKNOWN
                        }
                        .sync()
                        .unwrap_or(Scalar::UNKNOWN)
                    };
                    let width_mask = if is64 { u64::MAX } else { 0xffff_ffff };
                    if let Some(c) = vy.as_const() {
                        if !matches!(src, Src::Reg(r) if r == dst) {
                            set_linked(&mut taken, dst, *x, forget(x, 0));
                            set_linked(st, dst, *x, forget(x, c & width_mask));
                        }
                    } else if let (Some(c), Src::Reg(r)) = (vx.as_const(), src) {
                        set_linked(&mut taken, r, *y, forget(y, 0));
                        set_linked(st, r, *y, forget(y, c & width_mask));
                    }
                    return Ok(Step::Branch {
                        other_pc: target,
                        other: taken,
                        pc: pc + 1,
                    });
                }
                if refinable {
                    let same = matches!(src, Src::Reg(r) if r == dst);
                    if !same {
                        let (tx, ty) = refine(op, true, *x, *y);
                        let (fx, fy) = refine(op, false, *x, *y);
                        set_linked(&mut taken, dst, *x, tx);
                        set_linked(st, dst, *x, fx);
                        if let Src::Reg(r) = src {
                            set_linked(&mut taken, r, *y, ty);
                            set_linked(st, r, *y, fy);
                        }
                    }
                }
                Ok(Step::Branch {
                    other_pc: target,
                    other: taken,
                    pc: pc + 1,
                })
            }
            (p, RegVal::Scalar(z))
                if is64
                    && matches!(src, Src::Imm(0))
                    && matches!(op, JmpOp::Jeq | JmpOp::Jne)
                    && z.as_const() == Some(0)
                    && matches!(
                        p,
                        RegVal::MapValueOrNull { .. }
                            | RegVal::OpaqueOrNull { .. }
                            | RegVal::RingbufOrNull { .. }
                    ) =>
            {
                let mut null = st.clone();
                let mut nonnull = st.clone();
                mark_null(&mut null, p, true);
                mark_null(&mut nonnull, p, false);
                let (taken, fall) = if op == JmpOp::Jeq {
                    (null, nonnull)
                } else {
                    (nonnull, null)
                };
                *st = fall;
                Ok(Step::Branch {
                    other_pc: target,
                    other: taken,
                    pc: pc + 1,
                })
            }
            (RegVal::Pkt { .. }, _) | (_, RegVal::Pkt { .. })
                if is64 && matches!(src, Src::Reg(_)) =>
            {
                let srcr = match src {
                    Src::Reg(r) => r,
                    Src::Imm(_) => dst,
                };
                // Which is the pointer and which the end, and when is "ptr <= end" (closed) or
                // "ptr < end" (open) known?
                let pair = match (&a, &b) {
                    (
                        RegVal::Pkt {
                            kind: PktKind::Data,
                            ..
                        },
                        RegVal::PktEnd,
                    ) => Some((true, a.clone())),
                    (
                        RegVal::PktEnd,
                        RegVal::Pkt {
                            kind: PktKind::Data,
                            ..
                        },
                    ) => Some((false, b.clone())),
                    (
                        RegVal::Pkt {
                            kind: PktKind::Meta,
                            ..
                        },
                        d,
                    ) if is_init_data(d) => Some((true, a.clone())),
                    (
                        d,
                        RegVal::Pkt {
                            kind: PktKind::Meta,
                            ..
                        },
                    ) if is_init_data(d) => Some((false, b.clone())),
                    _ => None,
                };
                let _ = srcr;
                let Some((ptr_is_dst, ptr)) = pair else {
                    return Ok(both(st));
                };
                // (branch on which "ptr < end" or "ptr <= end" holds, open?)
                let (good_taken, good_fall): (Option<bool>, Option<bool>) = match (op, ptr_is_dst) {
                    (JmpOp::Jgt, true) => (None, Some(false)), // ptr > end: fallthrough ptr <= end
                    (JmpOp::Jgt, false) => (Some(true), None), // end > ptr: taken ptr < end
                    (JmpOp::Jlt, true) => (Some(true), None),  // ptr < end
                    (JmpOp::Jlt, false) => (None, Some(false)), // end < ptr: fallthrough ptr <= end
                    (JmpOp::Jge, true) => (None, Some(true)),  // ptr >= end: fallthrough ptr < end
                    (JmpOp::Jge, false) => (Some(false), None), // end >= ptr: taken ptr <= end
                    (JmpOp::Jle, true) => (Some(false), None), // ptr <= end: taken
                    (JmpOp::Jle, false) => (None, Some(true)), // end <= ptr: fallthrough ptr < end
                    _ => (None, None),
                };
                let mut taken = st.clone();
                if let Some(open) = good_taken {
                    find_good_pkt(&mut taken, &ptr, open);
                }
                if let Some(open) = good_fall {
                    find_good_pkt(st, &ptr, open);
                }
                Ok(Step::Branch {
                    other_pc: target,
                    other: taken,
                    pc: pc + 1,
                })
            }
            _ => Ok(both(st)),
        }
    }

    fn call_helper(&mut self, pc: usize, st: &mut State, id: i32) -> R<()> {
        let Some(p) = helpers::proto(id) else {
            let kernel = u32::try_from(id)
                .ok()
                .and_then(crate::helpers::helper_by_id);
            return Err(e(pc, Rule::UnknownHelper, match kernel {
                // The kernel rejects it too: `invalid func unknown#N`.
                None => format!(
                    "there is no kernel helper #{id} (helpers are numbered 1 to {}); call one by its name, e.g. `call bpf_redirect_map`",
                    crate::helpers::MAX_HELPER_ID
                ),
                Some(h) => {
                    let known: Vec<String> =
                        helpers::PROTOS.iter().map(|p| format!("bpf_{}", p.name)).collect();
                    format!(
                        "{} (helper #{id}) is not modelled by this verifier, so its arguments cannot be checked (it models {}); skip the static verification for this program",
                        h.name,
                        known.join(", ")
                    )
                }
            }));
        };
        let name = p.name;
        if p.avail & self.family == 0 {
            return Err(e(
                pc,
                Rule::HelperNotAllowed,
                format!(
                    "bpf_{name} cannot be called from {} programs",
                    self.input.prog_type
                ),
            ));
        }
        if p.gpl_only && !self.gpl {
            return Err(e(
                pc,
                Rule::HelperNotAllowed,
                format!(
                    "bpf_{name} is GPL-only, but the license \"{}\" is not GPL-compatible",
                    self.input.license
                ),
            ));
        }
        if id == 12 {
            self.tail_call_seen = true;
            if !st.refs.is_empty() {
                return Err(e(
                    pc,
                    Rule::ReferenceLeak,
                    "a tail call while holding a ring buffer reservation would leak it",
                ));
            }
        }
        let mut map: Option<u16> = None;
        let mut mem: Option<(u8, RegVal, Arg)> = None;
        let mut alloc: Option<u32> = None;
        let mut release: Option<u32> = None;
        for (i, arg) in p.args.iter().enumerate() {
            let r = (i + 1) as u8;
            let v = self.read(st, pc, r).map_err(|mut err| {
                err.message = format!(
                    "bpf_{name} takes {} arguments, but {}",
                    p.args.len(),
                    err.message
                );
                err
            })?;
            let bad = |what: &str, this: &Self| {
                Err(e(
                    pc,
                    Rule::HelperArgument,
                    format!(
                        "bpf_{name} expects {what} in r{r}, but r{r} is {}",
                        this.describe(&v)
                    ),
                ))
            };
            match arg {
                Arg::MapPtr => {
                    let RegVal::MapPtr { map: m } = v else {
                        return bad("a map (`r1 = my_map ll`)", self);
                    };
                    let spec = self.map(m);
                    if !helpers::map_compatible(id, spec.map_type) {
                        return Err(e(
                            pc,
                            Rule::MapCompatibility,
                            format!(
                                "bpf_{name} cannot be used with map `{}` of type {}",
                                spec.name_str(),
                                spec.map_type
                            ),
                        ));
                    }
                    map = Some(m);
                }
                Arg::MapKey | Arg::MapValue => {
                    let Some(m) = map else {
                        return Err(e(
                            pc,
                            Rule::HelperArgument,
                            format!("bpf_{name}: no map argument before the key"),
                        ));
                    };
                    let spec = self.map(m);
                    let (size, what) = if *arg == Arg::MapKey {
                        (spec.key_size, "key")
                    } else {
                        (spec.value_size, "value")
                    };
                    if !matches!(
                        v,
                        RegVal::Stack { .. } | RegVal::Pkt { .. } | RegVal::MapValue { .. }
                    ) {
                        return bad(&format!("a pointer to the {size}-byte {what} (e.g. on the stack: `r{r} = r10; r{r} += -{size}`)"), self);
                    }
                    self.check_helper_mem(pc, st, r, &v, size as u64, false, name)?;
                }
                Arg::Ctx => {
                    if v != (RegVal::Ctx { off: 0 }) {
                        return bad("the context pointer (the program's r1 at entry)", self);
                    }
                }
                Arg::Anything => {}
                Arg::MemRead | Arg::MemWrite | Arg::MemReadOrNull => mem = Some((r, v, *arg)),
                Arg::Size | Arg::SizeOrZero => {
                    let RegVal::Scalar(s) = v else {
                        return bad("a size (a scalar)", self);
                    };
                    if s.smin < 0 {
                        return bad("a non-negative size", self);
                    }
                    if s.umax >= MAX_VAR_OFF as u64 {
                        return bad("a bounded size", self);
                    }
                    if *arg == Arg::Size && s.umin == 0 {
                        return bad("a size that is not zero", self);
                    }
                    let Some((mr, mv, ma)) = mem.take() else {
                        return Err(e(
                            pc,
                            Rule::HelperArgument,
                            format!("bpf_{name}: size without memory"),
                        ));
                    };
                    if ma == Arg::MemReadOrNull
                        && matches!(mv, RegVal::Scalar(z) if z.as_const() == Some(0))
                    {
                        if s.umax != 0 {
                            return Err(e(pc, Rule::HelperArgument, format!(
                                "bpf_{name}: r{mr} is NULL, so its size r{r} must be 0, but it is {s}"
                            )));
                        }
                    } else {
                        self.check_helper_mem(pc, st, mr, &mv, s.umax, ma == Arg::MemWrite, name)?;
                    }
                }
                Arg::AllocSize => {
                    let RegVal::Scalar(s) = v else {
                        return bad("a constant size", self);
                    };
                    match s.as_const() {
                        Some(c) if c < MAX_VAR_OFF as u64 => alloc = Some(c as u32),
                        _ => return bad("a known constant size", self),
                    }
                }
                Arg::RingbufMem => match v {
                    RegVal::Ringbuf {
                        off: 0,
                        var,
                        ref_id,
                        ..
                    } if var.as_const() == Some(0) => release = Some(ref_id),
                    RegVal::RingbufOrNull { .. } => {
                        return Err(e(
                            pc,
                            Rule::NullCheck,
                            format!(
                                "bpf_{name}: r{r} is {}; null-check it first",
                                self.describe(&v)
                            ),
                        ))
                    }
                    _ => {
                        return bad(
                            "the unmodified pointer returned by bpf_ringbuf_reserve",
                            self,
                        )
                    }
                },
            }
        }
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        if let Some(rf) = release {
            st.refs.retain(|x| *x != rf);
            st.for_each_reg(|r| match r {
                RegVal::Ringbuf { ref_id, .. } | RegVal::RingbufOrNull { ref_id, .. }
                    if *ref_id == rf =>
                {
                    *r = RegVal::Scalar(Scalar::UNKNOWN)
                }
                _ => {}
            });
        }
        if p.changes_pkt {
            st.for_each_reg(|r| {
                if matches!(r, RegVal::Pkt { .. } | RegVal::PktEnd) {
                    *r = RegVal::Scalar(Scalar::UNKNOWN);
                }
            });
        }
        let r0 = match p.ret {
            Ret::Integer => RegVal::Scalar(Scalar::UNKNOWN),
            Ret::Void => RegVal::NotInit,
            Ret::MapValueOrNull => {
                let m = map.unwrap_or(0);
                let id = st.fresh();
                if helpers::is_data_map(self.map(m).map_type) {
                    RegVal::MapValueOrNull { map: m, id }
                } else {
                    RegVal::OpaqueOrNull { map: m, id }
                }
            }
            Ret::RingbufMemOrNull => {
                let id = st.fresh();
                let rf = st.fresh();
                st.refs.push(rf);
                RegVal::RingbufOrNull {
                    size: alloc.unwrap_or(0),
                    id,
                    ref_id: rf,
                }
            }
        };
        self.set(st, 0, r0);
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn check_helper_mem(
        &mut self,
        pc: usize,
        st: &mut State,
        r: u8,
        v: &RegVal,
        n: u64,
        write: bool,
        name: &str,
    ) -> R<()> {
        match v {
            RegVal::Stack { frame, off } => {
                if n == 0 {
                    return Ok(());
                }
                let a = *off as i64;
                if a < -512 || a + n as i64 > 0 {
                    return Err(e(pc, Rule::StackAccess, format!(
                        "bpf_{name} would access r10 {a:+} .. r10 {:+} through r{r}, outside the 512-byte stack frame",
                        a + n as i64
                    )));
                }
                let f = *frame as usize;
                if f >= st.frames.len() {
                    return Err(e(pc, Rule::StackAccess, "stack pointer to a returned frame"));
                }
                self.note_depth(st, f, a as i32);
                if write {
                    for pos in (a + 512) as usize..(a + 512) as usize + n as usize {
                        let s = &mut st.frames[f].stack[pos / 8];
                        if let Slot::Spill(_) = s {
                            *s = Slot::Bytes([Byte::Misc; 8]);
                        }
                        if let Slot::Bytes(b) = s {
                            b[pos % 8] = Byte::Misc;
                        }
                    }
                }
                Ok(())
            }
            RegVal::Pkt { .. } if write => Err(e(pc, Rule::HelperArgument, format!(
                "bpf_{name} would write into the packet through r{r}; this verifier only lets helpers write to the stack or map values"
            ))),
            RegVal::Pkt { .. } | RegVal::MapValue { .. } | RegVal::Ringbuf { .. } => {
                if n == 0 {
                    return Ok(());
                }
                self.check_mem(pc, r, v, 0, n, write, &format!("access by bpf_{name}"))
            }
            _ => Err(e(pc, Rule::HelperArgument, format!(
                "bpf_{name} expects a pointer to {n} bytes of memory in r{r}, but r{r} is {}", self.describe(v)
            ))),
        }
    }

    fn exit(&mut self, pc: usize, st: &mut State) -> R<Step> {
        if st.frames.len() > 1 {
            let callee = st.frames.pop().expect("frame");
            let r0 = callee.regs[0].clone();
            if let RegVal::Stack { .. } = r0 {
                return Err(e(
                    pc,
                    Rule::PointerLeak,
                    "a function cannot return a stack pointer to its caller",
                ));
            }
            let caller = st.cur_mut();
            caller.regs[0] = r0;
            for r in 1..=5 {
                caller.regs[r] = RegVal::NotInit;
            }
            return Ok(Step::Next(callee.callsite + 1));
        }
        if !st.refs.is_empty() {
            return Err(e(pc, Rule::ReferenceLeak, "a ring buffer reservation is neither submitted nor discarded on this path (call bpf_ringbuf_submit or bpf_ringbuf_discard)"));
        }
        let r0 = &st.cur().regs[0];
        match r0 {
            RegVal::NotInit => Err(e(
                pc,
                Rule::ReturnValue,
                format!(
                "r0 is not set at exit on this path; set the return value first (e.g. `r0 = {}`)",
                if self.family == helpers::avail::XDP { "XDP_PASS" } else { "0" }
            ),
            )),
            // A privileged loader may return a pointer (the kernel's `allow_ptr_leaks`).
            _ => Ok(Step::Done),
        }
    }
}

/// Gives register `r` (whose value was `old`) the refined value `new`, and every register and
/// spilled slot linked to it too (the kernel's `sync_linked_regs`).
fn set_linked(st: &mut State, r: u8, old: Scalar, new: Scalar) {
    let link = old.link;
    let new = Scalar { link, ..new };
    st.cur_mut().regs[r as usize] = RegVal::Scalar(new);
    if link & !Scalar::BIG_DELTA != 0 {
        st.for_each_reg(|x| {
            if let RegVal::Scalar(v) = x {
                if v.link == link {
                    *v = new;
                }
            }
        });
    }
}

fn mask(s: Size) -> u64 {
    match s {
        Size::B => 0xff,
        Size::H => 0xffff,
        Size::W => 0xffff_ffff,
        Size::DW => u64::MAX,
    }
}

fn is_init_data(v: &RegVal) -> bool {
    matches!(v, RegVal::Pkt { kind: PktKind::Data, off: 0, id: 0, var, .. } if var.as_const() == Some(0))
}

/// After a null check: every copy of the lookup result becomes NULL (a zero scalar) or the
/// non-NULL pointer; a NULL ring buffer reservation needs no release.
fn mark_null(st: &mut State, p: &RegVal, is_null: bool) {
    let (id, rf) = match p {
        RegVal::MapValueOrNull { id, .. } | RegVal::OpaqueOrNull { id, .. } => (*id, None),
        RegVal::RingbufOrNull { id, ref_id, .. } => (*id, Some(*ref_id)),
        _ => return,
    };
    st.for_each_reg(|r| {
        let same = match r {
            RegVal::MapValueOrNull { id: i, .. }
            | RegVal::OpaqueOrNull { id: i, .. }
            | RegVal::RingbufOrNull { id: i, .. } => *i == id,
            _ => false,
        };
        if !same {
            return;
        }
        let nv = if is_null {
            RegVal::Scalar(Scalar::konst(0))
        } else {
            match &*r {
                RegVal::MapValueOrNull { map, .. } => RegVal::MapValue {
                    map: *map,
                    off: 0,
                    var: Scalar::konst(0),
                },
                RegVal::OpaqueOrNull { map, .. } => RegVal::Opaque { map: *map },
                RegVal::RingbufOrNull { size, ref_id, .. } => RegVal::Ringbuf {
                    size: *size,
                    off: 0,
                    var: Scalar::konst(0),
                    ref_id: *ref_id,
                },
                other => other.clone(),
            }
        };
        *r = nv;
    });
    if is_null {
        if let Some(rf) = rf {
            st.refs.retain(|x| *x != rf);
        }
    }
}

/// The kernel's `find_good_pkt_pointers`: after learning `ptr <= end` (or `ptr < end` when
/// `open`), every pointer sharing `ptr`'s variable part is safe up to `ptr`'s offset.
fn find_good_pkt(st: &mut State, ptr: &RegVal, open: bool) {
    let RegVal::Pkt {
        kind, off, var, id, ..
    } = ptr
    else {
        return;
    };
    if *off < 0 || (*off == 0 && open) {
        return;
    }
    if var.umax > MAX_PACKET_OFF || var.umax + *off as u64 > MAX_PACKET_OFF {
        return;
    }
    // Conservative: a strict `<` would allow one byte more; claim only `off`.
    let new_range = *off;
    let (kind, id) = (*kind, *id);
    st.for_each_reg(|r| {
        if let RegVal::Pkt {
            kind: k,
            id: i,
            range,
            ..
        } = r
        {
            if *k == kind && *i == id {
                *range = (*range).max(new_range);
            }
        }
    });
}

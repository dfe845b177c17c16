//! Conditional jumps: branch decisions, range refinement, null checks and packet ranges.

use super::super::domain::cond_values::cond_values;
use super::super::domain::refine32::{
    raw_view32, same_register_refined, subreg_branch_taken, tnum_branch_taken, view32, NoValue,
};
use super::super::domain::refine_old::{
    branch_taken_old, combine_equal_old, flip_old, set_min_max_old,
};
use super::*;

impl<'a> Exec<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn cond(
        &mut self,
        pc: usize,
        st: &mut State,
        is64: bool,
        op: JmpOp,
        dst: u8,
        src: Src,
        target: usize,
    ) -> R<Step> {
        let c = Cond {
            pc,
            is64,
            op,
            dst,
            src,
            target,
        };
        // Two numbers, the common case: compared at once (as below, without copying the
        // registers' values in and out of results).
        let konst = |i: i64| Scalar::konst(if is64 { i as u64 } else { i as u32 as u64 });
        if let RegVal::Scalar(x) = st.cur().regs[dst as usize] {
            let y = match src {
                Src::Imm(i) => Some(konst(i)),
                Src::Reg(r) => match st.cur().regs[r as usize] {
                    RegVal::Scalar(y) => Some(y),
                    _ => None,
                },
            };
            if let Some(y) = y {
                return self.cond_scalars(c, st, &x, &y);
            }
        }
        let a = self.read(st, pc, dst)?;
        let b = match src {
            Src::Reg(r) => self.read(st, pc, r)?,
            Src::Imm(i) => RegVal::Scalar(konst(i)),
        };
        let both = |st: &State| Step::Branch {
            other_pc: target,
            other: Box::new(st.clone()),
            pc: pc + 1,
        };
        match (&a, &b) {
            (RegVal::Scalar(x), RegVal::Scalar(y)) => self.cond_scalars(c, st, x, y),
            // A pointer that cannot be NULL compared with 0: `==` is never true (the kernel's
            // `is_branch_taken` with `reg_not_null`; privileged, so the other branch is dead).
            // Before 6.6 (NOT_NULL_MORE) only a socket or map value pointer as the destination,
            // compared with a constant 0 (`reg_type_not_null`, `is_branch_taken` in 6.1.192).
            (p, q)
                if is64
                    && matches!(op, JmpOp::Jeq | JmpOp::Jne)
                    && (if self.input.kernel >= KernelVersion::NOT_NULL_MORE {
                        zero_vs_not_null(p, q) || zero_vs_not_null(q, p)
                    } else {
                        zero_vs_not_null(p, q)
                            && matches!(p, RegVal::MapValue { .. } | RegVal::Sock { .. })
                    }) =>
            {
                Ok(Step::Next(if op == JmpOp::Jne { target } else { pc + 1 }))
            }
            // 6.12: a map pointer (`CONST_PTR_TO_MAP`: `r1 = m ll`, or the inner map a lookup
            // in a map of maps gives, once null-checked) is not NULL either; nor is the
            // entry an XSKMAP lookup gives (`PTR_TO_XDP_SOCK`).
            (p, q)
                if is64
                    && matches!(op, JmpOp::Jeq | JmpOp::Jne)
                    && self.input.kernel >= KernelVersion::MAP_PTR_NOT_NULL
                    && (zero_vs_map_ptr(p, q) || zero_vs_map_ptr(q, p)) =>
            {
                Ok(Step::Next(if op == JmpOp::Jne { target } else { pc + 1 }))
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
                            | RegVal::SockOrNull { .. }
                            | RegVal::BtfSockOrNull { .. }
                            | RegVal::KObjOrNull { .. }
                            | RegVal::AllocOrNull { .. }
                            | RegVal::BtfPtrOrNull { .. }
                    ) =>
            {
                Ok(self.cond_null_check(c, st, p))
            }
            (RegVal::Pkt { .. }, _) | (_, RegVal::Pkt { .. })
                if is64 && matches!(src, Src::Reg(_)) =>
            {
                Ok(cond_pkt(c, st, &a, &b))
            }
            // `if rA == rB` where one is a lookup result that may be NULL and the other a
            // pointer that is not, neither a BTF pointer (`PTR_TO_BTF_ID` is left out of this
            // rule): on the equal branch that one register is not NULL (the kernel's
            // `mark_ptr_not_null_reg`; its copies stay unchecked). 6.18.44 does this with a stack
            // pointer too (`jmp_eq_stack_not_null.s`); from PTR_EQ_NOT_NULL_CHECKED (6.12.114)
            // the other one must be `reg_not_null` (`eq_proves_not_null`).
            (p, q)
                if is64
                    && matches!(op, JmpOp::Jeq | JmpOp::Jne)
                    && self.input.kernel >= KernelVersion::PTR_EQ_NOT_NULL
                    && p.is_pointer()
                    && q.is_pointer()
                    && !is_btf_id(p)
                    && !is_btf_id(q)
                    && is_or_null(p) != is_or_null(q)
                    && (!self
                        .input
                        .kernel
                        .has(KernelVersion::PTR_EQ_NOT_NULL_CHECKED)
                        || eq_proves_not_null(if is_or_null(p) { q } else { p })) =>
            {
                Ok(cond_eq_not_null(c, st, q))
            }
            _ => Ok(both(st)),
        }
    }

    /// Two numbers compared: decided from their ranges (and known bits) when the kernel decides
    /// it, else both branches with the operands (and their linked copies) refined.
    fn cond_scalars(&self, c: Cond, st: &mut State, x: &Scalar, y: &Scalar) -> R<Step> {
        let Cond {
            pc,
            is64,
            op,
            dst,
            src,
            target,
        } = c;
        // Before 6.18 a linked copy given a delta is left unsynchronised (`sync_linked_regs`
        // without `reg_bounds_sync`), and the kernel decides a 32-bit comparison from the
        // 32-bit ranges as they are (the `link_jset_delta_pair` rule case, refused by 6.12.118).
        let (vx, vy) = if is64 {
            (*x, *y)
        } else if self.input.kernel < KernelVersion::LINK_SUM_SYNC {
            (raw_view32(x), raw_view32(y))
        } else {
            (view32(x), view32(y))
        };
        // Kernels before 6.12 decide only against a constant (`refine_old`): the source, or
        // from 6.6 (CONST_DST_BRANCH) a constant destination when the source is not one.
        let old = self.input.kernel < KernelVersion::BRANCH_RANGES;
        let decided = if old {
            match (const_operand(is64, y), const_operand(is64, x)) {
                (Some(v), _) => branch_taken_old(op, is64, x, v),
                (None, Some(v)) if self.input.kernel >= KernelVersion::CONST_DST_BRANCH => {
                    branch_taken_old(flip_old(op), is64, y, v)
                }
                _ => None,
            }
        } else {
            branch_taken(op, &vx, &vy)
        };
        // 6.18: `==` / `!=` are also decided when the known bits disagree.
        let decided = decided
            .or_else(|| {
                self.input
                    .kernel
                    .has(KernelVersion::TNUM_BRANCH)
                    .then(|| tnum_branch_taken(op, &vx, &vy))
                    .flatten()
            })
            .or_else(|| {
                // A 64-bit `==` / `!=` is also decided by the operands' 32-bit bounds.
                (is64 && self.input.kernel >= KernelVersion::SUBREG_EQ_BRANCH)
                    .then(|| subreg_branch_taken(op, x, y))
                    .flatten()
            });
        if let Some(t) = decided {
            return Ok(Step::Next(if t { target } else { pc + 1 }));
        }
        // The copies past the kernel's limit lose their link (the operands themselves too).
        let sr = match src {
            Src::Reg(r) => Some(r),
            Src::Imm(_) => None,
        };
        if x.id() != 0 || y.id() != 0 {
            let live = self.collected_regs(st, pc);
            if cap_linked(st, [y.id(), x.id()], &live) > 1 {
                self.hist_entry.set(true);
            }
        }
        let reread = |st: &State, r: u8, old: &Scalar| match st.cur().regs[r as usize] {
            RegVal::Scalar(v) => v,
            _ => *old,
        };
        let (x, y) = (&reread(st, dst, x), &sr.map_or(*y, |r| reread(st, r, y)));
        if self.input.kernel < KernelVersion::BRANCH_RANGES {
            return Ok(cond_scalars_old(c, st, x, y, self.input.kernel));
        }
        let mut taken = st.clone();
        // A register compared with itself (6.12-6.18 walk both branches, `&` included): the
        // kernel refines it as two operands that are one state, synchronises it twice and
        // checks it (`same_register_refined`), and copies the result to its linked copies,
        // links kept (breaking them would let a later comparison of two copies refine each
        // apart, more precisely than the kernel's copying does).
        if sr == Some(dst) {
            for (s, t) in [(&mut taken, true), (&mut *st, false)] {
                // Either way the kernel then copies the register's value to its linked copies
                // (`sync_linked_regs`), which may have held a more precise one (a copy made by
                // a sign-extending move keeps its own known bits).
                // (Older targets are given the unrefined value unless it was forgotten.)
                let v = match same_register_refined(op, t, is64, x, NoValue::of(self.input.kernel))
                {
                    v if v == Scalar::UNKNOWN
                        || self.input.kernel >= KernelVersion::SAME_REG_NARROW =>
                    {
                        v
                    }
                    _ => *x,
                };
                set_linked(s, dst, *x, v, self.input.kernel);
            }
            return Ok(Step::Branch {
                other_pc: target,
                other: Box::new(taken),
                pc: pc + 1,
            });
        }
        // Two registers linked to each other compared: the kernel refines both, then copies
        // the source's refined value to the link's other registers and the destination's to
        // its (`sync_linked_regs`), so a copy can end up with the less precise value of the
        // other, and the links stay (those past the kernel's limit were cut above). Each plain
        // copy gets the hull of both unrefined values and keeps its link: cutting it would let
        // a later comparison of two copies refine each apart, more precisely than the kernel.
        if let Src::Reg(sreg) = src {
            let id = x.id();
            if id != 0 && id == y.id() {
                // 6.12 on: the kernel refines both, then `sync_linked_regs` from the source
                // gives every collected copy, the destination too, the source's refined value
                // (moved by the difference of their deltas), then from the destination (now
                // holding that value) every copy again, the source too. With plain copies
                // only, every copy ends with the source's refined value.
                if let Some((ty, fy)) = self.same_link_refined(st, c, x, y) {
                    for (s, v) in [(&mut taken, ty), (&mut *st, fy)] {
                        set_linked(s, sreg, *y, v, self.input.kernel);
                        if let RegVal::Scalar(d) = s.cur().regs[dst as usize] {
                            if d.id() == id {
                                set_linked(s, dst, d, d, self.input.kernel);
                            }
                        }
                    }
                    return Ok(Step::Branch {
                        other_pc: target,
                        other: Box::new(taken),
                        pc: pc + 1,
                    });
                }
                // (A copy with a delta holds another value: it only loses the link.
                // The hull holds a plain copy's value when x or y is a plain copy.)
                let flags = Scalar::ANY_DELTA | Scalar::BIG_DELTA;
                let plain = |v: &Scalar| v.link & flags == 0;
                let hull = (plain(x) || plain(y)).then(|| x.unlinked().join(&y.unlinked()));
                for s in [&mut taken, &mut *st] {
                    s.for_each_reg(|r| {
                        if let RegVal::Scalar(v) = r {
                            if v.id() == id {
                                *v = match hull {
                                    Some(h) if plain(v) => Scalar {
                                        link: v.link,
                                        delta: v.delta,
                                        ..h
                                    },
                                    _ => v.unlinked(),
                                };
                            }
                        }
                    });
                }
                return Ok(Step::Branch {
                    other_pc: target,
                    other: Box::new(taken),
                    pc: pc + 1,
                });
            }
        }
        // (A register compared with itself went above.) Both operands' values on each branch
        // (`reg_set_min_max`), then given to their copies (`sync_linked_regs`).
        let [tx, ty, fx, fy] = cond_values(op, is64, NoValue::of(self.input.kernel), x, y);
        refine_both(&mut taken, dst, x, tx, sr, y, ty, self.input.kernel);
        refine_both(st, dst, x, fx, sr, y, fy, self.input.kernel);
        Ok(Step::Branch {
            other_pc: target,
            other: Box::new(taken),
            pc: pc + 1,
        })
    }

    /// The registers the kernel's `collect_linked_regs` looks at before the comparison at
    /// `pc`, one mask per frame (the innermost at `pc`, an outer one at the call it waits on):
    /// 6.18 takes the registers live there only (`live_regs_before`); earlier kernels every
    /// register, so dead copies count towards the limit of six too.
    fn collected_regs(&self, st: &State, pc: usize) -> Vec<u16> {
        let n = st.frames.len();
        (0..n)
            .map(|f| {
                if self.input.kernel < KernelVersion::LINKED_LIVE_ONLY {
                    return u16::MAX;
                }
                let at = if f + 1 == n {
                    pc
                } else {
                    st.frames[f + 1].callsite
                };
                self.cfg.live_in.get(at).copied().unwrap_or(u16::MAX)
            })
            .collect()
    }

    /// Two plain copies of one value compared (`x` the destination, `y` the source): the
    /// source's refined value on the taken and the fall-through branch, which the kernel
    /// gives every copy (the caller's two syncs move it by each copy's delta); `None` where
    /// this verifier keeps its coarser rule (before 6.12, a copy with a delta of 2^29 or
    /// more).
    fn same_link_refined(
        &self,
        st: &mut State,
        c: Cond,
        x: &Scalar,
        y: &Scalar,
    ) -> Option<(Scalar, Scalar)> {
        // A copy with a delta of 2^29 or more (the pointer-offset doubt's mark): left to the hull.
        let id = x.id();
        let mut big_deltas = false;
        let big = |r: &RegVal| matches!(r, RegVal::Scalar(v) if v.id() == id && v.link & Scalar::BIG_DELTA != 0);
        st.for_each_reg_where(big, |_| big_deltas = true);
        if self.input.kernel < KernelVersion::SAME_REG_NARROW || big_deltas {
            return None;
        }
        // The source's value on each branch, as `reg_set_min_max` gives it (a 32-bit
        // comparison narrows the 32-bit bounds only, whatever the values' width; `&` as for any
        // two registers; on a branch no value takes, what the
        // kernel's synchronisation and sanity check leave: `link_eq32_no_value_constant`).
        let [_, ty, _, fy] = cond_values(c.op, c.is64, NoValue::of(self.input.kernel), x, y);
        Some((ty, fy))
    }

    /// A lookup result that may be NULL compared with 0: NULL on one branch, the non-NULL
    /// pointer on the other, for every copy of it.
    fn cond_null_check(&self, c: Cond, st: &mut State, p: &RegVal) -> Step {
        let Cond { pc, op, target, .. } = c;
        // The taken branch is NULL for `==`, non-NULL for `!=`; the fall-through the other.
        let null_taken = op == JmpOp::Jeq;
        let mut taken = st.clone();
        mark_null_pair(&mut taken, st, p, null_taken);
        Step::Branch {
            other_pc: target,
            other: Box::new(taken),
            pc: pc + 1,
        }
    }
}

/// The constant `v` holds in a comparison's width (a 32-bit comparison needs only the low half
/// known): kernels before 6.12 decide and refine a comparison only against such an operand.
fn const_operand(is64: bool, v: &Scalar) -> Option<u64> {
    let mask = if is64 { u64::MAX } else { 0xffff_ffff };
    (v.t.mask & mask == 0).then_some(v.t.value)
}

/// [`Exec::cond_scalars`] for kernels before [`KernelVersion::BRANCH_RANGES`], once the
/// branch is not decided (the 6.1.192 reference's `check_cond_jmp_op`): the destination is
/// narrowed against a constant source, else the source against a constant destination, else
/// a 64-bit `==` / `!=` intersects both on its equal branch; nothing else is learnt. Then the
/// source's copies, then the destination's, take the new values (`find_equal_scalars`).
fn cond_scalars_old(
    c: Cond,
    st: &mut State,
    x: &Scalar,
    y: &Scalar,
    kernel: KernelVersion,
) -> Step {
    let Cond {
        pc,
        is64,
        op,
        dst,
        src,
        target,
    } = c;
    let sr = match src {
        Src::Reg(r) => Some(r),
        Src::Imm(_) => None,
    };
    let same = (*x, *y);
    let (tx, fx, ty, fy) = if sr == Some(dst) {
        (same.0, same.0, same.1, same.1)
    } else if let Some(v) = const_operand(is64, y) {
        let (t, f) = set_min_max_old(op, is64, x, v);
        (t, f, *y, *y)
    } else if let Some(v) = const_operand(is64, x) {
        let (t, f) = set_min_max_old(flip_old(op), is64, y, v);
        (*x, *x, t, f)
    } else if is64 && matches!(op, JmpOp::Jeq | JmpOp::Jne) {
        let (ex, ey) = combine_equal_old(x, y);
        if op == JmpOp::Jeq {
            (ex, *x, ey, *y)
        } else {
            (*x, ex, *y, ey)
        }
    } else {
        (same.0, same.0, same.1, same.1)
    };
    let mut taken = st.clone();
    refine_both(&mut taken, dst, x, tx, sr, y, ty, kernel);
    refine_both(st, dst, x, fx, sr, y, fy, kernel);
    Step::Branch {
        other_pc: target,
        other: Box::new(taken),
        pc: pc + 1,
    }
}

/// `p` is a map pointer or an opaque map entry (never NULL) and `z` the constant 0.
fn zero_vs_map_ptr(p: &RegVal, z: &RegVal) -> bool {
    matches!(z, RegVal::Scalar(z) if z.as_const() == Some(0))
        && matches!(p, RegVal::MapPtr { .. } | RegVal::Opaque { .. })
}

/// A conditional jump's operands and targets.
#[derive(Clone, Copy)]
struct Cond {
    pc: usize,
    is64: bool,
    op: JmpOp,
    dst: u8,
    src: Src,
    target: usize,
}

/// The packet range of a data pointer known to be at `data_end` (`ptr >= end`: the kernel's
/// `AT_PKT_END`); nothing can be read through it.
pub(crate) const AT_PKT_END: i32 = -1;
/// The packet range of a data pointer known to be past `data_end` (`ptr > end`:
/// `BEYOND_PKT_END`).
pub(crate) const BEYOND_PKT_END: i32 = -2;

/// `a OP b` as `b OP' a`.
fn flip(op: JmpOp) -> JmpOp {
    match op {
        JmpOp::Jgt => JmpOp::Jlt,
        JmpOp::Jlt => JmpOp::Jgt,
        JmpOp::Jge => JmpOp::Jle,
        JmpOp::Jle => JmpOp::Jge,
        o => o,
    }
}

/// A packet pointer compared with `data_end` (or a metadata pointer with `data`): the branch
/// where the pointer is known to be below the end learns a packet range
/// (`find_good_pkt_pointers`); other comparisons of packet pointers go both ways unchanged.
fn cond_pkt(c: Cond, st: &mut State, a: &RegVal, b: &RegVal) -> Step {
    let Cond {
        pc,
        op,
        dst,
        src,
        target,
        ..
    } = c;
    let both = |st: &State| Step::Branch {
        other_pc: target,
        other: Box::new(st.clone()),
        pc: pc + 1,
    };
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
        ) => Some((true, *a)),
        (
            RegVal::PktEnd,
            RegVal::Pkt {
                kind: PktKind::Data,
                ..
            },
        ) => Some((false, *b)),
        (
            RegVal::Pkt {
                kind: PktKind::Meta,
                ..
            },
            d,
        ) if is_init_data(d) => Some((true, *a)),
        (
            d,
            RegVal::Pkt {
                kind: PktKind::Meta,
                ..
            },
        ) if is_init_data(d) => Some((false, *b)),
        _ => None,
    };
    let Some((ptr_is_dst, ptr)) = pair else {
        return both(st);
    };
    let to_end = matches!((a, b), (_, RegVal::PktEnd) | (RegVal::PktEnd, _));
    // `is_pkt_ptr_branch_taken`: a pointer marked at or beyond data_end decides the branch.
    let pkt_op = if ptr_is_dst { op } else { flip(op) };
    if let (true, RegVal::Pkt { range, .. }) = (to_end, ptr) {
        let known = match pkt_op {
            JmpOp::Jgt | JmpOp::Jle if range == BEYOND_PKT_END => Some(pkt_op == JmpOp::Jgt),
            JmpOp::Jlt | JmpOp::Jge if range == BEYOND_PKT_END || range == AT_PKT_END => {
                Some(pkt_op == JmpOp::Jge)
            }
            _ => None,
        };
        if let Some(t) = known {
            return Step::Next(if t { target } else { pc + 1 });
        }
    }
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
    // `mark_pkt_end`: on the branch where the data pointer is past (or at) data_end, that
    // register alone (not its copies) is marked so; nothing may be read through it.
    if to_end
        && matches!(
            ptr,
            RegVal::Pkt {
                kind: PktKind::Data,
                ..
            }
        )
    {
        let r = if ptr_is_dst { dst } else { srcr };
        // (on the taken branch?, beyond rather than at)
        let (on_taken, beyond) = match pkt_op {
            JmpOp::Jgt => (true, true),
            JmpOp::Jge => (true, false),
            JmpOp::Jlt => (false, false),
            JmpOp::Jle => (false, true),
            _ => (false, false),
        };
        if matches!(pkt_op, JmpOp::Jgt | JmpOp::Jge | JmpOp::Jlt | JmpOp::Jle) {
            let mark = if on_taken { &mut taken } else { &mut *st };
            if let RegVal::Pkt { range, .. } = &mut mark.cur_mut().regs[r as usize] {
                *range = if beyond { BEYOND_PKT_END } else { AT_PKT_END };
            }
        }
    }
    Step::Branch {
        other_pc: target,
        other: Box::new(taken),
        pc: pc + 1,
    }
}

/// `if rA == rB` with one a lookup result that may be NULL and the other a pointer that is not.
/// The kernel's `PTR_TO_BTF_ID` (possibly NULL): the socket casts (not `PTR_TO_TCP_SOCK`),
/// kfunc objects, BTF pointers.
/// True if `v`, compared equal with a pointer that may be NULL, proves that one not NULL
/// where [`KernelVersion::PTR_EQ_NOT_NULL_CHECKED`] holds: 6.12.118's `reg_not_null` (a map
/// value or ring buffer record whose variable offset stays within ±2^29, a socket, a map
/// pointer, an XSKMAP entry); a stack, context or packet pointer does not. A type the kernel
/// lists and this one leaves out costs a false reject only.
fn eq_proves_not_null(v: &RegVal) -> bool {
    let bounded = |var: &Scalar| var.smin > -(1 << 29) && var.smax < 1 << 29;
    match v {
        RegVal::MapValue { var, .. } | RegVal::Ringbuf { var, .. } => bounded(var),
        RegVal::Sock { .. } | RegVal::MapPtr { .. } | RegVal::Opaque { .. } => true,
        _ => false,
    }
}

fn is_btf_id(v: &RegVal) -> bool {
    match v {
        RegVal::BtfSock { ty, .. } | RegVal::BtfSockOrNull { ty, .. } => *ty != TCP_SOCK,
        RegVal::KObj { .. }
        | RegVal::KObjOrNull { .. }
        | RegVal::BtfPtr { .. }
        | RegVal::BtfPtrOrNull { .. }
        | RegVal::Alloc { .. }
        | RegVal::AllocOrNull { .. } => true,
        _ => false,
    }
}

fn cond_eq_not_null(c: Cond, st: &mut State, q: &RegVal) -> Step {
    let Cond {
        pc,
        op,
        dst,
        src,
        target,
        ..
    } = c;
    let both = |st: &State| Step::Branch {
        other_pc: target,
        other: Box::new(st.clone()),
        pc: pc + 1,
    };
    let Src::Reg(sr) = src else {
        return both(st);
    };
    let r = if is_or_null(q) { sr } else { dst };
    let mut taken = st.clone();
    let eq = if op == JmpOp::Jeq {
        &mut taken
    } else {
        &mut *st
    };
    let v = eq.cur().regs[r as usize];
    eq.cur_mut().regs[r as usize] = not_null(&v);
    Step::Branch {
        other_pc: target,
        other: Box::new(taken),
        pc: pc + 1,
    }
}

#[cfg(test)]
#[path = "jump_tests.rs"]
mod tests;

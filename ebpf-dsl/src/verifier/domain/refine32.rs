//! 32-bit conditional jumps (`if w1 < w2`).
//!
//! The kernel keeps separate 32-bit bounds (`u32_min_value` ... `s32_max_value`) next to the
//! 64-bit ones; [`Scalar`] carries them too ([`Scalar::u32min`] ...). A 32-bit comparison
//! refines only those (`regs_refine_cond_op`), and then deduces what it can for the 64-bit
//! bounds and the known bits (`reg_bounds_sync`, [`Scalar::sync`]); the refined 32-bit bounds
//! stay with the register afterwards, as in the kernel.

use super::refine::fix;
use super::*;
use crate::verifier::KernelVersion;

fn subreg(t: Tnum) -> Tnum {
    t.cast32()
}

fn with_subreg(t: Tnum, s: Tnum) -> Tnum {
    const LO: u64 = 0xffff_ffff;
    Tnum {
        value: (t.value & !LO) | (s.value & LO),
        mask: (t.mask & !LO) | (s.mask & LO),
    }
}

/// What the kernel makes of a register a comparison's branch leaves no value (crossed bounds,
/// or ranges that hold no value of the known bits; the kernel walks the branch anyway).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NoValue {
    /// Before [`KernelVersion::BOUNDS_SANITY`]: an unknown number here (6.6.47 has no
    /// sanity check and walks the crossed bounds as they are; not modelled).
    Unknown,
    /// 6.12 to 6.17: `reg_bounds_sync` step by step without the single-value rule, then,
    /// where `reg_bounds_sanity_check` fails, `__mark_reg_unbounded`: the known bits the
    /// synchronisation left, the ranges unbounded ([`Scalar::kernel_sync_or_unbounded_as`]).
    KeepBits,
    /// 6.18: the same with the single-value rule (`tnum_step`), which often leaves a constant.
    Single,
}

impl NoValue {
    /// The rule of the target `k`.
    pub(crate) fn of(k: KernelVersion) -> NoValue {
        if k >= KernelVersion::TNUM_SINGLE {
            NoValue::Single
        } else if k >= KernelVersion::BOUNDS_SANITY {
            NoValue::KeepBits
        } else {
            NoValue::Unknown
        }
    }

    /// A register a comparison narrowed to `r` (bounds as `regs_refine_cond_op` left them),
    /// synchronised once as the target does: `reg_bounds_sync` step by step (with 6.18's
    /// single-value rule), then, where `reg_bounds_sanity_check` fails (a branch no value
    /// takes), the known bits the synchronisation left with the bounds forgotten
    /// ([`Scalar::kernel_sync_or_unbounded_as`]). Before 6.12 ([`NoValue::Unknown`]), one
    /// [`Scalar::sync`], an unknown number where it finds no value.
    pub(crate) fn synced(self, r: Scalar) -> Scalar {
        match self {
            NoValue::Unknown => fix(r),
            NoValue::KeepBits => r.kernel_sync_or_unbounded_as(false),
            NoValue::Single => r.kernel_sync_or_unbounded(),
        }
    }

    /// A register that is both operands of a comparison (`if r6 < r6`), narrowed to `r`:
    /// `reg_set_min_max` synchronises each operand, so this one twice, and then checks it
    /// ([`NoValue::synced`] after one more synchronisation). The second synchronisation can
    /// learn what the first left (`jmp_same_reg_syncs_twice`). Before 6.12 (not walked so by
    /// this verifier; the domain's tests ask) one synchronisation, an unknown number where no
    /// value is left.
    pub(crate) fn synced_twice(self, r: Scalar) -> Scalar {
        match self {
            NoValue::Unknown => fix(r),
            _ => self.synced(r.kernel_sync_steps(self == NoValue::Single)),
        }
    }
}

/// A register compared with itself (`if r1 > r1`): the value of `x` on the branch (`taken`
/// or the fall-through) of `op`, as the kernel's `reg_set_min_max` leaves it with both
/// operands one register state. `regs_refine_cond_op` narrows it on its own (`<` makes the
/// maximum `max - 1` and then the minimum `min + 1`; `<=`, `==`, `!=`, `&` narrow nothing), and
/// the register is then synchronised twice and checked ([`NoValue::synced_twice`]): a second
/// synchronisation can learn known bits the first left (`jmp_same_reg_syncs_twice`), and where
/// no value is left 6.18's single-value rule often makes a constant (`if w6 < w6` on r6 in
/// {4, 8, 12} walks on with 8, `jmp_same_reg_single_value`), else the check fails and the
/// bounds are forgotten with the known bits kept ([`Scalar::unbounded_bits`]: `r6 & 16` is
/// decided by those bits, `jmp_same_reg_violation_keeps_bits`; an unknown value there would
/// be a false accept, `jmp_same_reg_violation_made_up`). 6.12 to 6.17 synchronise without the
/// single-value rule ([`NoValue`]). Links are the caller's.
pub(crate) fn same_register_refined(
    op: JmpOp,
    taken: bool,
    is64: bool,
    x: &Scalar,
    no_value: NoValue,
) -> Scalar {
    use JmpOp::*;
    // `regs_refine_cond_op` with both pointers on the one register: `<` lowers the maximum
    // by one and then raises the minimum by one (`>` is `<` with the operands swapped, the
    // same register); `<=`, `==` and `!=` (of a value that is not a constant) narrow nothing.
    let op = match if taken { op } else { rev(op) } {
        Jgt => Jlt,
        Jsgt => Jslt,
        o => o,
    };
    let mut r = *x;
    match (op, is64) {
        (Jlt, true) => {
            r.umax = r.umax.min(r.umax.wrapping_sub(1));
            r.umin = r.umin.wrapping_add(1).max(r.umin);
        }
        (Jlt, false) => {
            r.u32max = r.u32max.min(r.u32max.wrapping_sub(1));
            r.u32min = r.u32min.wrapping_add(1).max(r.u32min);
        }
        (Jslt, true) => {
            r.smax = r.smax.min(r.smax.wrapping_sub(1));
            r.smin = r.smin.wrapping_add(1).max(r.smin);
        }
        (Jslt, false) => {
            r.s32max = r.s32max.min(r.s32max.wrapping_sub(1));
            r.s32min = r.s32min.wrapping_add(1).max(r.s32min);
        }
        _ => {}
    }
    no_value.synced_twice(r)
}

/// The opcode of the other branch (`rev_opcode`); `None` for the "no bits in common" sense of
/// `&` (handled by the caller).
fn rev(op: JmpOp) -> JmpOp {
    use JmpOp::*;
    match op {
        Jeq => Jne,
        Jne => Jeq,
        Jgt => Jle,
        Jle => Jgt,
        Jge => Jlt,
        Jlt => Jge,
        Jsgt => Jsle,
        Jsle => Jsgt,
        Jsge => Jslt,
        Jslt => Jsge,
        o => o,
    }
}

/// `regs_refine_cond_op` for a 32-bit comparison `a op b` assumed true.
fn refine_cond(op: JmpOp, a: &mut Scalar, b: &mut Scalar) {
    use JmpOp::*;
    let (op, swap) = match op {
        Jge => (Jle, true),
        Jgt => (Jlt, true),
        Jsge => (Jsle, true),
        Jsgt => (Jslt, true),
        o => (o, false),
    };
    let (r1, r2) = if swap { (b, a) } else { (a, b) };
    match op {
        Jeq => {
            r1.u32min = r1.u32min.max(r2.u32min);
            r1.u32max = r1.u32max.min(r2.u32max);
            r1.s32min = r1.s32min.max(r2.s32min);
            r1.s32max = r1.s32max.min(r2.s32max);
            r2.u32min = r1.u32min;
            r2.u32max = r1.u32max;
            r2.s32min = r1.s32min;
            r2.s32max = r1.s32max;
            let t = subreg(r1.t).intersect(subreg(r2.t));
            r1.t = with_subreg(r1.t, t);
            r2.t = with_subreg(r2.t, t);
        }
        Jne => {
            let (r1, r2) = if r2.as_const32().is_none() {
                (r2, r1)
            } else {
                (r1, r2)
            };
            let Some(v) = r2.as_const32() else { return };
            if r1.u32min == v {
                r1.u32min = r1.u32min.wrapping_add(1);
            }
            if r1.u32max == v {
                r1.u32max = r1.u32max.wrapping_sub(1);
            }
            if r1.s32min == v as i32 {
                r1.s32min = r1.s32min.wrapping_add(1);
            }
            if r1.s32max == v as i32 {
                r1.s32max = r1.s32max.wrapping_sub(1);
            }
        }
        Jle => {
            r1.u32max = r1.u32max.min(r2.u32max);
            r2.u32min = r1.u32min.max(r2.u32min);
        }
        Jlt => {
            r1.u32max = r1.u32max.min(r2.u32max.wrapping_sub(1));
            r2.u32min = r1.u32min.wrapping_add(1).max(r2.u32min);
        }
        Jsle => {
            r1.s32max = r1.s32max.min(r2.s32max);
            r2.s32min = r1.s32min.max(r2.s32min);
        }
        Jslt => {
            r1.s32max = r1.s32max.min(r2.s32max.wrapping_sub(1));
            r2.s32min = r1.s32min.wrapping_add(1).max(r2.s32min);
        }
        _ => {}
    }
}

/// A 32-bit comparison `a op b` assumed `taken` (or not), on copies of both operands: the
/// 32-bit bounds and the low half of the known bits as the kernel's `regs_refine_cond_op`
/// leaves them, before any synchronisation (which may leave no value).
pub(crate) fn narrow32(op: JmpOp, taken: bool, a: &Scalar, b: &Scalar) -> (Scalar, Scalar) {
    let (mut ka, mut kb) = (a.unlinked(), b.unlinked());
    if op == JmpOp::Jset {
        jset32(taken, &mut ka, &mut kb);
    } else {
        refine_cond(if taken { op } else { rev(op) }, &mut ka, &mut kb);
    }
    (ka, kb)
}

/// `regs_refine_cond_op` for a 32-bit `&` test (`taken`) or its reverse: against an operand
/// whose low half is a constant by its known bits, the other's low known bits learn a single
/// tested bit, or (fall-through) lose the tested bits after its ranges are forgotten.
fn jset32(taken: bool, a: &mut Scalar, b: &mut Scalar) {
    let (r1, r2) = if b.as_const32().is_none() {
        (b, a)
    } else {
        (a, b)
    };
    let Some(c) = r2.as_const32() else { return };
    let c = c as u64;
    if !taken {
        let t = r1.t;
        *r1 = Scalar {
            t: with_subreg(t, subreg(t).and(Tnum::konst(!c))),
            ..Scalar::UNKNOWN
        };
    } else if c.is_power_of_two() {
        r1.t = with_subreg(r1.t, subreg(r1.t).or(Tnum::konst(c)));
    }
}

/// `==` / `!=` decided by the known bits alone (kernel 6.18's `tnum_overlap` test in
/// `is_scalar_branch_taken`): two values whose known bits disagree are never equal.
pub(crate) fn tnum_branch_taken(op: JmpOp, a: &Scalar, b: &Scalar) -> Option<bool> {
    let mu = a.t.mask | b.t.mask;
    let overlap = (a.t.value & !mu) == (b.t.value & !mu);
    match op {
        JmpOp::Jeq if !overlap => Some(false),
        JmpOp::Jne if !overlap => Some(true),
        _ => None,
    }
}

/// A 64-bit `==` / `!=` that the 64-bit ranges and known bits leave open, decided by the
/// 32-bit bounds of both operands (the kernel's `is_scalar_branch_taken`: "if 64-bit ranges
/// are inconclusive, see if we can utilize 32-bit subrange knowledge"): two numbers whose low
/// halves cannot be equal are never equal. The bounds are the ones [`view32`] gives, never
/// tighter than the kernel's.
pub(crate) fn subreg_branch_taken(op: JmpOp, x: &Scalar, y: &Scalar) -> Option<bool> {
    // (Other operators are never decided here: their operands' views are not worked out.)
    if !matches!(op, JmpOp::Jeq | JmpOp::Jne) {
        return None;
    }
    let (a, b) = (view32(x), view32(y));
    let apart =
        a.u32min > b.u32max || a.u32max < b.u32min || a.s32min > b.s32max || a.s32max < b.s32min;
    match op {
        JmpOp::Jeq if apart => Some(false),
        JmpOp::Jne if apart => Some(true),
        _ => None,
    }
}

/// What a 32-bit comparison sees of `x`: the kernel's 32-bit bounds (`u32_min_value` ...
/// `s32_max_value`, as derived from the 64-bit state) in the unsigned and signed fields, and
/// the low half of the known bits. For deciding branches only (not a consistent 64-bit value).
pub(crate) fn view32(x: &Scalar) -> Scalar {
    raw_view32(&x.held().unwrap_or(Scalar::UNKNOWN))
}

/// [`view32`] of the value as stored, not synchronised: what a kernel before
/// [`KernelVersion::LINK_SUM_SYNC`](crate::verifier::KernelVersion::LINK_SUM_SYNC) reads when
/// it decides a 32-bit comparison (`is_scalar_branch_taken` on `u32_min_value` ...), where a
/// linked copy given a delta (`sync_linked_regs`) keeps the ranges that delta left, unsynced:
/// `u32` unbounded beside `s32` 0..=63 decides no `w > 256`.
pub(crate) fn raw_view32(x: &Scalar) -> Scalar {
    Scalar {
        umin: x.u32min as u64,
        umax: x.u32max as u64,
        smin: x.s32min as i64,
        smax: x.s32max as i64,
        u32min: x.u32min,
        u32max: x.u32max,
        s32min: x.s32min,
        s32max: x.s32max,
        t: subreg(x.t),
        link: 0,
        delta: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::super::cond_values::cond_values;
    use super::super::refine::{branch_taken, refine};
    use super::*;

    /// `a op b` (32-bit) on the branch `taken`, as the walk refines it on 6.12 to 6.17.
    fn refine32(op: JmpOp, taken: bool, a: &Scalar, b: &Scalar) -> (Scalar, Scalar) {
        super::super::cond_values::branch(op, taken, false, NoValue::KeepBits, a, b)
    }

    #[test]
    fn equality_of_the_low_half_bounds_a_small_signed_range() {
        // r in [-130, 125]; `w == 9` leaves only 9 (the kernel's s32 -> s64 deduction).
        let r = Scalar::srange(-130, 125);
        let (t, _) = refine32(JmpOp::Jeq, true, &r, &Scalar::konst(9));
        assert_eq!(t.as_const(), Some(9));
        let (f, _) = refine32(JmpOp::Jne, false, &r, &Scalar::konst(9));
        assert_eq!(f.as_const(), Some(9));
    }

    #[test]
    fn small_signed_range_survives_an_unsigned_comparison() {
        // r in [-4095, 0], `r <= 63` (unsigned): the domain drops the signed range (the
        // kernel does for wide ranges), the 32-bit bounds give 0 as the kernel finds.
        let r = Scalar::srange(-4095, 0);
        // Through the path the walk takes (narrowed, then one synchronisation).
        let [t, ..] = cond_values(JmpOp::Jle, true, NoValue::KeepBits, &r, &Scalar::konst(63));
        assert_eq!(t.as_const(), Some(0));
    }

    #[test]
    fn signed_32_bit_view_of_a_small_negative_range() {
        // r in [-63, 0]: `w r != 7` is always true (s32 bounds), though the u32 view is wide.
        let v = view32(&Scalar::srange(-63, 0));
        assert_eq!((v.smin, v.smax), (-63, 0));
        assert_eq!(
            branch_taken(JmpOp::Jne, &v, &view32(&Scalar::konst(7))),
            Some(true)
        );
    }

    #[test]
    fn low_halves_apart_decide_a_64_bit_equality() {
        // r = (u32)-x for x in 0..=1500: 64-bit range 0..=u32::MAX, s32 bounds -1500..=0, so
        // `r == 13` never holds (the kernel's 32-bit subrange test), `r == 0` may.
        let r = Scalar {
            s32min: -1500,
            s32max: 0,
            ..Scalar::urange(0, u32::MAX as u64)
        };
        assert_eq!(branch_taken(JmpOp::Jeq, &r, &Scalar::konst(13)), None);
        assert_eq!(
            subreg_branch_taken(JmpOp::Jeq, &r, &Scalar::konst(13)),
            Some(false)
        );
        assert_eq!(
            subreg_branch_taken(JmpOp::Jne, &r, &Scalar::konst(13)),
            Some(true)
        );
        assert_eq!(subreg_branch_taken(JmpOp::Jne, &r, &Scalar::konst(0)), None);
        // Only equality: an ordering is left to the 64-bit ranges.
        assert_eq!(
            subreg_branch_taken(JmpOp::Jgt, &r, &Scalar::konst(13)),
            None
        );
    }

    #[test]
    fn a_register_compared_with_itself_is_narrowed() {
        use JmpOp::*;
        let u = Scalar::urange(0, u32::MAX as u64);
        // `r < r` taken: max - 1, then min + 1 (the kernel's one-state refinement).
        let t = same_register_refined(Jlt, true, true, &u, NoValue::Unknown);
        assert_eq!((t.umin, t.umax), (1, u32::MAX as u64 - 1));
        // Its fall-through (`r >= r`) and `==` leave the value as it is.
        assert_eq!(
            same_register_refined(Jlt, false, true, &u, NoValue::Unknown),
            u
        );
        assert_eq!(
            same_register_refined(Jeq, true, true, &u, NoValue::Unknown),
            u
        );
        // `w > w` taken on a 32-bit range: the low half's bounds narrow.
        let w = same_register_refined(Jgt, true, false, &u, NoValue::Unknown);
        assert_eq!((w.u32min, w.u32max), (1, u32::MAX - 1));
        // [0, 1] compared `<` with itself leaves no value: unbounded.
        let b = Scalar::urange(0, 1);
        assert_eq!(
            same_register_refined(Jlt, true, true, &b, NoValue::Unknown),
            Scalar::UNKNOWN
        );
        // Signed: `r s> r` on [-5, 5] gives [-4, 4].
        let s = same_register_refined(Jsgt, true, true, &Scalar::srange(-5, 5), NoValue::Unknown);
        assert_eq!((s.smin, s.smax), (-4, 4));
    }

    #[test]
    fn a_branch_no_value_takes_keeps_the_known_bits_on_6_12() {
        use JmpOp::*;
        // `w6 > w6` on [0, 1]: 6.12-6.17 synchronise without `tnum_step` and the sanity check
        // fails: the known bits 0..=1 with unbounded ranges (jmp_same_reg_violation_made_up_612).
        let b = Scalar::urange(0, 1);
        let v = same_register_refined(Jgt, true, false, &b, NoValue::KeepBits);
        assert_eq!(v, Scalar::unbounded_bits(b.t));
        // Before 6.12: an unknown number.
        let u = same_register_refined(Jgt, true, false, &b, NoValue::Unknown);
        assert_eq!(u, Scalar::UNKNOWN);
        // `r6 < 4` on r6 in 1..=4 with the known bits 0 or 4: 1..=3 holds none; 6.12's
        // `__reg_bound_offset` makes the bits the constant 0, whose range then crosses: the
        // register keeps var_off 0 with unbounded ranges (jmp_contradiction_keeps_bits_612).
        let x = Scalar {
            t: Tnum { value: 0, mask: 4 },
            ..Scalar::urange(1, 4)
        };
        let y = Scalar::konst(4);
        let [tx, ..] = cond_values(Jlt, true, NoValue::KeepBits, &x, &y);
        assert!(tx.is_unbounded_bits());
        assert_eq!(tx.t, Tnum::konst(0));
        // 6.18's first `__update_reg64_bounds` makes the constant 4 of it (`tnum_step`: the
        // one value of the bits at or above 1); before 6.12, an unknown number.
        let [t18, ..] = cond_values(Jlt, true, NoValue::Single, &x, &y);
        assert_eq!(t18.as_const(), Some(4));
        let [t6, ..] = cond_values(Jlt, true, NoValue::Unknown, &x, &y);
        assert_eq!(t6, Scalar::UNKNOWN);
    }

    #[test]
    fn a_register_compared_with_itself_on_6_18() {
        use JmpOp::*;
        // `w6 > w6` on [0, 1]: the low half's bounds cross, the check fails and the register
        // keeps its known bits with unbounded ranges (jmp_same_reg_violation_keeps_bits).
        let b = Scalar::urange(0, 1);
        let v = same_register_refined(Jgt, true, false, &b, NoValue::Single);
        assert!(v.is_unbounded_bits());
        assert_eq!(v, Scalar::unbounded_bits(b.t));
        // Read as an operand, it is not synchronised: `w6 > w6` again narrows its unbounded
        // 32-bit range to 1..=u32::MAX - 1, which the known bits then make 1.
        assert_eq!(v.held(), Some(v));
        assert_eq!(view32(&v).u32max, u32::MAX);
        assert_eq!(
            same_register_refined(Jgt, true, false, &v, NoValue::Single).as_const(),
            Some(1)
        );
        // `w6 < w6` on {4, 8, 12}: 5..=11 holds 8 only (jmp_same_reg_single_value).
        let m = Scalar {
            t: Tnum {
                value: 0,
                mask: 0xc,
            },
            ..Scalar::urange(4, 12)
        };
        let m = m.sync().unwrap_or(m);
        assert_eq!(
            same_register_refined(Jlt, true, false, &m, NoValue::Single).as_const(),
            Some(8)
        );
        // Before 6.18 the same range is left as the synchronisation leaves it.
        assert_eq!(
            same_register_refined(Jlt, true, false, &m, NoValue::Unknown).as_const(),
            None
        );
    }

    #[test]
    fn a_signed_comparison_keeps_a_sign_crossing_unsigned_range() {
        // r in s -32768..=32767 with umin 257 (the negative half and 257..=32767), `r s<= y`
        // for y in 0..=u32::MAX: the kernel narrows only the signed bounds, so 257 stays.
        let r = Scalar {
            umin: 257,
            ..Scalar::srange(-32768, 32767)
        };
        let (t, _) = refine(JmpOp::Jsle, true, r, Scalar::urange(0, u32::MAX as u64));
        assert_eq!(t.umin, 257);
        assert_eq!(
            branch_taken(JmpOp::Jlt, &t, &Scalar::konst(127)),
            Some(false)
        );
    }

    #[test]
    fn unknown_upper_half_stays_unbounded() {
        let (t, _) = refine32(JmpOp::Jlt, true, &Scalar::UNKNOWN, &Scalar::konst(10));
        assert_eq!(t.smin, i64::MIN);
        // The 32-bit bounds stay with the register after the branch (as the kernel's do).
        assert_eq!((t.u32min, t.u32max), (0, 9));
        assert_eq!(t.trunc32().umax, 9);
    }

    #[test]
    fn known_upper_half_gives_a_64_bit_range() {
        // r in [2^32, 2^32 + 2^31]: `w r < 16` gives [2^32, 2^32 + 15].
        let r = Scalar::urange(1 << 32, (1 << 32) + (1 << 31));
        let (t, _) = refine32(JmpOp::Jlt, true, &r, &Scalar::konst(16));
        assert_eq!((t.umin, t.umax), (1 << 32, (1 << 32) + 15));
    }
}

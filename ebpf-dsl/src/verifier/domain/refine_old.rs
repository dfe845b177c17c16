//! Comparisons of two numbers as kernels before
//! [`KernelVersion::BRANCH_RANGES`](crate::verifier::KernelVersion::BRANCH_RANGES) verify them
//! (the reference read here is 6.1.192's `check_cond_jmp_op`). A comparison is decided, and an
//! operand narrowed, only against a constant (`is_branch_taken`, `reg_set_min_max`,
//! `reg_set_min_max_inv`); `==` / `!=` are decided only when the register is a constant; two
//! numbers neither of which is a constant are only intersected, on the equal branch of a
//! 64-bit `==` / `!=` (`reg_combine_min_max`). A comparison of one width forgets the bounds of
//! the other width that the new ones do not give (`__reg_combine_64_into_32`,
//! `__reg_combine_32_into_64`), and the bounds are made to agree by that kernel's shorter
//! `reg_bounds_sync` (no deduction from one width to the other: [`sync_old`]).

use super::*;

const LO: u64 = 0xffff_ffff;

/// The old kernels' `reg_bounds_sync` (6.1.192): the bounds from the known bits, the signed
/// and unsigned bounds of each width from each other, the known bits from the unsigned bounds
/// of each width, the bounds from the known bits again. `None` where the bounds contradict
/// (that kernel walks on with them; the caller makes the number unknown).
pub(crate) fn sync_old(mut s: Scalar) -> Option<Scalar> {
    if !s.consistent() {
        return None;
    }
    s.update_bounds();
    deduce32(&mut s);
    deduce64(&mut s);
    if !s.consistent() {
        return None;
    }
    let t64 = scalar::meet(s.t, Tnum::range(s.umin, s.umax))?;
    let t32 = scalar::meet(t64.cast32(), Tnum::range(s.u32min as u64, s.u32max as u64))?;
    s.t = Tnum {
        value: (t64.value & !LO) | t32.value,
        mask: (t64.mask & !LO) | t32.mask,
    };
    s.update_bounds();
    s.consistent().then_some(s)
}

/// The old `__reg32_deduce_bounds`: signed and unsigned 32-bit bounds from each other, only
/// when one of them does not cross the sign boundary.
fn deduce32(s: &mut Scalar) {
    if s.s32min >= 0 || s.s32max < 0 {
        let lo = (s.s32min as u32).max(s.u32min);
        let hi = (s.s32max as u32).min(s.u32max);
        (s.s32min, s.u32min, s.s32max, s.u32max) = (lo as i32, lo, hi as i32, hi);
    } else if (s.u32max as i32) >= 0 {
        s.s32min = s.u32min as i32;
        let hi = (s.s32max as u32).min(s.u32max);
        (s.s32max, s.u32max) = (hi as i32, hi);
    } else if (s.u32min as i32) < 0 {
        let lo = (s.s32min as u32).max(s.u32min);
        (s.s32min, s.u32min) = (lo as i32, lo);
        s.s32max = s.u32max as i32;
    }
}

/// The old `__reg64_deduce_bounds`, the same for the 64-bit bounds.
fn deduce64(s: &mut Scalar) {
    if s.smin >= 0 || s.smax < 0 {
        let lo = (s.smin as u64).max(s.umin);
        let hi = (s.smax as u64).min(s.umax);
        (s.smin, s.umin, s.smax, s.umax) = (lo as i64, lo, hi as i64, hi);
    } else if (s.umax as i64) >= 0 {
        s.smin = s.umin as i64;
        let hi = (s.smax as u64).min(s.umax);
        (s.smax, s.umax) = (hi as i64, hi);
    } else if (s.umin as i64) < 0 {
        let lo = (s.smin as u64).max(s.umin);
        (s.smin, s.umin) = (lo as i64, lo);
        s.smax = s.umax as i64;
    }
}

/// The number after a comparison's refinement: synchronised the old way, unknown (its link
/// kept) where the bounds contradict.
fn settle(s: Scalar) -> Scalar {
    match sync_old(s) {
        Some(v) => v,
        None => Scalar {
            link: s.link,
            delta: s.delta,
            ..Scalar::UNKNOWN
        },
    }
}

/// [`settle`] of a number left with no value.
fn settle_contradiction(s: &Scalar) -> Scalar {
    settle(Scalar {
        umin: 1,
        umax: 0,
        ..*s
    })
}

/// `__reg_combine_64_into_32` after a 64-bit comparison: the 32-bit bounds are only those the
/// 64-bit ones give when they fit in 32 bits.
fn combine_64_into_32(mut s: Scalar) -> Scalar {
    (s.u32min, s.u32max, s.s32min, s.s32max) = (0, u32::MAX, i32::MIN, i32::MAX);
    let s32 = |v: i64| v >= i32::MIN as i64 && v <= i32::MAX as i64;
    if s32(s.smin) && s32(s.smax) {
        (s.s32min, s.s32max) = (s.smin as i32, s.smax as i32);
    }
    if s.umax <= LO {
        (s.u32min, s.u32max) = (s.umin as u32, s.umax as u32);
    }
    settle(s)
}

/// `__reg_combine_32_into_64` after a 32-bit comparison: a number whose upper half is known to
/// be zero takes its 64-bit bounds from the 32-bit ones; any other forgets its 64-bit bounds.
fn combine_32_into_64(mut s: Scalar) -> Scalar {
    if s.t.value >> 32 == 0 && s.t.mask >> 32 == 0 {
        (s.umin, s.umax) = (s.u32min as u64, s.u32max as u64);
        if s.s32min >= 0 && s.s32max >= 0 {
            (s.smin, s.smax) = (s.s32min as i64, s.s32max as i64);
        } else {
            (s.smin, s.smax) = (0, u32::MAX as i64);
        }
    } else {
        (s.umin, s.umax, s.smin, s.smax) = (0, u64::MAX, i64::MIN, i64::MAX);
    }
    settle(s)
}

/// The old `is_branch_taken` of a number `r` against the constant `val` (its low half for a
/// 32-bit comparison): `==` / `!=` only when `r` is a constant, `&` from the known bits, the
/// orders from the ranges of that width.
pub(crate) fn branch_taken_old(op: JmpOp, is64: bool, r: &Scalar, val: u64) -> Option<bool> {
    let (t, v) = if is64 {
        (r.t, val)
    } else {
        (r.t.cast32(), val & LO)
    };
    let (umin, umax, smin, smax, sv) = if is64 {
        (r.umin, r.umax, r.smin, r.smax, val as i64)
    } else {
        (
            r.u32min as u64,
            r.u32max as u64,
            r.s32min as i64,
            r.s32max as i64,
            val as u32 as i32 as i64,
        )
    };
    match op {
        JmpOp::Jeq => t.is_const().then_some(t.value == v),
        JmpOp::Jne => t.is_const().then_some(t.value != v),
        JmpOp::Jset => refine::dec((t.value & !t.mask) & v != 0, (t.mask | t.value) & v == 0),
        JmpOp::Jgt => refine::dec(umin > v, umax <= v),
        JmpOp::Jsgt => refine::dec(smin > sv, smax <= sv),
        JmpOp::Jlt => refine::dec(umax < v, umin >= v),
        JmpOp::Jslt => refine::dec(smax < sv, smin >= sv),
        JmpOp::Jge => refine::dec(umin >= v, umax < v),
        JmpOp::Jsge => refine::dec(smin >= sv, smax < sv),
        JmpOp::Jle => refine::dec(umax <= v, umin > v),
        JmpOp::Jsle => refine::dec(smax <= sv, smin > sv),
        _ => None,
    }
}

/// The old `reg_set_min_max`: `r` compared with the constant `val` (its low half for a 32-bit
/// comparison), as `(taken, not taken)`.
pub(crate) fn set_min_max_old(op: JmpOp, is64: bool, r: &Scalar, val: u64) -> (Scalar, Scalar) {
    let (mut t, mut f) = (*r, *r);
    let (mut t64, mut f64) = (r.t, r.t);
    let (mut t32, mut f32) = (r.t.cast32(), r.t.cast32());
    let v32 = val as u32;
    let known32 = |s: &mut Scalar| {
        s.t = Tnum {
            value: (s.t.value & !LO) | v32 as u64,
            mask: s.t.mask & !LO,
        };
        (s.u32min, s.u32max, s.s32min, s.s32max) = (v32, v32, v32 as i32, v32 as i32);
    };
    let known64 = |s: &mut Scalar| {
        *s = Scalar {
            link: s.link,
            delta: s.delta,
            ..Scalar::konst(val)
        };
    };
    match op {
        JmpOp::Jeq | JmpOp::Jne => {
            let s = if op == JmpOp::Jeq { &mut t } else { &mut f };
            if is64 {
                known64(s);
                if op == JmpOp::Jeq {
                    t64 = s.t;
                } else {
                    f64 = s.t;
                }
            } else {
                known32(s);
                if op == JmpOp::Jeq {
                    t32 = s.t.cast32();
                } else {
                    f32 = s.t.cast32();
                }
            }
        }
        JmpOp::Jset => {
            // The not-taken side forgets its ranges (`__mark_reg_unbounded`).
            f = Scalar {
                t: f.t,
                link: f.link,
                delta: f.delta,
                ..Scalar::UNKNOWN
            };
            if is64 {
                f64 = f64.and(Tnum::konst(!val));
                if val.is_power_of_two() {
                    t64 = t64.or(Tnum::konst(val));
                }
            } else {
                f32 = f32.and(Tnum::konst(!v32 as u64));
                if v32.is_power_of_two() {
                    t32 = t32.or(Tnum::konst(v32 as u64));
                }
            }
        }
        JmpOp::Jge | JmpOp::Jgt => {
            let gt = op == JmpOp::Jgt;
            if is64 {
                f.umax = f.umax.min(if gt { val } else { val.wrapping_sub(1) });
                t.umin = t.umin.max(if gt { val.wrapping_add(1) } else { val });
            } else {
                f.u32max = f.u32max.min(if gt { v32 } else { v32.wrapping_sub(1) });
                t.u32min = t.u32min.max(if gt { v32.wrapping_add(1) } else { v32 });
            }
        }
        JmpOp::Jsge | JmpOp::Jsgt => {
            let gt = op == JmpOp::Jsgt;
            if is64 {
                let sv = val as i64;
                f.smax = f.smax.min(if gt { sv } else { sv.wrapping_sub(1) });
                t.smin = t.smin.max(if gt { sv.wrapping_add(1) } else { sv });
            } else {
                let sv = v32 as i32;
                f.s32max = f.s32max.min(if gt { sv } else { sv.wrapping_sub(1) });
                t.s32min = t.s32min.max(if gt { sv.wrapping_add(1) } else { sv });
            }
        }
        JmpOp::Jle | JmpOp::Jlt => {
            let lt = op == JmpOp::Jlt;
            if is64 {
                f.umin = f.umin.max(if lt { val } else { val.wrapping_add(1) });
                t.umax = t.umax.min(if lt { val.wrapping_sub(1) } else { val });
            } else {
                f.u32min = f.u32min.max(if lt { v32 } else { v32.wrapping_add(1) });
                t.u32max = t.u32max.min(if lt { v32.wrapping_sub(1) } else { v32 });
            }
        }
        JmpOp::Jsle | JmpOp::Jslt => {
            let lt = op == JmpOp::Jslt;
            if is64 {
                let sv = val as i64;
                f.smin = f.smin.max(if lt { sv } else { sv.wrapping_add(1) });
                t.smax = t.smax.min(if lt { sv.wrapping_sub(1) } else { sv });
            } else {
                let sv = v32 as i32;
                f.s32min = f.s32min.max(if lt { sv } else { sv.wrapping_add(1) });
                t.s32max = t.s32max.min(if lt { sv.wrapping_sub(1) } else { sv });
            }
        }
        _ => return (*r, *r),
    }
    if is64 {
        t.t = t64;
        f.t = f64;
        (combine_64_into_32(t), combine_64_into_32(f))
    } else {
        let join = |w: Tnum, s: Tnum| Tnum {
            value: (w.value & !LO) | (s.value & LO),
            mask: (w.mask & !LO) | (s.mask & LO),
        };
        t.t = join(t64, t32);
        f.t = join(f64, f32);
        (combine_32_into_64(t), combine_32_into_64(f))
    }
}

/// The old `__reg_combine_min_max` on the equal branch of a 64-bit `==` / `!=` of two numbers:
/// both get the intersection of the 64-bit ranges and known bits, each keeping its own 32-bit
/// bounds, then are synchronised.
pub(crate) fn combine_equal_old(x: &Scalar, y: &Scalar) -> (Scalar, Scalar) {
    let Some(t) = scalar::meet(x.t, y.t) else {
        // Known bits that disagree: no value is on this branch.
        return (settle_contradiction(x), settle_contradiction(y));
    };
    let both = |s: &Scalar| Scalar {
        umin: x.umin.max(y.umin),
        umax: x.umax.min(y.umax),
        smin: x.smin.max(y.smin),
        smax: x.smax.min(y.smax),
        t,
        ..*s
    };
    (settle(both(x)), settle(both(y)))
}

/// `a OP b` as `b OP' a` (`flip_opcode`).
pub(crate) fn flip_old(op: JmpOp) -> JmpOp {
    match op {
        JmpOp::Jgt => JmpOp::Jlt,
        JmpOp::Jlt => JmpOp::Jgt,
        JmpOp::Jge => JmpOp::Jle,
        JmpOp::Jle => JmpOp::Jge,
        JmpOp::Jsgt => JmpOp::Jslt,
        JmpOp::Jslt => JmpOp::Jsgt,
        JmpOp::Jsge => JmpOp::Jsle,
        JmpOp::Jsle => JmpOp::Jsge,
        o => o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_64_bit_comparison_drops_32_bit_bounds_the_64_bit_ones_do_not_give() {
        // Any 64-bit number whose low half is 0..=10, compared `> 5` (64-bit): the taken side
        // keeps only the low half's known bits (0..=15).
        let x = Scalar {
            u32min: 0,
            u32max: 10,
            s32min: 0,
            s32max: 10,
            t: Tnum {
                value: 0,
                mask: 0xffff_ffff_0000_000f,
            },
            ..Scalar::UNKNOWN
        };
        let (t, f) = set_min_max_old(JmpOp::Jgt, true, &x, 5);
        assert_eq!((t.u32min, t.u32max), (0, 15));
        assert_eq!((f.umax, f.u32max), (5, 5));
    }

    #[test]
    fn equality_is_decided_only_for_a_constant() {
        let x = Scalar::urange(0, 5);
        assert_eq!(branch_taken_old(JmpOp::Jeq, true, &x, 10), None);
        assert_eq!(branch_taken_old(JmpOp::Jgt, true, &x, 10), Some(false));
        assert_eq!(
            branch_taken_old(JmpOp::Jne, false, &Scalar::konst(3), 3),
            Some(false)
        );
    }

    #[test]
    fn no_deduction_across_the_halves() {
        // 0x1_0000_0000..=0x1_0000_0005: the old sync gives the low half only its known bits.
        let s = sync_old(Scalar {
            umin: 1 << 32,
            umax: (1 << 32) + 5,
            ..Scalar::UNKNOWN
        })
        .unwrap();
        assert_eq!((s.u32min, s.u32max), (0, 7));
    }
}

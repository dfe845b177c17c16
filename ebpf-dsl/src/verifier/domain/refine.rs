//! Branch refinement on scalars: deciding a 64-bit comparison from ranges and narrowing both
//! operands on each side (the kernel's `is_scalar_branch_taken`, `regs_refine_cond_op`).

use super::*;

/// Decides a comparison from ranges alone, exactly as the kernel's `is_scalar_branch_taken`
/// would (never more precisely).
pub(crate) fn branch_taken(op: JmpOp, a: &Scalar, b: &Scalar) -> Option<bool> {
    match op {
        JmpOp::Jeq | JmpOp::Jne => {
            // Constants by their known bits (`tnum_is_const`): a range of one value whose
            // bits are not all known (128..=128 under the bits (0; 0x80), which one more
            // synchronisation would make the constant) decides nothing the ranges do not.
            let eq = if let (Some(x), Some(y)) = (a.t_const(), b.t_const()) {
                Some(x == y)
            } else if a.umin > b.umax || a.umax < b.umin || a.smin > b.smax || a.smax < b.smin {
                Some(false)
            } else {
                None
            };
            eq.map(|x| if op == JmpOp::Jeq { x } else { !x })
        }
        JmpOp::Jset => {
            // The constant operand by its known bits (`is_reg_const`).
            let (a, b) = if b.t_const().is_none() {
                (b, a)
            } else {
                (a, b)
            };
            let c = b.t_const()?;
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

pub(crate) fn dec(t: bool, f: bool) -> Option<bool> {
    if t {
        Some(true)
    } else if f {
        Some(false)
    } else {
        None
    }
}

/// One `reg_bounds_sync` after a comparison narrowed a register ([`Scalar::sync`]: once, never
/// to a fixpoint); a contradiction gives an unknown number. The walk synchronises a refined
/// register as its target does ([`super::refine32::NoValue::synced`]: 6.12 on, step by step
/// and checked as the kernel); this one serves targets before 6.12 and the domain's tests.
pub(crate) fn fix(s: Scalar) -> Scalar {
    s.sync().unwrap_or(Scalar::UNKNOWN)
}

/// The refined bounds as the kernel's `regs_refine_cond_op` leaves them, before
/// `reg_bounds_sync` (see [`narrow`]).
fn raw(s: Scalar) -> Scalar {
    s
}

/// Refines `a op b` assumed `taken`; returns the new `(a, b)`.
#[cfg(test)]
pub(crate) fn refine(op: JmpOp, taken: bool, a: Scalar, b: Scalar) -> (Scalar, Scalar) {
    refine_with(op, taken, a, b, fix)
}

/// A 64-bit comparison `a op b` assumed `taken` (or not), on copies of both operands: the
/// bounds and known bits as the kernel's `regs_refine_cond_op` leaves them, before any
/// synchronisation (which may leave no value: a branch no value takes).
pub(crate) fn narrow(op: JmpOp, taken: bool, a: Scalar, b: Scalar) -> (Scalar, Scalar) {
    refine_with(op, taken, a, b, raw)
}

/// [`refine`] with `fix` making each result agree with itself.
fn refine_with(
    op: JmpOp,
    taken: bool,
    a: Scalar,
    b: Scalar,
    fix: fn(Scalar) -> Scalar,
) -> (Scalar, Scalar) {
    use JmpOp::*;
    // Normalise to the "true" sense of a positive operator.
    let (op, taken) = match (op, taken) {
        (Jne, t) => (Jeq, !t),
        (o, t) => (o, t),
    };
    match (op, taken) {
        (Jeq, true) => {
            // The 64-bit bounds and known bits are intersected; each register keeps its own
            // 32-bit bounds (the kernel's `regs_refine_cond_op`), then both are synchronised.
            let both = |own: &Scalar| Scalar {
                umin: a.umin.max(b.umin),
                umax: a.umax.min(b.umax),
                smin: a.smin.max(b.smin),
                smax: a.smax.min(b.smax),
                t: a.t.intersect(b.t),
                link: 0,
                delta: 0,
                ..*own
            };
            (fix(both(&a)), fix(both(&b)))
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
            // Only against a constant by its known bits (`is_reg_const`).
            (trim(a, b.t_const()), trim(b, a.t_const()))
        }
        (Jset, taken) => {
            // Against a constant by its known bits (`is_reg_const`), the other operand: a set
            // bit is learnt from a single tested bit only; on the fall-through (no bit in
            // common) the ranges are forgotten and the tested bits cleared (6.12 on).
            let swap = b.t_const().is_none();
            let (mut r1, r2) = if swap { (b, a) } else { (a, b) };
            if let Some(c) = r2.t_const() {
                if !taken {
                    r1 = Scalar {
                        t: r1.t.and(Tnum::konst(!c)),
                        ..Scalar::UNKNOWN
                    };
                } else if c.is_power_of_two() {
                    r1.t = r1.t.or(Tnum::konst(c));
                }
            }
            let (a, b) = if swap { (r2, r1) } else { (r1, r2) };
            (fix(a), fix(b))
        }
        // a > b  /  a <= b
        (Jgt, true) => ugt_with(a, b, fix),
        (Jgt, false) => {
            let (b2, a2) = uge_with(b, a, fix);
            (a2, b2)
        }
        (Jge, true) => uge_with(a, b, fix),
        (Jge, false) => {
            let (b2, a2) = ugt_with(b, a, fix);
            (a2, b2)
        }
        (Jlt, t) => {
            let (b2, a2) = refine_with(Jgt, t, b, a, fix);
            (a2, b2)
        }
        (Jle, t) => {
            let (b2, a2) = refine_with(Jge, t, b, a, fix);
            (a2, b2)
        }
        (Jsgt, true) => sgt_with(a, b, fix),
        (Jsgt, false) => {
            let (b2, a2) = sge_with(b, a, fix);
            (a2, b2)
        }
        (Jsge, true) => sge_with(a, b, fix),
        (Jsge, false) => {
            let (b2, a2) = sgt_with(b, a, fix);
            (a2, b2)
        }
        (Jslt, t) => {
            let (b2, a2) = refine_with(Jsgt, t, b, a, fix);
            (a2, b2)
        }
        (Jsle, t) => {
            let (b2, a2) = refine_with(Jsge, t, b, a, fix);
            (a2, b2)
        }
        _ => (a, b),
    }
}

/// `a > b` assumed true (unsigned), each result through `fix`.
fn ugt_with(a: Scalar, b: Scalar, fix: fn(Scalar) -> Scalar) -> (Scalar, Scalar) {
    let (mut a, mut b) = (a, b);
    a.umin = a.umin.max(b.umin.saturating_add(1));
    b.umax = b.umax.min(a.umax.saturating_sub(1));
    (fix(a), fix(b))
}

/// `a >= b` assumed true (unsigned), each result through `fix`.
fn uge_with(a: Scalar, b: Scalar, fix: fn(Scalar) -> Scalar) -> (Scalar, Scalar) {
    let (mut a, mut b) = (a, b);
    a.umin = a.umin.max(b.umin);
    b.umax = b.umax.min(a.umax);
    (fix(a), fix(b))
}

/// `a s> b` assumed true: only the signed bounds narrow (`regs_refine_cond_op`); an unsigned
/// range that crosses the sign bit stays, as in the kernel (6.18), and the bounds are then
/// synchronised.
fn sgt_with(a: Scalar, b: Scalar, fix: fn(Scalar) -> Scalar) -> (Scalar, Scalar) {
    let (mut a, mut b) = (a, b);
    a.smin = a.smin.max(b.smin.saturating_add(1));
    b.smax = b.smax.min(a.smax.saturating_sub(1));
    (fix(a), fix(b))
}

/// `a s>= b` assumed true (as [`sgt_with`]).
fn sge_with(a: Scalar, b: Scalar, fix: fn(Scalar) -> Scalar) -> (Scalar, Scalar) {
    let (mut a, mut b) = (a, b);
    a.smin = a.smin.max(b.smin);
    b.smax = b.smax.min(a.smax);
    (fix(a), fix(b))
}

//! The second walk of the 2^29 class (`super::super::exact`) on a pointer whose variable
//! offset is already big: `pointer += scalar` twice or more.
//!
//! The kernel's `adjust_ptr_min_max_vals` refuses the addition when the minimum of the
//! result, before it synchronises the bounds, is 2^29 or more (`check_reg_sane_offset`): that
//! minimum is the pointer's own minimum (its bounds as the previous addition left them,
//! synchronised) plus the scalar's. With an exact scalar this verifier knows the second term;
//! the first it knows only to be at most its own maximum of the pointer's variable offset,
//! which is 2^29 or more after a `u32` was added, so the path was doubted (tainted).
//!
//! A better bound on the kernel's minimum. Call a variable offset *vouched* when the
//! kernel's minimum of it equals this verifier's and is one of the kernel's values of it
//! (inside every one of its bounds and its known bits): a constant offset (the kernel's bounds
//! are never wider than this verifier's, so a constant is the kernel's constant), or one
//! flagged below. For a vouched offset `p` with minimum `m`, plus a scalar `s` whose bounds are
//! the kernel's (marked), the kernel's minimum of `p + s` before it synchronises the bounds is
//! exactly `m + s.smin` (`p - s`: `m - s.smax`), unless its sums overflow, which this verifier
//! rules out with its own maxima (never below the kernel's): so the kernel's check of that
//! minimum is decided exactly. When moreover `s.smin` (`s.smax` for a subtraction) is one of
//! `s`'s values, `m + s.smin` is one of the kernel's values of the result (its interval
//! additions and `tnum_add` / `tnum_sub` hold every sum of values of their operands, and its
//! synchronisation never drops a value its bounds allow), so its minimum stays exactly that
//! after it synchronises; this verifier's is at most the kernel's and at least `m + s.smin`
//! (its sums start there), checked equal here: the result is vouched for again, and flagged.
//!
//! Such an offset carries the flag [`Scalar::EXACT_VAR`] in its `link` (a pointer's variable
//! offset has no link otherwise; set only in the second walk). An inexact scalar, or one whose
//! bound in question is not one of its values, leaves the result unflagged (the doubt as
//! before). Pruning in the second walk lets a flagged offset cover only the same flagged
//! offset (`Scalar::offset_covered_by`).

use crate::verifier::domain::scalar::Scalar;

/// The kernel's bound on pointer offsets (`BPF_MAX_VAR_OFF`).
const MAX_VAR_OFF: i128 = 1 << 29;

/// True if `var`, a pointer's variable offset, is one [`flag`] vouches for: a constant (the
/// kernel's too) or flagged.
fn vouched(var: &Scalar) -> bool {
    var.link & Scalar::EXACT_VAR != 0 || (var.as_const().is_some() && var.link == 0)
}

/// True if `v` is one of `s`'s values: inside every bound and the known bits.
fn is_value(s: &Scalar, v: i64) -> bool {
    v >= s.smin
        && v <= s.smax
        && (v as u64) >= s.umin
        && (v as u64) <= s.umax
        && (v as u64) & !s.t.mask == s.t.value
        && (v as u32) >= s.u32min
        && (v as u32) <= s.u32max
        && (v as u32 as i32) >= s.s32min
        && (v as u32 as i32) <= s.s32max
}

/// The kernel's minimum of `pvar + s` (`pvar - s` when `sub`) before it synchronises the
/// bounds, for a vouched `pvar` and an exact `s`, or `None` when its sums may overflow (it
/// then sets the minimum to `S64_MIN` and refuses the operation).
fn kernel_min(pvar: &Scalar, s: &Scalar, sub: bool) -> Option<i128> {
    let (pmin, pmax) = (i128::from(pvar.smin), i128::from(pvar.smax));
    let (lo, hi) = if sub {
        (pmin - i128::from(s.smax), pmax - i128::from(s.smin))
    } else {
        (pmin + i128::from(s.smin), pmax + i128::from(s.smax))
    };
    // The kernel's maximum of the pointer's offset is between its minimum (ours) and our
    // maximum, so its other sum lies between `lo` and `hi`.
    let fits = |x: i128| x >= i128::from(i64::MIN) && x <= i128::from(i64::MAX);
    (fits(lo) && fits(hi)).then_some(lo)
}

/// In the second walk, with `s` exact: whether the kernel's minimum of `pvar + s` (`pvar - s`
/// when `sub`), `pvar` a vouched offset, is within ±2^29, so that it accepts the operation.
pub(super) fn kernel_min_below(pvar: &Scalar, s: &Scalar, sub: bool) -> bool {
    vouched(pvar)
        && i128::from(pvar.smin).abs() < MAX_VAR_OFF
        && kernel_min(pvar, s, sub).is_some_and(|m| m.abs() < MAX_VAR_OFF)
}

/// `var`, the offset `pvar + s` (`-` when `sub`) this verifier computed, flagged when `s` is
/// exact in the second walk (`exact`) and the result is vouched for (see the module
/// documentation).
pub(super) fn flag(mut var: Scalar, pvar: &Scalar, s: &Scalar, sub: bool, exact: bool) -> Scalar {
    let bound = if sub { s.smax } else { s.smin };
    if exact
        && kernel_min_below(pvar, s, sub)
        && is_value(s, bound)
        && kernel_min(pvar, s, sub) == Some(i128::from(var.smin))
    {
        var.link |= Scalar::EXACT_VAR;
    }
    var
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_u32_is_accepted_below_the_limit_and_flags_follow_the_chain() {
        let word = Scalar::WORD;
        let zero = Scalar::konst(0);
        assert!(kernel_min_below(&zero, &word, false));
        let v1 = flag(zero.add(&word), &zero, &word, false, true);
        assert!(v1.link & Scalar::EXACT_VAR != 0);
        // Another word: the kernel's minimum is at most 0 + 0.
        assert!(kernel_min_below(&v1, &word, false));
        // Not in the first walk, not for a subtraction.
        assert_eq!(flag(zero.add(&word), &zero, &word, false, false).link, 0);
        assert!(!kernel_min_below(&v1, &word, true));
        // A scalar of at least 2^29 on a flagged offset of minimum 0: refused.
        let big = Scalar::urange(1 << 29, (1 << 29) + 8);
        assert!(!kernel_min_below(&v1, &big, false));
        let just = Scalar::urange((1 << 29) - 1, (1 << 29) + 8);
        assert!(kernel_min_below(&v1, &just, false));
        // An unflagged variable offset vouches for nothing.
        let plain = zero.add(&word);
        assert!(!kernel_min_below(&plain, &word, false));
        // A subtraction from a vouched offset: judged by its minimum minus the scalar's
        // maximum, and flagged when that maximum is one of the scalar's values.
        let byte = Scalar::urange(0, 255);
        assert!(kernel_min_below(&v1, &byte, true));
        assert!(!kernel_min_below(&v1, &Scalar::urange(0, 1 << 29), true));
        assert!(!kernel_min_below(&plain, &byte, true));
        let v2 = flag(v1.sub(&byte), &v1, &byte, true, true);
        assert!(v2.link & Scalar::EXACT_VAR != 0 && v2.smin == -255);
        // Not flagged without an exact scalar, or when the bound is not one of its values
        // (an odd number's minimum 0 is below it but not one of its values).
        assert_eq!(flag(v1.sub(&byte), &v1, &byte, true, false).link, 0);
        let mut odd = Scalar::urange(0, 255);
        odd.t.value = 1;
        odd.t.mask = 0xfe;
        assert!(!is_value(&odd, 0) && is_value(&odd, 255) && is_value(&odd, 1));
        assert_eq!(flag(v1.add(&odd), &v1, &odd, false, true).link, 0);
    }

    #[test]
    fn negative_and_large_scalars_are_judged_by_the_exact_minimum() {
        let zero = Scalar::konst(0);
        let word = Scalar::WORD;
        let v1 = flag(zero.add(&word), &zero, &word, false, true);
        // Adding -255..=0 to 0..=u32::MAX: the kernel's minimum is -255, within the limit.
        let neg = Scalar::konst(0).sub(&Scalar::urange(0, 255));
        assert!(neg.smin == -255 && neg.smax == 0);
        assert!(kernel_min_below(&v1, &neg, false));
        let v2 = flag(v1.add(&neg), &v1, &neg, false, true);
        assert!(v2.link & Scalar::EXACT_VAR != 0 && v2.smin == -255);
        // ...and once more a word: minimum -255 + 0.
        assert!(kernel_min_below(&v2, &word, false));
        // A minimum of 2^29 - 1 minus a maximum of 2^30 - 2: -2^29 + 1, within the limit.
        let m = Scalar::urange((1 << 29) - 1, (1 << 29) + 7);
        let v3 = flag(v1.add(&m), &v1, &m, false, true);
        assert_eq!(v3.smin, (1 << 29) - 1);
        assert!(v3.link & Scalar::EXACT_VAR != 0);
        let big = Scalar::urange(1 << 29, (1 << 30) - 2);
        assert!(kernel_min_below(&v3, &big, true));
        let bigger = Scalar::urange(1 << 29, (1 << 30) - 1);
        assert!(!kernel_min_below(&v3, &bigger, true));
        assert!(kernel_min_below(&v3, &Scalar::urange(0, 2), false));
        assert!(!kernel_min_below(&v3, &Scalar::urange(1, 2), false), "2^29");
        // A minimum of -2^29 or below: refused.
        let v4 = flag(
            v1.sub(&Scalar::urange(0, (1 << 29) - 1)),
            &v1,
            &Scalar::urange(0, (1 << 29) - 1),
            true,
            true,
        );
        assert_eq!(v4.smin, 1 - (1 << 29));
        assert!(!kernel_min_below(&v4, &Scalar::urange(1, 2), true));
        // A sum that may overflow the kernel's maximum: not judged.
        let huge = Scalar::urange(0, i64::MAX as u64);
        assert!(!kernel_min_below(&v1, &huge, false));
        // A constant offset is vouched for by itself.
        assert!(kernel_min_below(&Scalar::konst(100), &word, false));
        assert!(!kernel_min_below(&Scalar::konst(1 << 29), &word, false));
    }

    #[test]
    fn a_flagged_offset_covers_only_itself() {
        let zero = Scalar::konst(0);
        let word = Scalar::WORD;
        let v1 = flag(zero.add(&word), &zero, &word, false, true);
        let small = Scalar::urange(0, 10);
        let narrow = flag(zero.add(&small), &zero, &small, false, true);
        assert!(v1.offset_covered_by(&v1));
        assert!(!narrow.offset_covered_by(&v1));
        assert!(narrow.offset_covered_by(&zero.add(&word)));
    }
}

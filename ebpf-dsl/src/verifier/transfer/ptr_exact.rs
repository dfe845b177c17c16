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
//! A better bound on the kernel's minimum: the sum `x` of the minima of the scalars added so
//! far is a value of the kernel's variable offset (each minimum is a value of its scalar, the
//! scalar's bounds being the kernel's, and the kernel's interval and tnum additions are
//! sound, its synchronisation never drops a value its bounds allow), so the kernel's minimum
//! is at most `x`, and `x` is at most this verifier's minimum of the offset (the same sums,
//! synchronised). So when every addition that built the offset was of an exact scalar whose
//! minimum is one of its values, the kernel's minimum after one more such addition is at most
//! this verifier's minimum of the pointer's offset plus the new scalar's minimum. The scalars
//! are kept non-negative and below 2^40, so that the kernel's own sums cannot overflow (its
//! bounds are never wider than the sums of the scalars' bounds, and a path runs fewer than
//! 2^20 additions) and its minimum stays at least 0 (the lower limit -2^29 holds).
//!
//! A subtraction of an exact scalar in `0..2^29` from such an offset is judged the same way
//! (the kernel's minimum is its pointer's minimum, at least 0 and at most ours, minus the
//! scalar's maximum), and leaves the result unflagged.
//!
//! Such an offset carries the flag [`Scalar::EXACT_VAR`] in its `link` (a pointer's variable
//! offset has no link otherwise; set only in the second walk). A subtraction, an inexact
//! scalar, a negative or a larger one leave the result unflagged (the doubt as before).
//! Pruning in the second walk lets a flagged offset cover only the same flagged offset
//! (`Scalar::offset_covered_by`).

use crate::verifier::domain::scalar::Scalar;

/// The kernel's bound on pointer offsets (`BPF_MAX_VAR_OFF`).
const MAX_VAR_OFF: i128 = 1 << 29;

/// True if `var`, a pointer's variable offset, is one [`flag`] vouches for: none at all (the
/// constant 0) or flagged.
fn vouched(var: &Scalar) -> bool {
    var.link & Scalar::EXACT_VAR != 0 || (var.as_const() == Some(0) && var.link == 0)
}

/// True if `s` (exact) may extend a vouched offset: non-negative, below 2^40, and its minimum
/// one of its values (inside every bound and the known bits).
fn extends(s: &Scalar) -> bool {
    let v = s.smin;
    v >= 0
        && s.umax < 1 << 40
        && s.smax < 1 << 40
        && (v as u64) >= s.umin
        && (v as u64) <= s.umax
        && (v as u64) & !s.t.mask == s.t.value
        && (v as u32) >= s.u32min
        && (v as u32) <= s.u32max
        && (v as u32 as i32) >= s.s32min
        && (v as u32 as i32) <= s.s32max
}

/// In the second walk, with `s` exact: whether the kernel's minimum of `pvar + s` (a vouched
/// offset plus an extending scalar), or of `pvar - s` (`sub`, `s` in `0..2^29`), is within
/// ±2^29, so that it accepts the operation.
pub(super) fn kernel_min_below(pvar: &Scalar, s: &Scalar, sub: bool) -> bool {
    if !vouched(pvar) {
        return false;
    }
    if sub {
        s.smin >= 0
            && i128::from(s.smax) < MAX_VAR_OFF
            && i128::from(pvar.smin) - i128::from(s.smax) < MAX_VAR_OFF
    } else {
        extends(s) && i128::from(pvar.smin) + i128::from(s.smin) < MAX_VAR_OFF
    }
}

/// `var`, the offset `pvar + s` (`-` when `sub`) this verifier computed, flagged when `s` is
/// exact in the second walk (`exact`) and the sum keeps the guarantee (see the module
/// documentation).
pub(super) fn flag(mut var: Scalar, pvar: &Scalar, s: &Scalar, sub: bool, exact: bool) -> Scalar {
    if exact && !sub && vouched(pvar) && extends(s) && var.smin >= 0 {
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
        // A negative scalar or one past 2^40 does not extend.
        assert!(!extends(&Scalar::UNKNOWN));
        assert!(!extends(&Scalar::urange(0, 1 << 40)));
        assert!(extends(&Scalar::urange(1, 1 << 32)));
        // A subtraction of a number below 2^29 from a vouched offset: judged, never flagged.
        let byte = Scalar::urange(0, 255);
        assert!(kernel_min_below(&v1, &byte, true));
        assert!(!kernel_min_below(&v1, &Scalar::urange(0, 1 << 29), true));
        assert!(!kernel_min_below(&plain, &byte, true));
        assert_eq!(flag(v1.sub(&byte), &v1, &byte, true, true).link, 0);
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

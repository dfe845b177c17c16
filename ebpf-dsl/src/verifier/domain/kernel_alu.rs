//! The scalar arithmetic of one ALU instruction between two numbers as the kernel computes it,
//! step by step: `adjust_scalar_min_max_vals` runs the operator's `scalar32_min_max_*` and
//! `scalar_min_max_*` on the operands' fields as they are held (with the `__update_reg_bounds`
//! some of them end with), the known bits' operation, `zext_32_to_64` for a 32-bit operation,
//! and then **one** `reg_bounds_sync`. The kernel's synchronisation is not idempotent (a second
//! one can learn known bits from the bounds the first tightened), so the result must come from
//! one synchronisation of the raw fields, never from synchronised parts combined and
//! synchronised again: that can know more than the kernel, a false accept.
//!
//! The target's release decides the rules (each a [`KernelVersion`] gate): the sums and
//! differences that wrap at both ends ([`KernelVersion::ADD_SUB_WRAP`]), the products
//! ([`KernelVersion::MUL_PRODUCTS`], [`KernelVersion::SIGNED_MUL32`]), `tnum_mul`
//! ([`KernelVersion::TNUM_MUL_SHIFT_ADD`]), the `<<= 32` special case
//! ([`KernelVersion::LSH32_SIGNED`]) and the single-value rule of `__update_reg64_bounds`
//! ([`KernelVersion::TNUM_SINGLE`]); before [`KernelVersion::BOUNDS_SYNC`] the shorter
//! synchronisation of 6.1.192 and its checks of the source operand.

use std::cell::RefCell;

use super::scalar::memo::{mix, words, Table};
use super::*;
use crate::verifier::KernelVersion;

/// The rules of one target that this arithmetic reads, worked out once per call.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Rules {
    /// Before [`KernelVersion::BOUNDS_SYNC`]: 6.1.192's shorter `reg_bounds_sync`
    /// ([`super::refine_old::sync_old`]) and its checks of the source operand.
    old: bool,
    wrap: bool,
    products: bool,
    signed_mul32: bool,
    tnum_mul_new: bool,
    lsh32_any_sign: bool,
    single: bool,
}

impl Rules {
    fn of(kernel: KernelVersion) -> Rules {
        Rules {
            old: kernel < KernelVersion::BOUNDS_SYNC,
            wrap: kernel >= KernelVersion::ADD_SUB_WRAP,
            products: kernel >= KernelVersion::MUL_PRODUCTS,
            signed_mul32: kernel >= KernelVersion::SIGNED_MUL32,
            tnum_mul_new: kernel >= KernelVersion::TNUM_MUL_SHIFT_ADD,
            lsh32_any_sign: kernel.has(KernelVersion::LSH32_SIGNED),
            single: kernel >= KernelVersion::TNUM_SINGLE,
        }
    }

    /// The rules packed in one word (the table's key).
    fn bits(self) -> u64 {
        self.wrap as u64
            | (self.products as u64) << 1
            | (self.signed_mul32 as u64) << 2
            | (self.tnum_mul_new as u64) << 3
            | (self.lsh32_any_sign as u64) << 4
            | (self.single as u64) << 5
            | (self.old as u64) << 6
    }
}

/// Entries of the table of [`kernel_alu()`] (a power of two).
const ENTRIES: usize = 1024;

type Key = (AluOp, bool, u64, Scalar, Scalar);

thread_local! {
    static TABLE: RefCell<Table<Key, Scalar, ENTRIES>> = const { RefCell::new(Table::new()) };
}

/// Empties this thread's table of [`kernel_alu()`] results.
pub(crate) fn clear() {
    TABLE.with(|t| t.borrow_mut().clear());
}

/// `a op b` between two numbers (64-bit when `is64`, else the zero-extended 32-bit result) as
/// `kernel` computes it; unlinked. Division, modulo and shifts by an amount that
/// is not a constant below the width give an unknown number, as in the kernel
/// (`is_safe_to_compute_dst_reg_range`). A negation is `0 - a` (the caller decides whether the
/// target tracks it at all).
pub(crate) fn kernel_alu(
    kernel: KernelVersion,
    op: AluOp,
    is64: bool,
    a: &Scalar,
    b: &Scalar,
) -> Scalar {
    let rules = Rules::of(kernel);
    let (a, b) = (a.unlinked(), b.unlinked());
    let key: Key = (op, is64, rules.bits(), a, b);
    let h = mix(
        mix(
            op as u64 | (is64 as u64) << 8 | rules.bits() << 9,
            &words(&a),
        ),
        &words(&b),
    );
    if let Some(v) = TABLE.with(|t| t.borrow().get(h, &key)) {
        return v;
    }
    let v = compute(rules, op, is64, a, b);
    TABLE.with(|t| t.borrow_mut().put(h, key, v));
    v
}

/// [`kernel_alu()`] without its table.
fn compute(rules: Rules, op: AluOp, is64: bool, a: Scalar, b: Scalar) -> Scalar {
    if rules.old && !old_source_ok(op, is64, &b) {
        return Scalar::UNKNOWN;
    }
    let Some(k) = safe_shift(op, is64, &b) else {
        return Scalar::UNKNOWN;
    };
    let mut d = a;
    match op {
        AluOp::Add => {
            add32(&mut d, &b, rules.wrap);
            add64(&mut d, &b, rules.wrap);
            d.t = d.t.add(b.t);
        }
        AluOp::Sub => {
            sub32(&mut d, &b, rules.wrap);
            sub64(&mut d, &b, rules.wrap);
            d.t = d.t.sub(b.t);
        }
        AluOp::Neg => {
            let f = d;
            d = Scalar::konst(0);
            sub32(&mut d, &f, rules.wrap);
            sub64(&mut d, &f, rules.wrap);
            d.t = Tnum::konst(0).sub(f.t);
        }
        AluOp::Mul => {
            d.t = if rules.tnum_mul_new {
                d.t.mul_new(b.t)
            } else {
                // Kernels before 6.18 compute it another way, neither always more precise
                // than the other: the union of both never knows more than either
                // ([`Tnum::mul`]).
                d.t.mul(b.t)
            };
            if rules.products {
                mul32_products(&mut d, &b, rules.signed_mul32);
                mul64_products(&mut d, &b);
            } else {
                mul32_small(&mut d, &b);
                mul64_small(&mut d, &b);
            }
        }
        AluOp::And | AluOp::Or | AluOp::Xor => {
            d.t = match op {
                AluOp::And => d.t.and(b.t),
                AluOp::Or => d.t.or(b.t),
                _ => d.t.xor(b.t),
            };
            bitwise32(op, &mut d, &b);
            bitwise64(op, &mut d, &b, rules.single);
        }
        AluOp::Lsh if is64 => {
            lsh64(&mut d, k, rules.lsh32_any_sign);
            lsh32_bounds(&mut d, k);
            d.t = d.t.lsh(k);
            update(&mut d, rules.single);
        }
        AluOp::Lsh => {
            lsh32_bounds(&mut d, k);
            d.t = d.t.cast32().lsh(k).cast32();
            unbounded64(&mut d);
            d.update_bounds32();
        }
        AluOp::Rsh if is64 => {
            d.smin = i64::MIN;
            d.smax = i64::MAX;
            d.t = d.t.rsh(k);
            d.umin >>= k;
            d.umax >>= k;
            unbounded32(&mut d);
            update(&mut d, rules.single);
        }
        AluOp::Rsh => {
            d.s32min = i32::MIN;
            d.s32max = i32::MAX;
            d.t = d.t.cast32().rsh(k);
            d.u32min >>= k;
            d.u32max >>= k;
            unbounded64(&mut d);
            d.update_bounds32();
        }
        AluOp::Arsh if is64 => {
            d.smin >>= k;
            d.smax >>= k;
            d.t = d.t.arsh(k);
            d.umin = 0;
            d.umax = u64::MAX;
            unbounded32(&mut d);
            update(&mut d, rules.single);
        }
        AluOp::Arsh => {
            d.s32min >>= k;
            d.s32max >>= k;
            let sh = |v: u64| ((v as u32 as i32) >> k) as u32 as u64;
            d.t = Tnum {
                value: sh(d.t.value),
                mask: sh(d.t.mask),
            };
            d.u32min = 0;
            d.u32max = u32::MAX;
            unbounded64(&mut d);
            d.update_bounds32();
        }
        _ => return Scalar::UNKNOWN,
    }
    if !is64 {
        d = d.zext_raw();
    }
    if rules.old {
        // That kernel walks on with bounds that contradict (a value no number takes): any
        // number holds every branch it may take from them.
        return super::refine_old::sync_old(d).unwrap_or(Scalar::UNKNOWN);
    }
    d.kernel_sync_or_unbounded_as(rules.single)
}

/// Kernels before [`KernelVersion::BOUNDS_SYNC`] (6.1.192's `adjust_scalar_min_max_vals`)
/// track the result only when the source is constant by its known bits (64-bit, or the low
/// half for a 32-bit operation) with ranges of that one value, or when it is not constant
/// and the operator is `+`, `-` or `&`; a source whose ranges are empty (from a branch no
/// value takes) makes the result unknown too.
fn old_source_ok(op: AluOp, is64: bool, b: &Scalar) -> bool {
    let (known, bad) = if is64 {
        let known = b.t.is_const();
        let bad =
            (known && (b.smin != b.smax || b.umin != b.umax)) || b.smin > b.smax || b.umin > b.umax;
        (known, bad)
    } else {
        let known = b.t.mask & 0xffff_ffff == 0;
        let bad = (known && (b.s32min != b.s32max || b.u32min != b.u32max))
            || b.s32min > b.s32max
            || b.u32min > b.u32max;
        (known, bad)
    };
    !bad && (known || matches!(op, AluOp::Add | AluOp::Sub | AluOp::And))
}

/// A linked copy's value after a comparison refined the register it is linked to (kernel
/// 6.18's `sync_linked_regs` for a copy with another delta): `known` (the refined value, as
/// held) plus the constant `d` by `scalar32_min_max_add` and `scalar_min_max_add`, with
/// `tnum_add`, zero-extended when `zext` (either copy has a 32-bit delta), then one
/// `reg_bounds_sync`, step by step even when `known` holds no number (a branch no value takes,
/// which the kernel walks anyway: its sum is then whatever those steps give). Unlinked.
pub(crate) fn linked_sum(kernel: KernelVersion, known: &Scalar, d: i64, zext: bool) -> Scalar {
    let rules = Rules::of(kernel);
    let (mut r, k) = (known.unlinked(), Scalar::konst(d as u64));
    add32(&mut r, &k, rules.wrap);
    add64(&mut r, &k, rules.wrap);
    r.t = r.t.add(k.t);
    if zext {
        r = r.zext_raw();
    }
    r.kernel_sync_or_unbounded_as(rules.single)
}

/// `Some(k)`, the shift amount, when the kernel computes the result's range
/// (`is_safe_to_compute_dst_reg_range`): a shift by a constant below the width (the 32-bit
/// form asks for the low half constant by its known bits and both of its 32-bit ranges, and
/// for the 64-bit maximum below 32); `Some(0)` for the other operators it tracks; `None`
/// for a shift it does not, division and modulo.
fn safe_shift(op: AluOp, is64: bool, b: &Scalar) -> Option<u32> {
    match op {
        AluOp::Add | AluOp::Sub | AluOp::Neg | AluOp::Mul | AluOp::And | AluOp::Or | AluOp::Xor => {
            Some(0)
        }
        AluOp::Lsh | AluOp::Rsh | AluOp::Arsh => {
            let konst = if is64 {
                b.t.is_const() && b.smin == b.smax && b.umin == b.umax
            } else {
                b.t.mask & 0xffff_ffff == 0 && b.s32min == b.s32max && b.u32min == b.u32max
            };
            let width = if is64 { 64 } else { 32 };
            (konst && b.umax < width).then_some(if is64 { b.umin as u32 } else { b.u32min })
        }
        _ => None,
    }
}

/// `scalar32_min_max_add`.
fn add32(d: &mut Scalar, b: &Scalar, wrap: bool) {
    match (
        d.s32min.checked_add(b.s32min),
        d.s32max.checked_add(b.s32max),
    ) {
        (Some(lo), Some(hi)) => (d.s32min, d.s32max) = (lo, hi),
        _ => (d.s32min, d.s32max) = (i32::MIN, i32::MAX),
    }
    let (lo, lo_over) = d.u32min.overflowing_add(b.u32min);
    let (hi, hi_over) = d.u32max.overflowing_add(b.u32max);
    // From ADD_SUB_WRAP a range whose every sum wraps keeps the wrapped ends; only one of
    // which some sums wrap and others do not is forgotten.
    if (wrap && lo_over == hi_over) || (!lo_over && !hi_over) {
        (d.u32min, d.u32max) = (lo, hi);
    } else {
        (d.u32min, d.u32max) = (0, u32::MAX);
    }
}

/// `scalar_min_max_add`.
fn add64(d: &mut Scalar, b: &Scalar, wrap: bool) {
    match (d.smin.checked_add(b.smin), d.smax.checked_add(b.smax)) {
        (Some(lo), Some(hi)) => (d.smin, d.smax) = (lo, hi),
        _ => (d.smin, d.smax) = (i64::MIN, i64::MAX),
    }
    let (lo, lo_over) = d.umin.overflowing_add(b.umin);
    let (hi, hi_over) = d.umax.overflowing_add(b.umax);
    if (wrap && lo_over == hi_over) || (!lo_over && !hi_over) {
        (d.umin, d.umax) = (lo, hi);
    } else {
        (d.umin, d.umax) = (0, u64::MAX);
    }
}

/// `scalar32_min_max_sub`.
fn sub32(d: &mut Scalar, b: &Scalar, wrap: bool) {
    match (
        d.s32min.checked_sub(b.s32max),
        d.s32max.checked_sub(b.s32min),
    ) {
        (Some(lo), Some(hi)) => (d.s32min, d.s32max) = (lo, hi),
        _ => (d.s32min, d.s32max) = (i32::MIN, i32::MAX),
    }
    let (lo, lo_under) = d.u32min.overflowing_sub(b.u32max);
    let (hi, hi_under) = d.u32max.overflowing_sub(b.u32min);
    if (wrap && lo_under == hi_under) || (!lo_under && !hi_under) {
        (d.u32min, d.u32max) = (lo, hi);
    } else {
        (d.u32min, d.u32max) = (0, u32::MAX);
    }
}

/// `scalar_min_max_sub`.
fn sub64(d: &mut Scalar, b: &Scalar, wrap: bool) {
    match (d.smin.checked_sub(b.smax), d.smax.checked_sub(b.smin)) {
        (Some(lo), Some(hi)) => (d.smin, d.smax) = (lo, hi),
        _ => (d.smin, d.smax) = (i64::MIN, i64::MAX),
    }
    let (lo, lo_under) = d.umin.overflowing_sub(b.umax);
    let (hi, hi_under) = d.umax.overflowing_sub(b.umin);
    if (wrap && lo_under == hi_under) || (!lo_under && !hi_under) {
        (d.umin, d.umax) = (lo, hi);
    } else {
        (d.umin, d.umax) = (0, u64::MAX);
    }
}

/// `scalar32_min_max_mul` from [`KernelVersion::MUL_PRODUCTS`]: the unsigned ends multiplied
/// unless either overflows; from [`KernelVersion::SIGNED_MUL32`] the signed range from the
/// four products of the signed ends unless one overflows, before it from the unsigned range
/// when that stays below `S32_MAX`.
fn mul32_products(d: &mut Scalar, b: &Scalar, signed: bool) {
    match (
        d.u32max.checked_mul(b.u32max),
        d.u32min.checked_mul(b.u32min),
    ) {
        (Some(hi), Some(lo)) => (d.u32min, d.u32max) = (lo, hi),
        _ => (d.u32min, d.u32max) = (0, u32::MAX),
    }
    if signed {
        let p = [
            d.s32min.checked_mul(b.s32min),
            d.s32min.checked_mul(b.s32max),
            d.s32max.checked_mul(b.s32min),
            d.s32max.checked_mul(b.s32max),
        ];
        match p {
            [Some(w), Some(x), Some(y), Some(z)] => {
                d.s32min = w.min(x).min(y).min(z);
                d.s32max = w.max(x).max(y).max(z);
            }
            _ => (d.s32min, d.s32max) = (i32::MIN, i32::MAX),
        }
    } else if d.u32max <= i32::MAX as u32 {
        (d.s32min, d.s32max) = (d.u32min as i32, d.u32max as i32);
    } else {
        (d.s32min, d.s32max) = (i32::MIN, i32::MAX);
    }
}

/// `scalar_min_max_mul` from [`KernelVersion::MUL_PRODUCTS`].
fn mul64_products(d: &mut Scalar, b: &Scalar) {
    match (d.umax.checked_mul(b.umax), d.umin.checked_mul(b.umin)) {
        (Some(hi), Some(lo)) => (d.umin, d.umax) = (lo, hi),
        _ => (d.umin, d.umax) = (0, u64::MAX),
    }
    let p = [
        d.smin.checked_mul(b.smin),
        d.smin.checked_mul(b.smax),
        d.smax.checked_mul(b.smin),
        d.smax.checked_mul(b.smax),
    ];
    match p {
        [Some(w), Some(x), Some(y), Some(z)] => {
            d.smin = w.min(x).min(y).min(z);
            d.smax = w.max(x).max(y).max(z);
        }
        _ => (d.smin, d.smax) = (i64::MIN, i64::MAX),
    }
}

/// `scalar32_min_max_mul` before [`KernelVersion::MUL_PRODUCTS`]: both operands not negative
/// and at most `U16_MAX`, else nothing known.
fn mul32_small(d: &mut Scalar, b: &Scalar) {
    if b.s32min < 0 || d.s32min < 0 || b.u32max > 0xffff || d.u32max > 0xffff {
        unbounded32(d);
        return;
    }
    d.u32min *= b.u32min;
    d.u32max *= b.u32max;
    if d.u32max > i32::MAX as u32 {
        (d.s32min, d.s32max) = (i32::MIN, i32::MAX);
    } else {
        (d.s32min, d.s32max) = (d.u32min as i32, d.u32max as i32);
    }
}

/// `scalar_min_max_mul` before [`KernelVersion::MUL_PRODUCTS`]: both operands not negative and
/// at most `U32_MAX`, else nothing known.
fn mul64_small(d: &mut Scalar, b: &Scalar) {
    if b.smin < 0 || d.smin < 0 || b.umax > u32::MAX as u64 || d.umax > u32::MAX as u64 {
        unbounded64(d);
        return;
    }
    d.umin *= b.umin;
    d.umax *= b.umax;
    if d.umax > i64::MAX as u64 {
        (d.smin, d.smax) = (i64::MIN, i64::MAX);
    } else {
        (d.smin, d.smax) = (d.umin as i64, d.umax as i64);
    }
}

/// `scalar32_min_max_and` / `_or` / `_xor`, after the known bits' operation (`d.t` is the
/// result's).
fn bitwise32(op: AluOp, d: &mut Scalar, b: &Scalar) {
    const LO: u64 = 0xffff_ffff;
    let t = d.t.cast32();
    if b.t.mask & LO == 0 && d.t.mask & LO == 0 {
        let v = t.value as u32;
        (d.u32min, d.u32max) = (v, v);
        (d.s32min, d.s32max) = (v as i32, v as i32);
        return;
    }
    match op {
        AluOp::And => (d.u32min, d.u32max) = (t.value as u32, d.u32max.min(b.u32max)),
        AluOp::Or => (d.u32min, d.u32max) = (d.u32min.max(b.u32min), t.umax() as u32),
        _ => (d.u32min, d.u32max) = (t.value as u32, t.umax() as u32),
    }
    if (d.u32min as i32) <= (d.u32max as i32) {
        (d.s32min, d.s32max) = (d.u32min as i32, d.u32max as i32);
    } else {
        (d.s32min, d.s32max) = (i32::MIN, i32::MAX);
    }
}

/// `scalar_min_max_and` / `_or` / `_xor`, after [`bitwise32`], ending with
/// `__update_reg_bounds`.
fn bitwise64(op: AluOp, d: &mut Scalar, b: &Scalar, single: bool) {
    if b.t.is_const() && d.t.is_const() {
        *d = Scalar::konst(d.t.value);
        return;
    }
    let t = d.t;
    match op {
        AluOp::And => (d.umin, d.umax) = (t.value, d.umax.min(b.umax)),
        AluOp::Or => (d.umin, d.umax) = (d.umin.max(b.umin), t.umax()),
        _ => (d.umin, d.umax) = (t.value, t.umax()),
    }
    if (d.umin as i64) <= (d.umax as i64) {
        (d.smin, d.smax) = (d.umin as i64, d.umax as i64);
    } else {
        (d.smin, d.smax) = (i64::MIN, i64::MAX);
    }
    update(d, single);
}

/// `__scalar64_min_max_lsh` by the constant `k`: the `<<= 32` special case keeps the low
/// half's signed range shifted up (before [`KernelVersion::LSH32_SIGNED`] only the ends that
/// are not negative); the unsigned range shifts unless its top bit may be shifted out.
fn lsh64(d: &mut Scalar, k: u32, any_sign: bool) {
    let (s32min, s32max) = (d.s32min, d.s32max);
    d.smax = if k == 32 && (any_sign || s32max >= 0) {
        (s32max as i64) << 32
    } else {
        i64::MAX
    };
    d.smin = if k == 32 && (any_sign || s32min >= 0) {
        (s32min as i64) << 32
    } else {
        i64::MIN
    };
    if d.umax > 1u64 << (63 - k) {
        (d.umin, d.umax) = (0, u64::MAX);
    } else {
        (d.umin, d.umax) = (d.umin << k, d.umax << k);
    }
}

/// `__scalar32_min_max_lsh` by the constant `k`.
fn lsh32_bounds(d: &mut Scalar, k: u32) {
    (d.s32min, d.s32max) = (i32::MIN, i32::MAX);
    if k > 31 || d.u32max as u64 > 1u64 << (31 - k) {
        (d.u32min, d.u32max) = (0, u32::MAX);
    } else {
        (d.u32min, d.u32max) = (d.u32min << k, d.u32max << k);
    }
}

/// `__mark_reg32_unbounded`.
fn unbounded32(d: &mut Scalar) {
    (d.u32min, d.u32max) = (0, u32::MAX);
    (d.s32min, d.s32max) = (i32::MIN, i32::MAX);
}

/// `__mark_reg64_unbounded`.
fn unbounded64(d: &mut Scalar) {
    (d.umin, d.umax) = (0, u64::MAX);
    (d.smin, d.smax) = (i64::MIN, i64::MAX);
}

/// `__update_reg_bounds`, with 6.18's single-value rule when `single`.
fn update(d: &mut Scalar, single: bool) {
    if single {
        d.update_bounds_single();
    } else {
        d.update_bounds();
    }
}

#[cfg(test)]
#[path = "kernel_alu_tests.rs"]
mod tests;

//! Scalar arithmetic of the ALU transfer functions on ranges and known bits (64- and 32-bit
//! operations, byte swaps), never more precise than the kernel's (`adjust_scalar_min_max_vals`).

use std::cell::RefCell;

use super::scalar::memo::{mix, old_sync, words, Table};
use super::*;

/// Entries of the table of [`alu64`] and [`alu32`] (a power of two).
const ALU_ENTRIES: usize = 1024;

/// What [`alu64`] and [`alu32`] are a function of: the operator, whether it is 64-bit, and
/// both operands (links included).
type AluKey = (AluOp, bool, Scalar, Scalar);

thread_local! {
    static ALU: RefCell<Table<AluKey, Scalar, ALU_ENTRIES>> =
        const { RefCell::new(Table::new()) };
}

/// Entries of the table of [`alu32`] on a [`Scalar::WORD`] and a constant (a power of two).
const WORD_CONST_ENTRIES: usize = 1024;

/// [`alu32`] of a [`Scalar::WORD`] with another, per operator (`op >> 4`), and with a constant
/// ([`Scalar::konst`]), per operator and constant: most 32-bit operations of a hash round,
/// found without hashing or comparing both operands whole.
struct Words {
    word: [Option<Scalar>; 16],
    konst: Table<(AluOp, u64), Scalar, WORD_CONST_ENTRIES>,
}

thread_local! {
    static WORDS: RefCell<Words> = const {
        RefCell::new(Words {
            word: [None; 16],
            konst: Table::new(),
        })
    };
}

/// Empties this thread's tables of [`alu32`] / [`alu64`] results.
pub(crate) fn clear() {
    ALU.with(|t| t.borrow_mut().clear());
    WORDS.with(|w| {
        let mut w = w.borrow_mut();
        w.word = [None; 16];
        w.konst.clear();
    });
}

/// True if `s` is exactly [`Scalar::WORD`] (links included), its known bits tested first: most
/// operands that are not a word differ there, and the whole comparison is several times dearer.
#[inline]
fn is_word(s: &Scalar) -> bool {
    s.t.mask == u32::MAX as u64 && s.t.value == 0 && *s == Scalar::WORD
}

/// [`alu32`] when `a` is a [`Scalar::WORD`] and `b` another or the constant `bk` (`b` exactly
/// [`Scalar::konst`] of it), from [`Words`] (computed once by [`alu32_full`]); `None` for other
/// operands.
#[inline]
fn word_op(op: AluOp, a: &Scalar, b: &Scalar, bk: Option<u64>) -> Option<Scalar> {
    if !is_word(a) || old_sync() {
        return None;
    }
    if is_word(b) {
        let i = op as usize >> 4;
        if let Some(v) = WORDS.with(|w| w.borrow().word[i]) {
            return Some(v);
        }
        let v = alu32_full(op, a, b);
        WORDS.with(|w| w.borrow_mut().word[i] = Some(v));
        return Some(v);
    }
    let k = bk?;
    let h = mix(op as u64, &[k]);
    if let Some(v) = WORDS.with(|w| w.borrow().konst.get(h, &(op, k))) {
        return Some(v);
    }
    let v = alu32_full(op, a, b);
    WORDS.with(|w| w.borrow_mut().konst.put(h, (op, k), v));
    Some(v)
}

/// `slow(op, a, b)` for the operation `op` (`is64`), looked up first in a small per-thread
/// table keyed by all of its arguments. The ALU results are pure functions of their operands
/// that a program asks for over and over with the same values (the same hash rounds of the
/// same unknown 32-bit words, path after path): each costs several [`Scalar::sync`] (the
/// operands' truncation, the signed view, the result's bounds), a lookup only one hash.
#[inline]
fn memoised(
    op: AluOp,
    is64: bool,
    a: &Scalar,
    b: &Scalar,
    slow: fn(AluOp, &Scalar, &Scalar) -> Scalar,
) -> Scalar {
    if old_sync() {
        return slow(op, a, b);
    }
    let key: AluKey = (op, is64, *a, *b);
    let h = mix(mix(op as u64 | (is64 as u64) << 8, &words(a)), &words(b));
    if let Some(v) = ALU.with(|m| m.borrow().get(h, &key)) {
        return v;
    }
    let v = slow(op, a, b);
    ALU.with(|m| m.borrow_mut().put(h, key, v));
    v
}

/// `a op b`, 64-bit (the kernel's `adjust_scalar_min_max_vals` for `BPF_ALU64`).
pub(crate) fn alu64(op: AluOp, a: &Scalar, b: &Scalar) -> Scalar {
    if let Some(v) = konst_op(op, true, a, b) {
        return v;
    }
    memoised(op, true, a, b, alu64_full)
}

/// The value of `s` when it is exactly [`Scalar::konst`] of it (links included: none).
#[inline]
fn exact_konst(s: &Scalar) -> Option<u64> {
    (s.t.mask == 0 && *s == Scalar::konst(s.t.value)).then_some(s.t.value)
}

/// `a op b` (64- or 32-bit) when both operands are exactly constants and `op` one the kernel
/// tracks: the constant the instruction computes, without [`memoised`]'s hashing (the common
/// case of a short program, whose constants are seldom combined twice the same way); `None`
/// for other operands and operators (division, modulo, negation, shifts out of range). The
/// same results as [`alu64_full`] / [`alu32_full`] (`constants_are_computed_as_in_full`).
#[inline]
fn konst_op(op: AluOp, is64: bool, a: &Scalar, b: &Scalar) -> Option<Scalar> {
    konst_values(op, is64, exact_konst(a)?, exact_konst(b)?)
}

/// [`konst_op`] of the constants `x` and `y`.
#[inline]
fn konst_values(op: AluOp, is64: bool, x: u64, y: u64) -> Option<Scalar> {
    let v = if is64 {
        match op {
            AluOp::Add => x.wrapping_add(y),
            AluOp::Sub => x.wrapping_sub(y),
            AluOp::Mul => x.wrapping_mul(y),
            AluOp::And => x & y,
            AluOp::Or => x | y,
            AluOp::Xor => x ^ y,
            AluOp::Lsh if y < 64 => x << y,
            AluOp::Rsh if y < 64 => x >> y,
            AluOp::Arsh if y < 64 => ((x as i64) >> y) as u64,
            _ => return None,
        }
    } else {
        let (x, y) = (x as u32, y as u32);
        (match op {
            AluOp::Add => x.wrapping_add(y),
            AluOp::Sub => x.wrapping_sub(y),
            AluOp::Mul => x.wrapping_mul(y),
            AluOp::And => x & y,
            AluOp::Or => x | y,
            AluOp::Xor => x ^ y,
            AluOp::Lsh if y < 32 => x << y,
            AluOp::Rsh if y < 32 => x >> y,
            AluOp::Arsh if y < 32 => ((x as i32) >> y) as u32,
            _ => return None,
        }) as u64
    };
    Some(Scalar::konst(v))
}

/// The 32-bit bounds of `a << k` (`__scalar32_min_max_lsh`): shifted when the 32-bit maximum
/// is at most `2^(31 - k)`, else none.
fn lsh32_bounds(a: &Scalar, k: u32) -> Option<(u32, u32)> {
    let a = a.held().unwrap_or(*a);
    (k < 32 && a.u32max as u64 <= 1u64 << (31 - k)).then(|| (a.u32min << k, a.u32max << k))
}

/// The signed 32-bit bounds of `a * b` (kernel 6.18's `scalar32_min_max_mul`): the smallest
/// and largest of the four products of the operands' signed 32-bit bounds when none of them
/// overflows 32 bits, else none.
pub(crate) fn mul32_signed(a: &Scalar, b: &Scalar) -> Option<(i32, i32)> {
    let (a, b) = (a.held()?, b.held()?);
    let p = [
        a.s32min.checked_mul(b.s32min)?,
        a.s32min.checked_mul(b.s32max)?,
        a.s32max.checked_mul(b.s32min)?,
        a.s32max.checked_mul(b.s32max)?,
    ];
    Some((*p.iter().min()?, *p.iter().max()?))
}

/// The unsigned 32-bit bounds of `a * b` (kernel 6.18's `scalar32_min_max_mul`): the products
/// of the operands' unsigned 32-bit bounds when the larger does not overflow 32 bits, else
/// none. The kernel computes them, and [`mul32_signed`], for a 64-bit multiplication too: the
/// low half of a product is the product of the low halves.
pub(crate) fn mul32_unsigned(a: &Scalar, b: &Scalar) -> Option<(u32, u32)> {
    let (a, b) = (a.held()?, b.held()?);
    Some((
        a.u32min.checked_mul(b.u32min)?,
        a.u32max.checked_mul(b.u32max)?,
    ))
}

/// The known bits of `a * b` (64-bit when `is64`, else the zero-extended low half) as the
/// shift-and-add `tnum_mul` alone gives them (`dst` first, as `adjust_scalar_min_max_vals`
/// passes them; the low half of a product depends on the operands' low halves only).
pub(crate) fn mul_known_bits(is64: bool, a: &Scalar, b: &Scalar) -> Tnum {
    if is64 {
        a.t.mul_new(b.t)
    } else {
        a.t.cast32().mul_new(b.t.cast32()).cast32()
    }
}

/// `r`, the result of `a * b` (64-bit when `is64`, else 32-bit), as kernels before
/// [`KernelVersion::MUL_PRODUCTS`](crate::verifier::KernelVersion::MUL_PRODUCTS) bound it:
/// unchanged when both operands are not negative and at most U32_MAX (64-bit) or U16_MAX
/// (32-bit), where the older rule's unsigned products are the newer rule's; else only the
/// known bits of the product (the older kernels' `__mark_reg64_unbounded` /
/// `__mark_reg32_unbounded`, the tnum of the product kept): `tnum_mul`'s of the operands,
/// not `r`'s, which its range narrowed (`w2 *= -203` of 42029..=42149 is anything in 32
/// bits but 0 for 6.12, not 0xff7f_xxxx: `alu32_mul_negative_before_6_14`); a 64-bit
/// product's low half keeps the 32-bit rule's bounds even then.
pub(crate) fn mul_before_products(is64: bool, a: &Scalar, b: &Scalar, r: Scalar) -> Scalar {
    let (a, b) = (a.held().unwrap_or(*a), b.held().unwrap_or(*b));
    let kept = if is64 {
        a.smin >= 0 && b.smin >= 0 && a.umax <= u32::MAX as u64 && b.umax <= u32::MAX as u64
    } else {
        a.s32min >= 0 && b.s32min >= 0 && a.u32max <= 0xffff && b.u32max <= 0xffff
    };
    if kept || r.as_const().is_some() {
        return r;
    }
    let (top, fallback) = if is64 {
        (u64::MAX, Scalar::UNKNOWN)
    } else {
        (u32::MAX as u64, Scalar::of_size(4))
    };
    let t = if is64 {
        a.t.mul(b.t)
    } else {
        a.t.cast32().mul(b.t.cast32()).cast32()
    };
    let r = Scalar {
        t,
        ..Scalar::urange(0, top)
    }
    .sync()
    .unwrap_or(fallback);
    // A 64-bit product runs the 32-bit rule on the low halves too (`scalar32_min_max_mul`
    // before `scalar_min_max_mul` for either width, read in 6.1.192's and 6.12.118's
    // `adjust_scalar_min_max_vals`): their unsigned products when both are not negative
    // and at most U16_MAX (`alu_mul64_u32_bounds`: 6.1.192 and 6.12.118 accept it, measured
    // in QEMU, tools/kernel-vm/).
    if is64 && a.s32min >= 0 && b.s32min >= 0 && a.u32max <= 0xffff && b.u32max <= 0xffff {
        let (lo, hi) = (a.u32min * b.u32min, a.u32max * b.u32max);
        let s = (hi <= i32::MAX as u32).then_some((lo as i32, hi as i32));
        return r.with_bounds32(Some((lo, hi)), s);
    }
    r
}

/// `[lo, hi]` of `x + y` (`sub`: `x - y`) for `x` in `[xl, xh]` and `y` in `[yl, yh]` of
/// `bits` bits when every sum wraps past the top (every difference below 0), else `None`:
/// then the wrapped ends are in order and the range is contiguous modulo `2^bits`.
fn wrapped_range(
    sub: bool,
    bits: u32,
    (xl, xh): (u64, u64),
    (yl, yh): (u64, u64),
) -> Option<(u64, u64)> {
    let m = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let all_wrap = if sub {
        xh < yl
    } else {
        xl as u128 + yl as u128 > m as u128
    };
    all_wrap.then(|| {
        if sub {
            (xl.wrapping_sub(yh) & m, xh.wrapping_sub(yl) & m)
        } else {
            (xl.wrapping_add(yl) & m, xh.wrapping_add(yh) & m)
        }
    })
}

/// `r`, the result of `a + b` or `a - b` (64-bit when `is64`, else 32-bit), with the unsigned
/// ranges kernels from [`KernelVersion::ADD_SUB_WRAP`](crate::verifier::KernelVersion::ADD_SUB_WRAP)
/// keep when every sum overflows (every difference underflows) at both ends
/// (`scalar_min_max_add` / `_sub` and the 32-bit `scalar32_min_max_add` / `_sub`: only a
/// range of which some values wrap and others do not is forgotten). The 64-bit range of a
/// 32-bit operation is the zero-extended 32-bit one. A negation is `0 - a`. Unchanged for
/// other operators.
#[inline(always)]
pub(crate) fn add_sub_wrapped(op: AluOp, is64: bool, a: &Scalar, b: &Scalar, r: Scalar) -> Scalar {
    match op {
        AluOp::Add => wrapped(false, is64, a, b, r),
        AluOp::Sub => wrapped(true, is64, a, b, r),
        // 6.17+ negates as `0 - a` (`scalar_min_max_sub` / `scalar32_min_max_sub` with a
        // known 0): a range without 0 keeps its negation, wrapped (`w6 = -w6` of w6 in
        // 32767..=0xfc10af66 is in 0x3ef509a..=0xffff8001).
        AluOp::Neg => wrapped(true, is64, &Scalar::konst(0), a, r),
        // Inlined: other operators leave `r` where it is, without a call.
        _ => r,
    }
}

/// [`add_sub_wrapped`] of a difference (`sub`) or a sum.
fn wrapped(sub: bool, is64: bool, a: &Scalar, b: &Scalar, r: Scalar) -> Scalar {
    let mut n = r;
    let w32 = wrapped_range(
        sub,
        32,
        (a.u32min as u64, a.u32max as u64),
        (b.u32min as u64, b.u32max as u64),
    );
    if let Some((lo, hi)) = w32 {
        n.u32min = n.u32min.max(lo as u32);
        n.u32max = n.u32max.min(hi as u32);
        if !is64 {
            n.umin = n.umin.max(lo);
            n.umax = n.umax.min(hi);
        }
    }
    if is64 {
        if let Some((lo, hi)) = wrapped_range(sub, 64, (a.umin, a.umax), (b.umin, b.umax)) {
            n.umin = n.umin.max(lo);
            n.umax = n.umax.min(hi);
        }
    }
    // Only these four may have changed (`n == r` without comparing the rest).
    if (n.umin, n.umax, n.u32min, n.u32max) == (r.umin, r.umax, r.u32min, r.u32max) {
        return r;
    }
    n.sync().unwrap_or(r)
}

/// [`alu64`] without its table.
fn alu64_full(op: AluOp, a: &Scalar, b: &Scalar) -> Scalar {
    // The kernel computes the 32-bit bounds of a sum or difference from the operands' 32-bit
    // bounds (`scalar32_min_max_add` / `_sub`), next to the 64-bit ones.
    match op {
        AluOp::Add => {
            let (u, s) = a.add32_bounds(b);
            a.add(b).with_bounds32(u, s)
        }
        AluOp::Sub => {
            let (u, s) = a.sub32_bounds(b);
            a.sub(b).with_bounds32(u, s)
        }
        AluOp::Mul => a.mul(b),
        // `scalar32_min_max_and` / `_or` bound the low half from the operands' 32-bit bounds
        // (the smaller maximum, the larger minimum) in a 64-bit operation too.
        AluOp::And => a
            .and(b)
            .with_bounds32(Some((0, a.u32max.min(b.u32max))), None),
        AluOp::Or => a
            .or(b)
            .with_bounds32(Some((a.u32min.max(b.u32min), u32::MAX)), None),
        AluOp::Xor => a.xor(b),
        // A shift is tracked only by an amount constant by its known bits
        // (`is_safe_to_compute_dst_reg_range`: `tnum_is_const`), not by a range of one value
        // whose bits are not all known (`alu_shift_by_a_one_value_range`): else unknown.
        AluOp::Lsh | AluOp::Rsh | AluOp::Arsh => match b.t_const() {
            Some(k) if k < 64 => match op {
                // `scalar_min_max_lsh` shifts the 32-bit bounds too (`__scalar32_min_max_lsh`),
                // from which the synchronisation may recover a 64-bit range the 64-bit rule
                // dropped.
                AluOp::Lsh => a
                    .lsh(k as u32)
                    .with_bounds32(lsh32_bounds(a, k as u32), None),
                AluOp::Rsh => a.rsh(k as u32),
                _ => a.arsh(k as u32),
            },
            _ => Scalar::UNKNOWN,
        },
        // `0 - a`, with the 32-bit bounds of `scalar32_min_max_sub` too (`r7 = -r7` of r7 in
        // 0..=0xffffffff whose low half is -1 or 0 makes w7 0 or 1).
        AluOp::Neg => alu64_full(AluOp::Sub, &Scalar::konst(0), a),
        // The kernel does not track these: unknown, whatever the operands.
        _ => Scalar::UNKNOWN,
    }
}

/// Byte swaps and `le` conversions (`swap`: `be16/32/64`, `bswap`; else `le`, a truncation),
/// as kernel 6.18's `scalar_byte_swap`: a swap swaps the known bits and forgets the ranges
/// (they are derived from the known bits again), and a 16- or 32-bit form then truncates
/// ([`Scalar::coerce`]: a 32-bit truncation keeps the 32-bit bounds). Before 6.18 (`tracked` false)
/// the kernel tracks neither (`check_alu_op` marks the register unknown): an unknown value.
pub(crate) fn end_op(a: &Scalar, width: i64, swap: bool, tracked: bool) -> Scalar {
    if !tracked {
        return Scalar::UNKNOWN;
    }
    let v = if swap {
        let t = a.t;
        let t = match width {
            16 => Tnum {
                value: (t.value as u16).swap_bytes() as u64,
                mask: (t.mask as u16).swap_bytes() as u64,
            },
            32 => Tnum {
                value: (t.value as u32).swap_bytes() as u64,
                mask: (t.mask as u32).swap_bytes() as u64,
            },
            _ => Tnum {
                value: t.value.swap_bytes(),
                mask: t.mask.swap_bytes(),
            },
        };
        Scalar {
            t,
            ..Scalar::UNKNOWN
        }
        .sync()
        .unwrap_or(Scalar::UNKNOWN)
    } else {
        *a
    };
    // The 16- and 32-bit forms then truncate as `coerce_reg_to_size` does, which keeps a
    // range whose upper bytes agree (`le32` of a number in 16..=100 stays in 16..=100).
    match width {
        16 => v.coerce(2),
        32 => v.coerce(4),
        _ if swap => v.unlinked(),
        _ => v,
    }
}

/// `r`, the result of the 64-bit `a <<= 32`, with the signed range the kernel gives it
/// (`__scalar64_min_max_lsh`'s special case for the `<<32 s>>32` sign extension): the low
/// half's signed bounds shifted up, which keeps their order whatever their sign. Before
/// [`KernelVersion::LSH32_SIGNED`](crate::verifier::KernelVersion::LSH32_SIGNED)
/// (`any_sign` false) only a bound that is not negative is kept.
pub(crate) fn lsh32_signed(a: &Scalar, r: Scalar, any_sign: bool) -> Scalar {
    let mut n = r;
    if any_sign || a.s32min >= 0 {
        n.smin = n.smin.max((a.s32min as i64) << 32);
    }
    if any_sign || a.s32max >= 0 {
        n.smax = n.smax.min((a.s32max as i64) << 32);
    }
    n.sync().unwrap_or(r)
}

/// `a op b`, 32-bit (the kernel's `adjust_scalar_min_max_vals` for `BPF_ALU`): the result is
/// zero-extended. A shift by a register whose 64-bit maximum is 32 or more gives a number
/// unknown in all 64 bits, even when its low half is a small constant
/// (`is_safe_to_compute_dst_reg_range` reads the source's 64-bit `umax_value`; the dst is
/// `__mark_reg_unknown`, not zero-extended).
pub(crate) fn alu32(op: AluOp, a: &Scalar, b: &Scalar) -> Scalar {
    if matches!(op, AluOp::Lsh | AluOp::Rsh | AluOp::Arsh) && b.umax >= 32 {
        return Scalar::UNKNOWN;
    }
    // `b` is looked at once for both fast paths (a word with a constant, two constants).
    let bk = exact_konst(b);
    if let Some(v) = word_op(op, a, b, bk) {
        return v;
    }
    if let Some(v) = bk.and_then(|y| konst_values(op, false, exact_konst(a)?, y)) {
        return v;
    }
    memoised(op, false, a, b, alu32_full)
}

/// [`alu32`] without its table.
fn alu32_full(op: AluOp, a: &Scalar, b: &Scalar) -> Scalar {
    // An operand with the kernel's unbounded ranges and known bits has no signed view to
    // add: the signed bounds of its synchronised bits are more than the kernel reads.
    let raw = a.is_unbounded_bits() || b.is_unbounded_bits();
    let (a, b) = (a.held32(), b.held32());
    if matches!(op, AluOp::Add | AluOp::Sub) {
        return add_sub32(op, &a, &b);
    }
    let r = alu32_wide(op, &a, &b, raw);
    let (u, s) = match op {
        AluOp::Add => a.add32_bounds(&b),
        AluOp::Sub => a.sub32_bounds(&b),
        // 6.18 negates as `0 - x` (scalar32_min_max_sub with a known 0).
        AluOp::Neg => Scalar::konst(0).sub32_bounds(&a),
        // `scalar32_min_max_arsh`: the signed 32-bit bounds shift with the value (`w s>>= 31`
        // of any value is in [-1, 0]).
        AluOp::Arsh => match b.t_const() {
            Some(k) if k < 32 => (None, Some((a.s32min >> k, a.s32max >> k))),
            _ => (None, None),
        },
        _ => (None, None),
    };
    let r = r.with_bounds32(u, s);
    match (op, b.t_const()) {
        // `tnum_arshift(.., 32)` of the low half's known bits: the sign bit's knowledge (or
        // doubt) shifts down, the known low bits stay known (`w s>>= 3` of x | 0x7fff ends
        // in 0xfff), whatever the sign-extended range keeps of them.
        (AluOp::Arsh, Some(k)) if k < 32 => {
            let sh = |v: u64| ((v as u32 as i32) >> k) as u32 as u64;
            r.with_tnum(Tnum {
                value: sh(a.t.value),
                mask: sh(a.t.mask),
            })
        }
        _ => r,
    }
}

/// A 32-bit `a + b` or `a - b` as the kernel computes it (`scalar32_min_max_add` / `_sub` on
/// the operands' 32-bit bounds, `tnum_add` / `tnum_sub` cut to the low half, then
/// `zext_32_to_64`: the 64-bit ranges are the 32-bit unsigned one and the signed one when it
/// is not negative, and `reg_bounds_sync`). Not from the 64-bit sum of the zero-extended
/// operands: that can be tighter than the kernel's bounds (`w2 -= 0x1fffffff` on w2 in
/// 32..=0xe0000001 with known bits 0xe0000001 is at most 0xc0000002 in 64 bits, the kernel
/// only knows 0xe0000003 from the known bits: `alu32_sub_not_from_64_bits`). The ranges of a
/// sum whose every value wraps are the caller's ([`add_sub_wrapped`]).
fn add_sub32(op: AluOp, a: &Scalar, b: &Scalar) -> Scalar {
    let ((u, s), t) = if op == AluOp::Add {
        (a.add32_bounds(b), a.t.add(b.t))
    } else {
        (a.sub32_bounds(b), a.t.sub(b.t))
    };
    let (u32min, u32max) = u.unwrap_or((0, u32::MAX));
    let (s32min, s32max) = s.unwrap_or((i32::MIN, i32::MAX));
    let (smin, smax) = if s32min >= 0 {
        (s32min as i64, s32max as i64)
    } else {
        (0, u32::MAX as i64)
    };
    Scalar {
        umin: u32min as u64,
        umax: u32max as u64,
        smin,
        smax,
        u32min,
        u32max,
        s32min,
        s32max,
        t: t.cast32(),
        link: 0,
        delta: 0,
    }
    .sync()
    .unwrap_or(Scalar::of_size(4))
}

fn alu32_wide(op: AluOp, a: &Scalar, b: &Scalar, raw: bool) -> Scalar {
    let (a, b) = (*a, *b);
    let r = match op {
        AluOp::Add | AluOp::Sub | AluOp::Mul | AluOp::And | AluOp::Or | AluOp::Xor => {
            alu64_full(op, &a, &b)
        }
        AluOp::Neg => Scalar::konst(0).sub(&a),
        AluOp::Lsh | AluOp::Rsh | AluOp::Arsh => match b.t_const() {
            Some(k) if k < 32 => match op {
                // `__scalar32_min_max_lsh`: the 32-bit bounds shift only when the maximum is
                // at most 2^(31 - k).
                AluOp::Lsh => a.lsh_within(k as u32, 31),
                AluOp::Rsh => a.rsh(k as u32),
                _ => a.sext(32).arsh(k as u32),
            },
            _ => return Scalar::UNKNOWN,
        },
        _ => return Scalar::UNKNOWN,
    };
    // When the 32-bit result wraps, the kernel knows only the low half of the operation's
    // known bits (`tnum_subreg` of `tnum_add` / `tnum_mul` / ...), not what the 64-bit range of
    // the unwrapped result would add to them.
    let pure = match op {
        AluOp::Add => Some(a.t.add(b.t)),
        AluOp::Sub => Some(a.t.sub(b.t)),
        AluOp::Mul => Some(a.t.mul(b.t)),
        AluOp::Neg => Some(Tnum::konst(0).sub(a.t)),
        AluOp::Lsh => b.t_const().map(|k| a.t.lsh(k as u32)),
        _ => None,
    };
    let r = match pure {
        // Unless the operation's known bits are a constant: a wrapped 64-bit result of one
        // value is not (the synchronisation of the 64-bit intermediate, which the kernel
        // never makes, learns the constant from the range; the kernel's 32-bit bounds come
        // from `scalar32_min_max_mul`, which overflow: `alu32_mul_of_a_one_value_range`).
        Some(t) if r.umax > u32::MAX as u64 && !t.is_const() => Scalar {
            t: Tnum {
                value: t.value & 0xffff_ffff,
                mask: t.mask & 0xffff_ffff,
            },
            ..Scalar::urange(0, u32::MAX as u64)
        }
        .sync()
        .unwrap_or(Scalar::urange(0, u32::MAX as u64)),
        _ => r,
    };
    if !raw && matches!(op, AluOp::Add | AluOp::Sub | AluOp::Mul | AluOp::Neg) {
        // The signed 32-bit view (the kernel tracks s32 bounds too): exact when no s32 overflow.
        let (sa, sb) = (a.sext(32), b.sext(32));
        let rs = if op == AluOp::Neg {
            Scalar::konst(0).sub(&sa)
        } else {
            alu64_full(op, &sa, &sb)
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
    pub(crate) fn trunc32_wrapped(&self) -> Scalar {
        let r = *self;
        if r.umax > u32::MAX as u64 && r.t_const().is_none() {
            // Wrapped: keep only what the known bits say (as the kernel's subregister tnum).
            Scalar::urange(0, u32::MAX as u64).with_tnum(r.t.cast32())
        } else {
            r.trunc32()
        }
    }
}

impl Scalar {
    pub(crate) fn with_tnum(self, t: Tnum) -> Scalar {
        Scalar {
            t: self.t.intersect(t),
            ..self
        }
        .sync()
        .unwrap_or(self)
    }
}
/// Every operator [`alu64`] and the 32-bit form take between two numbers (moves and byte swaps
/// aside): the operators the tests run over.
#[cfg(test)]
pub(crate) const SCALAR_OPS: [AluOp; 12] = [
    AluOp::Add,
    AluOp::Sub,
    AluOp::Mul,
    AluOp::Div,
    AluOp::Or,
    AluOp::And,
    AluOp::Lsh,
    AluOp::Rsh,
    AluOp::Neg,
    AluOp::Mod,
    AluOp::Xor,
    AluOp::Arsh,
];

#[cfg(test)]
#[path = "arith_tests.rs"]
mod tests;

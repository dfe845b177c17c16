//! [`scalar_alu`]'s 32-bit operations against a model of the kernel's, written from the
//! source of 6.12.118 (`adjust_scalar_min_max_vals`, `scalar32_min_max_*`, `zext_32_to_64`)
//! and the 6.14 / 6.18 changes to `scalar32_min_max_mul` and `tnum_mul`: on random operands,
//! this verifier's result must hold every value the kernel's does (a tighter bound would be
//! a false accept: a branch the kernel walks that this verifier proves dead).

use super::super::*;
use super::scalar_alu;
use crate::verifier::KernelVersion;

use super::super::test_rng::Rng;

impl Rng {
    /// A 32-bit value, often near an edge (0, the sign boundary, small).
    fn word(&mut self) -> u32 {
        let x = self.next() as u32;
        match self.next() % 6 {
            0 => x & 0xff,
            1 => x & 0xffff,
            2 => 0x8000_0000u32.wrapping_add(x & 0xff).wrapping_sub(0x80),
            3 => u32::MAX - (x & 0xff),
            _ => x,
        }
    }

    /// A synchronised number whose low half is random known bits and a range of them.
    fn operand(&mut self) -> Scalar {
        loop {
            let mask = match self.next() % 4 {
                0 => 0,
                1 => self.next() as u32 & 0xff,
                2 => (self.next() as u32) & (self.next() as u32),
                _ => u32::MAX,
            } as u64;
            let value = self.word() as u64 & !mask;
            let t = Tnum { value, mask };
            let (x, y) = (
                self.word() as u64 & mask | value,
                self.word() as u64 & mask | value,
            );
            // The state a failed sanity check leaves (`__mark_reg_unbounded`): known bits,
            // no bounds, not synchronised.
            if self.next().is_multiple_of(8) && mask != u32::MAX as u64 {
                return Scalar::unbounded_bits(t);
            }
            let base = match self.next() % 3 {
                0 => Scalar::urange(x.min(y), x.max(y)),
                // A signed 32-bit range (sign-extended to 64 bits, as a `(s32)` move gives).
                1 => {
                    let (p, q) = (x as u32 as i32 as i64, y as u32 as i32 as i64);
                    let s = Scalar::srange(p.min(q), p.max(q));
                    return s.sync().unwrap_or(s);
                }
                _ => Scalar::urange(0, u32::MAX as u64),
            };
            if let Some(s) = (Scalar { t, ..base }).sync() {
                return s;
            }
        }
    }
}

/// The kernel's 32-bit `dst *= src` (`tnum_mul` of the full registers cut to the low half,
/// `scalar32_min_max_mul`, `zext_32_to_64`, `reg_bounds_sync`): before 6.14 a range only for
/// non-negative operands up to U16_MAX; from 6.14 the products of the unsigned bounds and
/// the four of the signed ones, each forgotten on an overflow. `new_tnum`: the shift-and-add
/// `tnum_mul` (6.18), else the partial products (6.12.118).
fn kernel_mul32(products: bool, new_tnum: bool, a: &Scalar, b: &Scalar) -> Option<Scalar> {
    let t = if new_tnum {
        a.t.mul_new(b.t)
    } else {
        a.t.mul_old(b.t)
    }
    .cast32();
    let (u, s) = kernel_mul32_bounds(products, a, b);
    zext_sync(u, s, t)
}

/// `scalar32_min_max_mul`'s unsigned and signed 32-bit bounds of `a * b`.
fn kernel_mul32_bounds(products: bool, a: &Scalar, b: &Scalar) -> ((u32, u32), (i32, i32)) {
    let full_u = (0u32, u32::MAX);
    let full_s = (i32::MIN, i32::MAX);
    let (u, s) = if !products {
        if b.s32min < 0 || a.s32min < 0 || b.u32max > 0xffff || a.u32max > 0xffff {
            (full_u, full_s)
        } else {
            let u = (a.u32min * b.u32min, a.u32max * b.u32max);
            let s = if u.1 > i32::MAX as u32 {
                full_s
            } else {
                (u.0 as i32, u.1 as i32)
            };
            (u, s)
        }
    } else {
        let u = match (
            a.u32max.checked_mul(b.u32max),
            a.u32min.checked_mul(b.u32min),
        ) {
            (Some(hi), Some(lo)) => (lo, hi),
            _ => full_u,
        };
        let p = [
            a.s32min.checked_mul(b.s32min),
            a.s32min.checked_mul(b.s32max),
            a.s32max.checked_mul(b.s32min),
            a.s32max.checked_mul(b.s32max),
        ];
        let s = if p.iter().all(Option::is_some) {
            let v: Vec<i32> = p.iter().flatten().copied().collect();
            let lo = v.iter().copied().min().unwrap_or(i32::MIN);
            (lo, v.iter().copied().max().unwrap_or(i32::MAX))
        } else {
            full_s
        };
        (u, s)
    };
    (u, s)
}

/// The kernel's 64-bit `dst *= src`: `tnum_mul`, `scalar32_min_max_mul` (the low half's
/// bounds, as [`kernel_mul32`]) and `scalar_min_max_mul` (before 6.14: a range only for
/// non-negative operands up to U32_MAX; from 6.14 the products, forgotten on an overflow),
/// then `reg_bounds_sync`.
fn kernel_mul64(products: bool, new_tnum: bool, a: &Scalar, b: &Scalar) -> Option<Scalar> {
    let t = if new_tnum {
        a.t.mul_new(b.t)
    } else {
        a.t.mul_old(b.t)
    };
    // The 32-bit bounds before `zext_32_to_64` and the synchronisation: the raw ones.
    let low = kernel_mul32_bounds(products, a, b);
    let low = Scalar {
        u32min: low.0 .0,
        u32max: low.0 .1,
        s32min: low.1 .0,
        s32max: low.1 .1,
        ..Scalar::UNKNOWN
    };
    let (u, s) = if !products {
        if b.smin < 0 || a.smin < 0 || b.umax > u32::MAX as u64 || a.umax > u32::MAX as u64 {
            ((0, u64::MAX), (i64::MIN, i64::MAX))
        } else {
            let u = (a.umin * b.umin, a.umax * b.umax);
            let s = if u.1 > i64::MAX as u64 {
                (i64::MIN, i64::MAX)
            } else {
                (u.0 as i64, u.1 as i64)
            };
            (u, s)
        }
    } else {
        let u = match (a.umax.checked_mul(b.umax), a.umin.checked_mul(b.umin)) {
            (Some(hi), Some(lo)) => (lo, hi),
            _ => (0, u64::MAX),
        };
        let p = [
            a.smin.checked_mul(b.smin),
            a.smin.checked_mul(b.smax),
            a.smax.checked_mul(b.smin),
            a.smax.checked_mul(b.smax),
        ];
        let s = if p.iter().all(Option::is_some) {
            let v: Vec<i64> = p.iter().flatten().copied().collect();
            (*v.iter().min()?, *v.iter().max()?)
        } else {
            (i64::MIN, i64::MAX)
        };
        (u, s)
    };
    Scalar {
        umin: u.0,
        umax: u.1,
        smin: s.0,
        smax: s.1,
        u32min: low.u32min,
        u32max: low.u32max,
        s32min: low.s32min,
        s32max: low.s32max,
        t,
        link: 0,
        delta: 0,
    }
    .sync()
}

/// `zext_32_to_64` of the 32-bit bounds `u`, `s` and the known bits `t`, then
/// `reg_bounds_sync` (`None`: no value, which the model's callers skip).
fn zext_sync(u: (u32, u32), s: (i32, i32), t: Tnum) -> Option<Scalar> {
    let (smin, smax) = if s.0 >= 0 {
        (s.0 as i64, s.1 as i64)
    } else {
        (0, u32::MAX as i64)
    };
    Scalar {
        umin: u.0 as u64,
        umax: u.1 as u64,
        smin,
        smax,
        u32min: u.0,
        u32max: u.1,
        s32min: s.0,
        s32max: s.1,
        t: t.cast32(),
        link: 0,
        delta: 0,
    }
    .sync()
}

/// Whether `ours` holds every value `k` holds, bound by bound and bit by bit.
fn covers(ours: &Scalar, k: &Scalar) -> bool {
    ours.umin <= k.umin
        && ours.umax >= k.umax
        && ours.smin <= k.smin
        && ours.smax >= k.smax
        && ours.u32min <= k.u32min
        && ours.u32max >= k.u32max
        && ours.s32min <= k.s32min
        && ours.s32max >= k.s32max
        && k.t.is_subset_of(ours.t)
}

/// A model of the kernel's operation: its result for two operands (`None`: not modelled).
type Model = dyn Fn(&Scalar, &Scalar) -> Option<Scalar>;

/// Runs `n` random operand pairs of `op` for each target `(version, model)` and returns the
/// cases where this verifier is tighter than the model, and how many it is looser on.
fn compare(
    op: AluOp,
    is64: bool,
    n: usize,
    seed: u64,
    models: &[(KernelVersion, &Model)],
) -> (Vec<String>, usize) {
    let mut rng = Rng(seed);
    let (mut tighter, mut looser) = (Vec::new(), 0);
    for _ in 0..n {
        let (a, b) = (rng.operand(), rng.operand());
        for (v, model) in models {
            let Some(k) = model(&a, &b) else { continue };
            let ours = scalar_alu(*v, op, is64, &a, &b);
            if !covers(&ours, &k) {
                tighter.push(format!(
                    "{v}: {a:?} {op:?} {b:?}\n ours {ours:?}\n kernel {k:?}"
                ));
            } else if ours != k {
                looser += 1;
            }
        }
    }
    (tighter, looser)
}

/// Fails with the first few cases where this verifier was tighter than the kernel's model.
fn assert_none_tighter(tighter: &[String]) {
    assert!(
        tighter.is_empty(),
        "{} tighter, first: {}",
        tighter.len(),
        tighter[..tighter.len().min(4)].join("\n")
    );
}

#[test]
fn a_32_bit_product_is_never_tighter_than_the_kernels() {
    products_never_tighter(false, 0x5eed_0019, kernel_mul32);
}

#[test]
fn a_64_bit_product_is_never_tighter_than_the_kernels() {
    products_never_tighter(true, 0x5eed_0064, kernel_mul64);
}

/// `*=` (64-bit when `is64`) against `model(products, new_tnum, a, b)`: before 6.14 without
/// the products rule, 6.14 with it and the old `tnum_mul`, 6.18 with the new one, 6.17 either
/// (its `tnum_mul` is not pinned down).
fn products_never_tighter(
    is64: bool,
    seed: u64,
    model: fn(bool, bool, &Scalar, &Scalar) -> Option<Scalar>,
) {
    let old = move |a: &Scalar, b: &Scalar| model(false, false, a, b);
    let products_old_tnum = move |a: &Scalar, b: &Scalar| model(true, false, a, b);
    let products_new_tnum = move |a: &Scalar, b: &Scalar| model(true, true, a, b);
    let (tighter, looser) = compare(
        AluOp::Mul,
        is64,
        20_000,
        seed,
        &[
            (KernelVersion::new(6, 12), &old),
            (KernelVersion::new(6, 14), &products_old_tnum),
            (KernelVersion::new(6, 17), &products_old_tnum),
            (KernelVersion::new(6, 17), &products_new_tnum),
            (KernelVersion::new(6, 18), &products_new_tnum),
        ],
    );
    let width = if is64 { 64 } else { 32 };
    println!("{width}-bit products looser than the kernel's: {looser}");
    assert_none_tighter(&tighter);
}

/// The kernel's 32-bit `&`, `|`, `^` and shifts by a constant (6.12.118's
/// `scalar32_min_max_and` / `_or` / `_xor` on the result's known bits,
/// `scalar32_min_max_lsh` / `_rsh` / `_arsh`), zero-extended and synchronised; `None` for a
/// shift by anything but a constant below 32 (`__mark_reg_unknown`, not modelled here).
fn kernel_bits32(op: AluOp, a: &Scalar, b: &Scalar) -> Option<Scalar> {
    let full_s = (i32::MIN, i32::MAX);
    // The signed bounds of a u32 range that does not cross the sign, else unbounded.
    let signed_of = |lo: u32, hi: u32| {
        if (lo as i32) <= (hi as i32) {
            (lo as i32, hi as i32)
        } else {
            full_s
        }
    };
    let known = |t: Tnum| t.cast32().mask == 0;
    let (u, s, t) = match op {
        AluOp::And | AluOp::Or | AluOp::Xor => {
            let t = match op {
                AluOp::And => a.t.and(b.t),
                AluOp::Or => a.t.or(b.t),
                _ => a.t.xor(b.t),
            }
            .cast32();
            if known(a.t) && known(b.t) {
                let v = t.value as u32;
                ((v, v), (v as i32, v as i32), t)
            } else {
                let u = match op {
                    AluOp::And => (t.value as u32, a.u32max.min(b.u32max)),
                    AluOp::Or => (a.u32min.max(b.u32min), t.umax() as u32),
                    _ => (t.value as u32, t.umax() as u32),
                };
                (u, signed_of(u.0, u.1), t)
            }
        }
        AluOp::Lsh | AluOp::Rsh | AluOp::Arsh => {
            let k = b.as_const().filter(|&k| k < 32)? as u32;
            let sub = a.t.cast32();
            match op {
                AluOp::Lsh => {
                    let u = if a.u32max as u64 > 1u64 << (31 - k) {
                        (0, u32::MAX)
                    } else {
                        (a.u32min << k, a.u32max << k)
                    };
                    (u, full_s, sub.lsh(k).cast32())
                }
                AluOp::Rsh => ((a.u32min >> k, a.u32max >> k), full_s, sub.rsh(k)),
                _ => {
                    let sh = |v: u64| ((v as u32 as i32) >> k) as u32 as u64;
                    let t = Tnum {
                        value: sh(sub.value),
                        mask: sh(sub.mask),
                    };
                    ((0, u32::MAX), (a.s32min >> k, a.s32max >> k), t)
                }
            }
        }
        _ => return None,
    };
    // `__update_reg32_bounds` of the shifts is part of the synchronisation.
    zext_sync(u, s, t)
}

#[test]
fn the_32_bit_bit_operations_and_shifts_are_never_tighter_than_the_kernels() {
    let model = |op: AluOp| move |a: &Scalar, b: &Scalar| kernel_bits32(op, a, b);
    let mut report = Vec::new();
    for (i, op) in [AluOp::And, AluOp::Or, AluOp::Xor].into_iter().enumerate() {
        let m = model(op);
        let (tighter, looser) = compare(
            op,
            false,
            10_000,
            0x5eed_0100 + i as u64,
            &[
                (KernelVersion::new(6, 12), &m),
                (KernelVersion::new(6, 18), &m),
            ],
        );
        println!("32-bit {op:?} looser than the kernel's: {looser}");
        report.extend(tighter);
    }
    // Shifts by a constant below 32.
    for (i, op) in [AluOp::Lsh, AluOp::Rsh, AluOp::Arsh]
        .into_iter()
        .enumerate()
    {
        let m = model(op);
        let mut rng = Rng(0x5eed_0200 + i as u64);
        let mut looser = 0;
        for _ in 0..10_000 {
            let a = rng.operand();
            let b = Scalar::konst(rng.next() % 32);
            let Some(k) = m(&a, &b) else { continue };
            for v in [KernelVersion::new(6, 12), KernelVersion::new(6, 18)] {
                let ours = scalar_alu(v, op, false, &a, &b);
                if !covers(&ours, &k) {
                    report.push(format!(
                        "{v}: {a:?} {op:?} {b:?}\n ours {ours:?}\n kernel {k:?}"
                    ));
                } else if ours != k {
                    looser += 1;
                }
            }
        }
        println!("32-bit {op:?} looser than the kernel's: {looser}");
    }
    assert_none_tighter(&report);
}

/// The kernel's 32-bit `+=` / `-=` (`scalar32_min_max_add` / `_sub`, `tnum_add` / `tnum_sub`
/// cut to the low half, `zext_32_to_64`, `reg_bounds_sync`). `wrap` (6.18): an unsigned
/// range whose every sum overflows (every difference underflows) is kept, wrapped; before,
/// any overflow forgets it (6.12.118).
fn kernel_add_sub32(sub: bool, wrap: bool, a: &Scalar, b: &Scalar) -> Option<Scalar> {
    let t = if sub { a.t.sub(b.t) } else { a.t.add(b.t) };
    let s = if sub {
        a.s32min
            .checked_sub(b.s32max)
            .zip(a.s32max.checked_sub(b.s32min))
    } else {
        a.s32min
            .checked_add(b.s32min)
            .zip(a.s32max.checked_add(b.s32max))
    }
    .unwrap_or((i32::MIN, i32::MAX));
    let full = (0, u32::MAX);
    let u = if sub {
        let (lo, lo_under) = a.u32min.overflowing_sub(b.u32max);
        let (hi, hi_under) = a.u32max.overflowing_sub(b.u32min);
        match (lo_under, hi_under) {
            (false, false) => (lo, hi),
            (true, true) if wrap => (lo, hi),
            _ => full,
        }
    } else {
        let (lo, lo_over) = a.u32min.overflowing_add(b.u32min);
        let (hi, hi_over) = a.u32max.overflowing_add(b.u32max);
        match (lo_over, hi_over) {
            (false, false) => (lo, hi),
            (true, true) if wrap => (lo, hi),
            _ => full,
        }
    };
    zext_sync(u, s, t)
}

#[test]
fn a_32_bit_sum_or_difference_is_never_tighter_than_the_kernels() {
    sums_and_differences_never_tighter(false, 0x5eed_0300, kernel_add_sub32);
}

/// `+=` and `-=` (64-bit when `is64`) against `model(sub, wrap, a, b)`: 6.12-6.17 without the
/// wrapping rule, 6.18 with it.
fn sums_and_differences_never_tighter(
    is64: bool,
    seed: u64,
    model: fn(bool, bool, &Scalar, &Scalar) -> Option<Scalar>,
) {
    let mut report = Vec::new();
    for (i, (op, sub)) in [(AluOp::Add, false), (AluOp::Sub, true)]
        .into_iter()
        .enumerate()
    {
        let old = move |a: &Scalar, b: &Scalar| model(sub, false, a, b);
        let wrap = move |a: &Scalar, b: &Scalar| model(sub, true, a, b);
        let (tighter, looser) = compare(
            op,
            is64,
            10_000,
            seed + i as u64,
            &[
                (KernelVersion::new(6, 12), &old),
                (KernelVersion::new(6, 17), &old),
                (KernelVersion::new(6, 18), &wrap),
            ],
        );
        let width = if is64 { 64 } else { 32 };
        println!("{width}-bit {op:?} looser than the kernel's: {looser}");
        report.extend(tighter);
    }
    assert_none_tighter(&report);
}

/// The kernel's 64-bit `+=` / `-=`: `scalar32_min_max_add` / `_sub` on the low half's bounds,
/// `scalar_min_max_add` / `_sub` on the 64-bit ones (`wrap`: 6.18's kept range of a sum whose
/// every value overflows), `tnum_add` / `tnum_sub`, `reg_bounds_sync`.
fn kernel_add_sub64(sub: bool, wrap: bool, a: &Scalar, b: &Scalar) -> Option<Scalar> {
    let (a, b) = (a.held()?, b.held()?);
    // The 32-bit bounds (no zero extension), as `kernel_add_sub32` computes them.
    let s32 = if sub {
        a.s32min
            .checked_sub(b.s32max)
            .zip(a.s32max.checked_sub(b.s32min))
    } else {
        a.s32min
            .checked_add(b.s32min)
            .zip(a.s32max.checked_add(b.s32max))
    }
    .unwrap_or((i32::MIN, i32::MAX));
    let u32b = {
        let (lo, l) = if sub {
            a.u32min.overflowing_sub(b.u32max)
        } else {
            a.u32min.overflowing_add(b.u32min)
        };
        let (hi, h) = if sub {
            a.u32max.overflowing_sub(b.u32min)
        } else {
            a.u32max.overflowing_add(b.u32max)
        };
        match (l, h) {
            (false, false) => (lo, hi),
            (true, true) if wrap => (lo, hi),
            _ => (0, u32::MAX),
        }
    };
    let s = if sub {
        a.smin.checked_sub(b.smax).zip(a.smax.checked_sub(b.smin))
    } else {
        a.smin.checked_add(b.smin).zip(a.smax.checked_add(b.smax))
    }
    .unwrap_or((i64::MIN, i64::MAX));
    let u = {
        let (lo, l) = if sub {
            a.umin.overflowing_sub(b.umax)
        } else {
            a.umin.overflowing_add(b.umin)
        };
        let (hi, h) = if sub {
            a.umax.overflowing_sub(b.umin)
        } else {
            a.umax.overflowing_add(b.umax)
        };
        match (l, h) {
            (false, false) => (lo, hi),
            (true, true) if wrap => (lo, hi),
            _ => (0, u64::MAX),
        }
    };
    let t = if sub { a.t.sub(b.t) } else { a.t.add(b.t) };
    Scalar {
        umin: u.0,
        umax: u.1,
        smin: s.0,
        smax: s.1,
        u32min: u32b.0,
        u32max: u32b.1,
        s32min: s32.0,
        s32max: s32.1,
        t,
        link: 0,
        delta: 0,
    }
    .sync()
}

#[test]
fn a_64_bit_sum_or_difference_is_never_tighter_than_the_kernels() {
    sums_and_differences_never_tighter(true, 0x5eed_0400, kernel_add_sub64);
}

/// The 6.1 target (6.1.192's shorter `reg_bounds_sync`, [`old_sync_while`]): products (a
/// number by a constant; by anything else both are unknown) and bit operations and shifts by
/// constants, in 32 bits, and the 64-bit product, against the same models synchronised the
/// 6.1 way (`scalar32_min_max_mul` and the bit operations are the same code in 6.1.192).
#[test]
fn the_6_1_target_is_never_tighter_than_the_kernels() {
    use super::super::scalar::memo::old_sync_while;
    let _old = old_sync_while(true);
    let v = KernelVersion::new(6, 1);
    let mul32 = |a: &Scalar, b: &Scalar| kernel_mul32(false, false, a, b);
    let mul64 = |a: &Scalar, b: &Scalar| kernel_mul64(false, false, a, b);
    let mut report = Vec::new();
    let (t, _) = compare(AluOp::Mul, false, 10_000, 0x5eed_0601, &[(v, &mul32)]);
    report.extend(t);
    let (t, _) = compare(AluOp::Mul, true, 10_000, 0x5eed_0602, &[(v, &mul64)]);
    report.extend(t);
    for (i, op) in [AluOp::And, AluOp::Or, AluOp::Xor].into_iter().enumerate() {
        let m = move |a: &Scalar, b: &Scalar| kernel_bits32(op, a, b);
        let (t, _) = compare(op, false, 10_000, 0x5eed_0610 + i as u64, &[(v, &m)]);
        report.extend(t);
    }
    assert_none_tighter(&report);
}

/// `rX = -rX` (6.17 on: `0 - rX`, `scalar_min_max_sub` / `scalar32_min_max_sub` with a known 0
/// and `tnum_neg`) in both widths against the models of `-=`: 6.17 without the wrapping rule,
/// 6.18 with it (a range without 0 keeps its negation, wrapped).
#[test]
fn a_negation_is_never_tighter_than_the_kernels() {
    let mut report = Vec::new();
    let zero = Scalar::konst(0);
    for (i, is64) in [false, true].into_iter().enumerate() {
        let model = if is64 {
            kernel_add_sub64
        } else {
            kernel_add_sub32
        };
        let old = move |a: &Scalar, _: &Scalar| model(true, false, &zero, a);
        let wrap = move |a: &Scalar, _: &Scalar| model(true, true, &zero, a);
        let models: [(KernelVersion, &Model); 2] = [
            (KernelVersion::new(6, 17), &old),
            (KernelVersion::new(6, 18), &wrap),
        ];
        let (t, looser) = compare(AluOp::Neg, is64, 10_000, 0x5eed_0700 + i as u64, &models);
        println!(
            "{}-bit Neg looser than the kernel's: {looser}",
            if is64 { 64 } else { 32 }
        );
        report.extend(t);
    }
    assert_none_tighter(&report);
    // The rule case alu32_neg_of_range_known_positive: w6 in 32767..=0xfc10af66.
    let w6 = Scalar::urange(32767, 0xfc10_af66);
    let n = scalar_alu(KernelVersion::new(6, 18), AluOp::Neg, false, &w6, &zero);
    assert_eq!((n.umin, n.umax), (0x03ef_509a, 0xffff_8001), "{n:?}");
}

/// 6.18 synchronises every result with the single-value rule (`tnum_step` in
/// `__update_reg64_bounds`, called by the `reg_bounds_sync` that ends each ALU operation), not
/// only a branch's: `w3 |= 60` of w3 in 0xfffffff..=0x20000010 with known bits
/// (0; 0x20000010) is the constant 0x2000003c (the rule case alu32_or_single_value_pkt: a
/// range kept there lets a packet pointer move by "0xfffffff" the kernel refuses).
#[test]
fn a_result_with_one_value_of_its_known_bits_is_that_constant_for_6_18() {
    let w3 = Scalar {
        t: Tnum {
            value: 0,
            mask: 0x2000_0010,
        },
        ..Scalar::urange(0x0fff_ffff, 0x2000_0010)
    }
    .sync()
    .unwrap();
    assert_eq!(w3.umin, 0x0fff_ffff, "{w3:?}");
    let k = Scalar::konst(60);
    for is64 in [false, true] {
        let new = scalar_alu(KernelVersion::new(6, 18), AluOp::Or, is64, &w3, &k);
        assert_eq!(new, Scalar::konst(0x2000_003c), "{is64}");
        let old = scalar_alu(KernelVersion::new(6, 17), AluOp::Or, is64, &w3, &k);
        assert_eq!((old.umin, old.umax), (0x0fff_ffff, 0x2000_003c), "{is64}");
    }
}

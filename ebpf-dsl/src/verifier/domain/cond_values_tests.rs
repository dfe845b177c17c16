//! [`cond_values`] against a step-by-step model of the kernel's `reg_set_min_max`
//! (6.12 to 6.18): `regs_refine_cond_op` transcribed on its own here, then one
//! `reg_bounds_sync` of each operand ([`Scalar::kernel_sync_or_unbounded_as`]), on random
//! operands synchronised once (as the kernel holds them, often not a fixed point). The same
//! for a register compared with itself, and for the moves that cut or extend a value (`wX =
//! wY`, `rX = (sN)rY`, `wX = (sN)wY`): the kernel's text of each, then its synchronisation.

use super::super::refine::branch_taken;
use super::super::refine32::{subreg_branch_taken, tnum_branch_taken, view32, NoValue};
use super::super::test_rng::Rng;
use super::*;
use crate::verifier::domain::tnum::Tnum;

const LO: u64 = 0xffff_ffff;

fn subreg(t: Tnum) -> Tnum {
    t.cast32()
}

fn with_subreg(t: Tnum, s: Tnum) -> Tnum {
    Tnum {
        value: (t.value & !LO) | (s.value & LO),
        mask: (t.mask & !LO) | (s.mask & LO),
    }
}

/// The kernel's `rev_opcode` (`&` reversed is "no bit in common": `negated`).
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

fn is_const(r: &Scalar, is32: bool) -> Option<u64> {
    if is32 {
        subreg(r.t).is_const().then_some(r.t.value & LO)
    } else {
        r.t.is_const().then_some(r.t.value)
    }
}

/// `regs_refine_cond_op` (6.12's text; 6.18's is the same), wrapping where the kernel's C
/// wraps. `negated_set`: the reverse of `&` (`BPF_JSET | BPF_X`).
fn refine_cond_op(op: JmpOp, negated_set: bool, is32: bool, a: &mut Scalar, b: &mut Scalar) {
    use JmpOp::*;
    let (op, r1, r2) = match op {
        Jge => (Jle, b, a),
        Jgt => (Jlt, b, a),
        Jsge => (Jsle, b, a),
        Jsgt => (Jslt, b, a),
        o => (o, a, b),
    };
    match op {
        Jeq if is32 => {
            r1.u32min = r1.u32min.max(r2.u32min);
            r1.u32max = r1.u32max.min(r2.u32max);
            r1.s32min = r1.s32min.max(r2.s32min);
            r1.s32max = r1.s32max.min(r2.s32max);
            (r2.u32min, r2.u32max, r2.s32min, r2.s32max) =
                (r1.u32min, r1.u32max, r1.s32min, r1.s32max);
            let t = subreg(r1.t).intersect(subreg(r2.t));
            r1.t = with_subreg(r1.t, t);
            r2.t = with_subreg(r2.t, t);
        }
        Jeq => {
            r1.umin = r1.umin.max(r2.umin);
            r1.umax = r1.umax.min(r2.umax);
            r1.smin = r1.smin.max(r2.smin);
            r1.smax = r1.smax.min(r2.smax);
            (r2.umin, r2.umax, r2.smin, r2.smax) = (r1.umin, r1.umax, r1.smin, r1.smax);
            r1.t = r1.t.intersect(r2.t);
            r2.t = r1.t;
        }
        Jne | Jset => {
            let (r1, r2) = if is_const(r2, is32).is_none() {
                (r2, r1)
            } else {
                (r1, r2)
            };
            let Some(val) = is_const(r2, is32) else {
                return;
            };
            match (op, negated_set) {
                (Jne, _) if is32 => {
                    if r1.u32min == val as u32 {
                        r1.u32min = r1.u32min.wrapping_add(1);
                    }
                    if r1.u32max == val as u32 {
                        r1.u32max = r1.u32max.wrapping_sub(1);
                    }
                    if r1.s32min == val as u32 as i32 {
                        r1.s32min = r1.s32min.wrapping_add(1);
                    }
                    if r1.s32max == val as u32 as i32 {
                        r1.s32max = r1.s32max.wrapping_sub(1);
                    }
                }
                (Jne, _) => {
                    if r1.umin == val {
                        r1.umin = r1.umin.wrapping_add(1);
                    }
                    if r1.umax == val {
                        r1.umax = r1.umax.wrapping_sub(1);
                    }
                    if r1.smin == val as i64 {
                        r1.smin = r1.smin.wrapping_add(1);
                    }
                    if r1.smax == val as i64 {
                        r1.smax = r1.smax.wrapping_sub(1);
                    }
                }
                (_, false) => {
                    if !val.is_power_of_two() {
                        return;
                    }
                    if is32 {
                        let t = subreg(r1.t).or(Tnum::konst(val));
                        r1.t = with_subreg(r1.t, t);
                    } else {
                        r1.t = r1.t.or(Tnum::konst(val));
                    }
                }
                (_, true) => {
                    let t = r1.t;
                    *r1 = Scalar {
                        t,
                        ..Scalar::UNKNOWN
                    };
                    if is32 {
                        let s = subreg(r1.t).and(Tnum::konst(!val));
                        r1.t = with_subreg(r1.t, s);
                    } else {
                        r1.t = r1.t.and(Tnum::konst(!val));
                    }
                }
            }
        }
        Jle if is32 => {
            r1.u32max = r1.u32max.min(r2.u32max);
            r2.u32min = r1.u32min.max(r2.u32min);
        }
        Jle => {
            r1.umax = r1.umax.min(r2.umax);
            r2.umin = r1.umin.max(r2.umin);
        }
        Jlt if is32 => {
            r1.u32max = r1.u32max.min(r2.u32max.wrapping_sub(1));
            r2.u32min = r1.u32min.wrapping_add(1).max(r2.u32min);
        }
        Jlt => {
            r1.umax = r1.umax.min(r2.umax.wrapping_sub(1));
            r2.umin = r1.umin.wrapping_add(1).max(r2.umin);
        }
        Jsle if is32 => {
            r1.s32max = r1.s32max.min(r2.s32max);
            r2.s32min = r1.s32min.max(r2.s32min);
        }
        Jsle => {
            r1.smax = r1.smax.min(r2.smax);
            r2.smin = r1.smin.max(r2.smin);
        }
        Jslt if is32 => {
            r1.s32max = r1.s32max.min(r2.s32max.wrapping_sub(1));
            r2.s32min = r1.s32min.wrapping_add(1).max(r2.s32min);
        }
        Jslt => {
            r1.smax = r1.smax.min(r2.smax.wrapping_sub(1));
            r2.smin = r1.smin.wrapping_add(1).max(r2.smin);
        }
        _ => {}
    }
}

/// The kernel's `reg_set_min_max`: `[x taken, y taken, x not taken, y not taken]`.
fn model(op: JmpOp, is64: bool, single: bool, x: &Scalar, y: &Scalar) -> [Scalar; 4] {
    let side = |op: JmpOp, negated: bool| {
        let (mut a, mut b) = (x.unlinked(), y.unlinked());
        refine_cond_op(op, negated, !is64, &mut a, &mut b);
        (
            a.kernel_sync_or_unbounded_as(single),
            b.kernel_sync_or_unbounded_as(single),
        )
    };
    let (tx, ty) = side(op, false);
    let (fx, fy) = side(rev(op), op == JmpOp::Jset);
    [tx, ty, fx, fy]
}

/// A second operand: another random value, often a constant near one of `x`'s bounds.
fn other(rng: &mut Rng, x: &Scalar) -> Option<Scalar> {
    Some(match rng.below(5) {
        0 => rng.member_operand()?.0,
        1 => {
            let c = [x.umin, x.umax, x.smin as u64, x.smax as u64][rng.below(4) as usize];
            let c = match rng.below(3) {
                0 => c,
                1 => c.wrapping_add(1),
                _ => c.wrapping_sub(1),
            };
            Scalar::konst(c)
        }
        2 => {
            let c = [x.u32min, x.u32max, x.s32min as u32, x.s32max as u32][rng.below(4) as usize];
            Scalar::konst(c.wrapping_add(rng.below(3) as u32).wrapping_sub(1) as u64)
        }
        3 => {
            // A range overlapping `x`'s.
            let (lo, hi) = (x.umin, x.umax);
            let p = lo.wrapping_add(rng.next() % (hi.wrapping_sub(lo).wrapping_add(1).max(1)));
            let w = rng.below(40);
            let q = p.wrapping_add(rng.below(1 << w));
            Scalar {
                umin: p.min(q),
                umax: p.max(q),
                ..Scalar::UNKNOWN
            }
            .sync()?
        }
        _ => {
            // One bit or a few (an `&` test), often one that `x` may have.
            let bit = 1u64 << rng.below(64);
            let c = if rng.below(2) == 0 {
                bit
            } else {
                bit | rng.next() & rng.next()
            };
            Scalar::konst(if rng.below(2) == 0 {
                c & (x.t.mask | 1)
            } else {
                c
            })
        }
    })
}

/// Whether a comparison is decided before any refinement (as `cond_scalars` decides it).
fn decided(op: JmpOp, is64: bool, x: &Scalar, y: &Scalar) -> bool {
    let (vx, vy) = if is64 {
        (*x, *y)
    } else {
        (view32(x), view32(y))
    };
    branch_taken(op, &vx, &vy).is_some()
        || tnum_branch_taken(op, &vx, &vy).is_some()
        || (is64 && subreg_branch_taken(op, x, y).is_some())
}

#[test]
fn memoised_branches_are_the_full_computation() {
    // The same comparisons twice (the second time from the table), with operands that
    // differ only by their links or by one bound, and every operator.
    use JmpOp::*;
    let ops = [Jeq, Jne, Jgt, Jge, Jlt, Jle, Jsgt, Jsge, Jslt, Jsle, Jset];
    let xs = [
        Scalar::urange(0, 100),
        Scalar {
            link: 3,
            ..Scalar::urange(0, 100)
        },
        Scalar::urange(0, 101),
        Scalar::srange(-4095, 0),
        Scalar::UNKNOWN,
    ];
    let ys = [
        Scalar::konst(7),
        Scalar::urange(5, 9),
        Scalar::srange(-3, 3),
    ];
    let flags = [(true, NoValue::Single), (false, NoValue::KeepBits)];
    for (is64, no_value) in flags.into_iter().chain(flags) {
        for op in ops {
            for x in &xs {
                for y in &ys {
                    assert_eq!(
                        cond_values(op, is64, no_value, x, y),
                        cond_values_full(op, is64, no_value, x, y),
                        "{op:?} {x:?} {y:?}"
                    );
                }
            }
        }
    }
}

/// Where ours differs from the kernel's model: `tighter` where ours lacks values the kernel's
/// state holds (what a false accept is made of), `looser` the other way; the first few are
/// printed with the fields of both.
#[derive(Default)]
struct Tally {
    checked: usize,
    tighter: usize,
    looser: usize,
}

impl Tally {
    /// Compares `got` (ours) with `want` (the model); `what` names the case.
    fn check(&mut self, got: &Scalar, want: &Scalar, what: impl FnOnce() -> String) {
        self.checked += 1;
        if got.same_value(want) {
            return;
        }
        let tighter = !want.is_subset_of(got);
        if tighter {
            self.tighter += 1;
        } else {
            self.looser += 1;
        }
        if self.tighter + self.looser <= 20 {
            eprintln!(
                "{} {}\n  ours {}\n  kern {}",
                if tighter { "TIGHTER" } else { "looser" },
                what(),
                raw(got),
                raw(want)
            );
        }
    }

    /// Every case compared was the model's own value (and enough were compared).
    fn assert_equal(&self, at_least: usize) {
        eprintln!(
            "checked {}, tighter {}, looser {}",
            self.checked, self.tighter, self.looser
        );
        assert_eq!((self.tighter, self.looser), (0, 0));
        assert!(self.checked >= at_least, "only {} checked", self.checked);
    }
}

#[test]
fn refinements_are_the_kernels() {
    use JmpOp::*;
    let ops = [Jeq, Jne, Jgt, Jge, Jlt, Jle, Jsgt, Jsge, Jslt, Jsle, Jset];
    let mut rng = Rng(0x5eed_0c0d);
    let mut tally = Tally::default();
    for n in 0..400_000usize {
        let Some((x, _)) = rng.member_operand() else {
            continue;
        };
        let Some(y) = other(&mut rng, &x) else {
            continue;
        };
        let (x, y) = if rng.below(2) == 0 { (x, y) } else { (y, x) };
        let op = ops[n % ops.len()];
        let is64 = rng.below(2) == 0;
        if decided(op, is64, &x, &y) {
            continue;
        }
        for single in [true, false] {
            // A 6.18 state has been through the single-value rule at the end of its last
            // synchronisation.
            if single && (x.single_value() != x || y.single_value() != y) {
                continue;
            }
            let no_value = if single {
                NoValue::Single
            } else {
                NoValue::KeepBits
            };
            let ours = cond_values_full(op, is64, no_value, &x, &y);
            let want = model(op, is64, single, &x, &y);
            for i in 0..4 {
                tally.check(&ours[i], &want[i], || {
                    format!(
                        "{op:?} is64={is64} single={single} #{i}\n  x {}\n  y {}",
                        raw(&x),
                        raw(&y)
                    )
                });
            }
        }
    }
    tally.assert_equal(100_000);
}

fn raw(s: &Scalar) -> String {
    format!(
        "u {:#x}..={:#x} s {}..={} u32 {:#x}..={:#x} s32 {}..={} t ({:#x}; {:#x})",
        s.umin, s.umax, s.smin, s.smax, s.u32min, s.u32max, s.s32min, s.s32max, s.t.value, s.t.mask
    )
}

/// `regs_refine_cond_op` with both operands one register (`if r6 < r6`), then the two
/// `reg_bounds_sync` of `reg_set_min_max` (true_reg1 and true_reg2 are that register) and its
/// sanity check.
fn model_same(op: JmpOp, taken: bool, is64: bool, single: bool, x: &Scalar) -> Scalar {
    use JmpOp::*;
    let op = if taken { op } else { rev(op) };
    let op = match op {
        Jgt => Jlt,
        Jge => Jle,
        Jsgt => Jslt,
        Jsge => Jsle,
        o => o,
    };
    let mut r = x.unlinked();
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
    r.kernel_sync_steps(single)
        .kernel_sync_steps(single)
        .sanity_checked()
        .unwrap_or_else(Scalar::unbounded_bits)
}

#[test]
fn a_register_compared_with_itself_is_the_kernels() {
    use super::super::refine32::same_register_refined;
    use JmpOp::*;
    let ops = [Jeq, Jne, Jgt, Jge, Jlt, Jle, Jsgt, Jsge, Jslt, Jsle];
    let mut rng = Rng(0x5eed_5a4e);
    let mut tally = Tally::default();
    for n in 0..200_000usize {
        let Some((x, _)) = rng.member_operand() else {
            continue;
        };
        if x.t.is_const() {
            continue;
        }
        let op = ops[n % ops.len()];
        let is64 = rng.below(2) == 0;
        for single in [true, false] {
            if single && x.single_value() != x {
                continue;
            }
            let no_value = if single {
                NoValue::Single
            } else {
                NoValue::KeepBits
            };
            for taken in [true, false] {
                let o = same_register_refined(op, taken, is64, &x, no_value);
                let w = model_same(op, taken, is64, single, &x);
                tally.check(&o, &w, || {
                    format!(
                        "{op:?} taken={taken} is64={is64} single={single}\n  x {}",
                        raw(&x)
                    )
                });
            }
        }
    }
    tally.assert_equal(100_000);
}

/// 6.12's `coerce_reg_to_size_sx` (its text; no synchronisation after it) against
/// [`Scalar::sext`].
#[test]
fn sign_extensions_are_6_12s() {
    let mut rng = Rng(0x5eed_5e87);
    let mut tally = Tally::default();
    for _ in 0..200_000 {
        let Some((x, _)) = rng.member_operand() else {
            continue;
        };
        for size in [1u32, 2, 4] {
            let bits = 8 * size;
            let sh = 64 - bits;
            let ext = |v: i64| (((v as u64) << sh) as i64) >> sh;
            let want = if x.t.is_const() {
                Scalar::konst(ext(x.t.value as i64) as u64)
            } else {
                let top = |v: i64| ((v as u64) >> bits) << bits;
                let (a, b) = (ext(x.smax), ext(x.smin));
                let (lo, hi) = (a.min(b), a.max(b));
                if top(x.smax) == top(x.smin) && (hi >= 0) == (lo >= 0) {
                    Scalar {
                        smin: lo,
                        smax: hi,
                        s32min: lo as i32,
                        s32max: hi as i32,
                        umin: lo as u64,
                        umax: hi as u64,
                        u32min: lo as u32,
                        u32max: hi as u32,
                        t: Tnum::range(lo as u64, hi as u64),
                        link: 0,
                        delta: 0,
                    }
                } else {
                    let half = 1i64 << (bits - 1);
                    Scalar {
                        smin: -half,
                        smax: half - 1,
                        s32min: (-half).max(i32::MIN as i64) as i32,
                        s32max: (half - 1).min(i32::MAX as i64) as i32,
                        umin: 0,
                        umax: u64::MAX,
                        u32min: 0,
                        u32max: u32::MAX,
                        t: Tnum::UNKNOWN,
                        link: 0,
                        delta: 0,
                    }
                }
            };
            let got = x.sext(bits);
            tally.check(&got, &want, || format!("sext{bits}\n  x {}", raw(&x)));
        }
    }
    tally.assert_equal(100_000);
}

/// `wX = wY`: `zext_32_to_64` and one `reg_bounds_sync` step by step (6.12; 6.18 with the
/// single-value rule) against [`Scalar::zext32`] (and 6.18's single value after it).
#[test]
fn moves_of_the_low_half_are_the_kernels() {
    let mut rng = Rng(0x5eed_2e32);
    let mut tally = Tally::default();
    for _ in 0..200_000 {
        let Some((x, _)) = rng.member_operand() else {
            continue;
        };
        for single in [false, true] {
            if single && x.single_value() != x {
                continue;
            }
            let want = x.zext_raw().kernel_sync_steps(single);
            let got = x.zext32();
            let got = if single { got.single_value() } else { got };
            tally.check(&got, &want, || format!("single={single}\n  x {}", raw(&x)));
        }
    }
    tally.assert_equal(100_000);
}

/// `wX = (s8)wY`, `wX = (s16)wY`: 6.12's `coerce_subreg_to_size_sx` (its text), then
/// `zext_32_to_64` and one `reg_bounds_sync` step by step (6.12; 6.18 with the single-value
/// rule) against [`Scalar::sext_subreg`] (and 6.18's single value after it).
#[test]
fn sign_extensions_of_the_low_half_are_the_kernels() {
    let mut rng = Rng(0x5eed_5e32);
    let mut tally = Tally::default();
    for _ in 0..200_000 {
        let Some((x, _)) = rng.member_operand() else {
            continue;
        };
        for bits in [8u32, 16] {
            let sh = 32 - bits;
            let ext = |v: i32| ((v as u32) << sh) as i32 >> sh;
            let mut r = x.unlinked();
            if r.t.is_const() {
                let c = ext(r.t.value as u32 as i32);
                r.t = Tnum::konst(c as i64 as u64);
                (r.s32min, r.s32max) = (c, c);
                (r.u32min, r.u32max) = (c as u32, c as u32);
            } else {
                let top = |v: i32| ((v as u32) >> bits) << bits;
                let (a, b) = (ext(r.s32max), ext(r.s32min));
                let (lo, hi) = (a.min(b), a.max(b));
                if top(r.s32max) == top(r.s32min) && (lo >= 0) == (hi >= 0) {
                    (r.s32min, r.s32max) = (lo, hi);
                    (r.u32min, r.u32max) = (lo as u32, hi as u32);
                    r.t = Tnum::range(lo as i64 as u64, hi as i64 as u64).cast32();
                } else {
                    let half = 1i32 << (bits - 1);
                    (r.s32min, r.s32max) = (-half, half - 1);
                    (r.u32min, r.u32max) = (0, u32::MAX);
                    r.t = Tnum::UNKNOWN.cast32();
                }
            }
            // `zext_32_to_64`.
            r.t = r.t.cast32();
            (r.umin, r.umax) = (r.u32min as u64, r.u32max as u64);
            (r.smin, r.smax) = if r.s32min >= 0 {
                (r.s32min as i64, r.s32max as i64)
            } else {
                (0, u32::MAX as i64)
            };
            for single in [false, true] {
                let want = r.kernel_sync_steps(single);
                let got = x.sext_subreg(bits);
                let got = if single { got.single_value() } else { got };
                tally.check(&got, &want, || {
                    format!("s{bits} single={single}\n  x {}", raw(&x))
                });
            }
        }
    }
    tally.assert_equal(100_000);
}

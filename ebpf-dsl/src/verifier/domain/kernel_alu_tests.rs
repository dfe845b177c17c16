use super::*;

fn v(major: u16, minor: u16) -> KernelVersion {
    KernelVersion::new(major, minor)
}

/// 6.12's `r1 = 0x1ffffff17; r1 += r2` with r2 in 0xb80000076..=0xb80000085 whose known bits
/// are (0xb80000050; 0xa6): `tnum_add`'s carry leaves the low byte's bits unknown; the one
/// synchronisation narrows the range to 0xd7fffff8d..=0xd7fffff8f *after* it intersected the
/// known bits with the wider one, so bits 2 and 3 stay unknown (a second synchronisation
/// would learn them: the composed arithmetic did, which no 6.12 verifier knows).
#[test]
fn a_sum_is_synchronised_once() {
    let a = Scalar::konst(0x1_ffff_ff17);
    let b = Scalar {
        umin: 0xb_8000_0076,
        umax: 0xb_8000_0085,
        smin: 0xb_8000_0076,
        smax: 0xb_8000_0085,
        u32min: 0x8000_0076,
        u32max: 0x8000_0085,
        s32min: 0x8000_0076u32 as i32,
        s32max: 0x8000_0085u32 as i32,
        t: Tnum {
            value: 0xb_8000_0050,
            mask: 0xa6,
        },
        link: 0,
        delta: 0,
    };
    let r = kernel_alu(v(6, 12), AluOp::Add, true, &a, &b);
    assert_eq!((r.umin, r.umax), (0xd_7fff_ff8d, 0xd_7fff_ff8f));
    assert_eq!(
        r.t,
        Tnum {
            value: 0xd_7fff_ff81,
            mask: 0xe
        }
    );
    // What a second synchronisation would know.
    assert_eq!(
        r.sync().map(|s| s.t),
        Some(Tnum {
            value: 0xd_7fff_ff8d,
            mask: 0x2
        })
    );
}

/// Every operation synchronises its result once more, so `r += 0` of a value one
/// synchronisation left with bits its range would give learns them (128..=223 with the known
/// bits (0; 0xdf): bit 7 is set in every value of the range).
#[test]
fn adding_zero_synchronises_once_more() {
    let a = Scalar {
        umin: 128,
        umax: 223,
        smin: 128,
        smax: 223,
        u32min: 128,
        u32max: 223,
        s32min: 128,
        s32max: 223,
        t: Tnum {
            value: 0,
            mask: 0xdf,
        },
        link: 0,
        delta: 0,
    };
    let r = kernel_alu(v(6, 18), AluOp::Add, true, &a, &Scalar::konst(0));
    assert_eq!(r.t.value & 0x80, 0x80);
    assert_eq!(r.t.mask & 0x80, 0);
}

/// A 32-bit shift needs the amount's low half constant and its 64-bit maximum below 32
/// (`is_safe_to_compute_dst_reg_range`); else the register is unknown in all 64 bits.
#[test]
fn a_32_bit_shift_by_a_wide_amount_is_unknown() {
    let a = Scalar::urange(0, 100);
    let k = Scalar::konst(3);
    let r = kernel_alu(v(6, 18), AluOp::Lsh, false, &a, &k);
    assert_eq!((r.umin, r.umax), (0, 800));
    // Low half 3, upper half unknown.
    let wide = Scalar {
        t: Tnum {
            value: 3,
            mask: 0xffff_ffff_0000_0000,
        },
        ..Scalar::UNKNOWN
    }
    .sync()
    .unwrap();
    assert_eq!(wide.u32min, 3);
    let r = kernel_alu(v(6, 18), AluOp::Lsh, false, &a, &wide);
    assert_eq!(r, Scalar::UNKNOWN);
    // Division and modulo are not tracked.
    for op in [AluOp::Div, AluOp::Mod] {
        assert_eq!(kernel_alu(v(6, 18), op, true, &a, &k), Scalar::UNKNOWN);
    }
}

/// A 32-bit result is zero-extended: `w1 = -1; w1 += w2` of w2 in 1..=2 is 0..=1 (every
/// unsigned sum wraps: 6.18 keeps the wrapped range; 6.12 forgets it, and learns it again from
/// the signed sum, -1 + 1..=2).
#[test]
fn a_32_bit_sum_that_wraps() {
    let a = Scalar::konst(u32::MAX as u64);
    let b = Scalar::urange(1, 2);
    let r = kernel_alu(v(6, 18), AluOp::Add, false, &a, &b);
    assert_eq!((r.umin, r.umax, r.u32min, r.u32max), (0, 1, 0, 1));
    let r = kernel_alu(v(6, 12), AluOp::Add, false, &a, &b);
    assert_eq!((r.umin, r.umax, r.u32min, r.u32max), (0, 1, 0, 1));
    // 64-bit: 0xffffffff + 1..=2 does not wrap.
    let r = kernel_alu(v(6, 18), AluOp::Add, true, &a, &b);
    assert_eq!((r.umin, r.umax), (1u64 << 32, (1u64 << 32) + 1));
}

/// Before 6.14 a product has a range only for small operands that are not negative; from 6.14
/// the products of the ends.
#[test]
fn products_by_release() {
    let a = Scalar::srange(-3, 2);
    let b = Scalar::konst(5);
    let r = kernel_alu(v(6, 18), AluOp::Mul, true, &a, &b);
    assert_eq!((r.smin, r.smax), (-15, 10));
    let r = kernel_alu(v(6, 12), AluOp::Mul, true, &a, &b);
    assert_eq!((r.smin, r.smax), (i64::MIN, i64::MAX));
}

/// The linked copy's sum: `r6 = r8 + 1` after a refinement of r8 to 10..=20.
#[test]
fn a_linked_sum() {
    let r8 = Scalar::urange(10, 20);
    let r6 = linked_sum(v(6, 18), &r8, 1, false);
    assert_eq!((r6.umin, r6.umax), (11, 21));
    let w = linked_sum(v(6, 18), &Scalar::konst(u32::MAX as u64), 1, true);
    assert_eq!(w, Scalar::konst(0));
}

use super::super::test_rng::{holds, Rng};

/// `x op y` as the instruction computes it (64-bit, or 32-bit zero-extended); `None` for the
/// shifts by an amount out of range.
fn concrete(op: AluOp, is64: bool, x: u64, y: u64) -> Option<u64> {
    if is64 {
        Some(match op {
            AluOp::Add => x.wrapping_add(y),
            AluOp::Sub => x.wrapping_sub(y),
            AluOp::Mul => x.wrapping_mul(y),
            AluOp::And => x & y,
            AluOp::Or => x | y,
            AluOp::Xor => x ^ y,
            AluOp::Neg => x.wrapping_neg(),
            AluOp::Lsh if y < 64 => x << y,
            AluOp::Rsh if y < 64 => x >> y,
            AluOp::Arsh if y < 64 => ((x as i64) >> y) as u64,
            _ => return None,
        })
    } else {
        let (a, b) = (x as u32, y as u32);
        Some(
            (match op {
                AluOp::Add => a.wrapping_add(b),
                AluOp::Sub => a.wrapping_sub(b),
                AluOp::Mul => a.wrapping_mul(b),
                AluOp::And => a & b,
                AluOp::Or => a | b,
                AluOp::Xor => a ^ b,
                AluOp::Neg => a.wrapping_neg(),
                AluOp::Lsh if b < 32 => a << b,
                AluOp::Rsh if b < 32 => a >> b,
                AluOp::Arsh if b < 32 => ((a as i32) >> b) as u32,
                _ => return None,
            }) as u64,
        )
    }
}

/// Soundness: for random operands and random members of them, the instruction's result is a
/// member of the result, for every operator, both widths and every rule set (the kernel's
/// arithmetic is sound; a slip in these steps would not be).
#[test]
fn every_result_holds_what_the_instruction_computes() {
    let mut rng = Rng(0x5eed_00a1);
    let targets = [
        KernelVersion::with_patch(6, 1, 100),
        KernelVersion::new(6, 6),
        KernelVersion::with_patch(6, 12, 70),
        KernelVersion::new(6, 14),
        KernelVersion::new(6, 17),
        KernelVersion::new(6, 18),
    ];
    let ops = [
        AluOp::Add,
        AluOp::Sub,
        AluOp::Mul,
        AluOp::And,
        AluOp::Or,
        AluOp::Xor,
        AluOp::Neg,
        AluOp::Lsh,
        AluOp::Rsh,
        AluOp::Arsh,
    ];
    let mut checked = 0;
    for n in 0..60_000 {
        let Some((a, x)) = rng.member_operand() else {
            continue;
        };
        let op = ops[n % ops.len()];
        let is64 = rng.below(2) == 0;
        let (b, y) = if matches!(op, AluOp::Lsh | AluOp::Rsh | AluOp::Arsh) && rng.below(4) != 0 {
            let k = rng.below(if is64 { 64 } else { 32 });
            (Scalar::konst(k), k)
        } else {
            match rng.member_operand() {
                Some(b) => b,
                None => continue,
            }
        };
        let Some(want) = concrete(op, is64, x, y) else {
            continue;
        };
        for &k in &targets {
            let _old = super::super::scalar::memo::old_sync_while(k < KernelVersion::BOUNDS_SYNC);
            let r = kernel_alu(k, op, is64, &a, &b);
            assert!(
                holds(&r, want),
                "{k} {op:?} is64={is64}: {x:#x} in {a:?} op {y:#x} in {b:?} = {want:#x}, not in {r:?} \
                 (t {:#x}; {:#x})",
                r.t.value,
                r.t.mask
            );
            checked += 1;
        }
    }
    assert!(checked > 100_000, "only {checked} checked");
}

/// Soundness of the linked sum and the byte swaps, as above.
#[test]
fn linked_sums_and_byte_swaps_hold_the_instructions_result() {
    let mut rng = Rng(0x5eed_00a2);
    let mut checked = 0;
    for _ in 0..40_000 {
        let Some((a, x)) = rng.member_operand() else {
            continue;
        };
        let d = (rng.edge() as i32) as i64;
        for k in [KernelVersion::new(6, 18), KernelVersion::new(7, 0)] {
            for zext in [false, true] {
                let r = linked_sum(k, &a, d, zext);
                let mut want = x.wrapping_add(d as u64);
                if zext {
                    want &= u32::MAX as u64;
                }
                assert!(
                    holds(&r, want),
                    "{x:#x} in {a:?} + {d} (zext {zext}) not in {r:?}"
                );
                checked += 1;
            }
        }
        for (width, swap) in [(16, true), (32, true), (64, true), (16, false), (32, false)] {
            let r = super::super::arith::end_op(&a, width, swap, true, true);
            let want = match (width, swap) {
                (16, true) => (x as u16).swap_bytes() as u64,
                (32, true) => (x as u32).swap_bytes() as u64,
                (64, _) => x.swap_bytes(),
                (16, false) => x as u16 as u64,
                _ => x as u32 as u64,
            };
            assert!(
                holds(&r, want),
                "end {width} {swap}: {x:#x} in {a:?} -> {want:#x} not in {r:?}"
            );
            checked += 1;
        }
    }
    assert!(checked > 100_000, "only {checked} checked");
}

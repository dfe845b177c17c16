//! Behaviours of [`scalar_alu`] (the kernel's steps, `kernel_alu.rs`) per target, each as the
//! kernel shows it.

use super::super::arith_gates::scalar_alu;
use super::super::cond_values::branch;
use super::super::refine::refine;
use super::super::refine32::NoValue;
use super::*;
use crate::verifier::KernelVersion;

fn k18() -> KernelVersion {
    KernelVersion::new(6, 18)
}

fn alu64(op: AluOp, a: &Scalar, b: &Scalar) -> Scalar {
    scalar_alu(k18(), op, true, a, b)
}

fn alu32(op: AluOp, a: &Scalar, b: &Scalar) -> Scalar {
    scalar_alu(k18(), op, false, a, b)
}

#[test]
fn a_32_bit_shift_by_a_register_of_32_or_more_is_unknown_in_64_bits() {
    let a = Scalar::konst(0x1234);
    // The low half of the amount is 0, its 64-bit value 2^36: the kernel does not shift.
    let big = Scalar::konst(1 << 36);
    for op in [AluOp::Lsh, AluOp::Rsh, AluOp::Arsh] {
        assert_eq!(alu32(op, &a, &big), Scalar::UNKNOWN, "{op:?}");
    }
    // A small amount: computed and zero-extended.
    let r = alu32(AluOp::Lsh, &a, &Scalar::konst(4));
    assert_eq!(r.as_const(), Some(0x12340));
    // Not a constant: unknown in 64 bits too.
    assert_eq!(alu32(AluOp::Lsh, &a, &Scalar::of_size(1)), Scalar::UNKNOWN);
    let r = alu32(AluOp::Lsh, &Scalar::konst(2), &Scalar::urange(0, 40));
    assert_eq!(r, Scalar::UNKNOWN);
}

#[test]
fn constants_give_the_instructions_value() {
    let ks = [
        0u64,
        1,
        2,
        31,
        32,
        63,
        0x7fff_ffff,
        0x8000_0000,
        u32::MAX as u64,
        u64::MAX,
    ];
    for &x in &ks {
        for &y in &ks {
            let (a, b) = (Scalar::konst(x), Scalar::konst(y));
            assert_eq!(alu64(AluOp::Add, &a, &b), Scalar::konst(x.wrapping_add(y)));
            assert_eq!(alu64(AluOp::Sub, &a, &b), Scalar::konst(x.wrapping_sub(y)));
            assert_eq!(alu64(AluOp::Mul, &a, &b), Scalar::konst(x.wrapping_mul(y)));
            assert_eq!(alu64(AluOp::And, &a, &b), Scalar::konst(x & y));
            assert_eq!(alu64(AluOp::Or, &a, &b), Scalar::konst(x | y));
            assert_eq!(alu64(AluOp::Xor, &a, &b), Scalar::konst(x ^ y));
            let (x32, y32) = (x as u32, y as u32);
            assert_eq!(
                alu32(AluOp::Add, &a, &b),
                Scalar::konst(x32.wrapping_add(y32) as u64)
            );
            assert_eq!(
                alu32(AluOp::Mul, &a, &b),
                Scalar::konst(x32.wrapping_mul(y32) as u64)
            );
            if y < 64 {
                assert_eq!(alu64(AluOp::Lsh, &a, &b), Scalar::konst(x << y));
                assert_eq!(alu64(AluOp::Rsh, &a, &b), Scalar::konst(x >> y));
                assert_eq!(
                    alu64(AluOp::Arsh, &a, &b),
                    Scalar::konst(((x as i64) >> y) as u64)
                );
            }
            if y < 32 {
                assert_eq!(
                    alu32(AluOp::Arsh, &a, &b),
                    Scalar::konst(((x32 as i32) >> y) as u32 as u64)
                );
            }
        }
    }
}

#[test]
fn arsh32_shifts_the_signed_32_bit_bounds() {
    // `w s>>= 31` of any 32-bit value: -1 or 0 in the low half (the kernel's
    // scalar32_min_max_arsh), though the register's 64-bit value is 0 or 0xffffffff.
    let r = alu32(AluOp::Arsh, &Scalar::UNKNOWN, &Scalar::konst(31));
    assert_eq!((r.s32min, r.s32max), (-1, 0));
    assert_eq!((r.umin, r.umax), (0, u32::MAX as u64));
    let r = alu32(AluOp::Arsh, &Scalar::srange(-64, 100), &Scalar::konst(4));
    assert_eq!((r.s32min, r.s32max), (-4, 6));
}

#[test]
fn a_32_bit_negation_keeps_its_signed_32_bit_range() {
    // r4 = u16; w4 = -w4; r4 += 8; if r4 < 64: only 8 is left (s32 in [-65527, 8]).
    let n = alu32(AluOp::Neg, &Scalar::urange(0, 65535), &Scalar::konst(0));
    assert_eq!((n.s32min, n.s32max), (-65535, 0));
    let p = alu64(AluOp::Add, &n, &Scalar::konst(8));
    assert_eq!((p.s32min, p.s32max), (-65527, 8));
    let (t, _) = refine(JmpOp::Jlt, true, p, Scalar::konst(64));
    assert_eq!(t.as_const(), Some(8));
}

#[test]
fn the_32_bit_bounds_survive_32_and_64_bit_arithmetic() {
    // A u32 load refined by `if w1 s> 8 goto` (fall through): s32 <= 8 with a 64-bit range
    // of 0..=U32_MAX. `w1 += 1` gives s32 <= 9 (the kernel's scalar32_min_max_add), and
    // `r1 += 1` too; a later `if w1 s< 0` then bounds the 64-bit value.
    let (x, _) = branch(
        JmpOp::Jsgt,
        false,
        false,
        NoValue::KeepBits,
        &Scalar::of_size(4),
        &Scalar::konst(8),
    );
    assert_eq!((x.s32min, x.s32max, x.umax), (i32::MIN, 8, u32::MAX as u64));
    let w = alu32(AluOp::Add, &x, &Scalar::konst(1));
    assert_eq!((w.s32min, w.s32max), (i32::MIN + 1, 9));
    let r = alu64(AluOp::Add, &x, &Scalar::konst(1));
    assert_eq!(r.s32max, 9);
    let (y, _) = branch(
        JmpOp::Jslt,
        false,
        false,
        NoValue::KeepBits,
        &w,
        &Scalar::konst(0),
    );
    assert_eq!((y.umin, y.umax, y.smin, y.smax), (0, 9, 0, 9));
}

#[test]
fn products_of_32_bit_bounds() {
    // 0..=7 * -4: -28..=0 in 32 bits (the corners); an overflowing corner gives none.
    let a = Scalar::urange(0, 7);
    let m = Scalar::konst((-4i64) as u64);
    let w = alu32(AluOp::Mul, &a, &m);
    assert_eq!((w.s32min, w.s32max), (-28, 0));
    // (The low two bits of the product are known 0: the signed maximum is 0x7ffffffc.)
    let w = alu32(AluOp::Mul, &Scalar::urange(0, 1 << 30), &Scalar::konst(4));
    assert_eq!((w.s32min, w.s32max), (i32::MIN, 0x7fff_fffc));
    // Unknown upper half, low half 0..=5, times 3: the 64-bit product overflows, the low
    // halves' product is 0..=15.
    let a = Scalar {
        u32min: 0,
        u32max: 5,
        s32min: 0,
        s32max: 5,
        ..Scalar::UNKNOWN
    };
    let r = alu64(AluOp::Mul, &a, &Scalar::konst(3));
    assert_eq!((r.u32min, r.u32max), (0, 15));
}

#[test]
fn a_left_shift_that_may_reach_the_top_bit_keeps_only_the_known_bits() {
    // 31..=255 << 56: 255 > 1 << 7, so the range is lost (only the known bits: low 56
    // zero); 31..=128 << 56 keeps it.
    let r = alu64(AluOp::Lsh, &Scalar::urange(31, 255), &Scalar::konst(56));
    assert_eq!(r.umin, 0);
    let r = alu64(AluOp::Lsh, &Scalar::urange(31, 128), &Scalar::konst(56));
    assert_eq!((r.umin, r.umax), (31 << 56, 128 << 56));
    // 32 bits: 31..=255 << 24 with 255 > 1 << 7.
    let r = alu32(AluOp::Lsh, &Scalar::urange(31, 255), &Scalar::konst(24));
    assert_eq!(r.umin, 0);
    assert!(r.umax <= u32::MAX as u64);
    let r = alu32(AluOp::Lsh, &Scalar::urange(31, 128), &Scalar::konst(24));
    assert_eq!((r.umin, r.umax), (31 << 24, 128 << 24));
}

#[test]
fn multiplications_before_6_14_keep_a_range_only_for_small_non_negative_operands() {
    let k12 = KernelVersion::new(6, 12);
    let small = Scalar::urange(0, 100);
    let neg = Scalar::srange(-4, 7);
    let big = Scalar::urange(0, 100_000);
    let r = scalar_alu(k12, AluOp::Mul, true, &small, &Scalar::konst(3));
    assert_eq!((r.umin, r.umax), (0, 300));
    let r = alu64(AluOp::Mul, &neg, &Scalar::konst(3));
    assert_eq!((r.smin, r.smax), (-12, 21));
    let o = scalar_alu(k12, AluOp::Mul, true, &neg, &Scalar::konst(3));
    assert_eq!((o.smin, o.smax), (i64::MIN, i64::MAX));
    // 32-bit: an operand above U16_MAX loses the range; the known bits are left (0..=100000
    // has 17 unknown low bits: times 2, at most 0x3fffe).
    let r = alu32(AluOp::Mul, &big, &Scalar::konst(2));
    assert_eq!((r.umin, r.umax), (0, 200_000));
    let o = scalar_alu(k12, AluOp::Mul, false, &big, &Scalar::konst(2));
    assert_eq!((o.umin, o.umax), (0, 0x3fffe));
    // Two constants stay a constant (the tnum is exact).
    let c = Scalar::konst((-15i64) as u64);
    let m = Scalar::konst((-3i64) as u64);
    assert_eq!(scalar_alu(k12, AluOp::Mul, true, &m, &Scalar::konst(5)), c);
}

#[test]
fn shift_by_32_keeps_the_signed_range_shifted_up() {
    // -100..=155 << 32: both bounds kept (6.19, and backported), only the maximum before.
    let a = Scalar::srange(-100, 155);
    let r = alu64(AluOp::Lsh, &a, &Scalar::konst(32));
    assert_eq!((r.smin, r.smax), (-100i64 << 32, 155i64 << 32));
    let back = alu64(AluOp::Arsh, &r, &Scalar::konst(32));
    assert_eq!((back.smin, back.smax), (-100, 155));
    let before = KernelVersion::with_patch(6, 12, 74);
    let old = scalar_alu(before, AluOp::Lsh, true, &a, &Scalar::konst(32));
    assert_eq!((old.smin, old.smax), (i64::MIN, 155i64 << 32));
    // A range that is not negative was kept by both.
    let p = Scalar::srange(3, 9);
    let r = scalar_alu(before, AluOp::Lsh, true, &p, &Scalar::konst(32));
    assert_eq!((r.smin, r.smax), (3i64 << 32, 9i64 << 32));
}

#[test]
fn sums_that_wrap_at_both_ends_keep_their_range() {
    // 2^63..=2^63 + 0x2fffffffd, plus 2^63: every sum wraps, 0..=0x2fffffffd (6.18); 6.12
    // forgets the range.
    let a = Scalar::urange(1 << 63, (1 << 63) + 0x2_ffff_fffd);
    let h = Scalar::konst(1 << 63);
    let r = alu64(AluOp::Add, &a, &h);
    assert_eq!((r.umin, r.umax), (0, 0x2_ffff_fffd));
    let r = scalar_alu(KernelVersion::new(6, 12), AluOp::Add, true, &a, &h);
    assert!(
        r.umax >= 0x3_ffff_ffff,
        "the older rule: only the known bits"
    );
    // Some sums wrap and others do not: nothing kept.
    let b = Scalar::urange(1, 200);
    let m = Scalar::konst(-100i64 as u64);
    let r = alu64(AluOp::Add, &b, &m);
    assert_eq!((r.umin, r.umax), (0, u64::MAX));
    // Every difference below 0: 1..=200 - 2^63.
    let r = alu64(AluOp::Sub, &b, &h);
    assert_eq!((r.umin, r.umax), ((1 << 63) + 1, (1 << 63) + 200));
    // 32 bits: 0x80000001..=0x800000c8 + 0x80000000 is 1..=200, zero-extended.
    let w = Scalar::urange(0x8000_0001, 0x8000_00c8);
    let k = Scalar::konst(0x8000_0000);
    let r = alu32(AluOp::Add, &w, &k);
    assert_eq!((r.umin, r.umax, r.u32min, r.u32max), (1, 200, 1, 200));
}

#[test]
fn a_wrapping_32_bit_product_keeps_only_the_products_known_bits() {
    // w4 in 0x7fffffc0..=0x7fffffff, w4 *= 3 wraps: the kernel knows nothing of the low
    // half (its tnum_mul), so neither may this verifier.
    let a = Scalar::urange(0x7fff_ffc0, 0x7fff_ffff);
    let r = alu32(AluOp::Mul, &a, &Scalar::konst(3));
    assert_eq!((r.umin, r.umax), (0, u32::MAX as u64));
    // Without wrapping the range is exact.
    let r = alu32(AluOp::Mul, &Scalar::urange(0, 63), &Scalar::konst(3));
    assert_eq!((r.umin, r.umax), (0, 189));
}

#[test]
fn byte_swaps_before_and_after_tracking() {
    let x = Scalar::urange(0, 0xff);
    // be16 of a byte: the byte moves to bits 8..16 (6.18), unknown before.
    let s = end_op(&x, 16, true, true, true);
    assert_eq!((s.umin, s.umax), (0, 0xff00));
    assert_eq!(end_op(&x, 16, true, false, true), Scalar::UNKNOWN);
    // le16 truncates.
    let t = end_op(&Scalar::UNKNOWN, 16, false, true, true);
    assert_eq!((t.umin, t.umax), (0, 0xffff));
    // le32 of a number in -128..=127: 0..=u32::MAX, its signed 32-bit bounds kept (the
    // kernel's coerce_reg_to_size); le16 forgets them.
    let n = end_op(&Scalar::srange(-128, 127), 32, false, true, true);
    assert_eq!((n.umin, n.umax), (0, u32::MAX as u64));
    assert_eq!((n.s32min, n.s32max), (-128, 127));
    let h = end_op(&Scalar::srange(-128, 127), 16, false, true, true);
    assert_eq!((h.umin, h.umax), (0, 0xffff));
    assert_eq!((h.s32min, h.s32max), (0, 0xffff));
    // A range whose bounds agree above the size keeps its cut bounds.
    let c = end_op(&Scalar::urange(0x1_0010, 0x1_0020), 16, false, true, true);
    assert_eq!((c.umin, c.umax), (0x10, 0x20));
    // Before 6.18 neither a swap nor a truncation is tracked.
    assert_eq!(end_op(&x, 32, false, false, true), Scalar::UNKNOWN);
}

/// Every operator the tests run over.
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

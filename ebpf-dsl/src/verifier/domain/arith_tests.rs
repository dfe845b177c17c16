use super::super::refine::refine;
use super::*;

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
}

#[test]
fn constants_are_computed_as_in_full() {
    let ks: Vec<u64> = [
        0u64,
        1,
        2,
        3,
        7,
        31,
        32,
        33,
        63,
        64,
        65,
        255,
        0x7fff_ffff,
        0x8000_0000,
        0xffff_ffff,
        1 << 32,
        (1 << 32) + 5,
        0x7fff_ffff_ffff_ffff,
        0x8000_0000_0000_0000,
        u64::MAX,
        u64::MAX - 1,
        0x1234_5678_9abc_def0,
        (-5i64) as u64,
        (-1000i64) as u64,
    ]
    .to_vec();
    let ops = SCALAR_OPS;
    let mut fast = 0;
    for op in ops {
        for &x in &ks {
            for &y in &ks {
                let (a, b) = (Scalar::konst(x), Scalar::konst(y));
                for is64 in [true, false] {
                    let Some(v) = konst_op(op, is64, &a, &b) else {
                        continue;
                    };
                    fast += 1;
                    let full = if is64 {
                        alu64_full(op, &a, &b)
                    } else {
                        alu32_full(op, &a, &b)
                    };
                    assert_eq!(v, full, "{op:?} {is64} {x:#x} {y:#x}");
                }
            }
        }
    }
    assert!(fast > 5000, "{fast}");
    // Not exactly constants: the full computation.
    let linked = Scalar {
        link: 3,
        ..Scalar::konst(4)
    };
    assert_eq!(konst_op(AluOp::Add, true, &linked, &Scalar::konst(1)), None);
    assert_eq!(
        konst_op(AluOp::Add, true, &Scalar::WORD, &Scalar::konst(1)),
        None
    );
    assert_eq!(
        konst_op(AluOp::Div, true, &Scalar::konst(8), &Scalar::konst(2)),
        None
    );
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
fn memoised_alu_is_the_full_computation() {
    // Every operator on a spread of operands, twice (the second time from the table,
    // colliding entries included), 64- and 32-bit.
    let vals = [
        Scalar::WORD,
        Scalar::konst(4),
        Scalar::konst(0xdead_beef),
        Scalar::konst(0),
        Scalar::konst(7),
        Scalar::konst(u64::MAX),
        Scalar::of_size(1),
        Scalar::of_size(4),
        Scalar::urange(3, 1 << 40),
        Scalar::srange(-9, 100),
        Scalar::UNKNOWN,
        Scalar {
            link: 3,
            ..Scalar::urange(0, 0xfff0)
        },
    ];
    use AluOp::*;
    let ops = [Add, Sub, Mul, Div, Or, And, Lsh, Rsh, Neg, Mod, Xor, Arsh];
    for _ in 0..2 {
        for op in ops {
            for a in &vals {
                for b in &vals {
                    assert_eq!(alu64(op, a, b), alu64_full(op, a, b), "{op:?} {a:?} {b:?}");
                    assert_eq!(alu32(op, a, b), alu32_full(op, a, b), "{op:?} {a:?} {b:?}");
                    assert_eq!(
                        alu32(op, &Scalar::WORD, b),
                        alu32_full(op, &Scalar::WORD, b),
                        "{op:?} {b:?}"
                    );
                }
            }
        }
    }
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
    let (x, _) = super::super::refine32::refine32(
        JmpOp::Jsgt,
        false,
        &Scalar::of_size(4),
        &Scalar::konst(8),
    );
    assert_eq!((x.s32min, x.s32max, x.umax), (i32::MIN, 8, u32::MAX as u64));
    let w = alu32(AluOp::Add, &x, &Scalar::konst(1));
    assert_eq!((w.s32min, w.s32max), (i32::MIN + 1, 9));
    let r = alu64(AluOp::Add, &x, &Scalar::konst(1));
    assert_eq!(r.s32max, 9);
    let (y, _) = super::super::refine32::refine32(JmpOp::Jslt, false, &w, &Scalar::konst(0));
    assert_eq!((y.umin, y.umax, y.smin, y.smax), (0, 9, 0, 9));
    // A join keeps the hull of both 32-bit ranges, and the inclusion test looks at them.
    let j = y.join(&Scalar::konst(20));
    assert_eq!((j.u32min, j.u32max), (0, 20));
    assert!(y.is_subset_of(&j));
    assert!(!j.is_subset_of(&y));
    assert!(!x.is_subset_of(&Scalar {
        s32max: 7,
        ..Scalar::UNKNOWN
    }));
}

#[test]
fn signed_32_bit_product_bounds() {
    // 0..=7 * -4: -28..=0 (the corners); an overflowing corner gives none.
    let a = Scalar::urange(0, 7);
    let m = Scalar::konst((-4i64) as u64);
    assert_eq!(mul32_signed(&a, &m), Some((-28, 0)));
    let w = alu32(AluOp::Mul, &a, &m).with_bounds32(None, mul32_signed(&a, &m));
    assert_eq!((w.s32min, w.s32max), (-28, 0));
    let big = Scalar::urange(0, 1 << 30);
    assert_eq!(mul32_signed(&big, &Scalar::konst(4)), None);
}

#[test]
fn unsigned_32_bit_product_bounds_of_a_64_bit_product() {
    // Unknown upper half, low half 0..=5, times 3: the 64-bit product overflows, the low
    // halves' product is 0..=15; a low half that may overflow 32 bits gives none.
    let a = Scalar::UNKNOWN.with_bounds32(Some((0, 5)), None);
    assert_eq!(mul32_unsigned(&a, &Scalar::konst(3)), Some((0, 15)));
    let r = alu64(AluOp::Mul, &a, &Scalar::konst(3));
    assert!(r.u32max > 15);
    let r = r.with_bounds32(mul32_unsigned(&a, &Scalar::konst(3)), None);
    assert_eq!((r.u32min, r.u32max), (0, 15));
    let big = Scalar::urange(0, 1 << 31);
    assert_eq!(mul32_unsigned(&big, &Scalar::konst(2)), None);
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
fn a_32_bit_shift_by_a_register_needs_all_64_bits_below_32() {
    // r8 = 1 << 36: its low half is 0, but the kernel reads the 64-bit umax.
    let r = alu32(AluOp::Arsh, &Scalar::konst(2), &Scalar::konst(1 << 36));
    assert_eq!(r, Scalar::UNKNOWN);
    let r = alu32(AluOp::Lsh, &Scalar::konst(2), &Scalar::urange(0, 40));
    assert_eq!(r, Scalar::UNKNOWN);
    // Below 32 in 64 bits: computed.
    assert_eq!(
        alu32(AluOp::Lsh, &Scalar::konst(2), &Scalar::konst(3)),
        Scalar::konst(16)
    );
}

#[test]
fn multiplications_before_6_14_keep_a_range_only_for_small_non_negative_operands() {
    let small = Scalar::urange(0, 100);
    let neg = Scalar::srange(-4, 7);
    let big = Scalar::urange(0, 100_000);
    // 64-bit: small non-negative operands keep the products; a negative one does not.
    let r = alu64(AluOp::Mul, &small, &Scalar::konst(3));
    assert_eq!(mul_before_products(true, &small, &Scalar::konst(3), r), r);
    let r = alu64(AluOp::Mul, &neg, &Scalar::konst(3));
    assert_eq!((r.smin, r.smax), (-12, 21));
    let o = mul_before_products(true, &neg, &Scalar::konst(3), r);
    assert_eq!((o.smin, o.smax), (i64::MIN, i64::MAX));
    // 32-bit: an operand above U16_MAX loses the range; the known bits are left (0..=100000
    // has 17 unknown low bits: times 2, at most 0x3fffe).
    let r = alu32(AluOp::Mul, &big, &Scalar::konst(2));
    assert_eq!((r.umin, r.umax), (0, 200_000));
    let o = mul_before_products(false, &big, &Scalar::konst(2), r);
    assert_eq!((o.umin, o.umax), (0, 0x3fffe));
    // Two constants stay a constant (the tnum is exact).
    let c = alu64(
        AluOp::Mul,
        &Scalar::konst((-3i64) as u64),
        &Scalar::konst(5),
    );
    assert_eq!(
        mul_before_products(true, &Scalar::konst((-3i64) as u64), &Scalar::konst(5), c),
        c
    );
}

#[test]
fn byte_swaps_before_and_after_tracking() {
    let x = Scalar::urange(0, 0xff);
    // be16 of a byte: the byte moves to bits 8..16 (6.18), unknown before.
    let s = end_op(&x, 16, true, true);
    assert_eq!((s.umin, s.umax), (0, 0xff00));
    assert_eq!(end_op(&x, 16, true, false), Scalar::UNKNOWN);
    // le16 truncates.
    let t = end_op(&Scalar::UNKNOWN, 16, false, true);
    assert_eq!((t.umin, t.umax), (0, 0xffff));
    // le32 of a number in -128..=127: 0..=u32::MAX, its signed 32-bit bounds kept (the
    // kernel's coerce_reg_to_size); le16 forgets them.
    let n = end_op(&Scalar::srange(-128, 127), 32, false, true);
    assert_eq!((n.umin, n.umax), (0, u32::MAX as u64));
    assert_eq!((n.s32min, n.s32max), (-128, 127));
    let h = end_op(&Scalar::srange(-128, 127), 16, false, true);
    assert_eq!((h.umin, h.umax), (0, 0xffff));
    assert_eq!((h.s32min, h.s32max), (0, 0xffff));
    // A range whose bounds agree above the size keeps its cut bounds.
    let c = end_op(&Scalar::urange(0x1_0010, 0x1_0020), 16, false, true);
    assert_eq!((c.umin, c.umax), (0x10, 0x20));
    // Before 6.18 neither a swap nor a truncation is tracked.
    assert_eq!(end_op(&x, 32, false, false), Scalar::UNKNOWN);
}

#[test]
fn shift_by_32_keeps_the_signed_range_shifted_up() {
    // -100..=155 << 32: both bounds kept (6.12 on), only the maximum before.
    let a = Scalar::srange(-100, 155);
    let r = lsh32_signed(&a, alu64(AluOp::Lsh, &a, &Scalar::konst(32)), true);
    assert_eq!((r.smin, r.smax), (-100i64 << 32, 155i64 << 32));
    let back = alu64(AluOp::Arsh, &r, &Scalar::konst(32));
    assert_eq!((back.smin, back.smax), (-100, 155));
    let old = lsh32_signed(&a, alu64(AluOp::Lsh, &a, &Scalar::konst(32)), false);
    assert_eq!((old.smin, old.smax), (i64::MIN, 155i64 << 32));
    // A range that is not negative was kept by both.
    let p = Scalar::srange(3, 9);
    let r = lsh32_signed(&p, alu64(AluOp::Lsh, &p, &Scalar::konst(32)), false);
    assert_eq!((r.smin, r.smax), (3i64 << 32, 9i64 << 32));
}

#[test]
fn sums_that_wrap_at_both_ends_keep_their_range() {
    // 0..=0x2fffffffd + 2^63, then + 2^63 again: every sum wraps, 0..=0x2fffffffd.
    let a = Scalar::urange(1 << 63, (1 << 63) + 0x2_ffff_fffd);
    let h = Scalar::konst(1 << 63);
    let r = alu64(AluOp::Add, &a, &h);
    assert!(
        r.umax >= 0x3_ffff_ffff,
        "the older rule: only the known bits"
    );
    let n = add_sub_wrapped(AluOp::Add, true, &a, &h, r);
    assert_eq!((n.umin, n.umax), (0, 0x2_ffff_fffd));
    // Some sums wrap and others do not: unchanged.
    let b = Scalar::urange(1, 200);
    let m = Scalar::konst(-100i64 as u64);
    let r = alu64(AluOp::Add, &b, &m);
    assert_eq!(add_sub_wrapped(AluOp::Add, true, &b, &m, r), r);
    // Every difference below 0: 1..=200 - 2^63.
    let r = alu64(AluOp::Sub, &b, &h);
    let n = add_sub_wrapped(AluOp::Sub, true, &b, &h, r);
    assert_eq!((n.umin, n.umax), ((1 << 63) + 1, (1 << 63) + 200));
    // 32 bits: 0x80000001..=0x800000c8 + 0x80000000 is 1..=200, zero-extended.
    let w = Scalar::urange(0x8000_0001, 0x8000_00c8);
    let k = Scalar::konst(0x8000_0000);
    let r = alu32(AluOp::Add, &w, &k);
    let n = add_sub_wrapped(AluOp::Add, false, &w, &k, r);
    assert_eq!((n.umin, n.umax, n.u32min, n.u32max), (1, 200, 1, 200));
    // Other operators: unchanged.
    let r = alu64(AluOp::Xor, &b, &h);
    assert_eq!(add_sub_wrapped(AluOp::Xor, true, &b, &h, r), r);
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

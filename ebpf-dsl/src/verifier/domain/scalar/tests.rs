//! Unit tests of [`super`]: the scalar domain's ranges, known bits and synchronisation.

use super::*;

#[test]
fn sync_is_one_kernel_synchronisation() {
    // r6 &= 0x1b158adf (low half), then 128..=256: one `reg_bounds_sync` gives the known
    // bits (0; 0xdf) and 128..=223; a second would learn bit 7 from 128..=223. The kernel
    // synchronises once, and so does `sync` (`sync_once_after_a_comparison`).
    let v = Scalar {
        t: Tnum {
            value: 0,
            mask: 0x1b15_8adf,
        },
        ..Scalar::urange(128, 256)
    };
    let once = v.sync().expect("values left");
    assert_eq!((once.umin, once.umax), (128, 223));
    assert_eq!(
        once.t,
        Tnum {
            value: 0,
            mask: 0xdf
        }
    );
    let twice = once.sync().expect("values left");
    assert_eq!(
        twice.t,
        Tnum {
            value: 0x80,
            mask: 0x5f
        },
        "not idempotent"
    );
}

#[test]
fn of_size_is_the_synchronised_range() {
    for b in 0..8u32 {
        let max = if b == 0 { 0 } else { u64::MAX >> (64 - 8 * b) };
        assert_eq!(Scalar::of_size(b), Scalar::urange(0, max), "{b} bytes");
    }
    assert_eq!(Scalar::of_size(4), Scalar::WORD);
    assert_eq!(Scalar::of_size(8), Scalar::UNKNOWN);
}

#[test]
fn a_6_18_sign_extension_keeps_fitting_32_bit_bounds() {
    // -3..=125 (the values -3 and 125): kept by 6.18, any s8 by the older rule.
    let v = Scalar {
        umin: 125,
        umax: (-3i64) as u64,
        ..Scalar::srange(-3, 125)
    }
    .sync()
    .unwrap();
    let r = v.sext_keeping_fits(8);
    assert_eq!((r.smin, r.smax, r.s32min, r.s32max), (-3, 125, -3, 125));
    assert_eq!((v.sext(8).smin, v.sext(8).smax), (-128, 127));
    // 0 or 4: the known bits become those of 0..=4 (0..=7).
    let b = Scalar {
        t: Tnum { value: 0, mask: 4 },
        ..Scalar::urange(0, 4)
    };
    assert_eq!(b.sext_keeping_fits(8).t.mask, 7);
    // Any u32 with a signed 32-bit range of -1..=0 (`w s>>= 31`): (s16) is -1..=0.
    let w = Scalar {
        s32min: -1,
        s32max: 0,
        ..Scalar::of_size(4)
    }
    .sync()
    .unwrap();
    let r = w.sext_keeping_fits(16);
    assert_eq!((r.smin, r.smax), (-1, 0));
    // (s32) always keeps the 32-bit bounds: 0..=0xffffffff is S32_MIN..=S32_MAX.
    let r = Scalar::of_size(4).sext_keeping_fits(32);
    assert_eq!((r.smin, r.smax), (i32::MIN as i64, i32::MAX as i64));
    // Not fitting: the older rule on the 64-bit bounds, even when the low bits are known
    // (low 32 bits exactly 128, upper bits unknown: (s8) is any s8, not -128).
    let q = Scalar {
        t: Tnum {
            value: 0x80,
            mask: 0xff_0000_0000,
        },
        ..Scalar::urange(0x80, 0xff_0000_0080)
    }
    .sync()
    .unwrap();
    let r = q.sext_keeping_fits(8);
    assert_eq!((r.smin, r.smax), (-128, 127));
    assert_eq!(q.sext_keeping_fits(16).as_const(), Some(128));
    let r = Scalar::urange(0, 255).sext_keeping_fits(8);
    assert_eq!((r.smin, r.smax), (-128, 127));
}

#[test]
fn a_32_bit_sign_extending_move_keeps_its_signed_32_bit_range() {
    // Any u32: w = (s8)w is -128..=127 as s32, 0..=u32::MAX as u64 (zero-extended).
    let r = Scalar::of_size(4).sext_subreg(8);
    assert_eq!((r.s32min, r.s32max), (-128, 127));
    assert_eq!((r.umin, r.umax), (0, u32::MAX as u64));
    assert_eq!(r.t.mask, 0xffff_ffff);
    // 0x80..=0x90 sign-extends to -128..=-112, upper 32 bits zero.
    let r = Scalar::urange(0x80, 0x90).sext_subreg(8);
    assert_eq!((r.s32min, r.s32max), (-128, -112));
    assert_eq!((r.umin, r.umax), (0xffff_ff80, 0xffff_ff90));
    // 0x70..=0x90 crosses the sign boundary: the default range, no known bit.
    let r = Scalar::urange(0x70, 0x90).sext_subreg(8);
    assert_eq!((r.s32min, r.s32max), (-128, 127));
    // Known low bits do not survive the default (the kernel's tnum_subreg(unknown)).
    let r = Scalar {
        t: Tnum {
            value: 0,
            mask: 0x80,
        },
        ..Scalar::urange(0, 0x80)
    }
    .sext_subreg(8);
    assert_eq!(r.t.mask, 0xffff_ffff);
    // A constant: 0x8000 as (s16) is 0xffff8000 in 32 bits.
    assert_eq!(
        Scalar::konst(0x8000).sext_subreg(16),
        Scalar::konst(0xffff_8000)
    );
}

#[test]
fn single_value_of_a_range_and_known_bits() {
    // The tnum 0xe0 | (0x10 unknown) holds 224 and 240.
    let t = Tnum {
        value: 0xe0,
        mask: 0x10,
    };
    let with = |lo: u64, hi: u64| Scalar {
        t,
        ..Scalar::urange(lo, hi)
    };
    // Past `!= 224` (225..=240): 240, the tnum's largest value.
    assert_eq!(with(225, 240).single_value(), Scalar::konst(240));
    // Past `!= 240` (224..=239): 224, at the bottom.
    assert_eq!(with(224, 239).single_value(), Scalar::konst(224));
    // Both in the range: unchanged.
    assert_eq!(with(224, 240).single_value(), with(224, 240));
    // In between: 0x7d0 is the only multiple of 16 in 1999..=2015.
    let m = Scalar {
        t: Tnum {
            value: 0,
            mask: 0xffff_fff0,
        },
        ..Scalar::urange(1999, 2015)
    };
    assert_eq!(m.single_value(), Scalar::konst(2000));
    let linked = Scalar {
        link: 7,
        ..with(225, 240)
    };
    assert_eq!(linked.single_value().link, 7);
}

#[test]
fn sync_fast_path_is_the_slow_path() {
    let mut values = vec![0u64, 1, 2, 7, 0xff, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff];
    values.extend([1 << 32, 1 << 63, u64::MAX, u64::MAX - 1, i64::MAX as u64]);
    values.extend(
        (0..64)
            .map(|b| 1u64 << b)
            .chain((0..64).map(|b| !(1u64 << b))),
    );
    let mut scalars: Vec<Scalar> = values.iter().map(|&v| Scalar::konst(v)).collect();
    scalars.push(Scalar::UNKNOWN);
    scalars.push(Scalar::WORD);
    assert_eq!(Scalar::WORD, Scalar::of_size(4));
    for s in scalars {
        for (link, delta) in [(0, 0), (5, 0), (5 | Scalar::ADD_CONST, -3)] {
            let s = Scalar { link, delta, ..s };
            assert!(s.is_sync_fixpoint());
            assert_eq!(s.sync_full(), Some(s), "{s}");
            assert_eq!(s.sync(), Some(s), "{s}");
        }
    }
    // Anything else takes the full path.
    assert!(!Scalar::urange(0, 8).is_sync_fixpoint());
    assert!(!Scalar {
        umin: 1,
        ..Scalar::konst(3)
    }
    .is_sync_fixpoint());
}

#[test]
fn add_const() {
    let a = Scalar::urange(0, 10);
    let b = a.add(&Scalar::konst(5));
    assert_eq!((b.umin, b.umax), (5, 15));
}

/// The 64-bit ALU as 6.18 computes it (the transfer functions' entry point).
fn alu(op: crate::insn::AluOp, a: &Scalar, b: &Scalar) -> Scalar {
    crate::verifier::domain::arith_gates::scalar_alu(
        crate::verifier::KernelVersion::new(6, 18),
        op,
        true,
        a,
        b,
    )
}

#[test]
fn and_mask() {
    use crate::insn::AluOp;
    let a = alu(AluOp::And, &Scalar::UNKNOWN, &Scalar::konst(0xf));
    assert_eq!((a.umin, a.umax, a.smin, a.smax), (0, 15, 0, 15));
    let b = alu(AluOp::Lsh, &a, &Scalar::konst(2));
    assert_eq!((b.umin, b.umax), (0, 60));
    assert_eq!(b.t.value & 3, 0);
    assert_eq!(b.t.mask & 3, 0);
}

#[test]
fn left_shift_keeps_the_range_only_below_the_kernels_limit() {
    use crate::insn::AluOp;
    // 64-bit: [2^62 + 1, 2^62 + 3] << 1 loses its range (umax > 2^62); the known bits and
    // the shifted 32-bit bounds (2..=6, `__scalar32_min_max_lsh`) leave 2^63 + 2 at least.
    let c = alu(
        AluOp::Lsh,
        &Scalar::urange((1 << 62) + 1, (1 << 62) + 3),
        &Scalar::konst(1),
    );
    assert_eq!(c.umin, (1 << 63) + 2);
}

#[test]
fn trunc_and_sext() {
    let a = Scalar::konst(0x1_0000_0005).trunc32();
    assert_eq!(a.as_const(), Some(5));
    assert_eq!(Scalar::konst(0xff).sext(8).as_const(), Some(u64::MAX));
}

/// `r <<= 56` of 0..=9: the low 32 bits are 0, the 64-bit range 0..=0x900000000000000.
fn shifted_high() -> Scalar {
    alu(
        crate::insn::AluOp::Lsh,
        &Scalar::urange(0, 9),
        &Scalar::konst(56),
    )
}

#[test]
fn sext_of_a_value_whose_low_half_fits() {
    let s = shifted_high();
    assert_eq!((s.s32min, s.s32max), (0, 0));
    // 6.12: the 64-bit range spans blocks -> the default range.
    assert_eq!((s.sext(8).smin, s.sext(8).smax), (-128, 127));
    // 6.18: the low half fits in s8 -> 0.
    assert_eq!(s.sext_keeping_fits(8).as_const(), Some(0));
    // A low half of -5..=4 that does not fit 64-bit blocks: its own range.
    let w = Scalar::urange(0, 9).sub(&Scalar::konst(5)).trunc32();
    assert_eq!((w.s32min, w.s32max), (-5, 4));
    let r = w.sext_keeping_fits(8);
    assert_eq!((r.smin, r.smax), (-5, 4));
    assert_eq!((w.sext(8).smin, w.sext(8).smax), (-128, 127));
    // A low half of 256..=319 does not fit in s8: the 6.12 rule on the 64-bit range.
    let o = Scalar::urange(256, 319);
    let r = o.sext_keeping_fits(8);
    assert_eq!((r.smin, r.smax), (0, 63));
}

#[test]
fn sext_of_the_low_half() {
    // 32-bit bounds 256..=271 under unknown upper bits: (s8) gives 0..=15.
    let s = Scalar::urange(256, 271);
    let r = s.sext_subreg(8);
    assert_eq!((r.umin, r.umax, r.s32min, r.s32max), (0, 15, 0, 15));
    // -5..=4 crosses the sign boundary: the default -128..=127 in the low half, upper zero.
    let w = Scalar::urange(0, 9).sub(&Scalar::konst(5)).trunc32();
    let r = w.sext_subreg(8);
    assert_eq!((r.s32min, r.s32max, r.umax), (-128, 127, u32::MAX as u64));
    // A constant: exact, zero-extended.
    assert_eq!(
        Scalar::konst(0x1ff).sext_subreg(8).as_const(),
        Some(0xffff_ffff)
    );
    assert_eq!(shifted_high().sext_subreg(8).as_const(), Some(0));
}

#[test]
fn contradiction_detected() {
    let s = Scalar {
        umin: 5,
        umax: 3,
        ..Scalar::UNKNOWN
    };
    assert!(s.sync().is_none());
}

#[test]
fn multiplication_keeps_known_low_bits() {
    // x * -8: the low three bits are zero (the kernel's tnum_mul), so `== 9` is impossible.
    let x = Scalar::urange(0, 3285);
    let m = x.mul(&Scalar::konst((-8i64) as u64));
    assert_eq!(m.t.mask & 7, 0);
    assert_eq!(m.t.value & 7, 0);
    let y = Scalar::urange(0, 7).mul(&Scalar::konst(4));
    assert_eq!((y.umin, y.umax), (0, 28));
    assert_eq!(y.t.value & 3, 0);
    assert_eq!(y.t.mask & 3, 0);
}

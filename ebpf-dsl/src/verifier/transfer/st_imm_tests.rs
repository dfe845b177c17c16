//! `BPF_ST` immediates stored to the stack, by target release: tracked as a spilled constant
//! from 6.1.36 (`ST_IMM_SPILL`), sign-extended from 6.1.64 / 6.6.3 (`ST_IMM_SIGNED`), a
//! variable offset's 0 kept as zeros from 6.3 (`ST_VAR_ZERO`: every 6.6.y, no 6.1.y).

use super::testkit::*;
use super::*;

/// `r1` after `store` then `r1 = *(u64 *)(r10 - 8)` for the target `k`.
fn filled(k: KernelVersion, store: &str) -> Scalar {
    let mut st = state(&[]);
    One::new(&format!("{store}\nexit")).kernel(k).next(&mut st);
    One::new("r1 = *(u64 *)(r10 - 8)\nexit")
        .kernel(k)
        .next(&mut st);
    num(&st, 1)
}

const fn v(major: u16, minor: u16, patch: u16) -> KernelVersion {
    KernelVersion::with_patch(major, minor, patch)
}

#[test]
fn an_immediate_is_a_spilled_constant_from_6_1_36() {
    let five = "*(u64 *)(r10 - 8) = 5";
    // Before the backport the bytes are unknown (`STACK_MISC`), a 0 too (no `STACK_ZERO`).
    assert_eq!(filled(v(6, 1, 35), five), Scalar::UNKNOWN);
    assert_eq!(
        filled(v(6, 1, 35), "*(u64 *)(r10 - 8) = 0"),
        Scalar::UNKNOWN
    );
    for k in [
        v(6, 1, 36),
        KernelVersion::new(6, 1),
        v(6, 3, 0),
        KernelVersion::DEFAULT,
    ] {
        assert_eq!(filled(k, five), Scalar::konst(5), "{k}");
        assert_eq!(filled(k, "*(u64 *)(r10 - 8) = 0"), Scalar::konst(0), "{k}");
    }
    // A register holding the constant is spilled on every target.
    let mut st = state(&[(2, konst(5))]);
    One::new("*(u64 *)(r10 - 8) = r2\nexit")
        .kernel(v(6, 1, 30))
        .next(&mut st);
    assert_eq!(*slot(&st, -8), Slot::Spill(konst(5)));
}

#[test]
fn a_negative_immediate_is_sign_extended_from_6_1_64_and_6_6_3() {
    let m1 = "*(u64 *)(r10 - 8) = -1";
    // Before the fix the kernel spills the immediate cast to u32 (0xffffffff): not modelled,
    // the bytes are unknown here.
    for k in [v(6, 1, 63), v(6, 6, 2), v(6, 6, 0)] {
        assert_eq!(filled(k, m1), Scalar::UNKNOWN, "{k}");
        assert_eq!(filled(k, "*(u64 *)(r10 - 8) = 7"), Scalar::konst(7), "{k}");
    }
    for k in [
        v(6, 1, 64),
        KernelVersion::new(6, 1),
        v(6, 6, 3),
        v(6, 6, 47),
        v(6, 7, 0),
    ] {
        assert_eq!(filled(k, m1), Scalar::konst(u64::MAX), "{k}");
    }
}

#[test]
fn a_variable_offset_immediate_zero_keeps_zeros_from_6_3_not_in_6_1() {
    // fp-4..fp-1 known zeros (`STACK_ZERO`, not a spill: the offset is not 8-aligned); a
    // byte somewhere in them written with an immediate 0.
    let var = RegVal::StackVar {
        frame: 0,
        off: -4,
        var: Scalar::urange(0, 3),
    };
    let run = |k: KernelVersion| {
        let mut st = state(&[(1, var)]);
        let one = |src: &str| One::new(&format!("{src}\nexit")).kernel(k);
        one("*(u32 *)(r10 - 4) = 0").next(&mut st);
        one("*(u8 *)(r1 + 0) = 0").next(&mut st);
        one("r2 = *(u32 *)(r10 - 4)").next(&mut st);
        num(&st, 2).as_const()
    };
    // 6.1.192: `writing_zero` only for a register holding 0, so the range is unknown bytes.
    assert_eq!(run(KernelVersion::new(6, 1)), None);
    assert_eq!(run(v(6, 2, 0)), None);
    for k in [
        v(6, 3, 0),
        v(6, 6, 0),
        v(6, 6, 47),
        KernelVersion::DEFAULT,
        v(6, 8, 0),
        KernelVersion::new(6, 18),
    ] {
        assert_eq!(run(k), Some(0), "{k}");
    }
}

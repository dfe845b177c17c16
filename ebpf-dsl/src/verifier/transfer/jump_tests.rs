//! Tests of conditional jumps (`jump.rs`).

use super::super::testkit::*;
use super::*;

/// The taken and fall-through states of a comparison that can go both ways.
fn both_ways(src: &str, st: &mut State) -> State {
    both_ways_for(src, st, KernelVersion::DEFAULT)
}

fn both_ways_for(src: &str, st: &mut State, k: KernelVersion) -> State {
    match One::new(src).kernel(k).apply(st) {
        Ok(Step::Branch {
            other_pc,
            other,
            pc,
        }) => {
            assert_eq!((other_pc, pc), (2, 1));
            *other
        }
        other => panic!("expected both branches, got {other:?}"),
    }
}

#[test]
fn a_map_pointer_compared_with_zero_is_decided_from_6_12() {
    let k612 = KernelVersion::MAP_PTR_NOT_NULL;
    let src = "if r1 != 0 goto +1\nexit\nexit";
    for p in [RegVal::MapPtr { map: 0 }, RegVal::Opaque { map: 7 }] {
        let mut st = state(&[(1, p)]);
        assert_eq!(One::new(src).kernel(k612).next(&mut st), 2, "{p:?}");
        let eq = "if r1 == 0 goto +1\nexit\nexit";
        assert_eq!(One::new(eq).kernel(k612).next(&mut st), 1, "{p:?}");
        // 6.6: both ways.
        both_ways(src, &mut st);
    }
    // Against 1: both ways.
    let mut st = state(&[(1, RegVal::MapPtr { map: 0 })]);
    match One::new("if r1 != 1 goto +1\nexit\nexit")
        .kernel(k612)
        .apply(&mut st)
    {
        Ok(Step::Branch { .. }) => {}
        s => panic!("expected both branches, got {s:?}"),
    }
}

#[test]
fn a_jmp32_comparison_refines_both_branches() {
    // Upper half known zero: the 64-bit bounds follow the 32-bit ones.
    let mut st = state(&[(1, scalar(Scalar::urange(0, 255)))]);
    let taken = both_ways("if w1 > 5 goto +1\nexit\nexit", &mut st);
    let (t, f) = (num(&taken, 1), num(&st, 1));
    assert_eq!((t.umin, t.umax, t.u32min, t.u32max), (6, 255, 6, 255));
    assert_eq!((f.umin, f.umax, f.u32min, f.u32max), (0, 5, 0, 5));
    // Upper half unknown: the 32-bit bounds are learned, and what they say of the 64-bit
    // value (the largest value has a low half of at most 15).
    let mut st = state(&[(1, scalar(Scalar::UNKNOWN))]);
    let taken = both_ways("if w1 < 16 goto +1\nexit\nexit", &mut st);
    let (t, f) = (num(&taken, 1), num(&st, 1));
    assert_eq!((t.u32min, t.u32max, t.umax), (0, 15, 0xffff_ffff_0000_000f));
    assert_eq!((f.u32min, f.u32max), (16, u32::MAX));
    // Signed: `if w1 s< 0` splits the 32-bit signed range.
    let mut st = state(&[(1, scalar(Scalar::UNKNOWN))]);
    let taken = both_ways("if w1 s< 0 goto +1\nexit\nexit", &mut st);
    assert_eq!(
        (num(&taken, 1).s32min, num(&taken, 1).s32max),
        (i32::MIN, -1)
    );
    assert_eq!((num(&st, 1).s32min, num(&st, 1).s32max), (0, i32::MAX));
}

#[test]
fn a_64_bit_comparison_of_two_registers_refines_both() {
    let mut st = state(&[
        (1, scalar(Scalar::urange(0, 100))),
        (2, scalar(Scalar::urange(50, 60))),
    ]);
    let mut old = st.clone();
    let k = KernelVersion::BRANCH_RANGES;
    let taken = both_ways_for("if r1 > r2 goto +1\nexit\nexit", &mut st, k);
    assert_eq!((num(&taken, 1).umin, num(&taken, 1).umax), (51, 100));
    assert_eq!((num(&taken, 2).umin, num(&taken, 2).umax), (50, 60));
    assert_eq!((num(&st, 1).umin, num(&st, 1).umax), (0, 60));
    // Before 6.12 neither is narrowed: neither is a constant.
    let taken = both_ways("if r1 > r2 goto +1\nexit\nexit", &mut old);
    for s in [&taken, &old] {
        assert_eq!((num(s, 1).umin, num(s, 1).umax), (0, 100));
        assert_eq!((num(s, 2).umin, num(s, 2).umax), (50, 60));
    }
    // Copies of r1 learn the same.
    let x = Scalar {
        link: 3,
        ..Scalar::urange(0, 100)
    };
    let mut st = state(&[(1, scalar(x)), (3, scalar(x))]);
    let taken = both_ways("if r1 > 10 goto +1\nexit\nexit", &mut st);
    assert_eq!(num(&taken, 3).umin, 11);
    assert_eq!(num(&st, 3).umax, 10);
}

#[test]
fn a_decided_comparison_has_one_successor() {
    let mut st = state(&[(1, konst(3))]);
    assert_eq!(One::new("if r1 > 5 goto +1\nexit\nexit").next(&mut st), 1);
    assert_eq!(One::new("if r1 < 5 goto +1\nexit\nexit").next(&mut st), 2);
    // 32-bit: only the low half counts.
    let mut st = state(&[(1, konst(0x1_0000_0003))]);
    assert_eq!(One::new("if w1 == 3 goto +1\nexit\nexit").next(&mut st), 2);
    // A map value pointer is never NULL.
    let mut st = state(&[(1, map_value(0, 0))]);
    assert_eq!(One::new("if r1 == 0 goto +1\nexit\nexit").next(&mut st), 1);
    // An uninitialised operand is refused.
    let (rule, _) = One::new("if r2 > 5 goto +1\nexit\nexit").refused(&mut state(&[]));
    assert_eq!(rule, Rule::UninitRegister);
}

#[test]
fn comparing_with_data_end_proves_a_packet_range() {
    // r2 = data + 8, r4 = data (same packet id): `if r2 > r3` falls through with both safe
    // up to data + 8; on the taken branch r2 alone is marked past the end.
    let regs = [(2, pkt(8, 0)), (3, RegVal::PktEnd), (4, pkt(0, 0))];
    let mut st = state(&regs);
    let taken = both_ways("if r2 > r3 goto +1\nexit\nexit", &mut st);
    assert_eq!((reg(&st, 2), reg(&st, 4)), (&pkt(8, 8), &pkt(0, 8)));
    assert_eq!(
        (reg(&taken, 2), reg(&taken, 4)),
        (&pkt(8, BEYOND_PKT_END), &pkt(0, 0))
    );
    // Marked past the end, the next comparison with data_end is decided (both sides).
    let mut past = state(&[(2, pkt(8, BEYOND_PKT_END)), (3, RegVal::PktEnd)]);
    assert_eq!(
        One::new("if r2 > r3 goto +1\nexit\nexit").next(&mut past),
        2
    );
    assert_eq!(
        One::new("if r3 >= r2 goto +1\nexit\nexit").next(&mut past),
        1
    );
    // At the end: `>=` is decided, `>` is not.
    let mut at = state(&[(2, pkt(8, AT_PKT_END)), (3, RegVal::PktEnd)]);
    assert_eq!(One::new("if r2 >= r3 goto +1\nexit\nexit").next(&mut at), 2);
    both_ways("if r2 > r3 goto +1\nexit\nexit", &mut at);
    // `if r2 <= r3` falls through past the end, `if r3 <= r2` jumps at it.
    let mut st = state(&regs);
    both_ways("if r2 <= r3 goto +1\nexit\nexit", &mut st);
    assert_eq!(reg(&st, 2), &pkt(8, BEYOND_PKT_END));
    let mut st = state(&regs);
    let taken = both_ways("if r3 <= r2 goto +1\nexit\nexit", &mut st);
    assert_eq!(reg(&taken, 2), &pkt(8, AT_PKT_END));
    // `if r3 > r2` (data_end > ptr): taken, ptr < end, one byte more.
    let mut st = state(&regs);
    let taken = both_ways("if r3 > r2 goto +1\nexit\nexit", &mut st);
    assert_eq!(reg(&taken, 4), &pkt(0, 9));
    assert_eq!(reg(&st, 4), &pkt(0, 0));
    // `if r2 >= r3`: the fall-through has ptr < end.
    let mut st = state(&regs);
    both_ways("if r2 >= r3 goto +1\nexit\nexit", &mut st);
    assert_eq!(reg(&st, 4), &pkt(0, 9));
}

#[test]
fn a_null_check_splits_every_copy_of_a_lookup_result() {
    let r = RegVal::MapValueOrNull { map: 0, id: 4 };
    let mut st = state(&[(0, r), (6, r)]);
    let taken = both_ways("if r0 == 0 goto +1\nexit\nexit", &mut st);
    assert_eq!((reg(&taken, 0), reg(&taken, 6)), (&konst(0), &konst(0)));
    assert_eq!(
        (reg(&st, 0), reg(&st, 6)),
        (&map_value(0, 0), &map_value(0, 0))
    );
    // `if r0 == r1` with r1 a non-NULL pointer: r0 (only) is non-NULL when equal.
    let r = RegVal::MapValueOrNull { map: 0, id: 4 };
    let mut st = state(&[(0, r), (1, map_value(0, 0)), (6, r)]);
    let mut old = st.clone();
    let k = KernelVersion::PTR_EQ_NOT_NULL;
    let taken = both_ways_for("if r0 == r1 goto +1\nexit\nexit", &mut st, k);
    assert_eq!((reg(&taken, 0), reg(&taken, 6)), (&map_value(0, 0), &r));
    // Before 6.6 (6.1.192) nothing is learnt.
    let k61 = KernelVersion::new(6, 1);
    let taken = both_ways_for("if r0 == r1 goto +1\nexit\nexit", &mut old, k61);
    assert_eq!(reg(&taken, 0), &r);
    assert_eq!(reg(&st, 0), &r);
}

#[test]
fn equal_to_a_stack_pointer_proves_not_null_until_6_12_114() {
    // Verdicts reasoned from the source (only 6.18.44 runs here): 6.6.47's and 6.12.113's
    // `check_cond_jmp_op` mark r0 not NULL when the other operand is any pointer not
    // maybe NULL; 6.12.114 ("properly infer if register is null") wants `reg_not_null`
    // of it, which a stack pointer is not; the 6.18.44 reference kernel lacks the fix
    // (`jmp_eq_stack_not_null.s` loads there).
    let r = RegVal::MapValueOrNull { map: 0, id: 4 };
    let v = KernelVersion::with_patch;
    let run = |other: RegVal, k: KernelVersion| {
        let mut st = state(&[(0, r), (1, other)]);
        let taken = both_ways_for("if r0 == r1 goto +1\nexit\nexit", &mut st, k);
        *reg(&taken, 0)
    };
    for k in [
        v(6, 6, 47),
        KernelVersion::DEFAULT,
        v(6, 12, 113),
        v(6, 18, 44),
        KernelVersion::new(6, 18),
    ] {
        assert_eq!(run(stack(-8), k), map_value(0, 0), "{k}");
    }
    for k in [
        v(6, 12, 114),
        KernelVersion::new(6, 12),
        v(7, 2, 0),
        KernelVersion::new(7, 2),
        v(7, 3, 0),
    ] {
        assert_eq!(run(stack(-8), k), r, "{k}");
        // A map value pointer is `reg_not_null`: still proves it.
        assert_eq!(run(map_value(0, 0), k), map_value(0, 0), "{k}");
    }
}

/// The taken branch of `w6 & 2` on r6 in {0, 0xffffffff80000000} with no known bits (the
/// kernel's `(s32)` of `w6 & 0x80000000`): no value of the ranges has bit 1, and 6.18's step
/// by step `reg_bounds_sync` leaves the constant 2, which the kernel walks on with (rule case
/// jset_taken_no_value_constant); 6.12 to 6.17 keep the known bits with unbounded ranges.
#[test]
fn a_set_bit_no_value_has_is_the_kernels_value_on_the_taken_branch() {
    let r6 = Scalar {
        smin: -0x8000_0000,
        smax: 0,
        umin: 0,
        umax: 0xffff_ffff_8000_0000,
        s32min: i32::MIN,
        s32max: 0,
        u32min: 0,
        u32max: 0x8000_0000,
        t: Tnum::UNKNOWN,
        link: 0,
        delta: 0,
    };
    let src = "if w6 & 2 goto +1\nexit\nexit";
    let mut st = state(&[(6, scalar(r6))]);
    let taken = both_ways_for(src, &mut st, KernelVersion::new(6, 18));
    assert_eq!(num(&taken, 6).as_const(), Some(2));
    let mut st = state(&[(6, scalar(r6))]);
    let taken = both_ways_for(src, &mut st, KernelVersion::new(6, 17));
    let v = num(&taken, 6);
    assert!(v.is_unbounded_bits() && v.t.value == 2, "{v:?}");
}

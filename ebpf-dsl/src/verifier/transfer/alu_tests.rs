//! Unit tests of `alu.rs`: links, delta links and the ALU's transfer on sample states.

use super::super::testkit::*;
use super::*;

fn linked(id: u32) -> Scalar {
    Scalar {
        link: id,
        ..Scalar::urange(0, 100)
    }
}

#[test]
fn delta_links_by_kernel_version() {
    let k612 = KernelVersion::new(6, 12);
    let k618 = KernelVersion::new(6, 18);
    let c = |v: i64| Scalar::konst(v as u64);
    // 6.12: only 64-bit `+=` of 0..2^31.
    assert_eq!(
        delta_link(k612, true, AluOp::Add, &linked(3), &c(4)),
        Some((Scalar::ADD_CONST, 4))
    );
    assert_eq!(delta_link(k612, true, AluOp::Sub, &linked(3), &c(4)), None);
    assert_eq!(delta_link(k612, true, AluOp::Add, &linked(3), &c(-4)), None);
    assert_eq!(delta_link(k612, false, AluOp::Add, &linked(3), &c(4)), None);
    // 6.18: `-=`, negative constants, 32-bit forms of values that fit.
    assert_eq!(
        delta_link(k618, true, AluOp::Sub, &linked(3), &c(4)),
        Some((Scalar::ADD_CONST, -4))
    );
    assert_eq!(
        delta_link(k618, false, AluOp::Add, &linked(3), &c(4)),
        Some((Scalar::ADD_CONST32, 4))
    );
    assert_eq!(
        delta_link(k618, true, AluOp::Sub, &linked(3), &c(i32::MIN as i64)),
        None
    );
    // Unlinked registers and registers that already carry a delta get none.
    assert_eq!(delta_link(k618, true, AluOp::Add, &linked(0), &c(4)), None);
    let flagged = Scalar {
        link: 3 | Scalar::ADD_CONST,
        delta: 4,
        ..Scalar::urange(0, 100)
    };
    assert_eq!(delta_link(k618, true, AluOp::Add, &flagged, &c(4)), None);
    // Non-constant operands and other operations never link.
    assert_eq!(
        delta_link(k618, true, AluOp::Add, &linked(3), &Scalar::urange(0, 4)),
        None
    );
    assert_eq!(delta_link(k618, true, AluOp::Mul, &linked(3), &c(4)), None);
}

#[test]
fn a_32_bit_result_is_zero_extended() {
    let mut st = state(&[(1, konst(0xffff_ffff_0000_0005)), (2, konst(1))]);
    One::new("w1 += w2\nexit").next(&mut st);
    assert_eq!(num(&st, 1).as_const(), Some(6));
    // An unknown 64-bit value: the upper half is known zero afterwards.
    let mut st = state(&[(1, scalar(Scalar::UNKNOWN))]);
    One::new("w1 += 1\nexit").next(&mut st);
    let r1 = num(&st, 1);
    assert_eq!((r1.umin, r1.umax), (0, u32::MAX as u64));
    // `w1 = w2` truncates too.
    let mut st = state(&[(2, konst(u64::MAX))]);
    One::new("w1 = w2\nexit").next(&mut st);
    assert_eq!(num(&st, 1).as_const(), Some(0xffff_ffff));
    // `w1 = -1` (an immediate) is 0xffffffff, `r1 = -1` all ones.
    let mut st = state(&[]);
    One::new("w1 = -1\nexit").next(&mut st);
    assert_eq!(num(&st, 1).as_const(), Some(0xffff_ffff));
    One::new("r1 = -1\nexit").next(&mut st);
    assert_eq!(num(&st, 1).as_const(), Some(u64::MAX));
}

/// 6.18's `reg_bounds_sync` after a 32-bit move makes a constant of a zero-extended range
/// that holds one value of the known bits (`tnum_step`): r1's low half in
/// 0xfffffff..=0x2000000f with known bits (0; 0x20000010) and an unknown upper half is
/// 0x20000000 after `w1 = w1` (rule case alu_mov32_single_value_pkt); 6.17 keeps the range.
#[test]
fn a_32_bit_move_leaving_one_value_of_the_known_bits_is_that_constant_for_6_18() {
    let r1 = Scalar {
        u32min: 0x0fff_ffff,
        u32max: 0x2000_000f,
        s32min: 0x0fff_ffff,
        s32max: 0x2000_000f,
        t: Tnum {
            value: 0,
            mask: 0xffff_ffff_2000_0010,
        },
        ..Scalar::UNKNOWN
    }
    .sync()
    .unwrap();
    assert!(
        r1.as_const().is_none() && r1.umax > u32::MAX as u64,
        "{r1:?}"
    );
    for (k, want) in [((6, 18), Some(0x2000_0000)), ((6, 17), None)] {
        let mut st = state(&[(1, scalar(r1))]);
        One::new("w1 = w1\nexit")
            .kernel(KernelVersion::new(k.0, k.1))
            .next(&mut st);
        assert_eq!(num(&st, 1).as_const(), want, "{k:?}");
    }
}

#[test]
fn a_bounded_scalar_added_to_a_map_value_pointer_becomes_its_variable_offset() {
    let mut st = state(&[(1, map_value(0, 4)), (2, scalar(Scalar::urange(0, 8)))]);
    One::new("r1 += r2\nexit").next(&mut st);
    let RegVal::MapValue {
        map: 0,
        off: 4,
        var,
        id: 0,
    } = reg(&st, 1)
    else {
        panic!("{:?}", reg(&st, 1))
    };
    assert_eq!((var.umin, var.umax), (0, 8));
    // A constant moves the fixed offset; `scalar += pointer` works too.
    let mut st = state(&[(1, konst(6)), (2, map_value(0, 4))]);
    One::new("r1 += r2\nexit").next(&mut st);
    assert_eq!(*reg(&st, 1), map_value(0, 10));
}

#[test]
fn a_variable_packet_offset_gets_a_new_id_and_no_proven_range() {
    let mut st = state(&[(1, pkt(0, 14)), (2, scalar(Scalar::urange(0, 255)))]);
    One::new("r1 += 4\nexit").next(&mut st);
    assert_eq!(*reg(&st, 1), pkt(4, 14));
    One::new("r1 += r2\nexit").next(&mut st);
    let RegVal::Pkt {
        off: 4,
        var,
        id,
        range: 0,
        ..
    } = reg(&st, 1)
    else {
        panic!("{:?}", reg(&st, 1))
    };
    assert_eq!((var.umin, var.umax), (0, 255));
    assert_ne!(*id, 0);
}

#[test]
fn subtraction_from_a_stack_pointer_is_refused() {
    let mut st = state(&[(1, stack(0))]);
    let (rule, msg) = One::new("r1 -= 8\nexit").refused(&mut st);
    assert_eq!(rule, Rule::PointerArithmetic);
    assert_eq!(
        msg,
        "subtracting from a stack pointer (r1 is a stack pointer (r10 +0)) is not allowed by the kernel; add a negative offset instead (`r1 += -8`)"
    );
    // Adding a negative number is the way.
    One::new("r1 += -8\nexit").next(&mut st);
    assert_eq!(*reg(&st, 1), stack(-8));
}

#[test]
fn pointer_arithmetic_rules() {
    // 32-bit arithmetic on a pointer.
    let (rule, msg) = One::new("w1 += 4\nexit").refused(&mut state(&[(1, pkt(0, 0))]));
    assert_eq!(rule, Rule::PointerArithmetic);
    assert!(
        msg.starts_with("32-bit arithmetic on a pointer: r1 is a packet pointer"),
        "{msg}"
    );
    // Anything but `+=` / `-=`.
    let (rule, msg) = One::new("r1 *= 2\nexit").refused(&mut state(&[(1, map_value(0, 0))]));
    assert_eq!(rule, Rule::PointerArithmetic);
    assert!(
        msg.ends_with("only adding or subtracting a scalar is allowed"),
        "{msg}"
    );
    // An unbounded offset.
    let (rule, msg) = One::new("r1 += r2\nexit").refused(&mut state(&[
        (1, map_value(0, 0)),
        (2, scalar(Scalar::UNKNOWN)),
    ]));
    assert_eq!(rule, Rule::PointerArithmetic);
    assert!(msg.contains("the offset is not bounded"), "{msg}");
    // Before the null check.
    let (rule, _) = One::new("r1 += 4\nexit")
        .refused(&mut state(&[(1, RegVal::MapValueOrNull { map: 0, id: 1 })]));
    assert_eq!(rule, Rule::NullCheck);
    // data_end (a variable offset into the context is kept: `ptr_off_tests.rs`).
    let (rule, msg) = One::new("r1 += 1\nexit").refused(&mut state(&[(1, RegVal::PktEnd)]));
    assert_eq!(rule, Rule::PointerArithmetic);
    assert!(
        msg.starts_with("arithmetic on data_end is not allowed"),
        "{msg}"
    );
    // `map += 0` is allowed, `map += 1` is not.
    let mut st = state(&[(1, RegVal::MapPtr { map: 0 })]);
    One::new("r1 += 0\nexit").next(&mut st);
    assert_eq!(*reg(&st, 1), RegVal::MapPtr { map: 0 });
    let (_, msg) = One::new("r1 += 1\nexit").refused(&mut st);
    assert_eq!(msg, "arithmetic on the map `arr` is not allowed");
}

#[test]
fn pointer_differences_negations_and_swaps_are_numbers() {
    let mut st = state(&[(1, pkt(8, 0)), (2, pkt(0, 0))]);
    One::new("r1 -= r2\nexit").next(&mut st);
    assert_eq!(*reg(&st, 1), scalar(Scalar::UNKNOWN));
    let mut st = state(&[(1, pkt(8, 0))]);
    One::new("r1 = -r1\nexit").next(&mut st);
    assert_eq!(*reg(&st, 1), scalar(Scalar::UNKNOWN));
    let (rule, msg) =
        One::new("r1 += r2\nexit").refused(&mut state(&[(1, pkt(8, 0)), (2, pkt(0, 0))]));
    assert_eq!(rule, Rule::PointerArithmetic);
    assert!(msg.starts_with("`+=` between two pointers"), "{msg}");
}

#[test]
fn constant_divisors_and_shift_amounts_are_checked() {
    let (rule, _) = One::new("r1 /= 0\nexit").refused(&mut state(&[(1, konst(5))]));
    assert_eq!(rule, Rule::DivisionByZero);
    let (rule, _) = One::new("w1 %= 0\nexit").refused(&mut state(&[(1, konst(5))]));
    assert_eq!(rule, Rule::DivisionByZero);
    let (rule, msg) = One::new("w1 <<= 32\nexit").refused(&mut state(&[(1, konst(5))]));
    assert_eq!(
        (rule, msg.as_str()),
        (
            Rule::InvalidShift,
            "invalid shift by 32: a 32-bit shift amount must be 0..31"
        )
    );
    let mut st = state(&[(1, konst(5))]);
    One::new("r1 <<= 32\nexit").next(&mut st);
    assert_eq!(num(&st, 1).as_const(), Some(5 << 32));
    // A register divisor of 0 is fine (0 at run time); the kernel does not track
    // division, so the result is an unknown number.
    let mut st = state(&[(1, konst(5)), (2, konst(0))]);
    One::new("r1 /= r2\nexit").next(&mut st);
    assert_eq!(*reg(&st, 1), scalar(Scalar::UNKNOWN));
}

#[test]
fn registers_read_and_written_by_alu_instructions() {
    let (rule, _) = One::new("r10 = 0\nexit").refused(&mut state(&[]));
    assert_eq!(rule, Rule::FramePointer);
    let (rule, msg) = One::new("r1 = r2\nexit").refused(&mut state(&[]));
    assert_eq!(rule, Rule::UninitRegister);
    assert!(
        msg.starts_with("r2 is read here but no instruction"),
        "{msg}"
    );
    // `r2 = r1` links the copies of an unknown number.
    let mut st = state(&[(1, scalar(Scalar::urange(0, 9)))]);
    One::new("r2 = r1\nexit").next(&mut st);
    let (a, b) = (num(&st, 1), num(&st, 2));
    assert_ne!(a.id(), 0);
    assert_eq!((a.id(), b.umax), (b.id(), 9));
}

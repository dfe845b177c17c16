//! The `&=` / `|=` split of a register that is -1 or 0 (kernel 6.18's `maybe_fork_scalars`).

use super::super::testkit::*;
use super::*;

#[test]
fn and_or_of_minus_one_or_zero_split_the_path_from_6_18() {
    let k618 = KernelVersion::new(6, 18);
    let m1_or_0 = scalar(Scalar::srange(-1, 0));
    // 64-bit `r2 &= -134`: -134 here, the other path (0) goes on to the next instruction.
    let and = One::new("r2 &= -134\nexit").kernel(k618);
    let mut st = state(&[(2, m1_or_0)]);
    match and.apply(&mut st) {
        Ok(Step::Branch {
            other_pc,
            other,
            pc,
        }) => {
            assert_eq!((other_pc, pc), (1, 1));
            assert_eq!(*reg(&st, 2), konst(-134i64 as u64));
            assert_eq!(*reg(&other, 2), konst(0));
        }
        s => panic!("expected a split, got {s:?}"),
    }
    // `|=` a constant register: -1 here, the constant on the other path.
    let or = One::new("r2 |= r3\nexit").kernel(k618);
    let mut st = state(&[(2, m1_or_0), (3, konst(4))]);
    match or.apply(&mut st) {
        Ok(Step::Branch { other, .. }) => {
            assert_eq!(*reg(&st, 2), konst(u64::MAX));
            assert_eq!(*reg(&other, 2), konst(4));
        }
        s => panic!("expected a split, got {s:?}"),
    }
    // 32-bit: the low half in [-1, 0] is enough (`w2 s>>= 31` leaves the register's 64-bit
    // value 0 or 0xffffffff).
    let low = Scalar::urange(0, u32::MAX as u64).with_bounds32(None, Some((-1, 0)));
    let mut st = state(&[(2, scalar(low))]);
    match One::new("w2 &= -134\nexit").kernel(k618).apply(&mut st) {
        Ok(Step::Branch { other, .. }) => {
            assert_eq!(*reg(&st, 2), konst(-134i32 as u32 as u64));
            assert_eq!(*reg(&other, 2), konst(0));
        }
        s => panic!("expected a split, got {s:?}"),
    }
    // A 64-bit operation too: the low half is known on each path, the upper half stays
    // (0 here: 0xffffff7a and 0).
    let mut st = state(&[(2, scalar(low))]);
    match One::new("r2 &= -134\nexit").kernel(k618).apply(&mut st) {
        Ok(Step::Branch { other, .. }) => {
            assert_eq!(*reg(&st, 2), konst(0xffff_ff7a));
            assert_eq!(*reg(&other, 2), konst(0));
        }
        s => panic!("expected a split, got {s:?}"),
    }
    // The 6.12 line has it too (backported to 6.12.75 / 6.12.80) ...
    let mut st = state(&[(2, m1_or_0)]);
    let k612 = KernelVersion::new(6, 12);
    assert!(matches!(
        One::new("r2 |= 8\nexit").kernel(k612).apply(&mut st),
        Ok(Step::Branch { .. })
    ));
    // ... but not 6.6 nor 6.17, nor with a variable operand, nor for a value with more than
    // two possibilities, nor for `^=`.
    let mut st = state(&[(2, m1_or_0)]);
    assert_eq!(One::new("r2 &= -134\nexit").next(&mut st), 1);
    let mut st = state(&[(2, m1_or_0)]);
    let k617 = KernelVersion::new(6, 17);
    assert_eq!(One::new("r2 &= -134\nexit").kernel(k617).next(&mut st), 1);
    let mut st = state(&[(2, m1_or_0), (3, scalar(Scalar::urange(0, 4)))]);
    assert_eq!(One::new("r2 &= r3\nexit").kernel(k618).next(&mut st), 1);
    let mut st = state(&[(2, scalar(Scalar::srange(-1, 1)))]);
    assert_eq!(One::new("r2 &= 4\nexit").kernel(k618).next(&mut st), 1);
    let mut st = state(&[(2, m1_or_0)]);
    assert_eq!(One::new("r2 ^= 4\nexit").kernel(k618).next(&mut st), 1);
}

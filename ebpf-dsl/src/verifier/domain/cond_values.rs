//! The values two numbers compared by a conditional jump get on each branch (kernel 6.12 and
//! later: `reg_set_min_max`, the jmp32 refinement of the 32-bit bounds, 6.18's walk of a
//! branch no value takes and its single value of the known bits), as one pure function of
//! the comparison and both operands, looked up first in a small per-thread table: a loop
//! walked again compares the same values over and over, and each comparison costs several
//! refinements and synchronisations.

use std::cell::RefCell;

use super::refine::is_signed;
use super::refine32::{
    contradicted, refine32, refine_branches32_once, refine_branches_full_as, NoValue,
};
use super::scalar::memo::{mix, old_sync, words, Table};
use super::*;

/// Entries of the table of [`cond_values`] (a power of two).
const ENTRIES: usize = 512;

/// What [`cond_values`] is a function of: the operator, its flags (`is64` as bit 0; the
/// [`NoValue`] rule from bit 2) and both operands (links included).
type CondKey = (JmpOp, u8, Scalar, Scalar);

thread_local! {
    static CONDS: RefCell<Table<CondKey, [Scalar; 4], ENTRIES>> =
        const { RefCell::new(Table::new()) };
}

/// Empties this thread's table of [`cond_values`].
pub(crate) fn clear() {
    CONDS.with(|t| t.borrow_mut().clear());
}

/// The values of `x` and `y` after `x op y` (64-bit when `is64`, else on the low halves) on
/// the taken branch and on the fall-through: `[taken x, taken y, fall-through x,
/// fall-through y]`, before the links are applied (an immediate's refined value goes
/// nowhere: the caller drops it). `no_value`: the target's rule for a branch that
/// leaves an operand no value (walked with what its synchronisation makes of it), and with
/// [`NoValue::Single`] a range holding one value of the known bits is that value
/// ([`KernelVersion::TNUM_SINGLE`](crate::verifier::KernelVersion::TNUM_SINGLE)). For a 64-bit comparison,
/// or a 32-bit one of values that fit in 32 bits (signed when `op` is): `refinable`; the
/// 32-bit bounds alone otherwise.
pub(crate) fn cond_values(
    op: JmpOp,
    is64: bool,
    no_value: NoValue,
    x: &Scalar,
    y: &Scalar,
) -> [Scalar; 4] {
    if old_sync() {
        return cond_values_full(op, is64, no_value, x, y);
    }
    let flags = is64 as u8 | (no_value as u8) << 2;
    let key: CondKey = (op, flags, *x, *y);
    let h = mix(mix(op as u64 | (flags as u64) << 8, &words(x)), &words(y));
    if let Some(v) = CONDS.with(|m| m.borrow().get(h, &key)) {
        return v;
    }
    let v = cond_values_full(op, is64, no_value, x, y);
    CONDS.with(|m| m.borrow_mut().put(h, key, v));
    v
}

/// [`cond_values`] without its table.
fn cond_values_full(
    op: JmpOp,
    is64: bool,
    no_value: NoValue,
    x: &Scalar,
    y: &Scalar,
) -> [Scalar; 4] {
    let single = no_value == NoValue::Single;
    let refinable = is64
        || (x.umax <= u32::MAX as u64
            && y.umax <= u32::MAX as u64
            && (!is_signed(op) || (x.umax <= i32::MAX as u64 && y.umax <= i32::MAX as u64)));
    // A 32-bit comparison of values wider than 32 bits refines the kernel's separate 32-bit
    // bounds and deduces the 64-bit ones from them.
    let (tx, ty, fx, fy) = if refinable {
        // (Not looked up in the table of `refine_branches`: this function's own table holds
        // what it worked out.)
        if is64 {
            // 6.18's single-value rule at the start of the synchronisation too: the 64-bit
            // bounds are the ones the comparison narrowed. (Not for a 32-bit comparison,
            // whose 64-bit bounds the kernel deduces only later in the synchronisation.)
            let [tx, ty, fx, fy] = refine_branches_full_as(op, x, y, single);
            (tx, ty, fx, fy)
        } else {
            // The 32-bit comparison's own narrowing of the low halves too (`==` makes the two
            // 32-bit ranges one; `!=` a constant at a signed 32-bit bound moves that bound),
            // which the refinement of the zero-extended values misses.
            let [tx, ty, fx, fy] = refine_branches32_once(op, x, y);
            (tx, ty, fx, fy)
        }
    } else {
        let (tx, ty) = refine32(op, true, x, y);
        let (fx, fy) = refine32(op, false, x, y);
        (tx, ty, fx, fy)
    };
    // 6.12 on walk a branch that leaves an operand no value with the state (6.18: often a
    // constant) their synchronisation makes of the contradiction.
    let (tx, ty) = contradicted(op, true, is64, x, y, (tx, ty), no_value);
    let (fx, fy) = contradicted(op, false, is64, x, y, (fx, fy), no_value);
    if no_value != NoValue::Single {
        return [tx, ty, fx, fy];
    }
    // 6.18: a range that holds one value of the known bits is that value.
    let one = Scalar::single_value;
    [one(tx), one(ty), one(fx), one(fy)]
}

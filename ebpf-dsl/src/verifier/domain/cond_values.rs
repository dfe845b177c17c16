//! The values two numbers compared by a conditional jump get on each branch (kernel 6.12 and
//! later: `reg_set_min_max`, the jmp32 refinement of the 32-bit bounds, 6.18's walk of a
//! branch no value takes and its single value of the known bits), as one pure function of
//! the comparison and both operands, looked up first in a small per-thread table: a loop
//! walked again compares the same values over and over, and each comparison costs several
//! refinements and synchronisations.

use std::cell::RefCell;

use super::refine::narrow;
use super::refine32::{narrow32, NoValue};
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

/// [`cond_values`] without its table: the kernel's `reg_set_min_max` step by step. Each
/// branch narrows copies of both operands as `regs_refine_cond_op` does (the 64-bit bounds
/// and known bits for a 64-bit comparison, the 32-bit bounds and the low half of the known
/// bits for a 32-bit one, whatever the values' width: [`narrow`], [`narrow32`]), then
/// synchronises each once as the target does ([`NoValue::synced`]). Nothing else is
/// narrowed: a 32-bit comparison of values that fit in 32 bits narrowed as a 64-bit one too
/// learns the 64-bit bounds before the synchronisation, which can make a branch no value
/// takes another constant than the kernel's (`jmp32_eq_dead_branch_constant`: a false
/// accept on the 6.18 target until session 32).
fn cond_values_full(
    op: JmpOp,
    is64: bool,
    no_value: NoValue,
    x: &Scalar,
    y: &Scalar,
) -> [Scalar; 4] {
    let side = |taken: bool| {
        let (a, b) = if is64 {
            narrow(op, taken, x.unlinked(), y.unlinked())
        } else {
            narrow32(op, taken, x, y)
        };
        (no_value.synced(a), no_value.synced(b))
    };
    let ((tx, ty), (fx, fy)) = (side(true), side(false));
    [tx, ty, fx, fy]
}

/// One branch of [`cond_values`]: `(x, y)` where `x op y` is `taken` (or not).
#[cfg(test)]
pub(crate) fn branch(
    op: JmpOp,
    taken: bool,
    is64: bool,
    no_value: NoValue,
    x: &Scalar,
    y: &Scalar,
) -> (Scalar, Scalar) {
    let [tx, ty, fx, fy] = cond_values(op, is64, no_value, x, y);
    if taken {
        (tx, ty)
    } else {
        (fx, fy)
    }
}

#[cfg(test)]
#[path = "cond_values_tests.rs"]
mod tests;

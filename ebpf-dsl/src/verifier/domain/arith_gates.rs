//! The scalar arithmetic of one ALU instruction as a given kernel computes it: [`arith`]'s
//! operations (which follow 6.18) with the rules of the target's release
//! ([`KernelVersion`]'s gates), and a model of the kernel's 32-bit operations
//! (`adjust_scalar_min_max_vals` on the 32-bit bounds, `zext_32_to_64`, `reg_bounds_sync`)
//! that the tests compare them with on random operands.

use super::arith::*;
use super::*;
use crate::verifier::KernelVersion;

/// `a op b` (64-bit when `is64`, else the zero-extended 32-bit result) between two numbers,
/// as `kernel` computes it (links are the caller's; the result is unlinked).
pub(crate) fn scalar_alu(
    kernel: KernelVersion,
    op: AluOp,
    is64: bool,
    a: &Scalar,
    b: &Scalar,
) -> Scalar {
    let mut r = if is64 {
        alu64(op, &a.unlinked(), &b.unlinked())
    } else {
        alu32(op, &a.unlinked(), &b.unlinked())
    }
    .unlinked();
    // Before 6.14 a product keeps a range only for small non-negative operands.
    if op == AluOp::Mul && kernel < KernelVersion::MUL_PRODUCTS {
        r = mul_before_products(is64, a, b, r);
    }
    // 6.18 multiplies the 32-bit bounds, signed too, in either width
    // (`scalar32_min_max_mul`): `r0 *= 1` keeps r0's signed 32-bit range.
    if op == AluOp::Mul && kernel >= KernelVersion::SIGNED_MUL32 {
        r = r.with_bounds32(mul32_unsigned(a, b), mul32_signed(a, b));
    }
    // 6.18's `tnum_mul` is the shift-and-add one alone (before: the union of both).
    if op == AluOp::Mul && kernel >= KernelVersion::TNUM_MUL_SHIFT_ADD {
        r = r.with_tnum(mul_known_bits(is64, a, b));
    }
    // ADD_SUB_WRAP (6.18, perhaps 6.17): a sum or difference whose every value wraps keeps
    // its range.
    if kernel >= KernelVersion::ADD_SUB_WRAP {
        r = add_sub_wrapped(op, is64, a, b, r);
    }
    // Before 6.12 `|`, `^` and `*` by a number that is not a constant give an unknown
    // number, in 32 bits too (not zero-extended).
    let width = if is64 { u64::MAX } else { 0xffff_ffff };
    if kernel < KernelVersion::ALU_ANY_SOURCE
        && matches!(op, AluOp::Or | AluOp::Xor | AluOp::Mul)
        && b.t.mask & width != 0
    {
        r = Scalar::UNKNOWN;
    }
    // `rX <<= 32` keeps the low half's signed range, shifted up.
    if is64 && op == AluOp::Lsh && b.t_const() == Some(32) {
        let any_sign = kernel.has(KernelVersion::LSH32_SIGNED);
        r = lsh32_signed(a, r, any_sign);
    }
    // 6.18's `reg_bounds_sync` after the operation makes a constant of a range that holds
    // one value of the known bits (`__update_reg64_bounds` with `tnum_step`): `w3 |= 60` of
    // w3 in 0xfffffff..=0x20000010 with known bits (0; 0x20000010) is 0x2000003c.
    // (Only a range narrower than the known bits' span can hold just one of their values.)
    if kernel >= KernelVersion::TNUM_SINGLE
        && r.t.mask != 0
        && (r.umin > r.t.value || r.umax < r.t.umax())
    {
        r = r.single_value();
    }
    r
}

#[cfg(test)]
#[path = "arith_gates_tests.rs"]
mod tests;

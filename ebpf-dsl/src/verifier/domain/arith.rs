//! Byte swaps and `le` conversions of a number (`BPF_END`), never more precise than the
//! kernel's (`scalar_byte_swap`). The other operators are [`super::kernel_alu`]'s, the target's
//! entry point [`super::arith_gates::scalar_alu`].

use super::*;

/// Byte swaps and `le` conversions (`swap`: `be16/32/64`, `bswap`; else `le`, a truncation),
/// as kernel 6.18's `scalar_byte_swap` and the `reg_bounds_sync` after it: a swap swaps the
/// known bits and forgets the ranges (`__mark_reg_unbounded`); a 16- or 32-bit form then
/// truncates (`coerce_reg_to_size`, which synchronises once itself: a 32-bit truncation keeps
/// the 32-bit bounds) and loses the link; then the one synchronisation of every operation,
/// which `le64` (no swap, no truncation) gets too, its link kept. `single`: with 6.18's
/// single-value rule ([`KernelVersion::TNUM_SINGLE`](crate::verifier::KernelVersion::TNUM_SINGLE)).
/// Before 6.18 (`tracked` false) the kernel tracks neither (`check_alu_op` marks the register
/// unknown): an unknown value.
pub(crate) fn end_op(a: &Scalar, width: i64, swap: bool, tracked: bool, single: bool) -> Scalar {
    if !tracked {
        return Scalar::UNKNOWN;
    }
    let mut d = *a;
    if swap {
        d = Scalar {
            t: swapped_bits(a.t, width),
            ..Scalar::UNKNOWN
        };
    }
    if width == 16 || width == 32 {
        d = d
            .coerce_raw(width as u32 / 8)
            .kernel_sync_or_unbounded_as(single);
    }
    d.kernel_sync_or_unbounded_as(single)
}

/// The known bits of a byte swap of `width` bits (`tnum_bswap16/32/64`: the low 16 or 32
/// bits swapped, the rest zero).
fn swapped_bits(t: Tnum, width: i64) -> Tnum {
    match width {
        16 => Tnum {
            value: (t.value as u16).swap_bytes() as u64,
            mask: (t.mask as u16).swap_bytes() as u64,
        },
        32 => Tnum {
            value: (t.value as u32).swap_bytes() as u64,
            mask: (t.mask as u32).swap_bytes() as u64,
        },
        _ => Tnum {
            value: t.value.swap_bytes(),
            mask: t.mask.swap_bytes(),
        },
    }
}

#[cfg(test)]
#[path = "arith_tests.rs"]
pub(crate) mod tests;

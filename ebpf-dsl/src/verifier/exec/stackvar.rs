//! Stack accesses through a pointer with a variable offset (`r1 = r10; r1 += r2` with r2
//! bounded), allowed to a privileged loader (the kernel's `check_stack_access_within_bounds`,
//! `check_stack_read_var_off`, `check_stack_write_var_off`):
//! - the whole range `off + var.smin .. off + var.smax + size` must lie in the frame, with
//!   the variable offset bounded by ±2^29;
//! - the access is strictly aligned (the known bits of the offset make it a multiple of the
//!   size, as for every stack access);
//! - a read gives 0 if every byte of the range is a known zero, else an unknown number of the
//!   load's size;
//! - a write makes every byte of the range unknown (zeros stay zero when zero is written) and
//!   destroys the spilled registers it touches.

use super::atomic::is_aligned;
use super::*;

impl<'a> Exec<'a> {
    /// Checks a variable-offset access of `n` bytes at `a + var` in `frame`; returns the frame
    /// index and the byte range (frame offsets, `lo..hi`).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn stack_var_range(
        &mut self,
        pc: usize,
        st: &State,
        r: u8,
        base: &RegVal,
        frame: u8,
        a: i32,
        var: &Scalar,
        n: u32,
    ) -> R<(usize, i64, i64)> {
        if var.smax >= MAX_VAR_OFF || var.smin <= -MAX_VAR_OFF {
            return Err(e(
                pc,
                Rule::StackAccess,
                format!(
                    "r{r} is {}: its variable offset is unbounded (the kernel needs it within ±2^29)",
                    self.describe(base)
                ),
            ));
        }
        let lo = a as i64 + var.smin;
        let hi = a as i64 + var.smax + n as i64;
        if lo < -512 || hi > 0 {
            return Err(e(
                pc,
                Rule::StackAccess,
                format!(
                    "r{r} is {}: this {n}-byte access may touch r10 {lo:+} .. r10 {hi:+}, outside the 512-byte frame (r10 - 512 .. r10)",
                    self.describe(base)
                ),
            ));
        }
        if !is_aligned(var.t, a as i64, n) {
            return Err(e(
                pc,
                Rule::StackAccess,
                format!(
                    "misaligned stack access: r{r} is {} and the offset is not known to be a multiple of the {n}-byte access size",
                    self.describe(base)
                ),
            ));
        }
        let f = frame as usize;
        if f >= st.frames.len() {
            return Err(e(
                pc,
                Rule::StackAccess,
                "this stack pointer refers to a function frame that has returned",
            ));
        }
        self.note_depth(st, f, lo as i32);
        Ok((f, lo, hi))
    }
}

/// The byte positions (0..512, from the frame's lowest address) of `lo..hi`.
fn positions(lo: i64, hi: i64) -> core::ops::Range<usize> {
    (lo + 512) as usize..(hi + 512) as usize
}

/// A read of `n` bytes somewhere in `lo..hi` (`mark_reg_stack_read`).
pub(super) fn stack_var_read(st: &State, f: usize, lo: i64, hi: i64, n: u32, sx: bool) -> Scalar {
    let stack = &st.frames[f].stack;
    let zero = positions(lo, hi)
        .all(|p| matches!(&stack[p / 8], Slot::Bytes(b) if b[p % 8] == Byte::Zero));
    if zero {
        Scalar::konst(0)
    } else {
        let s = Scalar::of_size(n);
        if sx {
            s.sext(n * 8)
        } else {
            s
        }
    }
}

/// A write somewhere in `lo..hi` (`check_stack_write_var_off`).
pub(super) fn stack_var_write(st: &mut State, f: usize, lo: i64, hi: i64, v: &RegVal) {
    let zero = matches!(v, RegVal::Scalar(x) if x.as_const() == Some(0));
    let stack = &mut st.frames[f].stack;
    for p in positions(lo, hi) {
        let s = &mut stack[p / 8];
        if matches!(s, Slot::Spill(_) | Slot::Part(..)) {
            *s = Slot::Bytes([Byte::Misc; 8]);
        }
        if let Slot::Bytes(b) = s {
            if !(zero && b[p % 8] == Byte::Zero) {
                b[p % 8] = Byte::Misc;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verifier::initial_state;

    #[test]
    fn variable_reads_see_zeros_only_over_known_zeros_and_writes_clobber_the_range() {
        let mut st = initial_state();
        // r10-16..r10-8 known zeros, r10-8..r10 a spilled pointer.
        st.frames[0].stack[62] = Slot::Bytes([Byte::Zero; 8]);
        st.frames[0].stack[63] = Slot::Spill(RegVal::Ctx { off: 0 });
        assert_eq!(
            stack_var_read(&st, 0, -16, -8, 1, false).as_const(),
            Some(0)
        );
        let r = stack_var_read(&st, 0, -16, -7, 1, false);
        assert_eq!((r.umin, r.umax), (0, 255));
        // Writing zero keeps zeros; the spill it touches is gone.
        stack_var_write(&mut st, 0, -12, -4, &RegVal::Scalar(Scalar::konst(0)));
        assert_eq!(st.frames[0].stack[62], Slot::Bytes([Byte::Zero; 8]));
        assert_eq!(st.frames[0].stack[63], Slot::Bytes([Byte::Misc; 8]));
        // Writing anything else makes the range unknown.
        stack_var_write(&mut st, 0, -16, -14, &RegVal::Scalar(Scalar::konst(1)));
        let Slot::Bytes(b) = &st.frames[0].stack[62] else {
            panic!("bytes")
        };
        assert_eq!(b[0..2], [Byte::Misc; 2]);
        assert_eq!(b[2..], [Byte::Zero; 6]);
    }
}

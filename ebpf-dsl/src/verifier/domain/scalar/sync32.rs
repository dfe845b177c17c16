//! The kernel's `reg_bounds_sync` on a [`Scalar`]: the 64-bit ranges, the 32-bit ranges of the
//! low half (`u32_min_value` ... `s32_max_value`) and the known bits, each refined from the
//! others, in the kernel's order (`__update_reg_bounds`, `__reg_deduce_bounds`,
//! `__reg_bound_offset`).

use super::{Scalar, Tnum};

const LO: u64 = 0xffff_ffff;

/// The intersection of two tnums, `None` if they disagree on a bit both know.
pub(crate) fn meet(a: Tnum, b: Tnum) -> Option<Tnum> {
    if (a.value & !b.mask) != (b.value & !a.mask) {
        return None;
    }
    Some(a.intersect(b))
}

/// [`meet`], or when `raw` the kernel's `tnum_intersect` as it is (the known bits of either,
/// whether or not they agree).
fn meet_or(a: Tnum, b: Tnum, raw: bool) -> Option<Tnum> {
    if raw {
        Some(a.intersect(b))
    } else {
        meet(a, b)
    }
}

fn with_subreg(t: Tnum, s: Tnum) -> Tnum {
    Tnum {
        value: (t.value & !LO) | (s.value & LO),
        mask: (t.mask & !LO) | (s.mask & LO),
    }
}

impl Scalar {
    /// True if no range is empty.
    pub(crate) fn consistent(&self) -> bool {
        self.umin <= self.umax
            && self.smin <= self.smax
            && self.u32min <= self.u32max
            && self.s32min <= self.s32max
    }

    /// The known low 32 bits, if all are known.
    pub fn as_const32(&self) -> Option<u32> {
        (self.t.mask & LO == 0).then_some(self.t.value as u32)
    }

    /// `__update_reg_bounds`: the ranges of both widths narrowed by the known bits (the same
    /// in 6.1.192 and 6.18; `refine_old.rs` uses it too).
    pub(in crate::verifier::domain) fn update_bounds(&mut self) {
        self.update_bounds32();
        let t = self.t;
        self.smin = self.smin.max((t.value | (t.mask & (1 << 63))) as i64);
        self.smax = self
            .smax
            .min((t.value | (t.mask & (i64::MAX as u64))) as i64);
        self.umin = self.umin.max(t.value);
        self.umax = self.umax.min(t.value | t.mask);
    }

    /// `__update_reg32_bounds`: the 32-bit ranges narrowed by the low known bits.
    pub(in crate::verifier::domain) fn update_bounds32(&mut self) {
        let t = self.t.cast32();
        self.s32min = self
            .s32min
            .max((t.value | (t.mask & 0x8000_0000)) as u32 as i32);
        self.s32max = self
            .s32max
            .min((t.value | (t.mask & 0x7fff_ffff)) as u32 as i32);
        self.u32min = self.u32min.max(t.value as u32);
        self.u32max = self.u32max.min((t.value | t.mask) as u32);
    }

    fn deduce32(&mut self) {
        if (self.umin >> 32) == (self.umax >> 32) {
            self.u32min = self.u32min.max(self.umin as u32);
            self.u32max = self.u32max.min(self.umax as u32);
            if (self.umin as i32) <= (self.umax as i32) {
                self.s32min = self.s32min.max(self.umin as i32);
                self.s32max = self.s32max.min(self.umax as i32);
            }
        }
        if (self.smin >> 32) == (self.smax >> 32) {
            if (self.smin as u32) <= (self.smax as u32) {
                self.u32min = self.u32min.max(self.smin as u32);
                self.u32max = self.u32max.min(self.smax as u32);
            }
            if (self.smin as i32) <= (self.smax as i32) {
                self.s32min = self.s32min.max(self.smin as i32);
                self.s32max = self.s32max.min(self.smax as i32);
            }
        }
        if ((self.umin >> 32) as u32).wrapping_add(1) == (self.umax >> 32) as u32
            && (self.umin as i32) < 0
            && (self.umax as i32) >= 0
        {
            self.s32min = self.s32min.max(self.umin as i32);
            self.s32max = self.s32max.min(self.umax as i32);
        }
        if ((self.smin >> 32) as u32).wrapping_add(1) == (self.smax >> 32) as u32
            && (self.smin as i32) < 0
            && (self.smax as i32) >= 0
        {
            self.s32min = self.s32min.max(self.smin as i32);
            self.s32max = self.s32max.min(self.smax as i32);
        }
        if (self.u32min as i32) <= (self.u32max as i32) {
            self.s32min = self.s32min.max(self.u32min as i32);
            self.s32max = self.s32max.min(self.u32max as i32);
        }
        if (self.s32min as u32) <= (self.s32max as u32) {
            self.u32min = self.u32min.max(self.s32min as u32);
            self.u32max = self.u32max.min(self.s32max as u32);
        } else if self.u32max < self.s32min as u32 {
            self.s32min = self.u32min as i32;
            self.u32max = self.u32max.min(self.s32max as u32);
        } else if (self.s32max as u32) < self.u32min {
            self.s32max = self.u32max as i32;
            self.u32min = self.u32min.max(self.s32min as u32);
        }
    }

    fn deduce64(&mut self) {
        if (self.umin as i64) <= (self.umax as i64) {
            self.smin = self.smin.max(self.umin as i64);
            self.smax = self.smax.min(self.umax as i64);
        }
        if (self.smin as u64) <= (self.smax as u64) {
            self.umin = self.umin.max(self.smin as u64);
            self.umax = self.umax.min(self.smax as u64);
        } else if self.umax < self.smin as u64 {
            self.smin = self.umin as i64;
            self.umax = self.umax.min(self.smax as u64);
        } else if (self.smax as u64) < self.umin {
            self.smax = self.umax as i64;
            self.umin = self.umin.max(self.smin as u64);
        }
    }

    fn deduce_mixed(&mut self, raw: bool) -> bool {
        let (u32min, u32max) = (self.u32min as u64, self.u32max as u64);
        self.umin = self.umin.max((self.umin & !LO) | u32min);
        self.umax = self.umax.min((self.umax & !LO) | u32max);
        self.smin = self.smin.max(((self.smin as u64 & !LO) | u32min) as i64);
        self.smax = self.smax.min(((self.smax as u64 & !LO) | u32max) as i64);
        if (self.s32min as u32) <= (self.s32max as u32) {
            let (lo, hi) = (self.s32min as u32 as u64, self.s32max as u32 as u64);
            self.umin = self.umin.max((self.umin & !LO) | lo);
            self.umax = self.umax.min((self.umax & !LO) | hi);
            self.smin = self.smin.max(((self.smin as u64 & !LO) | lo) as i64);
            self.smax = self.smax.min(((self.smax as u64 & !LO) | hi) as i64);
        }
        if self.s32min >= 0 && self.smin >= i32::MIN as i64 && self.smax <= i32::MAX as i64 {
            self.smin = self.s32min as i64;
            self.smax = self.s32max as i64;
            self.umin = self.s32min as u64;
            self.umax = self.s32max as u64;
            match meet_or(self.t, Tnum::range(self.smin as u64, self.smax as u64), raw) {
                Some(t) => self.t = t,
                None => return false,
            }
        }
        true
    }

    fn bound_offset(&mut self, raw: bool) -> bool {
        let Some(t64) = meet_or(self.t, Tnum::range(self.umin, self.umax), raw) else {
            return false;
        };
        let Some(t32) = meet_or(
            t64.cast32(),
            Tnum::range(self.u32min as u64, self.u32max as u64),
            raw,
        ) else {
            return false;
        };
        self.t = with_subreg(t64, t32);
        true
    }

    /// The kernel's `reg_bounds_sync`; false on a contradiction (no value satisfies every
    /// bound).
    pub(crate) fn kernel_sync(&mut self) -> bool {
        if !self.consistent() {
            return false;
        }
        self.update_bounds();
        for _ in 0..3 {
            let before = *self;
            self.deduce32();
            self.deduce64();
            if !self.consistent() || !self.deduce_mixed(false) {
                return false;
            }
            if *self == before {
                // A round that changes nothing: the next ones would not either.
                break;
            }
        }
        if !self.consistent() || !self.bound_offset(false) {
            return false;
        }
        self.update_bounds();
        self.consistent()
    }
}

impl Scalar {
    /// `update_bounds` and then kernel 6.18's single-value rule of `__update_reg64_bounds`
    /// (`tnum_step`: where the unsigned range and the known bits have one value in common,
    /// or seem to, the register becomes that constant, `___mark_reg_known`).
    pub(in crate::verifier::domain) fn update_bounds_single(&mut self) {
        self.update_bounds();
        let t = self.t;
        let next = t.step(self.umin);
        let umin_in = self.umin & !t.mask == t.value;
        let v = if umin_in && next > self.umax {
            self.umin
        } else if !umin_in && next == t.umax() {
            t.umax()
        } else if !umin_in && next <= self.umax && t.step(next) > self.umax {
            next
        } else {
            return;
        };
        *self = Scalar {
            link: self.link,
            delta: self.delta,
            ..Scalar::konst(v)
        };
    }

    /// Kernel 6.18's `reg_bounds_sync` step by step on a register whose bounds and known
    /// bits a comparison left without a common value (a branch no value takes, which the
    /// kernel still walks), then its `reg_bounds_sanity_check`: the state the kernel goes on
    /// with (often a constant: the known bits narrowed to the range's block, then the
    /// single-value rule), or, where the check fails, the register's bounds unbounded and
    /// the known bits the synchronisation left kept ([`Scalar::unbounded_bits`]: 6.18.44 logs
    /// "verifier bug: REG INVARIANTS VIOLATION" and goes on after `__mark_reg_unbounded`; the
    /// `jmp32_contradiction_violation` and `jmp_same_reg_violation_*` rule cases).
    pub(crate) fn kernel_sync_or_unbounded(self) -> Scalar {
        self.kernel_sync_or_unbounded_as(true)
    }

    /// [`Scalar::kernel_sync_or_unbounded`] with (`single`, 6.18) or without (6.12 to 6.17)
    /// the single-value rule of `__update_reg64_bounds` (`tnum_step`): 6.12.118's
    /// `reg_bounds_sync` is 6.18's without it, and its `reg_bounds_sanity_check` is the same,
    /// so a contradiction there too ends as the known bits the synchronisation left with
    /// unbounded ranges (`__mark_reg_unbounded`), not an unknown number.
    pub(crate) fn kernel_sync_or_unbounded_as(self, single: bool) -> Scalar {
        self.kernel_sync_checked(single)
            .unwrap_or_else(Scalar::unbounded_bits)
    }

    /// The kernel's `__mark_reg_unbounded` on a register whose known bits are `t`: every
    /// range unbounded, the known bits kept and not synchronised with them (so `r & 16` is
    /// decided by the bits, `r > 1` is not by the ranges). Such a value is not a fixed point
    /// of [`Scalar::sync`]: the operations that read it work on its fields as the kernel
    /// does (`is_unbounded_bits`).
    pub(crate) fn unbounded_bits(t: Tnum) -> Scalar {
        Scalar {
            t,
            ..Scalar::UNKNOWN
        }
    }

    /// Whether this value is one [`Scalar::unbounded_bits`] makes with some known bits: all
    /// 64-bit ranges unbounded and bits known (a synchronised value with known bits always has
    /// a narrower unsigned range).
    pub(crate) fn is_unbounded_bits(&self) -> bool {
        self.umin == 0
            && self.umax == u64::MAX
            && self.smin == i64::MIN
            && self.smax == i64::MAX
            && self.t != Tnum::UNKNOWN
    }

    /// The fields the kernel reads of this value as an operand: the value itself when it is
    /// one [`Scalar::unbounded_bits`] makes (the kernel does not synchronise it before an
    /// operation reads it), else [`Scalar::sync`] (`None`: no value). Operations that look at
    /// their operands' synchronised bounds read them through this.
    pub(crate) fn held(self) -> Option<Scalar> {
        if self.is_unbounded_bits() || self.consistent() {
            Some(self)
        } else {
            None
        }
    }

    /// The kernel's `zext_32_to_64` of a consistent value, not synchronised: the known bits'
    /// low half; the 64-bit unsigned range is the 32-bit one, the signed one the signed 32-bit
    /// one when that is not negative, else `0..=u32::MAX` (`__reg_assign_32_into_64`); the
    /// 32-bit bounds are kept; no link.
    pub(crate) fn zext_raw(self) -> Scalar {
        let (smin, smax) = if self.s32min >= 0 {
            (self.s32min as i64, self.s32max as i64)
        } else {
            (0, u32::MAX as i64)
        };
        Scalar {
            umin: self.u32min as u64,
            umax: self.u32max as u64,
            smin,
            smax,
            t: self.t.cast32(),
            link: 0,
            delta: 0,
            ..self
        }
    }

    /// [`Scalar::kernel_sync_or_unbounded`]: `Err` with the known bits left where the
    /// sanity check fails.
    fn kernel_sync_checked(self, single: bool) -> Result<Scalar, Tnum> {
        self.kernel_sync_steps(single).sanity_checked()
    }

    /// Kernel 6.12's or 6.18's (`single`) `reg_bounds_sync` step by step, whatever the bounds
    /// say (no check: a value that holds no number stays as the steps leave it).
    pub(crate) fn kernel_sync_steps(mut self, single: bool) -> Scalar {
        let update = |s: &mut Scalar| {
            if single {
                s.update_bounds_single()
            } else {
                s.update_bounds()
            }
        };
        update(&mut self);
        for _ in 0..3 {
            self.deduce32();
            self.deduce64();
            self.deduce_mixed(true);
        }
        self.bound_offset(true);
        update(&mut self);
        self
    }

    /// The kernel's `reg_bounds_sanity_check` (6.12 on): `self` if its bounds are in order and
    /// a constant's bounds are that constant, else the known bits, which the kernel keeps when
    /// it forgets the bounds (`__mark_reg_unbounded`).
    pub(crate) fn sanity_checked(self) -> Result<Scalar, Tnum> {
        let t = self.t;
        let c64 = t.mask == 0;
        let c32 = t.mask & LO == 0;
        let v = t.value;
        let sane = self.consistent()
            && (!c64
                || (self.umin == v
                    && self.umax == v
                    && self.smin == v as i64
                    && self.smax == v as i64))
            && (!c32
                || (self.u32min == v as u32
                    && self.u32max == v as u32
                    && self.s32min == v as u32 as i32
                    && self.s32max == v as u32 as i32));
        if sane {
            Ok(self)
        } else {
            Err(self.t)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernels_unbounded_state_keeps_its_known_bits() {
        let t = Tnum { value: 0, mask: 1 };
        let u = Scalar::unbounded_bits(t);
        assert!(u.is_unbounded_bits());
        // Not a synchronised value: `sync` would narrow it, `held` (what an operation reads)
        // does not.
        assert_eq!(u.sync().map(|s| s.umax), Some(1));
        assert_eq!(u.held(), Some(u));
        // Neither an unknown value nor a synchronised one is such a state.
        assert!(!Scalar::UNKNOWN.is_unbounded_bits());
        assert!(!Scalar::urange(0, 1).is_unbounded_bits());
        assert!(!Scalar::WORD.is_unbounded_bits());
        // A contradiction whose step-by-step synchronisation fails the sanity check ends so.
        let crossed = Scalar {
            u32min: 1,
            u32max: 0,
            ..Scalar::urange(0, 1)
        };
        assert!(crossed.kernel_sync_or_unbounded().is_unbounded_bits());
    }

    #[test]
    fn signed_32_bit_bounds_give_a_64_bit_range_for_a_zero_extended_value() {
        // A zero-extended 32-bit value with 0 <= s32 <= 8: the 64-bit value is 0..=8.
        let mut s = Scalar {
            s32min: 0,
            s32max: 8,
            ..Scalar::urange(0, u32::MAX as u64)
        };
        assert!(s.kernel_sync());
        assert_eq!((s.umin, s.umax, s.smin, s.smax), (0, 8, 0, 8));
        assert_eq!((s.u32min, s.u32max), (0, 8));
    }

    #[test]
    fn the_32_bit_bounds_follow_the_64_bit_ones() {
        let s = Scalar::urange((1 << 32) + 4, (1 << 32) + 9);
        assert_eq!((s.u32min, s.u32max, s.s32min, s.s32max), (4, 9, 4, 9));
        let n = Scalar::srange(-5, 3);
        assert_eq!((n.s32min, n.s32max), (-5, 3));
    }

    #[test]
    fn contradictions_are_found_in_the_low_half() {
        let mut s = Scalar {
            u32min: 10,
            u32max: 20,
            ..Scalar::urange(0, 5)
        };
        assert!(!s.kernel_sync());
        assert!(Scalar {
            s32min: 7,
            s32max: 3,
            ..Scalar::UNKNOWN
        }
        .sync()
        .is_none());
    }
}

//! 32-bit conditional jumps (`if w1 < w2`) on registers whose value does not fit in 32 bits.
//!
//! The kernel keeps separate 32-bit bounds (`u32_min_value` ... `s32_max_value`) next to the
//! 64-bit ones, refines only those on a 32-bit comparison (`regs_refine_cond_op`), and then
//! deduces what it can for the 64-bit bounds and the known bits (`reg_bounds_sync`). This
//! module reproduces that for one comparison: the 32-bit bounds are first derived from the
//! 64-bit state the way `reg_bounds_sync` derives them (the kernel, which also tracks them
//! through 32-bit arithmetic, knows at least as much), refined, synchronised back, and then
//! dropped again. Every step is monotone, so a state that is no more precise than the
//! kernel's stays so.

use super::*;

/// A scalar with both the 64-bit and the 32-bit bounds (the kernel's `bpf_reg_state` fields).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct K {
    umin: u64,
    umax: u64,
    smin: i64,
    smax: i64,
    u32min: u32,
    u32max: u32,
    s32min: i32,
    s32max: i32,
    t: Tnum,
}

const LO: u64 = 0xffff_ffff;

fn subreg(t: Tnum) -> Tnum {
    t.cast32()
}

fn with_subreg(t: Tnum, s: Tnum) -> Tnum {
    Tnum {
        value: (t.value & !LO) | (s.value & LO),
        mask: (t.mask & !LO) | (s.mask & LO),
    }
}

impl K {
    fn of(s: &Scalar) -> K {
        let mut k = K {
            umin: s.umin,
            umax: s.umax,
            smin: s.smin,
            smax: s.smax,
            u32min: 0,
            u32max: u32::MAX,
            s32min: i32::MIN,
            s32max: i32::MAX,
            t: s.t,
        };
        k.sync();
        k
    }

    fn scalar(&self) -> Scalar {
        fix(Scalar {
            umin: self.umin,
            umax: self.umax,
            smin: self.smin,
            smax: self.smax,
            t: self.t,
            link: 0,
            delta: 0,
        })
    }

    fn update_bounds(&mut self) {
        let t = subreg(self.t);
        self.s32min = self
            .s32min
            .max((t.value | (t.mask & 0x8000_0000)) as u32 as i32);
        self.s32max = self
            .s32max
            .min((t.value | (t.mask & 0x7fff_ffff)) as u32 as i32);
        self.u32min = self.u32min.max(t.value as u32);
        self.u32max = self.u32max.min((t.value | t.mask) as u32);
        let t = self.t;
        self.smin = self.smin.max((t.value | (t.mask & (1 << 63))) as i64);
        self.smax = self
            .smax
            .min((t.value | (t.mask & (i64::MAX as u64))) as i64);
        self.umin = self.umin.max(t.value);
        self.umax = self.umax.min(t.value | t.mask);
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

    fn deduce_mixed(&mut self) {
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
            self.t = self
                .t
                .intersect(Tnum::range(self.smin as u64, self.smax as u64));
        }
    }

    fn bound_offset(&mut self) {
        let t64 = self.t.intersect(Tnum::range(self.umin, self.umax));
        let t32 = subreg(t64).intersect(Tnum::range(self.u32min as u64, self.u32max as u64));
        self.t = with_subreg(t64, t32);
    }

    /// The kernel's `reg_bounds_sync`.
    fn sync(&mut self) {
        self.update_bounds();
        for _ in 0..3 {
            self.deduce32();
            self.deduce64();
            self.deduce_mixed();
        }
        self.bound_offset();
        self.update_bounds();
    }

    fn is_const32(&self) -> Option<u32> {
        (subreg(self.t).mask == 0).then_some(self.t.value as u32)
    }
}

/// The opcode of the other branch (`rev_opcode`); `None` for the "no bits in common" sense of
/// `&` (handled by the caller).
fn rev(op: JmpOp) -> JmpOp {
    use JmpOp::*;
    match op {
        Jeq => Jne,
        Jne => Jeq,
        Jgt => Jle,
        Jle => Jgt,
        Jge => Jlt,
        Jlt => Jge,
        Jsgt => Jsle,
        Jsle => Jsgt,
        Jsge => Jslt,
        Jslt => Jsge,
        o => o,
    }
}

/// `regs_refine_cond_op` for a 32-bit comparison `a op b` assumed true.
fn refine_cond(op: JmpOp, a: &mut K, b: &mut K) {
    use JmpOp::*;
    let (op, swap) = match op {
        Jge => (Jle, true),
        Jgt => (Jlt, true),
        Jsge => (Jsle, true),
        Jsgt => (Jslt, true),
        o => (o, false),
    };
    let (r1, r2) = if swap { (b, a) } else { (a, b) };
    match op {
        Jeq => {
            r1.u32min = r1.u32min.max(r2.u32min);
            r1.u32max = r1.u32max.min(r2.u32max);
            r1.s32min = r1.s32min.max(r2.s32min);
            r1.s32max = r1.s32max.min(r2.s32max);
            r2.u32min = r1.u32min;
            r2.u32max = r1.u32max;
            r2.s32min = r1.s32min;
            r2.s32max = r1.s32max;
            let t = subreg(r1.t).intersect(subreg(r2.t));
            r1.t = with_subreg(r1.t, t);
            r2.t = with_subreg(r2.t, t);
        }
        Jne => {
            let (r1, r2) = if r2.is_const32().is_none() {
                (r2, r1)
            } else {
                (r1, r2)
            };
            let Some(v) = r2.is_const32() else { return };
            if r1.u32min == v {
                r1.u32min = r1.u32min.wrapping_add(1);
            }
            if r1.u32max == v {
                r1.u32max = r1.u32max.wrapping_sub(1);
            }
            if r1.s32min == v as i32 {
                r1.s32min = r1.s32min.wrapping_add(1);
            }
            if r1.s32max == v as i32 {
                r1.s32max = r1.s32max.wrapping_sub(1);
            }
        }
        Jle => {
            r1.u32max = r1.u32max.min(r2.u32max);
            r2.u32min = r1.u32min.max(r2.u32min);
        }
        Jlt => {
            r1.u32max = r1.u32max.min(r2.u32max.wrapping_sub(1));
            r2.u32min = r1.u32min.wrapping_add(1).max(r2.u32min);
        }
        Jsle => {
            r1.s32max = r1.s32max.min(r2.s32max);
            r2.s32min = r1.s32min.max(r2.s32min);
        }
        Jslt => {
            r1.s32max = r1.s32max.min(r2.s32max.wrapping_sub(1));
            r2.s32min = r1.s32min.wrapping_add(1).max(r2.s32min);
        }
        _ => {}
    }
}

fn consistent(k: &K) -> bool {
    k.umin <= k.umax && k.smin <= k.smax && k.u32min <= k.u32max && k.s32min <= k.s32max
}

/// Refines the two 64-bit operands of a 32-bit comparison `a op b` on the branch where it is
/// `taken` (or not); `&` tests are left to the caller. A contradiction (a branch the kernel
/// would still walk) gives unknown values, as the kernel's sanity check does.
pub(super) fn refine32(op: JmpOp, taken: bool, a: &Scalar, b: &Scalar) -> (Scalar, Scalar) {
    let op = if taken { op } else { rev(op) };
    let (mut ka, mut kb) = (K::of(a), K::of(b));
    refine_cond(op, &mut ka, &mut kb);
    let out = |k: &mut K| {
        if !consistent(k) {
            return Scalar::UNKNOWN;
        }
        k.sync();
        if !consistent(k) {
            return Scalar::UNKNOWN;
        }
        k.scalar()
    };
    (out(&mut ka), out(&mut kb))
}

/// A 64-bit comparison refined `orig` to `refined`; the kernel then runs `reg_bounds_sync`
/// with the 32-bit bounds it still holds for the register, which recovers, e.g., that a value
/// in `-4095..=0` that is `<= 63` unsigned is 0 (the signed range crossing zero that
/// [`super::domain`] drops survives in the 32-bit bounds when it fits in 32 bits). The 32-bit
/// bounds of `orig` hold for `refined` too, so they are derived from `orig`.
pub(super) fn with_subreg_bounds(orig: &Scalar, refined: Scalar) -> Scalar {
    if refined.unlinked() == Scalar::UNKNOWN {
        // Nothing learnt, or a contradiction the kernel answers with an unknown value.
        return refined;
    }
    let mut k = K::of(orig);
    k.umin = refined.umin;
    k.umax = refined.umax;
    k.smin = refined.smin;
    k.smax = refined.smax;
    k.t = refined.t;
    if !consistent(&k) {
        return refined;
    }
    k.sync();
    if !consistent(&k) {
        return refined;
    }
    Scalar {
        link: refined.link,
        ..k.scalar()
    }
}

/// `==` / `!=` decided by the known bits alone (kernel 6.18's `tnum_overlap` test in
/// `is_scalar_branch_taken`): two values whose known bits disagree are never equal.
pub(super) fn tnum_branch_taken(op: JmpOp, a: &Scalar, b: &Scalar) -> Option<bool> {
    let mu = a.t.mask | b.t.mask;
    let overlap = (a.t.value & !mu) == (b.t.value & !mu);
    match op {
        JmpOp::Jeq if !overlap => Some(false),
        JmpOp::Jne if !overlap => Some(true),
        _ => None,
    }
}

/// What a 32-bit comparison sees of `x`: the kernel's 32-bit bounds (`u32_min_value` ...
/// `s32_max_value`, as derived from the 64-bit state) in the unsigned and signed fields, and
/// the low half of the known bits. For deciding branches only (not a consistent 64-bit value).
pub(super) fn view32(x: &Scalar) -> Scalar {
    let k = K::of(x);
    Scalar {
        umin: k.u32min as u64,
        umax: k.u32max as u64,
        smin: k.s32min as i64,
        smax: k.s32max as i64,
        t: subreg(k.t),
        link: 0,
        delta: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_of_the_low_half_bounds_a_small_signed_range() {
        // r in [-130, 125]; `w == 9` leaves only 9 (the kernel's s32 -> s64 deduction).
        let r = Scalar::srange(-130, 125);
        let (t, _) = refine32(JmpOp::Jeq, true, &r, &Scalar::konst(9));
        assert_eq!(t.as_const(), Some(9));
        let (f, _) = refine32(JmpOp::Jne, false, &r, &Scalar::konst(9));
        assert_eq!(f.as_const(), Some(9));
    }

    #[test]
    fn small_signed_range_survives_an_unsigned_comparison() {
        // r in [-4095, 0], `r <= 63` (unsigned): the domain drops the signed range (the
        // kernel does for wide ranges), the 32-bit bounds give 0 as the kernel finds.
        let r = Scalar::srange(-4095, 0);
        let (t, _) = refine(JmpOp::Jle, true, r, Scalar::konst(63));
        assert_eq!(with_subreg_bounds(&r, t).as_const(), Some(0));
    }

    #[test]
    fn signed_32_bit_view_of_a_small_negative_range() {
        // r in [-63, 0]: `w r != 7` is always true (s32 bounds), though the u32 view is wide.
        let v = view32(&Scalar::srange(-63, 0));
        assert_eq!((v.smin, v.smax), (-63, 0));
        assert_eq!(
            branch_taken(JmpOp::Jne, &v, &view32(&Scalar::konst(7))),
            Some(true)
        );
    }

    #[test]
    fn unknown_upper_half_stays_unbounded() {
        let (t, _) = refine32(JmpOp::Jlt, true, &Scalar::UNKNOWN, &Scalar::konst(10));
        assert_eq!(t.smin, i64::MIN);
        // The 32-bit bounds are dropped after the branch; the known bits keep `< 16`.
        assert_eq!(t.trunc32().umax, 15);
    }

    #[test]
    fn known_upper_half_gives_a_64_bit_range() {
        // r in [2^32, 2^32 + 2^31]: `w r < 16` gives [2^32, 2^32 + 15].
        let r = Scalar::urange(1 << 32, (1 << 32) + (1 << 31));
        let (t, _) = refine32(JmpOp::Jlt, true, &r, &Scalar::konst(16));
        assert_eq!((t.umin, t.umax), (1 << 32, (1 << 32) + 15));
    }
}

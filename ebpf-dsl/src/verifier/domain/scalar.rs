//! Scalar values: unsigned and signed 64-bit ranges plus known bits ([`Tnum`]), kept
//! consistent with each other the way the kernel's `reg_bounds_sync` does.
//!
//! Every transfer function here is deliberately *no more precise* than the kernel 6.18
//! verifier's: a value the kernel only knows as "unknown" must not be narrower here, or this
//! verifier could prove a branch dead that the kernel still walks (and rejects). Operations the
//! kernel does not track (division, modulo, negation, byte swaps) give unknown results.

use core::fmt;

use super::tnum::Tnum;

pub(crate) mod memo;
mod sync32;
pub(crate) use sync32::meet;

/// An abstract 64-bit scalar.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scalar {
    /// Smallest unsigned value.
    pub umin: u64,
    /// Largest unsigned value.
    pub umax: u64,
    /// Smallest signed value.
    pub smin: i64,
    /// Largest signed value.
    pub smax: i64,
    /// Smallest unsigned value of the low 32 bits (the kernel's `u32_min_value`).
    pub u32min: u32,
    /// Largest unsigned value of the low 32 bits.
    pub u32max: u32,
    /// Smallest signed value of the low 32 bits.
    pub s32min: i32,
    /// Largest signed value of the low 32 bits.
    pub s32max: i32,
    /// Known bits.
    pub t: Tnum,
    /// Non-zero when this value is a copy of another register's (`rX = rY`): a comparison that
    /// refines one refines all registers with the same link, like the kernel's scalar ids. The
    /// bit [`Scalar::BIG_DELTA`] marks a copy that then had a constant of 2^29 or more added
    /// (the kernel refuses it as a pointer offset). The bit [`Scalar::ADD_CONST`] marks a copy
    /// that then had the constant [`Scalar::delta`] added (kernel 6.12's `BPF_ADD_CONST`): its
    /// value is the linked value plus `delta`.
    pub link: u32,
    /// With [`Scalar::ADD_CONST`]: the constant added to the linked value.
    pub delta: i32,
}

impl fmt::Debug for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(c) = self.as_const() {
            return write!(f, "the constant {}", c as i64);
        }
        if self.unlinked() == Scalar::UNKNOWN {
            return write!(f, "an unknown scalar");
        }
        if self.smin >= 0 {
            write!(f, "a scalar in {}..={}", self.umin, self.umax)
        } else {
            write!(f, "a scalar in {}..={} (signed)", self.smin, self.smax)
        }
    }
}

impl Scalar {
    /// Nothing known.
    pub const UNKNOWN: Scalar = Scalar {
        umin: 0,
        umax: u64::MAX,
        smin: i64::MIN,
        smax: i64::MAX,
        u32min: 0,
        u32max: u32::MAX,
        s32min: i32::MIN,
        s32max: i32::MAX,
        t: Tnum::UNKNOWN,
        link: 0,
        delta: 0,
    };

    /// A full unknown 32-bit word ([`Scalar::of_size`]`(4)`): what a 32-bit load gives and
    /// what most 32-bit operations on such words give back (a hash's rounds are made of them).
    pub const WORD: Scalar = Scalar {
        umin: 0,
        umax: u32::MAX as u64,
        smin: 0,
        smax: u32::MAX as i64,
        u32min: 0,
        u32max: u32::MAX,
        s32min: i32::MIN,
        s32max: i32::MAX,
        t: Tnum {
            value: 0,
            mask: u32::MAX as u64,
        },
        link: 0,
        delta: 0,
    };

    /// See [`Scalar::link`].
    pub const BIG_DELTA: u32 = 0x8000_0000;
    /// See [`Scalar::link`].
    pub const ADD_CONST: u32 = 0x4000_0000;
    /// Like [`Scalar::ADD_CONST`] for a 32-bit `wX += c` (kernel 6.18's `BPF_ADD_CONST32`): the
    /// value is the low 32 bits of the linked value plus `delta`, zero-extended.
    pub const ADD_CONST32: u32 = 0x2000_0000;
    /// Either delta flag.
    pub const ANY_DELTA: u32 = Scalar::ADD_CONST | Scalar::ADD_CONST32;
    /// On a pointer's variable offset only (never a number's `link`): the offset was built, in
    /// the 2^29 class's second walk, only by additions and subtractions of exact scalars whose
    /// bound in question is one of their values, so the kernel's minimum of it is exactly this
    /// verifier's (`transfer/ptr_exact.rs`).
    pub const EXACT_VAR: u32 = 0x1000_0000;

    /// The identity of the link (0: none), without the flags.
    pub fn id(&self) -> u32 {
        self.link & !(Scalar::BIG_DELTA | Scalar::ANY_DELTA | Scalar::EXACT_VAR)
    }

    /// True if `self` and `o` stand for the same values, links aside (`self.unlinked() ==
    /// o.unlinked()`, without copying either).
    #[inline]
    pub fn same_value(&self, o: &Scalar) -> bool {
        Scalar {
            link: self.link,
            delta: self.delta,
            ..*o
        } == *self
    }

    /// The same value without a link.
    pub fn unlinked(mut self) -> Scalar {
        self.link = 0;
        self.delta = 0;
        self
    }

    /// The constant `v`.
    pub const fn konst(v: u64) -> Scalar {
        Scalar {
            umin: v,
            umax: v,
            smin: v as i64,
            smax: v as i64,
            u32min: v as u32,
            u32max: v as u32,
            s32min: v as u32 as i32,
            s32max: v as u32 as i32,
            t: Tnum::konst(v),
            link: 0,
            delta: 0,
        }
    }

    /// Any value in `min..=max` (unsigned).
    pub fn urange(min: u64, max: u64) -> Scalar {
        Scalar {
            umin: min,
            umax: max,
            ..Scalar::UNKNOWN
        }
        .sync()
        .unwrap_or(Scalar::UNKNOWN)
    }

    /// Any value in `min..=max` (signed).
    pub fn srange(min: i64, max: i64) -> Scalar {
        Scalar {
            smin: min,
            smax: max,
            ..Scalar::UNKNOWN
        }
        .sync()
        .unwrap_or(Scalar::UNKNOWN)
    }

    /// Any zero-extended value of `bytes` bytes.
    pub fn of_size(bytes: u32) -> Scalar {
        // Every load asks: the 8 values are constants (a test checks them against `urange`).
        const SIZES: [Scalar; 8] = [
            Scalar::zext_of(0),
            Scalar::zext_of(1),
            Scalar::zext_of(2),
            Scalar::zext_of(3),
            Scalar::zext_of(4),
            Scalar::zext_of(5),
            Scalar::zext_of(6),
            Scalar::zext_of(7),
        ];
        if bytes >= 8 {
            Scalar::UNKNOWN
        } else {
            SIZES[bytes as usize]
        }
    }

    /// `Scalar::urange(0, 2^(8 * bytes) - 1)` for `bytes < 8`, synchronised by hand.
    const fn zext_of(bytes: u32) -> Scalar {
        let max = if bytes == 0 {
            0
        } else {
            u64::MAX >> (64 - 8 * bytes)
        };
        let (u32max, s32min, s32max) = if max <= i32::MAX as u64 {
            (max as u32, 0, max as i32)
        } else {
            (u32::MAX, i32::MIN, i32::MAX)
        };
        Scalar {
            umin: 0,
            umax: max,
            smin: 0,
            smax: max as i64,
            u32min: 0,
            u32max,
            s32min,
            s32max,
            t: Tnum {
                value: 0,
                mask: max,
            },
            link: 0,
            delta: 0,
        }
    }

    /// The value, if it is a known constant.
    pub fn as_const(&self) -> Option<u64> {
        if self.t.is_const() {
            Some(self.t.value)
        } else if self.umin == self.umax {
            Some(self.umin)
        } else {
            None
        }
    }

    /// The value when its known bits are all known (the kernel's `tnum_is_const`, which
    /// `is_branch_taken` and `regs_refine_cond_op` ask of a comparison's operands), else
    /// `None`: unlike [`Scalar::as_const`], not a range of one value whose bits are not all
    /// known.
    pub fn t_const(&self) -> Option<u64> {
        self.t.is_const().then_some(self.t.value)
    }

    /// Makes the 64-bit and 32-bit ranges and the known bits agree (the kernel's
    /// `reg_bounds_sync`, see [`Scalar::kernel_sync`]); `None` if they contradict (an
    /// impossible value).
    pub fn sync(self) -> Option<Scalar> {
        if self.is_sync_fixpoint() {
            // A constant or a fully unknown value is already in agreement: nothing changes.
            return Some(self);
        }
        if memo::old_sync() {
            return super::refine_old::sync_old(self);
        }
        // The slow path never reads nor changes the link (`sync_keeps_the_link`): one entry of
        // the table serves every copy of a value, whatever its link.
        let (link, delta) = (self.link, self.delta);
        memo::memoised(self.unlinked(), Scalar::sync_full).map(|r| Scalar { link, delta, ..r })
    }

    /// [`Scalar::sync`] without its fast path: one `reg_bounds_sync`, as the kernel runs it
    /// after every operation and comparison. Not repeated to a fixpoint: the kernel's
    /// synchronisation is not idempotent (a second one can learn known bits from bounds the
    /// first tightened: 128..=256 with the bits (0; 0xdf) is 128..=223 after one, whose bit 7 a
    /// second would know; `sync_once_after_a_comparison`), and knowing more than the kernel
    /// is a false accept.
    fn sync_full(mut self) -> Option<Scalar> {
        if self.kernel_sync() {
            Some(self)
        } else {
            None
        }
    }

    /// The constant the unsigned range and the known bits leave, when they have one value in
    /// common (the three cases of kernel 6.18's `__update_reg64_bounds`: the range holds one
    /// value of the tnum, at its bottom, at the tnum's largest value, or in between); else
    /// `self`. The link is kept (`___mark_reg_known` keeps the id).
    pub fn single_value(self) -> Scalar {
        let t = self.t;
        if t.is_const() {
            return self;
        }
        let next = t.step(self.umin);
        let umin_in = self.umin & !t.mask == t.value;
        let v = if umin_in && next > self.umax {
            self.umin
        } else if !umin_in && next == t.umax() {
            t.umax()
        } else if !umin_in && next <= self.umax && t.step(next) > self.umax {
            next
        } else {
            return self;
        };
        Scalar {
            link: self.link,
            delta: self.delta,
            ..Scalar::konst(v)
        }
    }

    /// True if `self`, links aside, is exactly [`Scalar::konst`] of its value,
    /// [`Scalar::WORD`] or [`Scalar::UNKNOWN`]: [`Scalar::sync`] leaves those as they are (the
    /// common cases, tested in `sync_fast_path_is_the_slow_path`).
    fn is_sync_fixpoint(&self) -> bool {
        let k = match self.t.mask {
            0 => Scalar::konst(self.t.value),
            m if m == u32::MAX as u64 => Scalar::WORD,
            _ => Scalar::UNKNOWN,
        };
        self.same_value(&k)
    }

    /// True if every value of `self` is a value of `of`: the scalar inclusion test of state
    /// pruning (64-bit and 32-bit ranges and known bits).
    #[inline(always)]
    pub fn is_subset_of(&self, of: &Scalar) -> bool {
        self.umin >= of.umin
            && self.umax <= of.umax
            && self.smin >= of.smin
            && self.smax <= of.smax
            && self.u32min >= of.u32min
            && self.u32max <= of.u32max
            && self.s32min >= of.s32min
            && self.s32max <= of.s32max
            && self.t.is_subset_of(of.t)
    }

    /// [`Scalar::is_subset_of`] for a pointer's variable offset: a flagged `old`
    /// ([`Scalar::EXACT_VAR`]) covers only the same flagged offset (what `old`'s paths decided
    /// from the flag is then what `self`'s would).
    #[inline]
    pub fn offset_covered_by(&self, old: &Scalar) -> bool {
        self.is_subset_of(old) && (old.link & Scalar::EXACT_VAR == 0 || old == self)
    }

    /// The smallest scalar holding every value of `self` and of `b` (unlinked).
    pub fn join(&self, b: &Scalar) -> Scalar {
        Scalar {
            umin: self.umin.min(b.umin),
            umax: self.umax.max(b.umax),
            smin: self.smin.min(b.smin),
            smax: self.smax.max(b.smax),
            u32min: self.u32min.min(b.u32min),
            u32max: self.u32max.max(b.u32max),
            s32min: self.s32min.min(b.s32min),
            s32max: self.s32max.max(b.s32max),
            t: self.t.union(b.t),
            link: 0,
            delta: 0,
        }
        .sync()
        .unwrap_or(Scalar::UNKNOWN)
    }

    fn from_parts(u: Option<(u64, u64)>, s: Option<(i64, i64)>, t: Tnum) -> Scalar {
        let (umin, umax) = u.unwrap_or((0, u64::MAX));
        let (smin, smax) = s.unwrap_or((i64::MIN, i64::MAX));
        Scalar {
            umin,
            umax,
            smin,
            smax,
            t,
            ..Scalar::UNKNOWN
        }
        .sync()
        .unwrap_or(Scalar::UNKNOWN)
    }

    /// `self + b` (64-bit, wrapping).
    pub fn add(&self, b: &Scalar) -> Scalar {
        let u = match (self.umin.checked_add(b.umin), self.umax.checked_add(b.umax)) {
            (Some(lo), Some(hi)) => Some((lo, hi)),
            _ => None,
        };
        let s = match (self.smin.checked_add(b.smin), self.smax.checked_add(b.smax)) {
            (Some(lo), Some(hi)) => Some((lo, hi)),
            _ => None,
        };
        Scalar::from_parts(u, s, self.t.add(b.t))
    }

    /// `self - b` (64-bit, wrapping).
    pub fn sub(&self, b: &Scalar) -> Scalar {
        let u = if self.umin >= b.umax {
            Some((self.umin - b.umax, self.umax - b.umin))
        } else {
            None
        };
        let s = match (self.smin.checked_sub(b.smax), self.smax.checked_sub(b.smin)) {
            (Some(lo), Some(hi)) => Some((lo, hi)),
            _ => None,
        };
        Scalar::from_parts(u, s, self.t.sub(b.t))
    }

    /// The low 32 bits, zero-extended (what a 32-bit operation sees of its operand, the
    /// kernel's `zext_32_to_64`): the 64-bit range is the unsigned 32-bit one, the 32-bit
    /// bounds are kept.
    pub fn trunc32(&self) -> Scalar {
        let Some(s) = self.held() else {
            return Scalar::of_size(4);
        };
        if s.umax <= u32::MAX as u64 {
            return s;
        }
        Scalar {
            umin: s.u32min as u64,
            umax: s.u32max as u64,
            smin: s.u32min as i64,
            smax: s.u32max as i64,
            t: s.t.cast32(),
            link: 0,
            delta: 0,
            ..s
        }
        .sync()
        .unwrap_or(Scalar::of_size(4))
    }

    /// The kernel's `zext_32_to_64` ([`Scalar::zext_raw`]) and then one `reg_bounds_sync` of a
    /// register's value as it is held (`wX = wY`, `check_alu_op`). The
    /// synchronisation is the kernel's one, after the move: it can learn what the value's own
    /// last one did not (the kernel's is not idempotent), and reading the operand
    /// synchronised first would know more than the kernel (`mov32_syncs_the_copy_once`).
    pub(crate) fn zext32(&self) -> Scalar {
        if !self.consistent() {
            return Scalar::of_size(4);
        }
        self.zext_raw().sync().unwrap_or(Scalar::of_size(4))
    }

    /// The low `n` bytes (1, 2 or 4; 8 keeps all), zero-extended: the kernel's
    /// `coerce_reg_to_size` of the value as it is held (not synchronised first: the kernel's
    /// one synchronisation comes after the truncation, `narrow_fill_syncs_once`). The
    /// unsigned range is kept (its low bytes) when the bytes above are the same at both of its
    /// ends, else it becomes `0..=mask`, and the signed range is the unsigned one; the known
    /// bits are cut; below 4 bytes the 32-bit bounds are forgotten, at 4 they are kept; then
    /// the bounds are synchronised. (A mask with `&` would lose the lower bound, which the
    /// kernel keeps.)
    pub fn coerce(&self, n: u32) -> Scalar {
        if n >= 8 {
            return self.unlinked();
        }
        let Some(s) = self.held() else {
            return Scalar::of_size(n);
        };
        s.coerce_raw(n).sync().unwrap_or(Scalar::of_size(n))
    }

    /// The kernel's `coerce_reg_to_size` to `n < 8` bytes before its `reg_bounds_sync`: the
    /// known bits cut; the unsigned range cut when its ends agree above the size, else the
    /// whole size, and the signed range the same numbers; the 32-bit bounds kept for 4 bytes,
    /// forgotten below; no link.
    pub(crate) fn coerce_raw(self, n: u32) -> Scalar {
        let mask = (1u64 << (8 * n)) - 1;
        let (umin, umax) = if self.umin & !mask == self.umax & !mask {
            (self.umin & mask, self.umax & mask)
        } else {
            (0, mask)
        };
        let (u32min, u32max, s32min, s32max) = if n < 4 {
            (0, u32::MAX, i32::MIN, i32::MAX)
        } else {
            (self.u32min, self.u32max, self.s32min, self.s32max)
        };
        Scalar {
            umin,
            umax,
            smin: umin as i64,
            smax: umax as i64,
            u32min,
            u32max,
            s32min,
            s32max,
            t: Tnum {
                value: self.t.value & mask,
                mask: self.t.mask & mask,
            },
            link: 0,
            delta: 0,
        }
    }

    /// The low `bits` bits sign-extended to 64 (`movsx`, `ldsx`), as kernel 6.12's
    /// `coerce_reg_to_size_sx`: a constant stays exact; otherwise precise only when the signed
    /// 64-bit range stays within one 2^bits block and does not cross that block's sign
    /// boundary.
    pub fn sext(&self, bits: u32) -> Scalar {
        let sh = 64 - bits;
        if let Some(c) = self.t_const() {
            return Scalar::konst((((c << sh) as i64) >> sh) as u64);
        }
        let half = 1i64 << (bits - 1);
        if bits >= 64 {
            return *self;
        }
        // The kernel sets the 32-bit bounds too (`set_sext64_default_val`,
        // `coerce_reg_to_size_sx`), whatever its `reg_bounds_sync` deduces.
        let both = |lo: i64, hi: i64| {
            let (u32min, u32max) = if (lo < 0) == (hi < 0) {
                (lo as u32, hi as u32)
            } else {
                (0, u32::MAX)
            };
            let s = Scalar::srange(lo, hi);
            Scalar {
                s32min: lo as i32,
                s32max: hi as i32,
                u32min,
                u32max,
                ..s
            }
            .sync()
            .unwrap_or(s)
        };
        let default = both(-half, half - 1);
        let top = |v: i64| ((v as u64) >> bits) << bits;
        if top(self.smin) != top(self.smax) {
            return default;
        }
        let ext = |v: i64| (((v as u64) << sh) as i64) >> sh;
        let (lo, hi) = (ext(self.smin), ext(self.smax));
        if lo > hi {
            return default;
        }
        both(lo, hi)
    }

    /// [`Scalar::sext`] as kernel 6.18 does it (observed on 6.18.44): when the signed 32-bit
    /// bounds already fit in `bits` (always for 32), the low 32 bits are unchanged by the
    /// extension, so the number keeps its 32-bit bounds and its 64-bit value is their sign
    /// extension, known bits those of that range (`tnum_range(smin, smax)`, the old known
    /// bits dropped); otherwise the older rule on the 64-bit bounds ([`Scalar::sext`]).
    pub fn sext_keeping_fits(&self, bits: u32) -> Scalar {
        if bits >= 64 || self.t_const().is_some() {
            return self.sext(bits);
        }
        let half = 1i64 << (bits - 1);
        let (lo, hi) = (self.s32min as i64, self.s32max as i64);
        if lo < -half || hi >= half {
            return self.sext(bits);
        }
        Scalar {
            umin: 0,
            umax: u64::MAX,
            smin: lo,
            smax: hi,
            u32min: self.u32min,
            u32max: self.u32max,
            s32min: self.s32min,
            s32max: self.s32max,
            t: Tnum::range(lo as u64, hi as u64),
            link: 0,
            delta: 0,
        }
        .sync()
        .unwrap_or_else(|| self.sext(bits))
    }

    /// `wD = (sN)wS` (32-bit `movsx`, `bits` 8 or 16): the low `bits` bits sign-extended to 32,
    /// then zero-extended to 64. Like the kernel's `coerce_subreg_to_size_sx`, from the signed
    /// 32-bit bounds: precise only when they stay within one 2^bits block without crossing its
    /// sign boundary, else any 32-bit value in [-2^(bits-1), 2^(bits-1)) with no known bit.
    pub fn sext_subreg(&self, bits: u32) -> Scalar {
        let sh = 32 - bits;
        let ext = |v: i32| ((v as u32) << sh) as i32 >> sh;
        if let Some(c) = self.t_const() {
            return Scalar::konst(ext(c as u32 as i32) as u32 as u64);
        }
        let half = 1i32 << (bits - 1);
        let top = |v: i32| ((v as u32) >> bits) << bits;
        let (lo, hi) = (ext(self.s32min), ext(self.s32max));
        let (lo, hi) = if top(self.s32min) == top(self.s32max) && (lo < 0) == (hi < 0) {
            (lo.min(hi), lo.max(hi))
        } else {
            (-half, half - 1)
        };
        // The kernel sets the 32-bit bounds (`coerce_subreg_to_size_sx`), then zero-extends
        // (`__reg_assign_32_into_64`), whatever its `reg_bounds_sync` deduces.
        let (u32min, u32max) = if (lo < 0) == (hi < 0) {
            (lo as u32, hi as u32)
        } else {
            (0, u32::MAX)
        };
        let (smin, smax) = if lo >= 0 {
            (lo as i64, hi as i64)
        } else {
            (0, u32::MAX as i64)
        };
        let t = if (lo < 0) == (hi < 0) {
            Tnum::range(u32min as u64, u32max as u64)
        } else {
            Tnum {
                value: 0,
                mask: u32::MAX as u64,
            }
        };
        Scalar {
            umin: u32min as u64,
            umax: u32max as u64,
            smin,
            smax,
            u32min,
            u32max,
            s32min: lo,
            s32max: hi,
            t,
            link: 0,
            delta: 0,
        }
        .sync()
        .unwrap_or_else(|| Scalar::srange(lo as i64, hi as i64).trunc32())
    }
}

#[cfg(test)]
mod tests;

/// Shorthands for tests: 6.18's 64-bit `&` and `*`, and a value narrowed by 32-bit bounds or
/// known bits, then synchronised.
#[cfg(test)]
impl Scalar {
    pub(crate) fn and(&self, b: &Scalar) -> Scalar {
        let k = crate::verifier::KernelVersion::new(6, 18);
        super::kernel_alu::kernel_alu(k, crate::insn::AluOp::And, true, self, b)
    }

    pub(crate) fn mul(&self, b: &Scalar) -> Scalar {
        let k = crate::verifier::KernelVersion::new(6, 18);
        super::kernel_alu::kernel_alu(k, crate::insn::AluOp::Mul, true, self, b)
    }

    pub(crate) fn with_bounds32(self, u: Option<(u32, u32)>, s: Option<(i32, i32)>) -> Scalar {
        let mut r = self;
        if let Some((lo, hi)) = u {
            r.u32min = r.u32min.max(lo);
            r.u32max = r.u32max.min(hi);
        }
        if let Some((lo, hi)) = s {
            r.s32min = r.s32min.max(lo);
            r.s32max = r.s32max.min(hi);
        }
        r.sync().unwrap_or(self)
    }

    pub(crate) fn with_tnum(self, t: Tnum) -> Scalar {
        Scalar {
            t: self.t.intersect(t),
            ..self
        }
        .sync()
        .unwrap_or(self)
    }
}

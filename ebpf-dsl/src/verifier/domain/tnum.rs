//! Tristate numbers ("tnums"): the known bits of a 64-bit value, as the kernel's
//! `kernel/bpf/tnum.c` tracks them. A bit is known when its `mask` bit is clear; its value is
//! then the `value` bit.

/// A value whose bits are known (mask bit 0) or unknown (mask bit 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tnum {
    /// The known bits' values (zero where unknown).
    pub value: u64,
    /// The unknown bits.
    pub mask: u64,
}

impl Tnum {
    /// Nothing known.
    pub const UNKNOWN: Tnum = Tnum {
        value: 0,
        mask: u64::MAX,
    };

    /// Every bit known: the constant `v`.
    pub const fn konst(v: u64) -> Tnum {
        Tnum { value: v, mask: 0 }
    }

    /// The smallest tnum holding every value in `min..=max`.
    pub fn range(min: u64, max: u64) -> Tnum {
        let chi = min ^ max;
        let bits = 64 - chi.leading_zeros();
        if bits > 63 {
            return Tnum::UNKNOWN;
        }
        let delta = (1u64 << bits) - 1;
        Tnum {
            value: min & !delta,
            mask: delta,
        }
    }

    /// True if every bit is known.
    pub fn is_const(self) -> bool {
        self.mask == 0
    }

    /// The largest value it can hold.
    pub fn umax(self) -> u64 {
        self.value | self.mask
    }

    /// Addition.
    pub fn add(self, b: Tnum) -> Tnum {
        let sm = self.mask.wrapping_add(b.mask);
        let sv = self.value.wrapping_add(b.value);
        let sigma = sm.wrapping_add(sv);
        let chi = sigma ^ sv;
        let mu = chi | self.mask | b.mask;
        Tnum {
            value: sv & !mu,
            mask: mu,
        }
    }

    /// Subtraction.
    pub fn sub(self, b: Tnum) -> Tnum {
        let dv = self.value.wrapping_sub(b.value);
        let alpha = dv.wrapping_add(self.mask);
        let beta = dv.wrapping_sub(b.mask);
        let chi = alpha ^ beta;
        let mu = chi | self.mask | b.mask;
        Tnum {
            value: dv & !mu,
            mask: mu,
        }
    }

    /// Bitwise and.
    pub fn and(self, b: Tnum) -> Tnum {
        let alpha = self.value | self.mask;
        let beta = b.value | b.mask;
        let v = self.value & b.value;
        Tnum {
            value: v,
            mask: alpha & beta & !v,
        }
    }

    /// Bitwise or.
    pub fn or(self, b: Tnum) -> Tnum {
        let v = self.value | b.value;
        let mu = self.mask | b.mask;
        Tnum {
            value: v,
            mask: mu & !v,
        }
    }

    /// Bitwise exclusive or.
    pub fn xor(self, b: Tnum) -> Tnum {
        let v = self.value ^ b.value;
        let mu = self.mask | b.mask;
        Tnum {
            value: v & !mu,
            mask: mu,
        }
    }

    /// Left shift by a known amount below 64.
    pub fn lsh(self, k: u32) -> Tnum {
        Tnum {
            value: self.value << k,
            mask: self.mask << k,
        }
    }

    /// Logical right shift by a known amount below 64.
    pub fn rsh(self, k: u32) -> Tnum {
        Tnum {
            value: self.value >> k,
            mask: self.mask >> k,
        }
    }

    /// Arithmetic right shift (64-bit) by a known amount below 64.
    pub fn arsh(self, k: u32) -> Tnum {
        Tnum {
            value: ((self.value as i64) >> k) as u64,
            mask: ((self.mask as i64) >> k) as u64,
        }
    }

    /// The bits both tnums agree are possible.
    pub fn intersect(self, b: Tnum) -> Tnum {
        let v = self.value | b.value;
        let mu = self.mask & b.mask;
        Tnum {
            value: v & !mu,
            mask: mu,
        }
    }

    /// Multiplication. Kernels before 6.17 and after compute `tnum_mul` with two different
    /// algorithms, neither always more precise than the other (6.18 knows nothing of the low
    /// bits of `w4 *= 3` with w4 in 0x7fffffc0..=0x7fffffff; the older one knows them), so the
    /// result is the union of both: never more precise than either kernel.
    pub fn mul(self, b: Tnum) -> Tnum {
        self.mul_old(b).union(self.mul_new(b))
    }

    /// The older `tnum_mul`: partial products of the known and unknown bits, added up.
    fn mul_old(self, b: Tnum) -> Tnum {
        let (mut a, mut b) = (self, b);
        let acc_v = a.value.wrapping_mul(b.value);
        let mut acc_m = Tnum::konst(0);
        while a.value != 0 || a.mask != 0 {
            if a.value & 1 != 0 {
                acc_m = acc_m.add(Tnum {
                    value: 0,
                    mask: b.mask,
                });
            } else if a.mask & 1 != 0 {
                acc_m = acc_m.add(Tnum {
                    value: 0,
                    mask: b.value | b.mask,
                });
            }
            a = a.rsh(1);
            b = b.lsh(1);
        }
        Tnum::konst(acc_v).add(acc_m)
    }

    /// The newer `tnum_mul`: shift-and-add, an uncertain bit of `a` giving the union of adding
    /// `b` or not.
    fn mul_new(self, b: Tnum) -> Tnum {
        let (mut a, mut b) = (self, b);
        let mut acc = Tnum::konst(0);
        while a.value != 0 || a.mask != 0 {
            if a.value & 1 != 0 {
                acc = acc.add(b);
            } else if a.mask & 1 != 0 {
                acc = acc.union(acc.add(b));
            }
            a = a.rsh(1);
            b = b.lsh(1);
        }
        acc
    }

    /// The smallest tnum holding every value of `self` and of `b` (`tnum_union`).
    pub fn union(self, b: Tnum) -> Tnum {
        let v = self.value & b.value;
        let mu = (self.value ^ b.value) | self.mask | b.mask;
        Tnum {
            value: v & !mu,
            mask: mu,
        }
    }

    /// True if every value `self` can hold, `of` can hold too.
    #[inline(always)]
    pub fn is_subset_of(self, of: Tnum) -> bool {
        if self.mask & !of.mask != 0 {
            return false;
        }
        (self.value & !of.mask) == of.value
    }

    /// The low 32 bits, zero-extended.
    pub fn cast32(self) -> Tnum {
        Tnum {
            value: self.value & 0xffff_ffff,
            mask: self.mask & 0xffff_ffff,
        }
    }
}

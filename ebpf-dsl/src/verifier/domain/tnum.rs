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

    /// The smallest value of `self` above `z` (the kernel's `tnum_step`): `self.umax()` when
    /// `z` is at or above it, the smallest value `self.value` when `z` is below that.
    pub fn step(self, z: u64) -> u64 {
        let top = self.umax();
        if z >= top {
            return top;
        }
        if z < self.value {
            return self.value;
        }
        // The values are `value + s` for the subsets s of `mask`: find the smallest subset
        // above d = z - value. A bit of d outside the mask is 0 in every subset, so a subset
        // above d is above d with every bit up to that one set too; then counting up by one
        // with the non-mask bits set carries straight through them.
        let d = z - self.value;
        let outside = d & !self.mask;
        let low = match outside {
            0 => 0,
            o => u64::MAX >> o.leading_zeros(),
        };
        let next = (d | low | !self.mask).wrapping_add(1) & self.mask;
        self.value | next
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
    pub(crate) fn mul_old(self, b: Tnum) -> Tnum {
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
    /// `b` or not (the only one of kernels from
    /// [`KernelVersion::TNUM_MUL_SHIFT_ADD`](crate::verifier::KernelVersion::TNUM_MUL_SHIFT_ADD)).
    pub(crate) fn mul_new(self, b: Tnum) -> Tnum {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The values of `t` (a few unknown bits), by brute force.
    fn values(t: Tnum) -> Vec<u64> {
        let bits: Vec<u32> = (0..64).filter(|b| t.mask >> b & 1 == 1).collect();
        (0..1u64 << bits.len())
            .map(|i| {
                bits.iter()
                    .enumerate()
                    .fold(t.value, |v, (j, b)| v | (i >> j & 1) << b)
            })
            .collect()
    }

    #[test]
    fn step_is_the_next_value_above() {
        for t in [
            Tnum {
                value: 0b0111_0000,
                mask: 0b1000_0010,
            },
            Tnum {
                value: 0xe0,
                mask: 0x10,
            },
            Tnum {
                value: 0,
                mask: 0b1011_0101,
            },
            Tnum {
                value: 1 << 40,
                mask: 1 << 63 | 0b110,
            },
        ] {
            let vs = values(t);
            for z in (0..300u64).chain([1 << 40, (1 << 40) + 7, 1 << 63, u64::MAX]) {
                let want = vs.iter().copied().filter(|&v| v > z).min();
                let want = if z < t.value {
                    t.value
                } else {
                    want.unwrap_or(t.umax())
                };
                assert_eq!(t.step(z), want, "{t:?} above {z}");
            }
        }
    }
}

//! A seeded random number generator for the domain's tests (xorshift64*): the same numbers on
//! every run, and the random operands the domain's soundness tests draw.

use super::scalar::Scalar;
use super::tnum::Tnum;

/// xorshift64*, seeded.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    /// The next number.
    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

impl Rng {
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A number near an edge: small, near 2^31 or 2^32 or 2^63, near the top, or random.
    pub(crate) fn edge(&mut self) -> u64 {
        let x = self.next();
        let d = self.below(512);
        match self.below(7) {
            0 => d,
            1 => (1u64 << 31).wrapping_add(d).wrapping_sub(256),
            2 => (1u64 << 32).wrapping_add(d).wrapping_sub(256),
            3 => (1u64 << 63).wrapping_add(d).wrapping_sub(256),
            4 => u64::MAX - d,
            5 => (u32::MAX as u64 - d) | (x << 32),
            _ => x,
        }
    }

    /// A value as the kernel may hold it: known bits, a range of either width and sign,
    /// synchronised once (often not a fixed point), holding some number.
    pub(crate) fn member_operand(&mut self) -> Option<(Scalar, u64)> {
        let x = self.edge();
        let y = match self.below(3) {
            0 => x.wrapping_add(self.below(300)),
            1 => self.edge(),
            _ => x | (self.next() & 0xffff),
        };
        let mask = match self.below(5) {
            0 => u64::MAX,
            1 => 0,
            2 => self.next() & 0xffff,
            3 => !(self.next() & self.next()),
            _ => self.next(),
        };
        let mut s = Scalar {
            t: Tnum {
                value: x & !mask,
                mask,
            },
            ..Scalar::UNKNOWN
        };
        match self.below(4) {
            0 => (s.umin, s.umax) = (x.min(y), x.max(y)),
            1 => (s.smin, s.smax) = ((x as i64).min(y as i64), (x as i64).max(y as i64)),
            2 => (s.u32min, s.u32max) = ((x as u32).min(y as u32), (x as u32).max(y as u32)),
            _ => {
                let (p, q) = (x as u32 as i32, y as u32 as i32);
                (s.s32min, s.s32max) = (p.min(q), p.max(q))
            }
        }
        let s = s.sync()?;
        // A member: `x` itself when it fits, else a few tries of the known bits' values.
        for i in 0..64 {
            let v = if i == 0 {
                x
            } else {
                s.t.value | (self.next() & s.t.mask)
            };
            if holds(&s, v) {
                return Some((s, v));
            }
        }
        None
    }
}

/// Whether `v` is one of the values `s` describes.
pub(crate) fn holds(s: &Scalar, v: u64) -> bool {
    (s.umin..=s.umax).contains(&v)
        && (s.smin..=s.smax).contains(&(v as i64))
        && (s.u32min..=s.u32max).contains(&(v as u32))
        && (s.s32min..=s.s32max).contains(&(v as u32 as i32))
        && v & !s.t.mask == s.t.value
}

//! Sets of value sources across call frames (see [`super::deps`]): for each of the outermost
//! [`FRAMES`] frames of a checkpoint, [`LOCS`] bits (0..=10 its registers, 11..=74 its stack
//! slots), one frame after the other (`STRIDE` bits apart) in 64-bit words, and one bit,
//! [`OTHER`], standing for every location of the frames deeper than that (compared exactly, as
//! a whole; the kernel has no deeper frames, `MAX_CALL_FRAMES` being 8).

use std::ops::{BitAnd, BitAndAssign, BitOr, BitOrAssign, Not};

/// Call frames whose locations have a bit each (deeper ones share [`OTHER`]): every frame the
/// kernel allows (`MAX_CALL_FRAMES`, 8). With fewer, the locations of a deep callee's frames
/// were compared exactly, slots no path reads included, and a subprogram three calls deep that
/// leaves different dead slots on two paths (test_verifier's `scale test 2`: 8,192 branches
/// seven calls deep) was never pruned: 2^N paths where the kernel walks N.
pub(crate) const FRAMES: usize = 8;
/// Nameable locations of one frame (11 registers, 64 slots).
pub(crate) const LOCS: usize = 75;
/// The locations of one frame in its word.
pub(crate) const FRAME_BITS: u128 = (1u128 << LOCS) - 1;
/// The bits a frame takes (its [`LOCS`] and padding): a multiple of 16, so that each frame's
/// bits start at most 48 bits into a word and lie in two words (48 + 75 <= 128).
const STRIDE: usize = 80;
/// The 64-bit words of a mask.
const WORDS: usize = 11;
/// The bit standing for "any location of a frame at index [`FRAMES`] or deeper" (after the
/// frames' bits).
const OTHER_POS: usize = FRAMES * STRIDE;
const _: () = assert!(OTHER_POS < WORDS * 64);
const _: () = {
    let mut f = 0;
    while f < FRAMES {
        assert!((f * STRIDE) % 64 + LOCS <= 128);
        f += 1;
    }
};

/// A set of sources: locations `(frame, loc)` of a checkpoint (see the module documentation).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Mask([u64; WORDS]);

/// The first word and the shift of frame `f`'s bits.
const fn place(f: usize) -> (usize, usize) {
    (f * STRIDE / 64, f * STRIDE % 64)
}

impl Mask {
    /// No source.
    pub(crate) const EMPTY: Mask = Mask([0; WORDS]);
    /// Every source.
    pub(crate) const ALL: Mask = {
        // every frame's locations (not the padding after them), and OTHER
        let mut w = [0; WORDS];
        let mut i = 0;
        while i < OTHER_POS {
            if i % STRIDE < LOCS {
                w[i / 64] |= 1 << (i % 64);
            }
            i += 1;
        }
        w[OTHER_POS / 64] |= 1 << (OTHER_POS % 64);
        Mask(w)
    };
    /// Every location of the frames deeper than [`FRAMES`].
    pub(crate) const OTHER: Mask = {
        let mut w = [0; WORDS];
        w[OTHER_POS / 64] = 1 << (OTHER_POS % 64);
        Mask(w)
    };

    /// Location `loc` (a register 0..=10 or `11 + slot`) of frame `frame`.
    pub(crate) const fn loc(frame: usize, loc: usize) -> Mask {
        if frame >= FRAMES {
            return Mask::OTHER;
        }
        let i = frame * STRIDE + loc;
        let mut w = [0; WORDS];
        w[i / 64] = 1 << (i % 64);
        Mask(w)
    }

    /// The locations of frame `f` (bits as in one word: registers, then slots); 0 for a frame
    /// without bits of its own.
    #[inline]
    pub(crate) fn frame(&self, f: usize) -> u128 {
        if f >= FRAMES {
            return 0;
        }
        // A frame's bits lie in two words from its first (see `STRIDE`).
        let (i, sh) = place(f);
        let x = self.0[i] as u128 | (self.0[i + 1] as u128) << 64;
        (x >> sh) & FRAME_BITS
    }

    /// A mask of frame `f`'s locations `bits` (the [`Mask::OTHER`] bit for a deeper frame).
    #[inline]
    pub(crate) fn of_frame(f: usize, bits: u128) -> Mask {
        if bits == 0 {
            return Mask::EMPTY;
        }
        if f >= FRAMES {
            return Mask::OTHER;
        }
        let (i, sh) = place(f);
        let x = (bits & FRAME_BITS) << sh;
        let mut w = [0; WORDS];
        w[i] = x as u64;
        w[i + 1] = (x >> 64) as u64;
        Mask(w)
    }

    /// True if [`Mask::OTHER`] is in the set.
    pub(crate) fn has_other(&self) -> bool {
        self.0[OTHER_POS / 64] >> (OTHER_POS % 64) & 1 != 0
    }

    /// True for the empty set.
    pub(crate) fn is_empty(&self) -> bool {
        self.0 == [0; WORDS]
    }

    /// Calls `f(frame, loc)` for each named location in the set, in increasing order (frame,
    /// then location); [`Mask::OTHER`] is not visited (see [`Mask::has_other`]).
    // Its users in the verifier walk the words themselves (cheaper); the tests check it.
    #[cfg(test)]
    pub(crate) fn for_each(&self, mut f: impl FnMut(usize, usize)) {
        for k in 0..FRAMES {
            let mut bits = self.frame(k);
            while bits != 0 {
                let b = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                f(k, b);
            }
        }
    }

    /// The named locations' bits, packed in increasing location order (frame, then
    /// location), in words of 64.
    pub(crate) fn words(&self) -> [u64; WORDS] {
        self.named().0
    }

    /// The set without [`Mask::OTHER`] (its named locations only).
    pub(crate) fn named(mut self) -> Mask {
        self.0[OTHER_POS / 64] &= !(1 << (OTHER_POS % 64));
        self
    }
}

impl BitOr for Mask {
    type Output = Mask;
    fn bitor(mut self, o: Mask) -> Mask {
        self |= o;
        self
    }
}

impl BitOrAssign for Mask {
    fn bitor_assign(&mut self, o: Mask) {
        for (a, b) in self.0.iter_mut().zip(o.0) {
            *a |= b;
        }
    }
}

impl BitAnd for Mask {
    type Output = Mask;
    fn bitand(mut self, o: Mask) -> Mask {
        self &= o;
        self
    }
}

impl BitAndAssign for Mask {
    fn bitand_assign(&mut self, o: Mask) {
        for (a, b) in self.0.iter_mut().zip(o.0) {
            *a &= b;
        }
    }
}

impl Not for Mask {
    type Output = Mask;
    fn not(self) -> Mask {
        Mask(self.0.map(|w| !w)) & Mask::ALL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_have_their_own_bits_and_deeper_ones_share_one() {
        let a = Mask::loc(0, 3) | Mask::loc(1, 3) | Mask::loc(2, 74);
        assert_eq!(a.frame(0), 1 << 3);
        assert_eq!(a.frame(1), 1 << 3);
        assert_eq!(a.frame(2), 1 << 74);
        assert!(!a.has_other());
        assert_eq!(Mask::loc(FRAMES, 0), Mask::OTHER);
        assert_eq!(Mask::loc(FRAMES + 1, 12), Mask::OTHER);
        assert!(Mask::OTHER.has_other());
        assert_eq!(Mask::OTHER.frame(0), 0);
        let mut seen = Vec::new();
        a.for_each(|f, l| seen.push((f, l)));
        assert_eq!(seen, [(0, 3), (1, 3), (2, 74)]);
        assert_eq!(!Mask::EMPTY, Mask::ALL);
        assert_eq!(a & !Mask::loc(1, 3), Mask::loc(0, 3) | Mask::loc(2, 74));
        assert!((Mask::ALL & !Mask::ALL).is_empty());
        assert_eq!(Mask::of_frame(1, 0b101), Mask::loc(1, 0) | Mask::loc(1, 2));
        assert_eq!(Mask::of_frame(FRAMES, 0b101), Mask::OTHER);
        assert!(Mask::of_frame(FRAMES, 0).is_empty());
        assert_eq!(Mask::loc(7, 12).frame(7), 1 << 12);
        let b = a | Mask::OTHER | Mask::loc(0, 70);
        assert_eq!(b.named(), a | Mask::loc(0, 70));
        let mut seen = Vec::new();
        b.for_each(|f, l| seen.push((f, l)));
        assert_eq!(seen, [(0, 3), (0, 70), (1, 3), (2, 74)]);
    }
}

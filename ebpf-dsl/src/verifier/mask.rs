//! Sets of value sources across call frames (see [`super::deps`]): for each of the outermost
//! [`Mask::FRAMES`] frames of a checkpoint, [`LOCS`] bits (0..=10 its registers, 11..=74 its
//! stack slots), one frame after the other (`STRIDE` bits apart) in `W` 64-bit words, and one
//! bit, [`Mask::OTHER`], standing for every location of the frames deeper than that (compared
//! exactly, as a whole).
//!
//! The width follows the program ([`Width`]): a mask copied, or-ed and compared at every
//! instruction costs its words, and most programs never call (one frame: 2 words) where the
//! kernel allows 8 frames (10 words). The verifier's structures that hold masks are generic
//! over `W`, picked once per program from the deepest chain of calls its call graph allows
//! ([`Width::for_frames`]). A program whose states have at most [`Mask::FRAMES`] frames gets
//! the same marks, hence the same prunes, at every width that has them: a deeper frame never
//! exists, so no location sets [`Mask::OTHER`]; only the comparison's filter of the locations
//! it looks at holds it (`prune.rs`'s `live_mask`), and [`Mask::ALL`], which marks a stack
//! access to a frame the path does not have (an instruction then refused, which ends the
//! verification). A width too narrow would still be sound (the deeper frames compared exactly,
//! as [`Mask::OTHER`] says), only prune less.

use std::ops::{BitAnd, BitAndAssign, BitOr, BitOrAssign, Not};

/// The most call frames a state has (the kernel's `MAX_CALL_FRAMES`). With fewer frames named
/// by the widest mask, the locations of a deep callee's frames were compared exactly, slots no
/// path reads included, and a subprogram three calls deep that leaves different dead slots on
/// two paths (test_verifier's `scale test 2`: 8,192 branches seven calls deep) was never
/// pruned: 2^N paths where the kernel walks N.
pub(crate) const MAX_FRAMES: usize = 8;
/// Nameable locations of one frame (11 registers, 64 slots).
pub(crate) const LOCS: usize = 75;
/// The locations of one frame in its word.
pub(crate) const FRAME_BITS: u128 = (1u128 << LOCS) - 1;
/// The bits a frame takes (its [`LOCS`] and padding): a multiple of 16, so that each frame's
/// bits start at most 48 bits into a word and lie in two words (48 + 75 <= 128).
const STRIDE: usize = 80;
/// The words of the widest mask: [`MAX_FRAMES`] frames.
pub(crate) const WIDE: usize = 10;

/// The frames a mask of `words` words names: as many as fit with the [`Mask::OTHER`] bit
/// right after the last one's locations, at most [`MAX_FRAMES`].
const fn frames_in(words: usize) -> usize {
    let f = (words * 64 - LOCS - 1) / STRIDE + 1;
    if f < MAX_FRAMES {
        f
    } else {
        MAX_FRAMES
    }
}

/// The widths the verifier is built for, in words, and the frames each names (see the module
/// documentation): 1, 2, 3 or 8 frames.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Width {
    /// One frame: 2 words.
    W2,
    /// Two frames: 3 words.
    W3,
    /// Three frames: 4 words.
    W4,
    /// Every frame the kernel allows: [`WIDE`] words.
    Wide,
}

impl Width {
    /// The narrowest width that names `frames` frames.
    pub(crate) fn for_frames(frames: usize) -> Width {
        match frames {
            0 | 1 => Width::W2,
            2 => Width::W3,
            3 => Width::W4,
            _ => Width::Wide,
        }
    }
}

const _: () = {
    assert!(frames_in(2) == 1 && frames_in(3) == 2 && frames_in(4) == 3);
    assert!(frames_in(WIDE) == MAX_FRAMES && frames_in(WIDE - 1) < MAX_FRAMES);
};

/// A set of sources: locations `(frame, loc)` of a checkpoint (see the module documentation),
/// in `W` words.
#[derive(Clone, Copy, Eq, Debug)]
pub(crate) struct Mask<const W: usize = WIDE>([u64; W]);

// Word by word, inlined: the derived comparison of the arrays calls `memcmp` (~20
// instructions a call, 2-3% of a small program's verification: every mark and every
// dependency update asks `is_empty` or compares).
impl<const W: usize> PartialEq for Mask<W> {
    #[inline(always)]
    fn eq(&self, other: &Self) -> bool {
        self.0
            .iter()
            .zip(&other.0)
            .fold(0, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

impl<const W: usize> Default for Mask<W> {
    fn default() -> Self {
        Mask::EMPTY
    }
}

/// The first word and the shift of frame `f`'s bits.
const fn place(f: usize) -> (usize, usize) {
    (f * STRIDE / 64, f * STRIDE % 64)
}

impl<const W: usize> Mask<W> {
    /// Call frames whose locations have a bit each (deeper ones share [`Mask::OTHER`]).
    pub(crate) const FRAMES: usize = {
        let f = frames_in(W);
        // Each frame's bits lie in two words from its first (see `STRIDE`), within the mask.
        assert!(f >= 1 && place(f - 1).0 + 1 < W);
        f
    };
    /// The bit standing for "any location of a frame at index [`Mask::FRAMES`] or deeper"
    /// (right after the last frame's locations).
    const OTHER_POS: usize = (Self::FRAMES - 1) * STRIDE + LOCS;
    /// No source.
    pub(crate) const EMPTY: Self = Mask([0; W]);
    /// Every source.
    pub(crate) const ALL: Self = {
        // every frame's locations (not the padding after them), and OTHER
        let mut w = [0; W];
        let mut i = 0;
        while i < Self::OTHER_POS {
            if i % STRIDE < LOCS {
                w[i / 64] |= 1 << (i % 64);
            }
            i += 1;
        }
        w[Self::OTHER_POS / 64] |= 1 << (Self::OTHER_POS % 64);
        Mask(w)
    };
    /// Every location of the frames deeper than [`Mask::FRAMES`].
    pub(crate) const OTHER: Self = {
        let mut w = [0; W];
        w[Self::OTHER_POS / 64] = 1 << (Self::OTHER_POS % 64);
        Mask(w)
    };

    /// Location `loc` (a register 0..=10 or `11 + slot`) of frame `frame`.
    pub(crate) const fn loc(frame: usize, loc: usize) -> Self {
        if frame >= Self::FRAMES {
            return Self::OTHER;
        }
        let i = frame * STRIDE + loc;
        let mut w = [0; W];
        w[i / 64] = 1 << (i % 64);
        Mask(w)
    }

    /// The locations of frame `f` (bits as in one word: registers, then slots); 0 for a frame
    /// without bits of its own.
    #[inline]
    pub(crate) fn frame(&self, f: usize) -> u128 {
        if f >= Self::FRAMES {
            return 0;
        }
        // A frame's bits lie in two words from its first (see `STRIDE`).
        let (i, sh) = place(f);
        let x = self.0[i] as u128 | (self.0[i + 1] as u128) << 64;
        (x >> sh) & FRAME_BITS
    }

    /// A mask of frame `f`'s locations `bits` (the [`Mask::OTHER`] bit for a deeper frame).
    #[inline]
    pub(crate) fn of_frame(f: usize, bits: u128) -> Self {
        if bits == 0 {
            return Self::EMPTY;
        }
        if f >= Self::FRAMES {
            return Self::OTHER;
        }
        let (i, sh) = place(f);
        let x = (bits & FRAME_BITS) << sh;
        let mut w = [0; W];
        w[i] = x as u64;
        w[i + 1] = (x >> 64) as u64;
        Mask(w)
    }

    /// True if [`Mask::OTHER`] is in the set.
    pub(crate) fn has_other(&self) -> bool {
        self.0[Self::OTHER_POS / 64] >> (Self::OTHER_POS % 64) & 1 != 0
    }

    /// True for the empty set.
    #[inline(always)]
    pub(crate) fn is_empty(&self) -> bool {
        self.0.iter().fold(0, |acc, w| acc | w) == 0
    }

    /// Calls `f(frame, loc)` for each named location in the set, in increasing order (frame,
    /// then location); [`Mask::OTHER`] is not visited (see [`Mask::has_other`]).
    // Its users in the verifier walk the words themselves (cheaper); the tests check it.
    #[cfg(test)]
    pub(crate) fn for_each(&self, mut f: impl FnMut(usize, usize)) {
        for k in 0..Self::FRAMES {
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
    pub(crate) fn words(&self) -> [u64; W] {
        self.named().0
    }

    /// The set without [`Mask::OTHER`] (its named locations only).
    pub(crate) fn named(mut self) -> Self {
        self.0[Self::OTHER_POS / 64] &= !(1 << (Self::OTHER_POS % 64));
        self
    }
}

impl<const W: usize> BitOr for Mask<W> {
    type Output = Self;
    #[inline]
    fn bitor(mut self, o: Self) -> Self {
        self |= o;
        self
    }
}

impl<const W: usize> BitOrAssign for Mask<W> {
    #[inline]
    fn bitor_assign(&mut self, o: Self) {
        // Indexed, not zipped with the array's by-value iterator: unrolled to `W` word
        // operations (the zip kept a loop at every or of the per-instruction marks).
        for i in 0..W {
            self.0[i] |= o.0[i];
        }
    }
}

impl<const W: usize> BitAnd for Mask<W> {
    type Output = Self;
    #[inline]
    fn bitand(mut self, o: Self) -> Self {
        self &= o;
        self
    }
}

impl<const W: usize> BitAndAssign for Mask<W> {
    #[inline]
    fn bitand_assign(&mut self, o: Self) {
        for i in 0..W {
            self.0[i] &= o.0[i];
        }
    }
}

impl<const W: usize> Not for Mask<W> {
    type Output = Self;
    fn not(self) -> Self {
        Mask(self.0.map(|w| !w)) & Self::ALL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The widest mask (its frames 0..=7, then OTHER).
    type M = Mask;

    #[test]
    fn frames_have_their_own_bits_and_deeper_ones_share_one() {
        let a = M::loc(0, 3) | M::loc(1, 3) | M::loc(2, 74);
        assert_eq!(a.frame(0), 1 << 3);
        assert_eq!(a.frame(1), 1 << 3);
        assert_eq!(a.frame(2), 1 << 74);
        assert!(!a.has_other());
        assert_eq!(M::loc(M::FRAMES, 0), M::OTHER);
        assert_eq!(M::loc(M::FRAMES + 1, 12), M::OTHER);
        assert!(M::OTHER.has_other());
        assert_eq!(M::OTHER.frame(0), 0);
        let mut seen = Vec::new();
        a.for_each(|f, l| seen.push((f, l)));
        assert_eq!(seen, [(0, 3), (1, 3), (2, 74)]);
        assert_eq!(!M::EMPTY, M::ALL);
        assert_eq!(a & !M::loc(1, 3), M::loc(0, 3) | M::loc(2, 74));
        assert!((M::ALL & !M::ALL).is_empty());
        assert_eq!(M::of_frame(1, 0b101), M::loc(1, 0) | M::loc(1, 2));
        assert_eq!(M::of_frame(M::FRAMES, 0b101), M::OTHER);
        assert!(M::of_frame(M::FRAMES, 0).is_empty());
        assert_eq!(M::loc(7, 12).frame(7), 1 << 12);
        let b = a | M::OTHER | M::loc(0, 70);
        assert_eq!(b.named(), a | M::loc(0, 70));
        let mut seen = Vec::new();
        b.for_each(|f, l| seen.push((f, l)));
        assert_eq!(seen, [(0, 3), (0, 70), (1, 3), (2, 74)]);
    }

    /// A narrower mask is the widest one with the frames from its `FRAMES` on folded into
    /// OTHER: every operation agrees with that projection.
    fn narrow_agrees<const W: usize>() {
        let fold = |m: M| {
            let mut out = if m.has_other() {
                Mask::<W>::OTHER
            } else {
                Mask::<W>::EMPTY
            };
            for f in 0..MAX_FRAMES {
                out |= Mask::<W>::of_frame(f, m.frame(f));
            }
            out
        };
        assert_eq!(Mask::<W>::FRAMES, frames_in(W));
        assert_eq!(fold(M::ALL), Mask::<W>::ALL);
        assert!(!Mask::<W>::EMPTY.has_other() && Mask::<W>::OTHER.has_other());
        // Masks of a program whose states have at most `FRAMES` frames: bits of those frames
        // only (OTHER alone aside, as in `live_mask`).
        let last = Mask::<W>::FRAMES - 1;
        let samples = [
            M::loc(0, 0) | M::loc(0, 74) | M::loc(last, 11),
            M::loc(last, 40) | M::loc(0, 63) | M::loc(0, 64),
            M::of_frame(0, FRAME_BITS) | M::of_frame(last, 0x7ff << 30),
            M::EMPTY,
        ];
        for a in samples {
            for b in samples {
                for (a, b) in [(a, b), (a | M::OTHER, b), (a, b | M::OTHER)] {
                    assert_eq!(fold(a | b), fold(a) | fold(b));
                    assert_eq!(fold(a & b), fold(a) & fold(b));
                    assert_eq!(fold(a & !b.named()), fold(a) & !fold(b.named()));
                    assert_eq!(fold(a) == fold(b), a == b);
                }
            }
            for f in 0..Mask::<W>::FRAMES {
                assert_eq!(fold(a).frame(f), a.frame(f));
            }
            assert_eq!(fold(a).is_empty(), a.is_empty());
            assert_eq!(fold(a | M::OTHER).named(), fold(a));
            assert!(fold(a | M::OTHER).has_other());
            // The words list the named locations in the same order.
            let (wa, wn) = (a.words(), fold(a).words());
            let ones = |w: &[u64]| w.iter().map(|x| x.count_ones()).sum::<u32>();
            assert_eq!(ones(&wa), ones(&wn));
        }
        for f in 0..Mask::<W>::FRAMES {
            for l in [0, 10, 11, 63, 64, 74] {
                assert_eq!(fold(M::loc(f, l)), Mask::<W>::loc(f, l));
                assert_eq!(Mask::<W>::loc(f, l).frame(f), 1 << l);
            }
        }
        assert_eq!(Mask::<W>::loc(Mask::<W>::FRAMES, 5), Mask::<W>::OTHER);
    }

    #[test]
    fn every_width_names_its_frames_as_the_widest() {
        narrow_agrees::<2>();
        narrow_agrees::<3>();
        narrow_agrees::<4>();
        narrow_agrees::<WIDE>();
        for (frames, w) in [(1, 2), (2, 3), (3, 4), (4, WIDE), (8, WIDE)] {
            let words = match Width::for_frames(frames) {
                Width::W2 => 2,
                Width::W3 => 3,
                Width::W4 => 4,
                Width::Wide => WIDE,
            };
            assert_eq!(words, w);
            assert!(frames_in(words) >= frames);
        }
    }
}

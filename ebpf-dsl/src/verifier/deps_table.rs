//! The storage of a path's sources (see [`super`]): sparse, only the locations whose sources
//! are not their frame's default.
//!
//! Right after a checkpoint every location is its own source (its *identity*), and a path
//! changes few of the 75 locations of a frame before its next checkpoint; a dense table (a
//! [`Mask`] per location and frame, ~3.6 KB a frame) was copied at every branch and scanned at
//! every checkpoint. Here each frame has a bitmap of the locations stored and the stored
//! sources sit in one vector, frame by frame, in location order: a branch copies a few masks,
//! and a checkpoint's [`Link`] is those of its frames with bits of their own, as they are.

use super::super::mask::{FRAME_BITS, LOCS, WIDE};
use super::Mask;

/// No stored sources (in [`Head::idx`]).
const NONE: u16 = u16::MAX;

/// One frame of a path's sources.
#[derive(Clone, Copy, Debug)]
struct Head {
    /// The locations whose sources are stored (bits 0..=10 registers, then slots).
    set: u128,
    /// Where in [`Deps::vals`] each location's sources are ([`NONE`] if not in `set`).
    idx: [u16; LOCS],
    /// What a location not in `set` holds: its identity (true), or no source (false: a new
    /// callee's frame before its first checkpoint).
    ident: bool,
}

impl Head {
    const IDENT: Head = Head {
        set: 0,
        idx: [NONE; LOCS],
        ident: true,
    };
}

/// The sources of every location of a path's state, one [`Head`] per call frame.
#[derive(Debug)]
pub(crate) struct Deps<const W: usize = WIDE> {
    heads: Vec<Head>,
    /// The stored sources, in the order they were first stored.
    vals: Vec<Mask<W>>,
}

impl<const W: usize> Clone for Deps<W> {
    fn clone(&self) -> Self {
        Deps {
            heads: self.heads.clone(),
            vals: self.vals.clone(),
        }
    }

    fn clone_from(&mut self, o: &Self) {
        self.heads.clone_from(&o.heads);
        self.vals.clone_from(&o.vals);
    }
}

impl<const W: usize> Deps<W> {
    /// The program's entry (no checkpoint yet: marks made before the first one go nowhere).
    pub(crate) fn entry() -> Self {
        Deps {
            heads: vec![Head::IDENT],
            vals: Vec::new(),
        }
    }

    /// The number of call frames.
    pub(crate) fn len(&self) -> usize {
        self.heads.len()
    }

    /// What location `b` of frame `f` holds when not stored.
    #[inline]
    fn default(&self, f: usize, b: usize) -> Mask<W> {
        if self.heads[f].ident {
            Mask::loc(f, b)
        } else {
            Mask::EMPTY
        }
    }

    /// The sources of location `b` (a register or `11 +` slot index) of frame `f`.
    #[inline]
    pub(crate) fn get(&self, f: usize, b: usize) -> Mask<W> {
        match self.heads[f].idx[b] {
            NONE => self.default(f, b),
            i => self.vals[i as usize],
        }
    }

    /// Stores `m` as the sources of location `b` of frame `f`, not stored yet.
    fn insert(&mut self, f: usize, b: usize, m: Mask<W>) {
        let h = &mut self.heads[f];
        h.set |= 1 << b;
        h.idx[b] = self.vals.len() as u16;
        self.vals.push(m);
    }

    /// Sets the sources of location `b` of frame `f` to `m`.
    #[inline]
    pub(crate) fn set(&mut self, f: usize, b: usize, m: Mask<W>) {
        match self.heads[f].idx[b] {
            NONE => {
                if m != self.default(f, b) {
                    self.insert(f, b, m);
                }
            }
            i => self.vals[i as usize] = m,
        }
    }

    /// Adds `m` to the sources of location `b` of frame `f`.
    #[inline]
    pub(crate) fn add(&mut self, f: usize, b: usize, m: Mask<W>) {
        // Nothing to add (an ALU operation with an immediate, most often).
        if m.is_empty() {
            return;
        }
        match self.heads[f].idx[b] {
            NONE => {
                let d = self.default(f, b);
                let v = d | m;
                if v != d {
                    self.insert(f, b, v);
                }
            }
            i => self.vals[i as usize] |= m,
        }
    }

    /// The union of the sources of frame `f`'s locations `bits`.
    #[inline]
    pub(crate) fn union_of(&self, f: usize, bits: u128) -> Mask<W> {
        let h = &self.heads[f];
        let rest = bits & !h.set;
        let mut out = if h.ident && rest != 0 {
            Mask::of_frame(f, rest)
        } else {
            Mask::EMPTY
        };
        let mut hits = bits & h.set;
        while hits != 0 {
            out |= self.vals[h.idx[hits.trailing_zeros() as usize] as usize];
            hits &= hits - 1;
        }
        out
    }

    /// A new innermost frame whose registers `r1`-`r5` have sources `args`, every other
    /// location none.
    pub(crate) fn push_frame(&mut self, args: [Mask<W>; 5]) {
        self.heads.push(Head {
            ident: false,
            ..Head::IDENT
        });
        let f = self.heads.len() - 1;
        // The width was picked for the program's deepest chain of calls (`Width`).
        debug_assert!(
            W == WIDE || f < Mask::<W>::FRAMES,
            "a call deeper than the masks' frames"
        );
        for (r, m) in args.into_iter().enumerate() {
            self.set(f, r + 1, m);
        }
    }

    /// Removes the innermost frame (and its stored sources: at most [`LOCS`] per frame are
    /// ever stored).
    pub(crate) fn pop_frame(&mut self) {
        let Some(h) = self.heads.pop() else {
            return;
        };
        if h.set == 0 {
            return;
        }
        let old = std::mem::take(&mut self.vals);
        for h in &mut self.heads {
            let mut w = h.set;
            while w != 0 {
                let b = w.trailing_zeros() as usize;
                self.vals.push(old[h.idx[b] as usize]);
                h.idx[b] = (self.vals.len() - 1) as u16;
                w &= w - 1;
            }
        }
    }

    /// At a new checkpoint: the sources of its locations in terms of its parent's (see
    /// [`Link`]), and the path's sources restarted from the checkpoint (every location its own
    /// source).
    pub(crate) fn checkpoint(&mut self) -> Link<W> {
        let named = self.heads.len().min(Mask::<W>::FRAMES);
        let mut changed = Mask::EMPTY;
        // A stored location that holds its identity again is listed too: it translates to
        // its own bit, as an unchanged one. In a callee's frame before its first checkpoint,
        // every location is changed.
        let bits = |h: &Head| if h.ident { h.set } else { FRAME_BITS };
        let n = self.heads[..named]
            .iter()
            .map(|h| bits(h).count_ones() as usize)
            .sum();
        let mut diff = Vec::with_capacity(n);
        for f in 0..named {
            let b = bits(&self.heads[f]);
            changed |= Mask::of_frame(f, b);
            let mut w = b;
            while w != 0 {
                diff.push(self.get(f, w.trailing_zeros() as usize));
                w &= w - 1;
            }
        }
        let other = (Mask::<W>::FRAMES..self.heads.len())
            .fold(Mask::EMPTY, |a, f| a | self.union_of(f, FRAME_BITS));
        for h in &mut self.heads {
            if h.ident {
                let mut w = h.set;
                while w != 0 {
                    h.idx[w.trailing_zeros() as usize] = NONE;
                    w &= w - 1;
                }
                h.set = 0;
            } else {
                *h = Head::IDENT;
            }
        }
        self.vals.clear();
        Link {
            diff,
            changed,
            other,
        }
    }
}

/// The sources of a checkpoint's locations in terms of its parent's: a location not in
/// `changed` still held what it held at the parent (its own bit); [`Mask::OTHER`] translates to
/// `other`, the sources of the locations of the frames without bits of their own.
#[derive(Clone, Debug)]
pub(crate) struct Link<const W: usize = WIDE> {
    /// The sources of the locations in `changed`, in increasing location order (frame, then
    /// location: the `k`-th is that of the location of rank `k` in `changed`).
    pub(super) diff: Vec<Mask<W>>,
    /// The locations whose sources may not be their own bit.
    pub(super) changed: Mask<W>,
    pub(super) other: Mask<W>,
}

#[cfg(test)]
#[path = "deps_table_tests.rs"]
mod tests;

//! The sparse table of a path's sources against a dense model of it (a mask per location and
//! frame, as the table was before it was made sparse), over pseudo-random operations: every
//! location's sources, the unions, and what each checkpoint's [`Link`] translates to.

use super::super::translate;
use super::*;

/// The frames the widest masks name (those tested here).
const FRAMES: usize = Mask::<WIDE>::FRAMES;

/// The dense model: per frame, the sources of each of its [`LOCS`] locations.
struct Dense(Vec<[Mask; LOCS]>);

impl Dense {
    fn identity(f: usize) -> [Mask; LOCS] {
        std::array::from_fn(|b| Mask::loc(f, b))
    }

    /// The old checkpoint: the changed locations (sources not their own bit) in order, the
    /// union of the deeper frames, then every frame its identity.
    fn checkpoint(&mut self) -> (Vec<(usize, usize, Mask)>, Mask) {
        let mut diff = Vec::new();
        let mut other = Mask::EMPTY;
        for (f, fr) in self.0.iter().enumerate() {
            for (b, m) in fr.iter().enumerate() {
                if f < FRAMES && *m != Mask::loc(f, b) {
                    diff.push((f, b, *m));
                }
                if f >= FRAMES {
                    other |= *m;
                }
            }
        }
        for (f, fr) in self.0.iter_mut().enumerate() {
            *fr = Dense::identity(f);
        }
        (diff, other)
    }

    /// What the old link translated `m` to.
    fn translate(diff: &[(usize, usize, Mask)], other: Mask, m: Mask) -> Mask {
        let mut out = if m.has_other() { other } else { Mask::EMPTY };
        for f in 0..FRAMES {
            let w = m.frame(f);
            for b in (0..LOCS).filter(|b| w >> b & 1 != 0) {
                out |= match diff.iter().find(|(g, c, _)| (*g, *c) == (f, b)) {
                    Some((_, _, s)) => *s,
                    None => Mask::loc(f, b),
                };
            }
        }
        out
    }
}

/// A xorshift generator (deterministic).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A few sources of the first frames (and sometimes the deeper ones' bit).
    fn mask(&mut self) -> Mask {
        let mut m = Mask::EMPTY;
        for _ in 0..self.below(4) {
            m |= Mask::loc(self.below(FRAMES + 1), self.below(LOCS));
        }
        m
    }
}

#[test]
fn sparse_table_agrees_with_the_dense_model() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..40 {
        let (mut d, mut model) = (Deps::entry(), Dense(vec![Dense::identity(0)]));
        for step in 0..600 {
            let f = rng.below(d.len());
            let b = rng.below(LOCS);
            match rng.below(12) {
                0..=3 => {
                    let m = rng.mask();
                    d.set(f, b, m);
                    model.0[f][b] = m;
                }
                4..=7 => {
                    let m = rng.mask();
                    d.add(f, b, m);
                    model.0[f][b] |= m;
                }
                8 if d.len() < 6 => {
                    let args = [0; 5].map(|_| rng.mask());
                    d.push_frame(args);
                    let mut fr = [Mask::EMPTY; LOCS];
                    fr[1..=5].copy_from_slice(&args);
                    model.0.push(fr);
                }
                9 if d.len() > 1 => {
                    d.pop_frame();
                    model.0.pop();
                }
                10 => {
                    let link = d.checkpoint();
                    let (diff, other) = model.checkpoint();
                    for _ in 0..8 {
                        let m = rng.mask() | Mask::loc(rng.below(FRAMES), rng.below(LOCS));
                        let want = Dense::translate(&diff, other, m);
                        assert_eq!(translate(&link, m), want, "step {step}");
                    }
                    assert_eq!(translate(&link, Mask::ALL), {
                        Dense::translate(&diff, other, Mask::ALL)
                    });
                }
                _ => {
                    let clone = d.clone();
                    d.clone_from(&clone);
                }
            }
            assert_eq!(d.len(), model.0.len());
            for (g, fr) in model.0.iter().enumerate() {
                for (c, m) in fr.iter().enumerate() {
                    assert_eq!(d.get(g, c), *m, "step {step} frame {g} loc {c}");
                }
                let bits = (rng.next() as u128) << 64 | rng.next() as u128;
                let bits = bits & FRAME_BITS;
                let want = (0..LOCS)
                    .filter(|c| bits >> c & 1 != 0)
                    .fold(Mask::EMPTY, |a, c| a | fr[c]);
                assert_eq!(d.union_of(g, bits), want, "step {step} frame {g}");
            }
        }
    }
}

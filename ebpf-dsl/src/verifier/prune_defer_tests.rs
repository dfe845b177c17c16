//! Marks gathered between prune points ([`Explorer::defer_marks`]) end as marks applied
//! instruction by instruction ([`Explorer::mark`]) would: at the path's checkpoint and,
//! translated through its link, at its parent; a prune hit's three kinds of marks made in one
//! walk end as made one kind after the other.

use super::super::deps::{Deps, Mask};
use super::super::initial_state;
use super::{Explorer, Mark, PruneResult};

/// Two checkpoints, at instructions 1 and 2; between them the path ran `r1 = r2`, so `r1` of
/// the second has `r2` of the first as its source.
fn two_checkpoints() -> (Explorer, usize, usize) {
    let mut ex: Explorer = Explorer::new(4, false, false);
    let st = initial_state();
    let mut d = Deps::entry();
    for _ in 0..8 {
        ex.tick(true);
    }
    let PruneResult::Continue(Some(c0)) = ex.visit(1, &st, &mut d, 0x7ff, None, false) else {
        panic!("a first checkpoint is stored");
    };
    d.set(0, 1, Mask::loc(0, 2));
    for _ in 0..8 {
        ex.tick(true);
    }
    let PruneResult::Continue(Some(c1)) = ex.visit(2, &st, &mut d, 0x7ff, Some(c0), false) else {
        panic!("a second checkpoint is stored");
    };
    (ex, c0, c1)
}

fn marks(ex: &Explorer, c: usize) -> [Mask; 3] {
    let ck = &ex.checkpoints[c];
    [ck.live, ck.precise, ck.demanded]
}

#[test]
fn deferred_marks_end_as_marks_made_one_by_one() {
    let (r1, r3, r4) = (Mask::loc(0, 1), Mask::loc(0, 3), Mask::loc(0, 4));
    // Instruction by instruction: read r1, demand r3, then read r4 and demand r1.
    let (mut now, c0, c1) = two_checkpoints();
    now.mark(Some(c1), r1, Mark::Read);
    now.mark(Some(c1), r3, Mark::Demanded);
    now.mark(Some(c1), r4, Mark::Read);
    now.mark(Some(c1), r1, Mark::Demanded);
    let (mut later, ..) = two_checkpoints();
    later.defer_marks(Some(c1), r1, r3);
    later.defer_marks(Some(c1), r4, r1);
    // Nothing applied yet; the end of the path applies them.
    assert_eq!(marks(&later, c1), [Mask::EMPTY; 3]);
    later.finish(Some(c1));
    assert_eq!(marks(&later, c1), marks(&now, c1));
    assert_eq!(marks(&later, c0), marks(&now, c0));
    // `r1` climbed to the first checkpoint as its source `r2`, demanded.
    let r2 = Mask::loc(0, 2);
    assert_eq!(marks(&now, c0)[2], r2 | r3);
    assert_eq!(marks(&now, c0)[0], r2 | r3 | r4);
}

#[test]
fn a_visit_with_nothing_to_compare_leaves_the_marks_deferred() {
    let (mut ex, c0, c1) = two_checkpoints();
    ex.defer_marks(Some(c1), Mask::loc(0, 1), Mask::EMPTY);
    let st = initial_state();
    let mut d = Deps::entry();
    // No checkpoint of instruction 3 to compare with: nothing reads the marks yet.
    let _ = ex.visit(3, &st, &mut d, 0x7ff, Some(c1), false);
    assert_eq!(marks(&ex, c1), [Mask::EMPTY; 3]);
    // The end of the path applies them, as made at once.
    ex.finish(Some(c1));
    assert_eq!(marks(&ex, c1)[0], Mask::loc(0, 1));
    assert_eq!(marks(&ex, c0)[0], Mask::loc(0, 2));
}

#[test]
fn a_visit_that_compares_applies_the_deferred_marks_first() {
    use super::super::domain::scalar::Scalar;
    use super::super::domain::state::RegVal;
    let with_r0 = |c: u64| {
        let mut st = initial_state();
        st.frames[0].regs[0] = RegVal::Scalar(Scalar::konst(c));
        st
    };
    let mut ex: Explorer = Explorer::new(4, false, false);
    // A finished checkpoint at instruction 1 whose `r0` (0) was demanded.
    for _ in 0..8 {
        ex.tick(true);
    }
    let mut d = Deps::entry();
    let PruneResult::Continue(Some(c)) = ex.visit(1, &with_r0(0), &mut d, 0x7ff, None, false)
    else {
        panic!("a checkpoint is stored");
    };
    ex.mark(Some(c), Mask::loc(0, 0), Mark::Demanded);
    ex.finish(Some(c));
    // Another path: a checkpoint at instruction 2, then marks deferred, then instruction 1
    // with another `r0` (not covered): the comparison reads marks, so they are applied first.
    for _ in 0..8 {
        ex.tick(true);
    }
    let mut d = Deps::entry();
    let PruneResult::Continue(Some(c2)) = ex.visit(2, &with_r0(1), &mut d, 0x7ff, None, false)
    else {
        panic!("a second checkpoint is stored");
    };
    ex.defer_marks(Some(c2), Mask::loc(0, 3), Mask::EMPTY);
    let _ = ex.visit(1, &with_r0(1), &mut d, 0x7ff, Some(c2), false);
    assert_eq!(marks(&ex, c2)[0], Mask::loc(0, 3));
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

    /// A few locations of the main frame: registers and the first stack slots.
    fn mask(&mut self) -> Mask {
        let mut m = Mask::EMPTY;
        for _ in 0..self.below(4) {
            m |= Mask::loc(0, self.below(16));
        }
        m
    }
}

/// A chain of checkpoints at instructions 1, 2, ... with random sources between them and
/// random marks already made (one by one), from `seed`: the same explorer for the same seed.
fn random_chain(seed: u64) -> (Explorer, Vec<usize>, Rng) {
    let mut rng = Rng(seed);
    let mut ex: Explorer = Explorer::new(16, false, false);
    let st = initial_state();
    let mut d = Deps::entry();
    let mut chain = Vec::new();
    for pc in 1..2 + rng.below(6) {
        for _ in 0..rng.below(4) {
            d.set(0, rng.below(16), rng.mask());
        }
        for _ in 0..8 {
            ex.tick(true);
        }
        let PruneResult::Continue(Some(c)) =
            ex.visit(pc, &st, &mut d, 0x7ff, chain.last().copied(), false)
        else {
            panic!("a checkpoint is stored at {pc}");
        };
        chain.push(c);
    }
    let how = [Mark::Read, Mark::Precise, Mark::Demanded];
    for _ in 0..rng.below(4) {
        let c = chain[rng.below(chain.len())];
        let m = rng.mask();
        ex.mark(Some(c), m, how[rng.below(3)]);
    }
    (ex, chain, rng)
}

/// The one walk of a prune hit's marks ([`Explorer::mark_hit`]) ends as its three marks made
/// one kind after the other.
#[test]
fn a_hits_marks_in_one_walk_end_as_three_walks() {
    for seed in 1..3000u64 {
        let (mut one, chain, mut rng) = random_chain(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let (mut three, ..) = random_chain(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let at = Some(chain[rng.below(chain.len())]);
        // As a hit makes them (demanded within precise within read), or any three sets.
        let (read, precise, demanded) = if rng.below(2) == 0 {
            let d = rng.mask();
            let p = d | rng.mask();
            (p | rng.mask(), p, d)
        } else {
            (rng.mask(), rng.mask(), rng.mask())
        };
        three.mark(at, read, Mark::Read);
        three.mark(at, precise, Mark::Precise);
        three.mark(at, demanded, Mark::Demanded);
        one.mark_hit(at, read, precise, demanded);
        for &c in &chain {
            assert_eq!(
                marks(&one, c),
                marks(&three, c),
                "seed {seed}, checkpoint {c}"
            );
        }
    }
}

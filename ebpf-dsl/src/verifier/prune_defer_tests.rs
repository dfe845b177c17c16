//! Marks gathered between prune points ([`Explorer::defer_marks`]) end as marks applied
//! instruction by instruction ([`Explorer::mark`]) would: at the path's checkpoint and,
//! translated through its link, at its parent.

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
fn a_visit_applies_the_deferred_marks_first() {
    let (mut ex, c0, c1) = two_checkpoints();
    ex.defer_marks(Some(c1), Mask::loc(0, 1), Mask::EMPTY);
    let st = initial_state();
    let mut d = Deps::entry();
    let _ = ex.visit(3, &st, &mut d, 0x7ff, Some(c1), false);
    assert_eq!(marks(&ex, c1)[0], Mask::loc(0, 1));
    assert_eq!(marks(&ex, c0)[0], Mask::loc(0, 2));
}

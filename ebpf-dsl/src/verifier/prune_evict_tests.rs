//! The eviction of checkpoints that keep missing (`super::prune`): a miss counts only on a
//! visit that would store a checkpoint (the kernel's `miss_cnt` rule).

use super::deps::Deps;
use super::domain::scalar::Scalar;
use super::domain::state::{RegVal, State};
use super::initial_state;
use super::mask::Mask;
use super::prune::{Explorer, Mark, PruneResult};

fn with_r0(c: u64) -> State {
    let mut st = initial_state();
    st.frames[0].regs[0] = RegVal::Scalar(Scalar::konst(c));
    st
}

/// A finished checkpoint at instruction 1 whose `r0` (the constant 0) was demanded.
fn explorer() -> Explorer {
    let mut ex: Explorer = Explorer::new(4, false, false);
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
    assert_eq!(ex.kept(1), 1);
    ex
}

fn miss(ex: &mut Explorer) {
    let mut d = Deps::entry();
    assert!(matches!(
        ex.visit(1, &with_r0(1), &mut d, 0x7ff, None, false),
        PruneResult::Continue(None)
    ));
}

#[test]
fn misses_between_checkpoints_do_not_evict() {
    let mut ex = explorer();
    // No instruction since the last checkpoint: no checkpoint would be stored, no miss counts.
    for _ in 0..20 {
        miss(&mut ex);
    }
    assert_eq!(ex.kept(1), 1);
    // The same state still prunes.
    let mut d = Deps::entry();
    assert!(matches!(
        ex.visit(1, &with_r0(0), &mut d, 0x7ff, None, false),
        PruneResult::Pruned
    ));
}

#[test]
fn misses_where_a_checkpoint_would_be_stored_evict() {
    let mut ex = explorer();
    // Each visit after 2 jumps and 8 instructions stores a checkpoint and counts a miss: the
    // fourth one (more than 3 × 0 + 3) drops the old checkpoint. Each path ends there (no
    // unfinished checkpoint at the instruction: not a loop), its `r0` demanded.
    for k in 0..4 {
        for _ in 0..8 {
            ex.tick(true);
        }
        let mut d = Deps::entry();
        let PruneResult::Continue(Some(c)) =
            ex.visit(1, &with_r0(1 + k), &mut d, 0x7ff, None, false)
        else {
            panic!("a checkpoint is stored");
        };
        ex.mark(Some(c), Mask::loc(0, 0), Mark::Demanded);
        ex.finish(Some(c));
    }
    // The four new ones are kept, the old one is gone: its state is no longer pruned.
    assert_eq!(ex.kept(1), 4);
    let mut d = Deps::entry();
    assert!(matches!(
        ex.visit(1, &with_r0(0), &mut d, 0x7ff, None, false),
        PruneResult::Continue(_)
    ));
}

#[test]
fn misses_inside_a_loop_spare_the_older_checkpoints() {
    let mut ex = explorer();
    // The first visit stores a checkpoint whose path goes on (unfinished: the loop's own);
    // the next rounds, within 20 jumps of it, store none and count no miss of the older
    // finished checkpoint (the kernel's `skip_inf_loop_check`), which stays.
    // Each round: 3 jumps and 8 instructions (a checkpoint outside a loop).
    let mut parent = None;
    for k in 0..7 {
        for _ in 0..3 {
            ex.tick(true);
        }
        for _ in 0..5 {
            ex.tick(false);
        }
        let mut d = Deps::entry();
        let PruneResult::Continue(p) = ex.visit(1, &with_r0(1 + k), &mut d, 0x7ff, parent, false)
        else {
            panic!("round {k} goes on");
        };
        assert!(p.is_some() && (k == 0 || p == parent), "round {k}");
        parent = p;
    }
    assert_eq!(ex.kept(1), 1);
    let mut d = Deps::entry();
    assert!(matches!(
        ex.visit(1, &with_r0(0), &mut d, 0x7ff, None, false),
        PruneResult::Pruned
    ));
}

#[test]
fn inside_a_loop_no_checkpoint_is_stored_within_20_jumps_and_100_instructions() {
    let mut ex = explorer();
    let mut d = Deps::entry();
    // The loop's own unfinished checkpoint at instruction 1.
    for _ in 0..8 {
        ex.tick(true);
    }
    let PruneResult::Continue(Some(head)) = ex.visit(1, &with_r0(1), &mut d, 0x7ff, None, false)
    else {
        panic!("a checkpoint is stored");
    };
    // The next rounds, 2 jumps and 8 instructions apart (what would store one outside a
    // loop), up to 19 jumps and 99 instructions after the head: none is stored (the kernel's
    // `skip_inf_loop_check`).
    for k in 0..9 {
        for _ in 0..6 {
            ex.tick(false);
        }
        ex.tick(true);
        ex.tick(true);
        assert!(
            matches!(
                ex.visit(1, &with_r0(2 + k), &mut d, 0x7ff, Some(head), false),
                PruneResult::Continue(Some(c)) if c == head
            ),
            "round {k}"
        );
    }
    // 20 jumps after the head: the round's state is stored.
    ex.tick(true);
    ex.tick(true);
    assert!(matches!(
        ex.visit(1, &with_r0(20), &mut d, 0x7ff, Some(head), false),
        PruneResult::Continue(Some(c)) if c != head
    ));
    // Outside a loop (instruction 2 has no checkpoint) the usual spacing holds.
    for _ in 0..6 {
        ex.tick(false);
    }
    ex.tick(true);
    ex.tick(true);
    assert!(matches!(
        ex.visit(2, &with_r0(2), &mut d, 0x7ff, Some(head), false),
        PruneResult::Continue(Some(c)) if c != head
    ));
}

#[test]
fn checkpoints_that_keep_pruning_are_kept_without_a_cap() {
    // 100 rounds: each stores a checkpoint (a miss of every older one), then the states of
    // every round so far come back and are pruned, each by its own checkpoint (no miss counted:
    // no instruction since). Every checkpoint prunes about as often as it misses, so none is
    // evicted: all 100 are kept (the kernel's rule for a privileged loader, no cap), and the
    // first still prunes.
    let mut ex: Explorer = Explorer::new(4, false, false);
    for k in 0..100u64 {
        for _ in 0..20 {
            ex.tick(true);
        }
        let mut d = Deps::entry();
        let PruneResult::Continue(Some(c)) = ex.visit(1, &with_r0(k), &mut d, 0x7ff, None, false)
        else {
            panic!("round {k} is stored");
        };
        ex.mark(Some(c), Mask::loc(0, 0), Mark::Demanded);
        ex.finish(Some(c));
        for j in 0..=k {
            let mut d = Deps::entry();
            assert!(
                matches!(
                    ex.visit(1, &with_r0(j), &mut d, 0x7ff, None, false),
                    PruneResult::Pruned
                ),
                "round {k}: state {j}"
            );
        }
    }
    assert_eq!(ex.kept(1), 100);
}

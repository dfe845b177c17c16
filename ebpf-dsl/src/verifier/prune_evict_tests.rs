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
    let mut ex = Explorer::new(4, false, false);
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
    // Each visit stores a checkpoint whose path goes on (unfinished: the loop's own, as in
    // the kernel's `skip_inf_loop_check`): within 20 jumps of the last checkpoint the older
    // finished one counts no miss and stays.
    for k in 0..6 {
        for _ in 0..8 {
            ex.tick(true);
        }
        let mut d = Deps::entry();
        assert!(matches!(
            ex.visit(1, &with_r0(1 + k), &mut d, 0x7ff, None, false),
            PruneResult::Continue(Some(_))
        ));
    }
    assert_eq!(ex.kept(1), 1);
    let mut d = Deps::entry();
    assert!(matches!(
        ex.visit(1, &with_r0(0), &mut d, 0x7ff, None, false),
        PruneResult::Pruned
    ));
}

#[test]
fn inside_a_loop_a_checkpoint_is_stored_after_one_jump_and_four_instructions() {
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
    // Next round: 1 jump and 4 instructions later (fewer than the usual 2 and 8).
    for _ in 0..3 {
        ex.tick(false);
    }
    ex.tick(true);
    assert!(matches!(
        ex.visit(1, &with_r0(2), &mut d, 0x7ff, Some(head), false),
        PruneResult::Continue(Some(c)) if c != head
    ));
    // Outside a loop (instruction 2 has no checkpoint) the usual spacing holds.
    for _ in 0..3 {
        ex.tick(false);
    }
    ex.tick(true);
    assert!(matches!(
        ex.visit(2, &with_r0(2), &mut d, 0x7ff, Some(head), false),
        PruneResult::Continue(Some(c)) if c == head
    ));
}

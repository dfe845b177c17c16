//! The checkpoints of a loop head (a `may_goto`, a helper call that calls back, an iterator's
//! `next` call: the kernel's forced checkpoints, `is_force_checkpoint`) as the kernel keeps
//! them (`is_state_visited` in kernel/bpf/verifier.c).
//!
//! The kernel keeps one list of states per instruction, newest first, and walks it in that
//! order at each visit: the first state that covers the path prunes it, and each state
//! compared before it (newer) that did not counts a miss. An unfinished state (a round of
//! the loop whose paths are still being explored) covers a later round when it is equal to it
//! by range (with another iterator or `may_goto` depth); a finished one as any checkpoint.
//! A state that keeps missing is dropped from the list: an unfinished one at a loop head
//! after more than `64 × hits + 64` misses, a finished one after more than `3 × hits + 3`.
//! A dropped unfinished state is gone for good: it never prunes once finished, and it is no
//! longer the previous round a callback's return widens against (`find_prev_entry`). So an
//! outer loop of more than 65 rounds around a callback's call drops the first rounds' states
//! at that call before their callback rounds are explored (depth first, they come last), and
//! those rounds are explored again from the call: the kernel's count grows, up to its limit.
//!
//! Here the unfinished checkpoints (the explorer's `waiting` lists, oldest first) and the
//! finished ones (the `explored` lists, kept newest first by `keep_sorted` at every prune
//! point: a prune by a newer one counts no miss of the older ones, and the marks propagated
//! are the newest covering one's) are two lists whose merge by id is the kernel's list: the
//! newest unfinished
//! checkpoint that covers the path bounds the finished ones compared (only newer ones), and a
//! prune counts a miss of every unfinished checkpoint newer than the one that pruned.

use super::super::domain::state::{covers, State};
use super::{Explorer, Head};

/// Misses an unfinished checkpoint of a loop head may have per hit (and without one) before
/// it is dropped (the kernel's `n` for a forced checkpoint whose state has branches).
pub(super) const HEAD_MISSES: u32 = 64;
/// Misses any other checkpoint may have per hit (and without one) before it is dropped.
pub(super) const MISSES: u32 = 3;

impl<const W: usize> Explorer<W> {
    /// The newest unfinished checkpoint at loop head `pc` (kind `head`, call site `site`) that
    /// covers `st`: at an iterator's `next` call one equal to it by range when the iterator
    /// `r1` points to is active (the iterator's contract ends the loop), at a `may_goto` or a
    /// callback's call one equal to it by range with another depth (the hidden counter, or
    /// the callback's rounds, end it).
    pub(super) fn head_hit(&self, pc: usize, site: usize, st: &State, head: Head) -> Option<usize> {
        if head == Head::IterNext && !st.iter_arg_active() {
            return None;
        }
        self.waiting.get(pc, site).iter().rev().find_map(|w| {
            let old = self.checkpoints[w.id].state.as_ref()?;
            let depth = head == Head::IterNext || old.may_goto_depth != st.may_goto_depth;
            (depth
                && covers(old, st, 0x7ff)
                && (!self.exact_marks || super::super::exact::prunes(old, st)))
            .then_some(w.id)
        })
    }

    /// A visit of loop head `pc` (call site `site`) that nothing newer than `newer_than` (all
    /// when `None`) pruned: each unfinished checkpoint there newer than it counts a miss, and
    /// one that keeps missing is dropped for good (see the module's docs).
    pub(super) fn head_misses(&mut self, pc: usize, site: usize, newer_than: Option<usize>) {
        let mut list = self.waiting.take(pc, site);
        let mut i = list.len();
        while i > 0 {
            i -= 1;
            let c = list[i].id;
            if newer_than.is_some_and(|b| c <= b) {
                break;
            }
            if list[i].gone || self.miss(pc, c, HEAD_MISSES) {
                list.remove(i);
            }
        }
        self.waiting.put(pc, site, list);
    }

    /// Puts finished checkpoint `c` of prune point `pc` (call site `site`) in the list that
    /// prunes, which is kept newest first (the kernel's order of comparison).
    pub(super) fn keep_sorted(&mut self, pc: usize, site: usize, kept: super::prune_hint::Kept) {
        let list = self.explored.get_mut(pc, site);
        let at = list.partition_point(|k| k.id > kept.id);
        list.insert(at, kept);
    }
}

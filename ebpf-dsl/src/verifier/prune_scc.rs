//! The kernel's SCC visits (6.18: `maybe_enter_scc`, `maybe_exit_scc`, `add_scc_backedge`,
//! `incomplete_read_marks` in kernel/bpf/verifier.c), which decide when a finished checkpoint
//! is compared in every location (`RANGE_WITHIN`) instead of by its marks.
//!
//! The kernel keys a *visit* by a state's call chain: the call sites of its frames, from the
//! main one, up to the first frame whose instruction (the call it made, or for the innermost
//! frame the instruction it is at) is in a strongly connected component of the control-flow
//! graph ([`super::super::cfg::loop_components`]), and that component. A callback's frames
//! thus share the visit of the loop (or the helper call alone) that calls them. The first
//! checkpoint stored with a key while its visit has no entry becomes the entry; a prune by a
//! checkpoint whose marks may still grow (a loop head's unfinished checkpoint covering a later
//! round, or a finished one compared while incomplete) records a *backedge* in the visit of
//! the pruning checkpoint; once the entry is finished the backedges' marks are final
//! (`propagate_backedges`: here they were sent on as they came, [`super::forward`]) and the
//! visit is empty again. While a visit has backedges, *every* checkpoint with its key is
//! incomplete: compared in every location, and a path it prunes is a backedge too.
//!
//! So one early backedge in an outer loop around a callback's call (the first round of the
//! callback that converges) makes every state of that loop compare by range until the loop's
//! first state is explored: the kernel then prunes far less than marks would allow (Waujito's
//! dpit reaches its 1,000,001-instruction limit that way). Before this model a checkpoint was
//! incomplete only below a loop head that had itself pruned a later round (the rule kept in
//! [`Explorer::incomplete`] too, so nothing compares less than before).

use std::collections::HashMap;

use super::super::domain::state::State;
use super::Explorer;

/// One visit of a component by a call chain.
#[derive(Default)]
struct Visit {
    /// The checkpoint that entered it (the kernel's `entry_state`), while it is explored.
    entry: Option<usize>,
    /// Whether a backedge was recorded since it was entered (the kernel's `backedges`).
    backedges: bool,
}

/// The visits of an exploration, by key (component and call sites).
#[derive(Default)]
pub(super) struct Visits {
    ids: HashMap<(u32, Box<[usize]>), u32>,
    /// The ids of the main frame's visits (no call sites), by component: `ids` without the
    /// hashing (the common case: a loop of the main program, looked up at every stored
    /// checkpoint); 0 for none yet, else the id plus one.
    top: Vec<u32>,
    all: Vec<Visit>,
}

impl<const W: usize> Explorer<W> {
    /// The visit of a state `st` at `pc` (the kernel's `compute_scc_callchain`), created if
    /// new; `None` when no frame of it is at an instruction of a component.
    pub(super) fn scc_visit(&mut self, pc: usize, st: &State) -> Option<u32> {
        let n = st.frames.len();
        let mut callsites = Vec::new();
        for i in 0..n {
            let insn = if i + 1 < n {
                st.frames[i + 1].callsite
            } else {
                pc
            };
            let scc = self.components.get(insn).copied().unwrap_or(0);
            if scc != 0 && i == 0 {
                // No call site: the same id as `ids` would give, found by index.
                let v = &mut self.visits;
                let k = scc as usize;
                if v.top.len() <= k {
                    v.top.resize(k + 1, 0);
                }
                if v.top[k] == 0 {
                    v.top[k] = v.all.len() as u32 + 1;
                    v.all.push(Visit::default());
                }
                return Some(v.top[k] - 1);
            }
            if scc != 0 {
                let next = self.visits.all.len() as u32;
                let id = *self
                    .visits
                    .ids
                    .entry((scc, callsites.into_boxed_slice()))
                    .or_insert(next);
                if id == next {
                    self.visits.all.push(Visit::default());
                }
                return Some(id);
            }
            callsites.push(insn);
        }
        None
    }

    /// Checkpoint `c` was just stored: it enters its visit if that has no entry
    /// (`maybe_enter_scc`).
    pub(super) fn enter_scc(&mut self, c: usize) {
        if let Some(v) = self.checkpoints[c].visit {
            let v = &mut self.visits.all[v as usize];
            if v.entry.is_none() {
                v.entry = Some(c);
            }
        }
    }

    /// Checkpoint `c` is finished: if it entered its visit, the visit is over and its
    /// backedges are flushed (`maybe_exit_scc`).
    pub(super) fn exit_scc(&mut self, c: usize) {
        if let Some(v) = self.checkpoints[c].visit {
            let v = &mut self.visits.all[v as usize];
            if v.entry == Some(c) {
                v.entry = None;
                v.backedges = false;
            }
        }
    }

    /// Checkpoint `c`, whose marks may still grow, pruned a path: a backedge of its visit
    /// (`add_scc_backedge`).
    pub(super) fn add_backedge(&mut self, c: usize) {
        if let Some(v) = self.checkpoints[c].visit {
            self.visits.all[v as usize].backedges = true;
        }
    }

    /// Whether checkpoint `c`'s visit has backedges (`incomplete_read_marks`).
    pub(super) fn scc_incomplete(&self, c: usize) -> bool {
        self.checkpoints[c]
            .visit
            .is_some_and(|v| self.visits.all[v as usize].backedges)
    }
}

//! The checkpoints kept for pruning (the kernel's `explored_states` and `is_state_visited`).
//!
//! A checkpoint is a state stored at a prune point with the number of paths below it still
//! being explored. When a path reaches a prune point:
//! - a *finished* checkpoint (no path below it pending) that covers the path's state prunes
//!   it; the comparison ignores what the exploration below the checkpoint never read and
//!   compares scalars whose exact value never mattered as "any scalar" ([`super::deps`]); the
//!   marks of the checkpoint then apply to the pruned path's own checkpoints, as the kernel's
//!   `propagate_liveness` / `propagate_precision`;
//! - an *unfinished* checkpoint is an ancestor of the path (depth first): if the path's state
//!   is exactly the ancestor's (up to ids), the loop between them makes no progress
//!   ("infinite loop detected");
//! - a checkpoint that keeps failing to prune (more than `3 × hits + 3` misses, the kernel's
//!   `miss_cnt`/`hit_cnt` rule) is dropped from the instruction's list once finished, so the
//!   lists stay short and useful instead of filling up and stopping pruning.
//!
//! New checkpoints are added as the kernel adds them: not before the path has run at least 2
//! jumps and 8 instructions since the last one was added (pruning is still tried at every
//! prune point).

use super::deps::{self, Deps, Mask, ALL};
use super::state::{covers, covers_masked, same_state, State};

/// Checkpoints per instruction beyond which the least useful finished one makes room.
const MAX_STATES_PER_INSN: usize = 64;

/// One explored state kept for pruning.
struct Checkpoint {
    /// `None` once evicted (kept only to carry marks to its ancestors).
    state: Option<State>,
    /// Paths (and child checkpoints) below this one still being explored.
    pending: u32,
    parent: Option<usize>,
    /// Sources of this checkpoint's locations in its parent's terms (see [`deps`]).
    link: Box<[Mask]>,
    /// Locations read below this checkpoint.
    live: Mask,
    /// Locations whose exact value mattered below this checkpoint.
    precise: Mask,
    /// The state has inner call frames: it is compared exactly, and marks always climb on.
    multi_frame: bool,
    hits: u32,
    misses: u32,
}

/// The path explorer (depth first, like the kernel's `do_check`).
pub(crate) struct Explorer {
    checkpoints: Vec<Checkpoint>,
    /// The checkpoints stored at each instruction, indexed by instruction.
    explored: Vec<Vec<usize>>,
    /// Jumps and instructions processed (all paths), and at the last checkpoint added.
    jumps: usize,
    insns: usize,
    last_jumps: usize,
    last_insns: usize,
    /// Compare every location (see [`super::verify_with`]).
    exact: bool,
    /// Store a checkpoint at every prune point (see [`super::verify_with`]).
    every: bool,
}

/// What happened at a prune point.
pub(crate) enum PruneResult {
    /// Covered by a finished state: the path is safe from here.
    Pruned,
    /// Exactly the state of an unfinished ancestor: the loop never makes progress.
    Loop,
    /// Continue; the new checkpoint (if any) becomes the path's parent.
    Continue(Option<usize>),
}

impl Explorer {
    /// An explorer for a program of `insns` instruction slots.
    pub(crate) fn new(insns: usize, exact: bool, every: bool) -> Self {
        Explorer {
            checkpoints: Vec::new(),
            explored: vec![Vec::new(); insns],
            jumps: 0,
            insns: 0,
            last_jumps: 0,
            last_insns: 0,
            exact,
            every,
        }
    }

    /// Checkpoints stored so far (evicted ones included).
    pub(crate) fn states(&self) -> usize {
        self.checkpoints.len()
    }

    /// Counts one processed instruction, `jump` if it is a jump.
    pub(crate) fn tick(&mut self, jump: bool) {
        self.insns += 1;
        self.jumps += jump as usize;
    }

    /// Marks the sources `m` (in terms of checkpoint `ck`) live, and precise if `precise`, at
    /// `ck` and, translated, at each of its ancestors.
    pub(crate) fn mark(&mut self, mut ck: Option<usize>, mut m: Mask, precise: bool) {
        while let Some(c) = ck {
            if m == 0 {
                return;
            }
            let cp = &mut self.checkpoints[c];
            let new = if cp.multi_frame {
                m
            } else {
                let have = if precise {
                    cp.precise & cp.live
                } else {
                    cp.live
                };
                m & !have
            };
            if new == 0 {
                return;
            }
            cp.live |= new;
            if precise {
                cp.precise |= new;
            }
            m = deps::translate(&cp.link, new);
            ck = cp.parent;
        }
    }

    /// Tries to prune the path at `pc` (state `st`, sources `d`, latest checkpoint `parent`);
    /// otherwise maybe stores a checkpoint (restarting `d` from it).
    pub(crate) fn visit(
        &mut self,
        pc: usize,
        st: &State,
        d: &mut Deps,
        live_static: u16,
        parent: Option<usize>,
    ) -> PruneResult {
        if pc >= self.explored.len() {
            self.explored.resize_with(pc + 1, Vec::new);
        }
        let mut i = 0;
        while i < self.explored[pc].len() {
            let c = self.explored[pc][i];
            let ck = &self.checkpoints[c];
            let Some(old) = &ck.state else {
                self.explored[pc].swap_remove(i);
                continue;
            };
            if ck.pending > 0 {
                if same_state(old, st) {
                    return PruneResult::Loop;
                }
                i += 1;
                continue;
            }
            let covered = if self.exact {
                covers(old, st, live_static)
            } else {
                covers_masked(old, st, live_static, ck.live, ck.precise)
            };
            if covered {
                let (live, precise) = if ck.multi_frame || old.frames.len() > 1 {
                    (ALL, ALL)
                } else {
                    let exact = ck.precise | (ck.live & deps::pointer_locs(old));
                    (ck.live, exact & ck.live)
                };
                let live = live & live_mask(live_static);
                let precise = precise & live_mask(live_static);
                self.checkpoints[c].hits += 1;
                let (ml, mp) = (d.of_mask(live), d.of_mask(precise));
                self.mark(parent, ml, false);
                self.mark(parent, mp, true);
                return PruneResult::Pruned;
            }
            let ck = &mut self.checkpoints[c];
            ck.misses += 1;
            if ck.misses > ck.hits * 3 + 3 {
                ck.state = None;
                self.explored[pc].swap_remove(i);
                continue;
            }
            i += 1;
        }
        if !self.every && (self.jumps - self.last_jumps < 2 || self.insns - self.last_insns < 8) {
            return PruneResult::Continue(parent);
        }
        let list = &mut self.explored[pc];
        if list.len() >= MAX_STATES_PER_INSN {
            // Make room: drop the finished checkpoint that pruned least. Unfinished ones (the
            // rounds of a loop being walked) all stay: they are what a later round is
            // compared with to find a loop without progress.
            let worst = list
                .iter()
                .enumerate()
                .filter(|(_, &c)| self.checkpoints[c].pending == 0)
                .min_by_key(|(_, &c)| self.checkpoints[c].hits)
                .map(|(k, _)| k);
            if let Some(k) = worst {
                let c = list.swap_remove(k);
                self.checkpoints[c].state = None;
            }
        }
        self.last_jumps = self.jumps;
        self.last_insns = self.insns;
        let id = self.checkpoints.len();
        self.explored[pc].push(id);
        let link = d.checkpoint();
        self.checkpoints.push(Checkpoint {
            state: Some(st.clone()),
            pending: 1,
            parent,
            link,
            live: 0,
            precise: 0,
            multi_frame: st.frames.len() > 1,
            hits: 0,
            misses: 0,
        });
        PruneResult::Continue(Some(id))
    }

    pub(crate) fn branch(&mut self, parent: Option<usize>) {
        if let Some(p) = parent {
            self.checkpoints[p].pending += 1;
        }
    }

    pub(crate) fn finish(&mut self, mut parent: Option<usize>) {
        while let Some(p) = parent {
            let ck = &mut self.checkpoints[p];
            ck.pending -= 1;
            if ck.pending > 0 {
                break;
            }
            parent = ck.parent;
        }
    }
}

/// The locations a statically dead register of the innermost frame leaves out.
fn live_mask(live_static: u16) -> Mask {
    let regs: Mask = (1 << 11) - 1;
    (ALL & !regs) | (live_static as Mask & regs)
}

//! The checkpoints kept for pruning (the kernel's `explored_states` and `is_state_visited`).
//!
//! A checkpoint is a state stored at a prune point with the number of paths below it still
//! being explored. A path reaching a prune point meets only the checkpoints of that
//! instruction whose innermost frame was called from the same call site as its own ([`site`],
//! the kernel's `explored_state`): a subprogram called from many places keeps each call site's
//! checkpoints apart, and the visits from one site neither miss nor evict another's. When a
//! path reaches a prune point:
//! - a *finished* checkpoint (no path below it pending) that covers the path's state prunes
//!   it (the checkpoints are compared newest first, as the kernel's list, which adds each at
//!   its head, and the first that covers prunes: its marks, not an older one's, are those
//!   propagated); the comparison ignores what the exploration below the checkpoint never read and
//!   compares scalars whose exact value never mattered as "any scalar" ([`super::deps`]); the
//!   marks of the checkpoint then apply to the pruned path's own checkpoints, as the kernel's
//!   `propagate_liveness` / `propagate_precision`;
//! - an *unfinished* checkpoint is an ancestor of the path (depth first): if the path's state
//!   is exactly the ancestor's (up to ids), the loop between them makes no progress
//!   ("infinite loop detected"); only the 16 most recent at the instruction are compared, so a
//!   loop of many rounds costs no more per round (a loop without progress comes back to the
//!   state of the previous round or close to it; one that does not runs into the limit of
//!   1,000,000 instructions);
//! - a loop head's unfinished checkpoint that covers a later round prunes it, and its marks,
//!   still growing, are sent on to that round's path as they come ([`forward`], the kernel's
//!   SCC backedges);
//! - the finished checkpoints are compared newest first, as the kernel walks its list: a
//!   prune by a newer one counts no miss of the older ones;
//! - a checkpoint that keeps failing to prune (more than `3 × hits + 3` misses, the kernel's
//!   `miss_cnt`/`hit_cnt` rule; a miss counts only when the visit would store a checkpoint,
//!   as the kernel's) is dropped from the instruction's list once finished, so the lists stay
//!   short and useful instead of filling up and stopping pruning;
//! - at a loop head (a `may_goto`, a callback's helper call, an iterator's `next` call: the
//!   kernel's forced checkpoints) the checkpoints are compared newest first, finished and
//!   unfinished alike, and an unfinished one that keeps missing (more than `64 × hits + 64`
//!   misses) is dropped for good, as the kernel drops it: it never prunes once finished
//!   ([`head`]).
//!
//! New checkpoints are added as the kernel adds them: not before the path has run at least 2
//! jumps and 8 instructions since the last one was added (pruning is still tried at every
//! prune point), or, from 6.12, as soon as the path's own instruction history since its last
//! checkpoint is longer than 40 entries ([`super::history`]: jump targets, spills and fills,
//! linked comparisons), loops included. Inside a loop (an unfinished checkpoint at the instruction), within 20 jumps
//! and 100 instructions of the last checkpoint, none is added and the visit counts as a miss
//! only for the checkpoints newer than the loop's own unfinished one (the kernel's
//! `skip_inf_loop_check`): a loop stores a round's state only every 20 jumps or 100
//! instructions, and those visits count misses of every checkpoint of the instruction, so
//! the rounds that never prune leave the list while the early rounds that do stay;
//! otherwise unfinished checkpoints miss and are evicted too. As in the kernel (for a
//! privileged loader) there is no other limit on the checkpoints kept at an instruction: a
//! cap evicting by another rule dropped the first rounds of long loops that the kernel keeps
//! and prunes later passes against.

use std::rc::Rc;

use super::chunks::Chunks;
use super::deps::{self, Deps, Link, Mask};
use super::domain::scalar::Scalar;
#[cfg(debug_assertions)]
use super::domain::state::covers_frames;
use super::domain::state::{covers_calls, covers_frames_where, same_state, RegVal, Slot, State};
use super::mask::{MAX_FRAMES, WIDE};
use super::pc_lists::PcLists;
use super::prune_hint;
use super::trace::{record, Ev, Tracer};

#[path = "prune_compare.rs"]
mod compare;
#[path = "prune_forward.rs"]
mod forward;
#[path = "prune_head.rs"]
mod head;
#[path = "prune_marks.rs"]
mod marks;
#[path = "prune_scc.rs"]
mod scc;

/// Unfinished checkpoints of an instruction (the most recent) a state is compared with to
/// find a loop without progress.
const LOOP_CHECK: usize = 16;

/// What kind of loop head a prune point is (see [`Explorer::visit_head`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Head {
    /// None: an ordinary prune point.
    None,
    /// A `may_goto`, or a helper call that calls back.
    MayGoto,
    /// The `next` call of an open-coded iterator (`bpf_iter_num_next`).
    IterNext,
}

/// One explored state kept for pruning (its masks of `W` words: [`super::mask::Width`]).
struct Checkpoint<const W: usize> {
    /// `None` once evicted (kept only to carry marks to its ancestors).
    state: Option<State>,
    /// Paths (and child checkpoints) below this one still being explored.
    pending: u32,
    parent: Option<usize>,
    /// The instruction it is stored at.
    pc: usize,
    /// Sources of this checkpoint's locations in its parent's terms (see [`deps`]).
    link: Link<W>,
    /// Locations read below this checkpoint.
    live: Mask<W>,
    /// Locations whose exact value mattered below this checkpoint, or may matter (marked
    /// conservatively: see [`Mark::Precise`]).
    precise: Mask<W>,
    /// Locations whose exact value was demanded below this checkpoint by an instruction
    /// itself (a subset of `precise`): what the `may_goto` widening keeps.
    demanded: Mask<W>,
    hits: u32,
    misses: u32,
    /// Paths this checkpoint pruned while its marks could still grow: its later marks are
    /// sent on to them (indices into [`Explorer::forwards`]).
    forwards: Vec<usize>,
    /// Its pointers ([`deps::pointer_locs`]) among the locations they were worked out for:
    /// its live marks (see [`Explorer::exact_locs`]), or all of them, [`Mask::ALL`], once a
    /// prune needed those (see [`Explorer::all_pointers`]; its state never changes).
    pointers: (Mask<W>, Mask<W>),
    /// From 6.18 (a program [`super::stack_live`] models): the main frame's stack slots it
    /// compares, taken when it is finished.
    stack_live: Option<u64>,
    /// The nearest checkpoint at a loop head (a `may_goto` or a callback's helper call) among
    /// this one and its ancestors.
    head: Option<usize>,
    /// The call site of its innermost frame: it is compared only with the states of the same
    /// (see [`site`]).
    site: usize,
    /// A state of the main frame alone at an instruction outside every loop
    /// ([`super::cfg::outside_loops`]): its marks are final once it is finished, whatever
    /// loop head above it is still being explored (see [`Explorer::incomplete`]).
    outside_loops: bool,
    /// The kernel's SCC visit it belongs to ([`scc`]), if any.
    visit: Option<u32>,
}

/// The call site of the innermost frame of `st` (the main program's frame: 0), which with the
/// instruction names the checkpoints a state is compared with: the kernel's `explored_state`
/// hashes the instruction with that frame's `callsite`, so a subprogram's states at one call
/// site are not compared with (and count no misses of) those at another.
fn site(st: &State) -> usize {
    st.frames.last().map_or(0, |f| f.callsite)
}

/// The path explorer (depth first, like the kernel's `do_check`), its masks of `W` words
/// ([`super::mask::Width`]).
pub(crate) struct Explorer<const W: usize = WIDE> {
    /// Every checkpoint stored, by id (in small blocks: see [`Chunks`]).
    checkpoints: Chunks<Checkpoint<W>>,
    /// The finished checkpoints stored at each instruction (those that can prune), newest
    /// first (the kernel's order of comparison).
    explored: PcLists<prune_hint::Kept>,
    /// The unfinished ones, oldest first (those a loop without progress comes back to).
    waiting: PcLists<prune_hint::Waiting>,
    /// Jumps and instructions processed (all paths), and at the last checkpoint added.
    jumps: usize,
    insns: usize,
    last_jumps: usize,
    last_insns: usize,
    /// Compare every location (see [`super::verify_with`]).
    exact: bool,
    /// Store a checkpoint at every prune point (see [`super::verify_with`]).
    every: bool,
    /// The 2^29 class's second walk (`super::exact`) with the ordinary pruning: a checkpoint
    /// prunes only where [`super::exact::prunes_masked`] also holds (its marked locations that
    /// matter are marked in the path's state, with the same bounds).
    pub(super) exact_marks: bool,
    /// The bpf-to-bpf calls (`local_calls[pc]`): see [`covers_calls`]. Shared: computed
    /// once per program, not once per function explored.
    local_calls: Rc<[bool]>,
    /// The instructions outside every loop ([`super::cfg::outside_loops`]; missing: inside
    /// one). Shared as `local_calls`.
    outside_loops: Rc<[bool]>,
    /// The kernel's strongly connected components ([`super::cfg::loop_components`]; missing:
    /// none). Shared as `local_calls`.
    components: Rc<[u32]>,
    /// The kernel's SCC visits ([`scc`]).
    visits: scc::Visits,
    /// From 6.18 (`KernelVersion::STATIC_REG_LIVENESS`): the registers live before each
    /// instruction (`cfg.live_in`), which alone say which registers a finished checkpoint
    /// compares (see [`Explorer::frame_marks`]); `None` before.
    static_regs: Option<Rc<[u16]>>,
    /// From 6.18: the stack slots live before each instruction, gathered as the paths are
    /// explored ([`super::stack_live`]); `None` before, or for a program it does not model.
    stack_live: Option<super::stack_live::StackLive>,
    /// Paths pruned by a checkpoint whose marks could still grow (see [`forward`]).
    forwards: Vec<forward::Forward<W>>,
    /// Marks still to be applied (see [`Explorer::mark`]).
    work: Vec<(Option<usize>, Mask<W>, Mark)>,
    /// The marks of the instructions run since the last prune point, not applied yet (see
    /// [`Explorer::defer_marks`]).
    deferred: Deferred<W>,
    /// What the pruning does, when traced (`super::trace`).
    pub(crate) tracer: Tracer,
    /// Before 6.7 ([`super::target::KernelVersion::EXACT_LOOP_CHECK`]): the infinite-loop
    /// check also takes a state for its unfinished ancestor's when they differ only in
    /// spilled numbers whose value did not matter so far ([`Explorer::old_loop`]).
    old_loop_check: bool,
}

/// Read and demanded marks of one checkpoint, gathered instruction by instruction and applied
/// at once ([`Explorer::flush_marks`]).
#[derive(Clone, Copy, Default)]
struct Deferred<const W: usize> {
    /// The checkpoint the marks are in terms of (the path's latest).
    ck: Option<usize>,
    /// Sources read.
    read: Mask<W>,
    /// Sources demanded.
    demanded: Mask<W>,
}

/// How a location is marked by [`Explorer::mark`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mark {
    /// Read.
    Read,
    /// Its exact value may matter: the marks of a checkpoint that pruned a path (all of them
    /// when the checkpoint is unfinished, its own marks being incomplete then).
    Precise,
    /// Its exact value is needed by an instruction (a bound, an offset, a decided jump):
    /// also precise. Only these marks keep a value from the `may_goto` widening, as the
    /// kernel's `precise` flags (which an unfinished state's hit does not set everywhere).
    Demanded,
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

impl<const W: usize> Explorer<W> {
    /// An explorer for a program of `insns` instruction slots.
    pub(crate) fn new(insns: usize, exact: bool, every: bool) -> Self {
        Explorer {
            checkpoints: Chunks::new(),
            explored: PcLists::new(insns),
            waiting: PcLists::new(insns),
            jumps: 0,
            insns: 0,
            last_jumps: 0,
            last_insns: 0,
            exact,
            every,
            exact_marks: false,
            local_calls: Rc::from([]),
            outside_loops: Rc::from([]),
            components: Rc::from([]),
            visits: scc::Visits::default(),
            static_regs: None,
            stack_live: None,
            forwards: Vec::new(),
            work: Vec::new(),
            deferred: Deferred::default(),
            tracer: None,
            old_loop_check: false,
        }
    }

    /// Checks loops as kernels before 6.7 do (see [`Explorer::old_loop`]).
    pub(crate) fn set_old_loop_check(&mut self, on: bool) {
        self.old_loop_check = on;
    }

    /// The infinite-loop check of kernels before 6.7
    /// ([`super::target::KernelVersion::EXACT_LOOP_CHECK`]): 6.1.192's `is_state_visited`
    /// refuses a path whose state at a prune point is, for `states_equal` without `exact`,
    /// the state of an unfinished ancestor there whose innermost frame's registers are
    /// byte for byte the same (`states_maybe_looping`): a number whose value never mattered
    /// (not `precise`) compares as any number, so a loop whose counter lives on the stack,
    /// compared but never decided on (`r0 = *(u64 *)(r10 - 8); if r0 > 10 goto out; r0 += 1;
    /// *(u64 *)(r10 - 8) = r0`), is refused ("infinite loop detected at insn N"). Here: the
    /// state is [`same_state`] as one of the (16 newest) unfinished checkpoints at `pc` once
    /// the spilled numbers of both are made unknown where the checkpoint has no precise mark
    /// yet. Every other location is compared exactly (the kernel compares less: registers of
    /// outer frames, slots never read), and our precise marks are at least the kernel's
    /// (conservative where a pruned path's are copied), so this finds a loop only where
    /// 6.1.192 finds one too, perhaps not every one.
    fn old_loop(&mut self, pc: usize, site: usize, st: &State) -> bool {
        let ids: Vec<usize> = self
            .waiting
            .get(pc, site)
            .iter()
            .rev()
            .take(LOOP_CHECK)
            .filter(|w| !w.gone)
            .map(|w| w.id)
            .collect();
        if ids.is_empty() {
            return false;
        }
        self.flush_marks();
        ids.into_iter().any(|c| {
            let ck = &self.checkpoints[c];
            let Some(old) = &ck.state else {
                return false;
            };
            if old.frames.len() != st.frames.len()
                || super::domain::state::first_differing_reg(old, st).is_some()
            {
                return false;
            }
            let forget = |s: &State| {
                let mut s = s.clone();
                for (f, frame) in s.frames.iter_mut().enumerate().take(Mask::<W>::FRAMES) {
                    let precise = ck.precise.frame(f);
                    for (i, slot) in frame.stack.iter_mut().enumerate() {
                        if matches!(slot, Slot::Spill(RegVal::Scalar(_)))
                            && precise & (1u128 << (11 + i)) == 0
                        {
                            *slot = Slot::Spill(RegVal::Scalar(Scalar::UNKNOWN));
                        }
                    }
                }
                s
            };
            same_state(&forget(old), &forget(st))
        })
    }

    /// Makes the walk the 2^29 class's second one (see [`Explorer::exact_marks`]): ordinary
    /// pruning, checked against the exactness marks too.
    pub(crate) fn set_exact_marks(&mut self, on: bool) {
        self.exact_marks = on;
    }

    /// Tells the explorer which instructions are bpf-to-bpf calls (see [`covers_calls`]).
    pub(crate) fn set_local_calls(&mut self, local_calls: Rc<[bool]>) {
        self.local_calls = local_calls;
    }

    /// Tells the explorer which instructions are outside every loop (see
    /// [`super::cfg::outside_loops`]); without it, every instruction counts as inside one.
    pub(crate) fn set_outside_loops(&mut self, outside_loops: Rc<[bool]>, components: Rc<[u32]>) {
        self.outside_loops = outside_loops;
        self.components = components;
    }

    /// Compares the registers of finished checkpoints as 6.18 does: those live before the
    /// instruction (`live_in`, per instruction), read below the checkpoint or not (see
    /// [`Explorer::frame_marks`]).
    pub(crate) fn set_static_regs(&mut self, live_in: Rc<[u16]>) {
        self.static_regs = Some(live_in);
    }

    /// Takes the stack slots finished checkpoint `c` (at `pc`) compares, at its first
    /// comparison (the kernel's `clean_live_states`, once per state, at the first visit of its
    /// instruction after it is finished); a state of one frame only.
    fn freeze_stack_live(&mut self, c: usize, pc: usize) {
        let ck = &self.checkpoints[c];
        if ck.stack_live.is_some() || ck.state.as_ref().is_none_or(|st| st.frames.len() != 1) {
            return;
        }
        if let Some(s) = &mut self.stack_live {
            self.checkpoints[c].stack_live = Some(s.live_before(pc));
        }
    }

    /// Sets up the walk as `kernel` prunes: from 6.18 its registers compared as live before
    /// the instruction (`live_in`) and, for a walk that is neither exact nor dumping its states
    /// (`plain`), the slots holding imprecise numbers compared byte by byte, and for a program
    /// [`super::stack_live`] models its stack slots as the kernel's liveness (for one it does
    /// not, our read marks, which may take more slots than the kernel's: comparing those byte
    /// by byte too prunes less, never more, than the kernel); the guard returned puts the
    /// byte-by-byte comparison back as it was when dropped.
    pub(crate) fn setup_liveness(
        &mut self,
        kernel: super::target::KernelVersion,
        live_in: &[u16],
        ops: &[super::ops::Op],
        plain: bool,
    ) -> super::stack_live::ByteKinds {
        use super::target::KernelVersion;
        if kernel >= KernelVersion::STATIC_REG_LIVENESS {
            self.set_static_regs(live_in.into());
        }
        let byte_kinds = kernel >= KernelVersion::STATIC_STACK_LIVENESS && plain;
        if byte_kinds {
            if let Some(s) = super::stack_live::StackLive::new(ops) {
                self.set_stack_live(s);
            }
        }
        super::stack_live::ByteKinds(super::domain::state::set_byte_kinds(byte_kinds))
    }

    /// Compares the stack slots of finished checkpoints as 6.18 does (see
    /// [`super::stack_live`]).
    pub(crate) fn set_stack_live(&mut self, s: super::stack_live::StackLive) {
        self.stack_live = Some(s);
    }

    /// A visit of `pc` read the main frame's slots `read` and wrote `write` whole (see
    /// [`super::stack_live`]).
    #[inline]
    pub(crate) fn record_stack(&mut self, pc: usize, read: u64, write: u64) {
        if let Some(s) = &mut self.stack_live {
            s.record(pc, read, write);
        }
    }

    /// Whether [`Explorer::record_stack`] is wanted.
    pub(crate) fn stack_live_on(&self) -> bool {
        self.stack_live.is_some()
    }

    /// The live and precise locations of checkpoint `c`, frame by frame, with which a finished
    /// checkpoint is compared (`live_static`: the registers of its innermost frame live at
    /// its instruction). Before 6.18 its marks: the kernel's read marks (`REG_LIVE_READ`,
    /// `propagate_liveness`) said which registers count, and `live_static` (6.15's
    /// `live_regs_before`) narrows them in the comparison. 6.18 has no read marks of
    /// registers: every register live before the instruction counts (before the call a
    /// frame waits on, for an outer frame), whatever the paths below read; a number that is
    /// not precise still compares as any number.
    fn frame_marks(&self, c: usize, n: usize, live_static: u16) -> [(u128, u128); MAX_FRAMES] {
        let ck = &self.checkpoints[c];
        let mut m = frame_marks(ck, n);
        if let (Some(t), Some(old)) = (&self.static_regs, &ck.state) {
            let last = old.frames.len() - 1;
            for (f, mf) in m.iter_mut().enumerate().take(n) {
                let regs = if f == last {
                    live_static
                } else {
                    t.get(old.frames[f + 1].callsite).copied().unwrap_or(0x7ff)
                };
                mf.0 |= u128::from(regs & 0x7ff);
            }
        }
        if let Some(slots) = ck.stack_live {
            m[0].0 = (m[0].0 & 0x7ff) | u128::from(slots) << 11;
        }
        m
    }

    /// The finished checkpoints kept at `pc` (those that can prune), all call sites.
    #[cfg(test)]
    pub(crate) fn kept(&self, pc: usize) -> usize {
        self.explored.all(pc).map(Vec::len).sum()
    }

    /// Checkpoints stored so far (evicted ones included).
    pub(crate) fn states(&self) -> usize {
        self.checkpoints.len()
    }

    /// Counts one processed instruction, `jump` if it is a jump.
    #[cfg(test)]
    pub(crate) fn tick(&mut self, jump: bool) {
        self.count_insn();
        self.count_jump(jump);
    }

    /// Counts one processed instruction, before its prune point is visited (the kernel's
    /// `insn_processed`, which counts the visits that are then pruned).
    pub(crate) fn count_insn(&mut self) {
        self.insns += 1;
    }

    /// Counts a jump-class instruction that runs (not pruned; the kernel's `jmps_processed`).
    pub(crate) fn count_jump(&mut self, jump: bool) {
        self.jumps += jump as usize;
    }

    /// Tries to prune the path at `pc` (state `st`, sources `d`, latest checkpoint `parent`);
    /// otherwise maybe stores a checkpoint (restarting `d` from it). At a `may_goto`
    /// (`may_goto`), a checkpoint is always stored, and an unfinished one with another
    /// `may_goto` depth that covers the state in every location prunes it (the kernel's rule:
    /// the hidden counter ends that loop; the marks of an unfinished checkpoint are not
    /// complete, so the path gets those it has and every later one: see [`forward`]). A
    /// finished checkpoint below such a loop head, whose marks may still grow, is compared in
    /// every location and forwards its marks the same way.
    #[cfg(test)]
    pub(crate) fn visit(
        &mut self,
        pc: usize,
        st: &State,
        d: &mut Deps<W>,
        live_static: u16,
        parent: Option<usize>,
        may_goto: bool,
    ) -> PruneResult {
        let head = if may_goto { Head::MayGoto } else { Head::None };
        self.visit_head(pc, st, d, live_static, parent, head, false)
    }

    /// [`Explorer::visit`] at a loop head of kind `head`. At an iterator's `next` call
    /// ([`Head::IterNext`]) a checkpoint is always stored too; an unfinished one that covers
    /// the state in every location prunes it when the iterator `r1` points to is active (the
    /// kernel's `is_iter_next_insn` rule: the iterator's contract ends that loop), and no
    /// infinite-loop check is made there (the kernel's `skip_inf_loop_check`: the depth of
    /// the iterator tells the rounds apart elsewhere in the loop). With `long_history` (the
    /// path's instruction history since its last checkpoint is long: [`super::history`]) a
    /// checkpoint is stored unless one prunes the path, inside a loop too, and the visit
    /// counts as a miss of every checkpoint compared (the kernel's `force_new_state`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn visit_head(
        &mut self,
        pc: usize,
        st: &State,
        d: &mut Deps<W>,
        live_static: u16,
        parent: Option<usize>,
        head: Head,
        long_history: bool,
    ) -> PruneResult {
        let site = site(st);
        let may_goto = head != Head::None;
        // The list of the instruction and call site is taken out while it is read (one lookup,
        // not one per entry) and put back before anything else reads it (a loop head's
        // comparison reads it first: taken after it).
        let mut list = if may_goto {
            Vec::new()
        } else {
            self.explored.take(pc, site)
        };
        // The marks gathered since the last prune point are applied before this visit reads
        // any: a comparison with the finished checkpoints of `pc`, a loop head's. A visit that
        // compares none leaves them deferred (the loop check below and storing a checkpoint
        // read no marks; the path's next mark, in terms of the new checkpoint, applies them):
        // a path's marks then climb the chain once for several prune points.
        if may_goto || self.exact || self.tracer.is_some() || !list.is_empty() {
            self.flush_marks();
        }
        // At a loop head, the newest unfinished checkpoint that covers the path: it prunes
        // unless a newer finished one does (see [`head`]).
        let head_hit = if may_goto {
            self.head_hit(pc, site, st, head)
        } else {
            None
        };
        let forced = self.every || may_goto;
        // A loop without progress comes back to the state of a recent round (a checkpoint
        // whose copy of a register refuses is not the same, as `same_state` would find).
        // On the way, the newest unfinished checkpoint not evicted (see below).
        let checkpoints = &self.checkpoints;
        let mut newest_unfinished = None;
        let loop_check = if head == Head::IterNext || head_hit.is_some() {
            0
        } else {
            LOOP_CHECK
        };
        for w in self
            .waiting
            .slice_mut(pc, site)
            .iter_mut()
            .rev()
            .take(loop_check)
        {
            #[cfg(debug_assertions)]
            assert_eq!(
                w.gone,
                checkpoints[w.id].state.is_none(),
                "a waiting entry's flag"
            );
            if w.gone {
                continue;
            }
            if newest_unfinished.is_none() && !forced {
                newest_unfinished = Some(w.id);
            }
            if w.refuses(st) {
                #[cfg(debug_assertions)]
                if let Some(old) = &checkpoints[w.id].state {
                    assert!(
                        !same_state(old, st),
                        "a loop check's copy refused the same state"
                    );
                }
                continue;
            }
            if let Some(old) = &checkpoints[w.id].state {
                if same_state(old, st) {
                    if !list.is_empty() {
                        self.explored.put(pc, site, list);
                    }
                    return PruneResult::Loop;
                }
                w.set(old, st);
            }
        }
        if self.old_loop_check && loop_check > 0 && self.old_loop(pc, site, st) {
            if !list.is_empty() {
                self.explored.put(pc, site, list);
            }
            return PruneResult::Loop;
        }
        // Whether this visit stores a checkpoint if nothing prunes it; only such a visit
        // counts as a miss of the checkpoints compared (the kernel's `miss_cnt`), so that the
        // visits between two checkpoints of a loop do not evict the states that would prune
        // its later rounds.
        let mut add = forced
            || long_history
            || (self.jumps - self.last_jumps >= 2 && self.insns - self.last_insns >= 8);
        // In a loop (an unfinished checkpoint at `pc`: an ancestor of the path), fewer than 20
        // jumps and 100 instructions after the last checkpoint: neither it nor the checkpoints
        // older than it count this visit as a miss (the kernel, comparing newest first, stops
        // counting there: `skip_inf_loop_check`), and no checkpoint is stored.
        // (The entries' own flags say which are evicted: the list is read alone, not each
        // checkpoint's memory.)
        if newest_unfinished.is_none() && !forced {
            newest_unfinished = self
                .waiting
                .get(pc, site)
                .iter()
                .rev()
                .find(|w| !w.gone)
                .map(|w| w.id);
        }
        let fresh = self.jumps - self.last_jumps < 20 && self.insns - self.last_insns < 100;
        let quiet_below = newest_unfinished.filter(|_| fresh && !long_history);
        // Whether this visit counts as a miss of checkpoint `c`.
        let counts = |c: usize| add && quiet_below.is_none_or(|u| c > u);
        // The finished checkpoints are compared newest first, as the kernel walks its list
        // (a prune by a newer one counts no miss of the older ones); at a loop head only
        // those newer than the unfinished one that covers the path.
        let order = head_hit.map_or(0, |u| u + 1);
        if may_goto {
            list = self.explored.take(pc, site);
        }
        if !list.is_empty() {
            let pruned =
                self.compare_finished(pc, &mut list, st, d, live_static, parent, counts, order);
            self.explored.put(pc, site, list);
            if let Some(f) = pruned {
                if may_goto {
                    self.head_misses(pc, site, Some(f));
                }
                return PruneResult::Pruned;
            }
        }
        if let Some(u) = head_hit {
            self.head_misses(pc, site, Some(u));
            self.checkpoints[u].hits += 1;
            record(&self.tracer, Ev::Pruned { pc, by: u });
            self.hit_incomplete(u, parent, d, 0x7ff);
            return PruneResult::Pruned;
        }
        if quiet_below.is_some() {
            add = false;
        } else if may_goto {
            self.head_misses(pc, site, None);
        } else if add && newest_unfinished.is_some() {
            self.unfinished_miss(pc, site);
        }
        if !add {
            return PruneResult::Continue(parent);
        }
        self.last_jumps = self.jumps;
        self.last_insns = self.insns;
        let id = self.checkpoints.len();
        record(&self.tracer, Ev::Checkpoint { pc, id, parent, st });
        self.waiting
            .get_mut(pc, site)
            .push(prune_hint::Waiting::new(id));
        let link = d.checkpoint();
        let loop_head = if may_goto {
            Some(id)
        } else {
            parent.and_then(|p| self.checkpoints[p].head)
        };
        let visit = self.scc_visit(pc, st);
        self.checkpoints.push(Checkpoint {
            state: Some(st.clone()),
            pending: 1,
            parent,
            pc,
            link,
            live: Mask::EMPTY,
            precise: Mask::EMPTY,
            demanded: Mask::EMPTY,
            hits: 0,
            misses: 0,
            forwards: Vec::new(),
            pointers: (Mask::EMPTY, Mask::EMPTY),
            head: loop_head,
            stack_live: None,
            site,
            outside_loops: st.frames.len() == 1 && self.outside_loops.get(pc) == Some(&true),
            visit,
        });
        self.enter_scc(id);
        PruneResult::Continue(Some(id))
    }

    /// The kernel's `widen_imprecise_scalars` for the fall-through of the `may_goto` at `pc`
    /// (whose own checkpoint is `parent`), and for a callback's return to its call at `pc`
    /// (`parent` then `None`: the path's own last checkpoint may be the entry it returns to):
    /// each scalar of `st` (register or spilled, in every frame of the same call chain) that
    /// differs from the previous unfinished checkpoint at `pc` and whose value never mattered
    /// below it so far becomes unknown, so that a loop bounded by the hidden counter converges.
    /// Forgetting a value is always sound; the marks only keep it precise where it matters.
    pub(crate) fn widen_may_goto(&mut self, pc: usize, parent: Option<usize>, st: &mut State) {
        self.flush_marks();
        let prev = self.waiting.get(pc, site(st)).iter().rev().find_map(|w| {
            let c = w.id;
            let ck = &self.checkpoints[c];
            (Some(c) != parent).then_some(ck.state.as_ref().map(|s| (s, ck.demanded)))?
        });
        let Some((old, precise)) = prev else { return };
        // `same_callsites`: the same call chain; then every frame is widened, as the kernel's
        // loop over `old->curframe..=0`.
        if old.frames.len() != st.frames.len()
            || old
                .frames
                .iter()
                .zip(&st.frames)
                .any(|(a, b)| a.callsite != b.callsite)
        {
            return;
        }
        let differs = |o: &Scalar, n: &Scalar| o.unlinked() != n.unlinked();
        for (f, (fo, fc)) in old.frames.iter().zip(st.frames.iter_mut()).enumerate() {
            // A frame deeper than the masks name is precise as a whole if any of it is.
            let precise = if f >= Mask::<W>::FRAMES && precise.has_other() {
                u128::MAX
            } else {
                precise.frame(f)
            };
            for r in 0..10 {
                if precise & (1u128 << r) != 0 {
                    continue;
                }
                if let (RegVal::Scalar(o), RegVal::Scalar(n)) = (&fo.regs[r], &fc.regs[r]) {
                    if differs(o, n) {
                        fc.regs[r] = RegVal::Scalar(Scalar::UNKNOWN);
                    }
                }
            }
            // Spilled scalars, narrow ones too (the kernel's `is_spilled_reg` reads the
            // slot's first byte: a 1-, 2- or 4-byte spill keeps its whole register).
            let spilled = |s: &Slot| match s {
                Slot::Spill(RegVal::Scalar(v)) | Slot::Part(v, ..) => Some(*v),
                _ => None,
            };
            for i in 0..fo.stack.len().min(fc.stack.len()) {
                if precise & (1u128 << (11 + i)) != 0 {
                    continue;
                }
                let (Some(o), Some(n)) = (spilled(&fo.stack[i]), spilled(&fc.stack[i])) else {
                    continue;
                };
                if differs(&o, &n) {
                    match &mut fc.stack[i] {
                        Slot::Part(v, ..) => *v = Scalar::UNKNOWN,
                        s => *s = Slot::Spill(RegVal::Scalar(Scalar::UNKNOWN)),
                    }
                }
            }
        }
    }

    /// Debug builds: the finished checkpoint `c` whose hint's copy refused `st` does not
    /// cover it. The copy was made with the checkpoint's final marks; a checkpoint can be
    /// incomplete again afterwards (a later path reopens the visit of its loop with the same
    /// call chain, as the kernel's `incomplete_read_marks` sees it), and is then compared with
    /// every location marked, a superset of the locations the copy refused with.
    #[cfg(debug_assertions)]
    fn assert_refused(&self, c: usize, st: &State, live_static: u16) {
        let ck = &self.checkpoints[c];
        let old = ck.state.as_ref().expect("a kept checkpoint has its state");
        let n = old.frames.len().min(Mask::<W>::FRAMES);
        let marks = if self.incomplete(c) {
            [(!0u128, !0u128); MAX_FRAMES]
        } else {
            self.frame_marks(c, n, live_static)
        };
        assert!(
            !covers_frames(old, st, live_static, &marks[..n], &self.local_calls),
            "the prune hint's copy refused a state the full comparison covers"
        );
    }

    /// The unfinished checkpoints at `pc` and call site `site` missed (the kernel's `miss_cnt`
    /// of a state with branches): one that keeps missing is evicted, no longer compared (its
    /// marks still pass on to its ancestors).
    fn unfinished_miss(&mut self, pc: usize, site: usize) {
        let mut list = self.waiting.take(pc, site);
        for w in &mut list {
            if !w.gone {
                w.gone = self.miss(pc, w.id, head::MISSES);
            }
        }
        self.waiting.put(pc, site, list);
    }

    /// One miss of checkpoint `id` at `pc` (the kernel's `miss_cnt`): one that keeps missing
    /// (more than `n` × its hits + `n`: [`head::MISSES`], or [`head::HEAD_MISSES`] for an
    /// unfinished one at a loop head) is evicted, no longer compared. Returns whether it was.
    #[inline]
    fn miss(&mut self, pc: usize, id: usize, n: u32) -> bool {
        let ck = &mut self.checkpoints[id];
        ck.misses += 1;
        if ck.misses <= ck.hits * n + n {
            return false;
        }
        self.evict(pc, id);
        true
    }

    /// Drops checkpoint `id`'s state (see [`Explorer::miss`]).
    #[inline(never)]
    fn evict(&mut self, pc: usize, id: usize) {
        self.checkpoints[id].state = None;
        record(&self.tracer, Ev::Evicted { pc, id });
    }

    pub(crate) fn branch(&mut self, parent: Option<usize>) {
        if let Some(p) = parent {
            self.checkpoints[p].pending += 1;
        }
    }

    pub(crate) fn finish(&mut self, mut parent: Option<usize>) {
        self.flush_marks();
        while let Some(p) = parent {
            let ck = &mut self.checkpoints[p];
            ck.pending -= 1;
            if ck.pending > 0 {
                break;
            }
            parent = ck.parent;
            self.finished(p);
        }
    }

    /// Checkpoint `c` is fully explored: it moves from the waiting list of its instruction to
    /// the list that prunes.
    fn finished(&mut self, c: usize) {
        self.exit_scc(c);
        let (pc, site) = (self.checkpoints[c].pc, self.checkpoints[c].site);
        let (live, precise) = (
            self.checkpoints[c].live.frame(0),
            self.checkpoints[c].precise.frame(0),
        );
        record(
            &self.tracer,
            Ev::Finished {
                id: c,
                live,
                precise,
            },
        );
        let waiting = self.waiting.get_mut(pc, site);
        if let Some(k) = waiting.iter().rposition(|x| x.id == c) {
            waiting.remove(k);
        }
        if self.checkpoints[c].state.is_none() {
            return;
        }
        let headless = self.checkpoints[c].head.is_none();
        let mut kept = prune_hint::Kept::new(c, headless);
        // (With 6.18's stack liveness the marks are taken at the first comparison: no hint
        // before.)
        let guess = if self.stack_live.is_some() {
            None
        } else {
            prune_hint::first_guess(self.explored.get(pc, site))
        };
        if let Some(hint) = guess {
            let live_static = self
                .static_regs
                .as_ref()
                .and_then(|t| t.get(pc).copied())
                .unwrap_or(0x7ff);
            let ck = &self.checkpoints[c];
            let old = ck.state.as_ref().expect("checked above");
            let n = old.frames.len().min(Mask::<W>::FRAMES);
            let marks = self.frame_marks(c, n, live_static);
            let hc = prune_hint::Ctx {
                live_static: 0x7ff,
                marks: &marks[..n],
                local_calls: &self.local_calls,
            };
            kept.set(hint, old, &hc);
        }
        self.keep_sorted(pc, site, kept);
    }
}

/// The live and precise marks of checkpoint `ck`'s first `n` frames, frame by frame (as the
/// comparison takes them).
#[inline]
fn frame_marks<const W: usize>(ck: &Checkpoint<W>, n: usize) -> [(u128, u128); MAX_FRAMES] {
    let mut marks = [(0, 0); MAX_FRAMES];
    for (f, m) in marks.iter_mut().enumerate().take(n) {
        *m = (ck.live.frame(f), ck.precise.frame(f));
    }
    marks
}

/// The locations a statically dead register of the innermost frame (`innermost`) leaves out.
fn live_mask<const W: usize>(live_static: u16, innermost: usize) -> Mask<W> {
    let regs: u128 = (1 << 11) - 1;
    !Mask::of_frame(innermost, regs & !(live_static as u128)) | Mask::OTHER
}

#[cfg(test)]
#[path = "prune_defer_tests.rs"]
mod defer_tests;

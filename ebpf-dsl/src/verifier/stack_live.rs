//! The stack slots 6.18 compares at a finished checkpoint (`kernel/bpf/liveness.c`,
//! `KernelVersion::STATIC_STACK_LIVENESS`): not those the paths below the checkpoint read (the
//! read marks of earlier kernels, [`super::deps`]), but those some path of the control-flow
//! graph from its instruction may read before an aligned 8-byte store writes them whole.
//!
//! As the paths are explored, each instruction gathers the slots it read (a union over its
//! visits: `may_read`) and those it wrote whole (an intersection: `must_write`); a slot is
//! live before an instruction if it reads it, or if it is live before a successor (every
//! successor of the graph, a jump's both ways whether or not a path took them) and the
//! instruction does not write it whole. A slot read only on a way no path below the
//! checkpoint took (a comparison decided there) is live, so the kernel compares it where our
//! read marks would not, and prunes less. The live slots of a checkpoint are taken once it is
//! finished (the kernel's `clean_verifier_state`, once per state), from what was gathered so
//! far.
//!
//! Only for a program of one function without callbacks: the kernel's analysis follows call
//! chains, which is not modelled; those keep the read marks.

use super::domain::state::{RegVal, State};
use super::ops::Op;
use crate::isa::insn::Size;

/// No successor.
const NONE: u32 = u32::MAX;

/// The most sweeps [`StackLive::passes`] makes from the last solution before it starts again
/// from every slot live (real programs settle in a few).
const MAX_SWEEPS: usize = 1000;

/// The gathered reads and writes of the main frame's stack slots (bit `i`: slot `i`, the
/// one at `r10 - 512 + 8 * i`) and the slots live before each instruction.
///
/// The live sets are solved again only from the instructions whose reads or writes changed
/// since the last solution (`pending`), through the graph's predecessors, when that is the
/// same as the whole backward sweep ([`StackLive::solve`]); each checkpoint asks once, and a
/// sweep of a program of 10,000 instructions at each ask cost more than the walk itself.
pub(crate) struct StackLive {
    succ: Vec<[u32; 2]>,
    /// The predecessors of instruction `i`: `preds[pred_start[i]..pred_start[i + 1]]`.
    pred_start: Vec<u32>,
    preds: Vec<u32>,
    /// Per instruction: what was gathered and solved (one table: one allocation, and one
    /// line of memory for the instruction's visit).
    at: Vec<Node>,
    /// The instructions whose reads or writes changed since `live` was solved (each once:
    /// `queued`); `live` is up to date when it is empty.
    pending: Vec<u32>,
}

/// One instruction's part of a [`StackLive`].
#[derive(Clone, Copy, Default)]
struct Node {
    /// The slots its visits read (a union).
    may_read: u64,
    /// The slots each of its visits wrote whole (an intersection).
    must_write: u64,
    /// The slots live before it, as last solved.
    live: u64,
    /// Whether `must_write` holds a visit's writes yet.
    seen: bool,
    /// Whether it is in `pending` (or, while solving, in the work list).
    queued: bool,
}

impl StackLive {
    /// For `ops`, if the program is one function without callbacks (see the module's docs).
    pub(crate) fn new(ops: &[Op]) -> Option<StackLive> {
        let n = ops.len();
        // Asked first, before any table is made: a program of several functions (most of
        // those with a global function) has none.
        if ops.iter().enumerate().any(|(i, op)| {
            matches!(op, Op::CallLocal { .. })
                || super::cfg::calls_back(op)
                || super::cfg::func_target(op, i).is_some()
        }) {
            return None;
        }
        let at = |t: usize| if t < n { t as u32 } else { NONE };
        let succ = ops
            .iter()
            .enumerate()
            .map(|(i, op)| match *op {
                Op::Ja { target } => [at(target), NONE],
                Op::Cond { target, .. } | Op::MayGoto { target } => [at(i + 1), at(target)],
                Op::Exit | Op::LdImm64Tail => [NONE, NONE],
                Op::LdImm64 { .. } => [at(i + 2), NONE],
                _ => [at(i + 1), NONE],
            })
            .collect();
        Some(StackLive::with_succ(succ))
    }

    /// For the graph of successors `succ` (`NONE`: no successor).
    fn with_succ(succ: Vec<[u32; 2]>) -> StackLive {
        let n = succ.len();
        // The predecessors, grouped by instruction (counted, then placed).
        let mut pred_start = vec![0u32; n + 1];
        for s in succ.iter().flatten().filter(|&&s| s != NONE) {
            pred_start[*s as usize + 1] += 1;
        }
        for i in 0..n {
            pred_start[i + 1] += pred_start[i];
        }
        let mut fill = pred_start.clone();
        let mut preds = vec![0u32; pred_start[n] as usize];
        for (i, ss) in succ.iter().enumerate() {
            for &s in ss.iter().filter(|&&s| s != NONE) {
                preds[fill[s as usize] as usize] = i as u32;
                fill[s as usize] += 1;
            }
        }
        StackLive {
            succ,
            pred_start,
            preds,
            at: vec![Node::default(); n],
            pending: Vec::new(),
        }
    }

    /// A visit of `pc` read the slots `read` and wrote the slots `write` whole.
    #[inline]
    pub(crate) fn record(&mut self, pc: usize, read: u64, write: u64) {
        let Some(a) = self.at.get_mut(pc) else {
            return;
        };
        let mut changed = false;
        if a.may_read | read != a.may_read {
            a.may_read |= read;
            changed = read & !a.live != 0;
        }
        let w = if a.seen { a.must_write & write } else { write };
        a.seen = true;
        if w != a.must_write {
            a.must_write = w;
            changed = true;
        }
        if changed {
            self.queue(pc);
        }
    }

    /// Queues `pc`, whose reads or writes changed, for the next solution.
    #[cold]
    fn queue(&mut self, pc: usize) {
        if !self.at[pc].queued {
            self.at[pc].queued = true;
            self.pending.push(pc as u32);
        }
    }

    /// The slots live before `pc`, from what was gathered so far.
    pub(crate) fn live_before(&mut self, pc: usize) -> u64 {
        if !self.pending.is_empty() {
            self.solve();
        }
        self.at.get(pc).map_or(!0, |a| a.live)
    }

    /// The slots live before `i` from those live before its successors.
    #[inline]
    fn before(&self, i: usize) -> u64 {
        let after = self.succ[i]
            .iter()
            .filter(|&&s| s != NONE)
            .fold(0, |a, &s| a | self.at[s as usize].live);
        let a = &self.at[i];
        (after & !a.must_write) | a.may_read
    }

    /// The backward fixpoint from the last solution, a solution of the equations before the
    /// `pending` instructions' changed. When each of those still has at least its live slots
    /// (reads that grew, writes that shrank: the equations give more at each instruction),
    /// the live sets only grow, and every order of recomputing them reaches the same one,
    /// the least solution above the last: a work list from the changed instructions through
    /// their predecessors finds it. A first visit's writes may take slots away instead; then
    /// the result may depend on the order, and [`StackLive::passes`] gives the whole sweep's.
    fn solve(&mut self) {
        let grows = self
            .pending
            .iter()
            .all(|&i| self.at[i as usize].live & !self.before(i as usize) == 0);
        if !grows {
            self.passes();
            return;
        }
        let mut work = std::mem::take(&mut self.pending);
        while let Some(i) = work.pop() {
            let i = i as usize;
            self.at[i].queued = false;
            let before = self.before(i);
            if before != self.at[i].live {
                self.at[i].live = before;
                let (lo, hi) = (self.pred_start[i] as usize, self.pred_start[i + 1] as usize);
                for &p in &self.preds[lo..hi] {
                    if !self.at[p as usize].queued {
                        self.at[p as usize].queued = true;
                        work.push(p);
                    }
                }
            }
        }
        // The list's memory, kept for the next changes.
        self.pending = work;
    }

    /// The whole backward sweep (every instruction, last first, repeated until a sweep
    /// changes nothing) from the last solution, recomputing only the instructions whose
    /// inputs changed since they were last computed; the same values, step for step.
    ///
    /// Before the first sweep, only the `pending` instructions' equations changed: the
    /// others would give their live sets again. An instruction whose live set changes makes
    /// its predecessors computed again: those before it later in the same sweep (which
    /// reaches them after it), those at or after it in the next (the sweep passed them with
    /// the old set). An instruction is in at most one of the two lists (`queued`): one put
    /// in the next sweep's is at or after every instruction the current one has left.
    ///
    /// From a last solution that is no solution of the new equations, the sweeps may never
    /// settle (a set going round a loop: seen on random graphs, never on a program). After
    /// [`MAX_SWEEPS`] sweeps every slot is taken as live before every instruction and the
    /// sweeps start again from there: each then only takes slots away, so they settle, on the
    /// greatest solution, whose every set holds the least one's: more slots compared at a
    /// checkpoint, fewer prunes, never a state pruned that the kernel would walk.
    fn passes(&mut self) {
        if self.sweeps(MAX_SWEEPS) {
            return;
        }
        for (i, a) in self.at.iter_mut().enumerate() {
            a.live = !0;
            if !a.queued {
                a.queued = true;
                self.pending.push(i as u32);
            }
        }
        self.sweeps(usize::MAX);
    }

    /// The sweeps of [`StackLive::passes`] from the `pending` instructions, at most `max` of
    /// them; whether they settled (if not, the unfinished ones are `pending` again).
    fn sweeps(&mut self, max: usize) -> bool {
        let mut cur = std::collections::BinaryHeap::from(std::mem::take(&mut self.pending));
        let mut next = Vec::new();
        let mut sweeps = 0;
        loop {
            // The current sweep, last instruction first.
            while let Some(i) = cur.pop() {
                let i = i as usize;
                self.at[i].queued = false;
                let before = self.before(i);
                if before == self.at[i].live {
                    continue;
                }
                self.at[i].live = before;
                let (lo, hi) = (self.pred_start[i] as usize, self.pred_start[i + 1] as usize);
                for &p in &self.preds[lo..hi] {
                    if !self.at[p as usize].queued {
                        self.at[p as usize].queued = true;
                        if (p as usize) < i {
                            cur.push(p);
                        } else {
                            next.push(p);
                        }
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            sweeps += 1;
            if sweeps >= max {
                self.pending = next;
                return false;
            }
            cur.extend(next.drain(..));
        }
        // The heap's memory, kept for the next changes.
        self.pending = cur.into_vec();
        true
    }
}

/// The comparison of slots holding imprecise numbers for one walk
/// ([`super::domain::state::set_byte_kinds`]), the previous one restored when it ends.
pub(crate) struct ByteKinds(pub(crate) bool);

impl Drop for ByteKinds {
    fn drop(&mut self) {
        super::domain::state::set_byte_kinds(self.0);
    }
}

/// The main frame's slots `r10 + lo .. r10 + hi` (bytes, `hi` excluded) as a mask.
pub(crate) fn slots(lo: i64, hi: i64) -> u64 {
    let (lo, hi) = (lo.clamp(-512, 0), hi.clamp(-512, 0));
    if hi <= lo {
        return 0;
    }
    let (a, b) = (((lo + 512) / 8) as u32, ((hi + 511) / 8) as u32);
    let width = b - a + 1;
    if width >= 64 {
        !0u64 << a
    } else {
        ((1u64 << width) - 1) << a
    }
}

/// The byte offsets from the main frame's `r10` that `base` may point at (lowest, highest),
/// if it points into the main frame.
fn span(base: &RegVal) -> Option<(i64, i64)> {
    match *base {
        RegVal::Stack { frame: 0, off } => Some((off.into(), off.into())),
        RegVal::StackVar { frame: 0, off, var } => Some((
            i64::from(off).saturating_add(var.smin),
            i64::from(off).saturating_add(var.smax),
        )),
        _ => None,
    }
}

/// The main frame's slots `op` reads and writes whole in state `st` (before it; `sizes`: the
/// bytes a helper reads through each argument, as `super::deps::before` takes them): loads,
/// atomics and a helper's memory arguments read (every slot the access may touch); an
/// aligned 8-byte store at a constant offset writes (the kernel's `bpf_mark_stack_write`).
#[inline]
pub(crate) fn access(op: &Op, st: &State, sizes: &[Option<u64>; 6]) -> (u64, u64) {
    match op {
        Op::Ldx { .. }
        | Op::LoadAcq { .. }
        | Op::Atomic { .. }
        | Op::St { .. }
        | Op::Stx { .. }
        | Op::StoreRel { .. }
        | Op::Call { .. } => memory_access(op, st, sizes),
        // The other instructions touch no memory (inlined: no call for them).
        _ => (0, 0),
    }
}

/// [`access`] of an instruction that may access memory.
fn memory_access(op: &Op, st: &State, sizes: &[Option<u64>; 6]) -> (u64, u64) {
    let regs = &st.cur().regs;
    let reg = |r: u8| regs.get(r as usize).and_then(span);
    match *op {
        Op::Ldx { size, src, off, .. } | Op::LoadAcq { size, src, off, .. } => {
            let read = reg(src).map_or(0, |(lo, hi)| {
                slots(
                    lo + i64::from(off),
                    hi + i64::from(off) + i64::from(size.bytes()),
                )
            });
            (read, 0)
        }
        Op::Atomic { size, dst, off, .. } => {
            let read = reg(dst).map_or(0, |(lo, hi)| {
                slots(
                    lo + i64::from(off),
                    hi + i64::from(off) + i64::from(size.bytes()),
                )
            });
            (read, 0)
        }
        Op::St { size, dst, off, .. }
        | Op::Stx { size, dst, off, .. }
        | Op::StoreRel { size, dst, off, .. } => {
            let write = match (size, reg(dst)) {
                (Size::DW, Some((lo, hi))) if lo == hi && (lo + i64::from(off)) % 8 == 0 => {
                    slots(lo + i64::from(off), lo + i64::from(off) + 8)
                }
                _ => 0,
            };
            (0, write)
        }
        Op::Call { helper, kfunc } => {
            let args = super::cfg::call_args(helper, kfunc);
            let mut read = 0;
            for r in (1..=5u8).filter(|r| args & (1 << r) != 0) {
                let Some((lo, hi)) = reg(r) else { continue };
                read |= match sizes[r as usize] {
                    Some(0) => 0,
                    Some(n) => slots(lo, hi + n.min(512) as i64),
                    None => slots(lo, 0),
                };
            }
            (read, 0)
        }
        _ => (0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A slot is live before an instruction if a path of the graph reads it before an
    /// aligned 8-byte store, whether the paths explored went that way or not; only what the
    /// visits recorded counts.
    #[test]
    fn live_through_the_graph() {
        let a = crate::asm::assemble_unchecked(
            "r1 = 0\nif r1 == 1 goto x\n*(u64 *)(r10 - 8) = r1\nr0 = 0\nexit\nx:\nr0 = *(u64 *)(r10 - 8)\nexit",
        )
        .expect("valid text");
        let ops = super::super::ops::decode(&a.insns).expect("decodes");
        let mut s = StackLive::new(&ops).expect("one function");
        let fp8 = slots(-8, 0);
        // Nothing recorded yet: nothing live.
        assert_eq!(s.live_before(0), 0);
        // The store at 2 writes the slot whole, the load at 5 reads it.
        s.record(2, 0, fp8);
        assert_eq!(s.live_before(0), 0);
        s.record(5, fp8, 0);
        assert_eq!(s.live_before(1), fp8);
        assert_eq!(s.live_before(0), fp8);
        assert_eq!(s.live_before(2), 0);
        // A visit of 2 that writes nothing: no longer a sure write.
        s.record(2, 0, 0);
        assert_eq!(s.live_before(2), 0);
        assert_eq!(s.live_before(3), 0);
    }

    /// The solution of the work list is the whole sweep's after every visit (the sweep from
    /// the last solution whenever a visit changed something, as it was first written), on
    /// random graphs with loops and random visits, first visits that take slots away too.
    /// From a last solution that is no solution of the new equations, the sweep may never
    /// settle (a set going round a loop); a graph where the reference has not settled after
    /// 1,000 sweeps is left there (`oscillating`), once the work list, which gives up too,
    /// is checked to have settled on a solution holding the least one.
    #[test]
    fn work_list_solves_as_the_whole_sweep() {
        let rounds = std::env::var("STACK_LIVE_ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(200);
        let mut oscillating = 0;
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        'graph: for _ in 0..rounds {
            let n = 2 + (next() % 40) as usize;
            let succ: Vec<[u32; 2]> = (0..n)
                .map(|_| {
                    let pick = |x: u64| {
                        if x.is_multiple_of(5) {
                            NONE
                        } else {
                            (x / 5 % n as u64) as u32
                        }
                    };
                    [pick(next()), pick(next())]
                })
                .collect();
            let mut s = StackLive::with_succ(succ.clone());
            // The reference: a dirty flag and the whole sweep.
            let (mut live, mut rd, mut wr, mut seen) =
                (vec![0u64; n], vec![0u64; n], vec![0u64; n], vec![false; n]);
            let mut dirty = false;
            for _ in 0..300 {
                let pc = (next() % n as u64) as usize;
                let bits = |x: u64| x & x >> 7 & 0xff;
                let (read, write) = (bits(next()), bits(next()) | bits(next()));
                s.record(pc, read, write);
                if rd[pc] | read != rd[pc] {
                    rd[pc] |= read;
                    dirty |= read & !live[pc] != 0;
                }
                let w = if seen[pc] { wr[pc] & write } else { write };
                seen[pc] = true;
                if w != wr[pc] {
                    wr[pc] = w;
                    dirty = true;
                }
                if next().is_multiple_of(3) {
                    let q = (next() % n as u64) as usize;
                    if dirty {
                        dirty = false;
                        for sweep in 0.. {
                            if sweep == 1000 {
                                // The work list gives up too (`MAX_SWEEPS`) and settles on a
                                // solution, which holds the least one (the sets of every
                                // solution hold it).
                                oscillating += 1;
                                s.live_before(q);
                                let got: Vec<u64> = s.at.iter().map(|a| a.live).collect();
                                let eqn = |live: &[u64], i: usize| {
                                    let after = succ[i]
                                        .iter()
                                        .filter(|&&x| x != NONE)
                                        .fold(0, |a, &x| a | live[x as usize]);
                                    (after & !wr[i]) | rd[i]
                                };
                                assert!((0..n).all(|i| eqn(&got, i) == got[i]));
                                let mut least = vec![0u64; n];
                                while let Some(i) = (0..n).find(|&i| eqn(&least, i) != least[i]) {
                                    least[i] = eqn(&least, i);
                                }
                                assert!((0..n).all(|i| got[i] & least[i] == least[i]));
                                continue 'graph;
                            }
                            let mut changed = false;
                            for i in (0..n).rev() {
                                let after = succ[i]
                                    .iter()
                                    .filter(|&&x| x != NONE)
                                    .fold(0, |a, &x| a | live[x as usize]);
                                let before = (after & !wr[i]) | rd[i];
                                if before != live[i] {
                                    live[i] = before;
                                    changed = true;
                                }
                            }
                            if !changed {
                                break;
                            }
                        }
                    }
                    assert_eq!(s.live_before(q), live[q]);
                    assert!(s.at.iter().map(|a| a.live).eq(live.iter().copied()));
                }
            }
        }
        // Rare: most graphs are checked to the end.
        assert!(oscillating * 10 <= rounds, "{oscillating} of {rounds}");
    }

    #[test]
    fn slot_masks() {
        assert_eq!(slots(-8, 0), 1 << 63);
        assert_eq!(slots(-16, -8), 1 << 62);
        assert_eq!(slots(-12, -4), 3 << 62);
        assert_eq!(slots(-512, 0), !0);
        assert_eq!(slots(-4, -4), 0);
    }
}

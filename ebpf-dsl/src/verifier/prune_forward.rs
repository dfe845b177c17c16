//! Marks of a checkpoint that keep growing after it pruned a path: the kernel's SCC backedges
//! (`add_scc_backedge`, `propagate_backedges`, `incomplete_read_marks` in
//! kernel/bpf/verifier.c).
//!
//! A loop head's checkpoint (a `may_goto`, a callback's helper call) still being explored may
//! prune a later round of its own loop: its marks are not complete yet, since the paths below
//! it are not all explored. The kernel records such a pruned path as a *backedge* and, once
//! the loop is explored, propagates the covering state's final precision marks to the
//! backedge's state and its parents until nothing changes. Here a pruned path is recorded as
//! a [`Forward`] of the checkpoint that pruned it: its current marks are applied at once and
//! every mark it gets later is sent on the same way ([`Explorer::mark`]), which reaches the same
//! fixed point. Only the locations whose value matters are then marked precise (before, every
//! location of such a path was, which made the checkpoints around the loop compare every
//! value exactly and stop pruning).
//!
//! While a loop head with backedges is still being explored, the checkpoints below it have
//! marks that may still grow: they are compared in every location (the kernel compares them
//! `RANGE_WITHIN`, every scalar by range) and a path they prune is recorded as a backedge too.
//! So is every checkpoint of a kernel SCC visit that has backedges ([`super::scc`]), which
//! is what the kernel itself goes by.

use super::super::deps::{self, Deps, Link};
use super::super::mask::Mask;
use super::live_mask;
use super::{Explorer, Mark};

/// A path pruned by a checkpoint whose marks could still grow.
pub(super) struct Forward<const W: usize> {
    /// The pruned path's latest checkpoint.
    parent: Option<usize>,
    /// The sources of the pruned path's locations in `parent`'s terms.
    link: Link<W>,
    /// The locations the comparison looked at (the innermost frame's dead registers left out).
    keep: Mask<W>,
    /// The locations holding pointers in the covering state: compared exactly once read.
    ptrs: Mask<W>,
}

impl<const W: usize> Explorer<W> {
    /// Whether the marks of checkpoint `c` may still grow: its kernel SCC visit has backedges
    /// (`incomplete_read_marks`, [`super::scc`]), or a loop head with backedges among it and
    /// its ancestors is still being explored, and `c` is in that loop. A state of the main frame alone outside every loop is not: no path below
    /// it comes back to the loop (that would make a cycle through its instruction), so once
    /// it is finished its marks are final, as the kernel finds no strongly connected
    /// component for it (`compute_scc_callchain`) and compares it as any other.
    pub(super) fn incomplete(&self, c: usize) -> bool {
        if self.checkpoints[c].outside_loops {
            return false;
        }
        if self.scc_incomplete(c) {
            return true;
        }
        let mut h = self.checkpoints[c].head;
        while let Some(x) = h {
            let ck = &self.checkpoints[x];
            if ck.pending > 0 && !ck.forwards.is_empty() {
                return true;
            }
            h = ck.parent.and_then(|p| self.checkpoints[p].head);
        }
        false
    }

    /// The path (latest checkpoint `parent`, sources `d`) was pruned by checkpoint `c`, whose
    /// marks may still grow, comparing the registers `live_static` of the innermost frame and
    /// every other location: `c`'s marks so far apply to the path, and later ones will.
    pub(super) fn hit_incomplete(
        &mut self,
        c: usize,
        parent: Option<usize>,
        d: &mut Deps<W>,
        live_static: u16,
    ) {
        self.add_backedge(c);
        let Some(frames) = self.checkpoints[c].state.as_ref().map(|s| s.frames.len()) else {
            return;
        };
        let deep = if frames > Mask::<W>::FRAMES {
            Mask::OTHER
        } else {
            Mask::EMPTY
        };
        let keep = live_mask(live_static, frames - 1);
        let ptrs = self.all_pointers(c) & keep;
        let link = d.checkpoint();
        let f = self.forwards.len();
        self.forwards.push(Forward {
            parent,
            link,
            keep,
            ptrs,
        });
        self.checkpoints[c].forwards.push(f);
        let ck = &self.checkpoints[c];
        let (live, precise, demanded) = (ck.live | deep, ck.precise | deep, ck.demanded | deep);
        self.send(f, live, Mark::Read);
        self.send(f, precise, Mark::Precise);
        self.send(f, demanded, Mark::Demanded);
        self.drain();
    }

    /// The locations of checkpoint `c` that a path it prunes gets as precise: its precise
    /// ones and its live pointers (compared exactly), the latter worked out once per value of
    /// its live marks (or taken from [`Explorer::all_pointers`] when known).
    pub(super) fn exact_locs(&mut self, c: usize) -> Mask<W> {
        let ck = &mut self.checkpoints[c];
        if ck.pointers.0 == Mask::ALL {
            return ck.precise | (ck.pointers.1 & ck.live);
        }
        if ck.pointers.0 != ck.live {
            let old = ck
                .state
                .as_ref()
                .expect("a checkpoint that prunes has its state");
            ck.pointers = (ck.live, deps::pointer_locs(old, ck.live));
        }
        ck.precise | ck.pointers.1
    }

    /// The locations of checkpoint `c`'s state that hold pointers, all of them (what a path
    /// it prunes while its marks may still grow takes: see this module), worked out once:
    /// [`deps::pointer_locs`] looks at each location alone, so the pointers among any
    /// locations are these, masked. `c` has its state.
    pub(super) fn all_pointers(&mut self, c: usize) -> Mask<W> {
        let ck = &mut self.checkpoints[c];
        if ck.pointers.0 == Mask::ALL {
            return ck.pointers.1;
        }
        let old = ck
            .state
            .as_ref()
            .expect("a checkpoint that prunes has its state");
        ck.pointers = (Mask::ALL, deps::pointer_locs(old, Mask::ALL));
        ck.pointers.1
    }

    /// Applies the queued marks (and those they queue in turn; marks only grow, so this ends).
    pub(super) fn drain(&mut self) {
        while let Some((ck, m, how)) = self.work.pop() {
            self.mark_chain(ck, m, how);
        }
    }

    /// Queues the marks `new` (of kind `how`) just added to checkpoint `c` for the paths it
    /// pruned while incomplete.
    pub(super) fn queue_forwards(&mut self, c: usize, new: Mask<W>, how: Mark) {
        for k in 0..self.checkpoints[c].forwards.len() {
            let f = self.checkpoints[c].forwards[k];
            self.send(f, new, how);
        }
    }

    /// Queues the marks `m` of the checkpoint behind forward `f` for its path.
    fn send(&mut self, f: usize, m: Mask<W>, how: Mark) {
        let fw = &self.forwards[f];
        let m = m & fw.keep;
        if m.is_empty() {
            return;
        }
        if how == Mark::Read {
            // A pointer is compared exactly wherever it is read.
            let p = m & fw.ptrs;
            if !p.is_empty() {
                let p = deps::translate(&fw.link, p);
                self.work.push((fw.parent, p, Mark::Precise));
            }
        }
        let t = deps::translate(&fw.link, m);
        self.work.push((fw.parent, t, how));
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::target::KernelVersion;
    use super::super::super::transfer::testkit;
    use super::super::super::Rule;

    /// The verdict (the rules broken) for 6.18 and the paths pruned after label `at`.
    fn pruned_at(src: &str, at: &str) -> (Result<(), Vec<Rule>>, usize) {
        testkit::pruned_at(src, at, KernelVersion::new(6, 18))
    }

    /// Paths that differ in `r0`/`r8`/`r9` (and `r7`) meet at `other:` and call `bpf_loop`,
    /// whose second round is covered by the first. The kernel propagates the loop head's
    /// precision to the path it pruned (`propagate_precision`, then `propagate_backedges`),
    /// not every location: nothing after the join needs those values, so a later path is
    /// pruned at the call (marking every location of the covered round precise kept it from
    /// being pruned). The kernel's log (6.18): `from 30 to 23: safe` (the covered round),
    /// then `23: safe` (the later path; no checkpoint is stored at the join, 2 jumps and 8
    /// instructions not being reached there).
    #[test]
    fn a_covered_round_marks_only_what_the_loop_needs() {
        let src = "
call bpf_get_prandom_u32
r8 = r0
r9 = r0
if r8 > 100 goto skip1
r9 += 1
skip1:
if r8 > 200 goto skip2
r9 += 2
skip2:
r7 = 1
if r8 > 10 goto other
r7 = 2
r9 += 3
r9 += 4
other:
r6 = r0
r6 += 1
r6 += 1
r6 += 1
*(u64 *)(r10 - 8) = 0
r1 = 4
r2 = cb ll
r3 = r10
r3 += -8
r4 = 0
loop:
call bpf_loop
r0 = 2
exit
cb:
r1 = *(u64 *)(r2 + 0)
r1 &= 1
*(u64 *)(r2 + 0) = r1
r0 = 0
exit
";
        assert_eq!(pruned_at(src, "loop"), (Ok(()), 2));
    }

    /// Must not prune: from the second round on, the callback adds the caller's `fp-8` (0 on
    /// the first path, `second` on the next) to a map value pointer. The covered round's marks
    /// reach the join, so the next path is explored and, out of bounds, refused (as the
    /// kernel refuses it); in bounds, accepted.
    #[test]
    fn a_value_a_later_round_needs_stays_precise() {
        let src = |second: u32| {
            format!(
                "
call bpf_get_prandom_u32
r8 = r0
r9 = r0
if r8 > 100 goto skip1
r9 += 1
skip1:
if r8 > 200 goto skip2
r9 += 2
skip2:
r7 = {second}
if r8 > 10 goto join
r7 = 0
r9 += 3
r9 += 4
join:
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 8) = r7
r1 = 4
r2 = cb ll
r3 = r10
r3 += -16
r4 = 0
call bpf_loop
r0 = 2
exit
cb:
r6 = r2
r1 = *(u64 *)(r6 + 0)
if r1 == 0 goto first
r7 = *(u64 *)(r6 + 8)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = arr ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r7
r0 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit
first:
r1 = 1
*(u64 *)(r6 + 0) = r1
r0 = 0
exit
"
            )
        };
        let (verdict, _) = pruned_at(&src(100), "join");
        assert_eq!(verdict, Err(vec![Rule::MapValueBounds]));
        let (verdict, _) = pruned_at(&src(15), "join");
        assert_eq!(verdict, Ok(()));
    }

    /// Must not prune (`incomplete_read_marks`): in the callback's first round the first path
    /// returns unchanged (the call's unfinished checkpoint covers the next round), then the
    /// path through `b:` reaches `j:` with the caller's `fp-8` at 100. The checkpoint at `j:`
    /// is finished but its marks are not complete yet (`use:`, which adds `fp-8` to a map
    /// value pointer, is explored last): compared by its marks alone it would prune that path,
    /// and the round where `use:` meets 100 would never be explored. Compared in every
    /// location, the path goes on and returns, where `fp-8` (still imprecise in the call's
    /// entry state) is widened (`widen_imprecise_scalars`): the next round's `use:` adds an
    /// unbounded scalar and is refused, as the kernel refuses it ("math between map_value
    /// pointer and register with unbounded min value").
    #[test]
    fn a_checkpoint_below_a_loop_head_still_explored_compares_every_location() {
        let src = "
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 8) = 0
r1 = 4
r2 = cb ll
r3 = r10
r3 += -16
r4 = 0
call bpf_loop
r0 = 2
exit
cb:
r9 = r2
r8 = 0
r8 += 1
r8 += 1
call bpf_get_prandom_u32
if r0 == 7 goto use
call bpf_get_prandom_u32
if r0 == 5 goto b
j:
r0 = 0
exit
b:
r1 = 100
*(u64 *)(r9 + 8) = r1
goto j
use:
r7 = *(u64 *)(r9 + 8)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = arr ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r7
r0 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit
";
        let (verdict, _) = pruned_at(src, "j");
        assert_eq!(verdict, Err(vec![Rule::PointerArithmetic]));
    }
}

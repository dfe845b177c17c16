//! The marks of [`super::Explorer`]: live, precise and demanded sources climbing the chain
//! of checkpoints (the kernel's `mark_reg_read` / `mark_chain_precision`), immediate or
//! deferred to the path's next checkpoint.

use super::deps;
use super::{Deferred, Explorer, Mark, Mask};

impl<const W: usize> Explorer<W> {
    /// Marks the sources `m` (in terms of checkpoint `ck`) live, and precise or demanded as
    /// `how` says, at `ck` and, translated, at each of its ancestors.
    ///
    /// Most calls mark nothing (no checkpoint yet, or no source): those cost only the test.
    #[inline]
    pub(crate) fn mark(&mut self, ck: Option<usize>, m: Mask<W>, how: Mark) {
        if ck.is_some() && !m.is_empty() {
            self.mark_some(ck, m, how);
        }
    }

    /// [`Explorer::mark`] of sources `read` read and `demanded` demanded, applied later: the
    /// marks of the instructions since the path's last checkpoint are gathered (a union per
    /// kind) and applied together by [`Explorer::flush_marks`], before anything reads a
    /// checkpoint's marks (a visit that compares, a finished path, the `may_goto` widening) or
    /// the path marks in terms of a newer checkpoint. Marks only grow and climb the chain as a
    /// union over bits ([`deps::translate`], the forwards alike), so the marks every checkpoint
    /// ends with are those of marking instruction by instruction: one walk up the chain for
    /// several prune points instead of one per instruction.
    #[inline(always)]
    pub(crate) fn defer_marks(&mut self, ck: Option<usize>, read: Mask<W>, demanded: Mask<W>) {
        if ck.is_none() {
            return;
        }
        if ck != self.deferred.ck {
            self.flush_marks();
            self.deferred.ck = ck;
        }
        self.deferred.read |= read;
        self.deferred.demanded |= demanded;
    }

    /// Applies the marks gathered by [`Explorer::defer_marks`].
    #[inline]
    pub(crate) fn flush_marks(&mut self) {
        if self.deferred.ck.is_none() {
            return;
        }
        let Deferred { ck, read, demanded } = std::mem::take(&mut self.deferred);
        if demanded.is_empty() {
            self.mark(ck, read, Mark::Read);
        } else {
            self.mark_read_demanded(ck, read, demanded);
            if !self.work.is_empty() {
                self.drain();
            }
        }
    }

    /// [`Explorer::mark_chain`] of sources `read` read and `demanded` demanded in one walk up
    /// the chain (the marks of marking one then the other).
    #[inline(never)]
    pub(super) fn mark_read_demanded(
        &mut self,
        mut ck: Option<usize>,
        mut read: Mask<W>,
        mut demanded: Mask<W>,
    ) {
        while let Some(c) = ck {
            let cp = &mut self.checkpoints[c];
            let new_read = read & !cp.live;
            let new_demanded = demanded & !(cp.demanded & cp.precise & cp.live);
            if new_demanded.is_empty() {
                // Only reads left to climb.
                self.mark_chain(ck, new_read, Mark::Read);
                return;
            }
            cp.live |= new_read | new_demanded;
            cp.precise |= new_demanded;
            cp.demanded |= new_demanded;
            if !cp.forwards.is_empty() {
                if !new_read.is_empty() {
                    self.queue_forwards(c, new_read, Mark::Read);
                }
                self.queue_forwards(c, new_demanded, Mark::Demanded);
            }
            let cp = &self.checkpoints[c];
            read = if new_read.is_empty() {
                Mask::EMPTY
            } else {
                deps::translate(&cp.link, new_read)
            };
            demanded = deps::translate(&cp.link, new_demanded);
            ck = cp.parent;
        }
    }

    /// The marks of a prune hit: sources `read` read, `precise` precise and `demanded`
    /// demanded (each a subset of the one before, as a checkpoint's own), in one walk up the
    /// chain instead of three: the marks of marking one kind after the other (at every
    /// checkpoint `demanded <= precise <= live`, so each kind's new part is the one its own
    /// walk would find, and the forwards' marks are unions whatever their order). A kind
    /// climbs on only with its new part; the walk stops where no kind has one.
    #[inline(never)]
    pub(super) fn mark_hit(
        &mut self,
        mut ck: Option<usize>,
        mut read: Mask<W>,
        mut precise: Mask<W>,
        mut demanded: Mask<W>,
    ) {
        while let Some(c) = ck {
            let cp = &mut self.checkpoints[c];
            let new_read = read & !cp.live;
            let new_precise = precise & !(cp.precise & cp.live);
            let new_demanded = demanded & !(cp.demanded & cp.precise & cp.live);
            if new_read.is_empty() && new_precise.is_empty() && new_demanded.is_empty() {
                break;
            }
            cp.live |= new_read | new_precise | new_demanded;
            cp.precise |= new_precise | new_demanded;
            cp.demanded |= new_demanded;
            if !cp.forwards.is_empty() {
                for (m, how) in [
                    (new_read, Mark::Read),
                    (new_precise, Mark::Precise),
                    (new_demanded, Mark::Demanded),
                ] {
                    if !m.is_empty() {
                        self.queue_forwards(c, m, how);
                    }
                }
            }
            let cp = &self.checkpoints[c];
            // The same new part (often: every mark new here) is translated once.
            let up = |m: Mask<W>| {
                if m.is_empty() {
                    Mask::EMPTY
                } else {
                    deps::translate(&cp.link, m)
                }
            };
            read = up(new_read);
            precise = if new_precise == new_read {
                read
            } else {
                up(new_precise)
            };
            demanded = if new_demanded == new_precise {
                precise
            } else {
                up(new_demanded)
            };
            ck = cp.parent;
        }
        if !self.work.is_empty() {
            self.drain();
        }
    }

    /// [`Explorer::mark`] of some sources.
    #[inline(never)]
    pub(super) fn mark_some(&mut self, ck: Option<usize>, m: Mask<W>, how: Mark) {
        self.mark_chain(ck, m, how);
        if !self.work.is_empty() {
            self.drain();
        }
    }

    /// [`Explorer::mark`] along one chain of ancestors; the new marks of a checkpoint that
    /// pruned paths while incomplete are queued for those paths.
    #[inline]
    pub(super) fn mark_chain(&mut self, mut ck: Option<usize>, mut m: Mask<W>, how: Mark) {
        while let Some(c) = ck {
            if m.is_empty() {
                return;
            }
            let cp = &mut self.checkpoints[c];
            // Marks only grow and `translate` is a union over bits: what this checkpoint
            // already has was sent on to its ancestors when it was added (multi-frame ones
            // included), so only the new part climbs on.
            let have = match how {
                Mark::Read => cp.live,
                Mark::Precise => cp.precise & cp.live,
                Mark::Demanded => cp.demanded & cp.precise & cp.live,
            };
            let new = m & !have;
            if new.is_empty() {
                return;
            }
            cp.live |= new;
            if how != Mark::Read {
                cp.precise |= new;
            }
            if how == Mark::Demanded {
                cp.demanded |= new;
            }
            if !cp.forwards.is_empty() {
                self.queue_forwards(c, new, how);
            }
            let cp = &self.checkpoints[c];
            m = deps::translate(&cp.link, new);
            ck = cp.parent;
        }
    }
}

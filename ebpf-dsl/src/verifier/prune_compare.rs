//! A prune point's comparison of the path's state with the finished checkpoints of its
//! instruction ([`Explorer::compare_finished`], called by [`Explorer::visit_head`]): newest
//! first, as the kernel walks its list, each that does not cover the path counting a miss.

use super::*;

impl<const W: usize> Explorer<W> {
    /// The finished checkpoints of `pc` (`list`, newest first) compared with the path's state
    /// `st` (see [`Explorer::visit`]): the one that covers it, if one does; each that does not
    /// counts a miss if `counts` says so, and leaves the list if it keeps missing. The list
    /// is newest first (the kernel's order); only those from id `order` on are compared.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn compare_finished(
        &mut self,
        pc: usize,
        list: &mut Vec<prune_hint::Kept>,
        st: &State,
        d: &mut Deps<W>,
        live_static: u16,
        parent: Option<usize>,
        counts: impl Fn(usize) -> bool,
        order: usize,
    ) -> Option<usize> {
        let mut i = 0;
        let quick = !self.exact && self.tracer.is_none();
        let drop = |list: &mut Vec<prune_hint::Kept>, i: usize| {
            list.remove(i);
        };
        while i < list.len() {
            let kept = &list[i];
            let (c, mut hint) = (kept.id, kept.hint);
            if c < order {
                break;
            }
            // (A copy is kept only after a comparison that froze them: with 6.18's stack
            // liveness no hint is guessed before. The copy's refusal reads no checkpoint.)
            if self.stack_live.is_some() && !kept.has_copy() {
                self.freeze_stack_live(c, pc);
            }
            #[cfg(debug_assertions)]
            if self.stack_live.is_some() && kept.has_copy() {
                let ck = &self.checkpoints[c];
                assert!(
                    ck.stack_live.is_some()
                        || ck.state.as_ref().is_none_or(|s| s.frames.len() != 1),
                    "a kept copy before the checkpoint's stack liveness was frozen"
                );
            }
            // The hint's copy refuses without reading the checkpoint (the same miss as
            // below, where `refused` would refuse; a copy that does not refuse spares that
            // test).
            let copied = quick && kept.has_copy();
            if copied && kept.refuses(st, live_static) {
                #[cfg(debug_assertions)]
                self.assert_refused(c, st, live_static);
                if counts(c) && self.miss(pc, c, head::MISSES) {
                    drop(list, i);
                    continue;
                }
                i += 1;
                continue;
            }
            let ck = &self.checkpoints[c];
            let Some(old) = &ck.state else {
                drop(list, i);
                continue;
            };
            let incomplete = self.incomplete(c);
            let n = old.frames.len().min(Mask::<W>::FRAMES);
            // The checkpoint's marks, when they are final (compared location by location, the
            // location that failed last time first).
            let marks = (!self.exact && !incomplete).then(|| self.frame_marks(c, n, live_static));
            let hc = marks.as_ref().map(|marks| prune_hint::Ctx {
                live_static,
                marks: &marks[..n],
                local_calls: &self.local_calls,
            });
            let covered = match &hc {
                // The same answer as the full comparison, sooner.
                Some(hc) => {
                    (copied || !prune_hint::refused(old, st, hc, hint))
                        && match covers_frames_where(
                            old,
                            st,
                            live_static,
                            hc.marks,
                            &self.local_calls,
                        ) {
                            Ok(()) => true,
                            Err(failed) => {
                                hint = prune_hint::missed_at(old, st, hc, hint, failed);
                                false
                            }
                        }
                        && (!self.exact_marks
                            || super::super::exact::prunes_masked(old, st, hc.marks))
                }
                None if self.exact => {
                    covers_calls(old, st, live_static, &self.local_calls)
                        && super::super::exact::prunes(old, st)
                }
                None => {
                    // Marks that may still grow: every location counts (the kernel compares a
                    // state whose SCC visit has backedges `RANGE_WITHIN`); the hint refuses as
                    // with final marks, every location compared (no copy: see below).
                    let all = [(!0u128, !0u128); MAX_FRAMES];
                    let ac = prune_hint::Ctx {
                        live_static,
                        marks: &all[..n],
                        local_calls: &self.local_calls,
                    };
                    !prune_hint::refused(old, st, &ac, hint)
                        && match covers_frames_where(
                            old,
                            st,
                            live_static,
                            ac.marks,
                            &self.local_calls,
                        ) {
                            Ok(()) => true,
                            Err(failed) => {
                                hint = prune_hint::missed_at(old, st, &ac, hint, failed);
                                false
                            }
                        }
                        && (!self.exact_marks || super::super::exact::prunes(old, st))
                }
            };
            if covered && incomplete && !self.exact {
                self.checkpoints[c].hits += 1;
                record(&self.tracer, Ev::Pruned { pc, by: c });
                self.hit_incomplete(c, parent, d, live_static);
                return Some(c);
            }
            if covered {
                // The frames without bits of their own were compared exactly: every location
                // of theirs counts as read and precise.
                let deep = if old.frames.len() > Mask::<W>::FRAMES {
                    Mask::OTHER
                } else {
                    Mask::EMPTY
                };
                let keep = live_mask(live_static, old.frames.len() - 1);
                let (ck_live, ck_demanded) = (ck.live, ck.demanded);
                let exact = self.exact_locs(c);
                let live = (ck_live | deep) & keep;
                let precise = ((exact & ck_live) | deep) & keep;
                let demanded = (ck_demanded | deep) & keep;
                self.checkpoints[c].hits += 1;
                record(&self.tracer, Ev::Pruned { pc, by: c });
                // Precise and demanded locations are live ones, often all of them: the same
                // mask has the same sources.
                let ml = d.of_mask(live);
                let mp = if precise == live {
                    ml
                } else {
                    d.of_mask(precise)
                };
                let md = if demanded == precise {
                    mp
                } else {
                    d.of_mask(demanded)
                };
                if parent.is_some() {
                    self.mark_hit(parent, ml, mp, md);
                }
                return Some(c);
            }
            if self.tracer.is_some() {
                let (live, precise) = if self.exact || incomplete {
                    (Mask::ALL, Mask::ALL)
                } else {
                    (ck.live, ck.precise)
                };
                let live = live & live_mask(live_static, old.frames.len() - 1);
                // Frame by frame; a frame without bits of its own is compared exactly. The
                // marks the comparison used where it had final ones (6.18's stack liveness).
                let marks = (0..old.frames.len())
                    .map(|k| match &marks {
                        Some(m) if k < n => m[k],
                        _ if k < Mask::<W>::FRAMES => (live.frame(k), precise.frame(k)),
                        _ => (!0, !0),
                    })
                    .collect();
                let miss = Ev::Miss {
                    pc,
                    id: c,
                    old,
                    new: st,
                    marks,
                };
                record(&self.tracer, miss);
            }
            if let Some(hc) = &hc {
                list[i].set(hint, old, hc);
            } else if !self.exact {
                // Found comparing every location: a location only, its copy taken (with the
                // checkpoint's own marks) once they are final.
                list[i].set_hint(hint);
            }
            if counts(c) && self.miss(pc, c, head::MISSES) {
                drop(list, i);
                continue;
            }
            i += 1;
        }
        None
    }
}

//! A quick refusal before the full comparison of a checkpoint with a new state: each
//! checkpoint remembers a location that made an earlier comparison fail on its own (its
//! *hint*), and a new state that fails there too is not covered, without comparing the other
//! locations first. Most misses of a checkpoint come from the same location (a loop counter,
//! a spilled value that differs from round to round), which the full comparison only reaches
//! after every live register and lower slot.
//!
//! The refusal is exact: a location is tested as [`covers_frames`] tests it (the same skipped
//! locations, the same "any scalar" rule for imprecise ones), alone, with no ids mapped yet.
//! Id maps only grow during a comparison and a test only fails more with more ids mapped, so
//! a location that fails alone fails in the full comparison too: the answer, hence every count,
//! stays the same (debug builds check it against [`covers_frames`]). Nothing here decides that
//! a state is covered.

use super::domain::scalar::Scalar;
use super::domain::state::{
    first_differing_reg, reg_differs, reg_loc_covers_alone, scalar_covers_alone, slot_covers_alone,
    slot_loc_covers_alone, Failed, RegVal, Slot, State, CHUNK,
};

#[cfg(debug_assertions)]
use super::domain::state::covers_frames;

/// A location of a checkpoint: its frame and the location in it (a register 0..=10 or `11 +`
/// a slot index), as in [`super::mask`].
pub(crate) type Loc = (u8, u8);

/// What a checkpoint knows of its misses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Hint {
    /// Nothing yet: look for a location at the next miss.
    #[default]
    Unknown,
    /// The location of an earlier miss that failed on its own.
    At(Loc),
    /// The last misses had no such location (ids, call frames, references): skip this many
    /// more before looking again.
    Wait(u8),
}

/// Misses skipped after one without a location of its own.
const WAIT: u8 = 8;

/// The marks of a checkpoint's frames and what else [`covers_frames`] takes.
pub(crate) struct Ctx<'a> {
    /// The registers of the innermost frame that may still be read.
    pub(crate) live_static: u16,
    /// Per frame (the outermost ones): live and precise locations; deeper frames: all.
    pub(crate) marks: &'a [(u128, u128)],
    /// The bpf-to-bpf calls (`local_calls[pc]`).
    pub(crate) local_calls: &'a [bool],
}

/// True if the comparison of `old` (a finished checkpoint) with `new` fails at `loc` whatever
/// the other locations hold; false if it may pass there (or the location is not compared).
pub(crate) fn fails_at(old: &State, new: &State, c: &Ctx, loc: Loc) -> bool {
    let (k, b) = (loc.0 as usize, loc.1 as usize);
    if old.frames.len() != new.frames.len() || k >= old.frames.len() {
        return false;
    }
    let last = old.frames.len() - 1;
    let (fo, fnew) = (&old.frames[k], &new.frames[k]);
    let (live, precise) = c.marks.get(k).copied().unwrap_or((!0, !0));
    if live & (1u128 << b) == 0 {
        return false;
    }
    let precise = precise & (1u128 << b) != 0;
    if b < 11 {
        let args_dead = k != last && c.local_calls.get(old.frames[k + 1].callsite) == Some(&true);
        if (k == last && c.live_static & (1 << b) == 0) || (args_dead && b <= 5) {
            return false;
        }
        return !reg_loc_covers_alone(&fo.regs[b], &fnew.regs[b], precise);
    }
    !slot_loc_covers_alone(&fo.stack, &fnew.stack, b - 11, precise)
}

/// True if the comparison of `old` with `new` fails for a reason of the whole state (call
/// frames, references, taint, lock, RCU section: the checks before any location's), as
/// [`covers_frames`].
fn shape_differs(old: &State, new: &State) -> bool {
    old.frames.len() != new.frames.len()
        || old.refs.len() != new.refs.len()
        || (new.taint.is_some() && old.taint.is_none())
        || old.lock.is_some() != new.lock.is_some()
        || old.rcu != new.rcu
        || matches!((old.lock, new.lock), (Some((a, _)), Some((b, _))) if a != b)
        || old
            .frames
            .iter()
            .zip(&new.frames)
            .any(|(o, n)| o.callsite != n.callsite || o.callback_depth > n.callback_depth)
}

/// The first location (frame by frame, registers then slots) at which the comparison of `old`
/// with `new` fails on its own (see [`fails_at`]), if any.
#[cfg(any(test, debug_assertions))]
pub(crate) fn first_failing(old: &State, new: &State, c: &Ctx) -> Option<Loc> {
    first_failing_from(old, new, c, (0, 0))
}

/// [`first_failing`] among the locations from `from` on (frame by frame, registers then
/// slots): those before it are known to cover alone.
fn first_failing_from(old: &State, new: &State, c: &Ctx, from: Loc) -> Option<Loc> {
    if shape_differs(old, new) {
        return None;
    }
    // As `fails_at` for each location, with what is per frame worked out once.
    let last = old.frames.len() - 1;
    let (k0, b0) = (from.0 as usize, from.1 as u32);
    for (k, (fo, fnew)) in old.frames.iter().zip(&new.frames).enumerate().skip(k0) {
        let (mut live, precise) = c.marks.get(k).copied().unwrap_or((!0, !0));
        if k == k0 {
            live &= !((1u128 << b0) - 1);
        }
        let args_dead = k != last && c.local_calls.get(old.frames[k + 1].callsite) == Some(&true);
        let mut regs = live as u64 & 0x7ff;
        if k == last {
            regs &= c.live_static as u64;
        }
        if args_dead {
            regs &= !0x3f;
        }
        while regs != 0 {
            let r = regs.trailing_zeros() as usize;
            regs &= regs - 1;
            if !reg_loc_covers_alone(&fo.regs[r], &fnew.regs[r], precise & (1 << r) != 0) {
                return Some((k as u8, r as u8));
            }
        }
        // Slot by slot, chunk by chunk: a chunk both stacks share covers alone (each slot
        // is compared with itself, no ids mapped yet), and is passed over at once.
        let (mut slots, precise) = ((live >> 11) as u64, (precise >> 11) as u64);
        while slots != 0 {
            let c = slots.trailing_zeros() as usize / CHUNK;
            let mut bits = (slots >> (c * CHUNK)) & 0xff;
            slots &= !(0xff << (c * CHUNK));
            if fo.stack.chunks_shared(&fnew.stack, c) {
                continue;
            }
            let (co, cn) = (fo.stack.chunk(c), fnew.stack.chunk(c));
            while bits != 0 {
                let j = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let i = c * CHUNK + j;
                if !slot_covers_alone(&co[j], &cn[j], precise & (1 << i) != 0) {
                    return Some((k as u8, 11 + i as u8));
                }
            }
        }
    }
    None
}

/// True if `hint` shows that `old` does not cover `new` (see [`fails_at`]); in debug builds,
/// checked against the full comparison.
pub(crate) fn refused(old: &State, new: &State, c: &Ctx, hint: Hint) -> bool {
    let Hint::At(loc) = hint else { return false };
    let refused = fails_at(old, new, c, loc);
    #[cfg(debug_assertions)]
    if refused {
        assert!(
            !covers_frames(old, new, c.live_static, c.marks, c.local_calls),
            "prune hint {loc:?} refused a state the full comparison covers"
        );
    }
    refused
}

/// After the full comparison found that `old` does not cover `new`: the hint for the next
/// comparisons.
#[cfg(test)]
pub(crate) fn missed(old: &State, new: &State, c: &Ctx, hint: Hint) -> Hint {
    missed_at(old, new, c, hint, Failed::Whole)
}

/// [`missed`] after the full comparison failed at `failed`: the locations it compared before
/// a failing one cover alone, and are not looked at again.
pub(crate) fn missed_at(old: &State, new: &State, c: &Ctx, hint: Hint, failed: Failed) -> Hint {
    match hint {
        Hint::Wait(n) if n > 0 => Hint::Wait(n - 1),
        _ => {
            let from = match failed {
                Failed::At(k, b) => (k, b),
                Failed::Whole => (0, 0),
            };
            let found = first_failing_from(old, new, c, from);
            #[cfg(debug_assertions)]
            assert_eq!(
                found,
                first_failing(old, new, c),
                "the comparison's failing location {failed:?} skipped a location failing alone"
            );
            found.map_or(Hint::Wait(WAIT), Hint::At)
        }
    }
}

/// Entries of an instruction's list [`first_guess`] looks at (the newest).
const GUESS_FROM: usize = 4;

/// The first hint of a checkpoint joining `list`, the finished checkpoints of its
/// instruction: the newest location hinted among the last few there. That is a guess (the
/// checkpoints of one instruction mostly miss at the same location, a loop's counter or a
/// spilled value of the round), which spares the full comparison of its first miss when
/// right; when wrong, the full comparison runs as with no hint. A hint only says where to
/// look first: its copy refuses only a state whose location does not cover alone, whatever
/// the location.
pub(crate) fn first_guess(list: &[Kept]) -> Option<Hint> {
    list.iter()
        .rev()
        .take(GUESS_FROM)
        .map(|x| x.hint)
        .find(|h| matches!(h, Hint::At(_)))
}

/// A finished checkpoint in the list of its instruction, with its hint and a copy of what
/// the hint's location held in it: a new state the copy refuses is not covered, and the
/// refusal reads neither the checkpoint nor its state (memory far apart from one checkpoint
/// to the next; the list is read in order).
pub(crate) struct Kept {
    /// The checkpoint.
    pub(crate) id: usize,
    /// Its hint.
    pub(crate) hint: Hint,
    /// False if the checkpoint is below a loop head (its marks may then still grow while
    /// it is compared in every location): no copy is kept.
    headless: bool,
    /// The hinted location's content in the checkpoint, when the hint names one (and the
    /// checkpoint is headless).
    copy: Option<Held>,
}

/// The hinted location of a checkpoint and what it held (see [`Kept`]).
struct Held {
    /// The checkpoint's call frames.
    frames: u8,
    /// The location.
    loc: Loc,
    /// The statically live registers the location needs (its own bit for a register of
    /// the innermost frame, whose registers count only when statically live; else none).
    needs: u16,
    /// Precise when the hint was set (marks only grow, and a location that fails imprecise
    /// fails precise too: an older flag refuses no more than the current one).
    precise: bool,
    old: Old,
}

enum Old {
    Reg(RegVal),
    Slot(Slot),
}

impl Kept {
    /// Checkpoint `id` (below a loop head if not `headless`), no hint yet.
    pub(crate) fn new(id: usize, headless: bool) -> Kept {
        Kept {
            id,
            hint: Hint::Unknown,
            headless,
            copy: None,
        }
    }

    /// True if it keeps a copy of its hinted location ([`Kept::refuses`] may refuse).
    #[inline]
    pub(crate) fn has_copy(&self) -> bool {
        self.copy.is_some()
    }

    /// True if the copy of the hinted location shows that the checkpoint does not cover
    /// `new` (the answer of [`refused`] with the checkpoint's current marks, or false).
    #[inline(always)]
    pub(crate) fn refuses(&self, new: &State, live_static: u16) -> bool {
        let Some(c) = &self.copy else { return false };
        if new.frames.len() != c.frames as usize || live_static & c.needs != c.needs {
            return false;
        }
        let (k, b) = (c.loc.0 as usize, c.loc.1 as usize);
        let fnew = &new.frames[k];
        // Two numbers, the usual case, without the rest of the comparison's setup: an old
        // number whose value never mattered covers any number; a precise one as
        // `reg_covers` has it alone (within its bounds, the same delta link).
        let numbers = |o: &Scalar, n: &Scalar| c.precise && !scalar_covers_alone(o, n);
        match &c.old {
            Old::Reg(o) => {
                let n = &fnew.regs[b];
                match (o, n) {
                    (RegVal::Scalar(so), RegVal::Scalar(sn)) => return numbers(so, sn),
                    // A packet pointer covers only one of the same kind and offset with at
                    // least its checked range (a mark past data_end, negative, only the same).
                    (
                        RegVal::Pkt {
                            kind: k1,
                            off: o1,
                            range: r1,
                            ..
                        },
                        RegVal::Pkt {
                            kind: k2,
                            off: o2,
                            range: r2,
                            ..
                        },
                    ) if k1 != k2 || o1 != o2 || r2 < r1 || ((*r1 < 0 || *r2 < 0) && r1 != r2) => {
                        return true
                    }
                    _ => {}
                }
                !reg_loc_covers_alone(o, n, c.precise)
            }
            Old::Slot(o) => {
                let n = &fnew.stack[b - 11];
                if let (Slot::Spill(RegVal::Scalar(so)), Slot::Spill(RegVal::Scalar(sn))) = (o, n) {
                    return numbers(so, sn);
                }
                !slot_covers_alone(o, n, c.precise)
            }
        }
    }

    /// Sets the hint without a copy of its location (found comparing every location, while
    /// the checkpoint's own marks may still grow: a copy taken with them could refuse more
    /// than their final value).
    pub(crate) fn set_hint(&mut self, hint: Hint) {
        if hint != self.hint {
            self.hint = hint;
            self.copy = None;
        }
    }

    /// Sets the hint (after a miss of the checkpoint, whose state is `old`, compared with
    /// `c`'s marks).
    pub(crate) fn set(&mut self, hint: Hint, old: &State, c: &Ctx) {
        if hint == self.hint {
            return;
        }
        self.hint = hint;
        self.copy = None;
        let Hint::At((k, b)) = hint else { return };
        if !self.headless {
            return;
        }
        let (ku, bu) = (k as usize, b as usize);
        let last = old.frames.len() - 1;
        if ku > last || ku >= c.marks.len() {
            return;
        }
        let (live, precise) = c.marks[ku];
        let args_dead = ku != last && c.local_calls.get(old.frames[ku + 1].callsite) == Some(&true);
        if live & (1u128 << b) == 0 || (bu < 11 && args_dead && bu <= 5) {
            return;
        }
        let fo = &old.frames[ku];
        self.copy = Some(Held {
            frames: old.frames.len() as u8,
            loc: (k, b),
            needs: if ku == last && bu < 11 { 1 << bu } else { 0 },
            precise: precise & (1u128 << b) != 0,
            old: if bu < 11 {
                Old::Reg(fo.regs[bu])
            } else {
                Old::Slot(fo.stack[bu - 11])
            },
        });
    }
}

/// An unfinished checkpoint in the list of its instruction, with a copy of a register in
/// which its state differed from one compared with it for a loop without progress (the
/// quick refusal of [`same_state`](super::domain::state::same_state)): a new state that
/// differs there too is not the same, and the refusal reads neither the checkpoint nor its
/// state. A checkpoint's state never changes once stored, so the copy stays true.
pub(crate) struct Waiting {
    /// The checkpoint.
    pub(crate) id: usize,
    /// True once the checkpoint is evicted (its state dropped: it is no longer compared, but
    /// keeps its place in the list), set where the explorer evicts an unfinished one: the
    /// list's scans need not read each checkpoint.
    pub(crate) gone: bool,
    /// The register that refused last, if any.
    differs: Option<Differs>,
}

/// A register of an unfinished checkpoint's state (see [`Waiting`]).
struct Differs {
    /// The state's call frames and `may_goto` depth (a state with others is not the same).
    frames: u8,
    may_goto_depth: u32,
    /// The frame and the register.
    frame: u8,
    reg: u8,
    old: RegVal,
}

impl Waiting {
    /// Checkpoint `id`, nothing known yet.
    pub(crate) fn new(id: usize) -> Waiting {
        Waiting {
            id,
            gone: false,
            differs: None,
        }
    }

    /// True if the copy shows that the checkpoint's state is not `new` (the quick refusal
    /// of `same_state`, or another frame count or `may_goto` depth).
    #[inline]
    pub(crate) fn refuses(&self, new: &State) -> bool {
        let Some(d) = &self.differs else { return false };
        new.frames.len() != d.frames as usize
            || new.may_goto_depth != d.may_goto_depth
            || reg_differs(&d.old, &new.frames[d.frame as usize].regs[d.reg as usize])
    }

    /// After `same_state` found the checkpoint's state `old` is not `new`: keeps the first
    /// register that refused it, if one did.
    pub(crate) fn set(&mut self, old: &State, new: &State) {
        self.differs = first_differing_reg(old, new).map(|(k, r)| Differs {
            frames: old.frames.len() as u8,
            may_goto_depth: old.may_goto_depth,
            frame: k as u8,
            reg: r as u8,
            old: old.frames[k].regs[r],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verifier::domain::state::{RegVal, Slot};
    use crate::verifier::initial_state;

    /// `same_state`'s quick refusal on slots (the other pre-check of a comparison) refuses
    /// different numbers and keeps what covers both ways.
    #[test]
    fn same_state_refuses_different_spilled_numbers_only() {
        use crate::verifier::domain::state::{same_state, Byte};
        let mut a = initial_state();
        a.frames[0].stack[60] = Slot::Spill(RegVal::Scalar(Scalar::konst(1)));
        let mut b = initial_state();
        b.frames[0].stack[60] = Slot::Spill(RegVal::Scalar(Scalar::konst(2)));
        assert!(!same_state(&a, &b));
        b.frames[0].stack[60] = Slot::Spill(RegVal::Scalar(Scalar::konst(1)));
        assert!(same_state(&a, &b));
        // Unknown bytes and an unknown spilled number cover each other.
        a.frames[0].stack[61] = Slot::Bytes([Byte::Misc; 8]);
        b.frames[0].stack[61] = Slot::Spill(RegVal::Scalar(Scalar::UNKNOWN));
        assert!(same_state(&a, &b));
        b.frames[0].stack[61] = Slot::Bytes([Byte::Zero; 8]);
        assert!(!same_state(&a, &b));
    }

    #[test]
    fn a_location_that_fails_alone_refuses_and_others_do_not() {
        let mut old = initial_state();
        old.frames[0].regs[6] = RegVal::Scalar(Scalar::konst(3));
        old.frames[0].regs[7] = RegVal::Scalar(Scalar::konst(1));
        let mut new = old.clone();
        new.frames[0].regs[6] = RegVal::Scalar(Scalar::konst(4));
        let all = (1u128 << 75) - 1;
        let c = Ctx {
            live_static: 0x7ff,
            marks: &[(all, all)],
            local_calls: &[],
        };
        assert_eq!(first_failing(&old, &new, &c), Some((0, 6)));
        assert!(refused(&old, &new, &c, Hint::At((0, 6))));
        assert!(!refused(&old, &new, &c, Hint::At((0, 7))));
        assert!(!refused(&old, &new, &c, Hint::Unknown));
        assert_eq!(missed(&old, &new, &c, Hint::Unknown), Hint::At((0, 6)));
        assert_eq!(missed(&old, &new, &c, Hint::Wait(2)), Hint::Wait(1));
        // Imprecise: any scalar covers it.
        let c = Ctx {
            live_static: 0x7ff,
            marks: &[(all, all & !(1 << 6))],
            local_calls: &[],
        };
        assert!(!refused(&old, &new, &c, Hint::At((0, 6))));
        assert_eq!(first_failing(&old, &new, &c), None);
        assert_eq!(missed(&old, &new, &c, Hint::At((0, 6))), Hint::Wait(WAIT));
        // Not live: never compared.
        let c = Ctx {
            live_static: 0x7ff & !(1 << 6),
            marks: &[(all, all)],
            local_calls: &[],
        };
        assert!(!refused(&old, &new, &c, Hint::At((0, 6))));
        // Another call frame: no location to blame.
        let mut deeper = new.clone();
        deeper.frames.push(deeper.frames[0].clone());
        assert_eq!(first_failing(&old, &deeper, &c), None);
    }

    /// An unfinished checkpoint's copy of the register that refused a state refuses one that
    /// differs there again, or in frames or `may_goto` depth (as `same_state`), and leaves
    /// one that is the same there to the full comparison.
    #[test]
    fn the_loop_checks_copy_refuses_as_same_state() {
        use crate::verifier::domain::state::same_state;
        let mut old = initial_state();
        old.frames[0].regs[6] = RegVal::Scalar(Scalar::konst(3));
        let mut new = old.clone();
        new.frames[0].regs[6] = RegVal::Scalar(Scalar::konst(4));
        let mut w = Waiting::new(0);
        assert!(!w.refuses(&new) && !same_state(&old, &new));
        w.set(&old, &new);
        assert!(w.refuses(&new));
        let again = old.clone();
        assert!(!w.refuses(&again) && same_state(&old, &again));
        let mut deeper = old.clone();
        deeper.may_goto_depth += 1;
        assert!(w.refuses(&deeper) && !same_state(&old, &deeper));
        let mut framed = old.clone();
        framed.frames.push(framed.frames[0].clone());
        assert!(w.refuses(&framed) && !same_state(&old, &framed));
        // The same registers (a slot differs): nothing to copy, nothing refused.
        let mut slot = old.clone();
        slot.frames[0].stack[60] = Slot::Spill(RegVal::Scalar(Scalar::konst(1)));
        w.set(&old, &slot);
        assert!(!w.refuses(&new));
    }

    /// A checkpoint joining a list takes the newest location hinted among its last entries.
    #[test]
    fn a_joining_checkpoint_guesses_the_newest_hinted_location() {
        let old = initial_state();
        let all = (1u128 << 75) - 1;
        let c = Ctx {
            live_static: 0x7ff,
            marks: &[(all, all)],
            local_calls: &[],
        };
        let mut list: Vec<Kept> = (0..2).map(|id| Kept::new(id, true)).collect();
        assert_eq!(first_guess(&list), None);
        list[0].set(Hint::At((0, 6)), &old, &c);
        list[1].set(Hint::Wait(3), &old, &c);
        assert_eq!(first_guess(&list), Some(Hint::At((0, 6))));
        list[1].set(Hint::At((0, 7)), &old, &c);
        assert_eq!(first_guess(&list), Some(Hint::At((0, 7))));
        // Only the last few entries are looked at.
        list.extend((2..2 + GUESS_FROM).map(|id| Kept::new(id, true)));
        assert_eq!(first_guess(&list), None);
    }

    /// A kept checkpoint's copy of its hinted location refuses as `refused` does, and not
    /// once the location is statically dead or the frames differ.
    #[test]
    fn the_copy_of_the_hinted_location_refuses_as_the_checkpoint() {
        let mut old = initial_state();
        old.frames[0].regs[6] = RegVal::Scalar(Scalar::konst(3));
        old.frames[0].stack[60] = Slot::Spill(RegVal::Scalar(Scalar::konst(5)));
        let all = (1u128 << 75) - 1;
        let c = Ctx {
            live_static: 0x7ff,
            marks: &[(all, all)],
            local_calls: &[],
        };
        let mut k = Kept::new(0, true);
        assert!(!k.refuses(&old, 0x7ff));
        k.set(Hint::At((0, 6)), &old, &c);
        let mut new = old.clone();
        assert!(!k.refuses(&new, 0x7ff));
        new.frames[0].regs[6] = RegVal::Scalar(Scalar::konst(4));
        assert!(k.refuses(&new, 0x7ff) && refused(&old, &new, &c, k.hint));
        assert!(!k.refuses(&new, 0x7ff & !(1 << 6)));
        let mut deeper = new.clone();
        deeper.frames.push(deeper.frames[0].clone());
        assert!(!k.refuses(&deeper, 0x7ff));
        // A slot: the copy holds its content.
        k.set(Hint::At((0, 11 + 60)), &old, &c);
        assert!(!k.refuses(&new, 0x7ff));
        new.frames[0].stack[60] = Slot::Spill(RegVal::Scalar(Scalar::konst(6)));
        assert!(k.refuses(&new, 0x7ff) && refused(&old, &new, &c, k.hint));
        // A packet pointer: a shorter checked range than the copy's refuses, a longer not.
        let pkt = |range| RegVal::Pkt {
            kind: crate::verifier::domain::state::PktKind::Data,
            off: 0,
            var: Scalar::konst(0),
            id: 0,
            range,
        };
        old.frames[0].regs[7] = pkt(14);
        k.set(Hint::At((0, 7)), &old, &c);
        new.frames[0].regs[7] = pkt(20);
        assert!(!k.refuses(&new, 0x7ff) && !refused(&old, &new, &c, k.hint));
        new.frames[0].regs[7] = pkt(8);
        assert!(k.refuses(&new, 0x7ff) && refused(&old, &new, &c, k.hint));
        // Below a loop head: never used.
        let mut below = Kept::new(0, false);
        below.set(Hint::At((0, 6)), &old, &c);
        assert!(!below.refuses(&new, 0x7ff));
    }
}

//! Calls of the open-coded iterator kfuncs by name ([`IterKfunc`]: `call bpf_iter_num_new`,
//! what libbpf's `bpf_for` compiles to), checked as the kernel's `process_iter_arg`,
//! `mark_stack_slots_iter`, `is_iter_reg_valid_init` and `process_iter_next_call` check them.
//!
//! * Who may call them: every program type, GPL-compatible (every kfunc); the numbers
//!   iterator needs Linux 6.4, the bits iterator 6.11.
//! * The iterator: `struct bpf_iter_num` is one 8-byte stack slot, `struct bpf_iter_bits` two
//!   ([`RegVal::Iter`] spilled in each: the kernel's `STACK_ITER`); its argument, always `r1`,
//!   is a stack pointer at a constant offset, a multiple of 8, the whole iterator within the
//!   frame ("cannot pass in iter at an offset=...").
//! * `bpf_iter_*_new` wants it uninitialised (no iterator slot in its bytes: "expected
//!   uninitialized iter_num as arg #0"); it writes the slots (a dynptr there is destroyed),
//!   acquires a reference (in [`State::refs`], marked [`ITER_REF`]) and makes it *active*.
//!   `r0` is a number (0 or a negative errno; the iterator is usable either way).
//! * `bpf_iter_*_next` and `bpf_iter_*_destroy` want an initialised one of their kind
//!   ("expected an initialized iter_num as arg #0"). `destroy` releases the reference and the
//!   slots become unknown bytes; an iterator never destroyed is a leak at the program's exit
//!   (the kernel's `Unreleased reference`).
//! * `next` forks (the kernel's contract: once NULL, always NULL): the path goes on with the
//!   iterator *drained* and `r0 = 0`; if it was active, a second path is queued at the next
//!   instruction with it active, its depth one higher, and `r0` pointing to 4 read-only bytes
//!   ([`ITER_ELEM`]). The `next` call is a loop head, as a `may_goto` is
//!   ([`super::super::super::prune`]): a checkpoint is always stored there, an unfinished one
//!   that covers a later round whose iterator is active prunes it (the loop converges), the
//!   imprecise scalars of the queued round that changed since the previous round are widened
//!   (`widen_imprecise_scalars`), and the depth keeps a round that makes progress from being
//!   taken for an infinite loop (`iter_active_depths_differ`).
//! * The iterator's slots: a load from them is refused ("invalid read from stack"), so is a
//!   store over them (the kernel lets the store destroy the slot type, then finds the
//!   reference unreleased at the exit) and a helper or kfunc reading or writing memory over
//!   them.

use super::*;
use crate::verifier::domain::state::SLOTS;
use crate::xdp::iter::{IterKfunc, IterKind, IterOp};

/// Marks the references held by iterators (between `bpf_iter_*_new` and `_destroy`).
pub(crate) const ITER_REF: u32 = 1 << 24;

/// The `ref_id` of the [`RegVal::Ringbuf`] `bpf_iter_*_next` returns: 4 read-only bytes (the
/// kernel's `PTR_TO_MEM | MEM_RDONLY` of an `int *` return), holding no reference, not in the
/// packet.
pub(crate) const ITER_ELEM: u32 = DYNPTR_SLICE | DYNPTR_MEM;

/// The first slot of `lo..hi` (slot indices) of frame `f` holding part of an iterator.
pub(crate) fn iter_in(st: &State, f: usize, lo: usize, hi: usize) -> Option<usize> {
    (lo..hi.min(SLOTS)).find(|&i| {
        matches!(
            st.frames.get(f).map(|fr| &fr.stack[i]),
            Some(Slot::Spill(RegVal::Iter { .. }))
        )
    })
}

impl<'a> Exec<'a> {
    /// `call` of the iterator kfunc `k` by name; for an active iterator's `next`, the state of
    /// the queued round (the iterator active, `r0` its element) and where it goes on.
    pub(crate) fn call_iter_kfunc(
        &mut self,
        pc: usize,
        st: &mut State,
        k: IterKfunc,
    ) -> R<Option<(usize, State)>> {
        let full = k.name();
        let kind = k.kind();
        self.check_kfunc_gpl(pc, full)?;
        let args = if k.op() == IterOp::New { 3 } else { 1 };
        let mut regs = Vec::with_capacity(args);
        for r in 1..=args as u8 {
            if k == IterKfunc::BitsNew && r == 2 {
                // `const u64 *unsafe_ptr__ign`: the kernel skips an `__ign` argument
                // (is_kfunc_arg_ignore) without reading the register, so it may be unset.
                regs.push(st.cur().regs[2]);
                continue;
            }
            regs.push(self.read(st, pc, r).map_err(|mut err| {
                err.message = format!("{full} takes {args} arguments, but {}", err.message);
                err
            })?);
        }
        let (f, lo) = self.iter_place(pc, st, full, kind, &regs[0])?;
        let n = kind.slots();
        let named = |this: &Self| -> String {
            format!(
                "r1 ({}, struct bpf_iter_{} at r10 {:+})",
                this.describe(&regs[0]),
                kind.name(),
                lo as i64 * 8 - 512
            )
        };
        let out = match k.op() {
            IterOp::New => {
                if let Some(i) = iter_in(st, f, lo, lo + n) {
                    return Err(e(
                        pc,
                        Rule::HelperArgument,
                        format!(
                            "{full} expects an uninitialized iterator at {}, but r10 {:+} holds {} (destroy it first; the kernel: `expected uninitialized iter_{} as arg #0`)",
                            named(self),
                            i as i64 * 8 - 512,
                            self.describe(&match st.frames[f].stack[i] {
                                Slot::Spill(v) => v,
                                _ => RegVal::NotInit,
                            }),
                            kind.name()
                        ),
                    ));
                }
                // The numbers: `int start, int end`; the bits: any pointer (`__ign`), a count.
                let scalars: &[u8] = match kind {
                    IterKind::Num => &[2, 3],
                    IterKind::Bits => &[3],
                };
                for &r in scalars {
                    if !matches!(regs[r as usize - 1], RegVal::Scalar(_)) {
                        return Err(e(
                            pc,
                            Rule::HelperArgument,
                            format!(
                                "{full} expects a number in r{r}, but r{r} is {} (the kernel: `R{r} is not a scalar`)",
                                self.describe(&regs[r as usize - 1])
                            ),
                        ));
                    }
                }
                for slot in lo..lo + n {
                    call::destroy_dynptr(st, f, slot)
                        .map_err(|off| call::overwrite_error(pc, off))?;
                }
                let rf = st.fresh() | ITER_REF;
                st.refs.push(rf);
                for (j, slot) in (lo..lo + n).enumerate() {
                    st.frames[f].stack[slot] = Slot::Spill(RegVal::Iter {
                        kind,
                        first: j == 0,
                        ref_id: rf,
                        drained: false,
                        depth: 0,
                    });
                }
                self.clobber_args(st);
                self.set(st, 0, RegVal::Scalar(Scalar::UNKNOWN));
                None
            }
            IterOp::Next | IterOp::Destroy => {
                let Some((rf, drained, depth)) = self.iter_init(st, f, lo, kind) else {
                    return Err(e(
                        pc,
                        Rule::HelperArgument,
                        format!(
                            "{full} expects an initialized iterator (from bpf_iter_{}_new, not destroyed) at {}, but it holds none (the kernel: `expected an initialized iter_{} as arg #0`)",
                            kind.name(),
                            named(self),
                            kind.name()
                        ),
                    ));
                };
                self.clobber_args(st);
                if k.op() == IterOp::Destroy {
                    st.refs.retain(|x| *x != rf);
                    for slot in lo..lo + n {
                        st.frames[f].stack[slot] = Slot::Bytes([Byte::Misc; 8]);
                    }
                    self.set(st, 0, RegVal::NotInit);
                    None
                } else {
                    let mut queued = None;
                    if !drained {
                        let mut other = st.clone();
                        set_iter(&mut other, f, lo, false, depth.saturating_add(1));
                        self.set(
                            &mut other,
                            0,
                            RegVal::Ringbuf {
                                size: 4,
                                off: 0,
                                var: Scalar::konst(0),
                                ref_id: ITER_ELEM,
                            },
                        );
                        queued = Some((pc + 1, other));
                    }
                    set_iter(st, f, lo, true, depth);
                    self.set(st, 0, RegVal::Scalar(Scalar::konst(0)));
                    queued
                }
            }
        };
        Ok(out)
    }

    /// The refusal of `what` (a store) over slot `i` of frame `f`, which holds part of an
    /// iterator: the kernel lets the store turn the slot into plain bytes, and then no
    /// `destroy` can release the iterator's reference ("expected an initialized iter_num",
    /// or at the exit "Unreleased reference"), so the program is refused either way.
    pub(crate) fn iter_overwrite_error(
        &self,
        pc: usize,
        st: &State,
        f: usize,
        i: usize,
        what: &str,
    ) -> VerifierError {
        let v = match st.frames[f].stack[i] {
            Slot::Spill(v) => v,
            _ => RegVal::NotInit,
        };
        e(
            pc,
            Rule::StackAccess,
            format!(
                "{what} would overwrite part of {} at r10 {:+}, which holds a reference until bpf_iter_*_destroy: destroy it first (the kernel then finds it unreleased: `Unreleased reference`)",
                self.describe(&v),
                i as i64 * 8 - 512
            ),
        )
    }

    /// `r1`-`r5` after a kfunc call.
    fn clobber_args(&self, st: &mut State) {
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
    }

    /// The reference, drained state and depth of the initialised iterator of `kind` whose
    /// first slot is `lo` of frame `f` (the kernel's `is_iter_reg_valid_init`).
    fn iter_init(
        &self,
        st: &State,
        f: usize,
        lo: usize,
        kind: IterKind,
    ) -> Option<(u32, bool, u32)> {
        let stack = &st.frames[f].stack;
        let Slot::Spill(RegVal::Iter {
            kind: k,
            first: true,
            ref_id,
            drained,
            depth,
        }) = stack[lo]
        else {
            return None;
        };
        let rest_ok = (lo + 1..lo + kind.slots()).all(|i| {
            matches!(stack.get(i), Some(Slot::Spill(RegVal::Iter { first: false, ref_id: r, .. })) if *r == ref_id)
        });
        (k == kind && rest_ok).then_some((ref_id, drained, depth))
    }

    /// The frame and first slot of the iterator `v` (`r1`) points to (the kernel's
    /// `iter_get_spi`): a stack pointer at a constant offset, a multiple of 8, the whole
    /// iterator within the frame.
    fn iter_place(
        &mut self,
        pc: usize,
        st: &State,
        full: &str,
        kind: IterKind,
        v: &RegVal,
    ) -> R<(usize, usize)> {
        let (frame, off) = match v {
            RegVal::Stack { frame, off } => (*frame, *off as i64),
            RegVal::StackVar { frame, off, var } => match var.as_const() {
                Some(c) => (*frame, *off as i64 + c as i64),
                None => {
                    return Err(e(
                        pc,
                        Rule::HelperArgument,
                        format!(
                            "{full}: r1 is {}, but an iterator has to be at a constant offset (the kernel: `iter has to be at a constant offset`)",
                            self.describe(v)
                        ),
                    ))
                }
            },
            _ => {
                return Err(e(
                    pc,
                    Rule::HelperArgument,
                    format!(
                        "{full} expects a pointer to a struct bpf_iter_{} on the stack in r1 (the kernel: `arg#0 expected pointer to an iterator on stack`), but r1 is {}",
                        kind.name(),
                        self.describe(v)
                    ),
                ))
            }
        };
        let size = 8 * kind.slots() as i64;
        if off % 8 != 0 || off > -size {
            return Err(e(
                pc,
                Rule::StackAccess,
                format!(
                    "{full}: a struct bpf_iter_{} takes {size} bytes at an offset that is a multiple of 8, within the frame, but r1 is r10 {off:+} (the kernel: `cannot pass in iter at an offset={off}`)",
                    kind.name()
                ),
            ));
        }
        let f = frame as usize;
        if off < -512 || f >= st.frames.len() {
            return Err(e(
                pc,
                Rule::StackAccess,
                format!("{full}: r1 is r10 {off:+}, outside the stack frame"),
            ));
        }
        self.note_depth(st, f, off as i32);
        Ok((f, ((off + 512) / 8) as usize))
    }
}

/// Sets the drained state and depth of the iterator whose first slot is `lo` of frame `f`.
fn set_iter(st: &mut State, f: usize, lo: usize, to_drained: bool, to_depth: u32) {
    if let Slot::Spill(RegVal::Iter {
        kind,
        first: true,
        ref_id,
        ..
    }) = st.frames[f].stack[lo]
    {
        st.frames[f].stack[lo] = Slot::Spill(RegVal::Iter {
            kind,
            first: true,
            ref_id,
            drained: to_drained,
            depth: to_depth,
        });
    }
}

#[cfg(test)]
#[path = "iter_tests.rs"]
mod tests;

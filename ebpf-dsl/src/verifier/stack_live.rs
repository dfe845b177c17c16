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

/// The gathered reads and writes of the main frame's stack slots (bit `i`: slot `i`, the
/// one at `r10 - 512 + 8 * i`) and the slots live before each instruction.
pub(crate) struct StackLive {
    succ: Vec<[u32; 2]>,
    may_read: Vec<u64>,
    must_write: Vec<u64>,
    /// Whether `must_write` holds a visit's writes yet.
    seen: Vec<bool>,
    live: Vec<u64>,
    /// `live` is not up to date.
    dirty: bool,
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
        Some(StackLive {
            succ,
            may_read: vec![0; n],
            must_write: vec![0; n],
            seen: vec![false; n],
            live: vec![0; n],
            dirty: false,
        })
    }

    /// A visit of `pc` read the slots `read` and wrote the slots `write` whole.
    #[inline]
    pub(crate) fn record(&mut self, pc: usize, read: u64, write: u64) {
        let Some(r) = self.may_read.get_mut(pc) else {
            return;
        };
        if *r | read != *r {
            *r |= read;
            self.dirty |= read & !self.live[pc] != 0;
        }
        let w = if self.seen[pc] {
            self.must_write[pc] & write
        } else {
            write
        };
        self.seen[pc] = true;
        if w != self.must_write[pc] {
            self.must_write[pc] = w;
            self.dirty = true;
        }
    }

    /// The slots live before `pc`, from what was gathered so far.
    pub(crate) fn live_before(&mut self, pc: usize) -> u64 {
        if self.dirty {
            self.solve();
        }
        self.live.get(pc).copied().unwrap_or(!0)
    }

    /// The backward fixpoint; `may_read` only grows and `must_write` only shrinks, so the
    /// live sets only grow from the last solution.
    fn solve(&mut self) {
        self.dirty = false;
        loop {
            let mut changed = false;
            for i in (0..self.succ.len()).rev() {
                let after = self.succ[i]
                    .iter()
                    .filter(|&&s| s != NONE)
                    .fold(0, |a, &s| a | self.live[s as usize]);
                let before = (after & !self.must_write[i]) | self.may_read[i];
                if before != self.live[i] {
                    self.live[i] = before;
                    changed = true;
                }
            }
            if !changed {
                return;
            }
        }
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
pub(crate) fn access(op: &Op, st: &State, sizes: &[Option<u64>; 6]) -> (u64, u64) {
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

    #[test]
    fn slot_masks() {
        assert_eq!(slots(-8, 0), 1 << 63);
        assert_eq!(slots(-16, -8), 1 << 62);
        assert_eq!(slots(-12, -4), 3 << 62);
        assert_eq!(slots(-512, 0), !0);
        assert_eq!(slots(-4, -4), 0);
    }
}

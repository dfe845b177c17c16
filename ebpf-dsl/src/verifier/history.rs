//! The kernel's instruction history of a path (`jmp_history`), which only matters here for
//! its length: from 6.12 (`KernelVersion::LONG_HISTORY_CHECKPOINT`) a path whose history since
//! its last checkpoint has more than [`LONG`] entries stores a checkpoint at its next prune
//! point, whatever the jumps and instructions since the last one (`is_state_visited`'s
//! `force_new_state`: "avoid accumulating infinitely long jmp history"), and even inside a
//! loop, where the checkpoints are otherwise 20 jumps or 100 instructions apart (see
//! `super::prune`).
//!
//! A path records at most one entry per instruction it runs (`push_jmp_history` merges the
//! flags of a second one into the first), when:
//! - the instruction is a jump point ([`super::cfg::Cfg::jmp_point`]), after its prune point is
//!   visited (a checkpoint stored there empties the history first, so the entry is its first);
//! - it spills a register or an immediate to a fixed stack slot, or fills a register from a
//!   spilled one ([`records`]: the `INSN_F_STACK_ACCESS` flag, for precision backtracking);
//! - it is a comparison of a stack pointer ([`records`]: `INSN_F_*_REG_STACK`, whether the
//!   jump is decided or not);
//! - it is a comparison the kernel cannot decide whose operands' linked copies are more than
//!   one (`collect_linked_regs`; the transfer sets [`super::context::Exec::hist_entry`]).
//!
//! A branch's other path starts with the history of the path at the branch (a copy of the
//! state); a timer's callback, a fresh state, with none.

use super::domain::state::{RegVal, Slot, State};
use super::ops::Op;
use crate::isa::insn::Size;

/// The length of the history past which the kernel forces a checkpoint (`> 40`).
pub(crate) const LONG: u32 = 40;

/// Where a fixed-offset access through base register `base` at `off` lands: the frame, the
/// slot and the byte in the slot (0: its lowest address), or `None` off the stack or at a
/// variable offset.
fn stack_at(st: &State, base: u8, off: i16) -> Option<(usize, usize, usize)> {
    let (frame, at) = match st.cur().regs.get(base as usize)? {
        RegVal::Stack { frame, off: o } => (*frame, i64::from(*o)),
        RegVal::StackVar { frame, off: o, var } => (*frame, i64::from(*o) + var.as_const()? as i64),
        _ => return None,
    };
    let a = at + i64::from(off) + 512;
    if !(0..512).contains(&a) {
        return None;
    }
    Some((frame as usize, (a / 8) as usize, (a % 8) as usize))
}

/// Whether a fill of `size` bytes at byte `b` of `slot` restores a spilled register (the
/// kernel keeps `INSN_F_STACK_ACCESS` in `check_stack_read_fixed_off`): a whole spill read
/// whole, or from its first byte by a narrower load, or within its bytes when it holds 0.
fn fill_keeps(slot: &Slot, size: usize, b: usize) -> bool {
    let zero = |v: &RegVal| matches!(v, RegVal::Scalar(s) if s.as_const() == Some(0));
    match slot {
        Slot::Spill(v) => size == 8 || b == 0 || zero(v),
        Slot::Part(v, n, ..) => {
            let n = *n as usize;
            if size <= n && b == 0 {
                return true;
            }
            b + size <= n && v.as_const() == Some(0)
        }
        Slot::Bytes(_) => false,
    }
}

/// Whether `op`, run in state `st` (before it), records an entry in the path's history by its
/// stack access or a compared stack pointer (see the module's docs; the jump points and the
/// linked copies are counted elsewhere).
#[inline]
pub(crate) fn records(op: &Op, st: &State) -> bool {
    // Most instructions (ALU operations above all) record nothing: answered without a call.
    match op {
        Op::Ldx { .. }
        | Op::LoadAcq { .. }
        | Op::St { .. }
        | Op::Stx { .. }
        | Op::StoreRel { .. }
        | Op::Atomic { .. }
        | Op::Cond { .. } => records_access(op, st),
        _ => false,
    }
}

/// [`records`] of a memory access or a conditional jump.
#[inline(never)]
fn records_access(op: &Op, st: &State) -> bool {
    let slot = |frame: usize, i: usize| st.frames.get(frame).map(|f| &f.stack[i]);
    match *op {
        Op::Ldx { size, src, off, .. } | Op::LoadAcq { size, src, off, .. } => {
            stack_at(st, src, off).is_some_and(|(f, i, b)| {
                slot(f, i).is_some_and(|s| fill_keeps(s, size.bytes() as usize, b))
            })
        }
        // A spill (`save_register_state`): a number or an immediate at the start of a slot
        // (any size), a pointer (8 bytes). Other stores write bytes (`STACK_MISC` / zero).
        Op::St { dst, off, .. } => stack_at(st, dst, off).is_some_and(|(_, _, b)| b == 0),
        Op::Stx { dst, src, off, .. } | Op::StoreRel { dst, src, off, .. } => {
            stack_at(st, dst, off).is_some_and(|(_, _, b)| match st.cur().regs[src as usize] {
                RegVal::Scalar(_) => b == 0,
                RegVal::NotInit => false,
                _ => true,
            })
        }
        // Its read side with no destination register (`dst_regno` -1, or the fetch's
        // destination): a whole spill only.
        Op::Atomic { size, dst, off, .. } => {
            size == Size::DW
                && stack_at(st, dst, off)
                    .is_some_and(|(f, i, _)| matches!(slot(f, i), Some(Slot::Spill(_))))
        }
        Op::Cond { dst, src, .. } => {
            let stack = |r: u8| {
                matches!(
                    st.cur().regs.get(r as usize),
                    Some(RegVal::Stack { .. } | RegVal::StackVar { .. })
                )
            };
            stack(dst) || matches!(src, super::ops::Src::Reg(r) if stack(r))
        }
        _ => false,
    }
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;

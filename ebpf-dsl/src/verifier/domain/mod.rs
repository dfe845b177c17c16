//! The abstract domain: the values the verifier tracks and the operations on them, with no
//! knowledge of instructions or rules.
//!
//! - [`tnum`]: known bits (the kernel's `tnum`);
//! - [`scalar`]: a number as ranges (signed, unsigned, 64- and 32-bit) plus known bits and
//!   links to its copies (`bpf_reg_state`'s scalar part);
//! - [`state`]: registers, stack slots and call frames of one path, and the inclusion and join
//!   used by pruning;
//! - [`kernel_alu`]: the scalar arithmetic of ALU instructions, the kernel's steps with the
//!   target's rules and one synchronisation ([`arith_gates`]: its entry point and the tests
//!   against models of the kernel's code); [`arith`]: byte swaps and `le` conversions;
//! - [`refine`] and [`refine32`]: deciding a comparison and narrowing its operands, 64- and
//!   32-bit; [`refine_old`]: the same as kernels before 6.12 do it; [`cond_values`]: both
//!   operands' values on each branch of a comparison, memoised;
//! - [`branch`]: what a comparison does to the whole state (linked registers, null checks,
//!   packet ranges);
//! - [`ptr_key`]: the kinds of base pointer one memory instruction may not mix;
//! - [`exact_marks`]: which scalars of a state hold exactly the kernel's bounds.
//!
//! The transfer functions (`super::transfer`) check an instruction's rules and then use these
//! to compute the state after it.

pub(crate) mod arith;
pub(crate) mod arith_gates;
pub(crate) mod branch;
pub(crate) mod cond_values;
pub(crate) mod exact_marks;
pub(crate) mod kernel_alu;
pub(crate) mod ptr_key;
pub(crate) mod refine;
pub(crate) mod refine32;
pub(crate) mod refine_old;
pub(crate) mod scalar;
pub(crate) mod state;
#[cfg(test)]
pub(crate) mod test_rng;
pub(crate) mod tnum;

use crate::insn::{AluOp, JmpOp};
use scalar::Scalar;
use state::{PktKind, RegVal, State};
use tnum::Tnum;

/// The kernel's largest packet offset it tracks (`MAX_PACKET_OFF`).
pub(crate) const MAX_PACKET_OFF: u64 = 0xffff;

//! The scalpel: instructions the static verifier takes on trust while it verifies the rest of
//! the program (`verify = structural` turns it off for the whole program instead).
//!
//! # In the text syntax and in `defprogram!`
//!
//! Trust is written with labels, which read the same in a text program and in a
//! `defprogram!` body and change nothing in the instructions loaded (the kernel still verifies
//! everything at load time):
//!
//! ```text
//! trust_call_strtoul:          # the next instruction is a helper call taken on trust
//!     call bpf_strtoul
//!
//! trust_begin_parse:           # from here ...
//!     ...
//! trust_end_parse:             # ... to here (exclusive): a range taken on trust
//! ```
//!
//! - **`trust_call_<name>:`** labels a `call <helper>`. Its arguments are not checked (not even
//!   that they are initialised) and the helper need not be one this verifier models. After
//!   it, as after every call, `r1`-`r5` are uninitialised; `r0` is an unknown number; every
//!   packet pointer is invalidated (the helper may have changed the packet); if an argument
//!   register held a stack pointer, every stack byte of every frame is an unknown byte (the
//!   helper may have written through it); references (sockets, ring buffer records) are
//!   neither acquired nor released.
//! - **`trust_begin_<name>:` ... `trust_end_<name>:`** (the same `<name>`) is a range of
//!   instructions, from the begin label's instruction up to the end label's, exclusive. The
//!   verifier does not look inside: reaching the range's first instruction, it continues at
//!   the end label with the state it had, except that every register an instruction of the
//!   range writes is an unknown number (`r0`-`r5` too if the range calls anything), every
//!   stack byte of every frame is an unknown byte if the range stores anything (spilled
//!   pointers and known values are forgotten), and packet pointers are invalidated if the
//!   range calls anything. References are not tracked across the range. The range must be
//!   entered only at its first instruction and left only at its end: jumps inside it stay
//!   within it or go to the end label, no jump from outside lands inside it, and it contains
//!   no `exit`.
//!
//! Labels with these prefixes are reserved for trust. Builder and raw-instruction users pass
//! a [`Trust`] built with [`Trust::call`] / [`Trust::range`] to
//! [`super::verify_trusting`]; [`Trust::from_labels`] reads the labels of an assembled
//! program.

use std::collections::HashMap;

use super::cfg::Op;
use super::{Rule, VerifierError};

/// Label prefix of a trusted helper call.
pub const TRUST_CALL: &str = "trust_call_";
/// Label prefix of the start of a trusted range.
pub const TRUST_BEGIN: &str = "trust_begin_";
/// Label prefix of the end of a trusted range.
pub const TRUST_END: &str = "trust_end_";

/// The instructions taken on trust (instruction slot indices).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trust {
    calls: Vec<usize>,
    ranges: Vec<(usize, usize)>,
}

impl Trust {
    /// Nothing trusted: the whole program is verified.
    pub fn none() -> Trust {
        Trust::default()
    }

    /// Also trusts the helper call at slot `slot`.
    pub fn call(mut self, slot: usize) -> Trust {
        self.calls.push(slot);
        self
    }

    /// Also trusts the slots `start..end` (continuing at `end`).
    pub fn range(mut self, start: usize, end: usize) -> Trust {
        self.ranges.push((start, end));
        self
    }

    /// True if nothing is trusted.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty() && self.ranges.is_empty()
    }

    /// The trusted calls and ranges the labels of an assembled program name
    /// (`trust_call_*`, `trust_begin_*` / `trust_end_*`; see the module docs). A begin without
    /// its end (or the reverse, or an end before its begin) is an error naming the label.
    pub fn from_labels(labels: &[(String, usize)]) -> Result<Trust, VerifierError> {
        let mut t = Trust::default();
        let mut begins: HashMap<&str, usize> = HashMap::new();
        let mut ends: HashMap<&str, usize> = HashMap::new();
        for (name, slot) in labels {
            if name.starts_with(TRUST_CALL) {
                t.calls.push(*slot);
            } else if let Some(n) = name.strip_prefix(TRUST_BEGIN) {
                begins.insert(n, *slot);
            } else if let Some(n) = name.strip_prefix(TRUST_END) {
                ends.insert(n, *slot);
            }
        }
        let mut names: Vec<&str> = begins.keys().chain(ends.keys()).copied().collect();
        names.sort_unstable();
        names.dedup();
        for n in names {
            match (begins.get(n), ends.get(n)) {
                (Some(&b), Some(&e)) if b < e => t.ranges.push((b, e)),
                (Some(&b), Some(_)) => {
                    return Err(bad(
                        b,
                        format!("the trusted range `{TRUST_BEGIN}{n}` must end after it starts: put `{TRUST_END}{n}:` after its last instruction"),
                    ))
                }
                (Some(&b), None) => {
                    return Err(bad(
                        b,
                        format!("`{TRUST_BEGIN}{n}:` has no `{TRUST_END}{n}:`; label the instruction after the trusted range with it"),
                    ))
                }
                (None, Some(&e)) => {
                    return Err(bad(
                        e,
                        format!("`{TRUST_END}{n}:` has no `{TRUST_BEGIN}{n}:`; label the first trusted instruction with it"),
                    ))
                }
                (None, None) => {}
            }
        }
        t.ranges.sort_unstable();
        Ok(t)
    }

    /// The end of the trusted range starting at `pc`, if one does.
    pub(crate) fn range_at(&self, pc: usize) -> Option<usize> {
        self.ranges.iter().find(|r| r.0 == pc).map(|r| r.1)
    }

    /// True if the helper call at `pc` is trusted.
    pub(crate) fn is_call(&self, pc: usize) -> bool {
        self.calls.contains(&pc)
    }

    /// Checks the annotations against the decoded program: calls label helper calls, ranges
    /// do not overlap and are entered at their start and left at their end only.
    pub(crate) fn check(&self, ops: &[Op]) -> Result<(), VerifierError> {
        for &c in &self.calls {
            if !matches!(ops.get(c), Some(Op::Call { .. })) {
                return Err(bad(
                    c,
                    format!("a `{TRUST_CALL}*` label must be on a helper call (`call bpf_...`), not on this instruction"),
                ));
            }
        }
        for (i, &(b, e)) in self.ranges.iter().enumerate() {
            if e > ops.len() {
                return Err(bad(b, "the trusted range ends after the program"));
            }
            if let Some(&(b2, _)) = self.ranges.get(i + 1) {
                if b2 < e {
                    return Err(bad(b2, "trusted ranges must not overlap or nest"));
                }
            }
        }
        let inside = |pc: usize| self.ranges.iter().find(|r| r.0 <= pc && pc < r.1).copied();
        for (pc, op) in ops.iter().enumerate() {
            let target = match op {
                Op::Ja { target }
                | Op::Cond { target, .. }
                | Op::MayGoto { target }
                | Op::CallLocal { target } => Some(*target),
                _ => None,
            };
            let here = inside(pc);
            if let (Some(_), Op::Exit) = (here, op) {
                return Err(bad(pc, "a trusted range must not contain `exit`: the verifier continues after the range, so it must be left at its end"));
            }
            let Some(t) = target else { continue };
            if matches!(op, Op::CallLocal { .. }) {
                continue;
            }
            match (here, inside(t)) {
                (Some((b, e)), _) if !(b..=e).contains(&t) => {
                    return Err(bad(pc, format!("this jump leaves the trusted range (instructions {b}..{e}) other than at its end (instruction {e})")))
                }
                (h, Some((b, e))) if t != b && h != Some((b, e)) => {
                    return Err(bad(pc, format!("this jump lands inside the trusted range (instructions {b}..{e}); a trusted range is entered at its first instruction only")))
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[cold]
#[inline(never)]
fn bad(pc: usize, m: impl Into<String>) -> VerifierError {
    VerifierError {
        insn_index: pc,
        rule: Rule::Structure,
        message: m.into(),
    }
}

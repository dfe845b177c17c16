//! RCU read sections (`bpf_rcu_read_lock` / `bpf_rcu_read_unlock`, Linux 6.2), as the 6.18
//! kernel's `check_kfunc_call` and `check_resource_leak` treat them in a program that does not
//! sleep (XDP, tc, socket filters: every program type is offered them):
//!
//! * a section does not nest ("nested rcu read lock (kernel function bpf_rcu_read_lock)"), and
//!   `bpf_rcu_read_unlock` closes the one open ("unmatched rcu read unlock");
//! * while one is open: no `exit` of the program ("BPF_EXIT instruction in main prog cannot be
//!   used inside bpf_rcu_read_lock-ed region"; a function of the program, a callback, may
//!   return with it open, as the kernel checks only the main frame), no tail call, no
//!   `LD_ABS` / `LD_IND`, no `bpf_throw`; helpers, the program's functions, global functions,
//!   callbacks and `bpf_spin_lock` are fine (the program does not sleep);
//! * closing it turns the RCU pointers of the state (`MEM_RCU`: [`BtfTrust::Rcu`]) into
//!   untrusted ones, no longer NULL-able (`invalidate_rcu_protected_refs`);
//! * under a `bpf_spin_lock`, neither is called (no kfunc but the graph ones: `lock.rs`).
//!
//! The state keeps whether a section is open ([`State::rcu`]); states with and without one
//! never cover each other (`states_equal`'s `active_rcu_lock`).

use super::*;
use crate::verifier::cfg::Op;
use crate::verifier::domain::state::BtfTrust;
use crate::xdp::rcu::RcuKfunc;

/// `BPF_FUNC_tail_call`.
const TAIL_CALL: i32 = 12;

impl<'a> Exec<'a> {
    /// `call` of the RCU kfunc `k`.
    pub(crate) fn call_rcu_kfunc(&mut self, pc: usize, st: &mut State, k: RcuKfunc) -> R<()> {
        let full = k.name();
        if matches!(k, RcuKfunc::PercpuObjNewImpl | RcuKfunc::PercpuObjDropImpl) {
            return self.call_percpu_kfunc(pc, st, k);
        }
        self.check_kfunc_gpl(pc, full)?;
        match (k, st.rcu) {
            (RcuKfunc::ReadLock, true) => {
                return Err(e(pc, Rule::HelperNotAllowed, format!(
                    "{full} while an RCU read section is already open on this path: sections do not nest (the kernel: nested rcu read lock (kernel function {full}))"
                )))
            }
            (RcuKfunc::ReadUnlock, false) => {
                return Err(e(pc, Rule::HelperNotAllowed, format!(
                    "{full} without an RCU read section open on this path (the kernel: unmatched rcu read unlock (kernel function {full}))"
                )))
            }
            (RcuKfunc::ReadLock, false) => st.rcu = true,
            (RcuKfunc::ReadUnlock, true) => {
                st.rcu = false;
                end_rcu_pointers(st);
            }
            _ => unreachable!("the per-CPU object kfuncs are percpu.rs's"),
        }
        for r in 0..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        Ok(())
    }

    /// The rules of an open RCU read section that concern the instruction at `pc` before it
    /// runs: the program's `exit`, a tail call, `LD_ABS` / `LD_IND`, `bpf_throw`.
    pub(crate) fn check_rcu_section(&self, pc: usize, st: &State) -> R<()> {
        if !st.rcu {
            return Ok(());
        }
        let what = match self.ops[pc] {
            Op::Exit if st.frames.len() == 1 => "BPF_EXIT instruction in main prog",
            Op::LdAbs { .. } => "BPF_LD_[ABS|IND]",
            Op::Call {
                helper: TAIL_CALL,
                kfunc: false,
            } => "tail_call",
            Op::Call {
                helper,
                kfunc: true,
            } if crate::xdp::exception::ExcKfunc::from_placeholder(helper)
                == Some(crate::xdp::exception::ExcKfunc::Throw) =>
            {
                "bpf_throw"
            }
            _ => return Ok(()),
        };
        Err(e(
            pc,
            if what.starts_with("BPF_EXIT") {
                Rule::ReferenceLeak
            } else {
                Rule::HelperNotAllowed
            },
            format!(
                "{} while an RCU read section is open (bpf_rcu_read_lock without its bpf_rcu_read_unlock on this path; the kernel: {what} cannot be used inside bpf_rcu_read_lock-ed region)",
                match what {
                    "BPF_EXIT instruction in main prog" => "the program exits",
                    "BPF_LD_[ABS|IND]" => "LD_ABS / LD_IND",
                    "tail_call" => "a tail call",
                    _ => "bpf_throw",
                }
            ),
        ))
    }
}

/// After the section closes: every RCU pointer is an untrusted one, no longer NULL-able. The
/// program's own objects loaded from a `__kptr` (`MEM_ALLOC | MEM_RCU`, the only non-owning
/// references outside a `bpf_spin_lock`, `transfer/kptr.rs`) become numbers: stricter than
/// the kernel, which keeps them as untrusted `MEM_ALLOC` pointers it still reads through
/// (6.18.44 accepts `elf/graph.c`'s `plain_after_rcu_unlock`; a known false reject).
fn end_rcu_pointers(st: &mut State) {
    super::graph_tree::invalidate_non_owning(st);
    st.for_each_reg(|r| match *r {
        RegVal::BtfPtr {
            ty,
            off,
            trust: BtfTrust::Rcu,
        } => {
            *r = RegVal::BtfPtr {
                ty,
                off,
                trust: BtfTrust::Untrusted,
            }
        }
        RegVal::BtfPtrOrNull {
            ty,
            trust: BtfTrust::Rcu,
            ..
        } => {
            *r = RegVal::BtfPtr {
                ty,
                off: 0,
                trust: BtfTrust::Untrusted,
            }
        }
        _ => {}
    });
}

#[cfg(test)]
#[path = "rcu_tests.rs"]
mod tests;

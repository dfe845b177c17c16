//! The sources a helper call demands beyond its registers (see `super::deps`).
//!
//! A helper's effects (its `r0`, the memory it writes, the pointers it invalidates, the
//! references it releases) and its checks depend on its register arguments and on the helper,
//! never on the contents of the memory it reads, with one exception: a `bpf_map_lookup_elem`
//! in an array map whose key on the stack is a known constant cannot fail (kernel 6.14+,
//! `transfer/call`), so the key's stack bytes decide whether `r0` may be NULL. Those bytes are
//! demanded exact at the call when the key is such a constant (`State::constant_key`), as the
//! kernel's `get_constant_map_key` marks the key precise only then.

//!
//! The memory a helper reads through a stack pointer is marked read over the bytes its
//! prototype says it reads (`call_read_sizes`), as the kernel's `check_helper_mem_access` marks
//! them: a map's key or value size, the largest value of a memory argument's size register, a
//! fixed size.

use crate::spec::MapType;

use super::cfg::Op;
use super::context::Exec;
use super::deps::{self, Deps, Mask, ReadSizes};
use super::domain::state::{RegVal, State};
use super::helpers::{self, Arg};

impl Exec<'_> {
    /// The sources of the stack bytes holding the key of an array map lookup at `op` (0 for
    /// any other instruction).
    pub(crate) fn call_key_demand<const W: usize>(
        &self,
        op: &Op,
        st: &State,
        d: &Deps<W>,
    ) -> Mask<W> {
        let Op::Call {
            helper: 1,
            kfunc: false,
        } = *op
        else {
            return Mask::EMPTY;
        };
        let regs = &st.cur().regs;
        let RegVal::MapPtr { map } = regs[1] else {
            return Mask::EMPTY;
        };
        let spec = self.map(map);
        if !matches!(spec.map_type, MapType::Array | MapType::PercpuArray) {
            return Mask::EMPTY;
        }
        // Only a key the kernel takes for a constant is marked precise (a key it cannot read
        // as one, e.g. a value stored at fp-4 that it keeps as plain bytes, is not).
        if st.constant_key(&regs[2], spec.key_size).is_none() {
            return Mask::EMPTY;
        }
        deps::stack_sources(d, &regs[2], spec.key_size.max(1) as i64)
    }

    /// For a helper call at `op`: the bytes it reads through each argument register
    /// ([`ReadSizes`]); `None` for an argument whose size the prototype and the state do not
    /// give (and for every argument of a kfunc, a global function, a helper that calls back or
    /// one without a prototype).
    pub(crate) fn call_read_sizes(&self, op: &Op, st: &State) -> ReadSizes {
        let mut out: ReadSizes = [None; 6];
        let Op::Call {
            helper,
            kfunc: false,
        } = *op
        else {
            return out;
        };
        if helpers::takes_callback(helper) {
            return out;
        }
        let Some(p) = helpers::proto(helper) else {
            return out;
        };
        let regs = &st.cur().regs;
        let map = match regs[1] {
            RegVal::MapPtr { map } => Some(map),
            RegVal::Opaque { map } if self.is_inner_map(map) => Some(map),
            _ => None,
        };
        for (i, arg) in p.args.iter().enumerate().take(5) {
            let r = i + 1;
            out[r] = match *arg {
                Arg::MapKey => map.map(|m| self.map(m).key_size as u64),
                Arg::MapValue | Arg::MapValueOut | Arg::MapValueOrNull => {
                    map.map(|m| self.map(m).value_size as u64)
                }
                Arg::MemRead | Arg::MemWrite | Arg::MemReadOrNull | Arg::MemWriteOrNull => {
                    match (p.args.get(i + 1), regs.get(r + 1)) {
                        (Some(Arg::Size | Arg::SizeOrZero), Some(RegVal::Scalar(s))) if r < 5 => {
                            Some(s.umax)
                        }
                        _ => None,
                    }
                }
                Arg::FixedMem(n) | Arg::FixedOut(n) => Some(n as u64),
                _ => None,
            };
        }
        out
    }
}

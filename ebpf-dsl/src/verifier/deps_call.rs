//! The sources a helper call demands beyond its registers (see `super::deps`).
//!
//! A helper's effects (its `r0`, the memory it writes, the pointers it invalidates, the
//! references it releases) and its checks depend on its register arguments and on the helper,
//! never on the contents of the memory it reads, with one exception: a `bpf_map_lookup_elem`
//! in an array map whose key on the stack is a known constant cannot fail (kernel 6.14+,
//! `transfer/call`), so the key's stack bytes decide whether `r0` may be NULL. Those bytes are
//! demanded exact at the call, as the kernel's `get_constant_map_key` marks the key precise.

use crate::spec::MapType;

use super::cfg::Op;
use super::context::Exec;
use super::deps::{self, Deps, Mask};
use super::domain::state::{RegVal, State};

impl Exec<'_> {
    /// The sources of the stack bytes holding the key of an array map lookup at `op` (0 for
    /// any other instruction).
    pub(crate) fn call_key_demand(&self, op: &Op, st: &State, d: &Deps) -> Mask {
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
        deps::stack_sources(d, &regs[2], spec.key_size.max(1) as i64)
    }
}

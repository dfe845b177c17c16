//! Load-acquire and store-release (`BPF_LOAD_ACQ`, `BPF_STORE_REL`, Linux 6.15: the kernel's
//! `check_atomic_load` / `check_atomic_store`).
//!
//! Rules measured on kernel 6.18, privileged loader:
//! - the target kernel must be 6.15 or later (older ones: `BPF_ATOMIC uses invalid atomic
//!   opcode`);
//! - any size (1, 2, 4 or 8 bytes); a load-acquire zero-extends as a plain load does;
//! - not through the context, the packet or a socket (`BPF_ATOMIC loads from R1 ctx is not
//!   allowed`, `atomic_ptr_type_ok`); through the stack, map values, ring buffer memory and
//!   (loads) a map pointer they are a plain load or store (spills and fills included), with
//!   the access always strictly aligned (`strict_alignment_once`, as atomics);
//! - never on a kptr field of a map value (`kptr in map can only be accessed using BPF_MEM
//!   instruction mode`);
//! - through BTF pointers (kernel objects, `bpf_rdonly_cast` results, allocated objects) they
//!   are refused here: the kernel's rules there changed after 6.18 (a plain or untrusted BTF
//!   pointer is refused for a load-acquire), so this verifier does not model them.

use super::*;

impl<'a> Exec<'a> {
    /// The checks of a load-acquire or store-release (`what`) through `r` = `base` at `off`
    /// before its load or store: target kernel, pointer kind, strict alignment.
    pub(crate) fn check_ordered(
        &self,
        pc: usize,
        r: u8,
        base: &RegVal,
        off: i32,
        size: Size,
        what: &str,
    ) -> R<()> {
        if self.input.kernel < KernelVersion::LOAD_ACQ_STORE_REL {
            return Err(e(
                pc,
                Rule::Unsupported,
                format!(
                    "a {what} needs Linux 6.15 or later (the target is {}; older kernels refuse it: `BPF_ATOMIC uses invalid atomic opcode`); verify for a newer target (`--kernel 6.15`)",
                    self.input.kernel
                ),
            ));
        }
        let refused = |why: &str| {
            Err(e(
                pc,
                Rule::MemoryAccess,
                format!("a {what} through r{r}, {}: {why}", self.describe(base)),
            ))
        };
        match base {
            RegVal::Ctx { .. } | RegVal::CtxVar { .. } | RegVal::Pkt { .. } | RegVal::PktEnd => {
                return refused("the kernel allows it only on the stack, map values and other memory, not the context or the packet (`BPF_ATOMIC loads from R? ctx is not allowed`)")
            }
            RegVal::Sock { .. } | RegVal::BtfSock { .. } => {
                return refused("the kernel allows it on no socket (`atomic_ptr_type_ok`)")
            }
            RegVal::BtfPtr { .. } | RegVal::KObj { .. } | RegVal::BtfObjAt { .. } | RegVal::Alloc { .. } => {
                return refused("ordered accesses through BTF pointers are not modelled by this verifier (the kernel's rules for them changed after 6.18)")
            }
            // A kptr field of a map value is read only by a `BPF_MEM` load (the kernel's
            // `check_map_kptr_access`); stores into one are refused by the store itself.
            RegVal::MapValue { map, off: o, var, .. }
                if var.umax < MAX_VAR_OFF as u64 && var.smin > -MAX_VAR_OFF =>
            {
                let a = *o as i64 + off as i64;
                let lo = a + var.smin.min(var.umin as i64);
                let hi = a + var.umax as i64 + size.bytes() as i64;
                self.check_kptr_overlap(pc, r, *map, (lo, hi), false, "atomic operation")?;
            }
            _ => {}
        }
        // The stack is always aligned (`transfer/stack.rs`); the rest strictly here.
        self.check_alignment(pc, r, base, off, size.bytes(), what)
    }
}

#[cfg(test)]
#[path = "ordered_tests.rs"]
mod tests;

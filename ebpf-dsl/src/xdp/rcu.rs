//! The RCU read-section kfuncs (`kernel/bpf/helpers.c`, Linux 6.2): `bpf_rcu_read_lock` and
//! `bpf_rcu_read_unlock`, which the kernel offers to every program type (its `common_btf_ids`).
//! A section may not nest, must be closed before the program's `exit`, and forbids tail calls,
//! `LD_ABS` / `LD_IND` and `bpf_throw` inside; closing it turns the RCU pointers of the state
//! into untrusted ones. The static verifier's model is in `verifier::transfer::call::rcu`.
//!
//! And the per-CPU objects (Linux 6.6, XDP and tc programs: `generic_btf_ids`):
//! `bpf_percpu_obj_new_impl` allocates one (a struct of numbers of the program's BTF, at most
//! 512 bytes, without special fields), which the program owns and never reads or writes
//! directly, and `bpf_percpu_obj_drop_impl` frees it (`verifier::transfer::call::percpu`).
//!
//! As for the other kfuncs called by name ([`super::netfilter`]), a call is a kfunc call whose
//! `imm` is a negative placeholder ([`RcuKfunc::placeholder`]: -192, -193; the range
//! -192..-207 is the RCU / per-CPU object family's), which the loader replaces with the
//! kfunc's id in the running kernel's BTF; an `extern ... __ksym` function in a clang object.

use crate::isa::insn::{Insn, BPF_PSEUDO_KFUNC_CALL};

/// The kfuncs of this family (RCU sections and per-CPU objects).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RcuKfunc {
    /// `void bpf_rcu_read_lock(void)`: opens an RCU read section.
    ReadLock,
    /// `void bpf_rcu_read_unlock(void)`: closes it.
    ReadUnlock,
    /// `void *bpf_percpu_obj_new_impl(u64 local_type_id__k, void *meta__ign)` (`KF_ACQUIRE |
    /// KF_RET_NULL`): a new zeroed per-CPU object of the program's BTF struct type
    /// `local_type_id` (a constant), an owning reference or NULL.
    PercpuObjNewImpl,
    /// `void bpf_percpu_obj_drop_impl(void *p__alloc, void *meta__ign)` (`KF_RELEASE`): frees
    /// a per-CPU object the program owns.
    PercpuObjDropImpl,
}

impl RcuKfunc {
    /// Every kfunc, in placeholder order.
    pub const ALL: [RcuKfunc; 4] = [
        RcuKfunc::ReadLock,
        RcuKfunc::ReadUnlock,
        RcuKfunc::PercpuObjNewImpl,
        RcuKfunc::PercpuObjDropImpl,
    ];

    /// The kernel's name of the function.
    pub const fn name(self) -> &'static str {
        match self {
            RcuKfunc::ReadLock => "bpf_rcu_read_lock",
            RcuKfunc::ReadUnlock => "bpf_rcu_read_unlock",
            RcuKfunc::PercpuObjNewImpl => "bpf_percpu_obj_new_impl",
            RcuKfunc::PercpuObjDropImpl => "bpf_percpu_obj_drop_impl",
        }
    }

    /// The kfunc called `name`, if it is one of these.
    pub fn from_name(name: &str) -> Option<RcuKfunc> {
        RcuKfunc::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The `imm` a call by name carries until the loader resolves it: -192, -193, ...
    pub const fn placeholder(self) -> i32 {
        -192 - self as i32
    }

    /// The kfunc whose placeholder is `imm`.
    pub fn from_placeholder(imm: i32) -> Option<RcuKfunc> {
        RcuKfunc::ALL.into_iter().find(|k| k.placeholder() == imm)
    }

    /// The kfunc an instruction calls by name (a kfunc call with its placeholder `imm`).
    pub fn of_insn(insn: &Insn) -> Option<RcuKfunc> {
        if insn.code == 0x85 && insn.src() == BPF_PSEUDO_KFUNC_CALL && insn.off == 0 {
            RcuKfunc::from_placeholder(insn.imm)
        } else {
            None
        }
    }
}

/// A call of `kfunc` by name: `call kfunc` with the placeholder the loader resolves.
pub const fn call_rcu_kfunc(kfunc: RcuKfunc) -> Insn {
    Insn::new(0x85, 0, BPF_PSEUDO_KFUNC_CALL, 0, kfunc.placeholder())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_placeholders_round_trip_in_their_range() {
        for k in RcuKfunc::ALL {
            assert_eq!(RcuKfunc::from_name(k.name()), Some(k));
            assert_eq!(RcuKfunc::of_insn(&call_rcu_kfunc(k)), Some(k));
            assert!((-207..=-192).contains(&k.placeholder()));
            assert_eq!(
                super::super::netfilter::kfunc_name(k.placeholder()),
                Some(k.name())
            );
            assert_eq!(
                super::super::netfilter::call_kfunc_by_name(k.name()),
                Some(call_rcu_kfunc(k))
            );
            let a = crate::asm::assemble_unchecked(&format!("call {}\nr0 = 0\nexit", k.name()))
                .unwrap_or_else(|d| panic!("{d:?}"));
            assert_eq!(a.insns[0], call_rcu_kfunc(k));
        }
    }
}

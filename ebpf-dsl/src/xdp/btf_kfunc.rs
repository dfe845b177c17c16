//! The kfuncs that give BTF pointers to kernel structures, called by name from tc and XDP
//! programs: `bpf_cast_to_kern_ctx` and `bpf_rdonly_cast` (`kernel/bpf/helpers.c`, Linux 6.2,
//! every program type), and `bpf_sk_assign_tcp_reqsk` (`net/core/filter.c`, Linux 6.9, tc).
//!
//! As for the other kfuncs called by name ([`super::netfilter`]), a call is a kfunc call whose
//! `imm` is a negative placeholder ([`BtfKfunc::placeholder`]: -112, -113, ...), which the
//! loader replaces with the kfunc's id in the running kernel's BTF; `call bpf_rdonly_cast` in
//! the assembler, an `extern ... __ksym` function in a clang object. The static verifier's
//! model is in `verifier::transfer::call::kfunc_btf`; reads through the pointers they give in
//! `verifier::transfer::btf_access`, and both need the target kernel's BTF
//! (`VerifyInput::vmlinux`, the CLI's `--btf`).

use crate::isa::insn::{Insn, BPF_PSEUDO_KFUNC_CALL};

/// The kfuncs of this family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BtfKfunc {
    /// `void *bpf_cast_to_kern_ctx(void *obj)`: the context as the kernel's structure
    /// (`struct sk_buff` for tc, `struct xdp_buff` for XDP), a trusted pointer.
    CastToKernCtx,
    /// `void *bpf_rdonly_cast(const void *obj__ign, u32 btf_id__k)`: any value as an untrusted
    /// pointer to the kernel structure whose BTF id is the constant `btf_id`
    /// (`bpf_core_cast(p, struct sock)`).
    RdonlyCast,
    /// `int bpf_sk_assign_tcp_reqsk(struct __sk_buff *s, struct sock *sk, struct
    /// bpf_tcp_req_attrs *attrs, int attrs__sz)` (`KF_TRUSTED_ARGS`): a request socket for a
    /// custom SYN cookie.
    SkAssignTcpReqsk,
}

impl BtfKfunc {
    /// Every kfunc, in placeholder order.
    pub const ALL: [BtfKfunc; 3] = [
        BtfKfunc::CastToKernCtx,
        BtfKfunc::RdonlyCast,
        BtfKfunc::SkAssignTcpReqsk,
    ];

    /// The kernel's name of the function.
    pub const fn name(self) -> &'static str {
        match self {
            BtfKfunc::CastToKernCtx => "bpf_cast_to_kern_ctx",
            BtfKfunc::RdonlyCast => "bpf_rdonly_cast",
            BtfKfunc::SkAssignTcpReqsk => "bpf_sk_assign_tcp_reqsk",
        }
    }

    /// The kfunc called `name`, if it is one of these.
    pub fn from_name(name: &str) -> Option<BtfKfunc> {
        BtfKfunc::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The `imm` a call by name carries until the loader resolves it: -112, -113, ...
    pub const fn placeholder(self) -> i32 {
        -112 - self as i32
    }

    /// The kfunc whose placeholder is `imm`.
    pub fn from_placeholder(imm: i32) -> Option<BtfKfunc> {
        BtfKfunc::ALL.into_iter().find(|k| k.placeholder() == imm)
    }

    /// The kfunc an instruction calls by name (a kfunc call with its placeholder `imm`).
    pub fn of_insn(insn: &Insn) -> Option<BtfKfunc> {
        if insn.code == 0x85 && insn.src() == BPF_PSEUDO_KFUNC_CALL && insn.off == 0 {
            BtfKfunc::from_placeholder(insn.imm)
        } else {
            None
        }
    }
}

/// A call of `kfunc` by name: `call kfunc` with the placeholder the loader resolves.
pub const fn call_btf_kfunc(kfunc: BtfKfunc) -> Insn {
    Insn::new(0x85, 0, BPF_PSEUDO_KFUNC_CALL, 0, kfunc.placeholder())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_placeholders_round_trip_in_their_range() {
        for k in BtfKfunc::ALL {
            assert_eq!(BtfKfunc::from_name(k.name()), Some(k));
            assert_eq!(BtfKfunc::of_insn(&call_btf_kfunc(k)), Some(k));
            assert!((-127..=-112).contains(&k.placeholder()));
            assert_eq!(
                super::super::netfilter::kfunc_name(k.placeholder()),
                Some(k.name())
            );
            assert_eq!(
                super::super::netfilter::call_kfunc_by_name(k.name()),
                Some(call_btf_kfunc(k))
            );
        }
        assert!(super::super::netfilter::kfunc_names().any(|n| n == "bpf_rdonly_cast"));
    }

    #[test]
    fn the_text_syntax_reads_and_prints_them() {
        for k in BtfKfunc::ALL {
            let a = crate::asm::assemble_unchecked(&format!("call {}\nr0 = 0\nexit", k.name()))
                .unwrap_or_else(|d| panic!("{d:?}"));
            assert_eq!(a.insns[0], call_btf_kfunc(k));
            let text = crate::disasm::disassemble(&a.insns[..1]).unwrap();
            assert_eq!(text.trim(), format!("call {}", k.name()));
        }
    }
}

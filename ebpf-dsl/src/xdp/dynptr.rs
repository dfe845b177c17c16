//! The dynptr kfuncs XDP and tc programs call by name: `bpf_dynptr_from_xdp` and
//! `bpf_dynptr_from_skb` (`net/core/filter.c`: a `struct bpf_dynptr` on the stack over the
//! packet), and the generic ones that work on any dynptr (`kernel/bpf/helpers.c`:
//! `bpf_dynptr_slice`, `bpf_dynptr_slice_rdwr`, `bpf_dynptr_adjust`, `bpf_dynptr_is_null`,
//! `bpf_dynptr_is_rdonly`, `bpf_dynptr_size`, `bpf_dynptr_clone`). The family also holds
//! `bpf_xdp_pull_data` (Linux 6.18), which is no dynptr kfunc but sits in the same kernel set
//! as `bpf_dynptr_from_xdp` (XDP programs): it makes `len` bytes of a multi-buffer packet
//! linear, so the packet may move (every packet pointer is invalidated).
//!
//! Like the other kfuncs called by name ([`super::metadata`], [`super::netfilter`]), a call
//! (`call bpf_dynptr_from_xdp` in the assembler, [`call_dynptr_kfunc`] in the builder, an
//! `extern ... __ksym` function in a clang object) is a kfunc call whose `imm` is a negative
//! placeholder ([`DynptrKfunc::placeholder`]: -64, -65, ...), which the loader replaces with the
//! kfunc's id in the running kernel's BTF. The static verifier's model is in
//! `verifier::transfer::call::dynptr`.

use crate::isa::insn::{Insn, BPF_PSEUDO_KFUNC_CALL};

/// The dynptr kfuncs this crate knows by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DynptrKfunc {
    /// `int bpf_dynptr_from_skb(struct __sk_buff *, u64 flags, struct bpf_dynptr *ptr__uninit)`
    /// (Linux 6.4; tc, socket filters and other `__sk_buff` programs).
    FromSkb,
    /// `int bpf_dynptr_from_xdp(struct xdp_md *, u64 flags, struct bpf_dynptr *ptr__uninit)`
    /// (Linux 6.4; XDP programs).
    FromXdp,
    /// `void *bpf_dynptr_slice(const struct bpf_dynptr *, u32 offset, void *buffer__opt,
    /// u32 buffer__szk)`: read-only memory of the constant size, or NULL.
    Slice,
    /// `void *bpf_dynptr_slice_rdwr(...)`: the same, writable.
    SliceRdwr,
    /// `int bpf_dynptr_adjust(const struct bpf_dynptr *, u32 start, u32 end)` (Linux 6.5).
    Adjust,
    /// `bool bpf_dynptr_is_null(const struct bpf_dynptr *)` (Linux 6.5).
    IsNull,
    /// `bool bpf_dynptr_is_rdonly(const struct bpf_dynptr *)` (Linux 6.5).
    IsRdonly,
    /// `__u32 bpf_dynptr_size(const struct bpf_dynptr *)` (Linux 6.5).
    Size,
    /// `int bpf_dynptr_clone(const struct bpf_dynptr *, struct bpf_dynptr *clone__uninit)`
    /// (Linux 6.5).
    Clone,
    /// `int bpf_xdp_pull_data(struct xdp_md *x, u32 len)` (Linux 6.18; XDP programs): pulls
    /// `len` bytes into the linear area; a packet-changing kfunc.
    XdpPullData,
}

impl DynptrKfunc {
    /// Every kfunc, in placeholder order.
    pub const ALL: [DynptrKfunc; 10] = [
        DynptrKfunc::FromSkb,
        DynptrKfunc::FromXdp,
        DynptrKfunc::Slice,
        DynptrKfunc::SliceRdwr,
        DynptrKfunc::Adjust,
        DynptrKfunc::IsNull,
        DynptrKfunc::IsRdonly,
        DynptrKfunc::Size,
        DynptrKfunc::Clone,
        DynptrKfunc::XdpPullData,
    ];

    /// The kernel's name of the function.
    pub const fn name(self) -> &'static str {
        match self {
            DynptrKfunc::FromSkb => "bpf_dynptr_from_skb",
            DynptrKfunc::FromXdp => "bpf_dynptr_from_xdp",
            DynptrKfunc::Slice => "bpf_dynptr_slice",
            DynptrKfunc::SliceRdwr => "bpf_dynptr_slice_rdwr",
            DynptrKfunc::Adjust => "bpf_dynptr_adjust",
            DynptrKfunc::IsNull => "bpf_dynptr_is_null",
            DynptrKfunc::IsRdonly => "bpf_dynptr_is_rdonly",
            DynptrKfunc::Size => "bpf_dynptr_size",
            DynptrKfunc::Clone => "bpf_dynptr_clone",
            DynptrKfunc::XdpPullData => "bpf_xdp_pull_data",
        }
    }

    /// The kfunc called `name`, if it is one of these.
    pub fn from_name(name: &str) -> Option<DynptrKfunc> {
        DynptrKfunc::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The `imm` a call by name carries until the loader resolves it: -64, -65, ...
    pub const fn placeholder(self) -> i32 {
        -64 - self as i32
    }

    /// The kfunc whose placeholder is `imm`.
    pub fn from_placeholder(imm: i32) -> Option<DynptrKfunc> {
        DynptrKfunc::ALL
            .into_iter()
            .find(|k| k.placeholder() == imm)
    }

    /// The kfunc an instruction calls by name (a kfunc call with its placeholder `imm`).
    pub fn of_insn(insn: &Insn) -> Option<DynptrKfunc> {
        if insn.code == 0x85 && insn.src() == BPF_PSEUDO_KFUNC_CALL && insn.off == 0 {
            DynptrKfunc::from_placeholder(insn.imm)
        } else {
            None
        }
    }
}

/// A call of `kfunc` by name: `call kfunc` with the placeholder the loader resolves.
pub const fn call_dynptr_kfunc(kfunc: DynptrKfunc) -> Insn {
    Insn::new(0x85, 0, BPF_PSEUDO_KFUNC_CALL, 0, kfunc.placeholder())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xdp::netfilter::{call_kfunc_by_name, kfunc_name, kfunc_names, NfKfunc};

    #[test]
    fn names_and_placeholders_round_trip_and_do_not_collide() {
        for k in DynptrKfunc::ALL {
            assert_eq!(DynptrKfunc::from_name(k.name()), Some(k));
            assert_eq!(DynptrKfunc::of_insn(&call_dynptr_kfunc(k)), Some(k));
            assert_eq!(kfunc_name(k.placeholder()), Some(k.name()));
            assert_eq!(NfKfunc::from_placeholder(k.placeholder()), None);
            assert!((-95..=-64).contains(&k.placeholder()));
            assert_eq!(call_kfunc_by_name(k.name()), Some(call_dynptr_kfunc(k)));
            assert!(kfunc_names().any(|n| n == k.name()));
        }
    }
}

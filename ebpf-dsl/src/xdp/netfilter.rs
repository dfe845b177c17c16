//! The netfilter kfuncs XDP and tc programs call by name: connection tracking
//! (`net/netfilter/nf_conntrack_bpf.c`: `bpf_xdp_ct_lookup`, `bpf_ct_release`, ...) and the
//! flowtable lookup (`net/netfilter/nf_flow_table_bpf.c`: `bpf_xdp_flow_lookup`).
//!
//! Like the XDP metadata kfuncs ([`super::metadata`]), a call by name (`call
//! bpf_xdp_ct_lookup` in the assembler, [`call_nf_kfunc`] in the builder, an `extern ...
//! __ksym` function in a clang object) is a kfunc call whose `imm` is a negative placeholder
//! ([`NfKfunc::placeholder`]: -16, -17, ...), which the loader replaces with the kfunc's id in
//! the running kernel's BTF. [`kfunc_name`] and [`call_kfunc_by_name`] cover every family:
//! these, the XDP metadata ones, [`super::dynptr`], [`super::exception`] and [`super::btf_kfunc`].
//!
//! The kernel offers the conntrack kfuncs where `nf_conntrack` is built in or loaded (Linux
//! 5.18: lookup and release; 6.1: allocation, insertion, timeout and status; 6.3: NAT), to XDP
//! (`bpf_xdp_*`) and `sched_cls` (`bpf_skb_*`) programs; the flowtable lookup (Linux 6.10)
//! only where `nf_flow_table` is built with its BPF part. The static verifier's model is in
//! `verifier::transfer::call::kfunc_nf`.

use crate::isa::insn::{Insn, BPF_PSEUDO_KFUNC_CALL};

use super::arena::ArenaKfunc;
use super::btf_kfunc::BtfKfunc;
use super::crypto::CryptoKfunc;
use super::dynptr::DynptrKfunc;
use super::exception::ExcKfunc;
use super::graph::GraphKfunc;
use super::iter::IterKfunc;
use super::metadata::XdpKfunc;
use super::rcu::RcuKfunc;

/// The netfilter kfuncs this crate knows by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NfKfunc {
    /// `struct nf_conn___init *bpf_xdp_ct_alloc(struct xdp_md *, struct bpf_sock_tuple *,
    /// u32 tuple__sz, struct bpf_ct_opts *, u32 opts__sz)` (acquire, may return NULL).
    XdpCtAlloc,
    /// `struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *, struct bpf_sock_tuple *,
    /// u32 tuple__sz, struct bpf_ct_opts *, u32 opts__sz)` (acquire, may return NULL).
    XdpCtLookup,
    /// `bpf_skb_ct_alloc`: [`NfKfunc::XdpCtAlloc`] with a `struct __sk_buff *` context.
    SkbCtAlloc,
    /// `bpf_skb_ct_lookup`: [`NfKfunc::XdpCtLookup`] with a `struct __sk_buff *` context.
    SkbCtLookup,
    /// `struct nf_conn *bpf_ct_insert_entry(struct nf_conn___init *)` (releases its
    /// argument, acquires the result, may return NULL).
    CtInsertEntry,
    /// `void bpf_ct_release(struct nf_conn *)` (release).
    CtRelease,
    /// `void bpf_ct_set_timeout(struct nf_conn___init *, u32 timeout)`.
    CtSetTimeout,
    /// `int bpf_ct_change_timeout(struct nf_conn *, u32 timeout)`.
    CtChangeTimeout,
    /// `int bpf_ct_set_status(const struct nf_conn___init *, u32 status)`.
    CtSetStatus,
    /// `int bpf_ct_change_status(struct nf_conn *, u32 status)`.
    CtChangeStatus,
    /// `int bpf_ct_set_nat_info(struct nf_conn___init *, union nf_inet_addr *addr, int port,
    /// enum nf_nat_manip_type manip)` (Linux 6.3).
    CtSetNatInfo,
    /// `struct flow_offload_tuple_rhash *bpf_xdp_flow_lookup(struct xdp_md *,
    /// struct bpf_fib_lookup *, struct bpf_flowtable_opts *, u32 opts_len)` (Linux 6.10).
    XdpFlowLookup,
}

impl NfKfunc {
    /// Every kfunc, in placeholder order.
    pub const ALL: [NfKfunc; 12] = [
        NfKfunc::XdpCtAlloc,
        NfKfunc::XdpCtLookup,
        NfKfunc::SkbCtAlloc,
        NfKfunc::SkbCtLookup,
        NfKfunc::CtInsertEntry,
        NfKfunc::CtRelease,
        NfKfunc::CtSetTimeout,
        NfKfunc::CtChangeTimeout,
        NfKfunc::CtSetStatus,
        NfKfunc::CtChangeStatus,
        NfKfunc::CtSetNatInfo,
        NfKfunc::XdpFlowLookup,
    ];

    /// The kernel's name of the function.
    pub const fn name(self) -> &'static str {
        match self {
            NfKfunc::XdpCtAlloc => "bpf_xdp_ct_alloc",
            NfKfunc::XdpCtLookup => "bpf_xdp_ct_lookup",
            NfKfunc::SkbCtAlloc => "bpf_skb_ct_alloc",
            NfKfunc::SkbCtLookup => "bpf_skb_ct_lookup",
            NfKfunc::CtInsertEntry => "bpf_ct_insert_entry",
            NfKfunc::CtRelease => "bpf_ct_release",
            NfKfunc::CtSetTimeout => "bpf_ct_set_timeout",
            NfKfunc::CtChangeTimeout => "bpf_ct_change_timeout",
            NfKfunc::CtSetStatus => "bpf_ct_set_status",
            NfKfunc::CtChangeStatus => "bpf_ct_change_status",
            NfKfunc::CtSetNatInfo => "bpf_ct_set_nat_info",
            NfKfunc::XdpFlowLookup => "bpf_xdp_flow_lookup",
        }
    }

    /// The kfunc called `name`, if it is one of these.
    pub fn from_name(name: &str) -> Option<NfKfunc> {
        NfKfunc::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The `imm` a call by name carries until the loader resolves it: -16, -17, ...
    pub const fn placeholder(self) -> i32 {
        -16 - self as i32
    }

    /// The kfunc whose placeholder is `imm`.
    pub fn from_placeholder(imm: i32) -> Option<NfKfunc> {
        NfKfunc::ALL.into_iter().find(|k| k.placeholder() == imm)
    }

    /// The kfunc an instruction calls by name (a kfunc call with its placeholder `imm`).
    pub fn of_insn(insn: &Insn) -> Option<NfKfunc> {
        if insn.code == 0x85 && insn.src() == BPF_PSEUDO_KFUNC_CALL && insn.off == 0 {
            NfKfunc::from_placeholder(insn.imm)
        } else {
            None
        }
    }
}

/// A call of `kfunc` by name: `call kfunc` with the placeholder the loader resolves.
pub const fn call_nf_kfunc(kfunc: NfKfunc) -> Insn {
    Insn::new(0x85, 0, BPF_PSEUDO_KFUNC_CALL, 0, kfunc.placeholder())
}

/// The name of the kfunc (XDP metadata, netfilter, dynptr, exceptions, BTF casts, crypto,
/// local objects, arenas, iterators, RCU sections) whose call-by-name placeholder is `imm`.
pub fn kfunc_name(imm: i32) -> Option<&'static str> {
    XdpKfunc::from_placeholder(imm)
        .map(XdpKfunc::name)
        .or_else(|| NfKfunc::from_placeholder(imm).map(NfKfunc::name))
        .or_else(|| DynptrKfunc::from_placeholder(imm).map(DynptrKfunc::name))
        .or_else(|| ExcKfunc::from_placeholder(imm).map(ExcKfunc::name))
        .or_else(|| BtfKfunc::from_placeholder(imm).map(BtfKfunc::name))
        .or_else(|| CryptoKfunc::from_placeholder(imm).map(CryptoKfunc::name))
        .or_else(|| GraphKfunc::from_placeholder(imm).map(GraphKfunc::name))
        .or_else(|| ArenaKfunc::from_placeholder(imm).map(ArenaKfunc::name))
        .or_else(|| IterKfunc::from_placeholder(imm).map(IterKfunc::name))
        .or_else(|| RcuKfunc::from_placeholder(imm).map(RcuKfunc::name))
}

/// The call by name of the kfunc (XDP metadata, netfilter, dynptr, exceptions, BTF casts, crypto,
/// local objects, arenas) called `name`.
pub fn call_kfunc_by_name(name: &str) -> Option<Insn> {
    XdpKfunc::from_name(name)
        .map(super::metadata::call_xdp_kfunc)
        .or_else(|| NfKfunc::from_name(name).map(call_nf_kfunc))
        .or_else(|| DynptrKfunc::from_name(name).map(super::dynptr::call_dynptr_kfunc))
        .or_else(|| ExcKfunc::from_name(name).map(super::exception::call_exc_kfunc))
        .or_else(|| BtfKfunc::from_name(name).map(super::btf_kfunc::call_btf_kfunc))
        .or_else(|| CryptoKfunc::from_name(name).map(super::crypto::call_crypto_kfunc))
        .or_else(|| GraphKfunc::from_name(name).map(super::graph::call_graph_kfunc))
        .or_else(|| ArenaKfunc::from_name(name).map(super::arena::call_arena_kfunc))
        .or_else(|| IterKfunc::from_name(name).map(super::iter::call_iter_kfunc))
        .or_else(|| RcuKfunc::from_name(name).map(super::rcu::call_rcu_kfunc))
}

/// The name of the kfunc `insn` calls by name (a kfunc call with a placeholder `imm`).
pub fn kfunc_of_insn(insn: &Insn) -> Option<&'static str> {
    if insn.code == 0x85 && insn.src() == BPF_PSEUDO_KFUNC_CALL && insn.off == 0 {
        kfunc_name(insn.imm)
    } else {
        None
    }
}

/// Every kfunc known by name (the XDP metadata ones, the netfilter ones, the dynptr ones,
/// `bpf_throw`, the BTF casts, the crypto ones, the local-object ones, the arena ones).
pub fn kfunc_names() -> impl Iterator<Item = &'static str> {
    XdpKfunc::ALL
        .into_iter()
        .map(XdpKfunc::name)
        .chain(NfKfunc::ALL.into_iter().map(NfKfunc::name))
        .chain(DynptrKfunc::ALL.into_iter().map(DynptrKfunc::name))
        .chain(ExcKfunc::ALL.into_iter().map(ExcKfunc::name))
        .chain(BtfKfunc::ALL.into_iter().map(BtfKfunc::name))
        .chain(CryptoKfunc::ALL.into_iter().map(CryptoKfunc::name))
        .chain(GraphKfunc::ALL.into_iter().map(GraphKfunc::name))
        .chain(ArenaKfunc::ALL.into_iter().map(ArenaKfunc::name))
        .chain(IterKfunc::ALL.into_iter().map(IterKfunc::name))
        .chain(RcuKfunc::ALL.into_iter().map(RcuKfunc::name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_placeholders_round_trip_and_do_not_collide() {
        for k in NfKfunc::ALL {
            assert_eq!(NfKfunc::from_name(k.name()), Some(k));
            assert_eq!(NfKfunc::of_insn(&call_nf_kfunc(k)), Some(k));
            assert_eq!(kfunc_name(k.placeholder()), Some(k.name()));
            assert_eq!(XdpKfunc::from_placeholder(k.placeholder()), None);
            assert_eq!(call_kfunc_by_name(k.name()), Some(call_nf_kfunc(k)));
        }
        assert_eq!(kfunc_name(-1), Some("bpf_xdp_metadata_rx_timestamp"));
        assert_eq!(
            kfunc_names().count(),
            XdpKfunc::ALL.len()
                + NfKfunc::ALL.len()
                + DynptrKfunc::ALL.len()
                + ExcKfunc::ALL.len()
                + BtfKfunc::ALL.len()
                + CryptoKfunc::ALL.len()
                + GraphKfunc::ALL.len()
                + ArenaKfunc::ALL.len()
                + IterKfunc::ALL.len()
                + RcuKfunc::ALL.len()
        );
        assert_eq!(call_kfunc_by_name("bpf_nope"), None);
    }
}

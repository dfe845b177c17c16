//! The kfuncs' first releases.

use super::KernelVersion;

/// The first Linux release whose kernel has the kfunc `name` (one of
/// [`kfunc_names`](crate::xdp::netfilter::kfunc_names)), or `None` for a name this verifier
/// does not know: the one table of the kfuncs' versions, which the static verifier checks
/// every kfunc call against before any path is walked (a kfunc the target kernel lacks is
/// not in its BTF: libbpf, or this crate's loader, cannot resolve the call, and a call given
/// by BTF id is refused by the kernel's `add_kfunc_call`, which resolves every kfunc call
/// instruction at load, unreachable ones included: `kernel btf_id N is not a function`),
/// and `xsk-runtime`'s loader names in its error for a kfunc the running kernel lacks.
///
/// A kfunc present in a release may still be refused for a program type or a licence (the
/// walk checks those, where a path reaches the call: the kernel looks up the program type's
/// kfunc sets in `check_kfunc_call`, not at load) or missing from a kernel built without its
/// subsystem (conntrack as a module, the crypto or flowtable BPF support).
///
/// Measured: every kfunc here is absent from Debian's 6.1.192 source (`kernel/`, `net/`)
/// except the conntrack ones (`bpf_ct_set_nat_info` included, `nf_nat_bpf.c`), present in
/// 6.12.118's except those marked 6.13 and later, and in the 6.18.44 reference kernel's BTF
/// except `bpf_xdp_flow_lookup` (built without the flowtable's BPF support). The releases
/// between those lines are upstream's, read from the kernels' histories, not measured.
pub fn kfunc_since(name: &str) -> Option<KernelVersion> {
    use crate::xdp::arena::ArenaKfunc;
    use crate::xdp::btf_kfunc::BtfKfunc;
    use crate::xdp::crypto::CryptoKfunc;
    use crate::xdp::dynptr::DynptrKfunc;
    use crate::xdp::exception::ExcKfunc;
    use crate::xdp::graph::GraphKfunc;
    use crate::xdp::iter::{IterKfunc, IterKind};
    use crate::xdp::metadata::XdpKfunc;
    use crate::xdp::netfilter::NfKfunc;
    use crate::xdp::rcu::RcuKfunc;
    let v = KernelVersion::since;
    if let Some(k) = XdpKfunc::from_name(name) {
        // The XDP RX metadata kfuncs (`net/core/xdp.c`): the VLAN tag came later.
        return Some(match k {
            XdpKfunc::RxVlanTag => v(6, 8),
            XdpKfunc::RxTimestamp | XdpKfunc::RxHash => v(6, 3),
        });
    }
    if let Some(k) = NfKfunc::from_name(name) {
        return Some(match k {
            NfKfunc::XdpCtLookup | NfKfunc::SkbCtLookup | NfKfunc::CtRelease => v(5, 18),
            NfKfunc::XdpFlowLookup => v(6, 10),
            // The allocation, insertion, timeout and status kfuncs 6.1; `bpf_ct_set_nat_info`
            // is in 6.1.192's `nf_nat_bpf.c` too (source read).
            _ => v(6, 1),
        });
    }
    if let Some(k) = DynptrKfunc::from_name(name) {
        return Some(match k {
            DynptrKfunc::FromSkb
            | DynptrKfunc::FromXdp
            | DynptrKfunc::Slice
            | DynptrKfunc::SliceRdwr => v(6, 4),
            DynptrKfunc::XdpPullData => v(6, 18),
            _ => v(6, 5),
        });
    }
    if let Some(k) = ExcKfunc::from_name(name) {
        return Some(match k {
            ExcKfunc::Throw => v(6, 7),
            // LLVM's trap, which the kernel refuses once reached (`transfer/call/throw.rs`).
            ExcKfunc::Trap => v(6, 16),
        });
    }
    if let Some(k) = BtfKfunc::from_name(name) {
        return Some(match k {
            BtfKfunc::SkAssignTcpReqsk => v(6, 9),
            BtfKfunc::CastToKernCtx | BtfKfunc::RdonlyCast => v(6, 2),
        });
    }
    if CryptoKfunc::from_name(name).is_some() {
        return Some(v(6, 10));
    }
    if let Some(k) = GraphKfunc::from_name(name) {
        return Some(match k {
            GraphKfunc::ListFront
            | GraphKfunc::ListBack
            | GraphKfunc::RbtreeRoot
            | GraphKfunc::RbtreeLeft
            | GraphKfunc::RbtreeRight => v(6, 16),
            GraphKfunc::RefcountAcquireImpl => v(6, 4),
            GraphKfunc::RbtreeAddImpl | GraphKfunc::RbtreeRemove | GraphKfunc::RbtreeFirst => {
                v(6, 3)
            }
            // `bpf_obj_new_impl`, `bpf_obj_drop_impl` and the list kfuncs.
            _ => v(6, 2),
        });
    }
    if let Some(k) = ArenaKfunc::from_name(name) {
        return Some(match k {
            // Not in 6.12.118's `arena.c`, in the 6.18.44 reference kernel's BTF; upstream's
            // 6.17 (its merge window as remembered, not measured here).
            ArenaKfunc::ReservePages => v(6, 17),
            ArenaKfunc::AllocPages | ArenaKfunc::FreePages => v(6, 9),
        });
    }
    if let Some(k) = IterKfunc::from_name(name) {
        return Some(match k.kind() {
            IterKind::Num => v(6, 4),
            IterKind::Bits => v(6, 11),
        });
    }
    if let Some(k) = RcuKfunc::from_name(name) {
        return Some(match k {
            RcuKfunc::ReadLock | RcuKfunc::ReadUnlock => v(6, 2),
            RcuKfunc::PercpuObjNewImpl | RcuKfunc::PercpuObjDropImpl => KernelVersion::PERCPU_OBJ,
        });
    }
    None
}

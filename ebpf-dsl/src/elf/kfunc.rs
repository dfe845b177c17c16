//! kfuncs called by name ([`XdpKfunc`]) in objects, as clang writes them and libbpf reads
//! them: an `extern` function symbol (`NOTYPE`, `GLOBAL`, undefined), a `FUNC` with `extern`
//! linkage and its `FUNC_PROTO` in `.BTF`, listed in a `.ksyms` `DATASEC`, and on each call
//! (`call -1` with `src_reg = BPF_PSEUDO_CALL`) an `R_BPF_64_32` relocation against the symbol.
//! libbpf (and our loader) resolve the name to the kernel's BTF id and make the call
//! `src_reg = BPF_PSEUDO_KFUNC_CALL`. The reader turns such a call back into the placeholder
//! call of [`call_xdp_kfunc`](crate::xdp::metadata::call_xdp_kfunc), printed `call NAME`; the
//! other families ([`NfKfunc`]: conntrack, flowtable; [`DynptrKfunc`]; [`ExcKfunc`]: `bpf_throw`;
//! [`BtfKfunc`]: the BTF casts; [`CryptoKfunc`]; [`ArenaKfunc`]) are read and written the same way.

use crate::btf::{
    Btf, Enumerator, Kind, Linkage, Member, Param, Type, VarSecInfo, INT_BOOL, INT_SIGNED,
};
use crate::isa::insn::{Insn, BPF_PSEUDO_CALL};
use crate::xdp::arena::ArenaKfunc;
use crate::xdp::btf_kfunc::BtfKfunc;
use crate::xdp::crypto::CryptoKfunc;
use crate::xdp::dynptr::DynptrKfunc;
use crate::xdp::exception::ExcKfunc;
use crate::xdp::graph::GraphKfunc;
use crate::xdp::iter::{IterKfunc, IterOp};
use crate::xdp::metadata::XdpKfunc;
use crate::xdp::netfilter::NfKfunc;
use crate::xdp::rcu::RcuKfunc;

/// The call instruction clang writes for an extern function (the relocation names it).
pub(super) const EXTERN_CALL: Insn = Insn::new(0x85, 0, BPF_PSEUDO_CALL, 0, -1);

fn int(btf: &mut Btf, name: &str, size: u32, signed: bool) -> u32 {
    btf.add(Type::new(
        name,
        Kind::Int {
            size,
            encoding: if signed { INT_SIGNED } else { 0 },
            offset: 0,
            bits: (size * 8) as u8,
        },
    ))
}

fn ptr(btf: &mut Btf, to: u32) -> u32 {
    btf.add(Type::new("", Kind::Ptr(to)))
}

/// Adds the `FUNC` (extern linkage) of `k` with the kernel's prototype, shaped as libbpf's
/// compatibility check wants it (a pointer to `struct xdp_md`, pointers to integers, to an
/// enum for the hash type), and returns its id.
pub(super) fn add_kfunc_btf(btf: &mut Btf, k: XdpKfunc) -> u32 {
    let ret = int(btf, "int", 4, true);
    let u32_ty = int(btf, "unsigned int", 4, false);
    let members = [
        "data",
        "data_end",
        "data_meta",
        "ingress_ifindex",
        "rx_queue_index",
        "egress_ifindex",
    ]
    .iter()
    .enumerate()
    .map(|(i, n)| Member {
        name: (*n).into(),
        ty: u32_ty,
        bit_offset: 32 * i as u32,
        bitfield_size: 0,
    })
    .collect();
    let xdp_md = btf.add(Type::new("xdp_md", Kind::Struct { size: 24, members }));
    let ctx = ptr(btf, xdp_md);
    let mut params = vec![Param {
        name: "ctx".into(),
        ty: ctx,
    }];
    let mut param = |btf: &mut Btf, name: &str, ty: u32| {
        let ty = ptr(btf, ty);
        params.push(Param {
            name: name.into(),
            ty,
        });
    };
    match k {
        XdpKfunc::RxTimestamp => {
            let u64_ty = int(btf, "unsigned long long", 8, false);
            param(btf, "timestamp", u64_ty);
        }
        XdpKfunc::RxHash => {
            param(btf, "hash", u32_ty);
            let rss = btf.add(Type::new(
                "xdp_rss_hash_type",
                Kind::Enum {
                    size: 4,
                    signed: false,
                    values: vec![Enumerator {
                        name: "XDP_RSS_TYPE_NONE".into(),
                        value: 0,
                    }],
                },
            ));
            param(btf, "rss_type", rss);
        }
        XdpKfunc::RxVlanTag => {
            let u16_ty = int(btf, "unsigned short", 2, false);
            param(btf, "vlan_proto", u16_ty);
            param(btf, "vlan_tci", u16_ty);
        }
    }
    let proto = btf.add(Type::new("", Kind::FuncProto { ret, params }));
    btf.add(Type::new(
        k.name(),
        Kind::Func {
            proto,
            linkage: Linkage::Extern,
        },
    ))
}

/// The `.ksyms` `DATASEC` listing the extern `FUNC`s `funcs` (size 0 each, as clang writes it).
pub(super) fn ksyms_datasec(funcs: &[u32]) -> Type {
    Type::new(
        ".ksyms",
        Kind::Datasec {
            size: 0,
            vars: funcs
                .iter()
                .map(|&ty| VarSecInfo {
                    ty,
                    offset: 0,
                    size: 0,
                })
                .collect(),
        },
    )
}

/// The placeholder call of the kfunc named `symbol` (the undefined symbol of an extern call);
/// an error naming it when it is no kfunc known by name, with where the target kernel has it
/// (`found`, when the object was read for a target: the kfunc exists there, it is only not
/// modelled here).
pub(super) fn kfunc_of_extern(
    symbol: &str,
    found: Option<&super::ksyms::Found>,
) -> Result<Insn, String> {
    match crate::xdp::netfilter::call_kfunc_by_name(symbol) {
        Some(call) => Ok(call),
        None => {
            if let Some(why) = crate::xdp::iter::tracing_only_iterator(symbol) {
                return Err(format!("a call of the extern function `{symbol}`: {why}"));
            }
            let known: Vec<&str> = crate::xdp::netfilter::kfunc_names().collect();
            let kernel = match found {
                Some(super::ksyms::Found::At { btf, id }) => {
                    format!(" (the target kernel has it: {btf} BTF [{id}]; it is not modelled)")
                }
                _ => String::new(),
            };
            Err(format!(
                "a call of the extern function `{symbol}`{kernel}: the kfuncs called by name are {}",
                known.join(", ")
            ))
        }
    }
}

/// A parameter or return type of a netfilter kfunc's prototype, as libbpf's compatibility
/// check of an extern kfunc against the kernel's sees it: integers of any width match, a
/// pointer matches a pointer to the same kind (struct, union), members are not compared.
#[derive(Clone, Copy)]
enum Ty {
    Void,
    /// `void *`.
    VoidPtr,
    Int,
    U32,
    U64,
    Bool,
    /// `int *`.
    IntPtr,
    Struct(&'static str),
    Union(&'static str),
    Enum(&'static str),
    /// A pointer to `bool (*)(struct bpf_rb_node *, const struct bpf_rb_node *)` (the rbtree's
    /// `less` callback).
    LessFn,
}

/// The kernel's prototype of `k`: (return type, parameters).
fn nf_proto(k: NfKfunc) -> (Ty, Vec<(&'static str, Ty)>) {
    use Ty::*;
    let ct = |ctx: &'static str, ret: &'static str| {
        (
            Struct(ret),
            vec![
                ("ctx", Struct(ctx)),
                ("bpf_tuple", Struct("bpf_sock_tuple")),
                ("tuple__sz", U32),
                ("opts", Struct("bpf_ct_opts")),
                ("opts__sz", U32),
            ],
        )
    };
    match k {
        NfKfunc::XdpCtAlloc => ct("xdp_md", "nf_conn___init"),
        NfKfunc::XdpCtLookup => ct("xdp_md", "nf_conn"),
        NfKfunc::SkbCtAlloc => ct("__sk_buff", "nf_conn___init"),
        NfKfunc::SkbCtLookup => ct("__sk_buff", "nf_conn"),
        NfKfunc::CtInsertEntry => (
            Struct("nf_conn"),
            vec![("nfct_i", Struct("nf_conn___init"))],
        ),
        NfKfunc::CtRelease => (Void, vec![("nfct", Struct("nf_conn"))]),
        NfKfunc::CtSetTimeout => (
            Void,
            vec![("nfct", Struct("nf_conn___init")), ("timeout", U32)],
        ),
        NfKfunc::CtChangeTimeout => (Int, vec![("nfct", Struct("nf_conn")), ("timeout", U32)]),
        NfKfunc::CtSetStatus => (
            Int,
            vec![("nfct", Struct("nf_conn___init")), ("status", U32)],
        ),
        NfKfunc::CtChangeStatus => (Int, vec![("nfct", Struct("nf_conn")), ("status", U32)]),
        NfKfunc::CtSetNatInfo => (
            Int,
            vec![
                ("nfct", Struct("nf_conn___init")),
                ("addr", Union("nf_inet_addr")),
                ("port", Int),
                ("manip", Enum("nf_nat_manip_type")),
            ],
        ),
        NfKfunc::XdpFlowLookup => (
            Struct("flow_offload_tuple_rhash"),
            vec![
                ("ctx", Struct("xdp_md")),
                ("fib_tuple", Struct("bpf_fib_lookup")),
                ("opts", Struct("bpf_flowtable_opts")),
                ("opts_len", U32),
            ],
        ),
    }
}

/// The kernel's prototype of the dynptr kfunc `k`: (return type, parameters).
fn dynptr_proto(k: DynptrKfunc) -> (Ty, Vec<(&'static str, Ty)>) {
    use Ty::*;
    let p = ("p", Struct("bpf_dynptr"));
    match k {
        DynptrKfunc::FromSkb | DynptrKfunc::FromXdp => (
            Int,
            vec![
                (
                    "ctx",
                    Struct(if k == DynptrKfunc::FromSkb {
                        "__sk_buff"
                    } else {
                        "xdp_md"
                    }),
                ),
                ("flags", U64),
                ("ptr__uninit", Struct("bpf_dynptr")),
            ],
        ),
        DynptrKfunc::Slice | DynptrKfunc::SliceRdwr => (
            VoidPtr,
            vec![
                p,
                ("offset", U32),
                ("buffer__opt", VoidPtr),
                ("buffer__szk", U32),
            ],
        ),
        DynptrKfunc::Adjust => (Int, vec![p, ("start", U32), ("end", U32)]),
        DynptrKfunc::IsNull | DynptrKfunc::IsRdonly => (Bool, vec![p]),
        DynptrKfunc::Size => (U32, vec![p]),
        DynptrKfunc::Clone => (Int, vec![p, ("clone__uninit", Struct("bpf_dynptr"))]),
        DynptrKfunc::XdpPullData => (Int, vec![("x", Struct("xdp_md")), ("len", U32)]),
    }
}

/// Adds the `FUNC` (extern linkage) of the netfilter kfunc `k` with the kernel's prototype
/// (structures and unions as empty forward-compatible types: libbpf compares kinds only) and
/// returns its id.
pub(super) fn add_nf_kfunc_btf(btf: &mut Btf, k: NfKfunc) -> u32 {
    add_proto_btf(btf, k.name(), nf_proto(k))
}

/// Adds the `FUNC` (extern linkage) of the dynptr kfunc `k`, as [`add_nf_kfunc_btf`] does.
pub(super) fn add_dynptr_kfunc_btf(btf: &mut Btf, k: DynptrKfunc) -> u32 {
    add_proto_btf(btf, k.name(), dynptr_proto(k))
}

/// The kernel's prototype of the BTF cast `k`: (return type, parameters).
fn btf_kfunc_proto(k: BtfKfunc) -> (Ty, Vec<(&'static str, Ty)>) {
    use Ty::*;
    match k {
        BtfKfunc::CastToKernCtx => (VoidPtr, vec![("obj", VoidPtr)]),
        BtfKfunc::RdonlyCast => (VoidPtr, vec![("obj__ign", VoidPtr), ("btf_id__k", U32)]),
        BtfKfunc::SkAssignTcpReqsk => (
            Int,
            vec![
                ("s", Struct("__sk_buff")),
                ("sk", Struct("sock")),
                ("attrs", Struct("bpf_tcp_req_attrs")),
                ("attrs__sz", Int),
            ],
        ),
    }
}

/// The kernel's prototype of the local-object kfunc `k`: (return type, parameters).
fn graph_kfunc_proto(k: GraphKfunc) -> (Ty, Vec<(&'static str, Ty)>) {
    use Ty::*;
    match k {
        GraphKfunc::ObjNewImpl => (
            VoidPtr,
            vec![("local_type_id__k", U64), ("meta__ign", VoidPtr)],
        ),
        GraphKfunc::ObjDropImpl => (Void, vec![("p__alloc", VoidPtr), ("meta__ign", VoidPtr)]),
        GraphKfunc::RbtreeAddImpl => (
            Int,
            vec![
                ("root", Struct("bpf_rb_root")),
                ("node", Struct("bpf_rb_node")),
                ("less", LessFn),
                ("meta__ign", VoidPtr),
                ("off", U64),
            ],
        ),
        GraphKfunc::RbtreeRemove => (
            Struct("bpf_rb_node"),
            vec![
                ("root", Struct("bpf_rb_root")),
                ("node", Struct("bpf_rb_node")),
            ],
        ),
        GraphKfunc::RbtreeFirst | GraphKfunc::RbtreeRoot => {
            (Struct("bpf_rb_node"), vec![("root", Struct("bpf_rb_root"))])
        }
        GraphKfunc::RbtreeLeft | GraphKfunc::RbtreeRight => (
            Struct("bpf_rb_node"),
            vec![
                ("root", Struct("bpf_rb_root")),
                ("node", Struct("bpf_rb_node")),
            ],
        ),
        GraphKfunc::ListPushFrontImpl | GraphKfunc::ListPushBackImpl => (
            Int,
            vec![
                ("head", Struct("bpf_list_head")),
                ("node", Struct("bpf_list_node")),
                ("meta__ign", VoidPtr),
                ("off", U64),
            ],
        ),
        GraphKfunc::ListPopFront
        | GraphKfunc::ListPopBack
        | GraphKfunc::ListFront
        | GraphKfunc::ListBack => (
            Struct("bpf_list_node"),
            vec![("head", Struct("bpf_list_head"))],
        ),
        GraphKfunc::RefcountAcquireImpl => (
            VoidPtr,
            vec![("p__refcounted_kptr", VoidPtr), ("meta__ign", VoidPtr)],
        ),
    }
}

/// Adds the `FUNC` (extern linkage) of the BTF cast `k`, as [`add_nf_kfunc_btf`] does.
pub(super) fn add_btf_kfunc_btf(btf: &mut Btf, k: BtfKfunc) -> u32 {
    add_proto_btf(btf, k.name(), btf_kfunc_proto(k))
}

/// Adds the `FUNC` (extern linkage) `name` of prototype `(ret, params)` and returns its id.
fn add_proto_btf(btf: &mut Btf, name: &str, (ret, params): (Ty, Vec<(&'static str, Ty)>)) -> u32 {
    let ty = |btf: &mut Btf, t: Ty| -> u32 {
        match t {
            Ty::Void => 0,
            Ty::VoidPtr => ptr(btf, 0),
            Ty::Int => int(btf, "int", 4, true),
            Ty::U32 => int(btf, "unsigned int", 4, false),
            Ty::U64 => int(btf, "unsigned long long", 8, false),
            Ty::IntPtr => {
                let i = int(btf, "int", 4, true);
                ptr(btf, i)
            }
            Ty::Bool => btf.add(Type::new(
                "_Bool",
                Kind::Int {
                    size: 1,
                    encoding: INT_BOOL,
                    offset: 0,
                    bits: 8,
                },
            )),
            Ty::Struct(name) => {
                let s = btf.add(Type::new(
                    name,
                    Kind::Struct {
                        size: 0,
                        members: Vec::new(),
                    },
                ));
                ptr(btf, s)
            }
            Ty::Union(name) => {
                let u = btf.add(Type::new(
                    name,
                    Kind::Union {
                        size: 0,
                        members: Vec::new(),
                    },
                ));
                ptr(btf, u)
            }
            Ty::LessFn => {
                let b = btf.add(Type::new(
                    "_Bool",
                    Kind::Int {
                        size: 1,
                        encoding: INT_BOOL,
                        offset: 0,
                        bits: 8,
                    },
                ));
                let n = btf.add(Type::new(
                    "bpf_rb_node",
                    Kind::Struct {
                        size: 0,
                        members: Vec::new(),
                    },
                ));
                let p = ptr(btf, n);
                let c = btf.add(Type::new("", Kind::Const(n)));
                let cp = ptr(btf, c);
                let proto = btf.add(Type::new(
                    "",
                    Kind::FuncProto {
                        ret: b,
                        params: vec![
                            Param {
                                name: "a".into(),
                                ty: p,
                            },
                            Param {
                                name: "b".into(),
                                ty: cp,
                            },
                        ],
                    },
                ));
                ptr(btf, proto)
            }
            Ty::Enum(name) => btf.add(Type::new(
                name,
                Kind::Enum {
                    size: 4,
                    signed: false,
                    values: Vec::new(),
                },
            )),
        }
    };
    let ret = ty(btf, ret);
    let params = params
        .into_iter()
        .map(|(name, t)| Param {
            name: name.into(),
            ty: ty(btf, t),
        })
        .collect();
    let proto = btf.add(Type::new("", Kind::FuncProto { ret, params }));
    btf.add(Type::new(
        name,
        Kind::Func {
            proto,
            linkage: Linkage::Extern,
        },
    ))
}

/// The kernel's prototype of the crypto kfunc `k`: (return type, parameters).
fn crypto_proto(k: CryptoKfunc) -> (Ty, Vec<(&'static str, Ty)>) {
    use Ty::*;
    let ctx = ("ctx", Struct("bpf_crypto_ctx"));
    match k {
        CryptoKfunc::CtxCreate => (
            Struct("bpf_crypto_ctx"),
            vec![
                ("params", Struct("bpf_crypto_params")),
                ("params__sz", U32),
                ("err", IntPtr),
            ],
        ),
        CryptoKfunc::CtxAcquire => (Struct("bpf_crypto_ctx"), vec![ctx]),
        CryptoKfunc::CtxRelease => (Void, vec![ctx]),
        CryptoKfunc::Encrypt | CryptoKfunc::Decrypt => (
            Int,
            vec![
                ctx,
                ("src", Struct("bpf_dynptr")),
                ("dst", Struct("bpf_dynptr")),
                ("siv__nullable", Struct("bpf_dynptr")),
            ],
        ),
    }
}

/// The kernel's prototype of the arena kfunc `k`: (return type, parameters).
fn arena_proto(k: ArenaKfunc) -> (Ty, Vec<(&'static str, Ty)>) {
    use Ty::*;
    let common = vec![
        ("p__map", VoidPtr),
        ("ptr__ign", VoidPtr),
        ("page_cnt", U32),
    ];
    match k {
        ArenaKfunc::AllocPages => (
            VoidPtr,
            vec![
                ("p__map", VoidPtr),
                ("addr__ign", VoidPtr),
                ("page_cnt", U32),
                ("node_id", Int),
                ("flags", U64),
            ],
        ),
        ArenaKfunc::FreePages => (Void, common),
        ArenaKfunc::ReservePages => (Int, common),
    }
}

/// The kernel's prototype of the iterator kfunc `k`: (return type, parameters).
fn iter_kfunc_proto(k: IterKfunc) -> (Ty, Vec<(&'static str, Ty)>) {
    use Ty::*;
    let it = (
        "it",
        Struct(match k.kind() {
            crate::xdp::iter::IterKind::Num => "bpf_iter_num",
            crate::xdp::iter::IterKind::Bits => "bpf_iter_bits",
        }),
    );
    match (k, k.op()) {
        (IterKfunc::NumNew, _) => (Int, vec![it, ("start", Int), ("end", Int)]),
        (_, IterOp::New) => (
            Int,
            vec![it, ("unsafe_ptr__ign", VoidPtr), ("nr_words", U32)],
        ),
        (_, IterOp::Next) => (IntPtr, vec![it]),
        (_, IterOp::Destroy) => (Void, vec![it]),
    }
}

/// Adds the `FUNC` (extern linkage) of the crypto kfunc `k`, as [`add_nf_kfunc_btf`] does.
pub(super) fn add_crypto_kfunc_btf(btf: &mut Btf, k: CryptoKfunc) -> u32 {
    add_proto_btf(btf, k.name(), crypto_proto(k))
}

/// Adds the `FUNC` (extern linkage) of the exception kfunc `k` (`void bpf_throw(u64 cookie)`),
/// as [`add_nf_kfunc_btf`] does.
pub(super) fn add_exc_kfunc_btf(btf: &mut Btf, k: ExcKfunc) -> u32 {
    let proto = match k {
        ExcKfunc::Throw => (Ty::Void, vec![("cookie", Ty::U64)]),
        ExcKfunc::Trap => (Ty::Void, vec![]),
    };
    add_proto_btf(btf, k.name(), proto)
}

/// Adds the `FUNC` (extern linkage, the kernel's prototype) of the kfunc known by name as
/// `name` (any family of [`crate::xdp::netfilter::kfunc_names`]) and returns its id; `None`
/// for a name no family knows.
pub(super) fn add_named_kfunc_btf(btf: &mut Btf, name: &str) -> Option<u32> {
    if let Some(k) = XdpKfunc::from_name(name) {
        Some(add_kfunc_btf(btf, k))
    } else if let Some(k) = NfKfunc::from_name(name) {
        Some(add_nf_kfunc_btf(btf, k))
    } else if let Some(k) = DynptrKfunc::from_name(name) {
        Some(add_dynptr_kfunc_btf(btf, k))
    } else if let Some(k) = ExcKfunc::from_name(name) {
        Some(add_exc_kfunc_btf(btf, k))
    } else if let Some(k) = CryptoKfunc::from_name(name) {
        Some(add_crypto_kfunc_btf(btf, k))
    } else if let Some(k) = GraphKfunc::from_name(name) {
        Some(add_proto_btf(btf, k.name(), graph_kfunc_proto(k)))
    } else if let Some(k) = ArenaKfunc::from_name(name) {
        Some(add_proto_btf(btf, k.name(), arena_proto(k)))
    } else if let Some(k) = IterKfunc::from_name(name) {
        Some(add_proto_btf(btf, k.name(), iter_kfunc_proto(k)))
    } else if let Some(k) = RcuKfunc::from_name(name) {
        let proto = match k {
            RcuKfunc::ReadLock | RcuKfunc::ReadUnlock => (Ty::Void, vec![]),
            RcuKfunc::PercpuObjNewImpl => graph_kfunc_proto(GraphKfunc::ObjNewImpl),
            RcuKfunc::PercpuObjDropImpl => graph_kfunc_proto(GraphKfunc::ObjDropImpl),
        };
        Some(add_proto_btf(btf, k.name(), proto))
    } else {
        BtfKfunc::from_name(name).map(|k| add_btf_kfunc_btf(btf, k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kfunc_known_by_name_has_its_extern_func() {
        for name in crate::xdp::netfilter::kfunc_names() {
            let mut btf = Btf::new();
            let id = add_named_kfunc_btf(&mut btf, name)
                .unwrap_or_else(|| panic!("{name}: no prototype to write"));
            let t = btf.get(id).unwrap();
            assert_eq!(t.name, name);
            assert!(matches!(
                t.kind,
                Kind::Func {
                    linkage: Linkage::Extern,
                    ..
                }
            ));
        }
        assert_eq!(add_named_kfunc_btf(&mut Btf::new(), "bpf_nope"), None);
    }

    #[test]
    fn a_tracing_only_iterator_is_refused_by_name() {
        let err = kfunc_of_extern("bpf_iter_task_new", None).unwrap_err();
        assert!(
            err.contains("struct bpf_iter_task") && err.contains("tracing"),
            "{err}"
        );
        assert_eq!(
            kfunc_of_extern("bpf_iter_num_next", None),
            Ok(crate::xdp::iter::call_iter_kfunc(IterKfunc::NumNext))
        );
    }
}

//! kfuncs called by name in clang-compiled objects (`tests/elf/ksyms.c`,
//! `tests/elf/ksyms_unmodelled.c`) resolved against a target kernel's BTF, vmlinux's and a
//! module's (split BTF), as libbpf resolves them: a strong kfunc found nowhere, or of an
//! incompatible prototype, is libbpf's refusal of the whole object; a weak one found nowhere
//! is poisoned (rejected where reached); one the kernel has but this crate does not model makes
//! the program calling it unexpressed (naming the kfunc and where the kernel has it), the
//! object's other programs read. Compiled with clang-19; without
//! it the tests print why and pass, unless `CI=true`.

use ebpf_dsl::btf::{Btf, Enumerator, Kind, Linkage, Param, SplitBtf, Type};
use ebpf_dsl::elf::{read_object_with, resolve_ksyms, Found, KsymKind, Object, ReadOptions};

#[path = "support/clang.rs"]
mod clang;
use clang::{compile, compile_with};

#[path = "support/verdict.rs"]
mod verdict;
use verdict::{program, verdict};

/// A kernel-side `FUNC` named `name` (global, as the kernel's kfuncs are) returning `int`
/// with `params`, pushed onto `types` whose first type has id `first`.
fn kfunc(types: &mut Vec<Type>, first: u32, int: u32, name: &str, params: Vec<u32>) {
    let proto = first + types.len() as u32;
    types.push(Type::new(
        "",
        Kind::FuncProto {
            ret: int,
            params: params
                .into_iter()
                .map(|ty| Param {
                    name: "p".into(),
                    ty,
                })
                .collect(),
        },
    ));
    types.push(Type::new(
        name,
        Kind::Func {
            proto,
            linkage: Linkage::Global,
        },
    ));
}

/// Type ids of the hand-made vmlinux the kfuncs' parameters use.
struct Ids {
    int: u32,
    ctx: u32,
    skb: u32,
    u32p: u32,
    u16p: u32,
}

/// A vmlinux BTF with `bpf_xdp_metadata_rx_hash`, and `bpf_xdp_metadata_rx_vlan_tag` when
/// `vlan`, the types their prototypes need.
fn vmlinux(vlan: bool) -> (Btf, Ids) {
    let mut b = Btf::new();
    let int = b.push(Type::int("int", 4, true));
    let u32t = b.push(Type::int("unsigned int", 4, false));
    let u16t = b.push(Type::int("short unsigned int", 2, false));
    let xdp_md = b.push(Type::new(
        "xdp_md",
        Kind::Struct {
            size: 24,
            members: Vec::new(),
        },
    ));
    let skb = b.push(Type::new(
        "__sk_buff",
        Kind::Struct {
            size: 4,
            members: Vec::new(),
        },
    ));
    let rss = b.push(Type::new(
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
    let ctx = b.push(Type::new("", Kind::Ptr(xdp_md)));
    let skb = b.push(Type::new("", Kind::Ptr(skb)));
    let u32p = b.push(Type::new("", Kind::Ptr(u32t)));
    let u16p = b.push(Type::new("", Kind::Ptr(u16t)));
    let rssp = b.push(Type::new("", Kind::Ptr(rss)));
    let ids = Ids {
        int,
        ctx,
        skb,
        u32p,
        u16p,
    };
    let mut extra = Vec::new();
    let first = b.types.len() as u32 + 1;
    kfunc(
        &mut extra,
        first,
        int,
        "bpf_xdp_metadata_rx_hash",
        vec![ctx, u32p, rssp],
    );
    if vlan {
        let first = first + extra.len() as u32;
        kfunc(
            &mut extra,
            first,
            int,
            "bpf_xdp_metadata_rx_vlan_tag",
            vec![ctx, u16p, u16p],
        );
    }
    for t in extra {
        b.push(t);
    }
    (b, ids)
}

/// A module `name` over `base` with the kfunc `kfunc` of parameters `params` (ids in `base`).
fn module(base: &Btf, name: &str, kfunc_name: &str, int: u32, params: Vec<u32>) -> SplitBtf {
    let first = base.types.len() as u32 + 1;
    let mut types = Vec::new();
    kfunc(&mut types, first, int, kfunc_name, params);
    SplitBtf {
        name: name.into(),
        base_types: base.types.len() as u32,
        types,
    }
}

fn read(bytes: &[u8], btf: &Btf, modules: &[SplitBtf]) -> Result<Object, String> {
    let opts = ReadOptions {
        btf: Some(btf),
        modules,
        ..ReadOptions::default()
    };
    read_object_with(bytes, &opts).map_err(|e| e.to_string())
}

/// A strong kfunc the target has in none of its BTFs is libbpf's refusal of the object,
/// naming it and where it was looked for; found in a module's split BTF, the object reads.
#[test]
fn a_strong_kfunc_the_target_lacks_refuses_the_object() {
    let Some(bytes) = compile("ksyms") else {
        return;
    };
    let (base, ids) = vmlinux(false);
    let r = resolve_ksyms(&bytes, &base, &[]).unwrap();
    let why = r.refusal().unwrap();
    assert!(
        why.contains(
            "extern (func ksym) 'bpf_xdp_metadata_rx_vlan_tag': not found in kernel or module BTFs"
        ),
        "{why}"
    );
    assert!(
        why.contains("searched vmlinux BTF and no module's"),
        "{why}"
    );
    let e = read(&bytes, &base, &[]).unwrap_err();
    assert!(e.contains("bpf_xdp_metadata_rx_vlan_tag"), "{e}");
    // In externs' name order: rx_hash found in vmlinux, rx_vlan_tag missing, the weak one
    // missing (not a refusal).
    let names: Vec<_> = r.ksyms.iter().map(|(k, _)| k.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "bpf_weak_missing",
            "bpf_xdp_metadata_rx_hash",
            "bpf_xdp_metadata_rx_vlan_tag"
        ]
    );
    assert!(r.ksyms[0].0.weak && r.ksyms[0].1 == Found::Missing);
    assert!(matches!(r.ksyms[1].1, Found::At { ref btf, .. } if btf == "vmlinux"));
    assert!(matches!(r.ksyms[2].0.kind, KsymKind::Func { .. }));
    // The kfunc in a module (split BTF over vmlinux): found there, the object reads.
    let m = module(
        &base,
        "veth",
        "bpf_xdp_metadata_rx_vlan_tag",
        ids.int,
        vec![ids.ctx, ids.u16p, ids.u16p],
    );
    let mods = [m];
    let r = resolve_ksyms(&bytes, &base, &mods).unwrap();
    assert_eq!(r.refusal(), None);
    let id = base.types.len() as u32 + 2;
    assert_eq!(
        r.ksyms[2].1,
        Found::At {
            btf: "veth".into(),
            id
        }
    );
    let obj = read(&bytes, &base, &mods).unwrap();
    assert_eq!(obj.programs.len(), 3);
}

/// A kfunc whose prototype is not the kernel's (another number of parameters, a pointer to
/// an integer where the kernel's points to a struct) is refused as libbpf refuses it; one
/// that differs only in integer widths and struct names is compatible.
#[test]
fn an_incompatible_kfunc_prototype_refuses_the_object() {
    let Some(bytes) = compile("ksyms") else {
        return;
    };
    let (base, ids) = vmlinux(false);
    let bad = |params| {
        let m = module(
            &base,
            "veth",
            "bpf_xdp_metadata_rx_vlan_tag",
            ids.int,
            params,
        );
        resolve_ksyms(&bytes, &base, &[m]).unwrap().refusal()
    };
    let why = bad(vec![ids.ctx, ids.u16p]).unwrap();
    assert!(
        why.contains("'bpf_xdp_metadata_rx_vlan_tag': func_proto"),
        "{why}"
    );
    assert!(why.contains("incompatible with veth"), "{why}");
    assert!(bad(vec![ids.u32p, ids.u16p, ids.u16p]).is_some());
    // `__sk_buff *` for `const struct xdp_md *`, `unsigned int *` for `__u16 *`: compatible.
    assert_eq!(bad(vec![ids.skb, ids.u32p, ids.u16p]), None);
}

/// A weak kfunc the target lacks: libbpf resolves nothing for it and poisons its calls,
/// which the verifier rejects where reached; the other programs read as before.
#[test]
fn a_weak_kfunc_the_target_lacks_is_poisoned_where_called() {
    let Some(bytes) = compile("ksyms") else {
        return;
    };
    let (base, _) = vmlinux(true);
    let obj = read(&bytes, &base, &[]).unwrap();
    let call = program(&obj, "weak").spec.insns[0];
    assert_eq!((call.code, call.src()), (0x85, 0));
    assert!(
        (2_002_000_000..2_003_000_000).contains(&call.imm),
        "{call:?}"
    );
    let e = verdict(&obj, "weak").unwrap_err();
    assert!(e.contains("weak kfunc"), "{e}");
    // The modelled kfunc's call is its placeholder.
    let hash = &program(&obj, "hash").spec.insns;
    assert!(hash
        .iter()
        .any(|i| ebpf_dsl::xdp::metadata::XdpKfunc::of_insn(i).is_some()));
}

/// A strong kfunc this crate does not model: refused as libbpf refuses it where the target
/// lacks it; where the target has it (here in a module), the program calling it is the
/// reader's unexpressed one (naming it, where the kernel has it, that it is not modelled) and
/// the other program reads; without a target, the object's error.
#[test]
fn an_unmodelled_kfunc_is_refused_where_missing_and_named_where_present() {
    let Some(bytes) = compile("ksyms_unmodelled") else {
        return;
    };
    let (base, ids) = vmlinux(true);
    let e = read(&bytes, &base, &[]).unwrap_err();
    assert!(
        e.contains("extern (func ksym) 'bpf_unmodelled_kfunc': not found in kernel or module BTFs"),
        "{e}"
    );
    let m = module(
        &base,
        "bpf_testmod",
        "bpf_unmodelled_kfunc",
        ids.int,
        vec![ids.skb, ids.int],
    );
    let mods = [m];
    assert_eq!(resolve_ksyms(&bytes, &base, &mods).unwrap().refusal(), None);
    // The target has it: the program calling it is unexpressed (named, with why), the
    // object's other program reads, as libbpf loads it.
    let obj = read(&bytes, &base, &mods).unwrap();
    let names: Vec<_> = obj.programs.iter().map(|p| p.function.as_str()).collect();
    assert_eq!(names, ["plain"]);
    let [u] = obj.unexpressed.as_slice() else {
        panic!("{:?}", obj.unexpressed);
    };
    assert_eq!(
        (u.section.as_str(), u.function.as_str()),
        ("tc", "unmodelled")
    );
    let e = u.error.to_string();
    assert!(
        e.contains("a call of the extern function `bpf_unmodelled_kfunc` (the target kernel has it: bpf_testmod BTF"),
        "{e}"
    );
    assert!(e.contains("it is not modelled"), "{e}");
    assert_eq!(obj.unexpressed_in(Some("unmodelled")).count(), 1);
    assert_eq!(obj.unexpressed_in(Some("plain")).count(), 0);
    assert_eq!(obj.unexpressed_in(Some("tc")).count(), 1);
    // Without a target kernel: the same error, without where.
    let e = ebpf_dsl::elf::read_object(&bytes).unwrap_err().to_string();
    assert!(
        e.contains(
            "a call of the extern function `bpf_unmodelled_kfunc`: the kfuncs called by name are"
        ),
        "{e}"
    );
}

/// A program taking a `__ksym` variable's address (`tests/elf/ksyms_vars.c`): a typed one
/// the target kernel's vmlinux BTF has is read as libbpf loads it (`BPF_PSEUDO_BTF_ID` of its
/// `VAR`), which the verifier types as the kernel does, given the kernel's symbol names; a weak
/// one the kernel lacks is the constant 0; without a target BTF, and a typeless one, it is
/// refused by name.
#[test]
fn a_ksym_variable_is_read_as_libbpf_loads_it() {
    let Some(bytes) = compile("ksyms_vars") else {
        return;
    };
    let e = ebpf_dsl::elf::read_object(&bytes).unwrap_err().to_string();
    assert!(
        e.contains("`bpf_prog_active` is a typed `__ksym` kernel variable: its address is an ld_imm64 `BPF_PSEUDO_BTF_ID`"),
        "{e}"
    );
    // With a target BTF that has the variable: its id there.
    let (mut base, _) = vmlinux(false);
    let int = base
        .types
        .iter()
        .position(|t| t.name == "int")
        .map_or(1, |i| i as u32 + 1);
    base.types.push(Type::new(
        "bpf_prog_active",
        Kind::Var {
            ty: int,
            linkage: Linkage::Global,
        },
    ));
    let id = base.types.len() as i32;
    let Some(only_typed) = compile_with("ksyms_vars", &["NO_TYPELESS", "WEAK_MISSING"]) else {
        return;
    };
    let obj = read(&only_typed, &base, &[]).unwrap();
    let typed = obj.programs.iter().find(|p| p.function == "typed").unwrap();
    let at = typed
        .spec
        .insns
        .iter()
        .position(|i| i.is_ld_imm64())
        .unwrap();
    let (ld, hi) = (typed.spec.insns[at], typed.spec.insns[at + 1]);
    assert_eq!((ld.src(), ld.imm, hi.imm), (3, id, 0));
    // Verified: read-only memory of an int's 4 bytes where the kernel has the symbol.
    let verify = |syms: &[&str]| {
        let k = ebpf_dsl::btf::Kallsyms::from_names(syms.iter().copied());
        let input = ebpf_dsl::verifier::VerifyInput::new(&typed.spec.insns, typed.spec.prog_type)
            .with_vmlinux(&base)
            .with_kallsyms(&k);
        ebpf_dsl::verifier::verify(&input).map_err(|e| e[0].message.clone())
    };
    assert!(verify(&["bpf_prog_active"]).is_ok());
    let e = verify(&[]).unwrap_err();
    assert!(
        e.contains("ldimm64 failed to find the address for kernel symbol 'bpf_prog_active'"),
        "{e}"
    );
    // The weak variable the kernel lacks: `r1 = 0 ll`.
    let weak = obj.programs.iter().find(|p| p.function == "weak").unwrap();
    let at = weak
        .spec
        .insns
        .iter()
        .position(|i| i.is_ld_imm64())
        .unwrap();
    let (ld, hi) = (weak.spec.insns[at], weak.spec.insns[at + 1]);
    assert_eq!((ld.src(), ld.imm, hi.imm), (0, 0, 0));
    // With the typeless one too: refused by name.
    let e = read(&bytes, &base, &[]).unwrap_err();
    assert!(
        e.contains("`bpf_typeless_sym` is a typeless `__ksym` kernel variable"),
        "{e}"
    );
    let Some(bytes) = compile_with("ksyms_vars", &["NO_TYPED"]) else {
        return;
    };
    let e = ebpf_dsl::elf::read_object(&bytes).unwrap_err().to_string();
    assert!(
        e.contains("`bpf_typeless_sym` is a typeless `__ksym` kernel variable"),
        "{e}"
    );
}

use std::rc::Rc;

use super::super::super::testkit::*;
use super::super::graph::tests::types;
use super::*;
use crate::btf::{Member, ProgramTypes, Type, INT_SIGNED};

/// [`types`] and `struct pv { long a; long b; }` (a struct of numbers), `struct pnest { long
/// a; struct pv in; int n[4]; }`, `struct pbig { long a[75]; }`; their ids.
fn percpu_types() -> (Rc<ProgramTypes>, u32, u32, u32) {
    let mut t = (*types()).clone();
    let b = &mut t.btf;
    let long = b.push(Type::new(
        "long",
        Kind::Int {
            size: 8,
            encoding: INT_SIGNED,
            offset: 0,
            bits: 64,
        },
    ));
    let pv = b.push(Type::new(
        "pv",
        Kind::Struct {
            size: 16,
            members: vec![Member::at("a", long, 0), Member::at("b", long, 8)],
        },
    ));
    let arr = |b: &mut Btf, n| {
        b.push(Type::new(
            "",
            Kind::Array {
                elem: long,
                index: long,
                nelems: n,
            },
        ))
    };
    let a4 = arr(b, 4);
    let pnest = b.push(Type::new(
        "pnest",
        Kind::Struct {
            size: 56,
            members: vec![
                Member::at("a", long, 0),
                Member::at("in", pv, 8),
                Member::at("n", a4, 24),
            ],
        },
    ));
    let a75 = arr(b, 75);
    let pbig = b.push(Type::new(
        "pbig",
        Kind::Struct {
            size: 600,
            members: vec![Member::at("a", a75, 0)],
        },
    ));
    (Rc::new(t), pv, pnest, pbig)
}

fn tc(src: &str) -> One {
    One::new(src)
        .ty(crate::spec::ProgramType::SchedCls)
        .kernel(KernelVersion::new(6, 18))
        .program(percpu_types().0)
        .vmlinux(Rc::new(Btf::new()))
}

#[test]
fn new_gives_an_owned_per_cpu_object_of_a_struct_of_numbers_that_drop_frees() {
    let (_, pv, pnest, pbig) = percpu_types();
    let new = tc("call bpf_percpu_obj_new_impl\nexit");
    for ty in [pv, pnest] {
        let mut st = state(&[(1, konst(ty as u64)), (2, konst(0))]);
        new.next(&mut st);
        let RegVal::AllocOrNull { ty: t, ref_id, .. } = *reg(&st, 0) else {
            panic!("{:?}", reg(&st, 0))
        };
        assert_eq!(t, ty | PERCPU_TY);
        assert_eq!(st.refs, vec![ref_id]);
    }
    let (_, msg) = new.refused(&mut state(&[(1, konst(pbig as u64))]));
    assert!(msg.contains("type size (600) is greater than 512"), "{msg}");
    // node_data (3) holds graph nodes: special fields.
    let (_, msg) = new.refused(&mut state(&[(1, konst(3))]));
    assert!(msg.contains("must not contain special fields"), "{msg}");
    // `value` of `arr` holds a kptr: a pointer member.
    let t = percpu_types().0;
    let value = (1..=t.btf.types.len() as u32)
        .find(|&i| t.btf.get(i).is_some_and(|t| t.name == "value"))
        .unwrap();
    let (_, msg) = new.refused(&mut state(&[(1, konst(value as u64))]));
    assert!(msg.contains("must be of a struct of scalars"), "{msg}");
    let drop = tc("call bpf_percpu_obj_drop_impl\nexit");
    let rf = 7 | ALLOC_REF;
    let owned = |ty, off| RegVal::Alloc {
        ty,
        off,
        ref_id: rf,
    };
    let mut st = state(&[(1, owned(pv | PERCPU_TY, 0)), (6, owned(pv | PERCPU_TY, 0))]);
    st.refs.push(rf);
    drop.next(&mut st);
    assert!(st.refs.is_empty());
    assert!(matches!(reg(&st, 6), RegVal::Scalar(_)));
    // A plain object; not at its start; maybe NULL; bpf_obj_drop of a per-CPU one.
    let (_, msg) = drop.refused(&mut state(&[(1, owned(pv, 0))]));
    assert!(msg.contains("expected for bpf_obj_drop_impl()"), "{msg}");
    let (_, msg) = drop.refused(&mut state(&[(1, owned(pv | PERCPU_TY, 8))]));
    assert!(msg.contains("must have zero offset"), "{msg}");
    let maybe = RegVal::AllocOrNull {
        ty: pv | PERCPU_TY,
        off: 0,
        id: 2,
        ref_id: rf,
    };
    let (rule, _) = drop.refused(&mut state(&[(1, maybe)]));
    assert_eq!(rule, Rule::NullCheck);
    let (_, msg) =
        tc("call bpf_obj_drop_impl\nexit").refused(&mut state(&[(1, owned(pv | PERCPU_TY, 0))]));
    assert!(
        msg.contains("expected for bpf_percpu_obj_drop_impl()"),
        "{msg}"
    );
}

#[test]
fn a_per_cpu_object_is_not_read_or_written_directly_nor_offered_to_socket_filters() {
    let (_, pv, _, _) = percpu_types();
    let p = RegVal::Alloc {
        ty: pv | PERCPU_TY,
        off: 0,
        ref_id: 7 | ALLOC_REF,
    };
    for src in ["r0 = *(u64 *)(r1 + 0)\nexit", "*(u64 *)(r1 + 8) = 1\nexit"] {
        let (rule, msg) = tc(src).refused(&mut state(&[(1, p)]));
        assert_eq!(rule, Rule::MemoryAccess, "{src}");
        assert!(msg.contains("access percpu memory"), "{src}: {msg}");
    }
    let (rule, msg) = tc("call bpf_percpu_obj_new_impl\nexit")
        .ty(crate::spec::ProgramType::SocketFilter)
        .refused(&mut state(&[(1, konst(pv as u64))]));
    assert_eq!(rule, Rule::HelperNotAllowed);
    assert!(msg.contains("is not allowed"), "{msg}");
}

#[test]
fn the_generic_kfuncs_are_offered_to_sched_cls_and_to_xdp_from_6_12_never_to_sched_act() {
    use crate::spec::ProgramType;
    let (_, pv, _, _) = percpu_types();
    let args = || state(&[(1, konst(pv as u64)), (2, konst(0))]);
    let new = || tc("call bpf_percpu_obj_new_impl\nexit");
    // 6.6.47's generic_btf_ids has no per-CPU objects: 6.7.
    let (rule, msg) = new().kernel(KernelVersion::new(6, 6)).refused(&mut args());
    assert_eq!(rule, Rule::HelperNotAllowed);
    assert!(msg.contains("needs Linux 6.7"), "{msg}");
    new().kernel(KernelVersion::PERCPU_OBJ).next(&mut args());
    // Never sched_act (the set is registered for sched_cls only).
    let (rule, msg) = new().ty(ProgramType::SchedAct).refused(&mut args());
    assert_eq!(rule, Rule::HelperNotAllowed);
    assert!(msg.contains("not offered to sched_act"), "{msg}");
    // XDP from 6.12 (6.6.47's kfunc_init does not register the set for XDP).
    let xdp = || new().ty(ProgramType::Xdp);
    let (rule, msg) = xdp().kernel(KernelVersion::new(6, 11)).refused(&mut args());
    assert_eq!(rule, Rule::HelperNotAllowed);
    assert!(msg.contains("XDP programs from Linux 6.12"), "{msg}");
    xdp()
        .kernel(KernelVersion::GENERIC_KFUNCS_XDP)
        .next(&mut args());
    // The same gate for the local-object kfuncs.
    let obj_new = || tc("call bpf_obj_new_impl\nexit").ty(ProgramType::Xdp);
    let (rule, msg) = obj_new()
        .kernel(KernelVersion::DEFAULT)
        .refused(&mut args());
    assert_eq!(rule, Rule::HelperNotAllowed);
    assert!(msg.contains("XDP programs from Linux 6.12"), "{msg}");
    let (_, msg) = obj_new().ty(ProgramType::SchedAct).refused(&mut args());
    assert!(msg.contains("not offered to sched_act"), "{msg}");
}

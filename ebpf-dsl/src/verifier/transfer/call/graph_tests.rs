use std::rc::Rc;

use super::super::super::testkit::*;
use super::*;
use crate::btf::{Btf, Member, ProgramTypes, Type, INT_SIGNED};
use crate::verifier::domain::state::RegVal;

/// The program's types: `struct node_data { long key; long data; struct bpf_rb_node node;
/// struct bpf_list_node lnode; }`
/// (id 3), `struct other { long v; }` (id 4), `arr`'s value `struct value { struct
/// node_data __kptr *n; long x; }` (the kptr at 0), and `lk`'s `struct { int cnt; struct
/// bpf_spin_lock l; struct bpf_rb_root r __contains(node_data, node); struct bpf_list_head h
/// __contains(node_data, lnode); }` (the lock at 4, as `lock.rs`'s value has it, the root at
/// 8, the head at 24; `node_data`'s list node at 48); and `struct owner`, an object with a
/// lock and a list ([`owner_type`]).
pub(crate) fn types() -> Rc<ProgramTypes> {
    let mut b = Btf::new();
    let st = |b: &mut Btf, name: &str, size, ms: &[(&str, u32, u32)]| {
        b.push(Type::new(
            name,
            Kind::Struct {
                size,
                members: ms
                    .iter()
                    .map(|&(n, ty, off)| Member {
                        name: n.into(),
                        ty,
                        bit_offset: off * 8,
                        bitfield_size: 0,
                    })
                    .collect(),
            },
        ))
    };
    let long = b.push(Type::new(
        "long",
        Kind::Int {
            size: 8,
            encoding: INT_SIGNED,
            offset: 0,
            bits: 64,
        },
    ));
    let rb = st(&mut b, "bpf_rb_node", 32, &[]);
    let node = st(
        &mut b,
        "node_data",
        72,
        &[
            ("key", long, 0),
            ("data", long, 8),
            ("node", rb, 16),
            ("lnode", 0, 48),
        ],
    );
    assert_eq!(node, 3);
    assert_eq!(st(&mut b, "other", 8, &[("v", long, 0)]), 4);
    let tag = b.push(Type::new("kptr", Kind::TypeTag(node)));
    let p = b.push(Type::new("", Kind::Ptr(tag)));
    let value = st(&mut b, "value", 16, &[("n", p, 0), ("x", long, 8)]);
    let int = b.push(Type::new(
        "int",
        Kind::Int {
            size: 4,
            encoding: INT_SIGNED,
            offset: 0,
            bits: 32,
        },
    ));
    let lock = st(&mut b, "bpf_spin_lock", 4, &[]);
    let root = st(&mut b, "bpf_rb_root", 16, &[]);
    let head = st(&mut b, "bpf_list_head", 16, &[]);
    let lnode = st(&mut b, "bpf_list_node", 24, &[]);
    // node_data's `lnode` (member 3) is a list node.
    if let Some(Kind::Struct { members, .. }) =
        b.types.get_mut(node as usize - 1).map(|t| &mut t.kind)
    {
        members[3].ty = lnode;
    }
    let lk = st(
        &mut b,
        "lk_value",
        40,
        &[
            ("cnt", int, 0),
            ("l", lock, 4),
            ("r", root, 8),
            ("h", head, 24),
        ],
    );
    for (c, tag) in [
        (2, "contains:node_data:node"),
        (3, "contains:node_data:lnode"),
    ] {
        b.push(Type::new(
            tag,
            Kind::DeclTag {
                ty: lk,
                component_idx: c,
            },
        ));
    }
    // `struct counted { long v; struct bpf_refcount ref; }`.
    let rc = st(&mut b, "bpf_refcount", 4, &[]);
    st(&mut b, "counted", 16, &[("v", long, 0), ("ref", rc, 8)]);
    // `struct owner { struct bpf_list_head items __contains(node_data, lnode); struct
    // bpf_spin_lock lock; long data; }`: an object with its own lock and list (head at 0,
    // lock at 16).
    let owner = st(
        &mut b,
        "owner",
        32,
        &[("items", head, 0), ("lock", lock, 16), ("data", long, 24)],
    );
    b.push(Type::new(
        "contains:node_data:lnode",
        Kind::DeclTag {
            ty: owner,
            component_idx: 0,
        },
    ));
    Rc::new(ProgramTypes {
        btf: b,
        values: vec![("arr".into(), value), ("lk".into(), lk)],
    })
}

/// The id of `struct owner` in [`types`].
pub(crate) fn owner_type() -> u32 {
    let t = types();
    (1..=t.btf.types.len() as u32)
        .find(|&i| t.btf.get(i).is_some_and(|t| t.name == "owner"))
        .expect("struct owner")
}

pub(crate) fn tc(src: &str) -> One {
    One::new(src)
        .ty(ProgramType::SchedCls)
        .program(types())
        .vmlinux(Rc::new(Btf::new()))
}

fn owned(ty: u32, off: i32, rf: u32) -> RegVal {
    RegVal::Alloc {
        ty,
        off,
        ref_id: rf,
    }
}

#[test]
fn obj_new_gives_an_owned_object_or_null_of_a_program_struct() {
    let call = tc("call bpf_obj_new_impl\nexit");
    let mut st = state(&[(1, konst(3)), (2, konst(0))]);
    call.next(&mut st);
    let RegVal::AllocOrNull { ty: 3, ref_id, .. } = *reg(&st, 0) else {
        panic!("{:?}", reg(&st, 0))
    };
    assert_eq!(st.refs, vec![ref_id]);
    assert_eq!(*reg(&st, 1), RegVal::NotInit);
    // Not a constant, not a struct, no program BTF.
    let (rule, msg) = call.refused(&mut state(&[(1, scalar(Scalar::UNKNOWN))]));
    assert_eq!(rule, Rule::HelperArgument);
    assert!(msg.contains("known constant"), "{msg}");
    let (_, msg) = call.refused(&mut state(&[(1, konst(1))]));
    assert!(msg.contains("must be of a struct"), "{msg}");
    let bare = One::new("call bpf_obj_new_impl\nexit").ty(ProgramType::SchedCls);
    let (rule, msg) = bare.refused(&mut state(&[(1, konst(3))]));
    assert_eq!(rule, Rule::Unsupported);
    assert!(msg.contains("program's own BTF"), "{msg}");
}

#[test]
fn obj_drop_releases_an_owned_object_at_its_start() {
    let call = tc("call bpf_obj_drop_impl\nexit");
    let rf = 7 | ALLOC_REF;
    let mut st = state(&[(1, owned(3, 0, rf)), (6, owned(3, 0, rf)), (2, konst(0))]);
    st.refs.push(rf);
    call.next(&mut st);
    assert!(st.refs.is_empty());
    assert!(matches!(reg(&st, 6), RegVal::Scalar(_)));
    // At the rb node's offset (the selftest drop_rb_node_off).
    let mut st = state(&[(1, owned(3, 16, rf))]);
    st.refs.push(rf);
    let (rule, msg) = call.refused(&mut st);
    assert_eq!(rule, Rule::HelperArgument);
    assert!(msg.contains("must have zero offset"), "{msg}");
    // Not null-checked.
    let mut st = state(&[(
        1,
        RegVal::AllocOrNull {
            ty: 3,
            off: 0,
            id: 2,
            ref_id: rf,
        },
    )]);
    assert_eq!(call.refused(&mut st).0, Rule::NullCheck);
}

#[test]
fn kptr_xchg_moves_an_object_of_the_fields_type_into_a_map_value() {
    let call = tc("call bpf_kptr_xchg\nexit");
    let rf = 7 | ALLOC_REF;
    let mut st = state(&[(1, map_value(0, 0)), (2, owned(3, 0, rf))]);
    st.refs.push(rf);
    call.next(&mut st);
    let RegVal::AllocOrNull { ty: 3, ref_id, .. } = *reg(&st, 0) else {
        panic!("{:?}", reg(&st, 0))
    };
    // The object moved into the map; the old one (or NULL) is owned now.
    assert_eq!(st.refs, vec![ref_id]);
    // NULL is fine too.
    call.next(&mut state(&[(1, map_value(0, 0)), (2, konst(0))]));
    // Another type: the kernel's message.
    let mut st = state(&[(1, map_value(0, 0)), (2, owned(4, 0, rf))]);
    st.refs.push(rf);
    let (_, msg) = call.refused(&mut st);
    assert!(
        msg.contains("R2 type=ptr_other expected=ptr_node_data"),
        "{msg}"
    );
    // Not at the kptr.
    let (_, msg) = call.refused(&mut state(&[(1, map_value(0, 8)), (2, konst(0))]));
    assert!(msg.contains("off=8 doesn't point to kptr"), "{msg}");
    // A map whose value has no kptr.
    let (_, msg) = call.refused(&mut state(&[(1, map_value(1, 0)), (2, konst(0))]));
    assert!(msg.contains("doesn't point to kptr"), "{msg}");
    // Without the kernel's BTF, local and kernel kptrs cannot be told apart.
    let no_btf = One::new("call bpf_kptr_xchg\nexit")
        .ty(ProgramType::SchedCls)
        .program(types());
    let (rule, _) = no_btf.refused(&mut state(&[(1, map_value(0, 0)), (2, konst(0))]));
    assert_eq!(rule, Rule::Unsupported);
}

#[test]
fn an_object_is_read_and_written_through_its_number_members_only() {
    let rf = 7 | ALLOC_REF;
    let o = |off| state(&[(1, owned(3, off, rf)), (2, konst(5))]);
    tc("r0 = *(u64 *)(r1 + 8)\nexit").next(&mut o(0));
    tc("*(u64 *)(r1 + 0) = r2\nexit").next(&mut o(0));
    // container_of: back from the node to the start.
    tc("r0 = *(u64 *)(r1 - 16)\nexit").next(&mut o(16));
    // The rb node, across two members, past the end.
    let (_, msg) = tc("r0 = *(u64 *)(r1 + 16)\nexit").refused(&mut o(0));
    assert!(
        msg.contains("direct access to bpf_rb_node is disallowed"),
        "{msg}"
    );
    let (_, msg) = tc("r0 = *(u64 *)(r1 + 4)\nexit").refused(&mut o(0));
    assert!(msg.contains("within one of its number members"), "{msg}");
    // A pointer stored into it, a variable offset, before the null check.
    let mut st = state(&[(1, owned(3, 0, rf)), (2, map_value(0, 0))]);
    assert_eq!(
        tc("*(u64 *)(r1 + 0) = r2\nexit").refused(&mut st).0,
        Rule::MemoryAccess
    );
    let mut st = state(&[(1, owned(3, 0, rf)), (2, scalar(Scalar::UNKNOWN))]);
    assert_eq!(
        tc("r1 += r2\nexit").refused(&mut st).0,
        Rule::PointerArithmetic
    );
    let mut st = state(&[(
        1,
        RegVal::AllocOrNull {
            ty: 3,
            off: 0,
            id: 2,
            ref_id: rf,
        },
    )]);
    assert_eq!(
        tc("r0 = *(u64 *)(r1 + 0)\nexit").refused(&mut st).0,
        Rule::NullCheck
    );
}

#[test]
fn a_kptr_field_of_a_map_value_is_not_read_or_written_directly() {
    let mut st = state(&[(1, map_value(0, 0)), (2, konst(0))]);
    let (rule, msg) = tc("*(u64 *)(r1 + 0) = r2\nexit").refused(&mut st);
    assert_eq!(rule, Rule::MemoryAccess);
    assert!(msg.contains("__kptr field (bytes 0..8)"), "{msg}");
    tc("r0 = *(u64 *)(r1 + 8)\nexit").next(&mut state(&[(1, map_value(0, 0))]));
}

#[test]
fn a_null_check_gives_the_object_or_releases_the_reference() {
    let rf = 7 | ALLOC_REF;
    let p = RegVal::AllocOrNull {
        ty: 3,
        off: 0,
        id: 2,
        ref_id: rf,
    };
    let mut st = state(&[(0, p), (6, p)]);
    st.refs.push(rf);
    let mut null = st.clone();
    crate::verifier::domain::branch::mark_null(&mut st, &p, false);
    assert_eq!(*reg(&st, 6), owned(3, 0, rf));
    crate::verifier::domain::branch::mark_null(&mut null, &p, true);
    assert!(null.refs.is_empty());
}

#[test]
fn refcount_acquire_gives_one_more_owned_reference_to_a_refcounted_object() {
    let t = types();
    let counted = t.btf.find("counted", 4).unwrap();
    let call = tc("call bpf_refcount_acquire_impl\nexit");
    let rf = 7 | ALLOC_REF;
    // Owned: never NULL.
    let mut st = state(&[(1, owned(counted, 0, rf))]);
    st.refs.push(rf);
    call.next(&mut st);
    let RegVal::Alloc { ref_id, off: 0, .. } = *reg(&st, 0) else {
        panic!("{:?}", reg(&st, 0))
    };
    assert_eq!(st.refs, vec![rf, ref_id]);
    // In a tree (non-owning): maybe NULL.
    let mut st = state(&[(1, owned(counted, 0, 0))]);
    call.next(&mut st);
    assert!(matches!(reg(&st, 0), RegVal::AllocOrNull { .. }));
    // No bpf_refcount; not null-checked.
    let (_, msg) = call.refused(&mut state(&[(1, owned(3, 0, rf))]));
    assert!(
        msg.contains("doesn't point to a type with bpf_refcount field"),
        "{msg}"
    );
    let p = RegVal::AllocOrNull {
        ty: counted,
        off: 0,
        id: 2,
        ref_id: rf,
    };
    assert_eq!(call.refused(&mut state(&[(1, p)])).0, Rule::NullCheck);
}

/// The whole program `src` (a tc program with [`types`]) through the verifier.
fn verify_program(src: &str) -> Result<(), String> {
    let asm = crate::asm::assemble_unchecked(src).unwrap_or_else(|e| panic!("{e:?}"));
    let (t, vmlinux) = (types(), Btf::new());
    let mut input = crate::verifier::VerifyInput::new(&asm.insns, ProgramType::SchedCls)
        .with_kernel(crate::verifier::KernelVersion::new(6, 18));
    input.program_types = Some(&t);
    input.vmlinux = Some(&vmlinux);
    crate::verifier::verify(&input).map(|_| ()).map_err(|e| {
        e.iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    })
}

#[test]
fn one_obj_new_call_gets_one_type_on_every_path() {
    // One bpf_obj_new_impl call with struct node_data (3) on one path and struct other (4)
    // on the other (clang -O1 merging the calls of an inlined function): refused.
    let prog = |other: u32| {
        format!(
            "r6 = *(u32 *)(r1 + 0)\nr1 = 3\nif r6 > 10 goto c\nr1 = {other}\nc:\nr2 = 0\n\
             call bpf_obj_new_impl\nif r0 == 0 goto out\nr1 = r0\nr2 = 0\n\
             call bpf_obj_drop_impl\nout:\nr0 = 0\nexit"
        )
    };
    let err = verify_program(&prog(4)).unwrap_err();
    assert!(
        err.contains("same call cannot be used with different types"),
        "{err}"
    );
    assert!(
        err.contains("struct other") && err.contains("struct node_data"),
        "{err}"
    );
    // The same type on both paths is fine.
    verify_program(&prog(3)).unwrap();
}

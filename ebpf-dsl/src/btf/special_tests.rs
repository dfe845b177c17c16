use super::*;

/// Adds `struct name { members }` (name, type, byte offset) of `size` bytes.
pub(crate) fn add_struct(b: &mut Btf, name: &str, size: u32, members: &[(&str, u32, u32)]) -> u32 {
    b.push(Type::new(
        name,
        Kind::Struct {
            size,
            members: members
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
}

/// A `long` and the kernel's managed structs used below.
fn base() -> (Btf, u32, u32, u32) {
    let mut b = Btf::new();
    let long = b.push(Type::new(
        "long",
        Kind::Int {
            size: 8,
            encoding: INT_SIGNED,
            offset: 0,
            bits: 64,
        },
    ));
    let node = add_struct(&mut b, "bpf_rb_node", 32, &[]);
    let root = add_struct(&mut b, "bpf_rb_root", 16, &[]);
    (b, long, node, root)
}

/// A `__kptr` (referenced) pointer to `to`.
fn kptr(b: &mut Btf, to: u32, tag: &str) -> u32 {
    let t = b.push(Type::new(tag, Kind::TypeTag(to)));
    b.push(Type::new("", Kind::Ptr(t)))
}

#[test]
fn kptrs_and_managed_structs_are_found_nested_and_in_datasecs() {
    let (mut b, long, node, _) = base();
    let data = add_struct(
        &mut b,
        "node_data",
        48,
        &[("key", long, 0), ("node", node, 8)],
    );
    let k = kptr(&mut b, data, "kptr");
    let u = kptr(&mut b, data, "kptr_untrusted");
    let inner = add_struct(&mut b, "inner", 8, &[("p", u, 0)]);
    let v = add_struct(
        &mut b,
        "value",
        24,
        &[("x", long, 0), ("p", k, 8), ("i", inner, 16)],
    );
    let f = b.special_fields(v).unwrap();
    assert_eq!(f.fields.len(), 2);
    assert_eq!(
        f.kptr_at(8).map(|f| &f.kind),
        Some(&FieldKind::Kptr {
            target: data,
            referenced: true,
            percpu: false
        })
    );
    assert!(matches!(
        f.kptr_at(16).map(|f| &f.kind),
        Some(FieldKind::Kptr {
            referenced: false,
            ..
        })
    ));
    assert!(f.overlapping(0, 8).is_none());
    assert_eq!(f.overlapping(4, 12).map(|f| f.offset), Some(8));
    // The object's own fields: its rb node.
    let d = b.special_fields(data).unwrap();
    assert!(d.has("bpf_rb_node") && !d.has("bpf_spin_lock"));
    // A global `struct node_data __kptr *ptr` in `.bss.A`.
    let var = b.push(Type::new(
        "ptr",
        Kind::Var {
            ty: k,
            linkage: Linkage::Global,
        },
    ));
    let sec = b.push(Type::new(
        ".bss.A",
        Kind::Datasec {
            size: 0,
            vars: vec![VarSecInfo {
                ty: var,
                offset: 8,
                size: 8,
            }],
        },
    ));
    assert!(b.special_fields(sec).unwrap().kptr_at(8).is_some());
}

#[test]
fn a_graph_root_needs_a_contains_tag_naming_a_node() {
    let (mut b, long, node, root) = base();
    add_struct(
        &mut b,
        "node_data",
        40,
        &[("key", long, 0), ("node", node, 8)],
    );
    let lock = add_struct(&mut b, "bpf_spin_lock", 4, &[]);
    let v = add_struct(&mut b, "value", 24, &[("l", lock, 0), ("r", root, 8)]);
    // No tag: the kernel's record is an error (no lock either).
    assert!(b.special_fields(v).is_err());
    b.push(Type::new(
        "contains:node_data:node",
        Kind::DeclTag {
            ty: v,
            component_idx: 1,
        },
    ));
    let f = b.special_fields(v).unwrap();
    assert!(f.has("bpf_spin_lock") && f.has("bpf_rb_root"));
    assert_eq!(
        f.root_at(8).map(|f| &f.kind),
        Some(&FieldKind::GraphRoot {
            list: false,
            value: 4,
            node_offset: 8
        })
    );
    // A tag naming a member that is no rb node.
    let v2 = add_struct(&mut b, "value2", 24, &[("l", lock, 0), ("r", root, 8)]);
    b.push(Type::new(
        "contains:node_data:key",
        Kind::DeclTag {
            ty: v2,
            component_idx: 1,
        },
    ));
    assert!(b.special_fields(v2).unwrap_err().contains("node_data"));
}

#[test]
fn layouts_not_modelled_are_errors() {
    let (mut b, long, node, _) = base();
    let idx = b.push(Type::new(
        "__ARRAY_SIZE_TYPE__",
        Kind::Int {
            size: 4,
            encoding: 0,
            offset: 0,
            bits: 32,
        },
    ));
    let nodes = b.push(Type::new(
        "",
        Kind::Array {
            elem: node,
            index: idx,
            nelems: 2,
        },
    ));
    // An array of nodes: two fields.
    let v = add_struct(&mut b, "value", 72, &[("x", long, 0), ("n", nodes, 8)]);
    let f = b.special_fields(v).unwrap();
    assert_eq!(
        f.fields.iter().map(|f| f.offset).collect::<Vec<_>>(),
        [8, 40]
    );
    let many = b.push(Type::new(
        "",
        Kind::Array {
            elem: node,
            index: idx,
            nelems: 100,
        },
    ));
    let v = add_struct(&mut b, "big", 3200, &[("n", many, 0)]);
    assert!(b.special_fields(v).is_err());
    let u = b.push(Type::new(
        "u",
        Kind::Union {
            size: 32,
            members: vec![Member {
                name: "n".into(),
                ty: node,
                bit_offset: 0,
                bitfield_size: 0,
            }],
        },
    ));
    assert!(b.special_fields(u).is_err());
    // Plain numbers: no field.
    let plain = add_struct(&mut b, "plain", 8, &[("x", long, 0)]);
    assert!(b.special_fields(plain).unwrap().fields.is_empty());
}

#[test]
fn the_kernel_refuses_a_btf_with_an_invalid_record() {
    let (mut b, long, node, _) = base();
    assert_eq!(b.kernel_refusal(), None);
    let lnode = add_struct(&mut b, "bpf_list_node", 24, &[]);
    add_struct(&mut b, "ok", 40, &[("k", long, 0), ("n", node, 8)]);
    assert_eq!(b.kernel_refusal(), None);
    // Both kinds of node and no bpf_refcount.
    add_struct(&mut b, "both", 64, &[("n", node, 0), ("l", lnode, 32)]);
    let why = b.kernel_refusal().unwrap();
    assert!(why.contains("struct both"), "{why}");
    // Two locks.
    let (mut b, _, _, _) = base();
    let lock = add_struct(&mut b, "bpf_spin_lock", 4, &[]);
    add_struct(&mut b, "two", 8, &[("a", lock, 0), ("b", lock, 4)]);
    assert!(b
        .kernel_refusal()
        .unwrap()
        .contains("more than one bpf_spin_lock"));
}

#[test]
fn ownership_may_nest_but_not_loop() {
    let (mut b, long, _, _) = base();
    let lnode = add_struct(&mut b, "bpf_list_node", 24, &[]);
    let head = add_struct(&mut b, "bpf_list_head", 16, &[]);
    // bar is owned by foo's head; foo (a node type) owns bar: one level.
    let bar = add_struct(&mut b, "bar", 32, &[("node", lnode, 0), ("data", long, 24)]);
    let foo = add_struct(&mut b, "foo", 40, &[("node", lnode, 0), ("head", head, 24)]);
    b.push(Type::new(
        "contains:bar:node",
        Kind::DeclTag {
            ty: foo,
            component_idx: 1,
        },
    ));
    assert_eq!(b.kernel_refusal(), None, "{bar}");
    // baz owns foo, which owns bar: two levels, fine.
    let baz = add_struct(&mut b, "baz", 40, &[("node", lnode, 0), ("head", head, 24)]);
    b.push(Type::new(
        "contains:foo:node",
        Kind::DeclTag {
            ty: baz,
            component_idx: 1,
        },
    ));
    assert_eq!(b.kernel_refusal(), None);
    // qux owns itself: a cycle.
    let qux = add_struct(&mut b, "qux", 40, &[("node", lnode, 0), ("head", head, 24)]);
    b.push(Type::new(
        "contains:qux:node",
        Kind::DeclTag {
            ty: qux,
            component_idx: 1,
        },
    ));
    assert!(b.kernel_refusal().unwrap().contains("struct qux"));
}

/// Members at the largest byte offsets, nested, and arrays of huge elements (a malformed
/// object's value types): the walks for spin locks, kptrs and special fields stop at 4 GiB
/// of offset (none found, or an error) instead of overflowing.
#[test]
fn offsets_past_4_gib_are_no_fields() {
    let (mut b, _, node, _) = base();
    let lock = add_struct(&mut b, "bpf_spin_lock", 4, &[]);
    let far = (u32::MAX / 8) & !7;
    let mut inner = add_struct(&mut b, "l0", u32::MAX, &[("lock", lock, far)]);
    let k = kptr(&mut b, node, "kptr");
    let mut kinner = add_struct(&mut b, "k0", u32::MAX, &[("p", k, far)]);
    for level in 1..9 {
        inner = add_struct(
            &mut b,
            &format!("l{level}"),
            u32::MAX,
            &[("in", inner, far)],
        );
        kinner = add_struct(
            &mut b,
            &format!("k{level}"),
            u32::MAX,
            &[("in", kinner, far)],
        );
    }
    assert_eq!(b.spin_lock_offset(inner), None);
    assert!(b.kptr_fields(kinner).is_empty());
    assert!(b.special_fields(inner).is_err());
    // Three elements of 2^31 bytes each holding a lock, and kptrs (the third past 4 GiB).
    let half = add_struct(&mut b, "half", 1 << 31, &[("lock", lock, 0)]);
    let arr = b.push(Type::new(
        "",
        Kind::Array {
            elem: half,
            index: 1,
            nelems: 3,
        },
    ));
    let v = add_struct(&mut b, "v", u32::MAX, &[("a", arr, 0)]);
    assert!(b.special_fields(v).is_err());
    let khalf = add_struct(&mut b, "khalf", 1 << 31, &[("p", k, 0)]);
    let karr = b.push(Type::new(
        "",
        Kind::Array {
            elem: khalf,
            index: 1,
            nelems: 3,
        },
    ));
    assert_eq!(b.kptr_fields(karr).len(), 2);
}

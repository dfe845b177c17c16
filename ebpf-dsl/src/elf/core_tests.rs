//! Tests of the CO-RE relocations ([`super::core_calc`], [`super::core_spec`]) on hand-made
//! BTF: every kind resolved against a target as libbpf resolves it.

use super::core_calc::{patch, resolve, POISON_HELPER};
use crate::btf::{Btf, Kind, Member, Type};
use crate::isa::insn::Insn;

/// A field byte offset relocation (kind 0) of `insn` resolved and applied.
fn relocate(local: &Btf, target: &Btf, root: u32, access: &str, insn: Insn) -> Result<Insn, String> {
    kind(local, target, 0, root, access, insn)
}

/// Relocation `k` of `insn` resolved and applied.
fn kind(local: &Btf, target: &Btf, k: u32, root: u32, access: &str, insn: Insn) -> Result<Insn, String> {
    let res = resolve(local, target, k, root, access)?;
    let mut insns = [insn, Insn::new(0, 0, 0, 0, 0)];
    patch(&mut insns, 0, &res)?;
    Ok(insns[0])
}

fn poisoned(i: Insn) -> bool {
    i.code == 0x85 && i.imm == POISON_HELPER
}


fn int(btf: &mut Btf, name: &str, size: u32) -> u32 {
    btf.add(Type::new(
        name,
        Kind::Int {
            size,
            encoding: 0,
            offset: 0,
            bits: (size * 8) as u8,
        },
    ))
}

fn member(name: &str, ty: u32, byte: u32) -> Member {
    Member {
        name: name.into(),
        ty,
        bit_offset: byte * 8,
        bitfield_size: 0,
    }
}

fn strukt(btf: &mut Btf, name: &str, size: u32, members: Vec<Member>) -> u32 {
    btf.push(Type::new(name, Kind::Struct { size, members }))
}

/// The object's view: `struct nf_conn { unsigned long status; }` and
/// `struct bpf_ct_opts___local { int netns_id; int error; }`.
fn local() -> (Btf, u32, u32) {
    let mut b = Btf::new();
    let ul = int(&mut b, "unsigned long", 8);
    let i = int(&mut b, "int", 4);
    let conn = strukt(&mut b, "nf_conn", 8, vec![member("status", ul, 0)]);
    let opts = strukt(
        &mut b,
        "bpf_ct_opts___local",
        8,
        vec![member("netns_id", i, 0), member("error", i, 4)],
    );
    (b, conn, opts)
}

/// The kernel's: status at 128, an `nf_conn___init` wrapping it, the options, and a
/// structure whose field sits in an anonymous union.
fn target() -> Btf {
    let mut b = Btf::new();
    let ul = int(&mut b, "long unsigned int", 8);
    let i = int(&mut b, "int", 4);
    let conn = strukt(
        &mut b,
        "nf_conn",
        248,
        vec![member("timeout", i, 8), member("status", ul, 128)],
    );
    strukt(&mut b, "nf_conn___init", 248, vec![member("ct", conn, 0)]);
    strukt(
        &mut b,
        "bpf_ct_opts",
        16,
        vec![member("netns_id", i, 0), member("error", i, 4)],
    );
    let anon = b.push(Type::new(
        "",
        Kind::Union {
            size: 4,
            members: vec![member("a", i, 0), member("inner", i, 0)],
        },
    ));
    strukt(
        &mut b,
        "outer",
        16,
        vec![member("x", i, 0), member("", anon, 12)],
    );
    b
}

#[test]
fn field_offsets_follow_the_target_layout() {
    let (l, conn, opts) = local();
    let t = target();
    // r9 = *(u64 *)(r0 + 0): status moves to 128.
    let ld = Insn::new(0x79, 9, 0, 0, 0);
    assert_eq!(relocate(&l, &t, conn, "0:0", ld).unwrap().off, 128);
    // A flavoured local name matches the kernel's (`___local` stripped).
    let ld4 = Insn::new(0x61, 1, 10, 4, 0);
    assert_eq!(relocate(&l, &t, opts, "0:1", ld4).unwrap().off, 4);
    // `r1 += offset` gets the immediate.
    let add = Insn::new(0x07, 1, 0, 0, 0);
    assert_eq!(relocate(&l, &t, conn, "0:0", add).unwrap().imm, 128);
}

#[test]
fn a_field_found_through_an_anonymous_union() {
    let mut l = Btf::new();
    let i = int(&mut l, "int", 4);
    let outer = strukt(&mut l, "outer", 8, vec![member("inner", i, 4)]);
    let ld = Insn::new(0x61, 1, 2, 4, 0);
    assert_eq!(relocate(&l, &target(), outer, "0:0", ld).unwrap().off, 12);
}

#[test]
fn a_byte_of_an_array_field_of_the_same_size_is_relocated() {
    // `struct tuple { int proto; unsigned char addr[16]; }` here; in the target the
    // address moves to offset 8 and keeps its 16 bytes.
    let arr = |b: &mut Btf| {
        let u8t = int(b, "unsigned char", 1);
        let idx = int(b, "int", 4);
        b.push(Type::new(
            "",
            Kind::Array {
                elem: u8t,
                index: idx,
                nelems: 16,
            },
        ))
    };
    let mut l = Btf::new();
    let i = int(&mut l, "int", 4);
    let a = arr(&mut l);
    let tuple = strukt(
        &mut l,
        "tuple",
        20,
        vec![member("proto", i, 0), member("addr", a, 4)],
    );
    let mut t = Btf::new();
    let i = int(&mut t, "int", 4);
    let a = arr(&mut t);
    strukt(
        &mut t,
        "tuple",
        24,
        vec![member("proto", i, 0), member("addr", a, 8)],
    );
    // r1 = *(u8 *)(r2 + 4): the first byte of `addr`, at 8 in the target.
    let ld1 = Insn::new(0x71, 1, 2, 4, 0);
    assert_eq!(relocate(&l, &t, tuple, "0:1", ld1).unwrap().off, 8);
    // A 4-byte load of its first word too.
    let ld4 = Insn::new(0x61, 1, 2, 4, 0);
    assert_eq!(relocate(&l, &t, tuple, "0:1", ld4).unwrap().off, 8);
    // An array of another size in the target: libbpf compares element sizes (1 and 1), so
    // the byte load is only moved.
    let mut t2 = Btf::new();
    let i = int(&mut t2, "int", 4);
    let u8t = int(&mut t2, "unsigned char", 1);
    let a = t2.push(Type::new(
        "",
        Kind::Array {
            elem: u8t,
            index: i,
            nelems: 4,
        },
    ));
    strukt(
        &mut t2,
        "tuple",
        8,
        vec![member("proto", i, 0), member("addr", a, 4)],
    );
    assert_eq!(relocate(&l, &t2, tuple, "0:1", ld1).unwrap(), Insn::new(0x71, 1, 2, 4, 0));
}

#[test]
fn what_libbpf_refuses_is_an_error_and_what_it_poisons_is_poisoned() {
    let (l, conn, _) = local();
    let t = target();
    // The instruction must hold the local offset.
    let e = relocate(&l, &t, conn, "0:0", Insn::new(0x79, 9, 0, 8, 0)).unwrap_err();
    assert!(e.contains("not the field's local offset"), "{e}");
    // A 4-byte load of an 8-byte field: the sizes (8, 8) agree, libbpf moves it.
    let r = relocate(&l, &t, conn, "0:0", Insn::new(0x61, 9, 0, 0, 0)).unwrap();
    assert_eq!(r, Insn::new(0x61, 9, 0, 128, 0));
    // No such field in the target: poisoned (the verifier rejects it only if reached).
    let mut l2 = Btf::new();
    let i = int(&mut l2, "int", 4);
    let s = strukt(&mut l2, "nf_conn", 4, vec![member("nope", i, 0)]);
    assert!(poisoned(relocate(&l2, &t, s, "0:0", Insn::new(0x61, 1, 2, 0, 0)).unwrap()));
    // Two target flavours that disagree.
    let mut t2 = target();
    let ul = int(&mut t2, "long unsigned int", 8);
    strukt(&mut t2, "nf_conn___v2", 8, vec![member("status", ul, 0)]);
    let e = relocate(&l, &t2, conn, "0:0", Insn::new(0x79, 9, 0, 0, 0)).unwrap_err();
    assert!(e.contains("different offsets"), "{e}");
    // A bitfield here, a plain 8-byte field in the target: the access cannot be resized
    // (libbpf's failed memory size adjustment), poisoned.
    let mut l3 = Btf::new();
    let i = int(&mut l3, "int", 4);
    let s = strukt(
        &mut l3,
        "nf_conn",
        4,
        vec![Member {
            name: "status".into(),
            ty: i,
            bit_offset: 0,
            bitfield_size: 3,
        }],
    );
    assert!(poisoned(relocate(&l3, &t, s, "0:0", Insn::new(0x61, 1, 2, 0, 0)).unwrap()));
}

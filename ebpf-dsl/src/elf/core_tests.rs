//! Tests of the CO-RE relocations ([`super::core_calc`], [`super::core_spec`]) on hand-made
//! BTF: every kind resolved against a target as libbpf resolves it.

use super::core_calc::{patch, resolve, POISON_HELPER};
use crate::btf::{Btf, Kind, Member, Type};
use crate::isa::insn::Insn;

/// A field byte offset relocation (kind 0) of `insn` resolved and applied.
fn relocate(
    local: &Btf,
    target: &Btf,
    root: u32,
    access: &str,
    insn: Insn,
) -> Result<Insn, String> {
    kind(local, target, 0, root, access, insn)
}

/// Relocation `k` of `insn` resolved and applied.
fn kind(
    local: &Btf,
    target: &Btf,
    k: u32,
    root: u32,
    access: &str,
    insn: Insn,
) -> Result<Insn, String> {
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

fn strukt(btf: &mut Btf, name: &str, size: u32, members: Vec<Member>) -> u32 {
    btf.push(Type::new(name, Kind::Struct { size, members }))
}

/// The object's view: `struct nf_conn { unsigned long status; }` and
/// `struct bpf_ct_opts___local { int netns_id; int error; }`.
fn local() -> (Btf, u32, u32) {
    let mut b = Btf::new();
    let ul = int(&mut b, "unsigned long", 8);
    let i = int(&mut b, "int", 4);
    let conn = strukt(&mut b, "nf_conn", 8, vec![Member::at("status", ul, 0)]);
    let opts = strukt(
        &mut b,
        "bpf_ct_opts___local",
        8,
        vec![Member::at("netns_id", i, 0), Member::at("error", i, 4)],
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
        vec![Member::at("timeout", i, 8), Member::at("status", ul, 128)],
    );
    strukt(
        &mut b,
        "nf_conn___init",
        248,
        vec![Member::at("ct", conn, 0)],
    );
    strukt(
        &mut b,
        "bpf_ct_opts",
        16,
        vec![Member::at("netns_id", i, 0), Member::at("error", i, 4)],
    );
    let anon = b.push(Type::new(
        "",
        Kind::Union {
            size: 4,
            members: vec![Member::at("a", i, 0), Member::at("inner", i, 0)],
        },
    ));
    strukt(
        &mut b,
        "outer",
        16,
        vec![Member::at("x", i, 0), Member::at("", anon, 12)],
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
    let outer = strukt(&mut l, "outer", 8, vec![Member::at("inner", i, 4)]);
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
        vec![Member::at("proto", i, 0), Member::at("addr", a, 4)],
    );
    let mut t = Btf::new();
    let i = int(&mut t, "int", 4);
    let a = arr(&mut t);
    strukt(
        &mut t,
        "tuple",
        24,
        vec![Member::at("proto", i, 0), Member::at("addr", a, 8)],
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
        vec![Member::at("proto", i, 0), Member::at("addr", a, 4)],
    );
    assert_eq!(
        relocate(&l, &t2, tuple, "0:1", ld1).unwrap(),
        Insn::new(0x71, 1, 2, 4, 0)
    );
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
    let s = strukt(&mut l2, "nf_conn", 4, vec![Member::at("nope", i, 0)]);
    assert!(poisoned(
        relocate(&l2, &t, s, "0:0", Insn::new(0x61, 1, 2, 0, 0)).unwrap()
    ));
    // Two target flavours that disagree.
    let mut t2 = target();
    let ul = int(&mut t2, "long unsigned int", 8);
    strukt(
        &mut t2,
        "nf_conn___v2",
        8,
        vec![Member::at("status", ul, 0)],
    );
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
    assert!(poisoned(
        relocate(&l3, &t, s, "0:0", Insn::new(0x61, 1, 2, 0, 0)).unwrap()
    ));
}

/// A bitfield member: `bits` wide at bit `bit`.
fn bits(name: &str, ty: u32, bit: u32, bits: u8) -> Member {
    Member {
        name: name.into(),
        ty,
        bit_offset: bit,
        bitfield_size: bits,
    }
}

/// `struct tcphdr` with its flag bitfields (u16 `res1:4, doff:4, fin:1, syn:1, rst:1, psh:1,
/// ack:1`) at bit `flags` (32 here, 96 in the kernel's, after `seq` and `ack_seq`) and a
/// signed `int s:3` after them.
fn tcphdr(flags: u32) -> (Btf, u32) {
    let mut b = Btf::new();
    let u16t = int(&mut b, "__u16", 2);
    let i = b.push(Type::new(
        "int",
        Kind::Int {
            size: 4,
            encoding: crate::btf::INT_SIGNED,
            offset: 0,
            bits: 32,
        },
    ));
    let mut ms = vec![Member::at("source", u16t, 0), Member::at("dest", u16t, 2)];
    if flags == 96 {
        ms.push(Member::at("seq", i, 4));
        ms.push(Member::at("ack_seq", i, 8));
    }
    for (n, (name, w)) in [
        ("res1", 4),
        ("doff", 4),
        ("fin", 1),
        ("syn", 1),
        ("rst", 1),
        ("psh", 1),
        ("ack", 1),
    ]
    .into_iter()
    .enumerate()
    {
        let at = flags + [0, 4, 8, 9, 10, 11, 12][n];
        ms.push(bits(name, u16t, at, w));
    }
    ms.push(bits("s", i, flags + 16, 3));
    let size = flags / 8 + 4;
    let t = strukt(&mut b, "tcphdr", size, ms);
    (b, t)
}

#[test]
fn bitfields_are_read_as_libbpf_relocates_them() {
    let (l, root) = tcphdr(32);
    let (t, _) = tcphdr(96);
    // `ack` is member 8 here (after source, dest, res1..psh).
    let ack = "0:8";
    let alu = |imm| Insn::new(0x07, 1, 0, 0, imm);
    let mov = |imm| Insn::new(0xb7, 2, 0, 0, imm);
    // Byte offset of the u16 holding it: 4 here, 12 in the target (not validated).
    assert_eq!(kind(&l, &t, 0, root, ack, alu(4)).unwrap().imm, 12);
    // The u16 load of the netobserv flows object (`r3 = *(u16 *)(r1 + 0xc)`): moved.
    let ld = Insn::new(0x69, 3, 1, 4, 0);
    assert_eq!(kind(&l, &t, 0, root, ack, ld).unwrap().off, 12);
    // Its size, 2; the left shift 64 - (108 + 1 - 96) = 51; the right shift 63; unsigned.
    assert_eq!(kind(&l, &t, 1, root, ack, mov(2)).unwrap().imm, 2);
    assert_eq!(kind(&l, &t, 4, root, ack, mov(51)).unwrap().imm, 51);
    assert_eq!(kind(&l, &t, 5, root, ack, mov(63)).unwrap().imm, 63);
    assert_eq!(kind(&l, &t, 3, root, ack, mov(0)).unwrap().imm, 0);
    // The right shift and signedness are validated against the local values.
    let e = kind(&l, &t, 5, root, ack, mov(60)).unwrap_err();
    assert!(e.contains("not the local value 63"), "{e}");
    // The signed `s:3` (member 9): signed, shifted right by 61; a 4-byte unit at 12 in the
    // target (bits 112..115 in the int at 12).
    assert_eq!(kind(&l, &t, 3, root, "0:9", mov(1)).unwrap().imm, 1);
    assert_eq!(kind(&l, &t, 5, root, "0:9", mov(61)).unwrap().imm, 61);
    assert_eq!(kind(&l, &t, 0, root, "0:9", alu(4)).unwrap().imm, 12);
    assert_eq!(
        kind(&l, &t, 4, root, "0:9", mov(0)).unwrap().imm,
        64 - (112 + 3 - 96)
    );
}

#[test]
fn existence_size_and_type_ids_follow_the_target() {
    let (l, root) = tcphdr(32);
    let (t, troot) = tcphdr(96);
    let mov = |imm| Insn::new(0xb7, 1, 0, 0, imm);
    // FIELD_EXISTS: 1 for `ack`; a field the target lacks is 0 (the instruction holds 1).
    assert_eq!(kind(&l, &t, 2, root, "0:8", mov(1)).unwrap().imm, 1);
    let mut l2 = l.clone();
    let u16t = int(&mut l2, "__u16", 2);
    let r2 = strukt(&mut l2, "tcphdr", 2, vec![Member::at("window", u16t, 0)]);
    assert_eq!(kind(&l2, &t, 2, r2, "0:0", mov(1)).unwrap().imm, 0);
    // TYPE_EXISTS, TYPE_SIZE (8 here, 16 in the target), TYPE_ID_TARGET as an ld_imm64.
    assert_eq!(kind(&l, &t, 8, root, "0", mov(1)).unwrap().imm, 1);
    assert_eq!(kind(&l, &t, 9, root, "0", mov(8)).unwrap().imm, 16);
    let ld = Insn::new(0x18, 1, 0, 0, 99);
    assert_eq!(kind(&l, &t, 7, root, "0", ld).unwrap().imm, troot as i32);
    // A type the target lacks: does not exist, size 0.
    let mut l3 = Btf::new();
    let i = int(&mut l3, "int", 4);
    let gone = strukt(&mut l3, "gone", 4, vec![Member::at("x", i, 0)]);
    assert_eq!(kind(&l3, &t, 8, gone, "0", mov(1)).unwrap().imm, 0);
    assert_eq!(kind(&l3, &t, 9, gone, "0", mov(4)).unwrap().imm, 0);
    // TYPE_MATCHES: the local members by name with matching types; `source` as a signed int
    // of 2 bytes does not match the target's unsigned one.
    assert_eq!(kind(&l, &t, 12, root, "0", mov(1)).unwrap().imm, 1);
    let mut l4 = Btf::new();
    let s16 = l4.push(Type::new(
        "short",
        Kind::Int {
            size: 2,
            encoding: crate::btf::INT_SIGNED,
            offset: 0,
            bits: 16,
        },
    ));
    let r4 = strukt(&mut l4, "tcphdr", 2, vec![Member::at("source", s16, 0)]);
    assert_eq!(kind(&l4, &t, 12, r4, "0", mov(1)).unwrap().imm, 0);
}

fn color(btf: &mut Btf, values: &[(&str, u64)]) -> u32 {
    btf.push(Type::new(
        "color",
        Kind::Enum {
            size: 4,
            signed: false,
            values: values
                .iter()
                .map(|(n, v)| crate::btf::Enumerator {
                    name: n.to_string(),
                    value: *v,
                })
                .collect(),
        },
    ))
}

#[test]
fn enum_values_and_a_poisoned_ld_imm64() {
    let mut l = Btf::new();
    let root = color(&mut l, &[("RED", 0), ("GREEN", 1), ("BLUE", 2)]);
    let mut t = Btf::new();
    color(&mut t, &[("BLUE", 7), ("RED", 9)]);
    let mov = |imm| Insn::new(0xb7, 1, 0, 0, imm);
    // ENUMVAL_EXISTS: BLUE (index 2) is there, GREEN (1) is not.
    assert_eq!(kind(&l, &t, 10, root, "2", mov(1)).unwrap().imm, 1);
    assert_eq!(kind(&l, &t, 10, root, "1", mov(1)).unwrap().imm, 0);
    // ENUMVAL_VALUE: the target's value, in an ld_imm64's two halves.
    let res = resolve(&l, &t, 11, root, "2").unwrap();
    let mut ld = [Insn::new(0x18, 1, 0, 0, 2), Insn::new(0, 0, 0, 0, 0)];
    patch(&mut ld, 0, &res).unwrap();
    assert_eq!((ld[0].imm, ld[1].imm), (7, 0));
    // The value of a missing enumerator: both slots poisoned.
    let res = resolve(&l, &t, 11, root, "1").unwrap();
    let mut ld = [Insn::new(0x18, 1, 0, 0, 1), Insn::new(0, 0, 0, 0, 0)];
    patch(&mut ld, 0, &res).unwrap();
    assert!(poisoned(ld[0]) && poisoned(ld[1]), "{ld:?}");
    // The local value must be in the instruction.
    let e = kind(&l, &t, 11, root, "2", mov(5)).unwrap_err();
    assert!(e.contains("not the local value 2"), "{e}");
}

/// Offsets and sizes at the ends of their ranges, as a mutated object gives them (found by
/// tests/fuzz_elf.rs' review): a clear error or libbpf's wrapped value, never an overflow.
#[test]
fn extreme_offsets_and_sizes_do_not_overflow() {
    let mut b = Btf::new();
    let ch = int(&mut b, "char", 1);
    let u16t = int(&mut b, "__u16", 2);
    let big = b.push(Type::new(
        "",
        Kind::Array {
            elem: ch,
            index: ch,
            nelems: 1 << 30,
        },
    ));
    // A non-bitfield member of 1 GiB (its size in bits passes 32 bits) and a bitfield whose
    // bit offset is near 2^32.
    let s = strukt(
        &mut b,
        "s",
        u32::MAX,
        vec![
            Member::at("big", big, 0),
            bits("far", u16t, u32::MAX - 8, 15),
        ],
    );
    let mov = Insn::new(0xb7, 2, 0, 0, 0);
    for k in [0, 1, 4, 5] {
        let _ = kind(&b, &b, k, s, "0:0", mov);
        let _ = kind(&b, &b, k, s, "0:1", mov);
    }
    // An index times the root's size beyond 64 bits: refused.
    let e = kind(&b, &b, 0, s, "2147483647:0", mov).unwrap_err();
    assert!(e.contains("beyond 32 bits"), "{e}");
}

//! CO-RE field byte offsets (`BPF_CORE_FIELD_BYTE_OFFSET`, what `ptr->field` through a
//! `preserve_access_index` type compiles to) resolved against a target kernel's BTF, the way
//! libbpf's `bpf_core_calc_relo_insn` does for this kind:
//!
//! * the local access string (`0:1:2`) walks the object's type from its root: the first index
//!   is an array index of the root pointer, the others member indices (anonymous members are
//!   walked but not matched by name) or array indices;
//! * the candidates are the target's types of the same kind whose *essential* name (without a
//!   `___flavor` suffix) is the local one's; on each, the named members are found by name
//!   (through anonymous structures and unions), the array indices must be in bounds, and the
//!   fields must be compatible (`bpf_core_fields_are_compat`: composites, pointers, integers,
//!   enums of the same name, arrays of compatible elements);
//! * every candidate that matches must give the same offset;
//! * the instruction (a load or store, whose `off` is the field's offset, or an ALU immediate)
//!   must hold the local offset, and becomes the target's; a load or store must also have the
//!   field's size in the target, or read the first bytes of a structure, union or array field
//!   of the same size in both (libbpf would resize some other accesses; this reader refuses
//!   them).
//!
//! Bitfields and the other relocation kinds stay refused ([`super::core_relo`]).

use crate::btf::{Btf, Kind, Member};
use crate::isa::insn::Insn;

/// The type `id` of `btf` without modifiers and typedefs (its id and the type).
fn skip(btf: &Btf, mut id: u32) -> Option<(u32, &Kind)> {
    for _ in 0..64 {
        let t = btf.get(id)?;
        match &t.kind {
            Kind::Typedef(n)
            | Kind::Const(n)
            | Kind::Volatile(n)
            | Kind::Restrict(n)
            | Kind::TypeTag(n) => id = *n,
            k => return Some((id, k)),
        }
    }
    None
}

/// `name` without a `___flavor` suffix (libbpf's `bpf_core_essential_name_len`).
fn essential(name: &str) -> &str {
    match name.rfind("___") {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    }
}

fn members(k: &Kind) -> Option<&[Member]> {
    match k {
        Kind::Struct { members, .. } | Kind::Union { members, .. } => Some(members),
        _ => None,
    }
}

/// One step of a local access path: a named member or an array index.
enum Step {
    Field(String, u32),
    Index(u32),
}

/// `bpf_core_fields_are_compat`.
fn fields_compat(local: &Btf, l: u32, target: &Btf, t: u32, depth: u32) -> bool {
    let (Some((_, lk)), Some((_, tk))) = (skip(local, l), skip(target, t)) else {
        return false;
    };
    if depth > 32 {
        return false;
    }
    match (lk, tk) {
        (Kind::Struct { .. } | Kind::Union { .. }, Kind::Struct { .. } | Kind::Union { .. }) => {
            true
        }
        (Kind::Ptr(_), Kind::Ptr(_)) | (Kind::Float { .. }, Kind::Float { .. }) => true,
        (Kind::Int { offset: a, .. }, Kind::Int { offset: b, .. }) => *a == 0 && *b == 0,
        (Kind::Enum { .. } | Kind::Enum64 { .. }, Kind::Enum { .. } | Kind::Enum64 { .. }) => {
            let ln = local.get(l).map(|x| x.name.as_str()).unwrap_or("");
            let tn = target.get(t).map(|x| x.name.as_str()).unwrap_or("");
            essential(ln) == essential(tn)
        }
        (Kind::Array { elem: a, .. }, Kind::Array { elem: b, .. }) => {
            fields_compat(local, *a, target, *b, depth + 1)
        }
        _ => false,
    }
}

/// The member `name` of composite `id` of the target, searched through anonymous members:
/// (its type, its byte offset from `id`'s start), or `None`; an error for a bitfield.
fn find_member(
    target: &Btf,
    id: u32,
    name: &str,
    depth: u32,
) -> Result<Option<(u32, u32)>, String> {
    let Some((_, k)) = skip(target, id) else {
        return Ok(None);
    };
    let Some(ms) = members(k) else {
        return Ok(None);
    };
    if depth > 32 {
        return Ok(None);
    }
    for m in ms {
        if m.name.is_empty() {
            if let Some((ty, off)) = find_member(target, m.ty, name, depth + 1)? {
                return Ok(Some((ty, off + m.bit_offset / 8)));
            }
        } else if m.name == name {
            if m.bitfield_size != 0 || m.bit_offset % 8 != 0 {
                return Err(format!("field `{name}` is a bitfield in the target"));
            }
            return Ok(Some((m.ty, m.bit_offset / 8)));
        }
    }
    Ok(None)
}

/// The local walk: the root's essential name and kind, the steps, the field's local offset
/// and type.
fn local_spec(
    local: &Btf,
    root: u32,
    access: &str,
) -> Result<(String, bool, Vec<Step>, u32, u32), String> {
    let idx: Vec<u32> = access
        .split(':')
        .map(|s| {
            s.parse()
                .map_err(|_| format!("bad access string `{access}`"))
        })
        .collect::<Result<_, _>>()?;
    let (root_id, rk) = skip(local, root).ok_or("a broken root type")?;
    let union = match rk {
        Kind::Struct { .. } => false,
        Kind::Union { .. } => true,
        _ => return Err("the root type is no struct or union".into()),
    };
    let name = local
        .get(root_id)
        .map(|t| t.name.clone())
        .unwrap_or_default();
    if name.is_empty() {
        return Err("an anonymous root type".into());
    }
    let size = local.size_of(root_id).ok_or("a root type without size")?;
    let mut off = idx[0].checked_mul(size).ok_or("an offset beyond 32 bits")?;
    let mut steps = vec![Step::Index(idx[0])];
    let mut cur = root_id;
    for &i in &idx[1..] {
        let (id, k) = skip(local, cur).ok_or("a broken type")?;
        match k {
            Kind::Struct { members, .. } | Kind::Union { members, .. } => {
                let m = members
                    .get(i as usize)
                    .ok_or("a member index out of range")?;
                if m.bitfield_size != 0 || m.bit_offset % 8 != 0 {
                    return Err(format!("field `{}` is a bitfield", m.name));
                }
                off += m.bit_offset / 8;
                if !m.name.is_empty() {
                    steps.push(Step::Field(m.name.clone(), m.ty));
                }
                cur = m.ty;
            }
            Kind::Array { elem, .. } => {
                let es = local.size_of(*elem).ok_or("an element without size")?;
                off += i * es;
                steps.push(Step::Index(i));
                cur = *elem;
            }
            _ => {
                return Err(format!(
                    "access `{access}` goes through type {id}, no struct, union or array"
                ))
            }
        }
    }
    Ok((essential(&name).to_string(), union, steps, off, cur))
}

/// The field's offset in target candidate `cand`, if the steps match it.
fn match_candidate(
    local: &Btf,
    target: &Btf,
    cand: u32,
    steps: &[Step],
) -> Result<Option<(u32, u32)>, String> {
    let size = target.size_of(cand).ok_or("a target type without size")?;
    let Some(Step::Index(first)) = steps.first() else {
        return Ok(None);
    };
    let mut off = first * size;
    let mut cur = cand;
    for s in &steps[1..] {
        match s {
            Step::Field(name, lty) => {
                let Some((ty, o)) = find_member(target, cur, name, 0)? else {
                    return Ok(None);
                };
                if !fields_compat(local, *lty, target, ty, 0) {
                    return Ok(None);
                }
                off += o;
                cur = ty;
            }
            Step::Index(i) => {
                let Some((_, Kind::Array { elem, nelems, .. })) = skip(target, cur) else {
                    return Ok(None);
                };
                if *i >= *nelems && *nelems != 0 {
                    return Ok(None);
                }
                off += i * target.size_of(*elem).ok_or("an element without size")?;
                cur = *elem;
            }
        }
    }
    Ok(Some((off, cur)))
}

/// Resolves one field byte offset relocation of `insn` (root type `root` of `local`, access
/// `access`) against `target`: the instruction with the target's offset.
pub(super) fn relocate(
    local: &Btf,
    target: &Btf,
    root: u32,
    access: &str,
    insn: Insn,
) -> Result<Insn, String> {
    let (name, union, steps, local_off, local_ty) = local_spec(local, root, access)?;
    let mut found: Option<(u32, u32)> = None;
    for (i, t) in target.types.iter().enumerate() {
        let kind_ok = matches!(
            (&t.kind, union),
            (Kind::Struct { .. }, false) | (Kind::Union { .. }, true)
        );
        if !kind_ok || essential(&t.name) != name {
            continue;
        }
        if let Some(r) = match_candidate(local, target, i as u32 + 1, &steps)? {
            if found.is_some_and(|f| f.0 != r.0) {
                return Err(format!(
                    "the target kernel's types named `{name}` give the field different offsets"
                ));
            }
            found = Some(r);
        }
    }
    let Some((target_off, target_ty)) = found else {
        return Err(format!(
            "the target kernel has no `{name}` with the field of access `{access}`"
        ));
    };
    let class = insn.code & 7;
    let mut out = insn;
    match class {
        // LDX, ST, STX: the offset field.
        1..=3 => {
            if i64::from(insn.off) != i64::from(local_off) {
                return Err(format!(
                    "the instruction's offset {} is not the field's local offset {local_off}",
                    insn.off
                ));
            }
            let n = match insn.code >> 3 & 3 {
                0 => 4,
                1 => 2,
                2 => 1,
                _ => 8,
            };
            let local_size = local.size_of(local_ty);
            let target_size = target.size_of(target_ty);
            // A load or store of the field's size; or the first `n` bytes of a structure,
            // union or array field of the same size in both (a byte of an address array, the
            // first word of an `in6_addr`), whose offset is all libbpf patches
            // (`bpf_core_patch_insn` resizes an access only when the sizes differ).
            let composite = matches!(
                skip(local, local_ty),
                Some((
                    _,
                    Kind::Struct { .. } | Kind::Union { .. } | Kind::Array { .. }
                ))
            );
            let same = local_size == Some(n) && target_size == Some(n);
            let within =
                composite && local_size.is_some_and(|s| n <= s) && local_size == target_size;
            if !same && !within {
                return Err(format!(
                    "a {n}-byte access to a field of {} bytes here and {} bytes in the target (libbpf would resize the access; this reader does not)",
                    local_size.unwrap_or(0),
                    target_size.unwrap_or(0)
                ));
            }
            out.off = i16::try_from(target_off).map_err(|_| {
                format!("the target offset {target_off} does not fit an instruction")
            })?;
        }
        // ALU with an immediate (`r1 += offset`, `r1 = offset`).
        4 | 7 if insn.code & 0x08 == 0 => {
            if i64::from(insn.imm) != i64::from(local_off) {
                return Err(format!(
                    "the instruction's immediate {} is not the field's local offset {local_off}",
                    insn.imm
                ));
            }
            out.imm = target_off as i32;
        }
        _ => {
            return Err(
                "a field offset relocation on an instruction libbpf does not patch this way".into(),
            )
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::btf::Type;

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
        // An array of another size in the target: refused (libbpf would have to resize).
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
        let e = relocate(&l, &t2, tuple, "0:1", ld1).unwrap_err();
        assert!(e.contains("16 bytes here and 4 bytes in the target"), "{e}");
    }

    #[test]
    fn what_cannot_be_resolved_is_an_error() {
        let (l, conn, _) = local();
        let t = target();
        // The instruction must hold the local offset.
        let e = relocate(&l, &t, conn, "0:0", Insn::new(0x79, 9, 0, 8, 0)).unwrap_err();
        assert!(e.contains("not the field's local offset"), "{e}");
        // A 4-byte load of an 8-byte field.
        let e = relocate(&l, &t, conn, "0:0", Insn::new(0x61, 9, 0, 0, 0)).unwrap_err();
        assert!(e.contains("4-byte access"), "{e}");
        // No such field in the target.
        let mut l2 = Btf::new();
        let i = int(&mut l2, "int", 4);
        let s = strukt(&mut l2, "nf_conn", 4, vec![member("nope", i, 0)]);
        let e = relocate(&l2, &t, s, "0:0", Insn::new(0x61, 1, 2, 0, 0)).unwrap_err();
        assert!(e.contains("has no `nf_conn`"), "{e}");
        // Two target flavours that disagree.
        let mut t2 = target();
        let ul = int(&mut t2, "long unsigned int", 8);
        strukt(&mut t2, "nf_conn___v2", 8, vec![member("status", ul, 0)]);
        let e = relocate(&l, &t2, conn, "0:0", Insn::new(0x79, 9, 0, 0, 0)).unwrap_err();
        assert!(e.contains("different offsets"), "{e}");
        // A bitfield.
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
        let e = relocate(&l3, &t, s, "0:0", Insn::new(0x61, 1, 2, 0, 0)).unwrap_err();
        assert!(e.contains("bitfield"), "{e}");
    }
}

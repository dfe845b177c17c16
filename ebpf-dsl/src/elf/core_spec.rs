//! CO-RE access specifications, as libbpf's `relo_core.c` builds and matches them: the local
//! one parsed from a relocation's access string (`bpf_core_parse_spec`), a target candidate's
//! found by name (`bpf_core_spec_match`: members by name through anonymous structures and
//! unions, array indices in bounds, fields compatible), and the type relations the type-based
//! relocations ask for (`bpf_core_types_are_compat`, `bpf_core_types_match`).
//!
//! Errors (`Err`) are what libbpf reports as a failed relocation, which fails the load; `Ok(None)`
//! from [`spec_match`] is a candidate that does not match.

use crate::btf::{Btf, Kind, Member, Types};

/// `BPF_CORE_SPEC_MAX_LEN`.
const SPEC_MAX_LEN: usize = 64;

/// The class of a relocation kind (`core_relo_is_*_based`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    /// FIELD_BYTE_OFFSET (0) to FIELD_RSHIFT_U64 (5).
    Field,
    /// TYPE_ID_LOCAL (6) to TYPE_SIZE (9), TYPE_MATCHES (12).
    Type,
    /// ENUMVAL_EXISTS (10), ENUMVAL_VALUE (11).
    Enumval,
}

/// The class of relocation `kind`, `None` for a kind libbpf does not know.
pub(super) fn class(kind: u32) -> Option<Class> {
    match kind {
        0..=5 => Some(Class::Field),
        6..=9 | 12 => Some(Class::Type),
        10 | 11 => Some(Class::Enumval),
        _ => None,
    }
}

/// One high-level accessor: a named member (`name`), an array index or the root's index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Acc {
    /// The composite (member) or element type (index) it is in.
    pub ty: u32,
    /// The member or array index.
    pub idx: u32,
    /// The member's (or enumerator's) name; `None` for an array index.
    pub name: Option<String>,
}

/// A parsed or matched access specification (`struct bpf_core_spec`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Spec {
    /// The root type id.
    pub root: u32,
    /// The high-level accessors.
    pub acc: Vec<Acc>,
    /// The low-level indices.
    pub raw: Vec<u32>,
    /// The field's bit offset from the root.
    pub bit_offset: u32,
}

/// `skip_mods_and_typedefs`: the id and type under modifiers and typedefs.
pub(super) fn skip(btf: &Btf, id: u32) -> Option<(u32, &Kind)> {
    let id = btf.skip_mods(id)?;
    Some((id, &btf.get(id)?.kind))
}

/// The name of type `id` (empty for anonymous or `void`).
pub(super) fn name_of(btf: &Btf, id: u32) -> &str {
    btf.get(id).map_or("", |t| t.name.as_str())
}

/// `bpf_core_essential_name_len`: `name` without its `___flavor` suffix (the last `X___Y` with
/// `X` and `Y` not underscores).
pub(super) fn essential(name: &str) -> &str {
    let b = name.as_bytes();
    let n = b.len();
    if n >= 5 {
        for i in (0..=n - 5).rev() {
            if b[i] != b'_' && &b[i + 1..i + 4] == b"___" && b[i + 4] != b'_' {
                return &name[..i + 1];
            }
        }
    }
    name
}

/// `btf_kind_core_compat`: the same kind, or two enums.
pub(super) fn kind_compat(a: &Kind, b: &Kind) -> bool {
    let any_enum = |k: &Kind| matches!(k, Kind::Enum { .. } | Kind::Enum64 { .. });
    a.number() == b.number() || (any_enum(a) && any_enum(b))
}

fn members(k: &Kind) -> Option<&[Member]> {
    match k {
        Kind::Struct { members, .. } | Kind::Union { members, .. } => Some(members),
        _ => None,
    }
}

fn is_composite(k: &Kind) -> bool {
    members(k).is_some()
}

/// `btf__resolve_size`, as an error for libbpf's `-EINVAL`.
fn size(btf: &Btf, id: u32) -> Result<u32, String> {
    btf.size_of(id)
        .ok_or_else(|| format!("type [{id}] has no size"))
}

/// `is_flex_arr`: an array of 0 elements that is the last member of the accessor's struct.
fn is_flex(btf: &Btf, prev: Option<&Acc>, nelems: u32) -> bool {
    let Some(a) = prev.filter(|a| a.name.is_some() && nelems == 0) else {
        return false;
    };
    btf.get(a.ty)
        .and_then(|t| members(&t.kind))
        .is_some_and(|m| a.idx as usize + 1 == m.len())
}

/// `bpf_core_parse_spec`: the local specification of a relocation of `kind` on root type
/// `root` with access string `access`.
pub(super) fn parse(btf: &Btf, root: u32, kind: u32, access: &str) -> Result<Spec, String> {
    let bad = || format!("bad access string `{access}`");
    if access.is_empty() || access.starts_with(':') {
        return Err(bad());
    }
    let mut spec = Spec {
        root,
        ..Spec::default()
    };
    let class = class(kind).ok_or_else(|| format!("unknown relocation kind {kind}"))?;
    if class == Class::Type {
        return if access == "0" { Ok(spec) } else { Err(bad()) };
    }
    for s in access.split(':') {
        let v: u32 = s.parse().map_err(|_| bad())?;
        if v > i32::MAX as u32 || spec.raw.len() == SPEC_MAX_LEN {
            return Err(bad());
        }
        spec.raw.push(v);
    }
    let (mut id, t) = skip(btf, root).ok_or("a broken root type")?;
    let first = spec.raw[0];
    if class == Class::Enumval {
        let values = match t {
            Kind::Enum { values, .. } | Kind::Enum64 { values, .. } => values,
            _ => return Err("an enum value relocation on a type that is no enum".into()),
        };
        let e = values
            .get(first as usize)
            .filter(|_| spec.raw.len() == 1)
            .ok_or_else(bad)?;
        spec.acc.push(Acc {
            ty: id,
            idx: first,
            name: Some(e.name.clone()),
        });
        return Ok(spec);
    }
    spec.acc.push(Acc {
        ty: id,
        idx: first,
        name: None,
    });
    let sz = size(btf, id)?;
    // Saturating: an index and a size of the object's may pass 64 bits (refused below).
    let mut bits = u64::from(first)
        .saturating_mul(u64::from(sz))
        .saturating_mul(8);
    for &i in &spec.raw[1..] {
        let (tid, t) = skip(btf, id).ok_or("a broken type")?;
        id = tid;
        if let Some(ms) = members(t) {
            let m = ms.get(i as usize).ok_or_else(bad)?;
            bits = bits.saturating_add(u64::from(m.bit_offset));
            if !m.name.is_empty() {
                spec.acc.push(Acc {
                    ty: id,
                    idx: i,
                    name: Some(m.name.clone()),
                });
            }
            id = m.ty;
        } else if let Kind::Array { elem, nelems, .. } = t {
            let (eid, _) = skip(btf, *elem).ok_or("a broken element type")?;
            if !is_flex(btf, spec.acc.last(), *nelems) && i >= *nelems {
                return Err(bad());
            }
            spec.acc.push(Acc {
                ty: eid,
                idx: i,
                name: None,
            });
            id = eid;
            let elem = u64::from(size(btf, eid)?);
            bits = bits.saturating_add(u64::from(i).saturating_mul(elem).saturating_mul(8));
        } else {
            return Err(format!(
                "access `{access}` goes through type [{id}], no struct, union or array"
            ));
        }
    }
    spec.bit_offset = u32::try_from(bits).map_err(|_| "a field beyond 32 bits of offset")?;
    Ok(spec)
}

/// `bpf_core_fields_are_compat`.
fn fields_compat(local: &Btf, l: u32, target: &Btf, t: u32) -> Result<bool, String> {
    let (mut l, mut t) = (l, t);
    for _ in 0..64 {
        let (Some((li, lk)), Some((ti, tk))) = (skip(local, l), skip(target, t)) else {
            return Err("a broken type".into());
        };
        if is_composite(lk) && is_composite(tk) {
            return Ok(true);
        }
        if !kind_compat(lk, tk) {
            return Ok(false);
        }
        return Ok(match (lk, tk) {
            (Kind::Ptr(_), _) | (Kind::Float { .. }, _) => true,
            (Kind::Fwd { .. } | Kind::Enum { .. } | Kind::Enum64 { .. }, _) => {
                let (a, b) = (
                    essential(name_of(local, li)),
                    essential(name_of(target, ti)),
                );
                a.is_empty() || b.is_empty() || a == b
            }
            (Kind::Int { offset: a, .. }, Kind::Int { offset: b, .. }) => *a == 0 && *b == 0,
            (Kind::Array { elem: a, .. }, Kind::Array { elem: b, .. }) => {
                l = *a;
                t = *b;
                continue;
            }
            _ => false,
        });
    }
    Err("types nested too deep".into())
}

/// `bpf_core_match_member`: the local named accessor `lacc` searched in target composite
/// `tid` (through anonymous members), extending `spec`; the member's type when found.
fn match_member(
    local: &Btf,
    lacc: &Acc,
    target: &Btf,
    tid: u32,
    spec: &mut Spec,
) -> Result<Option<u32>, String> {
    let Some((tid, tk)) = skip(target, tid) else {
        return Err("a broken type".into());
    };
    let Some(ms) = members(tk) else {
        return Ok(None);
    };
    let lm = local
        .get(lacc.ty)
        .and_then(|t| members(&t.kind))
        .and_then(|m| m.get(lacc.idx as usize))
        .ok_or("a broken local member")?;
    for (i, m) in ms.iter().enumerate() {
        if spec.raw.len() == SPEC_MAX_LEN {
            return Err("struct/union/array nesting too deep".into());
        }
        spec.bit_offset = spec.bit_offset.wrapping_add(m.bit_offset);
        spec.raw.push(i as u32);
        if m.name.is_empty() {
            if let Some(found) = match_member(local, lacc, target, m.ty, spec)? {
                return Ok(Some(found));
            }
        } else if m.name == lm.name {
            spec.acc.push(Acc {
                ty: tid,
                idx: i as u32,
                name: Some(m.name.clone()),
            });
            if fields_compat(local, lm.ty, target, m.ty)? {
                return Ok(Some(m.ty));
            }
            // As libbpf: the accessor is popped, the raw index and offset are not.
            spec.acc.pop();
            return Ok(None);
        }
        spec.bit_offset = spec.bit_offset.wrapping_sub(m.bit_offset);
        spec.raw.pop();
    }
    Ok(None)
}

/// `bpf_core_spec_match`: the target specification of `local` (relocation `kind`) on
/// candidate `cand`, `None` when it does not match.
pub(super) fn spec_match(
    local: &Spec,
    lbtf: &Btf,
    kind: u32,
    target: &Btf,
    cand: u32,
) -> Result<Option<Spec>, String> {
    let mut out = Spec {
        root: cand,
        ..Spec::default()
    };
    match class(kind) {
        Some(Class::Type) => {
            let ok = if kind == 12 {
                types_match(lbtf, local.root, target, cand, false, 32)?
            } else {
                types_compat(lbtf, local.root, target, cand, 32)?
            };
            return Ok(ok.then_some(out));
        }
        Some(Class::Enumval) => {
            let Some((tid, Kind::Enum { values, .. } | Kind::Enum64 { values, .. })) =
                skip(target, cand)
            else {
                return Ok(None);
            };
            let want = essential(local.acc[0].name.as_deref().unwrap_or(""));
            for (i, v) in values.iter().enumerate() {
                if essential(&v.name) == want {
                    out.acc.push(Acc {
                        ty: tid,
                        idx: i as u32,
                        name: Some(v.name.clone()),
                    });
                    out.raw.push(i as u32);
                    return Ok(Some(out));
                }
            }
            return Ok(None);
        }
        Some(Class::Field) => {}
        None => return Err(format!("unknown relocation kind {kind}")),
    }
    let mut tid = cand;
    for (i, lacc) in local.acc.iter().enumerate() {
        let (id, tk) = skip(target, tid).ok_or("a broken target type")?;
        tid = id;
        if lacc.name.is_some() {
            match match_member(lbtf, lacc, target, tid, &mut out)? {
                Some(next) => tid = next,
                None => return Ok(None),
            }
            continue;
        }
        if i > 0 {
            let Kind::Array { elem, nelems, .. } = tk else {
                return Ok(None);
            };
            if !is_flex(target, out.acc.last(), *nelems) && lacc.idx >= *nelems {
                return Ok(None);
            }
            tid = skip(target, *elem).ok_or("a broken element type")?.0;
        }
        if out.raw.len() == SPEC_MAX_LEN {
            return Err("struct/union/array nesting too deep".into());
        }
        out.acc.push(Acc {
            ty: tid,
            idx: lacc.idx,
            name: None,
        });
        out.raw.push(lacc.idx);
        let sz = size(target, tid)?;
        out.bit_offset = lacc
            .idx
            .checked_mul(sz)
            .and_then(|b| b.checked_mul(8))
            .and_then(|b| out.bit_offset.checked_add(b))
            .ok_or("a field beyond 32 bits of offset")?;
    }
    Ok(Some(out))
}

/// `skip_mods_and_typedefs` as [`types_compat`] needs it: the id under modifiers and typedefs,
/// 0 for `void` (libbpf's `BTF_KIND_UNKN` type), `None` for a broken reference.
fn skip_to<B: Types + ?Sized>(btf: &B, id: u32) -> Option<u32> {
    btf.skip_mods(id)
}

/// `__bpf_core_types_are_compat` (names already matched by the candidate search; also
/// libbpf's check of an extern kfunc's or `__ksym` variable's type against the kernel's,
/// whose target may be a module's split BTF): `void` is compatible with `void` only, structs,
/// unions, enums and forward declarations with any of their kind, integers with integers
/// (not bitfield-like ones), pointers and arrays by what they point to or hold, function
/// prototypes by the number of parameters and each parameter's and the return type. `Err`:
/// a broken reference or types nested too deep (libbpf's `-EINVAL`).
pub(crate) fn types_compat<L: Types + ?Sized, T: Types + ?Sized>(
    local: &L,
    l: u32,
    target: &T,
    t: u32,
    level: i32,
) -> Result<bool, String> {
    // The kinds before modifiers are skipped must already agree.
    match (local_kind(local, l)?, local_kind(target, t)?) {
        (None, None) => {}
        (Some(a), Some(b)) if kind_compat(a, b) => {}
        _ => return Ok(false),
    }
    let (mut l, mut t) = (l, t);
    for _ in 0..32 {
        let (Some(ls), Some(ts)) = (skip_to(local, l), skip_to(target, t)) else {
            return Err("a broken type".into());
        };
        (l, t) = (ls, ts);
        if l == 0 || t == 0 {
            // `void` on both sides is compatible (`BTF_KIND_UNKN`), `void` and a type are not.
            return Ok(l == 0 && t == 0);
        }
        let (Some(lt), Some(tt)) = (local.type_by_id(l), target.type_by_id(t)) else {
            return Err("a broken type".into());
        };
        let (lk, tk) = (&lt.kind, &tt.kind);
        if !kind_compat(lk, tk) {
            return Ok(false);
        }
        match (lk, tk) {
            (
                Kind::Struct { .. }
                | Kind::Union { .. }
                | Kind::Enum { .. }
                | Kind::Enum64 { .. }
                | Kind::Fwd { .. },
                _,
            ) => return Ok(true),
            (Kind::Int { offset: a, .. }, Kind::Int { offset: b, .. }) => {
                return Ok(*a == 0 && *b == 0)
            }
            (Kind::Ptr(a), Kind::Ptr(b)) => (l, t) = (*a, *b),
            (Kind::Array { elem: a, .. }, Kind::Array { elem: b, .. }) => (l, t) = (*a, *b),
            (
                Kind::FuncProto {
                    ret: lr,
                    params: lp,
                },
                Kind::FuncProto {
                    ret: tr,
                    params: tp,
                },
            ) => {
                if lp.len() != tp.len() {
                    return Ok(false);
                }
                for (a, b) in lp.iter().zip(tp) {
                    if level <= 0 {
                        return Err("types nested too deep".into());
                    }
                    let a = skip_to(local, a.ty).ok_or("a broken type")?;
                    let b = skip_to(target, b.ty).ok_or("a broken type")?;
                    if !types_compat(local, a, target, b, level - 1)? {
                        return Ok(false);
                    }
                }
                (l, t) = (*lr, *tr);
            }
            _ => return Ok(false),
        }
    }
    Err("types nested too deep".into())
}

/// The kind of type `id` as `btf_kind_core_compat` compares it (`None`: `void`).
fn local_kind<B: Types + ?Sized>(btf: &B, id: u32) -> Result<Option<&Kind>, String> {
    if id == 0 {
        return Ok(None);
    }
    btf.type_by_id(id)
        .map(|t| Some(&t.kind))
        .ok_or_else(|| "a broken type".to_string())
}

/// `bpf_core_names_match`.
fn names_match(local: &str, target: &str) -> bool {
    if target.is_empty() {
        return local.is_empty();
    }
    essential(local) == essential(target)
}

/// `bpf_core_enums_match`.
fn enums_match(lk: &Kind, tk: &Kind) -> bool {
    let (
        Kind::Enum {
            size: ls,
            values: lv,
            ..
        }
        | Kind::Enum64 {
            size: ls,
            values: lv,
            ..
        },
        Kind::Enum {
            size: ts,
            values: tv,
            ..
        }
        | Kind::Enum64 {
            size: ts,
            values: tv,
            ..
        },
    ) = (lk, tk)
    else {
        return false;
    };
    ls == ts
        && lv.len() <= tv.len()
        && lv
            .iter()
            .all(|l| tv.iter().any(|t| names_match(&l.name, &t.name)))
}

/// `__bpf_core_types_match` (TYPE_MATCHES).
pub(super) fn types_match(
    local: &Btf,
    l: u32,
    target: &Btf,
    t: u32,
    behind_ptr: bool,
    level: i32,
) -> Result<bool, String> {
    if level <= 0 {
        return Err("types nested too deep".into());
    }
    let (mut l, mut t, mut behind_ptr) = (l, t, behind_ptr);
    for _ in 0..32 {
        // `void` is BTF_KIND_UNKN, named "".
        if l == 0 || t == 0 {
            return Ok(l == 0 && t == 0);
        }
        let (Some((li, lk)), Some((ti, tk))) = (skip(local, l), skip(target, t)) else {
            return Err("a broken type".into());
        };
        if li == 0 || ti == 0 {
            return Ok(li == 0 && ti == 0);
        }
        if !names_match(name_of(local, li), name_of(target, ti)) {
            return Ok(false);
        }
        match lk {
            Kind::Fwd { union: lf } => {
                return Ok(match tk {
                    Kind::Fwd { union: tf } => lf == tf,
                    Kind::Struct { .. } if behind_ptr => !lf,
                    Kind::Union { .. } if behind_ptr => *lf,
                    _ => false,
                })
            }
            Kind::Enum { .. } | Kind::Enum64 { .. } => return Ok(enums_match(lk, tk)),
            Kind::Struct { members: lm, .. } | Kind::Union { members: lm, .. } => {
                let same = lk.number() == tk.number();
                if behind_ptr {
                    return Ok(
                        same || matches!(tk, Kind::Fwd { union } if *union == matches!(lk, Kind::Union { .. }))
                    );
                }
                if !same {
                    return Ok(false);
                }
                let tm = members(tk).unwrap_or(&[]);
                if lm.len() > tm.len() {
                    return Ok(false);
                }
                for a in lm {
                    let mut matched = false;
                    for b in tm {
                        if !names_match(&a.name, &b.name) {
                            continue;
                        }
                        if types_match(local, a.ty, target, b.ty, behind_ptr, level - 1)? {
                            matched = true;
                            break;
                        }
                    }
                    if !matched {
                        return Ok(false);
                    }
                }
                return Ok(true);
            }
            Kind::Int {
                size: ls,
                encoding: le,
                ..
            } => {
                return Ok(match tk {
                    Kind::Int {
                        size: ts,
                        encoding: te,
                        ..
                    } => ls == ts && (le & 1) == (te & 1),
                    _ => false,
                })
            }
            Kind::Ptr(a) => {
                let Kind::Ptr(b) = tk else {
                    return Ok(false);
                };
                behind_ptr = true;
                (l, t) = (*a, *b);
            }
            Kind::Array {
                elem: a, nelems: n, ..
            } => {
                let Kind::Array {
                    elem: b, nelems: m, ..
                } = tk
                else {
                    return Ok(false);
                };
                if n != m {
                    return Ok(false);
                }
                (l, t) = (*a, *b);
            }
            Kind::FuncProto {
                ret: lr,
                params: lp,
            } => {
                let Kind::FuncProto {
                    ret: tr,
                    params: tp,
                } = tk
                else {
                    return Ok(false);
                };
                if lp.len() != tp.len() {
                    return Ok(false);
                }
                for (a, b) in lp.iter().zip(tp) {
                    if !types_match(local, a.ty, target, b.ty, behind_ptr, level - 1)? {
                        return Ok(false);
                    }
                }
                (l, t) = (*lr, *tr);
            }
            _ => return Ok(false),
        }
    }
    Err("types nested too deep".into())
}

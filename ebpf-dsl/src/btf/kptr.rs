//! Kernel pointers (kptrs) in map values: a pointer member of the value type tagged
//! `__kptr` (a referenced kptr), `__kptr_untrusted`, `__percpu_kptr` or `__uptr` (BTF
//! `TYPE_TAG`s `kptr`, `kptr_untrusted`, `percpu_kptr`, `uptr` between the `PTR` and the
//! pointed-to struct), found as the kernel's `btf_parse_fields` finds them when it creates the
//! map. The verifier needs them: a load of a referenced kptr gives a BTF pointer to its struct
//! (`verifier::transfer::kptr`), and no other access may touch one.

use super::{Btf, Kind, MapBtf};

/// Which kind of kptr a field is (its `TYPE_TAG`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KptrKind {
    /// `__kptr` (`BPF_KPTR_REF`): holds a reference, exchanged with `bpf_kptr_xchg`.
    Ref,
    /// `__kptr_untrusted` (`BPF_KPTR_UNREF`).
    Untrusted,
    /// `__percpu_kptr` (`BPF_KPTR_PERCPU`).
    Percpu,
    /// `__uptr` (`BPF_UPTR`, user memory of task storage).
    Uptr,
}

impl KptrKind {
    /// The kind a `TYPE_TAG` name gives, if it is one of these.
    pub fn from_tag(tag: &str) -> Option<KptrKind> {
        match tag {
            "kptr" => Some(KptrKind::Ref),
            "kptr_untrusted" => Some(KptrKind::Untrusted),
            "percpu_kptr" => Some(KptrKind::Percpu),
            "uptr" => Some(KptrKind::Uptr),
            _ => None,
        }
    }
}

/// One kptr field of a map's value: the map's name, the field's byte offset in the value
/// (8 bytes), its kind and the name of the struct it points to (a kernel structure when the
/// kernel's BTF has one of that name, else a type of the program's own BTF).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MapKptr {
    /// The map's name ([`crate::MapSpec::name`]).
    pub map: String,
    /// The field's byte offset in the value.
    pub offset: u32,
    /// Its tag.
    pub kind: KptrKind,
    /// The name of the struct it points to.
    pub target: String,
}

impl MapBtf {
    /// The kptr fields of the value type (see [`Btf::kptr_fields`]).
    pub fn kptr_fields(&self) -> Vec<(u32, KptrKind, String)> {
        match self.build() {
            Some((btf, _, value)) => btf.kptr_fields(value),
            None => Vec::new(),
        }
    }
}

impl Btf {
    /// The kptr fields of type `id` (a map's value type): (byte offset, kind, the pointed-to
    /// struct's name) of each pointer member whose pointee is a kptr `TYPE_TAG`, directly, in
    /// nested structs and unions, or as elements of arrays (the kernel's `btf_find_field`).
    pub fn kptr_fields(&self, id: u32) -> Vec<(u32, KptrKind, String)> {
        let mut out = Vec::new();
        self.find_kptrs(id, 0, 0, &mut out);
        out
    }

    /// Skips typedefs, `const`, `volatile` and `restrict` (at most 32 of them), not type tags.
    fn skip_plain_mods(&self, mut id: u32) -> Option<u32> {
        for _ in 0..32 {
            match self.get(id)?.kind {
                Kind::Typedef(n) | Kind::Volatile(n) | Kind::Const(n) | Kind::Restrict(n) => id = n,
                _ => return Some(id),
            }
        }
        None
    }

    /// The kptr of a member of type `id` at byte `off`, or the kptrs inside it.
    fn find_kptrs(&self, id: u32, off: u32, depth: u32, out: &mut Vec<(u32, KptrKind, String)>) {
        // The kernel's limits: nesting and the number of fields of a record.
        if depth > 8 || out.len() > 256 {
            return;
        }
        let Some(id) = self.skip_plain_mods(id) else {
            return;
        };
        let Some(t) = self.get(id) else { return };
        match &t.kind {
            Kind::Ptr(to) => {
                let Some(tag) = self.get(*to) else { return };
                let Kind::TypeTag(inner) = tag.kind else {
                    return;
                };
                let Some(kind) = KptrKind::from_tag(&tag.name) else {
                    return;
                };
                let target = self
                    .skip_plain_mods(inner)
                    .and_then(|s| self.get(s))
                    .map(|s| s.name.clone())
                    .unwrap_or_default();
                out.push((off, kind, target));
            }
            Kind::Struct { members, .. } | Kind::Union { members, .. } => {
                for m in members {
                    // Past 4 GiB (a malformed object's offsets, nested): no map value
                    // holds it.
                    let Some(at) = off.checked_add(m.bit_offset / 8) else {
                        continue;
                    };
                    if m.bit_offset % 8 == 0 && m.bitfield_size == 0 {
                        self.find_kptrs(m.ty, at, depth + 1, out);
                    }
                }
            }
            Kind::Array { elem, nelems, .. } => {
                let Some(size) = self.size_of(*elem) else {
                    return;
                };
                if size == 0 {
                    return;
                }
                for i in 0..(*nelems).min(256) {
                    let before = out.len();
                    let Some(at) = i.checked_mul(size).and_then(|d| off.checked_add(d)) else {
                        return;
                    };
                    self.find_kptrs(*elem, at, depth + 1, out);
                    if out.len() == before {
                        // No kptr in the element type: none in the others either.
                        return;
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::btf::{BtfType, Member, Type};

    /// `struct NAME *` with the tag `tag` between the pointer and the struct.
    fn tagged_ptr(b: &mut Btf, tag: &str, name: &str) -> u32 {
        let s = b.add(Type::new(
            name,
            Kind::Struct {
                size: 0,
                members: vec![],
            },
        ));
        let t = b.add(Type::new(tag, Kind::TypeTag(s)));
        b.add(Type::new("", Kind::Ptr(t)))
    }

    #[test]
    fn kptr_fields_are_found_by_tag_directly_nested_and_in_arrays() {
        let mut b = Btf::new();
        let u64_ = u64::btf_type(&mut b);
        let kptr = tagged_ptr(&mut b, "kptr", "bpf_crypto_ctx");
        let unref = tagged_ptr(&mut b, "kptr_untrusted", "task_struct");
        let other = tagged_ptr(&mut b, "user", "task_struct");
        let plain = b.add(Type::new("", Kind::Ptr(u64_)));
        let arr = b.add(Type::new(
            "",
            Kind::Array {
                elem: kptr,
                index: u64_,
                nelems: 2,
            },
        ));
        let inner = b.add(Type::new(
            "inner",
            Kind::Struct {
                size: 16,
                members: vec![Member::at("a", u64_, 0), Member::at("k", unref, 8)],
            },
        ));
        let v = b.add(Type::new(
            "value",
            Kind::Struct {
                size: 64,
                members: vec![
                    Member::at("ctx", kptr, 0),
                    Member::at("n", u64_, 8),
                    Member::at("in", inner, 16),
                    Member::at("o", other, 32),
                    Member::at("p", plain, 40),
                    Member::at("arr", arr, 48),
                ],
            },
        ));
        let f = b.kptr_fields(v);
        let crypto = |off| (off, KptrKind::Ref, "bpf_crypto_ctx".to_string());
        assert_eq!(
            f,
            vec![
                crypto(0),
                (24, KptrKind::Untrusted, "task_struct".to_string()),
                crypto(48),
                crypto(56),
            ]
        );
        let td = b.add(Type::new("value_t", Kind::Typedef(v)));
        assert_eq!(b.kptr_fields(td).len(), 4);
        assert!(b.kptr_fields(u64_).is_empty());
        assert!(b.kptr_fields(9999).is_empty());
        assert_eq!(KptrKind::from_tag("percpu_kptr"), Some(KptrKind::Percpu));
        assert_eq!(KptrKind::from_tag("uptr"), Some(KptrKind::Uptr));
    }
}

//! CO-RE relocations (`.BTF.ext` `core_relo`) in an object being read. When the object is
//! read for a target kernel's BTF ([`super::read_object_for`]) every relocation of a program
//! (and of the subprograms it calls) is resolved against it and applied as libbpf does
//! ([`super::core_calc`]: failed ones poison their instruction); what libbpf refuses is an
//! [`ElfError`] naming the instruction. Without a target, a program carrying one is refused
//! instead of being verified or loaded with the values clang wrote for its own BTF; the
//! exception is a local type id (`bpf_core_type_id_local`), which clang writes as libbpf
//! leaves it.

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, HashMap};

use super::core_calc::{Index, Res};

use super::ElfError;
use crate::btf::{Btf, CoreRelo, ExtSection};
use crate::isa::insn::Insn;

/// Resolved relocations by (kind, root type id, access string).
type Memo = HashMap<(u32, u32, String), Result<Res, String>>;

/// The CO-RE relocations of an object: by section name, (instruction slot, kind, access
/// string, root type id) in slot order; the object's BTF and the target's, when given.
#[derive(Debug, Default)]
pub(super) struct CoreRelos<'t> {
    relos: BTreeMap<String, Vec<(u32, u32, String, u32)>>,
    local: Option<Btf>,
    target: Option<&'t Btf>,
    /// The target's candidates by name, built on the first relocation.
    names: OnceCell<Index<'t>>,
    /// Each (kind, root, access) resolved once: a `.text` subprogram's relocations are met
    /// again with every program that calls it.
    memo: RefCell<Memo>,
}

/// `BPF_CORE_TYPE_ID_LOCAL`: `bpf_core_type_id_local(T)`, the local BTF id clang writes.
const TYPE_ID_LOCAL: u32 = super::core_calc::TYPE_ID_LOCAL;

/// `enum bpf_core_relo_kind`, for messages.
fn kind_name(kind: u32) -> &'static str {
    match kind {
        0 => "field byte offset",
        1 => "field byte size",
        2 => "field existence",
        3 => "field signedness",
        4 => "field lshift",
        5 => "field rshift",
        6 => "type id (local)",
        7 => "type id (target)",
        8 => "type existence",
        9 => "type size",
        10 => "enum value existence",
        11 => "enum value",
        12 => "type match",
        _ => "unknown kind",
    }
}

impl<'t> CoreRelos<'t> {
    /// The CO-RE relocations `core_relo` of an object's `.BTF.ext` (its `.BTF` is `btf`),
    /// applied against `target` where they can be.
    pub(super) fn of(
        btf: &[u8],
        core_relo: Vec<ExtSection<CoreRelo>>,
        target: Option<&'t Btf>,
    ) -> Result<CoreRelos<'t>, ElfError> {
        let mut out: BTreeMap<String, Vec<(u32, u32, String, u32)>> = BTreeMap::new();
        for s in core_relo {
            let v = out.entry(s.name).or_default();
            // TYPE_ID_LOCAL (6): clang already wrote the object's own type id, which libbpf
            // keeps; the instruction is final.
            v.extend(
                s.records
                    .into_iter()
                    .filter(|r| r.kind != TYPE_ID_LOCAL)
                    .map(|r| (r.insn, r.kind, r.access, r.type_id)),
            );
            v.sort_by_key(|r| r.0);
        }
        let local = match (target, out.values().any(|v| !v.is_empty())) {
            (Some(_), true) => Some(Btf::decode(btf)?),
            _ => None,
        };
        Ok(CoreRelos {
            relos: out,
            local,
            target,
            ..CoreRelos::default()
        })
    }

    /// Applies the relocations of section `section` on slots `first..last` to `insns` (slot
    /// `first` is `insns[0]`) against the target's BTF; any relocation without a target, or
    /// one libbpf refuses, is an error.
    pub(super) fn apply_in(
        &self,
        section: &str,
        first: u64,
        last: u64,
        insns: &mut [Insn],
    ) -> Result<(), ElfError> {
        let Some(recs) = self.relos.get(section) else {
            return Ok(());
        };
        for (slot, kind, access, root) in recs
            .iter()
            .filter(|r| (first..last).contains(&u64::from(r.0)))
        {
            let at = |reason: String| ElfError {
                section: Some(section.into()),
                offset: u64::from(*slot) * 8,
                reason,
            };
            let i = (u64::from(*slot) - first) as usize;
            match (self.local.as_ref(), self.target) {
                (Some(local), Some(target)) => {
                    let names = self.names.get_or_init(|| super::core_calc::index(target));
                    let key = (*kind, *root, access.clone());
                    let res = self.memo.borrow().get(&key).cloned();
                    let res = res.unwrap_or_else(|| {
                        let r = super::core_calc::resolve_in(
                            local, target, names, *kind, *root, access,
                        );
                        self.memo.borrow_mut().insert(key, r.clone());
                        r
                    });
                    res.and_then(|res| super::core_calc::patch(insns, i, &res))
                        .map_err(|why| {
                            at(format!(
                                "a CO-RE relocation ({}, access `{access}`) on instruction {slot}: {why} (libbpf fails the load)",
                                kind_name(*kind)
                            ))
                        })?;
                }
                _ => {
                    return Err(at(format!(
                        "a CO-RE relocation ({}, access `{access}`) on instruction {slot}: CO-RE (vmlinux.h, bpf_core_read) is not supported without the target kernel's BTF (`ebpf-dsl check --btf /sys/kernel/btf/vmlinux`); the program needs libbpf",
                        kind_name(*kind)
                    )));
                }
            }
        }
        Ok(())
    }
}

//! CO-RE relocations (`.BTF.ext` `core_relo`) in an object being read: the reader does not
//! apply them, so a program whose instructions (or the subprograms it calls) carry one is
//! refused with an [`ElfError`] naming the instruction, instead of being verified or loaded
//! with the offsets clang wrote for its own BTF. The exception is a local type id
//! (`bpf_core_type_id_local`), which clang writes as libbpf leaves it.

use std::collections::BTreeMap;

use super::raw::Elf;
use super::ElfError;

/// The CO-RE relocations of an object: by section name, (instruction slot, kind, access
/// string) in slot order.
#[derive(Debug, Default)]
pub(super) struct CoreRelos(BTreeMap<String, Vec<(u32, u32, String)>>);

/// `BPF_CORE_TYPE_ID_LOCAL`: `bpf_core_type_id_local(T)`, the local BTF id clang writes.
const TYPE_ID_LOCAL: u32 = 6;

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

impl CoreRelos {
    /// The CO-RE relocations of `elf` (none without `.BTF` and `.BTF.ext`).
    pub(super) fn of(elf: &Elf<'_>) -> Result<CoreRelos, ElfError> {
        let (Some(b), Some(e)) = (elf.section(".BTF"), elf.section(".BTF.ext")) else {
            return Ok(CoreRelos::default());
        };
        let ext = crate::btf::BtfExt::decode(e.data, b.data)?;
        let mut out: BTreeMap<String, Vec<(u32, u32, String)>> = BTreeMap::new();
        for s in ext.core_relo {
            let v = out.entry(s.name).or_default();
            // TYPE_ID_LOCAL (6): clang already wrote the object's own type id, which libbpf
            // keeps; the instruction is final.
            v.extend(
                s.records
                    .into_iter()
                    .filter(|r| r.kind != TYPE_ID_LOCAL)
                    .map(|r| (r.insn, r.kind, r.access)),
            );
            v.sort_by_key(|r| r.0);
        }
        Ok(CoreRelos(out))
    }

    /// An error if section `section` has a CO-RE relocation on a slot in `first..last`.
    pub(super) fn refuse_in(&self, section: &str, first: u64, last: u64) -> Result<(), ElfError> {
        let Some(recs) = self.0.get(section) else {
            return Ok(());
        };
        match recs
            .iter()
            .find(|(slot, _, _)| (first..last).contains(&u64::from(*slot)))
        {
            Some((slot, kind, access)) => Err(ElfError {
                section: Some(section.into()),
                offset: u64::from(*slot) * 8,
                reason: format!(
                    "a CO-RE relocation ({}, access `{access}`) on instruction {slot}: CO-RE \
                     (vmlinux.h, bpf_core_read) is not supported; the program needs libbpf",
                    kind_name(*kind)
                ),
            }),
            None => Ok(()),
        }
    }
}

//! The initial slots of BTF-defined prog arrays and maps of maps ([`MapSlot`]): clang writes
//! `.values = { [1] = &tail_1 }` as a zero-sized `values` array at the end of the map's
//! definition and one `R_BPF_64_ABS64` relocation in `.maps` per filled slot, at
//! `values` + 8 × index, against the program's or the inner map's symbol. Read as libbpf's
//! `bpf_object__collect_map_relos` reads them, with its refusals (a map of maps' slot naming
//! something that is not a BTF-defined map, a `hash_of_maps` whose key is not 4 bytes, a prog
//! array's slot naming no entry point), and the kernel's at the later update, which make
//! libbpf fail the load: a slot beyond an array's `max_entries` (E2BIG), an inner map of
//! another shape than the template (EINVAL, [`crate::spec::InnerMap::admits`]), programs of different
//! types in one prog array (EINVAL, the prog array's owner).

use std::collections::BTreeMap;

use super::btf_maps::{skip_mods, MapTypes};
use super::raw::{Elf, STT_FUNC};
use super::{ElfError, ElfProgram};
use crate::btf::{Btf, Kind};
use crate::spec::{MapSlot, MapSpec, MapType, SlotValue};

/// A pointer in the object (`values` holds 8-byte pointers whatever the host).
const PTR: u64 = 8;

fn err(offset: u64, reason: impl Into<String>) -> ElfError {
    ElfError {
        section: Some(".maps".into()),
        offset,
        reason: reason.into(),
    }
}

/// What the slot reader needs of the object.
pub(super) struct SlotSources<'a, 'e> {
    /// The parsed object.
    pub elf: &'a Elf<'e>,
    /// The index of the `.maps` section.
    pub maps_section: usize,
    /// The decoded `.BTF`.
    pub btf: &'a Btf,
    /// The BTF-defined maps' names and symbols, in `DATASEC .maps` order.
    pub defs: &'a [MapTypes],
    /// Every map of the object.
    pub maps: &'a [MapSpec],
    /// The entry points read.
    pub programs: &'a [ElfProgram],
    /// The program sections not read (unknown program type).
    pub skipped: &'a [String],
}

/// The initial slots of the object's `.maps` (none without relocations in `.maps`), by map
/// then index.
pub(super) fn read_slots(s: &SlotSources<'_, '_>) -> Result<Vec<MapSlot>, ElfError> {
    let rels = s.elf.rels_for(s.maps_section)?;
    if rels.is_empty() {
        return Ok(Vec::new());
    }
    let vars = match s.btf.find(".maps", 15).and_then(|id| s.btf.get(id)) {
        Some(t) => match &t.kind {
            Kind::Datasec { vars, .. } => vars.clone(),
            _ => Vec::new(),
        },
        None => Vec::new(),
    };
    // Where each map's variable is in `.maps`: clang leaves the DATASEC's offsets 0 (libbpf
    // fixes them up from the symbols), so from its symbol.
    let placed: Vec<(u64, u64)> = s
        .defs
        .iter()
        .map(|d| {
            s.elf
                .symbols
                .iter()
                .find(|y| y.name == d.symbol && usize::from(y.shndx) == s.maps_section)
                .map_or((0, 0), |y| (y.value, y.size))
        })
        .collect();
    let mut slots: BTreeMap<(String, u32), SlotValue> = BTreeMap::new();
    for r in &rels {
        let sym = &s.elf.symbols[r.sym as usize];
        let Some(j) = placed
            .iter()
            .position(|&(at, size)| {
                at <= r.offset && r.offset.saturating_add(PTR) <= at.saturating_add(size)
            })
            .filter(|&j| j < vars.len())
        else {
            return Err(err(
                r.offset,
                format!("a relocation against `{}` in no map's definition", sym.name),
            ));
        };
        let def = s
            .defs
            .get(j)
            .ok_or_else(|| err(r.offset, "DATASEC .maps changed"))?;
        let spec = s
            .maps
            .iter()
            .find(|m| m.name == def.map)
            .ok_or_else(|| err(r.offset, format!("map `{}` was not read", def.map)))?;
        let index = slot_index(s.btf, vars[j].ty, r.offset - placed[j].0)
            .map_err(|why| err(r.offset, format!("map `{}`: {why}", def.symbol)))?;
        let at = |what: String| {
            err(
                r.offset,
                format!("map `{}` slot [{index}]: {what}", def.symbol),
            )
        };
        let value = match spec.map_type {
            MapType::ArrayOfMaps | MapType::HashOfMaps => {
                let target = s
                    .defs
                    .iter()
                    .find(|d| d.symbol == sym.name)
                    .filter(|_| usize::from(sym.shndx) == s.maps_section)
                    .ok_or_else(|| {
                        at(format!(
                            "`{}` is not a BTF-defined map (libbpf: \"isn't a BTF-defined map\")",
                            sym.name
                        ))
                    })?;
                if spec.map_type == MapType::HashOfMaps && spec.key_size != 4 {
                    return Err(at(format!(
                        "a hash_of_maps with initial contents has 4-byte keys (the slot \
                         index), not {} (libbpf refuses it)",
                        spec.key_size
                    )));
                }
                let tspec = s.maps.iter().find(|m| m.name == target.map);
                let (Some(inner), Some(tspec)) = (spec.inner.as_ref(), tspec) else {
                    return Err(at("the map of maps has no inner map template".into()));
                };
                inner.admits(tspec).map_err(at)?;
                SlotValue::Map(target.map.clone())
            }
            MapType::ProgArray => {
                let p = program_of(s, sym).map_err(|why| at(format!("`{}` {why}", sym.name)))?;
                SlotValue::Program(p.spec.name.to_string())
            }
            t => {
                return Err(at(format!(
                    "a {t} map has no initial contents (only prog arrays and maps of maps do)"
                )))
            }
        };
        if spec.map_type != MapType::HashOfMaps && index >= spec.max_entries {
            return Err(at(format!(
                "beyond the map's {} entries (the kernel refuses the update with E2BIG)",
                spec.max_entries
            )));
        }
        slots.insert((def.map.clone(), index), value);
    }
    let out: Vec<MapSlot> = slots
        .into_iter()
        .map(|((map, index), value)| MapSlot { map, index, value })
        .collect();
    check_counts(s.maps, &out)?;
    check_owners(s.programs, &out)?;
    Ok(out)
}

/// The slot a relocation at `off` bytes into a map's variable (of BTF `VAR` `var`) fills:
/// its distance from the `values` member, the definition's last, in 8-byte pointers.
fn slot_index(b: &Btf, var: u32, off: u64) -> Result<u32, String> {
    let ty = match b.get(var).map(|t| &t.kind) {
        Some(Kind::Var { ty, .. }) => *ty,
        _ => return Err("its DATASEC entry is not a variable".into()),
    };
    let def = skip_mods(b, ty).map_err(|e| e.reason)?;
    let Some(Kind::Struct { members, .. }) = b.get(def).map(|t| &t.kind) else {
        return Err("its definition is not a struct".into());
    };
    let Some(last) = members.last().filter(|m| m.name == "values") else {
        return Err("a relocation in a definition whose last member is not `values`".into());
    };
    let start = u64::from(last.bit_offset / 8);
    if off < start || !(off - start).is_multiple_of(PTR) {
        return Err(format!(
            "a relocation at byte {off} of the definition, not at a pointer of `values` \
             (from byte {start})"
        ));
    }
    u32::try_from((off - start) / PTR).map_err(|_| "a slot index beyond u32".into())
}

/// The entry point `sym` names (a prog array's slot), or why it is none.
fn program_of<'p>(
    s: &SlotSources<'p, '_>,
    sym: &super::raw::Symbol,
) -> Result<&'p ElfProgram, String> {
    let section = s
        .elf
        .sections
        .get(usize::from(sym.shndx))
        .map_or("", |x| x.name.as_str());
    if sym.kind != STT_FUNC || section == ".text" || section.is_empty() {
        return Err(
            "is not an entry-point program (libbpf: \"isn't an entry-point program\")".into(),
        );
    }
    if let Some(p) = s
        .programs
        .iter()
        .find(|p| p.function == sym.name && p.section == section)
    {
        return Ok(p);
    }
    if s.skipped.iter().any(|x| x == section) {
        return Err(format!(
            "is in section `{section}`, whose program type this reader does not know (read \
             the object with a type for it)"
        ));
    }
    Err(format!("is no program of section `{section}`"))
}

/// A `hash_of_maps` holds at most `max_entries` slots (the kernel refuses one more with
/// E2BIG).
fn check_counts(maps: &[MapSpec], slots: &[MapSlot]) -> Result<(), ElfError> {
    for m in maps.iter().filter(|m| m.map_type == MapType::HashOfMaps) {
        let n = slots.iter().filter(|s| s.map == m.name).count();
        if n > m.max_entries as usize {
            return Err(err(
                0,
                format!(
                    "map `{}`: {n} initial slots in a hash_of_maps of {} entries (the kernel \
                     refuses the update beyond them with E2BIG)",
                    m.name, m.max_entries
                ),
            ));
        }
    }
    Ok(())
}

/// The programs of one prog array, those in its slots and those that use it, are of one
/// program type (the kernel's prog-array owner check refuses another with EINVAL).
fn check_owners(programs: &[ElfProgram], slots: &[MapSlot]) -> Result<(), ElfError> {
    let mut by_map: BTreeMap<&str, Vec<&ElfProgram>> = BTreeMap::new();
    for sl in slots {
        if let SlotValue::Program(p) = &sl.value {
            if let Some(p) = programs.iter().find(|x| x.spec.name == *p) {
                by_map.entry(&sl.map).or_default().push(p);
            }
        }
    }
    for (map, mut ps) in by_map {
        ps.extend(
            programs
                .iter()
                .filter(|p| p.spec.maps.iter().any(|m| m.name == map)),
        );
        let first = ps[0];
        if let Some(other) = ps.iter().find(|p| p.spec.prog_type != first.spec.prog_type) {
            return Err(err(
                0,
                format!(
                    "prog array `{map}`: program `{}` is {}, program `{}` {} (one prog array \
                     holds and serves programs of one type: the kernel refuses the update with \
                     EINVAL)",
                    first.function, first.spec.prog_type, other.function, other.spec.prog_type
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::btf::{Linkage, Member, Type};

    /// A map variable whose definition has `type` at byte 0 and `last` at byte 8.
    fn var_with_last(last: &str) -> (Btf, u32) {
        let mut b = Btf::new();
        let int = b.add(Type::new(
            "int",
            Kind::Int {
                size: 4,
                encoding: 1,
                offset: 0,
                bits: 32,
            },
        ));
        let ptr = b.add(Type::new("", Kind::Ptr(int)));
        let member = |name: &str, bit_offset| Member {
            name: name.into(),
            ty: ptr,
            bit_offset,
            bitfield_size: 0,
        };
        let def = b.add(Type::new(
            "",
            Kind::Struct {
                size: 16,
                members: vec![member("type", 0), member(last, 64)],
            },
        ));
        let var = b.add(Type::new(
            "m",
            Kind::Var {
                ty: def,
                linkage: Linkage::Global,
            },
        ));
        (b, var)
    }

    #[test]
    fn a_slot_is_its_pointer_past_values() {
        let (b, var) = var_with_last("values");
        assert_eq!(slot_index(&b, var, 8), Ok(0));
        assert_eq!(slot_index(&b, var, 8 + 3 * 8), Ok(3));
        // Inside the definition before `values`, or between two pointers.
        assert!(slot_index(&b, var, 0)
            .unwrap_err()
            .contains("not at a pointer of `values`"));
        assert!(slot_index(&b, var, 12).unwrap_err().contains("from byte 8"));
        let (b, var) = var_with_last("max_entries");
        assert!(slot_index(&b, var, 8)
            .unwrap_err()
            .contains("last member is not `values`"));
    }
}

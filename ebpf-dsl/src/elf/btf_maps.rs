//! BTF-defined maps (the `.maps` section), read through the crate's BTF module: decode `.BTF`
//! with [`Btf::decode`], find `DATASEC .maps`, and turn each of its variables into a
//! [`MapSpec`] plus the key/value type ids ([`MapTypes`]) when the definition names them.
//!
//! The map definition is libbpf's convention: a struct whose members encode the attributes in
//! their types — `__uint(type, 2)` is `int (*type)[2]` (a pointer to an array of 2 elements),
//! `__type(key, u32)` is `u32 *key` (a pointer to the key type, whose size is the key size).

use crate::btf::Types;
use std::borrow::Cow;

use super::ElfError;
use crate::btf::{Btf, BtfError, Kind};
use crate::spec::{InnerMap, MapSpec, MapType};

const SEC: &str = ".BTF";

/// The BTF key and value types of a BTF-defined map (ids in the object's `.BTF`, see
/// [`super::ObjectBtf::btf`]); 0 when the definition gives only a size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapTypes {
    /// The map's name (its kernel name, distinct within the object).
    pub map: String,
    /// The map's variable name in the object (whole).
    pub symbol: String,
    /// The key's type id (0: none).
    pub key: u32,
    /// The value's type id (0: none).
    pub value: u32,
    /// For a map of maps, the key and value type ids of its inner definition
    /// (`__array(values, struct { __type(key, ..); __type(value, ..); })`; 0: none): what
    /// libbpf creates the inner template with, so that the kernel's template knows the
    /// special fields (locks, list heads, kptrs) of the inner maps' values.
    pub inner: (u32, u32),
}

fn err(reason: impl Into<String>) -> ElfError {
    ElfError {
        section: Some(SEC.into()),
        offset: 0,
        reason: reason.into(),
    }
}

impl From<BtfError> for ElfError {
    fn from(e: BtfError) -> ElfError {
        ElfError {
            section: Some(e.section.into()),
            offset: e.offset as u64,
            reason: e.message,
        }
    }
}

/// Skips typedefs and qualifiers ([`Types::skip_mods`]), an error for a broken chain.
pub(super) fn skip_mods(b: &Btf, id: u32) -> Result<u32, ElfError> {
    b.skip_mods(id).ok_or_else(|| {
        err(format!(
            "type id {id}: a type that does not exist or more than 64 typedefs/qualifiers in a row"
        ))
    })
}

/// The maps declared in the `.maps` section, from the object's `.BTF` bytes: one
/// [`MapSpec`] per variable of the `.maps` DATASEC, in declaration order.
///
/// Members `type`, `max_entries`, `key_size`, `value_size`, `map_flags` (`__uint`) and `key`,
/// `value` (`__type`) are understood; `pinning` is ignored (pinning is the loader's choice);
/// `values` of a map of maps (`__array(values, struct { .. })`) gives its inner maps' shape
/// ([`MapSpec::inner`]); anything else is an error naming it.
pub fn maps_from_btf(btf: &[u8]) -> Result<Vec<MapSpec>, ElfError> {
    let b = Btf::decode(btf)?;
    Ok(maps_in(&b)?.into_iter().map(|(m, _)| m).collect())
}

/// [`maps_from_btf`] on decoded BTF, with each map's key/value type ids.
pub fn maps_in(b: &Btf) -> Result<Vec<(MapSpec, MapTypes)>, ElfError> {
    let sec = b
        .find(".maps", 15)
        .and_then(|id| b.get(id))
        .ok_or_else(|| err("the object has a .maps section but no DATASEC .maps in its BTF"))?;
    let Kind::Datasec { vars, .. } = &sec.kind else {
        return Err(err("DATASEC .maps is not a DATASEC"));
    };
    let full: Vec<&str> = vars
        .iter()
        .map(|v| b.get(v.ty).map_or("", |t| t.name.as_str()))
        .collect();
    let knames = super::unique_kernel_names(&full);
    let mut out = Vec::new();
    for (i, v) in vars.iter().enumerate() {
        let var = b
            .get(v.ty)
            .ok_or_else(|| err(format!("DATASEC .maps entry {i}: no type {}", v.ty)))?;
        let Kind::Var { ty, .. } = var.kind else {
            return Err(err(format!("DATASEC .maps entry {i} is not a variable")));
        };
        let name = var.name.clone();
        let d = map_def(b, &name, ty, true)?;
        let kname = knames[i].clone();
        out.push((
            MapSpec {
                name: Cow::Owned(kname.clone()),
                map_type: d.map_type,
                key_size: d.key_size,
                value_size: d.value_size,
                max_entries: d.max_entries,
                flags: d.flags,
                btf: None,
                inner: d.inner,
            },
            MapTypes {
                map: kname,
                symbol: name,
                key: d.key_ty,
                value: d.value_ty,
                inner: d.inner_types,
            },
        ));
    }
    Ok(out)
}

/// One map definition struct, read.
struct Def {
    map_type: MapType,
    key_size: u32,
    value_size: u32,
    max_entries: u32,
    flags: u32,
    key_ty: u32,
    value_ty: u32,
    inner: Option<InnerMap>,
    /// The inner definition's key and value type ids (0: none).
    inner_types: (u32, u32),
}

/// The map definition struct `ty` of map `name`; `outer`: whether it may hold maps (an
/// inner definition may not).
fn map_def(b: &Btf, name: &str, ty: u32, outer: bool) -> Result<Def, ElfError> {
    let def = b.get(skip_mods(b, ty)?);
    let Some(Kind::Struct { members, .. }) = def.map(|d| &d.kind) else {
        return Err(err(format!("map `{name}`: its definition is not a struct")));
    };
    let (mut map_type, mut key, mut value, mut max, mut flags) = (None, None, None, 0, 0);
    let (mut key_ty, mut value_ty) = (0, 0);
    let mut inner = None;
    let mut inner_types = (0, 0);
    // A `values` member: the value is a 4-byte fd (of a map or a program).
    let mut has_values = false;
    // A `map_extra` member giving a bloom filter the kernel's default hash count.
    let mut default_bloom_extra = false;
    for (i, m) in members.iter().enumerate() {
        let mname = m.name.as_str();
        // `__array(values, struct inner)` (a map of maps) or `__array(values, int (void))` (a
        // prog array): a zero-sized array of pointers, the last member, whose initial
        // contents are the relocations of the map's variable (`super::map_slots`).
        if mname == "values" {
            if !outer {
                return Err(err(format!(
                    "map `{name}`: an inner map cannot hold maps (one level of nesting)"
                )));
            }
            let pointee = match b.get(skip_mods(b, m.ty)?).map(|t| &t.kind) {
                Some(Kind::Array {
                    elem, nelems: 0, ..
                }) => match b.get(skip_mods(b, *elem)?).map(|t| &t.kind) {
                    Some(Kind::Ptr(t)) => Some(skip_mods(b, *t)?),
                    _ => None,
                },
                _ => None,
            };
            let (Some(pointee), true) = (pointee, i + 1 == members.len()) else {
                return Err(err(format!(
                    "map `{name}`: `values` is not the last member, a zero-sized array of \
                         pointers (__array(values, struct ..) or __array(values, int (void)))"
                )));
            };
            if let Some(v) = value.filter(|&v| v != 4) {
                return Err(err(format!(
                    "map `{name}`: `values` makes the value a 4-byte fd, but the definition \
                     gives {v} bytes (libbpf: conflicting value size)"
                )));
            }
            has_values = true;
            let is_proto = matches!(
                b.get(pointee).map(|t| &t.kind),
                Some(Kind::FuncProto { .. })
            );
            match map_type {
                Some(MapType::ProgArray) if is_proto => continue,
                Some(MapType::ProgArray) => {
                    return Err(err(format!(
                        "map `{name}`: the `values` of a prog array point to a function \
                         prototype (__array(values, int (void))), not type {pointee}"
                    )))
                }
                Some(MapType::ArrayOfMaps | MapType::HashOfMaps) => {}
                _ => {
                    return Err(err(format!(
                        "map `{name}`: `values` (initial contents) are for prog arrays and maps \
                         of maps (array_of_maps, hash_of_maps), not a {} map",
                        map_type.map_or("typeless".to_string(), |t| t.to_string())
                    )))
                }
            }
            let d = map_def(b, &format!("{name}.inner"), pointee, false)?;
            inner_types = (d.key_ty, d.value_ty);
            inner = Some(InnerMap {
                map_type: d.map_type,
                key_size: d.key_size,
                value_size: d.value_size,
                max_entries: d.max_entries,
                flags: d.flags,
            });
            continue;
        }
        if mname == "map_extra" {
            // `__uint(map_extra, V)` (a pointer to an array of V elements) on a bloom filter
            // whose V asks for the kernel's default hash count (its low 4 bits 0 or 5, no
            // other bit): the map the kernel creates without map_extra, so nothing is lost.
            // Checked once the type is known, after the loop. `__ulong(map_extra, V)` (an
            // enum) and any other value stay refused: a map spec has no map_extra.
            let n = match b.get(skip_mods(b, m.ty)?).map(|t| &t.kind) {
                Some(Kind::Ptr(t)) => match b.get(skip_mods(b, *t)?).map(|t| &t.kind) {
                    Some(Kind::Array { nelems, .. }) => Some(*nelems),
                    _ => None,
                },
                _ => None,
            };
            match n {
                Some(n) if n == 0 || n == 5 => {
                    default_bloom_extra = true;
                    continue;
                }
                _ => {
                    return Err(err(format!(
                        "map `{name}`: member `map_extra` (a bloom filter's hash count, an arena's user address) is not supported, except a bloom filter's default hash count (`__uint(map_extra, 5)`): a map spec has no map_extra"
                    )))
                }
            }
        }
        let Some(Kind::Ptr(target)) = b.get(skip_mods(b, m.ty)?).map(|t| &t.kind) else {
            return Err(err(format!(
                "map `{name}`: member `{mname}` is not a pointer (__uint/__type)"
            )));
        };
        let target = *target;
        // `__uint(name, N)`: a pointer to an array of N elements.
        let uint = || -> Result<u32, ElfError> {
            match b.get(skip_mods(b, target)?).map(|t| &t.kind) {
                Some(Kind::Array { nelems, .. }) => Ok(*nelems),
                _ => Err(err(format!(
                    "map `{name}`: member `{mname}` is not __uint(...)"
                ))),
            }
        };
        let size_of = || -> Result<u32, ElfError> {
            b.size_of(target).ok_or_else(|| {
                err(format!(
                    "map `{name}`: the type of `{mname}` (id {target}) has no size"
                ))
            })
        };
        match mname {
            "type" => {
                let t = uint()?;
                map_type = Some(
                    MapType::from_u32(t)
                        .ok_or_else(|| err(format!("map `{name}`: unknown map type {t}")))?,
                );
            }
            "max_entries" => max = uint()?,
            "map_flags" => flags = uint()?,
            "key_size" => key = Some(uint()?),
            "value_size" => value = Some(uint()?),
            "key" => {
                key = Some(size_of()?);
                key_ty = target;
            }
            "value" => {
                value = Some(size_of()?);
                value_ty = target;
            }
            "pinning" => {}
            other => {
                return Err(err(format!(
                    "map `{name}`: member `{other}` is not supported"
                )))
            }
        }
    }
    let map_type = map_type.ok_or_else(|| err(format!("map `{name}` has no `type` member")))?;
    if default_bloom_extra && map_type != MapType::BloomFilter {
        return Err(err(format!(
            "map `{name}`: member `map_extra` is supported only as a bloom filter's default hash count, not on a {map_type} map: a map spec has no map_extra"
        )));
    }
    Ok(Def {
        map_type,
        key_size: key.unwrap_or(0),
        // A map of maps holds map fds, a prog array program fds (libbpf sets 4 when `values`
        // gives the inner map or the programs' prototype).
        value_size: value.unwrap_or(if has_values { 4 } else { 0 }),
        max_entries: max,
        flags,
        key_ty,
        value_ty,
        inner,
        inner_types,
    })
}

impl super::ObjectBtf {
    /// The BTF-defined maps (and inner maps, [`super::ObjectBtf::map_values`]) whose value type
    /// holds a `struct bpf_spin_lock`, with its offset (what the verifier needs for
    /// `bpf_spin_lock`; see [`Btf::spin_lock_offset`]).
    ///
    /// Global data sections are maps too (`private(A)` variables in `.data.A`): the kernel
    /// reads their lock from the section's `DATASEC` ([`super::ObjectBtf::data_values`]);
    /// when the kernel's record of such a value is an error (a graph root whose
    /// `__contains` names no node, [`Btf::special_fields`]) it has no lock.
    pub fn spin_locks(&self) -> Vec<crate::btf::MapSpinLock> {
        let mut out: Vec<crate::btf::MapSpinLock> = self
            .map_values()
            .into_iter()
            .filter_map(|(map, value)| {
                Some(crate::btf::MapSpinLock {
                    offset: self.btf.spin_lock_offset(value)?,
                    map,
                })
            })
            .collect();
        for (map, value) in self.data_values() {
            let Ok(f) = self.btf.special_fields(value) else {
                continue;
            };
            let locks: Vec<u32> = f
                .fields
                .iter()
                .filter(|f| f.kind == crate::btf::FieldKind::Managed("bpf_spin_lock"))
                .map(|f| f.offset)
                .collect();
            if let [offset] = locks[..] {
                out.push(crate::btf::MapSpinLock { map, offset });
            }
        }
        out
    }

    /// Why the kernel refuses this BTF (see [`Btf::kernel_refusal`]), if it does: libbpf then
    /// loads the object without BTF, so none of what BTF describes (locks, timers, kptrs,
    /// the types of allocated objects) is there for the verifier either.
    pub fn kernel_refusal(&self) -> Option<String> {
        self.btf.kernel_refusal()
    }

    /// The BTF-defined maps (their kernel names) with a known value type and its id; a map of
    /// maps' inner definition as the map `NAME.inner` (the name the verifier gives the inner
    /// maps, whose values the kernel knows from the inner template's BTF).
    pub fn map_values(&self) -> Vec<(String, u32)> {
        let mut out = Vec::new();
        for m in &self.maps {
            if m.value != 0 {
                out.push((m.map.clone(), m.value));
            }
            if m.inner.1 != 0 {
                out.push((format!("{}.inner", m.map), m.inner.1));
            }
        }
        out
    }

    /// The global data sections' maps (their kernel names) and the id of the `DATASEC` that
    /// is their value type.
    pub fn data_values(&self) -> Vec<(String, u32)> {
        self.btf
            .types
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                matches!(t.kind, Kind::Datasec { .. }) && super::is_data_section(&t.name)
            })
            .map(|(i, t)| (super::data_map_name(&t.name), i as u32 + 1))
            .collect()
    }

    /// The program's own types as the verifier wants them: this BTF, and the value type of
    /// every map it knows one of (BTF-defined maps and global data sections).
    pub fn program_types(&self) -> crate::btf::ProgramTypes {
        let mut values = self.map_values();
        values.extend(self.data_values());
        crate::btf::ProgramTypes {
            btf: self.btf.clone(),
            values,
        }
    }
}

impl super::ObjectBtf {
    /// The BTF-defined maps whose value type holds a `struct bpf_timer`, with its offset
    /// (what the verifier needs for the timer helpers; see [`Btf::timer_offset`]).
    pub fn timers(&self) -> Vec<crate::btf::MapTimer> {
        self.map_values()
            .into_iter()
            .filter_map(|(map, value)| {
                Some(crate::btf::MapTimer {
                    offset: self.btf.timer_offset(value)?,
                    map,
                })
            })
            .collect()
    }
}

impl super::ObjectBtf {
    /// The kptr fields of the BTF-defined maps' values (what the verifier needs for loads of
    /// them; see [`Btf::kptr_fields`]).
    pub fn kptrs(&self) -> Vec<crate::btf::MapKptr> {
        self.map_values()
            .into_iter()
            .flat_map(|(map, value)| {
                self.btf
                    .kptr_fields(value)
                    .into_iter()
                    .map(move |(offset, kind, target)| crate::btf::MapKptr {
                        map: map.clone(),
                        offset,
                        kind,
                        target,
                    })
            })
            .collect()
    }
}

impl super::ObjectBtf {
    /// BTF for maps whose only known type fact is where their value holds a
    /// `struct bpf_spin_lock` (a text program's `.map ... spin_lock=OFFSET`): see
    /// [`Self::for_specials`], with no timers.
    pub fn for_spin_locks(maps: &[MapSpec], locks: &[crate::btf::MapSpinLock]) -> Self {
        Self::for_specials(maps, locks, &[])
    }

    /// BTF for maps whose only known type facts are where their value holds a
    /// `struct bpf_spin_lock` and a `struct bpf_timer` (a text program's `.map ...
    /// spin_lock=OFFSET timer=OFFSET`): for each such map of `maps`, an integer key of the
    /// key's size (a byte array for other sizes) and a value struct of the value's size made of
    /// bytes around the lock and the timer. A loader creates these maps with it, so the kernel
    /// knows where the lock and the timer are; maps neither `locks` nor `timers` names are left
    /// out.
    pub fn for_specials(
        maps: &[MapSpec],
        locks: &[crate::btf::MapSpinLock],
        timers: &[crate::btf::MapTimer],
    ) -> Self {
        use crate::btf::{BpfSpinLock, BpfTimer, BtfType, Member, Type};
        let mut btf = Btf::new();
        let mut types = Vec::new();
        for m in maps {
            let name = m.name_str();
            let lock = locks.iter().find(|l| l.map == name).map(|l| l.offset);
            let timer = timers.iter().find(|t| t.map == name).map(|t| t.offset);
            if lock.is_none() && timer.is_none() {
                continue;
            }
            let key = match m.key_size {
                1 => u8::btf_type(&mut btf),
                2 => u16::btf_type(&mut btf),
                4 => u32::btf_type(&mut btf),
                8 => u64::btf_type(&mut btf),
                n => {
                    let b = u8::btf_type(&mut btf);
                    btf.add_array(b, n)
                }
            };
            let byte = u8::btf_type(&mut btf);
            // The special fields in offset order, bytes in the gaps.
            let mut fields: Vec<(u32, u32, &str, u32)> = Vec::new();
            if let Some(off) = lock {
                fields.push((off, 4, "lock", BpfSpinLock::btf_type(&mut btf)));
            }
            if let Some(off) = timer {
                fields.push((off, 16, "timer", BpfTimer::btf_type(&mut btf)));
            }
            fields.sort_by_key(|f| f.0);
            let mut members = Vec::new();
            let mut at = 0;
            for (i, (off, size, fname, ty)) in fields.into_iter().enumerate() {
                if off > at {
                    let gap = btf.add_array(byte, off - at);
                    members.push(Member::at(format!("pad{i}"), gap, at));
                }
                members.push(Member::at(fname, ty, off));
                at = off + size;
            }
            if m.value_size > at {
                let tail = btf.add_array(byte, m.value_size - at);
                members.push(Member::at("tail", tail, at));
            }
            let value = btf.add(Type::new(
                format!("{}_value", name.replace('.', "_")),
                Kind::Struct {
                    size: m.value_size,
                    members,
                },
            ));
            types.push(MapTypes {
                map: name.to_string(),
                symbol: name.to_string(),
                key,
                value,
                inner: (0, 0),
            });
        }
        super::ObjectBtf { btf, maps: types }
    }
}

#[cfg(test)]
mod spin_lock_tests {
    use super::*;
    use crate::btf::MapSpinLock;
    use crate::elf::ObjectBtf;

    fn spec(name: &'static str, map_type: MapType, key: u32, value: u32) -> MapSpec {
        MapSpec {
            name: Cow::Borrowed(name),
            map_type,
            key_size: key,
            value_size: value,
            max_entries: 1,
            flags: 0,
            btf: None,
            inner: None,
        }
    }

    #[test]
    fn btf_for_declared_locks_puts_the_lock_where_declared() {
        let maps = [
            spec("a", MapType::Array, 4, 16),
            spec("h", MapType::Hash, 12, 8),
            spec("plain", MapType::Hash, 4, 8),
        ];
        let locks = [
            MapSpinLock {
                map: "a".into(),
                offset: 8,
            },
            MapSpinLock {
                map: "h".into(),
                offset: 0,
            },
        ];
        let ob = ObjectBtf::for_spin_locks(&maps, &locks);
        assert_eq!(ob.maps.len(), 2);
        // Read back: the same offsets, the value and key types of the maps' sizes.
        assert_eq!(ob.spin_locks(), locks.to_vec());
        let size = |id: u32| match &ob.btf.get(id).unwrap().kind {
            Kind::Struct { size, .. } | Kind::Int { size, .. } => *size,
            Kind::Array { nelems, .. } => *nelems,
            k => panic!("{k:?}"),
        };
        assert_eq!((size(ob.maps[0].key), size(ob.maps[0].value)), (4, 16));
        assert_eq!((size(ob.maps[1].key), size(ob.maps[1].value)), (12, 8));
        // The encoded BTF decodes to the same types.
        assert_eq!(Btf::decode(&ob.btf.encode()).unwrap(), ob.btf);
    }

    #[test]
    fn btf_for_declared_timers_puts_lock_and_timer_where_declared() {
        use crate::btf::MapTimer;
        let maps = [
            spec("frags", MapType::LruHash, 16, 32),
            spec("both", MapType::Array, 4, 40),
            spec("plain", MapType::Hash, 4, 8),
        ];
        let locks = [MapSpinLock {
            map: "both".into(),
            offset: 28,
        }];
        let timers = [
            MapTimer {
                map: "frags".into(),
                offset: 16,
            },
            MapTimer {
                map: "both".into(),
                offset: 8,
            },
        ];
        let ob = ObjectBtf::for_specials(&maps, &locks, &timers);
        assert_eq!(ob.maps.len(), 2);
        // Read back as an object's BTF is: the same offsets.
        assert_eq!(ob.spin_locks(), locks.to_vec());
        assert_eq!(ob.timers(), timers.to_vec());
        let members = |i: usize| match &ob.btf.get(ob.maps[i].value).unwrap().kind {
            Kind::Struct { size, members } => (
                *size,
                members
                    .iter()
                    .map(|m| (m.name.clone(), m.bit_offset / 8))
                    .collect::<Vec<_>>(),
            ),
            k => panic!("{k:?}"),
        };
        let names = |v: &[(&str, u32)]| -> Vec<(String, u32)> {
            v.iter().map(|(n, o)| (n.to_string(), *o)).collect()
        };
        assert_eq!(members(0), (32, names(&[("pad0", 0), ("timer", 16)])));
        assert_eq!(
            members(1),
            (
                40,
                names(&[
                    ("pad0", 0),
                    ("timer", 8),
                    ("pad1", 24),
                    ("lock", 28),
                    ("tail", 32)
                ])
            )
        );
        assert_eq!(Btf::decode(&ob.btf.encode()).unwrap(), ob.btf);
    }
}

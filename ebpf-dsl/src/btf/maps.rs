//! BTF-defined maps: the anonymous struct libbpf reads from a `.maps` section
//! (`__uint(type, BPF_MAP_TYPE_HASH); __type(key, K); ...`), for an ELF object's `.BTF`.
//!
//! Types are added in clang's order (a pointer before what it points to, the members before
//! their struct), so an object's BTF can match clang's id for id.

use super::rust::ARRAY_INDEX_TYPE;
use super::*;

/// The facts of one map that its BTF `.maps` definition describes (what
/// [`crate::MapSpec::btf_definition`] gives; kept apart from `MapSpec` so that BTF sits below
/// the specs that carry it).
#[derive(Clone, Copy, Debug)]
pub struct MapDefinition<'a> {
    /// `BPF_MAP_TYPE_*` number.
    pub map_type: u32,
    /// Key size in bytes (written when there is no key type).
    pub key_size: u32,
    /// Value size in bytes (written when there is no value type).
    pub value_size: u32,
    /// `max_entries`.
    pub max_entries: u32,
    /// `map_flags` (written when not 0).
    pub flags: u32,
    /// The key and value types, when known.
    pub btf: Option<&'a MapBtf>,
    /// For a map of maps: the shape of its inner maps, written as libbpf's
    /// `__array(values, struct { ... })` (the last member).
    pub inner: Option<InnerDefinition>,
    /// For a prog array with initial slots: a last member `__array(values, int (void))`,
    /// where the object's `.maps` relocations put the programs.
    pub prog_values: bool,
}

/// The inner maps' shape of a map of maps' definition ([`MapDefinition::inner`]): written as
/// an anonymous struct of `__uint` members.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InnerDefinition {
    /// `BPF_MAP_TYPE_*` number.
    pub map_type: u32,
    /// Key size in bytes.
    pub key_size: u32,
    /// Value size in bytes.
    pub value_size: u32,
    /// `max_entries`.
    pub max_entries: u32,
    /// `map_flags` (written when not 0).
    pub flags: u32,
}

impl Btf {
    /// Replaces the type with id `id` (which must exist) by `ty`.
    fn replace(&mut self, id: u32, ty: Type) {
        let i = id as usize - 1;
        // The index as it was before the replacement.
        super::first_ids(&mut self.index, &self.types);
        let old = std::mem::replace(&mut self.types[i], ty.clone());
        let index = super::first_ids(&mut self.index, &self.types);
        if index.get(&old) == Some(&id) {
            index.remove(&old);
            if let Some(j) = self.types.iter().position(|t| *t == old) {
                index.insert(old, j as u32 + 1);
            }
        }
        index.entry(ty).or_insert(id);
    }

    /// A pointer to the type `target` adds: an existing identical pointer when there is one,
    /// else the pointer first (clang's order), then the target.
    pub fn add_ptr_to(&mut self, target: impl Fn(&mut Btf) -> u32) -> u32 {
        let mut probe = self.clone();
        let t = target(&mut probe);
        if probe.types.len() == self.types.len() {
            return self.add(Type::new("", Kind::Ptr(t)));
        }
        let ptr = self.push(Type::new("", Kind::Ptr(u32::MAX)));
        let t = target(self);
        self.replace(ptr, Type::new("", Kind::Ptr(t)));
        ptr
    }

    /// An array of `n` elements of type `elem` indexed by clang's `__ARRAY_SIZE_TYPE__`, in
    /// clang's order (the array before its index type when that is new).
    pub fn add_array(&mut self, elem: u32, n: u32) -> u32 {
        let index_ty = Type::new(
            ARRAY_INDEX_TYPE,
            Kind::Int {
                size: 4,
                encoding: 0,
                offset: 0,
                bits: 32,
            },
        );
        let array = |index| {
            Type::new(
                "",
                Kind::Array {
                    elem,
                    index,
                    nelems: n,
                },
            )
        };
        if let Some(&index) = super::first_ids(&mut self.index, &self.types).get(&index_ty) {
            return self.add(array(index));
        }
        let id = self.push(array(u32::MAX));
        let index = self.add(index_ty);
        self.replace(id, array(index));
        id
    }

    /// The anonymous struct of an inner map's definition (`__uint` members only).
    fn add_inner_struct(&mut self, d: &InnerDefinition) -> u32 {
        let mut members = vec![
            ("type", self.add_uint_member(d.map_type)),
            ("key_size", self.add_uint_member(d.key_size)),
            ("value_size", self.add_uint_member(d.value_size)),
            ("max_entries", self.add_uint_member(d.max_entries)),
        ];
        if d.flags != 0 {
            members.push(("map_flags", self.add_uint_member(d.flags)));
        }
        let size = members.len() as u32 * 8;
        let members = members
            .into_iter()
            .enumerate()
            .map(|(i, (name, ty))| Member {
                name: name.into(),
                ty,
                bit_offset: i as u32 * 64,
                bitfield_size: 0,
            })
            .collect();
        self.add(Type::new("", Kind::Struct { size, members }))
    }

    /// `int (*name)[n]`, libbpf's `__uint(name, n)` member type: a pointer to an array of `n`
    /// ints.
    pub fn add_uint_member(&mut self, n: u32) -> u32 {
        self.add_ptr_to(|b| {
            let int = b.add(Type::int("int", 4, true));
            b.add_array(int, n)
        })
    }

    /// The `.maps` definition of a map (see [`crate::MapSpec::btf_definition`]) as libbpf reads it: the anonymous struct (`type`, `key`
    /// and `value` as types when the spec has their BTF, else `key_size` / `value_size`,
    /// `max_entries`, `map_flags` when not 0) and the global `VAR` named `symbol`. Returns the
    /// `VAR`'s id and the struct's size (for the `.maps` `DATASEC` entry).
    pub fn add_map_definition(&mut self, symbol: &str, spec: &MapDefinition<'_>) -> (u32, u32) {
        let typed = spec.btf.filter(|b| b.build().is_some());
        let mut members: Vec<(&str, u32)> = Vec::new();
        members.push(("type", self.add_uint_member(spec.map_type)));
        match typed {
            Some(b) => {
                let (key, value) = (b.key, b.value);
                members.push(("key", self.add_ptr_to(|t| key(t).unwrap_or(0))));
                members.push(("value", self.add_ptr_to(|t| value(t).unwrap_or(0))));
            }
            None => {
                if spec.key_size != 0 {
                    members.push(("key_size", self.add_uint_member(spec.key_size)));
                }
                if spec.value_size != 0 {
                    members.push(("value_size", self.add_uint_member(spec.value_size)));
                }
            }
        }
        members.push(("max_entries", self.add_uint_member(spec.max_entries)));
        if spec.flags != 0 {
            members.push(("map_flags", self.add_uint_member(spec.flags)));
        }
        let size = members.len() as u32 * 8;
        if let Some(inner) = spec.inner {
            // `__array(values, struct { .. })`: a zero-sized array of pointers to the inner
            // definition, the last member (libbpf's rule); it adds no bytes.
            let st = self.add_inner_struct(&inner);
            let ptr = self.add(Type::new("", Kind::Ptr(st)));
            members.push(("values", self.add_array(ptr, 0)));
        } else if spec.prog_values {
            // `__array(values, int (void))`: pointers to a function prototype.
            let int = i32::btf_type(self);
            let proto = self.add(Type::new(
                "",
                Kind::FuncProto {
                    ret: int,
                    params: Vec::new(),
                },
            ));
            let ptr = self.add(Type::new("", Kind::Ptr(proto)));
            members.push(("values", self.add_array(ptr, 0)));
        }
        let members = members
            .into_iter()
            .enumerate()
            .map(|(i, (name, ty))| Member {
                name: name.into(),
                ty,
                bit_offset: i as u32 * 64,
                bitfield_size: 0,
            })
            .collect();
        let st = self.push(Type::new("", Kind::Struct { size, members }));
        let var = self.push(Type::new(
            symbol,
            Kind::Var {
                ty: st,
                linkage: Linkage::Global,
            },
        ));
        (var, size)
    }
}

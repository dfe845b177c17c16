//! Initial slots of a prog array or a map of maps: what libbpf fills after creating the maps
//! and loading the programs of an object whose BTF-defined map says
//! `.values = { [1] = &tail_1 }` (a prog array) or `.values = { [0] = &inner_map }` (an
//! `array_of_maps` / `hash_of_maps`). The ELF reader reads them from the relocations of the
//! map's `values` member; a loader puts the map's fd in a map of maps' slot right after the
//! maps are created, and the program's fd in a prog array's slot once every program is loaded.
//!
//! The slots do not change what the verifier says of a program: a tail call into a prog array
//! and a lookup in a map of maps are verified against the map's type and its inner template
//! ([`super::InnerMap`]), whatever the map holds. The kernel checks a map put in a slot at the
//! update: [`InnerMap::admits`] says in advance what it compares.

use super::map_flags::BPF_F_INNER_MAP;
use super::{InnerMap, MapSpec, MapType};

/// What an initial slot holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SlotValue {
    /// A map of the same object (a map of maps' slot), by its name ([`MapSpec::name`]).
    Map(String),
    /// An entry point of the same object (a prog array's slot), by its program name
    /// ([`super::ProgramSpec::name`]: the kernel's 15 characters).
    Program(String),
}

/// One initial slot: `map[index] = value`, with the key `index` as a 4-byte integer (as
/// libbpf writes it, for a `hash_of_maps` too).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MapSlot {
    /// The prog array or map of maps, by name.
    pub map: String,
    /// The slot (the key).
    pub index: u32,
    /// What goes in it.
    pub value: SlotValue,
}

impl std::fmt::Display for SlotValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SlotValue::Map(m) => write!(f, "map `{m}`"),
            SlotValue::Program(p) => write!(f, "program `{p}`"),
        }
    }
}

impl InnerMap {
    /// Whether the kernel takes map `spec` into a map of maps whose template is `self`
    /// (`BPF_MAP_UPDATE_ELEM`'s `map_meta_equal`): the same type, key size, value size and
    /// flags, and for an `array` the same `max_entries` unless the template has
    /// [`BPF_F_INNER_MAP`]. `Err` names the first difference. The kernel also compares the
    /// special fields of the values' BTF (spin locks, timers, kptrs, list heads), which a
    /// shape does not carry: that difference shows at the update.
    pub fn admits(&self, spec: &MapSpec) -> Result<(), String> {
        let differ = |what: &str, t: String, m: String| {
            Err(format!(
                "map `{}` does not have the shape of the inner maps: its {what} is {m}, the \
                 template's {t} (the kernel's map_meta_equal refuses it with EINVAL)",
                spec.name
            ))
        };
        if spec.map_type != self.map_type {
            return differ("type", self.map_type.to_string(), spec.map_type.to_string());
        }
        if spec.key_size != self.key_size {
            return differ(
                "key size",
                self.key_size.to_string(),
                spec.key_size.to_string(),
            );
        }
        if spec.value_size != self.value_size {
            return differ(
                "value size",
                self.value_size.to_string(),
                spec.value_size.to_string(),
            );
        }
        if spec.flags != self.flags {
            return differ(
                "map_flags",
                format!("{:#x}", self.flags),
                format!("{:#x}", spec.flags),
            );
        }
        if self.map_type == MapType::Array
            && self.flags & BPF_F_INNER_MAP == 0
            && spec.max_entries != self.max_entries
        {
            return differ(
                "max_entries (compared for an array without BPF_F_INNER_MAP)",
                self.max_entries.to_string(),
                spec.max_entries.to_string(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn array(max: u32, flags: u32) -> MapSpec {
        InnerMap {
            map_type: MapType::Array,
            key_size: 4,
            value_size: 8,
            max_entries: max,
            flags,
        }
        .spec("m")
    }

    #[test]
    fn admits_compares_what_the_kernel_compares() {
        let t = InnerMap::of(&array(4, 0));
        assert_eq!(t.admits(&array(4, 0)), Ok(()));
        let e = t.admits(&array(8, 0)).unwrap_err();
        assert!(
            e.contains("max_entries") && e.contains("is 8, the template's 4"),
            "{e}"
        );
        // BPF_F_INNER_MAP: any size, but the flags must still be the same.
        let t = InnerMap::of(&array(4, BPF_F_INNER_MAP));
        assert_eq!(t.admits(&array(8, BPF_F_INNER_MAP)), Ok(()));
        assert!(t.admits(&array(8, 0)).unwrap_err().contains("map_flags"));
        // A hash's max_entries is not compared; its type and sizes are.
        let mut h = array(4, 0);
        h.map_type = MapType::Hash;
        let t = InnerMap::of(&h);
        h.max_entries = 100;
        assert_eq!(t.admits(&h), Ok(()));
        h.value_size = 4;
        assert!(t.admits(&h).unwrap_err().contains("value size"));
        assert!(t.admits(&array(4, 0)).unwrap_err().contains("type"));
    }
}

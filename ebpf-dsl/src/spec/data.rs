//! Initial contents of a map: global data (`.data`, `.rodata`, `.bss`, ...) read from an
//! object, or a text program's `.map ... init=HEX` ([`crate::asm::mapdecl`]). A loader writes
//! the bytes as the value of key 0 after creating the map and freezes it when read-only; the
//! ELF writer makes them the contents of the data section.

use super::map_flags::BPF_F_RDONLY_PROG;
use super::MapSpec;

/// A map's initial contents (the value of key 0; for global data, the whole section).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GlobalData {
    /// The map's name (for an object's section, see `elf::data_map_name`).
    pub map: String,
    /// The section it came from or goes to (`.data`, `.rodata`, `.bss`, `.rodata.str1.1`,
    /// ...; the map's name for a text declaration).
    pub section: String,
    /// The initial value (zeros for `.bss`).
    pub bytes: Vec<u8>,
    /// `.rodata*` (or a map created with [`BPF_F_RDONLY_PROG`]): the map should be frozen
    /// after its contents are written.
    pub read_only: bool,
}

impl GlobalData {
    /// The initial contents `init` of the array map `spec` (value of key 0): `init` padded
    /// with zeros to the value size, read-only when the map has [`BPF_F_RDONLY_PROG`].
    /// `Err` when the map is no array or `init` is longer than a value.
    pub fn for_map(spec: &MapSpec, init: &[u8]) -> Result<GlobalData, String> {
        if spec.map_type != super::MapType::Array {
            return Err(format!(
                "map `{}`: initial contents are for array maps (the value of key 0), not {}",
                spec.name, spec.map_type
            ));
        }
        let size = spec.value_size as usize;
        if init.len() > size {
            return Err(format!(
                "map `{}`: {} bytes of initial contents do not fit its {size}-byte value",
                spec.name,
                init.len()
            ));
        }
        let mut bytes = init.to_vec();
        bytes.resize(size, 0);
        Ok(GlobalData {
            map: spec.name.to_string(),
            section: spec.name.to_string(),
            bytes,
            read_only: spec.flags & BPF_F_RDONLY_PROG != 0,
        })
    }
}

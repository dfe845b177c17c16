//! Filling the initial slots of prog arrays and maps of maps ([`MapSlot`], an object's
//! `.values = { [i] = &x }`), as libbpf fills them: a map of maps' slots get their maps' fds
//! once every map is created (before any program loads), a prog array's slots their programs'
//! fds once every program is loaded. Each failure is an [`Error::InitialSlot`] naming the map,
//! the slot and what was to go in it.

use std::collections::BTreeMap;
use std::os::fd::AsRawFd;

use ebpf_dsl::spec::{MapSlot, SlotValue};
use ebpf_dsl::MapType;

use super::maps::Map;
use super::program::Program;
use crate::error::{Error, Result};

fn slot_err(
    s: &MapSlot,
    errno: Option<i32>,
    reason: impl Into<std::borrow::Cow<'static, str>>,
) -> Error {
    Error::InitialSlot {
        map: s.map.clone(),
        index: s.index,
        value: s.value.to_string(),
        errno,
        reason: reason.into(),
    }
}

/// The map of slot `s`, one this loader created (not one given with `use_map`: it fills
/// neither those nor their slots), of a type that takes `value`'s kind.
fn slot_map<'m>(
    s: &MapSlot,
    maps: &'m BTreeMap<String, Map>,
    existing: &[String],
) -> Result<&'m Map> {
    if existing.contains(&s.map) {
        return Err(slot_err(
            s,
            None,
            "the map is an existing one (use_map): this loader does not fill its slots",
        ));
    }
    let map = maps
        .get(&s.map)
        .ok_or_else(|| slot_err(s, None, "no map of that name is created"))?;
    let ok = match (&s.value, map.map_type()) {
        (SlotValue::Map(_), Some(MapType::ArrayOfMaps)) => true,
        (SlotValue::Map(_), Some(MapType::HashOfMaps)) => map.key_size() == 4,
        (SlotValue::Program(_), Some(MapType::ProgArray)) => true,
        _ => false,
    };
    if !ok {
        return Err(slot_err(
            s,
            None,
            format!(
                "initial slots hold maps in an array_of_maps or a hash_of_maps with 4-byte \
                 keys, programs in a prog array; this map is {}",
                map.map_type()
                    .map_or("of an unknown type".to_string(), |t| format!(
                        "a {t} with {}-byte keys",
                        map.key_size()
                    ))
            ),
        ));
    }
    Ok(map)
}

/// Writes fd `fd` at slot `s` of `map`, the kernel's refusal explained by `why`.
fn put(map: &Map, s: &MapSlot, fd: i32, why: impl Fn(i32) -> &'static str) -> Result<()> {
    map.update(
        &s.index.to_ne_bytes(),
        &(fd as u32).to_ne_bytes(),
        Default::default(),
    )
    .map_err(|e| match e.errno() {
        Some(errno) => slot_err(s, Some(errno), why(errno)),
        None => slot_err(s, None, e.to_string()),
    })
}

/// Fills the maps of maps' slots of `slots` (the maps are all created).
pub(super) fn fill_map_slots(
    slots: &[MapSlot],
    maps: &BTreeMap<String, Map>,
    existing: &[String],
) -> Result<()> {
    for s in slots {
        let SlotValue::Map(inner) = &s.value else {
            continue;
        };
        let map = slot_map(s, maps, existing)?;
        let inner = maps
            .get(inner)
            .ok_or_else(|| slot_err(s, None, "no map of that name is created"))?;
        put(map, s, inner.fd().as_raw_fd(), |errno| match errno {
            libc::EINVAL => {
                "the map does not have the shape of the inner maps the map of maps was created \
                 for (type, key and value sizes, flags, an array's max_entries, the special \
                 fields of the value's BTF)"
            }
            libc::E2BIG => "the slot is beyond the map's max_entries (or the hash is full)",
            _ => "the kernel refused the update",
        })?;
    }
    Ok(())
}

/// Fills the prog arrays' slots of `slots` (the programs are all loaded).
pub(super) fn fill_prog_slots(
    slots: &[MapSlot],
    maps: &BTreeMap<String, Map>,
    existing: &[String],
    programs: &BTreeMap<String, Program>,
) -> Result<()> {
    for s in slots {
        let SlotValue::Program(p) = &s.value else {
            continue;
        };
        let map = slot_map(s, maps, existing)?;
        let prog = programs.get(p).ok_or_else(|| {
            slot_err(
                s,
                None,
                "no program of that name is loaded (Loader::object loads the programs the \
                 object's prog-array slots name)",
            )
        })?;
        put(map, s, prog.fd().as_raw_fd(), |errno| match errno {
            libc::EINVAL => {
                "the program does not match the prog array's owner, the first program that \
                 used it or was put in it (program type, JIT, XDP frags, attach type)"
            }
            libc::E2BIG => "the slot is beyond the prog array's max_entries",
            _ => "the kernel refused the update",
        })?;
    }
    Ok(())
}

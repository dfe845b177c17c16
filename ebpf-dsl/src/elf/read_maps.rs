//! The maps an object declares besides its BTF-defined ones, for [`super::read`]: the legacy
//! `maps` section (`struct bpf_map_def`, or iproute2's `struct bpf_elf_map` with its map of
//! maps' `inner_id`), the `.kconfig` map of its `__kconfig` externs, and the renaming that
//! keeps map names distinct across sections.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::raw::{u32_at, Elf, Section, STB_GLOBAL, STB_WEAK, STT_SECTION};
use super::ElfError;
use crate::spec::{InnerMap, MapSpec, MapType};

/// The size of iproute2's `struct bpf_elf_map` (tc's legacy map definition, which cilium's
/// loader reads too): nine `u32`, the five of `struct bpf_map_def` then `id`, `pinning`,
/// `inner_id` and `inner_idx`.
const BPF_ELF_MAP_SIZE: u64 = 36;
/// Where `id` is in a `struct bpf_elf_map`: the number its map of maps' `inner_id` names.
const ELF_MAP_ID: usize = 20;
/// Where `inner_id` is: for a map of maps, the `id` of the map whose shape its inner maps have
/// (iproute2 creates the map of maps with that map as `inner_map_fd`).
const ELF_MAP_INNER_ID: usize = 28;

fn err(section: &str, offset: u64, reason: impl Into<String>) -> ElfError {
    ElfError::in_section(section, offset, reason)
}

/// The `.kconfig` map of the object's `__kconfig` externs ([`super::kconfig`]), if it has any.
pub(super) fn kconfig_map(
    elf: &Elf<'_>,
    kconfig: Option<&super::Kconfig>,
) -> Result<Option<super::kconfig::KconfigMap>, ElfError> {
    let Some(b) = elf.section(".BTF") else {
        return Ok(None);
    };
    let externs: Vec<(String, bool)> = elf
        .symbols
        .iter()
        .filter(|y| y.shndx == 0 && (y.bind == STB_GLOBAL || y.bind == STB_WEAK))
        .filter(|y| !y.name.is_empty())
        .map(|y| (y.name.clone(), y.bind == STB_WEAK))
        .collect();
    if externs.is_empty() {
        return Ok(None);
    }
    let btf = crate::btf::Btf::decode(b.data)?;
    super::kconfig::kconfig_map(&btf, &externs, kconfig)
        .map_err(|why| err(super::kconfig::KCONFIG_MAP, 0, why))
}

/// Maps of different sections (a legacy `maps` and `.maps`, as cilium's datapath declares its
/// tail-call array in the one and the rest in the other) whose names share their first 15
/// characters: each section's names are already distinct (`unique_kernel_names`), so this
/// names all the object's map symbols again as one list, in the same way. Nothing changes
/// for an object without such a pair.
pub(super) fn distinct_across_sections(
    symbol_maps: &[(String, usize)],
    maps: &mut [MapSpec],
    map_names: &mut BTreeMap<String, String>,
) {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    let clash = symbol_maps.iter().any(|(full, i)| {
        let name = maps[*i].name_str();
        *seen.entry(name).or_insert(full.as_str()) != full.as_str()
    });
    if !clash {
        return;
    }
    let full: Vec<&str> = symbol_maps.iter().map(|(f, _)| f.as_str()).collect();
    let names = super::unique_kernel_names(&full);
    for ((f, i), name) in symbol_maps.iter().zip(names) {
        map_names.insert(f.clone(), name.clone());
        maps[*i].name = Cow::Owned(name);
    }
}

pub(super) fn legacy_maps(
    elf: &Elf<'_>,
    s: &Section<'_>,
) -> Result<Vec<(String, MapSpec)>, ElfError> {
    let syms: Vec<_> = elf
        .symbols
        .iter()
        .filter(|y| y.shndx as usize == s.index && y.kind != STT_SECTION && !y.name.is_empty())
        .collect();
    let full: Vec<&str> = syms.iter().map(|y| y.name.as_str()).collect();
    let knames = super::unique_kernel_names(&full);
    let mut out = Vec::new();
    // Per map: its `bpf_elf_map` `id` and `inner_id` (0, 0 for a `struct bpf_map_def`).
    let mut ids = Vec::new();
    for (y, kname) in syms.iter().zip(knames) {
        let size = if y.size != 0 {
            y.size
        } else {
            s.size / syms.len() as u64
        };
        if size < 20 || y.value.saturating_add(20) > s.data.len() as u64 {
            return Err(err(
                &s.name,
                y.value,
                format!(
                    "map `{}`: a struct bpf_map_def needs 20 bytes, it has {size}",
                    y.name
                ),
            ));
        }
        let d = &s.data[y.value as usize..];
        let t = u32_at(d, 0);
        let elf_map =
            size == BPF_ELF_MAP_SIZE && y.value.saturating_add(size) <= s.data.len() as u64;
        ids.push(if elf_map {
            (u32_at(d, ELF_MAP_ID), u32_at(d, ELF_MAP_INNER_ID))
        } else {
            (0, 0)
        });
        out.push((
            y.name.clone(),
            MapSpec {
                name: Cow::Owned(kname),
                map_type: MapType::from_u32(t).ok_or_else(|| {
                    err(
                        &s.name,
                        y.value,
                        format!("map `{}`: unknown map type {t}", y.name),
                    )
                })?,
                key_size: u32_at(d, 4),
                value_size: u32_at(d, 8),
                max_entries: u32_at(d, 12),
                flags: u32_at(d, 16),
                btf: None,
                inner: None,
            },
        ));
    }
    elf_map_inners(s, &syms, &ids, &mut out)?;
    Ok(out)
}

/// The inner shape of each map of maps declared as iproute2's `struct bpf_elf_map`: the map
/// of the same section whose `id` is its `inner_id`, as tc's loader creates it (that map's
/// fd as `inner_map_fd`). A map of maps whose `inner_id` names no map, or names another map
/// of maps, is an error, as it is for tc; one with `inner_id` 0 keeps no inner shape (the
/// kernel then refuses to create it).
fn elf_map_inners(
    s: &Section<'_>,
    syms: &[&super::raw::Symbol],
    ids: &[(u32, u32)],
    out: &mut [(String, MapSpec)],
) -> Result<(), ElfError> {
    for i in 0..out.len() {
        let (_, inner_id) = ids[i];
        let outer = &out[i].1;
        if inner_id == 0 || !matches!(outer.map_type, MapType::ArrayOfMaps | MapType::HashOfMaps) {
            continue;
        }
        let found = (0..out.len()).find(|&j| j != i && ids[j].0 == inner_id);
        let Some(j) = found else {
            return Err(err(
                &s.name,
                syms[i].value,
                format!(
                    "map `{}`: its bpf_elf_map inner_id {inner_id} is the id of no map of \
                     this section",
                    out[i].0
                ),
            ));
        };
        let template = &out[j].1;
        if matches!(
            template.map_type,
            MapType::ArrayOfMaps | MapType::HashOfMaps
        ) {
            return Err(err(
                &s.name,
                syms[i].value,
                format!(
                    "map `{}`: its inner map `{}` (inner_id {inner_id}) holds maps itself \
                     (one level of nesting)",
                    out[i].0, out[j].0
                ),
            ));
        }
        out[i].1.inner = Some(InnerMap::of(template));
    }
    Ok(())
}

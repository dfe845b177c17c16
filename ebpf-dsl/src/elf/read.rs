//! Reading a clang-compiled relocatable object into [`Object`]: programs by entry point, with
//! the `.text` subprograms they call appended and their calls re-targeted, map and
//! global-data relocations, legacy and BTF-defined maps, global data.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::raw::{
    u32_at, Elf, Rel, Section, R_BPF_64_32, R_BPF_64_64, SHF_EXECINSTR, SHT_NOBITS, SHT_PROGBITS,
    STB_LOCAL, STT_FUNC, STT_SECTION,
};
use super::{
    data_map_name, is_data_section, kernel_name, program_type_for_section, ElfError, ElfProgram,
    GlobalData, Object, BPF_F_RDONLY_PROG,
};
use crate::isa::insn::Insn;
use crate::spec::{MapSpec, MapType, ProgramSpec, RelocKind, Relocation};

fn err(section: &str, offset: u64, reason: impl Into<String>) -> ElfError {
    ElfError {
        section: Some(section.into()),
        offset,
        reason: reason.into(),
    }
}

/// A function placed in the program being built: its section, byte range, first slot.
struct Placed {
    sec: usize,
    start: u64,
    end: u64,
    base: usize,
}

struct Ctx<'e, 'a> {
    elf: &'e Elf<'a>,
    rels: BTreeMap<usize, Vec<Rel>>,
    maps: Vec<MapSpec>,
}

/// Reads an object (see [`super::read_object`]).
pub fn read(bytes: &[u8]) -> Result<Object, ElfError> {
    let elf = Elf::parse(bytes)?;
    let license = match elf.section("license") {
        Some(s) => {
            let end = s.data.iter().position(|&b| b == 0).unwrap_or(s.data.len());
            String::from_utf8_lossy(&s.data[..end]).into_owned()
        }
        None => String::new(),
    };
    let mut maps = Vec::new();
    let mut data = Vec::new();
    for s in &elf.sections {
        if s.name == "maps" || s.name.starts_with("maps/") {
            maps.extend(legacy_maps(&elf, s)?);
        } else if s.name == ".maps" {
            let btf = elf
                .section(".BTF")
                .ok_or_else(|| err(".maps", 0, "BTF-defined maps need a .BTF section"))?;
            maps.extend(super::btf_maps::maps_from_btf(btf.data)?);
        } else if is_data_section(&s.name)
            && matches!(s.sh_type, SHT_PROGBITS | SHT_NOBITS)
            && s.size > 0
        {
            let value_size = u32::try_from(s.size)
                .map_err(|_| err(&s.name, 0, "a global data section over 4 GiB"))?;
            let read_only = s.name.starts_with(".rodata");
            let name = data_map_name(&s.name);
            maps.push(MapSpec {
                name: Cow::Owned(name.clone()),
                map_type: MapType::Array,
                key_size: 4,
                value_size,
                max_entries: 1,
                flags: if read_only { BPF_F_RDONLY_PROG } else { 0 },
            });
            data.push(GlobalData {
                map: name,
                section: s.name.clone(),
                bytes: if s.sh_type == SHT_NOBITS {
                    vec![0; s.size as usize]
                } else {
                    s.data.to_vec()
                },
                read_only,
            });
        }
    }
    let mut rels = BTreeMap::new();
    for s in &elf.sections {
        if s.flags & SHF_EXECINSTR != 0 {
            rels.insert(s.index, elf.rels_for(s.index)?);
        }
    }
    maps.sort_by(|a, b| a.name.cmp(&b.name));
    let ctx = Ctx {
        elf: &elf,
        rels,
        maps,
    };
    let mut programs = Vec::new();
    let mut skipped = Vec::new();
    for s in &elf.sections {
        if s.flags & SHF_EXECINSTR == 0 || s.sh_type != SHT_PROGBITS || s.name == ".text" {
            continue;
        }
        let Some(prog_type) = program_type_for_section(&s.name) else {
            skipped.push(s.name.clone());
            continue;
        };
        let mut entries: Vec<_> = elf
            .symbols
            .iter()
            .filter(|y| y.shndx as usize == s.index && y.kind == STT_FUNC && y.bind != STB_LOCAL)
            .collect();
        entries.sort_by_key(|y| y.value);
        if entries.is_empty() {
            return Err(err(
                &s.name,
                0,
                "a program section with no global function symbol",
            ));
        }
        for e in entries {
            let size = if e.size == 0 {
                s.size - e.value.min(s.size)
            } else {
                e.size
            };
            let spec = ctx.program(s, &e.name, e.value, size, prog_type, &license)?;
            programs.push(ElfProgram {
                section: s.name.clone(),
                function: e.name.clone(),
                spec,
            });
        }
    }
    data.sort_by(|a, b| a.map.cmp(&b.map));
    Ok(Object {
        license,
        programs,
        maps: ctx.maps,
        data,
        skipped,
    })
}

fn legacy_maps(elf: &Elf<'_>, s: &Section<'_>) -> Result<Vec<MapSpec>, ElfError> {
    let syms: Vec<_> = elf
        .symbols
        .iter()
        .filter(|y| y.shndx as usize == s.index && y.kind != STT_SECTION && !y.name.is_empty())
        .collect();
    let mut out = Vec::new();
    for y in &syms {
        let size = if y.size != 0 {
            y.size
        } else {
            s.size / syms.len() as u64
        };
        if size < 20 || y.value + 20 > s.size {
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
        out.push(MapSpec {
            name: Cow::Owned(kernel_name(&y.name)),
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
        });
    }
    Ok(out)
}

impl Ctx<'_, '_> {
    /// The function of section `sec` that contains byte `off`: (start, end).
    fn function_at(&self, sec: usize, off: u64) -> Result<(u64, u64), ElfError> {
        let s = &self.elf.sections[sec];
        let f = self.elf.symbols.iter().find(|y| {
            y.shndx as usize == sec
                && y.kind == STT_FUNC
                && y.value <= off
                && off < y.value + y.size
        });
        match f {
            Some(y) => Ok((y.value, y.value + y.size)),
            None => Err(err(
                &s.name,
                off,
                "a call targets an offset that is in no function symbol",
            )),
        }
    }

    fn program(
        &self,
        s: &Section<'_>,
        name: &str,
        start: u64,
        size: u64,
        prog_type: crate::spec::ProgramType,
        license: &str,
    ) -> Result<ProgramSpec, ElfError> {
        let mut insns: Vec<Insn> = Vec::new();
        let mut relocations = Vec::new();
        let mut placed = vec![Placed {
            sec: s.index,
            start,
            end: start + size,
            base: 0,
        }];
        // (slot of the call, target section, target byte offset)
        let mut calls: Vec<(usize, usize, u64)> = Vec::new();
        let mut next = 0;
        while next < placed.len() {
            let (sec, pstart, pend) = (placed[next].sec, placed[next].start, placed[next].end);
            next += 1;
            let section = &self.elf.sections[sec];
            if pend > section.size || pstart % 8 != 0 || pend % 8 != 0 {
                return Err(err(
                    &section.name,
                    pstart,
                    "a function's range is not whole slots inside its section",
                ));
            }
            let base = insns.len();
            for c in section.data[pstart as usize..pend as usize].chunks_exact(8) {
                let mut b = [0u8; 8];
                b.copy_from_slice(c);
                insns.push(Insn::from_bytes(b));
            }
            let rels = self.rels.get(&sec).map(Vec::as_slice).unwrap_or(&[]);
            let here = |slot: usize| pstart + 8 * (slot - base) as u64;
            for slot in base..insns.len() {
                let off = here(slot);
                let rel = rels.iter().find(|r| r.offset == off);
                let insn = insns[slot];
                let is_call = insn.code == 0x85 && insn.src() == 1;
                if is_call {
                    let target = match rel {
                        Some(r) if r.kind == R_BPF_64_32 => {
                            let y = &self.elf.symbols[r.sym as usize];
                            (
                                y.shndx as usize,
                                y.value as i64 + (i64::from(insn.imm) + 1) * 8,
                            )
                        }
                        Some(r) => {
                            return Err(err(
                                &section.name,
                                off,
                                format!("relocation type {} on a call", r.kind),
                            ))
                        }
                        None => (sec, off as i64 + 8 + i64::from(insn.imm) * 8),
                    };
                    let t_off = u64::try_from(target.1).map_err(|_| {
                        err(&section.name, off, "a call before the start of its section")
                    })?;
                    if target.0 >= self.elf.sections.len() {
                        return Err(err(
                            &section.name,
                            off,
                            "a call into an undefined function (extern calls are not supported)",
                        ));
                    }
                    calls.push((slot, target.0, t_off));
                    let inside = placed
                        .iter()
                        .any(|p| p.sec == target.0 && p.start <= t_off && t_off < p.end);
                    if !inside {
                        let (fs, fe) = self.function_at(target.0, t_off)?;
                        let planned: usize = placed
                            .iter()
                            .map(|p| ((p.end - p.start) / 8) as usize)
                            .sum();
                        placed.push(Placed {
                            sec: target.0,
                            start: fs,
                            end: fe,
                            base: planned,
                        });
                    }
                    continue;
                }
                let Some(r) = rel else { continue };
                if r.kind != R_BPF_64_64 {
                    return Err(err(
                        &section.name,
                        off,
                        format!(
                            "unsupported relocation type {} (only R_BPF_64_64 and R_BPF_64_32)",
                            r.kind
                        ),
                    ));
                }
                if !insn.is_ld_imm64() || slot + 1 >= insns.len() {
                    return Err(err(
                        &section.name,
                        off,
                        "an R_BPF_64_64 relocation on an instruction that is not an ld_imm64",
                    ));
                }
                let y = &self.elf.symbols[r.sym as usize];
                let target = self.elf.sections.get(y.shndx as usize).ok_or_else(|| {
                    err(
                        &section.name,
                        off,
                        format!("`{}` is an extern symbol (not supported)", y.name),
                    )
                })?;
                let (symbol, kind) = if target.name == "maps"
                    || target.name.starts_with("maps/")
                    || target.name == ".maps"
                {
                    (kernel_name(&y.name), RelocKind::MapFd)
                } else if is_data_section(&target.name) {
                    let offset = y.value as i64 + i64::from(insn.imm);
                    let offset = u32::try_from(offset)
                        .map_err(|_| err(&section.name, off, "a negative global-data offset"))?;
                    (data_map_name(&target.name), RelocKind::MapValue { offset })
                } else {
                    return Err(err(
                        &section.name,
                        off,
                        format!(
                            "`{}` in section `{}` is neither a map nor global data",
                            y.name, target.name
                        ),
                    ));
                };
                if !self.maps.iter().any(|m| m.name_str() == symbol) {
                    return Err(err(
                        &section.name,
                        off,
                        format!("the object declares no map `{symbol}`"),
                    ));
                }
                let (src, hi) = match kind {
                    RelocKind::MapFd => (1, 0),
                    RelocKind::MapValue { offset } => (2, offset as i32),
                };
                insns[slot] = Insn::new(insn.code, insn.dst(), src, insn.off, 0);
                insns[slot + 1].imm = hi;
                relocations.push(Relocation {
                    insn_index: slot,
                    symbol: Cow::Owned(symbol),
                    kind,
                });
            }
        }
        for (slot, tsec, t_off) in calls {
            let p = placed
                .iter()
                .find(|p| p.sec == tsec && p.start <= t_off && t_off < p.end)
                .ok_or_else(|| err(&s.name, 0, "a call target was not placed"))?;
            let target = p.base as i64 + ((t_off - p.start) / 8) as i64;
            let rel = target - (slot as i64 + 1);
            insns[slot].imm =
                i32::try_from(rel).map_err(|_| err(&s.name, 0, "a call offset beyond 32 bits"))?;
        }
        let mut used: Vec<MapSpec> = Vec::new();
        for r in &relocations {
            if !used.iter().any(|m| m.name == r.symbol) {
                if let Some(m) = self.maps.iter().find(|m| m.name == r.symbol) {
                    used.push(m.clone());
                }
            }
        }
        used.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(ProgramSpec {
            name: Cow::Owned(kernel_name(name)),
            prog_type,
            license: Cow::Owned(license.to_string()),
            insns: Cow::Owned(insns),
            relocations: Cow::Owned(relocations),
            maps: Cow::Owned(used),
        })
    }
}

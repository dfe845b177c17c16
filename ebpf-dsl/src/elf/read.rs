//! Reading a clang-compiled relocatable object into [`Object`]: programs by entry point, with
//! the `.text` subprograms they call (or take as callbacks) appended and their calls and
//! callback addresses re-targeted, map and global-data relocations, legacy and BTF-defined
//! maps, global data.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::exception::{exception_callback, exception_tags};
use super::raw::{
    Elf, Rel, Section, R_BPF_64_32, R_BPF_64_64, SHF_EXECINSTR, SHT_NOBITS, SHT_PROGBITS,
    STB_LOCAL, STB_WEAK, STT_FUNC,
};
use super::read_maps::{distinct_across_sections, kconfig_map, legacy_maps};
use super::{
    data_map_name, is_data_section, kernel_name, program_type_for_section, ElfError, ElfProgram,
    GlobalData, Object, BPF_F_RDONLY_PROG,
};
use crate::btf::SourceLine;
use crate::isa::insn::Insn;
use crate::spec::{MapSpec, MapType, ProgramSpec, RelocKind, Relocation};

/// libbpf's `POISON_CALL_KFUNC_BASE`: a call of a weak kfunc the kernel lacks becomes a call
/// of helper 2002000000 + the extern's index.
const POISON_CALL_KFUNC_BASE: i32 = 2_002_000_000;

/// The largest global-data section taken (64 MiB; the kernel's array values are smaller).
const MAX_DATA: u64 = 1 << 26;

fn err(section: &str, offset: u64, reason: impl Into<String>) -> ElfError {
    ElfError::in_section(section, offset, reason)
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
    /// A map symbol's name to its map's name (`super::unique_kernel_names`).
    map_names: BTreeMap<String, String>,
    /// `.BTF.ext` line_info by section name (slots relative to the section).
    lines: BTreeMap<String, Vec<crate::btf::LineInfo>>,
    /// `.BTF` and its `.BTF.ext` func_info by section name, when both decode: which
    /// functions are global ([`crate::btf::GlobalFunc::from_btf`]).
    funcs: Option<(crate::btf::Btf, BTreeMap<String, Vec<crate::btf::FuncInfo>>)>,
    /// `.BTF.ext` CO-RE relocations (applied against the target's BTF where they can be,
    /// else the program is refused).
    core: super::core_relo::CoreRelos<'e>,
    /// The offsets of the `__kconfig` externs in the `.kconfig` map.
    kconfig: BTreeMap<String, u32>,
    /// Where the target kernel has the `.ksyms` externs (`None` without a target).
    ksyms: Option<super::ksyms::KsymResolution>,
    /// Set by [`Ctx::extern_call`] when it refuses a kfunc the target kernel has but this
    /// crate does not model: that refusal is the one program's ([`super::Object::unexpressed`]).
    unmodelled_kfunc: std::cell::Cell<bool>,
}

/// The object's BTF (see [`super::object_btf`]).
pub fn object_btf(bytes: &[u8]) -> Result<Option<super::ObjectBtf>, ElfError> {
    let elf = Elf::parse(bytes)?;
    let Some(b) = elf.section(".BTF") else {
        return Ok(None);
    };
    let mut btf = crate::btf::Btf::decode(b.data)?;
    fixup_datasecs(&elf, &mut btf);
    let maps = if elf.section(".maps").is_some() {
        super::btf_maps::maps_in(&btf)?
            .into_iter()
            .map(|(_, t)| t)
            .collect()
    } else {
        Vec::new()
    };
    Ok(Some(super::ObjectBtf { btf, maps }))
}

/// The offsets of the variables of the global data sections' `DATASEC`s, which clang leaves
/// 0, from the symbol table (libbpf's `btf_fixup_datasec` does the same before loading the
/// BTF): the special fields of such a section (a `bpf_spin_lock`, graph roots, kptrs) are
/// where its symbols are.
fn fixup_datasecs(elf: &Elf, btf: &mut crate::btf::Btf) {
    use crate::btf::Kind;
    let names: Vec<String> = btf.types.iter().map(|t| t.name.clone()).collect();
    for t in btf.types.iter_mut() {
        if !is_data_section(&t.name) {
            continue;
        }
        let Some(shndx) = elf.sections.iter().position(|s| s.name == t.name) else {
            continue;
        };
        let Kind::Datasec { size, vars } = &mut t.kind else {
            continue;
        };
        *size = elf.sections[shndx].size as u32;
        for v in vars.iter_mut() {
            let Some(var) = v.ty.checked_sub(1).and_then(|i| names.get(i as usize)) else {
                continue;
            };
            if let Some(sym) = elf
                .symbols
                .iter()
                .find(|s| s.shndx as usize == shndx && &s.name == var)
            {
                v.offset = sym.value as u32;
            }
        }
    }
}

/// The object's `.BTF.ext` (decoded once for its three parts: [`ext_lines`], [`ext_funcs`],
/// the CO-RE relocations), with the `.BTF` it refers to; `None` without both.
fn ext_of<'a>(elf: &Elf<'a>) -> Result<Option<(&'a [u8], crate::btf::BtfExt)>, ElfError> {
    let (Some(b), Some(e)) = (elf.section(".BTF"), elf.section(".BTF.ext")) else {
        return Ok(None);
    };
    Ok(Some((b.data, crate::btf::BtfExt::decode(e.data, b.data)?)))
}

/// The `line_info` of the object's `.BTF.ext` (file, line, column and source text from the
/// `.BTF` string table), by section; empty without `.BTF` and `.BTF.ext`.
fn ext_lines(
    line_info: Vec<crate::btf::ExtSection<crate::btf::LineInfo>>,
) -> BTreeMap<String, Vec<crate::btf::LineInfo>> {
    let mut out: BTreeMap<String, Vec<crate::btf::LineInfo>> = BTreeMap::new();
    for s in line_info {
        // A section's records are moved, not copied (a section named twice is appended to).
        match out.entry(s.name) {
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(s.records);
            }
            std::collections::btree_map::Entry::Occupied(mut e) => e.get_mut().extend(s.records),
        }
    }
    out
}

/// A program as read: its spec, its global functions, its subprograms' BTF function info.
type ProgramParts = (
    ProgramSpec,
    Vec<crate::btf::GlobalFunc>,
    Option<Vec<crate::btf::SubprogFunc>>,
);

/// The object's `.BTF` (`btf`) and `.BTF.ext` func_info by section (`None` without both, or
/// when `.BTF` does not decode: every function is then taken as static, as before).
#[allow(clippy::type_complexity)]
fn ext_funcs(
    btf: &[u8],
    func_info: Vec<crate::btf::ExtSection<crate::btf::FuncInfo>>,
) -> Option<(crate::btf::Btf, BTreeMap<String, Vec<crate::btf::FuncInfo>>)> {
    let btf = crate::btf::Btf::decode(btf).ok()?;
    let mut out: BTreeMap<String, Vec<crate::btf::FuncInfo>> = BTreeMap::new();
    for s in func_info {
        out.entry(s.name).or_default().extend(s.records);
    }
    Some((btf, out))
}

/// Reads an object (see [`super::read_object`] and [`super::read_object_as`]): `unknown` is
/// the type of the program sections whose name gives none.
pub fn read(bytes: &[u8], opts: &super::ReadOptions<'_>) -> Result<Object, ElfError> {
    let (unknown, target, kconfig) = (opts.unknown, opts.btf, opts.kconfig);
    let elf = Elf::parse(bytes)?;
    // libbpf resolves the `.ksyms` externs before anything else loads: one it cannot
    // resolve refuses the whole object.
    let ksyms = match target {
        Some(t) => {
            let r = super::ksyms::resolve_of(&elf, t, opts.modules)?;
            if let Some(why) = r.refusal() {
                return Err(err(".ksyms", 0, why));
            }
            Some(r)
        }
        None => None,
    };
    let license = match elf.section("license") {
        Some(s) => {
            let end = s.data.iter().position(|&b| b == 0).unwrap_or(s.data.len());
            String::from_utf8_lossy(&s.data[..end]).into_owned()
        }
        None => String::new(),
    };
    let mut maps = Vec::new();
    // The map symbols' names in the object, to the maps' (kernel) names.
    let mut map_names = BTreeMap::new();
    // Each map symbol (its full name) and its index in `maps`.
    let mut symbol_maps: Vec<(String, usize)> = Vec::new();
    let mut data = Vec::new();
    // The `.maps` section's index and its maps' names (for the initial slots).
    let (mut maps_section, mut btf_defs) = (None, Vec::new());
    // `.BTF` is decoded for the `.maps` definitions only.
    let btf = match (elf.section(".BTF"), elf.section(".maps")) {
        (Some(b), Some(_)) => Some(crate::btf::Btf::decode(b.data)?),
        _ => None,
    };
    for s in &elf.sections {
        if s.name == "maps" || s.name.starts_with("maps/") {
            for (full, m) in legacy_maps(&elf, s)? {
                map_names.insert(full.clone(), m.name_str().to_string());
                symbol_maps.push((full, maps.len()));
                maps.push(m);
            }
        } else if s.name == ".maps" {
            let btf = btf
                .as_ref()
                .ok_or_else(|| err(".maps", 0, "BTF-defined maps need a .BTF section"))?;
            maps_section = Some(s.index);
            for (m, t) in super::btf_maps::maps_in(btf)? {
                map_names.insert(t.symbol.clone(), t.map.clone());
                symbol_maps.push((t.symbol.clone(), maps.len()));
                btf_defs.push(t);
                maps.push(m);
            }
        } else if is_data_section(&s.name)
            && matches!(s.sh_type, SHT_PROGBITS | SHT_NOBITS)
            && s.size > 0
        {
            if s.size > MAX_DATA {
                return Err(err(
                    &s.name,
                    0,
                    format!(
                        "a global data section of {} bytes (at most {MAX_DATA})",
                        s.size
                    ),
                ));
            }
            let value_size = s.size as u32;
            let read_only = s.name.starts_with(".rodata");
            let name = data_map_name(&s.name);
            maps.push(MapSpec {
                name: Cow::Owned(name.clone()),
                map_type: MapType::Array,
                key_size: 4,
                value_size,
                max_entries: 1,
                flags: if read_only { BPF_F_RDONLY_PROG } else { 0 },
                btf: None,
                inner: None,
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
    distinct_across_sections(&symbol_maps, &mut maps, &mut map_names);
    // The slots name maps by their final names.
    for d in &mut btf_defs {
        if let Some(n) = map_names.get(&d.symbol) {
            d.map.clone_from(n);
        }
    }
    let mut kconfig_offsets = BTreeMap::new();
    if let Some(k) = kconfig_map(&elf, kconfig)? {
        maps.push(k.map);
        data.push(k.data);
        kconfig_offsets = k.offsets;
    }
    let mut rels = BTreeMap::new();
    for s in &elf.sections {
        if s.flags & SHF_EXECINSTR != 0 {
            // Sorted by offset (stably: of two at one offset the first in the file stays
            // first) so that an instruction's relocations are found by a binary search.
            let mut r = elf.rels_for(s.index)?;
            r.sort_by_key(|r| r.offset);
            rels.insert(s.index, r);
        }
    }
    maps.sort_by(|a, b| a.name.cmp(&b.name));
    // Maps are told apart by their kernel names (15 characters): two that share them would
    // make a relocation find the wrong map, so such an object is refused.
    if let Some(w) = maps.windows(2).find(|w| w[0].name == w[1].name) {
        return Err(err(
            if btf.is_some() { ".maps" } else { "maps" },
            0,
            format!(
                "two maps (or global data sections) share the first 15 characters of their \
                 names, `{}`, which the kernel keeps: this reader tells maps apart by them \
                 (rename one)",
                w[0].name
            ),
        ));
    }
    let (lines, funcs, core) = match ext_of(&elf)? {
        Some((btf, ext)) => (
            ext_lines(ext.line_info),
            ext_funcs(btf, ext.func_info),
            super::core_relo::CoreRelos::of(btf, ext.core_relo, target)?,
        ),
        None => (
            BTreeMap::new(),
            None,
            super::core_relo::CoreRelos::default(),
        ),
    };
    let ctx = Ctx {
        elf: &elf,
        rels,
        maps,
        map_names,
        lines,
        funcs,
        core,
        kconfig: kconfig_offsets,
        ksyms,
        unmodelled_kfunc: std::cell::Cell::new(false),
    };
    let mut programs = Vec::new();
    let mut unexpressed = Vec::new();
    let mut skipped = Vec::new();
    for s in &elf.sections {
        if s.flags & SHF_EXECINSTR == 0 || s.sh_type != SHT_PROGBITS || s.name == ".text" {
            continue;
        }
        // The section the caller names with its type, whatever other type its name gives.
        let named = opts.section_as_unknown.is_some_and(|n| {
            n == s.name
                || elf.symbols.iter().any(|y| {
                    y.shndx as usize == s.index
                        && y.kind == STT_FUNC
                        && y.bind != STB_LOCAL
                        && y.name == n
                })
        });
        let typed = program_type_for_section(&s.name)
            .or(unknown.filter(|_| named || !super::is_other_program_section(&s.name)));
        let Some(prog_type) = typed else {
            skipped.push(s.name.clone());
            continue;
        };
        let mut entries: Vec<_> = elf
            .symbols
            .iter()
            .filter(|y| y.shndx as usize == s.index && y.kind == STT_FUNC && y.bind != STB_LOCAL)
            .collect();
        entries.sort_by_key(|y| y.value);
        if entries.is_empty() && unknown.is_some() && program_type_for_section(&s.name).is_none() {
            skipped.push(s.name.clone());
            continue;
        }
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
            ctx.unmodelled_kfunc.set(false);
            let (spec, globals, func_info) =
                match ctx.program(s, &e.name, e.value, size, prog_type, &license) {
                    Ok(parts) => parts,
                    // A kfunc the target has and we do not model: this program's refusal
                    // only (libbpf resolves the extern; the other programs load).
                    Err(error) if ctx.unmodelled_kfunc.get() => {
                        unexpressed.push(super::Unexpressed {
                            section: s.name.clone(),
                            function: e.name.clone(),
                            error,
                        });
                        continue;
                    }
                    Err(error) => return Err(error),
                };
            programs.push(ElfProgram {
                section: s.name.clone(),
                function: e.name.clone(),
                spec,
                globals,
                func_info,
            });
        }
    }
    data.sort_by(|a, b| a.map.cmp(&b.map));
    let slots = match (maps_section, &btf) {
        (Some(maps_section), Some(btf)) => {
            super::map_slots::read_slots(&super::map_slots::SlotSources {
                elf: &elf,
                maps_section,
                btf,
                defs: &btf_defs,
                maps: &ctx.maps,
                programs: &programs,
                skipped: &skipped,
            })?
        }
        _ => Vec::new(),
    };
    Ok(Object {
        slots,
        license,
        programs,
        maps: ctx.maps,
        data,
        skipped,
        unexpressed,
    })
}

/// The slot at byte `off` of `data` (the caller checked the range).
fn insn_at(data: &[u8], off: u64) -> Insn {
    let mut b = [0u8; 8];
    b.copy_from_slice(&data[off as usize..off as usize + 8]);
    Insn::from_bytes(b)
}

impl Ctx<'_, '_> {
    /// The map (or global-data map) and kind of the `R_BPF_64_64` relocation `r` on the
    /// `ld_imm64` at byte `off` of `section`.
    fn map_reloc(
        &self,
        section: &Section<'_>,
        off: u64,
        r: &Rel,
        insn: Insn,
        has_second: bool,
    ) -> Result<(String, RelocKind), ElfError> {
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
        if !insn.is_ld_imm64() || !has_second {
            return Err(err(
                &section.name,
                off,
                "an R_BPF_64_64 relocation on an instruction that is not an ld_imm64",
            ));
        }
        if insn.src() == 4 {
            return Err(err(
                &section.name,
                off,
                "an ld_imm64 of a function (a callback) is not supported",
            ));
        }
        let y = &self.elf.symbols[r.sym as usize];
        if let Some(&offset) = self.kconfig.get(&y.name).filter(|_| y.shndx == 0) {
            return Ok((
                super::kconfig::KCONFIG_MAP.to_string(),
                RelocKind::MapValue { offset },
            ));
        }
        let target = self
            .elf
            .sections
            .get(y.shndx as usize)
            .filter(|_| y.shndx != 0)
            .ok_or_else(|| {
                err(
                    &section.name,
                    off,
                    super::ksyms::extern_data_reason(self.elf, self.ksyms.as_ref(), &y.name),
                )
            })?;
        if target.flags & SHF_EXECINSTR != 0 {
            // clang's `&func` (a callback for bpf_loop, bpf_for_each_map_elem, timers): an
            // ld_imm64 relocated against a code section, which libbpf turns into
            // BPF_PSEUDO_FUNC.
            let at = (y.value as i64).saturating_add(i64::from(insn.imm));
            let func = self
                .elf
                .symbols
                .iter()
                .find(|f| f.shndx == y.shndx && f.kind == STT_FUNC && f.value as i64 == at)
                .map_or_else(|| format!("{}+{at:#x}", target.name), |f| f.name.clone());
            return Err(err(
                &section.name,
                off,
                format!(
                    "an ld_imm64 of function `{func}` (a callback, BPF_PSEUDO_FUNC) is not supported"
                ),
            ));
        }
        let (symbol, kind) = if target.name == "maps"
            || target.name.starts_with("maps/")
            || target.name == ".maps"
        {
            let name = self.map_names.get(&y.name).cloned();
            (
                name.unwrap_or_else(|| kernel_name(&y.name)),
                RelocKind::MapFd,
            )
        } else if is_data_section(&target.name) {
            let offset = (y.value as i64).saturating_add(i64::from(insn.imm));
            let offset = u32::try_from(offset)
                .map_err(|_| err(&section.name, off, "a negative global-data offset"))?;
            (data_map_name(&target.name), RelocKind::MapValue { offset })
        } else if target.name == ".addr_space.1" {
            // libbpf lays these out at the start of the object's arena map and relocates the
            // ld_imm64 to a direct value of it (`map_value(arena, OFF)`)
            return Err(err(
                &section.name,
                off,
                format!(
                    "`{}` is an `__arena` global (section `.addr_space.1`, which libbpf places in the object's BPF_MAP_TYPE_ARENA map): BPF arenas are not supported (the reference kernel cannot create an arena map)",
                    y.name
                ),
            ));
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
        Ok((symbol, kind))
    }

    /// The relocations of section `sec` at byte `off`, in the file's order.
    fn rels_at(&self, sec: usize, off: u64) -> &[Rel] {
        let rels = self.rels.get(&sec).map(Vec::as_slice).unwrap_or(&[]);
        let from = rels.partition_point(|r| r.offset < off);
        let to = from + rels[from..].partition_point(|r| r.offset == off);
        &rels[from..to]
    }

    /// The function of section `sec` that contains byte `off`: (start, end).
    fn function_at(&self, sec: usize, off: u64) -> Result<(u64, u64), ElfError> {
        let s = &self.elf.sections[sec];
        let f = self.elf.symbols.iter().find(|y| {
            y.shndx as usize == sec
                && y.kind == STT_FUNC
                && y.value <= off
                && off - y.value < y.size
        });
        match f {
            Some(y) => Ok((y.value, y.value.saturating_add(y.size))),
            None => Err(err(
                &s.name,
                off,
                "a call targets an offset that is in no function symbol",
            )),
        }
    }

    /// The call of a kfunc by name at byte `off` of section `sec` (an `R_BPF_64_32`
    /// relocation against an undefined symbol, see [`super::kfunc`]), `None` for other calls.
    fn extern_call(&self, sec: usize, off: u64) -> Result<Option<Insn>, ElfError> {
        let Some(r) = self
            .rels_at(sec, off)
            .iter()
            .find(|r| r.kind == R_BPF_64_32)
        else {
            return Ok(None);
        };
        let y = &self.elf.symbols[r.sym as usize];
        if y.shndx != 0 {
            return Ok(None);
        }
        // A weak kfunc the target kernel does not have: libbpf's `poison_kfunc_call`, a call
        // of helper 2002000000 + the extern's index, which the verifier rejects if reached.
        let found = self
            .ksyms
            .as_ref()
            .and_then(|r| r.get(&y.name))
            .map(|(_, f)| f);
        if y.bind == STB_WEAK && found == Some(&super::ksyms::Found::Missing) {
            let idx = self
                .elf
                .symbols
                .iter()
                .filter(|x| x.shndx == 0 && x.bind != STB_LOCAL && !x.name.is_empty())
                .position(|x| x.name == y.name)
                .unwrap_or(0);
            return Ok(Some(Insn::new(
                0x85,
                0,
                0,
                0,
                POISON_CALL_KFUNC_BASE + idx as i32,
            )));
        }
        super::kfunc::kfunc_of_extern(&y.name, found)
            .map(Some)
            .map_err(|e| {
                if matches!(found, Some(super::ksyms::Found::At { .. })) {
                    self.unmodelled_kfunc.set(true);
                }
                err(&self.elf.sections[sec].name, off, e)
            })
    }

    /// The target (section, byte offset) of the pseudo call at byte `off` of section `sec`.
    fn call_target(&self, sec: usize, off: u64, insn: Insn) -> Result<(usize, u64), ElfError> {
        let section = &self.elf.sections[sec];
        let (tsec, t) = match self.rels_at(sec, off).first() {
            Some(r) if r.kind == R_BPF_64_32 => {
                let y = &self.elf.symbols[r.sym as usize];
                (
                    y.shndx as usize,
                    (y.value as i64).saturating_add((i64::from(insn.imm) + 1) * 8),
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
        if tsec == 0 || tsec >= self.elf.sections.len() {
            return Err(err(
                &section.name,
                off,
                "a call into an undefined function (extern calls are not supported)",
            ));
        }
        let t = u64::try_from(t)
            .map_err(|_| err(&section.name, off, "a call before the start of a section"))?;
        Ok((tsec, t))
    }

    /// The function (section, byte offset) whose address the `ld_imm64` at byte `off` of
    /// section `sec` loads, if it loads one: clang's form (an `R_BPF_64_64` relocation against
    /// a symbol of an executable section, `imm` the byte offset from it) or a
    /// `BPF_PSEUDO_FUNC` load with no relocation (`imm` the distance in slots, as a call's).
    fn func_ref_target(
        &self,
        sec: usize,
        off: u64,
        insn: Insn,
    ) -> Result<Option<(usize, u64)>, ElfError> {
        if !insn.is_ld_imm64() {
            return Ok(None);
        }
        let section = &self.elf.sections[sec];
        let (tsec, t) = match self.rels_at(sec, off).first() {
            Some(r) if r.kind == R_BPF_64_64 => {
                let y = &self.elf.symbols[r.sym as usize];
                let is_code = y.shndx != 0
                    && self
                        .elf
                        .sections
                        .get(y.shndx as usize)
                        .is_some_and(|t| t.flags & SHF_EXECINSTR != 0);
                if !is_code {
                    return Ok(None);
                }
                (
                    y.shndx as usize,
                    (y.value as i64).saturating_add(i64::from(insn.imm)),
                )
            }
            Some(_) => return Ok(None),
            None if insn.src() == 4 => (sec, off as i64 + 8 + i64::from(insn.imm) * 8),
            None => return Ok(None),
        };
        let t = u64::try_from(t).map_err(|_| {
            err(
                &section.name,
                off,
                "a callback address before the start of a section",
            )
        })?;
        if t % 8 != 0 {
            return Err(err(
                &section.name,
                off,
                "a callback address that is not on an instruction",
            ));
        }
        Ok(Some((tsec, t)))
    }

    fn program(
        &self,
        s: &Section<'_>,
        name: &str,
        start: u64,
        size: u64,
        prog_type: crate::spec::ProgramType,
        license: &str,
    ) -> Result<ProgramParts, ElfError> {
        // Phase 1: the functions reachable by calls, the entry first.
        let mut funcs = vec![Placed {
            sec: s.index,
            start,
            end: start.saturating_add(size),
            base: 0,
        }];
        let mut next = 0;
        while next < funcs.len() {
            let (sec, fstart, fend) = (funcs[next].sec, funcs[next].start, funcs[next].end);
            next += 1;
            let section = &self.elf.sections[sec];
            if fend > section.data.len() as u64 || fstart % 8 != 0 || fend % 8 != 0 || fstart > fend
            {
                return Err(err(
                    &section.name,
                    fstart,
                    "a function's range is not whole slots inside its section",
                ));
            }
            for off in (fstart..fend).step_by(8) {
                let insn = insn_at(section.data, off);
                let target = if insn.code == 0x85 && insn.src() == 1 {
                    if self.extern_call(sec, off)?.is_some() {
                        continue;
                    }
                    Some(self.call_target(sec, off, insn)?)
                } else {
                    self.func_ref_target(sec, off, insn)?
                };
                if let Some((tsec, t)) = target {
                    let known = funcs
                        .iter()
                        .any(|p| p.sec == tsec && p.start <= t && t < p.end);
                    if !known {
                        let (fs, fe) = self.function_at(tsec, t)?;
                        funcs.push(Placed {
                            sec: tsec,
                            start: fs,
                            end: fe,
                            base: 0,
                        });
                    }
                }
            }
        }
        // Phase 2: the entry, then the subprograms in section and address order.
        funcs[1..].sort_by_key(|p| (p.sec, p.start));
        let mut slots = 0;
        for f in &mut funcs {
            f.base = slots;
            slots += ((f.end - f.start) / 8) as usize;
        }
        let mut insns: Vec<Insn> = Vec::with_capacity(slots);
        let mut relocations = Vec::new();
        for f in &funcs {
            let section = &self.elf.sections[f.sec];
            for off in (f.start..f.end).step_by(8) {
                insns.push(insn_at(section.data, off));
            }
            self.core
                .apply_in(&section.name, f.start / 8, f.end / 8, &mut insns[f.base..])?;
            for slot in f.base..insns.len() {
                let off = f.start + 8 * (slot - f.base) as u64;
                let insn = insns[slot];
                if insn.code == 0x85 && insn.src() == 1 {
                    if let Some(call) = self.extern_call(f.sec, off)? {
                        insns[slot] = call;
                        continue;
                    }
                    let (tsec, t) = self.call_target(f.sec, off, insn)?;
                    let p = funcs
                        .iter()
                        .find(|p| p.sec == tsec && p.start <= t && t < p.end)
                        .ok_or_else(|| err(&section.name, off, "a call target was not placed"))?;
                    let target = p.base as i64 + ((t - p.start) / 8) as i64;
                    insns[slot].imm = i32::try_from(target - (slot as i64 + 1))
                        .map_err(|_| err(&section.name, off, "a call offset beyond 32 bits"))?;
                    continue;
                }
                if let Some((tsec, t)) = self.func_ref_target(f.sec, off, insn)? {
                    let p = funcs
                        .iter()
                        .find(|p| p.sec == tsec && p.start <= t && t < p.end)
                        .ok_or_else(|| err(&section.name, off, "a callback was not placed"))?;
                    let target = p.base as i64 + ((t - p.start) / 8) as i64;
                    let imm = i32::try_from(target - (slot as i64 + 1))
                        .map_err(|_| err(&section.name, off, "a callback offset beyond 32 bits"))?;
                    if slot + 1 >= insns.len() {
                        return Err(err(
                            &section.name,
                            off,
                            "an ld_imm64 without its second slot",
                        ));
                    }
                    insns[slot] = Insn::new(insn.code, insn.dst(), 4, insn.off, imm);
                    insns[slot + 1].imm = 0;
                    continue;
                }
                let Some(r) = self.rels_at(f.sec, off).first() else {
                    continue;
                };
                if super::ksyms::var_load(self.elf, self.ksyms.as_ref(), r, &mut insns, slot) {
                    continue;
                }
                let (symbol, kind) =
                    self.map_reloc(section, off, r, insn, slot + 1 < insns.len())?;
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
        let mut used: Vec<MapSpec> = Vec::new();
        for r in &relocations {
            if !used.iter().any(|m| m.name == r.symbol) {
                if let Some(m) = self.maps.iter().find(|m| m.name == r.symbol) {
                    used.push(m.clone());
                }
            }
        }
        used.sort_by(|a, b| a.name.cmp(&b.name));
        // The functions' line records, counted first: the vector is allocated once, at its
        // size (grown by doubling it would pass through blocks of several size classes).
        let lines_of = |f: &Placed| {
            let section = &self.elf.sections[f.sec];
            let (first, last) = (f.start / 8, f.end / 8);
            self.lines
                .get(&section.name)
                .into_iter()
                .flatten()
                .filter(move |r| (first..last).contains(&u64::from(r.insn)))
        };
        let mut lines = Vec::with_capacity(funcs.iter().map(|f| lines_of(f).count()).sum());
        for f in &funcs {
            let first = f.start / 8;
            lines.extend(lines_of(f).map(|r| SourceLine {
                insn: (f.base as u64 + u64::from(r.insn) - first) as u32,
                file: Cow::Owned(r.file.clone()),
                line: r.line,
                col: r.col,
                text: Cow::Owned(r.text.clone()),
            }));
        }
        // In order already when the functions' records are (the usual case): a stable sort
        // would allocate a scratch block as large as the vector for nothing.
        if !lines.is_sorted_by_key(|l| l.insn) {
            lines.sort_by_key(|l| l.insn);
        }
        let globals = self.globals(&funcs, prog_type);
        let func_info = self.func_info(&funcs);
        let spec = ProgramSpec {
            name: Cow::Owned(kernel_name(name)),
            prog_type,
            license: Cow::Owned(license.to_string()),
            insns: Cow::Owned(insns),
            relocations: Cow::Owned(relocations),
            maps: Cow::Owned(used),
            lines: Cow::Owned(lines),
        };
        Ok((spec, globals, func_info))
    }

    /// The BTF function info of the subprograms `funcs` placed after the entry (first), when
    /// the entry's section has func_info records (see [`ElfProgram::func_info`]); a
    /// subprogram without a record counts as not returning a number.
    fn func_info(&self, funcs: &[Placed]) -> Option<Vec<crate::btf::SubprogFunc>> {
        let (btf, info) = self.funcs.as_ref()?;
        info.get(&self.elf.sections[funcs.first()?.sec].name)?;
        let subprogs = funcs.iter().skip(1).map(|f| {
            let returns_scalar = info
                .get(&self.elf.sections[f.sec].name)
                .and_then(|recs| recs.iter().find(|r| u64::from(r.insn) * 8 == f.start))
                .is_some_and(|r| crate::btf::func_returns_scalar(btf, r.type_id));
            crate::btf::SubprogFunc {
                insn: f.base as u32,
                returns_scalar,
            }
        });
        Some(subprogs.collect())
    }

    /// The global functions among the subprograms `funcs` placed (the entry, first, is not
    /// one): those whose `func_info` names a `FUNC` of global linkage; and the exception
    /// callback the entry's `FUNC` names ([`exception_callback`]).
    fn globals(
        &self,
        funcs: &[Placed],
        prog_type: crate::spec::ProgramType,
    ) -> Vec<crate::btf::GlobalFunc> {
        let Some((btf, info)) = &self.funcs else {
            return Vec::new();
        };
        let ctx = prog_type.ctx_struct().unwrap_or("");
        let type_of = |f: &Placed| {
            let recs = info.get(&self.elf.sections[f.sec].name)?;
            recs.iter()
                .find(|r| u64::from(r.insn) * 8 == f.start)
                .map(|r| r.type_id)
        };
        let mut placed: Vec<(u32, crate::btf::GlobalFunc)> = funcs
            .iter()
            .skip(1)
            .filter_map(|f| {
                let id = type_of(f)?;
                crate::btf::GlobalFunc::from_btf(btf, id, f.base as u32, ctx).map(|g| (id, g))
            })
            .collect();
        // The exception callback: flagged among the globals, or an entry at slot 0 for one
        // the kernel refuses (not loaded with the program, or another reason).
        if let Some(cb) = funcs.first().and_then(type_of).and_then(|entry| {
            exception_callback(btf, entry).map(|cb| (exception_tags(btf, entry)[0], cb))
        }) {
            let (name, cb) = cb;
            if let Some((_, g)) = placed.iter_mut().find(|(id, _)| cb == Ok(*id)) {
                g.exception_cb = true;
            } else {
                placed.push((
                    0,
                    crate::btf::GlobalFunc {
                        insn: 0,
                        name: name.to_string(),
                        args: cb
                            .err()
                            .map(crate::btf::GlobalArg::Refused)
                            .into_iter()
                            .collect(),
                        returns_scalar: true,
                        exception_cb: true,
                    },
                ));
            }
        }
        placed.into_iter().map(|(_, g)| g).collect()
    }
}

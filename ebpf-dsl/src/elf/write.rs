//! Writing an [`Object`] as an ELF relocatable object (see the module docs of [`super`]).
//!
//! Maps go in `.maps` as libbpf's BTF-defined maps: one anonymous struct per map, made by
//! [`Btf::add_map_definition`] (`__type(key, K)` / `__type(value, V)` when the map carries
//! `defmap!`'s [`crate::btf::MapBtf`], else `__uint(key_size|value_size, N)`). Each program's
//! `FUNC`s and `func_info`/`line_info` come from [`crate::btf::program_btf_with_globals`]
//! (its global functions global, with their prototypes); records of subprograms move
//! to `.text` with them, and each subprogram's `.symtab` name is its `FUNC`'s name.

use std::collections::BTreeMap;

use super::raw::{
    EM_BPF, ET_REL, R_BPF_64_32, R_BPF_64_64, SHF_ALLOC, SHF_EXECINSTR, SHF_INFO_LINK, SHF_WRITE,
    SHT_NOBITS, SHT_PROGBITS, SHT_REL, SHT_STRTAB, SHT_SYMTAB, STB_GLOBAL, STB_LOCAL, STT_FUNC,
    STT_OBJECT, STT_SECTION,
};
use super::{is_data_section, kfunc, ElfError, Object};
use crate::btf::{program_btf_with_globals, Btf, BtfExt, ExtSection, Kind, Type, VarSecInfo};
use crate::isa::insn::Insn;
use crate::spec::{MapType, RelocKind, SlotValue};

struct Sec {
    name: String,
    sh_type: u32,
    flags: u64,
    data: Vec<u8>,
    nobits_size: u64,
    link: u32,
    info: u32,
    align: u64,
    entsize: u64,
}

impl Sec {
    fn new(name: &str, sh_type: u32, flags: u64, data: Vec<u8>, align: u64) -> Sec {
        Sec {
            name: name.to_string(),
            sh_type,
            flags,
            data,
            nobits_size: 0,
            link: 0,
            info: 0,
            align,
            entsize: 0,
        }
    }
}

struct Sym {
    name: String,
    info: u8,
    shndx: u16,
    value: u64,
    size: u64,
}

fn err(reason: String) -> ElfError {
    ElfError {
        section: None,
        offset: 0,
        reason,
    }
}

/// Writes `obj` (see [`super::write_object`]).
pub fn write(obj: &Object) -> Result<Vec<u8>, ElfError> {
    let mut secs = vec![
        Sec::new("", 0, 0, Vec::new(), 0),
        Sec::new(".strtab", SHT_STRTAB, 0, Vec::new(), 1),
    ];
    let mut locals: Vec<Sym> = Vec::new();
    let mut globals: Vec<Sym> = Vec::new();
    // Global data and BTF-defined maps first: the program relocations point at them.
    let mut data_sec: BTreeMap<String, usize> = BTreeMap::new();
    let mut btf_maps = Vec::new();
    for d in &obj.data {
        let bad = |why: &str| Err(err(format!("initial contents of map `{}`: {why}", d.map)));
        if !is_data_section(&d.map) || !obj.maps.iter().any(|m| m.name == d.map) {
            return bad("an object carries them only for global data (a map named .data, .rodata, .bss or .data.NAME ...)");
        }
        if d.section.starts_with(".bss") && d.bytes.iter().any(|&b| b != 0) {
            return bad("`.bss` is zeroed by definition; give initialised data in `.data`");
        }
        // Loaders (libbpf, ours) freeze only `.rodata*` sections: read-only contents elsewhere
        // would be frozen when the text is loaded but not when the object is.
        if d.read_only && !d.section.starts_with(".rodata") {
            return bad("read-only (frozen) contents belong in a `.rodata` section; an object's loader freezes only those");
        }
    }
    for m in &obj.maps {
        if is_data_section(&m.name) {
            let init = obj.data.iter().find(|d| d.map == *m.name);
            let section = init.map_or(m.name.to_string(), |d| d.section.clone());
            let bytes = init.map_or_else(|| vec![0; m.value_size as usize], |d| d.bytes.clone());
            let idx = secs.len();
            let mut s = if section.starts_with(".bss") {
                let mut s = Sec::new(&section, SHT_NOBITS, SHF_ALLOC | SHF_WRITE, Vec::new(), 8);
                s.nobits_size = bytes.len() as u64;
                s
            } else if section.starts_with(".rodata") {
                Sec::new(&section, SHT_PROGBITS, SHF_ALLOC, bytes, 8)
            } else {
                Sec::new(&section, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, bytes, 8)
            };
            s.align = 8;
            secs.push(s);
            data_sec.insert(m.name.to_string(), locals.len() + 1);
            locals.push(Sym {
                name: String::new(),
                info: (STB_LOCAL << 4) | STT_SECTION,
                shndx: idx as u16,
                value: 0,
                size: 0,
            });
        } else {
            btf_maps.push(m.clone());
        }
    }
    // The maps that initial slots of maps of maps name come first: libbpf creates the maps in
    // section order and fills a map of maps' slots right after creating it (as in C, where
    // the inner map is declared before the outer map refers to it).
    btf_maps.sort_by_key(|m| {
        !obj.slots
            .iter()
            .any(|s| s.value == SlotValue::Map(m.name.to_string()))
    });
    let mut map_sym: BTreeMap<String, usize> = BTreeMap::new();
    // kfuncs called by name: their extern symbol (index in `globals`) and `FUNC` ids.
    let mut kfunc_syms: BTreeMap<&str, usize> = BTreeMap::new();
    let mut ksyms: Vec<u32> = Vec::new();
    let mut btf = Btf::new();
    let mut ext = BtfExt::default();
    let mut map_vars = Vec::new();
    let mut maps_size = 0u32;
    // Where each initial slot's pointer is in `.maps`.
    let mut slot_rels: Vec<(u64, &crate::spec::MapSlot)> = Vec::new();
    let mut maps_idx = 0;
    if !btf_maps.is_empty() {
        let idx = secs.len();
        maps_idx = idx;
        for m in &btf_maps {
            let mut def = m.btf_definition();
            // Initial slots: a `values` member (a prog array's is written here; a map of
            // maps has one already), and the variable holds their pointers after the struct.
            let slots = obj.slots.iter().filter(|s| s.map == *m.name);
            let n_slots = slots.clone().map(|s| u64::from(s.index) + 1).max();
            def.prog_values = n_slots.is_some() && m.map_type == MapType::ProgArray;
            let (var, def_size) = btf.add_map_definition(&m.name, &def);
            for sl in slots {
                slot_rels.push((
                    u64::from(maps_size + def_size) + 8 * u64::from(sl.index),
                    sl,
                ));
            }
            let size = match n_slots {
                Some(n) => u32::try_from(u64::from(def_size) + 8 * n)
                    .map_err(|_| err(format!("map `{}`: initial slots beyond 4 GiB", m.name)))?,
                None => def_size,
            };
            map_sym.insert(m.name.to_string(), globals.len());
            globals.push(Sym {
                name: m.name.to_string(),
                info: (STB_GLOBAL << 4) | STT_OBJECT,
                shndx: idx as u16,
                value: u64::from(maps_size),
                size: u64::from(size),
            });
            map_vars.push(VarSecInfo {
                ty: var,
                offset: maps_size,
                size,
            });
            maps_size += size;
        }
        secs.push(Sec::new(
            ".maps",
            SHT_PROGBITS,
            SHF_ALLOC | SHF_WRITE,
            vec![0; maps_size as usize],
            8,
        ));
    }
    // Subprograms (everything from the first call or callback target on) go to `.text`, as
    // libbpf wants.
    let has_calls = obj
        .programs
        .iter()
        .any(|p| !function_targets(&p.spec.insns, &p.globals).is_empty());
    let text_idx = secs.len();
    let mut text = Vec::new();
    let mut text_rels: Vec<PendingRel> = Vec::new();
    let text_sym = locals.len() + 1;
    if has_calls {
        secs.push(Sec::new(
            ".text",
            SHT_PROGBITS,
            SHF_ALLOC | SHF_EXECINSTR,
            Vec::new(),
            8,
        ));
        locals.push(Sym {
            name: String::new(),
            info: (STB_LOCAL << 4) | STT_SECTION,
            shndx: text_idx as u16,
            value: 0,
            size: 0,
        });
    }
    // Programs, grouped by section in first-seen order.
    let mut order: Vec<&str> = Vec::new();
    for p in &obj.programs {
        if !order.contains(&p.section.as_str()) {
            order.push(&p.section);
        }
    }
    // (section index, relocations as (offset, symbol, type))
    let mut pending_rels: Vec<(usize, Vec<PendingRel>)> = Vec::new();
    for name in order {
        let idx = secs.len();
        let mut bytes = Vec::new();
        let mut rels = Vec::new();
        for p in obj.programs.iter().filter(|p| p.section == name) {
            let start = bytes.len() as u64;
            let mut insns: Vec<Insn> = p.spec.insns.to_vec();
            let targets = function_targets(&insns, &p.globals);
            if targets.first() == Some(&0) || targets.iter().any(|&t| t >= insns.len()) {
                return Err(err(format!(
                    "program `{}`: a call targets its first instruction or runs past its end",
                    p.spec.name
                )));
            }
            let entry_len = targets.first().copied().unwrap_or(insns.len());
            let text_base = text.len() as u64;
            let (pbtf, pext) = program_btf_with_globals(
                &p.function,
                name,
                &insns,
                &p.spec.lines,
                &p.globals,
                p.spec.prog_type.ctx_struct(),
            );
            // Where slot `i` ends up: (in the program's section?, byte offset there).
            let place = |i: usize| -> (bool, u64) {
                if i < entry_len {
                    (true, start + 8 * i as u64)
                } else {
                    (false, text_base + 8 * (i - entry_len) as u64)
                }
            };
            for r in p.spec.relocations.iter() {
                let bad = |why: &str| {
                    err(format!(
                        "program `{}`, instruction {}: {why}",
                        p.spec.name, r.insn_index
                    ))
                };
                if r.insn_index + 1 >= insns.len() || !insns[r.insn_index].is_ld_imm64() {
                    return Err(bad("the relocation is not on an ld_imm64"));
                }
                let i = insns[r.insn_index];
                let (sym, imm) = match r.kind {
                    RelocKind::MapFd => (
                        SymRef::Global(*map_sym.get(&*r.symbol).ok_or_else(|| {
                            bad(&format!("map `{}` is not among the object's maps", r.symbol))
                        })?),
                        0,
                    ),
                    RelocKind::MapValue { offset } => (
                        SymRef::Local(*data_sec.get(&*r.symbol).ok_or_else(|| {
                            bad(&format!(
                                "map_value of `{}`: only global data (.data, .rodata, .bss) can be addressed in an object",
                                r.symbol
                            ))
                        })?),
                        offset as i32,
                    ),
                };
                insns[r.insn_index] = Insn::new(i.code, i.dst(), 0, i.off, imm);
                insns[r.insn_index + 1].imm = 0;
                match place(r.insn_index) {
                    (true, off) => rels.push((off, sym, R_BPF_64_64)),
                    (false, off) => text_rels.push((off, sym, R_BPF_64_64)),
                }
            }
            // Callback addresses (`BPF_PSEUDO_FUNC`): as clang writes them, a plain
            // `ld_imm64` of the callback's byte offset in `.text` with an `R_BPF_64_64`
            // relocation against `.text` (libbpf wants one even within a section).
            for i in 0..insns.len() {
                if is_func_ref(&insns[i]) && i + 1 < insns.len() {
                    let t = (i as i64 + 1 + i64::from(insns[i].imm)) as usize;
                    let (_, toff) = place(t);
                    let imm = i32::try_from(toff).map_err(|_| {
                        err(format!("program `{}`: `.text` beyond 2 GiB", p.spec.name))
                    })?;
                    let x = insns[i];
                    insns[i] = Insn::new(x.code, x.dst(), 0, x.off, imm);
                    insns[i + 1].imm = 0;
                    match place(i) {
                        (true, off) => rels.push((off, SymRef::Local(text_sym), R_BPF_64_64)),
                        (false, off) => text_rels.push((off, SymRef::Local(text_sym), R_BPF_64_64)),
                    }
                }
            }
            // Calls from the entry into `.text`: relocated against `.text`; calls between
            // subprograms keep their relative offsets.
            for (i, insn) in insns.iter_mut().enumerate().take(entry_len) {
                if is_call(insn) {
                    let t = (i as i64 + 1 + i64::from(insn.imm)) as usize;
                    let (_, toff) = place(t);
                    insn.imm = (toff / 8) as i32 - 1;
                    rels.push((start + 8 * i as u64, SymRef::Local(text_sym), R_BPF_64_32));
                }
            }
            // kfuncs by name: clang's extern call, relocated against the function's symbol.
            for (i, insn) in insns.iter_mut().enumerate() {
                // A kfunc called by name (any family): its name, then its `FUNC` with the
                // kernel's prototype, added once.
                let Some(name) = crate::xdp::netfilter::kfunc_of_insn(insn) else {
                    continue;
                };
                let g = *kfunc_syms.entry(name).or_insert_with(|| {
                    ksyms.extend(kfunc::add_named_kfunc_btf(&mut btf, name));
                    globals.push(Sym {
                        name: name.into(),
                        info: STB_GLOBAL << 4,
                        shndx: 0,
                        value: 0,
                        size: 0,
                    });
                    globals.len() - 1
                });
                *insn = kfunc::EXTERN_CALL;
                match place(i) {
                    (true, off) => rels.push((off, SymRef::Global(g), R_BPF_64_32)),
                    (false, off) => text_rels.push((off, SymRef::Global(g), R_BPF_64_32)),
                }
            }
            for i in &insns[..entry_len] {
                bytes.extend_from_slice(&i.to_bytes());
            }
            globals.push(Sym {
                name: p.function.clone(),
                info: (STB_GLOBAL << 4) | STT_FUNC,
                shndx: idx as u16,
                value: start,
                size: bytes.len() as u64 - start,
            });
            // The program's FUNCs, func_info and line_info, split as its code is: the entry's
            // records in its section, the subprograms' in `.text`.
            let shift = btf.append(&pbtf);
            let mut func_names: BTreeMap<usize, String> = BTreeMap::new();
            for r in pext.func_info.iter().flat_map(|s| &s.records) {
                let type_id = r.type_id + shift;
                if let Some(t) = btf.get(type_id) {
                    func_names.insert(r.insn as usize, t.name.clone());
                }
                let (in_sec, off) = place(r.insn as usize);
                let sec = if in_sec { name } else { ".text" };
                let rec = crate::btf::FuncInfo {
                    insn: (off / 8) as u32,
                    type_id,
                };
                ext_section(&mut ext.func_info, sec).push(rec);
            }
            for r in pext.line_info.iter().flat_map(|s| &s.records) {
                let (in_sec, off) = place(r.insn as usize);
                let sec = if in_sec { name } else { ".text" };
                let mut rec = r.clone();
                rec.insn = (off / 8) as u32;
                ext_section(&mut ext.line_info, sec).push(rec);
            }
            let mut bounds = targets.clone();
            bounds.push(insns.len());
            for w in bounds.windows(2) {
                let from = text.len() as u64;
                for i in &insns[w[0]..w[1]] {
                    text.extend_from_slice(&i.to_bytes());
                }
                locals.push(Sym {
                    name: func_names
                        .get(&w[0])
                        .cloned()
                        .unwrap_or_else(|| format!("{}_{}", p.function, w[0])),
                    info: (STB_LOCAL << 4) | STT_FUNC,
                    shndx: text_idx as u16,
                    value: from,
                    size: text.len() as u64 - from,
                });
            }
        }
        secs.push(Sec::new(
            name,
            SHT_PROGBITS,
            SHF_ALLOC | SHF_EXECINSTR,
            bytes,
            8,
        ));
        if !rels.is_empty() {
            pending_rels.push((idx, rels));
        }
    }
    if has_calls {
        secs[text_idx].data = text;
        if !text_rels.is_empty() {
            pending_rels.push((text_idx, text_rels));
        }
    }
    if !slot_rels.is_empty() {
        let rels = slot_relocations(obj, &slot_rels, &map_sym, &globals)?;
        pending_rels.push((maps_idx, rels));
    }
    let lic_idx = secs.len();
    let mut lic = obj.license.as_bytes().to_vec();
    lic.push(0);
    let lic_len = lic.len() as u64;
    secs.push(Sec::new(
        "license",
        SHT_PROGBITS,
        SHF_ALLOC | SHF_WRITE,
        lic,
        1,
    ));
    globals.push(Sym {
        name: "_license".into(),
        info: (STB_GLOBAL << 4) | STT_OBJECT,
        shndx: lic_idx as u16,
        value: 0,
        size: lic_len,
    });
    if !map_vars.is_empty() {
        btf.push(Type::new(
            ".maps",
            Kind::Datasec {
                size: maps_size,
                vars: map_vars,
            },
        ));
    }
    if !ksyms.is_empty() {
        btf.push(kfunc::ksyms_datasec(&ksyms));
    }
    if !btf.types.is_empty() {
        let (types, ext_bytes) = btf.encode_with_ext(&ext);
        secs.push(Sec::new(".BTF", SHT_PROGBITS, 0, types, 4));
        if !ext.func_info.is_empty() || !ext.line_info.is_empty() {
            secs.push(Sec::new(".BTF.ext", SHT_PROGBITS, 0, ext_bytes, 4));
        }
    }
    let first_global = 1 + locals.len();
    let symtab_idx = secs.len() + pending_rels.len();
    for (target, rels) in pending_rels {
        let mut data = Vec::new();
        for (off, sym, kind) in rels {
            let index = match sym {
                SymRef::Local(i) => i,
                SymRef::Global(g) => first_global + g,
            } as u64;
            data.extend_from_slice(&off.to_le_bytes());
            data.extend_from_slice(&((index << 32) | u64::from(kind)).to_le_bytes());
        }
        let name = format!(".rel{}", secs[target].name);
        let mut s = Sec::new(&name, SHT_REL, SHF_INFO_LINK, data, 8);
        s.link = symtab_idx as u32;
        s.info = target as u32;
        s.entsize = 16;
        secs.push(s);
    }
    // The string table (section and symbol names) and the symbol table.
    let mut strtab = vec![0u8];
    let name_off = |s: &str, strtab: &mut Vec<u8>| -> u32 {
        if s.is_empty() {
            return 0;
        }
        let off = strtab.len() as u32;
        strtab.extend_from_slice(s.as_bytes());
        strtab.push(0);
        off
    };
    let mut symtab = vec![0u8; 24];
    for y in locals.iter().chain(globals.iter()) {
        let n = name_off(&y.name, &mut strtab);
        symtab.extend_from_slice(&n.to_le_bytes());
        symtab.push(y.info);
        symtab.push(0);
        symtab.extend_from_slice(&y.shndx.to_le_bytes());
        symtab.extend_from_slice(&y.value.to_le_bytes());
        symtab.extend_from_slice(&y.size.to_le_bytes());
    }
    let mut st = Sec::new(".symtab", SHT_SYMTAB, 0, symtab, 8);
    st.link = 1;
    st.info = first_global as u32;
    st.entsize = 24;
    secs.push(st);
    let sec_names: Vec<u32> = secs
        .iter()
        .map(|s| name_off(&s.name, &mut strtab))
        .collect();
    secs[1].data = strtab;
    // Layout: header, contents (8-aligned), section headers.
    let mut out = vec![0u8; 64];
    let mut offsets = Vec::with_capacity(secs.len());
    for s in &secs {
        while !out.len().is_multiple_of(8) {
            out.push(0);
        }
        offsets.push(out.len() as u64);
        out.extend_from_slice(&s.data);
    }
    while !out.len().is_multiple_of(8) {
        out.push(0);
    }
    let shoff = out.len() as u64;
    for (i, s) in secs.iter().enumerate() {
        let size = if s.sh_type == SHT_NOBITS {
            s.nobits_size
        } else {
            s.data.len() as u64
        };
        let off = if i == 0 { 0 } else { offsets[i] };
        for v in [sec_names[i], s.sh_type] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [s.flags, 0, off, size] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [s.link, s.info] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [s.align, s.entsize] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    let h = &mut out[..64];
    h[..8].copy_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0]);
    h[16..18].copy_from_slice(&ET_REL.to_le_bytes());
    h[18..20].copy_from_slice(&EM_BPF.to_le_bytes());
    h[20..24].copy_from_slice(&1u32.to_le_bytes());
    h[40..48].copy_from_slice(&shoff.to_le_bytes());
    h[52..54].copy_from_slice(&64u16.to_le_bytes());
    h[58..60].copy_from_slice(&64u16.to_le_bytes());
    h[60..62].copy_from_slice(&(secs.len() as u16).to_le_bytes());
    h[62..64].copy_from_slice(&1u16.to_le_bytes());
    Ok(out)
}

/// The records of section `name` in `parts`, a new empty list when it has none yet.
fn ext_section<'a, T>(parts: &'a mut Vec<ExtSection<T>>, name: &str) -> &'a mut Vec<T> {
    let i = match parts.iter().position(|s| s.name == name) {
        Some(i) => i,
        None => {
            parts.push(ExtSection {
                name: name.to_string(),
                records: Vec::new(),
            });
            parts.len() - 1
        }
    };
    &mut parts[i].records
}

/// A relocation to write: byte offset in its section, symbol, type.
type PendingRel = (u64, SymRef, u32);

/// `R_BPF_64_ABS64`: a 64-bit address in data (clang's relocation of a `values` pointer).
const R_BPF_64_ABS64: u32 = 2;

/// The `.maps` relocations of the initial slots (at their offsets in `.maps`): against the
/// inner map's symbol or the program's function symbol.
fn slot_relocations(
    obj: &Object,
    slots: &[(u64, &crate::spec::MapSlot)],
    map_sym: &BTreeMap<String, usize>,
    globals: &[Sym],
) -> Result<Vec<PendingRel>, ElfError> {
    let mut out = Vec::new();
    for (off, sl) in slots {
        let bad = |why: &str| {
            err(format!(
                "initial slot [{}] of map `{}` ({}): {why}",
                sl.index, sl.map, sl.value
            ))
        };
        let sym = match &sl.value {
            SlotValue::Map(m) => *map_sym
                .get(m)
                .ok_or_else(|| bad("no BTF-defined map of that name is written"))?,
            SlotValue::Program(p) => {
                let f = obj
                    .programs
                    .iter()
                    .find(|x| x.spec.name == *p)
                    .ok_or_else(|| bad("no program of that name is written"))?;
                globals
                    .iter()
                    .position(|y| y.name == f.function && y.info & 0xf == STT_FUNC)
                    .ok_or_else(|| bad("the program has no function symbol"))?
            }
        };
        out.push((*off, SymRef::Global(sym), R_BPF_64_ABS64));
    }
    Ok(out)
}

/// A relocation's symbol before the symbol table's final order is known.
enum SymRef {
    Local(usize),
    Global(usize),
}

/// Whether `i` is a bpf-to-bpf call (`BPF_PSEUDO_CALL`).
fn is_call(i: &Insn) -> bool {
    i.code == 0x85 && i.src() == 1
}

/// Whether `i` loads a function's address (`ld_imm64`, `src = BPF_PSEUDO_FUNC`).
fn is_func_ref(i: &Insn) -> bool {
    i.is_ld_imm64() && i.src() == crate::isa::insn::PseudoLd::Func as u8
}

/// The slots bpf-to-bpf calls and callback addresses of `insns` land on, sorted, once each.
/// [`call_targets`] and the program's exception callback (a function of its own in `.text`,
/// which nothing calls: see [`crate::xdp::exception`]).
fn function_targets(insns: &[Insn], globals: &[crate::btf::GlobalFunc]) -> Vec<usize> {
    let mut t = call_targets(insns);
    for g in globals.iter().filter(|g| g.exception_cb && g.insn != 0) {
        t.push(g.insn as usize);
    }
    t.sort_unstable();
    t.dedup();
    t
}

fn call_targets(insns: &[Insn]) -> Vec<usize> {
    let mut t: Vec<usize> = insns
        .iter()
        .enumerate()
        .filter(|(_, i)| is_call(i) || is_func_ref(i))
        .filter_map(|(n, i)| usize::try_from(n as i64 + 1 + i64::from(i.imm)).ok())
        .collect();
    t.sort_unstable();
    t.dedup();
    t
}

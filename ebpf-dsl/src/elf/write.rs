//! Writing an [`Object`] as an ELF relocatable object (see the module docs of [`super`]).
//!
//! Maps go in `.maps` as libbpf's BTF-defined maps: one anonymous struct per map with
//! `__uint(type|key_size|value_size|max_entries|map_flags, N)` members, described in a small
//! `.BTF` written by [`btf_for_maps`] — the hook the full BTF writer replaces (it will add
//! key/value types, `FUNC`s and `.BTF.ext`).

use std::collections::BTreeMap;

use super::raw::{
    EM_BPF, ET_REL, R_BPF_64_32, R_BPF_64_64, SHF_ALLOC, SHF_EXECINSTR, SHF_INFO_LINK, SHF_WRITE,
    SHT_NOBITS, SHT_PROGBITS, SHT_REL, SHT_STRTAB, SHT_SYMTAB, STB_GLOBAL, STB_LOCAL, STT_FUNC,
    STT_OBJECT, STT_SECTION,
};
use super::{is_data_section, ElfError, Object};
use crate::isa::insn::Insn;
use crate::spec::{MapSpec, RelocKind};

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

/// The bytes of a map definition in `.maps`: five pointers (all zero in the object).
const MAP_DEF_SIZE: u32 = 40;
const MAP_MEMBERS: [&str; 5] = ["type", "key_size", "value_size", "max_entries", "map_flags"];

/// A `.BTF` blob describing `maps` as BTF-defined maps (each a 40-byte struct of five
/// `__uint` members) in DATASEC `.maps`. Only what libbpf needs to create the maps; no
/// key/value types (the full BTF writer adds those).
pub fn btf_for_maps(maps: &[MapSpec]) -> Vec<u8> {
    let mut strings = vec![0u8];
    let add_str = |s: &str, strings: &mut Vec<u8>| -> u32 {
        let off = strings.len() as u32;
        strings.extend_from_slice(s.as_bytes());
        strings.push(0);
        off
    };
    let mut types: Vec<u8> = Vec::new();
    let mut next_id = 1u32;
    let mut push = |types: &mut Vec<u8>,
                    name: u32,
                    kind: u32,
                    vlen: u32,
                    size_or_type: u32,
                    extra: &[u32]|
     -> u32 {
        for v in [name, (kind << 24) | vlen, size_or_type]
            .iter()
            .chain(extra)
        {
            types.extend_from_slice(&v.to_le_bytes());
        }
        let id = next_id;
        next_id += 1;
        id
    };
    let int_name = add_str("int", &mut strings);
    let int = push(&mut types, int_name, 1, 0, 4, &[(1 << 24) | 32]);
    // One `int (*)[N]` per distinct N.
    let mut ptr_for: BTreeMap<u32, u32> = BTreeMap::new();
    for m in maps {
        for n in [
            m.map_type.as_u32(),
            m.key_size,
            m.value_size,
            m.max_entries,
            m.flags,
        ] {
            if let std::collections::btree_map::Entry::Vacant(e) = ptr_for.entry(n) {
                let arr = push(&mut types, 0, 3, 0, 0, &[int, int, n]);
                e.insert(push(&mut types, 0, 2, 0, arr, &[]));
            }
        }
    }
    let member_names: Vec<u32> = MAP_MEMBERS
        .iter()
        .map(|n| add_str(n, &mut strings))
        .collect();
    let mut vars = Vec::new();
    for m in maps {
        let vals = [
            m.map_type.as_u32(),
            m.key_size,
            m.value_size,
            m.max_entries,
            m.flags,
        ];
        let mut members = Vec::new();
        for (i, v) in vals.iter().enumerate() {
            members.extend_from_slice(&[member_names[i], ptr_for[v], 64 * i as u32]);
        }
        let st = push(&mut types, 0, 4, 5, MAP_DEF_SIZE, &members);
        let name = add_str(&m.name, &mut strings);
        vars.push(push(&mut types, name, 14, 0, st, &[1]));
    }
    let sec_name = add_str(".maps", &mut strings);
    let mut entries = Vec::new();
    for (i, v) in vars.iter().enumerate() {
        entries.extend_from_slice(&[*v, MAP_DEF_SIZE * i as u32, MAP_DEF_SIZE]);
    }
    push(
        &mut types,
        sec_name,
        15,
        vars.len() as u32,
        MAP_DEF_SIZE * vars.len() as u32,
        &entries,
    );
    let mut out = Vec::new();
    out.extend_from_slice(&0xeb9fu16.to_le_bytes());
    out.extend_from_slice(&[1, 0]);
    for v in [
        24u32,
        0,
        types.len() as u32,
        types.len() as u32,
        strings.len() as u32,
    ] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&types);
    out.extend_from_slice(&strings);
    out
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
    let mut map_sym: BTreeMap<String, usize> = BTreeMap::new();
    if !btf_maps.is_empty() {
        let idx = secs.len();
        secs.push(Sec::new(
            ".maps",
            SHT_PROGBITS,
            SHF_ALLOC | SHF_WRITE,
            vec![0; (MAP_DEF_SIZE as usize) * btf_maps.len()],
            8,
        ));
        for (i, m) in btf_maps.iter().enumerate() {
            map_sym.insert(m.name.to_string(), globals.len());
            globals.push(Sym {
                name: m.name.to_string(),
                info: (STB_GLOBAL << 4) | STT_OBJECT,
                shndx: idx as u16,
                value: u64::from(MAP_DEF_SIZE) * i as u64,
                size: u64::from(MAP_DEF_SIZE),
            });
        }
    }
    // Subprograms (everything from the first call target on) go to `.text`, as libbpf wants.
    let has_calls = obj
        .programs
        .iter()
        .any(|p| !call_targets(&p.spec.insns).is_empty());
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
            let targets = call_targets(&insns);
            if targets.first() == Some(&0) || targets.iter().any(|&t| t >= insns.len()) {
                return Err(err(format!(
                    "program `{}`: a call targets its first instruction or runs past its end",
                    p.spec.name
                )));
            }
            let entry_len = targets.first().copied().unwrap_or(insns.len());
            let text_base = text.len() as u64;
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
            let mut bounds = targets.clone();
            bounds.push(insns.len());
            for w in bounds.windows(2) {
                let from = text.len() as u64;
                for i in &insns[w[0]..w[1]] {
                    text.extend_from_slice(&i.to_bytes());
                }
                locals.push(Sym {
                    name: format!("{}.sub{}", p.function, w[0]),
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
    if !btf_maps.is_empty() {
        secs.push(Sec::new(
            ".BTF",
            SHT_PROGBITS,
            0,
            btf_for_maps(&btf_maps),
            4,
        ));
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

/// A relocation to write: byte offset in its section, symbol, type.
type PendingRel = (u64, SymRef, u32);

/// A relocation's symbol before the symbol table's final order is known.
enum SymRef {
    Local(usize),
    Global(usize),
}

/// Whether `i` is a bpf-to-bpf call (`BPF_PSEUDO_CALL`).
fn is_call(i: &Insn) -> bool {
    i.code == 0x85 && i.src() == 1
}

/// The slots bpf-to-bpf calls of `insns` land on, sorted, once each.
fn call_targets(insns: &[Insn]) -> Vec<usize> {
    let mut t: Vec<usize> = insns
        .iter()
        .enumerate()
        .filter(|(_, i)| is_call(i))
        .filter_map(|(n, i)| usize::try_from(n as i64 + 1 + i64::from(i.imm)).ok())
        .collect();
    t.sort_unstable();
    t.dedup();
    t
}

//! The ELF64 little-endian container: header, section headers, string tables, symbols and
//! `SHT_REL` relocations, each read with bounds checks (a malformed object is an [`ElfError`]
//! naming the section and offset, never a panic), and the constants the reader and the writer
//! share.

use super::ElfError;

/// `e_machine` of eBPF objects.
pub const EM_BPF: u16 = 247;
/// `e_type` of a relocatable object.
pub const ET_REL: u16 = 1;
/// Section types.
pub const SHT_PROGBITS: u32 = 1;
/// The symbol table.
pub const SHT_SYMTAB: u32 = 2;
/// A string table.
pub const SHT_STRTAB: u32 = 3;
/// Relocations without addends.
pub const SHT_REL: u32 = 9;
/// Zero-filled data (`.bss`).
pub const SHT_NOBITS: u32 = 8;
/// `sh_flags`: writable.
pub const SHF_WRITE: u64 = 1;
/// `sh_flags`: occupies memory.
pub const SHF_ALLOC: u64 = 2;
/// `sh_flags`: instructions.
pub const SHF_EXECINSTR: u64 = 4;
/// `sh_flags`: `sh_info` holds a section index.
pub const SHF_INFO_LINK: u64 = 0x40;
/// `R_BPF_64_64`: the 64-bit immediate of an `ld_imm64`.
pub const R_BPF_64_64: u32 = 1;
/// `R_BPF_64_32`: the 32-bit immediate of a `call` (bpf-to-bpf).
pub const R_BPF_64_32: u32 = 10;
/// Symbol types.
pub const STT_OBJECT: u8 = 1;
/// A function.
pub const STT_FUNC: u8 = 2;
/// A section symbol.
pub const STT_SECTION: u8 = 3;
/// Symbol binding: local.
pub const STB_LOCAL: u8 = 0;
/// Symbol binding: global.
pub const STB_GLOBAL: u8 = 1;
/// `STB_WEAK`.
pub const STB_WEAK: u8 = 2;

/// One section header, with its name and contents.
#[derive(Clone, Debug)]
pub struct Section<'a> {
    /// The section's index in the header table.
    pub index: usize,
    /// Its name, from the section-name string table.
    pub name: String,
    /// `sh_type`.
    pub sh_type: u32,
    /// `sh_flags`.
    pub flags: u64,
    /// `sh_size`.
    pub size: u64,
    /// `sh_link`.
    pub link: u32,
    /// `sh_info`.
    pub info: u32,
    /// The contents (empty for `SHT_NOBITS`).
    pub data: &'a [u8],
}

/// One `Elf64_Sym`.
#[derive(Clone, Debug)]
pub struct Symbol {
    /// Its name (empty for section symbols).
    pub name: String,
    /// `st_value`: the offset in its section.
    pub value: u64,
    /// `st_size`.
    pub size: u64,
    /// `st_info & 0xf`.
    pub kind: u8,
    /// `st_info >> 4`.
    pub bind: u8,
    /// `st_shndx`.
    pub shndx: u16,
}

/// One `Elf64_Rel`.
#[derive(Clone, Copy, Debug)]
pub struct Rel {
    /// `r_offset`: the byte offset in the section the relocation applies to.
    pub offset: u64,
    /// The symbol index.
    pub sym: u32,
    /// The relocation type.
    pub kind: u32,
}

/// A parsed object: its sections and symbols.
#[derive(Debug)]
pub struct Elf<'a> {
    /// Every section, by index.
    pub sections: Vec<Section<'a>>,
    /// Every symbol, by index (index 0 is the null symbol).
    pub symbols: Vec<Symbol>,
}

fn err(section: Option<&str>, offset: u64, reason: impl Into<String>) -> ElfError {
    ElfError {
        section: section.map(str::to_string),
        offset,
        reason: reason.into(),
    }
}

/// `len` bytes of `data` at `off`, or an error naming `what`.
pub fn slice<'a>(
    data: &'a [u8],
    off: u64,
    len: u64,
    section: Option<&str>,
    what: &str,
) -> Result<&'a [u8], ElfError> {
    let end = off.checked_add(len);
    match end {
        Some(end) if end <= data.len() as u64 => Ok(&data[off as usize..end as usize]),
        _ => Err(err(
            section,
            off,
            format!(
                "{what} ({len} bytes) runs past the end ({} bytes)",
                data.len()
            ),
        )),
    }
}

/// Little-endian reads from a slice known to be long enough.
pub fn u16_at(b: &[u8], o: usize) -> u16 {
    u16::from_le_bytes([b[o], b[o + 1]])
}
/// See [`u16_at`].
pub fn u32_at(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
}
/// See [`u16_at`].
pub fn u64_at(b: &[u8], o: usize) -> u64 {
    u64::from(u32_at(b, o)) | (u64::from(u32_at(b, o + 4)) << 32)
}

/// The NUL-terminated string at `off` of string table `strtab`.
pub fn cstr(strtab: &[u8], off: u32, section: &str) -> Result<String, ElfError> {
    let start = off as usize;
    let rest = strtab.get(start..).ok_or_else(|| {
        err(
            Some(section),
            u64::from(off),
            "a name offset is past the end of the string table",
        )
    })?;
    let len = rest.iter().position(|&b| b == 0).ok_or_else(|| {
        err(
            Some(section),
            u64::from(off),
            "a name is not NUL-terminated",
        )
    })?;
    Ok(String::from_utf8_lossy(&rest[..len]).into_owned())
}

impl<'a> Elf<'a> {
    /// Parses the header, the section headers and the symbol table of `data`, which must be
    /// an ELF64 little-endian relocatable object for eBPF.
    pub fn parse(data: &'a [u8]) -> Result<Elf<'a>, ElfError> {
        let h = slice(data, 0, 64, None, "the ELF header")?;
        if &h[..4] != b"\x7fELF" {
            return Err(err(None, 0, "not an ELF file (no \\x7fELF magic)"));
        }
        if h[4] != 2 {
            return Err(err(
                None,
                4,
                "not a 64-bit ELF object (EI_CLASS is not ELFCLASS64)",
            ));
        }
        if h[5] != 1 {
            return Err(err(
                None,
                5,
                "not a little-endian ELF object (EI_DATA is not ELFDATA2LSB)",
            ));
        }
        let e_type = u16_at(h, 16);
        if e_type != ET_REL {
            return Err(err(
                None,
                16,
                format!(
                    "e_type is {e_type}, not ET_REL (1): only relocatable objects (.o) are read"
                ),
            ));
        }
        let machine = u16_at(h, 18);
        if machine != EM_BPF {
            return Err(err(
                None,
                18,
                format!("e_machine is {machine}, not EM_BPF (247): not an eBPF object"),
            ));
        }
        let shoff = u64_at(h, 40);
        let shentsize = u16_at(h, 58);
        let shnum = u16_at(h, 60);
        let shstrndx = u16_at(h, 62);
        if shentsize != 64 {
            return Err(err(None, 58, format!("e_shentsize is {shentsize}, not 64")));
        }
        let table = slice(
            data,
            shoff,
            u64::from(shnum) * 64,
            None,
            "the section header table",
        )?;
        let mut raw = Vec::with_capacity(shnum as usize);
        for i in 0..shnum as usize {
            let s = &table[i * 64..i * 64 + 64];
            raw.push((
                u32_at(s, 0),
                u32_at(s, 4),
                u64_at(s, 8),
                u64_at(s, 24),
                u64_at(s, 32),
                u32_at(s, 40),
                u32_at(s, 44),
            ));
        }
        let shstr = match raw.get(shstrndx as usize) {
            Some(&(_, t, _, off, size, _, _)) if t == SHT_STRTAB => {
                slice(data, off, size, None, "the section-name string table")?
            }
            _ => {
                return Err(err(
                    None,
                    62,
                    format!("e_shstrndx {shstrndx} is not a string table section"),
                ))
            }
        };
        let mut sections = Vec::with_capacity(raw.len());
        for (index, &(name_off, sh_type, flags, offset, size, link, info)) in raw.iter().enumerate()
        {
            let name = cstr(shstr, name_off, "section names")?;
            let data = if sh_type == SHT_NOBITS || index == 0 {
                &[][..]
            } else {
                slice(data, offset, size, Some(&name), "the section's contents")?
            };
            sections.push(Section {
                index,
                name,
                sh_type,
                flags,
                size,
                link,
                info,
                data,
            });
        }
        let mut symbols = Vec::new();
        if let Some(symtab) = sections.iter().find(|s| s.sh_type == SHT_SYMTAB) {
            let strtab = sections
                .get(symtab.link as usize)
                .ok_or_else(|| err(Some(&symtab.name), 0, "sh_link names no string table"))?;
            if symtab.data.len() % 24 != 0 {
                return Err(err(
                    Some(&symtab.name),
                    0,
                    "the size is not a multiple of 24 (Elf64_Sym)",
                ));
            }
            for (i, s) in symtab.data.chunks_exact(24).enumerate() {
                let name = cstr(strtab.data, u32_at(s, 0), &strtab.name).map_err(|mut e| {
                    e.reason = format!("symbol {i}: {}", e.reason);
                    e
                })?;
                symbols.push(Symbol {
                    name,
                    kind: s[4] & 0xf,
                    bind: s[4] >> 4,
                    shndx: u16_at(s, 6),
                    value: u64_at(s, 8),
                    size: u64_at(s, 16),
                });
            }
        }
        Ok(Elf { sections, symbols })
    }

    /// The section named `name`, if any.
    pub fn section(&self, name: &str) -> Option<&Section<'a>> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// The relocations that apply to section `target` (from its `SHT_REL` section).
    pub fn rels_for(&self, target: usize) -> Result<Vec<Rel>, ElfError> {
        let mut out = Vec::new();
        for s in self
            .sections
            .iter()
            .filter(|s| s.sh_type == SHT_REL && s.info as usize == target)
        {
            if s.data.len() % 16 != 0 {
                return Err(err(
                    Some(&s.name),
                    0,
                    "the size is not a multiple of 16 (Elf64_Rel)",
                ));
            }
            for (i, r) in s.data.chunks_exact(16).enumerate() {
                let info = u64_at(r, 8);
                let rel = Rel {
                    offset: u64_at(r, 0),
                    sym: (info >> 32) as u32,
                    kind: info as u32,
                };
                if rel.sym as usize >= self.symbols.len() {
                    return Err(err(
                        Some(&s.name),
                        (i * 16) as u64,
                        format!(
                            "relocation names symbol {} of {}",
                            rel.sym,
                            self.symbols.len()
                        ),
                    ));
                }
                out.push(rel);
            }
        }
        Ok(out)
    }
}

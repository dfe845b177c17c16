//! `.BTF.ext`: `func_info`, `line_info` and CO-RE relocation records, grouped by ELF section.
//!
//! In an ELF object a record's `insn_off` is a byte offset into its section; here records hold
//! instruction indexes ([`FuncInfo::insn`]) and the conversion happens at the edges.

use super::decode::{string_at, Reader};
use super::encode::assemble;
use super::*;

/// A function starts at instruction `insn` and has the `FUNC` type `type_id`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FuncInfo {
    /// Instruction index (slot) in its section.
    pub insn: u32,
    /// The `FUNC` type id.
    pub type_id: u32,
}

/// The source line of instruction `insn`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LineInfo {
    /// Instruction index (slot) in its section.
    pub insn: u32,
    /// The source file's name.
    pub file: String,
    /// The text of the source line.
    pub text: String,
    /// Line number (1-based; at most 2^22 - 1).
    pub line: u32,
    /// Column (at most 1023).
    pub col: u32,
}

/// A CO-RE relocation (`struct bpf_core_relo`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CoreRelo {
    /// Instruction index (slot) in its section.
    pub insn: u32,
    /// The root type id.
    pub type_id: u32,
    /// The access string (`"0:1:2"`).
    pub access: String,
    /// `enum bpf_core_relo_kind`.
    pub kind: u32,
}

/// The records of one ELF section.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExtSection<T> {
    /// The ELF section's name (`xdp`, `.text`, ...).
    pub name: String,
    /// Its records, by instruction.
    pub records: Vec<T>,
}

/// A `.BTF.ext` blob's contents.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct BtfExt {
    /// `func_info` by section.
    pub func_info: Vec<ExtSection<FuncInfo>>,
    /// `line_info` by section.
    pub line_info: Vec<ExtSection<LineInfo>>,
    /// CO-RE relocations by section.
    pub core_relo: Vec<ExtSection<CoreRelo>>,
}

const EXT_HEADER_LEN: u32 = 32;
/// `struct bpf_func_info`'s size.
pub(crate) const FUNC_REC: u32 = 8;
/// `struct bpf_line_info`'s size.
pub(crate) const LINE_REC: u32 = 16;
const CORE_REC: u32 = 16;

/// `line_col` as the kernel packs it (line in the high 22 bits, column in the low 10).
pub(crate) fn line_col(line: u32, col: u32) -> u32 {
    (line.min((1 << 22) - 1) << 10) | col.min(1023)
}

fn put(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn encode_part<T>(
    sections: &[ExtSection<T>],
    rec_size: u32,
    strings: &mut StringTable,
    mut rec: impl FnMut(&T, &mut StringTable, &mut Vec<u8>),
) -> Vec<u8> {
    let mut out = Vec::new();
    if sections.iter().all(|s| s.records.is_empty()) {
        return out;
    }
    put(&mut out, rec_size);
    for s in sections.iter().filter(|s| !s.records.is_empty()) {
        put(&mut out, strings.add(&s.name));
        put(&mut out, s.records.len() as u32);
        for r in &s.records {
            rec(r, strings, &mut out);
        }
    }
    out
}

impl Btf {
    /// `.BTF` and `.BTF.ext` for an ELF object, sharing one string table (`insn_off` in bytes).
    pub fn encode_with_ext(&self, ext: &BtfExt) -> (Vec<u8>, Vec<u8>) {
        let mut strings = StringTable::new();
        let types = self.encode_types(&mut strings);
        let funcs = encode_part(&ext.func_info, FUNC_REC, &mut strings, |r, _, o| {
            put(o, r.insn * 8);
            put(o, r.type_id);
        });
        let lines = encode_part(&ext.line_info, LINE_REC, &mut strings, |r, s, o| {
            put(o, r.insn * 8);
            put(o, s.add(&r.file));
            put(o, s.add(&r.text));
            put(o, line_col(r.line, r.col));
        });
        let core = encode_part(&ext.core_relo, CORE_REC, &mut strings, |r, s, o| {
            put(o, r.insn * 8);
            put(o, r.type_id);
            put(o, s.add(&r.access));
            put(o, r.kind);
        });
        let mut out = Vec::new();
        out.extend_from_slice(&BTF_MAGIC.to_le_bytes());
        out.push(BTF_VERSION);
        out.push(0);
        put(&mut out, EXT_HEADER_LEN);
        let mut off = 0u32;
        for part in [&funcs, &lines, &core] {
            put(&mut out, off);
            put(&mut out, part.len() as u32);
            off += part.len() as u32;
        }
        out.extend_from_slice(&funcs);
        out.extend_from_slice(&lines);
        out.extend_from_slice(&core);
        (assemble(&types, &strings), out)
    }
}

type RecFn<'f, T> = dyn FnMut(&mut Reader<'_>, u32) -> Result<T, BtfError> + 'f;

fn decode_part<T>(
    data: &[u8],
    base: usize,
    min_rec: u32,
    strings: &[u8],
    what: &str,
    rec: &mut RecFn<'_, T>,
) -> Result<Vec<ExtSection<T>>, BtfError> {
    let mut out = Vec::new();
    if data.is_empty() {
        return Ok(out);
    }
    let mut r = Reader::new(data, base, ".BTF.ext");
    let rec_size = r.u32("record size")?;
    if rec_size < min_rec || !rec_size.is_multiple_of(4) {
        return Err(r.err(
            0,
            format!("{what} record size {rec_size} (expected {min_rec} or more, a multiple of 4)"),
        ));
    }
    while !r.at_end() {
        let at = r.base + r.pos;
        let name_off = r.u32("section name")?;
        let name = string_at(strings, name_off, ".BTF.ext", at)?;
        let n = r.u32("record count")?;
        // Sized once (never more records than the bytes left can hold, whatever the count
        // says): grown by doubling, a section of some 1,000 line records would pass through
        // blocks of 4, 8, 16 and 32 KB, each of a size class of the allocator not used again.
        let room = r.bytes.len().saturating_sub(r.pos) / rec_size as usize;
        let mut records = Vec::with_capacity((n as usize).min(room));
        for _ in 0..n {
            let start = r.pos;
            if r.bytes.len() - start < rec_size as usize {
                return Err(r.err(start, format!("truncated {what} record")));
            }
            let off = r.u32("insn_off")?;
            if !off.is_multiple_of(8) {
                return Err(r.err(
                    start,
                    format!("{what} insn_off {off} is not a multiple of 8"),
                ));
            }
            records.push(rec(&mut r, off / 8)?);
            r.pos = start + rec_size as usize;
        }
        out.push(ExtSection { name, records });
    }
    Ok(out)
}

impl BtfExt {
    /// Reads a `.BTF.ext` blob; its string offsets refer to the string table of `btf`, the
    /// `.BTF` blob of the same object.
    pub fn decode(bytes: &[u8], btf: &[u8]) -> Result<BtfExt, BtfError> {
        let strings = super::decode::split(btf)?.strings;
        let mut r = Reader::new(bytes, 0, ".BTF.ext");
        if bytes.len() < 8 {
            return Err(r.err(
                0,
                format!("{} bytes is shorter than the header", bytes.len()),
            ));
        }
        let magic = u16::from_le_bytes([bytes[0], bytes[1]]);
        if magic != BTF_MAGIC {
            return Err(r.err(0, format!("bad magic {magic:#06x}")));
        }
        r.pos = 4;
        let hdr_len = r.u32("hdr_len")? as usize;
        if hdr_len < 24 || hdr_len > bytes.len() {
            return Err(r.err(4, format!("header length {hdr_len} is out of range")));
        }
        let mut parts = [(0usize, 0usize); 3];
        let count = if hdr_len >= 32 { 3 } else { 2 };
        for p in parts.iter_mut().take(count) {
            let off = r.u32("section offset")? as usize;
            let len = r.u32("section length")? as usize;
            *p = (off, len);
        }
        let body = &bytes[hdr_len..];
        let slice = |i: usize| -> Result<&[u8], BtfError> {
            let (off, len) = parts[i];
            off.checked_add(len)
                .filter(|&e| e <= body.len())
                .map(|e| &body[off..e])
                .ok_or_else(|| {
                    r.err(
                        8 + i * 8,
                        format!("part {i} ({len} bytes at {off}) runs past the end"),
                    )
                })
        };
        let (f, l, c) = (slice(0)?, slice(1)?, slice(2)?);
        let s = strings;
        let func_info = decode_part(
            f,
            hdr_len + parts[0].0,
            FUNC_REC,
            s,
            "func_info",
            &mut |r, insn| {
                Ok(FuncInfo {
                    insn,
                    type_id: r.u32("type_id")?,
                })
            },
        )?;
        // The records of a file name its file at the same offset, one after the other: the
        // last one read is copied, not read again.
        let mut last_file: Option<(u32, String)> = None;
        let line_info = decode_part(
            l,
            hdr_len + parts[1].0,
            LINE_REC,
            s,
            "line_info",
            &mut |r, insn| {
                let at = r.base + r.pos;
                let file_off = r.u32("file_name_off")?;
                let file = match &last_file {
                    Some((o, f)) if *o == file_off => f.clone(),
                    _ => {
                        let f = string_at(s, file_off, ".BTF.ext", at)?;
                        last_file = Some((file_off, f.clone()));
                        f
                    }
                };
                let text = string_at(s, r.u32("line_off")?, ".BTF.ext", at + 4)?;
                let lc = r.u32("line_col")?;
                Ok(LineInfo {
                    insn,
                    file,
                    text,
                    line: lc >> 10,
                    col: lc & 0x3ff,
                })
            },
        )?;
        let core_relo = decode_part(
            c,
            hdr_len + parts[2].0,
            CORE_REC,
            s,
            "core_relo",
            &mut |r, insn| {
                let type_id = r.u32("type_id")?;
                let at = r.base + r.pos;
                let access = string_at(s, r.u32("access_str_off")?, ".BTF.ext", at)?;
                Ok(CoreRelo {
                    insn,
                    type_id,
                    access,
                    kind: r.u32("kind")?,
                })
            },
        )?;
        Ok(BtfExt {
            func_info,
            line_info,
            core_relo,
        })
    }
}

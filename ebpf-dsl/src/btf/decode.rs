//! Reading `.BTF`: every length and offset checked, errors name the byte offset.

use super::*;

/// A little-endian cursor over one section; errors carry the section's name and the offset.
pub(crate) struct Reader<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) pos: usize,
    /// Added to `pos` in error offsets (the start of this slice in its section).
    pub(crate) base: usize,
    pub(crate) section: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], base: usize, section: &'static str) -> Reader<'a> {
        Reader {
            bytes,
            pos: 0,
            base,
            section,
        }
    }

    pub(crate) fn err(&self, at: usize, message: impl Into<String>) -> BtfError {
        BtfError {
            section: self.section,
            offset: self.base + at,
            message: message.into(),
        }
    }

    pub(crate) fn u32(&mut self, what: &str) -> Result<u32, BtfError> {
        let at = self.pos;
        let b = self
            .bytes
            .get(at..at + 4)
            .ok_or_else(|| self.err(at, format!("truncated: {what} needs 4 bytes")))?;
        self.pos += 4;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }
}

/// The string at `off` in a string table.
pub(crate) fn string_at(
    strings: &[u8],
    off: u32,
    section: &'static str,
    at: usize,
) -> Result<String, BtfError> {
    str_at(strings, off, section, at).map(str::to_string)
}

/// [`string_at`], borrowed from the table.
pub(crate) fn str_at<'a>(
    strings: &'a [u8],
    off: u32,
    section: &'static str,
    at: usize,
) -> Result<&'a str, BtfError> {
    let err = |m: String| BtfError {
        section,
        offset: at,
        message: m,
    };
    let start = off as usize;
    let rest = strings
        .get(start..)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            err(format!(
                "string offset {off} is past the string table ({} bytes)",
                strings.len()
            ))
        })?;
    // (`CStr` finds the NUL a word at a time: a `.BTF.ext` has a file name and a source line
    // per `line_info` record, tens of thousands in a large object.)
    let s = std::ffi::CStr::from_bytes_until_nul(rest)
        .map_err(|_| err(format!("the string at offset {off} has no terminating NUL")))?;
    s.to_str()
        .map_err(|_| err(format!("the string at offset {off} is not UTF-8")))
}

/// The parts of a `.BTF` header.
pub(crate) struct Parts<'a> {
    pub(crate) types: &'a [u8],
    pub(crate) types_at: usize,
    pub(crate) strings: &'a [u8],
}

pub(crate) fn split(bytes: &[u8]) -> Result<Parts<'_>, BtfError> {
    split_as(bytes, false)
}

/// [`split`] of a blob that is the base's (`over_base` false: its string table starts with
/// the empty string) or split over a base (the kernel lets a module's own strings start with
/// any string: its offsets follow the base's).
pub(crate) fn split_as(bytes: &[u8], over_base: bool) -> Result<Parts<'_>, BtfError> {
    let e = |offset: usize, m: String| BtfError {
        section: ".BTF",
        offset,
        message: m,
    };
    if bytes.len() < 24 {
        return Err(e(
            0,
            format!("{} bytes is shorter than the 24-byte header", bytes.len()),
        ));
    }
    let magic = u16::from_le_bytes([bytes[0], bytes[1]]);
    if magic != BTF_MAGIC {
        return Err(e(
            0,
            format!("bad magic {magic:#06x} (expected {BTF_MAGIC:#06x}; big-endian BTF is not supported)"),
        ));
    }
    if bytes[2] != BTF_VERSION {
        return Err(e(2, format!("unsupported version {}", bytes[2])));
    }
    let mut r = Reader::new(bytes, 0, ".BTF");
    r.pos = 4;
    let hdr_len = r.u32("hdr_len")? as usize;
    let type_off = r.u32("type_off")? as usize;
    let type_len = r.u32("type_len")? as usize;
    let str_off = r.u32("str_off")? as usize;
    let str_len = r.u32("str_len")? as usize;
    if hdr_len < 24 || hdr_len > bytes.len() {
        return Err(e(4, format!("header length {hdr_len} is out of range")));
    }
    let body = &bytes[hdr_len..];
    let section = |off: usize, len: usize, what: &str, at: usize| {
        off.checked_add(len)
            .filter(|&end| end <= body.len())
            .map(|end| &body[off..end])
            .ok_or_else(|| {
                e(
                    at,
                    format!(
                        "the {what} ({len} bytes at {off}) runs past the end of the data ({} bytes)",
                        body.len()
                    ),
                )
            })
    };
    let types = section(type_off, type_len, "type section", 12)?;
    let strings = section(str_off, str_len, "string section", 20)?;
    if !type_len.is_multiple_of(4) {
        return Err(e(
            12,
            format!("type section length {type_len} is not a multiple of 4"),
        ));
    }
    if !over_base && !strings.is_empty() && strings[0] != 0 {
        return Err(e(
            hdr_len + str_off,
            "the string table does not start with an empty string".into(),
        ));
    }
    Ok(Parts {
        types,
        types_at: hdr_len + type_off,
        strings,
    })
}

/// A string table as a BTF blob sees it: for split BTF (a module's), the base's table comes
/// first and the blob's own offsets follow it.
#[derive(Clone, Copy)]
pub(crate) struct Strings<'a> {
    base: &'a [u8],
    own: &'a [u8],
}

impl Strings<'_> {
    /// The string at offset `off` (`at`: the offset of the reference, for the error).
    fn get(&self, off: u32, at: usize) -> Result<String, BtfError> {
        let base = self.base.len() as u32;
        if off < base {
            string_at(self.base, off, ".BTF", at)
        } else {
            string_at(self.own, off - base, ".BTF", at)
        }
    }
}

/// The types of a blob's type section (`parts`), whose names are in `strings`; `first` is the
/// id of its first type less one (0, or the base's number of types for split BTF). Returns the
/// types and the offset of each in the blob.
fn decode_types(
    parts: &Parts<'_>,
    strings: Strings<'_>,
    first: u32,
) -> Result<(Vec<Type>, Vec<usize>), BtfError> {
    let mut r = Reader::new(parts.types, parts.types_at, ".BTF");
    let mut types = Vec::new();
    let mut starts = Vec::new();
    while !r.at_end() {
        let start = r.pos;
        let name_off = r.u32("name_off")?;
        let info = r.u32("info")?;
        let size_or_type = r.u32("size/type")?;
        let name = strings.get(name_off, r.base + start)?;
        let vlen = (info & 0xffff) as usize;
        let kind_flag = info >> 31 == 1;
        let kind = (info >> 24) & 0x1f;
        let str_at = |r: &mut Reader<'_>, what: &str| -> Result<String, BtfError> {
            let at = r.base + r.pos;
            let off = r.u32(what)?;
            strings.get(off, at)
        };
        let k = match kind {
            1 => {
                let v = r.u32("int data")?;
                Kind::Int {
                    size: size_or_type,
                    encoding: (v >> 24) as u8,
                    offset: (v >> 16) as u8,
                    bits: v as u8,
                }
            }
            2 => Kind::Ptr(size_or_type),
            3 => Kind::Array {
                elem: r.u32("array type")?,
                index: r.u32("array index_type")?,
                nelems: r.u32("array nelems")?,
            },
            4 | 5 => {
                let mut members = Vec::with_capacity(vlen.min(r.bytes.len() / 12));
                for _ in 0..vlen {
                    let name = str_at(&mut r, "member name")?;
                    let ty = r.u32("member type")?;
                    let off = r.u32("member offset")?;
                    let (bit_offset, bitfield_size) = if kind_flag {
                        (off & 0x00ff_ffff, (off >> 24) as u8)
                    } else {
                        (off, 0)
                    };
                    members.push(Member {
                        name,
                        ty,
                        bit_offset,
                        bitfield_size,
                    });
                }
                if kind == 4 {
                    Kind::Struct {
                        size: size_or_type,
                        members,
                    }
                } else {
                    Kind::Union {
                        size: size_or_type,
                        members,
                    }
                }
            }
            6 | 19 => {
                let mut values = Vec::with_capacity(vlen.min(r.bytes.len() / 8));
                for _ in 0..vlen {
                    let name = str_at(&mut r, "enumerator name")?;
                    let lo = r.u32("enumerator value")?;
                    let value = if kind == 19 {
                        u64::from(lo) | (u64::from(r.u32("enumerator value")?) << 32)
                    } else {
                        u64::from(lo)
                    };
                    values.push(Enumerator { name, value });
                }
                if kind == 6 {
                    Kind::Enum {
                        size: size_or_type,
                        signed: kind_flag,
                        values,
                    }
                } else {
                    Kind::Enum64 {
                        size: size_or_type,
                        signed: kind_flag,
                        values,
                    }
                }
            }
            7 => Kind::Fwd { union: kind_flag },
            8 => Kind::Typedef(size_or_type),
            9 => Kind::Volatile(size_or_type),
            10 => Kind::Const(size_or_type),
            11 => Kind::Restrict(size_or_type),
            12 => Kind::Func {
                proto: size_or_type,
                linkage: Linkage::from_u32(vlen as u32).ok_or_else(|| {
                    r.err(start + 4, format!("FUNC '{name}': unknown linkage {vlen}"))
                })?,
            },
            13 => {
                let mut params = Vec::with_capacity(vlen.min(r.bytes.len() / 8));
                for _ in 0..vlen {
                    let name = str_at(&mut r, "parameter name")?;
                    let ty = r.u32("parameter type")?;
                    params.push(Param { name, ty });
                }
                Kind::FuncProto {
                    ret: size_or_type,
                    params,
                }
            }
            14 => {
                let at = r.pos;
                let l = r.u32("var linkage")?;
                Kind::Var {
                    ty: size_or_type,
                    linkage: Linkage::from_u32(l)
                        .ok_or_else(|| r.err(at, format!("VAR '{name}': unknown linkage {l}")))?,
                }
            }
            15 => {
                let mut vars = Vec::with_capacity(vlen.min(r.bytes.len() / 12));
                for _ in 0..vlen {
                    vars.push(VarSecInfo {
                        ty: r.u32("datasec var type")?,
                        offset: r.u32("datasec var offset")?,
                        size: r.u32("datasec var size")?,
                    });
                }
                Kind::Datasec {
                    size: size_or_type,
                    vars,
                }
            }
            16 => Kind::Float { size: size_or_type },
            17 => Kind::DeclTag {
                ty: size_or_type,
                component_idx: r.u32("decl_tag component_idx")? as i32,
            },
            18 => Kind::TypeTag(size_or_type),
            k => {
                return Err(r.err(
                    start + 4,
                    format!(
                        "type [{}]: unknown kind {k}",
                        first as usize + types.len() + 1
                    ),
                ))
            }
        };
        types.push(Type::new(name, k));
        starts.push(r.base + start);
    }
    Ok((types, starts))
}

impl Btf {
    /// Reads a `.BTF` blob.
    pub fn decode(bytes: &[u8]) -> Result<Btf, BtfError> {
        let parts = split(bytes)?;
        let strings = Strings {
            base: &[],
            own: parts.strings,
        };
        let (types, starts) = decode_types(&parts, strings, 0)?;
        let btf = Btf::from_types(types);
        check_references(&btf.types, 0, &starts)?;
        Ok(btf)
    }
}

/// The number of types of the `.BTF` blob `bytes` and its string table, without decoding them
/// (the base of split BTF: [`SplitBtf::decode`](super::SplitBtf::decode)).
pub(crate) fn base_of(bytes: &[u8]) -> Result<(u32, &[u8]), BtfError> {
    let parts = split(bytes)?;
    let mut r = Reader::new(parts.types, parts.types_at, ".BTF");
    let mut n = 0u32;
    while !r.at_end() {
        r.u32("name_off")?;
        let info = r.u32("info")?;
        r.u32("size/type")?;
        let vlen = (info & 0xffff) as usize;
        let words = match (info >> 24) & 0x1f {
            2 | 7..=12 | 16 | 18 => 0,
            1 | 14 | 17 => 1,
            3 => 3,
            6 | 13 => 2 * vlen,
            4 | 5 | 15 | 19 => 3 * vlen,
            k => return Err(r.err(r.pos - 8, format!("type [{}]: unknown kind {k}", n + 1))),
        };
        r.pos = r
            .pos
            .checked_add(4 * words)
            .filter(|&e| e <= r.bytes.len())
            .ok_or_else(|| r.err(r.pos, format!("type [{}] is truncated", n + 1)))?;
        n += 1;
    }
    Ok((n, parts.strings))
}

/// The own types of split BTF `bytes` over a base of `base_types` types whose string table is
/// `base_strings`: type `i` of the result has id `base_types + i + 1`.
pub(crate) fn decode_split(
    bytes: &[u8],
    base_types: u32,
    base_strings: &[u8],
) -> Result<Vec<Type>, BtfError> {
    let parts = split_as(bytes, true)?;
    let strings = Strings {
        base: base_strings,
        own: parts.strings,
    };
    let (types, starts) = decode_types(&parts, strings, base_types)?;
    check_references(&types, base_types, &starts)?;
    Ok(types)
}

/// Every type id the types `types` (ids `first + 1`, ...) refer to is 0 (`void`) or an existing
/// type; `starts[i]` is the offset of `types[i]` in `.BTF`, for the error.
fn check_references(types: &[Type], first: u32, starts: &[usize]) -> Result<(), BtfError> {
    let n = first + types.len() as u32;
    for (i, t) in types.iter().enumerate() {
        let mut refs: Vec<u32> = Vec::new();
        match &t.kind {
            Kind::Ptr(id)
            | Kind::Typedef(id)
            | Kind::Volatile(id)
            | Kind::Const(id)
            | Kind::Restrict(id)
            | Kind::TypeTag(id)
            | Kind::Func { proto: id, .. }
            | Kind::Var { ty: id, .. }
            | Kind::DeclTag { ty: id, .. } => refs.push(*id),
            Kind::Array { elem, index, .. } => refs.extend([*elem, *index]),
            Kind::Struct { members, .. } | Kind::Union { members, .. } => {
                refs.extend(members.iter().map(|m| m.ty))
            }
            Kind::FuncProto { ret, params } => {
                refs.push(*ret);
                refs.extend(params.iter().map(|p| p.ty));
            }
            Kind::Datasec { vars, .. } => refs.extend(vars.iter().map(|v| v.ty)),
            Kind::Int { .. }
            | Kind::Enum { .. }
            | Kind::Enum64 { .. }
            | Kind::Fwd { .. }
            | Kind::Float { .. } => {}
        }
        if let Some(bad) = refs.into_iter().find(|&r| r > n) {
            return Err(BtfError {
                section: ".BTF",
                offset: starts.get(i).copied().unwrap_or(0),
                message: format!(
                    "type [{}] {} '{}' refers to type {bad}, but there are {n} types",
                    first as usize + i + 1,
                    t.kind.name(),
                    if t.name.is_empty() { "(anon)" } else { &t.name }
                ),
            });
        }
    }
    Ok(())
}

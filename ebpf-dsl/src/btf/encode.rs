//! Writing `.BTF`: the header, the type section and the string table.

use super::{Btf, Kind, StringTable, BTF_MAGIC, BTF_VERSION};

/// The length of `struct btf_header`.
pub(crate) const HEADER_LEN: u32 = 24;

fn put(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn info(kind: u32, vlen: usize, kind_flag: bool) -> u32 {
    (kind << 24) | (vlen as u32 & 0xffff) | (u32::from(kind_flag) << 31)
}

impl Btf {
    /// The `.BTF` blob: header, types, string table (deduplicated).
    pub fn encode(&self) -> Vec<u8> {
        let mut strings = StringTable::new();
        let types = self.encode_types(&mut strings);
        assemble(&types, &strings)
    }

    /// The type section alone, its names added to `strings`.
    pub fn encode_types(&self, strings: &mut StringTable) -> Vec<u8> {
        let mut out = Vec::new();
        for t in &self.types {
            let name = strings.add(&t.name);
            put(&mut out, name);
            let n = t.kind.number();
            match &t.kind {
                Kind::Int {
                    size,
                    encoding,
                    offset,
                    bits,
                } => {
                    put(&mut out, info(n, 0, false));
                    put(&mut out, *size);
                    put(
                        &mut out,
                        (u32::from(*encoding) << 24)
                            | (u32::from(*offset) << 16)
                            | u32::from(*bits),
                    );
                }
                Kind::Ptr(ty)
                | Kind::Typedef(ty)
                | Kind::Volatile(ty)
                | Kind::Const(ty)
                | Kind::Restrict(ty)
                | Kind::TypeTag(ty) => {
                    put(&mut out, info(n, 0, false));
                    put(&mut out, *ty);
                }
                Kind::Array {
                    elem,
                    index,
                    nelems,
                } => {
                    put(&mut out, info(n, 0, false));
                    put(&mut out, 0);
                    put(&mut out, *elem);
                    put(&mut out, *index);
                    put(&mut out, *nelems);
                }
                Kind::Struct { size, members } | Kind::Union { size, members } => {
                    let bitfields = members.iter().any(|m| m.bitfield_size != 0);
                    put(&mut out, info(n, members.len(), bitfields));
                    put(&mut out, *size);
                    for m in members {
                        put(&mut out, strings.add(&m.name));
                        put(&mut out, m.ty);
                        let off = if bitfields {
                            (u32::from(m.bitfield_size) << 24) | (m.bit_offset & 0x00ff_ffff)
                        } else {
                            m.bit_offset
                        };
                        put(&mut out, off);
                    }
                }
                Kind::Enum {
                    size,
                    signed,
                    values,
                } => {
                    put(&mut out, info(n, values.len(), *signed));
                    put(&mut out, *size);
                    for v in values {
                        put(&mut out, strings.add(&v.name));
                        put(&mut out, v.value as u32);
                    }
                }
                Kind::Enum64 {
                    size,
                    signed,
                    values,
                } => {
                    put(&mut out, info(n, values.len(), *signed));
                    put(&mut out, *size);
                    for v in values {
                        put(&mut out, strings.add(&v.name));
                        put(&mut out, v.value as u32);
                        put(&mut out, (v.value >> 32) as u32);
                    }
                }
                Kind::Fwd { union } => {
                    put(&mut out, info(n, 0, *union));
                    put(&mut out, 0);
                }
                Kind::Func { proto, linkage } => {
                    put(&mut out, info(n, linkage.as_u32() as usize, false));
                    put(&mut out, *proto);
                }
                Kind::FuncProto { ret, params } => {
                    put(&mut out, info(n, params.len(), false));
                    put(&mut out, *ret);
                    for p in params {
                        put(&mut out, strings.add(&p.name));
                        put(&mut out, p.ty);
                    }
                }
                Kind::Var { ty, linkage } => {
                    put(&mut out, info(n, 0, false));
                    put(&mut out, *ty);
                    put(&mut out, linkage.as_u32());
                }
                Kind::Datasec { size, vars } => {
                    put(&mut out, info(n, vars.len(), false));
                    put(&mut out, *size);
                    for v in vars {
                        put(&mut out, v.ty);
                        put(&mut out, v.offset);
                        put(&mut out, v.size);
                    }
                }
                Kind::Float { size } => {
                    put(&mut out, info(n, 0, false));
                    put(&mut out, *size);
                }
                Kind::DeclTag { ty, component_idx } => {
                    put(&mut out, info(n, 0, false));
                    put(&mut out, *ty);
                    put(&mut out, *component_idx as u32);
                }
            }
        }
        out
    }
}

/// Header + `types` + the string table.
pub(crate) fn assemble(types: &[u8], strings: &StringTable) -> Vec<u8> {
    let s = strings.bytes();
    let mut out = Vec::with_capacity(HEADER_LEN as usize + types.len() + s.len());
    out.extend_from_slice(&BTF_MAGIC.to_le_bytes());
    out.push(BTF_VERSION);
    out.push(0);
    put(&mut out, HEADER_LEN);
    put(&mut out, 0);
    put(&mut out, types.len() as u32);
    put(&mut out, types.len() as u32);
    put(&mut out, s.len() as u32);
    out.extend_from_slice(types);
    out.extend_from_slice(s);
    out
}

//! BTF-defined maps (the `.maps` section): the smallest walk over the object's `.BTF` that
//! turns each variable of the `.maps` DATASEC into a [`MapSpec`].
//!
//! The map definition is libbpf's convention: a struct whose members encode the attributes in
//! their types — `__uint(type, 2)` is `int (*type)[2]` (a pointer to an array of 2 elements),
//! `__type(key, u32)` is `u32 *key` (a pointer to the key type, whose size is the key size).
//!
//! This walk reads only what that needs (type records, their sizes, member names); it is the
//! hook where a full BTF reader takes over: [`maps_from_btf`] is the one entry point, and its
//! body becomes "parse `.BTF` with the BTF module, find DATASEC `.maps`, resolve each member".

use std::borrow::Cow;

use super::raw::{cstr, u16_at, u32_at};
use super::ElfError;
use crate::spec::{MapSpec, MapType};

const SEC: &str = ".BTF";

const KIND_INT: u32 = 1;
const KIND_PTR: u32 = 2;
const KIND_ARRAY: u32 = 3;
const KIND_STRUCT: u32 = 4;
const KIND_UNION: u32 = 5;
const KIND_ENUM: u32 = 6;
const KIND_TYPEDEF: u32 = 8;
const KIND_VOLATILE: u32 = 9;
const KIND_CONST: u32 = 10;
const KIND_RESTRICT: u32 = 11;
const KIND_VAR: u32 = 14;
const KIND_DATASEC: u32 = 15;
const KIND_FLOAT: u32 = 16;
const KIND_TYPE_TAG: u32 = 18;
const KIND_ENUM64: u32 = 19;

/// One type record: kind, name, `size_or_type`, and the byte range of its trailing data.
struct Type {
    kind: u32,
    vlen: usize,
    name_off: u32,
    size_or_type: u32,
    extra: usize,
}

struct Btf<'a> {
    types: Vec<Type>, // index 0 is `void`
    type_data: &'a [u8],
    strings: &'a [u8],
    type_base: u64,
}

fn err(offset: u64, reason: impl Into<String>) -> ElfError {
    ElfError {
        section: Some(SEC.into()),
        offset,
        reason: reason.into(),
    }
}

impl<'a> Btf<'a> {
    fn parse(b: &'a [u8]) -> Result<Btf<'a>, ElfError> {
        if b.len() < 24 {
            return Err(err(0, "shorter than the 24-byte BTF header"));
        }
        if u16_at(b, 0) != 0xeb9f {
            return Err(err(0, "no BTF magic 0xeb9f (or not little-endian)"));
        }
        let hdr = u32_at(b, 4) as u64;
        let (t_off, t_len, s_off, s_len) = (
            u32_at(b, 8) as u64,
            u32_at(b, 12) as u64,
            u32_at(b, 16) as u64,
            u32_at(b, 20) as u64,
        );
        let range = |o: u64, l: u64, what: &str| {
            let start = hdr + o;
            if start + l > b.len() as u64 {
                Err(err(start, format!("the {what} runs past the end of .BTF")))
            } else {
                Ok(&b[start as usize..(start + l) as usize])
            }
        };
        let type_data = range(t_off, t_len, "type section")?;
        let strings = range(s_off, s_len, "string section")?;
        let mut types = vec![Type {
            kind: 0,
            vlen: 0,
            name_off: 0,
            size_or_type: 0,
            extra: 0,
        }];
        let mut o = 0usize;
        while o < type_data.len() {
            let at = hdr + t_off + o as u64;
            if o + 12 > type_data.len() {
                return Err(err(at, "a truncated type record"));
            }
            let info = u32_at(type_data, o + 4);
            let kind = (info >> 24) & 0x1f;
            let vlen = (info & 0xffff) as usize;
            let extra = match kind {
                KIND_INT | KIND_VAR | 17 => 4,
                KIND_ARRAY => 12,
                KIND_STRUCT | KIND_UNION | KIND_DATASEC | KIND_ENUM64 => 12 * vlen,
                KIND_ENUM | 13 => 8 * vlen,
                KIND_PTR | 7 | KIND_TYPEDEF | KIND_VOLATILE | KIND_CONST | KIND_RESTRICT | 12
                | KIND_FLOAT | KIND_TYPE_TAG => 0,
                k => return Err(err(at, format!("unknown BTF kind {k}"))),
            };
            if o + 12 + extra > type_data.len() {
                return Err(err(at, "a type record's members run past the type section"));
            }
            types.push(Type {
                kind,
                vlen,
                name_off: u32_at(type_data, o),
                size_or_type: u32_at(type_data, o + 8),
                extra: o + 12,
            });
            o += 12 + extra;
        }
        Ok(Btf {
            types,
            type_data,
            strings,
            type_base: hdr + t_off,
        })
    }

    fn ty(&self, id: u32) -> Result<&Type, ElfError> {
        self.types.get(id as usize).ok_or_else(|| {
            err(
                0,
                format!("type id {id} does not exist ({} types)", self.types.len()),
            )
        })
    }

    fn name(&self, t: &Type) -> Result<String, ElfError> {
        cstr(self.strings, t.name_off, SEC)
    }

    /// Skips typedefs and qualifiers.
    fn skip_mods(&self, mut id: u32) -> Result<u32, ElfError> {
        for _ in 0..32 {
            let t = self.ty(id)?;
            match t.kind {
                KIND_TYPEDEF | KIND_VOLATILE | KIND_CONST | KIND_RESTRICT | KIND_TYPE_TAG => {
                    id = t.size_or_type
                }
                _ => return Ok(id),
            }
        }
        Err(err(
            0,
            format!("type {id}: more than 32 typedefs/qualifiers in a row"),
        ))
    }

    fn size(&self, id: u32, depth: u32) -> Result<u64, ElfError> {
        if depth > 32 {
            return Err(err(0, format!("type {id} nests more than 32 levels deep")));
        }
        let id = self.skip_mods(id)?;
        let t = self.ty(id)?;
        Ok(match t.kind {
            KIND_INT | KIND_STRUCT | KIND_UNION | KIND_ENUM | KIND_ENUM64 | KIND_FLOAT
            | KIND_DATASEC => u64::from(t.size_or_type),
            KIND_PTR => 8,
            KIND_ARRAY => {
                let elem = u32_at(self.type_data, t.extra);
                let n = u32_at(self.type_data, t.extra + 8);
                self.size(elem, depth + 1)?.saturating_mul(u64::from(n))
            }
            k => {
                return Err(err(
                    self.type_base + t.extra as u64 - 12,
                    format!("type {id} (kind {k}) has no size"),
                ))
            }
        })
    }
}

/// The maps declared in the `.maps` section, from the object's `.BTF` bytes: one
/// [`MapSpec`] per variable of the `.maps` DATASEC, in declaration order.
///
/// Members `type`, `max_entries`, `key_size`, `value_size`, `map_flags` (`__uint`) and `key`,
/// `value` (`__type`) are understood; `pinning` is ignored (pinning is the loader's choice);
/// anything else (e.g. `values` for a map-in-map's initial contents) is an error naming it.
pub fn maps_from_btf(btf: &[u8]) -> Result<Vec<MapSpec>, ElfError> {
    let b = Btf::parse(btf)?;
    let Some(sec) = b
        .types
        .iter()
        .find(|t| t.kind == KIND_DATASEC && b.name(t).is_ok_and(|n| n == ".maps"))
    else {
        return Err(err(
            0,
            "the object has a .maps section but no DATASEC .maps in its BTF",
        ));
    };
    let mut out = Vec::new();
    for i in 0..sec.vlen {
        let var_id = u32_at(b.type_data, sec.extra + 12 * i);
        let var = b.ty(var_id)?;
        if var.kind != KIND_VAR {
            return Err(err(0, format!("DATASEC .maps entry {i} is not a variable")));
        }
        let name = b.name(var)?;
        let def_id = b.skip_mods(var.size_or_type)?;
        let def = b.ty(def_id)?;
        if def.kind != KIND_STRUCT {
            return Err(err(
                0,
                format!("map `{name}`: its definition is not a struct"),
            ));
        }
        let (mut map_type, mut key, mut value, mut max, mut flags) = (None, None, None, 0, 0);
        for m in 0..def.vlen {
            let at = def.extra + 12 * m;
            let mname = cstr(b.strings, u32_at(b.type_data, at), SEC)?;
            let mtype = b.skip_mods(u32_at(b.type_data, at + 4))?;
            let ptr = b.ty(mtype)?;
            if ptr.kind != KIND_PTR {
                return Err(err(
                    0,
                    format!("map `{name}`: member `{mname}` is not a pointer (__uint/__type)"),
                ));
            }
            // `__uint(name, N)`: a pointer to an array of N elements.
            let uint = || -> Result<u32, ElfError> {
                let arr = b.ty(b.skip_mods(ptr.size_or_type)?)?;
                if arr.kind != KIND_ARRAY {
                    return Err(err(
                        0,
                        format!("map `{name}`: member `{mname}` is not __uint(...)"),
                    ));
                }
                Ok(u32_at(b.type_data, arr.extra + 8))
            };
            let size_of = || -> Result<u32, ElfError> {
                let s = b.size(ptr.size_or_type, 0)?;
                u32::try_from(s)
                    .map_err(|_| err(0, format!("map `{name}`: `{mname}` is {s} bytes")))
            };
            match mname.as_str() {
                "type" => {
                    let t = uint()?;
                    map_type =
                        Some(MapType::from_u32(t).ok_or_else(|| {
                            err(0, format!("map `{name}`: unknown map type {t}"))
                        })?);
                }
                "max_entries" => max = uint()?,
                "map_flags" => flags = uint()?,
                "key_size" => key = Some(uint()?),
                "value_size" => value = Some(uint()?),
                "key" => key = Some(size_of()?),
                "value" => value = Some(size_of()?),
                "pinning" => {}
                other => {
                    return Err(err(
                        0,
                        format!("map `{name}`: member `{other}` is not supported"),
                    ))
                }
            }
        }
        let map_type =
            map_type.ok_or_else(|| err(0, format!("map `{name}` has no `type` member")))?;
        out.push(MapSpec {
            name: Cow::Owned(super::kernel_name(&name)),
            map_type,
            key_size: key.unwrap_or(0),
            value_size: value.unwrap_or(0),
            max_entries: max,
            flags,
            btf: None,
        });
    }
    Ok(out)
}

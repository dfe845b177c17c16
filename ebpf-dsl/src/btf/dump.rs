//! The text `bpftool btf dump file X` prints, type by type.

use std::fmt::Write;

use super::*;

fn int_encoding(e: u8) -> &'static str {
    match e {
        0 => "(none)",
        INT_SIGNED => "SIGNED",
        INT_CHAR => "CHAR",
        INT_BOOL => "BOOL",
        _ => "UNKN",
    }
}

fn anon(name: &str) -> &str {
    if name.is_empty() {
        "(anon)"
    } else {
        name
    }
}

impl Btf {
    /// Every type in `bpftool btf dump`'s plain format, one `[id] KIND 'name' ...` entry per
    /// type, each ending in a newline.
    pub fn dump(&self) -> String {
        let mut s = String::new();
        for id in 1..=self.types.len() as u32 {
            self.dump_type(id, &mut s);
            s.push('\n');
        }
        s
    }

    /// One type's entry, without the final newline (empty for an unknown id).
    pub fn dump_one(&self, id: u32) -> String {
        let mut s = String::new();
        self.dump_type(id, &mut s);
        s
    }

    fn dump_type(&self, id: u32, s: &mut String) {
        let Some(t) = self.get(id) else { return };
        let _ = write!(s, "[{id}] {} '{}'", t.kind.name(), anon(&t.name));
        let _ = match &t.kind {
            Kind::Int {
                size,
                encoding,
                offset,
                bits,
            } => write!(
                s,
                " size={size} bits_offset={offset} nr_bits={bits} encoding={}",
                int_encoding(*encoding)
            ),
            Kind::Ptr(ty)
            | Kind::Typedef(ty)
            | Kind::Volatile(ty)
            | Kind::Const(ty)
            | Kind::Restrict(ty)
            | Kind::TypeTag(ty) => write!(s, " type_id={ty}"),
            Kind::Array {
                elem,
                index,
                nelems,
            } => write!(s, " type_id={elem} index_type_id={index} nr_elems={nelems}"),
            Kind::Struct { size, members } | Kind::Union { size, members } => {
                let _ = write!(s, " size={size} vlen={}", members.len());
                for m in members {
                    let _ = write!(
                        s,
                        "\n\t'{}' type_id={} bits_offset={}",
                        anon(&m.name),
                        m.ty,
                        m.bit_offset
                    );
                    if m.bitfield_size != 0 {
                        let _ = write!(s, " bitfield_size={}", m.bitfield_size);
                    }
                }
                Ok(())
            }
            Kind::Enum {
                size,
                signed,
                values,
            } => {
                let enc = if *signed { "SIGNED" } else { "UNSIGNED" };
                let _ = write!(s, " encoding={enc} size={size} vlen={}", values.len());
                for v in values {
                    let _ = if *signed {
                        write!(s, "\n\t'{}' val={}", v.name, v.value as u32 as i32)
                    } else {
                        write!(s, "\n\t'{}' val={}", v.name, v.value as u32)
                    };
                }
                Ok(())
            }
            Kind::Enum64 {
                size,
                signed,
                values,
            } => {
                let enc = if *signed { "SIGNED" } else { "UNSIGNED" };
                let _ = write!(s, " encoding={enc} size={size} vlen={}", values.len());
                for v in values {
                    let _ = if *signed {
                        write!(s, "\n\t'{}' val={}LL", v.name, v.value as i64)
                    } else {
                        write!(s, "\n\t'{}' val={}ULL", v.name, v.value)
                    };
                }
                Ok(())
            }
            Kind::Fwd { union } => {
                write!(s, " fwd_kind={}", if *union { "union" } else { "struct" })
            }
            Kind::Func { proto, linkage } => {
                write!(s, " type_id={proto} linkage={}", linkage.name())
            }
            Kind::FuncProto { ret, params } => {
                let _ = write!(s, " ret_type_id={ret} vlen={}", params.len());
                for p in params {
                    let _ = write!(s, "\n\t'{}' type_id={}", anon(&p.name), p.ty);
                }
                Ok(())
            }
            Kind::Var { ty, linkage } => {
                let l = match linkage {
                    Linkage::Global => "global",
                    l => l.name(),
                };
                write!(s, " type_id={ty}, linkage={l}")
            }
            Kind::Datasec { size, vars } => {
                let _ = write!(s, " size={size} vlen={}", vars.len());
                for v in vars {
                    let _ = write!(
                        s,
                        "\n\ttype_id={} offset={} size={}",
                        v.ty, v.offset, v.size
                    );
                    if let Some(vt) = self.get(v.ty) {
                        let _ = write!(s, " ({} '{}')", vt.kind.name(), anon(&vt.name));
                    }
                }
                Ok(())
            }
            Kind::Float { size } => write!(s, " size={size}"),
            Kind::DeclTag { ty, component_idx } => {
                write!(s, " type_id={ty} component_idx={component_idx}")
            }
        };
    }
}

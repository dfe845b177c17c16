//! Context (`r1` at entry) access rules per program type: which offsets of `struct xdp_md` /
//! `struct __sk_buff` may be read or written, with which sizes, and what a read yields.
//!
//! These tables are a subset of what kernel 6.18 allows (`xdp_is_valid_access`,
//! `sk_filter_is_valid_access`, `tc_cls_act_is_valid_access`): anything not listed is rejected.

pub use crate::isa::ctx::{SK_BUFF_FIELDS, XDP_MD_FIELDS};
use crate::spec::ProgramType;

/// What a context load produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CtxField {
    /// A scalar of the access size.
    Scalar,
    /// The packet start (`data`).
    PktData,
    /// The packet end (`data_end`).
    PktEnd,
    /// The metadata start (`data_meta`).
    PktMeta,
}

fn field_name(pt: ProgramType, off: i32) -> String {
    let table = if pt == ProgramType::Xdp {
        XDP_MD_FIELDS
    } else {
        SK_BUFF_FIELDS
    };
    let field = table.iter().rev().find(|(o, _)| *o <= off);
    match field {
        Some((o, n)) if off - o < 4 && off < table.last().map(|l| l.0 + 4).unwrap_or(0) => {
            if *o == off {
                (*n).to_string()
            } else {
                format!("{n}+{}", off - o)
            }
        }
        _ => format!("offset {off}"),
    }
}

/// Checks a context access at `off` of `size` bytes; `Err` explains the refusal.
pub fn access(
    pt: ProgramType,
    off: i32,
    size: u32,
    write: bool,
    sign_extend: bool,
) -> Result<CtxField, String> {
    let ctx_name = if pt == ProgramType::Xdp {
        "struct xdp_md"
    } else {
        "struct __sk_buff"
    };
    let what = if write { "write" } else { "read" };
    let sz = size as i32;
    if off < 0 || off % sz != 0 {
        return Err(format!(
            "{size}-byte {what} at {ctx_name} offset {off} is outside the context or misaligned"
        ));
    }
    if sign_extend {
        return Err(format!(
            "sign-extending loads from {ctx_name} are not allowed"
        ));
    }
    let name = field_name(pt, off);
    match pt {
        ProgramType::Xdp => {
            if write {
                return Err(format!("{ctx_name} is read-only for XDP programs ({name})"));
            }
            if off >= 24 {
                return Err(format!(
                    "{ctx_name} has no field at offset {off} (it is 24 bytes)"
                ));
            }
            if size != 4 {
                return Err(format!(
                    "{ctx_name} fields must be read with 4-byte loads (`*(u32 *)`), not {size}-byte ones ({name})"
                ));
            }
            match off {
                0 => Ok(CtxField::PktData),
                4 => Ok(CtxField::PktEnd),
                8 => Ok(CtxField::PktMeta),
                12 | 16 => Ok(CtxField::Scalar),
                _ => Err(format!(
                    "{ctx_name}.egress_ifindex is only readable by programs attached to a devmap"
                )),
            }
        }
        ProgramType::SocketFilter | ProgramType::SchedCls | ProgramType::SchedAct => {
            let tc = pt != ProgramType::SocketFilter;
            let cb = (48..68).contains(&off);
            if write {
                // cb[] takes any aligned size within it; other fields 4-byte stores only.
                let ok =
                    (cb && off + sz <= 68) || (tc && matches!(off, 8 | 32 | 44 | 72) && size == 4);
                if !ok {
                    return Err(format!(
                        "{ctx_name}.{name} is not writable by {pt} programs with a {size}-byte store{}",
                        if tc { " (writable: mark, priority, tc_index, cb[], tc_classid; 4-byte stores)" } else { " (only cb[0..4])" }
                    ));
                }
                return Ok(CtxField::Scalar);
            }
            if size > 4 {
                return Err(format!(
                    "{ctx_name}.{name} is a 4-byte field; an {size}-byte load is not allowed"
                ));
            }
            match off {
                76..=83 if tc => {
                    if size != 4 {
                        return Err(format!("{ctx_name}.{name} must be read with a 4-byte load"));
                    }
                    Ok(if off == 76 {
                        CtxField::PktData
                    } else {
                        CtxField::PktEnd
                    })
                }
                72..=75 if tc => Ok(CtxField::Scalar),
                0..=71 | 84..=87 => Ok(CtxField::Scalar),
                _ => Err(format!(
                    "{ctx_name}.{name} is not readable by {pt} programs"
                )),
            }
        }
        _ => Err(format!(
            "context access for {pt} programs is not modelled by this verifier"
        )),
    }
}

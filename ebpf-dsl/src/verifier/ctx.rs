//! Context (`r1` at entry) access rules per program type: which offsets of `struct xdp_md` /
//! `struct __sk_buff` may be read or written, with which sizes, and what a read yields.
//!
//! These rules follow kernel 6.18 (`xdp_is_valid_access`, `sk_filter_is_valid_access`,
//! `tc_cls_act_is_valid_access`, `bpf_skb_is_valid_access`; the `__sk_buff` part is in
//! `ctx/skb.rs`); a sign-extending load (`BPF_MEMSX`) may read any scalar field the plain load
//! may, but not a packet pointer (`data`, `data_meta`, `data_end`): anything not listed is
//! rejected.

pub use crate::isa::ctx::{SK_BUFF_FIELDS, XDP_MD_FIELDS};
use crate::spec::ProgramType;

mod skb;

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
    /// `__sk_buff.sk`: the packet's socket (not referenced), or NULL.
    SockCommonOrNull,
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

/// [`access`] for a program loaded with `expected_attach_type` `attach`: an XDP program for a
/// DEVMAP entry ([`BPF_XDP_DEVMAP`](crate::spec::BPF_XDP_DEVMAP)) may also read
/// `egress_ifindex` (`xdp_is_valid_access`).
pub fn access_attached(
    pt: ProgramType,
    attach: Option<u32>,
    off: i32,
    size: u32,
    write: bool,
    sign_extend: bool,
) -> Result<CtxField, String> {
    if pt == ProgramType::Xdp
        && attach == Some(crate::spec::BPF_XDP_DEVMAP)
        && off == 20
        && size == 4
        && !write
    {
        return Ok(CtxField::Scalar);
    }
    access(pt, off, size, write, sign_extend)
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
    let name = field_name(pt, off);
    let field = fields(pt, off, size, write, ctx_name, &name)?;
    // The kernel's `is_ldsx` test (`xdp_is_valid_access`, `bpf_skb_is_valid_access`): only the
    // packet pointers refuse it; a scalar field read so is sign-extended after the load.
    if sign_extend && field != CtxField::Scalar {
        return Err(format!(
            "{ctx_name}.{name} is a pointer field: a sign-extending load (`*(s{} *)`) of it is not allowed",
            size * 8
        ));
    }
    Ok(field)
}

/// [`access`] after the offset checks: what the field at `off` gives, by program type.
fn fields(
    pt: ProgramType,
    off: i32,
    size: u32,
    write: bool,
    ctx_name: &str,
    name: &str,
) -> Result<CtxField, String> {
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
            skb::access(pt, off, size, write, name)
        }
        _ => Err(format!(
            "context access for {pt} programs is not modelled by this verifier"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_extending_loads_read_scalar_fields_but_not_packet_pointers() {
        let xdp = ProgramType::Xdp;
        assert_eq!(access(xdp, 12, 4, false, true), Ok(CtxField::Scalar));
        let m = access(xdp, 0, 4, false, true).unwrap_err();
        assert!(m.contains("struct xdp_md.data is a pointer field"), "{m}");
        assert!(access(xdp, 4, 4, false, true).is_err());
        let devmap = Some(crate::spec::BPF_XDP_DEVMAP);
        assert_eq!(
            access_attached(xdp, devmap, 20, 4, false, true),
            Ok(CtxField::Scalar)
        );
        let tc = ProgramType::SchedCls;
        assert_eq!(access(tc, 0, 2, false, true), Ok(CtxField::Scalar));
        for off in [76, 80, 140] {
            let m = access(tc, off, 4, false, true).unwrap_err();
            assert!(m.contains("is a pointer field"), "{m}");
        }
        assert_eq!(
            access(ProgramType::SocketFilter, 8, 4, false, true),
            Ok(CtxField::Scalar)
        );
    }

    #[test]
    fn no_narrow_read_of_a_packet_pointer_field() {
        // Every byte of data (76), data_end (80) and data_meta (140) is refused to a narrow
        // load, in tc as in socket filters (`bpf_ctx_range` covers the whole field).
        for pt in [ProgramType::SchedCls, ProgramType::SocketFilter] {
            for (off, size) in [(83, 1), (82, 2), (77, 1), (142, 2), (80, 2)] {
                assert!(
                    access(pt, off, size, false, false).is_err(),
                    "{pt} {off}/{size}"
                );
            }
        }
        assert_eq!(
            access(ProgramType::SchedCls, 80, 4, false, false),
            Ok(CtxField::PktEnd)
        );
        // napi_id (84) after it is a plain field: narrow reads allowed.
        assert_eq!(
            access(ProgramType::SchedCls, 86, 2, false, false),
            Ok(CtxField::Scalar)
        );
    }
}

//! `struct __sk_buff` accesses of socket filters and tc programs, field by field as kernel
//! 6.18 allows them (`bpf_skb_is_valid_access` after `sk_filter_is_valid_access` /
//! `tc_cls_act_is_valid_access`).
//!
//! | field (offset)                        | socket filter       | tc                      |
//! |---------------------------------------|---------------------|-------------------------|
//! | `cb[0..5]` (48..68)                   | read, write: any aligned size within `cb` | same |
//! | `mark` (8), `priority` (32), `tc_index` (44), `queue_mapping` (12) | read | read, 4-byte write |
//! | `tc_classid` (72)                     | —                   | read, 4-byte write      |
//! | `data` (76), `data_end` (80), `data_meta` (140) | —         | 4-byte read: packet pointers (no narrow read of any of their bytes) |
//! | `family` .. `local_port` (88..140), `flow_keys` (144) | —   | —                       |
//! | `tstamp` (152)                        | —                   | 8-byte read and write   |
//! | `wire_len` (160)                      | —                   | read                    |
//! | `gso_segs` (164), `gso_size` (176)    | read                | read                    |
//! | `sk` (168)                            | 8-byte read: socket or NULL | same            |
//! | `tstamp_type` (180)                   | —                   | 1-byte read             |
//! | `hwtstamp` (184)                      | —                   | 8-byte read             |
//! | other 4-byte fields                   | read                | read                    |
//!
//! A "read" of a 4-byte field may be narrow (1, 2 or 4 bytes at an offset aligned to the size).

use super::CtxField;
use crate::spec::ProgramType;

const CTX: &str = "struct __sk_buff";

/// Checks an access of `size` bytes at `off` (aligned to `size`, not sign-extending; the
/// caller checked both) of the `__sk_buff` named `name` there.
pub(super) fn access(
    pt: ProgramType,
    off: i32,
    size: u32,
    write: bool,
    name: &str,
) -> Result<CtxField, String> {
    let tc = pt != ProgramType::SocketFilter;
    let sz = size as i32;
    let what = if write { "written" } else { "read" };
    let no = |why: &str| {
        Err(format!(
            "{CTX}.{name} cannot be {what} by {pt} programs{why}"
        ))
    };
    // cb[]: any size within it, read and write, both program families.
    if (48..68).contains(&off) {
        if off + sz > 68 {
            return no(" (the access runs past cb[4])");
        }
        return Ok(CtxField::Scalar);
    }
    let wide = |this: CtxField| {
        if size != 8 {
            Err(format!(
                "{CTX}.{name} is an 8-byte field; it must be accessed with `*(u64 *)`, not a {size}-byte access"
            ))
        } else {
            Ok(this)
        }
    };
    match off {
        // The whole of each pointer field (the kernel's `bpf_ctx_range`): a narrow load of one
        // of its bytes is refused as the field's start is.
        76..=83 | 140..=143 if !tc => no(" (socket filters have no direct packet access)"),
        76..=83 | 140..=143 if write => no(""),
        76..=83 | 140..=143 => {
            if size != 4 || off % 4 != 0 {
                return Err(format!("{CTX}.{name} must be read with a 4-byte load"));
            }
            Ok(match off {
                76 => CtxField::PktData,
                80 => CtxField::PktEnd,
                _ => CtxField::PktMeta,
            })
        }
        88..=151 => no(""),
        152..=159 if !tc => no(""),
        152..=159 => wide(CtxField::Scalar),
        160..=163 if !tc => no(""),
        168..=175 if write => no(" (read-only)"),
        168..=175 => wide(CtxField::SockCommonOrNull),
        180 if tc && !write && size == 1 => Ok(CtxField::Scalar),
        180..=183 => no(if tc && off == 180 {
            " (only with a 1-byte load)"
        } else {
            ""
        }),
        184..=191 if !tc || write => no(""),
        184..=191 => wide(CtxField::Scalar),
        o if o >= 192 => Err(format!(
            "{CTX} has no field at offset {off} (it is 192 bytes)"
        )),
        72..=75 if !tc => no(""),
        _ if write => {
            let writable = tc && matches!(off, 8 | 12 | 32 | 44 | 72);
            if !writable {
                return no(if tc {
                    " (writable: mark, queue_mapping, priority, tc_index, cb[], tc_classid with 4-byte stores, tstamp with 8-byte ones)"
                } else {
                    " (only cb[0..5] is writable)"
                });
            }
            if size != 4 {
                return Err(format!("{CTX}.{name} must be written with a 4-byte store"));
            }
            Ok(CtxField::Scalar)
        }
        _ => {
            if size > 4 {
                return Err(format!(
                    "{CTX}.{name} is a 4-byte field; an {size}-byte load is not allowed"
                ));
            }
            Ok(CtxField::Scalar)
        }
    }
}

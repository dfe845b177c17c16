//! CO-RE relocations resolved against a target kernel's BTF and applied to the instruction,
//! the way libbpf's `bpf_core_calc_relo_insn` and `bpf_core_patch_insn` do it (`relo_core.c`),
//! for every relocation kind:
//!
//! * field-based (byte offset, byte size, existence, signedness, left and right shifts of a
//!   bitfield read into 64 bits), type-based (local and target type id, existence, size,
//!   match) and enumerator-based (existence, value);
//! * the candidates are the target's types of the root's kind (or any enum for an enum) whose
//!   name without a `___flavor` suffix is the root's; every matching candidate must give the
//!   same bit offset and the same value;
//! * a relocation that finds no candidate where it needs one (a field's offset, size, ...; an
//!   enumerator's value; a load of a field whose size changed and that is not an unsigned
//!   integer or a pointer) *poisons* the instruction: it becomes `call 0xbad2310` (both slots
//!   of an `ld_imm64`), which the verifier rejects if it is reached (`invalid func
//!   unknown#195896080`) and ignores in dead code, so a program guarded by
//!   `bpf_core_field_exists` still loads;
//! * the instruction must hold the local value where libbpf checks it (not for bitfield
//!   offsets, sizes and left shifts, nor target type ids), and gets the target's: an ALU
//!   immediate, a load or store offset (with the access resized when the field's size
//!   changed), or an `ld_imm64`'s 64-bit value.
//!
//! Errors are what libbpf refuses, failing the load.

use std::collections::HashMap;

use super::core_spec::{self, class, essential, kind_compat, skip, Class, Spec};
use crate::btf::{Btf, Kind};
use crate::isa::insn::Insn;

/// `BPF_CORE_TYPE_ID_LOCAL`.
pub(super) const TYPE_ID_LOCAL: u32 = 6;

/// The immediate of a poisoned instruction (`0xbad2310`, "bad relo").
pub const POISON_HELPER: i32 = 0x0bad_2310;

/// The outcome of one relocation (`struct bpf_core_relo_res`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Res {
    orig: u64,
    new: u64,
    poison: bool,
    validate: bool,
    fail_memsz: bool,
    orig_sz: u32,
    new_sz: u32,
}

/// A field relocation's value on one side (`bpf_core_calc_field_relo`): value, memory size
/// and type of a non-bitfield byte offset, whether to validate.
struct Field {
    val: u64,
    sz: u32,
    ty: u32,
    validate: bool,
}

/// `Err(None)`: poison (libbpf's `-EUCLEAN`); `Err(Some(why))`: an error.
type Calc<T> = Result<T, Option<String>>;

fn field(btf: &Btf, kind: u32, spec: Option<&Spec>) -> Calc<Field> {
    let mut f = Field {
        val: 0,
        sz: 0,
        ty: 0,
        validate: true,
    };
    if kind == 2 {
        f.val = u64::from(spec.is_some());
        return Ok(f);
    }
    let spec = spec.ok_or(None)?;
    let einval = || Some("a type without a size".to_string());
    let acc = spec.acc.last().ok_or_else(einval)?;
    // The element size under any arrays.
    let elem_size = |id: u32| -> Calc<u32> {
        let mut id = id;
        for _ in 0..64 {
            match skip(btf, id) {
                Some((_, Kind::Array { elem, .. })) => id = *elem,
                Some((e, _)) => return btf.size_of(e).ok_or_else(einval),
                None => return Err(einval()),
            }
        }
        Err(einval())
    };
    if acc.name.is_none() {
        match kind {
            0 => {
                f.val = u64::from(spec.bit_offset / 8);
                f.sz = elem_size(acc.ty)?;
                f.ty = acc.ty;
            }
            1 => f.val = u64::from(btf.size_of(acc.ty).ok_or_else(einval)?),
            _ => {
                return Err(Some(format!(
                    "relocation kind {kind} cannot be applied to an array access"
                )))
            }
        }
        return Ok(f);
    }
    let m = btf
        .get(acc.ty)
        .and_then(|t| match &t.kind {
            Kind::Struct { members, .. } | Kind::Union { members, .. } => {
                members.get(acc.idx as usize)
            }
            _ => None,
        })
        .ok_or_else(einval)?;
    let (fty, mt) = skip(btf, m.ty).ok_or_else(einval)?;
    let bit_off = spec.bit_offset;
    let mut bit_sz = u32::from(m.bitfield_size);
    let bitfield = bit_sz > 0;
    let (byte_off, byte_sz);
    if bitfield {
        let mut sz = btf.size_of(fty).ok_or_else(einval)?;
        if sz == 0 {
            return Err(einval());
        }
        // libbpf's `__u32` arithmetic, wrapping as in C: the offsets and sizes are the
        // object's (a bit offset near 2^32, a member of a huge type) and must not panic.
        let mut off = bit_off / 8 / sz * sz;
        while bit_off
            .wrapping_add(bit_sz)
            .wrapping_sub(off.wrapping_mul(8))
            > sz.wrapping_mul(8)
        {
            if sz >= 8 {
                return Err(Some("a bitfield that a 64-bit read cannot hold".into()));
            }
            sz *= 2;
            off = bit_off / 8 / sz * sz;
        }
        (byte_off, byte_sz) = (off, sz);
    } else {
        byte_sz = btf.size_of(fty).ok_or_else(einval)?;
        byte_off = bit_off / 8;
        bit_sz = byte_sz.wrapping_mul(8);
    }
    f.validate = !bitfield;
    match kind {
        0 => {
            f.val = u64::from(byte_off);
            if !bitfield {
                f.sz = elem_size(fty)?;
                f.ty = fty;
            }
        }
        1 => f.val = u64::from(byte_sz),
        3 => {
            f.val = u64::from(match mt {
                Kind::Enum { signed, .. } | Kind::Enum64 { signed, .. } => *signed,
                Kind::Int { encoding, .. } => encoding & crate::btf::INT_SIGNED != 0,
                _ => false,
            });
            f.validate = true;
        }
        4 => {
            let end = bit_off
                .wrapping_add(bit_sz)
                .wrapping_sub(byte_off.wrapping_mul(8));
            f.val = 64u64.wrapping_sub(u64::from(end));
        }
        5 => {
            f.val = 64u64.wrapping_sub(u64::from(bit_sz));
            f.validate = true;
        }
        _ => return Err(Some(format!("unknown field relocation kind {kind}"))),
    }
    Ok(f)
}

fn type_val(btf: &Btf, kind: u32, spec: Option<&Spec>) -> Calc<u64> {
    let Some(spec) = spec else {
        return Ok(0);
    };
    Ok(match kind {
        7 => u64::from(spec.root),
        8 | 12 => 1,
        9 => u64::from(
            btf.size_of(spec.root)
                .ok_or(Some("a type without a size".into()))?,
        ),
        _ => return Err(Some(format!("unknown type relocation kind {kind}"))),
    })
}

fn enum_val(btf: &Btf, kind: u32, spec: Option<&Spec>) -> Calc<u64> {
    match (kind, spec) {
        (10, s) => Ok(u64::from(s.is_some())),
        (11, None) => Err(None),
        (11, Some(s)) => {
            let a = &s.acc[0];
            match btf.get(a.ty).map(|t| &t.kind) {
                Some(Kind::Enum { values, .. } | Kind::Enum64 { values, .. }) => values
                    .get(a.idx as usize)
                    .map(|v| v.value)
                    .ok_or(Some("a broken enum".into())),
                _ => Err(Some("a broken enum".into())),
            }
        }
        _ => Err(Some(format!("unknown enum relocation kind {kind}"))),
    }
}

fn is_unsigned_int(k: Option<&Kind>) -> bool {
    matches!(k, Some(Kind::Int { encoding, .. }) if encoding & crate::btf::INT_SIGNED == 0)
}

/// `bpf_core_calc_relo`: the result of `kind` with the local and (when matched) target
/// specifications.
fn calc(
    local: &Btf,
    target: &Btf,
    kind: u32,
    lspec: &Spec,
    tspec: Option<&Spec>,
) -> Result<Res, String> {
    let mut res = Res {
        validate: true,
        ..Res::default()
    };
    let out = match class(kind) {
        Some(Class::Field) => field(local, kind, Some(lspec)).and_then(|l| {
            let t = field(target, kind, tspec)?;
            res.orig = l.val;
            res.new = t.val;
            res.validate = l.validate;
            res.orig_sz = l.sz;
            res.new_sz = t.sz;
            if l.sz != t.sz {
                let lk = local.get(l.ty).map(|x| &x.kind);
                let tk = target.get(t.ty).map(|x| &x.kind);
                let ptrs = matches!((lk, tk), (Some(Kind::Ptr(_)), Some(Kind::Ptr(_))));
                res.fail_memsz = !(ptrs || is_unsigned_int(lk) && is_unsigned_int(tk));
            }
            Ok(())
        }),
        Some(Class::Type) => type_val(local, kind, Some(lspec)).and_then(|o| {
            res.orig = o;
            res.new = type_val(target, kind, tspec)?;
            res.validate = kind != 7;
            Ok(())
        }),
        Some(Class::Enumval) => enum_val(local, kind, Some(lspec)).and_then(|o| {
            res.orig = o;
            res.new = enum_val(target, kind, tspec)?;
            Ok(())
        }),
        None => Err(Some(format!("unknown relocation kind {kind}"))),
    };
    match out {
        Ok(()) => Ok(res),
        Err(None) => Ok(Res {
            poison: true,
            ..res
        }),
        Err(Some(why)) => Err(why),
    }
}

/// The target's named types by essential name (`___flavor` stripped), ids ascending: the
/// candidates of libbpf's `bpf_core_find_cands`.
pub(super) type Index<'t> = HashMap<&'t str, Vec<u32>>;

/// The [`Index`] of `target`.
pub(super) fn index(target: &Btf) -> Index<'_> {
    let mut out: Index<'_> = HashMap::new();
    for (i, t) in target.types.iter().enumerate() {
        if !t.name.is_empty() {
            out.entry(essential(&t.name))
                .or_default()
                .push(i as u32 + 1);
        }
    }
    out
}

/// [`resolve_in`] with the index built for the one relocation.
#[cfg(test)]
pub(super) fn resolve(
    local: &Btf,
    target: &Btf,
    kind: u32,
    root: u32,
    access: &str,
) -> Result<Res, String> {
    resolve_in(local, target, &index(target), kind, root, access)
}

/// `bpf_core_calc_relo_insn` with the candidate search of libbpf's `bpf_core_find_cands`
/// (one target BTF, indexed by `names`): the result of relocation `kind` on root `root` with
/// access `access`.
pub(super) fn resolve_in(
    local: &Btf,
    target: &Btf,
    names: &Index<'_>,
    kind: u32,
    root: u32,
    access: &str,
) -> Result<Res, String> {
    let lt = local.get(root).ok_or("a broken root type id")?;
    let lspec = core_spec::parse(local, root, kind, access)?;
    if kind == TYPE_ID_LOCAL {
        return Ok(Res {
            orig: u64::from(root),
            new: u64::from(root),
            ..Res::default()
        });
    }
    let name = essential(&lt.name);
    if name.is_empty() {
        return Err("libbpf resolves no relocation on an anonymous type".into());
    }
    let mut found: Option<(Spec, Res)> = None;
    for &id in names.get(name).map_or(&[][..], Vec::as_slice) {
        let Some(t) = target.get(id) else { continue };
        if !kind_compat(&t.kind, &lt.kind) {
            continue;
        }
        let Some(cspec) = core_spec::spec_match(&lspec, local, kind, target, id)? else {
            continue;
        };
        let r = calc(local, target, kind, &lspec, Some(&cspec))?;
        match &found {
            None => found = Some((cspec, r)),
            Some((s, _)) if s.bit_offset != cspec.bit_offset => {
                return Err(format!(
                    "the target's types named `{name}` give the field different offsets ({} and {} bits)",
                    s.bit_offset, cspec.bit_offset
                ))
            }
            Some((_, f)) if f.poison != r.poison || f.new != r.new => {
                return Err(format!(
                    "the target's types named `{name}` give different values ({} and {})",
                    f.new, r.new
                ))
            }
            Some(_) => {}
        }
    }
    match found {
        Some((_, r)) => Ok(r),
        None => calc(local, target, kind, &lspec, None),
    }
}

/// libbpf's poisoned instruction: `call 0xbad2310`.
fn poison() -> Insn {
    Insn::new(0x85, 0, 0, 0, POISON_HELPER)
}

/// `bpf_core_patch_insn`: applies `res` to the instruction at `insns[i]` (and its second slot
/// for an `ld_imm64`).
pub(super) fn patch(insns: &mut [Insn], i: usize, res: &Res) -> Result<(), String> {
    let insn = *insns
        .get(i)
        .ok_or("a relocation past the end of its function")?;
    let ldimm64 = insn.is_ld_imm64();
    let poisoned = |insns: &mut [Insn]| {
        if ldimm64 && i + 1 < insns.len() {
            insns[i + 1] = poison();
        }
        insns[i] = poison();
    };
    if res.poison {
        poisoned(insns);
        return Ok(());
    }
    let (orig, new) = (res.orig, res.new);
    match insn.code & 7 {
        // ALU, ALU64 with an immediate.
        4 | 7 => {
            if insn.code & 0x08 != 0 {
                return Err("a relocation on an ALU instruction with a register source".into());
            }
            if res.validate && i64::from(insn.imm) as u64 != orig {
                return Err(format!(
                    "the instruction's immediate {} is not the local value {orig}",
                    insn.imm
                ));
            }
            insns[i].imm = new as i32;
        }
        // LDX, ST, STX.
        1..=3 => {
            if res.validate && i64::from(insn.off) as u64 != orig {
                return Err(format!(
                    "the instruction's offset {} is not the field's local offset {orig}",
                    insn.off
                ));
            }
            if new > i16::MAX as u64 {
                return Err(format!(
                    "the target offset {new} does not fit an instruction"
                ));
            }
            if res.fail_memsz {
                poisoned(insns);
                return Ok(());
            }
            insns[i].off = new as i16;
            if res.new_sz != res.orig_sz {
                let bytes = [4, 2, 1, 8][usize::from(insn.code >> 3 & 3)];
                if bytes != res.orig_sz {
                    return Err(format!(
                        "a {bytes}-byte access to a field of {} bytes",
                        res.orig_sz
                    ));
                }
                let size = match res.new_sz {
                    4 => 0x00,
                    2 => 0x08,
                    1 => 0x10,
                    8 => 0x18,
                    n => return Err(format!("a field of {n} bytes in the target")),
                };
                insns[i].code = (insn.code & !0x18) | size;
            }
        }
        // LD: only `ld_imm64` of a plain value.
        0 => {
            let second = insns.get(i + 1).copied();
            let plain = ldimm64
                && insn.src() == 0
                && insn.off == 0
                && second
                    .is_some_and(|s| s.code == 0 && s.dst() == 0 && s.src() == 0 && s.off == 0);
            let Some(second) = second.filter(|_| plain) else {
                return Err("a relocation on an ld_imm64 of an unexpected form".into());
            };
            let imm = u64::from(insn.imm as u32) | u64::from(second.imm as u32) << 32;
            if res.validate && imm != orig {
                return Err(format!(
                    "the instruction's value {imm} is not the local value {orig}"
                ));
            }
            insns[i].imm = new as u32 as i32;
            insns[i + 1].imm = (new >> 32) as u32 as i32;
        }
        _ => return Err("a relocation on an instruction libbpf does not patch".into()),
    }
    Ok(())
}

//! Reads through BTF pointers (`PTR_TO_BTF_ID`): the kernel's `check_ptr_to_btf_access` with
//! `btf_struct_access` / `btf_struct_walk`, against the target kernel's BTF
//! ([`crate::verifier::VerifyInput::vmlinux`]).
//!
//! The pointers are [`RegVal::BtfPtr`] (`bpf_cast_to_kern_ctx`, `bpf_rdonly_cast`, a pointer
//! member read through one of these) and the socket casts' [`RegVal::BtfSock`] (`struct
//! tcp_sock`, ..., whose type is found by name). A load of `n` bytes at a constant offset is
//! walked through the structure's members as the kernel walks it:
//!
//! - nested structures and unions are entered, arrays are indexed (a scalar may span the
//!   elements of an array, `skb->cb[]`), a bit-field is read by a load covering its bytes, the
//!   flexible array at the end of a structure is walked modulo its element;
//! - a scalar member gives an unknown number of the load's size (sign-extended by `ldsx`); a
//!   pointer to anything but a structure (`skb->data`, a `void *`) is, from 6.18, untrusted
//!   read-only memory ([`UNTRUSTED_MEM`], readable anywhere, kept through 64-bit arithmetic),
//!   a number before;
//! - a pointer to a structure must be read whole (8 bytes at its offset: "cannot access ptr
//!   member ...") and gives a [`RegVal::BtfPtr`] of that structure whose flags follow the
//!   parent's: walked from an untrusted pointer (or through a union of several members) it is
//!   untrusted; from a trusted or RCU one it is what the kernel's `__safe_trusted`,
//!   `__safe_trusted_or_null`, `__safe_rcu` and `__safe_rcu_or_null` lists (types of the
//!   kernel's BTF) say for the parent's type and the member's name, possibly NULL
//!   ([`RegVal::BtfPtrOrNull`]: null-check it before reading), else a plain pointer; from a
//!   plain one, plain;
//! - past the structure's end, in a hole, or across a member's end: refused with the kernel's
//!   reason; a negative offset is refused.
//!
//! Writes are refused ("only read is supported": tc and XDP programs write only `nf_conn`'s
//! mark, which `kfunc_nf.rs` models), so are non-GPL programs ("Cannot access kernel 'struct
//! ...' from non-GPL compatible program"). Without the kernel's BTF, a read is refused with a
//! message asking for it (`--btf`).

use super::*;
use crate::btf::Types;
use crate::btf::{Btf, Kind, Member};
use crate::verifier::domain::state::BtfTrust;

/// 6.18's `PTR_TO_MEM | MEM_RDONLY | PTR_UNTRUSTED` of size 0 (`rdonly_untrusted_mem`): what a
/// pointer member to anything but a structure reads as (`skb->data`), a [`RegVal::BtfPtr`] of
/// type 0 (void). Reads through it at any offset give numbers (the kernel makes them
/// `BPF_PROBE_MEM`), writes are refused, and any 64-bit operation with a number keeps it such
/// a pointer (`r2 &= 3`, `r2 *= 3`: the kernel's `adjust_ptr_min_max_vals` for it); `ptr - ptr`
/// and negation give numbers.
pub(crate) const UNTRUSTED_MEM: RegVal = RegVal::BtfPtr {
    ty: 0,
    off: 0,
    trust: BtfTrust::Untrusted,
};

/// Whether `v` is [`UNTRUSTED_MEM`].
pub(crate) fn is_untrusted_mem(v: &RegVal) -> bool {
    matches!(v, RegVal::BtfPtr { ty: 0, .. })
}

/// The message of every refusal that needs the kernel's BTF.
pub(crate) const NEEDS_BTF: &str = "this needs the target kernel's BTF for the layout of kernel structures: give it with `--btf /sys/kernel/btf/vmlinux` (`VerifyInput::vmlinux`)";

/// What a walk of `size` bytes at an offset of a structure finds (`btf_struct_walk`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Walked<'b> {
    /// A number.
    Scalar,
    /// A pointer member to something other than a structure (`char *`, `void *`, a pointer
    /// to a pointer): 6.18's untrusted read-only memory.
    Mem,
    /// A pointer member to the structure `ty`, called `field`; `untrusted` when a union of
    /// several members was crossed, `tag` the pointer's type tag (`rcu`, `user`, `percpu`).
    Ptr {
        ty: u32,
        field: &'b str,
        untrusted: bool,
        tag: Option<&'b str>,
    },
}

/// `t` without its modifiers (typedef, const, volatile, restrict, type tags): (id, type).
fn skip_mods(btf: &Btf, id: u32) -> Option<(u32, &crate::btf::Type)> {
    let id = btf.skip_mods(id)?;
    Some((id, btf.get(id)?))
}

fn members(t: &crate::btf::Type) -> Option<(&[Member], u32, bool)> {
    match &t.kind {
        Kind::Struct { size, members } => Some((members, *size, false)),
        Kind::Union { size, members } => Some((members, *size, true)),
        _ => None,
    }
}

/// The kernel's `__btf_resolve_size` of a member's type `id`: (the type reached, its id, the
/// total size, and for an array its innermost element type id and total element count).
pub(crate) struct Resolved<'b> {
    ty: &'b crate::btf::Type,
    id: u32,
    /// The total size in bytes.
    pub(crate) size: u32,
    array: Option<(u32, u32)>,
}

/// [`Resolved`] of `id`, `None` where the kernel finds no size (`void`, a function, a
/// forward declaration).
pub(crate) fn resolve_size(btf: &Btf, mut id: u32) -> Option<Resolved<'_>> {
    let mut nelems: u32 = 1;
    let mut array: Option<u32> = None;
    let mut first_array: Option<u32> = None;
    for _ in 0..32 {
        let t = btf.get(id)?;
        let size = match &t.kind {
            Kind::Int { size, .. }
            | Kind::Struct { size, .. }
            | Kind::Union { size, .. }
            | Kind::Enum { size, .. }
            | Kind::Enum64 { size, .. }
            | Kind::Float { size } => *size,
            Kind::Ptr(_) => 8,
            Kind::Typedef(n)
            | Kind::Volatile(n)
            | Kind::Const(n)
            | Kind::Restrict(n)
            | Kind::TypeTag(n) => {
                id = *n;
                continue;
            }
            Kind::Array {
                elem, nelems: k, ..
            } => {
                first_array.get_or_insert(id);
                nelems = nelems.checked_mul(*k)?;
                array = Some(*elem);
                id = *elem;
                continue;
            }
            _ => return None,
        };
        let total = nelems.checked_mul(size)?;
        return Some(match first_array {
            Some(a) => Resolved {
                ty: btf.get(a)?,
                id: a,
                size: total,
                array: array.map(|e| (e, nelems)),
            },
            None => Resolved {
                ty: t,
                id,
                size: total,
                array: None,
            },
        });
    }
    None
}

/// `btf_struct_walk` + `btf_struct_access` for a read of `size` bytes at `off` of the
/// structure `id`: what is there, or the kernel's reason for refusing. `flex_straddle`: the
/// target lets a number read run over a member's end past a flexible array's step
/// ([`KernelVersion::FLEX_STRADDLE`]).
pub(crate) fn walk(
    btf: &Btf,
    id: u32,
    off: u32,
    size: u32,
    flex_straddle: bool,
) -> Result<Walked<'_>, String> {
    let mut untrusted = false;
    // Past a flexible array's step, 6.18 lets a number read run over the end of the member it
    // starts in (into the next member or a hole), as for an untrusted walk; measured on
    // `struct btf_record`'s `fields[]` (`mapptr_btf_record_flex_straddle.s`). The pointers read
    // there keep the trust computed without it (never looser than the kernel's).
    let mut flex = false;
    let (mut id, mut off) = (id, off);
    // Every round enters a nested structure, so the depth is bounded by the BTF's.
    'again: for _ in 0..64 {
        let Some((_, t)) = skip_mods(btf, id) else {
            return Err(format!("type {id} is not in the kernel's BTF"));
        };
        let tname = t.name.as_str();
        let Some((ms, tsize, union)) = members(t) else {
            return Err(format!("Type '{tname}' is not a struct"));
        };
        if union && ms.len() != 1 {
            untrusted = true;
        }
        let end = off as u64 + size as u64;
        if end > tsize as u64 {
            // The flexible array at the end of a structure, walked modulo its element.
            let beyond = || format!("access beyond struct {tname} at off {off} size {size}");
            let Some(last) = ms.last() else {
                return Err(beyond());
            };
            let Some((_, mt)) = skip_mods(btf, last.ty) else {
                return Err(beyond());
            };
            let Kind::Array {
                elem, nelems: 0, ..
            } = mt.kind
            else {
                return Err(beyond());
            };
            let moff = last.bit_offset / 8;
            if off < moff {
                return Err(beyond());
            }
            let Some((eid, et)) = skip_mods(btf, elem) else {
                return Err(beyond());
            };
            if matches!(et.kind, Kind::Int { .. }) {
                return Ok(Walked::Scalar);
            }
            match members(et) {
                Some((_, esize, _)) if esize > 0 => {
                    off = (off - moff) % esize;
                    id = eid;
                    flex = flex_straddle;
                    continue 'again;
                }
                _ => return Err(beyond()),
            }
        }
        for m in ms {
            let moff = m.bit_offset / 8;
            if end <= moff as u64 {
                break;
            }
            if m.bitfield_size != 0 {
                let end_bit = m.bit_offset + u32::from(m.bitfield_size);
                if off <= moff && end_bit.div_ceil(8) as u64 <= end {
                    return Ok(Walked::Scalar);
                }
                continue;
            }
            if off < moff {
                break;
            }
            let Some(r) = resolve_size(btf, m.ty) else {
                return Err(format!("field {} doesn't have size", m.name));
            };
            let mtrue_end = moff as u64 + r.size as u64;
            if off as u64 >= mtrue_end {
                continue;
            }
            let (mut mt, mut mid, mut moff) = (r.ty, r.id, moff);
            if let Some((elem, n)) = r.array {
                if moff as u64 == mtrue_end {
                    continue;
                }
                let esize = r.size / n.max(1);
                if esize == 0 {
                    continue;
                }
                moff += (off - moff) / esize * esize;
                mid = elem;
                match skip_mods(btf, elem) {
                    Some((_, et)) => mt = et,
                    None => return Err(format!("field {} doesn't have size", m.name)),
                }
            }
            // `mt` may still be a modifier of an array element: look through it.
            let (sid, st) = skip_mods(btf, mid).unwrap_or((mid, mt));
            if members(st).is_some() {
                if off == moff {
                    // The nested structure's start: walked from offset 0 of it.
                    id = sid;
                    off = 0;
                    continue 'again;
                }
                off -= moff;
                id = sid;
                continue 'again;
            }
            if let Kind::Ptr(to) = st.kind {
                if size != 8 || off != moff {
                    return Err(format!(
                        "cannot access ptr member {} with moff {moff} in struct {tname} with off {off} size {size}",
                        m.name
                    ));
                }
                let tag = match btf.get(to).map(|t| (&t.kind, t.name.as_str())) {
                    Some((Kind::TypeTag(_), name)) => Some(name),
                    _ => None,
                };
                match skip_mods(btf, to) {
                    Some((pid, pt)) if members(pt).is_some() => {
                        return Ok(Walked::Ptr {
                            ty: pid,
                            field: m.name.as_str(),
                            untrusted,
                            tag,
                        });
                    }
                    _ => return Ok(Walked::Mem),
                }
            }
            if end > mtrue_end && !untrusted && !flex {
                return Err(format!(
                    "access beyond the end of member {} (mend:{mtrue_end}) in struct {tname} with off {off} size {size}",
                    m.name
                ));
            }
            return Ok(Walked::Scalar);
        }
        return Err(format!("struct {tname} doesn't have field at offset {off}"));
    }
    Err("the structure nests too deeply".into())
}

/// The kernel's `btf_nested_type_is_trusted`: the structure `<parent's name><suffix>` of the
/// kernel's BTF (found by `find`: name, kind) has a pointer member called `field` to the type
/// `ty`.
fn listed(
    btf: &Btf,
    find: &dyn Fn(&str, u32) -> Option<u32>,
    parent: u32,
    field: &str,
    ty: u32,
    suffix: &str,
) -> bool {
    let Some(pt) = btf.get(parent) else {
        return false;
    };
    let name = format!("{}{suffix}", pt.name);
    if name.len() >= 64 {
        return false;
    }
    let Some(safe) = find(&name, pt.kind.number()) else {
        return false;
    };
    let Some((ms, _, _)) = btf.get(safe).and_then(members) else {
        return false;
    };
    ms.iter().any(|m| {
        m.name == field
            && matches!(btf.get(m.ty).map(|t| &t.kind), Some(Kind::Ptr(to))
                if skip_mods(btf, *to).map(|(id, _)| id) == Some(ty))
    })
}

/// The flags of a pointer member `ty` called `field` read through a pointer to `parent` of
/// trust `trust` (`check_ptr_to_btf_access` in a non-sleepable program, always inside an RCU
/// read section): (its trust, whether it may be NULL). `None`: a `__user` or `__percpu`
/// pointer, not modelled.
fn member_trust(
    btf: &Btf,
    find: &dyn Fn(&str, u32) -> Option<u32>,
    parent: u32,
    trust: BtfTrust,
    w: &Walked<'_>,
) -> Option<(BtfTrust, bool)> {
    let Walked::Ptr {
        ty,
        field,
        untrusted,
        tag,
    } = *w
    else {
        return Some((BtfTrust::Plain, false));
    };
    if matches!(tag, Some("user" | "percpu")) && trust != BtfTrust::Untrusted {
        return None;
    }
    let or_untrusted = |t: BtfTrust| if untrusted { BtfTrust::Untrusted } else { t };
    Some(match trust {
        BtfTrust::Untrusted => (BtfTrust::Untrusted, false),
        BtfTrust::Trusted | BtfTrust::Rcu => {
            if listed(btf, find, parent, field, ty, "__safe_trusted") {
                (or_untrusted(BtfTrust::Trusted), false)
            } else if listed(btf, find, parent, field, ty, "__safe_trusted_or_null") {
                (or_untrusted(BtfTrust::Trusted), true)
            } else if listed(btf, find, parent, field, ty, "__safe_rcu") {
                (or_untrusted(BtfTrust::Rcu), false)
            } else if listed(btf, find, parent, field, ty, "__safe_rcu_or_null") {
                // The kernel trusts these even through a union.
                (BtfTrust::Rcu, true)
            } else if tag == Some("rcu") {
                (or_untrusted(BtfTrust::Rcu), true)
            } else {
                (or_untrusted(BtfTrust::Plain), false)
            }
        }
        BtfTrust::Plain => (or_untrusted(BtfTrust::Plain), false),
    })
}

impl<'a> Exec<'a> {
    /// The kernel's BTF, or the refusal asking for it.
    pub(crate) fn vmlinux(&self, pc: usize, what: &str) -> R<&'a Btf> {
        self.input
            .vmlinux
            .ok_or_else(|| e(pc, Rule::Unsupported, format!("{what}: {NEEDS_BTF}")))
    }

    /// The id of the first type of the kernel's BTF called `name` of kind number `kind`,
    /// searched once per verification.
    pub(crate) fn find_kernel_type(&self, btf: &Btf, name: &str, kind: u32) -> Option<u32> {
        let key = (name.to_string(), kind);
        if let Some(id) = self.kernel_types.borrow().get(&key) {
            return *id;
        }
        let id = btf.find(name, kind);
        self.kernel_types.borrow_mut().insert(key, id);
        id
    }

    /// The id of the structure `name` in the kernel's BTF (a socket cast's `tcp_sock`, ...).
    pub(crate) fn kernel_struct(&self, pc: usize, name: &str, what: &str) -> R<u32> {
        let btf = self.vmlinux(pc, what)?;
        self.find_kernel_type(btf, name, 4).ok_or_else(|| {
            e(
                pc,
                Rule::Unsupported,
                format!("{what}: the kernel's BTF has no struct {name}"),
            )
        })
    }

    /// The BTF pointer `base` as (type id, constant offset, trust), for an access; `None` if
    /// it is no BTF pointer this module reads through.
    fn btf_base(&self, pc: usize, r: u8, base: &RegVal) -> R<Option<(u32, i32, BtfTrust)>> {
        match base {
            RegVal::BtfPtr { ty, off, trust } => Ok(Some((*ty, *off, *trust))),
            RegVal::BtfSock { ty, ref_id } if *ty != TCP_SOCK => {
                let what = format!("r{r} is {}", self.describe(base));
                let id = self.kernel_struct(pc, ty, &what)?;
                // A referenced register is trusted (`is_trusted_reg`); an unreferenced cast is
                // the kernel's plain PTR_TO_BTF_ID.
                let trust = if *ref_id != 0 {
                    BtfTrust::Trusted
                } else {
                    BtfTrust::Plain
                };
                Ok(Some((id, 0, trust)))
            }
            // A socket cast plus a constant: the same structure, read at the offset.
            RegVal::BtfObjAt {
                ty,
                kobj: false,
                off,
                ref_id,
            } => {
                let what = format!("r{r} is {}", self.describe(base));
                let id = self.kernel_struct(pc, ty, &what)?;
                let trust = if *ref_id != 0 {
                    BtfTrust::Trusted
                } else {
                    BtfTrust::Plain
                };
                Ok(Some((id, *off, trust)))
            }
            _ => Ok(None),
        }
    }

    /// A load of `n` bytes at `base + off` through a BTF pointer (`check_ptr_to_btf_access`):
    /// the loaded value, or `None` if `base` is no such pointer.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn btf_load(
        &self,
        pc: usize,
        st: &mut State,
        r: u8,
        base: &RegVal,
        off: i32,
        n: u32,
        sx: bool,
    ) -> R<Option<RegVal>> {
        let Some((ty, o, trust)) = self.btf_base(pc, r, base)? else {
            return Ok(None);
        };
        if ty == 0 {
            // Untrusted read-only memory: any read (`BPF_PROBE_MEM`) gives a number.
            return Ok(Some(RegVal::Scalar(scalar_of(n, sx))));
        }
        let btf = self.vmlinux(pc, &format!("r{r} is {}", self.describe(base)))?;
        let percpu = ty & super::ksym::PERCPU_VAR != 0;
        let tname = btf
            .get(ty & !super::ksym::PERCPU_VAR)
            .map_or("?", |t| t.name.as_str());
        let refuse = |m: String| Err(e(pc, Rule::MemoryAccess, m));
        if !self.gpl {
            return refuse(format!(
                "Cannot access kernel 'struct {tname}' from non-GPL compatible program (the license is \"{}\")",
                self.input.license
            ));
        }
        let at = o as i64 + off as i64;
        if at < 0 {
            return refuse(format!(
                "R{r} is ptr_{tname} invalid negative access: off={at}"
            ));
        }
        // A per-CPU variable (`ksym.rs`): only its address for this CPU or another, from
        // bpf_this_cpu_ptr / bpf_per_cpu_ptr, is read through.
        if percpu {
            return refuse(format!(
                "r{r} is {}: take this CPU's copy with bpf_this_cpu_ptr (or another's with bpf_per_cpu_ptr) and read through that (the kernel: R{r} is ptr_{tname} access percpu memory: off={at})",
                self.describe(base)
            ));
        }
        let straddle = self.input.kernel >= KernelVersion::FLEX_STRADDLE;
        let w = match walk(btf, ty, at as u32, n, straddle) {
            Ok(w) => w,
            Err(m) => return refuse(format!("r{r} is {}: {m}", self.describe(base))),
        };
        let find = |name: &str, kind: u32| self.find_kernel_type(btf, name, kind);
        let Some((t, maybe_null)) = member_trust(btf, &find, ty, trust, &w) else {
            return refuse(format!(
                "r{r} is {}: reading a __user or __percpu pointer member is not modelled by this verifier",
                self.describe(base)
            ));
        };
        Ok(Some(match w {
            Walked::Scalar => RegVal::Scalar(scalar_of(n, sx)),
            // 6.18: `rdonly_untrusted_mem`; before, the kernel's walk gave a number.
            Walked::Mem if self.input.kernel >= KernelVersion::since(6, 18) => UNTRUSTED_MEM,
            Walked::Mem => RegVal::Scalar(scalar_of(n, sx)),
            Walked::Ptr { ty, .. } if maybe_null => RegVal::BtfPtrOrNull {
                ty,
                trust: t,
                id: st.fresh(),
            },
            Walked::Ptr { ty, .. } => RegVal::BtfPtr {
                ty,
                off: 0,
                trust: t,
            },
        }))
    }

    /// A store through a BTF pointer: always refused (tc and XDP programs may write no field
    /// of a kernel structure reached this way).
    pub(crate) fn btf_store_refused(&self, pc: usize, r: u8, base: &RegVal) -> VerifierError {
        e(
            pc,
            Rule::MemoryAccess,
            format!(
                "r{r} is {}: only read is supported (the fields of kernel structures cannot be written)",
                self.describe(base)
            ),
        )
    }

    /// How a BTF pointer is described in messages: `struct NAME (PTR_TO_BTF_ID...)`.
    #[cold]
    pub(crate) fn describe_btf(&self, ty: u32, off: i32, trust: BtfTrust, null: bool) -> String {
        if ty == 0 {
            return "untrusted read-only kernel memory (rdonly_untrusted_mem)".into();
        }
        if ty & super::ksym::PERCPU_VAR != 0 {
            let name = self
                .input
                .vmlinux
                .and_then(|b| b.get(ty & !super::ksym::PERCPU_VAR))
                .map_or_else(
                    || format!("type {}", ty & !super::ksym::PERCPU_VAR),
                    |t| format!("`{}`", t.name),
                );
            let at = if off != 0 {
                format!(" + {off}")
            } else {
                String::new()
            };
            return format!(
                "a per-CPU kernel variable of type {name}{at} (PTR_TO_BTF_ID | MEM_PERCPU)"
            );
        }
        let name = self
            .input
            .vmlinux
            .and_then(|b| b.get(ty))
            .map_or_else(|| format!("type {ty}"), |t| format!("struct {}", t.name));
        let flag = match trust {
            BtfTrust::Plain => "a",
            BtfTrust::Trusted => "a trusted",
            BtfTrust::Rcu => "an RCU",
            BtfTrust::Untrusted => "an untrusted",
        };
        let at = if off != 0 {
            format!(" + {off}")
        } else {
            String::new()
        };
        if null {
            format!("{flag} {name} that may be NULL (PTR_TO_BTF_ID_OR_NULL)")
        } else {
            format!("{flag} {name}{at} (PTR_TO_BTF_ID)")
        }
    }

    /// Whether the BTF pointer `v` may be passed as `ARG_PTR_TO_BTF_ID_SOCK_COMMON`: plain or
    /// trusted (not untrusted, not RCU), at offset 0, of a structure starting with a `struct
    /// sock_common` (the kernel's `btf_struct_ids_match` through first members).
    pub(crate) fn btf_ptr_is_sock_common(&self, v: &RegVal) -> bool {
        let RegVal::BtfPtr {
            ty,
            off: 0,
            trust: BtfTrust::Plain | BtfTrust::Trusted,
        } = v
        else {
            return false;
        };
        self.btf_starts_with(*ty, "sock_common")
    }

    /// Whether the structure `ty` of the kernel's BTF is the structure `name` or starts with
    /// it through its first members (the kernel's `btf_struct_ids_match` at offset 0).
    pub(crate) fn btf_starts_with(&self, ty: u32, name: &str) -> bool {
        let Some(btf) = self.input.vmlinux else {
            return false;
        };
        let mut id = ty;
        for _ in 0..32 {
            let Some((sid, t)) = skip_mods(btf, id) else {
                return false;
            };
            if t.name == name && matches!(t.kind, Kind::Struct { .. }) {
                return true;
            }
            let Some((ms, _, _)) = members(t) else {
                return false;
            };
            // The member a one-byte walk at offset 0 enters: the first one, if it is a
            // structure at offset 0.
            match ms.first() {
                Some(m) if m.bit_offset == 0 && m.bitfield_size == 0 => {
                    match skip_mods(btf, m.ty) {
                        Some((mid, mt)) if members(mt).is_some() && mid != sid => id = mid,
                        _ => return false,
                    }
                }
                _ => return false,
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::btf::Type;

    fn int(b: &mut Btf, size: u32) -> u32 {
        b.push(Type::int(format!("u{}", size * 8), size as u8, false))
    }

    fn member(name: &str, ty: u32, bit_offset: u32) -> Member {
        Member {
            name: name.into(),
            ty,
            bit_offset,
            bitfield_size: 0,
        }
    }

    /// `struct inner { u32 a; u32 b; }`, `struct outer { u64 x; struct inner in; struct
    /// outer *next; char *data; u8 flags:2; u8 pad; u32 arr[2] (at 36); union { u32 u; u16 v;
    /// } un; }` (48 bytes) and its `__safe_rcu_or_null` list naming `next`.
    fn sample() -> (Btf, u32, u32) {
        let mut b = Btf::new();
        let u8_ = int(&mut b, 1);
        let u16_ = int(&mut b, 2);
        let u32_ = int(&mut b, 4);
        let u64_ = int(&mut b, 8);
        let inner = b.push(Type::new(
            "inner",
            Kind::Struct {
                size: 8,
                members: vec![member("a", u32_, 0), member("b", u32_, 32)],
            },
        ));
        // `outer` is the next id: its pointer refers to it.
        let outer = inner + 5;
        let ptr_outer = b.push(Type::new("", Kind::Ptr(outer)));
        let ptr_char = b.push(Type::new("", Kind::Ptr(u8_)));
        let arr = b.push(Type::new(
            "",
            Kind::Array {
                elem: u32_,
                index: u32_,
                nelems: 2,
            },
        ));
        let un = b.push(Type::new(
            "",
            Kind::Union {
                size: 4,
                members: vec![member("u", u32_, 0), member("v", u16_, 0)],
            },
        ));
        let mut flags = member("flags", u8_, 256);
        flags.bitfield_size = 2;
        let id = b.push(Type::new(
            "outer",
            Kind::Struct {
                size: 48,
                members: vec![
                    member("x", u64_, 0),
                    member("in", inner, 64),
                    member("next", ptr_outer, 128),
                    member("data", ptr_char, 192),
                    flags,
                    member("pad", u8_, 264),
                    member("arr", arr, 288),
                    member("un", un, 352),
                ],
            },
        ));
        assert_eq!(id, outer);
        b.push(Type::new(
            "outer__safe_rcu_or_null",
            Kind::Struct {
                size: 8,
                members: vec![member("next", ptr_outer, 0)],
            },
        ));
        (b, outer, inner)
    }

    #[test]
    fn the_walk_finds_scalars_pointers_and_refuses_what_the_kernel_refuses() {
        let (b, outer, _) = sample();
        assert_eq!(walk(&b, outer, 0, 8, true), Ok(Walked::Scalar));
        assert_eq!(walk(&b, outer, 12, 4, true), Ok(Walked::Scalar)); // in.b
        assert_eq!(walk(&b, outer, 36, 8, true), Ok(Walked::Scalar)); // arr[0..2] as scratch
        assert_eq!(walk(&b, outer, 24, 8, true), Ok(Walked::Mem)); // char *data: memory
        assert_eq!(walk(&b, outer, 32, 1, true), Ok(Walked::Scalar)); // the bit-field's byte
        let m = walk(&b, outer, 40, 8, true).unwrap_err();
        assert!(m.starts_with("access beyond the end of member arr"), "{m}");
        assert!(matches!(
            walk(&b, outer, 16, 8, true),
            Ok(Walked::Ptr { ty, field: "next", untrusted: false, tag: None }) if ty == outer
        ));
        let m = walk(&b, outer, 16, 4, true).unwrap_err();
        assert!(m.starts_with("cannot access ptr member next"), "{m}");
        let m = walk(&b, outer, 48, 1, true).unwrap_err();
        assert_eq!(m, "access beyond struct outer at off 48 size 1");
        let m = walk(&b, outer, 34, 1, true).unwrap_err();
        assert_eq!(m, "struct outer doesn't have field at offset 34");
        let m = walk(&b, outer, 4, 8, true).unwrap_err();
        assert!(m.starts_with("access beyond the end of member x"), "{m}");
        // The union of two members: reads inside it are scalars.
        assert_eq!(walk(&b, outer, 44, 2, true), Ok(Walked::Scalar));
        assert_eq!(walk(&b, outer, 44, 4, true), Ok(Walked::Scalar));
    }

    #[test]
    fn trust_of_a_walked_pointer_follows_the_parent_and_the_lists() {
        let (b, outer, _) = sample();
        let w = walk(&b, outer, 16, 8, true).unwrap();
        // `next` is in `outer__safe_rcu_or_null`: from a trusted parent, RCU and maybe NULL.
        assert_eq!(
            member_trust(&b, &|n, k| b.find(n, k), outer, BtfTrust::Trusted, &w),
            Some((BtfTrust::Rcu, true))
        );
        assert_eq!(
            member_trust(&b, &|n, k| b.find(n, k), outer, BtfTrust::Untrusted, &w),
            Some((BtfTrust::Untrusted, false))
        );
        assert_eq!(
            member_trust(&b, &|n, k| b.find(n, k), outer, BtfTrust::Plain, &w),
            Some((BtfTrust::Plain, false))
        );
    }

    mod through_the_verifier {
        use super::super::super::testkit::*;
        use super::*;
        use crate::spec::ProgramType;
        use std::rc::Rc;

        /// The sample BTF plus `struct sock_common { u32 daddr; }`, `struct sock { struct
        /// sock_common c; u32 x; }`, `struct sk_buff { u64 a; }`: (btf, outer, sock, sk_buff).
        fn kernel() -> (Rc<Btf>, u32, u32, u32) {
            let (mut b, outer, _) = sample();
            let u32_ = b.push(Type::int("u32", 4, false));
            let u64_ = b.push(Type::int("u64", 8, false));
            let common = b.push(Type::new(
                "sock_common",
                Kind::Struct {
                    size: 4,
                    members: vec![member("daddr", u32_, 0)],
                },
            ));
            let sock = b.push(Type::new(
                "sock",
                Kind::Struct {
                    size: 8,
                    members: vec![member("c", common, 0), member("x", u32_, 32)],
                },
            ));
            let skb = b.push(Type::new(
                "sk_buff",
                Kind::Struct {
                    size: 8,
                    members: vec![member("a", u64_, 0)],
                },
            ));
            (Rc::new(b), outer, sock, skb)
        }

        fn ptr(ty: u32, trust: BtfTrust) -> RegVal {
            RegVal::BtfPtr { ty, off: 0, trust }
        }

        #[test]
        fn loads_give_numbers_and_pointers_with_the_kernels_flags() {
            let (b, outer, _, _) = kernel();
            let one = |src: &str| One::new(src).vmlinux(Rc::clone(&b));
            let mut st = state(&[(1, ptr(outer, BtfTrust::Trusted))]);
            one("r0 = *(u32 *)(r1 + 12)\nexit").next(&mut st);
            assert_eq!(*reg(&st, 0), scalar(Scalar::of_size(4)));
            one("r0 = *(s16 *)(r1 + 12)\nexit").next(&mut st);
            assert_eq!(*reg(&st, 0), scalar(Scalar::of_size(2).sext(16)));
            // `next` is listed `__safe_rcu_or_null`: RCU and possibly NULL from a trusted parent.
            one("r0 = *(u64 *)(r1 + 16)\nexit").next(&mut st);
            assert!(matches!(
                reg(&st, 0),
                RegVal::BtfPtrOrNull { ty, trust: BtfTrust::Rcu, .. } if *ty == outer
            ));
            // Read before its null check: refused; after it, a pointer again.
            let maybe = *reg(&st, 0);
            let (rule, _) = one("r0 = *(u64 *)(r1 + 0)\nexit").refused(&mut state(&[(1, maybe)]));
            assert_eq!(rule, Rule::NullCheck);
            let mut st = state(&[(1, maybe)]);
            let step = one("if r1 == 0 goto +1\nr0 = 0\nexit").apply(&mut st);
            assert!(matches!(step, Ok(Step::Branch { .. })), "{step:?}");
            // From an untrusted parent: untrusted, never NULL for the verifier.
            let mut st = state(&[(1, ptr(outer, BtfTrust::Untrusted))]);
            one("r0 = *(u64 *)(r1 + 16)\nexit").next(&mut st);
            assert_eq!(*reg(&st, 0), ptr(outer, BtfTrust::Untrusted));
            // From a plain one: plain.
            let mut st = state(&[(1, ptr(outer, BtfTrust::Plain))]);
            one("r0 = *(u64 *)(r1 + 16)\nexit").next(&mut st);
            assert_eq!(*reg(&st, 0), ptr(outer, BtfTrust::Plain));
        }

        #[test]
        fn a_char_pointer_member_is_untrusted_memory_from_6_18() {
            let (b, outer, _, _) = kernel();
            let one = |src: &str| {
                One::new(src)
                    .vmlinux(Rc::clone(&b))
                    .kernel(KernelVersion::new(6, 18))
            };
            let p = ptr(outer, BtfTrust::Trusted);
            let mut st = state(&[(1, p)]);
            one("r2 = *(u64 *)(r1 + 24)\nexit").next(&mut st);
            assert_eq!(*reg(&st, 2), UNTRUSTED_MEM);
            // Any 64-bit operation with a number keeps it; reads anywhere give numbers.
            one("r2 &= 0xff\nexit").next(&mut st);
            assert_eq!(*reg(&st, 2), UNTRUSTED_MEM);
            one("r0 = *(u32 *)(r2 - 8)\nexit").next(&mut st);
            assert_eq!(*reg(&st, 0), scalar(Scalar::of_size(4)));
            let (rule, _) = one("*(u8 *)(r2 + 0) = r1\nexit").refused(&mut st.clone());
            assert_eq!(rule, Rule::MemoryAccess);
            let (rule, _) = one("w2 &= 7\nexit").refused(&mut st.clone());
            assert_eq!(rule, Rule::PointerArithmetic);
            // Before 6.18 the kernel's walk gave a number.
            let mut st = state(&[(1, p)]);
            One::new("r2 = *(u64 *)(r1 + 24)\nexit")
                .vmlinux(Rc::clone(&b))
                .next(&mut st);
            assert_eq!(*reg(&st, 2), scalar(Scalar::of_size(8)));
        }

        #[test]
        fn bad_reads_writes_and_licenses_are_refused() {
            let (b, outer, _, _) = kernel();
            let one = |src: &str| One::new(src).vmlinux(Rc::clone(&b));
            let p = ptr(outer, BtfTrust::Untrusted);
            for (src, want) in [
                ("r0 = *(u32 *)(r1 + 16)", "cannot access ptr member next"),
                ("r0 = *(u8 *)(r1 + 48)", "access beyond struct outer"),
                ("r0 = *(u8 *)(r1 - 1)", "invalid negative access"),
                ("*(u32 *)(r1 + 0) = r2", "only read is supported"),
            ] {
                let (rule, msg) =
                    one(&format!("{src}\nexit")).refused(&mut state(&[(1, p), (2, konst(0))]));
                assert_eq!(rule, Rule::MemoryAccess, "{src}");
                assert!(msg.contains(want), "{src}: {msg}");
            }
            let (_, msg) = one("r0 = *(u32 *)(r1 + 0)\nexit")
                .license("Proprietary")
                .refused(&mut state(&[(1, p)]));
            assert!(
                msg.starts_with("Cannot access kernel 'struct outer'"),
                "{msg}"
            );
            // A constant moves the pointer; the access adds it.
            let mut st = state(&[(1, p)]);
            one("r1 += 12\nexit").next(&mut st);
            one("r0 = *(u32 *)(r1 + 0)\nexit").next(&mut st);
            assert_eq!(*reg(&st, 0), scalar(Scalar::of_size(4)));
            let (rule, _) = one("r1 += r2\nexit")
                .refused(&mut state(&[(1, p), (2, scalar(Scalar::of_size(1)))]));
            assert_eq!(rule, Rule::PointerArithmetic);
        }

        #[test]
        fn socket_helpers_take_plain_or_trusted_pointers_to_a_sock_common() {
            let (b, outer, sock, _) = kernel();
            let assign = One::new("call bpf_sk_assign\nexit")
                .ty(ProgramType::SchedCls)
                .vmlinux(Rc::clone(&b));
            let args = |p: RegVal| state(&[(1, RegVal::Ctx { off: 0 }), (2, p), (3, konst(0))]);
            assign.next(&mut args(ptr(sock, BtfTrust::Plain)));
            assign.next(&mut args(ptr(sock, BtfTrust::Trusted)));
            for bad in [
                ptr(sock, BtfTrust::Untrusted),
                ptr(sock, BtfTrust::Rcu),
                ptr(outer, BtfTrust::Plain),
                RegVal::BtfPtr {
                    ty: sock,
                    off: 4,
                    trust: BtfTrust::Plain,
                },
            ] {
                let (rule, _) = assign.refused(&mut args(bad));
                assert_eq!(rule, Rule::HelperArgument, "{bad:?}");
            }
            let maybe = RegVal::BtfPtrOrNull {
                ty: sock,
                trust: BtfTrust::Rcu,
                id: 1,
            };
            let (rule, _) = assign.refused(&mut args(maybe));
            assert_eq!(rule, Rule::NullCheck);
        }

        #[test]
        fn the_casts_give_trusted_and_untrusted_pointers() {
            let (b, outer, _, skb) = kernel();
            let tc = |src: &str| {
                One::new(src)
                    .ty(ProgramType::SchedCls)
                    .vmlinux(Rc::clone(&b))
            };
            let mut st = state(&[(1, RegVal::Ctx { off: 0 })]);
            tc("call bpf_cast_to_kern_ctx\nexit").next(&mut st);
            assert_eq!(*reg(&st, 0), ptr(skb, BtfTrust::Trusted));
            assert_eq!(*reg(&st, 1), RegVal::NotInit);
            let mut st = state(&[(1, konst(0)), (2, konst(outer as u64))]);
            tc("call bpf_rdonly_cast\nexit").next(&mut st);
            assert_eq!(*reg(&st, 0), ptr(outer, BtfTrust::Untrusted));
            // Type 1 is an integer.
            let (rule, msg) = tc("call bpf_rdonly_cast\nexit")
                .refused(&mut state(&[(1, konst(0)), (2, konst(1))]));
            assert_eq!(rule, Rule::HelperArgument);
            assert!(msg.contains("must be of a struct"), "{msg}");
        }
    }
}

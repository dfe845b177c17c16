//! Loads and stores through the context, packet, map value, ring buffer and socket pointers, and legacy packet loads (`check_mem_access`, `check_ld_abs`); stack accesses are in [`super::stack`].

use super::*;

/// "N-byte" in an error message, formatted only when one is written.
struct ByteCount(u64);

impl std::fmt::Display for ByteCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-byte", self.0)
    }
}

impl<'a> Exec<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn load(
        &mut self,
        pc: usize,
        st: &mut State,
        src: u8,
        base: &RegVal,
        off: i32,
        size: Size,
        sx: bool,
    ) -> R<RegVal> {
        let n = size.bytes();
        if self.input.strict_alignment {
            self.check_alignment(pc, src, base, off, n, "load")?;
        }
        match base {
            RegVal::Ctx { off: o } => {
                if *o != 0 {
                    return Err(e(pc, Rule::ContextAccess, format!(
                        "r{src} is the context pointer + {o}; context fields must be read through the unmodified pointer (`*(u32 *)(r{src} + {})`)", o + off
                    )));
                }
                match ctx::access_attached(
                    self.input.prog_type,
                    self.input.expected_attach_type,
                    off,
                    n,
                    false,
                    sx,
                ) {
                    // Sign-extended after the load for `*(sN *)` (the kernel appends a movsx).
                    Ok(CtxField::Scalar) => Ok(RegVal::Scalar(scalar_of(n, sx))),
                    Ok(CtxField::PktData) => Ok(RegVal::Pkt {
                        kind: PktKind::Data,
                        off: 0,
                        var: Scalar::konst(0),
                        id: 0,
                        range: 0,
                    }),
                    Ok(CtxField::PktMeta) => Ok(RegVal::Pkt {
                        kind: PktKind::Meta,
                        off: 0,
                        var: Scalar::konst(0),
                        id: 0,
                        range: 0,
                    }),
                    Ok(CtxField::PktEnd) => Ok(RegVal::PktEnd),
                    Ok(CtxField::SockCommonOrNull) => Ok(skb_sk(st)),
                    Err(m) => Err(e(pc, Rule::ContextAccess, m)),
                }
            }
            RegVal::Stack { frame, off: o } => self.stack_read(pc, st, *frame, o + off, n, sx),
            RegVal::StackVar { frame, off: o, var } => {
                let (f, lo, hi) =
                    self.stack_var_range(pc, st, src, base, *frame, o + off, var, n)?;
                self.check_no_dynptr(pc, st, f, lo, hi, &"this variable-offset load may read")?;
                self.check_stack_read(pc, st, f, (lo, hi), &"a variable-offset load")?;
                Ok(RegVal::Scalar(stack_var_read(st, f, lo, hi, n, sx)))
            }
            RegVal::MapPtr { map } => self.map_ptr_read(pc, src, *map, off, n, sx),
            // BTF pointers: the kernel's `btf_struct_access` (`transfer/btf_access.rs`).
            RegVal::BtfPtr { .. }
            | RegVal::BtfSock { .. }
            | RegVal::BtfObjAt { kobj: false, .. }
                if !matches!(base, RegVal::BtfSock { ty, .. } if *ty == TCP_SOCK) =>
            {
                let v = self.btf_load(pc, st, src, base, off, n, sx)?;
                Ok(v.unwrap_or(RegVal::Scalar(scalar_of(n, sx))))
            }
            // Socket fields may be read sign-extended (`check_sock_access`: the
            // `bpf_*sock_is_valid_access` have no `is_ldsx` test): the `_` arm, `scalar_of(n, sx)`.
            RegVal::KObj { .. } | RegVal::BtfObjAt { .. } if sx => Err(e(
                pc,
                Rule::Unsupported,
                format!(
                    "r{src} is {}: sign-extending loads of its fields are not modelled by this verifier",
                    self.describe(base)
                ),
            )),
            _ => {
                // A kptr field of a map value (`transfer/kptr.rs`).
                if let Some(v) = self.kptr_load(pc, src, base, off, n, sx, st)? {
                    return Ok(v);
                }
                self.check_mem(pc, src, base, off, n as u64, false, "load")?;
                // A frozen read-only map's bytes are known (`transfer/rodata.rs`).
                let known = self.frozen_read(pc, src, base, off, n, sx)?;
                Ok(RegVal::Scalar(known.unwrap_or_else(|| scalar_of(n, sx))))
            }
        }
    }

    /// Checks an access of `n` bytes at `base + off` through a non-stack, non-context pointer.
    /// `what` (the access, for messages) decides nothing beyond whether it starts with
    /// `access by ` or is `atomic operation` (`check_kptr_overlap`): the helper and kfunc
    /// arguments check unnamed and format their name only to word a refusal.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn check_mem(
        &self,
        pc: usize,
        r: u8,
        base: &RegVal,
        off: i32,
        n: u64,
        write: bool,
        what: &str,
    ) -> R<()> {
        // Formatted only into an error message (this runs on every access).
        let bytes = ByteCount(n);
        match base {
            RegVal::Pkt { kind, off: o, var, range, .. } => {
                let (start, end) = match kind {
                    PktKind::Data => ("data", "data_end"),
                    PktKind::Meta => ("data_meta", "data"),
                };
                if var.smin < 0 {
                    return Err(e(pc, Rule::PacketBounds, format!(
                        "r{r} is {} whose variable offset may be negative ({var}); use an unsigned offset or check it is >= 0",
                        self.describe(base)
                    )));
                }
                let a = *o as i64 + off as i64;
                if a < 0 || a + n as i64 > *range as i64 {
                    let v = var_text(var);
                    let proven = if *range > 0 {
                        format!("proven safe up to {start}{v} + {range}")
                    } else if *range == super::jump::BEYOND_PKT_END {
                        format!("known to be past {end} on this path (nothing is readable through it)")
                    } else if *range == super::jump::AT_PKT_END {
                        format!("known to be at or past {end} on this path (nothing is readable through it)")
                    } else {
                        format!("not yet compared against {end}")
                    };
                    let kind_s = if *kind == PktKind::Data { "packet" } else { "metadata" };
                    let advice = if a < 0 {
                        format!("offsets before {start} are never readable")
                    } else {
                        format!("compare {start}{v} + {} against {end} first (`if rX > r_end goto ...` with rX = {start}{v} + {})", a + n as i64, a + n as i64)
                    };
                    return Err(e(pc, Rule::PacketBounds, format!(
                        "r{r} is a {kind_s} pointer ({start}{v} + {o}) {proven}, but this {bytes} {what} touches {start}{v} + {}..{}; {advice}",
                        a, a + n as i64
                    )));
                }
                if write && self.family == helpers::avail::SOCK {
                    return Err(e(pc, Rule::MemoryAccess, "socket filters cannot write to the packet"));
                }
                Ok(())
            }
            RegVal::MapValue { map, off: o, var, .. } => {
                let spec = self.map(*map);
                let a = *o as i64 + off as i64;
                if var.umax >= MAX_VAR_OFF as u64 || var.smin <= -MAX_VAR_OFF {
                    return Err(e(pc, Rule::MapValueBounds, format!(
                        "r{r} points into a value of map `{}` at an unbounded offset ({var}); bound the offset before adding it",
                        spec.name_str()
                    )));
                }
                let lo = a + var.smin.min(var.umin as i64);
                let hi = a + var.umax as i64 + n as i64;
                if lo < 0 || hi > spec.value_size as i64 || var.smin < 0 && var.smin != var.umin as i64 {
                    return Err(e(pc, Rule::MapValueBounds, format!(
                        "r{r} is {}; this {bytes} {what} may touch bytes {lo}..{hi} but the value of `{}` is {} bytes",
                        self.describe(base), spec.name_str(), spec.value_size
                    )));
                }
                self.check_lock_overlap(pc, r, *map, lo, hi)?;
                self.check_kptr_overlap(pc, r, *map, (lo, hi), write, what)?;
                if write && super::devmap::prog_flags(spec) & BPF_F_RDONLY_PROG != 0 {
                    return Err(e(pc, Rule::MemoryAccess, format!("map `{}` is read-only for programs (BPF_F_RDONLY_PROG)", spec.name_str())));
                }
                if !write && spec.flags & BPF_F_WRONLY_PROG != 0 {
                    return Err(e(pc, Rule::MemoryAccess, format!("map `{}` is write-only for programs (BPF_F_WRONLY_PROG): this {bytes} {what} reads from it", spec.name_str())));
                }
                Ok(())
            }
            RegVal::Ringbuf { size, off: o, var, ref_id } => {
                let a = *o as i64 + off as i64;
                if var.smin < 0 || var.umax >= MAX_VAR_OFF as u64 {
                    return Err(e(pc, Rule::MemoryAccess, format!("r{r} is ring buffer memory at an unbounded offset ({var})")));
                }
                let slice = ref_id & DYNPTR_SLICE != 0;
                if write && slice {
                    // `bpf_dynptr_slice` gives `PTR_TO_MEM | MEM_RDONLY`.
                    return Err(e(pc, Rule::MemoryAccess, format!(
                        "r{r} is {}: it cannot be written (the kernel: `cannot write into rdonly_mem`)", self.describe(base)
                    )));
                }
                // `check_mem_region_access`: the lowest byte is the offset plus the variable
                // part's minimum (not 0: a negative constant offset with a variable part of at
                // least its size is fine, `mem_var_off_below_const`).
                let lo = a + var.smin;
                let hi = a + var.umax as i64 + n as i64;
                if lo < 0 || hi > *size as i64 {
                    return Err(e(pc, Rule::MemoryAccess, format!(
                        "this {bytes} {what} touches bytes {lo}..{hi} of {}", if *ref_id == 0 { format!("a global function's {size}-byte memory argument") } else if *ref_id == super::ksym::KSYM_MEM { format!("{size} bytes of read-only kernel memory (a kernel variable's or function's)") } else if *ref_id == call::ITER_ELEM { format!("an iterator's {size}-byte element (from bpf_iter_*_next)") } else if slice { format!("a {size}-byte dynptr slice") } else if ref_id & DYNPTR_DATA != 0 { format!("a dynptr's {size}-byte data (from bpf_dynptr_data)") } else { format!("a {size}-byte ring buffer reservation") }
                    )));
                }
                Ok(())
            }
            RegVal::Sock { common, .. } => {
                // A subset of `bpf_sock_is_valid_access` / `bpf_sock_common_is_valid_access`:
                // reads of fields of `struct bpf_sock` (80 bytes); `sock_common` has no type,
                // protocol, mark or priority.
                if write {
                    return Err(e(pc, Rule::MemoryAccess, format!("r{r} is {}: socket fields cannot be written", self.describe(base))));
                }
                let ok = sock_read_ok(off, n as i32) && !(*common && (8..24).contains(&off));
                if !ok {
                    return Err(e(pc, Rule::MemoryAccess, format!(
                        "this {bytes} {what} at offset {off} of {} is not an allowed field read of struct bpf_sock (u32 fields, or the first 1 or 2 bytes of the narrow-readable ones)",
                        self.describe(base)
                    )));
                }
                Ok(())
            }
            RegVal::BtfSock { ty, .. } if *ty == TCP_SOCK && !write => {
                if tcp_sock_field_ok(off, n as u32) {
                    return Ok(());
                }
                Err(e(pc, Rule::MemoryAccess, format!(
                    "this {bytes} {what} at offset {off} of {} is not an allowed field read of struct bpf_tcp_sock (aligned u32 fields, or the u64 bytes_received at 80 and bytes_acked at 88)",
                    self.describe(base)
                )))
            }
            RegVal::KObj { ty, .. } => self.check_kobj_access(pc, r, ty, off, n, write, what),
            RegVal::BtfObjAt { ty, kobj: true, off: o, .. } => {
                self.check_kobj_access(pc, r, ty, o.saturating_add(off), n, write, what)
            }
            // `__check_ptr_off_reg`: no access through a variable offset into the context.
            RegVal::CtxVar { .. } => Err(e(pc, Rule::ContextAccess, format!(
                "r{r} is {}: the kernel refuses every access through a variable offset into the context (`variable ctx access var_off=... disallowed`); add a constant instead",
                self.describe(base)
            ))),
            RegVal::Alloc { ty, off: o, .. } if what == "load" || what.ends_with(" store") => {
                self.check_alloc_access(pc, r, *ty, o + off, n, what)
            }
            RegVal::Alloc { .. } => Err(e(pc, Rule::MemoryAccess, format!(
                "r{r} is {}: an allocated object as a helper's memory argument or an atomic operand is not modelled by this verifier",
                self.describe(base)
            ))),
            RegVal::BtfSock { .. } | RegVal::BtfPtr { .. } | RegVal::BtfObjAt { .. } if write => Err(self.btf_store_refused(pc, r, base)),
            // Loads are `btf_access.rs`'s; what comes here is a helper's memory argument.
            RegVal::BtfSock { .. } | RegVal::BtfPtr { .. } | RegVal::BtfObjAt { .. } => Err(e(pc, Rule::MemoryAccess, format!(
                "r{r} is {}: a kernel structure as a helper's memory argument is not modelled by this verifier",
                self.describe(base)
            ))),
            RegVal::MapValueOrNull { .. } | RegVal::OpaqueOrNull { .. } | RegVal::RingbufOrNull { .. } | RegVal::SockOrNull { .. } | RegVal::BtfSockOrNull { .. } | RegVal::KObjOrNull { .. } | RegVal::BtfPtrOrNull { .. } | RegVal::AllocOrNull { .. } => {
                Err(e(pc, Rule::NullCheck, format!(
                    "r{r} is {}; test it first (`if r{r} == 0 goto ...`) and use it only on the non-NULL path",
                    self.describe(base)
                )))
            }
            // An XSKMAP lookup gives a `struct bpf_xdp_sock` (PTR_TO_XDP_SOCK): its one field,
            // the u32 `queue_id` at offset 0, may be read (`bpf_xdp_sock_is_valid_access`).
            RegVal::Opaque { map }
                if self.map(*map).map_type == MapType::Xskmap && !write && off == 0 && n == 4 =>
            {
                Ok(())
            }
            RegVal::Opaque { map } if self.map(*map).map_type == MapType::Xskmap => {
                Err(e(pc, Rule::MemoryAccess, format!(
                    "r{r} is {}, a struct bpf_xdp_sock: only its u32 queue_id (`*(u32 *)(r{r} + 0)`) may be read", self.describe(base)
                )))
            }
            RegVal::Scalar(_) => Err(e(pc, Rule::MemoryAccess, format!(
                "r{r} is {}, not a pointer: it cannot be dereferenced", self.describe(base)
            ))),
            RegVal::PktEnd => Err(e(pc, Rule::MemoryAccess, "data_end cannot be dereferenced; it only bounds packet pointers in comparisons")),
            _ => Err(e(pc, Rule::MemoryAccess, format!("r{r} is {}, which cannot be dereferenced", self.describe(base)))),
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn store(
        &mut self,
        pc: usize,
        st: &mut State,
        dst: u8,
        base: &RegVal,
        off: i32,
        size: Size,
        v: RegVal,
    ) -> R<()> {
        let n = size.bytes();
        if self.input.strict_alignment {
            self.check_alignment(pc, dst, base, off, n, "store")?;
        }
        match base {
            RegVal::Stack { frame, off: o } => self.stack_write(pc, st, *frame, o + off, n, v),
            // A pointer stored this way reads back as a number (privileged).
            RegVal::StackVar { frame, off: o, var } => {
                let (f, lo, hi) =
                    self.stack_var_range(pc, st, dst, base, *frame, o + off, var, n)?;
                // (The kernel destroys the dynptrs such a store may touch; refused here.)
                self.check_no_dynptr(pc, st, f, lo, hi, &"this variable-offset store may write")?;
                let keep = self.input.kernel >= KernelVersion::NARROW_FILL;
                stack_var_write(st, f, lo, hi, &v, keep);
                Ok(())
            }
            RegVal::Ctx { off: o } => {
                if *o != 0 {
                    return Err(e(pc, Rule::ContextAccess, format!("r{dst} is the context pointer + {o}; write through the unmodified pointer")));
                }
                ctx::access_attached(
                    self.input.prog_type,
                    self.input.expected_attach_type,
                    off,
                    n,
                    true,
                    false,
                )
                .map(|_| ())
                .map_err(|m| e(pc, Rule::ContextAccess, m))
            }
            RegVal::Alloc { ty, .. } if v.is_pointer() => Err(e(pc, Rule::MemoryAccess, format!(
                "r{dst} is an object of struct {}: storing a pointer ({}) into it is not modelled by this verifier (a kptr field is written with bpf_kptr_xchg)", self.local_name(*ty), self.describe(&v)
            ))),
            _ => {
                // A privileged loader may store a pointer into a map value, the packet or ring
                // buffer memory (the kernel's `allow_ptr_leaks`); it reads back as a number.
                self.check_mem(
                    pc,
                    dst,
                    base,
                    off,
                    n as u64,
                    true,
                    // Not formatted: this runs on every store.
                    match size {
                        Size::B => "u8 store",
                        Size::H => "u16 store",
                        Size::W => "u32 store",
                        Size::DW => "u64 store",
                    },
                )
            }
        }
    }

    pub(crate) fn ld_abs(
        &mut self,
        pc: usize,
        st: &mut State,
        size: Size,
        ind: Option<u8>,
        _imm: i32,
    ) -> R<()> {
        let _ = size;
        self.check_ld_abs(pc, st, ind)?;
        // The kernel's `check_ld_abs`: r1-r5 are clobbered, r0 gets the loaded number.
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        self.set(st, 0, RegVal::Scalar(Scalar::UNKNOWN));
        Ok(())
    }

    /// The rules of `LD_ABS` / `LD_IND` (`check_ld_abs`): not in XDP programs, no reference
    /// held, the context in `r6`, a number as the `LD_IND` offset.
    fn check_ld_abs(&self, pc: usize, st: &State, ind: Option<u8>) -> R<()> {
        if self.family == helpers::avail::XDP {
            return Err(e(pc, Rule::Unsupported, "legacy packet loads (LD_ABS / LD_IND) are not allowed in XDP programs; use data/data_end pointers"));
        }
        if !st.refs.is_empty() {
            return Err(e(
                pc,
                Rule::ReferenceLeak,
                "legacy packet loads cannot be mixed with held references",
            ));
        }
        let r6 = self.read(st, pc, 6)?;
        if r6 != (RegVal::Ctx { off: 0 }) {
            return Err(e(
                pc,
                Rule::MemoryAccess,
                format!(
                    "legacy packet loads need the context pointer in r6; r6 is {}",
                    self.describe(&r6)
                ),
            ));
        }
        if let Some(r) = ind {
            let v = self.read(st, pc, r)?;
            if v.is_pointer() {
                return Err(e(
                    pc,
                    Rule::MemoryAccess,
                    format!(
                        "the LD_IND offset r{r} must be a scalar, not {}",
                        self.describe(&v)
                    ),
                ));
            }
        }
        Ok(())
    }
}

pub(crate) fn mask(s: Size) -> u64 {
    match s {
        Size::B => 0xff,
        Size::H => 0xffff,
        Size::W => 0xffff_ffff,
        Size::DW => u64::MAX,
    }
}

/// The kernel's `bpf_sock_is_valid_access` for a read of `n` bytes at `off` of `struct
/// bpf_sock` (80 bytes): aligned to its size; `family`, `type`, `protocol`, `src_port`,
/// `state` and `rx_queue_mapping` read whole or narrowed at their start, the addresses
/// (`src_ip4`, `src_ip6`, `dst_ip4`, `dst_ip6`) at any offset inside with 1, 2 or 4 bytes,
/// `dst_port` (16 bits, at 48) as u32 (kept for programs of the 32-bit days) or with 1 or 2
/// bytes, never its padding (50..52); every other field (`bound_dev_if`, `mark`, `priority`)
/// as a u32 only.
fn sock_read_ok(off: i32, n: i32) -> bool {
    if !(0..80).contains(&off) || !matches!(n, 1 | 2 | 4 | 8) || off % n != 0 {
        return false;
    }
    match off {
        4 | 8 | 12 | 44 | 72 | 76 | 24..=43 | 52..=71 => n <= 4,
        48..=49 => n <= 2 || n == 4,
        50..=51 => false,
        _ => n == 4,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;
    use crate::spec::ProgramType;

    #[test]
    fn packet_loads_are_checked_against_the_proven_range() {
        let mut st = state(&[(2, pkt(0, 8))]);
        One::new("r0 = *(u32 *)(r2 + 4)\nexit").next(&mut st);
        assert_eq!(*reg(&st, 0), scalar(Scalar::of_size(4)));
        let (rule, msg) = One::new("r0 = *(u32 *)(r2 + 6)\nexit").refused(&mut st);
        assert_eq!(rule, Rule::PacketBounds);
        assert_eq!(
            msg,
            "r2 is a packet pointer (data + 0) proven safe up to data + 8, but this 4-byte load touches data + 6..10; compare data + 10 against data_end first (`if rX > r_end goto ...` with rX = data + 10)"
        );
        // Not compared at all, and before `data`.
        let mut st = state(&[(2, pkt(0, 0))]);
        let (_, msg) = One::new("r0 = *(u8 *)(r2 + 0)\nexit").refused(&mut st);
        assert!(msg.contains("not yet compared against data_end"), "{msg}");
        let mut st = state(&[(2, pkt(-1, 8))]);
        let (_, msg) = One::new("r0 = *(u8 *)(r2 + 0)\nexit").refused(&mut st);
        assert!(
            msg.ends_with("offsets before data are never readable"),
            "{msg}"
        );
        // Stores are checked the same way; socket filters may not write the packet.
        let mut st = state(&[(2, pkt(0, 8))]);
        One::new("*(u64 *)(r2 + 0) = 1\nexit").next(&mut st);
        let (rule, msg) = One::new("*(u8 *)(r2 + 0) = 1\nexit")
            .ty(ProgramType::SocketFilter)
            .refused(&mut st);
        assert_eq!(
            (rule, msg.as_str()),
            (
                Rule::MemoryAccess,
                "socket filters cannot write to the packet"
            )
        );
    }

    #[test]
    fn context_fields_give_packet_pointers_and_numbers() {
        let mut st = state(&[]);
        One::new("r2 = *(u32 *)(r1 + 0)\nexit").next(&mut st);
        assert_eq!(*reg(&st, 2), pkt(0, 0));
        One::new("r3 = *(u32 *)(r1 + 4)\nexit").next(&mut st);
        assert_eq!(*reg(&st, 3), RegVal::PktEnd);
        One::new("r4 = *(u32 *)(r1 + 8)\nexit").next(&mut st);
        assert!(
            matches!(
                reg(&st, 4),
                RegVal::Pkt {
                    kind: PktKind::Meta,
                    off: 0,
                    range: 0,
                    ..
                }
            ),
            "{:?}",
            reg(&st, 4)
        );
        // xdp_md's ingress_ifindex is a number; a misaligned or out-of-range read is refused.
        One::new("r5 = *(u32 *)(r1 + 12)\nexit").next(&mut st);
        assert_eq!(*reg(&st, 5), scalar(Scalar::of_size(4)));
        let (rule, _) = One::new("r5 = *(u32 *)(r1 + 2)\nexit").refused(&mut st);
        assert_eq!(rule, Rule::ContextAccess);
        let (rule, _) = One::new("r5 = *(u32 *)(r1 + 4096)\nexit").refused(&mut st);
        assert_eq!(rule, Rule::ContextAccess);
        // Through a moved context pointer.
        let mut st = state(&[(1, RegVal::Ctx { off: 4 })]);
        let (rule, msg) = One::new("r2 = *(u32 *)(r1 + 0)\nexit").refused(&mut st);
        assert_eq!(
            (rule, msg.as_str()),
            (
                Rule::ContextAccess,
                "r1 is the context pointer + 4; context fields must be read through the unmodified pointer (`*(u32 *)(r1 + 4)`)"
            )
        );
        // XDP programs cannot write their context; skb->mark can be written by tc.
        let (rule, _) = One::new("*(u32 *)(r1 + 0) = 0\nexit").refused(&mut state(&[]));
        assert_eq!(rule, Rule::ContextAccess);
        let mut st = state(&[]);
        One::new("*(u32 *)(r1 + 8) = 0\nexit")
            .ty(ProgramType::SchedCls)
            .next(&mut st);
    }

    #[test]
    fn egress_ifindex_only_for_devmap_programs() {
        use crate::spec::{BPF_XDP_CPUMAP, BPF_XDP_DEVMAP};
        let read = "r2 = *(u32 *)(r1 + 20)\nexit";
        let mut st = state(&[]);
        One::new(read).attach(BPF_XDP_DEVMAP).next(&mut st);
        assert_eq!(*reg(&st, 2), scalar(Scalar::of_size(4)));
        // Plain XDP and CPUMAP programs may not read it; nobody may write it or read it
        // with another size.
        for one in [One::new(read), One::new(read).attach(BPF_XDP_CPUMAP)] {
            let (rule, msg) = one.refused(&mut state(&[]));
            assert_eq!(rule, Rule::ContextAccess);
            assert!(
                msg.contains("only readable by programs attached to a devmap"),
                "{msg}"
            );
        }
        for bad in [
            "*(u32 *)(r1 + 20) = 1\nexit",
            "r2 = *(u16 *)(r1 + 20)\nexit",
        ] {
            let (rule, _) = One::new(bad)
                .attach(BPF_XDP_DEVMAP)
                .refused(&mut state(&[]));
            assert_eq!(rule, Rule::ContextAccess);
        }
    }

    #[test]
    fn map_values_are_bounded_by_the_value_size() {
        let mut st = state(&[(1, map_value(0, 12))]);
        One::new("r0 = *(u32 *)(r1 + 0)\nexit").next(&mut st);
        let (rule, msg) = One::new("r0 = *(u32 *)(r1 + 1)\nexit").refused(&mut st);
        assert_eq!(rule, Rule::MapValueBounds);
        assert_eq!(
            msg,
            "r1 is a pointer into a value of map `arr` (offset 12); this 4-byte load may touch bytes 13..17 but the value of `arr` is 16 bytes"
        );
        // A variable offset: its whole range must fit.
        let p = RegVal::MapValue {
            map: 0,
            off: 0,
            var: Scalar::urange(0, 12),
            id: 0,
        };
        One::new("r0 = *(u32 *)(r1 + 0)\nexit").next(&mut state(&[(1, p)]));
        let (rule, _) = One::new("r0 = *(u32 *)(r1 + 1)\nexit").refused(&mut state(&[(1, p)]));
        assert_eq!(rule, Rule::MapValueBounds);
        // Read-only maps: loads yes, stores no.
        let mut st = state(&[(1, map_value(2, 0))]);
        One::new("r0 = *(u64 *)(r1 + 0)\nexit").next(&mut st);
        let (rule, _) = One::new("*(u64 *)(r1 + 0) = 0\nexit").refused(&mut st);
        assert_eq!(rule, Rule::MemoryAccess);
    }

    #[test]
    fn only_pointers_are_dereferenced() {
        let (rule, msg) =
            One::new("r0 = *(u8 *)(r2 + 0)\nexit").refused(&mut state(&[(2, konst(5))]));
        assert_eq!(rule, Rule::MemoryAccess);
        assert!(
            msg.ends_with("not a pointer: it cannot be dereferenced"),
            "{msg}"
        );
        let (rule, msg) =
            One::new("r0 = *(u8 *)(r2 + 0)\nexit").refused(&mut state(&[(2, RegVal::PktEnd)]));
        assert_eq!(
            (rule, msg.as_str()),
            (
                Rule::MemoryAccess,
                "data_end cannot be dereferenced; it only bounds packet pointers in comparisons"
            )
        );
        let (rule, msg) = One::new("r0 = *(u8 *)(r2 + 0)\nexit")
            .refused(&mut state(&[(2, RegVal::MapValueOrNull { map: 0, id: 1 })]));
        assert_eq!(rule, Rule::NullCheck);
        assert!(
            msg.ends_with(
                "test it first (`if r2 == 0 goto ...`) and use it only on the non-NULL path"
            ),
            "{msg}"
        );
    }

    #[test]
    fn legacy_packet_loads() {
        let src = "r0 = *(u8 *)skb[12]\nexit";
        let (rule, _) = One::new(src).refused(&mut state(&[(6, RegVal::Ctx { off: 0 })]));
        assert_eq!(rule, Rule::Unsupported);
        let tc = One::new(src).ty(ProgramType::SchedCls);
        let (rule, msg) = tc.refused(&mut state(&[(6, konst(0))]));
        assert_eq!(rule, Rule::MemoryAccess);
        assert!(
            msg.starts_with("legacy packet loads need the context pointer in r6"),
            "{msg}"
        );
        let mut st = state(&[(6, RegVal::Ctx { off: 0 }), (2, konst(1))]);
        tc.next(&mut st);
        assert_eq!(*reg(&st, 0), scalar(Scalar::UNKNOWN));
        assert_eq!(*reg(&st, 2), RegVal::NotInit);
    }

    #[test]
    fn ring_buffer_memory_and_socket_fields() {
        let rb = |off| RegVal::Ringbuf {
            size: 16,
            off,
            var: Scalar::konst(0),
            ref_id: 1,
        };
        let mut st = state(&[(1, rb(8))]);
        One::new("*(u64 *)(r1 + 0) = 0\nexit").next(&mut st);
        let (rule, msg) = One::new("*(u64 *)(r1 + 4) = 0\nexit").refused(&mut st);
        assert_eq!(
            (rule, msg.as_str()),
            (
                Rule::MemoryAccess,
                "this 8-byte u64 store touches bytes 12..20 of a 16-byte ring buffer reservation"
            )
        );
        // Sockets: u32 fields read, nothing written; dst_port (48) as u32, u16 or u8, never
        // its padding (50).
        let tc = |src: &str| One::new(src).ty(ProgramType::SchedCls);
        let sock = RegVal::Sock {
            common: false,
            ref_id: 0,
        };
        let mut st = state(&[(1, sock)]);
        tc("r0 = *(u32 *)(r1 + 4)\nexit").next(&mut st);
        tc("r0 = *(u32 *)(r1 + 48)\nexit").next(&mut st);
        tc("r0 = *(u8 *)(r1 + 49)\nexit").next(&mut st);
        let (rule, msg) = tc("r0 = *(u16 *)(r1 + 50)\nexit").refused(&mut st);
        assert_eq!(rule, Rule::MemoryAccess);
        assert!(msg.ends_with("is not an allowed field read of struct bpf_sock (u32 fields, or the first 1 or 2 bytes of the narrow-readable ones)"), "{msg}");
        let (_, msg) = tc("*(u32 *)(r1 + 4) = 0\nexit").refused(&mut st);
        assert!(msg.ends_with("socket fields cannot be written"), "{msg}");
        // Sign-extending loads of socket fields are allowed (`check_sock_access`), and
        // sign-extend: s8 of a u32 field is -128..=127.
        tc("r0 = *(s8 *)(r1 + 4)\nexit").next(&mut st);
        let v = num(&st, 0);
        assert_eq!((v.smin, v.smax), (-128, 127));
        let (_, msg) = tc("r0 = *(s8 *)(r1 + 2)\nexit").refused(&mut st);
        assert!(
            msg.contains("not an allowed field read of struct bpf_sock"),
            "{msg}"
        );
    }
}

//! Calls of the netfilter kfuncs by name ([`NfKfunc`]: `call bpf_xdp_ct_lookup`), checked as
//! the kernel's `check_kfunc_call` checks them against their definitions in
//! `net/netfilter/nf_conntrack_bpf.c` and `nf_flow_table_bpf.c`.
//!
//! * Who may call them: the conntrack set is registered for XDP and `sched_cls` programs only;
//!   `bpf_xdp_*` take the XDP context, `bpf_skb_*` the `__sk_buff` one (the other program
//!   type's context does not match the prototype). Every kfunc call needs a GPL-compatible
//!   licence. Allocation, insertion, timeout and status need Linux 6.1, NAT 6.3.
//! * `ctx, tuple, tuple__sz, opts, opts__sz`: the context, unmodified; two memory / size pairs
//!   (`__sz`: `KF_ARG_PTR_TO_MEM_SIZE`), each checked readable and writable for the size's
//!   largest value (`check_kfunc_mem_size_reg`), a size of 0 allowed; never NULL (6.18 treats
//!   the pointers as trusted arguments: "Possibly NULL pointer passed to trusted arg1").
//! * `KF_ACQUIRE | KF_RET_NULL` (lookup, alloc, insert): `r0` is a [`RegVal::KObjOrNull`] of
//!   `struct nf_conn` (lookup, insert) or `struct nf_conn___init` (alloc) holding a new
//!   reference; the null check drops it on the NULL path, and every other path must release
//!   it (the program's exit with it held is a leak).
//! * `KF_RELEASE` (`bpf_ct_release`, and `bpf_ct_insert_entry` of its `nf_conn___init`): the
//!   argument is the null-checked, referenced pointer of exactly that type (the two types are
//!   a "no-cast alias" pair for the kernel: neither stands for the other); every copy becomes
//!   unusable.
//! * `KF_TRUSTED_ARGS` (set/change timeout, status, NAT): a non-NULL pointer of exactly the
//!   parameter's type; numbers where the prototype has numbers; NAT's address is 16 bytes of
//!   memory (`union nf_inet_addr`).
//! * Fields: the scalar fields of `struct nf_conn` may be read (any read within one
//!   scalar member, the kernel's `btf_struct_walk`), with the layout of Linux 6.18 (x86_64)
//!   taken from its BTF ([`NF_CONN_SCALARS`]); pointer members (`master`, `ext`, ...),
//!   holes and partial reads across members are refused (the kernel gives a pointer or refuses);
//!   the only write is the u32 `mark` (`_nf_conntrack_btf_struct_access`: exactly at its
//!   offset, at most its 4 bytes), of any value, by a store or an atomic operation. A constant
//!   may be added to the pointer ([`RegVal::BtfObjAt`]): its accesses are at the sum; no kfunc
//!   takes it (the kernel wants the object's own address for release and trusted arguments).
//!   Another kernel configuration has another layout: verify for the kernel you load on.
//! * `bpf_xdp_flow_lookup` (nf_flow_table, Linux 6.10) exists only in kernels built with the
//!   flowtable's BPF support (the 6.18 reference kernel here has none): it is refused as not
//!   modelled (take the call on trust with a `trust_call_` label if your kernel has it).

use super::*;
use crate::spec::ProgramType;
use crate::xdp::netfilter::NfKfunc;

/// Marks the reference ids of objects a kfunc acquired (a leak is then reported as theirs).
pub(crate) const KOBJ_REF: u32 = 1 << 28;

/// `struct nf_conn` (lookup and insert results).
const NF_CONN: &str = "nf_conn";
/// `struct nf_conn___init` (an allocated entry not yet inserted).
const NF_CONN_INIT: &str = "nf_conn___init";

/// Size of `struct nf_conn` in Linux 6.18 (x86_64).
const NF_CONN_SIZE: i32 = 248;

/// Offset of the u32 `mark` of `struct nf_conn`, the one field programs may write.
const NF_CONN_MARK: i32 = 168;

/// The scalar members of `struct nf_conn` (Linux 6.18, x86_64, from its BTF; nested
/// structures, arrays and unions walked as the kernel's `btf_struct_walk` walks them, a union
/// by its first member covering the offset): `(start, end)` byte ranges; a read is allowed
/// when it lies within one. `ct_general.use` (0), `lock` (4), `timeout` (8), `zone` (12-16),
/// the two tuples of `tuplehash` without their list nodes (32-72, 88-128), `status` (128),
/// `mark` (168), `secmark` (172) and the scalars of `proto` (184-244).
pub(crate) const NF_CONN_SCALARS: &[(i32, i32)] = &[
    (0, 4),
    (4, 8),
    (8, 12),
    (12, 14),
    (14, 15),
    (15, 16),
    (32, 48),
    (48, 50),
    (50, 52),
    (52, 68),
    (68, 70),
    (70, 71),
    (71, 72),
    (88, 104),
    (104, 106),
    (106, 108),
    (108, 124),
    (124, 126),
    (126, 127),
    (127, 128),
    (128, 136),
    (168, 172),
    (172, 176),
    (184, 188),
    (188, 196),
    (196, 198),
    (198, 199),
    (199, 200),
    (200, 201),
    (201, 202),
    (204, 208),
    (208, 212),
    (212, 216),
    (216, 220),
    (220, 221),
    (221, 222),
    (224, 225),
    (225, 226),
    (226, 227),
    (227, 228),
    (228, 232),
    (232, 236),
    (236, 240),
    (240, 242),
    (242, 243),
    (243, 244),
];

/// True if `n` bytes at `off` of a `struct nf_conn` lie within one scalar member.
pub(crate) fn nf_conn_read_ok(off: i32, n: u64) -> bool {
    let end = off as i64 + n as i64;
    NF_CONN_SCALARS
        .iter()
        .any(|&(a, b)| a <= off && end <= b as i64)
}

/// What a checked call does to the state.
struct NfCall {
    /// Stack bytes written through memory arguments.
    writes: Vec<StackWrite>,
    /// The reference released.
    release: Option<u32>,
}

impl<'a> Exec<'a> {
    /// `call` of the netfilter kfunc `k` by name.
    pub(crate) fn call_nf_kfunc(&mut self, pc: usize, st: &mut State, k: NfKfunc) -> R<()> {
        let c = self.check_nf_kfunc(pc, st, k)?;
        for w in &c.writes {
            mark_written(st, w);
        }
        if let Some(rf) = c.release {
            st.refs.retain(|x| *x != rf);
            st.for_each_reg(|r| match r {
                RegVal::KObj { ref_id, .. }
                | RegVal::KObjOrNull { ref_id, .. }
                | RegVal::BtfObjAt { ref_id, .. }
                    if *ref_id == rf =>
                {
                    *r = RegVal::Scalar(Scalar::UNKNOWN)
                }
                _ => {}
            });
        }
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        let r0 = match k {
            NfKfunc::XdpCtAlloc
            | NfKfunc::SkbCtAlloc
            | NfKfunc::XdpCtLookup
            | NfKfunc::SkbCtLookup
            | NfKfunc::CtInsertEntry => {
                let ty = if matches!(k, NfKfunc::XdpCtAlloc | NfKfunc::SkbCtAlloc) {
                    NF_CONN_INIT
                } else {
                    NF_CONN
                };
                let id = st.fresh();
                let rf = st.fresh() | KOBJ_REF;
                st.refs.push(rf);
                RegVal::KObjOrNull { ty, id, ref_id: rf }
            }
            NfKfunc::CtRelease | NfKfunc::CtSetTimeout => RegVal::NotInit,
            _ => RegVal::Scalar(Scalar::UNKNOWN),
        };
        self.set(st, 0, r0);
        Ok(())
    }

    /// The rules of a call of `k` (program type, licence, target kernel, arguments).
    fn check_nf_kfunc(&mut self, pc: usize, st: &State, k: NfKfunc) -> R<NfCall> {
        let full = k.name();
        let name = full.strip_prefix("bpf_").unwrap_or(full);
        self.check_kfunc_gpl(pc, full)?;
        if k == NfKfunc::XdpFlowLookup {
            return Err(e(
                pc,
                Rule::Unsupported,
                format!(
                    "{full} (the netfilter flowtable lookup, Linux 6.10) is not modelled by this verifier: only kernels built with the flowtable's BPF support have it (the 6.18 reference kernel does not, and refuses the program); take this call on trust with a `trust_call_<name>:` label if yours has it"
                ),
            ));
        }
        let (xdp, skb) = (ProgramType::Xdp, ProgramType::SchedCls);
        let pt = self.input.prog_type;
        let types: &[ProgramType] = match k {
            NfKfunc::XdpCtAlloc | NfKfunc::XdpCtLookup => &[xdp],
            NfKfunc::SkbCtAlloc | NfKfunc::SkbCtLookup => &[skb],
            _ => &[xdp, skb],
        };
        if !types.contains(&pt) {
            let who = if types.len() == 1 {
                format!("{} programs", types[0])
            } else {
                "xdp and sched_cls programs".to_string()
            };
            return Err(e(
                pc,
                Rule::HelperNotAllowed,
                format!("{full} can only be called from {who}, not from {pt} programs"),
            ));
        }
        let args = match k {
            NfKfunc::CtRelease | NfKfunc::CtInsertEntry => 1,
            NfKfunc::CtSetNatInfo => 4,
            NfKfunc::XdpCtAlloc
            | NfKfunc::XdpCtLookup
            | NfKfunc::SkbCtAlloc
            | NfKfunc::SkbCtLookup => 5,
            _ => 2,
        };
        let read = |r: u8| {
            self.read(st, pc, r).map_err(|mut err| {
                err.message = format!("{full} takes {args} arguments, but {}", err.message);
                err
            })
        };
        let mut regs = Vec::with_capacity(args);
        for r in 1..=args as u8 {
            regs.push(read(r)?);
        }
        let mut call = NfCall {
            writes: Vec::new(),
            release: None,
        };
        match k {
            NfKfunc::XdpCtAlloc
            | NfKfunc::XdpCtLookup
            | NfKfunc::SkbCtAlloc
            | NfKfunc::SkbCtLookup => {
                if regs[0] != (RegVal::Ctx { off: 0 }) {
                    return Err(e(
                        pc,
                        Rule::HelperArgument,
                        format!(
                            "{full} expects the context pointer (the program's r1 at entry) in r1, but r1 is {}",
                            self.describe(&regs[0])
                        ),
                    ));
                }
                for (p, what) in [(2u8, "bpf_sock_tuple"), (4, "bpf_ct_opts")] {
                    let (v, size) = (&regs[p as usize - 1], &regs[p as usize]);
                    call.writes
                        .extend(self.check_mem_size(pc, st, full, name, p, v, size, what)?);
                }
            }
            NfKfunc::CtRelease => {
                call.release = Some(self.check_obj(pc, full, 1, &regs[0], NF_CONN, true)?);
            }
            NfKfunc::CtInsertEntry => {
                call.release = Some(self.check_obj(pc, full, 1, &regs[0], NF_CONN_INIT, true)?);
            }
            NfKfunc::CtSetTimeout | NfKfunc::CtSetStatus | NfKfunc::CtSetNatInfo => {
                self.check_obj(pc, full, 1, &regs[0], NF_CONN_INIT, false)?;
            }
            NfKfunc::CtChangeTimeout | NfKfunc::CtChangeStatus => {
                self.check_obj(pc, full, 1, &regs[0], NF_CONN, false)?;
            }
            NfKfunc::XdpFlowLookup => {}
        }
        let scalars: &[u8] = match k {
            NfKfunc::CtSetNatInfo => &[3, 4],
            NfKfunc::CtSetTimeout
            | NfKfunc::CtSetStatus
            | NfKfunc::CtChangeTimeout
            | NfKfunc::CtChangeStatus => &[2],
            _ => &[],
        };
        for &r in scalars {
            let v = &regs[r as usize - 1];
            if !matches!(v, RegVal::Scalar(_)) {
                return Err(e(
                    pc,
                    Rule::HelperArgument,
                    format!(
                        "{full} expects a number in r{r}, but r{r} is {}",
                        self.describe(v)
                    ),
                ));
            }
        }
        if k == NfKfunc::CtSetNatInfo {
            // `union nf_inet_addr *addr`: 16 bytes, checked readable and writable.
            let v = &regs[1];
            if !matches!(v, RegVal::Stack { .. } | RegVal::MapValue { .. }) {
                return Err(e(
                    pc,
                    Rule::HelperArgument,
                    format!(
                        "{full} expects a pointer to the 16-byte address (union nf_inet_addr, on the stack or in a map value) in r2, but r2 is {}",
                        self.describe(v)
                    ),
                ));
            }
            call.writes
                .extend(self.check_helper_mem(pc, st, 2, v, 16, true, name)?);
        }
        Ok(call)
    }

    /// A memory / size pair (`tuple, tuple__sz`): the size a bounded non-negative number, the
    /// memory (not NULL) readable and writable for its largest value.
    #[allow(clippy::too_many_arguments)]
    fn check_mem_size(
        &mut self,
        pc: usize,
        st: &State,
        full: &str,
        name: &str,
        r: u8,
        v: &RegVal,
        size: &RegVal,
        what: &str,
    ) -> R<Option<StackWrite>> {
        let s = match size {
            RegVal::Scalar(s) if s.smin >= 0 && s.umax < MAX_VAR_OFF as u64 => *s,
            _ => {
                return Err(e(
                    pc,
                    Rule::HelperArgument,
                    format!(
                        "{full} expects the size of the struct {what} in r{}, a bounded non-negative number, but r{} is {}",
                        r + 1,
                        r + 1,
                        self.describe(size)
                    ),
                ))
            }
        };
        if matches!(v, RegVal::Scalar(z) if z.as_const() == Some(0)) {
            // Linux 6.18 treats the arguments as trusted: never NULL, even with size 0.
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!("{full}: r{r} is NULL, but the struct {what} must be given"),
            ));
        }
        if !matches!(v, RegVal::Stack { .. } | RegVal::MapValue { .. }) {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "{full} expects a pointer to the struct {what} (on the stack or in a map value) in r{r}, but r{r} is {}",
                    self.describe(v)
                ),
            ));
        }
        self.check_helper_mem(pc, st, r, v, s.umax, true, name)
    }

    /// A pointer argument to a `struct ty` from a kfunc, null-checked; a released one must
    /// hold a reference. Returns the reference.
    fn check_obj(
        &self,
        pc: usize,
        full: &str,
        r: u8,
        v: &RegVal,
        ty: &str,
        release: bool,
    ) -> R<u32> {
        match v {
            RegVal::KObj { ty: t, ref_id } if *t == ty && (*ref_id != 0 || !release) => Ok(*ref_id),
            RegVal::KObjOrNull { .. } => Err(e(
                pc,
                Rule::NullCheck,
                format!("{full}: r{r} is {}; null-check it first", self.describe(v)),
            )),
            _ => Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "{full} expects a struct {ty} (from {}, null-checked) in r{r}, but r{r} is {}",
                    if ty == NF_CONN {
                        "bpf_xdp_ct_lookup, bpf_skb_ct_lookup or bpf_ct_insert_entry"
                    } else {
                        "bpf_xdp_ct_alloc or bpf_skb_ct_alloc"
                    },
                    self.describe(v)
                ),
            )),
        }
    }

    /// A load or store of `n` bytes at `off` of a [`RegVal::KObj`] of `struct ty`
    /// (`check_ptr_to_btf_access`): GPL only; reads within one scalar member of the
    /// structure; the only write is `nf_conn.mark`, of any value (a privileged loader may
    /// store a pointer's low bits there), and so an atomic operation (a read and a write) only
    /// on the mark.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn check_kobj_access(
        &self,
        pc: usize,
        r: u8,
        ty: &str,
        off: i32,
        n: u64,
        write: bool,
        what: &str,
    ) -> R<()> {
        if !self.gpl {
            return Err(e(
                pc,
                Rule::MemoryAccess,
                format!(
                    "r{r} is a struct {ty} of the kernel, which only GPL-compatible programs may access"
                ),
            ));
        }
        if ty != NF_CONN && ty != NF_CONN_INIT {
            return Err(e(
                pc,
                Rule::MemoryAccess,
                format!("r{r} is a struct {ty}: its fields are not modelled by this verifier"),
            ));
        }
        if write {
            if off == NF_CONN_MARK && n <= 4 {
                return Ok(());
            }
            return Err(e(
                pc,
                Rule::MemoryAccess,
                format!(
                    "this {n}-byte {what} at offset {off} of r{r}, a struct {ty}, is not allowed: only its u32 mark (offset {NF_CONN_MARK}) may be written"
                ),
            ));
        }
        if off >= 0 && nf_conn_read_ok(off, n) {
            return Ok(());
        }
        Err(e(
            pc,
            Rule::MemoryAccess,
            format!(
                "this {n}-byte {what} at offset {off} of r{r}, a struct {ty} ({NF_CONN_SIZE} bytes in Linux 6.18), does not lie within one of its scalar fields (pointers, holes and reads across fields are not allowed)"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::testkit::*;
    use super::*;
    use crate::verifier::domain::state::Byte;

    const LOOKUP: &str = "call bpf_xdp_ct_lookup\nexit";

    /// The arguments of a lookup: the context, a 12-byte tuple at r10 - 56, 16 bytes of
    /// options at r10 - 16.
    fn lookup_args() -> State {
        state(&[
            (1, RegVal::Ctx { off: 0 }),
            (2, stack(-56)),
            (3, konst(12)),
            (4, stack(-16)),
            (5, konst(16)),
        ])
    }

    fn conn(ty: &'static str, ref_id: u32) -> RegVal {
        RegVal::KObj { ty, ref_id }
    }

    #[test]
    fn a_lookup_acquires_a_nullable_reference_and_writes_its_memory() {
        let mut st = lookup_args();
        st.cur_mut().stack[62] = Slot::Spill(pkt(0, 0));
        One::new(LOOKUP).next(&mut st);
        let RegVal::KObjOrNull {
            ty: NF_CONN,
            ref_id,
            ..
        } = *reg(&st, 0)
        else {
            panic!("{:?}", reg(&st, 0))
        };
        assert_ne!(ref_id & KOBJ_REF, 0);
        assert_eq!(st.refs, vec![ref_id]);
        for r in 1..=5 {
            assert_eq!(*reg(&st, r), RegVal::NotInit, "r{r}");
        }
        // The options (r10 - 16 .. r10) are written: the spill there is gone.
        assert_eq!(*slot(&st, -16), Slot::Bytes([Byte::Misc; 8]));
        // An allocation gives an nf_conn___init, from 6.1 on.
        let mut st = lookup_args();
        One::new("call bpf_xdp_ct_alloc\nexit").next(&mut st);
        assert!(matches!(
            reg(&st, 0),
            RegVal::KObjOrNull {
                ty: NF_CONN_INIT,
                ..
            }
        ));
        let (rule, msg) = One::new("call bpf_xdp_ct_alloc\nexit")
            .kernel(KernelVersion::new(5, 19))
            .refused(&mut lookup_args());
        assert_eq!(rule, Rule::HelperNotAllowed);
        assert!(msg.starts_with("bpf_xdp_ct_alloc needs Linux 6.1"), "{msg}");
    }

    #[test]
    fn release_drops_the_reference_and_every_copy() {
        let rf = 3 | KOBJ_REF;
        let mut st = state(&[(1, conn(NF_CONN, rf)), (6, conn(NF_CONN, rf))]);
        st.cur_mut().stack[63] = Slot::Spill(conn(NF_CONN, rf));
        st.refs.push(rf);
        One::new("call bpf_ct_release\nexit").next(&mut st);
        assert!(st.refs.is_empty());
        assert_eq!(*reg(&st, 6), scalar(Scalar::UNKNOWN));
        assert_eq!(*slot(&st, -8), Slot::Spill(scalar(Scalar::UNKNOWN)));
        assert_eq!(*reg(&st, 0), RegVal::NotInit);
        // Insertion releases the nf_conn___init and acquires an nf_conn.
        let mut st = state(&[(1, conn(NF_CONN_INIT, rf))]);
        st.refs.push(rf);
        One::new("call bpf_ct_insert_entry\nexit").next(&mut st);
        let RegVal::KObjOrNull {
            ty: NF_CONN,
            ref_id,
            ..
        } = *reg(&st, 0)
        else {
            panic!("{:?}", reg(&st, 0))
        };
        assert_eq!(st.refs, vec![ref_id]);
    }

    #[test]
    fn the_two_types_do_not_stand_for_each_other() {
        let refused = |src: &str, v: RegVal| {
            One::new(&format!("{src}\nexit")).refused(&mut state(&[(1, v), (2, konst(5))]))
        };
        for (src, v) in [
            ("call bpf_ct_release", conn(NF_CONN_INIT, 1)),
            ("call bpf_ct_insert_entry", conn(NF_CONN, 1)),
            ("call bpf_ct_set_timeout", conn(NF_CONN, 1)),
            ("call bpf_ct_change_status", conn(NF_CONN_INIT, 1)),
            ("call bpf_ct_release", RegVal::Ctx { off: 0 }),
        ] {
            let (rule, msg) = refused(src, v);
            assert_eq!(rule, Rule::HelperArgument, "{src}: {msg}");
            assert!(msg.contains("expects a struct nf_conn"), "{msg}");
        }
        let maybe = RegVal::KObjOrNull {
            ty: NF_CONN,
            id: 1,
            ref_id: 2,
        };
        let (rule, _) = refused("call bpf_ct_release", maybe);
        assert_eq!(rule, Rule::NullCheck);
        // Numbers where the prototype has numbers.
        let (rule, msg) = One::new("call bpf_ct_change_timeout\nexit")
            .refused(&mut state(&[(1, conn(NF_CONN, 1)), (2, stack(-8))]));
        assert_eq!(rule, Rule::HelperArgument);
        assert!(msg.contains("expects a number in r2"), "{msg}");
        One::new("call bpf_ct_change_timeout\nexit")
            .next(&mut state(&[(1, conn(NF_CONN, 1)), (2, konst(9))]));
    }

    #[test]
    fn who_may_call_them_and_the_memory_arguments() {
        let (rule, msg) = One::new(LOOKUP)
            .ty(ProgramType::SchedCls)
            .refused(&mut lookup_args());
        assert_eq!(rule, Rule::HelperNotAllowed);
        assert!(
            msg.starts_with("bpf_xdp_ct_lookup can only be called from xdp programs"),
            "{msg}"
        );
        One::new("call bpf_skb_ct_lookup\nexit")
            .ty(ProgramType::SchedCls)
            .next(&mut lookup_args());
        for ty in [ProgramType::SchedAct, ProgramType::SocketFilter] {
            let (rule, _) = One::new("call bpf_skb_ct_lookup\nexit")
                .ty(ty)
                .refused(&mut lookup_args());
            assert_eq!(rule, Rule::HelperNotAllowed, "{ty}");
        }
        // The flowtable lookup (6.10) is not modelled.
        let (rule, msg) = One::new("call bpf_xdp_flow_lookup\nexit")
            .kernel(KernelVersion::new(6, 18))
            .refused(&mut lookup_args());
        assert_eq!(rule, Rule::Unsupported);
        assert!(msg.contains("not modelled"), "{msg}");
        // The tuple must fit the stack, never be NULL, and its size be bounded.
        let mut st = lookup_args();
        st.cur_mut().regs[2] = stack(-8);
        let (rule, _) = One::new(LOOKUP).refused(&mut st);
        assert_eq!(rule, Rule::StackAccess);
        let mut st = lookup_args();
        st.cur_mut().regs[2] = konst(0);
        st.cur_mut().regs[3] = konst(0);
        let (rule, _) = One::new(LOOKUP).refused(&mut st);
        assert_eq!(rule, Rule::HelperArgument);
        let mut st = lookup_args();
        st.cur_mut().regs[3] = scalar(Scalar::of_size(4));
        let (rule, msg) = One::new(LOOKUP).refused(&mut st);
        assert_eq!(rule, Rule::HelperArgument);
        assert!(msg.contains("bounded non-negative number"), "{msg}");
        // The context, unmodified.
        let mut st = lookup_args();
        st.cur_mut().regs[1] = RegVal::Ctx { off: 4 };
        let (rule, _) = One::new(LOOKUP).refused(&mut st);
        assert_eq!(rule, Rule::HelperArgument);
        // Five arguments.
        let mut st = lookup_args();
        st.cur_mut().regs[5] = RegVal::NotInit;
        let (rule, msg) = One::new(LOOKUP).refused(&mut st);
        assert_eq!(rule, Rule::UninitRegister);
        assert!(
            msg.starts_with("bpf_xdp_ct_lookup takes 5 arguments"),
            "{msg}"
        );
    }

    #[test]
    fn scalar_fields_of_nf_conn_may_be_read_and_only_mark_written() {
        assert!(nf_conn_read_ok(128, 8)); // status
        assert!(nf_conn_read_ok(129, 1));
        assert!(nf_conn_read_ok(168, 4)); // mark
        assert!(!nf_conn_read_ok(16, 4)); // tuplehash[0].hnnode, a pointer
        assert!(!nf_conn_read_ok(160, 8)); // master, a pointer
        assert!(!nf_conn_read_ok(124, 8)); // across two members
        assert!(!nf_conn_read_ok(244, 4)); // past the last scalar
        assert!(!nf_conn_read_ok(248, 1)); // past the end
        let c = conn(NF_CONN, 1);
        let mut st = state(&[(1, c)]);
        One::new("r0 = *(u64 *)(r1 + 128)\nexit").next(&mut st);
        assert_eq!(*reg(&st, 0), scalar(Scalar::UNKNOWN));
        let mut st = state(&[(1, c)]);
        One::new("r0 = *(u8 *)(r1 + 71)\nexit").next(&mut st);
        assert_eq!(*reg(&st, 0), scalar(Scalar::of_size(1)));
        for bad in [
            "r0 = *(u64 *)(r1 + 160)",
            "r0 = *(u32 *)(r1 + 248)",
            "*(u64 *)(r1 + 128) = r2",
            "*(u64 *)(r1 + 168) = r2",
            "lock *(u64 *)(r1 + 168) += r2",
            "lock *(u32 *)(r1 + 172) += w2",
        ] {
            let (rule, msg) =
                One::new(&format!("{bad}\nexit")).refused(&mut state(&[(1, c), (2, konst(1))]));
            assert_eq!(rule, Rule::MemoryAccess, "{bad}: {msg}");
        }
        // The mark is written by a store (of any value: a privileged loader may store a
        // pointer) or an atomic operation.
        for good in [
            "*(u32 *)(r1 + 168) = r2",
            "*(u32 *)(r1 + 168) = r10",
            "lock *(u32 *)(r1 + 168) += w2",
        ] {
            One::new(&format!("{good}\nexit")).next(&mut state(&[(1, c), (2, konst(1))]));
        }
        // Sign-extending loads of its fields are not modelled: refused as such.
        let (rule, _) = One::new("r0 = *(s32 *)(r1 + 128)\nexit").refused(&mut state(&[(1, c)]));
        assert_eq!(rule, Rule::Unsupported);
        // Not before the null check (a constant offset: `ptr_off_tests.rs`).
        let maybe = RegVal::KObjOrNull {
            ty: NF_CONN,
            id: 1,
            ref_id: 2,
        };
        let (rule, _) =
            One::new("r0 = *(u64 *)(r1 + 128)\nexit").refused(&mut state(&[(1, maybe)]));
        assert_eq!(rule, Rule::NullCheck);
    }

    #[test]
    fn a_non_gpl_program_may_not_call_or_read_them() {
        let src = "r6 = r1\n*(u64 *)(r10 - 8) = 0\n*(u64 *)(r10 - 16) = 0\nr2 = r10\nr2 += -16\nr3 = 12\nr4 = r10\nr4 += -16\nr5 = 16\ncall bpf_xdp_ct_lookup\nif r0 == 0 goto out\nr1 = r0\ncall bpf_ct_release\nout:\nr0 = 2\nexit";
        let a = crate::asm::assemble_unchecked(src).unwrap();
        let input = crate::verifier::VerifyInput::new(&a.insns, ProgramType::Xdp);
        crate::verifier::verify(&input).unwrap();
        let mut mit = input.clone();
        mit.license = "MIT";
        let e = crate::verifier::verify(&mit).unwrap_err();
        assert_eq!(e[0].rule, Rule::HelperNotAllowed);
        assert!(e[0].message.contains("GPL-compatible"), "{}", e[0]);
    }
}

//! Helper calls: argument checks and the effects on the state; the other kinds of call are in
//! the submodules.

pub(crate) mod args;
pub(crate) use graph::PERCPU_TY;
mod btf_sock;
mod callback;
mod cpu_ptr;
mod global;
mod graph;
mod graph_tree;
mod iter;
pub(crate) use btf_sock::{tcp_sock_field_ok, TCP_SOCK};
pub(crate) use global::check_globals;
pub(crate) use iter::{iter_in, ITER_ELEM};
mod dynptr;
pub(crate) use dynptr::{destroy_dynptr, overwrite_error};
mod kfunc;
mod kfunc_arena;
mod kfunc_btf;
mod kfunc_crypto;
pub(crate) mod kfunc_nf;
mod local;
mod lock;
pub(crate) use kfunc::check_dev_bound;
pub(crate) use lock::check_lock_maps;
#[cfg(test)]
pub(crate) use lock::lock_test_value;
mod offered;
pub(crate) use offered::offered_to;
// For `verifier/helper_dump_tests.rs` (the table as `tools/helper-protos` reads it).
#[cfg(test)]
pub(crate) use offered::{family_proto, offered, offered_since};
mod percpu;
mod rcu;
mod sockmap;
mod storage;
mod strings;
mod throw;
pub(crate) use throw::{check_exception_cb, exception_roots, reached_from, throw_under_callback};
mod timer;

use super::*;

/// What the argument checks of a helper call found, for its effects on the state.
struct Checked {
    /// The helper's prototype.
    p: helpers::Proto,
    /// `r1` before the call.
    r1_in: RegVal,
    /// The map argument.
    map: Option<u16>,
    /// The key, when the kernel knows it is a constant.
    const_key: Option<u64>,
    /// The constant size of a ring buffer reservation.
    alloc: Option<u32>,
    /// The reference released.
    release: Option<u32>,
    /// The stack memory the helper writes.
    writes: Vec<StackWrite>,
    /// The callback (its first instruction) and its context argument.
    callback: Option<(usize, RegVal)>,
    /// The map whose value holds the timer argument (`ARG_PTR_TO_TIMER`).
    timer: Option<u16>,
}

/// `n` bytes from `r10 + lo` of frame `frame` that a helper or kfunc writes.
pub(crate) struct StackWrite {
    frame: usize,
    lo: i64,
    n: u64,
}

impl<'a> Exec<'a> {
    /// `call` of a kernel helper (`check_helper_call`).
    /// A helper that takes a callback (`bpf_loop`, `bpf_for_each_map_elem`) also gives the
    /// state in which the callback starts, and its first instruction: the driver explores it
    /// beside the path that goes on after the call (`push_callback_call`).
    pub(crate) fn call_helper(
        &mut self,
        pc: usize,
        st: &mut State,
        id: i32,
    ) -> R<Option<(usize, State)>> {
        if self.trusted_call(pc, st) {
            return Ok(None);
        }
        self.check_available(pc, id)?;
        if let Some(done) = self.call_dynptr_helper(pc, st, id) {
            return done.map(|_| None);
        }
        if id == cpu_ptr::PER_CPU_PTR || id == cpu_ptr::THIS_CPU_PTR {
            return self.call_cpu_ptr(pc, st, id).map(|_| None);
        }
        if id == graph::KPTR_XCHG {
            return self.call_kptr_xchg(pc, st).map(|_| None);
        }
        let c = self.check_helper_call(pc, st, id)?;
        let cb = match &c.callback {
            // A timer's callback runs later, on its own path from a fresh state.
            Some((target, _)) if id == timer::TIMER_SET_CALLBACK => {
                let map = c.timer.expect("a checked timer argument");
                let cb = self.async_callback_state(pc, *target, map)?;
                self.async_cb[self.cfg.subprog_of[*target]] = true;
                Some((*target, cb))
            }
            Some((target, ctx)) => {
                if id == 181 {
                    self.note_loop_inline(pc, st, *target);
                }
                let cb = self.callback_state(pc, st, id, *target, c.map, ctx)?;
                self.another_round(st, id, &c.r1_in)
                    .then_some((*target, cb))
            }
            None => None,
        };
        self.helper_effects(st, id, c);
        Ok(cb)
    }

    /// The rules of a helper call: the helper is known and offered to the program type, the
    /// licence allows it, no reference is held across a tail call, and every argument has the
    /// prototype's type (maps, keys and values of the map's sizes, memory and its size, ...).
    fn check_helper_call(&mut self, pc: usize, st: &State, id: i32) -> R<Checked> {
        let Some(p) = helpers::proto(id) else {
            self.check_offered(pc, id)?;
            let kernel = u32::try_from(id)
                .ok()
                .and_then(crate::helpers::helper_by_id);
            return Err(e(pc, Rule::UnknownHelper, match kernel {
                // libbpf's poisoned instructions (a failed CO-RE relocation, a weak kfunc the
                // kernel lacks), rejected where reached: `invalid func unknown#N`.
                None if id == 0x0bad_2310 || (2_002_000_000..2_003_000_000).contains(&id) => format!(
                    "helper #{id} is libbpf's poisoned instruction ({}), and it is reached",
                    if id == 0x0bad_2310 { "a CO-RE relocation that failed against the target kernel's BTF" } else { "a weak kfunc the target kernel does not have" }
                ),
                // The kernel rejects it too: `invalid func unknown#N`.
                None => format!(
                    "there is no kernel helper #{id} (helpers are numbered 1 to {}); call one by its name, e.g. `call bpf_redirect_map`",
                    crate::helpers::MAX_HELPER_ID
                ),
                Some(h) => format!(
                    "{} (helper #{id}) is not modelled by this verifier, so its arguments cannot be checked (it models {} helpers: `ebpf_dsl::verifier::helpers::PROTOS` lists them); take this one call on trust with a `trust_call_<name>:` label on it, or skip the static verification for this program",
                    h.name,
                    helpers::PROTOS.iter().count()
                ),
            }));
        };
        let p = self.family_proto(p);
        let name = p.name;
        if p.avail & self.family == 0 {
            return Err(e(
                pc,
                Rule::HelperNotAllowed,
                format!(
                    "bpf_{name} cannot be called from {} programs",
                    self.input.prog_type
                ),
            ));
        }
        // Helpers the target offers to this family only from a later release than the
        // reference kernel's table says (`offered::offered_since`).
        if let Some(since) = offered::offered_since(id, self.family) {
            if self.input.kernel < since {
                return Err(e(
                    pc,
                    Rule::HelperNotAllowed,
                    format!(
                        "bpf_{name} cannot be called from {} programs before Linux {since} (the target kernel is {}; see verifier::target)",
                        self.input.prog_type, self.input.kernel
                    ),
                ));
            }
        }
        if p.gpl_only && !self.gpl {
            return Err(e(
                pc,
                Rule::HelperNotAllowed,
                format!(
                    "bpf_{name} is GPL-only, but the license \"{}\" is not GPL-compatible",
                    self.input.license
                ),
            ));
        }
        if id == 12 && !st.refs.is_empty() {
            return Err(e(
                pc,
                Rule::ReferenceLeak,
                "a tail call while holding a reference (a ring buffer reservation, a socket, an open-coded iterator, ...) would leak it (the kernel: `tail_call would lead to reference leak`)",
            ));
        }
        let r1_in = st.cur().regs[1];
        let mut map: Option<u16> = None;
        let mut const_key: Option<u64> = None;
        let mut mem: Option<(u8, RegVal, Arg)> = None;
        let mut alloc: Option<u32> = None;
        let mut release: Option<u32> = None;
        let mut writes = Vec::new();
        let mut callback: Option<(usize, RegVal)> = None;
        let mut timer: Option<u16> = None;
        let mut ref_arg: Option<u8> = None;
        for (i, arg) in p.args.iter().enumerate() {
            let r = (i + 1) as u8;
            let v = self.read(st, pc, r).map_err(|mut err| {
                err.message = format!(
                    "bpf_{name} takes {} arguments, but {}",
                    p.args.len(),
                    err.message
                );
                err
            })?;
            let bad = |what: &str, this: &Self| {
                Err(e(
                    pc,
                    Rule::HelperArgument,
                    format!(
                        "bpf_{name} expects {what} in r{r}, but r{r} is {}",
                        this.describe(&v)
                    ),
                ))
            };
            self.check_arg_kinds(pc, id, *arg, r, &v, &mut ref_arg, name)?;
            // Read-only memory (a dynptr slice, a kernel symbol's) in a memory argument of
            // the raw syncookie helpers: their prototypes have MEM_RDONLY on 6.18 (taken,
            // `helper_raw_check_syncookie_dynptr_slice.s`), not on 6.12.118 (refused).
            if (204..=207).contains(&id)
                && self.input.kernel < KernelVersion::RAW_SYNCOOKIE_RDONLY
                && matches!(v, RegVal::Ringbuf { ref_id, .. } | RegVal::RingbufOrNull { ref_id, .. } if ref_id & DYNPTR_SLICE != 0)
            {
                return Err(e(
                    pc,
                    Rule::HelperArgument,
                    format!(
                        "bpf_{name} expects memory that is not read-only in r{r} before Linux {} (its prototype has no MEM_RDONLY there: `R{r} type=rdonly_mem`), but r{r} is {} (the target kernel is {})",
                        KernelVersion::RAW_SYNCOOKIE_RDONLY,
                        self.describe(&v),
                        self.input.kernel
                    ),
                ));
            }
            match arg {
                Arg::MapPtr => {
                    let m = match v {
                        RegVal::MapPtr { map } => map,
                        // An inner map, from a lookup in a map of maps (null-checked).
                        RegVal::Opaque { map } if self.is_inner_map(map) => map,
                        // A lookup in a map of maps that declares no inner map (its entry
                        // stands for the map user space gives the kernel at run time).
                        RegVal::Opaque { map } if self.is_map_of_maps(map) => {
                            return Err(e(
                                pc,
                                Rule::Unsupported,
                                format!(
                                    "bpf_{name} is given in r{r} a map from the map of maps `{}`, which declares no inner map: what that map is (its type and sizes) is unknown here (the kernel cannot create the outer map without an inner one either); declare it (`__array(values, struct {{ ... }})` in the map's BTF definition, `inner=TYPE:KEY:VALUE[:MAX_ENTRIES]` in `.map` or `--map`, `inner = ...` in `defmap!`)",
                                    self.map(map).name_str()
                                ),
                            ));
                        }
                        _ => return bad("a map (`r1 = my_map ll`)", self),
                    };
                    if id == timer::TIMER_INIT {
                        self.check_timer_map(pc, timer, m)?;
                    }
                    let spec = self.map(m);
                    if !helpers::map_compatible(id, spec.map_type) {
                        return Err(e(
                            pc,
                            Rule::MapCompatibility,
                            format!(
                                "bpf_{name} cannot be used with map `{}` of type {}",
                                spec.name_str(),
                                spec.map_type
                            ),
                        ));
                    }
                    // The kernel's record_func_map: helpers that change a map refuse one
                    // that is read-only for programs.
                    if spec.flags & BPF_F_RDONLY_PROG != 0 && matches!(id, 2 | 3 | 87 | 88) {
                        return Err(e(
                            pc,
                            Rule::MapCompatibility,
                            format!(
                                "bpf_{name} writes into map `{}`, which is read-only for programs (BPF_F_RDONLY_PROG)",
                                spec.name_str()
                            ),
                        ));
                    }
                    if id == 1 {
                        // The map the kernel inlines this lookup for, if it is always one
                        // map of the program (`super::super::jump_range`).
                        let one = (!self.is_inner_map(m)).then_some(m);
                        if self.lookup_maps.len() <= pc {
                            self.lookup_maps.resize(pc + 1, None);
                        }
                        let at = self.lookup_maps[pc].get_or_insert(one);
                        if *at != one {
                            *at = None;
                        }
                    }
                    map = Some(m);
                }
                Arg::MapKey | Arg::MapValue | Arg::MapValueOut => {
                    let Some(m) = map else {
                        return Err(e(
                            pc,
                            Rule::HelperArgument,
                            format!("bpf_{name}: no map argument before the key"),
                        ));
                    };
                    let spec = self.map(m);
                    if *arg == Arg::MapValue && sockmap::is_sock_map(spec.map_type) {
                        self.check_sock_map_value(pc, r, &v, name)?;
                        continue;
                    }
                    let (size, what) = if *arg == Arg::MapKey {
                        (spec.key_size, "key")
                    } else {
                        (spec.value_size, "value")
                    };
                    // The kernel's `map_key_value_types`: the stack (at a constant or, for a
                    // privileged program, a variable offset), the packet, a map value, and
                    // memory such as a ring buffer reservation.
                    if !matches!(
                        v,
                        RegVal::Stack { .. }
                            | RegVal::StackVar { .. }
                            | RegVal::Pkt { .. }
                            | RegVal::MapValue { .. }
                            | RegVal::Ringbuf { .. }
                    ) {
                        return bad(&format!("a pointer to the {size}-byte {what} (e.g. on the stack: `r{r} = r10; r{r} += -{size}`)"), self);
                    }
                    // Older kernels take no memory from a helper or kfunc (`PTR_TO_MEM`) as
                    // a key or value (`helper_map_key_ringbuf`, refused by 6.1.192).
                    if matches!(v, RegVal::Ringbuf { .. })
                        && self.input.kernel < KernelVersion::MEM_MAP_KEY
                    {
                        return bad(&format!("a pointer to the {size}-byte {what} on the stack, the packet or a map value (memory such as a ring buffer reservation needs Linux {}, the target kernel is {})", KernelVersion::MEM_MAP_KEY, self.input.kernel), self);
                    }
                    let out = *arg == Arg::MapValueOut;
                    writes.extend(if out {
                        self.check_helper_out(pc, st, r, &v, size as u64, name)?
                    } else {
                        self.check_helper_mem(pc, st, r, &v, size as u64, false, name)?
                    });
                    if *arg == Arg::MapKey {
                        const_key = st.constant_key(&v, size);
                    }
                }
                Arg::Ctx => {
                    if v != (RegVal::Ctx { off: 0 }) {
                        return bad("the context pointer (the program's r1 at entry)", self);
                    }
                }
                Arg::CtxOrNull => {
                    let null = matches!(v, RegVal::Scalar(z) if z.as_const() == Some(0));
                    if v != (RegVal::Ctx { off: 0 }) && !null {
                        return bad("the context pointer (the program's r1 at entry) or 0", self);
                    }
                }
                Arg::MapValueOrNull => {
                    writes.extend(self.check_value_or_null(pc, st, r, &v, map, name)?)
                }
                Arg::Anything => {}
                // `bpf_loop`'s count: 6.12.118 and 7.2 refuse a pointer (`R1 type=fp
                // expected=scalar`), 6.18.44 too, with "verifier bug: backtracking misuse"
                // (EFAULT) when it marks the pointer precise.
                Arg::Scalar => {
                    if !matches!(v, RegVal::Scalar(_)) {
                        return bad("a number (not a pointer)", self);
                    }
                }
                Arg::Callback => {
                    let RegVal::Func { target } = v else {
                        return bad("a callback: the address of a function of the program (`r2 = my_callback ll`)", self);
                    };
                    callback = Some((target as usize, RegVal::NotInit));
                }
                Arg::StackOrNull => {
                    let ok = matches!(v, RegVal::Stack { .. })
                        || matches!(v, RegVal::Scalar(z) if z.as_const() == Some(0));
                    if !ok {
                        return bad("a pointer to the stack (the callback's context) or 0", self);
                    }
                    if let Some((_, ctx)) = &mut callback {
                        *ctx = v;
                    }
                }
                Arg::BtfSockCommon => self.check_btf_sock_arg(pc, r, &v, name)?,
                Arg::SpinLock => self.check_spin_lock_arg(pc, st, r, &v, id)?,
                Arg::Timer => timer = Some(self.check_timer_arg(pc, r, &v, name)?),
                Arg::SockCommon | Arg::FixedMem(_) | Arg::FixedOut(_) => {
                    writes.extend(self.check_extra_arg(pc, st, r, &v, *arg, name)?)
                }
                Arg::MemRead | Arg::MemWrite | Arg::MemReadOrNull | Arg::MemWriteOrNull => {
                    mem = Some((r, v, *arg))
                }
                Arg::ConstStr => {
                    self.check_const_str(pc, r, &v, name)?;
                }
                Arg::Size | Arg::SizeOrZero => {
                    let RegVal::Scalar(s) = v else {
                        return bad("a size (a scalar)", self);
                    };
                    if s.smin < 0 {
                        return bad("a non-negative size", self);
                    }
                    if s.umax >= MAX_VAR_OFF as u64 {
                        return bad("a bounded size", self);
                    }
                    if *arg == Arg::Size && s.umin == 0 {
                        return bad("a size that is not zero", self);
                    }
                    let Some((mr, mv, ma)) = mem.take() else {
                        return Err(e(
                            pc,
                            Rule::HelperArgument,
                            format!("bpf_{name}: size without memory"),
                        ));
                    };
                    let or_null = matches!(ma, Arg::MemReadOrNull | Arg::MemWriteOrNull);
                    // A map value or ring buffer reservation that may be NULL is taken by a
                    // memory argument that may be NULL (`check_reg_type` drops `PTR_MAYBE_NULL` from both), its bounds
                    // checked as for the value (`check_helper_mem_access`).
                    let mv = match mv {
                        RegVal::MapValueOrNull { .. } | RegVal::RingbufOrNull { .. } if or_null => {
                            not_null(&mv)
                        }
                        _ => mv,
                    };
                    if or_null && matches!(mv, RegVal::Scalar(z) if z.as_const() == Some(0)) {
                        if s.umax != 0 {
                            return Err(e(pc, Rule::HelperArgument, format!(
                                "bpf_{name}: r{mr} is NULL, so its size r{r} must be 0, but it is {s}"
                            )));
                        }
                    } else {
                        // Before HELPER_MEM_WRITE (6.18) `bpf_snprintf`'s buffer and
                        // `bpf_fib_lookup`'s parameters are read as far as the kernel knows:
                        // a read-only map value or memory passes, the stack keeps what it held.
                        let out = matches!(ma, Arg::MemWrite | Arg::MemWriteOrNull)
                            && (self.input.kernel >= KernelVersion::HELPER_MEM_WRITE
                                || !matches!(name, "snprintf" | "fib_lookup"));
                        // `ARG_PTR_TO_UNINIT_MEM` (raw mode, only written) for every helper
                        // with a `MemWrite` argument but `bpf_fib_lookup` (`ARG_PTR_TO_MEM`:
                        // read too), and not `bpf_snprintf`'s `ARG_PTR_TO_MEM_OR_NULL`
                        // (6.1.192's protos).
                        let raw = ma == Arg::MemWrite && name != "fib_lookup";
                        writes.extend(if raw {
                            self.check_helper_out(pc, st, mr, &mv, s.umax, name)?
                        } else if out {
                            self.check_helper_mem(pc, st, mr, &mv, s.umax, true, name)?
                        } else {
                            self.check_helper_mem(pc, st, mr, &mv, s.umax, false, name)?
                        });
                    }
                }
                Arg::AllocSize => {
                    let RegVal::Scalar(s) = v else {
                        return bad("a constant size", self);
                    };
                    // Any constant (`ARG_CONST_ALLOC_SIZE_OR_ZERO` checks nothing more): the
                    // memory's size is its low 32 bits (the kernel's `int mem_size` into the
                    // register's `u32 mem_size`); the helper fails at run time on a size
                    // too large.
                    match s.as_const() {
                        Some(c) => alloc = Some(c as u32),
                        None => return bad("a known constant size", self),
                    }
                }
                Arg::RingbufMem => match v {
                    RegVal::Ringbuf {
                        off: 0,
                        var,
                        ref_id,
                        ..
                    } if var.as_const() == Some(0) && ref_id & (DYNPTR_SLICE | DYNPTR_DATA) == 0 => {
                        release = Some(ref_id)
                    }
                    RegVal::RingbufOrNull { .. } => {
                        return Err(e(
                            pc,
                            Rule::NullCheck,
                            format!(
                                "bpf_{name}: r{r} is {}; null-check it first",
                                self.describe(&v)
                            ),
                        ))
                    }
                    _ => {
                        return bad(
                            "the unmodified pointer returned by bpf_ringbuf_reserve",
                            self,
                        )
                    }
                },
                Arg::SockRelease => match v {
                    RegVal::Sock { .. } | RegVal::BtfSock { .. } => match btf_sock::released_ref(&v) {
                        Some(rf) => release = Some(rf),
                        None => return bad("a referenced socket (from a socket lookup; `__sk_buff.sk` holds no reference)", self),
                    },
                    RegVal::SockOrNull { .. } | RegVal::BtfSockOrNull { .. } => {
                        return Err(e(
                            pc,
                            Rule::NullCheck,
                            format!(
                                "bpf_{name}: r{r} is {}; null-check it first",
                                self.describe(&v)
                            ),
                        ))
                    }
                    _ => return bad("a socket returned by a socket lookup", self),
                },
            }
        }
        if id == strings::SNPRINTF {
            self.check_snprintf_format(pc, st)?;
        }
        Ok(Checked {
            p,
            r1_in,
            map,
            const_key,
            alloc,
            release,
            writes,
            callback,
            timer,
        })
    }

    /// The state after a checked helper call: the memory it writes, `r1`-`r5` clobbered, the
    /// reference it releases dropped, packet pointers invalid if it changes the packet, and
    /// `r0` of the prototype's return type.
    fn helper_effects(&mut self, st: &mut State, id: i32, c: Checked) {
        let Checked {
            p,
            r1_in,
            map,
            const_key,
            alloc,
            release,
            writes,
            ..
        } = c;
        lock::spin_lock_effects(st, id, &r1_in);
        for w in &writes {
            mark_written(st, w);
        }
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        if let Some(rf) = release {
            st.refs.retain(|x| *x != rf);
            st.for_each_reg(|r| match r {
                RegVal::Ringbuf { ref_id, .. }
                | RegVal::RingbufOrNull { ref_id, .. }
                | RegVal::Sock { ref_id, .. }
                | RegVal::SockOrNull { ref_id, .. }
                | RegVal::BtfSock { ref_id, .. }
                | RegVal::BtfSockOrNull { ref_id, .. }
                | RegVal::BtfObjAt { ref_id, .. }
                    if *ref_id & !SOCK_CAST == rf =>
                {
                    *r = RegVal::Scalar(Scalar::UNKNOWN)
                }
                _ => {}
            });
        }
        // Before 6.18 every tail call invalidates the packet pointers, like a helper that
        // changes packet data (6.12.118's `check_helper_call`: `bpf_tail_call` is in its
        // `bpf_helper_changes_pkt_data`); 6.18 keeps them after a failed tail call of the
        // program (`helper_tail_call_keeps_pkt.s`; a taken one in a subprogram is its own
        // path, `local::tail_call_taken`).
        // (Before CALLS_CLEAR_PKT, 6.1.192's, a tail call keeps them too.)
        let tail_call_clears = id == 12
            && self.input.kernel >= KernelVersion::CALLS_CLEAR_PKT
            && self.input.kernel < KernelVersion::TAIL_CALL_KEEPS_PKT;
        if p.changes_pkt || tail_call_clears {
            st.for_each_reg(|r| {
                if r.is_packet() {
                    *r = RegVal::Scalar(Scalar::UNKNOWN);
                }
            });
        }
        let r0 = match p.ret {
            // The kernel narrows it to `0..nr_cpu_ids`, a property of the machine the program
            // will load on: the given machine's count (`VerifyInput::possible_cpus`), else
            // 0..=u32::MAX, which holds the kernel's range on every machine (a program relying
            // on a small machine is then refused, never the reverse).
            Ret::Integer if id == 8 && self.input.kernel >= KernelVersion::SMP_ID_RANGE => {
                let max = match self.input.possible_cpus {
                    Some(n) if n > 0 => u64::from(n - 1),
                    _ => u64::from(u32::MAX),
                };
                RegVal::Scalar(Scalar::urange(0, max))
            }
            Ret::Integer => RegVal::Scalar(Scalar::UNKNOWN),
            Ret::Void => RegVal::NotInit,
            Ret::MapValueOrNull => {
                let m = map.unwrap_or(0);
                let spec = self.map(m);
                // 6.14+: an array lookup (`bpf_map_lookup_elem`, helper 1) with a constant
                // in-bounds key cannot fail; not in an array created with `BPF_F_INNER_MAP`
                // (an inner map of any size may stand for it, and 6.18 refuses the elision
                // even for a top-level one).
                let elided = id == 1
                    && self.input.kernel >= KernelVersion::CONST_KEY_LOOKUP
                    && matches!(spec.map_type, MapType::Array | MapType::PercpuArray)
                    && spec.flags & BPF_F_INNER_MAP == 0
                    && const_key.is_some_and(|k| k < spec.max_entries as u64);
                let id = st.fresh();
                if elided {
                    RegVal::MapValue {
                        map: m,
                        off: 0,
                        var: Scalar::konst(0),
                        id: self.lock_id(m, id),
                    }
                } else if helpers::is_data_map(spec.map_type)
                    || spec.map_type == MapType::SkStorage
                    || super::devmap::lookup_gives_value(spec.map_type)
                {
                    RegVal::MapValueOrNull {
                        map: m,
                        id: self.value_id(m, id),
                    }
                } else if sockmap::is_sock_map(spec.map_type) {
                    sockmap::lookup_ret(st)
                } else if let Some(inner) = self.inner_of.get(m as usize).copied().flatten() {
                    // A map of maps gives its inner map (the kernel's CONST_PTR_TO_MAP with
                    // the inner map's meta), or NULL.
                    RegVal::OpaqueOrNull { map: inner, id }
                } else {
                    RegVal::OpaqueOrNull { map: m, id }
                }
            }
            Ret::RingbufMemOrNull => {
                let id = st.fresh();
                let rf = st.fresh();
                st.refs.push(rf);
                RegVal::RingbufOrNull {
                    size: alloc.unwrap_or(0),
                    id,
                    ref_id: rf,
                }
            }
            Ret::SocketCastOrNull | Ret::SocketUnrefOrNull => sock_ret(st, p.ret, &r1_in),
            Ret::BtfSockCastOrNull(ty) => btf_sock::cast_ret(st, ty, &r1_in, true),
            Ret::BtfSockOrNull(ty) => btf_sock::cast_ret(st, ty, &r1_in, false),
            Ret::TcpSockOrNull => btf_sock::cast_ret(st, btf_sock::TCP_SOCK, &r1_in, true),
            Ret::SocketOrNull | Ret::SockCommonOrNull => {
                let id = st.fresh();
                let rf = st.fresh() | local::SOCK_REF;
                st.refs.push(rf);
                RegVal::SockOrNull {
                    common: p.ret == Ret::SockCommonOrNull,
                    id,
                    ref_id: rf,
                }
            }
        };
        self.set(st, 0, r0);
    }

    #[allow(clippy::too_many_arguments)]
    /// Checks that `r` (value `v`) points to `n` bytes a helper may read (and write, when
    /// `write`); returns the stack bytes it writes.
    pub(crate) fn check_helper_mem(
        &mut self,
        pc: usize,
        st: &State,
        r: u8,
        v: &RegVal,
        n: u64,
        write: bool,
        name: &str,
    ) -> R<Option<StackWrite>> {
        self.helper_mem(pc, st, r, v, n, write, false, name)
    }

    #[allow(clippy::too_many_arguments)]
    /// [`Exec::check_helper_mem`] for memory the helper only writes (the kernel's raw mode,
    /// `MEM_UNINIT`: `bpf_probe_read_kernel`'s buffer, a popped map value): not read, so it
    /// may lie deeper than every write to the frame on any target (the kernel checks it as a
    /// `BPF_WRITE`, which allocates it).
    pub(crate) fn check_helper_out(
        &mut self,
        pc: usize,
        st: &State,
        r: u8,
        v: &RegVal,
        n: u64,
        name: &str,
    ) -> R<Option<StackWrite>> {
        self.helper_mem(pc, st, r, v, n, true, true, name)
    }

    #[allow(clippy::too_many_arguments)]
    fn helper_mem(
        &mut self,
        pc: usize,
        st: &State,
        r: u8,
        v: &RegVal,
        n: u64,
        write: bool,
        raw: bool,
        name: &str,
    ) -> R<Option<StackWrite>> {
        // The lowest byte of a stack buffer the helper reads lies within the frame's writes
        // (before UNINIT_STACK_GROW; a zero size too: `check_stack_access_within_bounds`).
        let allocated = |ex: &Self, f: u8, lo: i64, hi: i64| {
            let f = f as usize;
            if raw || f >= st.frames.len() {
                return Ok(());
            }
            let what = format_args!("bpf_{name}'s memory argument r{r}");
            ex.check_stack_read(pc, st, f, (lo, hi), &what)
        };
        match v {
            RegVal::Stack { frame, off } => {
                let a = *off as i64;
                // The first byte must be in the frame even for a zero size
                // (`check_stack_access_within_bounds`: `helper_stack_zero_size_past_frame`).
                if !(-512..0).contains(&a) || a + n as i64 > 0 {
                    return Err(e(pc, Rule::StackAccess, format!(
                        "bpf_{name} would access r10 {a:+} .. r10 {:+} through r{r}, outside the 512-byte stack frame",
                        a + n as i64
                    )));
                }
                allocated(self, *frame, a, a + n as i64)?;
                if n == 0 {
                    return Ok(None);
                }
                let f = *frame as usize;
                if f >= st.frames.len() {
                    return Err(e(pc, Rule::StackAccess, "stack pointer to a returned frame"));
                }
                self.check_no_dynptr(pc, st, f, a, a + n as i64, &format_args!("bpf_{name} would access"))?;
                self.note_depth(st, f, a as i32);
                Ok(write.then_some(StackWrite { frame: f, lo: a, n }))
            }
            // A stack pointer with a variable offset (privileged, `check_stack_range_initialized`):
            // the whole range it may cover must lie in the frame, holds no dynptr, and a write
            // clobbers all of it (every byte unknown, the spills it touches gone).
            RegVal::StackVar { frame, off, var } => {
                // (The bounds are checked for a zero size too: `check_stack_access_within_bounds`.)
                if var.smax >= MAX_VAR_OFF || var.smin <= -MAX_VAR_OFF {
                    return Err(e(pc, Rule::StackAccess, format!(
                        "bpf_{name} gets r{r}, {}: its variable offset is unbounded (the kernel needs it within ±2^29)",
                        self.describe(v)
                    )));
                }
                let lo = *off as i64 + var.smin;
                let hi = *off as i64 + var.smax + n as i64;
                if !(-512..0).contains(&lo) || hi > 0 {
                    return Err(e(pc, Rule::StackAccess, format!(
                        "bpf_{name} may access r10 {lo:+} .. r10 {hi:+} through r{r} ({}), outside the 512-byte stack frame",
                        self.describe(v)
                    )));
                }
                let f = *frame as usize;
                if f >= st.frames.len() {
                    return Err(e(pc, Rule::StackAccess, "stack pointer to a returned frame"));
                }
                allocated(self, *frame, lo, hi)?;
                if n == 0 {
                    return Ok(None);
                }
                self.check_no_dynptr(pc, st, f, lo, hi, &format_args!("bpf_{name} may access"))?;
                self.note_depth(st, f, lo as i32);
                Ok(write.then_some(StackWrite {
                    frame: f,
                    lo,
                    n: (hi - lo) as u64,
                }))
            }
            RegVal::Pkt { .. } if write => Err(e(pc, Rule::HelperArgument, format!(
                "bpf_{name} would write into the packet through r{r}; this verifier only lets helpers write to the stack or map values"
            ))),
            // A zero size is checked too (`check_helper_mem_access` with `access_size` 0): the
            // pointer itself within the memory (a packet pointer's offset within its proven
            // range, a map value's within the value, not inside a lock or kptr field), the
            // map's read-only / write-only flags.
            RegVal::Pkt { .. } | RegVal::MapValue { .. } | RegVal::Ringbuf { .. } => {
                // The helper's name is formatted only into a refusal: the check depends on
                // its words only by their "access by " start, so a failure runs it again named.
                if self.check_mem(pc, r, v, 0, n, write, "access by bpf_").is_err() {
                    self.check_mem(pc, r, v, 0, n, write, &format!("access by bpf_{name}"))?;
                }
                Ok(None)
            }
            _ => Err(e(pc, Rule::HelperArgument, format!(
                "bpf_{name} expects a pointer to {n} bytes of memory in r{r}, but r{r} is {}", self.describe(v)
            ))),
        }
    }
}

/// The bytes of `w` become unknown; a spill they touch is gone.
pub(crate) fn mark_written(st: &mut State, w: &StackWrite) {
    let start = (w.lo + 512) as usize;
    for pos in start..start + w.n as usize {
        let s = &mut st.frames[w.frame].stack[pos / 8];
        if matches!(s, Slot::Spill(_) | Slot::Part(..)) {
            *s = s.scrubbed();
        }
        if let Slot::Bytes(b) = s {
            b[pos % 8] = Byte::Misc;
        }
    }
}

#[cfg(test)]
#[path = "helper_call_tests.rs"]
mod tests;

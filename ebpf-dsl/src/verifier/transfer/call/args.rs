//! Helper arguments beyond the map, context and sized-memory kinds of `call/mod.rs`: sockets that
//! are not released, fixed-size memory (`ARG_PTR_TO_FIXED_SIZE_MEM`) and aligned fixed-size
//! results (`MEM_WRITE | MEM_ALIGNED`: `bpf_strtol`'s result, `bpf_check_mtu`'s MTU), and the
//! checks every argument gets before its kind's (at most one holding a reference, packet
//! pointers only for helpers with `pkt_access`).

use super::*;

impl<'a> Exec<'a> {
    /// Checks argument `r` (value `v`) of helper `name` against `arg`, one of
    /// [`Arg::SockCommon`], [`Arg::FixedMem`] and [`Arg::FixedOut`]; returns the stack bytes
    /// the helper writes through it.
    pub(crate) fn check_extra_arg(
        &mut self,
        pc: usize,
        st: &State,
        r: u8,
        v: &RegVal,
        arg: Arg,
        name: &str,
    ) -> R<Option<StackWrite>> {
        match arg {
            Arg::SockCommon => match v {
                RegVal::Sock { .. } => Ok(None),
                // `PTR_TO_TCP_SOCK` (from `bpf_tcp_sock`) is a socket too; BTF casts are not.
                RegVal::BtfSock { ty, .. } if *ty == super::btf_sock::TCP_SOCK => Ok(None),
                RegVal::SockOrNull { .. } => Err(e(
                    pc,
                    Rule::NullCheck,
                    format!(
                        "bpf_{name}: r{r} is {}; null-check it first",
                        self.describe(v)
                    ),
                )),
                _ => Err(e(
                    pc,
                    Rule::HelperArgument,
                    format!(
                        "bpf_{name} expects a socket (from a socket lookup, null-checked) in r{r}, but r{r} is {}",
                        self.describe(v)
                    ),
                )),
            },
            Arg::FixedMem(n) => self.check_helper_mem(pc, st, r, v, n as u64, false, name),
            Arg::FixedOut(n) => {
                let off = match v {
                    RegVal::Stack { off, .. } => Some(*off as i64),
                    RegVal::MapValue { off, var, .. } | RegVal::Ringbuf { off, var, .. } => {
                        var.as_const().map(|c| *off as i64 + c as i64)
                    }
                    _ => None,
                };
                match off {
                    Some(o) if o.rem_euclid(n as i64) == 0 => {}
                    Some(o) => {
                        return Err(e(
                            pc,
                            Rule::HelperArgument,
                            format!(
                                "bpf_{name} writes {n} bytes through r{r}, which must be {n}-byte aligned, but r{r} is at offset {o}"
                            ),
                        ))
                    }
                    None => {
                        return Err(e(
                            pc,
                            Rule::HelperArgument,
                            format!(
                                "bpf_{name} expects a pointer to {n} writable, {n}-byte aligned bytes (on the stack or in a map value, at a known offset) in r{r}, but r{r} is {}",
                                self.describe(v)
                            ),
                        ))
                    }
                }
                self.check_helper_mem(pc, st, r, v, n as u64, true, name)
            }
            _ => Ok(None),
        }
    }
}

/// What a load of `__sk_buff.sk` yields: a `struct bpf_sock_common` the program holds no
/// reference to (`ref_id` 0: it is not released and cannot leak), or NULL.
pub(crate) fn skb_sk(st: &mut State) -> RegVal {
    RegVal::SockOrNull {
        common: true,
        id: st.fresh(),
        ref_id: 0,
    }
}

/// Marks the reference id of a pointer cast from a referenced socket (`bpf_sk_fullsock`): it
/// is released with the socket it came from, but its null check does not drop the reference
/// (only the acquired pointer's does, as in the kernel's `mark_ptr_or_null_regs`).
pub(crate) const SOCK_CAST: u32 = 1 << 29;

/// `r0` after `bpf_sk_fullsock` ([`Ret::SocketCastOrNull`]: the full socket, sharing the
/// reference of the argument `arg`, so releasing either invalidates both, as the kernel's
/// `is_ptr_cast_function` does) or `bpf_get_listener_sock` ([`Ret::SocketUnrefOrNull`]: no
/// reference).
pub(crate) fn sock_ret(st: &mut State, ret: Ret, arg: &RegVal) -> RegVal {
    let ref_id = match (ret, arg) {
        (Ret::SocketCastOrNull, RegVal::Sock { ref_id, .. } | RegVal::BtfSock { ref_id, .. })
            if *ref_id != 0 =>
        {
            (*ref_id & !SOCK_CAST) | SOCK_CAST
        }
        _ => 0,
    };
    RegVal::SockOrNull {
        common: false,
        id: st.fresh(),
        ref_id,
    }
}

/// Whether `v` holds a reference (the kernel's `ref_obj_id`): ring buffer memory from a
/// reservation, a socket from a lookup or a cast of one, a referenced kernel object; the id
/// part of `ref_id` (below the flag bits) is not zero.
pub(crate) fn held_ref(v: &RegVal) -> bool {
    let id = match v {
        RegVal::Ringbuf { ref_id, .. }
        | RegVal::RingbufOrNull { ref_id, .. }
        | RegVal::Sock { ref_id, .. }
        | RegVal::SockOrNull { ref_id, .. }
        | RegVal::BtfSock { ref_id, .. }
        | RegVal::BtfSockOrNull { ref_id, .. }
        | RegVal::KObj { ref_id, .. }
        | RegVal::BtfObjAt { ref_id, .. }
        | RegVal::KObjOrNull { ref_id, .. }
        | RegVal::Alloc { ref_id, .. }
        | RegVal::AllocOrNull { ref_id, .. } => *ref_id,
        _ => 0,
    };
    // A slice of a packet dynptr (skb, xdp: no `DYNPTR_MEM`) holds no reference: the kernel
    // gives it the dynptr's `ref_obj_id`, 0 (`helper_raw_check_syncookie_dynptr_slice.s`).
    if id & DYNPTR_SLICE != 0 && id & DYNPTR_MEM == 0 {
        return false;
    }
    id & ((1 << 23) - 1) != 0
}

impl Exec<'_> {
    /// The kernel's checks of `check_func_arg` that come before an argument's type (6.18):
    /// at most one argument (`ARG_ANYTHING` aside) holds a reference (`ref_arg` keeps the
    /// first one's register), and a packet pointer is only for helpers whose prototype has
    /// `pkt_access`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn check_arg_kinds(
        &self,
        pc: usize,
        id: i32,
        arg: Arg,
        r: u8,
        v: &RegVal,
        ref_arg: &mut Option<u8>,
        name: &str,
    ) -> R<()> {
        if arg == Arg::Anything {
            return Ok(());
        }
        if held_ref(v) {
            if let Some(first) = *ref_arg {
                return Err(e(
                    pc,
                    Rule::HelperArgument,
                    format!(
                        "bpf_{name} gets two arguments holding a reference (r{first} and r{r}, {}); the kernel lets at most one argument of a helper call hold one (`more than one arg with ref_obj_id`)",
                        self.describe(v)
                    ),
                ));
            }
            *ref_arg = Some(r);
        }
        if matches!(v, RegVal::Pkt { .. }) && !helpers::pkt_access(id) {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "bpf_{name} may not be given a packet pointer (r{r} is {}): only the map helpers that read a key or value, bpf_csum_diff, the socket lookups and the syncookie helpers take packet memory (the kernel: `helper access to the packet is not allowed`); copy the bytes to the stack first",
                    self.describe(v)
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::testkit::*;
    use super::*;
    use crate::spec::ProgramType;

    #[test]
    fn a_socket_argument_must_be_a_null_checked_socket() {
        let tc = One::new("call bpf_sk_fullsock\nexit").ty(ProgramType::SchedCls);
        let sock = RegVal::Sock {
            common: true,
            ref_id: 5,
        };
        let mut st = state(&[(1, sock)]);
        tc.next(&mut st);
        // The full socket shares the argument's reference.
        let RegVal::SockOrNull {
            common: false,
            ref_id,
            ..
        } = *reg(&st, 0)
        else {
            panic!("{:?}", reg(&st, 0))
        };
        assert_eq!(ref_id, 5 | SOCK_CAST);
        let maybe = RegVal::SockOrNull {
            common: true,
            id: 1,
            ref_id: 0,
        };
        let (rule, _) = tc.refused(&mut state(&[(1, maybe)]));
        assert_eq!(rule, Rule::NullCheck);
        let (rule, msg) = tc.refused(&mut state(&[(1, stack(-8))]));
        assert_eq!(rule, Rule::HelperArgument);
        assert!(
            msg.starts_with(
                "bpf_sk_fullsock expects a socket (from a socket lookup, null-checked) in r1"
            ),
            "{msg}"
        );
    }

    #[test]
    fn a_fixed_size_result_is_aligned_writable_memory() {
        // bpf_strtol(buf, len, flags, &res): res is 8 writable, 8-byte aligned bytes.
        let call = One::new("call bpf_strtol\nexit");
        let regs = |res: RegVal| state(&[(1, stack(-16)), (2, konst(4)), (3, konst(0)), (4, res)]);
        call.next(&mut regs(stack(-8)));
        call.next(&mut regs(map_value(0, 8)));
        let (rule, msg) = call.refused(&mut regs(map_value(0, 4)));
        assert_eq!(
            (rule, msg.as_str()),
            (
                Rule::HelperArgument,
                "bpf_strtol writes 8 bytes through r4, which must be 8-byte aligned, but r4 is at offset 4"
            )
        );
        let (rule, msg) = call.refused(&mut regs(RegVal::Ctx { off: 0 }));
        assert_eq!(rule, Rule::HelperArgument);
        assert!(
            msg.starts_with("bpf_strtol expects a pointer to 8 writable, 8-byte aligned bytes"),
            "{msg}"
        );
        // The read-only map cannot take the result.
        let (rule, _) = call.refused(&mut regs(map_value(2, 0)));
        assert_eq!(rule, Rule::MemoryAccess);
    }

    #[test]
    fn only_helpers_with_packet_access_take_packet_pointers() {
        // bpf_csum_diff has the kernel's `pkt_access`: packet memory is fine.
        let csum = One::new("call bpf_csum_diff\nexit");
        let regs = |p: RegVal| {
            state(&[
                (1, p),
                (2, konst(4)),
                (3, konst(0)),
                (4, konst(0)),
                (5, konst(0)),
            ])
        };
        csum.next(&mut regs(pkt(0, 8)));
        // bpf_trace_printk has not: the same bytes are refused, named by the kernel's words.
        let printk = One::new("call bpf_trace_printk\nexit");
        let (rule, msg) = printk.refused(&mut state(&[(1, pkt(0, 8)), (2, konst(4))]));
        assert_eq!(rule, Rule::HelperArgument);
        assert!(
            msg.contains("helper access to the packet is not allowed"),
            "{msg}"
        );
        // An `ARG_ANYTHING` argument may still be a packet pointer.
        assert!(!crate::verifier::helpers::pkt_access(6));
        assert!(crate::verifier::helpers::pkt_access(1));
    }

    #[test]
    fn one_referenced_argument_a_call() {
        let ring = RegVal::Ringbuf {
            size: 16,
            off: 0,
            var: Scalar::konst(0),
            ref_id: 3,
        };
        assert!(held_ref(&ring));
        // A global function's memory argument (ref_id 0) holds none.
        assert!(!held_ref(&RegVal::Ringbuf {
            size: 16,
            off: 0,
            var: Scalar::konst(0),
            ref_id: 0,
        }));
        // A slice of a packet dynptr holds none (its dynptr has no reference); a slice of a
        // ring buffer dynptr (`DYNPTR_MEM`) holds the reservation's.
        let slice = |ref_id| RegVal::Ringbuf {
            size: 20,
            off: 0,
            var: Scalar::konst(0),
            ref_id,
        };
        assert!(!held_ref(&slice(5 | DYNPTR_SLICE)));
        assert!(held_ref(&slice(5 | DYNPTR_MEM | DYNPTR_SLICE)));
        // bpf_strtol(buf, len, flags, res) with the same reservation as buffer and result.
        let call = One::new("call bpf_strtol\nexit");
        let (rule, msg) = call.refused(&mut state(&[
            (1, ring),
            (2, konst(4)),
            (3, konst(0)),
            (4, ring),
        ]));
        assert_eq!(rule, Rule::HelperArgument);
        assert!(msg.contains("more than one arg with ref_obj_id"), "{msg}");
        call.next(&mut state(&[
            (1, ring),
            (2, konst(4)),
            (3, konst(0)),
            (4, stack(-8)),
        ]));
    }
}

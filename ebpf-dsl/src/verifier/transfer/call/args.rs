//! Helper arguments beyond the map, context and sized-memory kinds of `call/mod.rs`: sockets that
//! are not released, fixed-size memory (`ARG_PTR_TO_FIXED_SIZE_MEM`) and aligned fixed-size
//! results (`MEM_WRITE | MEM_ALIGNED`: `bpf_strtol`'s result, `bpf_check_mtu`'s MTU).

use super::*;

impl<'a> Exec<'a> {
    /// Checks argument `r` (value `v`) of helper `name` against `arg`, one of
    /// [`Arg::SockCommon`], [`Arg::FixedMem`] and [`Arg::FixedOut`].
    pub(crate) fn check_extra_arg(
        &mut self,
        pc: usize,
        st: &mut State,
        r: u8,
        v: &RegVal,
        arg: Arg,
        name: &str,
    ) -> R<()> {
        match arg {
            Arg::SockCommon => match v {
                RegVal::Sock { .. } => Ok(()),
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
            _ => Ok(()),
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
        (Ret::SocketCastOrNull, RegVal::Sock { ref_id, .. }) if *ref_id != 0 => {
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

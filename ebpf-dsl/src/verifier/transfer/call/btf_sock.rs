//! The socket casts `bpf_skc_to_tcp_sock`, `bpf_skc_to_tcp6_sock`, `bpf_skc_to_udp6_sock`,
//! ... (`RET_PTR_TO_BTF_ID_OR_NULL`, the kernel's `is_ptr_cast_function`): the argument is a
//! non-NULL socket (from a lookup, `__sk_buff.sk` or another cast); the result is a
//! [`RegVal::BtfSockOrNull`] of the cast's structure that shares the argument's reference
//! (released with it by `bpf_sk_release`, which also takes the cast pointer; its own null
//! check does not drop the reference; `bpf_skc_to_unix_sock` is no cast for the kernel: its
//! result holds no reference). `bpf_skc_to_mptcp_sock` takes no cast pointer
//! (`ARG_PTR_TO_SOCK_COMMON`), the others do. The structure's fields are not modelled: reads through
//! it are refused (a false reject where the kernel allows them), writes too (as by the kernel).

use super::*;

impl<'a> Exec<'a> {
    /// Checks argument `r` (value `v`) of a cast: [`Arg::BtfSockCommon`].
    pub(crate) fn check_btf_sock_arg(&self, pc: usize, r: u8, v: &RegVal, name: &str) -> R<()> {
        match v {
            RegVal::Sock { .. } | RegVal::BtfSock { .. } => Ok(()),
            RegVal::SockOrNull { .. } | RegVal::BtfSockOrNull { .. } => Err(e(
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
                    "bpf_{name} expects a socket (from a socket lookup, `__sk_buff.sk` or a bpf_skc_to_* cast, null-checked) in r{r}, but r{r} is {}",
                    self.describe(v)
                ),
            )),
        }
    }
}

/// The reference a released socket argument gives back (the `ref_id` without the cast mark),
/// or `None` if `v` is a socket-like pointer holding none.
pub(crate) fn released_ref(v: &RegVal) -> Option<u32> {
    match v {
        RegVal::Sock { ref_id, .. } | RegVal::BtfSock { ref_id, .. } if *ref_id != 0 => {
            Some(ref_id & !SOCK_CAST)
        }
        _ => None,
    }
}

/// `r0` after a conversion to `ty` of `arg`: the structure or NULL, sharing `arg`'s reference
/// if it is a pointer cast for the kernel (`shares`; not `bpf_skc_to_unix_sock`).
pub(crate) fn cast_ret(st: &mut State, ty: &'static str, arg: &RegVal, shares: bool) -> RegVal {
    let ref_id = match arg {
        RegVal::Sock { ref_id, .. } | RegVal::BtfSock { ref_id, .. } if shares && *ref_id != 0 => {
            (ref_id & !SOCK_CAST) | SOCK_CAST
        }
        _ => 0,
    };
    RegVal::BtfSockOrNull {
        ty,
        id: st.fresh(),
        ref_id,
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::testkit::*;
    use super::*;
    use crate::spec::ProgramType;

    fn tc(src: &str) -> One {
        One::new(src).ty(ProgramType::SchedCls)
    }

    #[test]
    fn a_cast_shares_the_reference_of_the_socket_it_comes_from() {
        let sock = RegVal::Sock {
            common: false,
            ref_id: 5 | super::super::local::SOCK_REF,
        };
        let mut st = state(&[(1, sock)]);
        st.refs.push(5 | super::super::local::SOCK_REF);
        tc("call bpf_skc_to_tcp_sock\nexit").next(&mut st);
        let RegVal::BtfSockOrNull {
            ty: "tcp_sock",
            ref_id,
            ..
        } = *reg(&st, 0)
        else {
            panic!("{:?}", reg(&st, 0))
        };
        assert_eq!(ref_id, 5 | super::super::local::SOCK_REF | SOCK_CAST);
        // Released through the (null-checked) cast: the reference is gone, and every pointer
        // sharing it is invalid.
        let cast = RegVal::BtfSock {
            ty: "tcp_sock",
            ref_id,
        };
        st.cur_mut().regs[1] = cast.clone();
        st.cur_mut().regs[6] = cast;
        tc("call bpf_sk_release\nexit").next(&mut st);
        assert!(st.refs.is_empty());
        assert_eq!(*reg(&st, 6), scalar(Scalar::UNKNOWN));
    }

    #[test]
    fn a_cast_of_an_unreferenced_socket_cannot_be_released() {
        let mut st = state(&[(
            1,
            RegVal::Sock {
                common: true,
                ref_id: 0,
            },
        )]);
        tc("call bpf_skc_to_udp6_sock\nexit").next(&mut st);
        assert!(matches!(
            reg(&st, 0),
            RegVal::BtfSockOrNull {
                ty: "udp6_sock",
                ref_id: 0,
                ..
            }
        ));
        let mut st = state(&[(
            1,
            RegVal::BtfSock {
                ty: "udp6_sock",
                ref_id: 0,
            },
        )]);
        let (rule, _) = tc("call bpf_sk_release\nexit").refused(&mut st);
        assert_eq!(rule, Rule::HelperArgument);
    }

    #[test]
    fn unix_sock_holds_no_reference_and_mptcp_sock_takes_no_cast_pointer() {
        let sock = RegVal::Sock {
            common: false,
            ref_id: 7,
        };
        let mut st = state(&[(1, sock)]);
        tc("call bpf_skc_to_unix_sock\nexit").next(&mut st);
        assert!(matches!(
            reg(&st, 0),
            RegVal::BtfSockOrNull {
                ty: "unix_sock",
                ref_id: 0,
                ..
            }
        ));
        let tcp = RegVal::BtfSock {
            ty: "tcp_sock",
            ref_id: 7 | SOCK_CAST,
        };
        let (rule, msg) = tc("call bpf_skc_to_mptcp_sock\nexit").refused(&mut state(&[(1, tcp)]));
        assert_eq!(rule, Rule::HelperArgument);
        assert!(msg.starts_with("bpf_skc_to_mptcp_sock expects a socket"), "{msg}");
    }

    #[test]
    fn the_argument_is_a_null_checked_socket_and_fields_are_not_read() {
        let call = One::new("call bpf_skc_to_tcp_sock\nexit");
        let maybe = RegVal::BtfSockOrNull {
            ty: "tcp_sock",
            id: 1,
            ref_id: 0,
        };
        let (rule, _) = call.refused(&mut state(&[(1, maybe)]));
        assert_eq!(rule, Rule::NullCheck);
        let (rule, msg) = call.refused(&mut state(&[(1, RegVal::Ctx { off: 0 })]));
        assert_eq!(rule, Rule::HelperArgument);
        assert!(msg.starts_with("bpf_skc_to_tcp_sock expects a socket"), "{msg}");
        // A cast of a cast is allowed (tcp_sock starts with a sock_common).
        let mut st = state(&[(
            1,
            RegVal::BtfSock {
                ty: "tcp_sock",
                ref_id: 0,
            },
        )]);
        One::new("call bpf_skc_to_tcp6_sock\nexit").next(&mut st);
        // Reads and writes of its fields are refused.
        let tcp = RegVal::BtfSock {
            ty: "tcp_sock",
            ref_id: 0,
        };
        let (rule, msg) = One::new("r0 = *(u32 *)(r1 + 0)\nexit").refused(&mut state(&[(1, tcp.clone())]));
        assert_eq!(rule, Rule::MemoryAccess);
        assert!(msg.contains("reading fields of struct tcp_sock"), "{msg}");
        let (_, msg) = One::new("*(u32 *)(r1 + 0) = r2\nexit")
            .refused(&mut state(&[(1, tcp), (2, konst(0))]));
        assert!(msg.contains("cannot be written"), "{msg}");
    }
}

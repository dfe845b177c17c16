//! The socket casts `bpf_skc_to_tcp_sock`, `bpf_skc_to_tcp6_sock`, `bpf_skc_to_udp6_sock`,
//! ... (`RET_PTR_TO_BTF_ID_OR_NULL`, the kernel's `is_ptr_cast_function`): the argument is a
//! non-NULL socket (from a lookup, `__sk_buff.sk` or another cast); the result is a
//! [`RegVal::BtfSockOrNull`] of the cast's structure that shares the argument's reference
//! (released with it by `bpf_sk_release`, which also takes the cast pointer; its own null
//! check does not drop the reference; `bpf_skc_to_unix_sock` is no cast for the kernel: its
//! result holds no reference). `bpf_skc_to_mptcp_sock` takes no cast pointer
//! (`ARG_PTR_TO_SOCK_COMMON`), the others do. Its fields are read as the kernel's
//! `btf_struct_access` reads them, from the kernel's BTF (`transfer/btf_access.rs`: a
//! referenced cast is a trusted pointer, an unreferenced one a plain `PTR_TO_BTF_ID`); writes
//! are refused, as by the kernel. The helpers taking `ARG_PTR_TO_BTF_ID_SOCK_COMMON` (the casts,
//! `bpf_sk_assign`, the syncookie helpers, `bpf_sk_storage_*`, [`Arg::BtfSockCommon`]) take
//! these, and a plain or trusted [`RegVal::BtfPtr`] to a structure starting with a
//! `struct sock_common`.
//! `bpf_tcp_sock` (tc) is modelled here too: its `PTR_TO_TCP_SOCK` result is a
//! [`RegVal::BtfSock`] of type [`TCP_SOCK`] whose `struct bpf_tcp_sock` fields may be read.

use super::*;

/// The `ty` of a [`RegVal::BtfSock`] from `bpf_tcp_sock`: not BTF but the kernel's
/// `PTR_TO_TCP_SOCK`, whose `struct bpf_tcp_sock` fields may be read
/// ([`tcp_sock_field_ok`]) and which the helpers taking a socket accept.
pub(crate) const TCP_SOCK: &str = "bpf_tcp_sock";

/// `bpf_tcp_sock_is_valid_access`: an aligned read of a u32 field of `struct bpf_tcp_sock`
/// (112 bytes), or of one of its two u64 fields (`bytes_received` at 80, `bytes_acked` at 88);
/// no narrow reads.
pub(crate) fn tcp_sock_field_ok(off: i32, n: u32) -> bool {
    let n = n as i32;
    if !(0..112).contains(&off) || off % n != 0 {
        return false;
    }
    match off {
        80 | 88 => n == 8,
        // The upper halves of those two: `bpf_tcp_sock_is_valid_access` lets a 4-byte read
        // through, but the kernel's rewrite of the access has no case for them and fails
        // (`verifier bug: error during ctx access conversion`), so the kernel refuses it.
        84 | 92 => false,
        _ => n == 4,
    }
}

impl<'a> Exec<'a> {
    /// Checks argument `r` (value `v`) of a cast: [`Arg::BtfSockCommon`].
    pub(crate) fn check_btf_sock_arg(&self, pc: usize, r: u8, v: &RegVal, name: &str) -> R<()> {
        match v {
            RegVal::Sock { .. } | RegVal::BtfSock { .. } => Ok(()),
            RegVal::BtfPtr { .. } if self.btf_ptr_is_sock_common(v) => Ok(()),
            RegVal::SockOrNull { .. } | RegVal::BtfSockOrNull { .. } | RegVal::BtfPtrOrNull { .. } => Err(e(
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
        st.cur_mut().regs[1] = cast;
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
        assert!(
            msg.starts_with("bpf_skc_to_mptcp_sock expects a socket"),
            "{msg}"
        );
    }

    #[test]
    fn bpf_tcp_sock_gives_readable_fields_sharing_the_reference() {
        let sock = RegVal::Sock {
            common: false,
            ref_id: 9,
        };
        let mut st = state(&[(1, sock)]);
        tc("call bpf_tcp_sock\nexit").next(&mut st);
        assert!(matches!(
            reg(&st, 0),
            RegVal::BtfSockOrNull {
                ty: TCP_SOCK,
                ref_id,
                ..
            } if *ref_id == 9 | SOCK_CAST
        ));
        let tcp = RegVal::BtfSock {
            ty: TCP_SOCK,
            ref_id: 9 | SOCK_CAST,
        };
        // snd_cwnd (u32 at 0), bytes_acked (u64 at 88).
        let mut st = state(&[(1, tcp)]);
        One::new("r0 = *(u32 *)(r1 + 0)\nexit").next(&mut st);
        assert_eq!(*reg(&st, 0), scalar(Scalar::of_size(4)));
        One::new("r0 = *(u64 *)(r1 + 88)\nexit").next(&mut state(&[(1, tcp)]));
        // A sign-extending load too (bpf_tcp_sock_is_valid_access has no is_ldsx test).
        let mut st = state(&[(1, tcp)]);
        One::new("r0 = *(s32 *)(r1 + 0)\nexit").next(&mut st);
        assert_eq!(*reg(&st, 0), scalar(Scalar::of_size(4).sext(32)));
        for bad in [
            "r0 = *(u16 *)(r1 + 0)",
            "r0 = *(u64 *)(r1 + 0)",
            "r0 = *(u32 *)(r1 + 80)",
            "r0 = *(u32 *)(r1 + 112)",
        ] {
            let (rule, _) = One::new(&format!("{bad}\nexit")).refused(&mut state(&[(1, tcp)]));
            assert_eq!(rule, Rule::MemoryAccess, "{bad}");
        }
        let (rule, _) =
            One::new("*(u32 *)(r1 + 0) = r2\nexit").refused(&mut state(&[(1, tcp), (2, konst(0))]));
        assert_eq!(rule, Rule::MemoryAccess);
        // bpf_sk_fullsock takes it (PTR_TO_SOCK_COMMON accepts PTR_TO_TCP_SOCK) and its result
        // shares the reference.
        let mut st = state(&[(1, tcp)]);
        tc("call bpf_sk_fullsock\nexit").next(&mut st);
        assert!(matches!(
            reg(&st, 0),
            RegVal::SockOrNull { ref_id, .. } if *ref_id == 9 | SOCK_CAST
        ));
    }

    #[test]
    fn the_argument_is_a_null_checked_socket_and_fields_need_the_kernels_btf() {
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
        assert!(
            msg.starts_with("bpf_skc_to_tcp_sock expects a socket"),
            "{msg}"
        );
        // A cast of a cast is allowed (tcp_sock starts with a sock_common).
        let mut st = state(&[(
            1,
            RegVal::BtfSock {
                ty: "tcp_sock",
                ref_id: 0,
            },
        )]);
        One::new("call bpf_skc_to_tcp6_sock\nexit").next(&mut st);
        // Reads of its fields need the kernel's BTF (`btf_access.rs`); writes are refused.
        let tcp = RegVal::BtfSock {
            ty: "tcp_sock",
            ref_id: 0,
        };
        let (rule, msg) = One::new("r0 = *(u32 *)(r1 + 0)\nexit").refused(&mut state(&[(1, tcp)]));
        assert_eq!(rule, Rule::Unsupported);
        assert!(msg.contains("--btf"), "{msg}");
        let (rule, msg) =
            One::new("*(u32 *)(r1 + 0) = r2\nexit").refused(&mut state(&[(1, tcp), (2, konst(0))]));
        assert_eq!(rule, Rule::MemoryAccess);
        assert!(msg.contains("only read is supported"), "{msg}");
    }
}

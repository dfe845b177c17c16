//! Socket maps (`BPF_MAP_TYPE_SOCKMAP`, `BPF_MAP_TYPE_SOCKHASH`) used with the generic map
//! helpers from xdp, tc and socket filter programs, as the kernel's verifier has them:
//!
//! - `bpf_map_lookup_elem` gives a referenced socket or NULL (`is_acquire_function` counts a
//!   lookup in a socket map as an acquire; `mark_ptr_not_null_reg` turns the non-NULL result
//!   into `PTR_TO_SOCKET`): the same [`RegVal::SockOrNull`] as `bpf_sk_lookup_tcp`, released
//!   with `bpf_sk_release`, dropped on the NULL path, a leak if still held at the exit;
//! - `bpf_map_update_elem` takes a socket as its value (`resolve_map_arg_type` turns the
//!   value argument into `ARG_PTR_TO_BTF_ID_SOCK_COMMON`): a null-checked socket from a lookup,
//!   from `__sk_buff.sk`, from a `bpf_skc_to_*` cast or `bpf_tcp_sock`, or an XSKMAP entry
//!   (`PTR_TO_XDP_SOCK`), never a pointer to memory holding one;
//! - lookup, update and delete are allowed for these program types (`may_update_sockmap`
//!   lets socket filters, tc and xdp programs change a socket map;
//!   `check_map_func_compatibility`, see [`crate::verifier::helpers::map_compatible`]).

use super::*;

/// Whether `t` is a socket map, whose values are sockets rather than memory.
pub(super) fn is_sock_map(t: MapType) -> bool {
    matches!(t, MapType::Sockmap | MapType::Sockhash)
}

/// `r0` after `bpf_map_lookup_elem` on a socket map: a full socket holding a new reference, or
/// NULL.
pub(super) fn lookup_ret(st: &mut State) -> RegVal {
    let id = st.fresh();
    let ref_id = st.fresh() | local::SOCK_REF;
    st.refs.push(ref_id);
    RegVal::SockOrNull {
        common: false,
        id,
        ref_id,
    }
}

impl<'a> Exec<'a> {
    /// Checks the value argument `r` (value `v`) of an update of a socket map: a non-NULL
    /// socket of any kind the kernel's `btf_id_sock_common_types` lists.
    pub(super) fn check_sock_map_value(&self, pc: usize, r: u8, v: &RegVal, name: &str) -> R<()> {
        match v {
            RegVal::Opaque { map } if self.map(*map).map_type == MapType::Xskmap => Ok(()),
            RegVal::OpaqueOrNull { map, .. } if self.map(*map).map_type == MapType::Xskmap => {
                Err(e(
                    pc,
                    Rule::NullCheck,
                    format!(
                        "bpf_{name}: r{r} is {}; null-check it first",
                        self.describe(v)
                    ),
                ))
            }
            RegVal::Sock { .. }
            | RegVal::BtfSock { .. }
            | RegVal::SockOrNull { .. }
            | RegVal::BtfSockOrNull { .. } => self.check_btf_sock_arg(pc, r, v, name),
            _ => Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "bpf_{name} on a sockmap or sockhash takes the socket itself as the value (from `bpf_sk_lookup_*`, a socket map lookup or `__sk_buff.sk`, null-checked) in r{r}, but r{r} is {}",
                    self.describe(v)
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::testkit::*;
    use super::*;
    use crate::spec::ProgramType;

    /// Map number of `sm` (a sockmap) in the test maps.
    const SM: u16 = 6;
    /// Map number of `xs` (an xskmap).
    const XS: u16 = 7;

    fn key_on_stack(regs: &[(u8, RegVal)]) -> State {
        let mut st = state(regs);
        st.cur_mut().stack[63] =
            Slot::Bytes([super::super::super::super::domain::state::Byte::Zero; 8]);
        st
    }

    #[test]
    fn a_sockmap_lookup_gives_a_referenced_socket_or_null() {
        for ty in [
            ProgramType::Xdp,
            ProgramType::SchedCls,
            ProgramType::SchedAct,
            ProgramType::SocketFilter,
        ] {
            let mut st = key_on_stack(&[(1, RegVal::MapPtr { map: SM }), (2, stack(-8))]);
            One::new("call bpf_map_lookup_elem\nexit")
                .ty(ty)
                .next(&mut st);
            let RegVal::SockOrNull {
                common: false,
                ref_id,
                ..
            } = *reg(&st, 0)
            else {
                panic!("{ty}: {:?}", reg(&st, 0))
            };
            assert_ne!(ref_id & local::SOCK_REF, 0);
            assert_eq!(st.refs, vec![ref_id]);
            // Released through its non-NULL form (socket filters are not offered
            // bpf_sk_release: a lookup of theirs that finds a socket always leaks it).
            if ty == ProgramType::SocketFilter {
                continue;
            }
            st.cur_mut().regs[1] = RegVal::Sock {
                common: false,
                ref_id,
            };
            One::new("call bpf_sk_release\nexit").ty(ty).next(&mut st);
            assert!(st.refs.is_empty());
        }
    }

    #[test]
    fn a_sockmap_update_takes_a_null_checked_socket() {
        let update = |value: RegVal, ty: ProgramType| {
            let mut st = key_on_stack(&[
                (1, RegVal::MapPtr { map: SM }),
                (2, stack(-8)),
                (3, value),
                (4, konst(0)),
            ]);
            One::new("call bpf_map_update_elem\nexit")
                .ty(ty)
                .apply(&mut st)
                .map(|_| ())
                .map_err(|e| (e.rule, e.message))
        };
        let skb_sk = RegVal::Sock {
            common: true,
            ref_id: 0,
        };
        for ty in [
            ProgramType::SchedCls,
            ProgramType::SchedAct,
            ProgramType::SocketFilter,
        ] {
            update(skb_sk, ty).unwrap();
        }
        let looked_up = RegVal::Sock {
            common: false,
            ref_id: 3 | local::SOCK_REF,
        };
        update(looked_up, ProgramType::Xdp).unwrap();
        update(RegVal::Opaque { map: XS }, ProgramType::Xdp).unwrap();
        update(
            RegVal::BtfSock {
                ty: "tcp_sock",
                ref_id: 0,
            },
            ProgramType::SchedCls,
        )
        .unwrap();
        // Not null-checked.
        let (rule, _) = update(
            RegVal::SockOrNull {
                common: true,
                id: 4,
                ref_id: 0,
            },
            ProgramType::SchedCls,
        )
        .unwrap_err();
        assert_eq!(rule, Rule::NullCheck);
        let (rule, _) =
            update(RegVal::OpaqueOrNull { map: XS, id: 4 }, ProgramType::Xdp).unwrap_err();
        assert_eq!(rule, Rule::NullCheck);
        // Memory holding a value, as for other maps: refused.
        let (rule, msg) = update(stack(-16), ProgramType::Xdp).unwrap_err();
        assert_eq!(rule, Rule::HelperArgument);
        assert!(
            msg.starts_with("bpf_map_update_elem on a sockmap or sockhash takes the socket itself"),
            "{msg}"
        );
        let (rule, _) = update(konst(0), ProgramType::Xdp).unwrap_err();
        assert_eq!(rule, Rule::HelperArgument);
    }

    #[test]
    fn sockmap_entries_may_be_deleted() {
        let mut st = key_on_stack(&[(1, RegVal::MapPtr { map: SM }), (2, stack(-8))]);
        One::new("call bpf_map_delete_elem\nexit").next(&mut st);
        assert_eq!(*reg(&st, 0), scalar(Scalar::UNKNOWN));
    }
}

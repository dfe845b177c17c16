//! Socket local storage: `bpf_sk_storage_get(map, sk, value, flags)` and
//! `bpf_sk_storage_delete(map, sk)` (tc programs; a `sk_storage` map, which the kernel only
//! creates with BTF, `BPF_F_NO_PREALLOC` and no entries). The socket is a non-NULL socket
//! (`ARG_PTR_TO_BTF_ID_SOCK_COMMON`: from a lookup, `__sk_buff.sk` or a `bpf_skc_to_*` cast);
//! the initial value (`ARG_PTR_TO_MAP_VALUE_OR_NULL`) is NULL or the map's value size of
//! readable memory; `bpf_sk_storage_get` gives the socket's value of the map, or NULL.

use super::*;

impl<'a> Exec<'a> {
    /// Checks argument `r` (value `v`) of helper `name`: [`Arg::MapValueOrNull`] of map `map`.
    pub(crate) fn check_value_or_null(
        &mut self,
        pc: usize,
        st: &State,
        r: u8,
        v: &RegVal,
        map: Option<u16>,
        name: &str,
    ) -> R<Option<StackWrite>> {
        let Some(m) = map else {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!("bpf_{name}: no map argument before the value"),
            ));
        };
        if matches!(v, RegVal::Scalar(z) if z.as_const() == Some(0)) {
            return Ok(None);
        }
        let size = self.map(m).value_size;
        if !matches!(
            v,
            RegVal::Stack { .. } | RegVal::Pkt { .. } | RegVal::MapValue { .. }
        ) {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "bpf_{name} expects NULL (0) or a pointer to the {size}-byte value in r{r}, but r{r} is {}",
                    self.describe(v)
                ),
            ));
        }
        self.check_helper_mem(pc, st, r, v, size as u64, false, name)
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

    /// Map 4 of the test maps: `sk` (sk_storage, 4-byte key, 8-byte value).
    const SK: u16 = 4;

    fn sock() -> RegVal {
        RegVal::Sock {
            common: true,
            ref_id: 0,
        }
    }

    #[test]
    fn storage_get_gives_a_value_of_the_map_or_null() {
        let call = tc("call bpf_sk_storage_get\nexit");
        let mut st = state(&[
            (1, RegVal::MapPtr { map: SK }),
            (2, sock()),
            (3, konst(0)),
            (4, konst(1)),
        ]);
        call.next(&mut st);
        assert!(matches!(
            reg(&st, 0),
            RegVal::MapValueOrNull { map: SK, .. }
        ));
        // An initial value of the value's size.
        let mut st = state(&[
            (1, RegVal::MapPtr { map: SK }),
            (2, sock()),
            (3, stack(-8)),
            (4, konst(1)),
        ]);
        st.cur_mut().stack[63] = Slot::Spill(konst(0));
        call.next(&mut st);
        // Too small for the value.
        let mut st = state(&[
            (1, RegVal::MapPtr { map: SK }),
            (2, sock()),
            (3, stack(-4)),
            (4, konst(1)),
        ]);
        let (rule, _) = call.refused(&mut st);
        assert_eq!(rule, Rule::StackAccess);
        // Not a number other than 0.
        let mut st = state(&[
            (1, RegVal::MapPtr { map: SK }),
            (2, sock()),
            (3, konst(1)),
            (4, konst(1)),
        ]);
        let (rule, msg) = call.refused(&mut st);
        assert_eq!(rule, Rule::HelperArgument);
        assert!(
            msg.starts_with(
                "bpf_sk_storage_get expects NULL (0) or a pointer to the 8-byte value in r3"
            ),
            "{msg}"
        );
    }

    #[test]
    fn storage_helpers_need_a_socket_and_a_storage_map() {
        let del = tc("call bpf_sk_storage_delete\nexit");
        del.next(&mut state(&[(1, RegVal::MapPtr { map: SK }), (2, sock())]));
        let maybe = RegVal::SockOrNull {
            common: true,
            id: 1,
            ref_id: 0,
        };
        let (rule, _) = del.refused(&mut state(&[(1, RegVal::MapPtr { map: SK }), (2, maybe)]));
        assert_eq!(rule, Rule::NullCheck);
        let (rule, _) = del.refused(&mut state(&[(1, RegVal::MapPtr { map: 0 }), (2, sock())]));
        assert_eq!(rule, Rule::MapCompatibility);
        // Not offered to XDP.
        let (rule, _) = One::new("call bpf_sk_storage_delete\nexit")
            .refused(&mut state(&[(1, RegVal::MapPtr { map: SK }), (2, sock())]));
        assert_eq!(rule, Rule::HelperNotAllowed);
        // A lookup in a storage map is refused.
        let mut st = state(&[(1, RegVal::MapPtr { map: SK }), (2, stack(-8))]);
        st.cur_mut().stack[63] = Slot::Spill(konst(0));
        let (rule, _) = tc("call bpf_map_lookup_elem\nexit").refused(&mut st);
        assert_eq!(rule, Rule::MapCompatibility);
    }
}

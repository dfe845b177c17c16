//! `bpf_timer_init` / `bpf_timer_set_callback` / `bpf_timer_start` / `bpf_timer_cancel`, as
//! the kernel's `check_helper_call` checks them (Linux 6.18):
//!
//! - the timer argument (`ARG_PTR_TO_TIMER`, `process_timer_func` and
//!   `check_map_field_pointer`) is a non-NULL pointer to a value of a map whose BTF value type
//!   holds a `struct bpf_timer` (a hash, LRU hash or array map: `map_check_btf` creates no
//!   other with one), at a constant offset that is exactly the timer's;
//! - `bpf_timer_init`'s map (`ARG_CONST_MAP_PTR`) is the map that value came from ("timer
//!   pointer in R1 map_uid=... doesn't match map pointer in R2");
//! - `bpf_timer_set_callback`'s callback runs later, on its own (`push_async_cb`,
//!   `set_timer_callback_state`): the path that goes on after the call sees a number in `r0`,
//!   and a second path starts the callback in a fresh state of one frame (its own stack, no
//!   reference, no lock) with `r1` the map, `r2` a pointer to the key and `r3` a pointer to
//!   the value of the timer's map; at its `exit`, `r0` must be exactly 0 (the kernel's
//!   `check_return_code` for `in_async_callback_fn`, with `r0` marked precise).
//!
//! The timer's bytes are never loaded or stored directly (`check_map_access`), checked with
//! the lock's in `lock.rs`. Timers in inner maps (maps of maps) are not modelled: refused.

use super::*;

/// `BPF_FUNC_timer_init`.
pub(crate) const TIMER_INIT: i32 = 169;
/// `BPF_FUNC_timer_set_callback`.
pub(crate) const TIMER_SET_CALLBACK: i32 = 170;

impl<'a> Exec<'a> {
    /// The offset of the `bpf_timer` in the value of map `m`, if it has one.
    pub(crate) fn timer_offset(&self, m: u16) -> Option<u32> {
        self.timers.get(m as usize).copied().flatten()
    }

    /// Argument `r` (value `v`) of a timer helper `name` (`ARG_PTR_TO_TIMER`): gives the map
    /// whose value holds the timer.
    pub(super) fn check_timer_arg(&self, pc: usize, r: u8, v: &RegVal, name: &str) -> R<u16> {
        let (map, _) = self.check_map_field_pointer(
            pc,
            r,
            v,
            &format!("bpf_{name}"),
            "bpf_timer",
            Self::timer_offset,
            "no valid bpf_timer (its BTF value type must hold one `struct bpf_timer`, 8-byte aligned, in a hash, LRU hash or array map)",
        )?;
        Ok(map)
    }

    /// `bpf_timer_init`'s map argument `m` must be `timer_map`, the map whose value holds the
    /// timer.
    pub(super) fn check_timer_map(&self, pc: usize, timer_map: Option<u16>, m: u16) -> R<()> {
        match timer_map {
            Some(t) if t == m => Ok(()),
            Some(t) => Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "bpf_timer_init: the timer in r1 is in a value of map `{}`, but r2 is map `{}`; a timer is initialised with its own map",
                    self.map(t).name_str(),
                    self.map(m).name_str()
                ),
            )),
            None => Err(e(
                pc,
                Rule::HelperArgument,
                "bpf_timer_init: no timer argument before the map",
            )),
        }
    }

    /// The state in which the callback at `target` set by `bpf_timer_set_callback` (at `pc`,
    /// on a timer of map `map`) starts: one fresh frame whose `r1` is the map, `r2` a pointer
    /// to a key and `r3` a pointer to a value of it (`set_timer_callback_state`). The frame's
    /// call site is `pc`, which marks the path as the callback's ([`Exec::in_async_callback`]).
    pub(super) fn async_callback_state(&self, pc: usize, target: usize, map: u16) -> R<State> {
        let sp = self.callback_subprog(pc, target)?;
        let mut st = crate::verifier::initial_state();
        let mut f = self.fresh_frame(Frame::new(0, pc, sp));
        f.regs[1] = RegVal::MapPtr { map };
        f.regs[2] = RegVal::MapValue {
            map: self.key_map(map),
            off: 0,
            var: Scalar::konst(0),
            id: 0,
        };
        f.regs[3] = RegVal::MapValue {
            map,
            off: 0,
            var: Scalar::konst(0),
            id: 0,
        };
        st.frames[0] = f;
        Ok(st)
    }

    /// Whether `st` runs a timer callback: its one frame was started by a
    /// `bpf_timer_set_callback` call (the main program's frame has call site 0, where no
    /// helper call can be with its arguments set).
    pub(crate) fn in_async_callback(&self, st: &State) -> bool {
        st.frames.len() == 1
            && st.frames[0].callsite != 0
            && matches!(
                self.ops.get(st.frames[0].callsite),
                Some(Op::Call {
                    helper: TIMER_SET_CALLBACK,
                    kfunc: false
                })
            )
    }

    /// The return rule of a timer callback's `exit`: `r0` is exactly 0 (the driver's value
    /// sources demand its value, as the kernel marks it precise).
    pub(crate) fn check_async_exit(&self, pc: usize, st: &State) -> R<()> {
        let r0 = &st.cur().regs[0];
        if !matches!(r0, RegVal::Scalar(s) if s.as_const() == Some(0)) {
            return Err(e(
                pc,
                Rule::ReturnValue,
                format!(
                    "a bpf_timer callback returns 0, but r0 is {} here",
                    self.describe(r0)
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::btf::{BpfTimer, Btf, BtfType, Kind, MapBtf, Member, Type};
    use crate::spec::{MapSpec, MapType, ProgramType};
    use crate::verifier::{verify, Rule, VerifyInput};
    use std::borrow::Cow;

    /// `struct { u64 count; struct bpf_timer timer; }`: the timer at offset 8.
    fn timed_value(b: &mut Btf) -> u32 {
        let count = u64::btf_type(b);
        let timer = BpfTimer::btf_type(b);
        b.add(Type::new(
            "timed",
            Kind::Struct {
                size: 24,
                members: vec![Member::at("count", count, 0), Member::at("timer", timer, 8)],
            },
        ))
    }

    fn maps() -> Vec<MapSpec> {
        let map = |name: &'static str, map_type, btf| MapSpec {
            name: Cow::Borrowed(name),
            map_type,
            key_size: 4,
            value_size: 24,
            max_entries: 4,
            flags: 0,
            btf,
            inner: None,
        };
        let btf = Some(MapBtf {
            key: |b| Some(u32::btf_type(b)),
            value: |b| Some(timed_value(b)),
        });
        vec![
            map("timed", MapType::Hash, btf),
            map("plain", MapType::Hash, None),
            map("pcpu", MapType::PercpuHash, btf),
        ]
    }

    /// Arms the timer of the value of key 0 of `lmap` (`bpf_timer_init` with `imap`), its
    /// callback's body `cb` before its `exit`.
    fn prog(lmap: &str, imap: &str, off: u32, cb: &str) -> Result<(), (Rule, String)> {
        prog_with(lmap, imap, off, "", cb)
    }

    /// [`prog`] with `pre` run after the lookup's null check.
    fn prog_with(
        lmap: &str,
        imap: &str,
        off: u32,
        pre: &str,
        cb: &str,
    ) -> Result<(), (Rule, String)> {
        let src = format!(
            "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = {lmap} ll\ncall bpf_map_lookup_elem\n\
             if r0 == 0 goto out\nr6 = r0\n{pre}\nr1 = r6\nr1 += {off}\nr2 = {imap} ll\nr3 = 0\n\
             call bpf_timer_init\nr1 = r6\nr1 += 8\nr2 = cb ll\ncall bpf_timer_set_callback\n\
             r1 = r6\nr1 += 8\nr2 = 1000\nr3 = 0\ncall bpf_timer_start\nout:\nr0 = 2\nexit\n\
             cb:\n{cb}\nexit"
        );
        let a = crate::asm::assemble_unchecked(&src).expect("assembles");
        let maps = maps();
        let input = VerifyInput::new(&a.insns, ProgramType::Xdp).with_maps(&a.relocations, &maps);
        verify(&input)
            .map(drop)
            .map_err(|e| (e[0].rule, e[0].message.clone()))
    }

    #[test]
    fn a_timer_is_armed_through_its_own_value_and_map() {
        assert_eq!(prog("timed", "timed", 8, "r0 = 0"), Ok(()));
        for (lmap, imap, off, want) in [
            ("timed", "timed", 0, "bpf_timer is at offset 8"),
            ("timed", "plain", 8, "initialised with its own map"),
            ("plain", "plain", 8, "no valid bpf_timer"),
            // A per-CPU hash cannot hold a timer (the kernel does not create it).
            ("pcpu", "pcpu", 8, "no valid bpf_timer"),
        ] {
            let got = prog(lmap, imap, off, "r0 = 0");
            assert!(
                matches!(&got, Err((Rule::HelperArgument, m)) if m.contains(want)),
                "{lmap} {imap} {off}: {got:?}"
            );
        }
    }

    #[test]
    fn the_callback_gets_the_map_key_and_value_and_returns_exactly_0() {
        let ok = "r1 = *(u32 *)(r2 + 0)\n*(u64 *)(r3 + 0) = r1\nr0 = 0";
        assert_eq!(prog("timed", "timed", 8, ok), Ok(()));
        for cb in [
            "r0 = 1",
            "r1 = 0",
            "r0 = r3",
            // A value of r0 that the pruning must not merge away: 0 on one way, 1 on the other
            // (whichever way is explored first).
            "r1 = *(u64 *)(r3 + 0)\nr0 = 0\nif r1 > 5 goto +1\nr0 = 1",
            "r1 = *(u64 *)(r3 + 0)\nr0 = 1\nif r1 > 5 goto +1\nr0 = 0",
        ] {
            let got = prog("timed", "timed", 8, cb);
            assert!(matches!(&got, Err((Rule::ReturnValue, _))), "{cb}: {got:?}");
        }
        // The timer's bytes are the kernel's.
        let got = prog("timed", "timed", 8, "r1 = *(u64 *)(r3 + 8)\nr0 = 0");
        assert!(
            matches!(&got, Err((Rule::MemoryAccess, m)) if m.contains("bpf_timer")),
            "{got:?}"
        );
        let got = prog("timed", "timed", 8, "*(u64 *)(r3 + 24) = 0\nr0 = 0");
        assert!(got.is_err(), "{got:?}");
    }

    #[test]
    fn a_timer_callback_has_a_stack_of_its_own_unless_called_directly() {
        let big = "*(u64 *)(r10 - 304) = 0";
        let cb = format!("{big}\nr0 = 0");
        // 320 bytes each, rounded: within 512 each, as two roots.
        assert_eq!(prog_with("timed", "timed", 8, big, &cb), Ok(()));
        // Called directly too: on top of the main function's stack.
        let direct = format!("{big}\ncall cb");
        let got = prog_with("timed", "timed", 8, &direct, &cb);
        assert!(matches!(&got, Err((Rule::CallStack, _))), "{got:?}");
    }
}

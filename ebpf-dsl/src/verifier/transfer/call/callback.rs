//! Callbacks: the function a helper calls back (`bpf_loop`, `bpf_for_each_map_elem`), given as
//! the address of a function of the program (`r2 = my_callback ll`, `BPF_PSEUDO_FUNC`).
//!
//! As the kernel's `push_callback_call`: the path goes on after the call as if the callback
//! ran no time (the helper's `r0` is a number), and a second path enters the callback in a new
//! frame, its registers set as the helper passes them (`set_loop_callback_state`,
//! `map_set_for_each_callback_args`). At the callback's `exit`, `r0` must be 0 or 1 (go on,
//! stop), and the path comes back to the call itself, which runs again: once more round the
//! callback, or on after the call. The call is a checkpoint whose unfinished state, when it
//! covers a later round's, ends that loop (as for `may_goto`), so the exploration stops once a
//! round changes nothing the caller sees.

use super::*;

/// Deepest call chain (`MAX_CALL_FRAMES`).
const MAX_CALL_FRAMES: usize = 8;

impl<'a> Exec<'a> {
    /// The function a callback address `target` (given to a helper called at `pc`) starts:
    /// refused unless it is the first instruction of one of the program's functions.
    pub(super) fn callback_subprog(&self, pc: usize, target: usize) -> R<usize> {
        if target >= self.cfg.subprog_of.len()
            || self.cfg.subprog_starts.binary_search(&target).is_err()
        {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!("the callback at instruction {target} does not start a function"),
            ));
        }
        Ok(self.cfg.subprog_of[target])
    }

    /// The state in which the callback at `target` of helper `id` (called at `pc`) starts:
    /// the caller's state with a new frame on top whose registers the helper sets.
    pub(super) fn callback_state(
        &self,
        pc: usize,
        st: &State,
        id: i32,
        target: usize,
        map: Option<u16>,
        ctx: &RegVal,
    ) -> R<State> {
        let sp = self.callback_subprog(pc, target)?;
        if st.frames.len() >= MAX_CALL_FRAMES {
            return Err(e(
                pc,
                Rule::CallStack,
                format!("calls nest deeper than {MAX_CALL_FRAMES} frames"),
            ));
        }
        if st.frames.iter().any(|f| f.subprog == sp) {
            return Err(e(
                pc,
                Rule::CallStack,
                format!("recursive call: the callback at instruction {target} is already on the call stack (the kernel allows no recursion)"),
            ));
        }
        let mut cb = st.clone();
        // One more round of this call's callback behind the caller on the callback's path.
        let depth = &mut cb.cur_mut().callback_depth;
        *depth = depth.saturating_add(1);
        let idx = cb.frames.len() as u8;
        let mut f = self.fresh_frame(Frame::new(idx, pc, sp));
        match id {
            // bpf_loop: callback(u32 index, void *ctx).
            181 => {
                f.regs[1] = RegVal::Scalar(Scalar::UNKNOWN);
                f.regs[2] = *ctx;
            }
            // bpf_for_each_map_elem: callback(map, key, value, ctx).
            _ => {
                let m = map.unwrap_or(0);
                f.regs[1] = st.cur().regs[1];
                f.regs[2] = RegVal::MapValue {
                    map: self.key_map(m),
                    off: 0,
                    var: Scalar::konst(0),
                    id: 0,
                };
                f.regs[3] = RegVal::MapValue {
                    map: m,
                    off: 0,
                    var: Scalar::konst(0),
                    id: 0,
                };
                f.regs[4] = *ctx;
            }
        }
        cb.frames.push(f);
        Ok(cb)
    }

    /// Whether the call of helper `id` (whose `r1` was `r1`) in state `st` explores another
    /// round of its callback, as the kernel's `check_helper_call` decides: `bpf_loop` only
    /// while the rounds behind the caller (`callback_depth`) are fewer than its count's
    /// maximum (the count is then precise: the call demands its arguments), the other
    /// helpers always (their rounds end when a round's state is covered). The path that goes on
    /// after the call starts with no rounds behind it.
    pub(super) fn another_round(&self, st: &mut State, id: i32, r1: &RegVal) -> bool {
        let depth = std::mem::take(&mut st.cur_mut().callback_depth);
        if id != 181 {
            return true;
        }
        let count = match r1 {
            RegVal::Scalar(s) => s.umax,
            _ => u64::MAX,
        };
        // Older kernels explore the callback whatever the count, 0 too
        // ([`KernelVersion::LOOP_COUNT_ROUNDS`]; `cb_loop_count_zero`, refused by 6.1.192).
        let count = if self.input.kernel < KernelVersion::LOOP_COUNT_ROUNDS {
            count.max(1)
        } else {
            count
        };
        u64::from(depth) < count
    }

    /// Notes whether the `bpf_loop` call at `pc`, with its callback at `target`, can be
    /// inlined after verifying (the kernel's `update_loop_inline_state`): its flags (`r4`)
    /// are the constant 0 and its callback the same on every path.
    pub(super) fn note_loop_inline(&mut self, pc: usize, st: &State, target: usize) {
        let zero = matches!(st.cur().regs[4], RegVal::Scalar(s) if s.umax == 0);
        let fit = zero.then_some(target);
        let at = self.loop_inline.entry(pc).or_insert(fit);
        if *at != fit {
            *at = None;
        }
    }

    /// Whether the innermost frame of `st` runs a callback (its call site is a helper call).
    pub(crate) fn in_callback(&self, st: &State) -> bool {
        st.frames.len() > 1
            && self
                .ops
                .get(st.cur().callsite)
                .is_some_and(crate::verifier::cfg::calls_back)
    }

    /// The rules of a callback's `exit` (`prepare_func_exit`): `r0` is 0 or 1 (the driver's
    /// value sources demand its exact value, as the kernel marks it precise).
    pub(crate) fn check_callback_exit(&self, pc: usize, st: &State) -> R<()> {
        let r0 = &st.cur().regs[0];
        let ok = matches!(r0, RegVal::Scalar(s) if s.smin >= 0 && s.umax <= 1);
        if !ok {
            let helper = match self.ops.get(st.cur().callsite) {
                Some(Op::Call { helper: 164, .. }) => "bpf_for_each_map_elem",
                Some(Op::Call { kfunc: true, .. }) => "bpf_rbtree_add_impl (its less)",
                _ => "bpf_loop",
            };
            return Err(e(
                pc,
                Rule::ReturnValue,
                format!(
                    "a callback of {helper} returns 0 (go on) or 1 (stop), but r0 is {} here",
                    self.describe(r0)
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
    use crate::verifier::domain::state::{covers, covers_masked};

    /// `call bpf_loop` at 5 (or `bpf_for_each_map_elem` with `arr`), its callback at 8.
    fn prog(helper: &str) -> One {
        One::new(&format!(
            "r1 = 1\nr2 = cb ll\nr3 = 0\nr4 = 0\ncall {helper}\nr0 = 0\nexit\ncb:\nr0 = 0\nexit"
        ))
    }

    fn at_call(r1: RegVal, depth: u32) -> State {
        let mut st = state(&[
            (1, r1),
            (2, RegVal::Func { target: 8 }),
            (3, konst(0)),
            (4, konst(0)),
        ]);
        st.cur_mut().callback_depth = depth;
        st
    }

    #[test]
    fn bpf_loop_explores_as_many_rounds_as_its_count_allows() {
        let call = prog("bpf_loop");
        // Round 1 of at most 1: the callback's path has one round behind the caller, the path
        // after the call none.
        let mut st = at_call(konst(1), 0);
        match call.at(5, &mut st) {
            Ok(Step::Branch {
                other_pc: 8,
                other,
                pc: 6,
            }) => {
                assert_eq!(other.frames.len(), 2);
                assert_eq!(other.frames[0].callback_depth, 1);
                assert_eq!(other.frames[1].callback_depth, 0);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(st.frames[0].callback_depth, 0);
        // Back at the call after that round: no more rounds, on after the call.
        let mut st = at_call(konst(1), 1);
        assert!(matches!(call.at(5, &mut st), Ok(Step::Next(6))));
        assert_eq!(st.frames[0].callback_depth, 0);
        // A count of 0: the callback never runs (the kernel does not explore it either).
        let mut st = at_call(konst(0), 0);
        assert!(matches!(call.at(5, &mut st), Ok(Step::Next(6))));
        // A count only bounded by its maximum: rounds go on up to it.
        let mut r1 = Scalar::UNKNOWN;
        r1.umax = 7;
        for (depth, more) in [(6, true), (7, false)] {
            let mut st = at_call(scalar(r1), depth);
            let r = call.at(5, &mut st);
            assert_eq!(matches!(r, Ok(Step::Branch { .. })), more, "{depth}: {r:?}");
        }
    }

    #[test]
    fn for_each_rounds_are_not_bounded_by_a_count() {
        let call = prog("bpf_for_each_map_elem");
        let mut st = at_call(RegVal::MapPtr { map: 0 }, 1000);
        match call.at(5, &mut st) {
            Ok(Step::Branch { other, .. }) => assert_eq!(other.frames[0].callback_depth, 1001),
            other => panic!("{other:?}"),
        }
        assert_eq!(st.frames[0].callback_depth, 0);
    }

    #[test]
    fn a_state_with_more_rounds_behind_it_covers_none_with_fewer() {
        let mut fewer = at_call(konst(4), 1);
        let mut more = fewer.clone();
        more.cur_mut().callback_depth = 2;
        // From `more`, fewer rounds are left to explore than from `fewer`.
        assert!(covers(&fewer, &more, 0x7ff));
        assert!(!covers(&more, &fewer, 0x7ff));
        // The same with liveness and precision (nothing read below the old state).
        assert!(covers_masked(&fewer, &more, 0x7ff, 0, 0, &[]));
        assert!(!covers_masked(&more, &fewer, 0x7ff, 0, 0, &[]));
        fewer.cur_mut().callback_depth = 2;
        assert!(covers(&more, &fewer, 0x7ff));
    }
}

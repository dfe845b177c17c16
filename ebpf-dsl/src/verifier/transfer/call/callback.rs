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

/// Rounds of callbacks (and `may_goto` fall-throughs) one path may take before the verifier
/// gives up: a round that keeps changing a value the program later depends on (a counter in
/// the context that decides the return value) never converges; refusing it is the sound way
/// out (the kernel gives up on such a program too, after many more rounds).
pub(crate) const MAX_CALLBACK_ROUNDS: u32 = 64;

impl<'a> Exec<'a> {
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
        if target >= self.cfg.subprog_of.len()
            || self.cfg.subprog_starts.binary_search(&target).is_err()
        {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!("the callback at instruction {target} does not start a function"),
            ));
        }
        if st.frames.len() >= MAX_CALL_FRAMES {
            return Err(e(
                pc,
                Rule::CallStack,
                format!("calls nest deeper than {MAX_CALL_FRAMES} frames"),
            ));
        }
        let sp = self.cfg.subprog_of[target];
        if st.frames.iter().any(|f| f.subprog == sp) {
            return Err(e(
                pc,
                Rule::CallStack,
                format!("recursive call: the callback at instruction {target} is already on the call stack (the kernel allows no recursion)"),
            ));
        }
        let mut cb = st.clone();
        let idx = cb.frames.len() as u8;
        let mut f = Frame::new(idx, pc, sp);
        match id {
            // bpf_loop: callback(u32 index, void *ctx).
            181 => {
                f.regs[1] = RegVal::Scalar(Scalar::UNKNOWN);
                f.regs[2] = ctx.clone();
            }
            // bpf_for_each_map_elem: callback(map, key, value, ctx).
            _ => {
                let m = map.unwrap_or(0);
                f.regs[1] = st.cur().regs[1].clone();
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
                f.regs[4] = ctx.clone();
            }
        }
        cb.frames.push(f);
        Ok(cb)
    }

    /// Whether the innermost frame of `st` runs a callback (its call site is a helper call).
    pub(crate) fn in_callback(&self, st: &State) -> bool {
        st.frames.len() > 1
            && matches!(
                self.ops.get(st.cur().callsite),
                Some(Op::Call { helper, kfunc: false }) if crate::verifier::helpers::takes_callback(*helper)
            )
    }

    /// The rules of a callback's `exit` (`prepare_func_exit`): `r0` is 0 or 1; and the path
    /// has not gone round more than [`MAX_CALLBACK_ROUNDS`] times.
    pub(crate) fn check_callback_exit(&self, pc: usize, st: &State) -> R<()> {
        if st.may_goto_depth >= MAX_CALLBACK_ROUNDS {
            return Err(e(
                pc,
                Rule::Complexity,
                format!(
                    "the callback called at instruction {} still changes a value the program depends on after {MAX_CALLBACK_ROUNDS} rounds; keep what the callback accumulates out of the program's decisions, or bound it",
                    st.cur().callsite
                ),
            ));
        }
        let r0 = &st.cur().regs[0];
        let ok = matches!(r0, RegVal::Scalar(s) if s.smin >= 0 && s.umax <= 1);
        if !ok {
            let helper = match self.ops.get(st.cur().callsite) {
                Some(Op::Call { helper: 164, .. }) => "bpf_for_each_map_elem",
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

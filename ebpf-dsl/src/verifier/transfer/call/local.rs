//! Calls of functions of the program (bpf-to-bpf calls) and `exit`: the call frames, the
//! return to the caller, and at the program's end the return value and the references still
//! held (`check_func_call`, `prepare_func_exit`, `check_reference_leak`, `check_return_code`).

use super::*;

/// Deepest call chain (`MAX_CALL_FRAMES`).
const MAX_CALL_FRAMES: usize = 8;

impl<'a> Exec<'a> {
    /// `call pc+N`: a new frame for the function at `target`, with `r1`-`r5` as arguments.
    pub(crate) fn call_local(&mut self, pc: usize, st: &mut State, target: usize) -> R<Step> {
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
                format!("recursive call: the function at instruction {target} is already on the call stack (the kernel allows no recursion)"),
            ));
        }
        let idx = st.frames.len() as u8;
        let mut f = Frame::new(idx, pc, sp);
        for r in 1..=5 {
            f.regs[r] = st.cur().regs[r].clone();
        }
        st.frames.push(f);
        Ok(Step::Next(target))
    }

    pub(crate) fn exit(&mut self, pc: usize, st: &mut State) -> R<Step> {
        if st.frames.len() > 1 {
            let callee = st.frames.pop().expect("frame");
            let r0 = callee.regs[0].clone();
            if let RegVal::Stack { .. } | RegVal::StackVar { .. } = r0 {
                return Err(e(
                    pc,
                    Rule::PointerLeak,
                    "a function cannot return a stack pointer to its caller",
                ));
            }
            let caller = st.cur_mut();
            caller.regs[0] = r0;
            for r in 1..=5 {
                caller.regs[r] = RegVal::NotInit;
            }
            return Ok(Step::Next(callee.callsite + 1));
        }
        if let Some((at, msg)) = &st.taint {
            return Err(e(*at, Rule::PointerArithmetic, msg.clone()));
        }
        if !st.refs.is_empty() {
            return Err(e(pc, Rule::ReferenceLeak, leak_message(st)));
        }
        let r0 = &st.cur().regs[0];
        match r0 {
            RegVal::NotInit => Err(e(
                pc,
                Rule::ReturnValue,
                format!(
                "r0 is not set at exit on this path; set the return value first (e.g. `r0 = {}`)",
                if self.family == helpers::avail::XDP { "XDP_PASS" } else { "0" }
            ),
            )),
            // A privileged loader may return a pointer (the kernel's `allow_ptr_leaks`).
            _ => Ok(Step::Done),
        }
    }
}

/// Marks the reference ids of sockets from lookups (ring buffer reservations have it clear), so
/// a leak can be reported as the right kind even when no register holds the pointer any more.
pub(crate) const SOCK_REF: u32 = 1 << 30;

/// Why the references still held at the program's exit are a leak.
fn leak_message(st: &State) -> &'static str {
    if st.refs.iter().any(|r| r & SOCK_REF != 0) {
        "a socket from a lookup is not released on this path (call bpf_sk_release after the null check)"
    } else {
        "a ring buffer reservation is neither submitted nor discarded on this path (call bpf_ringbuf_submit or bpf_ringbuf_discard)"
    }
}

//! Calls of functions of the program (bpf-to-bpf calls) and `exit`: the call frames, the
//! return to the caller, and at the program's end the return value and the references still
//! held (`check_func_call`, `prepare_func_exit`, `check_reference_leak`, `check_return_code`).

use super::*;

/// Deepest call chain (`MAX_CALL_FRAMES`).
const MAX_CALL_FRAMES: usize = 8;

impl<'a> Exec<'a> {
    /// `call pc+N`: a new frame for the function at `target`, with `r1`-`r5` as arguments.
    pub(crate) fn call_local(&mut self, pc: usize, st: &mut State, target: usize) -> R<Step> {
        if let Some(g) = self.global_at(target) {
            return self.call_global(pc, st, target, g);
        }
        let sp = self.check_call_local(pc, st, target)?;
        if st.lock.is_some() && self.input.kernel < KernelVersion::STATIC_CALL_UNDER_LOCK {
            return Err(e(
                pc,
                Rule::HelperNotAllowed,
                format!(
                    "a call of a function of the program while a bpf_spin_lock is held needs Linux {}, but the target kernel is {} (see verifier::target; the kernel: function calls are not allowed while holding a lock)",
                    KernelVersion::STATIC_CALL_UNDER_LOCK,
                    self.input.kernel
                ),
            ));
        }
        push_frame(st, pc, sp);
        st.cur_mut().alloc = crate::verifier::domain::state::SLOTS as u8;
        if self.unset_frames() {
            st.cur_mut().stack = crate::verifier::domain::state::Stack::unset();
        }
        Ok(Step::Next(target))
    }

    /// The rules of a bpf-to-bpf call (`check_func_call`): at most [`MAX_CALL_FRAMES`] frames,
    /// no recursion. Returns the subprogram called.
    fn check_call_local(&self, pc: usize, st: &State, target: usize) -> R<usize> {
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
        Ok(sp)
    }

    /// `exit`: back to the caller, or the end of the path.
    pub(crate) fn exit(&mut self, pc: usize, st: &mut State) -> R<Step> {
        if self.in_callback(st) {
            // Back to the helper call, which runs again (another round, or on after it);
            // the caller's registers are as they were at the call.
            self.check_callback_exit(pc, st)?;
            let callee = st.frames.pop().expect("frame");
            st.may_goto_depth = st.may_goto_depth.saturating_add(1);
            return Ok(Step::Callback {
                callsite: callee.callsite,
            });
        }
        self.check_exit(pc, st)?;
        if self.in_async_callback(st) {
            self.check_async_exit(pc, st)?;
        }
        if st.frames.len() > 1 {
            if st.lock.is_some() && self.input.kernel < KernelVersion::STATIC_CALL_UNDER_LOCK {
                return Err(e(
                    pc,
                    Rule::HelperNotAllowed,
                    format!(
                        "a function returning with a bpf_spin_lock held needs Linux {}, but the target kernel is {} (see verifier::target; the kernel: bpf_spin_unlock is missing)",
                        KernelVersion::STATIC_CALL_UNDER_LOCK,
                        self.input.kernel
                    ),
                ));
            }
            return Ok(Step::Next(pop_frame(st)));
        }
        Ok(Step::Done)
    }

    /// A tail call in a subprogram that is taken (`bpf_tail_call`, helper 12): only the
    /// subprogram's frame is replaced, so the tail-called program's value returns to the
    /// caller. The kernel walks that as a return right after the call, with `r0` unknown and
    /// the packet pointers of every frame invalidated (`check_helper_call`); the path that
    /// goes on after the call (the tail call failed) is the caller's. `None` outside a
    /// subprogram or in a callback (the kernel refuses that one elsewhere). Added for every
    /// target: it only adds a path.
    pub(crate) fn tail_call_taken(&self, st: &State) -> Option<(usize, State)> {
        if st.frames.len() < 2 || self.in_callback(st) {
            return None;
        }
        let mut taken = st.clone();
        taken.for_each_reg(|r| {
            if r.is_packet() {
                *r = RegVal::Scalar(Scalar::UNKNOWN);
            }
        });
        taken.cur_mut().regs[0] = RegVal::Scalar(Scalar::UNKNOWN);
        let next = pop_frame(&mut taken);
        Some((next, taken))
    }

    /// A legacy packet load (LD_ABS / LD_IND) in a subprogram that fails: the load's hidden
    /// exit (`bpf_gen_ld_abs`) ends the function with `r0 = 0`, a path Linux 6.13+ walks back
    /// into the caller ([`KernelVersion::LD_ABS_SUBPROG_EXIT`], `check_ld_abs`: `push_stack`
    /// of the load's next instruction, `mark_reg_known_zero`, `prepare_func_exit`). `st` is the
    /// state after the load; `None` outside a subprogram, in a callback (refused before) or
    /// for an older target.
    pub(crate) fn ld_abs_exit(&self, st: &State) -> Option<(usize, State)> {
        if st.frames.len() < 2
            || self.in_callback(st)
            || self.input.kernel < KernelVersion::LD_ABS_SUBPROG_EXIT
        {
            return None;
        }
        let mut early = st.clone();
        early.cur_mut().regs[0] = RegVal::Scalar(Scalar::konst(0));
        let next = pop_frame(&mut early);
        Some((next, early))
    }

    /// The rules of `exit`: a function returns no pointer to its own stack
    /// (`prepare_func_exit`); the program's end (`check_reference_leak`, `check_return_code`)
    /// needs no pending pointer-arithmetic taint, no reference still held and `r0` set (a
    /// privileged loader may return a pointer, the kernel's `allow_ptr_leaks`).
    fn check_exit(&self, pc: usize, st: &State) -> R<()> {
        if st.frames.len() > 1 {
            if let RegVal::Stack { .. } | RegVal::StackVar { .. } = st.cur().regs[0] {
                return Err(e(
                    pc,
                    Rule::PointerLeak,
                    "a function cannot return a stack pointer to its caller",
                ));
            }
            return Ok(());
        }
        self.check_global_exit(pc, st)?;
        if let Some((at, msg)) = &st.taint {
            return Err(e(*at, Rule::PointerArithmetic, msg.clone()));
        }
        if !st.refs.is_empty() {
            return Err(e(pc, Rule::ReferenceLeak, leak_message(st)));
        }
        if matches!(st.cur().regs[0], RegVal::NotInit) {
            return Err(e(
                pc,
                Rule::ReturnValue,
                format!(
                "r0 is not set at exit on this path; set the return value first (e.g. `r0 = {}`)",
                if self.family == helpers::avail::XDP { "XDP_PASS" } else { "0" }
            ),
            ));
        }
        Ok(())
    }
}

/// A new frame for subprogram `sp` called at `pc`, with the caller's `r1`-`r5`.
fn push_frame(st: &mut State, pc: usize, sp: usize) {
    let idx = st.frames.len() as u8;
    let mut f = Frame::new(idx, pc, sp);
    for r in 1..=5 {
        f.regs[r] = st.cur().regs[r];
    }
    st.frames.push(f);
}

/// Returns from the innermost frame: the caller gets its `r0`, loses `r1`-`r5`; gives the
/// instruction after the call.
fn pop_frame(st: &mut State) -> usize {
    let callee = st.frames.pop().expect("frame");
    let caller = st.cur_mut();
    caller.regs[0] = callee.regs[0];
    for r in 1..=5 {
        caller.regs[r] = RegVal::NotInit;
    }
    callee.callsite + 1
}

/// Marks the reference ids of sockets from lookups (ring buffer reservations have it clear), so
/// a leak can be reported as the right kind even when no register holds the pointer any more.
pub(crate) const SOCK_REF: u32 = 1 << 30;

/// Why the references still held at the program's exit are a leak.
pub(crate) fn leak_message(st: &State) -> &'static str {
    if st.refs.iter().any(|r| r & super::iter::ITER_REF != 0) {
        "an open-coded iterator (bpf_iter_*_new, e.g. from bpf_for) is not destroyed on this path: call bpf_iter_*_destroy on it before the exit (the kernel: `Unreleased reference`)"
    } else if st.refs.iter().any(|r| r & super::kfunc_nf::KOBJ_REF != 0) {
        "a struct nf_conn from a conntrack kfunc is not released on this path (call bpf_ct_release, or bpf_ct_insert_entry for an allocated one, after the null check)"
    } else if st.refs.iter().any(|r| r & super::graph::ALLOC_REF != 0) {
        "an object the program owns (from bpf_obj_new, bpf_percpu_obj_new, bpf_kptr_xchg, bpf_rbtree_remove or a list pop) is not released on this path (drop it with bpf_obj_drop or bpf_percpu_obj_drop, add it to a tree or list or stash it with bpf_kptr_xchg, after the null check)"
    } else if st.refs.iter().any(|r| r & SOCK_REF != 0) {
        "a socket from a lookup is not released on this path (call bpf_sk_release after the null check)"
    } else {
        "a ring buffer reservation is neither submitted nor discarded on this path (call bpf_ringbuf_submit or bpf_ringbuf_discard)"
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    const PROG: &str = "call f\nexit\nf:\nr0 = 0\nexit";

    #[test]
    fn a_call_opens_a_frame_with_the_arguments_and_exit_returns_r0() {
        let mut st = state(&[(2, konst(7)), (6, konst(9))]);
        assert_eq!(One::new(PROG).next(&mut st), 2);
        assert_eq!(st.frames.len(), 2);
        assert_eq!(
            (reg(&st, 1), reg(&st, 2)),
            (&RegVal::Ctx { off: 0 }, &konst(7))
        );
        assert_eq!(*reg(&st, 6), RegVal::NotInit);
        assert_eq!(*reg(&st, 10), RegVal::Stack { frame: 1, off: 0 });
        st.cur_mut().regs[0] = konst(1);
        match One::new(PROG).at(3, &mut st) {
            Ok(Step::Next(1)) => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(st.frames.len(), 1);
        assert_eq!((reg(&st, 0), reg(&st, 6)), (&konst(1), &konst(9)));
        assert_eq!(*reg(&st, 1), RegVal::NotInit);
    }

    #[test]
    fn a_function_may_not_return_its_stack() {
        let mut st = state(&[]);
        One::new(PROG).next(&mut st);
        st.cur_mut().regs[0] = RegVal::Stack { frame: 1, off: -8 };
        let err = One::new(PROG).at(3, &mut st).unwrap_err();
        assert_eq!(
            (err.rule, err.message.as_str()),
            (
                Rule::PointerLeak,
                "a function cannot return a stack pointer to its caller"
            )
        );
    }

    #[test]
    fn the_program_exit_needs_r0_and_no_references() {
        let exit = One::new("exit");
        let (rule, msg) = exit.refused(&mut state(&[]));
        assert_eq!(
            (rule, msg.as_str()),
            (
                Rule::ReturnValue,
                "r0 is not set at exit on this path; set the return value first (e.g. `r0 = XDP_PASS`)"
            )
        );
        let (_, msg) = exit
            .ty(crate::spec::ProgramType::SchedCls)
            .refused(&mut state(&[]));
        assert!(msg.ends_with("(e.g. `r0 = 0`)"), "{msg}");
        let mut st = state(&[(0, konst(2))]);
        st.refs.push(5);
        let (rule, msg) = One::new("exit").refused(&mut st);
        assert_eq!(rule, Rule::ReferenceLeak);
        assert!(
            msg.starts_with("a ring buffer reservation is neither submitted nor discarded"),
            "{msg}"
        );
        st.refs = vec![5 | SOCK_REF];
        let (_, msg) = One::new("exit").refused(&mut st);
        assert!(
            msg.starts_with("a socket from a lookup is not released"),
            "{msg}"
        );
        // A pointer may be returned (privileged).
        let mut st = state(&[(0, pkt(0, 0))]);
        assert!(matches!(One::new("exit").apply(&mut st), Ok(Step::Done)));
    }

    #[test]
    fn a_tainted_path_is_refused_at_its_end_where_the_taint_was_made() {
        let mut st = state(&[(0, konst(0))]);
        st.taint = Some((7, "an offset the kernel may refuse".to_string()));
        let err = One::new("exit").apply(&mut st).unwrap_err();
        assert_eq!(
            (err.insn_index, err.rule, err.message.as_str()),
            (
                7,
                Rule::PointerArithmetic,
                "an offset the kernel may refuse"
            )
        );
        // A function's exit does not look at the taint: the caller's path goes on.
        let mut st = state(&[]);
        One::new(PROG).next(&mut st);
        st.taint = Some((7, "later".to_string()));
        st.cur_mut().regs[0] = konst(0);
        assert!(matches!(One::new(PROG).at(3, &mut st), Ok(Step::Next(1))));
    }

    #[test]
    fn calls_nest_at_most_eight_frames() {
        let mut st = state(&[]);
        for i in 1..8 {
            st.frames.push(Frame::new(i, 0, 0));
        }
        let (rule, msg) = One::new(PROG).refused(&mut st);
        assert_eq!(
            (rule, msg.as_str()),
            (Rule::CallStack, "calls nest deeper than 8 frames")
        );
        // The function is already on the call stack: recursion.
        let mut st = state(&[]);
        st.frames.push(Frame::new(1, 0, 1));
        let (rule, msg) = One::new(PROG).refused(&mut st);
        assert_eq!(rule, Rule::CallStack);
        assert!(
            msg.starts_with("recursive call: the function at instruction 2"),
            "{msg}"
        );
    }
}

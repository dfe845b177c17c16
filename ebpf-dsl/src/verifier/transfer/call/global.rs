//! Global functions (BTF linkage `BTF_FUNC_GLOBAL`, [`crate::btf::GlobalFunc`]), as the
//! kernel verifies them:
//!
//! - a call (`check_func_call`, `btf_check_subprog_call`, `btf_check_func_arg_match`) checks
//!   only the arguments against the prototype: a number for `scalar`; the unmodified context
//!   for `ctx`; for `mem SIZE` NULL (a zero), or a pointer through which `SIZE` bytes may be
//!   read and written (`check_mem_reg`: the stack, a writable map value, the packet within its
//!   proven range, another such argument; one that may be NULL only if the argument may be),
//!   whose stack bytes the call clobbers (`check_stack_range_initialized` as for a helper:
//!   every byte becomes unknown, a spilled register too). Then "Func#N ('name') is global
//!   and assumed valid.": `r0` is an unknown number, `r1`-`r5` are clobbered, and the packet
//!   pointers are invalidated if the function (or a function it calls) may change the packet
//!   (`changes_pkt_data`). No frame is pushed; the body is not walked there;
//! - after the main program, every global function a verified path called is verified once
//!   on its own (`do_check_subprogs`, `do_check_common`), in the order of their first
//!   instructions, again until no new one was called: `r1`... start as the arguments say
//!   (an unknown number; the context; `SIZE` bytes of memory, maybe NULL), it runs in frame 0,
//!   and its `r0` at `exit` must be a number ("At subprogram exit the register R0 is not a
//!   scalar value"); the instructions processed count towards the same limit.
//!
//! A global function's address may not be taken as a callback ("callback function not
//! static"), and a prototype the kernel refuses makes every call of it refused. A context
//! argument given by its tag alone (a `void *` tagged `__arg_ctx`,
//! [`GlobalArg::CtxTagged`]) needs a kernel that reads the tags
//! ([`KernelVersion::GLOBAL_ARG_TAGS`]): for an older target the program is refused whether
//! the function is called or not (6.6.47 verifies every global function and refuses that
//! prototype: "arg#0 reference type('UNKNOWN ') size cannot be determined").

use super::*;
use crate::btf::{GlobalArg, GlobalFunc};

impl<'a> Exec<'a> {
    /// The index in [`super::super::super::VerifyInput::globals`] of the global function
    /// starting at `target`, if it is one.
    pub(crate) fn global_at(&self, target: usize) -> Option<usize> {
        if target == 0 {
            return None;
        }
        self.input
            .globals
            .iter()
            .position(|g| g.insn as usize == target)
    }

    /// `call` of the global function `g` (at `target`): see the module docs.
    pub(crate) fn call_global(
        &mut self,
        pc: usize,
        st: &mut State,
        target: usize,
        g: usize,
    ) -> R<Step> {
        let f: &'a GlobalFunc = &self.input.globals[g];
        let sp = self.cfg.subprog_of[target];
        let bad = |m: String| {
            e(
                pc,
                Rule::HelperArgument,
                format!(
                    "Caller passes invalid args into func#{sp} ('{}'): {m}",
                    f.name
                ),
            )
        };
        if st.lock.is_some() {
            return Err(e(
                pc,
                Rule::HelperNotAllowed,
                format!(
                    "a call of the global function {}() while a bpf_spin_lock is held: global function calls are not allowed while holding a lock (a static function may be called)",
                    f.name
                ),
            ));
        }
        if let Some(why) = f.refusal() {
            return Err(bad(why));
        }
        let mut writes = Vec::new();
        for (i, a) in f.args.iter().enumerate() {
            let r = i as u8 + 1;
            let v = st.cur().regs[r as usize];
            match a {
                GlobalArg::Scalar => {
                    if !matches!(v, RegVal::Scalar(_)) {
                        return Err(bad(format!(
                            "R{r} is not a scalar (arg#{i} is a number), it is {}",
                            self.describe(&v)
                        )));
                    }
                }
                // (A tagged one before GLOBAL_ARG_TAGS is refused by `check_globals`.)
                GlobalArg::Ctx | GlobalArg::CtxTagged => match v {
                    RegVal::Ctx { off: 0 } => {}
                    RegVal::Ctx { off } => {
                        return Err(bad(format!(
                            "dereference of modified ctx ptr R{r} off={off} disallowed (arg#{i} is the context)"
                        )))
                    }
                    _ => {
                        return Err(bad(format!(
                            "arg#{i} expects pointer to ctx, but R{r} is {}",
                            self.describe(&v)
                        )))
                    }
                },
                GlobalArg::Mem { size, nonnull } => {
                    // Before GLOBAL_ARG_TAGS the kernel ignores `arg:nonnull`.
                    let nonnull = &(*nonnull && self.input.kernel >= KernelVersion::GLOBAL_ARG_TAGS);
                    let null = matches!(v, RegVal::Scalar(s) if s.as_const() == Some(0));
                    let maybe_null = null || is_or_null(&v);
                    // NULL where NULL is allowed (`check_mem_reg`: `register_is_null`); before
                    // NONNULL_REFUSES_ZERO a tagged argument too (only a pointer that may be
                    // NULL is refused there).
                    if null
                        && (!*nonnull || self.input.kernel < KernelVersion::NONNULL_REFUSES_ZERO)
                    {
                        continue;
                    }
                    let p = if maybe_null { not_null(&v) } else { v };
                    if *nonnull && maybe_null {
                        return Err(e(
                            pc,
                            Rule::NullCheck,
                            format!(
                                "Caller passes invalid args into func#{sp} ('{}'): arg#{i} is expected to be non-NULL (__arg_nonnull), but R{r} is {}; null-check it first",
                                f.name,
                                self.describe(&v)
                            ),
                        ));
                    }
                    // The helper-memory checks name a helper (`bpf_NAME`): they name the
                    // global function here.
                    let name = "\u{0}";
                    let named = |mut x: VerifierError| {
                        x.message = x
                            .message
                            .replace("bpf_\u{0}", &format!("the call of {}()", f.name));
                        x
                    };
                    let n = *size as u64;
                    match p {
                        // A variable offset too, as for a helper (`check_mem_reg` is
                        // `check_helper_mem_access`): the whole range it may cover is checked
                        // and clobbered.
                        RegVal::Stack { .. } | RegVal::StackVar { .. } => {
                            writes.extend(
                                self.check_helper_mem(pc, st, r, &p, n, true, name)
                                    .map_err(named)?,
                            );
                        }
                        RegVal::MapValue { .. } => {
                            self.check_helper_mem(pc, st, r, &p, n, false, name)
                                .map_err(named)?;
                            self.check_helper_mem(pc, st, r, &p, n, true, name)
                                .map_err(named)?;
                        }
                        // A read-only dynptr slice: the kernel checks the memory writable
                        // too (`check_mem_reg`), which refuses it.
                        RegVal::Ringbuf { ref_id, .. } if ref_id & DYNPTR_SLICE != 0 => {
                            self.check_helper_mem(pc, st, r, &p, n, true, name)
                                .map_err(named)?;
                        }
                        RegVal::Pkt { .. } | RegVal::Ringbuf { .. } => {
                            self.check_helper_mem(pc, st, r, &p, n, false, name)
                                .map_err(named)?;
                        }
                        _ => {
                            return Err(bad(format!(
                                "arg#{i} is {size} bytes of memory (the stack, a map value, the packet) or NULL, but R{r} is {}",
                                self.describe(&v)
                            )))
                        }
                    }
                }
                GlobalArg::Refused(why) => return Err(bad(why.clone())),
                GlobalArg::NotModelled(what) => {
                    return Err(e(
                        pc,
                        Rule::Unsupported,
                        format!(
                            "the global function {}() takes {what} as arg#{i}, which this verifier does not model",
                            f.name
                        ),
                    ))
                }
            }
        }
        for w in &writes {
            mark_written(st, w);
        }
        // (Before CALLS_CLEAR_PKT a global function is taken to leave the packet alone.)
        if self.input.kernel >= KernelVersion::CALLS_CLEAR_PKT && self.global_changes_pkt(sp) {
            st.for_each_reg(|r| {
                if r.is_packet() {
                    *r = RegVal::Scalar(Scalar::UNKNOWN);
                }
            });
        }
        self.global_called[sp] = true;
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        self.set(st, 0, RegVal::Scalar(Scalar::UNKNOWN));
        Ok(Step::Next(pc + 1))
    }

    /// Whether subprogram `sp` or a function it calls (or takes as a callback) calls a helper
    /// that changes the packet (the kernel's `changes_pkt_data`, `merge_callee_effects`):
    /// `bpf_tail_call` counts, as in the kernel's `bpf_helper_changes_pkt_data` (the program
    /// it calls may change the packet), though a failed tail call of the main program keeps
    /// its packet pointers on 6.18 (`helper_tail_call_keeps_pkt.s`).
    fn global_changes_pkt(&self, sp: usize) -> bool {
        let n = self.cfg.subprog_starts.len();
        let mut seen = vec![false; n];
        let mut work = vec![sp];
        while let Some(s) = work.pop() {
            if std::mem::replace(&mut seen[s], true) {
                continue;
            }
            let start = self.cfg.subprog_starts[s];
            let end = self
                .cfg
                .subprog_starts
                .get(s + 1)
                .copied()
                .unwrap_or(self.ops.len());
            for (i, op) in self.ops.iter().enumerate().take(end).skip(start) {
                match *op {
                    Op::Call {
                        helper,
                        kfunc: false,
                    } if helper == 12 || helpers::proto(helper).is_some_and(|p| p.changes_pkt) => {
                        return true
                    }
                    Op::Call {
                        helper,
                        kfunc: true,
                    } if crate::xdp::dynptr::DynptrKfunc::from_placeholder(helper)
                        == Some(crate::xdp::dynptr::DynptrKfunc::XdpPullData) =>
                    {
                        return true
                    }
                    Op::CallLocal { target } => work.push(self.cfg.subprog_of[target]),
                    _ => {}
                }
                if let Some(t) = super::super::super::cfg::func_target(op, i) {
                    if t < self.ops.len() {
                        work.push(self.cfg.subprog_of[t]);
                    }
                }
            }
        }
        false
    }

    /// The next global function to verify on its own (`do_check_subprogs`): the first, by
    /// its first instruction, that a verified path called and that is not verified yet;
    /// marked verified. Its first instruction and starting state.
    pub(crate) fn next_global(&mut self) -> Option<(usize, State)> {
        let sp = (1..self.global_called.len())
            .find(|&s| self.global_called[s] && !self.global_verified[s])?;
        self.global_verified[sp] = true;
        let start = self.cfg.subprog_starts[sp];
        let g = &self.input.globals[self.global_at(start)?];
        let mut st = super::super::super::initial_state();
        let mut f = self.fresh_frame(Frame::new(0, 0, sp));
        for (i, a) in g.args.iter().enumerate().take(5) {
            f.regs[i + 1] = match a {
                GlobalArg::Ctx | GlobalArg::CtxTagged => RegVal::Ctx { off: 0 },
                // `arg:nonnull` counts from GLOBAL_ARG_TAGS (before, the body null-checks).
                GlobalArg::Mem {
                    size,
                    nonnull: true,
                } if self.input.kernel >= KernelVersion::GLOBAL_ARG_TAGS => RegVal::Ringbuf {
                    size: *size,
                    off: 0,
                    var: Scalar::konst(0),
                    ref_id: 0,
                },
                GlobalArg::Mem { size, .. } => RegVal::RingbufOrNull {
                    size: *size,
                    id: st.fresh(),
                    ref_id: 0,
                },
                _ => RegVal::Scalar(Scalar::UNKNOWN),
            };
        }
        st.frames = vec![f];
        Some((start, st))
    }

    /// At the `exit` of a global function's own frame: `r0` must be a number
    /// (`check_return_code` for a subprogram).
    pub(crate) fn check_global_exit(&self, pc: usize, st: &State) -> R<()> {
        let r0 = &st.cur().regs[0];
        // (A timer callback's frame has its own rule: `timer.rs`.)
        // (The exception callback's return is the program's: `throw.rs`.)
        if st.frames.len() == 1
            && st.frames[0].subprog != 0
            && r0.is_pointer()
            && !self.in_async_callback(st)
            && !self.in_exception_cb(st)
        {
            return Err(e(
                pc,
                Rule::ReturnValue,
                format!(
                    "At subprogram exit the register R0 is not a scalar value: a global function returns a number, r0 is {}",
                    self.describe(r0)
                ),
            ));
        }
        Ok(())
    }
}

/// The checks of the global functions that need no path (`verify_with`): each starts a
/// function of the program (a call's target), none is taken as a callback ("callback
/// function not static"), none takes a context by its tag alone before the target reads
/// the tags (see the module docs), and before [`KernelVersion::GLOBAL_LAZY`] (when the kernel
/// verifies every global function, called or not) each has a prototype the kernel takes.
pub(crate) fn check_globals(
    input: &crate::verifier::VerifyInput,
    ops: &[Op],
    cfg: &crate::verifier::cfg::Cfg,
) -> Result<(), Vec<VerifierError>> {
    let mut errs = Vec::new();
    for g in input.globals.iter().filter(|g| g.insn != 0) {
        if input.kernel < KernelVersion::GLOBAL_LAZY && !g.exception_cb {
            let before = format!(
                "Linux before 6.8 (assumed before {}, the target is {}) verifies every global function, called or not",
                KernelVersion::GLOBAL_LAZY.line(),
                input.kernel
            );
            if let Some(why) = g.refusal() {
                errs.push(e(
                    g.insn as usize,
                    Rule::HelperArgument,
                    format!("{why}: {before}, so the program is refused even if nothing calls it"),
                ));
            }
            if let Some((i, GlobalArg::NotModelled(what))) = g
                .args
                .iter()
                .enumerate()
                .find(|(_, a)| matches!(a, GlobalArg::NotModelled(_)))
            {
                errs.push(e(
                    g.insn as usize,
                    Rule::Unsupported,
                    format!(
                        "the global function {}() takes {what} as arg#{i}, which this verifier does not model ({before})",
                        g.name
                    ),
                ));
            }
        }
        if input.kernel < KernelVersion::GLOBAL_ARG_TAGS {
            if let Some(i) = g.args.iter().position(|a| *a == GlobalArg::CtxTagged) {
                let ctx = input
                    .prog_type
                    .ctx_struct()
                    .map_or("the program type's context structure".to_string(), |s| {
                        format!("`struct {s} *`")
                    });
                errs.push(e(
                    g.insn as usize,
                    Rule::HelperArgument,
                    format!(
                        "arg#{i} of the global function {}() is a `void *` tagged `__arg_ctx` (`arg:ctx`), which Linux reads as the context from 6.8 on (assumed from {}); {} ignores the tag and refuses the function (\"arg#{i} reference type('UNKNOWN ') size cannot be determined\"): type the argument as {ctx}, or verify for target {} or later",
                        g.name,
                        KernelVersion::GLOBAL_ARG_TAGS.line(),
                        input.kernel,
                        KernelVersion::GLOBAL_ARG_TAGS.line()
                    ),
                ));
            }
        }
        if !cfg.subprog_starts.contains(&(g.insn as usize)) {
            errs.push(e(
                g.insn as usize,
                Rule::Structure,
                format!(
                    "the global function {}() at instruction {} is not a function of the program (no call targets it)",
                    g.name, g.insn
                ),
            ));
        }
    }
    for (i, op) in ops.iter().enumerate() {
        if let Some(t) = crate::verifier::cfg::func_target(op, i) {
            if let Some(g) = input
                .globals
                .iter()
                .find(|g| g.insn as usize == t && t != 0)
            {
                errs.push(e(
                    i,
                    Rule::Structure,
                    format!(
                        "callback function not static: {}() is global, a callback must be a static function",
                        g.name
                    ),
                ));
            }
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

#[cfg(test)]
mod tests {
    use crate::spec::ProgramType;
    use crate::verifier::{verify, KernelVersion, Report, Rule, VerifierError, VerifyInput};

    fn run(src: &str) -> Result<Report, Vec<VerifierError>> {
        let a = crate::asm::assemble(src).expect("assembles");
        verify(&VerifyInput::new(&a.insns, ProgramType::Xdp).with_globals(&a.globals))
    }

    /// Three calls, one walk of the body: `f` is verified once, on its own.
    #[test]
    fn a_global_function_is_verified_once_and_each_call_only_checks_its_arguments() {
        let body = "f:\nr0 = r1\nr0 &= 3\nr0 += 1\nr0 += 1\nr0 += 1\nexit\n";
        let main = "r1 = 1\ncall f\nr1 = 2\ncall f\nr1 = 3\ncall f\nr0 = 2\nexit\n";
        let global = run(&format!(".global_func f(scalar)\n{main}{body}")).unwrap();
        let fixed = run(&format!("{main}{body}")).unwrap();
        // Main: 8 instructions; the body: 6, once (static: walked again at the other calls).
        assert_eq!(global.insns_processed, 8 + 6);
        assert!(fixed.insns_processed > global.insns_processed);
        // r0 after the call is unknown, r1-r5 clobbered.
        let e = run(".global_func f()\ncall f\nr0 = r1\nexit\nf:\nr0 = 0\nexit\n").unwrap_err();
        assert_eq!(e[0].rule, Rule::UninitRegister, "{}", e[0]);
    }

    #[test]
    fn arguments_are_checked_against_the_prototype() {
        let refused = |src: &str| run(src).unwrap_err().remove(0);
        let e = refused(".global_func f(scalar)\ncall f\nexit\nf:\nr0 = 0\nexit\n");
        assert_eq!(e.rule, Rule::HelperArgument);
        assert!(
            e.message
                .starts_with("Caller passes invalid args into func#1 ('f'): R1 is not a scalar"),
            "{}",
            e.message
        );
        let e = refused(
            ".global_func f(mem 8 nonnull)\nr1 = 0\ncall f\nexit\nf:\nr0 = *(u64 *)(r1 + 0)\nexit\n",
        );
        assert_eq!(e.rule, Rule::NullCheck);
        // The body is checked for every value its prototype allows: NULL here.
        let e = refused(
            ".global_func f(mem 8)\n*(u64 *)(r10 - 8) = 0\nr1 = r10\nr1 += -8\ncall f\nexit\nf:\nr0 = *(u64 *)(r1 + 0)\nexit\n",
        );
        assert_eq!((e.insn_index, e.rule), (5, Rule::NullCheck));
        // A declared global that no call targets is not a function of the program.
        let e = refused(".global_func f()\nr0 = 0\nf:\nexit\n");
        assert_eq!(e.rule, Rule::Structure);
    }

    #[test]
    fn a_stack_buffer_at_a_variable_offset_is_memory_and_is_clobbered() {
        let call = |mask: u32, after: &str| {
            run(&format!(
                ".global_func f(mem 8)\nr2 = *(u32 *)(r1 + 12)\nr2 &= {mask}\n*(u64 *)(r10 - 16) = 0\n*(u64 *)(r10 - 8) = 0\nr1 = r10\nr1 += -16\nr1 += r2\ncall f\n{after}r0 = 2\nexit\nf:\nr0 = 0\nexit\n"
            ))
        };
        assert!(call(8, "").is_ok());
        // 8 bytes at r10 - 16 + 16 pass the frame's top.
        let e = call(16, "").unwrap_err();
        assert_eq!(e[0].rule, Rule::StackAccess, "{}", e[0]);
        // The zero at r10 - 8 is unknown after the call: no longer a null-checked constant.
        let e = call(
            8,
            "r3 = *(u64 *)(r10 - 8)\nr4 = r10\nr4 += r3\nr0 = *(u8 *)(r4 - 1)\n",
        )
        .unwrap_err();
        assert_eq!(e[0].insn_index, 10, "{}", e[0]);
        assert!(call(8, "r3 = *(u64 *)(r10 - 16)\n").is_ok());
    }

    #[test]
    fn a_context_given_by_its_tag_alone_needs_a_target_that_reads_the_tags() {
        let src = |arg: &str| {
            format!(".global_func f({arg})\ncall f\nexit\nf:\nr0 = *(u32 *)(r1 + 12)\nexit\n")
        };
        let verify_for = |src: &str, pt: ProgramType, k: KernelVersion| {
            let a = crate::asm::assemble(src).expect("assembles");
            verify(
                &VerifyInput::new(&a.insns, pt)
                    .with_globals(&a.globals)
                    .with_kernel(k),
            )
        };
        // The default target (6.6) refuses it, called or not, naming the fix.
        let e = run(&src("ctx tagged")).unwrap_err().remove(0);
        assert_eq!((e.insn_index, e.rule), (2, Rule::HelperArgument));
        assert!(
            e.message.contains("arg#0 of the global function f()")
                && e.message.contains("type the argument as `struct xdp_md *`")
                && e.message.contains("target 6.12"),
            "{}",
            e.message
        );
        let e = verify_for(
            &src("scalar, ctx tagged"),
            ProgramType::SchedCls,
            KernelVersion::new(6, 11),
        )
        .unwrap_err()
        .remove(0);
        assert!(e.message.contains("`struct __sk_buff *`"), "{}", e.message);
        let dead = ".global_func f(ctx tagged)\nr1 = 0\nif r1 != 0 goto c\nr0 = 2\nexit\nc:\ncall f\nexit\nf:\nr0 = 2\nexit\n";
        assert!(run(dead).is_err());
        // From GLOBAL_ARG_TAGS it is the context; the typed form is on every target.
        let tags = KernelVersion::GLOBAL_ARG_TAGS.line();
        assert!(verify_for(&src("ctx tagged"), ProgramType::Xdp, tags).is_ok());
        assert!(verify_for(dead, ProgramType::Xdp, tags).is_ok());
        assert!(run(&src("ctx")).is_ok());
    }

    #[test]
    fn only_the_called_globals_are_verified_and_those_they_call_too() {
        // g is called by f only: verified after f, and refused there.
        let e = run(".global_func f()\n.global_func g(mem 4)\ncall f\nexit\nf:\n*(u32 *)(r10 - 4) = 0\nr1 = r10\nr1 += -4\ncall g\nexit\ng:\nr0 = *(u32 *)(r1 + 0)\nexit\n")
            .unwrap_err();
        assert_eq!((e[0].insn_index, e[0].rule), (7, Rule::NullCheck));
        // Never called: never verified, from GLOBAL_LAZY; before, every global function is
        // verified, called or not, and a prototype the kernel refuses is refused anyway.
        let dead = |g: &str, body: &str, k: KernelVersion| {
            let a = crate::asm::assemble(&format!(
                ".global_func {g}\nr1 = 0\nif r1 != 0 goto c\nr0 = 2\nexit\nc:\ncall g\nexit\ng:\n{body}exit\n"
            ))
            .expect("assembles");
            verify(
                &VerifyInput::new(&a.insns, ProgramType::Xdp)
                    .with_globals(&a.globals)
                    .with_kernel(k),
            )
        };
        let lazy = KernelVersion::GLOBAL_LAZY.line();
        let old = KernelVersion::new(6, 6);
        let null_deref = "r0 = *(u32 *)(r1 + 0)\n";
        dead("g(mem 4)", null_deref, lazy).unwrap();
        let e = dead("g(mem 4)", null_deref, old).unwrap_err();
        assert_eq!(
            (e[0].insn_index, e[0].rule),
            (6, Rule::NullCheck),
            "{}",
            e[0]
        );
        dead("g() -> void", "r0 = 0\n", lazy).unwrap();
        let e = dead("g() -> void", "r0 = 0\n", old).unwrap_err();
        assert!(
            e[0].message.contains("even if nothing calls it"),
            "{}",
            e[0]
        );
        dead("g(mem 4)", "r0 = 0\n", old).unwrap();
    }
}

//! BPF exceptions ([`crate::xdp::exception`]): `call bpf_throw` and the exception callback, as
//! Linux 6.18's verifier checks them (`check_kfunc_call`, `process_bpf_exit_full`,
//! `check_resource_leak`, `bpf_find_exception_callback_insn_off`, `check_max_stack_depth`,
//! `do_check_common`). The kernel allows exceptions only with a JIT that supports them (x86-64,
//! arm64); this model assumes one (the kernel otherwise refuses the call: "JIT does not
//! support calling kfunc bpf_throw").
//!
//! * Who may call it: XDP and `sched_cls` programs (the kernel's generic kfunc set), with a
//!   GPL-compatible licence, on Linux 6.7 and later.
//! * `r1`: the cookie, a number ("R1 is not a scalar" otherwise). Without an exception
//!   callback, the cookie becomes the program's return value and the kernel checks it as
//!   one (`check_return_code` on `r1`): the program types modelled here have no return
//!   range, so any number passes. (A throw inside a global function is checked as that
//!   function's return: a number.)
//! * The call never returns: the path ends there, every frame unwound, as at the program's
//!   `exit` (`exception_exit`): no reference may be held, whatever the frame (`bpf_throw
//!   would lead to reference leak`); no lock either, but a held `bpf_spin_lock` refuses the
//!   call itself before ("function calls are not allowed while holding a lock"). `r0` need not
//!   be set. A pending pointer-arithmetic doubt of this verifier (`State::taint`) is reported
//!   there as at an `exit`.
//! * Not under a callback: a function that is a callback (`bpf_loop`, `bpf_for_each_map_elem`,
//!   a timer's, the exception callback itself) or that one calls, directly or not, may not
//!   contain a `bpf_throw` call, reached or not (the kernel walks the text in
//!   `check_max_stack_depth`: "bpf_throw kfunc (insn N) cannot be called from callback
//!   subprog M"): `driver.rs` checks it with the call graph ([`throw_under_callback`]).
//! * The exception callback ([`crate::btf::GlobalFunc::exception_cb`]): at most one
//!   ("multiple exception callback tags for main subprog"); a global function the program
//!   contains (the kernel's other refusals come from the object's BTF, see
//!   [`crate::elf`]); never called directly ("cannot call exception cb directly"); its address
//!   not taken (it is global: "callback function not static"). It is a root of the program's
//!   control flow and of its stack (a stack of its own), verified on its own after the main
//!   program even if no throw can reach it (`do_check_subprogs`: "presumed to be always
//!   called"), from the prototype `int cb(u64 cookie)`: a global function's prototype rules,
//!   then exactly one number argument ("exception cb only supports single integer argument");
//!   `r1` is an unknown number. Its return is the program's (the program types modelled here
//!   have no return range, and a privileged load may return a pointer). No tail call may be
//!   reached from it ("cannot tail call within exception cb"), nor LD_ABS/LD_IND (a
//!   callback's rule). Linux 6.7 and later: an older kernel ignores the tag and refuses the
//!   callback nothing calls as unreachable.

use super::*;
use crate::btf::{GlobalArg, GlobalFunc};
use crate::spec::ProgramType;
use crate::verifier::VerifyInput;
use crate::xdp::exception::ExcKfunc;

/// The kernel release that added `bpf_throw` and exception callbacks.
const SINCE: KernelVersion = KernelVersion::since(6, 7);

/// The exception callback the program contains (a global function flagged
/// [`GlobalFunc::exception_cb`] at a slot other than 0), if any.
pub(crate) fn exception_cb<'a>(input: &VerifyInput<'a>) -> Option<&'a GlobalFunc> {
    input.globals.iter().find(|g| g.exception_cb && g.insn != 0)
}

/// The first instruction of the exception callback, a root of the control flow beside the
/// main program's (the kernel's `check_cfg` walks it after the main program); of each, when
/// several are declared (refused next by [`check_exception_cb`], as the kernel refuses them
/// before its `check_cfg`).
pub(crate) fn exception_roots(input: &VerifyInput) -> Vec<usize> {
    input
        .globals
        .iter()
        .filter(|g| g.exception_cb && g.insn != 0)
        .map(|g| g.insn as usize)
        .collect()
}

/// The checks of the exception callback that need no path (`verify_with`, before the
/// exploration): one at most, contained in the program, never called directly.
pub(crate) fn check_exception_cb(
    input: &VerifyInput,
    ops: &[Op],
) -> Result<(), Vec<VerifierError>> {
    let cbs: Vec<&GlobalFunc> = input.globals.iter().filter(|g| g.exception_cb).collect();
    if cbs.len() > 1 {
        return Err(vec![e(
            0,
            Rule::Structure,
            format!(
                "the main program declares {} exception callbacks ({}): the kernel takes one (\"multiple exception callback tags for main subprog\")",
                cbs.len(),
                cbs.iter().map(|g| g.name.as_str()).collect::<Vec<_>>().join(", ")
            ),
        )]);
    }
    let Some(cb) = cbs.first() else {
        return Ok(());
    };
    if input.kernel < SINCE {
        // An older kernel ignores the tag: the callback, which nothing calls, is then dead
        // code ("unreachable insn").
        return Err(vec![e(
            cb.insn as usize,
            Rule::Unreachable,
            format!(
                "the exception callback {}() needs Linux {SINCE} (an older kernel ignores its decl tag and refuses the function nothing calls as unreachable), but the target kernel is {} (see verifier::target)",
                cb.name, input.kernel
            ),
        )]);
    }
    if cb.insn == 0 {
        let why = match cb.args.first() {
            Some(GlobalArg::Refused(why)) => why.clone(),
            _ => format!(
                "the exception callback {}() is not loaded with the program (no call of it, and the loader does not add it: libbpf before 1.3 does not), so the kernel refuses the load (\"exception callback type id not found in func_info\")",
                cb.name
            ),
        };
        return Err(vec![e(0, Rule::Structure, why)]);
    }
    let start = cb.insn as usize;
    let calls: Vec<VerifierError> = ops
        .iter()
        .enumerate()
        .filter(|(_, op)| matches!(op, Op::CallLocal { target } if *target == start))
        .map(|(i, _)| {
            e(
                i,
                Rule::CallStack,
                format!(
                    "a call of the exception callback {}(): the kernel refuses calling it directly (\"insn {i} cannot call exception cb directly\"); it runs only after a bpf_throw",
                    cb.name
                ),
            )
        })
        .collect();
    if !calls.is_empty() {
        return Err(calls);
    }
    Ok(())
}

/// The first function (by index) that contains a `bpf_throw` call (`has_throw`) and is a
/// callback (`is_cb`) or is called, directly or not, from one (`callees`: the call graph,
/// calls and callback addresses, as `driver.rs` builds it); the kernel refuses it whether
/// or not the throw is reached.
pub(crate) fn throw_under_callback(
    callees: &[Vec<(usize, usize)>],
    is_cb: &[bool],
    has_throw: &[bool],
) -> Option<usize> {
    let under = reached_from(callees, is_cb);
    (0..callees.len()).find(|&sp| under[sp] && has_throw[sp])
}

/// The functions `roots` are or call, directly or not, through `callees`.
pub(crate) fn reached_from(callees: &[Vec<(usize, usize)>], roots: &[bool]) -> Vec<bool> {
    let mut seen = roots.to_vec();
    let mut work: Vec<usize> = (0..roots.len()).filter(|&s| roots[s]).collect();
    while let Some(sp) = work.pop() {
        for &(c, _) in &callees[sp] {
            if !std::mem::replace(&mut seen[c], true) {
                work.push(c);
            }
        }
    }
    seen
}

impl<'a> Exec<'a> {
    /// The subprogram of the exception callback, if the program has one.
    pub(crate) fn exception_cb_subprog(&self) -> Option<usize> {
        exception_cb(self.input).and_then(|g| self.cfg.subprog_of.get(g.insn as usize).copied())
    }

    /// Whether the path runs in the exception callback (its own frame 0).
    pub(crate) fn in_exception_cb(&self, st: &State) -> bool {
        self.exception_cb_subprog()
            .is_some_and(|sp| st.frames[0].subprog == sp)
    }

    /// Before the global function at `start` is verified on its own: if it is the exception
    /// callback, its prototype rules (`do_check_common`).
    pub(crate) fn check_exception_cb_entry(&self, start: usize) -> R<()> {
        match exception_cb(self.input) {
            Some(g) if g.insn as usize == start => self.check_exception_cb_proto(g),
            _ => Ok(()),
        }
    }

    /// The exception callback's prototype rules: a global function's, then a single number
    /// argument.
    fn check_exception_cb_proto(&self, g: &GlobalFunc) -> R<()> {
        let at = g.insn as usize;
        if let Some(why) = g.refusal() {
            return Err(e(
                at,
                Rule::HelperArgument,
                format!("the exception callback: {why}"),
            ));
        }
        if g.args != [GlobalArg::Scalar] {
            return Err(e(
                at,
                Rule::HelperArgument,
                format!(
                    "the exception callback {}() must take exactly one number (the cookie: `int {}(u64 cookie)`), it takes {} argument(s) (the kernel's \"exception cb only supports single integer argument\")",
                    g.name,
                    g.name,
                    g.args.len()
                ),
            ));
        }
        Ok(())
    }

    /// `call bpf_throw` (see the module docs): checked, then the end of the path.
    pub(crate) fn call_exc_kfunc(&mut self, pc: usize, st: &mut State, k: ExcKfunc) -> R<Step> {
        let name = k.name();
        if k == ExcKfunc::Trap {
            // The kernel's check_kfunc_call refuses a reached `__bpf_trap` whatever the state
            // (LLVM emits it for code it found unreachable); a call on a dead path is fine.
            return Err(e(
                pc,
                Rule::HelperNotAllowed,
                format!(
                    "this path reaches {name}(), LLVM's trap: the compiler emits it where it found the code unreachable (an uninitialized variable, typically, or __builtin_trap()), and the kernel refuses any program that can reach it (\"unexpected __bpf_trap() due to uninitialized variable?\")"
                ),
            ));
        }
        self.check_kfunc_gpl(pc, name)?;
        if !matches!(
            self.input.prog_type,
            ProgramType::Xdp | ProgramType::SchedCls
        ) {
            return Err(e(
                pc,
                Rule::HelperNotAllowed,
                format!(
                    "{name} can only be called from XDP and sched_cls programs (the kernel's generic kfuncs), not from {} programs",
                    self.input.prog_type
                ),
            ));
        }
        let cookie = self.read(st, pc, 1).map_err(|mut err| {
            err.message = format!("{name} takes the cookie in r1, but {}", err.message);
            err
        })?;
        if !matches!(cookie, RegVal::Scalar(_)) {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "{name} takes a number (the u64 cookie) in r1, but r1 is {} (the kernel's \"R1 is not a scalar\")",
                    self.describe(&cookie)
                ),
            ));
        }
        if let Some((at, msg)) = &st.taint {
            return Err(e(*at, Rule::PointerArithmetic, msg.clone()));
        }
        if !st.refs.is_empty() {
            return Err(e(
                pc,
                Rule::ReferenceLeak,
                format!(
                    "{name} ends the program with a reference still held (the kernel's \"bpf_throw would lead to reference leak\"): {}",
                    super::local::leak_message(st)
                ),
            ));
        }
        Ok(Step::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::testkit::*;
    use super::*;

    const THROW: &str = "call bpf_throw\nexit";

    /// The throw, verified for Linux 6.18 (an XDP program unless told).
    fn one() -> One {
        One::new(THROW).kernel(KernelVersion::new(6, 18))
    }

    #[test]
    fn a_throw_ends_the_path() {
        let mut st = state(&[(1, konst(5))]);
        let step = one().ty(ProgramType::SchedCls).apply(&mut st);
        assert!(matches!(step, Ok(Step::Done)), "{step:?}");
        // In a subprogram too: every frame unwinds, r0 need not be set.
        let mut st = state(&[(1, konst(5))]);
        st.frames.push(Frame::new(1, 0, 0));
        st.cur_mut().regs[1] = konst(1);
        assert!(matches!(one().apply(&mut st), Ok(Step::Done)));
    }

    #[test]
    fn throw_rules() {
        let (rule, msg) = one().refused(&mut state(&[(1, pkt(0, 0))]));
        assert_eq!(rule, Rule::HelperArgument);
        assert!(msg.contains("R1 is not a scalar"), "{msg}");
        let (rule, msg) = one().refused(&mut state(&[(1, RegVal::NotInit)]));
        assert_eq!(rule, Rule::UninitRegister);
        assert!(msg.starts_with("bpf_throw takes the cookie in r1"), "{msg}");
        let (rule, _) = one()
            .ty(ProgramType::SocketFilter)
            .refused(&mut state(&[(1, konst(0))]));
        assert_eq!(rule, Rule::HelperNotAllowed);
        let (rule, msg) = one()
            .kernel(KernelVersion::new(6, 6))
            .refused(&mut state(&[(1, konst(0))]));
        assert_eq!(rule, Rule::HelperNotAllowed);
        assert!(msg.contains("needs Linux 6.7"), "{msg}");
        let mut st = state(&[(1, konst(0))]);
        st.refs.push(3);
        let (rule, msg) = one().refused(&mut st);
        assert_eq!(rule, Rule::ReferenceLeak);
        assert!(msg.contains("would lead to reference leak"), "{msg}");
        let mut st = state(&[(1, konst(0))]);
        st.taint = Some((7, "doubt".into()));
        let err = one().apply(&mut st).unwrap_err();
        assert_eq!((err.insn_index, err.rule), (7, Rule::PointerArithmetic));
    }

    #[test]
    fn a_reached_bpf_trap_is_refused_in_every_program_type() {
        for ty in [
            ProgramType::SocketFilter,
            ProgramType::Xdp,
            ProgramType::SchedCls,
        ] {
            let (rule, msg) = One::new("call __bpf_trap\nexit")
                .kernel(KernelVersion::new(6, 18))
                .ty(ty)
                .refused(&mut state(&[]));
            assert_eq!(rule, Rule::HelperNotAllowed);
            assert!(msg.contains("unexpected __bpf_trap()"), "{msg}");
        }
    }

    #[test]
    fn throws_under_callbacks() {
        let g = |edges: &[(usize, usize)], n: usize| {
            let mut c = vec![Vec::new(); n];
            for &(a, b) in edges {
                c[a].push((b, 0));
            }
            c
        };
        // main -> cb (a callback) -> f, f throws: refused at f.
        let c = g(&[(0, 1), (1, 2)], 3);
        assert_eq!(
            throw_under_callback(&c, &[false, true, false], &[false, false, true]),
            Some(2)
        );
        // main throws, main -> f throws: no callback, accepted.
        assert_eq!(
            throw_under_callback(&c, &[false; 3], &[true, true, true]),
            None
        );
        // The exception callback (a root of its own, marked a callback) throws.
        let c = g(&[], 2);
        assert_eq!(
            throw_under_callback(&c, &[false, true], &[false, true]),
            Some(1)
        );
    }

    /// Verifies the text `src` as a `sched_cls` program for `kernel`.
    fn run(src: &str, kernel: KernelVersion) -> Result<(), (Rule, String)> {
        let a = crate::asm::assemble(src).expect("assembles");
        crate::verifier::verify(
            &VerifyInput::new(&a.insns, ProgramType::SchedCls)
                .with_globals(&a.globals)
                .with_kernel(kernel),
        )
        .map(drop)
        .map_err(|e| (e[0].rule, e[0].message.clone()))
    }

    #[test]
    fn the_exception_callback() {
        let six18 = KernelVersion::new(6, 18);
        let cb = ".global_func cb(scalar) exception_callback\n";
        // Verified on its own, not called; its return may be a pointer (the program's).
        let ok = format!("{cb}r1 = 1\ncall bpf_throw\nr0 = 0\nexit\ncb:\nr0 = r10\nexit\n");
        assert_eq!(run(&ok, six18), Ok(()));
        // An older kernel lacks bpf_throw (refused wherever it is called, before anything).
        let (rule, msg) = run(&ok, KernelVersion::new(6, 6)).unwrap_err();
        assert_eq!(rule, Rule::HelperNotAllowed);
        assert!(msg.starts_with("bpf_throw needs Linux 6.7"), "{msg}");
        // And ignores the tag: the uncalled function is unreachable.
        let no_throw = format!("{cb}r0 = 0\nexit\ncb:\nr0 = 0\nexit\n");
        let (rule, msg) = run(&no_throw, KernelVersion::new(6, 6)).unwrap_err();
        assert_eq!(rule, Rule::Unreachable);
        assert!(msg.contains("needs Linux 6.7"), "{msg}");
        // r1 is the cookie, a number.
        let bad = format!("{cb}r0 = 0\nexit\ncb:\nr0 = *(u8 *)(r1 + 0)\nexit\n");
        assert!(run(&bad, six18).is_err());
        // Called directly.
        let called = format!("{cb}r1 = 0\ncall cb\nexit\ncb:\nr0 = 0\nexit\n");
        let (rule, msg) = run(&called, six18).unwrap_err();
        assert_eq!(rule, Rule::CallStack);
        assert!(msg.contains("cannot call exception cb directly"), "{msg}");
        // Two of them.
        let two = format!(
            "{cb}.global_func cb2(scalar) exception_callback\nr0 = 0\nexit\ncb:\nr0 = 0\nexit\ncb2:\nr0 = 0\nexit\n"
        );
        let (_, msg) = run(&two, six18).unwrap_err();
        assert!(msg.contains("multiple exception callback tags"), "{msg}");
        // The wrong prototype.
        let proto = ".global_func cb(ctx) exception_callback\nr0 = 0\nexit\ncb:\nr0 = 0\nexit\n";
        let (_, msg) = run(proto, six18).unwrap_err();
        assert!(
            msg.contains("exception cb only supports single integer argument"),
            "{msg}"
        );
        // It may not throw, nor call a function that throws.
        let throws = format!(
            "{cb}r0 = 0\nexit\ncb:\ncall f\nr0 = 0\nexit\nf:\nr1 = 0\ncall bpf_throw\nr0 = 0\nexit\n"
        );
        let (rule, msg) = run(&throws, six18).unwrap_err();
        assert_eq!(rule, Rule::CallStack);
        assert!(
            msg.contains("cannot be called from callback subprog"),
            "{msg}"
        );
        // No LD_ABS in it (a callback's rule).
        let ld_abs = format!("{cb}r0 = 0\nexit\ncb:\nr0 = *(u8 *)skb[0]\nexit\n");
        assert!(run(&ld_abs, six18).is_err());
    }
}

//! BPF exceptions: the kfunc `void bpf_throw(u64 cookie)` (`kernel/bpf/helpers.c`, Linux 6.7),
//! which never returns: it unwinds every frame of the program and runs the program's
//! *exception callback*, whose return value becomes the program's. The callback is a global
//! function `int cb(u64 cookie)` that the main program names with the BTF decl tag
//! `exception_callback:cb` on its `FUNC` (`__exception_cb(cb)` in C, a `.global_func cb(scalar)
//! exception_callback` in the assembler, [`crate::btf::GlobalFunc::exception_cb`]); without one,
//! the kernel's default callback returns the cookie. `bpf_assert*` (`bpf_experimental.h`) are
//! conditional throws.
//!
//! Like the other kfuncs called by name ([`super::netfilter`]), `call bpf_throw` in the
//! assembler, [`call_throw`] in the builder and an `extern void bpf_throw(u64) __ksym` call in a
//! clang object are a kfunc call whose `imm` is the placeholder [`ExcKfunc::placeholder`]
//! (-96), which the loader replaces with the kfunc's id in the running kernel's BTF.
//!
//! The kernel offers `bpf_throw` (its generic kfunc set) to XDP and `sched_cls` programs among
//! the types this crate models, only with the JIT on a JIT that supports exceptions (x86-64,
//! arm64: `bpf_jit_supports_exceptions`; else "JIT does not support calling kfunc bpf_throw").
//! The static verifier's model is in `verifier::transfer::call::throw`; it assumes such a JIT.
//!
//! The family also holds `void __bpf_trap(void)` ([`ExcKfunc::Trap`], placeholder -97): what
//! LLVM 21 emits for `__builtin_trap()` and for code it found unreachable (an uninitialised
//! variable, typically). The kernel (Linux 6.16) refuses every program that can reach such a
//! call ("unexpected __bpf_trap() due to uninitialized variable?"); a call on a dead path is
//! left alone. The static verifier does the same.

use crate::isa::insn::{Insn, BPF_PSEUDO_KFUNC_CALL};

/// The exception kfuncs this crate knows by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExcKfunc {
    /// `void bpf_throw(u64 cookie)`: ends the program through its exception callback.
    Throw,
    /// `void __bpf_trap(void)`: LLVM's trap; the kernel refuses a program that reaches it.
    Trap,
}

impl ExcKfunc {
    /// Every kfunc, in placeholder order.
    pub const ALL: [ExcKfunc; 2] = [ExcKfunc::Throw, ExcKfunc::Trap];

    /// The kernel's name of the function.
    pub const fn name(self) -> &'static str {
        match self {
            ExcKfunc::Throw => "bpf_throw",
            ExcKfunc::Trap => "__bpf_trap",
        }
    }

    /// The kfunc called `name`, if it is one of these.
    pub fn from_name(name: &str) -> Option<ExcKfunc> {
        ExcKfunc::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The `imm` a call by name carries until the loader resolves it: -96, ...
    pub const fn placeholder(self) -> i32 {
        -96 - self as i32
    }

    /// The kfunc whose placeholder is `imm`.
    pub fn from_placeholder(imm: i32) -> Option<ExcKfunc> {
        ExcKfunc::ALL.into_iter().find(|k| k.placeholder() == imm)
    }

    /// The kfunc an instruction calls by name (a kfunc call with its placeholder `imm`).
    pub fn of_insn(insn: &Insn) -> Option<ExcKfunc> {
        if insn.code == 0x85 && insn.src() == BPF_PSEUDO_KFUNC_CALL && insn.off == 0 {
            ExcKfunc::from_placeholder(insn.imm)
        } else {
            None
        }
    }
}

/// A call of `kfunc` by name: `call bpf_throw` with the placeholder the loader resolves.
pub const fn call_exc_kfunc(kfunc: ExcKfunc) -> Insn {
    Insn::new(0x85, 0, BPF_PSEUDO_KFUNC_CALL, 0, kfunc.placeholder())
}

/// `call bpf_throw` (the cookie in `r1`).
pub const fn call_throw() -> Insn {
    call_exc_kfunc(ExcKfunc::Throw)
}

/// The decl tag prefix of the main program's `FUNC` naming its exception callback.
pub use crate::btf::EXCEPTION_CALLBACK_TAG;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_placeholders_round_trip() {
        for k in ExcKfunc::ALL {
            assert_eq!(ExcKfunc::from_name(k.name()), Some(k));
            assert_eq!(ExcKfunc::of_insn(&call_exc_kfunc(k)), Some(k));
            assert_eq!(
                super::super::netfilter::kfunc_name(k.placeholder()),
                Some(k.name())
            );
            assert_eq!(
                super::super::netfilter::call_kfunc_by_name(k.name()),
                Some(call_exc_kfunc(k))
            );
        }
        assert_eq!(call_throw().imm, -96);
        assert!(super::super::netfilter::kfunc_names().any(|n| n == "bpf_throw"));
        assert_eq!(call_exc_kfunc(ExcKfunc::Trap).imm, -97);
        assert_eq!(ExcKfunc::from_name("__bpf_trap"), Some(ExcKfunc::Trap));
    }
}

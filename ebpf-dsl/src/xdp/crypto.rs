//! The BPF crypto kfuncs (`kernel/bpf/crypto.c`, Linux 6.10): a program encrypts or decrypts
//! the bytes of one dynptr into another with a *crypto context*, `struct bpf_crypto_ctx`, a
//! reference-counted kernel object made by a `syscall` program and kept in a map value as a
//! referenced kptr (`struct bpf_crypto_ctx __kptr *ctx`).
//!
//! * `bpf_crypto_ctx_create`, `bpf_crypto_ctx_acquire`, `bpf_crypto_ctx_release`: registered
//!   for `syscall` programs only (`create` is sleepable);
//! * `bpf_crypto_encrypt`, `bpf_crypto_decrypt` (`KF_RCU`): registered for tc (`sched_cls`,
//!   `sched_act`) and XDP programs, which read the context from the map value (an RCU pointer,
//!   NULL-checked) and pass `src`, `dst` and an optional `siv` dynptr.
//!
//! Like the other kfuncs called by name ([`super::netfilter`]), a call (`call
//! bpf_crypto_encrypt` in the assembler, [`call_crypto_kfunc`] in the builder, an `extern ...
//! __ksym` function in a clang object) is a kfunc call whose `imm` is a negative placeholder
//! ([`CryptoKfunc::placeholder`]: -160, -161, ...), which the loader replaces with the kfunc's
//! id in the running kernel's BTF. The static verifier's model is in
//! `verifier::transfer::call::kfunc_crypto`; the kptr field it reads the context from, in
//! `verifier::transfer::kptr`.

use crate::isa::insn::{Insn, BPF_PSEUDO_KFUNC_CALL};

/// The crypto kfuncs this crate knows by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CryptoKfunc {
    /// `struct bpf_crypto_ctx *bpf_crypto_ctx_create(const struct bpf_crypto_params *params,
    /// u32 params__sz, int *err)` (`KF_ACQUIRE | KF_RET_NULL | KF_SLEEPABLE`, syscall programs).
    CtxCreate,
    /// `struct bpf_crypto_ctx *bpf_crypto_ctx_acquire(struct bpf_crypto_ctx *ctx)`
    /// (`KF_ACQUIRE | KF_RCU | KF_RET_NULL`, syscall programs).
    CtxAcquire,
    /// `void bpf_crypto_ctx_release(struct bpf_crypto_ctx *ctx)` (`KF_RELEASE`, syscall
    /// programs).
    CtxRelease,
    /// `int bpf_crypto_encrypt(struct bpf_crypto_ctx *ctx, const struct bpf_dynptr *src,
    /// const struct bpf_dynptr *dst, const struct bpf_dynptr *siv__nullable)` (`KF_RCU`; tc
    /// and XDP programs).
    Encrypt,
    /// `int bpf_crypto_decrypt(...)`: the same arguments as [`CryptoKfunc::Encrypt`].
    Decrypt,
}

impl CryptoKfunc {
    /// Every kfunc, in placeholder order.
    pub const ALL: [CryptoKfunc; 5] = [
        CryptoKfunc::CtxCreate,
        CryptoKfunc::CtxAcquire,
        CryptoKfunc::CtxRelease,
        CryptoKfunc::Encrypt,
        CryptoKfunc::Decrypt,
    ];

    /// The kernel's name of the function.
    pub const fn name(self) -> &'static str {
        match self {
            CryptoKfunc::CtxCreate => "bpf_crypto_ctx_create",
            CryptoKfunc::CtxAcquire => "bpf_crypto_ctx_acquire",
            CryptoKfunc::CtxRelease => "bpf_crypto_ctx_release",
            CryptoKfunc::Encrypt => "bpf_crypto_encrypt",
            CryptoKfunc::Decrypt => "bpf_crypto_decrypt",
        }
    }

    /// The kfunc called `name`, if it is one of these.
    pub fn from_name(name: &str) -> Option<CryptoKfunc> {
        CryptoKfunc::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The `imm` a call by name carries until the loader resolves it: -160, -161, ...
    pub const fn placeholder(self) -> i32 {
        -160 - self as i32
    }

    /// The kfunc whose placeholder is `imm`.
    pub fn from_placeholder(imm: i32) -> Option<CryptoKfunc> {
        CryptoKfunc::ALL
            .into_iter()
            .find(|k| k.placeholder() == imm)
    }

    /// The kfunc an instruction calls by name (a kfunc call with its placeholder `imm`).
    pub fn of_insn(insn: &Insn) -> Option<CryptoKfunc> {
        if insn.code == 0x85 && insn.src() == BPF_PSEUDO_KFUNC_CALL && insn.off == 0 {
            CryptoKfunc::from_placeholder(insn.imm)
        } else {
            None
        }
    }
}

/// A call of `kfunc` by name: `call kfunc` with the placeholder the loader resolves.
pub const fn call_crypto_kfunc(kfunc: CryptoKfunc) -> Insn {
    Insn::new(0x85, 0, BPF_PSEUDO_KFUNC_CALL, 0, kfunc.placeholder())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_placeholders_round_trip_in_their_range() {
        for k in CryptoKfunc::ALL {
            assert_eq!(CryptoKfunc::from_name(k.name()), Some(k));
            assert_eq!(CryptoKfunc::of_insn(&call_crypto_kfunc(k)), Some(k));
            assert!((-175..=-160).contains(&k.placeholder()));
            assert_eq!(
                super::super::netfilter::kfunc_name(k.placeholder()),
                Some(k.name())
            );
            assert_eq!(
                super::super::netfilter::call_kfunc_by_name(k.name()),
                Some(call_crypto_kfunc(k))
            );
        }
        assert_eq!(CryptoKfunc::from_name("bpf_crypto_nope"), None);
        assert_eq!(CryptoKfunc::from_placeholder(-159), None);
    }

    #[test]
    fn the_text_syntax_reads_and_prints_them() {
        for k in CryptoKfunc::ALL {
            let a = crate::asm::assemble_unchecked(&format!("call {}\nr0 = 0\nexit", k.name()))
                .unwrap_or_else(|d| panic!("{d:?}"));
            assert_eq!(a.insns[0], call_crypto_kfunc(k));
            let text = crate::disasm::disassemble(&a.insns[..1]).unwrap();
            assert_eq!(text.trim(), format!("call {}", k.name()));
        }
    }
}

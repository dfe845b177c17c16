//! Calls of the crypto kfuncs ([`CryptoKfunc`], `kernel/bpf/crypto.c`, Linux 6.10), as the
//! kernel's `check_kfunc_call` checks them (6.18):
//!
//! * who may call them (`register_btf_kfunc_id_set`): `bpf_crypto_encrypt` and
//!   `bpf_crypto_decrypt` tc (`sched_cls`, `sched_act`) and XDP programs; `bpf_crypto_ctx_create`,
//!   `_acquire` and `_release` `syscall` programs only (any other program type: "calling kernel
//!   function ... is not allowed"); GPL-compatible programs only;
//! * `bpf_crypto_encrypt(ctx, src, dst, siv__nullable)` / `bpf_crypto_decrypt` (`KF_RCU`): r1 a
//!   non-NULL `struct bpf_crypto_ctx *` that is trusted or an RCU pointer (what a load of the
//!   `__kptr` field of a map value gives once NULL-checked, `transfer/kptr.rs`; "Possibly NULL
//!   pointer passed to trusted arg0", "R1 must be a rcu pointer"), at offset 0; r2 and r3
//!   initialised dynptrs of any kind (`const struct bpf_dynptr *`: "Expected an initialized
//!   dynptr as arg #1"); r4 NULL (the `__nullable` suffix) or an initialised dynptr. r0 an
//!   `int` (an unknown scalar, as the kernel marks it); r1-r5 clobbered; packet pointers stay
//!   valid (no kfunc changes packet data in this kernel's model, `bpf_crypto_crypt` writes
//!   through the dynptr).
//!
//! Not modelled: the three context kfuncs in `syscall` programs (that program type is not
//! modelled here): refused with a message saying so.

use super::*;
use crate::spec::ProgramType;
use crate::verifier::domain::state::BtfTrust;
use crate::xdp::crypto::CryptoKfunc;

impl<'a> Exec<'a> {
    /// `call` of the crypto kfunc `k`: its checks, then r0 and the clobbered registers.
    pub(crate) fn call_crypto_kfunc(&mut self, pc: usize, st: &mut State, k: CryptoKfunc) -> R<()> {
        let full = k.name();
        self.check_kfunc_gpl(pc, full)?;
        let pt = self.input.prog_type;
        let crypt = matches!(k, CryptoKfunc::Encrypt | CryptoKfunc::Decrypt);
        let allowed = if crypt {
            matches!(
                pt,
                ProgramType::SchedCls | ProgramType::SchedAct | ProgramType::Xdp
            )
        } else {
            pt == ProgramType::Syscall
        };
        if !allowed {
            let who = if crypt {
                "tc (sched_cls, sched_act) and xdp programs"
            } else {
                "syscall programs"
            };
            return Err(e(
                pc,
                Rule::HelperNotAllowed,
                format!(
                    "{full} can only be called from {who}, not from {pt} programs (the kernel: `calling kernel function {full} is not allowed`)"
                ),
            ));
        }
        if !crypt {
            return Err(e(
                pc,
                Rule::Unsupported,
                format!("{full} (a syscall program's crypto context kfunc) is not modelled by this verifier"),
            ));
        }
        let mut args = [RegVal::NotInit; 4];
        for (i, a) in args.iter_mut().enumerate() {
            *a = self.read(st, pc, i as u8 + 1).map_err(|mut err| {
                err.message = format!("{full} takes 4 arguments, but {}", err.message);
                err
            })?;
        }
        self.crypto_ctx_arg(pc, full, &args[0])?;
        self.dynptr_init(pc, st, full, 2, &args[1])?;
        self.dynptr_init(pc, st, full, 3, &args[2])?;
        let null = matches!(args[3], RegVal::Scalar(s) if s.as_const() == Some(0));
        if !null {
            self.dynptr_init(pc, st, full, 4, &args[3])?;
        }
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        self.set(st, 0, RegVal::Scalar(Scalar::UNKNOWN));
        Ok(())
    }

    /// The context argument of `bpf_crypto_encrypt` / `_decrypt` (`KF_RCU`): a non-NULL
    /// trusted or RCU `struct bpf_crypto_ctx *` at offset 0.
    fn crypto_ctx_arg(&self, pc: usize, full: &str, v: &RegVal) -> R<()> {
        let refuse = |why: &str| {
            Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "{full} expects in r1 a struct bpf_crypto_ctx * that is trusted or an RCU pointer (a NULL-checked load of the map value's __kptr field), but r1 is {}{why}",
                    self.describe(v)
                ),
            ))
        };
        match v {
            RegVal::BtfPtrOrNull { .. } => refuse(
                " (the kernel: `Possibly NULL pointer passed to trusted arg0`; test it first)",
            ),
            RegVal::Scalar(s) if s.as_const() == Some(0) => {
                refuse(" (the kernel: `Possibly NULL pointer passed to trusted arg0`)")
            }
            RegVal::BtfPtr { ty, off, trust } => {
                if !matches!(trust, BtfTrust::Trusted | BtfTrust::Rcu) {
                    return refuse(" (the kernel: `R1 must be a rcu pointer`)");
                }
                let want = self.kernel_struct(pc, "bpf_crypto_ctx", full)?;
                if *ty != want || *off != 0 {
                    return refuse(" (the kernel: `kernel function ... args#0 expected pointer to STRUCT bpf_crypto_ctx`)");
                }
                Ok(())
            }
            _ => refuse(""),
        }
    }
}

#[cfg(test)]
#[path = "kfunc_crypto_tests.rs"]
mod tests;

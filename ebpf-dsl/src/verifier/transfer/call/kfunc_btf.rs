//! Calls of the kfuncs giving BTF pointers ([`BtfKfunc`]), as the kernel's `check_kfunc_call`
//! checks them (6.18):
//!
//! * `bpf_cast_to_kern_ctx(ctx)`: r1 the unmodified context (`KF_ARG_PTR_TO_CTX`); r0 a
//!   trusted, non-NULL pointer to the context's kernel structure (`get_kern_ctx_btf_id`:
//!   `struct sk_buff` for tc and socket filters, `struct xdp_buff` for XDP);
//! * `bpf_rdonly_cast(obj__ign, btf_id__k)`: r1 anything (`__ign`), r2 a known constant
//!   ("R2 must be a known constant"), the id of a structure or union of the kernel's BTF
//!   ("kfunc bpf_rdonly_cast type ID argument must be of a struct"); r0 an untrusted,
//!   non-NULL pointer to it (6.18: type 0, void, gives untrusted read-only memory,
//!   `btf_access.rs`'s `UNTRUSTED_MEM`). The id comes from `bpf_core_type_id_kernel(T)`, a CO-RE
//!   `TYPE_ID_TARGET` relocation the ELF reader resolves against the same BTF;
//! * `bpf_sk_assign_tcp_reqsk(skb, sk, attrs, attrs__sz)` (tc, Linux 6.9, `KF_TRUSTED_ARGS`):
//!   r1 the context, r2 a trusted `struct sock` (a socket from a lookup or `bpf_sk_fullsock`,
//!   a referenced cast to `tcp_sock`, ...), r3 memory of `r4` bytes (a known constant) that
//!   the kfunc may read and write; r0 an `int`, to the verifier an unknown 64-bit scalar as
//!   every kfunc's scalar result.
//!
//! GPL-compatible programs only; r1-r5 are clobbered, packet pointers stay valid. All need the
//! target kernel's BTF (`VerifyInput::vmlinux`).

use super::*;
use crate::spec::ProgramType;
use crate::verifier::domain::state::BtfTrust;
use crate::xdp::btf_kfunc::BtfKfunc;

impl<'a> Exec<'a> {
    /// `call` of `k`: its checks, then r0 and the clobbered registers.
    pub(crate) fn call_btf_kfunc(&mut self, pc: usize, st: &mut State, k: BtfKfunc) -> R<()> {
        let full = k.name();
        self.check_kfunc_gpl(pc, full)?;
        let nargs = match k {
            BtfKfunc::CastToKernCtx => 1,
            BtfKfunc::RdonlyCast => 2,
            BtfKfunc::SkAssignTcpReqsk => 4,
        };
        let arity = |mut err: VerifierError| {
            err.message = format!("{full} takes {nargs} arguments, but {}", err.message);
            err
        };
        let mut args = [RegVal::NotInit; 4];
        for (i, a) in args.iter_mut().enumerate().take(nargs) {
            *a = self.read(st, pc, i as u8 + 1).map_err(arity)?;
        }
        let ctx_arg = |this: &Self| -> R<()> {
            if args[0] == (RegVal::Ctx { off: 0 }) {
                return Ok(());
            }
            Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "{full} expects the context pointer (the program's r1 at entry, unmodified) in r1 (the kernel: arg#0 expected pointer to ctx), but r1 is {}",
                    this.describe(&args[0])
                ),
            ))
        };
        let what = full.to_string();
        let r0 = match k {
            BtfKfunc::CastToKernCtx => {
                ctx_arg(self)?;
                let name = match self.input.prog_type {
                    ProgramType::Xdp => "xdp_buff",
                    _ => "sk_buff",
                };
                RegVal::BtfPtr {
                    ty: self.kernel_struct(pc, name, &what)?,
                    off: 0,
                    trust: BtfTrust::Trusted,
                }
            }
            BtfKfunc::RdonlyCast => {
                let Some(id) = (match args[1] {
                    RegVal::Scalar(s) => s.as_const(),
                    _ => None,
                }) else {
                    return Err(e(
                        pc,
                        Rule::HelperArgument,
                        format!(
                            "{full}: R2 must be a known constant (the BTF id of the type, `bpf_core_type_id_kernel(T)`), but r2 is {}",
                            self.describe(&args[1])
                        ),
                    ));
                };
                let btf = self.vmlinux(pc, &what)?;
                // 6.18: a cast to void is untrusted read-only memory.
                if id == 0 && self.input.kernel >= KernelVersion::since(6, 18) {
                    for r in 1..=5 {
                        self.set(st, r, RegVal::NotInit);
                    }
                    self.set(st, 0, super::super::btf_access::UNTRUSTED_MEM);
                    return Ok(());
                }
                let ty = u32::try_from(id).ok().filter(|&t| t != 0);
                match ty.and_then(|t| btf.get(t)).map(|t| &t.kind) {
                    Some(crate::btf::Kind::Struct { .. } | crate::btf::Kind::Union { .. }) => {}
                    _ if id == 0 => {
                        return Err(e(
                            pc,
                            Rule::Unsupported,
                            format!("{full} to void (type id 0) is not modelled by this verifier"),
                        ))
                    }
                    _ => {
                        return Err(e(
                            pc,
                            Rule::HelperArgument,
                            format!(
                                "kfunc bpf_rdonly_cast type ID argument must be of a struct: type id {id} of the kernel's BTF is not a structure or union"
                            ),
                        ))
                    }
                }
                RegVal::BtfPtr {
                    ty: id as u32,
                    off: 0,
                    trust: BtfTrust::Untrusted,
                }
            }
            BtfKfunc::SkAssignTcpReqsk => {
                if self.input.prog_type != ProgramType::SchedCls
                    && self.input.prog_type != ProgramType::SchedAct
                {
                    return Err(e(
                        pc,
                        Rule::HelperNotAllowed,
                        format!(
                            "{full} can only be called from tc (sched_cls) programs, not from {} programs",
                            self.input.prog_type
                        ),
                    ));
                }
                ctx_arg(self)?;
                if !self.trusted_sock(pc, &args[1])? {
                    return Err(e(
                        pc,
                        Rule::HelperArgument,
                        format!(
                            "{full} expects a trusted struct sock in r2 (a socket from a lookup, or a referenced bpf_skc_to_tcp_sock cast; the kernel: R2 must be referenced or trusted), but r2 is {}",
                            self.describe(&args[1])
                        ),
                    ));
                }
                let size = match args[3] {
                    RegVal::Scalar(s) => s.as_const(),
                    _ => None,
                };
                let Some(size) = size.filter(|&n| n <= u32::MAX as u64) else {
                    return Err(e(
                        pc,
                        Rule::HelperArgument,
                        format!(
                            "{full}: r4 (attrs__sz) must be a known constant here, but it is {}",
                            self.describe(&args[3])
                        ),
                    ));
                };
                let name = full.strip_prefix("bpf_").unwrap_or(full);
                // `check_kfunc_mem_size_reg`: the memory is checked for reading and writing.
                self.check_helper_mem(pc, st, 3, &args[2], size, false, name)?;
                if let Some(w) = self.check_helper_mem(pc, st, 3, &args[2], size, true, name)? {
                    mark_written(st, &w);
                }
                // `check_kfunc_call`: a scalar return is `mark_reg_unknown`, all 64 bits
                // (the `int` prototype narrows nothing).
                RegVal::Scalar(Scalar::UNKNOWN)
            }
        };
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        self.set(st, 0, r0);
        Ok(())
    }

    /// Whether `v` is a trusted `struct sock` for a `KF_TRUSTED_ARGS` kfunc: a full socket
    /// (`PTR_TO_SOCKET`), a referenced socket cast, or a trusted BTF pointer, whose type starts
    /// with a `struct sock`.
    fn trusted_sock(&self, pc: usize, v: &RegVal) -> R<bool> {
        let (ty, off) = match v {
            RegVal::Sock { common: false, .. } => return Ok(true),
            RegVal::BtfSock { ty, ref_id } if *ref_id != 0 && *ty != TCP_SOCK => {
                (self.kernel_struct(pc, ty, "a socket cast")?, 0)
            }
            RegVal::BtfPtr {
                ty,
                off,
                trust: BtfTrust::Trusted,
            } => (*ty, *off),
            _ => return Ok(false),
        };
        Ok(off == 0 && self.btf_starts_with(ty, "sock"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::testkit::*;
    use super::*;

    fn tc(src: &str) -> One {
        One::new(src).ty(ProgramType::SchedCls)
    }

    #[test]
    fn without_the_kernels_btf_the_casts_ask_for_it() {
        let (rule, msg) = tc("call bpf_cast_to_kern_ctx\nexit")
            .refused(&mut state(&[(1, RegVal::Ctx { off: 0 })]));
        assert_eq!(rule, Rule::Unsupported);
        assert!(msg.contains("--btf"), "{msg}");
        let (rule, msg) =
            tc("call bpf_rdonly_cast\nexit").refused(&mut state(&[(1, konst(0)), (2, konst(7))]));
        assert_eq!(rule, Rule::Unsupported);
        assert!(msg.contains("--btf"), "{msg}");
    }

    #[test]
    fn the_arguments_are_checked_before_the_btf_is_needed() {
        let (rule, msg) = tc("call bpf_cast_to_kern_ctx\nexit")
            .refused(&mut state(&[(1, RegVal::Ctx { off: 8 })]));
        assert_eq!(rule, Rule::HelperArgument);
        assert!(msg.contains("expects the context pointer"), "{msg}");
        let (rule, msg) = tc("call bpf_rdonly_cast\nexit").refused(&mut state(&[
            (1, konst(0)),
            (2, scalar(Scalar::of_size(4))),
        ]));
        assert_eq!(rule, Rule::HelperArgument);
        assert!(msg.contains("R2 must be a known constant"), "{msg}");
        let (rule, _) = tc("call bpf_rdonly_cast\nexit")
            .license("Dual BSD")
            .refused(&mut state(&[(1, konst(0)), (2, konst(1))]));
        assert_eq!(rule, Rule::HelperNotAllowed);
        let (rule, msg) = tc("call bpf_cast_to_kern_ctx\nexit")
            .kernel(KernelVersion::new(6, 1))
            .refused(&mut state(&[(1, RegVal::Ctx { off: 0 })]));
        assert_eq!(rule, Rule::HelperNotAllowed);
        assert!(msg.contains("needs Linux 6.2"), "{msg}");
    }
}

//! Calls of the XDP metadata kfuncs by name (`call bpf_xdp_metadata_rx_hash`, the placeholder
//! form of [`crate::xdp::metadata`]): the kernel's prototypes, checked like its
//! `check_kfunc_call` does for them.
//!
//! * r1: the context, unmodified (`const struct xdp_md *ctx`, `KF_ARG_PTR_TO_CTX`);
//! * r2 (and r3): pointers to the output (`u64 *timestamp`; `u32 *hash`,
//!   `enum xdp_rss_hash_type *rss_type`; `__be16 *vlan_proto`, `u16 *vlan_tci`), memory of
//!   that size the kfunc writes: the stack, a map value, or the packet or its metadata
//!   within the range proven (the kernel's `check_mem_reg`; a packet pointer seen taken on
//!   6.18.44 in a device-bound load on a veth);
//! * r0: `int`, 0 or a negative errno; like the kernel, an unknown scalar (test it before
//!   trusting the output);
//! * r1-r5 are clobbered; packet pointers stay valid (the kfuncs do not change the packet).
//!
//! Only XDP programs may call them, and the kernel only accepts them in a *device-bound*
//! program (`BPF_F_XDP_DEV_BOUND_ONLY` with `prog_ifindex`: `LoadOptions::device_bound` in
//! xsk-runtime): [`check_dev_bound`] refuses them, anywhere in the program, when
//! `VerifyInput::xdp_dev_bound` says the load is not (`ebpf-dsl check` without
//! `--device-bound`), as the kernel refuses the load before verifying it.

use super::*;
use crate::spec::ProgramType;
use crate::xdp::metadata::XdpKfunc;

/// The kernel's refusal, before any path is walked (`add_kfunc_call`,
/// `bpf_dev_bound_kfunc_check`), of a program that is not loaded device-bound and holds a call
/// of an XDP metadata kfunc anywhere, unreachable code included.
pub(crate) fn check_dev_bound(
    input: &crate::verifier::VerifyInput,
    ops: &[crate::verifier::cfg::Op],
) -> Result<(), Vec<VerifierError>> {
    if input.xdp_dev_bound {
        return Ok(());
    }
    let found = ops.iter().enumerate().find_map(|(pc, op)| match *op {
        crate::verifier::cfg::Op::Call {
            helper,
            kfunc: true,
        } => XdpKfunc::from_placeholder(helper).map(|k| (pc, k)),
        _ => None,
    });
    let Some((pc, k)) = found else {
        return Ok(());
    };
    Err(vec![e(
        pc,
        Rule::HelperNotAllowed,
        format!(
            "{} is an XDP metadata kfunc, which the kernel takes only in a program loaded device-bound (BPF_F_XDP_DEV_BOUND_ONLY with prog_ifindex), even on a path never taken; this load is not (the kernel: metadata kfuncs require device-bound program); load it bound to its interface (`ebpf-dsl check --device-bound`, xsk-runtime's `LoadOptions::device_bound`)",
            k.name()
        ),
    )])
}

impl<'a> Exec<'a> {
    /// A kfunc that calls back (`bpf_rbtree_add_impl`) also gives the state in which its
    /// callback starts, and its first instruction (as [`Exec::call_helper`] does).
    pub(crate) fn call_xdp_kfunc(
        &mut self,
        pc: usize,
        st: &mut State,
        placeholder: i32,
    ) -> R<Option<(usize, State)>> {
        if self.trusted_call(pc, st) {
            return Ok(None);
        }
        if let Some(k) = crate::xdp::netfilter::NfKfunc::from_placeholder(placeholder) {
            return self.call_nf_kfunc(pc, st, k).map(|_| None);
        }
        if let Some(k) = crate::xdp::dynptr::DynptrKfunc::from_placeholder(placeholder) {
            return self.call_dynptr_kfunc(pc, st, k).map(|_| None);
        }
        if let Some(k) = crate::xdp::btf_kfunc::BtfKfunc::from_placeholder(placeholder) {
            return self.call_btf_kfunc(pc, st, k).map(|_| None);
        }
        if let Some(k) = crate::xdp::graph::GraphKfunc::from_placeholder(placeholder) {
            return self.call_graph_kfunc(pc, st, k);
        }
        if let Some(k) = crate::xdp::iter::IterKfunc::from_placeholder(placeholder) {
            return self.call_iter_kfunc(pc, st, k);
        }
        if let Some(k) = crate::xdp::rcu::RcuKfunc::from_placeholder(placeholder) {
            return self.call_rcu_kfunc(pc, st, k).map(|_| None);
        }
        if let Some(k) = crate::xdp::crypto::CryptoKfunc::from_placeholder(placeholder) {
            return self.call_crypto_kfunc(pc, st, k).map(|_| None);
        }
        if let Some(k) = crate::xdp::arena::ArenaKfunc::from_placeholder(placeholder) {
            return self.call_arena_kfunc(pc, st, k).map(|_| None);
        }
        for w in self.check_xdp_kfunc(pc, st, placeholder)? {
            mark_written(st, &w);
        }
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        self.set(st, 0, RegVal::Scalar(Scalar::UNKNOWN));
        Ok(None)
    }

    /// The kernel's refusal of a kfunc call from a program whose licence is not GPL-compatible
    /// (`check_kfunc_call`), for the kfunc named `full`.
    pub(crate) fn check_kfunc_gpl(&self, pc: usize, full: &str) -> R<()> {
        if self.gpl {
            return Ok(());
        }
        Err(e(
            pc,
            Rule::HelperNotAllowed,
            format!(
                "{full} is a kernel function (kfunc), which only GPL-compatible programs may call (the kernel: cannot call kernel function from non-GPL compatible program), but the license is \"{}\"",
                self.input.license
            ),
        ))
    }

    /// The refusal of a call, by its placeholder, of a kfunc the target kernel does not have
    /// ([`crate::verifier::kfunc_since`], the one table of the kfuncs' versions, which
    /// `verify` also checks every call of the program against before walking any path).
    pub(crate) fn check_kfunc_since(&self, pc: usize, placeholder: i32) -> R<()> {
        let Some(name) = crate::xdp::netfilter::kfunc_name(placeholder) else {
            return Ok(());
        };
        match crate::verifier::kfunc_since(name) {
            Some(since) if self.input.kernel < since => Err(e(
                pc,
                Rule::HelperNotAllowed,
                crate::verifier::kfunc_missing_message(name, since, self.input.kernel),
            )),
            _ => Ok(()),
        }
    }

    /// The rules of the call (program type, target kernel, the context in `r1`, the output
    /// memory); returns the stack bytes it writes.
    fn check_xdp_kfunc(&mut self, pc: usize, st: &State, placeholder: i32) -> R<Vec<StackWrite>> {
        let Some(k) = XdpKfunc::from_placeholder(placeholder) else {
            return Err(e(
                pc,
                Rule::Unsupported,
                format!("kfunc placeholder {placeholder} names no known kfunc"),
            ));
        };
        let full = k.name();
        let name = full.strip_prefix("bpf_").unwrap_or(full);
        self.check_kfunc_gpl(pc, full)?;
        if self.input.prog_type != ProgramType::Xdp {
            return Err(e(
                pc,
                Rule::HelperNotAllowed,
                format!(
                    "{full} can only be called from XDP programs (device-bound), not from {} programs",
                    self.input.prog_type
                ),
            ));
        }
        let args = 1 + k.out_args().len();
        let arity = |mut err: VerifierError| {
            err.message = format!("{full} takes {args} arguments, but {}", err.message);
            err
        };
        let ctx = self.read(st, pc, 1).map_err(arity)?;
        if ctx != (RegVal::Ctx { off: 0 }) {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "{full} expects the context pointer (the program's r1 at entry) in r1, but r1 is {}",
                    self.describe(&ctx)
                ),
            ));
        }
        let mut writes = Vec::new();
        for (i, &size) in k.out_args().iter().enumerate() {
            let r = (i + 2) as u8;
            let v = self.read(st, pc, r).map_err(arity)?;
            // A kfunc's memory argument (`check_mem_reg`) may also be the packet or its
            // metadata, within the range proven (`check_helper_mem_access` without a helper's
            // `pkt_access`: XDP may write the packet); seen on 6.18.44 with a device-bound load.
            if let RegVal::Pkt { .. } = v {
                // Named only for a refusal (see `helper_mem`).
                let n = size as u64;
                if self.check_mem(pc, r, &v, 0, n, true, "access by ").is_err() {
                    self.check_mem(pc, r, &v, 0, n, true, &format!("access by {name}"))?;
                }
                continue;
            }
            if !matches!(v, RegVal::Stack { .. } | RegVal::MapValue { .. }) {
                return Err(e(
                    pc,
                    Rule::HelperArgument,
                    format!(
                        "{full} writes {size} bytes through r{r}, which must point to the stack, a map value or the packet (e.g. `r{r} = r10; r{r} += -8`), but r{r} is {}",
                        self.describe(&v)
                    ),
                ));
            }
            writes.extend(self.check_helper_mem(pc, st, r, &v, size as u64, true, name)?);
        }
        Ok(writes)
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::testkit::*;
    use super::*;
    use crate::verifier::domain::state::Byte;

    const TS: &str = "call bpf_xdp_metadata_rx_timestamp\nexit";

    #[test]
    fn an_xdp_metadata_kfunc_writes_its_output_and_returns_a_number() {
        let mut st = state(&[(2, stack(-8)), (6, pkt(0, 8))]);
        st.cur_mut().stack[63] = Slot::Spill(pkt(0, 0));
        One::new(TS).next(&mut st);
        // The timestamp's 8 bytes are written: the spill there is gone.
        assert_eq!(*slot(&st, -8), Slot::Bytes([Byte::Misc; 8]));
        assert_eq!(*reg(&st, 0), scalar(Scalar::UNKNOWN));
        assert_eq!(
            (reg(&st, 1), reg(&st, 2)),
            (&RegVal::NotInit, &RegVal::NotInit)
        );
        // Packet pointers stay valid.
        assert_eq!(*reg(&st, 6), pkt(0, 8));
    }

    #[test]
    fn xdp_metadata_kfunc_rules() {
        let (rule, msg) = One::new(TS)
            .ty(ProgramType::SchedCls)
            .refused(&mut state(&[(2, stack(-8))]));
        assert_eq!(rule, Rule::HelperNotAllowed);
        assert!(
            msg.starts_with("bpf_xdp_metadata_rx_timestamp can only be called from XDP programs"),
            "{msg}"
        );
        let (rule, msg) = One::new(TS)
            .kernel(KernelVersion::new(6, 1))
            .refused(&mut state(&[(2, stack(-8))]));
        assert_eq!(rule, Rule::HelperNotAllowed);
        assert!(
            msg.starts_with("bpf_xdp_metadata_rx_timestamp needs Linux 6.3"),
            "{msg}"
        );
        // The packet within its proven range is taken (8 bytes at 0 of 8), not past it.
        One::new(TS).next(&mut state(&[(2, pkt(0, 8))]));
        let (rule, _) = One::new(TS).refused(&mut state(&[(2, pkt(0, 6))]));
        assert_eq!(rule, Rule::PacketBounds);
        let (rule, msg) = One::new(TS).refused(&mut state(&[(2, RegVal::Ctx { off: 0 })]));
        assert_eq!(rule, Rule::HelperArgument);
        assert!(msg.starts_with("bpf_xdp_metadata_rx_timestamp writes 8 bytes through r2, which must point to the stack, a map value or the packet"), "{msg}");
        let (rule, msg) = One::new(TS).refused(&mut state(&[]));
        assert_eq!(rule, Rule::UninitRegister);
        assert!(
            msg.starts_with("bpf_xdp_metadata_rx_timestamp takes 2 arguments, but r2"),
            "{msg}"
        );
        // The output must fit: 8 bytes at r10 - 4 do not.
        let (rule, _) = One::new(TS).refused(&mut state(&[(2, stack(-4))]));
        assert_eq!(rule, Rule::StackAccess);
    }
}

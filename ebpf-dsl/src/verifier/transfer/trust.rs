//! What a trusted call or range does to the state ([`crate::verifier::trust`] specifies it).

use super::*;
use crate::verifier::trust::Trust;

impl<'a> Exec<'a> {
    /// The same verifier, taking `trust` on trust.
    pub(crate) fn with_trust(mut self, trust: Trust) -> Self {
        self.trust = trust;
        self
    }

    /// At the first instruction of a trusted range: the state after it, and where to go on.
    pub(crate) fn trusted_range(&self, pc: usize, st: &mut State) -> Option<Step> {
        let end = self.trust.range_at(pc)?;
        let (mut written, mut calls, mut stores) = (0u16, false, false);
        for op in &self.ops[pc..end] {
            match *op {
                Op::Alu { dst, .. }
                | Op::LdImm64 { dst, .. }
                | Op::Ldx { dst, .. }
                | Op::LoadAcq { dst, .. } => written |= 1 << dst,
                Op::LdAbs { .. } => written |= 0x3f,
                Op::St { .. } | Op::Stx { .. } | Op::StoreRel { .. } => stores = true,
                Op::Atomic { src, op, fetch, .. } => {
                    stores = true;
                    if op == AtomicOp::Cmpxchg {
                        written |= 1;
                    } else if fetch {
                        written |= 1 << src;
                    }
                }
                Op::Call { .. } | Op::CallLocal { .. } => calls = true,
                _ => {}
            }
        }
        if calls {
            written |= 0x3f;
            clobber_packet(st);
        }
        for r in 0..10u8 {
            if written & (1 << r) != 0 {
                self.set(st, r, RegVal::Scalar(Scalar::UNKNOWN));
            }
        }
        if stores {
            forget_stack(st);
        }
        Some(Step::Next(end))
    }

    /// A trusted helper call at `pc`: applies its effects and returns true.
    pub(crate) fn trusted_call(&self, pc: usize, st: &mut State) -> bool {
        if !self.trust.is_call(pc) {
            return false;
        }
        let stack_arg = (1..=5).any(|r| {
            matches!(
                st.cur().regs[r],
                RegVal::Stack { .. } | RegVal::StackVar { .. }
            )
        });
        if stack_arg {
            forget_stack(st);
        }
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        clobber_packet(st);
        self.set(st, 0, RegVal::Scalar(Scalar::UNKNOWN));
        true
    }
}

fn clobber_packet(st: &mut State) {
    st.for_each_reg(|r| {
        if r.is_packet() {
            *r = RegVal::Scalar(Scalar::UNKNOWN);
        }
    });
}

/// Every stack byte of every frame becomes an unknown byte.
fn forget_stack(st: &mut State) {
    for f in st.frames.iter_mut() {
        // (A byte never written stays so: forgetting it neither allocates nor writes it.)
        for s in f.stack.iter_mut() {
            *s = match s {
                Slot::Bytes(b) => {
                    Slot::Bytes(b.map(|x| if x == Byte::Unset { x } else { Byte::Misc }))
                }
                _ => s.scrubbed(),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    #[test]
    fn a_trusted_call_clobbers_and_returns_a_number() {
        let src = "trust_call_x:\ncall bpf_csum_update\nexit";
        let mut st = state(&[(2, konst(1)), (6, pkt(0, 8)), (7, konst(3))]);
        st.cur_mut().stack[63] = Slot::Spill(konst(1));
        One::new(src).trusting_labels().next(&mut st);
        assert_eq!(*reg(&st, 0), scalar(Scalar::UNKNOWN));
        assert_eq!(*reg(&st, 2), RegVal::NotInit);
        // No stack pointer was passed: the stack is kept; packet pointers are not.
        assert_eq!(*slot(&st, -8), Slot::Spill(konst(1)));
        assert_eq!(*reg(&st, 6), scalar(Scalar::UNKNOWN));
        assert_eq!(*reg(&st, 7), konst(3));
        // Without the trust, the helper is refused.
        let (rule, _) = One::new(src).refused(&mut state(&[]));
        assert_eq!(rule, Rule::HelperNotAllowed);
    }

    #[test]
    fn a_trusted_range_makes_what_it_writes_unknown() {
        let src = "trust_begin_x:\nr2 = 1\n*(u64 *)(r10 - 8) = r2\ntrust_end_x:\nexit";
        let mut st = state(&[(2, konst(5)), (3, konst(6))]);
        st.cur_mut().stack[63] = Slot::Spill(konst(1));
        assert_eq!(One::new(src).trusting_labels().next(&mut st), 2);
        assert_eq!(*reg(&st, 2), scalar(Scalar::UNKNOWN));
        assert_eq!(*reg(&st, 3), konst(6));
        assert_ne!(*slot(&st, -8), Slot::Spill(konst(1)));
    }
}

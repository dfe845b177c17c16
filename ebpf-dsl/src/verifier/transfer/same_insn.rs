//! One memory instruction, one kind of pointer: the kernel's `save_aux_ptr_type`. The kernel
//! records the pointer type of the base register the first time a load, store or atomic is
//! verified (`insn_aux_data[].ptr_type`, what `convert_ctx_accesses` later rewrites the
//! instruction for), and refuses a later path that reaches the same instruction with another
//! type when either is the context, a socket (`PTR_TO_SOCKET`, `_SOCK_COMMON`, `_TCP_SOCK`,
//! `_XDP_SOCK`), a BTF pointer or an arena pointer (`reg_type_mismatch`): "same insn cannot
//! be used with different pointers". A load (`BPF_LDX`, `allow_trust_mismatch`) may mix BTF
//! pointers and `PTR_TO_MEM` (the kernel merges them into an untrusted BTF pointer).
//!
//! The kernel's answer depends on the order it walks the paths in (the first type is the one
//! kept); this verifier walks them in another order, so it keeps every type an instruction
//! was reached with and refuses any pair the kernel would refuse in some order.

use super::super::domain::ptr_key::PtrKey;
use super::*;

impl<'a> Exec<'a> {
    /// Records that the access at `pc` (a load when `load`) went through `base` (register
    /// `r`), refusing it when an earlier path reached it with a pointer the kernel may not mix
    /// with this one.
    pub(crate) fn note_ptr_type(&mut self, pc: usize, r: u8, base: &RegVal, load: bool) -> R<()> {
        let Some(key) = PtrKey::of(base) else {
            return Ok(());
        };
        if self.ptr_types.at(pc).any(|(k, _)| k == key) {
            return Ok(());
        }
        if let Some((_, before)) = self.ptr_types.at(pc).find(|(k, _)| k.conflicts(key, load)) {
            let what = if load { "load" } else { "store" };
            return Err(e(
                pc,
                Rule::MemoryAccess,
                format!(
                    "this {what} is reached with r{r} = {} on one path and r{r} = {} on another: the kernel keeps one pointer type per memory instruction and refuses to mix the context, sockets or BTF pointers with another (`same insn cannot be used with different pointers`)",
                    self.describe(base),
                    self.describe(before)
                ),
            ));
        }
        self.ptr_types.add(self.ops.len(), pc, key, *base);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asm::assemble;
    use crate::verifier::{verify, VerifyInput};
    use crate::ProgramType;

    fn verdict(src: &str) -> Result<(), (Rule, String)> {
        let a = assemble(src).expect("valid text");
        let input = VerifyInput::new(&a.insns, ProgramType::SchedCls);
        verify(&input).map(drop).map_err(|es| {
            let e = &es[0];
            (e.rule, e.message.clone())
        })
    }

    #[test]
    fn the_keys_the_kernel_may_mix() {
        let ctx = PtrKey::Ctx;
        let stack = PtrKey::Mixable { mem: false };
        let mem = PtrKey::Mixable { mem: true };
        let btf = PtrKey::Btf { kind: 2, detail: 0 };
        let btf2 = PtrKey::Btf { kind: 2, detail: 1 };
        assert!(!stack.conflicts(mem, false), "stack and memory mix");
        assert!(!ctx.conflicts(ctx, false));
        assert!(ctx.conflicts(stack, true) && stack.conflicts(ctx, false));
        assert!(
            btf.conflicts(btf2, false),
            "other flags: refused for a store"
        );
        assert!(!btf.conflicts(btf2, true), "merged for a load");
        assert!(!btf.conflicts(mem, true) && btf.conflicts(mem, false));
        assert!(btf.conflicts(stack, true), "a stack pointer is not memory");
        assert!(PtrKey::Socket { common: false }.conflicts(PtrKey::Socket { common: true }, true));
        assert_eq!(PtrKey::of(&RegVal::Scalar(Scalar::konst(0))), None);
        assert_eq!(crate::verifier::domain::ptr_key::TCP_SOCK, call::TCP_SOCK);
    }

    // The context on one path, a stack pointer (spilled and filled) on the other: the same
    // store is refused; the same two with no context are mixable.
    const MIXED: &str = "r3 = 42
r6 = r10
r6 += -8
r2 = r10
r2 += -16
*(u64 *)(r6 + 0) = r2
if r1 != 0 goto l1
*(u64 *)(r6 + 0) = r1
l1:
r1 = *(u64 *)(r6 + 0)
*(u32 *)(r1 + 8) = r3
r0 = 0
exit
";

    #[test]
    fn a_store_through_the_context_and_the_stack_is_refused() {
        let (rule, msg) = verdict(MIXED).expect_err("mixed pointers");
        assert_eq!(rule, Rule::MemoryAccess);
        assert!(
            msg.contains("same insn cannot be used with different pointers"),
            "{msg}"
        );
        assert!(
            msg.contains("the context pointer") && msg.contains("a stack pointer"),
            "{msg}"
        );
        // A load through either: refused too (the context is no BTF pointer).
        let load = MIXED.replace("*(u32 *)(r1 + 8) = r3", "r3 = *(u32 *)(r1 + 8)");
        assert!(verdict(&load).is_err());
        // A map value pointer instead of the context: both mixable, accepted.
        let stack_only = MIXED.replace(
            "*(u64 *)(r6 + 0) = r1\n",
            "r1 = r10\nr1 += -24\n*(u64 *)(r6 + 0) = r1\n",
        );
        assert_eq!(verdict(&stack_only), Ok(()));
    }
}

//! Atomic read-modify-write instructions (the kernel's `check_atomic_rmw`).
//!
//! Rules mirrored from kernel 6.18, privileged loader:
//! - only 32- and 64-bit operands (the decoder refuses others);
//! - not on the context or packet memory (`BPF_ATOMIC stores into R? ctx/pkt is not allowed`);
//! - always strictly aligned, on every kind of memory: the offset including the known bits of
//!   a variable part must be a multiple of the size (`misaligned value access`), even where a
//!   plain load or store may be misaligned (`check_ptr_alignment` with `strict_alignment_once`);
//! - the memory must be readable and writable as for a load and a store;
//! - a pointer operand (`src`, or `r0` of `cmpxchg`) is allowed for a privileged loader (the
//!   memory then holds an unknown number), and so is an 8-byte atomic on a stack slot holding a
//!   spilled pointer;
//! - the fetching forms load the old value into `src` (`r0` for `cmpxchg`): on the stack, what a
//!   load of the operand's size there gives (the spilled register itself, linked to its copies;
//!   the low half of a spilled number, a narrow spill, known zeros), else an unknown number of
//!   the operand's size.

use super::align::{alignment_base, is_aligned};
use super::*;

impl<'a> Exec<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn atomic(
        &mut self,
        pc: usize,
        st: &mut State,
        size: Size,
        dst: u8,
        src: u8,
        off: i32,
        op: AtomicOp,
        fetch: bool,
    ) -> R<()> {
        let (load_reg, mut old) = self.check_atomic(pc, st, size, dst, src, off, op, fetch)?;
        if let (Some(_), RegVal::Stack { frame, off: o }, RegVal::Scalar(_)) =
            (load_reg, st.cur().regs[dst as usize], old)
        {
            // The old value of a fetch from the stack is what a load there gives (the kernel's
            // `check_mem_access` of the load register): a spilled number with its links, the
            // low half of one, a narrow spill restored, known zeros.
            old = self.stack_read(pc, st, frame, o + off, size.bytes(), false)?;
        }
        if let RegVal::Stack { frame, off: o } = st.cur().regs[dst as usize] {
            // The slot now holds an unknown number (checked: in the frame, aligned).
            let n = size.bytes();
            self.stack_write(pc, st, frame, o + off, n, RegVal::Scalar(Scalar::UNKNOWN))?;
        }
        if let Some(r) = load_reg {
            self.set(st, r, old);
        }
        Ok(())
    }

    /// The rules of an atomic operation (`check_atomic_rmw`), see the module's documentation.
    /// Returns the register the old value is loaded into, if any, and that value.
    #[allow(clippy::too_many_arguments)]
    fn check_atomic(
        &self,
        pc: usize,
        st: &State,
        size: Size,
        dst: u8,
        src: u8,
        off: i32,
        op: AtomicOp,
        fetch: bool,
    ) -> R<(Option<u8>, RegVal)> {
        self.read(st, pc, src)?;
        let base = self.read(st, pc, dst)?;
        if op == AtomicOp::Cmpxchg {
            self.read(st, pc, 0)?;
        }
        let n = size.bytes();
        let load_reg = if op == AtomicOp::Cmpxchg {
            Some(0)
        } else if fetch {
            Some(src)
        } else {
            None
        };
        if let Some(r) = load_reg {
            self.write_dst(pc, r)?;
        }
        let old = match &base {
            RegVal::Stack { frame, off: o } => {
                let a = o + off;
                let (f, slot, _) = self.stack_slot(pc, st, *frame, a, n)?;
                let range = (a as i64, a as i64 + n as i64);
                self.check_stack_read(pc, st, f, range, &"an atomic operation")?;
                match &st.frames[f].stack[slot] {
                    Slot::Spill(r @ (RegVal::Dynptr { .. } | RegVal::Iter { .. })) => {
                        return Err(e(
                            pc,
                            Rule::StackAccess,
                            format!(
                                "an atomic operation on r10 {a:+} touches {} (the kernel: `invalid read from stack`)",
                                self.describe(r)
                            ),
                        ));
                    }
                    Slot::Spill(r) if n == 8 => match r {
                        RegVal::Scalar(s) => RegVal::Scalar(s.unlinked()),
                        p => *p,
                    },
                    Slot::Spill(r) if r.is_pointer() => {
                        return Err(e(
                            pc,
                            Rule::StackAccess,
                            format!(
                                "a {n}-byte atomic operation on r10 {a:+} touches part of a spilled pointer ({}); the kernel allows only 8-byte accesses to it",
                                self.describe(r)
                            ),
                        ));
                    }
                    _ => RegVal::Scalar(Scalar::of_size(n)),
                }
            }
            RegVal::Ctx { .. } | RegVal::Pkt { .. } => {
                return Err(e(
                    pc,
                    Rule::MemoryAccess,
                    format!(
                        "atomic operations on {} are not allowed (only the stack, map values and ring buffer memory)",
                        self.describe(&base)
                    ),
                ))
            }
            _ => {
                // An atomic reads and writes (the kernel's check_atomic checks both ways).
                self.check_mem(pc, dst, &base, off, n as u64, false, "atomic operation")?;
                self.check_mem(pc, dst, &base, off, n as u64, true, "atomic operation")?;
                self.check_atomic_alignment(pc, dst, &base, off, n)?;
                RegVal::Scalar(Scalar::of_size(n))
            }
        };
        Ok((load_reg, old))
    }

    /// Atomics are strictly aligned on every kind of memory: the constant offset plus the known
    /// bits of the variable offset must be a multiple of `n` (the kernel's
    /// `check_ptr_alignment` with `strict_alignment_once`; `transfer/align.rs`).
    fn check_atomic_alignment(&self, pc: usize, r: u8, base: &RegVal, off: i32, n: u32) -> R<()> {
        let Some((var, o, _)) = alignment_base(base) else {
            return Ok(());
        };
        if is_aligned(var, o + off as i64, n) {
            return Ok(());
        }
        Err(e(
            pc,
            Rule::MemoryAccess,
            format!(
                "misaligned atomic operation: r{r} is {} and the {n}-byte access at offset {} is not known to be a multiple of {n} (atomics must be aligned on every kind of memory)",
                self.describe(base),
                o + off as i64,
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    #[test]
    fn a_misaligned_atomic_on_a_map_value_is_refused() {
        let mut st = state(&[(1, map_value(0, 0)), (2, konst(1))]);
        let (rule, msg) = One::new("lock *(u32 *)(r1 + 3) += w2\nexit").refused(&mut st);
        assert_eq!(rule, Rule::MemoryAccess);
        assert_eq!(
            msg,
            "misaligned atomic operation: r1 is a pointer into a value of map `arr` (offset 0) and the 4-byte access at offset 3 is not known to be a multiple of 4 (atomics must be aligned on every kind of memory)"
        );
        // Aligned: accepted, and the operand is untouched without `fetch`.
        One::new("lock *(u32 *)(r1 + 4) += w2\nexit").next(&mut st);
        assert_eq!(*reg(&st, 2), konst(1));
        // 8 bytes at offset 4 of the value are misaligned too (a plain load there is fine).
        let (rule, _) = One::new("lock *(u64 *)(r1 + 4) += r2\nexit").refused(&mut st);
        assert_eq!(rule, Rule::MemoryAccess);
    }

    #[test]
    fn a_variable_offset_is_aligned_by_its_known_bits() {
        // var in {0, 8}: every value is a multiple of 8.
        let var = Scalar::UNKNOWN.and(&Scalar::konst(8));
        let p = RegVal::MapValue {
            map: 0,
            off: 0,
            var,
            id: 0,
        };
        let mut st = state(&[(1, p), (2, konst(1))]);
        One::new("lock *(u64 *)(r1 + 0) += r2\nexit").next(&mut st);
        // var in 0..=8 (any low bits): refused.
        let var = Scalar::urange(0, 8);
        let p = RegVal::MapValue {
            map: 0,
            off: 0,
            var,
            id: 0,
        };
        let (rule, msg) = One::new("lock *(u32 *)(r1 + 0) += w2\nexit")
            .refused(&mut state(&[(1, p), (2, konst(1))]));
        assert_eq!(rule, Rule::MemoryAccess);
        assert!(msg.starts_with("misaligned atomic operation"), "{msg}");
    }

    #[test]
    fn atomics_refuse_the_context_and_the_packet() {
        let (rule, msg) =
            One::new("lock *(u32 *)(r1 + 0) += w2\nexit").refused(&mut state(&[(2, konst(1))]));
        assert_eq!(
            (rule, msg.as_str()),
            (
                Rule::MemoryAccess,
                "atomic operations on the context pointer are not allowed (only the stack, map values and ring buffer memory)"
            )
        );
        let (rule, _) = One::new("lock *(u32 *)(r1 + 0) += w2\nexit")
            .refused(&mut state(&[(1, pkt(0, 8)), (2, konst(1))]));
        assert_eq!(rule, Rule::MemoryAccess);
        // A read-only map value cannot be written by an atomic.
        let (_, msg) = One::new("lock *(u32 *)(r1 + 0) += w2\nexit")
            .refused(&mut state(&[(1, map_value(2, 0)), (2, konst(1))]));
        assert_eq!(
            msg,
            "map `ro` is read-only for programs (BPF_F_RDONLY_PROG)"
        );
    }

    #[test]
    fn a_fetch_on_a_spilled_pointer_gives_it_back() {
        let mut st = state(&[(2, konst(1))]);
        st.cur_mut().stack[63] = Slot::Spill(pkt(0, 14));
        One::new("r2 = atomic_fetch_add((u64 *)(r10 - 8), r2)\nexit")
            .kernel(KernelVersion::SPILL_ANY_SCALAR)
            .next(&mut st);
        assert_eq!(*reg(&st, 2), pkt(0, 14));
        // The slot now holds an unknown number.
        assert_eq!(*slot(&st, -8), Slot::Spill(scalar(Scalar::UNKNOWN)));
        // A 4-byte atomic on part of a spilled pointer is refused.
        let mut st = state(&[(2, konst(1))]);
        st.cur_mut().stack[63] = Slot::Spill(pkt(0, 14));
        let (rule, msg) = One::new("lock *(u32 *)(r10 - 8) += w2\nexit").refused(&mut st);
        assert_eq!(rule, Rule::StackAccess);
        assert!(
            msg.starts_with(
                "a 4-byte atomic operation on r10 -8 touches part of a spilled pointer"
            ),
            "{msg}"
        );
    }

    #[test]
    fn cmpxchg_reads_and_writes_r0() {
        let src = "r0 = cmpxchg_64(r10 - 8, r0, r1)\nexit";
        let (rule, msg) = One::new(src).refused(&mut state(&[(1, konst(1))]));
        assert_eq!(rule, Rule::UninitRegister);
        assert!(msg.starts_with("r0 is read here"), "{msg}");
        let mut st = state(&[(0, konst(0)), (1, konst(1))]);
        One::new(src).next(&mut st);
        // The slot held unknown bytes: r0 gets an unknown 8-byte number.
        assert_eq!(*reg(&st, 0), scalar(Scalar::of_size(8)));
    }
}

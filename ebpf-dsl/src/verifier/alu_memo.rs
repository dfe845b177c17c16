//! The scalar arithmetic of each ALU instruction, remembered per instruction: a loop walked
//! again, path after path, gives most of its instructions the operands they had last time
//! (the same unknown words through the same hash rounds, the same offsets), and
//! [`scalar_alu`] of those operands is then found by comparing them with the ones kept for
//! the instruction, without hashing them or running the arithmetic (each operation costs
//! several [`Scalar::sync`]). The entries are a function of the operands only: the result is
//! exactly what [`scalar_alu`] computes (`the_memo_is_scalar_alu`).

use crate::insn::AluOp;

use super::chunks::Chunks;
use super::domain::arith_gates::scalar_alu;
use super::domain::scalar::Scalar;
use super::KernelVersion;

/// The most groups of entries of an [`AluMemo`] (a power of two): one per instruction in a
/// program of up to this many, else instructions share one by their number modulo this.
const MAX_ENTRIES: usize = 1024;
/// The operand sets kept per instruction.
const WAYS: usize = 4;

/// The operands (unlinked) and the result of one instruction's last scalar operation.
#[derive(Clone, Copy)]
struct Entry {
    /// The instruction.
    pc: u32,
    op: AluOp,
    is64: bool,
    /// The immediate `b` was made of, if the caller said so (see [`AluMemo::scalar_alu`]).
    imm: Option<i64>,
    a: Scalar,
    b: Scalar,
    r: Scalar,
}

/// The last [`WAYS`] operands and results of each ALU instruction's scalar arithmetic (see
/// the module docs; four: an instruction reached with several sets of operands in turn finds
/// them, −0.8% instructions on the six-program basket against one, −0.4% against two).
/// `slots[pc % slots.len()]` is 0 when no instruction there has entries yet, else one more
/// than its group's position in `entries`, pushed as instructions get one: a program touches
/// the few KB its ALU instructions take, never a large block of the allocator
/// (`super::chunks`). Empty, and allocating nothing, until the first operation.
#[derive(Default)]
pub(crate) struct AluMemo {
    slots: Vec<u16>,
    entries: Chunks<[Entry; WAYS]>,
}

impl AluMemo {
    /// [`scalar_alu`]`(kernel, op, is64, a, b)` for instruction `pc` of a program of `len`
    /// instructions (`kernel` the same at every call: one memo per verification). The links of
    /// `a` and `b` play no part in it (the result is unlinked): they are not compared.
    /// `imm`: `Some(i)` when `b` is the instruction's immediate `i` as a constant (sign-extended
    /// to 64 bits when `is64`, else zero-extended from 32): the same operator, width and
    /// immediate make the same `b`, so an entry made with the same `imm` is found without
    /// comparing `b`'s fields.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn scalar_alu(
        &mut self,
        len: usize,
        pc: usize,
        kernel: KernelVersion,
        op: AluOp,
        is64: bool,
        a: &Scalar,
        b: &Scalar,
        imm: Option<i64>,
    ) -> Scalar {
        debug_assert!(imm.is_none_or(|i| {
            *b == Scalar::konst(if is64 { i as u64 } else { i as u32 as u64 })
        }));
        if self.slots.is_empty() {
            self.slots = vec![0; len.next_power_of_two().clamp(1, MAX_ENTRIES)];
        }
        let i = pc & (self.slots.len() - 1);
        let j = self.slots[i] as usize;
        if j != 0 {
            for e in &self.entries[j - 1] {
                let b_same = match imm {
                    Some(_) => e.imm == imm,
                    None => same(b, &e.b),
                };
                if e.pc == pc as u32 && e.op == op && e.is64 == is64 && b_same && same(a, &e.a) {
                    return e.r;
                }
            }
        }
        let (a, b) = (a.unlinked(), b.unlinked());
        let r = scalar_alu(kernel, op, is64, &a, &b);
        let e = Entry {
            pc: pc as u32,
            op,
            is64,
            imm,
            a,
            b,
            r,
        };
        if j != 0 {
            // Newest first: the oldest gives way.
            let group = &mut self.entries[j - 1];
            group.copy_within(..WAYS - 1, 1);
            group[0] = e;
        } else {
            // Never more than `MAX_ENTRIES` groups (one per slot); the other entries of a
            // new group match no instruction.
            let mut group = [Entry { pc: u32::MAX, ..e }; WAYS];
            group[0] = e;
            self.entries.push(group);
            self.slots[i] = self.entries.len() as u16;
        }
        r
    }
}

/// True if `a` and `b` stand for the same values, links aside (as [`Scalar::same_value`]),
/// every field tested at once: a found entry has them all equal.
#[inline]
fn same(a: &Scalar, b: &Scalar) -> bool {
    ((a.umin ^ b.umin)
        | (a.umax ^ b.umax)
        | (a.smin ^ b.smin) as u64
        | (a.smax ^ b.smax) as u64
        | (a.t.value ^ b.t.value)
        | (a.t.mask ^ b.t.mask)
        | ((a.u32min ^ b.u32min) | (a.u32max ^ b.u32max)) as u64
        | ((a.s32min ^ b.s32min) | (a.s32max ^ b.s32max)) as u64)
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Operands of every kind: constants, ranges, known bits, signed ranges, links.
    fn operands() -> Vec<Scalar> {
        let mut v = Vec::new();
        for (lo, hi) in [
            (0u64, 0u64),
            (5, 5),
            (0, 255),
            (16, 100),
            (0, u32::MAX as u64),
        ] {
            v.push(Scalar::urange(lo, hi));
        }
        v.push(Scalar::WORD);
        v.push(Scalar::UNKNOWN);
        v.push(Scalar::srange(-7, 3));
        v.push(Scalar::konst(u64::MAX));
        v.push(Scalar::konst(32));
        let mut linked = Vec::new();
        for s in &v {
            linked.push(Scalar { link: 9, ..*s });
            linked.push(Scalar {
                link: 9 | Scalar::ADD_CONST,
                delta: -4,
                ..*s
            });
        }
        v.extend(linked);
        v
    }

    #[test]
    fn the_memo_is_scalar_alu() {
        // Every operator, both widths, several kernels, the same pc for all (each operation
        // replaces the last) and again (found): the result never differs from the function's,
        // whatever the links.
        let ops = crate::verifier::domain::arith::tests::SCALAR_OPS;
        let xs = operands();
        for kernel in [(6, 1), (6, 12), (6, 18)].map(|(a, b)| KernelVersion::new(a, b)) {
            let mut m = AluMemo::default();
            let mut n = 0;
            for op in ops {
                for is64 in [true, false] {
                    for a in &xs {
                        for b in &xs {
                            let want = scalar_alu(kernel, op, is64, a, b);
                            // Computed, found, replaced by another instruction's.
                            for pc in [3, 3, 3 + MAX_ENTRIES] {
                                let got = m.scalar_alu(5000, pc, kernel, op, is64, a, b, None);
                                assert_eq!(got, want, "{kernel:?} {op:?} {is64} {a:?} {b:?}");
                                n += 1;
                            }
                            // Found for a copy of `a` with another link: the same result.
                            let c = Scalar { link: 11, ..*a };
                            let got =
                                m.scalar_alu(5000, 3 + MAX_ENTRIES, kernel, op, is64, &c, b, None);
                            assert_eq!(got, scalar_alu(kernel, op, is64, &c, b), "{c:?} {b:?}");
                        }
                    }
                }
            }
            assert!(n > 10_000, "{n}");
        }
    }

    #[test]
    fn an_immediate_is_found_by_its_value() {
        // The immediate's constant (as the ALU fast path makes it) found by the immediate:
        // the same results as `scalar_alu`, whatever ran at the instruction before (another
        // immediate, a register operand with the same value, another operand).
        let kernel = KernelVersion::new(6, 18);
        let mut m = AluMemo::default();
        for op in [AluOp::Add, AluOp::And, AluOp::Rsh, AluOp::Mul] {
            for is64 in [true, false] {
                for a in &operands() {
                    for i in [0i64, 3, -1, 31, i32::MIN as i64] {
                        let b = Scalar::konst(if is64 { i as u64 } else { i as u32 as u64 });
                        let want = scalar_alu(kernel, op, is64, a, &b);
                        for imm in [Some(i), None, Some(i)] {
                            let got = m.scalar_alu(64, 7, kernel, op, is64, a, &b, imm);
                            assert_eq!(got, want, "{op:?} {is64} {a:?} {i} {imm:?}");
                        }
                    }
                }
            }
        }
    }
}

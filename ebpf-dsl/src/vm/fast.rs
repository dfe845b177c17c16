//! The interpreter's fast path, compiled once per program: every slot becomes a flat [`Op`]
//! whose variant names the whole operation — width, operation, register or immediate form,
//! access size, condition — so that one `match` (one jump table) dispatches it, with the
//! immediate already extended and jump targets already absolute. Everything that needs a
//! closer look (calls, exits, atomics, `ld_imm64` of maps, legacy packet loads, jumps to bad
//! targets) is [`Op::Slow`] and goes through the general path, which has the exact semantics
//! and errors.
//!
//! The instruction budget is charged per straight run, not per instruction: [`Code::costs`]
//! holds, for each slot, how many instructions the fast path executes from there up to and
//! including the next jump (or up to the next slow slot). The fast path charges a whole run
//! when it enters it (at a jump's target, or after a slow slot); a run that would pass the
//! limit is left to the general path, which counts one instruction at a time, so the limit
//! stops a program at exactly the same instruction as before.

use crate::decode::{AluBinOp, Decoded, Endian, JmpCond, Operand, Width};
use crate::insn::PseudoLd;

use super::hasher::FastMap;
use super::memory::Memory;

/// One pre-compiled slot. `(dst, src)` are register numbers, `imm` an extended immediate
/// (sign-extended for 64-bit operations and stores, zero-extended from 32 bits for 32-bit
/// operations), `off` a memory offset, `t` an absolute jump target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub(crate) enum Op {
    Slow,
    /// `exit`: ends a straight run; the interpreter returns or pops a call frame.
    Exit,
    /// `call` of a helper: ends a straight run; the interpreter calls it.
    Call(i32),
    // 64-bit ALU, register and immediate forms.
    Add64(u8, u8),
    Sub64(u8, u8),
    Mul64(u8, u8),
    Div64(u8, u8),
    SDiv64(u8, u8),
    Mod64(u8, u8),
    SMod64(u8, u8),
    Or64(u8, u8),
    And64(u8, u8),
    Xor64(u8, u8),
    Lsh64(u8, u8),
    Rsh64(u8, u8),
    Arsh64(u8, u8),
    Mov64(u8, u8),
    Add64I(u8, u64),
    Sub64I(u8, u64),
    Mul64I(u8, u64),
    Div64I(u8, u64),
    SDiv64I(u8, u64),
    Mod64I(u8, u64),
    SMod64I(u8, u64),
    Or64I(u8, u64),
    And64I(u8, u64),
    Xor64I(u8, u64),
    Lsh64I(u8, u64),
    Rsh64I(u8, u64),
    Arsh64I(u8, u64),
    Mov64I(u8, u64),
    // 32-bit ALU (results zero-extended).
    Add32(u8, u8),
    Sub32(u8, u8),
    Mul32(u8, u8),
    Div32(u8, u8),
    SDiv32(u8, u8),
    Mod32(u8, u8),
    SMod32(u8, u8),
    Or32(u8, u8),
    And32(u8, u8),
    Xor32(u8, u8),
    Lsh32(u8, u8),
    Rsh32(u8, u8),
    Arsh32(u8, u8),
    Mov32(u8, u8),
    Add32I(u8, u64),
    Sub32I(u8, u64),
    Mul32I(u8, u64),
    Div32I(u8, u64),
    SDiv32I(u8, u64),
    Mod32I(u8, u64),
    SMod32I(u8, u64),
    Or32I(u8, u64),
    And32I(u8, u64),
    Xor32I(u8, u64),
    Lsh32I(u8, u64),
    Rsh32I(u8, u64),
    Arsh32I(u8, u64),
    Mov32I(u8, u64),
    // Negation, byte swaps and truncations, sign-extending moves.
    Neg64(u8),
    Neg32(u8),
    Swap16(u8),
    Swap32(u8),
    Swap64(u8),
    Zext16(u8),
    Zext32(u8),
    /// `le64`: no change.
    Nop,
    /// `dst = (s8/s16/s32) src` on 64 bits.
    Sx64(u8, u8, u8),
    /// `wdst = (s8/s16) wsrc`: sign-extended to 32 bits, then zero-extended.
    Sx32(u8, u8, u8),
    // Jumps on 64 bits, register and immediate forms.
    Jeq(u8, u8, u32),
    Jne(u8, u8, u32),
    Jgt(u8, u8, u32),
    Jge(u8, u8, u32),
    Jlt(u8, u8, u32),
    Jle(u8, u8, u32),
    Jset(u8, u8, u32),
    Jsgt(u8, u8, u32),
    Jsge(u8, u8, u32),
    Jslt(u8, u8, u32),
    Jsle(u8, u8, u32),
    JeqI(u8, u32, u64),
    JneI(u8, u32, u64),
    JgtI(u8, u32, u64),
    JgeI(u8, u32, u64),
    JltI(u8, u32, u64),
    JleI(u8, u32, u64),
    JsetI(u8, u32, u64),
    JsgtI(u8, u32, u64),
    JsgeI(u8, u32, u64),
    JsltI(u8, u32, u64),
    JsleI(u8, u32, u64),
    // Jumps on the low 32 bits.
    Jeq32(u8, u8, u32),
    Jne32(u8, u8, u32),
    Jgt32(u8, u8, u32),
    Jge32(u8, u8, u32),
    Jlt32(u8, u8, u32),
    Jle32(u8, u8, u32),
    Jset32(u8, u8, u32),
    Jsgt32(u8, u8, u32),
    Jsge32(u8, u8, u32),
    Jslt32(u8, u8, u32),
    Jsle32(u8, u8, u32),
    Jeq32I(u8, u32, u64),
    Jne32I(u8, u32, u64),
    Jgt32I(u8, u32, u64),
    Jge32I(u8, u32, u64),
    Jlt32I(u8, u32, u64),
    Jle32I(u8, u32, u64),
    Jset32I(u8, u32, u64),
    Jsgt32I(u8, u32, u64),
    Jsge32I(u8, u32, u64),
    Jslt32I(u8, u32, u64),
    Jsle32I(u8, u32, u64),
    Goto(u32),
    /// A plain `ld_imm64` (two slots).
    LdImm64(u8, u64),
    // Loads `dst = *(uN *)(src + off)`, sign-extending loads, stores of a register and of an
    // immediate `*(uN *)(dst + off) = src / imm`.
    Ldx1(u8, u8, i16),
    Ldx2(u8, u8, i16),
    Ldx4(u8, u8, i16),
    Ldx8(u8, u8, i16),
    Ldxs1(u8, u8, i16),
    Ldxs2(u8, u8, i16),
    Ldxs4(u8, u8, i16),
    Stx1(u8, u8, i16),
    Stx2(u8, u8, i16),
    Stx4(u8, u8, i16),
    Stx8(u8, u8, i16),
    St1(u8, i16, u64),
    St2(u8, i16, u64),
    St4(u8, i16, u64),
    St8(u8, i16, u64),
    // Fused pairs (see `fuse`): the first slot of a pair runs both instructions; the second
    // keeps its own op for jumps that land on it.
    /// `dst = src; dst += imm`.
    MovAdd(u8, u8, i32),
    /// `dst += add; if dst OP cmp goto t` (64-bit, unsigned conditions; `-=` is `+=` of the
    /// negated immediate).
    AddJeq(u8, u32, i32, i32),
    AddJne(u8, u32, i32, i32),
    AddJgt(u8, u32, i32, i32),
    AddJge(u8, u32, i32, i32),
    AddJlt(u8, u32, i32, i32),
    AddJle(u8, u32, i32, i32),
}

type RegForm = fn(u8, u8) -> Op;
type ImmForm = fn(u8, u64) -> Op;
type JmpReg = fn(u8, u8, u32) -> Op;
type JmpImm = fn(u8, u32, u64) -> Op;
type AddJump = fn(u8, u32, i32, i32) -> Op;

fn alu_forms(width: Width, op: AluBinOp) -> (RegForm, ImmForm) {
    use AluBinOp as A;
    match (width, op) {
        (Width::W64, A::Add) => (Op::Add64, Op::Add64I),
        (Width::W64, A::Sub) => (Op::Sub64, Op::Sub64I),
        (Width::W64, A::Mul) => (Op::Mul64, Op::Mul64I),
        (Width::W64, A::Div) => (Op::Div64, Op::Div64I),
        (Width::W64, A::SDiv) => (Op::SDiv64, Op::SDiv64I),
        (Width::W64, A::Mod) => (Op::Mod64, Op::Mod64I),
        (Width::W64, A::SMod) => (Op::SMod64, Op::SMod64I),
        (Width::W64, A::Or) => (Op::Or64, Op::Or64I),
        (Width::W64, A::And) => (Op::And64, Op::And64I),
        (Width::W64, A::Xor) => (Op::Xor64, Op::Xor64I),
        (Width::W64, A::Lsh) => (Op::Lsh64, Op::Lsh64I),
        (Width::W64, A::Rsh) => (Op::Rsh64, Op::Rsh64I),
        (Width::W64, A::Arsh) => (Op::Arsh64, Op::Arsh64I),
        (Width::W64, A::Mov) => (Op::Mov64, Op::Mov64I),
        (Width::W32, A::Add) => (Op::Add32, Op::Add32I),
        (Width::W32, A::Sub) => (Op::Sub32, Op::Sub32I),
        (Width::W32, A::Mul) => (Op::Mul32, Op::Mul32I),
        (Width::W32, A::Div) => (Op::Div32, Op::Div32I),
        (Width::W32, A::SDiv) => (Op::SDiv32, Op::SDiv32I),
        (Width::W32, A::Mod) => (Op::Mod32, Op::Mod32I),
        (Width::W32, A::SMod) => (Op::SMod32, Op::SMod32I),
        (Width::W32, A::Or) => (Op::Or32, Op::Or32I),
        (Width::W32, A::And) => (Op::And32, Op::And32I),
        (Width::W32, A::Xor) => (Op::Xor32, Op::Xor32I),
        (Width::W32, A::Lsh) => (Op::Lsh32, Op::Lsh32I),
        (Width::W32, A::Rsh) => (Op::Rsh32, Op::Rsh32I),
        (Width::W32, A::Arsh) => (Op::Arsh32, Op::Arsh32I),
        (Width::W32, A::Mov) => (Op::Mov32, Op::Mov32I),
    }
}

fn jmp_forms(width: Width, c: JmpCond) -> (JmpReg, JmpImm) {
    use JmpCond as J;
    match (width, c) {
        (Width::W64, J::Eq) => (Op::Jeq, Op::JeqI),
        (Width::W64, J::Ne) => (Op::Jne, Op::JneI),
        (Width::W64, J::Gt) => (Op::Jgt, Op::JgtI),
        (Width::W64, J::Ge) => (Op::Jge, Op::JgeI),
        (Width::W64, J::Lt) => (Op::Jlt, Op::JltI),
        (Width::W64, J::Le) => (Op::Jle, Op::JleI),
        (Width::W64, J::Set) => (Op::Jset, Op::JsetI),
        (Width::W64, J::Sgt) => (Op::Jsgt, Op::JsgtI),
        (Width::W64, J::Sge) => (Op::Jsge, Op::JsgeI),
        (Width::W64, J::Slt) => (Op::Jslt, Op::JsltI),
        (Width::W64, J::Sle) => (Op::Jsle, Op::JsleI),
        (Width::W32, J::Eq) => (Op::Jeq32, Op::Jeq32I),
        (Width::W32, J::Ne) => (Op::Jne32, Op::Jne32I),
        (Width::W32, J::Gt) => (Op::Jgt32, Op::Jgt32I),
        (Width::W32, J::Ge) => (Op::Jge32, Op::Jge32I),
        (Width::W32, J::Lt) => (Op::Jlt32, Op::Jlt32I),
        (Width::W32, J::Le) => (Op::Jle32, Op::Jle32I),
        (Width::W32, J::Set) => (Op::Jset32, Op::Jset32I),
        (Width::W32, J::Sgt) => (Op::Jsgt32, Op::Jsgt32I),
        (Width::W32, J::Sge) => (Op::Jsge32, Op::Jsge32I),
        (Width::W32, J::Slt) => (Op::Jslt32, Op::Jslt32I),
        (Width::W32, J::Sle) => (Op::Jsle32, Op::Jsle32I),
    }
}

/// The immediate of a `width` operation, extended as the ISA says.
fn extend(i: i32, width: Width) -> u64 {
    match width {
        Width::W64 => i as i64 as u64,
        Width::W32 => i as u32 as u64,
    }
}

impl Op {
    /// Whether the op ends a straight run (a jump, an exit or a helper call: the next op is
    /// wherever it goes).
    fn is_jump(self) -> bool {
        use Op::*;
        matches!(
            self,
            Jeq(..)
                | Jne(..)
                | Jgt(..)
                | Jge(..)
                | Jlt(..)
                | Jle(..)
                | Jset(..)
                | Jsgt(..)
                | Jsge(..)
                | Jslt(..)
                | Jsle(..)
                | JeqI(..)
                | JneI(..)
                | JgtI(..)
                | JgeI(..)
                | JltI(..)
                | JleI(..)
                | JsetI(..)
                | JsgtI(..)
                | JsgeI(..)
                | JsltI(..)
                | JsleI(..)
                | Jeq32(..)
                | Jne32(..)
                | Jgt32(..)
                | Jge32(..)
                | Jlt32(..)
                | Jle32(..)
                | Jset32(..)
                | Jsgt32(..)
                | Jsge32(..)
                | Jslt32(..)
                | Jsle32(..)
                | Jeq32I(..)
                | Jne32I(..)
                | Jgt32I(..)
                | Jge32I(..)
                | Jlt32I(..)
                | Jle32I(..)
                | Jset32I(..)
                | Jsgt32I(..)
                | Jsge32I(..)
                | Jslt32I(..)
                | Jsle32I(..)
                | Goto(_)
                | Exit
                | Call(_)
        )
    }
}

/// The compiled form of one decoded slot at `pc`; `map_refs` gives the map of each
/// `ld_imm64` with a relocation (by slot).
fn op_of(slots: &[Option<Decoded>], map_refs: &FastMap<usize, usize>, pc: usize) -> Op {
    let target = |off: i64| {
        let t = pc as i64 + 1 + off;
        (t >= 0 && (t as usize) < slots.len() && slots[t as usize].is_some()).then_some(t as u32)
    };
    let Some(Some(d)) = slots.get(pc) else {
        return Op::Slow;
    };
    match *d {
        Decoded::Alu {
            width,
            op,
            dst,
            src,
        } => {
            let (reg, imm) = alu_forms(width, op);
            match src {
                Operand::Reg(s) => reg(dst.num(), s.num()),
                Operand::Imm(i) => imm(dst.num(), extend(i, width)),
            }
        }
        Decoded::Neg { width, dst } => match width {
            Width::W64 => Op::Neg64(dst.num()),
            Width::W32 => Op::Neg32(dst.num()),
        },
        Decoded::Endian { kind, bits, dst } => {
            let d = dst.num();
            match (matches!(kind, Endian::Le), bits) {
                (false, 16) => Op::Swap16(d),
                (false, 32) => Op::Swap32(d),
                (false, 64) => Op::Swap64(d),
                (true, 16) => Op::Zext16(d),
                (true, 32) => Op::Zext32(d),
                (true, 64) => Op::Nop,
                _ => Op::Slow,
            }
        }
        Decoded::MovSx {
            width,
            bits,
            dst,
            src,
        } => match width {
            Width::W64 => Op::Sx64(dst.num(), src.num(), bits),
            Width::W32 => Op::Sx32(dst.num(), src.num(), bits),
        },
        Decoded::Jump {
            width,
            cond,
            dst,
            src,
            off,
        } => {
            let Some(t) = target(off as i64) else {
                return Op::Slow;
            };
            let (reg, imm) = jmp_forms(width, cond);
            match src {
                Operand::Reg(s) => reg(dst.num(), s.num(), t),
                Operand::Imm(i) => imm(dst.num(), t, extend(i, width)),
            }
        }
        Decoded::Goto { off } => target(off as i64).map_or(Op::Slow, Op::Goto),
        Decoded::GotoLong { imm } => target(imm as i64).map_or(Op::Slow, Op::Goto),
        Decoded::LdImm64 { dst, value } => Op::LdImm64(dst.num(), value as u64),
        Decoded::Exit => Op::Exit,
        Decoded::Call { id } => Op::Call(id),
        // A map pointer is a constant (see `Memory::map_addr`); a map-value pointer needs the
        // run's regions (the general path).
        Decoded::LdPseudo { dst, kind, .. }
            if !matches!(kind, PseudoLd::MapValue | PseudoLd::MapIdxValue) =>
        {
            match map_refs.get(&pc) {
                Some(&map) => Op::LdImm64(dst.num(), Memory::map_addr(map)),
                None => Op::Slow,
            }
        }
        Decoded::Load {
            size,
            dst,
            src,
            off,
        } => {
            let (d, s) = (dst.num(), src.num());
            match size.bytes() {
                1 => Op::Ldx1(d, s, off),
                2 => Op::Ldx2(d, s, off),
                4 => Op::Ldx4(d, s, off),
                _ => Op::Ldx8(d, s, off),
            }
        }
        Decoded::LoadSx {
            size,
            dst,
            src,
            off,
        } => {
            let (d, s) = (dst.num(), src.num());
            match size.bytes() {
                1 => Op::Ldxs1(d, s, off),
                2 => Op::Ldxs2(d, s, off),
                4 => Op::Ldxs4(d, s, off),
                _ => Op::Slow,
            }
        }
        Decoded::StoreReg {
            size,
            dst,
            off,
            src,
        } => {
            let (d, s) = (dst.num(), src.num());
            match size.bytes() {
                1 => Op::Stx1(d, s, off),
                2 => Op::Stx2(d, s, off),
                4 => Op::Stx4(d, s, off),
                _ => Op::Stx8(d, s, off),
            }
        }
        Decoded::Store {
            size,
            dst,
            off,
            imm,
        } => {
            let (d, v) = (dst.num(), imm as i64 as u64);
            match size.bytes() {
                1 => Op::St1(d, off, v),
                2 => Op::St2(d, off, v),
                4 => Op::St4(d, off, v),
                _ => Op::St8(d, off, v),
            }
        }
        _ => Op::Slow,
    }
}

/// A 64-bit immediate that was an `i32` sign-extended (every 64-bit immediate is).
fn small(i: u64) -> Option<i32> {
    i32::try_from(i as i64).ok()
}

/// The fused op for the pair `a` (at some slot) and `b` (the next one), if there is one: a
/// register copy then an addition to it, or an addition of an immediate to a register then a
/// jump comparing it with an immediate (the common loop counter and pointer idioms).
fn fuse(a: Op, b: Op) -> Option<Op> {
    let add = match a {
        Op::Mov64(d, s) => {
            return match b {
                Op::Add64I(d2, i) if d2 == d => Some(Op::MovAdd(d, s, small(i)?)),
                _ => None,
            }
        }
        Op::Add64I(d, i) => (d, small(i)?),
        Op::Sub64I(d, i) => (d, small(i.wrapping_neg())?),
        _ => return None,
    };
    let (d, a) = add;
    let (form, d2, t, c): (AddJump, _, _, _) = match b {
        Op::JeqI(d2, t, c) => (Op::AddJeq, d2, t, c),
        Op::JneI(d2, t, c) => (Op::AddJne, d2, t, c),
        Op::JgtI(d2, t, c) => (Op::AddJgt, d2, t, c),
        Op::JgeI(d2, t, c) => (Op::AddJge, d2, t, c),
        Op::JltI(d2, t, c) => (Op::AddJlt, d2, t, c),
        Op::JleI(d2, t, c) => (Op::AddJle, d2, t, c),
        _ => return None,
    };
    (d2 == d).then_some(form(d, t, a, small(c)?))
}

/// A program compiled for the fast path.
#[derive(Clone, Debug, Default)]
pub(crate) struct Code {
    /// One op per slot, then one [`Op::Slow`] (so that falling through the last slot lands on
    /// a slow op, which the general path turns into the error).
    pub ops: Vec<Op>,
    /// Per slot: the instructions of the straight run starting there (0 for a slow slot).
    pub costs: Vec<u32>,
}

/// Compiles the decoded slots of a program (`None`: the second slot of an `ld_imm64`), with
/// the map index of each relocated `ld_imm64` by slot.
pub(crate) fn compile(slots: &[Option<Decoded>], map_refs: &FastMap<usize, usize>) -> Code {
    let mut ops: Vec<Op> = (0..slots.len())
        .map(|pc| op_of(slots, map_refs, pc))
        .collect();
    ops.push(Op::Slow);
    let mut costs = vec![0u32; ops.len()];
    for pc in (0..slots.len()).rev() {
        costs[pc] = match ops[pc] {
            Op::Slow => 0,
            op if op.is_jump() => 1,
            Op::LdImm64(..) => 1 + costs.get(pc + 2).copied().unwrap_or(0),
            _ => 1 + costs[pc + 1],
        };
    }
    // After the costs (of the single instructions: a fused pair is two of them, in one run).
    for pc in 0..slots.len() {
        if let Some(f) = fuse(ops[pc], ops[pc + 1]) {
            ops[pc] = f;
        }
    }
    Code { ops, costs }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> Code {
        let a = crate::asm::assemble_unchecked(text).unwrap();
        let mut v = vec![None; a.insns.len()];
        for (i, d) in crate::decode::decode_indexed(&a.insns).unwrap() {
            v[i] = Some(d);
        }
        compile(&v, &FastMap::default())
    }

    #[test]
    fn immediates_targets_and_slow_forms() {
        let o =
            code("r1 = -1\nw1 = -1\nif r1 == 2 goto +1\nr0 s/= 3\nr1 = 0x100000000 ll\nexit").ops;
        assert_eq!(o[0], Op::Mov64I(1, u64::MAX));
        assert_eq!(o[1], Op::Mov32I(1, 0xffff_ffff));
        assert_eq!(o[2], Op::JeqI(1, 4, 2));
        assert_eq!(o[3], Op::SDiv64I(0, 3));
        assert_eq!(o[4], Op::LdImm64(1, 1 << 32));
        assert_eq!(o[5], Op::Slow); // the ld_imm64's second slot
        assert_eq!(o[6], Op::Exit);
        assert_eq!(o[7], Op::Slow); // past the end
                                    // A jump to the second slot of an ld_imm64 is left to the general path.
        let o = code("goto +1\nr1 = 0x100000000 ll\nexit").ops;
        assert_eq!(o[0], Op::Slow);
        // A 32-bit signed jump against a negative immediate keeps the low 32 bits.
        let o = code("if w1 s< -2 goto +0\nexit").ops;
        assert_eq!(o[0], Op::Jslt32I(1, 1, 0xffff_fffe));
    }

    #[test]
    fn loads_stores_and_swaps_are_specialised() {
        let o = code(
            "r0 = *(u16 *)(r1 + 2)\n*(u64 *)(r10 - 8) = r0\n*(u8 *)(r10 - 1) = 1\n\
             r2 = *(s8 *)(r1 + 0)\nr3 = be16 r3\nr3 = le64 r3\nexit",
        )
        .ops;
        assert_eq!(o[0], Op::Ldx2(0, 1, 2));
        assert_eq!(o[1], Op::Stx8(10, 0, -8));
        assert_eq!(o[2], Op::St1(10, -1, 1));
        assert_eq!(o[3], Op::Ldxs1(2, 1, 0));
        assert_eq!(o[4], Op::Swap16(3));
        assert_eq!(o[5], Op::Nop);
    }

    #[test]
    fn costs_count_each_straight_run_up_to_its_jump() {
        // 0: r0 = 0 | 1: r1 = ll (2 slots) | 3: r0 += 1 | 4: if | 5: call | 6: r0 = 1
        // | 7: lock add (slow) | 8: r0 = 2 | 9: exit
        let c = code(
            "r0 = 0\nr1 = 0x100000000 ll\nl:\nr0 += 1\nif r0 < 3 goto l\n\
             call 7\nr0 = 1\nlock *(u64 *)(r10 - 8) += r0\nr0 = 2\nexit",
        );
        assert_eq!(c.costs, vec![4, 3, 0, 2, 1, 1, 1, 0, 2, 1, 0]);
    }

    #[test]
    fn pairs_are_fused_and_their_second_slot_kept() {
        let o = code(
            "r2 = r1\nr2 += 14\nl:\nr3 -= 1\nif r3 != 0 goto l\nr4 += 1\nif r4 < 9 goto l\n\
             r5 += 1\nif r6 < 9 goto l\nr7 = r1\nr7 += r2\nexit",
        )
        .ops;
        assert_eq!(o[0], Op::MovAdd(2, 1, 14));
        assert_eq!(o[1], Op::Add64I(2, 14));
        assert_eq!(o[2], Op::AddJne(3, 2, -1, 0));
        assert_eq!(o[3], Op::JneI(3, 2, 0));
        assert_eq!(o[4], Op::AddJlt(4, 2, 1, 9));
        // Another register, a register operand: not fused.
        assert_eq!(o[6], Op::Add64I(5, 1));
        assert_eq!(o[8], Op::Mov64(7, 1));
        // `-= i32::MIN` has no `+=` of an i32.
        let o = code("r3 -= -2147483648\nif r3 != 0 goto +0\nexit").ops;
        assert_eq!(o[0], Op::Sub64I(3, i32::MIN as i64 as u64));
    }

    #[test]
    fn relocated_map_pointers_are_constants() {
        let a = crate::asm::assemble_unchecked("r1 = m ll\nr2 = m ll\nexit").unwrap();
        let mut v = vec![None; a.insns.len()];
        for (i, d) in crate::decode::decode_indexed(&a.insns).unwrap() {
            v[i] = Some(d);
        }
        // Only the first has a relocation: the second stays with the general path.
        let refs: FastMap<usize, usize> = [(0, 3)].into_iter().collect();
        let o = compile(&v, &refs).ops;
        assert_eq!(o[0], Op::LdImm64(1, Memory::map_addr(3)));
        assert_eq!(o[2], Op::Slow);
    }
}

//! The interpreter's fast path: each slot pre-compiled to a flat [`Op`] — a dense [`Kind`],
//! the registers, the immediate already extended, jump targets already absolute — so the
//! common instructions cost one dispatch. An immediate operand is read as register 11, which
//! the loop loads with the slot's immediate, so immediate and register forms share code.
//! Everything else, and every form that needs a closer look (signed division, sign-extending
//! moves, jumps to bad targets), is [`Kind::Slow`] and goes through the general path, which has
//! the exact semantics and errors.

use crate::decode::{AluBinOp, Decoded, JmpCond, Width};

/// The register index an immediate operand is read from.
pub(crate) const IMM: u8 = 11;

/// What a pre-compiled slot does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Slow,
    Alu64(AluBinOp),
    Alu32(AluBinOp),
    Jmp64(JmpCond),
    Jmp32(JmpCond),
    Goto,
    Load(u8),
    Store(u8),
    LdImm64,
}

/// One pre-compiled slot.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Op {
    pub kind: Kind,
    pub dst: u8,
    /// The source register, or [`IMM`].
    pub src: u8,
    /// A load's or store's offset.
    pub off: i64,
    /// A jump's absolute target.
    pub target: u32,
    /// The immediate (sign-extended for 64-bit operations, zero-extended for 32-bit ones),
    /// a store's value, a plain `ld_imm64`'s value.
    pub imm: u64,
    /// The hottest kinds as one dense number ([`hot`]), so that the interpreter dispatches
    /// them with one jump table; [`hot::OTHER`] for the rest (dispatched on `kind`).
    pub code: u8,
}

/// Dense numbers of the hottest [`Kind`]s (see [`Op::code`]).
pub(crate) mod hot {
    pub const OTHER: u8 = 0;
    pub const ADD64: u8 = 1;
    pub const SUB64: u8 = 2;
    pub const MOV64: u8 = 3;
    pub const AND64: u8 = 4;
    pub const OR64: u8 = 5;
    pub const LSH64: u8 = 6;
    pub const RSH64: u8 = 7;
    pub const ADD32: u8 = 8;
    pub const MOV32: u8 = 9;
    pub const JEQ: u8 = 10;
    pub const JNE: u8 = 11;
    pub const JGT: u8 = 12;
    pub const JGE: u8 = 13;
    pub const JLT: u8 = 14;
    pub const JLE: u8 = 15;
    pub const GOTO: u8 = 16;
    pub const LD_IMM64: u8 = 17;
    pub const LDX1: u8 = 18;
    pub const LDX2: u8 = 19;
    pub const LDX4: u8 = 20;
    pub const LDX8: u8 = 21;
    pub const STX1: u8 = 22;
    pub const STX2: u8 = 23;
    pub const STX4: u8 = 24;
    pub const STX8: u8 = 25;
}

/// The [`hot`] number of `kind`.
fn hot_code(kind: Kind) -> u8 {
    use AluBinOp as A;
    use JmpCond as J;
    match kind {
        Kind::Alu64(A::Add) => hot::ADD64,
        Kind::Alu64(A::Sub) => hot::SUB64,
        Kind::Alu64(A::Mov) => hot::MOV64,
        Kind::Alu64(A::And) => hot::AND64,
        Kind::Alu64(A::Or) => hot::OR64,
        Kind::Alu64(A::Lsh) => hot::LSH64,
        Kind::Alu64(A::Rsh) => hot::RSH64,
        Kind::Alu32(A::Add) => hot::ADD32,
        Kind::Alu32(A::Mov) => hot::MOV32,
        Kind::Jmp64(J::Eq) => hot::JEQ,
        Kind::Jmp64(J::Ne) => hot::JNE,
        Kind::Jmp64(J::Gt) => hot::JGT,
        Kind::Jmp64(J::Ge) => hot::JGE,
        Kind::Jmp64(J::Lt) => hot::JLT,
        Kind::Jmp64(J::Le) => hot::JLE,
        Kind::Goto => hot::GOTO,
        Kind::LdImm64 => hot::LD_IMM64,
        Kind::Load(1) => hot::LDX1,
        Kind::Load(2) => hot::LDX2,
        Kind::Load(4) => hot::LDX4,
        Kind::Load(8) => hot::LDX8,
        Kind::Store(1) => hot::STX1,
        Kind::Store(2) => hot::STX2,
        Kind::Store(4) => hot::STX4,
        Kind::Store(8) => hot::STX8,
        _ => hot::OTHER,
    }
}

const SLOW: Op = Op {
    kind: Kind::Slow,
    dst: 0,
    src: 0,
    off: 0,
    target: 0,
    imm: 0,
    code: hot::OTHER,
};

fn operand(src: crate::decode::Operand, width: Width) -> (u8, u64) {
    match (src, width) {
        (crate::decode::Operand::Reg(r), _) => (r.num(), 0),
        (crate::decode::Operand::Imm(i), Width::W64) => (IMM, i as i64 as u64),
        (crate::decode::Operand::Imm(i), Width::W32) => (IMM, i as u32 as u64),
    }
}

/// Compiles the decoded slots of a program (`None`: the second slot of an `ld_imm64`).
pub(crate) fn compile(slots: &[Option<Decoded>]) -> Vec<Op> {
    let n = slots.len();
    let target = |pc: usize, off: i64| {
        let t = pc as i64 + 1 + off;
        (t >= 0 && (t as usize) < n && slots[t as usize].is_some()).then_some(t as u32)
    };
    slots
        .iter()
        .enumerate()
        .map(|(pc, d)| {
            let Some(d) = d else { return SLOW };
            match *d {
                Decoded::Alu {
                    width,
                    op,
                    dst,
                    src,
                } => {
                    let (src, imm) = operand(src, width);
                    let kind = match width {
                        Width::W64 => Kind::Alu64(op),
                        Width::W32 => Kind::Alu32(op),
                    };
                    Op {
                        kind,
                        dst: dst.num(),
                        src,
                        imm,
                        ..SLOW
                    }
                }
                Decoded::Jump {
                    width,
                    cond,
                    dst,
                    src,
                    off,
                } => {
                    let Some(t) = target(pc, off as i64) else {
                        return SLOW;
                    };
                    let (src, imm) = operand(src, width);
                    let kind = match width {
                        Width::W64 => Kind::Jmp64(cond),
                        Width::W32 => Kind::Jmp32(cond),
                    };
                    Op {
                        kind,
                        dst: dst.num(),
                        src,
                        imm,
                        target: t,
                        ..SLOW
                    }
                }
                Decoded::Goto { off } => match target(pc, off as i64) {
                    Some(t) => Op {
                        kind: Kind::Goto,
                        target: t,
                        ..SLOW
                    },
                    None => SLOW,
                },
                Decoded::Load {
                    size,
                    dst,
                    src,
                    off,
                } => Op {
                    kind: Kind::Load(size.bytes() as u8),
                    dst: dst.num(),
                    src: src.num(),
                    off: off as i64,
                    ..SLOW
                },
                Decoded::StoreReg {
                    size,
                    dst,
                    off,
                    src,
                } => Op {
                    kind: Kind::Store(size.bytes() as u8),
                    dst: dst.num(),
                    src: src.num(),
                    off: off as i64,
                    ..SLOW
                },
                Decoded::Store {
                    size,
                    dst,
                    off,
                    imm,
                } => Op {
                    kind: Kind::Store(size.bytes() as u8),
                    dst: dst.num(),
                    src: IMM,
                    off: off as i64,
                    imm: imm as i64 as u64,
                    ..SLOW
                },
                Decoded::LdImm64 { dst, value } => Op {
                    kind: Kind::LdImm64,
                    dst: dst.num(),
                    imm: value as u64,
                    ..SLOW
                },
                _ => SLOW,
            }
        })
        .map(|op| Op {
            code: hot_code(op.kind),
            ..op
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(text: &str) -> Vec<Op> {
        let a = crate::asm::assemble_unchecked(text).unwrap();
        let mut v = vec![None; a.insns.len()];
        for (i, d) in crate::decode::decode_indexed(&a.insns).unwrap() {
            v[i] = Some(d);
        }
        compile(&v)
    }

    #[test]
    fn immediates_targets_and_slow_forms() {
        let o = ops("r1 = -1\nw1 = -1\nif r1 == 2 goto +1\nr0 s/= 3\nr1 = 0x100000000 ll\nexit");
        assert_eq!((o[0].src, o[0].imm), (IMM, u64::MAX));
        assert_eq!(o[1].imm, 0xffff_ffff);
        assert_eq!(o[2].target, 4);
        assert_eq!(o[3].kind, Kind::Alu64(AluBinOp::SDiv));
        assert_eq!(o[4].imm, 1 << 32);
        assert_eq!(o[5].kind, Kind::Slow); // the ld_imm64's second slot
        assert_eq!(o[6].kind, Kind::Slow); // exit
                                           // A jump to the second slot of an ld_imm64 is left to the general path.
        let o = ops("goto +1\nr1 = 0x100000000 ll\nexit");
        assert_eq!(o[0].kind, Kind::Slow);
    }

    #[test]
    fn hot_codes_match_their_kinds() {
        let o = ops("r1 += 2\nw1 = 3\nif r1 != r2 goto +0\nr1 *= 3\nexit");
        let m = ops("r0 = *(u16 *)(r1 + 2)\n*(u64 *)(r10 - 8) = r0\n*(u8 *)(r10 - 1) = 1\nexit");
        assert_eq!(m[0].code, hot::LDX2);
        assert_eq!(m[1].code, hot::STX8);
        assert_eq!(m[2].code, hot::STX1);
        assert_eq!(o[0].code, hot::ADD64);
        assert_eq!(o[1].code, hot::MOV32);
        assert_eq!(o[2].code, hot::JNE);
        assert_eq!(o[3].code, hot::OTHER);
        assert_eq!(o[4].code, hot::OTHER);
    }
}

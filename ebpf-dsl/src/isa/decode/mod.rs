//! Decoding with validation: raw slots ([`Insn`]) to a typed view of each instruction
//! ([`Decoded`]), and back ([`Decoded::encode_into`], [`encode`]).
//!
//! [`decode`] accepts exactly the instructions of RFC 9669 (ISA v1 to v4, including the
//! legacy packet loads) plus what LLVM 19 adds: `callx` (as LLVM encodes it), `may_goto` and
//! `addr_space_cast` (Linux 6.9), and rejects every slot whose
//! reserved fields are not zero, with the slot index and the reason. On every instruction it
//! accepts, `encode(decode(x)) == x` (tested exhaustively over opcodes and representative
//! fields), so the typed view loses nothing.
//!
//! Validity here is about encoding only: a shift by 64, a division by a zero constant, a jump
//! out of the program or a write to `r10` decode fine (the assembler's checks and the verifier
//! reject those).
//!
//! Rules of the reserved fields, following the kernel verifier (`check_alu_op`,
//! `check_mem_access`, `do_check`) and RFC 9669:
//!
//! | form                          | must be zero                    | other constraints                        |
//! |-------------------------------|---------------------------------|------------------------------------------|
//! | ALU `op dst, imm`             | `src`                           | `off` 0 (1 for `sdiv`/`smod`)            |
//! | ALU `op dst, src`             | `imm`                           | `off` 0 (1 for `sdiv`/`smod`)            |
//! | `mov` / `movsx`               | `imm` (reg), `src` (imm)        | `off` 0, or 8/16 (32-bit), 8/16/32 (64)  |
//! | `addr_space_cast`             |                                 | `ALU64 \| MOV \| X`, `off` 1             |
//! | `may_goto` (0xe5)             | `dst`, `src`, `imm`             |                                          |
//! | `neg` (only `BPF_K`)          | `src`, `off`, `imm`             |                                          |
//! | `le`/`be`/`bswap`             | `src`, `off`                    | `imm` 16, 32 or 64; no `ALU64 \| BPF_X`  |
//! | `LDX` `MEM`/`MEMSX`           | `imm`                           | `MEMSX` only for 1, 2, 4 bytes           |
//! | `ST` `MEM`                    | `src`                           |                                          |
//! | `STX` `MEM`                   | `imm`                           |                                          |
//! | `STX` `ATOMIC` (`W`, `DW`)    |                                 | `imm` a known atomic operation           |
//! | `ld_imm64`                    | `off`; 2nd slot: code, regs, off | `src` 0..=6; 2nd `imm` 0 for map fd/idx, func |
//! | `LD_ABS` (`W`, `H`, `B`)      | `dst`, `src`, `off`             |                                          |
//! | `LD_IND` (`W`, `H`, `B`)      | `dst`, `off`                    |                                          |
//! | `if ... goto` imm / reg       | `src` / `imm`                   |                                          |
//! | `goto` / `gotol`              | regs, `imm` / regs, `off`       |                                          |
//! | `call`                        | `dst`; `off` unless kfunc       | `src` 0 (helper), 1 (local), 2 (kfunc)   |
//! | `callx` (LLVM)                | `src`, `off`, `imm`             | register in `dst`                        |
//! | `exit`                        | everything                      |                                          |

use core::fmt;

use crate::isa::insn::{
    AluOp, AtomicOp, Class, Insn, JmpOp, Mode, PseudoLd, Reg, Size, Source, BPF_PSEUDO_CALL,
    BPF_PSEUDO_HELPER, BPF_PSEUDO_KFUNC_CALL,
};

/// `BPF_JMP | BPF_JCOND | BPF_K` (0xe5): `may_goto` (Linux 6.9).
pub const BPF_JCOND_K: u8 = 0xe5;

/// The operand width of an ALU, jump or atomic instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Width {
    /// 32 bits: `BPF_ALU`, `BPF_JMP32`, atomics on `u32`; registers print as `w0`..`w10`.
    W32,
    /// 64 bits: `BPF_ALU64`, `BPF_JMP`, atomics on `u64`; registers print as `r0`..`r10`.
    W64,
}

/// The second operand of an ALU operation or a conditional jump.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operand {
    /// `BPF_K`: the 32-bit immediate (sign-extended for 64-bit operations).
    Imm(i32),
    /// `BPF_X`: a source register.
    Reg(Reg),
}

/// The binary ALU operations (`dst op= src`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AluBinOp {
    /// `+=` (`BPF_ADD`).
    Add,
    /// `-=` (`BPF_SUB`).
    Sub,
    /// `*=` (`BPF_MUL`).
    Mul,
    /// `/=` unsigned division (`BPF_DIV`, `off = 0`); division by zero gives 0.
    Div,
    /// `s/=` signed division (`BPF_DIV`, `off = 1`, ISA v4, Linux 6.6).
    SDiv,
    /// `%=` unsigned modulo (`BPF_MOD`, `off = 0`); modulo zero leaves `dst` unchanged.
    Mod,
    /// `s%=` signed modulo (`BPF_MOD`, `off = 1`, ISA v4, Linux 6.6).
    SMod,
    /// `|=` (`BPF_OR`).
    Or,
    /// `&=` (`BPF_AND`).
    And,
    /// `^=` (`BPF_XOR`).
    Xor,
    /// `<<=` (`BPF_LSH`).
    Lsh,
    /// `>>=` logical shift right (`BPF_RSH`).
    Rsh,
    /// `s>>=` arithmetic shift right (`BPF_ARSH`).
    Arsh,
    /// `=` (`BPF_MOV`, `off = 0`).
    Mov,
}

impl AluBinOp {
    /// Every binary ALU operation.
    pub const ALL: [AluBinOp; 14] = [
        AluBinOp::Add,
        AluBinOp::Sub,
        AluBinOp::Mul,
        AluBinOp::Div,
        AluBinOp::SDiv,
        AluBinOp::Mod,
        AluBinOp::SMod,
        AluBinOp::Or,
        AluBinOp::And,
        AluBinOp::Xor,
        AluBinOp::Lsh,
        AluBinOp::Rsh,
        AluBinOp::Arsh,
        AluBinOp::Mov,
    ];

    /// The opcode's operation field and the `off` value that selects this operation.
    pub const fn op_and_off(self) -> (AluOp, i16) {
        match self {
            AluBinOp::Add => (AluOp::Add, 0),
            AluBinOp::Sub => (AluOp::Sub, 0),
            AluBinOp::Mul => (AluOp::Mul, 0),
            AluBinOp::Div => (AluOp::Div, 0),
            AluBinOp::SDiv => (AluOp::Div, 1),
            AluBinOp::Mod => (AluOp::Mod, 0),
            AluBinOp::SMod => (AluOp::Mod, 1),
            AluBinOp::Or => (AluOp::Or, 0),
            AluBinOp::And => (AluOp::And, 0),
            AluBinOp::Xor => (AluOp::Xor, 0),
            AluBinOp::Lsh => (AluOp::Lsh, 0),
            AluBinOp::Rsh => (AluOp::Rsh, 0),
            AluBinOp::Arsh => (AluOp::Arsh, 0),
            AluBinOp::Mov => (AluOp::Mov, 0),
        }
    }

    /// The assignment operator as LLVM prints it: `+=`, `s/=`, `=` ...
    pub const fn symbol(self) -> &'static str {
        match self {
            AluBinOp::Add => "+=",
            AluBinOp::Sub => "-=",
            AluBinOp::Mul => "*=",
            AluBinOp::Div => "/=",
            AluBinOp::SDiv => "s/=",
            AluBinOp::Mod => "%=",
            AluBinOp::SMod => "s%=",
            AluBinOp::Or => "|=",
            AluBinOp::And => "&=",
            AluBinOp::Xor => "^=",
            AluBinOp::Lsh => "<<=",
            AluBinOp::Rsh => ">>=",
            AluBinOp::Arsh => "s>>=",
            AluBinOp::Mov => "=",
        }
    }
}

/// The byte-swap flavours of `BPF_END`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endian {
    /// `le16/32/64` (`BPF_ALU | BPF_END | BPF_TO_LE`, 0xd4): to little endian (a no-op that
    /// truncates on little-endian hosts).
    Le,
    /// `be16/32/64` (`BPF_ALU | BPF_END | BPF_TO_BE`, 0xdc): to big endian.
    Be,
    /// `bswap16/32/64` (`BPF_ALU64 | BPF_END`, 0xd7): unconditional swap (ISA v4, Linux 6.6).
    Bswap,
}

/// Conditions of conditional jumps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JmpCond {
    /// `==` (`BPF_JEQ`).
    Eq,
    /// `>` unsigned (`BPF_JGT`).
    Gt,
    /// `>=` unsigned (`BPF_JGE`).
    Ge,
    /// `&` (`BPF_JSET`): taken if `dst & src != 0`.
    Set,
    /// `!=` (`BPF_JNE`).
    Ne,
    /// `s>` (`BPF_JSGT`).
    Sgt,
    /// `s>=` (`BPF_JSGE`).
    Sge,
    /// `<` unsigned (`BPF_JLT`, ISA v2).
    Lt,
    /// `<=` unsigned (`BPF_JLE`, ISA v2).
    Le,
    /// `s<` (`BPF_JSLT`, ISA v2).
    Slt,
    /// `s<=` (`BPF_JSLE`, ISA v2).
    Sle,
}

impl JmpCond {
    /// Every condition.
    pub const ALL: [JmpCond; 11] = [
        JmpCond::Eq,
        JmpCond::Gt,
        JmpCond::Ge,
        JmpCond::Set,
        JmpCond::Ne,
        JmpCond::Sgt,
        JmpCond::Sge,
        JmpCond::Lt,
        JmpCond::Le,
        JmpCond::Slt,
        JmpCond::Sle,
    ];

    /// The opcode's operation field.
    pub const fn op(self) -> JmpOp {
        match self {
            JmpCond::Eq => JmpOp::Jeq,
            JmpCond::Gt => JmpOp::Jgt,
            JmpCond::Ge => JmpOp::Jge,
            JmpCond::Set => JmpOp::Jset,
            JmpCond::Ne => JmpOp::Jne,
            JmpCond::Sgt => JmpOp::Jsgt,
            JmpCond::Sge => JmpOp::Jsge,
            JmpCond::Lt => JmpOp::Jlt,
            JmpCond::Le => JmpOp::Jle,
            JmpCond::Slt => JmpOp::Jslt,
            JmpCond::Sle => JmpOp::Jsle,
        }
    }

    /// The condition of a jump operation, `None` for `JA`, `CALL` and `EXIT`.
    pub const fn from_op(op: JmpOp) -> Option<JmpCond> {
        Some(match op {
            JmpOp::Jeq => JmpCond::Eq,
            JmpOp::Jgt => JmpCond::Gt,
            JmpOp::Jge => JmpCond::Ge,
            JmpOp::Jset => JmpCond::Set,
            JmpOp::Jne => JmpCond::Ne,
            JmpOp::Jsgt => JmpCond::Sgt,
            JmpOp::Jsge => JmpCond::Sge,
            JmpOp::Jlt => JmpCond::Lt,
            JmpOp::Jle => JmpCond::Le,
            JmpOp::Jslt => JmpCond::Slt,
            JmpOp::Jsle => JmpCond::Sle,
            JmpOp::Ja | JmpOp::Call | JmpOp::Exit => return None,
        })
    }

    /// The comparison operator as LLVM prints it: `==`, `s<=`, `&` ...
    pub const fn symbol(self) -> &'static str {
        match self {
            JmpCond::Eq => "==",
            JmpCond::Gt => ">",
            JmpCond::Ge => ">=",
            JmpCond::Set => "&",
            JmpCond::Ne => "!=",
            JmpCond::Sgt => "s>",
            JmpCond::Sge => "s>=",
            JmpCond::Lt => "<",
            JmpCond::Le => "<=",
            JmpCond::Slt => "s<",
            JmpCond::Sle => "s<=",
        }
    }
}

/// One instruction, typed: every form of RFC 9669 (ISA v1-v4) plus LLVM's `callx`.
///
/// `ld_imm64` ([`Decoded::LdImm64`], [`Decoded::LdPseudo`]) covers two slots, every other
/// variant one ([`Decoded::slots`]). Jump offsets are in slots, relative to the slot after
/// the jump, exactly as encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decoded {
    /// `dst op= src` (ALU / ALU64, opcode `op | source | class`): `r1 += 5`, `w1 s/= w2`.
    Alu {
        /// 32-bit (`BPF_ALU`, upper half of `dst` zeroed) or 64-bit (`BPF_ALU64`).
        width: Width,
        /// The operation.
        op: AluBinOp,
        /// The destination register.
        dst: Reg,
        /// The immediate or source register.
        src: Operand,
    },
    /// `dst = (s8|s16|s32) src`: move with sign extension (`BPF_MOV | BPF_X`, `off` 8/16/32;
    /// ISA v4, Linux 6.6). 32-bit form only with 8 and 16.
    MovSx {
        /// 32-bit (`w1 = (s8)w2`) or 64-bit (`r1 = (s32)r2`).
        width: Width,
        /// The source width in bits: 8, 16 or 32.
        bits: u8,
        /// The destination register.
        dst: Reg,
        /// The source register.
        src: Reg,
    },
    /// `dst = addr_space_cast(src, dst_as, src_as)`: converts a pointer between address spaces
    /// (BPF arena, Linux 6.9; `BPF_ALU64 | BPF_MOV | BPF_X` with `off = 1`, `imm = dst_as << 16 |
    /// src_as`). Not in RFC 9669; LLVM 19 assembles it.
    AddrSpaceCast {
        /// The destination register.
        dst: Reg,
        /// The source register.
        src: Reg,
        /// The address space converted to (high 16 bits of `imm`).
        dst_as: u16,
        /// The address space converted from (low 16 bits of `imm`).
        src_as: u16,
    },
    /// `dst = -dst` (`BPF_NEG`, only with `BPF_K`).
    Neg {
        /// 32-bit or 64-bit.
        width: Width,
        /// The register negated in place.
        dst: Reg,
    },
    /// `dst = be16 dst`, `le32`, `bswap64` ... (`BPF_END`); the result is zero-extended.
    Endian {
        /// Conversion to little/big endian, or unconditional swap.
        kind: Endian,
        /// 16, 32 or 64: the number of low bits converted.
        bits: u8,
        /// The register converted in place.
        dst: Reg,
    },
    /// `dst = *(u8|u16|u32|u64 *)(src + off)` (`BPF_LDX | BPF_MEM`); 1, 2 and 4-byte loads
    /// zero-extend.
    Load {
        /// The access size.
        size: Size,
        /// The destination register.
        dst: Reg,
        /// The base address register.
        src: Reg,
        /// The signed displacement in bytes.
        off: i16,
    },
    /// `dst = *(s8|s16|s32 *)(src + off)` (`BPF_LDX | BPF_MEMSX`, ISA v4, Linux 6.6):
    /// sign-extending load. Never [`Size::DW`].
    LoadSx {
        /// The access size (`B`, `H` or `W`).
        size: Size,
        /// The destination register.
        dst: Reg,
        /// The base address register.
        src: Reg,
        /// The signed displacement in bytes.
        off: i16,
    },
    /// `*(u8|u16|u32|u64 *)(dst + off) = imm` (`BPF_ST | BPF_MEM`); the 64-bit store writes
    /// the sign-extended immediate.
    Store {
        /// The access size.
        size: Size,
        /// The base address register.
        dst: Reg,
        /// The signed displacement in bytes.
        off: i16,
        /// The value stored.
        imm: i32,
    },
    /// `*(u8|u16|u32|u64 *)(dst + off) = src` (`BPF_STX | BPF_MEM`).
    StoreReg {
        /// The access size.
        size: Size,
        /// The base address register.
        dst: Reg,
        /// The signed displacement in bytes.
        off: i16,
        /// The register stored.
        src: Reg,
    },
    /// An atomic read-modify-write of `*(u32|u64 *)(dst + off)` (`BPF_STX | BPF_ATOMIC`,
    /// `imm` selects the operation; `add` since Linux 4.x as `XADD`, the others Linux 5.12).
    Atomic {
        /// `u32` (`BPF_W`) or `u64` (`BPF_DW`).
        width: Width,
        /// The operation.
        op: AtomicOp,
        /// `BPF_FETCH`: the old value is returned in `src` (`r0` for `cmpxchg`). Always set
        /// for `xchg` and `cmpxchg`.
        fetch: bool,
        /// The base address register.
        dst: Reg,
        /// The signed displacement in bytes.
        off: i16,
        /// The operand register (and where the old value goes with `fetch`).
        src: Reg,
    },
    /// `dst = imm64 ll`: a plain 64-bit constant (`ld_imm64` with `src = 0`, two slots).
    LdImm64 {
        /// The destination register.
        dst: Reg,
        /// The constant: low half from the first slot's `imm`, high half from the second's.
        value: i64,
    },
    /// `ld_imm64` with a `BPF_PSEUDO_*` source (two slots): the loader or kernel gives `imm`
    /// its meaning (map fd, map value, BTF id, function, `fd_array` index).
    LdPseudo {
        /// The destination register.
        dst: Reg,
        /// What `imm` names (never [`PseudoLd::None`], which is [`Decoded::LdImm64`]).
        kind: PseudoLd,
        /// The first slot's `imm` (map fd, BTF id, function offset, `fd_array` index).
        imm: i32,
        /// The second slot's `imm`: the value offset of `MapValue` / `MapIdxValue`, the BTF
        /// object fd of `BtfId`; zero for the other kinds.
        next_imm: i32,
    },
    /// `r0 = *(u8|u16|u32 *)skb[imm]` (`BPF_LD | BPF_ABS`, legacy socket-filter packet load,
    /// converted to host order).
    LdAbs {
        /// The access size (`B`, `H` or `W`).
        size: Size,
        /// The packet offset.
        imm: i32,
    },
    /// `r0 = *(u8|u16|u32 *)skb[src + imm]` (`BPF_LD | BPF_IND`, legacy packet load).
    LdInd {
        /// The access size (`B`, `H` or `W`).
        size: Size,
        /// The register holding the packet offset.
        src: Reg,
        /// The constant added to it.
        imm: i32,
    },
    /// `if dst cond src goto +off` (`BPF_JMP` / `BPF_JMP32`).
    Jump {
        /// 64-bit (`BPF_JMP`) or 32-bit (`BPF_JMP32`, ISA v3) compare.
        width: Width,
        /// The condition.
        cond: JmpCond,
        /// The left operand.
        dst: Reg,
        /// The right operand.
        src: Operand,
        /// The jump distance in slots, from the next slot.
        off: i16,
    },
    /// `goto +off` (`BPF_JMP | BPF_JA`).
    Goto {
        /// The jump distance in slots, from the next slot.
        off: i16,
    },
    /// `gotol +imm` (`BPF_JMP32 | BPF_JA`, ISA v4, Linux 6.6): a jump with a 32-bit distance.
    GotoLong {
        /// The jump distance in slots, from the next slot.
        imm: i32,
    },
    /// `may_goto +off` (`BPF_JMP | BPF_JCOND`, 0xe5, `src = BPF_MAY_GOTO`, Linux 6.9): jumps
    /// once the verifier-bounded loop budget is used up, else falls through. Not in RFC 9669;
    /// LLVM 19 assembles it.
    MayGoto {
        /// The jump distance in slots, from the next slot.
        off: i16,
    },
    /// `call imm`: a kernel helper by number (`src = 0`), see [`crate::isa::helpers`].
    Call {
        /// The helper number (`BPF_FUNC_*`).
        id: i32,
    },
    /// `call` a bpf-to-bpf function (`src = BPF_PSEUDO_CALL`, Linux 4.16).
    CallLocal {
        /// The target in slots, relative to the next slot.
        imm: i32,
    },
    /// `call` a kernel function (kfunc) by BTF id (`src = BPF_PSEUDO_KFUNC_CALL`, Linux 5.13).
    CallKfunc {
        /// The BTF id of the function.
        btf_id: i32,
        /// 0 for vmlinux BTF, otherwise an index into the load's `fd_array` (module BTF).
        off: i16,
    },
    /// `callx dst`: indirect call through a register (`BPF_JMP | BPF_CALL | BPF_X`, 0x8d,
    /// register in `dst` as LLVM encodes it). Not accepted by the Linux verifier.
    CallX {
        /// The register holding the target.
        reg: Reg,
    },
    /// `exit`: return `r0` (`BPF_JMP | BPF_EXIT`).
    Exit,
}

impl Decoded {
    /// The number of slots the instruction occupies: 2 for `ld_imm64`, 1 otherwise.
    pub const fn slots(&self) -> usize {
        match self {
            Decoded::LdImm64 { .. } | Decoded::LdPseudo { .. } => 2,
            _ => 1,
        }
    }

    /// The jump distance in slots (relative to the next slot) of `goto`, `gotol`, a
    /// conditional jump or a bpf-to-bpf call; `None` for everything else.
    pub const fn branch_offset(&self) -> Option<i64> {
        match *self {
            Decoded::Jump { off, .. } | Decoded::Goto { off } | Decoded::MayGoto { off } => {
                Some(off as i64)
            }
            Decoded::GotoLong { imm } | Decoded::CallLocal { imm } => Some(imm as i64),
            _ => None,
        }
    }

    /// Appends the instruction's slot(s) to `out`.
    pub fn encode_into(&self, out: &mut Vec<Insn>) {
        let (first, second) = self.encode();
        out.push(first);
        if let Some(s) = second {
            out.push(s);
        }
    }

    /// The instruction's first slot and, for `ld_imm64`, its second.
    pub fn encode(&self) -> (Insn, Option<Insn>) {
        const fn w(width: Width, narrow: Class, wide: Class) -> u8 {
            match width {
                Width::W32 => narrow as u8,
                Width::W64 => wide as u8,
            }
        }
        let one = |i: Insn| (i, None);
        match *self {
            Decoded::Alu {
                width,
                op,
                dst,
                src,
            } => {
                let (aop, off) = op.op_and_off();
                let class = w(width, Class::Alu, Class::Alu64);
                match src {
                    Operand::Imm(imm) => one(Insn::new(
                        aop as u8 | Source::Imm as u8 | class,
                        dst.num(),
                        0,
                        off,
                        imm,
                    )),
                    Operand::Reg(s) => one(Insn::new(
                        aop as u8 | Source::Reg as u8 | class,
                        dst.num(),
                        s.num(),
                        off,
                        0,
                    )),
                }
            }
            Decoded::MovSx {
                width,
                bits,
                dst,
                src,
            } => one(Insn::new(
                AluOp::Mov as u8 | Source::Reg as u8 | w(width, Class::Alu, Class::Alu64),
                dst.num(),
                src.num(),
                bits as i16,
                0,
            )),
            Decoded::AddrSpaceCast {
                dst,
                src,
                dst_as,
                src_as,
            } => one(Insn::new(
                AluOp::Mov as u8 | Source::Reg as u8 | Class::Alu64 as u8,
                dst.num(),
                src.num(),
                1,
                ((dst_as as u32) << 16 | src_as as u32) as i32,
            )),
            Decoded::Neg { width, dst } => one(Insn::new(
                AluOp::Neg as u8 | w(width, Class::Alu, Class::Alu64),
                dst.num(),
                0,
                0,
                0,
            )),
            Decoded::Endian { kind, bits, dst } => {
                let code = match kind {
                    Endian::Le => AluOp::End as u8 | Source::Imm as u8 | Class::Alu as u8,
                    Endian::Be => AluOp::End as u8 | Source::Reg as u8 | Class::Alu as u8,
                    Endian::Bswap => AluOp::End as u8 | Source::Imm as u8 | Class::Alu64 as u8,
                };
                one(Insn::new(code, dst.num(), 0, 0, bits as i32))
            }
            Decoded::Load {
                size,
                dst,
                src,
                off,
            } => one(Insn::new(
                Mode::Mem as u8 | size as u8 | Class::Ldx as u8,
                dst.num(),
                src.num(),
                off,
                0,
            )),
            Decoded::LoadSx {
                size,
                dst,
                src,
                off,
            } => one(Insn::new(
                Mode::MemSx as u8 | size as u8 | Class::Ldx as u8,
                dst.num(),
                src.num(),
                off,
                0,
            )),
            Decoded::Store {
                size,
                dst,
                off,
                imm,
            } => one(Insn::new(
                Mode::Mem as u8 | size as u8 | Class::St as u8,
                dst.num(),
                0,
                off,
                imm,
            )),
            Decoded::StoreReg {
                size,
                dst,
                off,
                src,
            } => one(Insn::new(
                Mode::Mem as u8 | size as u8 | Class::Stx as u8,
                dst.num(),
                src.num(),
                off,
                0,
            )),
            Decoded::Atomic {
                width,
                op,
                fetch,
                dst,
                off,
                src,
            } => {
                let size = match width {
                    Width::W32 => Size::W,
                    Width::W64 => Size::DW,
                };
                one(Insn::new(
                    Mode::Atomic as u8 | size as u8 | Class::Stx as u8,
                    dst.num(),
                    src.num(),
                    off,
                    op.imm(fetch),
                ))
            }
            Decoded::LdImm64 { dst, value } => (
                Insn::new(0x18, dst.num(), 0, 0, value as i32),
                Some(Insn::new(0, 0, 0, 0, (value >> 32) as i32)),
            ),
            Decoded::LdPseudo {
                dst,
                kind,
                imm,
                next_imm,
            } => (
                Insn::new(0x18, dst.num(), kind as u8, 0, imm),
                Some(Insn::new(0, 0, 0, 0, next_imm)),
            ),
            Decoded::LdAbs { size, imm } => one(Insn::new(
                Mode::Abs as u8 | size as u8 | Class::Ld as u8,
                0,
                0,
                0,
                imm,
            )),
            Decoded::LdInd { size, src, imm } => one(Insn::new(
                Mode::Ind as u8 | size as u8 | Class::Ld as u8,
                0,
                src.num(),
                0,
                imm,
            )),
            Decoded::Jump {
                width,
                cond,
                dst,
                src,
                off,
            } => {
                let class = w(width, Class::Jmp32, Class::Jmp);
                match src {
                    Operand::Imm(imm) => one(Insn::new(
                        cond.op() as u8 | Source::Imm as u8 | class,
                        dst.num(),
                        0,
                        off,
                        imm,
                    )),
                    Operand::Reg(s) => one(Insn::new(
                        cond.op() as u8 | Source::Reg as u8 | class,
                        dst.num(),
                        s.num(),
                        off,
                        0,
                    )),
                }
            }
            Decoded::Goto { off } => {
                one(Insn::new(JmpOp::Ja as u8 | Class::Jmp as u8, 0, 0, off, 0))
            }
            Decoded::GotoLong { imm } => one(Insn::new(
                JmpOp::Ja as u8 | Class::Jmp32 as u8,
                0,
                0,
                0,
                imm,
            )),
            Decoded::MayGoto { off } => one(Insn::new(BPF_JCOND_K, 0, 0, off, 0)),
            Decoded::Call { id } => one(Insn::new(0x85, 0, BPF_PSEUDO_HELPER, 0, id)),
            Decoded::CallLocal { imm } => one(Insn::new(0x85, 0, BPF_PSEUDO_CALL, 0, imm)),
            Decoded::CallKfunc { btf_id, off } => {
                one(Insn::new(0x85, 0, BPF_PSEUDO_KFUNC_CALL, off, btf_id))
            }
            Decoded::CallX { reg } => one(Insn::new(0x8d, reg.num(), 0, 0, 0)),
            Decoded::Exit => one(Insn::new(0x95, 0, 0, 0, 0)),
        }
    }
}

/// Why a slot failed to decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// The opcode byte names no instruction (reserved class/operation/mode/size combination).
    UnknownOpcode {
        /// The opcode byte.
        code: u8,
        /// Which part of the opcode is undefined.
        why: &'static str,
    },
    /// A register field holds 11 to 15 (only `r0`-`r10` exist).
    BadRegister {
        /// `"dst"` or `"src"`.
        field: &'static str,
        /// The field's value.
        value: u8,
    },
    /// A field this instruction does not use is not zero.
    ReservedNonZero {
        /// `"dst"`, `"src"`, `"off"` or `"imm"`.
        field: &'static str,
        /// The field's value.
        value: i64,
    },
    /// A field has a value this instruction does not define (e.g. `off = 2` on a division,
    /// `imm = 24` on `be`, an unknown atomic operation).
    BadField {
        /// `"src"`, `"off"` or `"imm"`.
        field: &'static str,
        /// The field's value.
        value: i64,
        /// The values that are allowed.
        expected: &'static str,
    },
    /// `ld_imm64` is the last slot: its second half is missing.
    TruncatedLdImm64,
    /// The second slot of an `ld_imm64` has a nonzero opcode, register or offset field.
    BadLdImm64Second {
        /// The offending field: `"code"`, `"dst"`, `"src"` or `"off"`.
        field: &'static str,
        /// The field's value.
        value: i64,
    },
    /// [`decode_at`] was asked for a slot past the end of the program.
    PastEnd {
        /// The number of slots in the program.
        len: usize,
    },
    /// Raw program bytes whose length is not a multiple of 8 (the size of a slot).
    BadLength {
        /// The number of bytes given.
        len: usize,
    },
}

/// A slot that does not decode: where (`index`, in 8-byte slots) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// The index of the offending slot (for [`DecodeErrorKind::BadLength`], the number of
    /// whole slots).
    pub index: usize,
    /// The opcode byte of the offending slot (0 for [`DecodeErrorKind::BadLength`]).
    pub code: u8,
    /// The reason.
    pub kind: DecodeErrorKind,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let DecodeErrorKind::BadLength { len } = self.kind {
            return write!(
                f,
                "program is {len} bytes, not a multiple of 8 (one instruction slot is 8 bytes; \
                 {} trailing bytes after slot {}): is this a raw little-endian program?",
                len % 8,
                self.index
            );
        }
        write!(f, "slot {} (opcode {:#04x}): ", self.index, self.code)?;
        match &self.kind {
            DecodeErrorKind::UnknownOpcode { why, .. } => write!(f, "unknown opcode: {why}"),
            DecodeErrorKind::BadRegister { field, value } => {
                write!(
                    f,
                    "register field `{field}` is {value}; only r0 to r10 exist"
                )
            }
            DecodeErrorKind::ReservedNonZero { field, value } => write!(
                f,
                "reserved field `{field}` is {value} but must be 0 for this instruction"
            ),
            DecodeErrorKind::BadField {
                field,
                value,
                expected,
            } => write!(f, "field `{field}` is {value}; expected {expected}"),
            DecodeErrorKind::TruncatedLdImm64 => write!(
                f,
                "ld_imm64 needs two slots but the program ends after the first"
            ),
            DecodeErrorKind::BadLdImm64Second { field, value } => write!(
                f,
                "second slot of ld_imm64 has `{field}` = {value}; only its imm may be nonzero"
            ),
            DecodeErrorKind::PastEnd { len } => {
                write!(f, "no such slot: the program has {len} slots")
            }
            DecodeErrorKind::BadLength { .. } => Ok(()),
        }
    }
}

impl std::error::Error for DecodeError {}

fn err(index: usize, code: u8, kind: DecodeErrorKind) -> DecodeError {
    DecodeError { index, code, kind }
}

/// Field checks for one slot.
struct Slot {
    index: usize,
    insn: Insn,
}

impl Slot {
    fn fail(&self, kind: DecodeErrorKind) -> DecodeError {
        err(self.index, self.insn.code, kind)
    }

    fn unknown(&self, why: &'static str) -> DecodeError {
        self.fail(DecodeErrorKind::UnknownOpcode {
            code: self.insn.code,
            why,
        })
    }

    fn reg(&self, field: &'static str, value: u8) -> Result<Reg, DecodeError> {
        Reg::new(value).ok_or_else(|| self.fail(DecodeErrorKind::BadRegister { field, value }))
    }

    fn dst(&self) -> Result<Reg, DecodeError> {
        self.reg("dst", self.insn.dst())
    }

    fn src(&self) -> Result<Reg, DecodeError> {
        self.reg("src", self.insn.src())
    }

    /// The source operand of an ALU or jump instruction: `src` (with `imm` reserved, zero)
    /// for `BPF_X`, else `imm` (with `src` reserved).
    fn operand(&self, is_reg: bool) -> Result<Operand, DecodeError> {
        if is_reg {
            self.zero("imm")?;
            Ok(Operand::Reg(self.src()?))
        } else {
            self.zero("src")?;
            Ok(Operand::Imm(self.insn.imm))
        }
    }

    fn zero(&self, field: &'static str) -> Result<(), DecodeError> {
        let value = match field {
            "dst" => i64::from(self.insn.dst()),
            "src" => i64::from(self.insn.src()),
            "off" => i64::from(self.insn.off),
            _ => i64::from(self.insn.imm),
        };
        if value == 0 {
            Ok(())
        } else {
            Err(self.fail(DecodeErrorKind::ReservedNonZero { field, value }))
        }
    }

    fn bad(&self, field: &'static str, value: i64, expected: &'static str) -> DecodeError {
        self.fail(DecodeErrorKind::BadField {
            field,
            value,
            expected,
        })
    }
}

fn width_of(class: Class) -> Width {
    match class {
        Class::Alu | Class::Jmp32 => Width::W32,
        _ => Width::W64,
    }
}

fn decode_alu(s: &Slot) -> Result<Decoded, DecodeError> {
    let i = s.insn;
    let class = i.class();
    let width = width_of(class);
    let op = AluOp::from_code(i.code).ok_or_else(|| s.unknown("ALU operation 0xe0/0xf0"))?;
    let is_reg = i.code & 0x08 != 0;
    match op {
        AluOp::Neg => {
            if is_reg {
                return Err(s.unknown("neg takes no source operand (BPF_X is reserved)"));
            }
            s.zero("src")?;
            s.zero("off")?;
            s.zero("imm")?;
            Ok(Decoded::Neg {
                width,
                dst: s.dst()?,
            })
        }
        AluOp::End => {
            let kind = match (class, is_reg) {
                (Class::Alu, false) => Endian::Le,
                (Class::Alu, true) => Endian::Be,
                (_, false) => Endian::Bswap,
                (_, true) => return Err(s.unknown("ALU64 | END | BPF_X is reserved")),
            };
            s.zero("src")?;
            s.zero("off")?;
            let bits = match i.imm {
                16 => 16,
                32 => 32,
                64 => 64,
                v => return Err(s.bad("imm", i64::from(v), "16, 32 or 64 (bits swapped)")),
            };
            Ok(Decoded::Endian {
                kind,
                bits,
                dst: s.dst()?,
            })
        }
        AluOp::Mov if is_reg && i.off == 1 && class == Class::Alu64 => Ok(Decoded::AddrSpaceCast {
            dst: s.dst()?,
            src: s.src()?,
            dst_as: (i.imm as u32 >> 16) as u16,
            src_as: i.imm as u16,
        }),
        _ => {
            let dst = s.dst()?;
            let src = s.operand(is_reg)?;
            let bin = match (op, i.off) {
                (AluOp::Add, 0) => AluBinOp::Add,
                (AluOp::Sub, 0) => AluBinOp::Sub,
                (AluOp::Mul, 0) => AluBinOp::Mul,
                (AluOp::Div, 0) => AluBinOp::Div,
                (AluOp::Div, 1) => AluBinOp::SDiv,
                (AluOp::Mod, 0) => AluBinOp::Mod,
                (AluOp::Mod, 1) => AluBinOp::SMod,
                (AluOp::Div | AluOp::Mod, off) => {
                    return Err(s.bad("off", i64::from(off), "0 (unsigned) or 1 (signed)"))
                }
                (AluOp::Or, 0) => AluBinOp::Or,
                (AluOp::And, 0) => AluBinOp::And,
                (AluOp::Xor, 0) => AluBinOp::Xor,
                (AluOp::Lsh, 0) => AluBinOp::Lsh,
                (AluOp::Rsh, 0) => AluBinOp::Rsh,
                (AluOp::Arsh, 0) => AluBinOp::Arsh,
                (AluOp::Mov, 0) => AluBinOp::Mov,
                (AluOp::Mov, off) => {
                    let src = match src {
                        Operand::Reg(r) => r,
                        Operand::Imm(_) => {
                            return Err(s.fail(DecodeErrorKind::ReservedNonZero {
                                field: "off",
                                value: i64::from(off),
                            }))
                        }
                    };
                    let ok = match width {
                        Width::W32 => matches!(off, 8 | 16),
                        Width::W64 => matches!(off, 8 | 16 | 32),
                    };
                    if !ok {
                        let expected = match width {
                            Width::W32 => "0 (mov) or 8, 16 (movsx)",
                            Width::W64 => "0 (mov), 1 (addr_space_cast) or 8, 16, 32 (movsx)",
                        };
                        return Err(s.bad("off", i64::from(off), expected));
                    }
                    return Ok(Decoded::MovSx {
                        width,
                        bits: off as u8,
                        dst,
                        src,
                    });
                }
                (_, off) => {
                    return Err(s.fail(DecodeErrorKind::ReservedNonZero {
                        field: "off",
                        value: i64::from(off),
                    }))
                }
            };
            Ok(Decoded::Alu {
                width,
                op: bin,
                dst,
                src,
            })
        }
    }
}

fn decode_jmp(s: &Slot) -> Result<Decoded, DecodeError> {
    let i = s.insn;
    let class = i.class();
    let width = width_of(class);
    if i.code == BPF_JCOND_K {
        if i.src() != 0 {
            return Err(s.bad("src", i64::from(i.src()), "0 (BPF_MAY_GOTO)"));
        }
        s.zero("dst")?;
        s.zero("imm")?;
        return Ok(Decoded::MayGoto { off: i.off });
    }
    let op = JmpOp::from_code(i.code)
        .ok_or_else(|| s.unknown("jump operation 0xe0 (only may_goto, 0xe5) or 0xf0"))?;
    let is_reg = i.code & 0x08 != 0;
    if let Some(cond) = JmpCond::from_op(op) {
        let dst = s.dst()?;
        let src = s.operand(is_reg)?;
        return Ok(Decoded::Jump {
            width,
            cond,
            dst,
            src,
            off: i.off,
        });
    }
    match (op, class, is_reg) {
        (JmpOp::Ja, Class::Jmp, false) => {
            s.zero("dst")?;
            s.zero("src")?;
            s.zero("imm")?;
            Ok(Decoded::Goto { off: i.off })
        }
        (JmpOp::Ja, _, false) => {
            s.zero("dst")?;
            s.zero("src")?;
            s.zero("off")?;
            Ok(Decoded::GotoLong { imm: i.imm })
        }
        (JmpOp::Ja, _, true) => Err(s.unknown("goto with BPF_X is reserved")),
        (JmpOp::Call, Class::Jmp, false) => {
            s.zero("dst")?;
            match i.src() {
                BPF_PSEUDO_HELPER => {
                    s.zero("off")?;
                    Ok(Decoded::Call { id: i.imm })
                }
                BPF_PSEUDO_CALL => {
                    s.zero("off")?;
                    Ok(Decoded::CallLocal { imm: i.imm })
                }
                BPF_PSEUDO_KFUNC_CALL => Ok(Decoded::CallKfunc {
                    btf_id: i.imm,
                    off: i.off,
                }),
                v => Err(s.bad(
                    "src",
                    i64::from(v),
                    "0 (helper), 1 (bpf-to-bpf call) or 2 (kfunc)",
                )),
            }
        }
        (JmpOp::Call, Class::Jmp, true) => {
            s.zero("src")?;
            s.zero("off")?;
            s.zero("imm")?;
            Ok(Decoded::CallX { reg: s.dst()? })
        }
        (JmpOp::Exit, Class::Jmp, false) => {
            s.zero("dst")?;
            s.zero("src")?;
            s.zero("off")?;
            s.zero("imm")?;
            Ok(Decoded::Exit)
        }
        (JmpOp::Exit, Class::Jmp, true) => Err(s.unknown("exit with BPF_X is reserved")),
        _ => Err(s.unknown("call and exit exist only in the JMP class")),
    }
}

fn decode_mem(s: &Slot) -> Result<Decoded, DecodeError> {
    let i = s.insn;
    let size = Size::from_code(i.code);
    let mode = Mode::from_code(i.code).ok_or_else(|| s.unknown("memory mode 0xa0/0xe0"))?;
    match (i.class(), mode) {
        (Class::Ldx, Mode::Mem) => {
            s.zero("imm")?;
            Ok(Decoded::Load {
                size,
                dst: s.dst()?,
                src: s.src()?,
                off: i.off,
            })
        }
        (Class::Ldx, Mode::MemSx) => {
            if size == Size::DW {
                return Err(s.unknown("sign-extending load of 8 bytes (MEMSX | DW)"));
            }
            s.zero("imm")?;
            Ok(Decoded::LoadSx {
                size,
                dst: s.dst()?,
                src: s.src()?,
                off: i.off,
            })
        }
        (Class::St, Mode::Mem) => {
            s.zero("src")?;
            Ok(Decoded::Store {
                size,
                dst: s.dst()?,
                off: i.off,
                imm: i.imm,
            })
        }
        (Class::Stx, Mode::Mem) => {
            s.zero("imm")?;
            Ok(Decoded::StoreReg {
                size,
                dst: s.dst()?,
                off: i.off,
                src: s.src()?,
            })
        }
        (Class::Stx, Mode::Atomic) => {
            let width = match size {
                Size::W => Width::W32,
                Size::DW => Width::W64,
                _ => return Err(s.unknown("atomic operation on 1 or 2 bytes")),
            };
            let (op, fetch) = AtomicOp::from_imm(i.imm).ok_or_else(|| {
                s.bad(
                    "imm",
                    i64::from(i.imm),
                    "an atomic operation: 0x00/0x40/0x50/0xa0 (add/or/and/xor), \
                     | 0x01 for fetch, 0xe1 (xchg) or 0xf1 (cmpxchg)",
                )
            })?;
            Ok(Decoded::Atomic {
                width,
                op,
                fetch,
                dst: s.dst()?,
                off: i.off,
                src: s.src()?,
            })
        }
        (Class::Ld, Mode::Abs | Mode::Ind) => {
            if size == Size::DW {
                return Err(s.unknown("legacy packet load of 8 bytes (ABS/IND | DW)"));
            }
            s.zero("dst")?;
            s.zero("off")?;
            if mode == Mode::Abs {
                s.zero("src")?;
                Ok(Decoded::LdAbs { size, imm: i.imm })
            } else {
                Ok(Decoded::LdInd {
                    size,
                    src: s.src()?,
                    imm: i.imm,
                })
            }
        }
        (Class::Ld, _) => Err(s.unknown("LD class: only ld_imm64 (0x18), ABS and IND exist")),
        (Class::Ldx, _) => Err(s.unknown("LDX class: only MEM and MEMSX modes exist")),
        (Class::St, _) => Err(s.unknown("ST class: only the MEM mode exists")),
        _ => Err(s.unknown("STX class: only MEM and ATOMIC modes exist")),
    }
}

fn decode_ld_imm64(s: &Slot, next: Option<&Insn>) -> Result<Decoded, DecodeError> {
    let i = s.insn;
    s.zero("off")?;
    let dst = s.dst()?;
    let kind = PseudoLd::from_src(i.src()).ok_or_else(|| {
        s.bad(
            "src",
            i64::from(i.src()),
            "0 (constant) or a BPF_PSEUDO_* kind 1 to 6",
        )
    })?;
    let n = next.ok_or_else(|| s.fail(DecodeErrorKind::TruncatedLdImm64))?;
    let second = |field: &'static str, value: i64| {
        err(
            s.index + 1,
            n.code,
            DecodeErrorKind::BadLdImm64Second { field, value },
        )
    };
    if n.code != 0 {
        return Err(second("code", i64::from(n.code)));
    }
    if n.dst() != 0 {
        return Err(second("dst", i64::from(n.dst())));
    }
    if n.src() != 0 {
        return Err(second("src", i64::from(n.src())));
    }
    if n.off != 0 {
        return Err(second("off", i64::from(n.off)));
    }
    if kind == PseudoLd::None {
        let value = (i64::from(n.imm) << 32) | i64::from(i.imm as u32);
        return Ok(Decoded::LdImm64 { dst, value });
    }
    let uses_next = matches!(
        kind,
        PseudoLd::MapValue | PseudoLd::MapIdxValue | PseudoLd::BtfId
    );
    if !uses_next && n.imm != 0 {
        return Err(err(
            s.index + 1,
            n.code,
            DecodeErrorKind::BadField {
                field: "imm",
                value: i64::from(n.imm),
                expected: "0 in the second slot of this BPF_PSEUDO_* ld_imm64",
            },
        ));
    }
    Ok(Decoded::LdPseudo {
        dst,
        kind,
        imm: i.imm,
        next_imm: n.imm,
    })
}

/// Decodes the instruction starting at slot `index` of `insns`, reading the following slot for
/// `ld_imm64`. Never panics: an `index` past the end is reported as a truncated program.
pub fn decode_at(insns: &[Insn], index: usize) -> Result<Decoded, DecodeError> {
    let Some(&insn) = insns.get(index) else {
        return Err(err(index, 0, DecodeErrorKind::PastEnd { len: insns.len() }));
    };
    let s = Slot { index, insn };
    match insn.class() {
        Class::Alu | Class::Alu64 => decode_alu(&s),
        Class::Jmp | Class::Jmp32 => decode_jmp(&s),
        Class::Ld if insn.code == 0x18 => decode_ld_imm64(&s, insns.get(index + 1)),
        _ => decode_mem(&s),
    }
}

/// Decodes a whole program: one [`Decoded`] per instruction (an `ld_imm64` is one entry for
/// two slots). The first invalid slot stops decoding with its index and the reason.
pub fn decode(insns: &[Insn]) -> Result<Vec<Decoded>, DecodeError> {
    Ok(decode_indexed(insns)?.into_iter().map(|(_, d)| d).collect())
}

/// Like [`decode`], each instruction paired with the index of its (first) slot.
pub fn decode_indexed(insns: &[Insn]) -> Result<Vec<(usize, Decoded)>, DecodeError> {
    let mut out = Vec::with_capacity(insns.len());
    let mut index = 0;
    while index < insns.len() {
        let d = decode_at(insns, index)?;
        out.push((index, d));
        index += d.slots();
    }
    Ok(out)
}

/// Splits raw program bytes (8 bytes a slot, little endian, as `BPF_PROG_LOAD` takes them and
/// `ebpf-dsl asm` writes them) into slots. Fails if the length is not a multiple of 8.
pub fn insns_from_bytes(bytes: &[u8]) -> Result<Vec<Insn>, DecodeError> {
    if !bytes.len().is_multiple_of(8) {
        return Err(err(
            bytes.len() / 8,
            0,
            DecodeErrorKind::BadLength { len: bytes.len() },
        ));
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|c| {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            Insn::from_bytes(b)
        })
        .collect())
}

/// Decodes raw program bytes (see [`insns_from_bytes`] and [`decode`]).
pub fn decode_bytes(bytes: &[u8]) -> Result<Vec<Decoded>, DecodeError> {
    decode(&insns_from_bytes(bytes)?)
}

/// Encodes typed instructions back to slots; the exact inverse of [`decode`].
pub fn encode(program: &[Decoded]) -> Vec<Insn> {
    let mut out = Vec::with_capacity(program.len() + 1);
    for d in program {
        d.encode_into(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> Result<Decoded, DecodeError> {
        decode_at(&[Insn::new(code, dst, src, off, imm)], 0)
    }

    /// Decode/encode round trip for every opcode byte × register pairs × representative
    /// offsets and immediates, and a second slot for `ld_imm64`.
    #[test]
    fn exhaustive_round_trip() {
        let regs = [0u8, 1, 5, 10, 11, 15];
        let offs = [0i16, 1, 2, 8, 16, 32, -1, i16::MIN, i16::MAX];
        let imms = [
            0i32,
            1,
            -1,
            16,
            32,
            64,
            0x01,
            0x40,
            0x41,
            0x50,
            0x51,
            0xa0,
            0xa1,
            0xe1,
            0xf1,
            0xe0,
            i32::MIN,
            i32::MAX,
        ];
        let seconds = [
            Insn::new(0, 0, 0, 0, 0),
            Insn::new(0, 0, 0, 0, -7),
            Insn::new(0, 1, 0, 0, 0),
            Insn::new(0x07, 0, 0, 0, 0),
            Insn::new(0, 0, 0, 3, 0),
        ];
        let mut valid = 0usize;
        for code in 0..=255u8 {
            for &dst in &regs {
                for &src in &regs {
                    for &off in &offs {
                        for &imm in &imms {
                            for second in &seconds {
                                let prog = [Insn::new(code, dst, src, off, imm), *second];
                                let Ok(d) = decode_at(&prog, 0) else { continue };
                                valid += 1;
                                let mut back = Vec::new();
                                d.encode_into(&mut back);
                                assert_eq!(&back[..], &prog[..d.slots()], "{d:?}");
                                if code != 0x18 {
                                    break;
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(valid > 10_000, "only {valid} valid encodings");
    }

    #[test]
    fn rejects_reserved_fields() {
        // src set on an immediate ALU op.
        let e = one(0x07, 1, 2, 0, 5).unwrap_err();
        assert_eq!(
            e.kind,
            DecodeErrorKind::ReservedNonZero {
                field: "src",
                value: 2
            }
        );
        // off = 1 on a non-signed-capable op; off = 2 on div.
        assert!(one(0x0f, 1, 2, 1, 0).is_err());
        assert!(matches!(
            one(0x3f, 1, 2, 2, 0).unwrap_err().kind,
            DecodeErrorKind::BadField { field: "off", .. }
        ));
        // movsx 32 only in ALU64.
        assert!(one(0xbc, 1, 2, 32, 0).is_err());
        assert!(one(0xbf, 1, 2, 32, 0).is_ok());
        // bad atomic imm, atomic on bytes.
        assert!(one(0xdb, 1, 2, 0, 0x02).is_err());
        assert!(one(0xd3, 1, 2, 0, 0x00).is_err());
        // registers above 10.
        assert_eq!(
            one(0xbf, 11, 1, 0, 0).unwrap_err().kind,
            DecodeErrorKind::BadRegister {
                field: "dst",
                value: 11
            }
        );
        // exit with garbage, unknown ops.
        assert!(one(0x95, 0, 0, 0, 1).is_err());
        assert!(one(0xe7, 0, 0, 0, 0).is_err());
        assert!(one(0xf5, 0, 0, 0, 0).is_err());
        assert!(one(0x86, 0, 0, 0, 1).is_err());
        // endian width.
        assert!(one(0xdc, 1, 0, 0, 24).is_err());
        assert!(one(0xdf, 1, 0, 0, 16).is_err());
        // LD_ABS of 8 bytes, dst set on LD_ABS.
        assert!(one(0x38, 0, 0, 0, 4).is_err());
        assert!(one(0x30, 1, 0, 0, 4).is_err());
        // helper call with nonzero off, unknown call kind.
        assert!(one(0x85, 0, 0, 1, 1).is_err());
        assert!(one(0x85, 0, 3, 0, 1).is_err());
    }

    #[test]
    fn ld_imm64_forms() {
        let p = [
            Insn::new(0x18, 1, 0, 0, 0x89abcdef_u32 as i32),
            Insn::new(0, 0, 0, 0, 0x01234567),
        ];
        assert_eq!(
            decode(&p).unwrap(),
            vec![Decoded::LdImm64 {
                dst: Reg::R1,
                value: 0x0123_4567_89ab_cdef
            }]
        );
        let e = decode(&p[..1]).unwrap_err();
        assert_eq!((e.index, e.kind), (0, DecodeErrorKind::TruncatedLdImm64));
        let bad = [p[0], Insn::new(0, 0, 0, 1, 0)];
        let e = decode(&bad).unwrap_err();
        assert_eq!(e.index, 1);
        assert!(matches!(
            e.kind,
            DecodeErrorKind::BadLdImm64Second { field: "off", .. }
        ));
        // map fd with a second imm is rejected, map value with an offset is fine.
        assert!(decode(&[Insn::new(0x18, 1, 1, 0, 3), Insn::new(0, 0, 0, 0, 8)]).is_err());
        assert_eq!(
            decode(&[Insn::new(0x18, 1, 2, 0, 3), Insn::new(0, 0, 0, 0, 8)]).unwrap(),
            vec![Decoded::LdPseudo {
                dst: Reg::R1,
                kind: PseudoLd::MapValue,
                imm: 3,
                next_imm: 8
            }]
        );
        assert!(decode(&[Insn::new(0x18, 1, 7, 0, 3), Insn::new(0, 0, 0, 0, 0)]).is_err());
    }

    #[test]
    fn bytes() {
        let e = decode_bytes(&[0x95, 0, 0, 0, 0, 0, 0, 0, 1]).unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::BadLength { len: 9 });
        assert!(e.to_string().contains("not a multiple of 8"));
        assert_eq!(
            decode_bytes(&[0x95, 0, 0, 0, 0, 0, 0, 0]).unwrap(),
            vec![Decoded::Exit]
        );
        assert_eq!(decode_bytes(&[]).unwrap(), vec![]);
    }

    /// A small deterministic generator (xorshift) so the test needs no dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn random_bytes_never_panic_and_round_trip() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut ok = 0;
        for _ in 0..20_000 {
            let len = (rng.next() % 41) as usize;
            let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            // Bias towards plausible programs: mostly small register nibbles.
            for chunk in bytes.chunks_mut(8) {
                if chunk.len() > 1 && rng.next().is_multiple_of(2) {
                    chunk[1] &= 0x33;
                }
            }
            match decode_bytes(&bytes) {
                Ok(prog) => {
                    ok += 1;
                    assert_eq!(crate::isa::insn::to_bytes(&encode(&prog)), bytes);
                }
                Err(e) => {
                    let _ = e.to_string();
                }
            }
        }
        assert!(ok > 0);
    }
}

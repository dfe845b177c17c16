//! The operand forms of decoded instructions: widths, operands, ALU operations, byte swaps
//! and jump conditions.

use crate::isa::insn::{AluOp, JmpOp, Reg};

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

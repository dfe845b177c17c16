//! The eBPF instruction set (RFC 9669, ISA v1 to v4): opcode fields as small types and the
//! 8-byte wire format [`Insn`].
//!
//! Wire format of one slot (little endian, as the kernel's `struct bpf_insn`):
//!
//! ```text
//!  byte 0      byte 1            bytes 2-3         bytes 4-7
//! +--------+---------+--------+-----------------+------------------+
//! | opcode | src:4   | dst:4  | offset (i16)    | immediate (i32)  |
//! +--------+---------+--------+-----------------+------------------+
//!            (high)    (low)
//! ```
//!
//! The opcode byte is split into fields whose meaning depends on the [`Class`] (low 3 bits):
//!
//! ```text
//! ALU, ALU64, JMP, JMP32:   op:4 | source:1 | class:3
//! LD, LDX, ST, STX:         mode:3 | size:2 | class:3
//! ```
//!
//! `ld_imm64` (`BPF_LD | BPF_DW | BPF_IMM`, opcode `0x18`) takes two slots: the second carries
//! the upper 32 bits of the constant in its `imm` and zero in every other field.

use core::fmt;

/// A register number, `r0` to `r10`.
///
/// `r0` holds return values, `r1`-`r5` are arguments (clobbered by calls), `r6`-`r9` are
/// callee-saved and `r10` is the read-only frame pointer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reg(u8);

impl Reg {
    /// `r0`: return value of helpers, bpf-to-bpf calls and the program.
    pub const R0: Reg = Reg(0);
    /// `r1`: first argument; the context pointer at program entry.
    pub const R1: Reg = Reg(1);
    /// `r2`: second argument.
    pub const R2: Reg = Reg(2);
    /// `r3`: third argument.
    pub const R3: Reg = Reg(3);
    /// `r4`: fourth argument.
    pub const R4: Reg = Reg(4);
    /// `r5`: fifth argument.
    pub const R5: Reg = Reg(5);
    /// `r6`: callee-saved.
    pub const R6: Reg = Reg(6);
    /// `r7`: callee-saved.
    pub const R7: Reg = Reg(7);
    /// `r8`: callee-saved.
    pub const R8: Reg = Reg(8);
    /// `r9`: callee-saved.
    pub const R9: Reg = Reg(9);
    /// `r10`: the read-only frame pointer (top of the 512-byte stack).
    pub const R10: Reg = Reg(10);
    /// Alias of [`Reg::R10`].
    pub const FP: Reg = Reg(10);

    /// The register numbered `n`, or `None` if `n > 10`.
    pub const fn new(n: u8) -> Option<Reg> {
        if n <= 10 {
            Some(Reg(n))
        } else {
            None
        }
    }

    /// The register's number (0 to 10).
    pub const fn num(self) -> u8 {
        self.0
    }
}

impl fmt::Display for Reg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "r{}", self.0)
    }
}

/// The instruction class: the low 3 bits of the opcode (`BPF_CLASS(code)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Class {
    /// `BPF_LD` (0x00): `ld_imm64` and the legacy packet loads `LD_ABS` / `LD_IND`.
    Ld = 0x00,
    /// `BPF_LDX` (0x01): load from memory into a register.
    Ldx = 0x01,
    /// `BPF_ST` (0x02): store an immediate to memory.
    St = 0x02,
    /// `BPF_STX` (0x03): store a register to memory, and atomics.
    Stx = 0x03,
    /// `BPF_ALU` (0x04): 32-bit arithmetic (`w` registers).
    Alu = 0x04,
    /// `BPF_JMP` (0x05): 64-bit compares, `goto`, `call`, `exit`.
    Jmp = 0x05,
    /// `BPF_JMP32` (0x06): 32-bit compares (ISA v3, Linux 5.1) and `gotol` (v4, Linux 6.6).
    Jmp32 = 0x06,
    /// `BPF_ALU64` (0x07): 64-bit arithmetic.
    Alu64 = 0x07,
}

impl Class {
    /// The class encoded in the low 3 bits of `code`.
    pub const fn from_code(code: u8) -> Class {
        match code & 0x07 {
            0x00 => Class::Ld,
            0x01 => Class::Ldx,
            0x02 => Class::St,
            0x03 => Class::Stx,
            0x04 => Class::Alu,
            0x05 => Class::Jmp,
            0x06 => Class::Jmp32,
            _ => Class::Alu64,
        }
    }

    /// True for `ALU` and `ALU64`.
    pub const fn is_alu(self) -> bool {
        matches!(self, Class::Alu | Class::Alu64)
    }

    /// True for `JMP` and `JMP32`.
    pub const fn is_jmp(self) -> bool {
        matches!(self, Class::Jmp | Class::Jmp32)
    }
}

/// The source operand selector of ALU and JMP instructions: bit 3 of the opcode
/// (`BPF_SRC(code)`). For the byte-swap (`END`) operation it selects the byte order instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Source {
    /// `BPF_K` (0x00): the 32-bit immediate (sign-extended to 64 bits for 64-bit operations).
    /// For `END`: `BPF_TO_LE`.
    Imm = 0x00,
    /// `BPF_X` (0x08): the source register. For `END`: `BPF_TO_BE`.
    Reg = 0x08,
}

impl Source {
    /// The source bit (0x08) of an ALU or jump opcode.
    pub const fn from_code(code: u8) -> Source {
        if code & 0x08 == 0 {
            Source::Imm
        } else {
            Source::Reg
        }
    }
}

/// ALU operations: the high 4 bits of an `ALU` / `ALU64` opcode (`BPF_OP(code)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum AluOp {
    /// `BPF_ADD` (0x00): `dst += src`.
    Add = 0x00,
    /// `BPF_SUB` (0x10): `dst -= src`.
    Sub = 0x10,
    /// `BPF_MUL` (0x20): `dst *= src`.
    Mul = 0x20,
    /// `BPF_DIV` (0x30): `dst /= src` (unsigned; signed `s/=` when `off == 1`, v4).
    Div = 0x30,
    /// `BPF_OR` (0x40): `dst |= src`.
    Or = 0x40,
    /// `BPF_AND` (0x50): `dst &= src`.
    And = 0x50,
    /// `BPF_LSH` (0x60): `dst <<= src`.
    Lsh = 0x60,
    /// `BPF_RSH` (0x70): `dst >>= src` (logical).
    Rsh = 0x70,
    /// `BPF_NEG` (0x80): `dst = -dst`.
    Neg = 0x80,
    /// `BPF_MOD` (0x90): `dst %= src` (unsigned; signed `s%=` when `off == 1`, v4, Linux 6.6).
    Mod = 0x90,
    /// `BPF_XOR` (0xa0): `dst ^= src`.
    Xor = 0xa0,
    /// `BPF_MOV` (0xb0): `dst = src` (sign-extending `movsx` when `off` is 8, 16 or 32, v4,
    /// Linux 6.6).
    Mov = 0xb0,
    /// `BPF_ARSH` (0xc0): `dst s>>= src` (arithmetic shift).
    Arsh = 0xc0,
    /// `BPF_END` (0xd0): byte swap (`be16`/`le32`... in `ALU`, `bswap16/32/64` in `ALU64`, v4,
    /// Linux 6.6).
    End = 0xd0,
}

impl AluOp {
    /// The operation in the high 4 bits of `code`, or `None` for 0xe0 and 0xf0.
    pub const fn from_code(code: u8) -> Option<AluOp> {
        Some(match code & 0xf0 {
            0x00 => AluOp::Add,
            0x10 => AluOp::Sub,
            0x20 => AluOp::Mul,
            0x30 => AluOp::Div,
            0x40 => AluOp::Or,
            0x50 => AluOp::And,
            0x60 => AluOp::Lsh,
            0x70 => AluOp::Rsh,
            0x80 => AluOp::Neg,
            0x90 => AluOp::Mod,
            0xa0 => AluOp::Xor,
            0xb0 => AluOp::Mov,
            0xc0 => AluOp::Arsh,
            0xd0 => AluOp::End,
            _ => return None,
        })
    }
}

/// Jump operations: the high 4 bits of a `JMP` / `JMP32` opcode (`BPF_OP(code)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum JmpOp {
    /// `BPF_JA` (0x00): `goto +off` (`JMP`), `gotol +imm` (`JMP32`, v4, Linux 6.6).
    Ja = 0x00,
    /// `BPF_JEQ` (0x10): `if dst == src goto`.
    Jeq = 0x10,
    /// `BPF_JGT` (0x20): `if dst > src goto` (unsigned).
    Jgt = 0x20,
    /// `BPF_JGE` (0x30): `if dst >= src goto` (unsigned).
    Jge = 0x30,
    /// `BPF_JSET` (0x40): `if dst & src goto`.
    Jset = 0x40,
    /// `BPF_JNE` (0x50): `if dst != src goto`.
    Jne = 0x50,
    /// `BPF_JSGT` (0x60): `if dst s> src goto`.
    Jsgt = 0x60,
    /// `BPF_JSGE` (0x70): `if dst s>= src goto`.
    Jsge = 0x70,
    /// `BPF_CALL` (0x80): helper call (`src = 0`), bpf-to-bpf call (`src = 1`, Linux 4.16),
    /// kfunc (`src = 2`, Linux 5.13); `callx` with `BPF_X` (in the ISA, not accepted by Linux).
    Call = 0x80,
    /// `BPF_EXIT` (0x90): return `r0`.
    Exit = 0x90,
    /// `BPF_JLT` (0xa0): `if dst < src goto` (unsigned). `JLT`..`JSLE`: Linux 4.14 (ISA v2).
    Jlt = 0xa0,
    /// `BPF_JLE` (0xb0): `if dst <= src goto` (unsigned).
    Jle = 0xb0,
    /// `BPF_JSLT` (0xc0): `if dst s< src goto`.
    Jslt = 0xc0,
    /// `BPF_JSLE` (0xd0): `if dst s<= src goto`.
    Jsle = 0xd0,
}

impl JmpOp {
    /// The operation in the high 4 bits of `code`, or `None` for 0xe0 and 0xf0.
    pub const fn from_code(code: u8) -> Option<JmpOp> {
        Some(match code & 0xf0 {
            0x00 => JmpOp::Ja,
            0x10 => JmpOp::Jeq,
            0x20 => JmpOp::Jgt,
            0x30 => JmpOp::Jge,
            0x40 => JmpOp::Jset,
            0x50 => JmpOp::Jne,
            0x60 => JmpOp::Jsgt,
            0x70 => JmpOp::Jsge,
            0x80 => JmpOp::Call,
            0x90 => JmpOp::Exit,
            0xa0 => JmpOp::Jlt,
            0xb0 => JmpOp::Jle,
            0xc0 => JmpOp::Jslt,
            0xd0 => JmpOp::Jsle,
            _ => return None,
        })
    }

    /// True for the conditional jumps (everything but `JA`, `CALL` and `EXIT`).
    pub const fn is_conditional(self) -> bool {
        !matches!(self, JmpOp::Ja | JmpOp::Call | JmpOp::Exit)
    }
}

/// The access size of a load or store: bits 3-4 of the opcode (`BPF_SIZE(code)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Size {
    /// `BPF_W` (0x00): 4 bytes (`u32`).
    W = 0x00,
    /// `BPF_H` (0x08): 2 bytes (`u16`).
    H = 0x08,
    /// `BPF_B` (0x10): 1 byte (`u8`).
    B = 0x10,
    /// `BPF_DW` (0x18): 8 bytes (`u64`).
    DW = 0x18,
}

impl Size {
    /// The size encoded in bits 3-4 of `code`.
    pub const fn from_code(code: u8) -> Size {
        match code & 0x18 {
            0x00 => Size::W,
            0x08 => Size::H,
            0x10 => Size::B,
            _ => Size::DW,
        }
    }

    /// The number of bytes accessed: 1, 2, 4 or 8.
    pub const fn bytes(self) -> u32 {
        match self {
            Size::B => 1,
            Size::H => 2,
            Size::W => 4,
            Size::DW => 8,
        }
    }

    /// The size of `n` bytes, if `n` is 1, 2, 4 or 8.
    pub const fn from_bytes(n: u32) -> Option<Size> {
        match n {
            1 => Some(Size::B),
            2 => Some(Size::H),
            4 => Some(Size::W),
            8 => Some(Size::DW),
            _ => None,
        }
    }
}

/// The addressing mode of a load or store: the high 3 bits of the opcode (`BPF_MODE(code)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Mode {
    /// `BPF_IMM` (0x00): only `ld_imm64` (with `BPF_DW`).
    Imm = 0x00,
    /// `BPF_ABS` (0x20): legacy packet load at an absolute offset (`r0 = *(u8 *)skb[imm]`).
    Abs = 0x20,
    /// `BPF_IND` (0x40): legacy packet load at `src + imm`.
    Ind = 0x40,
    /// `BPF_MEM` (0x60): regular load/store `*(size *)(reg + off)`.
    Mem = 0x60,
    /// `BPF_MEMSX` (0x80): sign-extending load (`LDX` only, v4, Linux 6.6).
    MemSx = 0x80,
    /// `BPF_ATOMIC` (0xc0): atomic read-modify-write (`STX` only, `W` and `DW`). Before Linux
    /// 5.12 only `add` without fetch existed (`BPF_XADD`); the other operations need 5.12.
    Atomic = 0xc0,
}

impl Mode {
    /// The mode in the high 3 bits of `code`, or `None` for the reserved 0xa0 and 0xe0.
    pub const fn from_code(code: u8) -> Option<Mode> {
        Some(match code & 0xe0 {
            0x00 => Mode::Imm,
            0x20 => Mode::Abs,
            0x40 => Mode::Ind,
            0x60 => Mode::Mem,
            0x80 => Mode::MemSx,
            0xc0 => Mode::Atomic,
            _ => return None,
        })
    }
}

/// Atomic operations: the `imm` field of a `STX | ATOMIC` instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AtomicOp {
    /// `BPF_ADD` (0x00): `lock *(u64 *)(dst + off) += src`.
    Add,
    /// `BPF_OR` (0x40).
    Or,
    /// `BPF_AND` (0x50).
    And,
    /// `BPF_XOR` (0xa0).
    Xor,
    /// `BPF_XCHG` (0xe1): `src = xchg_64(dst + off, src)`.
    Xchg,
    /// `BPF_CMPXCHG` (0xf1): `r0 = cmpxchg_64(dst + off, r0, src)`.
    Cmpxchg,
}

/// `BPF_LOAD_ACQ` (0x100): the `imm` of a load-acquire (`BPF_STX | BPF_ATOMIC`, any size,
/// Linux 6.15): `dst = load_acquire((size *)(src + off))`.
pub const BPF_LOAD_ACQ: i32 = 0x100;

/// `BPF_STORE_REL` (0x110): the `imm` of a store-release (`BPF_STX | BPF_ATOMIC`, any size,
/// Linux 6.15): `store_release((size *)(dst + off), src)`.
pub const BPF_STORE_REL: i32 = 0x110;

/// The `BPF_FETCH` modifier bit (0x01) in the `imm` of an atomic instruction: the old value is
/// returned in `src`.
pub const BPF_FETCH: i32 = 0x01;

impl AtomicOp {
    /// The `imm` value of this operation, with `BPF_FETCH` when `fetch` is set (always set for
    /// `Xchg` and `Cmpxchg`).
    pub const fn imm(self, fetch: bool) -> i32 {
        let f = if fetch { BPF_FETCH } else { 0 };
        match self {
            AtomicOp::Add => f,
            AtomicOp::Or => 0x40 | f,
            AtomicOp::And => 0x50 | f,
            AtomicOp::Xor => 0xa0 | f,
            AtomicOp::Xchg => 0xe1,
            AtomicOp::Cmpxchg => 0xf1,
        }
    }

    /// Decodes an atomic `imm` into the operation and its fetch flag.
    pub const fn from_imm(imm: i32) -> Option<(AtomicOp, bool)> {
        Some(match imm {
            0x00 => (AtomicOp::Add, false),
            0x01 => (AtomicOp::Add, true),
            0x40 => (AtomicOp::Or, false),
            0x41 => (AtomicOp::Or, true),
            0x50 => (AtomicOp::And, false),
            0x51 => (AtomicOp::And, true),
            0xa0 => (AtomicOp::Xor, false),
            0xa1 => (AtomicOp::Xor, true),
            0xe1 => (AtomicOp::Xchg, true),
            0xf1 => (AtomicOp::Cmpxchg, true),
            _ => return None,
        })
    }
}

/// `src_reg` values of `ld_imm64` that ask the loader or kernel to interpret `imm`
/// (`BPF_PSEUDO_*` in `linux/bpf.h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum PseudoLd {
    /// 0: a plain 64-bit constant.
    None = 0,
    /// `BPF_PSEUDO_MAP_FD` (1): `imm` is a map fd; the register gets the map pointer.
    MapFd = 1,
    /// `BPF_PSEUDO_MAP_VALUE` (2, Linux 5.2): `imm` is a map fd, the second slot's `imm` an
    /// offset; the register gets the address of the map's value plus the offset (array maps).
    MapValue = 2,
    /// `BPF_PSEUDO_BTF_ID` (3, Linux 5.10): `imm` is a BTF id of a kernel variable.
    BtfId = 3,
    /// `BPF_PSEUDO_FUNC` (4, Linux 5.13): `imm` is the offset of a bpf-to-bpf function (a
    /// callback).
    Func = 4,
    /// `BPF_PSEUDO_MAP_IDX` (5, Linux 5.14): like `MapFd`, but `imm` indexes the `fd_array` of
    /// the load.
    MapIdx = 5,
    /// `BPF_PSEUDO_MAP_IDX_VALUE` (6): like `MapValue`, indexing the `fd_array`.
    MapIdxValue = 6,
}

impl PseudoLd {
    /// The pseudo kind for a `src_reg` value, or `None` if it is not defined.
    pub const fn from_src(src: u8) -> Option<PseudoLd> {
        Some(match src {
            0 => PseudoLd::None,
            1 => PseudoLd::MapFd,
            2 => PseudoLd::MapValue,
            3 => PseudoLd::BtfId,
            4 => PseudoLd::Func,
            5 => PseudoLd::MapIdx,
            6 => PseudoLd::MapIdxValue,
            _ => return None,
        })
    }
}

/// `src_reg` value of a `call` to a helper function (by number).
pub const BPF_PSEUDO_HELPER: u8 = 0;
/// `src_reg` value of a bpf-to-bpf call (`imm` is the relative target).
pub const BPF_PSEUDO_CALL: u8 = 1;
/// `src_reg` value of a call to a kernel function (kfunc) by BTF id.
pub const BPF_PSEUDO_KFUNC_CALL: u8 = 2;

/// One 8-byte instruction slot, exactly as the kernel's `struct bpf_insn`.
///
/// `ld_imm64` occupies two consecutive `Insn`s.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(C)]
pub struct Insn {
    /// The opcode byte.
    pub code: u8,
    /// Destination register in the low nibble, source register in the high nibble.
    pub regs: u8,
    /// The signed 16-bit offset (memory displacement or jump distance in slots).
    pub off: i16,
    /// The signed 32-bit immediate.
    pub imm: i32,
}

const _: () = assert!(core::mem::size_of::<Insn>() == 8);

impl Insn {
    /// Builds a slot from its raw fields. `dst` and `src` are masked to 4 bits.
    pub const fn new(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> Insn {
        Insn {
            code,
            regs: (dst & 0x0f) | ((src & 0x0f) << 4),
            off,
            imm,
        }
    }

    /// The destination register field (low nibble of byte 1), 0 to 15.
    pub const fn dst(&self) -> u8 {
        self.regs & 0x0f
    }

    /// The source register field (high nibble of byte 1), 0 to 15.
    pub const fn src(&self) -> u8 {
        self.regs >> 4
    }

    /// The instruction class.
    pub const fn class(&self) -> Class {
        Class::from_code(self.code)
    }

    /// True if this slot is the first of an `ld_imm64` pair (opcode 0x18).
    pub const fn is_ld_imm64(&self) -> bool {
        self.code == 0x18
    }

    /// The 8 wire bytes, little endian.
    pub const fn to_bytes(&self) -> [u8; 8] {
        let off = self.off.to_le_bytes();
        let imm = self.imm.to_le_bytes();
        [
            self.code, self.regs, off[0], off[1], imm[0], imm[1], imm[2], imm[3],
        ]
    }

    /// The slot from 8 wire bytes, little endian. Performs no validation.
    pub const fn from_bytes(b: [u8; 8]) -> Insn {
        Insn {
            code: b[0],
            regs: b[1],
            off: i16::from_le_bytes([b[2], b[3]]),
            imm: i32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        }
    }

    /// The slot as one little-endian `u64`, the way the kernel's `bpf_insn` reads in memory.
    pub const fn to_u64(&self) -> u64 {
        u64::from_le_bytes(self.to_bytes())
    }
}

impl fmt::Debug for Insn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Insn {{ code: {:#04x}, dst: r{}, src: r{}, off: {}, imm: {} }}",
            self.code,
            self.dst(),
            self.src(),
            self.off,
            self.imm
        )
    }
}

/// Serialises slots to the raw program bytes (8 bytes a slot, little endian).
pub fn to_bytes(insns: &[Insn]) -> Vec<u8> {
    insns.iter().flat_map(|i| i.to_bytes()).collect()
}

//! The builder API: one Rust function per eBPF instruction form, mirroring the `dsl` namespace
//! of the Clojure library clj-ebpf (`mov`, `mov-reg`, `ldx`, `stx`, `st`, `add`, `add-reg`,
//! `jmp-imm`, `jmp-reg`, `ja`, `call`, `exit-insn`, `ld-map-fd`, `assemble`) with Rust names
//! (`mov`, `mov_reg`, ..., `exit`). Use it to generate programs at run time from data.
//!
//! Every function returns either a finished one-slot [`Insn`] (when nothing is symbolic) or an
//! [`Item`] (jumps to labels, map references, `ld_imm64`): both convert into [`Item`] with
//! `.into()`, and [`crate::dsl::Program`] accepts either. Labels and map names stay names until the
//! assembler's resolve step ([`crate::dsl::assemble`]), exactly as for programs written in assembler text
//! or with `defprogram!`.
//!
//! Each function's documentation shows the assembly it produces, in the syntax LLVM 19's
//! objdump and the kernel verifier print, and its C meaning. Naming:
//!
//! * 64-bit ALU (`BPF_ALU64`): `add(dst, imm)` and `add_reg(dst, src)`; 32-bit ALU (`BPF_ALU`,
//!   the `w` registers, upper 32 bits zeroed): `add32` and `add32_reg`.
//! * Rust keywords and prelude clashes get clj-ebpf's `-op` suffix: `and_op`, `or_op`, `xor_op`,
//!   `mod_op`.
//! * Jumps take a target that is a label name (`"drop"`) or a raw slot offset (`3`), see
//!   [`IntoTarget`].
//!
//! ```
//! use ebpf_dsl::dsl::*;
//! use ebpf_dsl::insn::{JmpOp, Size};
//! use ebpf_dsl::Reg;
//!
//! // r2 = *(u32 *)(r1 + 16); if r2 > 3 goto pass; r0 = 1; exit; pass: r0 = 2; exit
//! let items = vec![
//!     ldx(Size::W, Reg::R2, Reg::R1, 16).into(),
//!     jmp_imm(JmpOp::Jgt, Reg::R2, 3, "pass"),
//!     mov(Reg::R0, 1).into(),
//!     exit().into(),
//!     label("pass"),
//!     mov(Reg::R0, 2).into(),
//!     exit().into(),
//! ];
//! assert_eq!(items.len(), 7);
//! ```

use std::borrow::Cow;

use crate::ir::{Item, ItemKind, Target};
use crate::isa::insn::{
    AluOp, AtomicOp, Class, Insn, JmpOp, Mode, PseudoLd, Reg, Size, Source, BPF_PSEUDO_CALL,
    BPF_PSEUDO_KFUNC_CALL,
};
use crate::spec::RelocKind;

// ---------------------------------------------------------------------------------------------
// Small operand types
// ---------------------------------------------------------------------------------------------

/// Anything usable as a jump or call target: a label name (`&'static str`, `String`,
/// `Cow<'static, str>`), a raw relative offset in slots (`i32`, as encoded: `goto +3` skips
/// three slots), or a [`Target`].
pub trait IntoTarget {
    /// The target.
    fn into_target(self) -> Target;
}

impl IntoTarget for Target {
    fn into_target(self) -> Target {
        self
    }
}

impl IntoTarget for &'static str {
    fn into_target(self) -> Target {
        Target::Label(Cow::Borrowed(self))
    }
}

impl IntoTarget for String {
    fn into_target(self) -> Target {
        Target::Label(Cow::Owned(self))
    }
}

impl IntoTarget for Cow<'static, str> {
    fn into_target(self) -> Target {
        Target::Label(self)
    }
}

impl IntoTarget for i32 {
    fn into_target(self) -> Target {
        Target::Offset(self)
    }
}

/// The width of a byte-order conversion (`be16`, `le32`, `bswap64`, ...): the `imm` field of a
/// `BPF_END` instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum SwapWidth {
    /// 16 bits (the result is zero-extended from 16 bits).
    W16 = 16,
    /// 32 bits (the result is zero-extended from 32 bits).
    W32 = 32,
    /// 64 bits.
    W64 = 64,
}

/// The source width of a sign extension (`movsx`, `ldsx`, ISA v4, kernel 6.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignExtend {
    /// From 8 bits (`(s8)`).
    S8,
    /// From 16 bits (`(s16)`).
    S16,
    /// From 32 bits (`(s32)`); 64-bit destinations only.
    S32,
}

impl SignExtend {
    /// The number of source bits: 8, 16 or 32 (the `off` field of `movsx`).
    pub const fn bits(self) -> i16 {
        match self {
            SignExtend::S8 => 8,
            SignExtend::S16 => 16,
            SignExtend::S32 => 32,
        }
    }

    /// The memory access size of a sign-extending load from this width.
    pub const fn size(self) -> Size {
        match self {
            SignExtend::S8 => Size::B,
            SignExtend::S16 => Size::H,
            SignExtend::S32 => Size::W,
        }
    }
}

const fn r(reg: Reg) -> u8 {
    reg.num()
}

// ---------------------------------------------------------------------------------------------
// ALU
// ---------------------------------------------------------------------------------------------

/// A 64-bit ALU operation with an immediate source: `dst OP= imm` (`BPF_ALU64 | BPF_K | op`).
/// The immediate is sign-extended to 64 bits. For [`AluOp::Neg`] the immediate is ignored by
/// the kernel and should be 0; for [`AluOp::End`] use [`bswap`].
#[doc(alias = "alu64-imm")]
pub const fn alu64_imm(op: AluOp, dst: Reg, imm: i32) -> Insn {
    Insn::new(
        Class::Alu64 as u8 | Source::Imm as u8 | op as u8,
        r(dst),
        0,
        0,
        imm,
    )
}

/// A 64-bit ALU operation with a register source: `dst OP= src` (`BPF_ALU64 | BPF_X | op`).
#[doc(alias = "alu64-reg")]
pub const fn alu64_reg(op: AluOp, dst: Reg, src: Reg) -> Insn {
    Insn::new(
        Class::Alu64 as u8 | Source::Reg as u8 | op as u8,
        r(dst),
        r(src),
        0,
        0,
    )
}

/// A 32-bit ALU operation with an immediate source: `wDST OP= imm` (`BPF_ALU | BPF_K | op`).
/// Operates on the low 32 bits and zeroes the upper 32 bits of `dst`.
#[doc(alias = "alu32-imm")]
pub const fn alu32_imm(op: AluOp, dst: Reg, imm: i32) -> Insn {
    Insn::new(
        Class::Alu as u8 | Source::Imm as u8 | op as u8,
        r(dst),
        0,
        0,
        imm,
    )
}

/// A 32-bit ALU operation with a register source: `wDST OP= wSRC` (`BPF_ALU | BPF_X | op`).
#[doc(alias = "alu32-reg")]
pub const fn alu32_reg(op: AluOp, dst: Reg, src: Reg) -> Insn {
    Insn::new(
        Class::Alu as u8 | Source::Reg as u8 | op as u8,
        r(dst),
        r(src),
        0,
        0,
    )
}

macro_rules! alu_family {
    ($( $op:ident, $sym:literal, $c:literal, $note:literal:
        $imm64:ident, $reg64:ident, $imm32:ident, $reg32:ident; )*) => {$(
        #[doc = concat!("`dst ", $sym, " imm` (64-bit): `r1 ", $sym, " 5`. C: `dst = dst ", $c, " (s64)imm`.", $note)]
        pub const fn $imm64(dst: Reg, imm: i32) -> Insn {
            alu64_imm(AluOp::$op, dst, imm)
        }
        #[doc = concat!("`dst ", $sym, " src` (64-bit): `r1 ", $sym, " r2`. C: `dst = dst ", $c, " src`.", $note)]
        pub const fn $reg64(dst: Reg, src: Reg) -> Insn {
            alu64_reg(AluOp::$op, dst, src)
        }
        #[doc = concat!("`wdst ", $sym, " imm` (32-bit, upper half zeroed): `w1 ", $sym, " 5`. C: `dst = (u32)((u32)dst ", $c, " (u32)imm)`.", $note)]
        pub const fn $imm32(dst: Reg, imm: i32) -> Insn {
            alu32_imm(AluOp::$op, dst, imm)
        }
        #[doc = concat!("`wdst ", $sym, " wsrc` (32-bit, upper half zeroed): `w1 ", $sym, " w2`. C: `dst = (u32)((u32)dst ", $c, " (u32)src)`.", $note)]
        pub const fn $reg32(dst: Reg, src: Reg) -> Insn {
            alu32_reg(AluOp::$op, dst, src)
        }
    )*};
}

alu_family! {
    Add, "+=", "+", "": add, add_reg, add32, add32_reg;
    Sub, "-=", "-", "": sub, sub_reg, sub32, sub32_reg;
    Mul, "*=", "*", "": mul, mul_reg, mul32, mul32_reg;
    Div, "/=", "/", " Unsigned; division by zero gives 0.": div, div_reg, div32, div32_reg;
    Mod, "%=", "%", " Unsigned; modulo by zero leaves `dst` unchanged. clj-ebpf: `mod-op`.": mod_op, mod_reg, mod32, mod32_reg;
    Or, "|=", "|", " clj-ebpf: `or-op`.": or_op, or_reg, or32, or32_reg;
    And, "&=", "&", " clj-ebpf: `and-op`.": and_op, and_reg, and32, and32_reg;
    Xor, "^=", "^", " clj-ebpf: `xor-op`.": xor_op, xor_reg, xor32, xor32_reg;
    Lsh, "<<=", "<<", " The shift amount is masked to the operand width.": lsh, lsh_reg, lsh32, lsh32_reg;
    Rsh, ">>=", ">>", " Logical (unsigned) shift.": rsh, rsh_reg, rsh32, rsh32_reg;
    Arsh, "s>>=", ">>", " Arithmetic shift of the signed value.": arsh, arsh_reg, arsh32, arsh32_reg;
}

/// `dst = imm` (64-bit, sign-extended): `r1 = 5`. C: `dst = (s64)(s32)imm`.
pub const fn mov(dst: Reg, imm: i32) -> Insn {
    alu64_imm(AluOp::Mov, dst, imm)
}

/// `dst = src` (64-bit): `r1 = r2`. C: `dst = src`.
#[doc(alias = "mov-reg")]
pub const fn mov_reg(dst: Reg, src: Reg) -> Insn {
    alu64_reg(AluOp::Mov, dst, src)
}

/// `wdst = imm` (32-bit, upper half zeroed): `w1 = 5`. C: `dst = (u32)imm`.
pub const fn mov32(dst: Reg, imm: i32) -> Insn {
    alu32_imm(AluOp::Mov, dst, imm)
}

/// `wdst = wsrc` (32-bit, upper half zeroed): `w1 = w2`. C: `dst = (u32)src`.
#[doc(alias = "mov32-reg")]
pub const fn mov32_reg(dst: Reg, src: Reg) -> Insn {
    alu32_reg(AluOp::Mov, dst, src)
}

/// `dst = -dst` (64-bit): `r1 = -r1`. C: `dst = -dst`. Encoded with `BPF_K` and `imm = 0`, as
/// LLVM does.
#[doc(alias = "neg-reg")]
pub const fn neg(dst: Reg) -> Insn {
    alu64_imm(AluOp::Neg, dst, 0)
}

/// `wdst = -wdst` (32-bit): `w1 = -w1`. C: `dst = (u32)-(u32)dst`.
pub const fn neg32(dst: Reg) -> Insn {
    alu32_imm(AluOp::Neg, dst, 0)
}

const fn signed(mut insn: Insn) -> Insn {
    insn.off = 1;
    insn
}

/// Signed division by an immediate (ISA v4, kernel 6.6): `r1 s/= 3`. C: `dst = (s64)dst /
/// (s64)imm`. Encoded as `BPF_DIV` with `off = 1`.
pub const fn sdiv(dst: Reg, imm: i32) -> Insn {
    signed(alu64_imm(AluOp::Div, dst, imm))
}

/// Signed division by a register (v4): `r1 s/= r2`. C: `dst = (s64)dst / (s64)src`.
pub const fn sdiv_reg(dst: Reg, src: Reg) -> Insn {
    signed(alu64_reg(AluOp::Div, dst, src))
}

/// 32-bit signed division by an immediate (v4): `w1 s/= 3`.
pub const fn sdiv32(dst: Reg, imm: i32) -> Insn {
    signed(alu32_imm(AluOp::Div, dst, imm))
}

/// 32-bit signed division by a register (v4): `w1 s/= w2`.
pub const fn sdiv32_reg(dst: Reg, src: Reg) -> Insn {
    signed(alu32_reg(AluOp::Div, dst, src))
}

/// Signed modulo by an immediate (v4, kernel 6.6): `r1 s%= 3`. C: `dst = (s64)dst % (s64)imm`.
/// Encoded as `BPF_MOD` with `off = 1`.
pub const fn smod(dst: Reg, imm: i32) -> Insn {
    signed(alu64_imm(AluOp::Mod, dst, imm))
}

/// Signed modulo by a register (v4): `r1 s%= r2`.
pub const fn smod_reg(dst: Reg, src: Reg) -> Insn {
    signed(alu64_reg(AluOp::Mod, dst, src))
}

/// 32-bit signed modulo by an immediate (v4): `w1 s%= 3`.
pub const fn smod32(dst: Reg, imm: i32) -> Insn {
    signed(alu32_imm(AluOp::Mod, dst, imm))
}

/// 32-bit signed modulo by a register (v4): `w1 s%= w2`.
pub const fn smod32_reg(dst: Reg, src: Reg) -> Insn {
    signed(alu32_reg(AluOp::Mod, dst, src))
}

/// Sign-extending move to 64 bits (ISA v4, kernel 6.6): `r1 = (s8)r2`. C: `dst = (s64)(s8)src`
/// (or `s16`, `s32`). Encoded as `BPF_ALU64 | BPF_X | BPF_MOV` with `off` = 8, 16 or 32.
pub const fn movsx(dst: Reg, src: Reg, from: SignExtend) -> Insn {
    let mut i = alu64_reg(AluOp::Mov, dst, src);
    i.off = from.bits();
    i
}

/// Sign-extending 32-bit move (v4): `w1 = (s8)w2`. C: `dst = (u32)(s32)(s8)src`. Only
/// [`SignExtend::S8`] and [`SignExtend::S16`] exist in the ISA; `S32` produces the reserved
/// encoding `off = 32`, which the assembler's checks and the kernel reject.
pub const fn movsx32(dst: Reg, src: Reg, from: SignExtend) -> Insn {
    let mut i = alu32_reg(AluOp::Mov, dst, src);
    i.off = from.bits();
    i
}

/// Convert to big endian: `r1 = be16 r1` (`BPF_ALU | BPF_END | BPF_TO_BE`). C: `dst =
/// htobe16(dst)` (zero-extended from the width). On a little-endian CPU this swaps bytes; on a
/// big-endian one it only truncates.
#[doc(alias = "end-to-be")]
pub const fn be(dst: Reg, width: SwapWidth) -> Insn {
    Insn::new(
        Class::Alu as u8 | Source::Reg as u8 | AluOp::End as u8,
        r(dst),
        0,
        0,
        width as i32,
    )
}

/// Convert to little endian: `r1 = le32 r1` (`BPF_ALU | BPF_END | BPF_TO_LE`). C: `dst =
/// htole32(dst)`.
#[doc(alias = "end-to-le")]
pub const fn le(dst: Reg, width: SwapWidth) -> Insn {
    Insn::new(
        Class::Alu as u8 | Source::Imm as u8 | AluOp::End as u8,
        r(dst),
        0,
        0,
        width as i32,
    )
}

/// Unconditional byte swap (ISA v4, kernel 6.6): `r1 = bswap16 r1` (`BPF_ALU64 | BPF_END`).
/// C: `dst = __builtin_bswap16(dst)` (zero-extended from the width).
pub const fn bswap(dst: Reg, width: SwapWidth) -> Insn {
    Insn::new(
        Class::Alu64 as u8 | Source::Imm as u8 | AluOp::End as u8,
        r(dst),
        0,
        0,
        width as i32,
    )
}

/// `r1 = be16 r1`: see [`be`].
pub const fn be16(dst: Reg) -> Insn {
    be(dst, SwapWidth::W16)
}
/// `r1 = be32 r1`: see [`be`].
pub const fn be32(dst: Reg) -> Insn {
    be(dst, SwapWidth::W32)
}
/// `r1 = be64 r1`: see [`be`].
pub const fn be64(dst: Reg) -> Insn {
    be(dst, SwapWidth::W64)
}
/// `r1 = le16 r1`: see [`le`].
pub const fn le16(dst: Reg) -> Insn {
    le(dst, SwapWidth::W16)
}
/// `r1 = le32 r1`: see [`le`].
pub const fn le32(dst: Reg) -> Insn {
    le(dst, SwapWidth::W32)
}
/// `r1 = le64 r1`: see [`le`].
pub const fn le64(dst: Reg) -> Insn {
    le(dst, SwapWidth::W64)
}
/// `r1 = bswap16 r1` (v4): see [`bswap`].
pub const fn bswap16(dst: Reg) -> Insn {
    bswap(dst, SwapWidth::W16)
}
/// `r1 = bswap32 r1` (v4): see [`bswap`].
pub const fn bswap32(dst: Reg) -> Insn {
    bswap(dst, SwapWidth::W32)
}
/// `r1 = bswap64 r1` (v4): see [`bswap`].
pub const fn bswap64(dst: Reg) -> Insn {
    bswap(dst, SwapWidth::W64)
}

// ---------------------------------------------------------------------------------------------
// Loads and stores
// ---------------------------------------------------------------------------------------------

/// Load from memory: `r0 = *(u32 *)(r1 + 16)` (`BPF_LDX | BPF_MEM | size`). C: `dst = *(u32
/// *)(src + off)` (zero-extended).
pub const fn ldx(size: Size, dst: Reg, src: Reg, off: i16) -> Insn {
    Insn::new(
        Class::Ldx as u8 | Mode::Mem as u8 | size as u8,
        r(dst),
        r(src),
        off,
        0,
    )
}

/// `dst = *(u8 *)(src + off)`: see [`ldx`].
#[doc(alias = "ldx-b")]
pub const fn ldxb(dst: Reg, src: Reg, off: i16) -> Insn {
    ldx(Size::B, dst, src, off)
}
/// `dst = *(u16 *)(src + off)`: see [`ldx`].
#[doc(alias = "ldx-h")]
pub const fn ldxh(dst: Reg, src: Reg, off: i16) -> Insn {
    ldx(Size::H, dst, src, off)
}
/// `dst = *(u32 *)(src + off)`: see [`ldx`].
#[doc(alias = "ldx-w")]
pub const fn ldxw(dst: Reg, src: Reg, off: i16) -> Insn {
    ldx(Size::W, dst, src, off)
}
/// `dst = *(u64 *)(src + off)`: see [`ldx`].
#[doc(alias = "ldx-dw")]
pub const fn ldxdw(dst: Reg, src: Reg, off: i16) -> Insn {
    ldx(Size::DW, dst, src, off)
}

/// Sign-extending load (ISA v4, kernel 6.6): `r1 = *(s8 *)(r2 + 3)` (`BPF_LDX | BPF_MEMSX`).
/// C: `dst = (s64)*(s8 *)(src + off)`.
pub const fn ldsx(from: SignExtend, dst: Reg, src: Reg, off: i16) -> Insn {
    Insn::new(
        Class::Ldx as u8 | Mode::MemSx as u8 | from.size() as u8,
        r(dst),
        r(src),
        off,
        0,
    )
}

/// Store a register: `*(u64 *)(r10 - 8) = r1` (`BPF_STX | BPF_MEM | size`). C: `*(u64 *)(dst +
/// off) = src` (truncated to the size). Argument order as clj-ebpf's `stx`: size, dst, src, off.
pub const fn stx(size: Size, dst: Reg, src: Reg, off: i16) -> Insn {
    Insn::new(
        Class::Stx as u8 | Mode::Mem as u8 | size as u8,
        r(dst),
        r(src),
        off,
        0,
    )
}

/// `*(u8 *)(dst + off) = src`: see [`stx`].
#[doc(alias = "stx-b")]
pub const fn stxb(dst: Reg, src: Reg, off: i16) -> Insn {
    stx(Size::B, dst, src, off)
}
/// `*(u16 *)(dst + off) = src`: see [`stx`].
#[doc(alias = "stx-h")]
pub const fn stxh(dst: Reg, src: Reg, off: i16) -> Insn {
    stx(Size::H, dst, src, off)
}
/// `*(u32 *)(dst + off) = src`: see [`stx`].
#[doc(alias = "stx-w")]
pub const fn stxw(dst: Reg, src: Reg, off: i16) -> Insn {
    stx(Size::W, dst, src, off)
}
/// `*(u64 *)(dst + off) = src`: see [`stx`].
#[doc(alias = "stx-dw")]
pub const fn stxdw(dst: Reg, src: Reg, off: i16) -> Insn {
    stx(Size::DW, dst, src, off)
}

/// Store an immediate: `*(u16 *)(r10 - 2) = 7` (`BPF_ST | BPF_MEM | size`). C: `*(u16 *)(dst +
/// off) = imm`. For `Size::DW` the immediate is sign-extended.
pub const fn st(size: Size, dst: Reg, off: i16, imm: i32) -> Insn {
    Insn::new(
        Class::St as u8 | Mode::Mem as u8 | size as u8,
        r(dst),
        0,
        off,
        imm,
    )
}

/// Legacy packet load at an absolute offset (socket filters only): `r0 = *(u8 *)skb[23]`
/// (`BPF_LD | BPF_ABS | size`). C: `r0 = ntoh(*(size *)(skb->data + imm))`; clobbers r1-r5.
pub const fn ld_abs(size: Size, imm: i32) -> Insn {
    Insn::new(Class::Ld as u8 | Mode::Abs as u8 | size as u8, 0, 0, 0, imm)
}

/// Legacy packet load at `src + imm` (socket filters only): `r0 = *(u16 *)skb[r3]`
/// (`BPF_LD | BPF_IND | size`).
pub const fn ld_ind(size: Size, src: Reg, imm: i32) -> Insn {
    Insn::new(
        Class::Ld as u8 | Mode::Ind as u8 | size as u8,
        0,
        r(src),
        0,
        imm,
    )
}

// ---------------------------------------------------------------------------------------------
// Atomics
// ---------------------------------------------------------------------------------------------

const fn atomic(size: Size, op: AtomicOp, fetch: bool, dst: Reg, src: Reg, off: i16) -> Insn {
    Insn::new(
        Class::Stx as u8 | Mode::Atomic as u8 | size as u8,
        r(dst),
        r(src),
        off,
        op.imm(fetch),
    )
}

/// A 64-bit atomic read-modify-write (`BPF_STX | BPF_ATOMIC | BPF_DW`, kernel 5.12 for all but
/// `add` without fetch, which is the old `XADD`):
///
/// | op, fetch | asm | C |
/// |---|---|---|
/// | `Add`, false | `lock *(u64 *)(r1 + 4) += r2` | `__sync_fetch_and_add(dst + off, src)` |
/// | `Add`, true | `r2 = atomic_fetch_add((u64 *)(r1 + 4), r2)` | `src = __sync_fetch_and_add(...)` |
/// | `Or`/`And`/`Xor` | `lock ... \|= r2`, `atomic_fetch_or(...)` ... | |
/// | `Xchg` | `r2 = xchg_64(r1 + 4, r2)` | `src = __sync_lock_test_and_set(...)` |
/// | `Cmpxchg` | `r0 = cmpxchg_64(r1 + 4, r0, r2)` | `r0 = __sync_val_compare_and_swap(dst + off, r0, src)` |
///
/// `fetch` is implied for `Xchg` and `Cmpxchg`.
pub const fn atomic64(op: AtomicOp, fetch: bool, dst: Reg, src: Reg, off: i16) -> Insn {
    atomic(Size::DW, op, fetch, dst, src, off)
}

/// A 32-bit atomic read-modify-write (`BPF_STX | BPF_ATOMIC | BPF_W`, kernel 5.12; `add`
/// without fetch is the old `XADD`): `lock *(u32 *)(r1 + 4) += w2`, `w2 =
/// atomic_fetch_add((u32 *)(r1 + 4), w2)`, `w1 = xchg32_32(r2 + 4, w1)`, `w0 =
/// cmpxchg32_32(r1 + 8, w0, w2)`. See [`atomic64`].
pub const fn atomic32(op: AtomicOp, fetch: bool, dst: Reg, src: Reg, off: i16) -> Insn {
    atomic(Size::W, op, fetch, dst, src, off)
}

/// `lock *(u64 *)(dst + off) += src`: see [`atomic64`].
pub const fn atomic_add64(dst: Reg, src: Reg, off: i16) -> Insn {
    atomic64(AtomicOp::Add, false, dst, src, off)
}

/// `lock *(u32 *)(dst + off) += wsrc`: see [`atomic32`].
pub const fn atomic_add32(dst: Reg, src: Reg, off: i16) -> Insn {
    atomic32(AtomicOp::Add, false, dst, src, off)
}

/// `src = atomic_fetch_add((u64 *)(dst + off), src)`: see [`atomic64`].
pub const fn atomic_fetch_add64(dst: Reg, src: Reg, off: i16) -> Insn {
    atomic64(AtomicOp::Add, true, dst, src, off)
}

/// `src = xchg_64(dst + off, src)`: see [`atomic64`].
pub const fn xchg64(dst: Reg, src: Reg, off: i16) -> Insn {
    atomic64(AtomicOp::Xchg, true, dst, src, off)
}

/// `r0 = cmpxchg_64(dst + off, r0, src)`: see [`atomic64`].
pub const fn cmpxchg64(dst: Reg, src: Reg, off: i16) -> Insn {
    atomic64(AtomicOp::Cmpxchg, true, dst, src, off)
}

// ---------------------------------------------------------------------------------------------
// ld_imm64
// ---------------------------------------------------------------------------------------------

/// A 64-bit constant (two slots): `r1 = 0x100000000 ll` (`BPF_LD | BPF_DW | BPF_IMM`). C: `dst
/// = imm64`.
pub fn ld_imm64(dst: Reg, imm: i64) -> Item {
    ld_pseudo(dst, PseudoLd::None, imm)
}

/// An `ld_imm64` with a pseudo source (`BPF_PSEUDO_MAP_FD`, `BPF_PSEUDO_BTF_ID`, ...) given as
/// numbers: `src` selects how the kernel interprets `imm` (see [`PseudoLd`]).
pub fn ld_pseudo(dst: Reg, src: PseudoLd, imm: i64) -> Item {
    Item::new(ItemKind::LdImm64 {
        dst,
        src: src as u8,
        imm,
    })
}

/// Load a map by name (two slots): `r1 = xsks ll`, LLVM's symbol form. The loader replaces it
/// with `BPF_PSEUDO_MAP_FD` and the map's fd (a [`crate::spec::Relocation`]); the register
/// gets `struct bpf_map *`, the first argument of the map helpers. clj-ebpf's `ld-map-fd`
/// takes an fd; for that form see [`ld_map_fd_num`].
#[doc(alias = "ld-map-fd")]
pub fn ld_map_fd(dst: Reg, map: impl Into<Cow<'static, str>>) -> Item {
    Item::new(ItemKind::MapRef {
        dst,
        map: map.into(),
        kind: RelocKind::MapFd,
    })
}

/// Load the address of a map's value (array maps, key 0) plus `offset`, by map name
/// (`BPF_PSEUDO_MAP_VALUE`, kernel 5.2). C: `dst = &value[0] + offset`, e.g. a global variable.
pub fn ld_map_value(dst: Reg, map: impl Into<Cow<'static, str>>, offset: u32) -> Item {
    Item::new(ItemKind::MapRef {
        dst,
        map: map.into(),
        kind: RelocKind::MapValue { offset },
    })
}

/// Load the address of a function of the program (two slots, `src = BPF_PSEUDO_FUNC`, kernel
/// 5.13): `r2 = loop_cb ll` with `loop_cb` a label, or a raw distance counted like a call's.
/// The callback argument of `bpf_loop`, `bpf_for_each_map_elem`, ... C: `dst = &loop_cb`.
///
/// ```
/// use ebpf_dsl::dsl::*;
/// use ebpf_dsl::Reg;
/// let mut p = Program::xdp("loop");
/// p.push(mov(Reg::R1, 4)).push(ld_func(Reg::R2, "cb")).push(mov(Reg::R3, 0));
/// p.push(mov(Reg::R4, 0)).push(call_helper("bpf_loop").unwrap());
/// p.push(mov(Reg::R0, 2)).push(exit());
/// p.push(label("cb")).push(mov(Reg::R0, 0)).push(exit());
/// let spec = p.build().unwrap();
/// assert_eq!((spec.insns[1].src(), spec.insns[1].imm), (4, 6));
/// ```
pub fn ld_func(dst: Reg, target: impl IntoTarget) -> Item {
    Item::new(ItemKind::FuncRef {
        dst,
        target: target.into_target(),
    })
}

/// Load a map by an fd the caller already holds (two slots, `src = BPF_PSEUDO_MAP_FD`), as
/// clj-ebpf's `ld-map-fd`: `r1 = map_fd[5]`-style raw `ld_imm64`.
pub fn ld_map_fd_num(dst: Reg, fd: i32) -> Item {
    ld_pseudo(dst, PseudoLd::MapFd, i64::from(fd))
}

// ---------------------------------------------------------------------------------------------
// Jumps, calls, exit
// ---------------------------------------------------------------------------------------------

fn jump(code: u8, dst: Reg, src: Reg, imm: i32, target: Target) -> Item {
    Item::new(ItemKind::Jump {
        insn: Insn::new(code, r(dst), r(src), 0, imm),
        target,
    })
}

/// Conditional jump comparing a register with an immediate (64-bit, `BPF_JMP | BPF_K | op`):
/// `if r1 > 3 goto pass`. C: `if (dst > (s64)imm) goto target;` (`s>` etc. for the signed
/// ops). The target is a label or a raw slot offset ([`IntoTarget`]).
#[doc(alias = "jmp-imm")]
pub fn jmp_imm(op: JmpOp, dst: Reg, imm: i32, target: impl IntoTarget) -> Item {
    jump(
        Class::Jmp as u8 | Source::Imm as u8 | op as u8,
        dst,
        Reg::R0,
        imm,
        target.into_target(),
    )
}

/// Conditional jump comparing two registers (64-bit, `BPF_JMP | BPF_X | op`): `if r0 > r3
/// goto drop`. C: `if (dst > src) goto target;`.
#[doc(alias = "jmp-reg")]
pub fn jmp_reg(op: JmpOp, dst: Reg, src: Reg, target: impl IntoTarget) -> Item {
    jump(
        Class::Jmp as u8 | Source::Reg as u8 | op as u8,
        dst,
        src,
        0,
        target.into_target(),
    )
}

/// 32-bit conditional jump with an immediate (`BPF_JMP32 | BPF_K | op`, kernel 5.1): `if w1 s>
/// -3 goto +2`. C: `if ((u32)dst > (u32)imm) goto target;`.
pub fn jmp32_imm(op: JmpOp, dst: Reg, imm: i32, target: impl IntoTarget) -> Item {
    jump(
        Class::Jmp32 as u8 | Source::Imm as u8 | op as u8,
        dst,
        Reg::R0,
        imm,
        target.into_target(),
    )
}

/// 32-bit conditional jump comparing two registers (`BPF_JMP32 | BPF_X | op`, kernel 5.1): `if
/// w1 < w2 goto out`.
pub fn jmp32_reg(op: JmpOp, dst: Reg, src: Reg, target: impl IntoTarget) -> Item {
    jump(
        Class::Jmp32 as u8 | Source::Reg as u8 | op as u8,
        dst,
        src,
        0,
        target.into_target(),
    )
}

/// Unconditional jump (`BPF_JMP | BPF_JA`): `goto out`. C: `goto out;`. The distance must fit
/// 16 bits; for longer jumps see [`gotol`].
pub fn ja(target: impl IntoTarget) -> Item {
    jump(
        Class::Jmp as u8 | JmpOp::Ja as u8,
        Reg::R0,
        Reg::R0,
        0,
        target.into_target(),
    )
}

/// Long unconditional jump (ISA v4, kernel 6.6, `BPF_JMP32 | BPF_JA` with the distance in
/// `imm`): `gotol out`.
pub fn gotol(target: impl IntoTarget) -> Item {
    jump(
        Class::Jmp32 as u8 | JmpOp::Ja as u8,
        Reg::R0,
        Reg::R0,
        0,
        target.into_target(),
    )
}

/// Call a helper function by number: `call 51` (`BPF_JMP | BPF_CALL`, `src = 0`). C:
/// `r0 = helper(r1, r2, r3, r4, r5)`; r1-r5 are clobbered. For helpers by name see
/// [`call_helper`].
pub const fn call(helper_id: i32) -> Insn {
    Insn::new(Class::Jmp as u8 | JmpOp::Call as u8, 0, 0, 0, helper_id)
}

/// Call a helper function by its name (`"bpf_redirect_map"`, with or without the `bpf_`
/// prefix): `call bpf_redirect_map`. Returns `None` for a name the helper table does not know.
pub fn call_helper(name: &str) -> Option<Insn> {
    helper_id(name).map(call)
}

/// The number of a helper function by name, with or without the `bpf_` prefix (from
/// [`crate::isa::helpers`]).
pub fn helper_id(name: &str) -> Option<i32> {
    crate::isa::helpers::helper_by_name(name).and_then(|h| i32::try_from(h.id).ok())
}

/// A bpf-to-bpf call (`BPF_JMP | BPF_CALL`, `src = BPF_PSEUDO_CALL`, kernel 4.16): `call
/// my_func` (a label) or `call -1` (a raw offset). C: `r0 = my_func(r1, ..., r5)`.
pub fn call_local(target: impl IntoTarget) -> Item {
    match target.into_target() {
        Target::Offset(off) => Item::from(Insn::new(
            Class::Jmp as u8 | JmpOp::Call as u8,
            0,
            BPF_PSEUDO_CALL,
            0,
            off,
        )),
        target => Item::new(ItemKind::Call { target }),
    }
}

/// Call a kernel function by BTF id (`src = BPF_PSEUDO_KFUNC_CALL`, kernel 5.13).
pub const fn call_kfunc(btf_id: i32) -> Insn {
    Insn::new(
        Class::Jmp as u8 | JmpOp::Call as u8,
        0,
        BPF_PSEUDO_KFUNC_CALL,
        0,
        btf_id,
    )
}

/// Indirect call through a register (`BPF_JMP | BPF_X | BPF_CALL`, LLVM's `callx r2`; the
/// register is in the `dst` field as LLVM encodes it). Not accepted by the kernel verifier as
/// of 6.x; provided for completeness of the ISA.
pub const fn callx(reg: Reg) -> Insn {
    Insn::new(
        Class::Jmp as u8 | Source::Reg as u8 | JmpOp::Call as u8,
        r(reg),
        0,
        0,
        0,
    )
}

/// Return from the program or bpf-to-bpf function: `exit` (`BPF_JMP | BPF_EXIT`). C: `return
/// r0;`. clj-ebpf calls it `exit-insn`.
#[doc(alias = "exit-insn")]
pub const fn exit() -> Insn {
    Insn::new(Class::Jmp as u8 | JmpOp::Exit as u8, 0, 0, 0, 0)
}

/// A label: the next instruction's position gets this name (`pass:` in assembler text).
pub fn label(name: impl Into<Cow<'static, str>>) -> Item {
    Item::new(ItemKind::Label(name.into()))
}

/// `r0 = imm; exit`: return a constant (e.g. an XDP action). C: `return imm;`.
pub fn return_imm(imm: i32) -> Vec<Item> {
    vec![mov(Reg::R0, imm).into(), exit().into()]
}

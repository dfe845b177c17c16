//! [`Decoded`]: one instruction, typed, and its exact encoding back to slots.

use super::*;

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
    /// `dst = load_acquire((u8|u16|u32|u64 *)(src + off))` (`BPF_STX | BPF_ATOMIC` with `imm`
    /// [`BPF_LOAD_ACQ`](crate::isa::insn::BPF_LOAD_ACQ), Linux 6.15): a load ordered before
    /// the accesses after it; narrower loads zero-extend.
    LoadAcquire {
        /// The access size.
        size: Size,
        /// The destination register.
        dst: Reg,
        /// The base address register.
        src: Reg,
        /// The signed displacement in bytes.
        off: i16,
    },
    /// `store_release((u8|u16|u32|u64 *)(dst + off), src)` (`BPF_STX | BPF_ATOMIC` with `imm`
    /// [`BPF_STORE_REL`](crate::isa::insn::BPF_STORE_REL), Linux 6.15): a store ordered after
    /// the accesses before it.
    StoreRelease {
        /// The access size.
        size: Size,
        /// The base address register.
        dst: Reg,
        /// The signed displacement in bytes.
        off: i16,
        /// The register stored.
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

    /// The distance in slots (relative to the next slot, as a call's) to the function whose
    /// address an `ld_imm64` with `src = BPF_PSEUDO_FUNC` loads (a callback); `None` for
    /// everything else.
    pub const fn func_offset(&self) -> Option<i64> {
        match *self {
            Decoded::LdPseudo {
                kind: PseudoLd::Func,
                imm,
                next_imm: 0,
                ..
            } => Some(imm as i64),
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
            Decoded::LoadAcquire {
                size,
                dst,
                src,
                off,
            } => one(Insn::new(
                Mode::Atomic as u8 | size as u8 | Class::Stx as u8,
                dst.num(),
                src.num(),
                off,
                crate::isa::insn::BPF_LOAD_ACQ,
            )),
            Decoded::StoreRelease {
                size,
                dst,
                off,
                src,
            } => one(Insn::new(
                Mode::Atomic as u8 | size as u8 | Class::Stx as u8,
                dst.num(),
                src.num(),
                off,
                crate::isa::insn::BPF_STORE_REL,
            )),
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

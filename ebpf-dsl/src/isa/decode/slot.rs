//! The per-class decoders: field checks of one slot and the ALU, jump, memory and `ld_imm64`
//! forms.

use super::*;

/// Field checks for one slot.
pub(super) struct Slot {
    pub(super) index: usize,
    pub(super) insn: Insn,
}

impl Slot {
    pub(super) fn fail(&self, kind: DecodeErrorKind) -> DecodeError {
        err(self.index, self.insn.code, kind)
    }

    pub(super) fn unknown(&self, why: &'static str) -> DecodeError {
        self.fail(DecodeErrorKind::UnknownOpcode {
            code: self.insn.code,
            why,
        })
    }

    pub(super) fn reg(&self, field: &'static str, value: u8) -> Result<Reg, DecodeError> {
        Reg::new(value).ok_or_else(|| self.fail(DecodeErrorKind::BadRegister { field, value }))
    }

    pub(super) fn dst(&self) -> Result<Reg, DecodeError> {
        self.reg("dst", self.insn.dst())
    }

    pub(super) fn src(&self) -> Result<Reg, DecodeError> {
        self.reg("src", self.insn.src())
    }

    /// The source operand of an ALU or jump instruction: `src` (with `imm` reserved, zero)
    /// for `BPF_X`, else `imm` (with `src` reserved).
    pub(super) fn operand(&self, is_reg: bool) -> Result<Operand, DecodeError> {
        if is_reg {
            self.zero("imm")?;
            Ok(Operand::Reg(self.src()?))
        } else {
            self.zero("src")?;
            Ok(Operand::Imm(self.insn.imm))
        }
    }

    pub(super) fn zero(&self, field: &'static str) -> Result<(), DecodeError> {
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

    pub(super) fn bad(
        &self,
        field: &'static str,
        value: i64,
        expected: &'static str,
    ) -> DecodeError {
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

pub(super) fn decode_alu(s: &Slot) -> Result<Decoded, DecodeError> {
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

pub(super) fn decode_jmp(s: &Slot) -> Result<Decoded, DecodeError> {
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

pub(super) fn decode_mem(s: &Slot) -> Result<Decoded, DecodeError> {
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
        (Class::Stx, Mode::Atomic) if i.imm == crate::isa::insn::BPF_LOAD_ACQ => {
            Ok(Decoded::LoadAcquire {
                size,
                dst: s.dst()?,
                src: s.src()?,
                off: i.off,
            })
        }
        (Class::Stx, Mode::Atomic) if i.imm == crate::isa::insn::BPF_STORE_REL => {
            Ok(Decoded::StoreRelease {
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
                     | 0x01 for fetch, 0xe1 (xchg), 0xf1 (cmpxchg), 0x100 (load-acquire) or \
                     0x110 (store-release)",
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

pub(super) fn decode_ld_imm64(s: &Slot, next: Option<&Insn>) -> Result<Decoded, DecodeError> {
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

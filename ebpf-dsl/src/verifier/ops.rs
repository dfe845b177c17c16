//! Decoding for the verifier: every slot read with the crate's one decoder
//! ([`crate::isa::decode`]) and turned into the verifier's [`Op`]s; the forms the verifier does
//! not model are refused, and the decoder's refusals are worded as the verifier's messages
//! (the kernel's opcode and reserved-field checks). The structural checks over the decoded
//! program are [`super::cfg`]'s.

use crate::isa::decode::{
    decode_at, ld_imm64_raw, DecodeError, DecodeErrorKind, Decoded, Endian, Operand, Width,
    BPF_JCOND_K,
};
use crate::isa::insn::{AluOp, AtomicOp, Class, Insn, JmpOp, Mode, Reg, Size, Source};

use super::{Rule, VerifierError};

/// An operand: a register or an immediate (sign-extended to 64 bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    /// A register number.
    Reg(u8),
    /// An immediate.
    Imm(i64),
}

/// The `helper` of the [`Op::Call`] (`kfunc: true`) a kfunc call with BTF id 0 decodes to: a
/// call the kernel lets through its first pass and refuses once a path reaches it (no kfunc
/// placeholder is 0: they are negative).
pub(crate) const KFUNC_ID_ZERO: i32 = 0;

/// One decoded instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// ALU / ALU64 (`off` carries the signed-division and `movsx` variants).
    Alu {
        is64: bool,
        op: AluOp,
        dst: u8,
        src: Src,
        off: i16,
        imm: i32,
    },
    /// `ld_imm64` (`pseudo` is the `src_reg` field).
    LdImm64 { dst: u8, pseudo: u8, imm: u64 },
    /// The second slot of an `ld_imm64`.
    LdImm64Tail,
    /// Legacy `LD_ABS` (`ind == None`) / `LD_IND`.
    LdAbs {
        size: Size,
        ind: Option<u8>,
        imm: i32,
    },
    /// `dst = *(size *)(src + off)`; `sx` for `ldsx`.
    Ldx {
        size: Size,
        sx: bool,
        dst: u8,
        src: u8,
        off: i16,
    },
    /// `*(size *)(dst + off) = imm`.
    St {
        size: Size,
        dst: u8,
        off: i16,
        imm: i32,
    },
    /// `*(size *)(dst + off) = src`.
    Stx {
        size: Size,
        dst: u8,
        src: u8,
        off: i16,
    },
    /// `dst = load_acquire((size *)(src + off))` (`BPF_LOAD_ACQ`).
    LoadAcq {
        size: Size,
        dst: u8,
        src: u8,
        off: i16,
    },
    /// `store_release((size *)(dst + off), src)` (`BPF_STORE_REL`).
    StoreRel {
        size: Size,
        dst: u8,
        src: u8,
        off: i16,
    },
    /// Atomic read-modify-write.
    Atomic {
        size: Size,
        dst: u8,
        src: u8,
        off: i16,
        op: AtomicOp,
        fetch: bool,
    },
    /// Unconditional jump.
    Ja { target: usize },
    /// `may_goto` (Linux 6.9): jumps to `target` once the kernel's hidden loop counter runs
    /// out, otherwise falls through; both successors are explored (see `transfer/may_goto.rs`).
    MayGoto { target: usize },
    /// Conditional jump.
    Cond {
        is64: bool,
        op: JmpOp,
        dst: u8,
        src: Src,
        target: usize,
    },
    /// Helper call, or (`kfunc`) a call of a kfunc by name, `helper` then being its
    /// placeholder ([`crate::xdp::metadata::XdpKfunc::placeholder`],
    /// [`crate::xdp::netfilter::NfKfunc::placeholder`]).
    Call { helper: i32, kfunc: bool },
    /// bpf-to-bpf call.
    CallLocal { target: usize },
    /// Return.
    Exit,
}

#[cold]
#[inline(never)]
pub(super) fn err(i: usize, rule: Rule, m: impl Into<String>) -> VerifierError {
    VerifierError {
        insn_index: i,
        rule,
        message: m.into(),
    }
}

fn target(i: usize, off: i64, len: usize) -> Result<usize, VerifierError> {
    let t = i as i64 + 1 + off;
    if t < 0 || t >= len as i64 {
        Err(err(
            i,
            Rule::Structure,
            format!("jump out of range: target {t} is outside the program (0..{len})"),
        ))
    } else {
        Ok(t as usize)
    }
}

#[cold]
#[inline(never)]
fn reserved(i: usize, what: &str) -> VerifierError {
    err(
        i,
        Rule::Structure,
        format!("{what} uses reserved fields (they must be zero)"),
    )
}

/// Why `addr_space_cast` at `i` is refused (the kernel's `check_alu_op`): only the casts
/// between address spaces 1 (the arena, as user space sees it) and 0 exist, and only in a
/// program with an associated arena (an ld_imm64 of a `BPF_MAP_TYPE_ARENA` map). The reference
/// kernel cannot create an arena map, so it refuses every cast; a program that does reference
/// an arena is refused before this (`verifier::arena_program`), as not modelled.
#[cold]
#[inline(never)]
fn addr_space_cast(i: usize, dst_as: u16, src_as: u16) -> VerifierError {
    if !matches!((dst_as, src_as), (0, 1) | (1, 0)) {
        return err(
            i,
            Rule::Structure,
            format!("addr_space_cast({dst_as:#x}, {src_as:#x}): addr_space_cast insn can only convert between address space 1 and 0"),
        );
    }
    err(
        i,
        Rule::MapReference,
        "addr_space_cast insn can only be used in a program that has an associated arena (a BPF_MAP_TYPE_ARENA map loaded with ld_imm64; the reference kernel, 6.18 here, cannot create one)",
    )
}

#[cold]
#[inline(never)]
fn unknown(i: usize, code: u8) -> VerifierError {
    err(i, Rule::Structure, format!("unknown opcode {code:#04x}"))
}

/// The name the structural messages give the instruction form of `x` (read through the
/// opcode-field types of [`crate::isa::insn`]).
fn form_name(x: &Insn, e: &DecodeError) -> &'static str {
    match x.class() {
        Class::Alu | Class::Alu64 => match AluOp::from_code(x.code) {
            Some(AluOp::Neg) => "neg",
            _ => "ALU instruction",
        },
        Class::Jmp | Class::Jmp32 => match JmpOp::from_code(x.code) {
            Some(JmpOp::Ja) if x.class() == Class::Jmp32 && off_field(e) => "gotol",
            Some(JmpOp::Ja) => "goto",
            Some(JmpOp::Call) => "call",
            Some(JmpOp::Exit) => "exit",
            _ => "conditional jump",
        },
        Class::Ld if x.is_ld_imm64() => "ld_imm64",
        Class::Ld => "legacy packet load",
        Class::Ldx => "load",
        Class::St | Class::Stx => "store",
    }
}

fn off_field(e: &DecodeError) -> bool {
    matches!(
        e.kind,
        DecodeErrorKind::ReservedNonZero { field: "off", .. }
    )
}

/// The verifier's message for a slot the decoder ([`crate::isa::decode`]) refuses.
#[cold]
#[inline(never)]
fn rejection(i: usize, x: &Insn, e: &DecodeError) -> VerifierError {
    match e.kind {
        // `goto` and `neg` with BPF_X: the verifier calls those reserved fields.
        DecodeErrorKind::UnknownOpcode { .. }
            if x.class().is_jmp() && JmpOp::from_code(x.code) == Some(JmpOp::Ja) =>
        {
            reserved(i, "goto")
        }
        DecodeErrorKind::UnknownOpcode { .. }
            if x.class().is_alu() && AluOp::from_code(x.code) == Some(AluOp::Neg) =>
        {
            reserved(i, "neg")
        }
        DecodeErrorKind::UnknownOpcode { code, .. } => unknown(i, code),
        // An ALU instruction's `off` is checked before its source register: ask the decoder
        // about the same slot with the register field cleared (`addr_space_cast`, `off` 1,
        // is a reserved `off` to this verifier).
        DecodeErrorKind::BadRegister { field: "src", .. }
            if x.class().is_alu()
                && !matches!(
                    decode_at(&[Insn::new(x.code, x.dst(), 0, x.off, x.imm)], 0),
                    Ok(d) if !matches!(d, Decoded::AddrSpaceCast { .. })
                ) =>
        {
            reserved(i, "ALU instruction")
        }
        DecodeErrorKind::BadRegister { value, .. } => bad_reg(i, value),
        DecodeErrorKind::TruncatedLdImm64 | DecodeErrorKind::PastEnd { .. } => {
            err(i, Rule::Structure, "ld_imm64 is missing its second slot")
        }
        DecodeErrorKind::BadLdImm64Second { .. } => err(
            i,
            Rule::Structure,
            "invalid second slot of ld_imm64 (only its imm may be non-zero)",
        ),
        DecodeErrorKind::BadField { field: "imm", .. }
            if x.class() == Class::Stx && Mode::from_code(x.code) == Some(Mode::Atomic) =>
        {
            err(
                i,
                Rule::Structure,
                format!("unknown atomic operation {:#x}", x.imm),
            )
        }
        DecodeErrorKind::ReservedNonZero { .. } | DecodeErrorKind::BadField { .. }
            if matches!(x.class(), Class::Alu | Class::Alu64)
                && AluOp::from_code(x.code) == Some(AluOp::End) =>
        {
            err(
                i,
                Rule::Structure,
                "byte swap needs a width of 16, 32 or 64 and zero reserved fields",
            )
        }
        DecodeErrorKind::ReservedNonZero { .. }
        | DecodeErrorKind::BadField { .. }
        | DecodeErrorKind::BadLength { .. } => reserved(i, form_name(x, e)),
    }
}

fn r(reg: Reg) -> u8 {
    reg.num()
}

fn operand(src: Operand) -> (Src, i32) {
    match src {
        Operand::Reg(s) => (Src::Reg(r(s)), 0),
        Operand::Imm(imm) => (Src::Imm(i64::from(imm)), imm),
    }
}

/// The verifier's view of one decoded instruction at slot `i`, or why the verifier refuses a
/// form the decoder accepts (`may_goto +0`, `callx`, `addr_space_cast`, kfunc calls) or a jump
/// that leaves the program.
fn op_of(i: usize, d: Decoded, len: usize) -> Result<Op, VerifierError> {
    Ok(match d {
        Decoded::Alu {
            width,
            op,
            dst,
            src,
        } => {
            let (op, off) = op.op_and_off();
            let (src, imm) = operand(src);
            Op::Alu {
                is64: width == Width::W64,
                op,
                dst: r(dst),
                src,
                off,
                imm,
            }
        }
        Decoded::MovSx {
            width,
            bits,
            dst,
            src,
        } => Op::Alu {
            is64: width == Width::W64,
            op: AluOp::Mov,
            dst: r(dst),
            src: Src::Reg(r(src)),
            off: i16::from(bits),
            imm: 0,
        },
        Decoded::AddrSpaceCast { dst_as, src_as, .. } => return Err(addr_space_cast(i, dst_as, src_as)),
        Decoded::Neg { width, dst } => Op::Alu {
            is64: width == Width::W64,
            op: AluOp::Neg,
            dst: r(dst),
            src: Src::Imm(0),
            off: 0,
            imm: 0,
        },
        Decoded::Endian { kind, bits, dst } => Op::Alu {
            is64: kind == Endian::Bswap,
            op: AluOp::End,
            dst: r(dst),
            src: Src::Imm(i64::from(bits)),
            // 1: swap bytes (`be16/32/64` on a little-endian machine, `bswap`);
            // 0: `le16/32/64`, a truncation.
            off: i16::from(kind != Endian::Le),
            imm: i32::from(bits),
        },
        Decoded::Load {
            size,
            dst,
            src,
            off,
        } => Op::Ldx {
            size,
            sx: false,
            dst: r(dst),
            src: r(src),
            off,
        },
        Decoded::LoadSx {
            size,
            dst,
            src,
            off,
        } => Op::Ldx {
            size,
            sx: true,
            dst: r(dst),
            src: r(src),
            off,
        },
        Decoded::Store {
            size,
            dst,
            off,
            imm,
        } => Op::St {
            size,
            dst: r(dst),
            off,
            imm,
        },
        Decoded::StoreReg {
            size,
            dst,
            off,
            src,
        } => Op::Stx {
            size,
            dst: r(dst),
            src: r(src),
            off,
        },
        Decoded::LoadAcquire {
            size,
            dst,
            src,
            off,
        } => Op::LoadAcq {
            size,
            dst: r(dst),
            src: r(src),
            off,
        },
        Decoded::StoreRelease {
            size,
            dst,
            off,
            src,
        } => Op::StoreRel {
            size,
            dst: r(dst),
            src: r(src),
            off,
        },
        Decoded::Atomic {
            width,
            op,
            fetch,
            dst,
            off,
            src,
        } => Op::Atomic {
            size: if width == Width::W64 {
                Size::DW
            } else {
                Size::W
            },
            dst: r(dst),
            src: r(src),
            off,
            op,
            fetch,
        },
        Decoded::LdImm64 { dst, value } => Op::LdImm64 {
            dst: r(dst),
            pseudo: 0,
            imm: value as u64,
        },
        Decoded::LdPseudo {
            dst,
            kind,
            imm,
            next_imm,
        } => Op::LdImm64 {
            dst: r(dst),
            pseudo: kind as u8,
            imm: u64::from(imm as u32) | (u64::from(next_imm as u32) << 32),
        },
        Decoded::LdAbs { size, imm } => Op::LdAbs {
            size,
            ind: None,
            imm,
        },
        Decoded::LdInd { size, src, imm } => Op::LdAbs {
            size,
            ind: Some(r(src)),
            imm,
        },
        Decoded::Jump {
            width,
            cond,
            dst,
            src,
            off,
        } => Op::Cond {
            is64: width == Width::W64,
            op: cond.op(),
            dst: r(dst),
            src: operand(src).0,
            target: target(i, i64::from(off), len)?,
        },
        Decoded::Goto { off } => Op::Ja {
            target: target(i, i64::from(off), len)?,
        },
        Decoded::GotoLong { imm } => Op::Ja {
            target: target(i, i64::from(imm), len)?,
        },
        Decoded::MayGoto { off: 0 } => {
            return Err(err(
                i,
                Rule::Structure,
                "`may_goto +0` is invalid (the kernel: `invalid may_goto off 0 imm 0`)",
            ))
        }
        Decoded::MayGoto { off } => Op::MayGoto {
            target: target(i, i64::from(off), len)?,
        },
        Decoded::Call { id } => Op::Call {
            helper: id,
            kfunc: false,
        },
        Decoded::CallLocal { imm } => Op::CallLocal {
            target: target(i, i64::from(imm), len)?,
        },
        Decoded::CallKfunc { btf_id, off: 0 }
            if crate::xdp::netfilter::kfunc_name(btf_id).is_some() =>
        {
            Op::Call {
                helper: btf_id,
                kfunc: true,
            }
        }
        // BTF id 0 (and no module): the kernel's `add_kfunc_call` leaves it for the dead-code
        // pass, so that such a call on a path never taken loads; one a path reaches is refused
        // (`invalid kernel function call not eliminated in verifier pass`): see
        // [`KFUNC_ID_ZERO`].
        Decoded::CallKfunc { btf_id: 0, off: 0 } => Op::Call {
            helper: KFUNC_ID_ZERO,
            kfunc: true,
        },
        Decoded::CallKfunc { off: 0, .. } => {
            return Err(err(
                i,
                Rule::Unsupported,
                "calls to kernel functions (kfuncs) by BTF id are not checked by this verifier (it models the XDP metadata and netfilter kfuncs called by name: `call bpf_xdp_metadata_rx_hash`, `call bpf_xdp_ct_lookup`)",
            ))
        }
        Decoded::CallKfunc { .. } => return Err(reserved(i, "call")),
        Decoded::CallX { .. } => {
            return Err(unknown(
                i,
                Class::Jmp as u8 | Source::Reg as u8 | JmpOp::Call as u8,
            ))
        }
        Decoded::Exit => Op::Exit,
    })
}

/// Which message the verifier gives first for a slot with several defects, where its order
/// differs from the decoder's: the destination register of an ALU instruction before its other
/// fields, and the jump form it does not model (`callx`) as an unknown opcode
/// whatever their fields. Read through the opcode-field types of [`crate::isa::insn`].
fn precheck(i: usize, x: &Insn) -> Option<VerifierError> {
    match x.class() {
        Class::Alu | Class::Alu64 => {
            AluOp::from_code(x.code)?;
            (x.dst() > 10).then(|| bad_reg(i, x.dst()))
        }
        Class::Jmp | Class::Jmp32 => match JmpOp::from_code(x.code) {
            None if x.code == BPF_JCOND_K => None,
            None => Some(unknown(i, x.code)),
            Some(JmpOp::Call) if Source::from_code(x.code) == Source::Reg => {
                Some(unknown(i, x.code))
            }
            _ => None,
        },
        _ => None,
    }
}

#[cold]
#[inline(never)]
fn bad_reg(i: usize, r: u8) -> VerifierError {
    err(
        i,
        Rule::Structure,
        format!("r{r} does not exist (registers are r0 to r10)"),
    )
}

/// Decodes every slot with the crate's decoder ([`crate::isa::decode`]), rejecting opcodes the
/// kernel does not know, reserved-field garbage, and the forms this verifier does not model.
pub fn decode(insns: &[Insn]) -> Result<Vec<Op>, VerifierError> {
    let len = insns.len();
    let mut ops = Vec::with_capacity(len);
    let mut i = 0;
    while i < len {
        let x = &insns[i];
        if let Some(e) = precheck(i, x) {
            return Err(e);
        }
        if x.is_ld_imm64() {
            // The verifier interprets `src` (the pseudo kind) and the second `imm` itself.
            let (dst, pseudo, imm) = ld_imm64_raw(insns, i).map_err(|e| rejection(i, x, &e))?;
            ops.push(Op::LdImm64 {
                dst: r(dst),
                pseudo,
                imm,
            });
            ops.push(Op::LdImm64Tail);
            i += 2;
            continue;
        }
        let d = decode_at(insns, i).map_err(|e| rejection(i, x, &e))?;
        ops.push(op_of(i, d, len)?);
        i += d.slots();
    }
    Ok(ops)
}

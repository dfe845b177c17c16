//! Decoding and the structural checks that look at every instruction regardless of the path
//! (the kernel's `resolve_pseudo_ldimm64`, `check_subprogs` and `check_cfg`): known opcodes,
//! reserved fields, register numbers, jump targets, subprogram boundaries, unreachable
//! instructions, falling off the end; plus register liveness for state pruning.
//!
//! Instructions are read with the crate's one decoder ([`crate::isa::decode`]); this module
//! only turns [`Decoded`] forms into the verifier's [`Op`]s, refuses the forms it does not
//! model, and words the decoder's refusals as the verifier's messages.

use crate::isa::decode::{
    decode_at, ld_imm64_raw, DecodeError, DecodeErrorKind, Decoded, Endian, Operand, Width,
    BPF_JCOND_K,
};
use crate::isa::insn::{AluOp, AtomicOp, Class, Insn, JmpOp, Mode, Reg, Size, Source};
use crate::xdp::iter::IterOp;

use super::{Rule, VerifierError};

/// An operand: a register or an immediate (sign-extended to 64 bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    /// A register number.
    Reg(u8),
    /// An immediate.
    Imm(i64),
}

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

fn err(i: usize, rule: Rule, m: impl Into<String>) -> VerifierError {
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

/// Control-flow facts of a decoded program.
pub struct Cfg {
    /// First instruction of each subprogram (index 0 is the main program).
    pub subprog_starts: Vec<usize>,
    /// Subprogram index of each instruction.
    pub subprog_of: Vec<usize>,
    /// Where state pruning is attempted (the kernel's `mark_prune_point`s).
    pub prune_point: Vec<bool>,
    /// Registers live on entry to each instruction (bit n = rn).
    pub live_in: Vec<u16>,
}

fn succs(op: &Op, i: usize) -> ([usize; 2], usize) {
    match *op {
        Op::Ja { target } => ([target, 0], 1),
        Op::Cond { target, .. } | Op::MayGoto { target } => ([i + 1, target], 2),
        Op::Exit => ([0, 0], 0),
        Op::LdImm64 { .. } => ([i + 2, 0], 1),
        _ => ([i + 1, 0], 1),
    }
}

fn uses_defs(op: &Op) -> (u16, u16) {
    let b = |r: u8| 1u16 << r;
    const ARGS: u16 = 0b11_1110;
    const CALLER_SAVED: u16 = 0b11_1111;
    match *op {
        Op::Alu {
            op: AluOp::Mov,
            dst,
            src,
            ..
        } => (if let Src::Reg(s) = src { b(s) } else { 0 }, b(dst)),
        Op::Alu { dst, src, .. } => (
            b(dst) | if let Src::Reg(s) = src { b(s) } else { 0 },
            b(dst),
        ),
        Op::LdImm64 { dst, .. } => (0, b(dst)),
        Op::LdImm64Tail | Op::Ja { .. } | Op::MayGoto { .. } => (0, 0),
        Op::LdAbs { ind, .. } => (b(6) | ind.map(b).unwrap_or(0), CALLER_SAVED),
        Op::Ldx { dst, src, .. } | Op::LoadAcq { dst, src, .. } => (b(src), b(dst)),
        Op::St { dst, .. } => (b(dst), 0),
        Op::Stx { dst, src, .. } | Op::StoreRel { dst, src, .. } => (b(dst) | b(src), 0),
        Op::Atomic {
            dst,
            src,
            op,
            fetch,
            ..
        } => {
            if op == AtomicOp::Cmpxchg {
                (b(dst) | b(src) | b(0), b(0))
            } else if fetch {
                (b(dst) | b(src), b(src))
            } else {
                (b(dst) | b(src), 0)
            }
        }
        Op::Cond { dst, src, .. } => (b(dst) | if let Src::Reg(s) = src { b(s) } else { 0 }, 0),
        Op::Call { helper, kfunc } => (call_args(helper, kfunc), CALLER_SAVED),
        Op::CallLocal { .. } => (ARGS, CALLER_SAVED),
        Op::Exit => (b(0), 0),
    }
}

/// The argument registers a call reads (bits 1..=5): those of the helper's prototype (the
/// kernel's `compute_live_registers` uses its number of parameters), all five for a kfunc or
/// an unknown helper (refused when it runs).
/// True for a call that calls the program back (a sync callback: `bpf_loop`,
/// `bpf_for_each_map_elem`, ..., and the kfunc `bpf_rbtree_add_impl` with its `less`): the
/// call is where each round of the callback comes back to.
pub(crate) fn calls_back(op: &Op) -> bool {
    match *op {
        Op::Call {
            helper,
            kfunc: false,
        } => super::helpers::takes_callback(helper),
        Op::Call {
            helper,
            kfunc: true,
        } => {
            crate::xdp::graph::GraphKfunc::from_placeholder(helper)
                == Some(crate::xdp::graph::GraphKfunc::RbtreeAddImpl)
        }
        _ => false,
    }
}

/// True for the `next` call of an open-coded iterator (`bpf_iter_num_next`, ...): a loop head
/// whose path forks into the drained and the active iterator (`transfer/call/iter.rs`).
pub(crate) fn is_iter_next(op: &Op) -> bool {
    matches!(*op, Op::Call { helper, kfunc: true } if iter_kfunc(helper, true).is_some_and(|k| k.op() == IterOp::Next))
}

/// The iterator kfunc a call (`kfunc`) of `helper` is, if any.
fn iter_kfunc(helper: i32, kfunc: bool) -> Option<crate::xdp::iter::IterKfunc> {
    crate::xdp::iter::IterKfunc::from_placeholder(helper).filter(|_| kfunc)
}

pub(crate) fn call_args(helper: i32, kfunc: bool) -> u16 {
    const ARGS: u16 = 0b11_1110;
    // The iterator kfuncs' own parameters: the iterator, and `new`'s two more.
    if let Some(k) = iter_kfunc(helper, kfunc) {
        return if k.op() == IterOp::New { 0b1110 } else { 0b10 };
    }
    match super::helpers::proto(helper) {
        Some(p) if !kfunc => ARGS & ((1u16 << (p.args.len().min(5) + 1)) - 2),
        _ => ARGS,
    }
}

/// The function whose address `op` (at `i`) loads: `ld_imm64` with `src = BPF_PSEUDO_FUNC`,
/// `imm` the distance from the next slot, as a call's.
pub(crate) fn func_target(op: &Op, i: usize) -> Option<usize> {
    match *op {
        Op::LdImm64 { pseudo: 4, imm, .. } => {
            usize::try_from(i as i64 + 1 + i64::from(imm as u32 as i32)).ok()
        }
        _ => None,
    }
}

/// The instructions outside every loop, where a state of the main frame alone has marks that
/// are final once the paths below it are explored: not in a cycle of the control-flow graph
/// (a strongly connected component of two or more instructions, or one jumping to itself;
/// a call falls through to the next instruction) and not a call (a callback's helper call
/// runs again after each round of its callback: the kernel's implicit loop). The kernel
/// compares a state `RANGE_WITHIN` while its loop's marks are incomplete only if one of its
/// frames is at an instruction of a strongly connected component (`compute_scc_callchain`,
/// `incomplete_read_marks`); a path can come back below a state of the main frame alone only
/// through a cycle of that frame's instructions.
pub(crate) fn outside_loops(ops: &[Op]) -> Vec<bool> {
    let n = ops.len();
    let edges = |i: usize| -> ([usize; 2], usize) {
        if matches!(ops[i], Op::LdImm64Tail) {
            return ([0, 0], 0);
        }
        let (ss, m) = succs(&ops[i], i);
        let mut out = [0usize; 2];
        let mut k = 0;
        for &t in &ss[..m] {
            if t < n {
                out[k] = t;
                k += 1;
            }
        }
        (out, k)
    };
    // Tarjan's strongly connected components, without recursion.
    const NONE: usize = usize::MAX;
    let mut index = vec![NONE; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut cyclic = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut walk: Vec<(usize, usize)> = Vec::new();
    let mut next = 0usize;
    for root in 0..n {
        if index[root] != NONE {
            continue;
        }
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        walk.push((root, 0));
        while let Some(top) = walk.last_mut() {
            let (v, k) = *top;
            let (ss, m) = edges(v);
            if k < m {
                top.1 += 1;
                let w = ss[k];
                if w == v {
                    cyclic[v] = true;
                }
                if index[w] == NONE {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    walk.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            walk.pop();
            if let Some(&(u, _)) = walk.last() {
                low[u] = low[u].min(low[v]);
            }
            if low[v] == index[v] {
                let mut size = 0;
                let from = stack.iter().rposition(|&x| x == v).unwrap_or(0);
                for &w in &stack[from..] {
                    on_stack[w] = false;
                    size += 1;
                }
                if size > 1 {
                    for &w in &stack[from..] {
                        cyclic[w] = true;
                    }
                }
                stack.truncate(from);
            }
        }
    }
    ops.iter()
        .enumerate()
        .map(|(i, op)| !cyclic[i] && !matches!(op, Op::Call { .. } | Op::CallLocal { .. }))
        .collect()
}

/// One instruction's part in the liveness equations: the registers it reads and writes, and
/// its successors (`none`, an entry that stays empty, where it has fewer than two).
#[derive(Clone, Copy)]
struct Flow {
    uses: u16,
    defs: u16,
    succ: [u32; 2],
}

/// The registers live on entry to each instruction (bit n = rn): the least solution of
/// `in(i) = uses(i) | (out(i) & !defs(i))`, `out(i)` the union of the successors' `in`
/// (the second slot of an `ld_imm64` has none and stays empty). Each instruction's uses,
/// defs and successors are read once; the passes (last instruction first, as many as the
/// loops need) then only combine bit sets.
fn liveness(ops: &[Op]) -> Vec<u16> {
    let len = ops.len();
    let none = len as u32;
    let flow: Vec<Flow> = ops
        .iter()
        .enumerate()
        .map(|(i, op)| {
            if matches!(op, Op::LdImm64Tail) {
                return Flow {
                    uses: 0,
                    defs: 0,
                    succ: [none; 2],
                };
            }
            let (ss, n) = succs(op, i);
            let (uses, defs) = uses_defs(op);
            let at = |k: usize| if k < n { ss[k] as u32 } else { none };
            Flow {
                uses,
                defs,
                succ: [at(0), at(1)],
            }
        })
        .collect();
    // One more entry, `none`'s, always empty.
    let mut live = vec![0u16; len + 1];
    let mut changed = true;
    while changed {
        changed = false;
        for (i, f) in flow.iter().enumerate().rev() {
            let out = live[f.succ[0] as usize] | live[f.succ[1] as usize];
            let inn = f.uses | (out & !f.defs);
            if inn != live[i] {
                live[i] = inn;
                changed = true;
            }
        }
    }
    live.truncate(len);
    live
}

/// Runs the structural checks and computes the [`Cfg`].
#[cfg(test)]
pub fn check(ops: &[Op]) -> Result<Cfg, Vec<VerifierError>> {
    check_with_roots(ops, &[])
}

/// [`check`] for a program with more entry points than its first instruction: `roots`, the
/// exception callback's first instruction (a function of its own, reached by no call: the
/// kernel's `check_cfg` walks it after the main program). A root that starts no instruction is
/// left out (the caller reports it).
pub fn check_with_roots(ops: &[Op], roots: &[usize]) -> Result<Cfg, Vec<VerifierError>> {
    let len = ops.len();
    let roots: Vec<usize> = roots
        .iter()
        .copied()
        .filter(|&r| r > 0 && r < len && !matches!(ops[r], Op::LdImm64Tail))
        .collect();
    let mut errors = Vec::new();
    if len == 0 {
        return Err(vec![err(0, Rule::Structure, "the program is empty")]);
    }
    // Subprograms: the main program, every bpf-to-bpf call's target and every callback (the
    // function an `ld_imm64` with `src = BPF_PSEUDO_FUNC` takes the address of).
    let mut starts = vec![0usize];
    starts.extend_from_slice(&roots);
    for (i, op) in ops.iter().enumerate() {
        if let Op::CallLocal { target } = *op {
            starts.push(target);
        }
        if let Some(t) = func_target(op, i) {
            if t >= len || matches!(ops[t], Op::LdImm64Tail) {
                return Err(vec![err(
                    i,
                    Rule::Structure,
                    format!("the callback address points at instruction {t}, which starts no instruction of the program"),
                )]);
            }
            starts.push(t);
        }
    }
    starts.sort_unstable();
    starts.dedup();
    let mut subprog_of = vec![0usize; len];
    for (k, &s) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(len);
        for slot in subprog_of.iter_mut().take(end).skip(s) {
            *slot = k;
        }
        // The last instruction must be an exit or an unconditional jump.
        let mut last = end - 1;
        if matches!(ops[last], Op::LdImm64Tail) && last > s {
            last -= 1;
        }
        if !matches!(ops[last], Op::Exit | Op::Ja { .. }) {
            let msg = if end < len {
                format!("the last instruction of a function must be `exit` or `goto`; execution would run on into the function at instruction {end}")
            } else {
                "the last instruction of a function must be `exit` or `goto` (execution would fall off the end)".to_string()
            };
            errors.push(err(last, Rule::Structure, msg));
        }
    }
    let mut prune_point = vec![false; len];
    for (i, op) in ops.iter().enumerate() {
        if matches!(op, Op::LdImm64Tail) {
            continue;
        }
        let (ss, n) = succs(op, i);
        for &t in &ss[..n] {
            if t >= len {
                errors.push(err(
                    i,
                    Rule::Structure,
                    "execution falls off the end of the program",
                ));
                continue;
            }
            if matches!(ops[t], Op::LdImm64Tail) {
                errors.push(err(
                    i,
                    Rule::Structure,
                    format!("jump into the middle of the ld_imm64 at {}", t - 1),
                ));
            }
            // Falling through into the next function is reported above, on its last
            // instruction.
            let falls_through = t == i + 1 && !matches!(op, Op::Ja { .. });
            if subprog_of[t] != subprog_of[i] && !falls_through {
                errors.push(err(
                    i,
                    Rule::Structure,
                    format!("jump from instruction {i} to {t} leaves its function"),
                ));
            }
        }
        match *op {
            Op::Ja { target } => prune_point[target] = true,
            // The kernel's prune points (`visit_insn`): a conditional jump itself and its
            // target, not its fall-through (a `may_goto` is always checkpointed: its loop
            // rule); after every call, and a local call itself.
            Op::MayGoto { target } | Op::Cond { target, .. } => {
                prune_point[i] = true;
                prune_point[target] = true;
            }
            Op::CallLocal { target } => {
                prune_point[i] = true;
                prune_point[target] = true;
                if i + 1 < len {
                    prune_point[i + 1] = true;
                }
            }
            // A helper that calls back: the call is where each round of the callback comes
            // back to (a loop head), the callback a function entry.
            // An iterator's `next` call: a loop head, always checkpointed (the kernel's
            // `mark_force_checkpoint`).
            op if calls_back(&op) || is_iter_next(&op) => {
                prune_point[i] = true;
                if i + 1 < len {
                    prune_point[i + 1] = true;
                }
            }
            // `bpf_timer_set_callback` (the kernel's `is_async_callback_calling_insn`): the
            // call is a prune point too, so that a covered state pushes no callback path.
            Op::Call {
                helper: 170,
                kfunc: false,
            } => {
                prune_point[i] = true;
                if i + 1 < len {
                    prune_point[i + 1] = true;
                }
            }
            Op::Call { .. } if i + 1 < len => prune_point[i + 1] = true,
            _ => {}
        }
        if let Some(t) = func_target(op, i) {
            prune_point[t] = true;
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Reachability (all branches taken, as the kernel's check_cfg).
    let mut seen = vec![false; len];
    let mut work = vec![0usize];
    work.extend_from_slice(&roots);
    while let Some(i) = work.pop() {
        if seen[i] {
            continue;
        }
        seen[i] = true;
        if let Op::LdImm64 { .. } = ops[i] {
            seen[i + 1] = true;
        }
        let (ss, n) = succs(&ops[i], i);
        work.extend_from_slice(&ss[..n]);
        if let Op::CallLocal { target } = ops[i] {
            work.push(target);
        }
        if let Some(t) = func_target(&ops[i], i) {
            work.push(t);
        }
    }
    for (i, s) in seen.iter().enumerate() {
        if !s {
            errors.push(err(
                i,
                Rule::Unreachable,
                format!("instruction {i} is unreachable (the kernel rejects dead code)"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let live_in = liveness(ops);
    Ok(Cfg {
        subprog_starts: starts,
        subprog_of,
        prune_point,
        live_in,
    })
}

/// The kernel's rules on a tail call or an LD_ABS/LD_IND in a function other than the main
/// one, which can end the whole program from inside it, by the function's text (reached or
/// not): without BTF function info (`func_info` `None`) both are refused
/// (`check_abnormal_return`); with it, that function's prototype must return an integer or
/// an enum (`check_btf_func`). (The stack above a tail-calling function and LD_ABS under a
/// callback are checked with the call graph, in `driver.rs`.)
pub(crate) fn check_subprog_exits(
    ops: &[Op],
    cfg: &Cfg,
    func_info: Option<&[crate::btf::SubprogFunc]>,
) -> Result<(), Vec<VerifierError>> {
    let mut errors = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let k = cfg.subprog_of[i];
        if k == 0 {
            continue;
        }
        let what = match op {
            Op::Call {
                helper: 12,
                kfunc: false,
            } => "bpf_tail_call",
            Op::LdAbs { .. } => "a legacy packet load (LD_ABS/LD_IND)",
            _ => continue,
        };
        let start = cfg.subprog_starts[k];
        let message = match func_info {
            None => format!(
                "{what} in the function at instruction {start}: the kernel allows it only in the main program when no BTF function info is loaded (\"tail_call is not allowed in subprogs without BTF\"); move it into the main program"
            ),
            Some(fi) if fi.iter().any(|f| f.insn as usize == start && f.returns_scalar) => {
                continue
            }
            Some(_) => format!(
                "{what} in the function at instruction {start}, whose BTF prototype does not return an integer: the kernel allows it only in functions that return one (\"tail_call is only allowed in functions that return 'int'\")"
            ),
        };
        errors.push(err(i, Rule::Structure, message));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
#[path = "cfg_outside_loops_tests.rs"]
mod outside_loops_tests;

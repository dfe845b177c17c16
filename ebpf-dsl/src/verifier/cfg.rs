//! Decoding and the structural checks that look at every instruction regardless of the path
//! (the kernel's `resolve_pseudo_ldimm64`, `check_subprogs` and `check_cfg`): known opcodes,
//! reserved fields, register numbers, jump targets, subprogram boundaries, unreachable
//! instructions, falling off the end; plus register liveness for state pruning.

use crate::isa::insn::{AluOp, AtomicOp, Class, Insn, JmpOp, Mode, Size};

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
    /// Conditional jump.
    Cond {
        is64: bool,
        op: JmpOp,
        dst: u8,
        src: Src,
        target: usize,
    },
    /// Helper call.
    Call { helper: i32 },
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

fn reg(i: usize, r: u8) -> Result<u8, VerifierError> {
    if r > 10 {
        Err(err(
            i,
            Rule::Structure,
            format!("r{r} does not exist (registers are r0 to r10)"),
        ))
    } else {
        Ok(r)
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

/// Decodes every slot, rejecting opcodes the kernel does not know and reserved-field garbage.
pub fn decode(insns: &[Insn]) -> Result<Vec<Op>, VerifierError> {
    let len = insns.len();
    let mut ops = Vec::with_capacity(len);
    let mut i = 0;
    while i < len {
        let x = insns[i];
        let code = x.code;
        let (d, s) = (x.dst(), x.src());
        let unknown = || err(i, Rule::Structure, format!("unknown opcode {code:#04x}"));
        let op = match x.class() {
            Class::Alu | Class::Alu64 => {
                let is64 = x.class() == Class::Alu64;
                let op = AluOp::from_code(code).ok_or_else(unknown)?;
                let is_x = code & 0x08 != 0;
                let dst = reg(i, d)?;
                if op == AluOp::End {
                    if is64 && is_x {
                        return Err(unknown());
                    }
                    if s != 0 || x.off != 0 || !matches!(x.imm, 16 | 32 | 64) {
                        return Err(err(
                            i,
                            Rule::Structure,
                            "byte swap needs a width of 16, 32 or 64 and zero reserved fields",
                        ));
                    }
                    Op::Alu {
                        is64,
                        op,
                        dst,
                        src: Src::Imm(x.imm as i64),
                        // 1: swap bytes (`be16/32/64` on a little-endian machine, `bswap`);
                        // 0: `le16/32/64`, a truncation.
                        off: i16::from(is64 || is_x),
                        imm: x.imm,
                    }
                } else if op == AluOp::Neg {
                    if is_x || s != 0 || x.off != 0 || x.imm != 0 {
                        return Err(reserved(i, "neg"));
                    }
                    Op::Alu {
                        is64,
                        op,
                        dst,
                        src: Src::Imm(0),
                        off: 0,
                        imm: 0,
                    }
                } else {
                    let off_ok = match op {
                        AluOp::Div | AluOp::Mod => x.off == 0 || x.off == 1,
                        AluOp::Mov => {
                            x.off == 0
                                || (is_x && (matches!(x.off, 8 | 16) || (is64 && x.off == 32)))
                        }
                        _ => x.off == 0,
                    };
                    if !off_ok {
                        return Err(reserved(i, "ALU instruction"));
                    }
                    let src = if is_x {
                        if x.imm != 0 {
                            return Err(reserved(i, "ALU instruction"));
                        }
                        Src::Reg(reg(i, s)?)
                    } else {
                        if s != 0 {
                            return Err(reserved(i, "ALU instruction"));
                        }
                        Src::Imm(x.imm as i64)
                    };
                    Op::Alu {
                        is64,
                        op,
                        dst,
                        src,
                        off: x.off,
                        imm: x.imm,
                    }
                }
            }
            Class::Jmp | Class::Jmp32 => {
                let is64 = x.class() == Class::Jmp;
                let op = JmpOp::from_code(code).ok_or_else(unknown)?;
                let is_x = code & 0x08 != 0;
                match op {
                    JmpOp::Ja => {
                        if is_x || d != 0 || s != 0 {
                            return Err(reserved(i, "goto"));
                        }
                        if is64 {
                            if x.imm != 0 {
                                return Err(reserved(i, "goto"));
                            }
                            Op::Ja {
                                target: target(i, x.off as i64, len)?,
                            }
                        } else {
                            if x.off != 0 {
                                return Err(reserved(i, "gotol"));
                            }
                            Op::Ja {
                                target: target(i, x.imm as i64, len)?,
                            }
                        }
                    }
                    JmpOp::Call => {
                        if !is64 || is_x {
                            return Err(unknown());
                        }
                        if d != 0 || x.off != 0 {
                            return Err(reserved(i, "call"));
                        }
                        match s {
                            0 => Op::Call { helper: x.imm },
                            1 => Op::CallLocal { target: target(i, x.imm as i64, len)? },
                            2 => {
                                return Err(err(i, Rule::Unsupported, "calls to kernel functions (kfuncs) are not checked by this verifier"))
                            }
                            _ => return Err(reserved(i, "call")),
                        }
                    }
                    JmpOp::Exit => {
                        if !is64 || is_x {
                            return Err(unknown());
                        }
                        if d != 0 || s != 0 || x.off != 0 || x.imm != 0 {
                            return Err(reserved(i, "exit"));
                        }
                        Op::Exit
                    }
                    _ => {
                        let dst = reg(i, d)?;
                        let src = if is_x {
                            if x.imm != 0 {
                                return Err(reserved(i, "conditional jump"));
                            }
                            Src::Reg(reg(i, s)?)
                        } else {
                            if s != 0 {
                                return Err(reserved(i, "conditional jump"));
                            }
                            Src::Imm(x.imm as i64)
                        };
                        Op::Cond {
                            is64,
                            op,
                            dst,
                            src,
                            target: target(i, x.off as i64, len)?,
                        }
                    }
                }
            }
            Class::Ld => {
                let mode = Mode::from_code(code).ok_or_else(unknown)?;
                let size = Size::from_code(code);
                match mode {
                    Mode::Imm if size == Size::DW => {
                        let dst = reg(i, d)?;
                        if x.off != 0 {
                            return Err(reserved(i, "ld_imm64"));
                        }
                        let Some(tail) = insns.get(i + 1) else {
                            return Err(err(
                                i,
                                Rule::Structure,
                                "ld_imm64 is missing its second slot",
                            ));
                        };
                        if tail.code != 0 || tail.regs != 0 || tail.off != 0 {
                            return Err(err(
                                i,
                                Rule::Structure,
                                "invalid second slot of ld_imm64 (only its imm may be non-zero)",
                            ));
                        }
                        let imm = (x.imm as u32 as u64) | ((tail.imm as u32 as u64) << 32);
                        ops.push(Op::LdImm64 {
                            dst,
                            pseudo: s,
                            imm,
                        });
                        ops.push(Op::LdImm64Tail);
                        i += 2;
                        continue;
                    }
                    Mode::Abs | Mode::Ind if size != Size::DW => {
                        if d != 0 || x.off != 0 {
                            return Err(reserved(i, "legacy packet load"));
                        }
                        let ind = if mode == Mode::Ind {
                            Some(reg(i, s)?)
                        } else {
                            if s != 0 {
                                return Err(reserved(i, "legacy packet load"));
                            }
                            None
                        };
                        Op::LdAbs {
                            size,
                            ind,
                            imm: x.imm,
                        }
                    }
                    _ => return Err(unknown()),
                }
            }
            Class::Ldx => {
                let mode = Mode::from_code(code).ok_or_else(unknown)?;
                let size = Size::from_code(code);
                let sx = match mode {
                    Mode::Mem => false,
                    Mode::MemSx if size != Size::DW => true,
                    _ => return Err(unknown()),
                };
                if x.imm != 0 {
                    return Err(reserved(i, "load"));
                }
                Op::Ldx {
                    size,
                    sx,
                    dst: reg(i, d)?,
                    src: reg(i, s)?,
                    off: x.off,
                }
            }
            Class::St => {
                if Mode::from_code(code) != Some(Mode::Mem) {
                    return Err(unknown());
                }
                if s != 0 {
                    return Err(reserved(i, "store"));
                }
                Op::St {
                    size: Size::from_code(code),
                    dst: reg(i, d)?,
                    off: x.off,
                    imm: x.imm,
                }
            }
            Class::Stx => {
                let size = Size::from_code(code);
                match Mode::from_code(code) {
                    Some(Mode::Mem) => {
                        if x.imm != 0 {
                            return Err(reserved(i, "store"));
                        }
                        Op::Stx {
                            size,
                            dst: reg(i, d)?,
                            src: reg(i, s)?,
                            off: x.off,
                        }
                    }
                    Some(Mode::Atomic) if matches!(size, Size::W | Size::DW) => {
                        let Some((op, fetch)) = AtomicOp::from_imm(x.imm) else {
                            return Err(err(
                                i,
                                Rule::Structure,
                                format!("unknown atomic operation {:#x}", x.imm),
                            ));
                        };
                        Op::Atomic {
                            size,
                            dst: reg(i, d)?,
                            src: reg(i, s)?,
                            off: x.off,
                            op,
                            fetch,
                        }
                    }
                    _ => return Err(unknown()),
                }
            }
        };
        ops.push(op);
        i += 1;
    }
    Ok(ops)
}

/// Control-flow facts of a decoded program.
pub struct Cfg {
    /// First instruction of each subprogram (index 0 is the main program).
    pub subprog_starts: Vec<usize>,
    /// Subprogram index of each instruction.
    pub subprog_of: Vec<usize>,
    /// Where state pruning is attempted.
    pub prune_point: Vec<bool>,
    /// Registers live on entry to each instruction (bit n = rn).
    pub live_in: Vec<u16>,
}

fn succs(op: &Op, i: usize) -> ([usize; 2], usize) {
    match *op {
        Op::Ja { target } => ([target, 0], 1),
        Op::Cond { target, .. } => ([i + 1, target], 2),
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
        Op::LdImm64Tail | Op::Ja { .. } => (0, 0),
        Op::LdAbs { ind, .. } => (b(6) | ind.map(b).unwrap_or(0), CALLER_SAVED),
        Op::Ldx { dst, src, .. } => (b(src), b(dst)),
        Op::St { dst, .. } => (b(dst), 0),
        Op::Stx { dst, src, .. } => (b(dst) | b(src), 0),
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
        Op::Call { .. } | Op::CallLocal { .. } => (ARGS, CALLER_SAVED),
        Op::Exit => (b(0), 0),
    }
}

/// Runs the structural checks and computes the [`Cfg`].
pub fn check(ops: &[Op]) -> Result<Cfg, Vec<VerifierError>> {
    let len = ops.len();
    let mut errors = Vec::new();
    if len == 0 {
        return Err(vec![err(0, Rule::Structure, "the program is empty")]);
    }
    // Subprograms.
    let mut starts = vec![0usize];
    for op in ops {
        if let Op::CallLocal { target } = *op {
            starts.push(target);
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
            Op::Cond { target, .. } => {
                prune_point[target] = true;
                if i + 1 < len {
                    prune_point[i + 1] = true;
                }
            }
            Op::CallLocal { target } => {
                prune_point[target] = true;
                if i + 1 < len {
                    prune_point[i + 1] = true;
                }
            }
            _ => {}
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Reachability (all branches taken, as the kernel's check_cfg).
    let mut seen = vec![false; len];
    let mut work = vec![0usize];
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
    // Without BTF function info (this verifier describes a load that passes none), the kernel
    // refuses `bpf_tail_call` and LD_ABS/LD_IND anywhere in a subprogram other than the main
    // one, reachable or not (`check_abnormal_return`).
    for (i, op) in ops.iter().enumerate() {
        let k = subprog_of[i];
        if k == 0 {
            continue;
        }
        let what = match op {
            Op::Call { helper: 12 } => "bpf_tail_call",
            Op::LdAbs { .. } => "a legacy packet load (LD_ABS/LD_IND)",
            _ => continue,
        };
        errors.push(err(
            i,
            Rule::Structure,
            format!(
                "{what} in the function at instruction {}: the kernel allows it only in the main program when no BTF function info is loaded (\"tail_call is not allowed in subprogs without BTF\"); move it into the main program",
                starts[k]
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Liveness, per function.
    let mut live_in = vec![0u16; len];
    let mut changed = true;
    while changed {
        changed = false;
        for i in (0..len).rev() {
            let op = &ops[i];
            if matches!(op, Op::LdImm64Tail) {
                continue;
            }
            let (ss, n) = succs(op, i);
            let out = ss[..n].iter().fold(0u16, |a, &t| a | live_in[t]);
            let (u, d) = uses_defs(op);
            let inn = u | (out & !d);
            if inn != live_in[i] {
                live_in[i] = inn;
                changed = true;
            }
        }
    }
    Ok(Cfg {
        subprog_starts: starts,
        subprog_of,
        prune_point,
        live_in,
    })
}

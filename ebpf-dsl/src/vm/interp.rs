//! The interpreter: runs decoded instructions over [`Memory`], with bpf-to-bpf call frames
//! (each with its own 512-byte stack, `r6`-`r9` saved), tail calls and an instruction budget.

use crate::decode::{Decoded, Operand, Width};
use crate::insn::{AtomicOp, PseudoLd, Reg};

use super::alu;
use super::error::{VmError, VmErrorKind};
use super::exec::{self, Stop};
use super::helpers;
use super::machine::{Loaded, Machine};
use super::memory::skb;
use super::memory::{CtxKind, Memory, MAX_FRAMES};
use super::trace::TraceEntry;

struct Frame {
    prog: usize,
    ret_pc: usize,
    saved: [u64; 4],
}

/// The control-flow effect of one instruction.
enum Flow {
    Next,
    Jump(i64),
    Exit,
    /// Leave the whole program with this `r0` (a failed `ld_abs`).
    ExitProgram(u64),
}

impl Machine<'_> {
    /// Runs program `prog` with `r1 = arg1`, `r2 = arg2`; returns `r0`.
    /// The error is boxed: the result then fits two registers, and the common path (no
    /// error) does not copy a large `Result` through memory.
    ///
    /// This is the lean entry of a run: the fast path ([`exec::run`]) with helper calls and
    /// tail calls, in the outermost frame, which is all most XDP programs need. The first
    /// instruction it cannot run (a slow slot: a bpf-to-bpf call, `may_goto`, an atomic, the
    /// end of the budget, an error's exact report...) hands the run over, in its current state,
    /// to [`Machine::run_general`], which does everything; trace mode starts there. Keeping this
    /// loop small keeps the fixed cost of a run small (no call-frame stack, no trace state, a
    /// short prologue).
    pub fn run(&mut self, prog: usize, arg1: u64, arg2: u64) -> Result<u64, Box<VmError>> {
        // r0-r10 (16 so that a register number masked with 15 needs no bounds check).
        let mut regs = [0u64; 16];
        regs[1] = arg1;
        regs[2] = arg2;
        regs[10] = Memory::frame_pointer(0);
        if self.trace.is_some() {
            return self.run_general(prog, regs, 0, 0);
        }
        let progs: &[Loaded] = self.progs;
        let limit = self.step_limit;
        let (mut prog, mut pc, mut steps) = (prog, 0usize, 0u64);
        loop {
            let code = match progs.get(prog) {
                Some(p) => &p.code,
                None => return self.run_general(prog, regs, pc, steps),
            };
            match exec::run(code, &mut regs, self.mem, &mut pc, &mut steps, limit) {
                Ok(Stop::Exit) => return Ok(regs[0]),
                Ok(Stop::Call(id)) => {
                    if let Err(k) = helpers::call(self, &mut regs, id as i64) {
                        return Err(Box::new(VmError {
                            pc,
                            program: progs[prog].name.clone(),
                            kind: k,
                        }));
                    }
                    match self.tail_target.take() {
                        Some(t) => {
                            prog = t;
                            pc = 0;
                            regs[10] = Memory::frame_pointer(0);
                        }
                        None => pc += 1,
                    }
                }
                Ok(Stop::Slow) => return self.run_general(prog, regs, pc, steps),
                Err(k) => {
                    return Err(Box::new(VmError {
                        pc,
                        program: progs[prog].name.clone(),
                        kind: *k,
                    }))
                }
            }
        }
    }

    /// The whole interpreter: runs program `prog` from `pc` in the outermost frame with
    /// `regs`, `steps` instructions already executed, up to its exit; returns `r0`. The fast
    /// path runs what it can (unless tracing); every other instruction is executed here, with
    /// call frames, `may_goto`, the exact step limit and the trace.
    #[inline(never)]
    fn run_general(
        &mut self,
        mut prog: usize,
        mut regs: [u64; 16],
        mut pc: usize,
        mut steps: u64,
    ) -> Result<u64, Box<VmError>> {
        let progs: &[Loaded] = self.progs;
        let tracing = self.trace.is_some();
        let limit = self.step_limit;
        let mut frames: Vec<Frame> = Vec::new();
        let mut slots: &[Option<Decoded>] = match progs.get(prog) {
            Some(p) => &p.slots,
            None => &[],
        };
        let mut may_goto_budget: u64 = 8 * 1024 * 1024;
        let fail = |prog: usize, pc: usize, kind| {
            Box::new(VmError {
                pc,
                program: progs.get(prog).map(|p| p.name.clone()).unwrap_or_default(),
                kind,
            })
        };
        let r = |x: Reg| x.num() as usize;
        loop {
            if !tracing {
                // The fast path, up to the next slow slot (or the end of the budget); exits and
                // helper calls it stops at are already counted.
                match exec::run(
                    &progs[prog].code,
                    &mut regs,
                    self.mem,
                    &mut pc,
                    &mut steps,
                    limit,
                ) {
                    Ok(Stop::Slow) => {}
                    Ok(Stop::Exit) => match frames.pop() {
                        None => return Ok(regs[0]),
                        Some(f) => {
                            [regs[6], regs[7], regs[8], regs[9]] = f.saved;
                            regs[10] = Memory::frame_pointer(frames.len());
                            prog = f.prog;
                            slots = &progs[prog].slots;
                            pc = f.ret_pc;
                            continue;
                        }
                    },
                    Ok(Stop::Call(id)) => {
                        helpers::call(self, &mut regs, id as i64).map_err(|k| fail(prog, pc, k))?;
                        match self.tail_target.take() {
                            Some(t) => {
                                prog = t;
                                slots = &progs[prog].slots;
                                pc = 0;
                                regs[10] = Memory::frame_pointer(frames.len());
                            }
                            None => pc += 1,
                        }
                        continue;
                    }
                    Err(k) => return Err(fail(prog, pc, *k)),
                }
            }
            let insn = match slots.get(pc) {
                Some(Some(i)) => *i,
                Some(None) => {
                    return Err(fail(prog, pc, VmErrorKind::JumpIntoLdImm64 { target: pc }))
                }
                None => {
                    return Err(fail(
                        prog,
                        pc,
                        VmErrorKind::PcOutOfRange { target: pc as i64 },
                    ))
                }
            };
            steps += 1;
            if steps > limit {
                return Err(fail(prog, pc, VmErrorKind::StepLimit { limit }));
            }
            let before = if tracing { Some(regs) } else { None };
            // The common instructions are handled inline; the rest in `step`.
            let flow = match insn {
                Decoded::Alu {
                    width,
                    op,
                    dst,
                    src,
                } => {
                    let s = Self::operand(&regs, src, width);
                    let d = regs[r(dst)];
                    regs[r(dst)] = match width {
                        Width::W64 => alu::alu64(op, d, s),
                        Width::W32 => alu::alu32(op, d, s),
                    };
                    Flow::Next
                }
                Decoded::Jump {
                    width,
                    cond,
                    dst,
                    src,
                    off,
                } => {
                    let b = Self::operand(&regs, src, width);
                    if alu::cond(cond, width == Width::W64, regs[r(dst)], b) {
                        Flow::Jump(off as i64)
                    } else {
                        Flow::Next
                    }
                }
                Decoded::Goto { off } => Flow::Jump(off as i64),
                Decoded::Load {
                    size,
                    dst,
                    src,
                    off,
                } => {
                    let addr = regs[r(src)].wrapping_add(off as i64 as u64);
                    regs[r(dst)] = self
                        .mem
                        .load(addr, size.bytes() as usize)
                        .map_err(|k| fail(prog, pc, k))?;
                    Flow::Next
                }
                Decoded::StoreReg {
                    size,
                    dst,
                    off,
                    src,
                } => {
                    let addr = regs[r(dst)].wrapping_add(off as i64 as u64);
                    self.mem
                        .store(addr, size.bytes() as usize, regs[r(src)])
                        .map_err(|k| fail(prog, pc, k))?;
                    Flow::Next
                }
                Decoded::CallLocal { imm } => {
                    if frames.len() + 1 >= MAX_FRAMES {
                        return Err(fail(prog, pc, VmErrorKind::CallDepth));
                    }
                    frames.push(Frame {
                        prog,
                        ret_pc: pc + 1,
                        saved: [regs[6], regs[7], regs[8], regs[9]],
                    });
                    let depth = frames.len();
                    self.mem.clear_frame(depth);
                    regs[10] = Memory::frame_pointer(depth);
                    Flow::Jump(imm as i64)
                }
                Decoded::Exit => match frames.pop() {
                    Some(f) => {
                        [regs[6], regs[7], regs[8], regs[9]] = f.saved;
                        regs[10] = Memory::frame_pointer(frames.len());
                        let from = pc;
                        prog = f.prog;
                        slots = &progs[prog].slots;
                        pc = f.ret_pc;
                        if tracing {
                            self.record(before, &regs, from, &insn);
                        }
                        continue;
                    }
                    None => Flow::Exit,
                },
                Decoded::MayGoto { off } => {
                    if may_goto_budget == 0 {
                        Flow::Jump(off as i64)
                    } else {
                        may_goto_budget -= 1;
                        Flow::Next
                    }
                }
                other => {
                    let flow = self
                        .step(&mut regs, prog, pc, other)
                        .map_err(|k| fail(prog, pc, k))?;
                    if let Some(t) = self.tail_target.take() {
                        // The tail-called program replaces the current one in this frame.
                        let from = pc;
                        prog = t;
                        slots = &progs[prog].slots;
                        pc = 0;
                        regs[10] = Memory::frame_pointer(frames.len());
                        if tracing {
                            self.record(before, &regs, from, &insn);
                        }
                        continue;
                    }
                    flow
                }
            };
            let from = pc;
            match flow {
                Flow::Next => pc += insn.slots(),
                Flow::Jump(off) => {
                    let target = pc as i64 + 1 + off;
                    if target < 0 || target as usize >= slots.len() {
                        return Err(fail(prog, pc, VmErrorKind::PcOutOfRange { target }));
                    }
                    pc = target as usize;
                }
                Flow::Exit => {
                    if tracing {
                        self.record(before, &regs, from, &insn);
                    }
                    return Ok(regs[0]);
                }
                Flow::ExitProgram(r0) => {
                    regs[0] = r0;
                    if tracing {
                        self.record(before, &regs, from, &insn);
                    }
                    return Ok(r0);
                }
            }
            if tracing {
                self.record(before, &regs, from, &insn);
            }
        }
    }

    fn record(&mut self, before: Option<[u64; 16]>, regs: &[u64; 16], pc: usize, insn: &Decoded) {
        if let (Some(t), Some(b)) = (self.trace.as_mut(), before) {
            let changed = (0..11)
                .filter(|&r| b[r] != regs[r])
                .map(|r| (r as u8, regs[r]))
                .collect();
            t.push(TraceEntry {
                pc,
                insn: insn.to_string(),
                changed,
            });
        }
    }

    fn operand(regs: &[u64; 16], src: Operand, width: Width) -> u64 {
        match (src, width) {
            (Operand::Reg(r), _) => regs[r.num() as usize],
            (Operand::Imm(i), Width::W64) => i as i64 as u64,
            (Operand::Imm(i), Width::W32) => i as u32 as u64,
        }
    }

    fn step(
        &mut self,
        regs: &mut [u64; 16],
        prog: usize,
        pc: usize,
        insn: Decoded,
    ) -> Result<Flow, VmErrorKind> {
        let r = |x: Reg| x.num() as usize;
        match insn {
            Decoded::Alu {
                width,
                op,
                dst,
                src,
            } => {
                let s = Self::operand(regs, src, width);
                let d = regs[r(dst)];
                regs[r(dst)] = match width {
                    Width::W64 => alu::alu64(op, d, s),
                    Width::W32 => alu::alu32(op, d, s),
                };
            }
            Decoded::MovSx {
                width,
                bits,
                dst,
                src,
            } => {
                let v = alu::sext(regs[r(src)], bits);
                regs[r(dst)] = match width {
                    Width::W64 => v,
                    Width::W32 => v as u32 as u64,
                };
            }
            Decoded::Neg { width, dst } => {
                let d = regs[r(dst)];
                regs[r(dst)] = match width {
                    Width::W64 => d.wrapping_neg(),
                    Width::W32 => (d as u32).wrapping_neg() as u64,
                };
            }
            Decoded::Endian { kind, bits, dst } => {
                regs[r(dst)] = alu::endian(kind, bits, regs[r(dst)]);
            }
            Decoded::Load {
                size,
                dst,
                src,
                off,
            } => {
                let addr = regs[r(src)].wrapping_add(off as i64 as u64);
                regs[r(dst)] = self.mem.load(addr, size.bytes() as usize)?;
            }
            // One thread: acquire and release order nothing more than a plain load or store.
            Decoded::LoadAcquire {
                size,
                dst,
                src,
                off,
            } => {
                let addr = regs[r(src)].wrapping_add(off as i64 as u64);
                regs[r(dst)] = self.mem.load(addr, size.bytes() as usize)?;
            }
            Decoded::StoreRelease {
                size,
                dst,
                off,
                src,
            } => {
                let addr = regs[r(dst)].wrapping_add(off as i64 as u64);
                self.mem.store(addr, size.bytes() as usize, regs[r(src)])?;
            }
            Decoded::LoadSx {
                size,
                dst,
                src,
                off,
            } => {
                let addr = regs[r(src)].wrapping_add(off as i64 as u64);
                let n = size.bytes() as usize;
                regs[r(dst)] = alu::sext(self.mem.load(addr, n)?, n as u8 * 8);
            }
            Decoded::Store {
                size,
                dst,
                off,
                imm,
            } => {
                let addr = regs[r(dst)].wrapping_add(off as i64 as u64);
                self.mem
                    .store(addr, size.bytes() as usize, imm as i64 as u64)?;
            }
            Decoded::StoreReg {
                size,
                dst,
                off,
                src,
            } => {
                let addr = regs[r(dst)].wrapping_add(off as i64 as u64);
                self.mem.store(addr, size.bytes() as usize, regs[r(src)])?;
            }
            Decoded::Atomic {
                width,
                op,
                fetch,
                dst,
                off,
                src,
            } => {
                let addr = regs[r(dst)].wrapping_add(off as i64 as u64);
                let n = if width == Width::W64 { 8 } else { 4 };
                let trunc = |v: u64| if n == 4 { v as u32 as u64 } else { v };
                let old = self.mem.load(addr, n)?;
                let s = trunc(regs[r(src)]);
                let new = match op {
                    AtomicOp::Add => old.wrapping_add(s),
                    AtomicOp::Or => old | s,
                    AtomicOp::And => old & s,
                    AtomicOp::Xor => old ^ s,
                    AtomicOp::Xchg => s,
                    AtomicOp::Cmpxchg => {
                        if trunc(regs[0]) == old {
                            s
                        } else {
                            old
                        }
                    }
                };
                self.mem.store(addr, n, new)?;
                if op == AtomicOp::Cmpxchg {
                    regs[0] = old;
                } else if fetch {
                    regs[r(src)] = old;
                }
            }
            Decoded::LdImm64 { dst, value } => regs[r(dst)] = value as u64,
            Decoded::LdPseudo {
                dst,
                kind,
                imm,
                next_imm,
            } => {
                let known = self.progs[prog]
                    .map_refs
                    .get(&pc)
                    .or_else(|| self.fd_maps.get(&imm));
                let Some(&map) = known else {
                    return Err(match kind {
                        PseudoLd::MapFd
                        | PseudoLd::MapValue
                        | PseudoLd::MapIdx
                        | PseudoLd::MapIdxValue => VmErrorKind::UnknownMap { imm },
                        other => VmErrorKind::Unsupported {
                            what: format!("ld_imm64 of {other:?}"),
                        },
                    });
                };
                regs[r(dst)] = match kind {
                    PseudoLd::MapValue | PseudoLd::MapIdxValue => {
                        let slot =
                            self.mem.maps[map]
                                .find(&0u32.to_le_bytes())
                                .ok_or_else(|| VmErrorKind::Unsupported {
                                    what: "a map-value pointer into a map that is not an array"
                                        .into(),
                                })?;
                        self.mem.value_addr(map, slot, next_imm as u32 as usize)
                    }
                    _ => Memory::map_addr(map),
                };
            }
            Decoded::LdAbs { size, imm } | Decoded::LdInd { size, imm, .. } => {
                let base = match insn {
                    Decoded::LdInd { src, .. } => regs[r(src)],
                    _ => 0,
                };
                let CtxKind::Skb(f) = &self.mem.ctx else {
                    return Err(VmErrorKind::Unsupported {
                        what: "legacy packet loads (ld_abs/ld_ind) need a socket buffer".into(),
                    });
                };
                // The offset is the 32-bit sum; out of the packet, the program returns 0.
                let off = base.wrapping_add(imm as i64 as u64) as i32 as i64;
                match skb::ld_abs(f, &self.mem.packet, off, size.bytes() as usize) {
                    Some(v) => regs[0] = v,
                    None => return Ok(Flow::ExitProgram(0)),
                }
            }
            Decoded::AddrSpaceCast { .. } => {
                return Err(VmErrorKind::Unsupported {
                    what: "addr_space_cast (BPF arenas)".into(),
                })
            }
            Decoded::Jump {
                width,
                cond,
                dst,
                src,
                off,
            } => {
                let b = Self::operand(regs, src, width);
                if alu::cond(cond, width == Width::W64, regs[r(dst)], b) {
                    return Ok(Flow::Jump(off as i64));
                }
            }
            Decoded::Goto { off } => return Ok(Flow::Jump(off as i64)),
            Decoded::GotoLong { imm } => return Ok(Flow::Jump(imm as i64)),
            Decoded::Call { id } => helpers::call(self, regs, id as i64)?,
            Decoded::CallX { reg } => {
                let id = regs[r(reg)] as i64;
                helpers::call(self, regs, id)?
            }
            Decoded::CallKfunc { btf_id, .. } => {
                return Err(VmErrorKind::Unsupported {
                    what: format!("kfunc call (BTF id {btf_id})"),
                })
            }
            // `run` handles these itself before calling `step`.
            Decoded::CallLocal { .. } | Decoded::Exit | Decoded::MayGoto { .. } => {}
        }
        Ok(Flow::Next)
    }
}

#[cfg(test)]
mod tests {
    use crate::insn::Insn;
    use crate::vm::{Vm, VmErrorKind};
    use crate::{ProgramSpec, ProgramType};

    fn raw(insns: Vec<Insn>) -> ProgramSpec {
        ProgramSpec {
            name: "raw".into(),
            prog_type: ProgramType::Xdp,
            license: "GPL".into(),
            insns: insns.into(),
            relocations: Vec::new().into(),
            maps: Vec::new().into(),
            lines: Default::default(),
        }
    }

    fn run(text: &str) -> Result<u64, crate::vm::VmError> {
        let a = crate::asm::assemble_unchecked(text).expect("assembles");
        Vm::new(&raw(a.insns))?.run_mem(&mut [])
    }

    #[test]
    fn recursion_hits_the_frame_limit() {
        let e = run("f:\ncall f\nexit").unwrap_err();
        assert_eq!(e.kind, VmErrorKind::CallDepth);
    }

    #[test]
    fn falling_off_the_end_and_jumping_into_ld_imm64_are_errors() {
        let e = run("r0 = 1").unwrap_err();
        assert_eq!(e.kind, VmErrorKind::PcOutOfRange { target: 1 });
        // goto +1 lands on the second slot of the ld_imm64 at slot 1.
        let mut insns = vec![Insn::new(0x05, 0, 0, 1, 0)];
        insns.push(Insn::new(0x18, 0, 0, 0, 1));
        insns.push(Insn::new(0, 0, 0, 0, 0));
        insns.push(Insn::new(0x95, 0, 0, 0, 0));
        let e = Vm::new(&raw(insns)).unwrap().run_mem(&mut []).unwrap_err();
        assert_eq!(e.kind, VmErrorKind::JumpIntoLdImm64 { target: 2 });
        assert_eq!(e.pc, 2);
    }

    #[test]
    fn may_goto_falls_through_then_jumps() {
        // A may_goto loop counts its iterations until the budget is spent.
        let r = run("r0 = 0\nl:\nmay_goto out\nr0 += 1\ngoto l\nout:\nexit").unwrap();
        assert_eq!(r, 8 * 1024 * 1024);
    }

    #[test]
    fn kfunc_calls_are_unsupported_not_a_panic() {
        let insns = vec![Insn::new(0x85, 0, 2, 0, 1234), Insn::new(0x95, 0, 0, 0, 0)];
        let e = Vm::new(&raw(insns)).unwrap().run_mem(&mut []).unwrap_err();
        assert!(matches!(e.kind, VmErrorKind::Unsupported { .. }), "{e}");
    }
}

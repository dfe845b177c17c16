//! The abstract interpreter: one step per instruction, path exploration with pruning.

mod alu;
mod atomic;
mod call;
mod call_args;
mod call_kfunc;
mod call_offered;
mod domain;
mod jmp32;
mod jump;
mod may_goto;
mod memory;
mod stackvar;
mod trust;

use std::collections::HashMap;

use crate::insn::{AluOp, AtomicOp, JmpOp, Size};
use crate::spec::{MapSpec, MapType, RelocKind};

use super::cfg::{Cfg, Op, Src};
use super::ctx::{self, CtxField};
use super::deps::{self, Before, Deps};
use super::helpers::{self, Arg, Ret};
use super::prune::{Explorer, PruneResult};
use super::scalar::Scalar;
use super::state::{Byte, Frame, PktKind, RegVal, Slot, State};
use super::tnum::Tnum;
use super::{
    alu_name, initial_state, size_name, KernelVersion, Report, Rule, VerifierError, VerifyInput,
    MAX_PENDING, MAX_PROCESSED,
};

type R<T> = Result<T, VerifierError>;

/// The kernel's bound on pointer offsets (`BPF_MAX_VAR_OFF`).
const MAX_VAR_OFF: i64 = 1 << 29;
/// The kernel's largest packet offset it tracks (`MAX_PACKET_OFF`).
const MAX_PACKET_OFF: u64 = 0xffff;
/// `BPF_F_RDONLY_PROG`.
const BPF_F_RDONLY_PROG: u32 = 1 << 7;
/// `BPF_F_WRONLY_PROG`: the program may write map values but never read them.
const BPF_F_WRONLY_PROG: u32 = 1 << 8;
/// Deepest call chain (`MAX_CALL_FRAMES`).
const MAX_CALL_FRAMES: usize = 8;

/// A path waiting to be explored: where, its state, its latest checkpoint and the sources of
/// its values (see [`deps`]).
struct Path {
    pc: usize,
    st: State,
    parent: Option<usize>,
    deps: Deps,
}

enum Step {
    Next(usize),
    Branch {
        other_pc: usize,
        other: State,
        pc: usize,
    },
    Done,
}

pub(crate) struct Exec<'a> {
    input: &'a VerifyInput<'a>,
    ops: &'a [Op],
    cfg: &'a Cfg,
    map_refs: HashMap<usize, (u16, RelocKind)>,
    family: u8,
    gpl: bool,
    processed: usize,
    pruned: usize,
    /// Deepest stack offset used, per subprogram.
    depth: Vec<u32>,
    /// A `bpf_tail_call` was seen (limits the stack of programs with bpf-to-bpf calls).
    tail_call_seen: bool,
    /// Calls and ranges taken on trust (`trust.rs`).
    trust: super::trust::Trust,
}

fn e(pc: usize, rule: Rule, msg: impl Into<String>) -> VerifierError {
    VerifierError {
        insn_index: pc,
        rule,
        message: msg.into(),
    }
}

fn scalar_of(n: u32, sx: bool) -> Scalar {
    let s = Scalar::of_size(n);
    if sx {
        s.sext(n * 8)
    } else {
        s
    }
}

fn var_text(var: &Scalar) -> String {
    match var.as_const() {
        Some(0) => String::new(),
        Some(c) => format!(" + {}", c as i64),
        None => format!(" + var({}..={})", var.umin, var.umax),
    }
}

use call_args::{skb_sk, sock_ret, SOCK_CAST};
use domain::*;
use memory::*;
use stackvar::*;

impl<'a> Exec<'a> {
    pub(crate) fn new(
        input: &'a VerifyInput<'a>,
        ops: &'a [Op],
        cfg: &'a Cfg,
        map_refs: HashMap<usize, (u16, RelocKind)>,
    ) -> Self {
        Exec {
            input,
            ops,
            cfg,
            map_refs,
            family: helpers::family(input.prog_type).unwrap_or(0),
            gpl: super::license_is_gpl_compatible(input.license),
            processed: 0,
            pruned: 0,
            depth: vec![0; cfg.subprog_starts.len()],
            tail_call_seen: false,
            trust: Default::default(),
        }
    }

    fn map(&self, m: u16) -> &MapSpec {
        &self.input.maps[m as usize]
    }

    fn describe(&self, v: &RegVal) -> String {
        match v {
            RegVal::NotInit => "uninitialised".into(),
            RegVal::Scalar(s) => s.to_string(),
            RegVal::Ctx { off: 0 } => "the context pointer".into(),
            RegVal::Ctx { off } => format!("the context pointer + {off}"),
            RegVal::Stack { off, .. } => format!("a stack pointer (r10 {off:+})"),
            RegVal::StackVar { off, var, .. } => {
                format!("a stack pointer (r10 {off:+}{})", var_text(var))
            }
            RegVal::Pkt {
                kind,
                off,
                var,
                range,
                ..
            } => {
                let (what, start, end) = match kind {
                    PktKind::Data => ("a packet pointer", "data", "data_end"),
                    PktKind::Meta => ("a metadata pointer", "data_meta", "data"),
                };
                let v = var_text(var);
                if *range > 0 {
                    format!("{what} ({start}{v} + {off}) proven safe up to {start}{v} + {range}")
                } else {
                    format!("{what} ({start}{v} + {off}) not yet compared against {end}")
                }
            }
            RegVal::PktEnd => "data_end".into(),
            RegVal::MapPtr { map } => format!("the map `{}`", self.map(*map).name_str()),
            RegVal::MapValue { map, off, var } => {
                format!(
                    "a pointer into a value of map `{}` (offset {off}{})",
                    self.map(*map).name_str(),
                    var_text(var)
                )
            }
            RegVal::MapValueOrNull { map, .. } => {
                format!(
                    "a lookup result from map `{}` that may be NULL",
                    self.map(*map).name_str()
                )
            }
            RegVal::Opaque { map } => format!(
                "an entry of map `{}` (not readable)",
                self.map(*map).name_str()
            ),
            RegVal::OpaqueOrNull { map, .. } => {
                format!(
                    "a lookup result from map `{}` that may be NULL",
                    self.map(*map).name_str()
                )
            }
            RegVal::Ringbuf { size, off, .. } => {
                format!("ring buffer memory ({size} bytes, offset {off})")
            }
            RegVal::RingbufOrNull { size, .. } => {
                format!("a ring buffer reservation ({size} bytes) that may be NULL")
            }
            RegVal::Sock { common: false, .. } => "a socket (PTR_TO_SOCKET)".to_string(),
            RegVal::Sock { common: true, .. } => "a socket (PTR_TO_SOCK_COMMON)".to_string(),
            RegVal::SockOrNull { common: false, .. } => {
                "a socket lookup result that may be NULL (PTR_TO_SOCKET_OR_NULL)".to_string()
            }
            RegVal::SockOrNull { common: true, .. } => {
                "a socket lookup result that may be NULL (PTR_TO_SOCK_COMMON_OR_NULL)".to_string()
            }
        }
    }

    fn read(&self, st: &State, pc: usize, r: u8) -> R<RegVal> {
        let v = &st.cur().regs[r as usize];
        if *v == RegVal::NotInit {
            let hint = if (1..=5).contains(&r) {
                " (calls clobber r1-r5; keep values in r6-r9 across calls)"
            } else if r == 0 {
                " (r0 is set by calls and by you)"
            } else {
                ""
            };
            return Err(e(
                pc,
                Rule::UninitRegister,
                format!("r{r} is read here but no instruction on this path has written it{hint}"),
            ));
        }
        Ok(v.clone())
    }

    fn set(&self, st: &mut State, r: u8, v: RegVal) {
        st.cur_mut().regs[r as usize] = v;
    }

    fn write_dst(&self, pc: usize, dst: u8) -> R<()> {
        if dst == 10 {
            return Err(e(
                pc,
                Rule::FramePointer,
                "r10 (the frame pointer) is read-only (the kernel: `frame pointer is read only`); copy it first (`r1 = r10; r1 += -8`)",
            ));
        }
        Ok(())
    }

    /// Explores every path; for the flags see [`super::verify_with`].
    pub(crate) fn run(&mut self, exact_pruning: bool, every_prune_point: bool) -> R<Report> {
        let mut ex = Explorer::new(self.cfg.prune_point.len(), exact_pruning, every_prune_point);
        let mut pending: Vec<Path> = vec![Path {
            pc: 0,
            st: initial_state(),
            parent: None,
            deps: Deps::entry(),
        }];
        while let Some(Path {
            mut pc,
            mut st,
            mut parent,
            deps: mut d,
        }) = pending.pop()
        {
            loop {
                self.processed += 1;
                if self.processed > MAX_PROCESSED {
                    return Err(e(pc, Rule::Complexity, format!(
                        "more than {MAX_PROCESSED} instructions processed over all paths (the kernel's limit); simplify the program or bound its loops more tightly"
                    )));
                }
                if self.cfg.prune_point[pc] {
                    let mg = matches!(self.ops[pc], Op::MayGoto { .. });
                    match ex.visit(pc, &st, &mut d, self.cfg.live_in[pc], parent, mg) {
                        PruneResult::Pruned => {
                            self.pruned += 1;
                            ex.finish(parent);
                            break;
                        }
                        PruneResult::Loop => {
                            return Err(e(pc, Rule::InfiniteLoop, format!(
                                "infinite loop detected: instruction {pc} is reached again with exactly the same state, so the loop makes no progress"
                            )))
                        }
                        PruneResult::Continue(p) => parent = p,
                    }
                }
                let op = self.ops[pc];
                ex.tick(matches!(
                    op,
                    Op::Ja { .. } | Op::Cond { .. } | Op::MayGoto { .. }
                ));
                let before = deps::before(&op, &st, &d);
                let snapshot = Before::needs_snapshot(&op, &st).then(|| st.clone());
                ex.mark(parent, before.read, false);
                ex.mark(parent, before.demand, true);
                match self.step(pc, &mut st)? {
                    Step::Next(n) => {
                        deps::after(&op, &before, snapshot.as_ref(), &st, &mut d);
                        if let Some(m) = before.cond {
                            // The jump went one way only: the operands' values decided it.
                            ex.mark(parent, m, true);
                        }
                        pc = n;
                    }
                    Step::Branch {
                        other_pc,
                        mut other,
                        pc: n,
                    } => {
                        if let Op::MayGoto { .. } = op {
                            ex.widen_may_goto(pc, parent, &mut other);
                        }
                        ex.branch(parent);
                        let mut od = d.clone();
                        deps::after(&op, &before, snapshot.as_ref(), &other, &mut od);
                        deps::after(&op, &before, snapshot.as_ref(), &st, &mut d);
                        pending.push(Path {
                            pc: other_pc,
                            st: other,
                            parent,
                            deps: od,
                        });
                        if pending.len() > MAX_PENDING {
                            return Err(e(pc, Rule::Complexity, format!("more than {MAX_PENDING} branches pending at once (the kernel's limit)")));
                        }
                        pc = n;
                    }
                    Step::Done => {
                        ex.finish(parent);
                        break;
                    }
                }
            }
        }
        self.check_stack_depth()?;
        Ok(Report {
            insns_processed: self.processed,
            states: ex.states(),
            pruned: self.pruned,
            stack_depth: self.depth[0],
        })
    }

    /// The combined stack of the deepest call chain must fit in 512 bytes (each frame rounded up
    /// to 32 bytes, as the kernel's `check_max_stack_depth`).
    fn check_stack_depth(&self) -> R<()> {
        let n = self.cfg.subprog_starts.len();
        let mut callees: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
        for (i, op) in self.ops.iter().enumerate() {
            if let Op::CallLocal { target } = op {
                callees[self.cfg.subprog_of[i]].push((self.cfg.subprog_of[*target], i));
            }
        }
        /// Deepest (stack bytes, frames) below `sp`, memoised; `Err(site)` on a cycle or a
        /// chain of more than 8 frames.
        fn walk(
            sp: usize,
            callees: &[Vec<(usize, usize)>],
            depth: &[u32],
            memo: &mut [Option<(u32, usize)>],
            visiting: &mut [bool],
            site: usize,
        ) -> Result<(u32, usize), usize> {
            if let Some(m) = memo[sp] {
                return Ok(m);
            }
            if visiting[sp] {
                return Err(site);
            }
            visiting[sp] = true;
            let own = depth[sp].max(1).div_ceil(32) * 32;
            let (mut best, mut frames) = (0, 0);
            for &(c, s) in &callees[sp] {
                let (b, f) = walk(c, callees, depth, memo, visiting, s)?;
                best = best.max(b);
                frames = frames.max(f);
            }
            visiting[sp] = false;
            if frames + 1 > 8 {
                return Err(site);
            }
            memo[sp] = Some((own + best, frames + 1));
            Ok((own + best, frames + 1))
        }
        let mut memo = vec![None; n];
        let mut visiting = vec![false; n];
        match walk(0, &callees, &self.depth, &mut memo, &mut visiting, 0).map(|x| x.0) {
            Ok(total) if self.tail_call_seen && n > 1 && total >= 256 => Err(e(
                0,
                Rule::CallStack,
                format!(
                    "a program with bpf-to-bpf calls and tail calls may use less than 256 bytes of stack along a call chain (this one uses {total})"
                ),
            )),
            Ok(total) if total <= 512 => Ok(()),
            Ok(total) => Err(e(0, Rule::CallStack, format!(
                "the deepest call chain uses {total} bytes of stack (each function's use rounded up to 32); the kernel allows 512"
            ))),
            Err(site) => Err(e(
                site,
                Rule::CallStack,
                "recursive calls, or calls nested more than 8 deep (the kernel's limit)",
            )),
        }
    }

    fn step(&mut self, pc: usize, st: &mut State) -> R<Step> {
        if let Some(next) = self.trusted_range(pc, st) {
            return Ok(next);
        }
        match self.ops[pc] {
            Op::LdImm64Tail => Err(e(
                pc,
                Rule::Structure,
                "execution reaches the second slot of an ld_imm64",
            )),
            Op::Alu {
                is64,
                op,
                dst,
                src,
                off,
                imm,
            } => {
                self.alu(pc, st, is64, op, dst, src, off, imm)?;
                Ok(Step::Next(pc + 1))
            }
            Op::LdImm64 { dst, pseudo, imm } => {
                self.write_dst(pc, dst)?;
                let v = match (self.map_refs.get(&pc), pseudo) {
                    (Some(&(m, kind)), _) => {
                        let spec = self.map(m);
                        match kind {
                            RelocKind::MapFd => RegVal::MapPtr { map: m },
                            RelocKind::MapValue { offset } => {
                                if !matches!(spec.map_type, crate::spec::MapType::Array) {
                                    return Err(e(pc, Rule::MapReference, format!(
                                        "direct value access (`map_value`) needs an array map; `{}` is a {}",
                                        spec.name_str(), spec.map_type
                                    )));
                                }
                                if offset >= spec.value_size {
                                    return Err(e(pc, Rule::MapValueBounds, format!(
                                        "offset {offset} is outside the {}-byte value of map `{}`",
                                        spec.value_size, spec.name_str()
                                    )));
                                }
                                RegVal::MapValue { map: m, off: offset as i32, var: Scalar::konst(0) }
                            }
                        }
                    }
                    (None, 0) => RegVal::Scalar(Scalar::konst(imm)),
                    (None, 1 | 2 | 5 | 6) => {
                        return Err(e(pc, Rule::MapReference, "this ld_imm64 refers to a map, but no relocation says which (its key and value sizes are needed)"))
                    }
                    (None, p) => {
                        return Err(e(pc, Rule::Unsupported, format!("ld_imm64 with src_reg {p} (BTF ids, functions) is not modelled by this verifier")))
                    }
                };
                self.set(st, dst, v);
                Ok(Step::Next(pc + 2))
            }
            Op::LdAbs { size, ind, imm } => {
                self.ld_abs(pc, st, size, ind, imm)?;
                Ok(Step::Next(pc + 1))
            }
            Op::Ldx {
                size,
                sx,
                dst,
                src,
                off,
            } => {
                self.write_dst(pc, dst)?;
                let base = self.read(st, pc, src)?;
                let v = self.load(pc, st, src, &base, off as i32, size, sx)?;
                self.set(st, dst, v);
                Ok(Step::Next(pc + 1))
            }
            Op::St {
                size,
                dst,
                off,
                imm,
            } => {
                let base = self.read(st, pc, dst)?;
                let val = if size == Size::DW {
                    imm as i64 as u64
                } else {
                    imm as u32 as u64 & mask(size)
                };
                self.store(
                    pc,
                    st,
                    dst,
                    &base,
                    off as i32,
                    size,
                    RegVal::Scalar(Scalar::konst(val)),
                )?;
                Ok(Step::Next(pc + 1))
            }
            Op::Stx {
                size,
                dst,
                src,
                off,
            } => {
                let base = self.read(st, pc, dst)?;
                let v = self.read(st, pc, src)?;
                self.store(pc, st, dst, &base, off as i32, size, v)?;
                self.link_spilled(st, &base, off as i32, size, src);
                Ok(Step::Next(pc + 1))
            }
            Op::Atomic {
                size,
                dst,
                src,
                off,
                op,
                fetch,
            } => {
                self.atomic(pc, st, size, dst, src, off as i32, op, fetch)?;
                Ok(Step::Next(pc + 1))
            }
            Op::Ja { target } => Ok(Step::Next(target)),
            Op::MayGoto { target } => Ok(self.may_goto(pc, st, target)),
            Op::Cond {
                is64,
                op,
                dst,
                src,
                target,
            } => self.cond(pc, st, is64, op, dst, src, target),
            Op::Call { helper, kfunc } => {
                if kfunc {
                    self.call_xdp_kfunc(pc, st, helper)?;
                } else {
                    self.call_helper(pc, st, helper)?;
                }
                Ok(Step::Next(pc + 1))
            }
            Op::CallLocal { target } => {
                if st.frames.len() >= MAX_CALL_FRAMES {
                    return Err(e(
                        pc,
                        Rule::CallStack,
                        format!("calls nest deeper than {MAX_CALL_FRAMES} frames"),
                    ));
                }
                let sp = self.cfg.subprog_of[target];
                if st.frames.iter().any(|f| f.subprog == sp) {
                    return Err(e(
                        pc,
                        Rule::CallStack,
                        format!("recursive call: the function at instruction {target} is already on the call stack (the kernel allows no recursion)"),
                    ));
                }
                let idx = st.frames.len() as u8;
                let mut f = Frame::new(idx, pc, sp);
                for r in 1..=5 {
                    f.regs[r] = st.cur().regs[r].clone();
                }
                st.frames.push(f);
                Ok(Step::Next(target))
            }
            Op::Exit => self.exit(pc, st),
        }
    }

    fn exit(&mut self, pc: usize, st: &mut State) -> R<Step> {
        if st.frames.len() > 1 {
            let callee = st.frames.pop().expect("frame");
            let r0 = callee.regs[0].clone();
            if let RegVal::Stack { .. } | RegVal::StackVar { .. } = r0 {
                return Err(e(
                    pc,
                    Rule::PointerLeak,
                    "a function cannot return a stack pointer to its caller",
                ));
            }
            let caller = st.cur_mut();
            caller.regs[0] = r0;
            for r in 1..=5 {
                caller.regs[r] = RegVal::NotInit;
            }
            return Ok(Step::Next(callee.callsite + 1));
        }
        if let Some((at, msg)) = &st.taint {
            return Err(e(*at, Rule::PointerArithmetic, msg.clone()));
        }
        if !st.refs.is_empty() {
            return Err(e(pc, Rule::ReferenceLeak, leak_message(st)));
        }
        let r0 = &st.cur().regs[0];
        match r0 {
            RegVal::NotInit => Err(e(
                pc,
                Rule::ReturnValue,
                format!(
                "r0 is not set at exit on this path; set the return value first (e.g. `r0 = {}`)",
                if self.family == helpers::avail::XDP { "XDP_PASS" } else { "0" }
            ),
            )),
            // A privileged loader may return a pointer (the kernel's `allow_ptr_leaks`).
            _ => Ok(Step::Done),
        }
    }
}

/// Marks the reference ids of sockets from lookups (ring buffer reservations have it clear), so
/// a leak can be reported as the right kind even when no register holds the pointer any more.
pub(super) const SOCK_REF: u32 = 1 << 30;

/// Why the references still held at the program's exit are a leak.
fn leak_message(st: &State) -> &'static str {
    if st.refs.iter().any(|r| r & SOCK_REF != 0) {
        "a socket from a lookup is not released on this path (call bpf_sk_release after the null check)"
    } else {
        "a ring buffer reservation is neither submitted nor discarded on this path (call bpf_ringbuf_submit or bpf_ringbuf_discard)"
    }
}

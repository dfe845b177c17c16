//! The driver of the abstract interpreter: the worklist of paths, the pruning hooks and
//! checkpoints (`super::prune`), the value sources (`super::deps`), the dispatch of each
//! instruction to its transfer function (`super::transfer`) and the whole-program stack check.

use crate::insn::{Insn, Size};

use super::cfg::Op;
use super::context::{Exec, Step};
use super::deps::{self, Before, Deps};
use super::domain::scalar::Scalar;
use super::domain::state::{RegVal, State};
use super::mask::{Mask, Width, WIDE};
use super::prune::{Explorer, Head, PruneResult};
use super::transfer::{e, mask, BPF_F_RDONLY_PROG, R};
use super::{
    initial_state, KernelVersion, Report, Rule, VerifierError, MAX_PENDING, MAX_PROCESSED,
};

/// Sources of finished paths kept for reuse (see [`Exec::run`]).
const MAX_SPARE: usize = 64;

/// A path waiting to be explored: where, its state, its latest checkpoint and the sources of
/// its values (see [`deps`]).
struct Path<const W: usize> {
    pc: usize,
    st: State,
    parent: Option<usize>,
    deps: Deps<W>,
    /// Entries of its instruction history since its last checkpoint (`super::history`).
    hist: u32,
}

impl<'a> Exec<'a> {
    /// Explores every path of the main program, then of each global function it calls
    /// (`transfer/call/global.rs`, the kernel's `do_check_subprogs`); for the flags see
    /// [`super::verify_with`].
    pub(crate) fn run(&mut self, exact_pruning: bool, every_prune_point: bool) -> R<Report> {
        let width = Width::for_frames(super::call_depth::max_frames(self.ops, self.cfg));
        let flags = (exact_pruning, every_prune_point);
        let mut init = initial_state();
        init.frames[0].alloc = super::domain::state::SLOTS as u8;
        if self.unset_frames() {
            init.frames[0].stack = super::domain::state::Stack::unset();
        }
        let mut states = self.explore(width, 0, init, flags)?;
        // The exception callback is verified as if called (`transfer/call/throw.rs`).
        if let Some(sp) = self.exception_cb_subprog() {
            self.global_called[sp] = true;
        }
        // Before GLOBAL_LAZY every global function is verified, called or not.
        if self.input.kernel < KernelVersion::GLOBAL_LAZY {
            for g in self.input.globals.iter().filter(|g| g.insn != 0) {
                if let Some(&sp) = self.cfg.subprog_of.get(g.insn as usize) {
                    if self.cfg.subprog_starts.get(sp) == Some(&(g.insn as usize)) {
                        self.global_called[sp] = true;
                    }
                }
            }
        }
        while let Some((pc, st)) = self.next_global() {
            self.check_exception_cb_entry(pc)?;
            states += self.explore(width, pc, st, flags)?;
        }
        self.check_stack_depth()?;
        if let Some((at, target)) =
            super::dead_code::broken_func_ref(self.ops, &self.seen, &self.cfg.subprog_starts)
        {
            return Err(e(at, Rule::Structure, format!(
                "this reference to a function points, once the kernel removes the code no path reached (a function no path runs: a callback never called, a bpf_loop of 0 rounds), at instruction {target} of what is left, where no function starts: the kernel refuses the program (\"verifier bug: No program to jit at insn N (subprog < 0)\", after its other rewrites); remove the unused function or move it before a used one"
            )));
        }
        self.check_jump_range()?;
        Ok(Report {
            insns_processed: self.processed,
            states,
            pruned: self.pruned,
            stack_depth: self.depth[0],
        })
    }

    /// Explores every path from `entry` in state `st` with masks of sources of `width`
    /// (`flags`: exact pruning, a checkpoint at every prune point); gives the number of
    /// states kept.
    fn explore(&mut self, width: Width, entry: usize, st: State, flags: (bool, bool)) -> R<usize> {
        match width {
            Width::W2 => self.explore_in::<2>(entry, st, flags),
            Width::W3 => self.explore_in::<3>(entry, st, flags),
            Width::W4 => self.explore_in::<4>(entry, st, flags),
            Width::Wide => self.explore_in::<WIDE>(entry, st, flags),
        }
    }

    /// [`Exec::explore`] with masks of `W` words.
    fn explore_in<const W: usize>(
        &mut self,
        entry: usize,
        st: State,
        (exact_pruning, every_prune_point): (bool, bool),
    ) -> R<usize> {
        let mut ex =
            Explorer::<W>::new(self.cfg.prune_point.len(), exact_pruning, every_prune_point);
        ex.set_exact_marks(self.exact_decide && !exact_pruning);
        ex.set_old_loop_check(!self.input.kernel.has(KernelVersion::EXACT_LOOP_CHECK));
        ex.tracer = self.tracer.clone();
        let (ops, cfg) = (self.ops, self.cfg);
        let (local_calls, outside_loops, components) = self.prune_tables.get_or_insert_with(|| {
            let components = super::cfg::loop_components_of(ops, &cfg.succ);
            let outside = super::cfg::outside_loops_of(ops, &components);
            (
                ops.iter()
                    .map(|op| matches!(op, Op::CallLocal { .. }))
                    .collect(),
                outside.into(),
                components.into(),
            )
        });
        ex.set_local_calls(local_calls.clone());
        ex.set_outside_loops(outside_loops.clone(), components.clone());
        let dumping = (self.exact_decide && exact_pruning)
            || self
                .tracer
                .as_ref()
                .is_some_and(|t| t.borrow().states.is_some());
        let _liveness = ex.setup_liveness(
            self.input.kernel,
            &self.cfg.live_in,
            self.ops,
            !exact_pruning && !dumping,
        );
        let mut pending: Vec<Path<W>> = vec![Path {
            pc: entry,
            st,
            parent: None,
            deps: Deps::entry(),
            hist: 0,
        }];
        // The sources of finished paths, kept for reuse by the branches (no allocation).
        let mut spare: Vec<Deps<W>> = Vec::new();
        // The state before the instruction when its effect on the sources needs it, in
        // memory kept from one instruction to the next (no allocation).
        let mut before_st: Option<State> = None;
        // The state before the instruction for the exactness marks, in memory reused likewise.
        let mut exact_before: Option<State> = None;
        // Exactness marks (`super::exact`) are kept by the dump's walk and the 2^29 class's
        // second walk only; both compare dead registers too.
        let marks_walk = self.exact_decide
            || self
                .tracer
                .as_ref()
                .is_some_and(|t| t.borrow().states.is_some());
        // The kernel's checkpoint forced by a long instruction history (`super::history`).
        let long_history = self.input.kernel >= KernelVersion::LONG_HISTORY_CHECKPOINT;
        while let Some(Path {
            mut pc,
            mut st,
            mut parent,
            deps: mut d,
            mut hist,
        }) = pending.pop()
        {
            loop {
                self.processed += 1;
                self.seen[pc] = true;
                let op = self.ops[pc];
                // The dump's exactness marks: a loop head where the kernel may widen
                // imprecise scalars (`widen_imprecise_scalars`) keeps none.
                if marks_walk
                    && self.cfg.prune_point[pc]
                    && (super::cfg::is_iter_next(&op)
                        || matches!(op, Op::MayGoto { .. })
                        || super::cfg::calls_back(&op))
                {
                    super::exact::clear(&mut st);
                }
                if matches!(op, Op::LdImm64 { .. }) && pc + 1 < self.seen.len() {
                    self.seen[pc + 1] = true;
                }
                super::trace::record(&self.tracer, super::trace::Ev::Processed(pc, &st));
                if self.processed > MAX_PROCESSED {
                    return Err(e(pc, Rule::Complexity, format!(
                        "more than {MAX_PROCESSED} instructions processed over all paths (the kernel's limit); simplify the program or bound its loops more tightly"
                    )));
                }
                ex.count_insn();
                if self.cfg.prune_point[pc] {
                    // A callback's helper call is a loop head as a `may_goto` is.
                    let head = if super::cfg::is_iter_next(&op) {
                        Head::IterNext
                    } else if matches!(op, Op::MayGoto { .. }) || super::cfg::calls_back(&op) {
                        Head::MayGoto
                    } else {
                        Head::None
                    };
                    // A walk dumping its states (`super::dump`) compares dead registers too:
                    // its states must cover the kernel's, whose liveness is not ours.
                    // (The 2^29 class's second walk prunes as the first: `self.exact_decide`
                    // without exact pruning.)
                    let live = if marks_walk && exact_pruning {
                        !0
                    } else {
                        self.cfg.live_in[pc]
                    };
                    let long = long_history && hist > super::history::LONG;
                    match ex.visit_head(pc, &st, &mut d, live, parent, head, long) {
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
                        PruneResult::Continue(p) => {
                            if p != parent {
                                // A new checkpoint: the history starts again.
                                hist = 0;
                            }
                            parent = p;
                        }
                    }
                }
                // This instruction's entry of the path's history, if it records one (only
                // counted for a target that forces checkpoints by it).
                let mut entry =
                    long_history && (self.cfg.jmp_point[pc] || super::history::records(&op, &st));
                // A call of a global function is, for the sources of values, a call of a
                // kfunc (it reads its arguments and the stack they point to, clobbers
                // `r1`-`r5`); none of its arguments' values is demanded.
                let global =
                    matches!(op, Op::CallLocal { target } if self.global_at(target).is_some());
                let dop = if global {
                    Op::Call {
                        helper: -1,
                        kfunc: true,
                    }
                } else {
                    op
                };
                // The kernel's `jmps_processed` counts every instruction of the jump class:
                // calls and `exit` too (`do_check`).
                ex.count_jump(matches!(
                    op,
                    Op::Ja { .. }
                        | Op::Cond { .. }
                        | Op::MayGoto { .. }
                        | Op::Call { .. }
                        | Op::CallLocal { .. }
                        | Op::Exit
                ));
                // Only a helper call reads memory by sizes (no array to fill for the others).
                let call_sizes;
                let sizes = if matches!(dop, Op::Call { .. }) {
                    call_sizes = self.call_read_sizes(&dop, &st);
                    &call_sizes
                } else {
                    &deps::NO_SIZES
                };
                if ex.stack_live_on() {
                    let (read, write) = super::stack_live::access(&dop, &st, sizes);
                    ex.record_stack(pc, read, write);
                }
                let mut before = deps::before(&dop, &st, &d, sizes);
                if matches!(op, Op::Call { .. }) {
                    before.demand |= self.call_key_demand(&op, &st, &d);
                }
                if global {
                    before.demand = Mask::EMPTY;
                }
                let snapshot = if Before::<W>::needs_snapshot(&dop, &st) {
                    match &mut before_st {
                        Some(b) => b.clone_from(&st),
                        None => before_st = Some(st.clone()),
                    }
                    before_st.as_ref()
                } else {
                    None
                };
                ex.defer_marks(parent, before.read, before.demand);
                if marks_walk {
                    match &mut exact_before {
                        Some(b) => b.clone_from(&st),
                        None => exact_before = Some(st.clone()),
                    }
                }
                self.hist_entry.set(false);
                // Matched where it is returned, not moved out first (the `?` of a 200-byte
                // step copied it at every instruction).
                let mut step = self.step(pc, &mut st);
                entry |= self.hist_entry.take();
                hist = hist.saturating_add(entry as u32);
                if let (true, Some(b), true) = (marks_walk, &exact_before, step.is_ok()) {
                    let maps = self.input.maps;
                    let exact_load = |base: &RegVal| match base {
                        RegVal::Pkt { .. } | RegVal::Ctx { .. } => true,
                        RegVal::MapValue { map, .. } => maps
                            .get(*map as usize)
                            .is_some_and(|m| m.flags & BPF_F_RDONLY_PROG == 0),
                        _ => false,
                    };
                    super::exact::update(&op, b, &mut st, &exact_load);
                    if let Ok(Step::Branch { other, .. }) = &mut step {
                        super::exact::update(&op, b, other, &exact_load);
                    }
                }
                match step {
                    Err(e) => return Err(e),
                    Ok(Step::Next(n)) => {
                        deps::after(&dop, &before, snapshot, &st, &mut d);
                        if let Some(m) = before.cond {
                            // The jump went one way only: the operands' values decided it.
                            ex.defer_marks(parent, Mask::EMPTY, m);
                        }
                        pc = n;
                    }
                    Ok(Step::Branch {
                        other_pc,
                        mut other,
                        pc: n,
                    }) => {
                        // The queued round of a `may_goto` or an iterator's `next`: its
                        // imprecise scalars are widened (`widen_imprecise_scalars`).
                        let iter_next = super::cfg::is_iter_next(&op);
                        if matches!(op, Op::MayGoto { .. }) || iter_next {
                            ex.widen_may_goto(pc, parent, &mut other);
                            if marks_walk {
                                super::exact::clear(&mut other);
                            }
                        }
                        if matches!(
                            op,
                            Op::Call {
                                helper: 170,
                                kfunc: false
                            }
                        ) {
                            // A timer's callback (`bpf_timer_set_callback`): a path of its own
                            // from a fresh state, as the kernel's `push_async_cb` (no parent
                            // state: nothing it reads or demands goes back to the caller's).
                            deps::after(&op, &before, snapshot, &st, &mut d);
                            if marks_walk {
                                super::exact::clear(&mut other);
                            }
                            pending.push(Path {
                                pc: other_pc,
                                st: *other,
                                parent: None,
                                deps: Deps::entry(),
                                hist: 0,
                            });
                            if pending.len() > MAX_PENDING {
                                return Err(e(pc, Rule::Complexity, format!("more than {MAX_PENDING} branches pending at once (the kernel's limit)")));
                            }
                            pc = n;
                            continue;
                        }
                        ex.branch(parent);
                        let mut od = match spare.pop() {
                            Some(mut x) => {
                                x.clone_from(&d);
                                x
                            }
                            None => d.clone(),
                        };
                        if matches!(op, Op::Call { .. } | Op::LdAbs { .. })
                            && other.frames.len() < st.frames.len()
                        {
                            // A tail call taken in a subprogram, or a legacy packet load's
                            // early exit: back in the caller.
                            deps::after(&op, &before, snapshot, &other, &mut od);
                            deps::tail_call_return(&mut od);
                        } else if matches!(op, Op::Call { .. }) && !iter_next {
                            // The callback's path: a new frame, fed by the call's arguments.
                            deps::enter_callback(&mut od);
                        } else {
                            deps::after(&op, &before, snapshot, &other, &mut od);
                        }
                        deps::after(&op, &before, snapshot, &st, &mut d);
                        pending.push(Path {
                            pc: other_pc,
                            st: *other,
                            parent,
                            deps: od,
                            hist,
                        });
                        if pending.len() > MAX_PENDING {
                            return Err(e(pc, Rule::Complexity, format!("more than {MAX_PENDING} branches pending at once (the kernel's limit)")));
                        }
                        pc = n;
                    }
                    Ok(Step::Done) => {
                        ex.finish(parent);
                        break;
                    }
                    Ok(Step::Callback { callsite }) => {
                        // The callee's locations end; the caller's are as they were.
                        d.pop_frame();
                        // The kernel's `find_prev_entry` at the callback's return: any
                        // unfinished checkpoint at the callsite, the path's own last one
                        // included (no new one was stored at the callsite yet).
                        ex.widen_may_goto(callsite, None, &mut st);
                        if marks_walk {
                            super::exact::clear(&mut st);
                        }
                        pc = callsite;
                    }
                }
            }
            if spare.len() < MAX_SPARE {
                spare.push(d);
            }
        }
        Ok(ex.states())
    }

    /// Applies the instruction at `pc` to `st` (its transfer function), then grows the frames
    /// it accessed ([`Exec::note_depth`]) in every state it leaves.
    pub(super) fn step(&mut self, pc: usize, st: &mut State) -> R<Step> {
        self.grown.clear();
        let mut step = self.transfer(pc, st);
        if !self.grown.is_empty() {
            self.apply_growth(st);
            if let Ok(Step::Branch { other, .. }) = &mut step {
                self.apply_growth(other);
            }
        }
        step
    }

    /// [`Exec::step`]'s transfer function proper.
    fn transfer(&mut self, pc: usize, st: &mut State) -> R<Step> {
        if let Some(next) = self.trusted_range(pc, st) {
            return Ok(next);
        }
        self.check_held_lock(pc, st)?;
        self.check_rcu_section(pc, st)?;
        if self.input.kernel < KernelVersion::CPU_V4 {
            if let Some(what) = self
                .input
                .insns
                .get(pc)
                .and_then(|i| cpu_v4_form(*i, self.input.kernel))
            {
                return Err(cpu_v4_refused(pc, what, self.input.kernel));
            }
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
                if let Some(mut other) = self.fork_scalars(st, is64, op, dst, src) {
                    // `maybe_fork_scalars`: this path goes on with -1, the other with 0.
                    self.alu(pc, &mut other, is64, op, dst, src, off, imm)?;
                    self.alu(pc, st, is64, op, dst, src, off, imm)?;
                    return Ok(Step::Branch {
                        other_pc: pc + 1,
                        other: Box::new(other),
                        pc: pc + 1,
                    });
                }
                self.alu(pc, st, is64, op, dst, src, off, imm)?;
                Ok(Step::Next(pc + 1))
            }
            Op::LdImm64 { dst, pseudo, imm } => {
                self.ld_imm64(pc, st, dst, pseudo, imm)?;
                Ok(Step::Next(pc + 2))
            }
            Op::LdAbs { size, ind, imm } => {
                self.ld_abs(pc, st, size, ind, imm)?;
                // In a subprogram, a failed load also returns 0 to the caller.
                if let Some((next, early)) = self.ld_abs_exit(st) {
                    return Ok(Step::Branch {
                        other_pc: next,
                        other: Box::new(early),
                        pc: pc + 1,
                    });
                }
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
                self.note_ptr_type(pc, src, &base, true)?;
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
                if matches!(base, RegVal::Ctx { .. } | RegVal::CtxVar { .. })
                    && self.input.kernel < KernelVersion::ST_CTX
                {
                    return Err(e(
                        pc,
                        Rule::ContextAccess,
                        format!(
                            "a store of a constant (BPF_ST) into the context needs Linux {}, but the target kernel is {} (see verifier::target; store a register instead: the kernel: BPF_ST stores into R{dst} ctx is not allowed)",
                            KernelVersion::ST_CTX,
                            self.input.kernel
                        ),
                    ));
                }
                let val = if size == Size::DW {
                    imm as i64 as u64
                } else {
                    imm as u32 as u64 & mask(size)
                };
                let stored = if self.st_imm_tracked(&base, imm) {
                    Scalar::konst(val)
                } else {
                    Scalar::UNKNOWN
                };
                self.store(
                    pc,
                    st,
                    dst,
                    &base,
                    off as i32,
                    size,
                    RegVal::Scalar(stored),
                )?;
                self.note_ptr_type(pc, dst, &base, false)?;
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
                self.note_ptr_type(pc, dst, &base, false)?;
                self.link_spilled(st, &base, off as i32, size, src);
                Ok(Step::Next(pc + 1))
            }
            Op::LoadAcq {
                size,
                dst,
                src,
                off,
            } => {
                self.write_dst(pc, dst)?;
                let base = self.read(st, pc, src)?;
                self.check_ordered(pc, src, &base, off as i32, size, "load-acquire")?;
                let v = self.load(pc, st, src, &base, off as i32, size, false)?;
                // (`check_atomic_load`: no mixing of BTF pointers and memory here.)
                self.note_ptr_type(pc, src, &base, false)?;
                self.set(st, dst, v);
                Ok(Step::Next(pc + 1))
            }
            Op::StoreRel {
                size,
                dst,
                src,
                off,
            } => {
                let base = self.read(st, pc, dst)?;
                let v = self.read(st, pc, src)?;
                self.check_ordered(pc, dst, &base, off as i32, size, "store-release")?;
                self.store(pc, st, dst, &base, off as i32, size, v)?;
                self.note_ptr_type(pc, dst, &base, false)?;
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
                let base = self.read(st, pc, dst)?;
                self.atomic(pc, st, size, dst, src, off as i32, op, fetch)?;
                self.note_ptr_type(pc, dst, &base, false)?;
                Ok(Step::Next(pc + 1))
            }
            Op::Ja { target } => Ok(Step::Next(target)),
            // Older kernels know no `BPF_JCOND` opcode (`check_cond_jmp_op`: invalid opcode).
            Op::MayGoto { .. } if self.input.kernel < KernelVersion::MAY_GOTO => Err(e(
                pc,
                Rule::Structure,
                format!(
                    "may_goto needs Linux {}, but the target kernel is {} (see verifier::target; the kernel: `invalid BPF_JMP/JMP32 opcode e0`)",
                    KernelVersion::MAY_GOTO,
                    self.input.kernel
                ),
            )),
            Op::MayGoto { target } => Ok(self.may_goto(pc, st, target)),
            Op::Cond {
                is64,
                op,
                dst,
                src,
                target,
            } => self.cond(pc, st, is64, op, dst, src, target),
            Op::Call { helper, kfunc } => {
                if kfunc && helper == super::ops::KFUNC_ID_ZERO && !self.trusted_call(pc, st) {
                    return Err(e(
                        pc,
                        Rule::Structure,
                        "a kfunc call with BTF id 0 is refused once a path reaches it (the kernel lets it through only as dead code: invalid kernel function call not eliminated in verifier pass)".to_string(),
                    ));
                }
                if kfunc {
                    // A kfunc the target kernel lacks (refused before the walk too, wherever
                    // it is: `check_kfunc_targets`).
                    self.check_kfunc_since(pc, helper)?;
                }
                if let Some(k) =
                    crate::xdp::exception::ExcKfunc::from_placeholder(helper).filter(|_| kfunc)
                {
                    // `bpf_throw`: the path ends there (`transfer/call/throw.rs`).
                    return self.call_exc_kfunc(pc, st, k);
                }
                if kfunc {
                    if let Some((target, cb)) = self.call_xdp_kfunc(pc, st, helper)? {
                        return Ok(Step::Branch {
                            other_pc: target,
                            other: Box::new(cb),
                            pc: pc + 1,
                        });
                    }
                } else if let Some((target, cb)) = self.call_helper(pc, st, helper)? {
                    return Ok(Step::Branch {
                        other_pc: target,
                        other: Box::new(cb),
                        pc: pc + 1,
                    });
                } else if helper == 12 && !self.trusted_call(pc, st) {
                    // A tail call taken in a subprogram returns to the caller.
                    if let Some((next, taken)) = self.tail_call_taken(st) {
                        return Ok(Step::Branch {
                            other_pc: next,
                            other: Box::new(taken),
                            pc: pc + 1,
                        });
                    }
                }
                Ok(Step::Next(pc + 1))
            }
            Op::CallLocal { target } => self.call_local(pc, st, target),
            Op::Exit => self.exit(pc, st),
        }
    }
}

/// The `-mcpu=v4` instruction `insn` is, if it is one that kernels before 6.6 refuse where
/// they reach it (sign-extending moves, signed division and modulo, unconditional byte swaps,
/// `gotol`), named for a message. (A sign-extending load is refused anywhere in the program:
/// [`cpu_v4_loads`].) `gotol` only where `kernel` lacks its backport
/// ([`KernelVersion::GOTOL`]: 6.1.72 on).
fn cpu_v4_form(insn: Insn, kernel: KernelVersion) -> Option<&'static str> {
    const ALU: u8 = 0x04;
    const ALU64: u8 = 0x07;
    const JMP32: u8 = 0x06;
    let op = insn.code & 0xf0;
    match insn.code & 0x07 {
        ALU | ALU64 if (op == 0x30 || op == 0x90) && insn.off == 1 => {
            Some("a signed division or modulo (`s/=`, `s%=`)")
        }
        ALU | ALU64 if op == 0xb0 && insn.off != 0 => Some("a sign-extending move (`rX = (s8)rY`)"),
        ALU64 if op == 0xd0 => Some("an unconditional byte swap (`bswap16/32/64`)"),
        JMP32 if op == 0x00 && !kernel.has(KernelVersion::GOTOL) => {
            Some("a jump with a 32-bit offset (`gotol`)")
        }
        _ => None,
    }
}

/// Kernels before 6.6 check every `BPF_LDX` for `BPF_MEM` before walking the program
/// (`resolve_pseudo_ldimm64`), so a sign-extending load (`BPF_MEMSX`) is refused even where
/// no path reaches it: the first one, for a target before [`KernelVersion::CPU_V4`].
pub(super) fn cpu_v4_loads(insns: &[Insn], kernel: KernelVersion) -> Result<(), VerifierError> {
    if kernel >= KernelVersion::CPU_V4 {
        return Ok(());
    }
    match insns
        .iter()
        .position(|i| i.code & 0x07 == 0x01 && i.code & 0xe0 == 0x80)
    {
        Some(pc) => Err(cpu_v4_refused(
            pc,
            "a sign-extending load (`*(s8 *)`)",
            kernel,
        )),
        None => Ok(()),
    }
}

#[cold]
#[inline(never)]
fn cpu_v4_refused(pc: usize, what: &str, kernel: KernelVersion) -> VerifierError {
    e(
        pc,
        Rule::Unsupported,
        format!(
            "{what} is an instruction of `-mcpu=v4`, which needs Linux {} (the target is {kernel}; older kernels refuse it: `BPF_ALU uses reserved fields`, `BPF_LDX uses reserved fields`); compile with `-mcpu=v3` or verify for a newer target (`--kernel 6.6`)",
            KernelVersion::CPU_V4
        ),
    )
}

//! The structural checks that look at every instruction regardless of the path (the kernel's
//! `check_subprogs` and `check_cfg`): jump targets, subprogram boundaries, unreachable
//! instructions, falling off the end; plus register liveness for state pruning. The program
//! comes decoded by [`super::ops`] (re-exported here: [`Op`], [`Src`], [`decode`]).

use crate::isa::insn::{AluOp, AtomicOp};
use crate::xdp::iter::IterOp;

use super::ops::err;
pub use super::ops::{decode, Op, Src};
use super::{Rule, VerifierError};

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
    /// The kernel's jump points (`mark_jmp_point` in `check_cfg`): the target of every
    /// conditional jump (a `may_goto`'s too) and of every `goto`, the first instruction of a
    /// function a local call or a function reference (`ld_imm64` of `BPF_PSEUDO_FUNC`) names,
    /// the instruction after every call and after such a reference, and a helper call that
    /// calls back. A path records one entry of its instruction history at each it runs
    /// (`do_check`'s `push_jmp_history`), which counts towards the kernel's forced checkpoint
    /// (see `super::prune`).
    pub jmp_point: Vec<bool>,
    /// The successors of each instruction in the control-flow graph (a call's is the next
    /// instruction), the program's length where it has fewer than two: computed once for the
    /// liveness and shared with the loops' analysis ([`loop_components_of`]).
    pub(crate) succ: Vec<[u32; 2]>,
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
    if kfunc {
        return ARGS;
    }
    let n = match super::helpers::proto(helper) {
        Some(p) => p.args.len().min(5),
        None => match super::helpers::special_arg_count(helper) {
            Some(n) => usize::from(n),
            None => return ARGS,
        },
    };
    ARGS & ((1u16 << (n + 1)) - 2)
}

/// The jump points of a program ([`Cfg::jmp_point`]).
#[cfg(test)]
pub(crate) fn jmp_points(ops: &[Op]) -> Vec<bool> {
    let mut prune_point = vec![false; ops.len()];
    let mut jmp_point = vec![false; ops.len()];
    for (i, op) in ops.iter().enumerate() {
        if !matches!(op, Op::LdImm64Tail) {
            mark_points(&mut prune_point, &mut jmp_point, op, i);
        }
    }
    jmp_point
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
#[cfg(test)]
pub(crate) fn outside_loops(ops: &[Op]) -> Vec<bool> {
    outside_loops_of(ops, &loop_components(ops))
}

/// [`outside_loops`] from the components [`loop_components`] found.
pub(crate) fn outside_loops_of(ops: &[Op], components: &[u32]) -> Vec<bool> {
    let not_call = |op: &Op| !matches!(op, Op::Call { .. } | Op::CallLocal { .. });
    components
        .iter()
        .zip(ops)
        .map(|(&c, op)| c == 0 && not_call(op))
        .collect()
}

/// The kernel's strongly connected components (`compute_scc`): per instruction, 0 outside
/// every one, else the id of its component: a cycle of the control-flow graph (two or more
/// instructions, or one jumping to itself; a call falls through to the next instruction), or
/// a call that calls back ([`calls_back`]: the implicit loop of its callback's rounds) on no
/// cycle, alone. The kernel keys its SCC visits by these ids (`compute_scc_callchain`).
#[cfg(test)]
pub(crate) fn loop_components(ops: &[Op]) -> Vec<u32> {
    let n = ops.len();
    const NONE: u32 = u32::MAX;
    let succ: Vec<[u32; 2]> = ops
        .iter()
        .enumerate()
        .map(|(i, op)| {
            let mut out = [NONE; 2];
            if matches!(op, Op::LdImm64Tail) {
                return out;
            }
            let (ss, m) = succs(op, i);
            let mut k = 0;
            for &t in &ss[..m] {
                if t < n {
                    out[k] = t as u32;
                    k += 1;
                }
            }
            out
        })
        .collect();
    loop_components_of(ops, &succ)
}

/// [`loop_components`] with each instruction's successors (`succ`, as [`Cfg::succ`]: an entry
/// past the last instruction where it has fewer than two).
pub(crate) fn loop_components_of(ops: &[Op], succ: &[[u32; 2]]) -> Vec<u32> {
    let n = ops.len();
    // Tarjan's strongly connected components, without recursion, over indices of 32 bits
    // (a program has at most a million instructions; `NONE`: not visited yet) and each
    // instruction's successors read once.
    const NONE: u32 = u32::MAX;
    let real = |t: u32| (t as usize) < n;
    // A call that calls back on no cycle is a component of its own (after the cycles' ids).
    let alone = |comp: &mut Vec<u32>| {
        for (i, op) in ops.iter().enumerate() {
            if comp[i] == 0 && calls_back(op) {
                comp[i] = (n + i + 1) as u32;
            }
        }
    };
    let mut comp = vec![0u32; n];
    // Without a jump back (to itself or an earlier instruction) there is no cycle: only the
    // calls that call back are components.
    if succ
        .iter()
        .enumerate()
        .all(|(i, s)| s.iter().all(|&t| !real(t) || t as usize > i))
    {
        alone(&mut comp);
        return comp;
    }
    // Only the instructions that may be on a cycle are walked (`on_cycle_candidates`); an
    // edge to another one is passed over (no cycle has it).
    let candidate = on_cycle_candidates(succ);
    // No candidate (the jumps back all go to blocks that reach no jump back, as a shared
    // exit block): no cycle, and no table for the walk.
    if !candidate.contains(&true) {
        alone(&mut comp);
        return comp;
    }
    let mut index = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut cyclic = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut walk: Vec<(u32, usize)> = Vec::new();
    let mut next = 0u32;
    for root in 0..n {
        if index[root] != NONE || !candidate[root] {
            continue;
        }
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root as u32);
        on_stack[root] = true;
        walk.push((root as u32, 0));
        while let Some(top) = walk.last_mut() {
            let (v, k) = (top.0 as usize, top.1);
            if k < 2 && real(succ[v][k]) {
                top.1 += 1;
                let w = succ[v][k] as usize;
                if !candidate[w] {
                    continue;
                }
                if w == v {
                    cyclic[v] = true;
                }
                if index[w] == NONE {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w as u32);
                    on_stack[w] = true;
                    walk.push((w as u32, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            walk.pop();
            if let Some(&(u, _)) = walk.last() {
                low[u as usize] = low[u as usize].min(low[v]);
            }
            if low[v] == index[v] {
                let from = stack.iter().rposition(|&x| x as usize == v).unwrap_or(0);
                let big = stack.len() - from > 1 || cyclic[v];
                for &w in &stack[from..] {
                    on_stack[w as usize] = false;
                    if big {
                        comp[w as usize] = index[v] + 1;
                    }
                }
                stack.truncate(from);
            }
        }
    }
    alone(&mut comp);
    comp
}

/// Which instructions may be on a cycle of the graph `succ` (each instruction's successors,
/// an entry past the last instruction where it has fewer than two): those that reach the
/// source of a jump back (to itself or an earlier instruction) by jumps forward alone, and
/// that are reached that way from the target of one. Walking a cycle on from an instruction, the first jump back is
/// reached by jumps forward (or is the instruction's own); walking it back, likewise from
/// the last one's target: every instruction of a cycle is kept (a superset, two passes). The
/// jumps back of compiled code mostly go to a shared exit block, whose instructions reach no
/// jump back: few instructions are left for the components' walk.
fn on_cycle_candidates(succ: &[[u32; 2]]) -> Vec<bool> {
    let n = succ.len();
    // Both tables have one more entry, the missing successor's (an entry `>= n`, read as
    // `n`): it reaches nothing, so the entries need no test of their own (a jump back goes
    // to one `< n`).
    // Reaches a jump back's source by jumps forward: last instruction first (a jump forward
    // goes to one already done).
    let mut to_back = vec![false; n + 1];
    for i in (0..n).rev() {
        let [a, b] = succ[i];
        let (a, b) = ((a as usize).min(n), (b as usize).min(n));
        to_back[i] = a <= i || b <= i || to_back[a] || to_back[b];
    }
    // Reached from a jump back's target by jumps forward: the targets first, then first
    // instruction first.
    let mut from_back = vec![false; n + 1];
    for (i, s) in succ.iter().enumerate() {
        for &t in s {
            if t as usize <= i {
                from_back[t as usize] = true;
            }
        }
    }
    for i in 0..n {
        if from_back[i] {
            for &t in &succ[i] {
                if t as usize > i {
                    from_back[(t as usize).min(n)] = true;
                }
            }
        }
    }
    from_back.truncate(n);
    for (f, t) in from_back.iter_mut().zip(&to_back) {
        *f &= *t;
    }
    from_back
}

/// [`liveness`] of `ops` from tables of their own: each instruction's `[uses, defs]` and its
/// successors (the program's length where it has fewer than two), as [`check_with_roots`]
/// makes them.
#[cfg(test)]
fn liveness_of(ops: &[Op]) -> Vec<u16> {
    let none = ops.len() as u32;
    let (gen, succ): (Vec<[u16; 2]>, Vec<[u32; 2]>) = ops
        .iter()
        .enumerate()
        .map(|(i, op)| {
            if matches!(op, Op::LdImm64Tail) {
                return ([0, 0], [none; 2]);
            }
            let (ss, n) = succs(op, i);
            let (uses, defs) = uses_defs(op);
            let at = |k: usize| if k < n { ss[k] as u32 } else { none };
            ([uses, defs], [at(0), at(1)])
        })
        .unzip();
    liveness(&gen, &succ)
}

/// The registers live on entry to each instruction (bit n = rn): the least solution of
/// `in(i) = uses(i) | (out(i) & !defs(i))`, `out(i)` the union of the successors' `in`
/// (the second slot of an `ld_imm64` has none and stays empty). Each instruction's uses,
/// defs and successors are read once; the passes (last instruction first, as many as the
/// loops need) then only combine bit sets.
fn liveness(gen: &[[u16; 2]], succ: &[[u32; 2]]) -> Vec<u16> {
    let len = gen.len();
    // One more entry, `none`'s, always empty.
    let mut live = vec![0u16; len + 1];
    // In a pass (last instruction first) every instruction reads its successors' entries:
    // those after it as this pass left them, those of its jumps back (to itself or an earlier
    // instruction) as the previous pass left them. When no jump back's target changed during
    // a pass, every equation holds as it ends: the least solution, without one more pass to
    // see nothing change (one pass in all when the targets keep the entry the first pass
    // read, as a shared exit block after `r0 = ...`).
    let targets: Vec<u32> = succ
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.iter().copied().filter(move |&t| t as usize <= i))
        .collect();
    let mut read = vec![0u16; targets.len()];
    loop {
        for (i, (&[uses, defs], s)) in gen.iter().zip(succ).enumerate().rev() {
            let out = live[s[0] as usize] | live[s[1] as usize];
            live[i] = uses | (out & !defs);
        }
        let mut stale = false;
        for (r, &t) in read.iter_mut().zip(&targets) {
            let now = live[t as usize];
            if now != *r {
                *r = now;
                stale = true;
            }
        }
        if !stale {
            break;
        }
    }
    live.truncate(len);
    live
}

/// Sets the prune points and the jump points ([`Cfg::jmp_point`]) the instruction `op` at
/// `i` makes, in one look at it (`prune_point` and `jmp_point` have one entry per
/// instruction; a jump point is set only inside the program).
#[inline]
fn mark_points(prune_point: &mut [bool], jmp_point: &mut [bool], op: &Op, i: usize) {
    let len = prune_point.len();
    let mut jump_point = |t: usize| {
        if let Some(x) = jmp_point.get_mut(t) {
            *x = true;
        }
    };
    match *op {
        Op::Ja { target } => {
            prune_point[target] = true;
            jump_point(target);
        }
        // The kernel's prune points (`visit_insn`): a conditional jump itself and its
        // target, not its fall-through (a `may_goto` is always checkpointed: its loop
        // rule); after every call, and a local call itself.
        Op::MayGoto { target } | Op::Cond { target, .. } => {
            prune_point[i] = true;
            prune_point[target] = true;
            jump_point(target);
        }
        Op::CallLocal { target } => {
            prune_point[i] = true;
            prune_point[target] = true;
            if i + 1 < len {
                prune_point[i + 1] = true;
            }
            jump_point(target);
            jump_point(i + 1);
        }
        Op::Call { helper, kfunc } => {
            let back = calls_back(op);
            // A helper that calls back: the call is where each round of the callback
            // comes back to (a loop head), the callback a function entry.
            // An iterator's `next` call: a loop head, always checkpointed (the kernel's
            // `mark_force_checkpoint`).
            // `bpf_timer_set_callback` (the kernel's `is_async_callback_calling_insn`):
            // the call is a prune point too, so that a covered state pushes no callback
            // path.
            if back || is_iter_next(op) || (helper == 170 && !kfunc) {
                prune_point[i] = true;
            }
            if i + 1 < len {
                prune_point[i + 1] = true;
            }
            if back {
                jump_point(i);
            }
            jump_point(i + 1);
        }
        // A function reference (`ld_imm64` of `BPF_PSEUDO_FUNC`, a callback's address):
        // the kernel walks it as a call (`visit_func_call_insn`), so the reference itself,
        // the instruction after it and the function's entry are prune points.
        Op::LdImm64 { .. } => {
            if let Some(t) = func_target(op, i) {
                prune_point[t] = true;
                prune_point[i] = true;
                if i + 2 < len {
                    prune_point[i + 2] = true;
                }
                jump_point(t);
                jump_point(i + 2);
            }
        }
        _ => {}
    }
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
    let mut jmp_point = vec![false; len];
    // One instruction's part in the liveness equations: the registers it reads and writes
    // (`[uses, defs]`), and its successors (`none`, an entry that stays empty, where it has
    // fewer than two). Two tables, not one of both: 4 and 8 bytes an instruction stay blocks
    // of the allocator's small sizes up to 2,048 instructions, where one of 12 bytes (past
    // 1,365) would take a region of the heap of its own, often touched for the first time by
    // this verification (see [`crate::verifier::chunks`]).
    let none = len as u32;
    let mut gen = vec![[0u16; 2]; len];
    let mut succ = vec![[none; 2]; len];
    for (i, op) in ops.iter().enumerate() {
        // The second slot of an `ld_imm64`: no successor, no register, no point.
        if matches!(op, Op::LdImm64Tail) {
            continue;
        }
        let (ss, n) = succs(op, i);
        let (uses, defs) = uses_defs(op);
        let at = |k: usize| if k < n { ss[k] as u32 } else { none };
        gen[i] = [uses, defs];
        succ[i] = [at(0), at(1)];
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
        mark_points(&mut prune_point, &mut jmp_point, op, i);
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
        // The successors (every one inside the program by now), and the function a call or
        // a reference names.
        for &t in &succ[i] {
            if t != none {
                work.push(t as usize);
            }
        }
        match ops[i] {
            Op::LdImm64 { .. } => {
                seen[i + 1] = true;
                if let Some(t) = func_target(&ops[i], i) {
                    work.push(t);
                }
            }
            Op::CallLocal { target } => work.push(target),
            _ => {}
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
    let live_in = liveness(&gen, &succ);
    Ok(Cfg {
        subprog_starts: starts,
        subprog_of,
        prune_point,
        live_in,
        jmp_point,
        succ,
    })
}

/// The back-edge rule of `check_cfg` before [`KernelVersion::FALLTHROUGH_BACK_EDGE`]
/// (6.1.192's `push_insn` with its `loop_ok`): the kernel's depth-first walk of the program
/// (from instruction 0, into every called function, the fall-through edge of a conditional
/// jump before its branch, a call's next instruction before the function it calls) allows an
/// edge back to an instruction still on its stack (a loop) only from a jump (`goto`, a
/// conditional jump) or to a callback an `ld_imm64` names. A loop closed by the fall-through
/// of any other instruction into an instruction on the stack (`goto l0; l1: r0 += 1; l0: if
/// r0 < 4 goto l1`: the walk reaches `l0` first, by the `goto`, and `r0 += 1` falls into it)
/// is refused ("back-edge from insn N to M"; a recursive call too, refused for every target by
/// the call-stack check). Later kernels allow every back edge to a privileged loader and leave
/// the loops to the walk.
///
/// [`KernelVersion::FALLTHROUGH_BACK_EDGE`]: super::KernelVersion::FALLTHROUGH_BACK_EDGE
pub(crate) fn check_old_back_edges(ops: &[Op]) -> Result<(), VerifierError> {
    const DISCOVERED: u8 = 1;
    const EXPLORED: u8 = 2;
    let len = ops.len();
    // The edges of instruction `t`, in the kernel's order, each with whether a back edge is
    // allowed on it (`loop_ok`).
    let edges = |t: usize| -> ([(usize, bool); 2], usize) {
        match ops[t] {
            Op::Exit => ([(0, false); 2], 0),
            Op::Ja { target } => ([(target, true), (0, false)], 1),
            Op::Cond { target, .. } | Op::MayGoto { target } => {
                ([(t + 1, true), (target, true)], 2)
            }
            // A recursive call is a back edge the kernel refuses here too; it is left to the
            // call-stack check, which refuses it for every target ("already on the call
            // stack").
            Op::CallLocal { target } => ([(t + 1, false), (target, true)], 2),
            Op::LdImm64 { .. } => match func_target(&ops[t], t) {
                Some(f) => ([(t + 2, false), (f, true)], 2),
                None => ([(t + 2, false), (0, false)], 1),
            },
            _ => ([(t + 1, false), (0, false)], 1),
        }
    };
    let mut state = vec![0u8; len];
    // The walk's stack: an instruction and how many of its edges were taken.
    let mut stack: Vec<(usize, usize)> = vec![(0, 0)];
    state[0] = DISCOVERED;
    while let Some(&mut (t, ref mut next)) = stack.last_mut() {
        let (es, n) = edges(t);
        if *next >= n {
            state[t] = EXPLORED;
            stack.pop();
            continue;
        }
        let (w, loop_ok) = es[*next];
        *next += 1;
        // Edges out of the program were refused by the structural checks already.
        let Some(&sw) = state.get(w) else { continue };
        if sw == 0 {
            state[w] = DISCOVERED;
            stack.push((w, 0));
        } else if sw == DISCOVERED && !loop_ok {
            return Err(err(
                t,
                Rule::Structure,
                format!(
                    "back-edge from insn {t} to {w}: the target kernel allows a loop to be closed only by a jump (`goto`, a conditional jump), not by the fall-through of another instruction into an instruction the kernel's depth-first walk of the program has entered but not left (its check_cfg before Linux 6.7); start the loop at its first instruction, or end it with a `goto` to its head"
                ),
            ));
        }
    }
    Ok(())
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
    // The main program alone: no other function to look at.
    if cfg.subprog_starts.len() < 2 {
        return Ok(());
    }
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

//! The call chain's stack limits, checked once before the walk: the combined stack of the
//! deepest chain of frames (512 bytes), a tail call's callers' frames (256 bytes), and
//! `LD_ABS` / `LD_IND` or `bpf_throw` where a callback may run them.

use super::cfg::Op;
use super::context::Exec;
use super::transfer::{e, R};
use super::{KernelVersion, Rule};

impl Exec<'_> {
    /// The combined stack of the deepest call chain must fit in 512 bytes (each frame rounded up
    /// as the kernel's `check_max_stack_depth` does: [`stack_granularity`]), and a function
    /// other than the main one that contains a tail call may be entered only below less than
    /// 256 bytes of its callers' frames ([`tail_call_prefix`]).
    pub(super) fn check_stack_depth(&self) -> R<()> {
        let gran = stack_granularity(self.input.kernel, self.input.interpreter);
        let n = self.cfg.subprog_starts.len();
        let mut callees: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
        let mut is_cb = vec![false; n];
        // A timer callback runs later on a stack of its own: the kernel's
        // `check_max_stack_depth` walks it as a root of its own and does not count it under
        // the function passing it (only a direct call of it). Kept under its passer (more
        // than the kernel counts) when the program has a tail call, whose checks below walk
        // from the main function only.
        let tail_calls = self.ops.iter().any(|op| {
            matches!(
                op,
                Op::Call {
                    helper: 12,
                    kfunc: false
                }
            )
        });
        // The exception callback runs after the program's frames are unwound: a root of its
        // own, always, and a callback for the kernel's rules (`transfer/call/throw.rs`).
        let exc_cb = self.exception_cb_subprog();
        let own_root =
            |sp: usize| (!tail_calls && self.async_cb.get(sp) == Some(&true)) || exc_cb == Some(sp);
        if let Some(sp) = exc_cb {
            is_cb[sp] = true;
        }
        for (i, op) in self.ops.iter().enumerate() {
            if let Op::CallLocal { target } = op {
                callees[self.cfg.subprog_of[i]].push((self.cfg.subprog_of[*target], i));
            }
            // A callback runs on top of the function that passes it (the kernel counts it in
            // the call chain).
            if let Some(t) = super::cfg::func_target(op, i) {
                if t < self.cfg.subprog_of.len() {
                    if !own_root(self.cfg.subprog_of[t]) {
                        callees[self.cfg.subprog_of[i]].push((self.cfg.subprog_of[t], i));
                    }
                    is_cb[self.cfg.subprog_of[t]] = true;
                }
            }
        }
        /// Deepest (stack bytes, frames) below `sp`, memoised; `Err(site)` on a cycle or a
        /// chain of more than 8 frames.
        fn walk(
            sp: usize,
            callees: &[Vec<(usize, usize)>],
            depth: &[u32],
            gran: u32,
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
            let own = frame_bytes(depth[sp], gran);
            let (mut best, mut frames) = (0, 0);
            for &(c, s) in &callees[sp] {
                let (b, f) = walk(c, callees, depth, gran, memo, visiting, s)?;
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
        let walked = (0..n)
            .filter(|&sp| sp == 0 || own_root(sp))
            .try_fold(0, |deepest, root| {
                walk(
                    root,
                    &callees,
                    &self.depth,
                    gran,
                    &mut memo,
                    &mut visiting,
                    0,
                )
                .map(|x| deepest.max(x.0))
            });
        // Only once the walk found no cycle (the order below needs none).
        if walked.is_ok() {
            let mut has_tail_call = vec![false; n];
            let mut has_ld_abs = vec![false; n];
            let mut has_throw = vec![false; n];
            for (i, op) in self.ops.iter().enumerate() {
                match op {
                    Op::Call {
                        helper: 12,
                        kfunc: false,
                    } => has_tail_call[self.cfg.subprog_of[i]] = true,
                    Op::LdAbs { .. } => has_ld_abs[self.cfg.subprog_of[i]] = true,
                    Op::Call {
                        helper,
                        kfunc: true,
                    } if crate::xdp::exception::ExcKfunc::from_placeholder(*helper)
                        == Some(crate::xdp::exception::ExcKfunc::Throw) =>
                    {
                        has_throw[self.cfg.subprog_of[i]] = true
                    }
                    _ => {}
                }
            }
            if let Some(sp) = super::transfer::throw_under_callback(&callees, &is_cb, &has_throw) {
                let at = (self.cfg.subprog_starts[sp]..self.ops.len())
                    .find(|&i| matches!(self.ops[i], Op::Call { helper, kfunc: true } if crate::xdp::exception::ExcKfunc::from_placeholder(helper) == Some(crate::xdp::exception::ExcKfunc::Throw)))
                    .unwrap_or(self.cfg.subprog_starts[sp]);
                return Err(e(
                    at,
                    Rule::CallStack,
                    format!(
                        "bpf_throw in the function at instruction {}, which is a callback or runs under one (a bpf_loop or timer callback, the exception callback): the kernel refuses it, reached or not (\"bpf_throw kfunc (insn {at}) cannot be called from callback subprog {sp}\")",
                        self.cfg.subprog_starts[sp]
                    ),
                ));
            }
            if let Some(sp) = exc_cb {
                let under = super::transfer::reached_from(&callees, &{
                    let mut r = vec![false; n];
                    r[sp] = true;
                    r
                });
                if let Some(t) = (0..n).find(|&s| under[s] && has_tail_call[s]) {
                    return Err(e(
                        self.cfg.subprog_starts[t],
                        Rule::CallStack,
                        format!(
                            "a tail call in the function at instruction {}, which the exception callback runs: the kernel refuses it (\"cannot tail call within exception cb\")",
                            self.cfg.subprog_starts[t]
                        ),
                    ));
                }
            }
            if let Some(sp) = ld_abs_under_callback(&callees, &is_cb, &has_ld_abs) {
                return Err(e(
                    self.cfg.subprog_starts[sp],
                    Rule::CallStack,
                    format!(
                        "the function at instruction {} has a legacy packet load (LD_ABS/LD_IND) and runs as, or under, a callback; the kernel refuses that (\"cannot use BPF_LD_[ABS|IND] within callback\")",
                        self.cfg.subprog_starts[sp]
                    ),
                ));
            }
            if let Some((sp, above)) = tail_call_prefix(&callees, &self.depth, gran, &has_tail_call)
            {
                return Err(e(
                    self.cfg.subprog_starts[sp],
                    Rule::CallStack,
                    format!(
                        "the function at instruction {} makes a tail call and is called below {above} bytes of its callers' stack; the kernel allows less than 256 there",
                        self.cfg.subprog_starts[sp]
                    ),
                ));
            }
        }
        match walked {
            Ok(total) if total <= 512 => Ok(()),
            Ok(total) => Err(e(0, Rule::CallStack, format!(
                "the deepest call chain uses {total} bytes of stack (each function's use rounded up to {gran}{}); the kernel allows 512",
                if gran == 16 { ", as for a JIT-compiled program" } else { "" }
            ))),
            Err(site) => Err(e(
                site,
                Rule::CallStack,
                "recursive calls, or calls nested more than 8 deep (the kernel's limit)",
            )),
        }
    }
}

/// The unit each function's stack is rounded up to in the call-chain limits
/// (`round_up_stack_depth`): 16 bytes for a JIT-compiled program on targets from
/// [`KernelVersion::JIT_STACK_ROUND16`], else 32 (the interpreter's granularity, and every
/// older kernel's).
fn stack_granularity(kernel: KernelVersion, interpreter: bool) -> u32 {
    if !interpreter && kernel >= KernelVersion::JIT_STACK_ROUND16 {
        16
    } else {
        32
    }
}

/// A function's stack as the call-chain limits count it: rounded up to `gran` (16: a function
/// using none counts 0; 32: at least 32, as the interpreter's `max(depth, 1)`).
fn frame_bytes(depth: u32, gran: u32) -> u32 {
    if gran == 16 {
        depth.div_ceil(16) * 16
    } else {
        depth.max(1).div_ceil(32) * 32
    }
}

/// The kernel's limit on tail calls below bpf-to-bpf calls (`check_max_stack_depth_subprog`):
/// a tail call unwinds only its own function's frame, so a function other than the main one
/// (`sp != 0`) that contains a tail call instruction (`has_tail_call`, by its text, reached or
/// not) must be entered with less than 256 bytes of stack in the frames above it, along every
/// call chain from the main function. `callees` and the frames' `depth` as
/// `check_stack_depth` has them (each frame rounded up to `gran` by [`frame_bytes`]), in
/// a call graph without cycles. Functions no chain from the main one reaches are not
/// checked. Gives the first offending function and the largest stack above it.
fn tail_call_prefix(
    callees: &[Vec<(usize, usize)>],
    depth: &[u32],
    gran: u32,
    has_tail_call: &[bool],
) -> Option<(usize, u32)> {
    let n = callees.len();
    // The most stack any chain from the main function has above each function.
    let mut above: Vec<Option<u32>> = vec![None; n];
    above[0] = Some(0);
    for sp in callers_first(callees) {
        let Some(a) = above[sp] else { continue };
        let own = frame_bytes(depth[sp], gran);
        for &(c, _) in &callees[sp] {
            above[c] = Some(above[c].map_or(a + own, |x| x.max(a + own)));
        }
    }
    (1..n).find_map(|sp| match above[sp] {
        Some(a) if has_tail_call[sp] && a >= 256 => Some((sp, a)),
        _ => None,
    })
}

/// The functions a chain of calls from the main function reaches, callers before callees
/// (the reverse of a depth-first post-order; the call graph has no cycles).
fn callers_first(callees: &[Vec<(usize, usize)>]) -> Vec<usize> {
    let n = callees.len();
    let mut order = Vec::with_capacity(n);
    let mut done = vec![false; n];
    let mut stack = vec![(0usize, 0usize)];
    done[0] = true;
    while let Some(&mut (sp, ref mut next)) = stack.last_mut() {
        if let Some(&(c, _)) = callees[sp].get(*next) {
            *next += 1;
            if !done[c] {
                done[c] = true;
                stack.push((c, 0));
            }
        } else {
            order.push(sp);
            stack.pop();
        }
    }
    order.reverse();
    order
}

/// The kernel's refusal of LD_ABS/LD_IND within a callback (`check_max_stack_depth_subprog`,
/// by the text of every call chain from the main function): the first function with such a
/// load (`has_ld_abs`) that is a callback (`is_cb`: its address is passed as one) or is
/// called, directly or not, from one.
fn ld_abs_under_callback(
    callees: &[Vec<(usize, usize)>],
    is_cb: &[bool],
    has_ld_abs: &[bool],
) -> Option<usize> {
    // Every function a callback is or calls, those no chain from the main function reaches
    // included (the exception callback's).
    let in_cb = super::transfer::reached_from(callees, is_cb);
    (0..callees.len()).find(|&sp| in_cb[sp] && has_ld_abs[sp])
}

#[cfg(test)]
#[path = "stack_depth_tests.rs"]
mod tests;
